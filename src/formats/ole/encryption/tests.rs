//! Tests of the encrypted-package reader on packages the fixture generator encrypts (Agile and
//! Standard, with chosen passwords), and on damaged or unsupported descriptors.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::io::{Cursor, Read};

use ddesweep_testgen::encrypted::{VELVET_SWEATSHOP, agile, compound_file, standard};

use super::*;

/// A small stand-in for a package: the decryption does not care what the bytes are.
fn package() -> Vec<u8> {
    (0..10_000u32)
        .flat_map(|i| (i % 251).to_le_bytes())
        .collect()
}

fn scan_ole(bytes: &[u8], passwords: &[&str]) -> DocumentScan {
    let limits = Limits {
        default_passwords: passwords.iter().map(|p| (*p).to_owned()).collect(),
        ..Limits::default()
    };
    crate::formats::ole::scan(bytes, &limits).unwrap()
}

fn encrypted(scan: &DocumentScan) -> (&str, Option<&str>) {
    let found: Vec<_> = scan
        .records
        .iter()
        .filter_map(|r| match r {
            DocumentRecord::Encrypted {
                location,
                scheme,
                opened_with,
            } => {
                assert_eq!(location.part.as_deref(), Some("EncryptionInfo"));
                Some((scheme.as_str(), opened_with.as_deref()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(found.len(), 1, "{:?}", scan.records);
    found[0]
}

/// The `EncryptionInfo` and `EncryptedPackage` streams of a compound file.
fn streams(bytes: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).unwrap();
    let mut read = |path: &str| {
        let mut out = Vec::new();
        file.open_stream(path)
            .unwrap()
            .read_to_end(&mut out)
            .unwrap();
        out
    };
    (read(INFO_STREAM), read(PACKAGE_STREAM))
}

fn messages(scan: &DocumentScan) -> Vec<(String, bool)> {
    scan.problems
        .iter()
        .map(|p| (p.to_string(), p.incomplete))
        .collect()
}

#[test]
fn agile_package_is_decrypted_to_its_exact_bytes() {
    let scan = scan_ole(&agile(&package(), VELVET_SWEATSHOP), &[VELVET_SWEATSHOP]);
    assert_eq!(scan.format, "encrypted_ooxml");
    assert_eq!(encrypted(&scan), ("ECMA-376 Agile", Some(VELVET_SWEATSHOP)));
    assert_eq!(scan.embedded.len(), 1);
    assert_eq!(scan.embedded[0].name, "decrypted package");
    assert!(
        scan.embedded[0].bytes == package(),
        "decrypted bytes differ"
    );
    assert_eq!(messages(&scan), []);
}

#[test]
fn standard_package_is_decrypted_to_its_exact_bytes() {
    let scan = scan_ole(&standard(&package(), VELVET_SWEATSHOP), &[VELVET_SWEATSHOP]);
    assert_eq!(
        encrypted(&scan),
        ("ECMA-376 Standard", Some(VELVET_SWEATSHOP))
    );
    assert!(
        scan.embedded[0].bytes == package(),
        "decrypted bytes differ"
    );
    assert_eq!(messages(&scan), []);
}

#[test]
fn passwords_are_tried_in_order_until_one_verifies() {
    let bytes = standard(&package(), "/01Hannes Ruescher/01");
    let scan = scan_ole(&bytes, &["wrong", "/01Hannes Ruescher/01", "later"]);
    assert_eq!(
        encrypted(&scan),
        ("ECMA-376 Standard", Some("/01Hannes Ruescher/01"))
    );
    assert!(scan.embedded[0].bytes == package());
}

#[test]
fn unknown_password_leaves_a_caveat_and_no_content() {
    let scan = scan_ole(&agile(&package(), "s3cret"), &[VELVET_SWEATSHOP]);
    assert_eq!(encrypted(&scan), ("ECMA-376 Agile", None));
    assert!(scan.embedded.is_empty());
    assert_eq!(
        messages(&scan),
        [(
            "EncryptionInfo: encrypted, no default password opened it: content not analysed"
                .to_owned(),
            false
        )]
    );
    let scan = scan_ole(&standard(&package(), "s3cret"), &[]);
    assert_eq!(encrypted(&scan), ("ECMA-376 Standard", None));
}

#[test]
fn truncated_package_is_reported_and_kept_as_far_as_it_goes() {
    let (info, mut stream) = streams(&agile(&package(), VELVET_SWEATSHOP));
    stream.truncate(8 + 4096 + 100);
    let scan = scan_ole(&compound_file(&info, &stream), &[VELVET_SWEATSHOP]);
    assert_eq!(encrypted(&scan), ("ECMA-376 Agile", Some(VELVET_SWEATSHOP)));
    assert!(scan.embedded[0].bytes == package()[..4096 + 96]);
    assert_eq!(
        messages(&scan),
        [(
            "EncryptedPackage: declares a package of 40000 bytes but holds 4192 decryptable bytes; the rest is missing"
                .to_owned(),
            true
        )]
    );
    let scan = scan_ole(&compound_file(&info, &[1, 2, 3]), &[VELVET_SWEATSHOP]);
    assert_eq!(
        messages(&scan),
        [(
            "EncryptedPackage: stream too short for its size field".to_owned(),
            true
        )]
    );
}

#[test]
fn extensible_and_unknown_versions_are_not_opened() {
    let mut info = vec![4, 0, 3, 0];
    info.extend([0; 64]);
    let scan = scan_ole(&compound_file(&info, &[0; 24]), &[VELVET_SWEATSHOP]);
    assert_eq!(encrypted(&scan), ("ECMA-376 Extensible", None));
    assert_eq!(
        messages(&scan),
        [
            (
                "EncryptionInfo: not supported: Extensible Encryption (a third-party cryptographic provider)"
                    .to_owned(),
                false
            ),
            (
                "EncryptionInfo: encrypted, no default password opened it: content not analysed"
                    .to_owned(),
                false
            ),
        ]
    );
    let scan = scan_ole(&compound_file(&[9, 0, 9, 0], &[0; 24]), &[VELVET_SWEATSHOP]);
    assert_eq!(encrypted(&scan), ("ECMA-376 encryption", None));
    assert_eq!(
        messages(&scan)[0],
        (
            "EncryptionInfo: not supported: EncryptionInfo version 9.9".to_owned(),
            false
        )
    );
}

#[test]
fn damaged_descriptors_are_incomplete() {
    let scan = scan_ole(&compound_file(&[4], &[0; 24]), &[VELVET_SWEATSHOP]);
    assert_eq!(encrypted(&scan), ("ECMA-376 encryption", None));
    assert_eq!(
        messages(&scan)[0],
        (
            "EncryptionInfo: EncryptionVersionInfo.vMajor at offset 0x0 is cut short (the stream has 1 bytes)"
                .to_owned(),
            true
        )
    );
    let (info, stream) = streams(&agile(&package(), VELVET_SWEATSHOP));
    let text = String::from_utf8(info).unwrap();
    let cases = [
        (
            text.replace("spinCount=\"100000\"", "spinCount=\"4294967295\""),
            "EncryptionInfo: encryptedKey spinCount \"4294967295\" is not a number up to 10,000,000",
            true,
        ),
        (
            text.replacen("keyBits=\"256\"", "keyBits=\"100\"", 1),
            "EncryptionInfo: keyData keyBits \"100\" is not an AES key size",
            true,
        ),
        (
            text.replace("hashAlgorithm=\"SHA512\"", "hashAlgorithm=\"MD5\""),
            "EncryptionInfo: not supported: Agile encryption with hash MD5",
            false,
        ),
        (
            text.replace("encryptedKeyValue=\"", "encryptedKeyValue=\"!"),
            "EncryptionInfo: encryptedKey encryptedKeyValue is not base64: Invalid symbol 33, offset 0.",
            true,
        ),
        (
            text.replace("<keyData", "<keyDatum"),
            "EncryptionInfo: Agile descriptor has no keyData",
            true,
        ),
        (
            text.replace("</keyEncryptors>", "</keyEncryptors"),
            "EncryptionInfo: Agile descriptor XML unreadable at offset 0x",
            true,
        ),
    ];
    for (info, message, incomplete) in cases {
        let scan = scan_ole(
            &compound_file(info.as_bytes(), &stream),
            &[VELVET_SWEATSHOP],
        );
        assert_eq!(encrypted(&scan), ("ECMA-376 Agile", None), "{message}");
        let (got, got_incomplete) = &messages(&scan)[0];
        assert!(got.starts_with(message), "{got} vs {message}");
        assert_eq!(*got_incomplete, incomplete, "{message}");
        assert!(scan.embedded.is_empty());
    }
}

#[test]
fn certificate_only_descriptor_is_unsupported() {
    let xml = "\u{4}\0\u{4}\0\u{40}\0\0\0<encryption><keyData saltSize=\"16\" blockSize=\"16\" \
               keyBits=\"128\" hashSize=\"20\" cipherAlgorithm=\"AES\" cipherChaining=\"ChainingModeCBC\" \
               hashAlgorithm=\"SHA1\" saltValue=\"AAAAAAAAAAAAAAAAAAAAAA==\"/><keyEncryptors><keyEncryptor>\
               <c:encryptedKey encryptedKeyValue=\"AA==\"/></keyEncryptor></keyEncryptors></encryption>";
    let scan = scan_ole(
        &compound_file(xml.as_bytes(), &[0; 24]),
        &[VELVET_SWEATSHOP],
    );
    assert_eq!(encrypted(&scan), ("ECMA-376 Agile", None));
    assert_eq!(
        messages(&scan)[0],
        (
            "EncryptionInfo: not supported: Agile encryption to certificates only (no password key encryptor)"
                .to_owned(),
            false
        )
    );
}

#[test]
fn oversized_package_is_refused_before_decryption() {
    let limits = Limits {
        max_embedded_bytes: 1000,
        ..Limits::default()
    };
    let bytes = agile(&package(), VELVET_SWEATSHOP);
    let scan = crate::formats::ole::scan(&bytes, &limits).unwrap();
    assert_eq!(encrypted(&scan), ("ECMA-376 Agile", Some(VELVET_SWEATSHOP)));
    assert!(scan.embedded.is_empty());
    assert_eq!(
        messages(&scan),
        [(
            "EncryptedPackage: stream of 40008 bytes is over the limit of 5104 bytes".to_owned(),
            true
        )]
    );
}

#[test]
fn every_prefix_of_a_descriptor_parses_or_fails_without_panic() {
    // Only the whole Standard stream parses; an Agile descriptor parses at 4 lengths: right
    // after its password key encryptor and after each of the 3 closing tags that follow (the
    // XML reader fails on a tag cut short).
    for (bytes, prefixes) in [
        (agile(&package(), VELVET_SWEATSHOP), 4),
        (standard(&package(), VELVET_SWEATSHOP), 1),
    ] {
        let (info, _) = streams(&bytes);
        let mut accepted = 0;
        for end in 0..=info.len() {
            if parse(&info[..end]).is_ok() {
                accepted += 1;
            }
        }
        assert_eq!(accepted, prefixes);
        let mut flipped = info.clone();
        for i in 0..flipped.len().min(256) {
            flipped[i] ^= 0xFF;
            let _ = parse(&flipped);
            flipped[i] ^= 0xFF;
        }
    }
}
