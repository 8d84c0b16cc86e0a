//! Carving strings: every occurrence of a set of texts, in ASCII and in UTF-16LE, matched
//! case-insensitively with one Aho-Corasick automaton, with the printable string around it.

use std::collections::BTreeMap;

use aho_corasick::{AhoCorasick, Input, MatchKind, Span, packed};
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

/// One distinct string found: a text's hits whose surrounding string is the same.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct CarvedString {
    /// Which text (its index in the list the carver was built from).
    pub text: usize,
    /// How it is encoded.
    pub encoding: TextEncoding,
    /// The printable string around the hits, decoded.
    pub context: String,
    /// How many hits (exact).
    pub count: u64,
    /// Where, in order: the first [`CarveBounds::max_offsets`].
    pub offsets: Vec<u64>,
}

/// Bounds on what a scan keeps, so that a hostile blob (a text repeated millions of times, a
/// signature every few bytes) costs bounded memory.
#[derive(Clone, Copy, Debug)]
pub struct CarveBounds {
    /// Offsets kept per distinct string.
    pub max_offsets: usize,
    /// Distinct strings kept per scan (hits of further strings are counted, not kept).
    pub max_strings: usize,
    /// Signature hits kept per scan.
    pub max_signatures: usize,
}

/// What a scan found.
#[derive(Clone, Debug, Default, Eq, PartialEq)]
pub struct CarveScan {
    /// Distinct strings, by (text, encoding, string).
    pub strings: Vec<CarvedString>,
    /// Text hits, all of them.
    pub hits: u64,
    /// Hits whose string was not kept (over [`CarveBounds::max_strings`]).
    pub hits_dropped: u64,
    /// Signature hits: (signature index, offset), in order.
    pub signatures: Vec<(usize, u64)>,
    /// Signature hits not kept (over [`CarveBounds::max_signatures`]).
    pub signatures_dropped: u64,
}

/// Distinct strings gathered within [`CarveBounds`]: hits of one (text, encoding, string)
/// are counted together with their first offsets; past `max_strings` distinct strings, the
/// hits of new ones are counted as over the bound. Pieces of one scan, and scans of one
/// artifact, are merged through it.
#[derive(Debug, Default)]
pub struct StringGroups {
    /// (text, encoding, string) -> (count, offsets in order).
    grouped: BTreeMap<(usize, TextEncoding, String), (u64, Vec<u64>)>,
    /// Hits of strings not kept.
    over_bound: u64,
}

impl StringGroups {
    /// Adds `count` hits of a string, at `offsets` (in order, after any added before).
    fn add_hits(
        &mut self,
        key: (usize, TextEncoding, String),
        count: u64,
        offsets: impl IntoIterator<Item = u64>,
        bounds: &CarveBounds,
    ) {
        let full = self.grouped.len() >= bounds.max_strings;
        let kept = match self.grouped.get_mut(&key) {
            Some(kept) => kept,
            None if !full => self.grouped.entry(key).or_default(),
            None => {
                self.over_bound += count;
                return;
            }
        };
        kept.0 += count;
        let room = bounds.max_offsets.saturating_sub(kept.1.len());
        kept.1.extend(offsets.into_iter().take(room));
    }

    /// Adds a string found elsewhere (another piece, another scan).
    pub fn add(&mut self, string: CarvedString, bounds: &CarveBounds) {
        let CarvedString {
            text,
            encoding,
            context,
            count,
            offsets,
        } = string;
        self.add_hits((text, encoding, context), count, offsets, bounds);
    }

    /// Hits of strings not kept because the bound on distinct strings was reached.
    pub fn over_bound(&self) -> u64 {
        self.over_bound
    }

    /// The strings, by (text, encoding, string).
    pub fn into_strings(self) -> Vec<CarvedString> {
        self.grouped
            .into_iter()
            .map(
                |((text, encoding, context), (count, offsets))| CarvedString {
                    text,
                    encoding,
                    context,
                    count,
                    offsets,
                },
            )
            .collect()
    }
}

/// What one piece gave: its strings, hits, signatures.
type PieceScan = (StringGroups, u64, Vec<(usize, u64)>);

