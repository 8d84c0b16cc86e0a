//! The piece table ([MS-DOC] 2.9.38 Clx, 2.9.177 Pcdt, 2.8.35 PlcPcd, 2.9.73 FcCompressed) and
//! the document text it describes.
//!
//! Word stores text in pieces: each covers a range of character positions (CPs) and points into
//! the WordDocument stream, either as 8-bit text (`fCompressed`: byte offset `fc / 2`, code page
//! 1252 with MS-DOC's own mapping of 0x82-0x9F) or as UTF-16LE. Reading the pieces in CP order
//! gives the text of every story (main document, footnotes, headers, comments, endnotes, text
//! boxes), field characters included.
//!
//! Damaged tables cost only the damaged pieces: a piece with CPs out of order is skipped, one
//! that runs past the stream is cut, and the decoded text is bounded by the stream's length (a
//! hostile table cannot make pieces overlap their way to gigabytes of text).
//!
//! [MS-DOC]: https://learn.microsoft.com/openspecs/office_file_formats/ms-doc

use super::fib::{WordError, read_i16, read_u32};

/// Clx entry types.
const CLXT_PRC: u8 = 0x01;
const CLXT_PCDT: u8 = 0x02;
/// Size of a `Pcd`.
const PCD_LEN: usize = 8;
/// `FcCompressed.fCompressed`.
const F_COMPRESSED: u32 = 0x4000_0000;
/// `FcCompressed.fc`.
const FC_MASK: u32 = 0x3FFF_FFFF;

/// One piece: a range of CPs and where its text lies in the WordDocument stream.
#[derive(Clone, Debug, Eq, PartialEq)]
pub(super) struct Piece {
    /// First CP of the piece.
    pub(super) cp_start: u32,
    /// CP after the piece.
    pub(super) cp_end: u32,
    /// Byte offset of the text in the WordDocument stream.
    pub(super) offset: u32,
    /// 8-bit text (otherwise UTF-16LE).
    pub(super) compressed: bool,
}

impl Piece {
    /// Characters in the piece.
    pub(super) fn chars(&self) -> u32 {
        self.cp_end.saturating_sub(self.cp_start)
    }
}

/// The pieces of a Clx, and caveats about entries that were skipped.
#[derive(Clone, Debug, Default, Eq, PartialEq)]
pub(super) struct PieceTable {
    /// Pieces in CP order.
    pub(super) pieces: Vec<Piece>,
    /// What was odd about the table (hex offsets in the Clx).
    pub(super) warnings: Vec<String>,
}

impl PieceTable {
    /// Reads a Clx: skips the `Prc` entries, then reads the `Pcdt`'s `PlcPcd`.
    pub(super) fn parse(clx: &[u8]) -> Result<PieceTable, WordError> {
        let mut pos = 0usize;
        loop {
            match clx.get(pos) {
                Some(&CLXT_PRC) => {
                    let size = read_i16(clx, pos + 1).ok_or_else(|| {
                        WordError::BadClx(format!("Prc at offset {pos:#x} is truncated"))
                    })?;
                    let size = usize::try_from(size).map_err(|_| {
                        WordError::BadClx(format!(
                            "Prc at offset {pos:#x} has a negative size {size}"
                        ))
                    })?;
                    pos = pos.saturating_add(3).saturating_add(size);
                }
                Some(&CLXT_PCDT) => return Self::parse_pcdt(clx, pos),
                Some(&other) => {
                    return Err(WordError::BadClx(format!(
                        "entry type {other:#04x} at offset {pos:#x} is neither Prc (0x01) nor Pcdt (0x02)"
                    )));
                }
                None => {
                    return Err(WordError::BadClx(format!(
                        "no piece table (Pcdt) in {:#x} bytes",
                        clx.len()
                    )));
                }
            }
        }
    }

    fn parse_pcdt(clx: &[u8], pos: usize) -> Result<PieceTable, WordError> {
        let mut table = PieceTable::default();
        let declared = read_u32(clx, pos + 1)
            .ok_or_else(|| WordError::BadClx(format!("Pcdt at offset {pos:#x} is truncated")))?;
        let start = pos + 5;
        let available = clx.len().saturating_sub(start);
        let declared = usize::try_from(declared).unwrap_or(usize::MAX);
        let lcb = if declared > available {
            table.warnings.push(format!(
                "PlcPcd at offset {start:#x} declares {declared:#x} bytes, only {available:#x} present"
            ));
            available
        } else {
            declared
        };
        // n pieces take (n + 1) CPs of 4 bytes and n Pcds of 8 bytes.
        let count = lcb.saturating_sub(4) / (4 + PCD_LEN);
        if count == 0 {
            return Err(WordError::BadClx(format!(
                "PlcPcd at offset {start:#x} of {lcb:#x} bytes holds no piece"
            )));
        }
        let plc = clx.get(start..start + lcb).unwrap_or_default();
        let pcds = (count + 1) * 4;
        let mut last_end = 0u32;
        for index in 0..count {
            let (Some(cp_start), Some(cp_end), Some(fc)) = (
                read_u32(plc, index * 4),
                read_u32(plc, (index + 1) * 4),
                read_u32(plc, pcds + index * PCD_LEN + 2),
            ) else {
                break;
            };
            if cp_end <= cp_start || cp_start < last_end {
                table.warnings.push(format!(
                    "piece {index} covers CPs {cp_start:#x}..{cp_end:#x} out of order; skipped"
                ));
                continue;
            }
            last_end = cp_end;
            let compressed = fc & F_COMPRESSED != 0;
            let fc = fc & FC_MASK;
            table.pieces.push(Piece {
                cp_start,
                cp_end,
                offset: if compressed { fc / 2 } else { fc },
                compressed,
            });
        }
        Ok(table)
    }
}

