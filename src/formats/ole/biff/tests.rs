//! Tests of the Workbook stream reader on streams built record by record: plain, encrypted with
//! the default password or another one, damaged.

use md5::{Digest, Md5};
use rc4::StreamCipher;

use super::filepass::{BlockKeys, VELVET_SWEATSHOP};
use super::*;

/// A BIFF record: type, size, data (shared by the BIFF unit tests).
pub(super) fn record(kind: u16, data: &[u8]) -> Vec<u8> {
    let mut out = kind.to_le_bytes().to_vec();
    out.extend_from_slice(&(data.len() as u16).to_le_bytes());
    out.extend_from_slice(data);
    out
}

fn bof(version: u16) -> Vec<u8> {
    let mut data = version.to_le_bytes().to_vec();
    data.extend([5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    record(kind::BOF, &data)
}

fn supbook_dde(path: &str) -> Vec<u8> {
    let mut data = vec![0, 0];
    data.extend((path.len() as u16).to_le_bytes());
    data.push(0);
    data.extend(path.bytes());
    record(kind::SUPBOOK, &data)
}

fn extern_name(name: &str) -> Vec<u8> {
    let mut data = vec![0x02, 0x7F, 0, 0, 0, 0, name.len() as u8, 0];
    data.extend(name.bytes());
    record(kind::EXTERNNAME, &data)
}

/// Globals with one DDE link (its SupBook at offset 0x26 after the optional `filepass`), then
/// a sheet substream.
fn workbook(filepass: Option<&[u8]>) -> Vec<u8> {
    let mut stream = bof(BIFF8);
    if let Some(pass) = filepass {
        stream.extend(record(kind::FILEPASS, pass));
    }
    stream.extend(record(
        kind::BOUNDSHEET8,
        b"\x00\x10\x00\x00\x00\x00\x06\x00Sheet1",
    ));
    stream.extend(supbook_dde("cmd\u{3}/c calc.exe"));
    stream.extend(extern_name("A1"));
    stream.extend(record(kind::EOF, &[]));
    stream.extend(bof(BIFF8));
    stream.extend(record(0x0208, &[0; 16]));
    stream.extend(record(kind::EOF, &[]));
    stream
}

fn scan(stream: &[u8]) -> DocumentScan {
    let mut scan = DocumentScan::default();
    scan_stream(
        "Workbook",
        stream,
        &Limits::default().default_passwords,
        &mut scan,
    );
    scan
}

fn link(offset: u64) -> DocumentRecord {
    DocumentRecord::DdeLink {
        location: Location {
            part: Some("Workbook".to_owned()),
            offset,
            cell: None,
        },
        service: "cmd".to_owned(),
        topic: "/c calc.exe".to_owned(),
        items: vec!["A1".to_owned()],
    }
}

/// An Office RC4 FilePass for `password`.
fn rc4_filepass(password: &str, salt: [u8; 16]) -> (Vec<u8>, BlockKeys) {
    let keys = BlockKeys::rc4(password, &salt);
    let verifier = [0x42u8; 16];
    let mut encrypted = verifier.to_vec();
    encrypted.extend(Md5::digest(verifier));
    keys.cipher(0).unwrap().apply_keystream(&mut encrypted);
    let mut data = vec![1, 0, 1, 0, 1, 0];
    data.extend(salt);
    data.extend(encrypted);
    (data, keys)
}

#[test]
fn plain_workbook_gives_its_dde_link() {
    let scan = scan(&workbook(None));
    assert_eq!(scan.records, [link(0x26)]);
    assert_eq!(scan.problems, []);
}

#[test]
fn default_password_workbook_is_decrypted_and_read() {
    let (pass, keys) = rc4_filepass(VELVET_SWEATSHOP, [9; 16]);
    let plain = workbook(Some(&pass));
    // RC4 is its own inverse: decrypting the plain stream encrypts it.
    let encrypted = decrypt::decrypt_stream(&plain, 0x14 + 4 + pass.len(), &keys);
    assert_ne!(encrypted, plain);
    let scan = scan(&encrypted);
    assert_eq!(
        scan.records,
        [
            DocumentRecord::Encrypted {
                location: Location {
                    part: Some("Workbook".to_owned()),
                    offset: 0x14,
                    cell: None,
                },
                scheme: "RC4".to_owned(),
                opened_with: Some("VelvetSweatshop".to_owned()),
            },
            link(0x26 + 4 + pass.len() as u64),
        ]
    );
    assert_eq!(scan.problems, []);
}

#[test]
fn other_passwords_leave_the_content_unread_with_a_caveat() {
    let (pass, keys) = rc4_filepass("secret", [1; 16]);
    let plain = workbook(Some(&pass));
    let encrypted = decrypt::decrypt_stream(&plain, 0x14 + 4 + pass.len(), &keys);
    let scan = scan(&encrypted);
    assert_eq!(
        scan.records,
        [DocumentRecord::Encrypted {
            location: Location {
                part: Some("Workbook".to_owned()),
                offset: 0x14,
                cell: None,
            },
            scheme: "RC4".to_owned(),
            opened_with: None,
        }]
    );
    assert_eq!(
        scan.problems,
        [Problem {
            part: Some("Workbook".to_owned()),
            message: "encrypted (RC4) with a password other than the default: not analysed"
                .to_owned(),
            incomplete: false,
        }]
    );
}

#[test]
fn xor_obfuscation_is_recognised_not_opened() {
    let scan = scan(&workbook(Some(&[0, 0, 0x12, 0x34, 0x56, 0x78])));
    assert!(matches!(
        &scan.records[..],
        [DocumentRecord::Encrypted { scheme, opened_with: None, .. }] if scheme == "XOR obfuscation"
    ));
    assert!(!scan.problems[0].incomplete);
}

#[test]
fn continued_supbook_and_damage_after_the_link() {
    let mut stream = bof(BIFF8);
    // The SupBook's path goes on in a CONTINUE record.
    let mut data = vec![0, 0, 15, 0, 0];
    data.extend(b"cmd\x03/c c");
    stream.extend(record(kind::SUPBOOK, &data));
    stream.extend(record(kind::CONTINUE, b"alc.exe"));
    stream.extend(extern_name("A1"));
    stream.extend(record(kind::EOF, &[]));
    stream.extend(bof(BIFF8));
    let bad = stream.len();
    stream.extend([0x08, 0x02, 0xFF, 0x00, 1, 2, 3]);
    let scan = scan(&stream);
    assert_eq!(scan.records, [link(0x14)]);
    assert_eq!(
        scan.problems,
        [Problem {
            part: Some("Workbook".to_owned()),
            message: format!(
                "record 0x0208 at offset 0x{bad:X} declares 255 bytes but only 3 remain in the stream"
            ),
            incomplete: true,
        }]
    );
}

#[test]
fn trailing_garbage_after_the_last_substream_is_a_caveat() {
    let mut stream = workbook(None);
    stream.extend([0x01, 0x00, 0x40, 0x00, 0xAA]);
    let scan = scan(&stream);
    assert_eq!(scan.records, [link(0x26)]);
    assert!(!scan.problems[0].incomplete, "{:?}", scan.problems);
    assert!(
        scan.problems[0]
            .message
            .ends_with("(after the last substream; ignored)")
    );
}

#[test]
fn non_biff8_streams_are_reported_not_read() {
    let mut biff5 = bof(0x0500);
    biff5.extend(supbook_dde("cmd\u{3}/c calc.exe"));
    let scan5 = scan(&biff5);
    assert_eq!(scan5.records, []);
    assert_eq!(
        scan5.problems[0].message,
        "BIFF version 0x0500 (older than Excel 97): its external links are not analysed"
    );
    let junk = scan(b"not a workbook at all");
    assert!(junk.problems[0].incomplete);
    assert_eq!(
        junk.problems[0].message,
        "the stream does not start with a BOF record: not a BIFF8 workbook"
    );
    let short = scan(&[0x09, 0x08, 0x10, 0x00, 0x00]);
    assert_eq!(
        short.problems[0].message,
        "record 0x0809 at offset 0x0 declares 16 bytes but only 1 remain in the stream"
    );
}

#[test]
fn every_single_byte_corruption_is_survived() {
    let (pass, keys) = rc4_filepass(VELVET_SWEATSHOP, [9; 16]);
    let plain = workbook(Some(&pass));
    let encrypted = decrypt::decrypt_stream(&plain, 0x14 + 4 + pass.len(), &keys);
    for original in [workbook(None), encrypted] {
        for position in 0..original.len() {
            for flip in [0xFF, 0x80, 0x01] {
                let mut damaged = original.clone();
                damaged[position] ^= flip;
                let result = scan(&damaged);
                for record in &result.records {
                    assert!(record.location().offset < damaged.len() as u64);
                }
                let mut truncated = original.clone();
                truncated.truncate(position);
                scan(&truncated);
            }
        }
    }
}
