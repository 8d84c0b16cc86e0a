//! Delimited text that Excel opens as a sheet (CSV, TSV, TXT): the cells it would evaluate.
//!
//! Excel treats a cell whose text starts with `=`, `+`, `-` or `@` as a formula, so
//! `=cmd|'/c calc'!A0` in a .csv runs a program when the file is opened and links are
//! allowed. This reader decodes the text (see [`super::text`]), guesses the delimiter as Excel's
//! import does (tab for .tsv/.tab/.txt-with-tabs, else the most frequent of `,` `;` tab on the
//! first line), and reports every formula cell that could hold a DDE reference or call.

use std::borrow::Cow;

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
                    let mut formula = formula.into_owned();
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
/// function call); leading spaces and quotes that Excel strips are skipped. Full-width forms are
/// folded first (see [`fold_width`]), so the formula is returned as Excel reads it.
fn formula_cell(cell: &str) -> Option<Cow<'_, str>> {
    let cell = fold_width(cell);
    let start = cell.len()
        - cell
            .trim_start_matches(|c: char| c.is_whitespace() || c == '"')
            .len();
    let trimmed = match cell {
        Cow::Borrowed(text) => Cow::Borrowed(text.get(start..)?),
        Cow::Owned(text) => Cow::Owned(text.get(start..)?.to_owned()),
    };
    let first = trimmed.chars().next()?;
    if !FORMULA_PREFIXES.contains(&first) {
        return None;
    }
    (trimmed.contains('|') || trimmed.contains('(')).then_some(trimmed)
}

/// Folds the full-width forms of ASCII (U+FF01..U+FF5E: `＝`, `｜`, `！`, `＇`, letters and
/// digits) and the ideographic space to ASCII. Excel's formula parser, like the input methods of
/// East Asian locales, reads `＝cmd｜'/c calc'！A0` as `=cmd|'/c calc'!A0`; folding makes the
/// check see what Excel runs instead of a cell that merely looks like text.
fn fold_width(cell: &str) -> Cow<'_, str> {
    let wide = |c: char| matches!(c, '\u{FF01}'..='\u{FF5E}' | '\u{3000}');
    if !cell.contains(wide) {
        return Cow::Borrowed(cell);
    }
    Cow::Owned(
        cell.chars()
            .map(|c| match c {
                '\u{3000}' => ' ',
                '\u{FF01}'..='\u{FF5E}' => {
                    char::from_u32(u32::from(c) - 0xFF01 + 0x21).unwrap_or(c)
                }
                other => other,
            })
            .collect(),
    )
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
    fn full_width_forms_and_leading_quotes_are_read_as_excel_does() {
        let found = formulas(
            "id,a,b\n1,＝cmd｜'/c calc.exe'！A0,\"\"=cmd|'/c x'!A0\n2,\u{3000}＋ＣＭＤ｜'/c y'！A0,text＝a｜b\n"
                .as_bytes(),
            "w.csv",
        );
        assert_eq!(
            found,
            vec![
                ("R2C2".to_owned(), "=cmd|'/c calc.exe'!A0".to_owned()),
                ("R2C3".to_owned(), "=cmd|'/c x'!A0".to_owned()),
                ("R3C2".to_owned(), "+CMD|'/c y'!A0".to_owned()),
            ]
        );
        assert_eq!(fold_width("ａｂ\u{3000}１"), "ab 1");
        assert!(matches!(fold_width("plain"), Cow::Borrowed("plain")));
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