/// Finds a fixed set of texts in blobs.
///
/// Matching is case-insensitive: each piece is lowercased into a buffer of its own (a pass at
/// memory speed) and searched for the lowercase patterns with the SIMD "Teddy" searcher of the
/// aho-corasick crate, which an automaton built case-insensitively cannot use (it ran at a
/// sixth of the speed). The searcher reports leftmost matches; every pattern is then tried at
/// each match's start and the search resumes one byte on, so overlapping hits are all found.
/// Patterns shorter than three bytes (`|'`) would make Teddy's fingerprints two bytes long and
/// its false candidates many; they are found with memchr on their first byte instead.
#[derive(Clone, Debug)]
pub struct Carver {
    finder: Option<Finder>,
    /// The first bytes of the short patterns, found with memchr.
    short_starts: Vec<u8>,
    /// Lowercase bytes of each pattern, the text it stands for and its encoding.
    patterns: Vec<(Vec<u8>, usize, TextEncoding)>,
    /// Signatures matched exactly (case-sensitively): found in the same pass.
    signatures: Vec<Vec<u8>>,
    /// What a scan keeps.
    bounds: CarveBounds,
    /// Longest pattern in bytes, less one: how far a chunk's search runs past its end.
    overlap: usize,
    context_chars: usize,
}

/// The search for candidate starts: the packed SIMD searcher where the CPU and the pattern set
/// allow it, else an Aho-Corasick automaton (which uses its own prefilters).
#[derive(Clone, Debug)]
enum Finder {
    Packed(packed::Searcher),
    Automaton(AhoCorasick),
}

impl Finder {
    /// The start of the leftmost match at or after `from`.
    fn next_start(&self, haystack: &[u8], from: usize) -> Option<usize> {
        match self {
            Finder::Packed(searcher) => searcher
                .find_in(haystack, Span::from(from..haystack.len()))
                .map(|m| m.start()),
            Finder::Automaton(automaton) => automaton
                .find(Input::new(haystack).span(from..haystack.len()))
                .map(|m| m.start()),
        }
    }
}

impl Carver {
    /// A carver for `texts` (ASCII; matched case-insensitively), keeping up to `context_chars`
    /// characters of the surrounding string on each side of a hit, and for `signatures`
    /// (matched exactly, in the same pass: `ElfChnk\0`).
    pub fn new(
        texts: &[&str],
        context_chars: usize,
        signatures: &[&[u8]],
        bounds: CarveBounds,
    ) -> Result<Carver, FormatError> {
        let mut patterns = Vec::new();
        for (index, text) in texts.iter().enumerate() {
            let lower = text.to_ascii_lowercase();
            if lower.is_empty() {
                continue;
            }
            patterns.push((lower.as_bytes().to_vec(), index, TextEncoding::Ascii));
            let wide = lower.bytes().flat_map(|b| [b, 0]).collect();
            patterns.push((wide, index, TextEncoding::Utf16Le));
        }
        let lowered_signatures: Vec<Vec<u8>> = signatures
            .iter()
            .map(|s| s.to_ascii_lowercase())
            .filter(|s| !s.is_empty())
            .collect();
        let bytes: Vec<&[u8]> = patterns
            .iter()
            .map(|(p, ..)| p.as_slice())
            .chain(lowered_signatures.iter().map(Vec::as_slice))
            .collect();
        let long: Vec<&[u8]> = bytes
            .iter()
            .copied()
            .filter(|p| p.len() >= SHORT_PATTERN)
            .collect();
        let mut short_starts: Vec<u8> = bytes
            .iter()
            .filter(|p| p.len() < SHORT_PATTERN)
            .filter_map(|p| p.first().copied())
            .collect();
        short_starts.sort_unstable();
        short_starts.dedup();
        let finder = if long.is_empty() {
            None
        } else {
            let packed = packed::Config::new()
                .match_kind(packed::MatchKind::LeftmostFirst)
                .builder()
                .extend(&long)
                .build();
            Some(match packed {
                Some(searcher) => Finder::Packed(searcher),
                None => Finder::Automaton(
                    AhoCorasick::builder()
                        .match_kind(MatchKind::LeftmostFirst)
                        .build(&long)
                        .map_err(|err| FormatError::Unreadable {
                            what: "carving patterns",
                            detail: err.to_string(),
                        })?,
                ),
            })
        };
        let overlap = bytes
            .iter()
            .map(|p| p.len())
            .max()
            .unwrap_or(1)
            .saturating_sub(1);
        Ok(Carver {
            finder,
            short_starts,
            patterns,
            signatures: signatures.iter().map(|s| s.to_vec()).collect(),
            bounds,
            overlap,
            context_chars,
        })
    }