/// Text of one piece, as decoded from the WordDocument stream.
#[derive(Clone, Debug, Eq, PartialEq)]
pub(super) struct PieceText {
    /// The characters with their CPs (a surrogate pair is one character for two CPs; invalid
    /// UTF-16 becomes U+FFFD).
    pub(super) text: Vec<(u32, char)>,
    /// Characters the piece declares but the stream does not hold.
    pub(super) missing: u32,
}

/// Decodes `piece` from `stream`, at most `budget` characters.
pub(super) fn decode(stream: &[u8], piece: &Piece, budget: usize) -> PieceText {
    let declared = piece.chars();
    let wanted = usize::try_from(declared).unwrap_or(usize::MAX).min(budget);
    let width = if piece.compressed { 1 } else { 2 };
    let start = usize::try_from(piece.offset).unwrap_or(usize::MAX);
    let bytes = stream.get(start..).unwrap_or_default();
    let bytes = bytes.get(..wanted.saturating_mul(width)).unwrap_or(bytes);
    let mut text = Vec::with_capacity(bytes.len() / width);
    let mut cp = piece.cp_start;
    if piece.compressed {
        for &byte in bytes {
            text.push((cp, cp1252_char(byte)));
            cp = cp.saturating_add(1);
        }
    } else {
        let mut units = crate::formats::text::utf16le_units(bytes).peekable();
        while let Some(unit) = units.next() {
            let here = cp;
            cp = cp.saturating_add(1);
            let c = match char::from_u32(u32::from(unit)) {
                Some(c) => c,
                None => match units.peek().copied() {
                    Some(low @ 0xDC00..=0xDFFF) if (0xD800..0xDC00).contains(&unit) => {
                        units.next();
                        cp = cp.saturating_add(1);
                        let code = 0x10000
                            + ((u32::from(unit) - 0xD800) << 10)
                            + (u32::from(low) - 0xDC00);
                        char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER)
                    }
                    _ => char::REPLACEMENT_CHARACTER,
                },
            };
            text.push((here, c));
        }
    }
    let decoded = u32::try_from(bytes.len() / width).unwrap_or(u32::MAX);
    PieceText {
        text,
        missing: declared.saturating_sub(decoded),
    }
}

