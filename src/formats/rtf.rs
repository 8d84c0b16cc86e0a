//! Lenient RTF tokenizer that reports Word fields (`{\field{\*\fldinst ...}{\fldrslt ...}}`).
//!
//! DDE abuse in RTF lives in field instructions (`DDE`, `DDEAUTO`), and attackers hide the
//! keywords behind everything RTF allows: groups splitting a word, `\'hh` escapes, `\uN`
//! characters, ignorable destinations and unbalanced braces. This module walks the token
//! stream the way Word's reader does and hands every field's instruction and result text to a
//! [`FieldSink`], which assembles and judges them.
//!
//! It follows the *Rich Text Format (RTF) Specification, version 1.9.1* (Microsoft, 2008):
//! groups, control words with an optional signed parameter and one delimiting space, control
//! symbols, `\'hh`, `\uN` with `\ucN` fallback skipping, `\binN`, `\*` ignorable destinations,
//! `\ansicpg` and font charsets (`\fcharset`). Where the spec is silent it leans towards
//! Word's leniency: it never fails, never panics, never recurses on input, runs in O(n) time, and
//! reports every oddity as a warning with its byte offset.
//!
//! It also collects OLE objects (`\object`, `\objclass`, `\objdata`; see [`RtfObject`]): an
//! Equation Editor object is how CVE-2017-11882 reaches Word through RTF.

use std::collections::HashMap;

use encoding_rs::{Encoding, WINDOWS_1252};
use memchr::memchr3;

use super::field_code::FieldSink;

#[path = "rtf_objects.rs"]
mod objects;
#[path = "rtf_text.rs"]
mod text;

use text::{Out, charset_code_page, encoding_for};

pub use objects::RtfObject;

/// Bounds that input cannot exceed.
#[derive(Clone, Debug)]
pub struct RtfLimits {
    /// Groups nested deeper than this are still tokenized but share their parent's state.
    pub max_group_depth: usize,
    /// Fields nested deeper than this are not reported (no `begin`, no `end`, no text).
    pub max_field_depth: usize,
    /// Most bytes of `\objdata` kept from one document (over it, objects are truncated).
    pub max_object_bytes: usize,
    /// Most objects reported from one document.
    pub max_objects: usize,
}

/// 1024 nested groups, 32 nested fields, 128 MiB of object data in 1024 objects: far beyond
/// what Word writes.
impl Default for RtfLimits {
    fn default() -> Self {
        Self {
            max_group_depth: 1024,
            max_field_depth: 32,
            max_object_bytes: 128 << 20,
            max_objects: 1024,
        }
    }
}

/// What [`scan`] found besides the fields it reported to the sink.
#[derive(Clone, Debug, Default)]
pub struct RtfScan {
    /// Oddities met, human-readable, with byte offsets printed as 0x hex.
    pub warnings: Vec<String>,
    /// The OLE objects, in the order their groups end.
    pub objects: Vec<RtfObject>,
}

/// At most this many warnings are kept; the rest are counted in one final warning.
const MAX_WARNINGS: usize = 100;

/// Walks the RTF in `data` and reports every field to `sink`. Never panics, never fails:
/// problems come back as warnings (human-readable, with byte offsets printed as 0x hex).
///
/// Every `begin` gets a matching `end`, also for truncated input.
pub fn scan_fields(data: &[u8], limits: &RtfLimits, sink: &mut dyn FieldSink) -> Vec<String> {
    scan(data, limits, sink).warnings
}

/// Like [`scan_fields`], and also returns the document's OLE objects.
pub fn scan(data: &[u8], limits: &RtfLimits, sink: &mut dyn FieldSink) -> RtfScan {
    #[rustfmt::skip]
    let mut p = Parser {
        data, limits, root: Group { uc: 1, ..Group::default() },
        stack: Vec::new(), fields: Vec::new(),
        out: Out {
            sink, kind: Dest::Body, text: String::new(), bytes: Vec::new(), enc: WINDOWS_1252,
            units: Vec::new(),
        },
        overflow: 0, skip: 0, star: false, ansi_cp: 1252, fonts: HashMap::new(), cur_font: None,
        warnings: Vec::new(), dropped: 0, warned_depth: false, warned_fields: false,
        objects: objects::Collector::new(limits.max_object_bytes, limits.max_objects),
    };
    if !data.starts_with(b"{\\rtf") {
        p.warn(|| "input does not start with {\\rtf; tokenizing it anyway".to_owned());
    }
    p.run();
    RtfScan {
        warnings: p.warnings,
        objects: p.objects.finish(),
    }
}

