//! Password-encrypted OOXML packages ([MS-OFFCRYPTO] 2.3.4): the OLE compound file Office writes
//! when a document is saved with a password, holding `EncryptionInfo`, `EncryptedPackage` and
//! the `\x06DataSpaces` storage that tells Office which transform to undo.
//!
//! Two schemes are written, the way Office writes them:
//! - [`agile`]: ECMA-376 Agile (version 4.4, Office 2010 and later), here with Office 2013's
//!   defaults: AES-256-CBC, SHA-512, 100,000 spins, a `dataIntegrity` HMAC;
//! - [`standard`]: ECMA-376 Standard (version 4.2, Office 2007), AES-128-ECB and SHA-1.
//!
//! Salts, verifier inputs and secret keys are fixed constants instead of random values, so the
//! fixtures are byte-identical on every run (the cryptography is the same either way).
//!
//! [MS-OFFCRYPTO]: https://learn.microsoft.com/openspecs/office_file_formats/ms-offcrypto

use std::io::{Cursor, Write};
use std::time::{Duration, UNIX_EPOCH};

use aes::cipher::{Array, BlockCipherEncrypt, BlockModeEncrypt, KeyInit, KeyIvInit, consts::U16};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha512};

use crate::{positive, word};

/// The password Excel applies by itself to write-protected workbooks.
pub const VELVET_SWEATSHOP: &str = "VelvetSweatshop";
/// The password of `encrypted-unknown-password.docx`: no default password, so the document
/// cannot be opened by a scanner.
pub const UNKNOWN_PASSWORD: &str = "Invoice#2291";

/// Fixture: `excel-ddelink.xlsx` encrypted with Agile Encryption and `VelvetSweatshop`.
pub fn excel_agile_velvet() -> Vec<u8> {
    agile(&positive::excel_ddelink(), VELVET_SWEATSHOP)
}

/// Fixture: `excel-ddelink.xlsx` encrypted with Standard Encryption and `VelvetSweatshop`.
pub fn excel_standard_velvet() -> Vec<u8> {
    standard(&positive::excel_ddelink(), VELVET_SWEATSHOP)
}

/// Fixture: a DDEAUTO document encrypted with Agile Encryption and a password no profile knows.
pub fn encrypted_unknown_password() -> Vec<u8> {
    let body = word::word_body(&word::p(&word::fld_simple(
        r#"DDEAUTO c:\\windows\\system32\\cmd.exe "/c calc.exe""#,
        "Update",
    )));
    agile(
        &word::docx(&[("word/document.xml", body)]),
        UNKNOWN_PASSWORD,
    )
}

/// Block keys of [MS-OFFCRYPTO] 2.3.4.13 and 2.3.4.14.
const BLOCK_VERIFIER_INPUT: [u8; 8] = [0xFE, 0xA7, 0xD2, 0x76, 0x3B, 0x4B, 0x9E, 0x79];
const BLOCK_VERIFIER_HASH: [u8; 8] = [0xD7, 0xAA, 0x0F, 0x6D, 0x30, 0x61, 0x34, 0x4E];
const BLOCK_KEY_VALUE: [u8; 8] = [0x14, 0x6E, 0x0B, 0xE7, 0xAB, 0xAC, 0xD0, 0xD6];
const BLOCK_HMAC_KEY: [u8; 8] = [0x5F, 0xB2, 0xAD, 0x01, 0x0C, 0xB9, 0xE1, 0xF6];
const BLOCK_HMAC_VALUE: [u8; 8] = [0xA0, 0x67, 0x7F, 0x02, 0xB2, 0x2C, 0x84, 0x33];
/// Agile packages are encrypted in segments of this size, each with its own IV.
const SEGMENT_LEN: usize = 4096;
/// Spin count of Agile key derivation (Office's default).
const AGILE_SPIN_COUNT: u32 = 100_000;
/// Spin count of Standard key derivation (fixed by the specification).
const STANDARD_SPIN_COUNT: u32 = 50_000;

/// Fixed stand-ins for the random values Office draws.
const KEY_DATA_SALT: [u8; 16] = *b"ddesweep-keydata";
const PASSWORD_SALT: [u8; 16] = *b"ddesweep-pw-salt";
const VERIFIER_INPUT: [u8; 16] = *b"ddesweep-verify!";
const SECRET_KEY: [u8; 32] = *b"ddesweep-fixture-secret-key-0256";
const HMAC_SALT: [u8; 64] = *b"ddesweep-fixture-hmac-salt-0064-ddesweep-fixture-hmac-salt-00064";

