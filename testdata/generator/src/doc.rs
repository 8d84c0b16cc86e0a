//! Legacy Word binary documents (.doc/.dot, [MS-DOC]) for the fixtures: a compound file with a
//! `WordDocument` stream (a Word 97 FIB, then the text) and a `1Table` stream (a Clx: one Prc
//! entry, then the piece table).
//!
//! Pieces are written to the stream in reverse order, so that reading the text needs the piece
//! table (CP order differs from stream order); each piece is 8-bit (`fCompressed`, Latin-1) or
//! UTF-16LE. Field characters are `\u{13}` (begin), `\u{14}` (separator) and `\u{15}` (end).
//! The output is deterministic: `cfb` writes no time for streams, and no storage is created.
//!
//! [MS-DOC]: https://learn.microsoft.com/openspecs/office_file_formats/ms-doc

use std::io::{Cursor, Write};

/// Field begin character.
pub const BEGIN: char = '\u{13}';
/// Field separator character.
pub const SEPARATE: char = '\u{14}';
/// Field end character.
pub const END: char = '\u{15}';

/// `FibBase.wIdent`.
const W_IDENT: u16 = 0xA5EC;
/// `FibBase.nFib` of Word 97.
const NFIB: u16 = 0x00C1;
/// `fDot`: the document is a template.
const F_DOT: u16 = 0x0001;
/// `fComplex`: the document has a complex (piece table) layout.
const F_COMPLEX: u16 = 0x0004;
/// `fWhichTblStm`: the table stream is `1Table`.
const F_WHICH_TBL_STM: u16 = 0x0200;
/// Pairs in `FibRgFcLcb97`.
const FC_LCB_PAIRS: usize = 0x5D;
/// Pair index of `fcClx`.
const CLX_PAIR: usize = 33;
/// Where the text starts in the WordDocument stream.
const TEXT_START: usize = 0x800;
/// The WordDocument stream is padded to this, as Word does (keeps it out of the mini stream).
const MIN_STREAM: usize = 4096;

/// One piece of document text.
#[derive(Debug, Clone, Copy)]
pub struct Piece<'a> {
    /// The text (Latin-1 only when `unicode` is false).
    pub text: &'a str,
    /// UTF-16LE rather than 8-bit.
    pub unicode: bool,
}

/// An 8-bit piece.
pub fn narrow(text: &str) -> Piece<'_> {
    Piece {
        text,
        unicode: false,
    }
}

/// A UTF-16LE piece.
pub fn wide(text: &str) -> Piece<'_> {
    Piece {
        text,
        unicode: true,
    }
}

/// How to build the document.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Set `fDot` (a .dot template).
    pub template: bool,
    /// Write this `fcClx`/`lcbClx` instead of the real ones (a damaged FIB).
    pub clx_override: Option<(u32, u32)>,
    /// Bytes appended after the compound file as free sectors no stream reaches (none when
    /// empty).
    pub orphan: Vec<u8>,
}

fn put_u16(buf: &mut [u8], at: usize, value: u16) {
    buf[at..at + 2].copy_from_slice(&value.to_le_bytes());
}

fn len_u32(len: usize) -> u32 {
    u32::try_from(len).expect("fixture sizes fit in 32 bits")
}

/// The bytes of one piece.
fn encode(piece: &Piece<'_>) -> Vec<u8> {
    if piece.unicode {
        piece
            .text
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect()
    } else {
        piece
            .text
            .chars()
            .map(|c| u8::try_from(u32::from(c)).expect("8-bit pieces hold Latin-1 only"))
            .collect()
    }
}

/// CP count of a piece (UTF-16 code units, or bytes).
fn cp_len(piece: &Piece<'_>) -> u32 {
    if piece.unicode {
        len_u32(piece.text.encode_utf16().count())
    } else {
        len_u32(piece.text.chars().count())
    }
}

