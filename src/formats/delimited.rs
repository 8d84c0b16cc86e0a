//! Delimited text that Excel opens as a sheet (CSV, TSV, TXT): the cells it would evaluate.
//!
//! Excel treats a cell whose text starts with `=`, `+`, `-` or `@` as a formula, so
//! `=cmd|'/c calc'!A0` in a .csv runs a program when the file is opened and links are
//! allowed. This reader decodes the text (see [`super::text`]), guesses the delimiter as Excel's
//! import does (tab for .tsv/.tab/.txt-with-tabs, else the most frequent of `,` `;` tab on the
//! first line), and reports every formula cell that could hold a DDE reference or call.

use super::text::{self, TextEncoding};
use super::{DocumentRecord, DocumentScan, FormatError, Limits, Location, Problem};

/// Characters that make Excel read a cell as a formula.
const FORMULA_PREFIXES: &[char] = &['=', '+', '-', '@'];

/// Reads the formula cells of a delimited text file.
pub fn scan(bytes: &[u8], file_name: &str, limits: &Limits) -> Result<DocumentScan, FormatError> {
    let size = bytes.len() as u64;
    if size > limits.max_text_bytes {
        return Err(FormatError::TooLarge {
            what: "text file",
            actual: size,
            limit: limits.max_text_bytes,
        });
    }
    let decoded = text::decode(bytes);
    let mut scan = DocumentScan {
        format: format_name(file_name),
        ..DocumentScan::default()
    };
    if decoded.had_errors {
        scan.problems.push(Problem {
            part: None,
            message: format!(
                "invalid {} sequences replaced by U+FFFD",
                encoding_name(decoded.encoding)
            ),
            incomplete: false,
        });
    }
    let delimiter = guess_delimiter(&decoded.text, file_name);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(decoded.text.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut row = 0u64;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                row += 1;
                let offset = record.position().map_or(0, csv::Position::byte);
                for (column, cell) in record.iter().enumerate() {
                    let Some(formula) = formula_cell(cell) else {
                        continue;
                    };
                    let mut formula = formula.to_owned();
                    truncate_chars(&mut formula, limits.max_field_chars);
                    scan.records.push(DocumentRecord::Formula {
                        location: Location {
                            part: None,
                            offset: file_offset(offset, decoded.encoding, decoded.prefix_len),
                            cell: Some(format!("R{row}C{}", column + 1)),
                        },
                        formula,
                    });
                }
            }
            Err(err) => {
                scan.problems.push(Problem {
                    part: None,
                    message: format!("delimited text unreadable after row {row}: {err}"),
                    incomplete: true,
                });
                break;
            }
        }
    }
    Ok(scan)
}

/// The cell's formula if Excel would evaluate it and it could hold DDE (a `|` reference or a
/// function call); leading spaces and quotes that Excel strips are skipped.
fn formula_cell(cell: &str) -> Option<&str> {
    let trimmed = cell.trim_start_matches(|c: char| c.is_whitespace() || c == '"');
    let first = trimmed.chars().next()?;
    if !FORMULA_PREFIXES.contains(&first) {
        return None;
    }
    (trimmed.contains('|') || trimmed.contains('(')).then_some(trimmed)
}

fn truncate_chars(text: &mut String, max: usize) {
    if text.len() > max {
        let mut cut = max;
        while cut > 0 && !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
}

/// Maps a byte offset in the decoded text back to the file, approximately for UTF-16 (ASCII
/// text is two bytes per character).
fn file_offset(text_offset: u64, encoding: TextEncoding, prefix_len: usize) -> u64 {
    let scaled = match encoding {
        TextEncoding::Utf16Le | TextEncoding::Utf16Be => text_offset.saturating_mul(2),
        TextEncoding::Utf8 | TextEncoding::Utf8Bom => text_offset,
    };
    scaled.saturating_add(prefix_len as u64)
}

fn encoding_name(encoding: TextEncoding) -> &'static str {
    match encoding {
        TextEncoding::Utf8 | TextEncoding::Utf8Bom => "UTF-8",
        TextEncoding::Utf16Le => "UTF-16LE",
        TextEncoding::Utf16Be => "UTF-16BE",
    }
}

fn format_name(file_name: &str) -> &'static str {
    let lower = file_name.to_ascii_lowercase();
    if lower.ends_with(".tsv") || lower.ends_with(".tab") {
        "tsv"
    } else if lower.ends_with(".csv") {
        "csv"
    } else {
        "txt"
    }
}

/// Picks the delimiter: tab for .tsv/.tab, else the most frequent of `,` `;` tab on the first
/// non-empty line (outside quotes); comma when there is none.
fn guess_delimiter(text: &str, file_name: &str) -> u8 {
    if matches!(format_name(file_name), "tsv") {
        return b'\t';
    }
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut in_quotes = false;
    for c in line.bytes() {
        if c == b'"' {
            in_quotes = !in_quotes;
        } else if !in_quotes {
            for (delimiter, count) in counts.iter_mut() {
                *count += usize::from(c == *delimiter);
            }
        }
    }
    let (best, count) = counts
        .iter()
        .copied()
        .fold((b',', 0), |acc, cur| if cur.1 > acc.1 { cur } else { acc });
    if count == 0 { b',' } else { best }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn formulas(bytes: &[u8], name: &str) -> Vec<(String, String)> {
        let scan = scan(bytes, name, &Limits::default()).unwrap();
        scan.records
            .into_iter()
            .filter_map(|r| match r {
                DocumentRecord::Formula { location, formula } => {
                    Some((location.cell.unwrap_or_default(), formula))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn finds_formula_cells_with_their_position() {
        let found = formulas(
            b"name,amount,note\nalice,10,=cmd|'/c calc.exe'!A0\n",
            "x.csv",
        );
        assert_eq!(
            found,
            vec![("R2C3".to_owned(), "=cmd|'/c calc.exe'!A0".to_owned())]
        );
    }

    #[test]
    fn quoted_cells_and_semicolons() {
        let found = formulas(
            b"a;b\n\"=DDE(\"\"cmd\"\";\"\"/c calc\"\";\"\"x\"\")\";2\n",
            "lo.csv",
        );
        assert_eq!(
            found,
            vec![(
                "R2C1".to_owned(),
                "=DDE(\"cmd\";\"/c calc\";\"x\")".to_owned()
            )]
        );
    }

    #[test]
    fn numbers_and_plain_text_are_not_formulas() {
        assert!(formulas(b"3.14|2!7,-5,+44 20 7946 0000,text cmd|'x'!A0\n", "n.csv").is_empty());
    }

    #[test]
    fn tab_delimited_text() {
        let found = formulas(b"a\tb\n1\t-2+3+cmd|'/c calc.exe'!A0\n", "t.txt");
        assert_eq!(
            found,
            vec![("R2C2".to_owned(), "-2+3+cmd|'/c calc.exe'!A0".to_owned())]
        );
    }

    #[test]
    fn oversized_text_is_refused() {
        let limits = Limits {
            max_text_bytes: 4,
            ..Limits::default()
        };
        assert!(matches!(
            scan(b"12345", "a.csv", &limits),
            Err(FormatError::TooLarge { .. })
        ));
    }
}
