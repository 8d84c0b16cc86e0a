//! Legacy Excel workbooks (.xls, BIFF8, [MS-XLS]): DDE links, and the RC4 encryption that
//! hides them.
//!
//! The Workbook stream (`Book` in older files) is walked record by record ([`records`]). Its
//! SupBook and ExternName records declare the workbook's DDE links ([`links`]): Excel starts
//! the DDE server with the topic as its command line when the links are updated, which is the
//! `cmd|'/c calc.exe'!A1` attack of T1559.002 in binary form. A workbook with a FilePass record
//! is encrypted ([`filepass`]): when the default password `VelvetSweatshop` opens it (Excel
//! then opens it without a prompt), the stream is decrypted ([`decrypt`]) and read like any
//! other, and an `Encrypted` record says so; otherwise the `Encrypted` record says the content
//! was not analysed.
//!
//! Only BIFF8 (Excel 97 and later) is read; older versions are reported, not guessed at.
//!
//! [MS-XLS]: https://learn.microsoft.com/openspecs/office_file_formats/ms-xls

mod decrypt;
mod filepass;
mod links;
mod records;

use std::iter::Peekable;

use super::{Cfb, read_stream};
use crate::formats::{DocumentRecord, DocumentScan, Limits, Location, Problem};
use filepass::FilePass;
use links::Links;
use records::{Record, Records, kind, u16_at, with_continues};

/// `vers` of the BOF record of a BIFF8 stream.
const BIFF8: u16 = 0x0600;

/// Most bytes of one record with its CONTINUEs that are read.
const MAX_RECORD_BYTES: usize = 1 << 20;

/// Reads the DDE links of the Workbook (or Book) stream into `scan`.
pub(super) fn scan(file: &mut Cfb<'_>, limits: &Limits, scan: &mut DocumentScan) {
    let part = if file.is_stream("/Workbook") {
        "Workbook"
    } else {
        "Book"
    };
    match read_stream(file, &format!("/{part}"), limits.max_entry_bytes) {
        Ok(stream) => scan_stream(part, &stream, &limits.default_passwords, scan),
        Err(problem) => scan.problems.push(problem),
    }
}

/// Reads the BIFF stream `stream`, named `part`, into `scan`.
fn scan_stream(part: &str, stream: &[u8], passwords: &[String], scan: &mut DocumentScan) {
    let problem = |message: String, incomplete: bool| Problem {
        part: Some(part.to_owned()),
        message,
        incomplete,
    };
    if u16_at(stream, 0) != Some(kind::BOF) {
        scan.problems.push(problem(
            "the stream does not start with a BOF record: not a BIFF8 workbook".to_owned(),
            true,
        ));
        return;
    }
    match Records::new(stream).next() {
        Some(Ok(bof)) => {
            let version = u16_at(bof.data, 0).unwrap_or(0);
            if version != BIFF8 {
                scan.problems.push(problem(
                    format!(
                        "BIFF version 0x{version:04X} (older than Excel 97): its external links are not analysed"
                    ),
                    true,
                ));
                return;
            }
        }
        Some(Err(damage)) => {
            scan.problems.push(problem(damage.message, true));
            return;
        }
        None => return,
    }
    let Some(pass) = find_filepass(stream) else {
        walk(part, stream, scan);
        return;
    };
    let filepass = FilePass::parse(pass.data);
    // The profile's default passwords, in order (Excel's own VelvetSweatshop first).
    let opened = passwords
        .iter()
        .find_map(|password| filepass.open(password).map(|keys| (password, keys)));
    let (opened_with, keys) = match opened {
        Some((password, keys)) => (Some(password.clone()), Some(keys)),
        None => (None, None),
    };
    scan.records.push(DocumentRecord::Encrypted {
        location: Location {
            part: Some(part.to_owned()),
            offset: pass.offset as u64,
            cell: None,
        },
        scheme: filepass.scheme(),
        opened_with,
    });
    match keys {
        Some(keys) => {
            let after = pass.offset + records::HEADER_LEN + pass.data.len();
            let plain = decrypt::decrypt_stream(stream, after, &keys);
            walk(part, &plain, scan);
        }
        None => scan.problems.push(problem(
            format!(
                "encrypted ({}) with a password other than the default: not analysed",
                filepass.scheme()
            ),
            false,
        )),
    }
}

/// The FilePass record of the workbook globals (the first substream), if any.
fn find_filepass(stream: &[u8]) -> Option<Record<'_>> {
    Records::new(stream)
        .map_while(Result::ok)
        .take_while(|record| record.kind != kind::EOF)
        .find(|record| record.kind == kind::FILEPASS)
}

/// Walks every record of `stream`, feeding the link records to [`Links`]; damage ends the walk
/// with a problem (a caveat when it lies after the last substream).
fn walk(part: &str, stream: &[u8], scan: &mut DocumentScan) {
    let mut records: Peekable<Records<'_>> = Records::new(stream).peekable();
    let mut links = Links::new(part);
    let mut depth = 0usize;
    let mut closed = false;
    while let Some(item) = records.next() {
        let record = match item {
            Ok(record) => record,
            Err(damage) => {
                let after_last = depth == 0 && closed;
                let message = if after_last {
                    format!("{} (after the last substream; ignored)", damage.message)
                } else {
                    damage.message
                };
                scan.problems.push(Problem {
                    part: Some(part.to_owned()),
                    message,
                    incomplete: !after_last,
                });
                break;
            }
        };
        match record.kind {
            kind::BOF => depth += 1,
            kind::EOF => {
                links.close();
                depth = depth.saturating_sub(1);
                closed |= depth == 0;
            }
            kind::SUPBOOK => {
                let data = with_continues(&record, &mut records, MAX_RECORD_BYTES);
                links.supbook(record.offset, &data);
            }
            kind::EXTERNNAME => {
                let data = with_continues(&record, &mut records, MAX_RECORD_BYTES);
                links.extern_name(&data);
            }
            _ => {}
        }
    }
    links.finish(scan);
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests;
