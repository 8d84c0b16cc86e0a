//! Base64 (RFC 4648, standard alphabet) as Office writes it in XML: `pkg:binaryData` of flat
//! OPC packages and `w:binData` of Word 2003 XML, wrapped in lines of 76 characters.
//!
//! Whitespace is skipped, padding ends the data, and the output is bounded before anything is
//! allocated, so a huge element costs nothing beyond the bound.

/// Why base64 text could not be decoded.
#[derive(Clone, Debug, Eq, PartialEq)]
pub(super) enum Base64Error {
    /// A character outside the alphabet, at this byte offset of the text.
    InvalidCharacter(usize),
    /// The decoded data would be larger than the bound.
    TooLarge(u64),
}

/// The value of one base64 character, or `None` outside the alphabet.
fn value(c: u8) -> Option<u32> {
    match c {
        b'A'..=b'Z' => Some(u32::from(c - b'A')),
        b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Decodes `text`, refusing data that would decode to more than `max_bytes`.
pub(super) fn decode(text: &str, max_bytes: u64) -> Result<Vec<u8>, Base64Error> {
    let estimate = (text.len() as u64 / 4).saturating_mul(3);
    if estimate > max_bytes.saturating_add(3) {
        return Err(Base64Error::TooLarge(estimate));
    }
    let mut out = Vec::with_capacity(usize::try_from(estimate).unwrap_or(0));
    let mut buffer = 0u32;
    let mut bits = 0u32;
    for (at, c) in text.bytes().enumerate() {
        if c.is_ascii_whitespace() {
            continue;
        }
        if c == b'=' {
            break;
        }
        let v = value(c).ok_or(Base64Error::InvalidCharacter(at))?;
        buffer = (buffer << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xFF) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    if out.len() as u64 > max_bytes {
        return Err(Base64Error::TooLarge(out.len() as u64));
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn decodes_wrapped_text_with_padding() {
        assert_eq!(
            decode("SGVsbG8s\r\n IFdv\ncmxkIQ==", 100).unwrap(),
            b"Hello, World!"
        );
        assert_eq!(decode("YQ==", 100).unwrap(), b"a");
        assert_eq!(decode("YWI=", 100).unwrap(), b"ab");
        assert_eq!(decode("", 100).unwrap(), b"");
    }

    #[test]
    fn refuses_bad_characters_and_oversize() {
        assert_eq!(decode("SGV*", 100), Err(Base64Error::InvalidCharacter(3)));
        assert!(matches!(
            decode("QUFBQUFBQUFB", 4),
            Err(Base64Error::TooLarge(_))
        ));
    }
}