/// Encrypts an OOXML `package` with Agile Encryption (AES-256-CBC, SHA-512).
pub fn agile(package: &[u8], password: &str) -> Vec<u8> {
    let spun = spin::<Sha512>(&PASSWORD_SALT, password, AGILE_SPIN_COUNT);
    let password_key = |block: &[u8]| {
        fit(
            Sha512::new()
                .chain_update(&spun)
                .chain_update(block)
                .finalize()
                .to_vec(),
            32,
        )
    };
    let verifier_hash = Sha512::digest(VERIFIER_INPUT).to_vec();
    let encrypted_input = cbc_encrypt(
        &password_key(&BLOCK_VERIFIER_INPUT),
        &PASSWORD_SALT,
        &VERIFIER_INPUT,
    );
    let encrypted_hash = cbc_encrypt(
        &password_key(&BLOCK_VERIFIER_HASH),
        &PASSWORD_SALT,
        &verifier_hash,
    );
    let encrypted_key = cbc_encrypt(&password_key(&BLOCK_KEY_VALUE), &PASSWORD_SALT, &SECRET_KEY);

    let mut stream = (package.len() as u64).to_le_bytes().to_vec();
    for (index, segment) in package.chunks(SEGMENT_LEN).enumerate() {
        let iv = key_data_iv(&(index as u32).to_le_bytes());
        stream.extend(cbc_encrypt(&SECRET_KEY, &iv, segment));
    }

    // dataIntegrity (2.3.4.14): an HMAC-SHA512 of the whole stream, keyed with a salt that is
    // itself stored encrypted.
    let mut mac = <Hmac<Sha512>>::new_from_slice(&HMAC_SALT).expect("HMAC takes any key length");
    mac.update(&stream);
    let hmac_value = mac.finalize().into_bytes().to_vec();
    let encrypted_hmac_key = cbc_encrypt(&SECRET_KEY, &key_data_iv(&BLOCK_HMAC_KEY), &HMAC_SALT);
    let encrypted_hmac_value =
        cbc_encrypt(&SECRET_KEY, &key_data_iv(&BLOCK_HMAC_VALUE), &hmac_value);

    let params = |salt: &[u8]| {
        format!(
            "saltSize=\"16\" blockSize=\"16\" keyBits=\"256\" hashSize=\"64\" cipherAlgorithm=\"AES\" \
             cipherChaining=\"ChainingModeCBC\" hashAlgorithm=\"SHA512\" saltValue=\"{}\"",
            BASE64.encode(salt)
        )
    };
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n\
         <encryption xmlns=\"http://schemas.microsoft.com/office/2006/encryption\" \
         xmlns:p=\"http://schemas.microsoft.com/office/2006/keyEncryptor/password\" \
         xmlns:c=\"http://schemas.microsoft.com/office/2006/keyEncryptor/certificate\">\
         <keyData {}/>\
         <dataIntegrity encryptedHmacKey=\"{}\" encryptedHmacValue=\"{}\"/>\
         <keyEncryptors><keyEncryptor uri=\"http://schemas.microsoft.com/office/2006/keyEncryptor/password\">\
         <p:encryptedKey spinCount=\"{AGILE_SPIN_COUNT}\" {} encryptedVerifierHashInput=\"{}\" \
         encryptedVerifierHashValue=\"{}\" encryptedKeyValue=\"{}\"/>\
         </keyEncryptor></keyEncryptors></encryption>",
        params(&KEY_DATA_SALT),
        BASE64.encode(encrypted_hmac_key),
        BASE64.encode(encrypted_hmac_value),
        params(&PASSWORD_SALT),
        BASE64.encode(encrypted_input),
        BASE64.encode(encrypted_hash),
        BASE64.encode(encrypted_key),
    );
    let mut info = Vec::new();
    info.extend(4u16.to_le_bytes());
    info.extend(4u16.to_le_bytes());
    info.extend(0x40u32.to_le_bytes());
    info.extend(xml.as_bytes());
    compound_file(&info, &stream)
}

