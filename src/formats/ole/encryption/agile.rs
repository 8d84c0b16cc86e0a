//! ECMA-376 Agile Encryption ([MS-OFFCRYPTO] 2.3.4.10 to 2.3.4.15): the XML `EncryptionInfo` of
//! Office 2010 and later (version 4.4).
//!
//! The XML descriptor names the cipher (AES in CBC mode), the hash (SHA-1 in Office 2010,
//! SHA-512 since 2013) and a spin count. `keyData` describes how the package itself is
//! encrypted; the password key encryptor (`p:encryptedKey`) holds the secret key encrypted with a
//! key derived from the password, plus a verifier (a random input and its hash, each encrypted)
//! that tells whether a password is right. The package is decrypted in 4096-byte segments, each
//! with an IV hashed from the `keyData` salt and the segment's index.
//!
//! The `dataIntegrity` HMAC is not checked: the verifier already proves the password, and a
//! package whose HMAC does not match is still what Excel or Word would refuse to open but a
//! scanner must read all the same.
//!
//! [MS-OFFCRYPTO]: https://learn.microsoft.com/openspecs/office_file_formats/ms-offcrypto

use crate::formats::xml_reader::attribute;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use quick_xml::events::{BytesStart, Event};

use super::InfoError;
use super::primitives::{AES_BLOCK, BadKeyLength, HashAlgorithm, aes_cbc_decrypt, fit, utf16le};

/// Block keys of 2.3.4.13 (verifier input, verifier hash) and 2.3.4.14 (secret key).
const BLOCK_VERIFIER_INPUT: [u8; 8] = [0xFE, 0xA7, 0xD2, 0x76, 0x3B, 0x4B, 0x9E, 0x79];
const BLOCK_VERIFIER_HASH: [u8; 8] = [0xD7, 0xAA, 0x0F, 0x6D, 0x30, 0x61, 0x34, 0x4E];
const BLOCK_KEY_VALUE: [u8; 8] = [0x14, 0x6E, 0x0B, 0xE7, 0xAB, 0xAC, 0xD0, 0xD6];
/// The package is encrypted in segments of this size (2.3.4.15).
const SEGMENT_LEN: usize = 4096;
/// The largest spin count the specification allows (2.3.4.11).
const MAX_SPIN_COUNT: u32 = 10_000_000;
/// The largest salt the specification allows (`saltSize`, 1 to 65,536).
const MAX_SALT_LEN: usize = 65_536;

/// How something is encrypted: one `keyData` or `encryptedKey` element.
#[derive(Clone, Debug)]
struct CipherParams {
    /// `saltValue`.
    salt: Vec<u8>,
    /// AES key length in bytes, from `keyBits`.
    key_len: usize,
    /// `hashAlgorithm`.
    hash: HashAlgorithm,
}

/// The password key encryptor (`p:encryptedKey`).
#[derive(Clone, Debug)]
struct PasswordKey {
    params: CipherParams,
    spin_count: u32,
    encrypted_verifier_hash_input: Vec<u8>,
    encrypted_verifier_hash_value: Vec<u8>,
    encrypted_key_value: Vec<u8>,
}

/// What an Agile `EncryptionInfo` says, checked.
#[derive(Clone, Debug)]
pub(super) struct AgileInfo {
    key_data: CipherParams,
    password: PasswordKey,
}

impl AgileInfo {
    /// Reads the XML descriptor (the stream after its 8-byte version and reserved field).
    pub(super) fn parse(xml: &[u8]) -> Result<AgileInfo, InfoError> {
        let xml = xml.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(xml);
        let text = std::str::from_utf8(xml)
            .map_err(|err| InfoError::Invalid(format!("Agile descriptor is not UTF-8 ({err})")))?;
        let mut reader = quick_xml::Reader::from_str(text);
        let mut key_data = None;
        let mut password = None;
        let mut certificate = false;
        loop {
            match reader.read_event() {
                Ok(Event::Start(e) | Event::Empty(e)) => match e.local_name().as_ref() {
                    "keyData" if key_data.is_none() => {
                        key_data = Some(cipher_params(&e, "keyData")?);
                    }
                    // A password key encryptor carries a verifier; a certificate one does not.
                    // The first password key encryptor is the one used.
                    "encryptedKey" if attribute(&e, "encryptedVerifierHashInput").is_none() => {
                        certificate = true;
                    }
                    "encryptedKey" if password.is_none() => {
                        password = Some(password_key(&e)?);
                    }
                    _ => {}
                },
                Ok(Event::Eof) => break,
                Ok(_) => {}
                Err(err) => {
                    return Err(InfoError::Invalid(format!(
                        "Agile descriptor XML unreadable at offset {:#x}: {err}",
                        reader.error_position()
                    )));
                }
            }
        }
        let key_data = key_data
            .ok_or_else(|| InfoError::Invalid("Agile descriptor has no keyData".to_owned()))?;
        let password = password.ok_or_else(|| {
            if certificate {
                InfoError::Unsupported(
                    "Agile encryption to certificates only (no password key encryptor)".to_owned(),
                )
            } else {
                InfoError::Invalid("Agile descriptor has no key encryptor".to_owned())
            }
        })?;
        Ok(AgileInfo { key_data, password })
    }