    /// The hits in `blob` (whose first byte is at `base`) that start before `owned` (the caller
    /// may pass bytes past the part it owns, so that hits across its end are whole), searching
    /// `chunk`-byte pieces in parallel; `done` is told the size of each piece searched.
    pub fn scan(
        &self,
        blob: &[u8],
        base: u64,
        owned: usize,
        chunk: usize,
        done: &(dyn Fn(usize) + Sync),
    ) -> CarveScan {
        let owned = owned.min(blob.len());
        let pieces: Vec<(usize, usize)> = chunks(owned, chunk).collect();
        let parts: Vec<PieceScan> = pieces
            .par_iter()
            .map_init(Vec::new, |lowered, &(start, end)| {
                let part = self.scan_piece(blob, start, end, base, lowered);
                done(end - start);
                part
            })
            .collect();
        // Pieces are in order, so offsets stay in order when they are merged.
        let mut groups = StringGroups::default();
        let mut scan = CarveScan::default();
        for (piece_groups, hits, signatures) in parts {
            scan.hits += hits;
            groups.over_bound += piece_groups.over_bound;
            for string in piece_groups.into_strings() {
                groups.add(string, &self.bounds);
            }
            let room = self
                .bounds
                .max_signatures
                .saturating_sub(scan.signatures.len());
            scan.signatures_dropped += signatures.len().saturating_sub(room) as u64;
            scan.signatures.extend(signatures.into_iter().take(room));
        }
        scan.hits_dropped = groups.over_bound();
        scan.strings = groups.into_strings();
        scan.signatures.sort_unstable();
        scan
    }

    /// Hits that start in `blob[start..end]`; `lowered` is the worker's buffer.
    fn scan_piece(
        &self,
        blob: &[u8],
        start: usize,
        end: usize,
        base: u64,
        lowered: &mut Vec<u8>,
    ) -> PieceScan {
        let stop = end.saturating_add(self.overlap).min(blob.len());
        let Some(piece) = blob.get(start..stop) else {
            return (StringGroups::default(), 0, Vec::new());
        };
        lowered.resize(piece.len(), 0);
        // Branch-free, so that it compiles to SIMD: 'A'..='Z' gain 0x20.
        for (out, &byte) in lowered.iter_mut().zip(piece) {
            *out = byte | (u8::from(byte.wrapping_sub(b'A') < 26) << 5);
        }
        let mut groups = StringGroups::default();
        let mut hits = 0u64;
        let mut starts = Vec::new();
        if let Some(finder) = &self.finder {
            let mut from = 0;
            while let Some(at) = finder.next_start(lowered, from) {
                if start + at >= end {
                    break;
                }
                starts.push(at);
                from = at + 1;
            }
        }
        for &first in &self.short_starts {
            starts.extend(memchr::memchr_iter(first, lowered).take_while(|&at| start + at < end));
        }
        starts.sort_unstable();
        starts.dedup();
        let mut signatures = Vec::new();
        for at in starts {
            for (index, signature) in self.signatures.iter().enumerate() {
                if piece
                    .get(at..)
                    .is_some_and(|rest| rest.starts_with(signature))
                {
                    signatures.push((index, base + (start + at) as u64));
                }
            }
            for (pattern, text, encoding) in &self.patterns {
                if !lowered
                    .get(at..)
                    .is_some_and(|rest| rest.starts_with(pattern))
                {
                    continue;
                }
                let (from_byte, to_byte) = (start + at, start + at + pattern.len());
                let context = match encoding {
                    TextEncoding::Ascii => {
                        ascii_context(blob, from_byte, to_byte, self.context_chars)
                    }
                    TextEncoding::Utf16Le => {
                        utf16_context(blob, from_byte, to_byte, self.context_chars)
                    }
                };
                hits += 1;
                groups.add_hits(
                    (*text, *encoding, context),
                    1,
                    [base + from_byte as u64],
                    &self.bounds,
                );
            }
        }
        signatures.truncate(self.bounds.max_signatures);
        (groups, hits, signatures)
    }
}

/// Patterns shorter than this many bytes are found with memchr rather than Teddy.
const SHORT_PATTERN: usize = 3;

/// Whether a byte is a printable ASCII character (or a tab) for the purpose of a string.
fn printable(b: u8) -> bool {
    (0x20..=0x7E).contains(&b) || b == b'\t'
}

/// The printable ASCII run around `blob[from..to]`, at most `limit` characters each side.
fn ascii_context(blob: &[u8], from: usize, to: usize, limit: usize) -> String {
    let shows = |at: usize| blob.get(at).copied().is_some_and(printable);
    let mut first = from;
    while first > 0 && from - first < limit && shows(first - 1) {
        first -= 1;
    }
    let mut last = to;
    while last - to < limit && shows(last) {
        last += 1;
    }
    String::from_utf8_lossy(blob.get(first..last).unwrap_or_default()).into_owned()
}