/// Encrypts an OOXML `package` with Standard Encryption (AES-128-ECB, SHA-1).
pub fn standard(package: &[u8], password: &str) -> Vec<u8> {
    let key = standard_key(password);
    let verifier_hash = Sha1::digest(VERIFIER_INPUT).to_vec();
    let encrypted_verifier = ecb_encrypt(&key, &VERIFIER_INPUT);
    let encrypted_verifier_hash = ecb_encrypt(&key, &verifier_hash);

    const FLAGS: u32 = 0x24; // fCryptoAPI | fAES
    let mut header = Vec::new();
    // Flags, SizeExtra, AlgID (AES-128), AlgIDHash (SHA-1), KeySize, ProviderType (PROV_RSA_AES),
    // Reserved1, Reserved2.
    for value in [FLAGS, 0, 0x660E, 0x8004, 128, 0x18, 0, 0] {
        header.extend(value.to_le_bytes());
    }
    header.extend(utf16le(
        "Microsoft Enhanced RSA and AES Cryptographic Provider\0",
    ));
    let mut info = Vec::new();
    info.extend(4u16.to_le_bytes());
    info.extend(2u16.to_le_bytes());
    info.extend(FLAGS.to_le_bytes());
    info.extend((header.len() as u32).to_le_bytes());
    info.extend(header);
    info.extend(16u32.to_le_bytes());
    info.extend(PASSWORD_SALT);
    info.extend(encrypted_verifier);
    info.extend(20u32.to_le_bytes());
    info.extend(encrypted_verifier_hash);

    let mut stream = (package.len() as u64).to_le_bytes().to_vec();
    stream.extend(ecb_encrypt(&key, package));
    compound_file(&info, &stream)
}

/// The Standard key of [MS-OFFCRYPTO] 2.3.4.7 (AES-128 from SHA-1).
fn standard_key(password: &str) -> Vec<u8> {
    let spun = spin::<Sha1>(&PASSWORD_SALT, password, STANDARD_SPIN_COUNT);
    let h_final = Sha1::new()
        .chain_update(&spun)
        .chain_update(0u32.to_le_bytes())
        .finalize();
    let pad = |byte: u8| {
        let mut buffer = [byte; 64];
        for (b, h) in buffer.iter_mut().zip(h_final.iter()) {
            *b ^= h;
        }
        Sha1::digest(buffer).to_vec()
    };
    let mut key = pad(0x36);
    key.extend(pad(0x5C));
    key.truncate(16);
    key
}

/// `H0 = H(salt + password)`, `Hn = H(n - 1 + Hn-1)`, `count` times.
fn spin<D: Digest>(salt: &[u8], password: &str, count: u32) -> Vec<u8> {
    let mut h = D::new()
        .chain_update(salt)
        .chain_update(utf16le(password))
        .finalize();
    for iterator in 0..count {
        h = D::new()
            .chain_update(iterator.to_le_bytes())
            .chain_update(&h)
            .finalize();
    }
    h.to_vec()
}

/// The IV of a package segment or of the integrity values: `SHA-512(keyData salt + block)`
/// cut to one AES block.
fn key_data_iv(block: &[u8]) -> Vec<u8> {
    fit(
        Sha512::new()
            .chain_update(KEY_DATA_SALT)
            .chain_update(block)
            .finalize()
            .to_vec(),
        16,
    )
}

fn fit(mut bytes: Vec<u8>, len: usize) -> Vec<u8> {
    bytes.resize(len, 0x36);
    bytes
}

fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// `data` zero-padded to whole AES blocks.
fn padded(data: &[u8]) -> Vec<u8> {
    let mut buffer = data.to_vec();
    buffer.resize(data.len().div_ceil(16) * 16, 0);
    buffer
}

/// AES-CBC (key of 16 or 32 bytes) over `data` zero-padded to whole blocks.
fn cbc_encrypt(key: &[u8], iv: &[u8], data: &[u8]) -> Vec<u8> {
    let mut buffer = padded(data);
    let (blocks, _) = Array::<u8, U16>::slice_as_chunks_mut(&mut buffer);
    match key.len() {
        16 => cbc::Encryptor::<aes::Aes128>::new_from_slices(key, iv)
            .expect("AES-128 key")
            .encrypt_blocks(blocks),
        _ => cbc::Encryptor::<aes::Aes256>::new_from_slices(key, iv)
            .expect("AES-256 key")
            .encrypt_blocks(blocks),
    }
    buffer
}

