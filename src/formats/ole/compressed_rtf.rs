//! Compressed RTF ([MS-OXRTFCP]): the form in which Outlook stores a message's RTF body
//! (PidTagRtfCompressed). A 16-byte header (COMPSIZE, RAWSIZE, COMPTYPE, CRC) precedes either
//! LZFu-compressed data (COMPTYPE `LZFu`: a 4096-byte ring dictionary preloaded with 207 bytes of
//! common RTF, control bytes whose bits choose literal bytes or 2-byte dictionary references) or
//! the RTF as it is (COMPTYPE `MELA`).
//!
//! The LZFu decompression itself is the `compressed-rtf` crate, Microsoft's implementation of
//! this specification (tested there on the specification's examples). This file guards it: the
//! crate slices the input without bounds checks (a header shorter than 16 bytes, or a `MELA` body
//! shorter than RAWSIZE, would panic) and preallocates RAWSIZE bytes, so the header is checked
//! here first, and the output is bounded before anything is decompressed.
//!
//! [MS-OXRTFCP]: https://learn.microsoft.com/openspecs/exchange_server_protocols/ms-oxrtfcp

/// Length of the header (COMPSIZE, RAWSIZE, COMPTYPE, CRC).
const HEADER_LEN: usize = 16;
/// COMPTYPE of LZFu-compressed data (`LZFu`).
const LZFU: u32 = 0x7546_5A4C;
/// COMPTYPE of uncompressed data (`MELA`).
const MELA: u32 = 0x414C_454D;
/// Most output bytes one input byte can produce: a control byte and eight 2-byte references of
/// 17 bytes each (17 input bytes) give 136 output bytes.
const MAX_EXPANSION: u64 = 8;

/// The RTF of a PidTagRtfCompressed value.
#[derive(Clone, Debug, Eq, PartialEq)]
pub(super) struct Decompressed {
    /// The RTF bytes (up to the first NUL, at most RAWSIZE bytes).
    pub rtf: Vec<u8>,
    /// Something odd that did not stop the decompression (trailing bytes, a short body).
    pub caveat: Option<String>,
}

