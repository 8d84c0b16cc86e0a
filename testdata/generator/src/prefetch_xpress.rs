//! An LZXPRESS Huffman encoder ([MS-XCA] 2.2.4), enough to write the `MAM` prefetch files of
//! Windows 10 and later.
//!
//! The encoder emits literals only (no LZ77 matches): a valid stream that decoders read like
//! any other, just larger than Windows would write. The input is cut into blocks of 64 KiB;
//! each block starts with 256 bytes of 4-bit code lengths for the 512 symbols (byte `k` holds
//! symbol `2k` in its low nibble and `2k + 1` in its high nibble), followed by the codes,
//! most significant bit first, packed into 16-bit little-endian words.
//!
//! Two details decide where a decoder looks for the next block's table. A decoder keeps two
//! words ahead of the bits it has used, so each block ends with one word of zero padding after
//! its data. The last block ends with the end-of-stream symbol 256 and one more zero word, so
//! that a decoder stopping at the end of its input has read every code first.
//!
//! Reference: [MS-XCA] 2.2.4, "LZ77+Huffman Compression Algorithm Details",
//! <https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xca/>.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Bytes of output each block decodes to (the last may decode to fewer).
pub const BLOCK_SIZE: usize = 1 << 16;

/// Symbols of the alphabet: 256 literals, then 256 match symbols (256 alone ends the stream).
const SYMBOLS: usize = 512;

/// The end-of-stream symbol.
const END_OF_STREAM: usize = 256;

/// Longest code the 4-bit length table can describe.
pub const MAX_CODE_LENGTH: u8 = 15;

/// Compresses `input` as an LZXPRESS Huffman stream of literals.
///
/// An input that fills its last block exactly (or is empty) gets a final block holding only
/// the end-of-stream symbol.
pub fn compress(input: &[u8]) -> Vec<u8> {
    let mut blocks: Vec<&[u8]> = input.chunks(BLOCK_SIZE).collect();
    if input.len().is_multiple_of(BLOCK_SIZE) {
        blocks.push(&[]);
    }
    let mut out = Vec::with_capacity(input.len() + 256 * blocks.len() + 16);
    let last = blocks.len() - 1;
    for (index, block) in blocks.iter().enumerate() {
        encode_block(block, index == last, &mut out);
    }
    out
}

/// Appends one block: its length table, its codes, and the padding words.
fn encode_block(block: &[u8], last: bool, out: &mut Vec<u8>) {
    let mut freq = [0u64; SYMBOLS];
    for &byte in block {
        freq[usize::from(byte)] += 1;
    }
    if last {
        freq[END_OF_STREAM] += 1;
    }
    // A code needs two symbols at least; give an unused literal a count of one.
    if freq.iter().filter(|&&f| f > 0).count() < 2 {
        let spare = usize::from(freq[0] > 0);
        freq[spare] = 1;
    }
    let lengths = code_lengths(&freq, MAX_CODE_LENGTH);
    for pair in lengths.chunks(2) {
        out.push(pair[0] | (pair[1] << 4));
    }
    let codes = canonical_codes(&lengths);
    let mut bits = BitWriter::default();
    for &byte in block {
        let symbol = usize::from(byte);
        bits.write(codes[symbol], lengths[symbol]);
    }
    if last {
        bits.write(codes[END_OF_STREAM], lengths[END_OF_STREAM]);
    }
    bits.finish(if last { 2 } else { 1 }, out);
}

/// Huffman code lengths for `freq` (zero for unused symbols), none longer than `max`.
///
/// Builds an unrestricted Huffman code; while it is too deep, halves every count (keeping
/// used symbols at one or more) and builds again. Ties are broken by symbol, so the result is
/// the same on every run.
pub fn code_lengths(freq: &[u64], max: u8) -> Vec<u8> {
    let mut counts = freq.to_vec();
    loop {
        let lengths = huffman_lengths(&counts);
        if lengths.iter().all(|&l| l <= max) {
            return lengths;
        }
        for count in counts.iter_mut().filter(|c| **c > 0) {
            *count = (*count / 2).max(1);
        }
    }
}

/// Unrestricted Huffman code lengths (a lone used symbol gets length 1).
fn huffman_lengths(freq: &[u64]) -> Vec<u8> {
    let mut lengths = vec![0u8; freq.len()];
    // Nodes 0..n are the symbols; merged nodes follow. `parent` links each to its parent.
    let mut parent: Vec<usize> = vec![usize::MAX; freq.len()];
    let mut heap: BinaryHeap<Reverse<(u64, usize)>> = freq
        .iter()
        .enumerate()
        .filter(|(_, f)| **f > 0)
        .map(|(symbol, f)| Reverse((*f, symbol)))
        .collect();
    if heap.len() == 1 {
        if let Some(Reverse((_, symbol))) = heap.peek() {
            lengths[*symbol] = 1;
        }
        return lengths;
    }
    while let (Some(Reverse((fa, a))), Some(Reverse((fb, b)))) = (heap.pop(), heap.pop()) {
        let node = parent.len();
        parent.push(usize::MAX);
        parent[a] = node;
        parent[b] = node;
        heap.push(Reverse((fa + fb, node)));
        if heap.len() == 1 {
            break;
        }
    }
    for (symbol, length) in lengths.iter_mut().enumerate() {
        if freq[symbol] == 0 {
            continue;
        }
        let mut depth = 0u8;
        let mut node = symbol;
        while parent[node] != usize::MAX {
            node = parent[node];
            depth = depth.saturating_add(1);
        }
        *length = depth;
    }
    lengths
}