/// The printable UTF-16LE run around `blob[from..to]` (Latin, Greek, Cyrillic and punctuation
/// code units), at most `limit` characters each side.
fn utf16_context(blob: &[u8], from: usize, to: usize, limit: usize) -> String {
    let unit = |at: usize| -> Option<u16> {
        Some(u16::from_le_bytes([*blob.get(at)?, *blob.get(at + 1)?]))
    };
    // Printable Latin-1, Latin Extended, Greek and Cyrillic, and general punctuation: the
    // scripts of Windows paths and command lines. Wider ranges would let random bytes in
    // (any two bytes are a CJK character); strings in other scripts are cut at the hit.
    let shows = |u: u16| match u {
        0..=0x7F => printable(u as u8),
        0xA0..=0x24F | 0x370..=0x52F | 0x2010..=0x205E => true,
        _ => false,
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
    let units: Vec<u16> = blob
        .get(first..last)
        .unwrap_or_default()
        .chunks_exact(2)
        .filter_map(|pair| Some(u16::from_le_bytes(pair.try_into().ok()?)))
        .collect();
    String::from_utf16_lossy(&units)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used)]
mod tests {
    use super::*;

    const BOUNDS: CarveBounds = CarveBounds {
        max_offsets: 10,
        max_strings: 100,
        max_signatures: 100,
    };

    #[test]
    fn finds_ascii_and_utf16_hits_across_chunk_borders() {
        let mut blob = vec![0u8; 300];
        blob[10..30].copy_from_slice(b"x DDEAUTO c:\\cmd.exe");
        let wide: Vec<u8> = "EqnEdt32.exe".bytes().flat_map(|b| [b, 0]).collect();
        blob[95..95 + wide.len()].copy_from_slice(&wide);
        blob[200..212].copy_from_slice(b"=a|'b'!A0 ok");
        blob[250..258].copy_from_slice(b"ElfChnk\0");
        blob[270..278].copy_from_slice(b"ELFCHNK\0");
        let carver =
            Carver::new(&["DDEAUTO", "EQNEDT32", "|'"], 8, &[b"ElfChnk\0"], BOUNDS).unwrap();
        let scan = carver.scan(&blob, 1000, blob.len(), 1 << 20, &|_| {});
        for chunk in [1, 7, 16, 100, 101, 103, 251] {
            let searched = std::sync::atomic::AtomicUsize::new(0);
            let count = |n| {
                searched.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
            };
            assert_eq!(
                carver.scan(&blob, 1000, blob.len(), chunk, &count),
                scan,
                "chunk {chunk}"
            );
            assert_eq!(searched.into_inner(), blob.len());
        }
        // The signature is matched exactly: its upper-case twin is not it.
        assert_eq!(scan.signatures, [(0, 1250)]);
        assert_eq!(scan.hits, 3);
        let found: Vec<(usize, TextEncoding, &str, Vec<u64>)> = scan
            .strings
            .iter()
            .map(|s| (s.text, s.encoding, s.context.as_str(), s.offsets.clone()))
            .collect();
        assert_eq!(
            found,
            [
                (0, TextEncoding::Ascii, "x DDEAUTO c:\\cmd.", vec![1012]),
                (1, TextEncoding::Utf16Le, "EqnEdt32.exe", vec![1095]),
                (2, TextEncoding::Ascii, "=a|'b'!A0 ok", vec![1202]),
            ]
        );
        // Only what starts before `owned` is kept (the wide EQNEDT32 at 95 runs past 100).
        let owned = carver.scan(&blob, 1000, 96, 7, &|_| {});
        assert_eq!(owned.hits, 2);
        let owned = carver.scan(&blob, 1000, 95, 7, &|_| {});
        assert_eq!(owned.hits, 1);
    }

    #[test]
    fn a_flood_costs_bounded_memory() {
        let blob = b"|'".repeat(50_000);
        let carver = Carver::new(&["|'"], 4, &[], BOUNDS).unwrap();
        let scan = carver.scan(&blob, 0, blob.len(), 4096, &|_| {});
        assert_eq!(scan.hits, 50_000);
        // A few strings (every window inside the flood reads the same; its two ends differ),
        // at most ten offsets each, the count exact.
        assert!(scan.strings.len() <= 5, "{}", scan.strings.len());
        assert_eq!(scan.strings.iter().map(|s| s.count).sum::<u64>(), 50_000);
        assert!(scan.strings.iter().all(|s| s.offsets.len() <= 10));
    }
}
