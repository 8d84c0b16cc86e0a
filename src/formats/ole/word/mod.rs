//! Legacy Word documents (.doc, .dot; [MS-DOC]): the fields of every story, read through the
//! FIB and the piece table, plus DDE fields left in bytes no stream reaches.
//!
//! 1. [`fib`] reads the FIB at the start of the `WordDocument` stream: which table stream
//!    (`0Table`/`1Table`) holds the Clx, and where.
//! 2. [`piece_table`] reads the Clx's piece table and decodes each piece (8-bit or UTF-16LE) in
//!    CP order: main text, footnotes, headers, comments, endnotes and text boxes alike.
//! 3. [`fields`] turns the field characters 0x13 / 0x14 / 0x15 into [`FieldAssembler`] events;
//!    each field becomes a [`DocumentRecord::Field`] in part `WordDocument` at its CP.
//!
//! When the FIB or the piece table cannot be read (damage, an older Word version), the raw
//! `WordDocument` stream is carved for field runs instead, and a caveat says so. Finally the
//! whole file is carved for runs whose keyword starts with `DDE`, outside every structure the
//! directory tree reaches ([`SectorMap`]): a field there that was not already found is reported
//! in part `unreachable data` at its file offset (a deleted stream, free sectors, slack).
//!
//! [MS-DOC]: https://learn.microsoft.com/openspecs/office_file_formats/ms-doc

mod fib;
mod fields;
mod piece_table;

use std::collections::HashSet;

use fib::{Fib, WordError, read_u16};
use fields::{FieldReader, carve_runs};
use piece_table::{PieceTable, decode};

use super::sectors::SectorMap;
use super::{Cfb, read_stream};
use crate::formats::field_code::{AssembledField, FieldAssembler, FieldCode};
use crate::formats::{DocumentRecord, DocumentScan, Limits, Location, Problem};

/// Part of fields read from the document text (or carved from its stream).
const PART: &str = "WordDocument";
/// Part of DDE fields carved from bytes no stream reaches.
const UNREACHABLE_PART: &str = "unreachable data";
/// Carved runs outside every stream are reported only when their keyword starts with this (DDE,
/// DDEAUTO): a pre-filter against binary noise; what is DDE is still decided in `detect/`.
const CARVE_KEYWORD_PREFIX: &str = "DDE";

/// Reads the fields of the WordDocument stream, and DDE fields in unreachable bytes, into `scan`.
pub(super) fn scan(file: &mut Cfb<'_>, bytes: &[u8], limits: &Limits, scan: &mut DocumentScan) {
    match read_stream(file, "/WordDocument", limits.max_entry_bytes) {
        Ok(stream) => {
            if let Err(err) = read_text(file, &stream, limits, scan) {
                carve_stream(&stream, &err, limits, scan);
            }
        }
        Err(problem) => scan.problems.push(problem),
    }
    carve_unreachable(bytes, limits, scan);
}

fn problem(message: String, incomplete: bool) -> Problem {
    Problem {
        part: Some(PART.to_owned()),
        message,
        incomplete,
    }
}

