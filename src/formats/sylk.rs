//! SYLK (Symbolic Link) spreadsheets: the cell formulas Excel evaluates when it opens one.
//!
//! Reference: the SYLK format as Excel reads it (Microsoft's "SYLK file format" notes, and the
//! `sylk.txt` description that ships with Multiplan). A file is lines of records; a record is
//! fields separated by `;` (a literal `;` is written `;;`), the first field naming the record
//! type. It starts with `ID;P...`; `C` records are cells: `X` column and `Y` row (1-based, each
//! carried over from the previous record when absent), `K` the value and `E` the formula,
//! without `=` and in R1C1 notation (`C;Y1;X1;K0;Ecmd|' /C calc'!A0`). `NN` records define
//! names whose `E` field is a formula too. Excel evaluates all of them on open, so a DDE
//! reference in any is a command run.
//!
//! SYLK is 7-bit text in practice; bytes that are not UTF-8 are read as Windows-1252 (the ANSI
//! code page Excel uses for it).

use std::borrow::Cow;

use super::formula::a1_reference;
use super::{DocumentRecord, DocumentScan, FormatError, Limits, Location};

/// Reads the formulas of a SYLK file.
pub fn scan(bytes: &[u8], limits: &Limits) -> Result<DocumentScan, FormatError> {
    let size = bytes.len() as u64;
    if size > limits.max_text_bytes {
        return Err(FormatError::TooLarge {
            what: "SYLK file",
            actual: size,
            limit: limits.max_text_bytes,
        });
    }
    let utf8 = std::str::from_utf8(bytes).is_ok();
    let mut lines = lines(bytes).filter(|(_, line)| !line.is_empty());
    let is_sylk = lines
        .next()
        .is_some_and(|(_, line)| line.get(..2).is_some_and(|t| t.eq_ignore_ascii_case(b"ID")));
    if !is_sylk {
        return Err(FormatError::NotApplicable(
            "no ID record at the start: not a SYLK file".to_owned(),
        ));
    }
    let mut scan = DocumentScan {
        format: "sylk",
        ..DocumentScan::default()
    };
    let (mut row, mut column) = (0u32, 0u32);
    for (offset, line) in lines {
        let text = decode_line(line, utf8);
        let fields = fields(&text);
        let Some(kind) = fields.first() else {
            continue;
        };
        match kind.as_str() {
            "C" => {
                let mut formula = None;
                for field in fields.iter().skip(1) {
                    let (tag, value) = split_tag(field);
                    match tag {
                        'X' => column = value.trim().parse().unwrap_or(column),
                        'Y' => row = value.trim().parse().unwrap_or(row),
                        'E' => formula = Some(value),
                        _ => {}
                    }
                }
                if let Some(formula) = formula {
                    push_formula(
                        &mut scan,
                        formula,
                        offset,
                        a1_reference(row, column),
                        limits,
                    );
                }
            }
            "NN" => {
                let tagged = |wanted: char| {
                    fields
                        .iter()
                        .skip(1)
                        .map(|f| split_tag(f))
                        .find(|(tag, _)| *tag == wanted)
                };
                if let Some((_, formula)) = tagged('E') {
                    let name = tagged('N').map(|(_, n)| n).unwrap_or_default();
                    push_formula(&mut scan, formula, offset, format!("name:{name}"), limits);
                }
            }
            "E" => break,
            _ => {}
        }
    }
    Ok(scan)
}

fn push_formula(
    scan: &mut DocumentScan,
    formula: &str,
    offset: u64,
    cell: String,
    limits: &Limits,
) {
    if formula.trim().is_empty() {
        return;
    }
    let mut formula = formula.to_owned();
    if formula.len() > limits.max_field_chars {
        let mut cut = limits.max_field_chars;
        while cut > 0 && !formula.is_char_boundary(cut) {
            cut -= 1;
        }
        formula.truncate(cut);
    }
    scan.records.push(DocumentRecord::Formula {
        location: Location {
            part: None,
            offset,
            cell: Some(cell),
        },
        formula,
    });
}