/// Decompresses a PidTagRtfCompressed value, refusing output over `max_out` bytes.
///
/// Errors (a damaged header, a CRC mismatch, a body that could expand past `max_out`) are
/// messages with offsets and sizes in hex.
pub(super) fn decompress(data: &[u8], max_out: u64) -> Result<Decompressed, String> {
    let field = |at: usize| -> Option<u32> {
        Some(u32::from_le_bytes(data.get(at..at + 4)?.try_into().ok()?))
    };
    let (Some(comp_size), Some(raw_size), Some(comp_type)) = (field(0), field(4), field(8)) else {
        return Err(format!(
            "header of 0x{:x} bytes, 0x{HEADER_LEN:x} needed",
            data.len()
        ));
    };
    if u64::from(raw_size) > max_out {
        return Err(format!(
            "RAWSIZE of 0x{raw_size:x} bytes is over the limit of 0x{max_out:x} bytes"
        ));
    }
    let raw_len = usize::try_from(raw_size).unwrap_or(usize::MAX);
    let body = data.get(HEADER_LEN..).unwrap_or_default();
    match comp_type {
        MELA => {
            let rtf = body.get(..raw_len).unwrap_or(body);
            let caveat = (rtf.len() < raw_len).then(|| {
                format!(
                    "uncompressed body of 0x{:x} bytes, RAWSIZE declares 0x{raw_size:x}",
                    rtf.len()
                )
            });
            let end = rtf.iter().position(|&b| b == 0).unwrap_or(rtf.len());
            Ok(Decompressed {
                rtf: rtf.get(..end).unwrap_or(rtf).to_vec(),
                caveat,
            })
        }
        LZFU => {
            // COMPSIZE counts the bytes after itself.
            let declared = usize::try_from(comp_size)
                .ok()
                .and_then(|n| n.checked_add(4))
                .unwrap_or(usize::MAX);
            let Some(whole) = data.get(..declared) else {
                return Err(format!(
                    "truncated: COMPSIZE declares 0x{declared:x} bytes, 0x{:x} present",
                    data.len()
                ));
            };
            if whole.len() < HEADER_LEN {
                return Err(format!(
                    "COMPSIZE of 0x{comp_size:x} is shorter than the header"
                ));
            }
            let input = (whole.len() - HEADER_LEN) as u64;
            if input.saturating_mul(MAX_EXPANSION) > max_out {
                return Err(format!(
                    "0x{input:x} compressed bytes could expand past the limit of 0x{max_out:x} bytes"
                ));
            }
            let text =
                compressed_rtf::decompress_rtf(whole).map_err(|err| format!("LZFu: {err}"))?;
            // The crate returns each byte as the character of the same number.
            let mut rtf: Vec<u8> = text
                .chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                .collect();
            rtf.truncate(raw_len);
            let caveat = (data.len() > declared).then(|| {
                format!(
                    "0x{:x} bytes after COMPSIZE's end ignored",
                    data.len() - declared
                )
            });
            Ok(Decompressed { rtf, caveat })
        }
        other => Err(format!("COMPTYPE 0x{other:08x} is neither LZFu nor MELA")),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    /// [MS-OXRTFCP] 4.1.1, Example 1: Simple Compressed RTF.
    const EXAMPLE_1: &[u8] = &[
        0x2d, 0x00, 0x00, 0x00, 0x2b, 0x00, 0x00, 0x00, 0x4c, 0x5a, 0x46, 0x75, 0xf1, 0xc5, 0xc7,
        0xa7, 0x03, 0x00, 0x0a, 0x00, 0x72, 0x63, 0x70, 0x67, 0x31, 0x32, 0x35, 0x42, 0x32, 0x0a,
        0xf3, 0x20, 0x68, 0x65, 0x6c, 0x09, 0x00, 0x20, 0x62, 0x77, 0x05, 0xb0, 0x6c, 0x64, 0x7d,
        0x0a, 0x80, 0x0f, 0xa0,
    ];

    /// [MS-OXRTFCP] 4.1.2, Example 2: a dictionary reference that crosses the write position.
    const EXAMPLE_2: &[u8] = &[
        0x1a, 0x00, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00, 0x4c, 0x5a, 0x46, 0x75, 0xe2, 0xd4, 0x4b,
        0x51, 0x41, 0x00, 0x04, 0x20, 0x57, 0x58, 0x59, 0x5a, 0x0d, 0x6e, 0x7d, 0x01, 0x0e, 0xb0,
    ];

    const LIMIT: u64 = 1 << 20;

    fn mela(rtf: &[u8], raw_size: u32) -> Vec<u8> {
        let mut bytes = Vec::new();
        bytes.extend((rtf.len() as u32 + 12).to_le_bytes());
        bytes.extend(raw_size.to_le_bytes());
        bytes.extend(b"MELA");
        bytes.extend(0u32.to_le_bytes());
        bytes.extend(rtf);
        bytes
    }

    #[test]
    fn decompresses_the_specification_examples() {
        let one = decompress(EXAMPLE_1, LIMIT).unwrap();
        assert_eq!(
            one.rtf,
            b"{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n".to_vec()
        );
        assert_eq!(one.caveat, None);
        let two = decompress(EXAMPLE_2, LIMIT).unwrap();
        assert_eq!(two.rtf, b"{\\rtf1 WXYZWXYZWXYZWXYZWXYZ}".to_vec());
    }

    #[test]
    fn reads_uncompressed_bodies() {
        let body = decompress(&mela(b"{\\rtf1 x}", 9), LIMIT).unwrap();
        assert_eq!(body.rtf, b"{\\rtf1 x}".to_vec());
        assert_eq!(body.caveat, None);
        let short = decompress(&mela(b"{\\rtf1 x}", 100), LIMIT).unwrap();
        assert_eq!(short.rtf, b"{\\rtf1 x}".to_vec());
        assert_eq!(
            short.caveat.as_deref(),
            Some("uncompressed body of 0x9 bytes, RAWSIZE declares 0x64")
        );
    }

    #[test]
    fn refuses_damaged_headers_without_panicking() {
        assert_eq!(
            decompress(&EXAMPLE_1[..10], LIMIT).unwrap_err(),
            "header of 0xa bytes, 0x10 needed"
        );
        assert_eq!(
            decompress(&EXAMPLE_1[..40], LIMIT).unwrap_err(),
            "truncated: COMPSIZE declares 0x31 bytes, 0x28 present"
        );
        let mut bad_crc = EXAMPLE_1.to_vec();
        bad_crc[20] ^= 1;
        assert!(
            decompress(&bad_crc, LIMIT)
                .unwrap_err()
                .starts_with("LZFu: COMPRESSED CRC mismatch")
        );
        let mut bad_type = EXAMPLE_1.to_vec();
        bad_type[8..12].copy_from_slice(b"ABCD");
        assert_eq!(
            decompress(&bad_type, LIMIT).unwrap_err(),
            "COMPTYPE 0x44434241 is neither LZFu nor MELA"
        );
        let mut tiny = EXAMPLE_1.to_vec();
        tiny[0..4].copy_from_slice(&4u32.to_le_bytes());
        assert_eq!(
            decompress(&tiny, LIMIT).unwrap_err(),
            "COMPSIZE of 0x4 is shorter than the header"
        );
    }

    #[test]
    fn bounds_the_output() {
        assert_eq!(
            decompress(&mela(b"x", u32::MAX), LIMIT).unwrap_err(),
            "RAWSIZE of 0xffffffff bytes is over the limit of 0x100000 bytes"
        );
        assert_eq!(
            decompress(EXAMPLE_1, 100).unwrap_err(),
            "0x21 compressed bytes could expand past the limit of 0x64 bytes"
        );
    }

    #[test]
    fn tolerates_trailing_bytes() {
        let mut padded = EXAMPLE_2.to_vec();
        padded.extend([0, 0, 0]);
        let body = decompress(&padded, LIMIT).unwrap();
        assert_eq!(body.rtf, b"{\\rtf1 WXYZWXYZWXYZWXYZWXYZ}".to_vec());
        assert_eq!(
            body.caveat.as_deref(),
            Some("0x3 bytes after COMPSIZE's end ignored")
        );
    }
}