/// Reads the text through the FIB and the piece table and reports its fields.
fn read_text(
    file: &mut Cfb<'_>,
    stream: &[u8],
    limits: &Limits,
    scan: &mut DocumentScan,
) -> Result<(), WordError> {
    let fib = Fib::parse(stream)?;
    let table_path = format!("/{}", fib.table_stream);
    if fib.encrypted {
        let header = read_stream(file, &table_path, limits.max_entry_bytes).unwrap_or_default();
        report_encrypted(&fib, &header, scan);
        return Ok(());
    }
    let table =
        read_stream(file, &table_path, limits.max_entry_bytes).map_err(|p| WordError::NoTable {
            stream: fib.table_stream,
            detail: p.message,
        })?;
    let pieces = PieceTable::parse(fib.clx(&table)?)?;
    if pieces.pieces.is_empty() {
        return Err(WordError::BadClx("no usable piece".to_owned()));
    }
    for warning in pieces.warnings {
        scan.problems
            .push(problem(format!("piece table: {warning}"), true));
    }

    let mut assembler = FieldAssembler::new(limits);
    let mut reader = FieldReader::new(&mut assembler);
    // Real pieces do not overlap, so the text is never longer than the stream; a hostile table
    // that reuses the same bytes stops there.
    let mut budget = stream.len();
    let mut missing = 0u64;
    let mut unread = 0usize;
    for (index, piece) in pieces.pieces.iter().enumerate() {
        if budget == 0 {
            unread = pieces.pieces.len() - index;
            break;
        }
        let text = decode(stream, piece, budget);
        budget = budget.saturating_sub(text.text.len());
        missing += u64::from(text.missing);
        for (cp, c) in text.text {
            reader.push(u64::from(cp), c);
        }
    }
    reader.flush();
    if unread > 0 {
        scan.problems.push(problem(
            format!(
                "the pieces decoded so far hold as many characters as the stream has bytes \
                 ({:#x}); {unread} overlapping piece(s) not read",
                stream.len()
            ),
            true,
        ));
    } else if missing > 0 {
        scan.problems.push(problem(
            format!("{missing} character(s) of the piece table lie beyond the stream's end"),
            true,
        ));
    }
    let covered = pieces.pieces.last().map_or(0, |p| u64::from(p.cp_end));
    let declared = fib.stories.total();
    if covered < declared {
        scan.problems.push(problem(
            format!("the piece table covers {covered} characters, the FIB declares {declared}"),
            false,
        ));
    }
    push_fields(assembler, PART, scan);
    Ok(())
}

/// Records the encryption: the text cannot be read without the password.
fn report_encrypted(fib: &Fib, table: &[u8], scan: &mut DocumentScan) {
    let scheme = if fib.obfuscated {
        "Word XOR obfuscation"
    } else {
        match (read_u16(table, 0), read_u16(table, 2)) {
            (Some(2..=4), Some(2)) => "RC4 CryptoAPI",
            _ => "RC4",
        }
    };
    scan.records.push(DocumentRecord::Encrypted {
        location: Location {
            part: Some(PART.to_owned()),
            ..Location::default()
        },
        scheme: scheme.to_owned(),
        opened_with: None,
    });
    scan.problems.push(problem(
        format!("the text is encrypted ({scheme}); not analysed"),
        true,
    ));
}

/// Fallback: the fields of every run carved from the raw stream, at their byte offsets.
fn carve_stream(stream: &[u8], err: &WordError, limits: &Limits, scan: &mut DocumentScan) {
    scan.problems.push(problem(
        format!("{err}; fields were carved from the raw stream instead"),
        false,
    ));
    for fields in carved_fields(stream, limits, scan) {
        scan.records
            .extend(fields.into_iter().map(|f| f.into_record(Some(PART))));
    }
}

/// DDE fields carved from the file's bytes outside every reachable structure, not found before.
fn carve_unreachable(bytes: &[u8], limits: &Limits, scan: &mut DocumentScan) {
    let runs = carve_runs(bytes, limits.max_field_chars);
    if runs.is_empty() {
        return;
    }
    let map = SectorMap::read(bytes);
    let reachable = |offset: usize| map.as_ref().is_some_and(|m| m.contains(offset));
    let mut known: HashSet<String> = scan
        .records
        .iter()
        .filter_map(|record| match record {
            DocumentRecord::Field { instruction, .. } => Some(normalized(instruction)),
            _ => None,
        })
        .collect();
    let runs = runs.into_iter().filter(|run| !reachable(run.offset));
    for run in runs {
        let (fields, _) = assemble(run.chars.iter().map(|&(o, c)| (o as u64, c)), limits);
        for field in fields {
            let keyword = FieldCode::parse(&field.instruction).keyword;
            let dde = keyword
                .get(..CARVE_KEYWORD_PREFIX.len())
                .is_some_and(|k| k.eq_ignore_ascii_case(CARVE_KEYWORD_PREFIX));
            if dde && known.insert(normalized(&field.instruction)) {
                scan.records.push(field.into_record(Some(UNREACHABLE_PART)));
            }
        }
    }
}