/// The lines of `bytes` (ended by CR LF, LF or CR) with their byte offsets.
fn lines(bytes: &[u8]) -> impl Iterator<Item = (u64, &[u8])> {
    let mut at = 0usize;
    std::iter::from_fn(move || {
        let rest = bytes.get(at..).filter(|rest| !rest.is_empty())?;
        let len = rest
            .iter()
            .position(|&b| b == b'\r' || b == b'\n')
            .unwrap_or(rest.len());
        let line = rest.get(..len)?;
        let start = at;
        at += len;
        if bytes.get(at) == Some(&b'\r') {
            at += 1;
        }
        if bytes.get(at) == Some(&b'\n') {
            at += 1;
        }
        Some((start as u64, line))
    })
}

fn decode_line(line: &[u8], utf8: bool) -> Cow<'_, str> {
    if utf8 {
        String::from_utf8_lossy(line)
    } else {
        encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(line)
            .0
    }
}

/// Splits a record into fields at `;`, reading `;;` as a literal `;`.
fn fields(record: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = record.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ';' {
            if chars.peek() == Some(&';') {
                chars.next();
                if let Some(field) = fields.last_mut() {
                    field.push(';');
                }
            } else {
                fields.push(String::new());
            }
        } else if let Some(field) = fields.last_mut() {
            field.push(c);
        }
    }
    fields
}

/// A field's one-letter tag (upper case) and its value.
fn split_tag(field: &str) -> (char, &str) {
    let mut chars = field.chars();
    match chars.next() {
        Some(tag) => (tag.to_ascii_uppercase(), chars.as_str()),
        None => ('\0', ""),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn formulas(bytes: &[u8]) -> Vec<(String, String, u64)> {
        scan(bytes, &Limits::default())
            .unwrap()
            .records
            .into_iter()
            .map(|r| match r {
                DocumentRecord::Formula { location, formula } => {
                    (location.cell.unwrap(), formula, location.offset)
                }
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn cell_formulas_with_carried_coordinates() {
        let file = b"ID;PWXL;N;E\r\nC;Y1;X1;K\"Invoice\"\r\nC;X2;K0;ECMD|' /C calc'!A0\r\nC;Y3;X1;K2;ER1C1*2\r\nE\r\n";
        assert_eq!(
            formulas(file),
            vec![
                ("B1".to_owned(), "CMD|' /C calc'!A0".to_owned(), 33),
                ("A3".to_owned(), "R1C1*2".to_owned(), 61),
            ]
        );
    }

    #[test]
    fn doubled_semicolons_and_names() {
        let file = b"ID;P\nNN;Nauto;ECONCAT(\"a;;b\";;cmd|'/c x'!A0)\nC;Y2;X3;E=1;;2\n";
        assert_eq!(
            formulas(file),
            vec![
                (
                    "name:auto".to_owned(),
                    "CONCAT(\"a;b\";cmd|'/c x'!A0)".to_owned(),
                    5
                ),
                ("C2".to_owned(), "=1;2".to_owned(), 45),
            ]
        );
    }

    #[test]
    fn ansi_bytes_and_the_end_record() {
        let file = b"ID;P\r\nC;Y1;X1;Ecmd|'/c echo \xE9'!A0\r\nE\r\nC;Y2;X1;Ecmd|'/c late'!A0\r\n";
        assert_eq!(
            formulas(file),
            vec![("A1".to_owned(), "cmd|'/c echo é'!A0".to_owned(), 6)]
        );
    }

    #[test]
    fn without_id_record_it_is_not_sylk() {
        assert!(matches!(
            scan(b"C;Y1;X1;Ecmd|'/c calc'!A0\n", &Limits::default()),
            Err(FormatError::NotApplicable(_))
        ));
    }
}