/// AES-128-ECB over `data` zero-padded to whole blocks.
fn ecb_encrypt(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut buffer = padded(data);
    let (blocks, _) = Array::<u8, U16>::slice_as_chunks_mut(&mut buffer);
    aes::Aes128::new_from_slice(key)
        .expect("AES-128 key")
        .encrypt_blocks(blocks);
    buffer
}

/// A length-prefixed UTF-16LE string padded to 4 bytes (`UNICODE-LP-P4`, [MS-OFFCRYPTO] 2.1.2).
fn unicode_lp_p4(text: &str) -> Vec<u8> {
    let chars = utf16le(text);
    let mut out = (chars.len() as u32).to_le_bytes().to_vec();
    out.extend(&chars);
    out.resize(out.len().div_ceil(4) * 4, 0);
    out
}

/// The compound file: `\x06DataSpaces` (2.1: one data space, the strong encryption transform,
/// applied to `EncryptedPackage`), `EncryptionInfo` and `EncryptedPackage`.
pub fn compound_file(info: &[u8], package: &[u8]) -> Vec<u8> {
    let version = [
        unicode_lp_p4("Microsoft.Container.DataSpaces"),
        [1u8, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0].to_vec(),
    ]
    .concat();
    let mut map_entry = 1u32.to_le_bytes().to_vec(); // ReferenceComponentCount
    map_entry.extend(0u32.to_le_bytes()); // ReferenceComponentType: stream
    map_entry.extend(unicode_lp_p4("EncryptedPackage"));
    map_entry.extend(unicode_lp_p4("StrongEncryptionDataSpace"));
    let mut map = [8u32.to_le_bytes(), 1u32.to_le_bytes()].concat();
    map.extend((map_entry.len() as u32 + 4).to_le_bytes());
    map.extend(map_entry);
    let mut definition = [8u32.to_le_bytes(), 1u32.to_le_bytes()].concat();
    definition.extend(unicode_lp_p4("StrongEncryptionTransform"));
    let transform_id = unicode_lp_p4("{FF9A3F03-56EF-4613-BDD5-5A41C1D07246}");
    let mut primary = ((8 + transform_id.len()) as u32).to_le_bytes().to_vec();
    primary.extend(1u32.to_le_bytes()); // TransformType
    primary.extend(transform_id);
    primary.extend(unicode_lp_p4("Microsoft.Container.EncryptionTransform"));
    primary.extend([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]); // reader, updater, writer 1.0
    // EncryptionTransformInfo: empty name, block size 0, cipher mode 0, reserved 4.
    for value in [0u32, 0, 0, 4] {
        primary.extend(value.to_le_bytes());
    }

    // Version 3 (512-byte sectors), as Office writes.
    let mut file =
        cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))
            .expect("in-memory CFB");
    // Office leaves storage times at zero; the cfb crate stamps the clock unless told.
    let zero_time = UNIX_EPOCH - Duration::from_secs(11_644_473_600);
    for storage in [
        "/\u{6}DataSpaces",
        "/\u{6}DataSpaces/DataSpaceInfo",
        "/\u{6}DataSpaces/TransformInfo",
        "/\u{6}DataSpaces/TransformInfo/StrongEncryptionTransform",
    ] {
        file.create_storage(storage).expect("new storage");
        file.set_created_time(storage, zero_time)
            .expect("storage time");
        file.set_modified_time(storage, zero_time)
            .expect("storage time");
    }
    let streams: [(&str, &[u8]); 6] = [
        ("/\u{6}DataSpaces/Version", &version),
        ("/\u{6}DataSpaces/DataSpaceMap", &map),
        (
            "/\u{6}DataSpaces/DataSpaceInfo/StrongEncryptionDataSpace",
            &definition,
        ),
        (
            "/\u{6}DataSpaces/TransformInfo/StrongEncryptionTransform/\u{6}Primary",
            &primary,
        ),
        ("/EncryptionInfo", info),
        ("/EncryptedPackage", package),
    ];
    for (path, bytes) in streams {
        file.create_stream(path)
            .expect("new stream")
            .write_all(bytes)
            .expect("in-memory write");
    }
    file.flush().expect("in-memory flush");
    file.into_inner().into_inner()
}