/// An 8-bit character of a compressed piece (MS-DOC 2.4.1: code page 1252 for 0x82-0x9F,
/// Latin-1 otherwise).
pub(super) fn cp1252_char(byte: u8) -> char {
    match byte {
        0x82 => '\u{201A}',
        0x83 => '\u{0192}',
        0x84 => '\u{201E}',
        0x85 => '\u{2026}',
        0x86 => '\u{2020}',
        0x87 => '\u{2021}',
        0x88 => '\u{02C6}',
        0x89 => '\u{2030}',
        0x8A => '\u{0160}',
        0x8B => '\u{2039}',
        0x8C => '\u{0152}',
        0x91 => '\u{2018}',
        0x92 => '\u{2019}',
        0x93 => '\u{201C}',
        0x94 => '\u{201D}',
        0x95 => '\u{2022}',
        0x96 => '\u{2013}',
        0x97 => '\u{2014}',
        0x98 => '\u{02DC}',
        0x99 => '\u{2122}',
        0x9A => '\u{0161}',
        0x9B => '\u{203A}',
        0x9C => '\u{0153}',
        0x9F => '\u{0178}',
        other => char::from(other),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
pub(in crate::formats::ole) mod tests {
    use super::*;

    /// A Clx with one Prc entry and a Pcdt of `pieces` (cp_start, cp_end, fc raw).
    pub(in crate::formats::ole) fn clx_bytes(pieces: &[(u32, u32, u32)]) -> Vec<u8> {
        let mut clx = vec![CLXT_PRC, 2, 0, 0xAA, 0xBB];
        let mut plc = Vec::new();
        for (start, _, _) in pieces {
            plc.extend(start.to_le_bytes());
        }
        plc.extend(pieces.last().map_or(0, |p| p.1).to_le_bytes());
        for (_, _, fc) in pieces {
            plc.extend(0u16.to_le_bytes());
            plc.extend(fc.to_le_bytes());
            plc.extend(0u16.to_le_bytes());
        }
        clx.push(CLXT_PCDT);
        clx.extend(u32::try_from(plc.len()).unwrap().to_le_bytes());
        clx.extend(plc);
        clx
    }

    #[test]
    fn reads_compressed_and_unicode_pieces() {
        let clx = clx_bytes(&[(0, 4, 0x4000_0000 | 0x20), (4, 6, 0x40)]);
        let table = PieceTable::parse(&clx).unwrap();
        assert!(table.warnings.is_empty());
        assert_eq!(
            table.pieces,
            [
                Piece {
                    cp_start: 0,
                    cp_end: 4,
                    offset: 0x10,
                    compressed: true
                },
                Piece {
                    cp_start: 4,
                    cp_end: 6,
                    offset: 0x40,
                    compressed: false
                },
            ]
        );
        let mut stream = vec![0u8; 0x44];
        stream[0x10..0x14].copy_from_slice(b"\x13D\x93\xfc");
        stream[0x40..0x44].copy_from_slice(&[0x3C, 0xD5, 0x15, 0x00]);
        let first = decode(&stream, &table.pieces[0], usize::MAX);
        assert_eq!(
            first.text,
            [(0, '\u{13}'), (1, 'D'), (2, '\u{201C}'), (3, 'ü')]
        );
        let second = decode(&stream, &table.pieces[1], usize::MAX);
        assert_eq!(second.text, [(4, '\u{D53C}'), (5, '\u{15}')]);
        assert_eq!(second.missing, 0);
    }

    #[test]
    fn pieces_past_the_stream_are_cut_and_counted() {
        let piece = Piece {
            cp_start: 10,
            cp_end: 0xFFFF_FFFF,
            offset: 2,
            compressed: false,
        };
        let text = decode(&[0, 0, b'a', 0, b'b'], &piece, usize::MAX);
        assert_eq!(text.text, [(10, 'a')]);
        assert_eq!(text.missing, 0xFFFF_FFFF - 10 - 1);
        let beyond = Piece {
            offset: 0xFFFF_FFFF,
            ..piece
        };
        assert!(decode(&[0; 8], &beyond, usize::MAX).text.is_empty());
        let budget = decode(
            b"abcdef",
            &Piece {
                compressed: true,
                offset: 0,
                ..piece
            },
            3,
        );
        assert_eq!(budget.text, [(10, 'a'), (11, 'b'), (12, 'c')]);
    }

    #[test]
    fn hostile_tables_are_errors_or_warnings() {
        assert!(PieceTable::parse(&[]).is_err());
        assert!(PieceTable::parse(&[0x07]).is_err());
        // A Prc with a negative size.
        assert!(PieceTable::parse(&[CLXT_PRC, 0xFF, 0xFF]).is_err());
        // A Prc whose size runs past the end.
        assert!(PieceTable::parse(&[CLXT_PRC, 0xFF, 0x7F]).is_err());
        // A Pcdt too short for one piece.
        assert!(PieceTable::parse(&[CLXT_PCDT, 4, 0, 0, 0, 0, 0, 0, 0]).is_err());
        assert!(PieceTable::parse(&[CLXT_PCDT, 0xFF]).is_err());
        // Declared length larger than present: clamped, with a warning.
        let mut clx = clx_bytes(&[(0, 4, 0)]);
        let lcb_at = 6;
        clx[lcb_at..lcb_at + 4].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
        let table = PieceTable::parse(&clx).unwrap();
        assert_eq!(table.pieces.len(), 1);
        assert_eq!(table.warnings.len(), 1);
        // CPs going backwards are skipped.
        let clx = clx_bytes(&[(0, 8, 0), (8, 3, 0), (3, 9, 0)]);
        let table = PieceTable::parse(&clx).unwrap();
        assert_eq!(table.pieces.len(), 1);
        assert_eq!(table.warnings.len(), 2, "{:?}", table.warnings);
    }

    #[test]
    fn surrogates_take_two_cps() {
        let piece = Piece {
            cp_start: 0,
            cp_end: 4,
            offset: 0,
            compressed: false,
        };
        let bytes = [0x3D, 0xD8, 0x00, 0xDE, 0x00, 0xD8, b'x', 0];
        let text = decode(&bytes, &piece, usize::MAX);
        assert_eq!(text.text, [(0, '\u{1F600}'), (2, '\u{FFFD}'), (3, 'x')]);
        assert_eq!(text.missing, 0);
    }

    #[test]
    fn cp1252_special_range() {
        assert_eq!(cp1252_char(0x80), '\u{80}');
        assert_eq!(cp1252_char(0x96), '\u{2013}');
        assert_eq!(cp1252_char(0xE9), 'é');
        assert_eq!(cp1252_char(b'A'), 'A');
    }
}