    /// The secret key for `password` if the verifier accepts it (2.3.4.13, 2.3.4.14).
    pub(super) fn unlock(&self, password: &str) -> Option<Vec<u8>> {
        let encryptor = &self.password;
        let params = &encryptor.params;
        let hash = params.hash;
        let spun = hash.spin(&params.salt, &utf16le(password), encryptor.spin_count);
        let key = |block: &[u8]| fit(hash.hash(&[&spun, block]), params.key_len);
        let iv = fit(params.salt.clone(), AES_BLOCK);
        let decrypt = |block: &[u8], encrypted: &[u8]| {
            let mut plain = encrypted.to_vec();
            aes_cbc_decrypt(&key(block), &iv, &mut plain).ok()?;
            Some(plain)
        };
        let input = decrypt(
            &BLOCK_VERIFIER_INPUT,
            &encryptor.encrypted_verifier_hash_input,
        )?;
        let input = input.get(..params.salt.len())?;
        let value = decrypt(
            &BLOCK_VERIFIER_HASH,
            &encryptor.encrypted_verifier_hash_value,
        )?;
        if value.get(..hash.len())? != hash.hash(&[input]).as_slice() {
            return None;
        }
        let secret = decrypt(&BLOCK_KEY_VALUE, &encryptor.encrypted_key_value)?;
        Some(secret.get(..self.key_data.key_len)?.to_vec())
    }

    /// Decrypts the `EncryptedPackage` data (after its size field) in place, segment by segment
    /// (2.3.4.15).
    pub(super) fn decrypt(&self, key: &[u8], data: &mut [u8]) -> Result<(), BadKeyLength> {
        let params = &self.key_data;
        for (index, segment) in data.chunks_mut(SEGMENT_LEN).enumerate() {
            // A package is bounded by the limits far below 2^32 segments (16 TiB).
            let Ok(index) = u32::try_from(index) else {
                break;
            };
            let iv = fit(
                params.hash.hash(&[&params.salt, &index.to_le_bytes()]),
                AES_BLOCK,
            );
            aes_cbc_decrypt(key, &iv, segment)?;
        }
        Ok(())
    }
}

/// The cipher, hash, key length and salt of a `keyData` or `encryptedKey` element.
fn cipher_params(e: &BytesStart<'_>, element: &str) -> Result<CipherParams, InfoError> {
    let get = |name: &str| {
        attribute(e, name)
            .ok_or_else(|| InfoError::Invalid(format!("{element} has no {name} attribute")))
    };
    let cipher = get("cipherAlgorithm")?;
    if cipher != "AES" {
        return Err(InfoError::Unsupported(format!(
            "Agile encryption with cipher {cipher}"
        )));
    }
    let chaining = get("cipherChaining")?;
    if chaining != "ChainingModeCBC" {
        return Err(InfoError::Unsupported(format!(
            "Agile encryption with chaining {chaining}"
        )));
    }
    let hash_name = get("hashAlgorithm")?;
    let hash = HashAlgorithm::from_name(&hash_name)
        .ok_or_else(|| InfoError::Unsupported(format!("Agile encryption with hash {hash_name}")))?;
    let key_len = match get("keyBits")?.as_str() {
        "128" => 16,
        "192" => 24,
        "256" => 32,
        other => {
            return Err(InfoError::Invalid(format!(
                "{element} keyBits {other:?} is not an AES key size"
            )));
        }
    };
    if get("blockSize")? != "16" {
        return Err(InfoError::Invalid(format!(
            "{element} blockSize is not AES's 16"
        )));
    }
    let salt = base64(&get("saltValue")?, element, "saltValue")?;
    if salt.is_empty() || salt.len() > MAX_SALT_LEN {
        return Err(InfoError::Invalid(format!(
            "{element} saltValue of {} bytes (the specification allows 1 to 65536)",
            salt.len()
        )));
    }
    Ok(CipherParams {
        salt,
        key_len,
        hash,
    })
}

/// The password key encryptor's parameters, spin count and encrypted values.
fn password_key(e: &BytesStart<'_>) -> Result<PasswordKey, InfoError> {
    const ELEMENT: &str = "encryptedKey";
    let params = cipher_params(e, ELEMENT)?;
    let spin = attribute(e, "spinCount")
        .ok_or_else(|| InfoError::Invalid("encryptedKey has no spinCount attribute".to_owned()))?;
    let spin_count = spin
        .parse::<u32>()
        .ok()
        .filter(|count| *count <= MAX_SPIN_COUNT)
        .ok_or_else(|| {
            InfoError::Invalid(format!(
                "encryptedKey spinCount {spin:?} is not a number up to 10,000,000"
            ))
        })?;
    let encrypted = |name: &str| {
        let value = attribute(e, name)
            .ok_or_else(|| InfoError::Invalid(format!("encryptedKey has no {name} attribute")))?;
        base64(&value, ELEMENT, name)
    };
    Ok(PasswordKey {
        params,
        spin_count,
        encrypted_verifier_hash_input: encrypted("encryptedVerifierHashInput")?,
        encrypted_verifier_hash_value: encrypted("encryptedVerifierHashValue")?,
        encrypted_key_value: encrypted("encryptedKeyValue")?,
    })
}

fn base64(value: &str, element: &str, name: &str) -> Result<Vec<u8>, InfoError> {
    STANDARD
        .decode(value.trim())
        .map_err(|err| InfoError::Invalid(format!("{element} {name} is not base64: {err}")))
}
