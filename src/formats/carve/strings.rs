//! Carving strings: every occurrence of a set of texts, in ASCII and in UTF-16LE, matched
//! case-insensitively with one Aho-Corasick automaton, with the printable string around it.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use rayon::prelude::*;

use super::chunks;
use crate::formats::FormatError;

/// How a hit's text is encoded in the blob.
#[derive(Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
pub enum TextEncoding {
    /// One byte per character.
    Ascii,
    /// Two bytes per character, little-endian (Windows' own strings).
    Utf16Le,
}

impl TextEncoding {
    /// The name written in rows.
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Ascii => "ascii",
            TextEncoding::Utf16Le => "utf-16le",
        }
    }
}

/// One occurrence of a text.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct StringHit {
    /// Byte offset of the match in the blob (plus the blob's base).
    pub offset: u64,
    /// Which text (its index in the list the carver was built from).
    pub text: usize,
    /// How it is encoded.
    pub encoding: TextEncoding,
    /// The printable string around the match, decoded.
    pub context: String,
}

/// Finds a fixed set of texts in blobs.
#[derive(Clone, Debug)]
pub struct Carver {
    matcher: AhoCorasick,
    /// For each automaton pattern: the text it stands for and its encoding.
    patterns: Vec<(usize, TextEncoding)>,
    /// Longest pattern in bytes, less one: how far a chunk's search runs past its end.
    overlap: usize,
    context_chars: usize,
}

impl Carver {
    /// A carver for `texts` (ASCII; matched case-insensitively), keeping up to `context_chars`
    /// characters of the surrounding string on each side of a hit.
    pub fn new(texts: &[&str], context_chars: usize) -> Result<Carver, FormatError> {
        let mut patterns = Vec::new();
        let mut bytes = Vec::new();
        for (index, text) in texts.iter().enumerate() {
            bytes.push(text.as_bytes().to_vec());
            patterns.push((index, TextEncoding::Ascii));
            bytes.push(text.bytes().flat_map(|b| [b, 0]).collect());
            patterns.push((index, TextEncoding::Utf16Le));
        }
        let matcher = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&bytes)
            .map_err(|err| FormatError::Unreadable {
                what: "carving patterns",
                detail: err.to_string(),
            })?;
        let overlap = bytes.iter().map(Vec::len).max().unwrap_or(1).saturating_sub(1);
        Ok(Carver {
            matcher,
            patterns,
            overlap,
            context_chars,
        })
    }

    /// Every hit in `blob` (whose first byte is at `base`), in offset order, searching
    /// `chunk`-byte pieces in parallel.
    pub fn scan(&self, blob: &[u8], base: u64, chunk: usize) -> Vec<StringHit> {
        let pieces: Vec<(usize, usize)> = chunks(blob.len(), chunk).collect();
        let mut hits: Vec<StringHit> = pieces
            .par_iter()
            .flat_map_iter(|&(start, end)| self.scan_piece(blob, start, end, base))
            .collect();
        hits.sort_by(|a, b| (a.offset, a.text, a.encoding).cmp(&(b.offset, b.text, b.encoding)));
        hits
    }

    /// Hits that start in `blob[start..end]`.
    fn scan_piece(&self, blob: &[u8], start: usize, end: usize, base: u64) -> Vec<StringHit> {
        let stop = end.saturating_add(self.overlap).min(blob.len());
        let Some(haystack) = blob.get(start..stop) else {
            return Vec::new();
        };
        let mut hits = Vec::new();
        for found in self.matcher.find_overlapping_iter(haystack) {
            let at = start + found.start();
            if at >= end {
                continue;
            }
            let Some(&(text, encoding)) = self.patterns.get(found.pattern().as_usize()) else {
                continue;
            };
            let context = match encoding {
                TextEncoding::Ascii => ascii_context(blob, at, start + found.end(), self.context_chars),
                TextEncoding::Utf16Le => {
                    utf16_context(blob, at, start + found.end(), self.context_chars)
                }
            };
            hits.push(StringHit {
                offset: base + at as u64,
                text,
                encoding,
                context,
            });
        }
        hits
    }
}

/// Whether a byte is a printable ASCII character (or a tab) for the purpose of a string.
fn printable(b: u8) -> bool {
    (0x20..=0x7E).contains(&b) || b == b'\t'
}

/// The printable ASCII run around `blob[from..to]`, at most `limit` characters each side.
fn ascii_context(blob: &[u8], from: usize, to: usize, limit: usize) -> String {
    let mut first = from;
    while first > 0 && from - first < limit && printable(blob[first - 1]) {
        first -= 1;
    }
    let mut last = to;
    while last < blob.len() && last - to < limit && printable(blob[last]) {
        last += 1;
    }
    String::from_utf8_lossy(&blob[first..last]).into_owned()
}

/// The printable UTF-16LE run around `blob[from..to]` (code units below 0x100 whose low byte is
/// printable, plus letters beyond Latin-1), at most `limit` characters each side.
fn utf16_context(blob: &[u8], from: usize, to: usize, limit: usize) -> String {
    let unit = |at: usize| -> Option<u16> {
        Some(u16::from_le_bytes([*blob.get(at)?, *blob.get(at + 1)?]))
    };
    let shows = |u: u16| match u {
        0..=0xFF => printable(u as u8),
        0xD800..=0xDFFF | 0xFFFE | 0xFFFF => false,
        _ => true,
    };
    let mut first = from;
    let mut taken = 0;
    while first >= 2 && taken < limit && unit(first - 2).is_some_and(shows) {
        first -= 2;
        taken += 1;
    }
    let mut last = to;
    taken = 0;
    while taken < limit && unit(last).is_some_and(shows) {
        last += 2;
        taken += 1;
    }
    let units: Vec<u16> = blob[first..last.min(blob.len())]
        .chunks_exact(2)
        .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
        .collect();
    String::from_utf16_lossy(&units)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_ascii_and_utf16_hits_across_chunk_borders() {
        let mut blob = vec![0u8; 300];
        blob[10..30].copy_from_slice(b"x DDEAUTO c:\\cmd.exe");
        let wide: Vec<u8> = "EqnEdt32.exe".bytes().flat_map(|b| [b, 0]).collect();
        blob[95..95 + wide.len()].copy_from_slice(&wide);
        let carver = Carver::new(&["DDEAUTO", "EQNEDT32"], 8).unwrap();
        let whole = carver.scan(&blob, 1000, 1 << 20);
        for chunk in [1, 7, 16, 100, 101, 103] {
            assert_eq!(carver.scan(&blob, 1000, chunk), whole, "chunk {chunk}");
        }
        assert_eq!(whole.len(), 2);
        assert_eq!(whole[0].offset, 1012);
        assert_eq!(whole[0].text, 0);
        assert_eq!(whole[0].encoding, TextEncoding::Ascii);
        assert_eq!(whole[0].context, "x DDEAUTO c:\\cmd.");
        assert_eq!(whole[1].offset, 1095);
        assert_eq!(whole[1].encoding, TextEncoding::Utf16Le);
        assert_eq!(whole[1].context, "EqnEdt32.exe");
    }
}