/// Canonical codes for `lengths`, as [MS-XCA] assigns them: shorter codes first, and within a
/// length in symbol order, each code one more than the previous (shifted left when the length
/// grows).
pub fn canonical_codes(lengths: &[u8]) -> Vec<u32> {
    let mut order: Vec<usize> = (0..lengths.len()).filter(|&s| lengths[s] > 0).collect();
    order.sort_by_key(|&s| (lengths[s], s));
    let mut codes = vec![0u32; lengths.len()];
    let mut code = 0u32;
    let mut previous = order.first().map_or(0, |&s| lengths[s]);
    for symbol in order {
        code <<= lengths[symbol] - previous;
        previous = lengths[symbol];
        codes[symbol] = code;
        code += 1;
    }
    codes
}

/// Packs codes most significant bit first into 16-bit little-endian words.
#[derive(Debug, Default)]
struct BitWriter {
    words: Vec<u16>,
    pending: u64,
    pending_bits: u32,
}

impl BitWriter {
    /// Appends the low `length` bits of `code`.
    fn write(&mut self, code: u32, length: u8) {
        let length = u32::from(length);
        self.pending = (self.pending << length) | u64::from(code & ((1 << length) - 1));
        self.pending_bits += length;
        while self.pending_bits >= 16 {
            self.pending_bits -= 16;
            self.words.push((self.pending >> self.pending_bits) as u16);
            self.pending &= (1 << self.pending_bits) - 1;
        }
    }

    /// Pads the last word with zero bits, adds `padding` zero words (a block decodes with
    /// two words read ahead, so at least two words in all), and appends the words to `out`.
    fn finish(mut self, padding: usize, out: &mut Vec<u8>) {
        if self.pending_bits > 0 {
            self.words
                .push((self.pending << (16 - self.pending_bits)) as u16);
        }
        let total = (self.words.len() + padding).max(2);
        self.words.resize(total, 0);
        for word in self.words {
            out.extend_from_slice(&word.to_le_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prose::Rng;

    fn round_trip(input: &[u8]) {
        let stream = compress(input);
        let back = xpress_huffman::decompress(&stream, input.len()).unwrap();
        assert!(back == input, "{} bytes do not round-trip", input.len());
    }

    #[test]
    fn small_inputs_round_trip() {
        round_trip(b"");
        round_trip(b"a");
        round_trip(b"aaaa");
        round_trip(b"SCCA prefetch");
        for len in 0..300 {
            let input: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            round_trip(&input);
        }
    }

    #[test]
    fn block_boundaries_round_trip() {
        for len in [BLOCK_SIZE - 1, BLOCK_SIZE, BLOCK_SIZE + 1, 2 * BLOCK_SIZE] {
            let input: Vec<u8> = (0..len).map(|i| (i % 13) as u8 * 19).collect();
            round_trip(&input);
        }
    }

    #[test]
    fn a_200_kb_input_round_trips() {
        let mut rng = Rng::new(0x5CCA);
        // Text-like bytes with a skewed distribution, then uniformly random bytes.
        let mut input: Vec<u8> = (0..120_000)
            .map(|_| b"eeeettaaoinshrdlu \\.EXE"[rng.below(23)])
            .collect();
        input.extend((0..80_000).map(|_| rng.below(256) as u8));
        assert_eq!(input.len(), 200_000);
        round_trip(&input);
    }

    #[test]
    fn skewed_counts_are_limited_to_15_bits() {
        // Fibonacci counts make an unrestricted Huffman code as deep as there are symbols.
        let mut freq = vec![0u64; SYMBOLS];
        let (mut a, mut b) = (1u64, 1u64);
        for count in freq.iter_mut().take(30) {
            *count = a;
            (a, b) = (b, a + b);
        }
        assert!(huffman_lengths(&freq).iter().any(|&l| l > MAX_CODE_LENGTH));
        let lengths = code_lengths(&freq, MAX_CODE_LENGTH);
        assert!(lengths.iter().all(|&l| l <= MAX_CODE_LENGTH));
        let kraft: f64 = lengths
            .iter()
            .filter(|&&l| l > 0)
            .map(|&l| 0.5f64.powi(i32::from(l)))
            .sum();
        assert!(kraft <= 1.0, "{kraft}");
        // And a stream with such counts still decodes.
        let input: Vec<u8> = freq
            .iter()
            .enumerate()
            .flat_map(|(s, &f)| std::iter::repeat_n(s as u8, f.min(5000) as usize))
            .collect();
        round_trip(&input);
    }

    #[test]
    fn codes_are_canonical() {
        let codes = canonical_codes(&[2, 1, 3, 3, 0]);
        assert_eq!(codes, [0b10, 0b0, 0b110, 0b111, 0]);
    }
}