/// A Word 97 FIB for a main text of `ccp_text` characters whose Clx is at `fc_clx`.
fn fib(flags: u16, ccp_text: u32, fc_clx: u32, lcb_clx: u32) -> Vec<u8> {
    let mut fib = vec![0u8; 32];
    put_u16(&mut fib, 0, W_IDENT);
    put_u16(&mut fib, 2, NFIB);
    put_u16(&mut fib, 6, 0x0409); // lid: English (US)
    put_u16(&mut fib, 0x0A, flags);
    put_u16(&mut fib, 0x0C, 0x00BF); // nFibBack
    fib.extend(14u16.to_le_bytes()); // csw
    fib.extend([0u8; 28]); // fibRgW
    fib.extend(22u16.to_le_bytes()); // cslw
    let mut rg_lw = [0u32; 22];
    rg_lw[3] = ccp_text;
    fib.extend(rg_lw.iter().flat_map(|v| v.to_le_bytes()));
    fib.extend(len_u32(FC_LCB_PAIRS).to_le_bytes()[..2].iter());
    let mut pairs = vec![0u32; FC_LCB_PAIRS * 2];
    pairs[CLX_PAIR * 2] = fc_clx;
    pairs[CLX_PAIR * 2 + 1] = lcb_clx;
    fib.extend(pairs.iter().flat_map(|v| v.to_le_bytes()));
    fib.extend(0u16.to_le_bytes()); // cswNew
    fib
}

/// A .doc whose text is `pieces` in order (one story: the main document).
pub fn word_doc(pieces: &[Piece<'_>], options: &Options) -> Vec<u8> {
    // Text bytes, pieces in reverse order, each at an even offset.
    let mut text = Vec::new();
    let mut offsets = vec![0usize; pieces.len()];
    for (index, piece) in pieces.iter().enumerate().rev() {
        if text.len() % 2 == 1 {
            text.push(0);
        }
        offsets[index] = TEXT_START + text.len();
        text.extend(encode(piece));
    }

    // The Clx: a Prc with a 2-byte grpprl, then the Pcdt.
    let mut cps = vec![0u32];
    for piece in pieces {
        let last = *cps.last().expect("starts with 0");
        cps.push(last + cp_len(piece));
    }
    let mut plc: Vec<u8> = cps.iter().flat_map(|cp| cp.to_le_bytes()).collect();
    for (piece, &offset) in pieces.iter().zip(&offsets) {
        let fc = if piece.unicode {
            len_u32(offset)
        } else {
            len_u32(offset * 2) | 0x4000_0000
        };
        plc.extend(0u16.to_le_bytes());
        plc.extend(fc.to_le_bytes());
        plc.extend(0u16.to_le_bytes());
    }
    let mut clx = vec![0x01, 0x02, 0x00, 0x08, 0x08];
    clx.push(0x02);
    clx.extend(len_u32(plc.len()).to_le_bytes());
    clx.extend(plc);
    let mut table = vec![0u8; 16]; // stands in for the table stream's other structures
    let fc_clx = len_u32(table.len());
    table.extend(&clx);

    let mut flags = F_COMPLEX | F_WHICH_TBL_STM;
    if options.template {
        flags |= F_DOT;
    }
    let (fc, lcb) = options.clx_override.unwrap_or((fc_clx, len_u32(clx.len())));
    let ccp_text = *cps.last().expect("starts with 0");
    let mut stream = fib(flags, ccp_text, fc, lcb);
    assert!(stream.len() <= TEXT_START, "the FIB fits before the text");
    stream.resize(TEXT_START, 0);
    stream.extend(text);
    stream.resize(stream.len().max(MIN_STREAM), 0);

    let mut file =
        cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))
            .expect("in-memory compound file");
    for (name, data) in [("WordDocument", &stream), ("1Table", &table)] {
        let mut writer = file.create_stream(name).expect("new stream");
        writer.write_all(data).expect("in-memory write");
    }
    file.flush().expect("in-memory flush");
    let mut bytes = file.into_inner().into_inner();
    if !options.orphan.is_empty() {
        let mut sectors = options.orphan.clone();
        sectors.resize(sectors.len().div_ceil(512) * 512, 0);
        bytes.extend(sectors);
    }
    bytes
}

