//! OLE compound files ([MS-CFB]): legacy Word (.doc), Excel (.xls), Outlook (.msg), encrypted
//! OOXML packages, and the OLE objects any of them embeds.
//!
//! The container is opened read-only from the memory map with the `cfb` crate. What the file is
//! follows from its streams (`WordDocument`, `Workbook`/`Book`, `__substg1.0_*`,
//! `EncryptionInfo` + `EncryptedPackage`); each kind has its own reader in this folder. Every
//! compound file, whatever its kind, is also searched for embedded objects ([`objects`]).
//!
//! [MS-CFB]: https://learn.microsoft.com/openspecs/windows_protocols/ms-cfb

mod biff;
mod compressed_rtf;
mod encryption;
mod msg;
mod native;
mod objects;
mod sectors;
mod storages;
mod word;

pub(crate) use objects::report_rtf_objects;

use std::io::{Cursor, Read};

use super::{DocumentScan, FormatError, Limits, Problem};

/// A compound file read from a byte slice.
pub(crate) type Cfb<'a> = cfb::CompoundFile<Cursor<&'a [u8]>>;

/// Reads an OLE compound file.
pub fn scan(bytes: &[u8], limits: &Limits) -> Result<DocumentScan, FormatError> {
    let mut file =
        cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|err| FormatError::Unreadable {
            what: "OLE compound file",
            detail: err.to_string(),
        })?;
    let streams: Vec<String> = file
        .walk()
        .filter(|entry| entry.is_stream())
        .map(|entry| entry.path().to_string_lossy().replace('\\', "/"))
        .collect();
    let has = |name: &str| streams.iter().any(|s| s == name);
    let mut scan = DocumentScan::default();
    if has("/EncryptionInfo") && has("/EncryptedPackage") {
        scan.format = "encrypted_ooxml";
        encryption::scan(&mut file, limits, &mut scan);
    } else if has("/WordDocument") {
        scan.format = "doc";
        word::scan(&mut file, bytes, limits, &mut scan);
    } else if has("/Workbook") || has("/Book") {
        scan.format = "xls";
        biff::scan(&mut file, limits, &mut scan);
    } else if streams.iter().any(|s| s.starts_with("/__substg1.0_")) {
        scan.format = "msg";
        msg::scan(&mut file, limits, &mut scan);
    } else {
        scan.format = "ole";
    }
    // The object and storage passes walk every stream again: the time bound is looked at
    // before them.
    if limits.deadline.passed() {
        scan.problems.push(Problem {
            part: None,
            message: limits
                .deadline
                .stop_message("before the embedded objects and storages"),
            incomplete: true,
        });
        return Ok(scan);
    }
    objects::scan(&mut file, limits, &mut scan);
    storages::scan(&mut file, limits, &mut scan);
    Ok(scan)
}

/// Reads the stream at `path` whole, refusing streams over `limit` bytes.
pub(crate) fn read_stream(file: &mut Cfb<'_>, path: &str, limit: u64) -> Result<Vec<u8>, Problem> {
    let problem = |message: String| Problem {
        part: Some(path.trim_start_matches('/').to_owned()),
        message,
        incomplete: true,
    };
    let mut stream = file
        .open_stream(path)
        .map_err(|err| problem(format!("cannot open stream: {err}")))?;
    let len = stream.len();
    if len > limit {
        return Err(problem(format!(
            "stream of {len} bytes is over the limit of {limit} bytes"
        )));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    stream.read_to_end(&mut bytes).map_err(|err| {
        problem(format!(
            "stream unreadable after {} bytes: {err}",
            bytes.len()
        ))
    })?;
    Ok(bytes)
}