/// The fields of each run carved from `bytes`; assembler problems go to `scan` as caveats.
fn carved_fields(
    bytes: &[u8],
    limits: &Limits,
    scan: &mut DocumentScan,
) -> Vec<Vec<AssembledField>> {
    let mut all = Vec::new();
    let mut messages = Vec::new();
    for run in carve_runs(bytes, limits.max_field_chars) {
        let (fields, problems) = assemble(run.chars.iter().map(|&(o, c)| (o as u64, c)), limits);
        messages.extend(problems);
        all.push(fields);
    }
    messages.sort();
    messages.dedup();
    for message in messages {
        scan.problems
            .push(problem(format!("carved fields: {message}"), false));
    }
    all
}

/// Runs positioned characters through a fresh assembler.
fn assemble(
    chars: impl Iterator<Item = (u64, char)>,
    limits: &Limits,
) -> (Vec<AssembledField>, Vec<String>) {
    let mut assembler = FieldAssembler::new(limits);
    let mut reader = FieldReader::new(&mut assembler);
    for (position, c) in chars {
        reader.push(position, c);
    }
    reader.flush();
    assembler.finish()
}

/// Reports the assembled fields in `part`, and the assembler's problems as caveats.
fn push_fields(assembler: FieldAssembler, part: &str, scan: &mut DocumentScan) {
    let (fields, problems) = assembler.finish();
    scan.records.extend(
        fields
            .into_iter()
            .map(|field| field.into_record(Some(part))),
    );
    scan.problems
        .extend(problems.into_iter().map(|message| problem(message, false)));
}