/// UTF-16LE bytes of `text` (for orphaned sectors).
pub fn utf16le_bytes(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// The command of `word-legacy.doc`.
pub const LEGACY_COMMAND: &str = r#"c:\windows\system32\cmd.exe "/c notepad.exe""#;

/// `documents/positive/word-legacy.doc`: a DDEAUTO field whose keyword is split between an
/// 8-bit and a UTF-16 piece, its program name computed by a nested `QUOTE` field; a PAGE field
/// in a third piece.
pub fn word_legacy() -> Vec<u8> {
    let first = format!("Quarterly report\rPlease update the figures below.\r{BEGIN}DDE");
    let second = format!(
        "AUTO c:\\\\windows\\\\system32\\\\{BEGIN}QUOTE 99 109 100 46 101 120 101{SEPARATE}cmd.exe{END} \
         \"/c notepad.exe\"{SEPARATE}Figures{END}\rRegards, Zoë \u{2713} \u{D55C}\u{AD6D}\r"
    );
    let third = format!("Page {BEGIN} PAGE {SEPARATE}1{END}\r");
    word_doc(
        &[narrow(&first), wide(&second), narrow(&third)],
        &Options::default(),
    )
}

/// `documents/positive/word-legacy-padded.dot`: a template whose field starts with 300 spaces
/// (in a UTF-16 piece) before a lowercase `ddeauto` (in an 8-bit piece).
pub fn word_legacy_padded() -> Vec<u8> {
    let first = format!("Letterhead template\r{BEGIN}{}", " ".repeat(300));
    let second =
        format!("ddeauto c:\\\\windows\\\\system32\\\\cmd.exe \"/c whoami\"{SEPARATE}{END}\r");
    word_doc(
        &[wide(&first), narrow(&second)],
        &Options {
            template: true,
            ..Options::default()
        },
    )
}

/// `documents/negative/word-legacy-benign.doc`: HYPERLINK and PAGE fields, and `DDEAUTO` in
/// plain text.
pub fn word_legacy_benign() -> Vec<u8> {
    let first = format!(
        "Field reference\rAttackers type DDEAUTO cmd.exe into field codes; here it is text.\r\
         Visit {BEGIN} HYPERLINK \"https://example.com/dde\" {SEPARATE}example.com{END}.\r"
    );
    let second = format!("Page {BEGIN} PAGE \\* MERGEFORMAT {SEPARATE}1{END} \u{2014} fin\r");
    word_doc(&[narrow(&first), wide(&second)], &Options::default())
}

/// `documents/hostile/word-legacy-bad-fib.doc`: the FIB puts the Clx far past the end of the
/// table stream; the text holds a DDE field in an 8-bit piece and a DDEAUTO field in a UTF-16
/// piece, found by carving the raw stream.
pub fn word_legacy_bad_fib() -> Vec<u8> {
    let first = format!("Damaged\r{BEGIN}DDE cmd.exe \"/c calc.exe\"{SEPARATE}{END}\r");
    let second = format!("{BEGIN}DDEAUTO cmd.exe \"/c notepad.exe\"{END}\r");
    word_doc(
        &[narrow(&first), wide(&second)],
        &Options {
            clx_override: Some((0xFFFF_FF00, 0x1000)),
            ..Options::default()
        },
    )
}

/// `documents/positive/word-legacy-orphan.doc`: a harmless document with a UTF-16 DDEAUTO
/// field in a free sector after the last stream (as a deleted stream leaves behind).
pub fn word_legacy_orphan() -> Vec<u8> {
    let text = "Meeting notes\rNothing to see here.\r";
    let orphan = utf16le_bytes(&format!(
        "{BEGIN} DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe \"/c calc.exe\" {SEPARATE}{END}"
    ));
    word_doc(
        &[narrow(text)],
        &Options {
            orphan,
            ..Options::default()
        },
    )
}
