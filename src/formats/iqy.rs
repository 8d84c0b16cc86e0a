//! Excel web queries (.iqy): the URL Excel fetches when the file is opened.
//!
//! Reference: Microsoft's "Web query file format" (Excel 97 and later). An IQY file is text
//! lines: the query type (`WEB`), its version (`1`), the URL, an optional line of POST
//! parameters, then `Key=Value` options (`Selection=`, `Formatting=`, ...). Opening it makes
//! Excel download the URL and import the response, which attackers use to deliver DDE formulas
//! (`=cmd|' /c ...'!A0` in the downloaded page) past mail filters. The type and version lines
//! are optional for Excel; the URL is the first other non-empty line.

use super::text;
use super::{DocumentRecord, DocumentScan, FormatError, Limits, Location, Problem};

/// Reads the URL of a web query file.
pub fn scan(bytes: &[u8], limits: &Limits) -> Result<DocumentScan, FormatError> {
    let size = bytes.len() as u64;
    if size > limits.max_text_bytes {
        return Err(FormatError::TooLarge {
            what: "web query file",
            actual: size,
            limit: limits.max_text_bytes,
        });
    }
    let decoded = text::decode(bytes);
    let mut scan = DocumentScan {
        format: "iqy",
        ..DocumentScan::default()
    };
    let mut offset = 0usize;
    let mut lines = Vec::new();
    for line in decoded.text.split_inclusive('\n') {
        let trimmed = line.trim();
        if !trimmed.is_empty() {
            let lead = line.len() - line.trim_start().len();
            lines.push((offset + lead, trimmed));
        }
        offset += line.len();
    }
    let mut lines = lines.into_iter().peekable();
    lines.next_if(|(_, line)| line.eq_ignore_ascii_case("WEB"));
    lines.next_if(|(_, line)| line.bytes().all(|b| b.is_ascii_digit()));
    match lines.next() {
        Some((at, url)) if !url.chars().any(char::is_control) => {
            let mut url = url.to_owned();
            if url.len() > limits.max_field_chars {
                let mut cut = limits.max_field_chars;
                while cut > 0 && !url.is_char_boundary(cut) {
                    cut -= 1;
                }
                url.truncate(cut);
            }
            scan.records.push(DocumentRecord::WebQuery {
                location: Location {
                    part: None,
                    offset: file_offset(at, decoded.encoding, decoded.prefix_len),
                    cell: None,
                },
                url,
            });
        }
        _ => scan.problems.push(Problem {
            part: None,
            message: "no URL line found: not a usable web query".to_owned(),
            incomplete: false,
        }),
    }
    Ok(scan)
}

/// Maps an offset in the decoded text back to the file (UTF-16 text: two bytes a character,
/// exact for the ASCII a URL line holds).
fn file_offset(at: usize, encoding: text::TextEncoding, prefix_len: usize) -> u64 {
    let at = at as u64;
    let scaled = match encoding {
        text::TextEncoding::Utf16Le | text::TextEncoding::Utf16Be => at.saturating_mul(2),
        text::TextEncoding::Utf8 | text::TextEncoding::Utf8Bom => at,
    };
    scaled.saturating_add(prefix_len as u64)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn urls(bytes: &[u8]) -> Vec<(String, u64)> {
        scan(bytes, &Limits::default())
            .unwrap()
            .records
            .into_iter()
            .map(|r| match r {
                DocumentRecord::WebQuery { location, url } => (url, location.offset),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn web_version_url_and_post_parameters() {
        let file = b"WEB\r\n1\r\nhttp://198.51.100.9/q.dat\r\nuser=a&id=1\r\n\r\nSelection=EntirePage\r\nFormatting=None\r\n";
        assert_eq!(
            urls(file),
            vec![("http://198.51.100.9/q.dat".to_owned(), 8)]
        );
    }

    #[test]
    fn url_alone_and_utf16() {
        assert_eq!(
            urls(b"\r\n  https://x.test/a\n"),
            vec![("https://x.test/a".to_owned(), 4)]
        );
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(
            "WEB\n1\nhttp://x.test/\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        );
        assert_eq!(urls(&utf16), vec![("http://x.test/".to_owned(), 14)]);
    }

    #[test]
    fn no_url_is_a_caveat() {
        let scan = scan(b"WEB\n1\n", &Limits::default()).unwrap();
        assert!(scan.records.is_empty());
        assert_eq!(scan.problems.len(), 1);
        assert!(!scan.problems[0].incomplete);
    }
}
