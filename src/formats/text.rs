//! Decoding text files whose encoding nobody declared: UTF-8 (with or without BOM) and UTF-16
//! (by BOM, or by the zero bytes ASCII text leaves in UTF-16LE/BE).
//!
//! Invalid sequences become U+FFFD and are counted, so a file salted with bad bytes still yields
//! the text around them.

use std::borrow::Cow;

/// The encoding a text was read with.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum TextEncoding {
    /// UTF-8, no BOM.
    Utf8,
    /// UTF-8 with a byte order mark.
    Utf8Bom,
    /// UTF-16 little endian (BOM or detected).
    Utf16Le,
    /// UTF-16 big endian (BOM or detected).
    Utf16Be,
}

/// Decoded text.
#[derive(Clone, Debug)]
pub struct DecodedText<'a> {
    /// The text, borrowed from the input where it was valid UTF-8.
    pub text: Cow<'a, str>,
    /// The encoding used.
    pub encoding: TextEncoding,
    /// Whether invalid sequences were replaced.
    pub had_errors: bool,
    /// Bytes before the text (the BOM), to turn text offsets back into file offsets.
    pub prefix_len: usize,
}

/// Decodes `bytes` as text.
pub fn decode(bytes: &[u8]) -> DecodedText<'_> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return utf8(rest, TextEncoding::Utf8Bom, 3);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, encoding_rs::UTF_16LE, TextEncoding::Utf16Le, 2);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, encoding_rs::UTF_16BE, TextEncoding::Utf16Be, 2);
    }
    match sniff_utf16(bytes) {
        Some(TextEncoding::Utf16Le) => {
            utf16(bytes, encoding_rs::UTF_16LE, TextEncoding::Utf16Le, 0)
        }
        Some(_) => utf16(bytes, encoding_rs::UTF_16BE, TextEncoding::Utf16Be, 0),
        None => utf8(bytes, TextEncoding::Utf8, 0),
    }
}

fn utf8(bytes: &[u8], encoding: TextEncoding, prefix_len: usize) -> DecodedText<'_> {
    // The validating conversion is much faster than the lossy one on valid input.
    let (text, had_errors) = match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), false),
        Err(_) => (String::from_utf8_lossy(bytes), true),
    };
    DecodedText {
        text,
        encoding,
        had_errors,
        prefix_len,
    }
}

fn utf16(
    bytes: &[u8],
    codec: &'static encoding_rs::Encoding,
    encoding: TextEncoding,
    prefix_len: usize,
) -> DecodedText<'static> {
    let (text, had_errors) = codec.decode_without_bom_handling(bytes);
    DecodedText {
        text: Cow::Owned(text.into_owned()),
        encoding,
        had_errors,
        prefix_len,
    }
}

/// The UTF-16LE code units of `bytes` (a trailing odd byte is ignored).
pub fn utf16le_units(bytes: &[u8]) -> impl Iterator<Item = u16> + '_ {
    bytes.chunks_exact(2).map(|pair| {
        u16::from_le_bytes([
            pair.first().copied().unwrap_or(0),
            pair.get(1).copied().unwrap_or(0),
        ])
    })
}

/// `bytes` decoded as UTF-16LE, unpaired surrogates replaced by U+FFFD.
pub fn utf16le_lossy(bytes: &[u8]) -> String {
    char::decode_utf16(utf16le_units(bytes))
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// Guesses UTF-16 without a BOM: in mostly-ASCII UTF-16 text, one byte of each pair is zero.
fn sniff_utf16(bytes: &[u8]) -> Option<TextEncoding> {
    let sample = bytes.get(..bytes.len().min(4096)).unwrap_or(bytes);
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return None;
    }
    let (mut even_zero, mut odd_zero) = (0usize, 0usize);
    for pair in sample.chunks_exact(2) {
        if let [a, b] = pair {
            even_zero += usize::from(*a == 0);
            odd_zero += usize::from(*b == 0);
        }
    }
    // Text in UTF-8 has no NUL bytes; require most pairs to have a zero on one side only.
    if odd_zero * 10 >= pairs * 7 && even_zero * 10 <= pairs {
        Some(TextEncoding::Utf16Le)
    } else if even_zero * 10 >= pairs * 7 && odd_zero * 10 <= pairs {
        Some(TextEncoding::Utf16Be)
    } else {
        None
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn utf16le(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    #[test]
    fn detects_boms() {
        assert_eq!(decode(b"\xEF\xBB\xBF=a").encoding, TextEncoding::Utf8Bom);
        assert_eq!(decode(b"\xEF\xBB\xBF=a").text, "=a");
        let mut le = vec![0xFF, 0xFE];
        le.extend(utf16le("=cmd|'x'!A"));
        let decoded = decode(&le);
        assert_eq!(decoded.encoding, TextEncoding::Utf16Le);
        assert_eq!(decoded.text, "=cmd|'x'!A");
    }

    #[test]
    fn sniffs_utf16_without_bom() {
        let bytes = utf16le("name,value\r\nx,=cmd|'/c calc'!A0");
        let decoded = decode(&bytes);
        assert_eq!(decoded.encoding, TextEncoding::Utf16Le);
        assert_eq!(decoded.text, "name,value\r\nx,=cmd|'/c calc'!A0");
    }

    #[test]
    fn invalid_sequences_are_replaced_and_counted() {
        let decoded = decode(b"=cmd|'/c calc'!A0\xFF\xFE");
        assert!(decoded.had_errors);
        assert!(decoded.text.starts_with("=cmd|'/c calc'!A0"));
        let mut le = vec![0xFF, 0xFE];
        le.extend(utf16le("=x"));
        le.extend([0x00, 0xD8, b'x', 0, 7]);
        let decoded = decode(&le);
        assert!(decoded.had_errors);
        assert!(decoded.text.starts_with("=x\u{FFFD}x"));
    }
}
