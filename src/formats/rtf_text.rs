//! Text of RTF fields on its way to the sink: pending bytes and UTF-16 units, decoded in
//! batches (so DBCS pairs and surrogate pairs decode whole) with the code page of the current
//! font or document, and sent as instruction or result text.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, WINDOWS_1252};

use super::Dest;
use crate::formats::field_code::FieldSink;

/// Pending text of one kind (instruction or result), decoded and sent to the sink in batches.
pub(super) struct Out<'s> {
    pub(super) sink: &'s mut dyn FieldSink,
    pub(super) kind: Dest,
    pub(super) text: String,
    /// Raw bytes not yet decoded, all in `enc` (kept together so DBCS pairs decode as one).
    pub(super) bytes: Vec<u8>,
    pub(super) enc: &'static Encoding,
    /// UTF-16 code units not yet decoded (kept together so surrogate pairs decode as one).
    pub(super) units: Vec<u16>,
}

impl Out<'_> {
    fn switch(&mut self, kind: Dest, enc: Option<&'static Encoding>) {
        if kind != self.kind {
            self.flush();
            self.kind = kind;
        }
        if let Some(enc) = enc.filter(|e| *e != self.enc) {
            self.decode();
            self.enc = enc;
        }
    }

    pub(super) fn bytes(&mut self, kind: Dest, enc: &'static Encoding, bytes: &[u8]) {
        self.switch(kind, Some(enc));
        if !self.units.is_empty() {
            self.decode();
        }
        self.bytes.extend_from_slice(bytes);
    }

    pub(super) fn units(&mut self, kind: Dest, units: &[u16]) {
        self.switch(kind, None);
        if !self.bytes.is_empty() {
            self.decode();
        }
        self.units.extend_from_slice(units);
    }

    /// Moves pending bytes or units (only one kind is pending at a time) into `text`.
    fn decode(&mut self) {
        if !self.bytes.is_empty() {
            let (s, _) = self.enc.decode_without_bom_handling(&self.bytes);
            self.text.push_str(&s);
            self.bytes.clear();
        }
        if !self.units.is_empty() {
            let chars = char::decode_utf16(self.units.drain(..));
            self.text
                .extend(chars.map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)));
        }
    }

    /// Sends everything pending to the sink; called before any structural event.
    pub(super) fn flush(&mut self) {
        self.decode();
        if !self.text.is_empty() {
            match self.kind {
                Dest::Instr => self.sink.instruction(&self.text),
                Dest::Result => self.sink.result(&self.text),
                Dest::Body | Dest::Skip | Dest::ObjClass | Dest::ObjData => {}
            }
            self.text.clear();
        }
    }
}

/// The encoding of a Windows code page; windows-1252 for unknown ones (and UTF-16, which
/// cannot be decoded byte by byte).
pub(super) fn encoding_for(cp: u16) -> &'static Encoding {
    codepage::to_encoding_no_replacement(cp)
        .filter(|e| *e != UTF_16LE && *e != UTF_16BE)
        .unwrap_or(WINDOWS_1252)
}

/// The code page of an RTF/Windows font charset (`\fcharsetN`); `None` means "the document's".
#[rustfmt::skip]
pub(super) fn charset_code_page(charset: i32) -> Option<u16> {
    Some(match charset {
        0 => 1252, 77 => 10000, 128 => 932, 129 => 949, 130 => 1361, 134 => 936, 136 => 950,
        161 => 1253, 162 => 1254, 163 => 1258, 177 => 1255, 178 => 1256, 186 => 1257,
        204 => 1251, 222 => 874, 238 => 1250, 254 => 437, 255 => 850,
        _ => return None,
    })
}
