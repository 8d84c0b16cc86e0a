//! Delimited text (CSV, TSV, plain text tables) and its encodings: UTF-8
//! with or without a byte order mark, and UTF-16LE with a BOM.

/// The UTF-8 byte order mark.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
/// The UTF-16LE byte order mark.
pub const UTF16LE_BOM: &[u8] = b"\xFF\xFE";

/// Quotes a CSV field if it contains the separator, a quote or a line
/// break, doubling inner quotes (RFC 4180).
pub fn quote_field(field: &str, sep: char) -> String {
    if field.contains([sep, '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

/// One record: the fields quoted as needed, joined by `sep`, ending in CRLF.
pub fn record(fields: &[&str], sep: char) -> String {
    let mut line = fields
        .iter()
        .map(|f| quote_field(f, sep))
        .collect::<Vec<_>>()
        .join(&sep.to_string());
    line.push_str("\r\n");
    line
}

/// A whole table: one [`record`] per row.
pub fn table(rows: &[&[&str]], sep: char) -> String {
    rows.iter().map(|r| record(r, sep)).collect()
}

/// `text` in UTF-8 preceded by a byte order mark.
pub fn utf8_with_bom(text: &str) -> Vec<u8> {
    let mut out = UTF8_BOM.to_vec();
    out.extend_from_slice(text.as_bytes());
    out
}

/// `text` in UTF-16LE without a byte order mark.
pub fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// `text` in UTF-16LE preceded by a byte order mark.
pub fn utf16le_with_bom(text: &str) -> Vec<u8> {
    let mut out = UTF16LE_BOM.to_vec();
    out.extend(utf16le(text));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote_field("a,b", ','), "\"a,b\"");
        assert_eq!(quote_field("a\tb", ','), "a\tb");
        assert_eq!(quote_field("say \"hi\"", ','), "\"say \"\"hi\"\"\"");
        assert_eq!(record(&["x", "y,z"], ','), "x,\"y,z\"\r\n");
    }

    #[test]
    fn utf16() {
        assert_eq!(utf16le_with_bom("A="), b"\xFF\xFEA\0=\0");
    }
}