/// Where the text of a group goes.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
enum Dest {
    /// Body text or a field group's own text: not reported.
    #[default]
    Body,
    /// Ignorable or non-text destination: not reported, fields inside are not fields.
    Skip,
    /// Instruction of the innermost open field.
    Instr,
    /// Result of the innermost open field.
    Result,
    /// `\objclass` of the innermost open object.
    ObjClass,
    /// `\objdata` of the innermost open object (hex digits).
    ObjData,
}

/// State saved per group and restored when it closes.
#[derive(Clone, Copy, Debug, Default)]
struct Group {
    dest: Dest,
    /// `\ucN`: fallback characters to skip after `\uN`.
    uc: usize,
    /// Code page of the current font, if its charset is known.
    font_cp: Option<u16>,
    /// Inside `\fonttbl`.
    fonttbl: bool,
    /// This group opened a field, which ends when it closes.
    field: bool,
    /// This group opened an object, which ends when it closes.
    object: bool,
    /// This group is the `\objdata` destination itself (not a group nested in it).
    objdata: bool,
    /// Offset of the `{` (none for the implicit root group).
    start: Option<u64>,
}

struct Parser<'a, 's> {
    data: &'a [u8],
    limits: &'a RtfLimits,
    out: Out<'s>,
    /// State outside any group (never popped).
    root: Group,
    /// Tracked open groups, innermost last; at most `max_group_depth` long.
    stack: Vec<Group>,
    /// Open reported fields, innermost last: whether `separate` was sent.
    fields: Vec<bool>,
    /// Open groups beyond `max_group_depth`, not tracked.
    overflow: usize,
    /// `\uN` fallback characters still to skip.
    skip: usize,
    /// The last token was `\*`.
    star: bool,
    ansi_cp: u16,
    /// Font number to code page, from `\fonttbl`.
    fonts: HashMap<i32, u16>,
    cur_font: Option<i32>,
    warnings: Vec<String>,
    dropped: usize,
    warned_depth: bool,
    warned_fields: bool,
    objects: objects::Collector,
}

impl Parser<'_, '_> {
    fn run(&mut self) {
        let data = self.data;
        let mut i = 0;
        while let Some(&b) = data.get(i) {
            match b {
                b'{' | b'}' => {
                    // `\*` applies to the next control word and fallback skipping to the
                    // group; both end at a brace.
                    self.star = false;
                    self.skip = 0;
                    if b == b'{' {
                        self.open(i);
                    } else {
                        self.close(i);
                    }
                }
                b'\\' => {
                    i = self.escape(i);
                    continue;
                }
                b'\r' | b'\n' => {}
                _ => {
                    let rest = data.get(i..).unwrap_or_default();
                    let end = memchr3(b'\\', b'{', b'}', rest).map_or(data.len(), |k| i + k);
                    self.text_run(data.get(i..end).unwrap_or_default());
                    i = end;
                    continue;
                }
            }
            i += 1;
        }
        self.finish();
    }

