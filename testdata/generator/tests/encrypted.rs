//! The encrypted fixtures are the compound files Office writes: the `\x06DataSpaces` storage,
//! `EncryptionInfo` of the right version, and `EncryptedPackage` declaring the plain package's
//! size. (That they decrypt to that package is checked by ddesweep's own tests.)

mod common;

use std::io::{Cursor, Read};

use common::get;
use ddesweep_testgen::{encrypted, positive};

fn stream(bytes: &[u8], path: &str) -> Vec<u8> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).expect("a compound file");
    let mut out = Vec::new();
    file.open_stream(path)
        .unwrap_or_else(|e| panic!("no stream {path}: {e}"))
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[test]
fn velvet_fixtures_hold_the_encrypted_ddelink_workbook() {
    let plain_len = positive::excel_ddelink().len() as u64;
    for (path, version) in [
        ("documents/positive/excel-agile-velvet.xlsx", [4, 0, 4, 0]),
        (
            "documents/positive/excel-standard-velvet.xlsx",
            [4, 0, 2, 0],
        ),
    ] {
        let bytes = get(path);
        assert_eq!(stream(bytes, "/EncryptionInfo")[..4], version, "{path}");
        let package = stream(bytes, "/EncryptedPackage");
        assert_eq!(package[..8], plain_len.to_le_bytes(), "{path}");
        assert_eq!((package.len() - 8) % 16, 0, "{path}: whole AES blocks");
        assert!(
            !package.windows(11).any(|w| w == b"/c calc.exe"),
            "{path}: the command is encrypted"
        );
        let map = stream(bytes, "/\u{6}DataSpaces/DataSpaceMap");
        assert_eq!(map.len(), 112, "{path}");
        let primary = stream(
            bytes,
            "/\u{6}DataSpaces/TransformInfo/StrongEncryptionTransform/\u{6}Primary",
        );
        assert_eq!(primary.len(), 200, "{path}");
        assert_eq!(
            stream(bytes, "/\u{6}DataSpaces/Version").len(),
            76,
            "{path}"
        );
    }
}

#[test]
fn agile_descriptor_names_office_2013_defaults() {
    let info = stream(
        get("documents/hostile/encrypted-unknown-password.docx"),
        "/EncryptionInfo",
    );
    assert_eq!(info[4..8], [0x40, 0, 0, 0]);
    let xml = String::from_utf8(info[8..].to_vec()).unwrap();
    for attribute in [
        "spinCount=\"100000\"",
        "keyBits=\"256\"",
        "hashAlgorithm=\"SHA512\"",
        "cipherChaining=\"ChainingModeCBC\"",
        "encryptedHmacKey=\"",
    ] {
        assert!(xml.contains(attribute), "{attribute}");
    }
}

#[test]
fn the_password_changes_only_the_key_material() {
    let plain = positive::excel_ddelink();
    let a = encrypted::agile(&plain, "one");
    let b = encrypted::agile(&plain, "two");
    assert_eq!(a.len(), b.len());
    assert_ne!(a, b);
    assert_eq!(
        stream(&a, "/EncryptedPackage"),
        stream(&b, "/EncryptedPackage"),
        "the package is encrypted with the (fixed) secret key, not the password"
    );
}