/// An instruction with its whitespace runs reduced to one space, in lower case (Word and the
/// programs DDE starts ignore case), for "already found" tests.
fn normalized(instruction: &str) -> String {
    instruction
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use std::io::{Cursor, Write};

    use ddesweep_testgen::doc::{self, Options, narrow, wide};

    use super::*;
    use crate::formats::ole;

    /// A compound file holding the given streams.
    fn compound(streams: &[(&str, &[u8])]) -> Vec<u8> {
        let mut file = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
        for (name, data) in streams {
            file.create_stream(name).unwrap().write_all(data).unwrap();
        }
        file.flush().unwrap();
        file.into_inner().into_inner()
    }

    /// (part, offset, instruction) of every field.
    fn fields(scan: &DocumentScan) -> Vec<(String, u64, String)> {
        scan.records
            .iter()
            .filter_map(|record| match record {
                DocumentRecord::Field {
                    location,
                    instruction,
                    ..
                } => Some((
                    location.part.clone().unwrap_or_default(),
                    location.offset,
                    instruction.clone(),
                )),
                _ => None,
            })
            .collect()
    }

    fn run(bytes: &[u8]) -> DocumentScan {
        let scan = ole::scan(bytes, &Limits::default()).unwrap();
        assert_eq!(scan.format, "doc");
        scan
    }

    #[test]
    fn fields_across_pieces_are_read_in_cp_order() {
        let scan = run(&doc::word_legacy());
        assert_eq!(scan.problems, []);
        assert_eq!(
            fields(&scan),
            [
                (
                    PART.to_owned(),
                    50,
                    r#"DDEAUTO c:\\windows\\system32\\cmd.exe "/c notepad.exe""#.to_owned()
                ),
                (
                    PART.to_owned(),
                    82,
                    "QUOTE 99 109 100 46 101 120 101".to_owned()
                ),
                (PART.to_owned(), 173, " PAGE ".to_owned()),
            ]
        );
    }

    #[test]
    fn encrypted_text_is_recorded_not_read() {
        let mut bytes = doc::word_legacy();
        let fib = memchr::memmem::find(&bytes, &[0xEC, 0xA5, 0xC1, 0x00]).unwrap();
        bytes[fib + 0x0A] |= 0x00; // low byte: fComplex stays
        bytes[fib + 0x0B] |= 0x01; // fEncrypted
        let scan = run(&bytes);
        assert_eq!(fields(&scan), []);
        assert!(matches!(
            &scan.records[..],
            [DocumentRecord::Encrypted { scheme, opened_with: None, .. }] if scheme == "RC4"
        ));
        assert!(scan.problems.iter().any(|p| p.incomplete));
    }

    #[test]
    fn overlapping_pieces_stop_at_the_stream_length() {
        let mut word = fib::tests::fib_bytes(0, 0, 0);
        word.resize(0x800, 0);
        word.extend(b"\x13DDE cmd /c x\x15 ");
        word.resize(0x1000, 0);
        // 4,000 pieces of 16 characters, all reading the same 16 bytes.
        let pieces: Vec<(u32, u32, u32)> = (0..4000)
            .map(|i| (i * 16, i * 16 + 16, 0x4000_0000 | 0x1000))
            .collect();
        let clx = piece_table::tests::clx_bytes(&pieces);
        let fib_clx = fib::tests::fib_bytes(0, u32::try_from(clx.len()).unwrap(), 64_000);
        word[..fib_clx.len()].copy_from_slice(&fib_clx);
        let scan = run(&compound(&[("WordDocument", &word), ("1Table", &clx)]));
        let found = fields(&scan);
        assert_eq!(found.len(), 0x1000 / 16);
        assert_eq!(found[1], (PART.to_owned(), 16, "DDE cmd /c x".to_owned()));
        assert!(
            scan.problems
                .iter()
                .any(|p| p.incomplete && p.message.contains("overlapping")),
            "{:?}",
            scan.problems
        );
    }

    #[test]
    fn unreadable_structure_falls_back_to_carving() {
        // No table stream at all, and a stream that is not a FIB.
        let mut word = fib::tests::fib_bytes(0, 16, 10);
        word.resize(0x900, 0);
        word.extend(doc::utf16le_bytes("\u{13}DDE cmd \"/c calc\"\u{14}\u{15}"));
        word.resize(0x1000, 0);
        let scan = run(&compound(&[("WordDocument", &word)]));
        assert_eq!(
            fields(&scan),
            [(PART.to_owned(), 0x900, r#"DDE cmd "/c calc""#.to_owned())]
        );
        assert_eq!(scan.problems.len(), 1);
        assert!(!scan.problems[0].incomplete);
        assert!(
            scan.problems[0]
                .message
                .contains("table stream 1Table unreadable")
        );

        let scan = run(&compound(&[("WordDocument", b"\x13ddeauto x y\x15")]));
        assert_eq!(
            fields(&scan),
            [(PART.to_owned(), 0, "ddeauto x y".to_owned())]
        );
        assert!(
            scan.problems[0]
                .message
                .starts_with("FIB identifier is 0x6413")
        );
    }

    #[test]
    fn unreachable_fields_are_reported_once() {
        let text = "\u{13}DDE a b\u{15}\r";
        let orphan = [
            doc::utf16le_bytes("\u{13}DDE a b\u{15}"),
            b"\x13 DDEAUTO c d\x14\x15\x13PAGE\x15".to_vec(),
            doc::utf16le_bytes("\u{13}  ddeauto c  d \u{15}"),
        ]
        .concat();
        let bytes = doc::word_doc(
            &[narrow(text), wide("tail\r")],
            &Options {
                orphan,
                ..Options::default()
            },
        );
        let scan = run(&bytes);
        let found = fields(&scan);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0], (PART.to_owned(), 0, "DDE a b".to_owned()));
        let (part, offset, instruction) = &found[1];
        assert_eq!(
            (part.as_str(), instruction.as_str()),
            (UNREACHABLE_PART, " DDEAUTO c d")
        );
        assert_eq!(&bytes[*offset as usize..*offset as usize + 3], b"\x13 D");
    }
}