    fn warn(&mut self, msg: impl FnOnce() -> String) {
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(msg());
        } else {
            self.dropped += 1;
        }
    }

    fn top(&self) -> Group {
        self.stack.last().copied().unwrap_or(self.root)
    }

    fn top_mut(&mut self) -> &mut Group {
        self.stack.last_mut().unwrap_or(&mut self.root)
    }

    fn set_dest(&mut self, dest: Dest) {
        let top = self.top_mut();
        if top.dest != Dest::Skip {
            top.dest = dest;
        }
    }

    /// The destination text goes to, if it is reported.
    fn collecting(&self) -> Option<Dest> {
        Some(self.top().dest).filter(|d| matches!(d, Dest::Instr | Dest::Result))
    }

    fn encoding(&self) -> &'static Encoding {
        encoding_for(self.top().font_cp.unwrap_or(self.ansi_cp))
    }

    fn open(&mut self, at: usize) {
        if self.overflow > 0 || self.stack.len() >= self.limits.max_group_depth {
            self.overflow += 1;
            if !std::mem::replace(&mut self.warned_depth, true) {
                let max = self.limits.max_group_depth;
                self.warn(|| format!("groups nested deeper than {max} at 0x{at:x}; not tracked"));
            }
            return;
        }
        let mut g = self.top();
        g.field = false;
        g.object = false;
        g.objdata = false;
        g.start = Some(at as u64);
        self.stack.push(g);
    }

    fn close(&mut self, at: usize) {
        if self.overflow > 0 {
            self.overflow -= 1;
            return;
        }
        match self.stack.pop() {
            None => self.warn(|| format!("unmatched '}}' at 0x{at:x} ignored")),
            Some(g) => self.end_group(g, at as u64 + 1),
        }
    }

    /// Ends what the group `g` opened, at `offset`.
    fn end_group(&mut self, g: Group, offset: u64) {
        if g.field {
            self.end_field(offset);
        }
        if g.object {
            self.objects.end();
        }
    }

    fn end_field(&mut self, offset: u64) {
        self.out.flush();
        self.fields.pop();
        self.out.sink.end(offset);
    }

    fn finish(&mut self) {
        let len = self.data.len() as u64;
        let open = self.stack.len() + self.overflow;
        if open > 0 {
            self.warn(|| format!("{open} group(s) still open at end of input (0x{len:x}); closed"));
        }
        while let Some(g) = self.stack.pop() {
            self.end_group(g, len);
        }
        let root = std::mem::take(&mut self.root);
        self.end_group(root, len);
        self.out.flush();
        if self.objects.dropped > 0 {
            let (n, max) = (self.objects.dropped, self.limits.max_objects);
            self.warn(|| format!("{n} object(s) beyond the first {max} not reported"));
        }
        if self.dropped > 0 {
            self.warnings
                .push(format!("{} further warning(s) suppressed", self.dropped));
        }
    }

    /// Plain text between special bytes; CR and LF are dropped.
    fn text_run(&mut self, run: &[u8]) {
        self.star = false;
        match self.top().dest {
            Dest::ObjData => return self.objects.hex(run),
            Dest::ObjClass => return self.objects.class_text(run),
            _ => {}
        }
        let dest = self.collecting();
        if dest.is_none() && self.skip == 0 {
            return;
        }
        let enc = self.encoding();
        for piece in run.split(|&c| c == b'\r' || c == b'\n') {
            let n = piece.len().min(self.skip);
            self.skip -= n;
            match (dest, piece.get(n..)) {
                (Some(dest), Some(rest)) if !rest.is_empty() => self.out.bytes(dest, enc, rest),
                _ => {}
            }
        }
    }

    /// One character from `\'hh`, or a skipped fallback character.
    fn byte(&mut self, b: u8) {
        self.star = false;
        if self.skip > 0 {
            self.skip -= 1;
        } else if let Some(dest) = self.collecting() {
            let enc = self.encoding();
            self.out.bytes(dest, enc, &[b]);
        }
    }

    /// One character from a control word or symbol, or a skipped fallback character.
    fn chr(&mut self, c: Option<char>) {
        self.star = false;
        if self.skip > 0 {
            self.skip -= 1;
        } else if let (Some(dest), Some(c)) = (self.collecting(), c) {
            self.out.units(dest, c.encode_utf16(&mut [0; 2]));
        }
    }

    /// A paragraph or line break (or tab): a space in an instruction, itself in a result.
    fn brk(&mut self, c: char) {
        let c = if self.top().dest == Dest::Instr {
            ' '
        } else {
            c
        };
        self.chr(Some(c));
    }

    /// Handles the token starting with the backslash at `at`; returns where the next one starts.
    fn escape(&mut self, at: usize) -> usize {
        let data = self.data;
        let p = at + 1;
        let Some(&c) = data.get(p) else {
            return p;
        };
        if c.is_ascii_alphabetic() {
            let mut k = p;
            while data.get(k).is_some_and(u8::is_ascii_alphabetic) {
                k += 1;
            }
            let word = data.get(p..k).unwrap_or_default();
            let neg = data.get(k) == Some(&b'-') && data.get(k + 1).is_some_and(u8::is_ascii_digit);
            k += usize::from(neg);
            let mut value: Option<i64> = None;
            while let Some(d) = data.get(k).filter(|d| d.is_ascii_digit()) {
                value = Some((value.unwrap_or(0) * 10 + i64::from(d - b'0')).min(1 << 32));
                k += 1;
            }
            let param = value.map(|v| {
                let v = if neg { -v } else { v };
                i32::try_from(v).unwrap_or(if neg { i32::MIN } else { i32::MAX })
            });
            if data.get(k) == Some(&b' ') {
                k += 1;
            }
            if word == b"bin" {
                return self.bin(at, k, param);
            }
            self.word(word, param, at as u64);
            return k;
        }
        match c {
            b'\'' => {
                let mut k = p + 1;
                let mut v = 0u32;
                while k < p + 3 {
                    let Some(d) = data.get(k).and_then(|&h| char::from(h).to_digit(16)) else {
                        break;
                    };
                    v = v * 16 + d;
                    k += 1;
                }
                if k > p + 1 {
                    self.byte(u8::try_from(v).unwrap_or(b'?'));
                }
                return k;
            }
            b'*' => self.star = true,
            b'\\' | b'{' | b'}' => self.chr(Some(char::from(c))),
            b'~' => self.chr(Some('\u{A0}')),
            b'_' => self.chr(Some('\u{2011}')),
            b'\r' | b'\n' => self.brk('\n'),
            _ => self.chr(None),
        }
        p + 1
    }

    /// `\binN`: skips N raw bytes starting at `from`.
    fn bin(&mut self, at: usize, from: usize, param: Option<i32>) -> usize {
        let n = usize::try_from(param.unwrap_or(0)).unwrap_or(0);
        let remaining = self.data.len().saturating_sub(from);
        if n > remaining {
            self.warn(|| format!("\\bin{n} at 0x{at:x} runs past the end; clamped to {remaining}"));
        }
        let end = from + n.min(remaining);
        if self.top().dest == Dest::ObjData {
            self.objects
                .raw(self.data.get(from..end).unwrap_or_default());
        } else {
            self.chr(None);
        }
        end
    }

    /// A control word: the dispatch table of everything this scanner gives meaning to.
    #[rustfmt::skip]
    fn word(&mut self, word: &[u8], param: Option<i32>, at: u64) {
        // `\*` before a destination this scanner does not read makes the group ignorable.
        let starred = std::mem::take(&mut self.star);
        let top = self.top();
        match top.dest {
            // Word ignores control words among the hex digits, and groups nested in them.
            Dest::ObjData if !top.objdata => {
                self.top_mut().dest = Dest::Skip;
                return;
            }
            Dest::ObjData | Dest::ObjClass => return,
            _ => {}
        }
        let read = matches!(word, b"field" | b"fldinst" | b"fldrslt" | b"shpinst" | b"shptxt"
            | b"annotation" | b"ud" | b"object" | b"objclass" | b"objdata");
        if starred && !read {
            return self.set_dest(Dest::Skip);
        }
        match word {
            b"field" => self.field(at),
            b"fldinst" => self.instruction(at),
            b"fldrslt" => self.result(),
            b"object" => self.object(at),
            b"objclass" | b"objdata" => self.object_part(word == b"objdata", at),
            b"colortbl" | b"stylesheet" | b"info" | b"pict" | b"nonshppict"
            | b"objname" | b"themedata" | b"colorschememapping" | b"datastore"
            | b"listtable" | b"listoverridetable" | b"revtbl" | b"rsidtbl" | b"generator"
            | b"xmlnstbl" | b"latentstyles" | b"filetbl" | b"pgdsctbl" | b"datafield"
            | b"bkmkstart" | b"bkmkend" | b"fldtype" | b"sn" | b"sv" => self.set_dest(Dest::Skip),
            b"par" | b"line" | b"sect" | b"page" | b"column" | b"cell" | b"row" | b"nestcell"
            | b"nestrow" => self.brk('\n'),
            b"tab" => self.brk('\t'),
            b"emdash" => self.chr(Some('\u{2014}')),    b"endash" => self.chr(Some('\u{2013}')),
            b"emspace" => self.chr(Some('\u{2003}')),   b"enspace" => self.chr(Some('\u{2002}')),
            b"qmspace" => self.chr(Some('\u{2005}')),   b"bullet" => self.chr(Some('\u{2022}')),
            b"lquote" => self.chr(Some('\u{2018}')),    b"rquote" => self.chr(Some('\u{2019}')),
            b"ldblquote" => self.chr(Some('\u{201C}')), b"rdblquote" => self.chr(Some('\u{201D}')),
            b"zwj" => self.chr(Some('\u{200D}')),       b"zwnj" => self.chr(Some('\u{200C}')),
            b"u" => self.unicode(param, top.uc),
            b"uc" => self.top_mut().uc = usize::try_from(param.unwrap_or(1)).unwrap_or(0),
            b"ansicpg" => self.ansi_cp = param.map_or(0, |n| u16::try_from(n).unwrap_or(0)),
            b"ansi" => self.ansi_cp = 1252,
            b"mac" => self.ansi_cp = 10000,
            b"pc" => self.ansi_cp = 437,
            b"pca" => self.ansi_cp = 850,
            b"fonttbl" => {
                self.set_dest(Dest::Skip);
                self.top_mut().fonttbl = true;
            }
            b"f" if top.fonttbl => self.cur_font = param,
            b"fcharset" if top.fonttbl => {
                if let (Some(font), Some(cp)) = (self.cur_font, param.and_then(charset_code_page)) {
                    self.fonts.insert(font, cp);
                }
            }
            b"f" => self.top_mut().font_cp = param.and_then(|n| self.fonts.get(&n).copied()),
            b"plain" => self.top_mut().font_cp = None,
            _ => {}
        }
    }

    /// `\object`: the group is an object (even in a skipped destination: the objects an
    /// attacker hides are the interesting ones).
    fn object(&mut self, at: u64) {
        let top = self.top();
        if !top.object {
            self.objects.begin(top.start.unwrap_or(at));
            self.top_mut().object = true;
        }
    }

    /// `\objclass` or `\objdata` (`data`): the group's text is the innermost object's class or
    /// data. Data outside any `\object` group makes an object of its own group.
    fn object_part(&mut self, data: bool, at: u64) {
        if data && !self.objects.is_open() {
            self.object(at);
        }
        let open = self.objects.is_open();
        let top = self.top_mut();
        top.dest = match (open, data) {
            (false, _) => Dest::Skip,
            (true, false) => Dest::ObjClass,
            (true, true) => Dest::ObjData,
        };
        top.objdata = data;
    }

    /// `\uN`: one UTF-16 code unit, then `uc` fallback characters are skipped.
    fn unicode(&mut self, param: Option<i32>, uc: usize) {
        let Some(n) = param else { return };
        self.skip = 0;
        if let Some(dest) = self.collecting() {
            let unit = u16::try_from(n.rem_euclid(0x10000)).unwrap_or(0xFFFD);
            self.out.units(dest, &[unit]);
        }
        self.skip = uc;
    }

    /// `\field`: the group is a field, reported unless too deep or in a skipped destination.
    fn field(&mut self, at: u64) {
        let top = self.top();
        if top.dest == Dest::Skip || top.field {
            return;
        }
        if self.fields.len() >= self.limits.max_field_depth {
            if !std::mem::replace(&mut self.warned_fields, true) {
                let max = self.limits.max_field_depth;
                self.warn(|| format!("fields nested deeper than {max} at 0x{at:x}; not reported"));
            }
            self.top_mut().dest = Dest::Skip;
            return;
        }
        self.out.flush();
        self.out.sink.begin(top.start.unwrap_or(at));
        self.fields.push(false);
        let top = self.top_mut();
        top.field = true;
        top.dest = Dest::Body;
    }

    /// `\fldinst`: the group's text is the innermost open field's instruction.
    fn instruction(&mut self, at: u64) {
        if self.top().dest == Dest::Skip {
            return;
        }
        if self.fields.is_empty() {
            self.warn(|| format!("\\fldinst outside any field at 0x{at:x}; not reported"));
            self.set_dest(Dest::Skip);
        } else {
            self.set_dest(Dest::Instr);
        }
    }

    /// `\fldrslt`: the group's text is the innermost open field's result.
    fn result(&mut self) {
        if self.top().dest == Dest::Skip {
            return;
        }
        let Some(separated) = self.fields.last_mut() else {
            return;
        };
        let first = !std::mem::replace(separated, true);
        self.set_dest(Dest::Result);
        if first {
            self.out.flush();
            self.out.sink.separate();
        }
    }
}

#[cfg(test)]
#[path = "rtf_tests.rs"]
mod tests;
