//! ECMA-376 Standard Encryption ([MS-OFFCRYPTO] 2.3.4.5 to 2.3.4.9): the binary
//! `EncryptionInfo` of Office 2007 (version 3.2 or 4.2), AES-128/192/256 in ECB mode, keys
//! derived from the password with 50,000 rounds of SHA-1.
//!
//! Layout of the stream after the version: `Flags` (u32), `EncryptionHeaderSize` (u32), the
//! `EncryptionHeader` (flags, algorithm, hash algorithm, key size, provider, CSP name) and the
//! `EncryptionVerifier` (salt, encrypted verifier, encrypted SHA-1 of the verifier).
//!
//! [MS-OFFCRYPTO]: https://learn.microsoft.com/openspecs/office_file_formats/ms-offcrypto

use super::primitives::{BadKeyLength, HashAlgorithm, aes_ecb_decrypt, utf16le};
use super::{InfoError, bytes_at, u32_at};

/// `fExternal`: the encryption is done by an extensible provider, not by Office.
const F_EXTERNAL: u32 = 0x10;
/// `fAES`: the cipher is AES.
const F_AES: u32 = 0x20;
/// `AlgID` values of AES with 128, 192 and 256-bit keys.
const ALG_AES_128: u32 = 0x660E;
const ALG_AES_192: u32 = 0x660F;
const ALG_AES_256: u32 = 0x6610;
/// `AlgIDHash` of SHA-1 (0 means SHA-1 too).
const ALG_SHA1: u32 = 0x8004;
/// The fixed spin count of 2.3.4.7.
const SPIN_COUNT: u32 = 50_000;
/// Salt and verifier are 16 bytes; the encrypted SHA-1 of the verifier is padded to 32.
const SALT_LEN: usize = 16;
const VERIFIER_HASH_LEN: usize = 32;
/// Where the `EncryptionHeader` starts in the stream.
const HEADER_OFFSET: usize = 12;

/// What a Standard `EncryptionInfo` says, checked.
#[derive(Clone, Debug)]
pub(super) struct StandardInfo {
    /// AES key length in bytes (16, 24 or 32).
    key_len: usize,
    /// `EncryptionVerifier.Salt`.
    salt: Vec<u8>,
    /// `EncryptionVerifier.EncryptedVerifier`.
    encrypted_verifier: Vec<u8>,
    /// `EncryptionVerifier.EncryptedVerifierHash`.
    encrypted_verifier_hash: Vec<u8>,
}

impl StandardInfo {
    /// Reads the `EncryptionInfo` stream (version included).
    pub(super) fn parse(info: &[u8]) -> Result<StandardInfo, InfoError> {
        let header_size = u32_at(info, 8, "EncryptionHeaderSize")?;
        let flags = u32_at(info, HEADER_OFFSET, "EncryptionHeader.Flags")?;
        let alg_id = u32_at(info, HEADER_OFFSET + 8, "EncryptionHeader.AlgID")?;
        let alg_id_hash = u32_at(info, HEADER_OFFSET + 12, "EncryptionHeader.AlgIDHash")?;
        let key_size = u32_at(info, HEADER_OFFSET + 16, "EncryptionHeader.KeySize")?;
        if flags & F_EXTERNAL != 0 {
            return Err(InfoError::Unsupported(
                "Standard encryption by an external (extensible) provider".to_owned(),
            ));
        }
        let key_len = match alg_id {
            ALG_AES_128 => 16,
            ALG_AES_192 => 24,
            ALG_AES_256 => 32,
            // AlgID 0 leaves the cipher to the flags; with fAES it is AES of KeySize bits.
            0 if flags & F_AES != 0 => match key_size {
                192 => 24,
                256 => 32,
                _ => 16,
            },
            other => {
                return Err(InfoError::Unsupported(format!(
                    "Standard encryption with cipher AlgID {other:#06x} (only AES is defined for OOXML)"
                )));
            }
        };
        if alg_id_hash != 0 && alg_id_hash != ALG_SHA1 {
            return Err(InfoError::Unsupported(format!(
                "Standard encryption with hash AlgIDHash {alg_id_hash:#06x} (only SHA-1 is defined)"
            )));
        }
        let verifier = usize::try_from(header_size)
            .ok()
            .and_then(|size| size.checked_add(HEADER_OFFSET))
            .ok_or_else(|| {
                InfoError::Invalid(format!(
                    "EncryptionHeaderSize {header_size:#x} points past the stream"
                ))
            })?;
        let salt_size = u32_at(info, verifier, "EncryptionVerifier.SaltSize")?;
        if salt_size as usize != SALT_LEN {
            return Err(InfoError::Invalid(format!(
                "EncryptionVerifier.SaltSize at offset {verifier:#x} is {salt_size}, not 16"
            )));
        }
        let salt = bytes_at(info, verifier + 4, SALT_LEN, "EncryptionVerifier.Salt")?;
        let encrypted_verifier = bytes_at(
            info,
            verifier + 4 + SALT_LEN,
            SALT_LEN,
            "EncryptionVerifier.EncryptedVerifier",
        )?;
        let encrypted_verifier_hash = bytes_at(
            info,
            verifier + 8 + 2 * SALT_LEN,
            VERIFIER_HASH_LEN,
            "EncryptionVerifier.EncryptedVerifierHash",
        )?;
        Ok(StandardInfo {
            key_len,
            salt: salt.to_vec(),
            encrypted_verifier: encrypted_verifier.to_vec(),
            encrypted_verifier_hash: encrypted_verifier_hash.to_vec(),
        })
    }

    /// The key for `password` if the verifier accepts it (2.3.4.9).
    pub(super) fn unlock(&self, password: &str) -> Option<Vec<u8>> {
        let key = self.derive_key(password);
        let mut verifier = self.encrypted_verifier.clone();
        aes_ecb_decrypt(&key, &mut verifier).ok()?;
        let mut verifier_hash = self.encrypted_verifier_hash.clone();
        aes_ecb_decrypt(&key, &mut verifier_hash).ok()?;
        let expected = HashAlgorithm::Sha1.hash(&[&verifier]);
        (verifier_hash.get(..expected.len()) == Some(expected.as_slice())).then_some(key)
    }

    /// The encryption key of 2.3.4.7: the spun SHA-1 of the password, hashed with block 0, then
    /// stretched through the 0x36 and 0x5C pads and cut to the key length.
    fn derive_key(&self, password: &str) -> Vec<u8> {
        let sha1 = HashAlgorithm::Sha1;
        let spun = sha1.spin(&self.salt, &utf16le(password), SPIN_COUNT);
        let h_final = sha1.hash(&[&spun, &0u32.to_le_bytes()]);
        let pad = |byte: u8| {
            let mut buffer = [byte; 64];
            for (b, h) in buffer.iter_mut().zip(&h_final) {
                *b ^= h;
            }
            sha1.hash(&[&buffer])
        };
        let mut key = pad(0x36);
        key.extend(pad(0x5C));
        key.truncate(self.key_len);
        key
    }

    /// Decrypts the `EncryptedPackage` data (after its size field) in place: AES-ECB over the
    /// whole stream.
    pub(super) fn decrypt(&self, key: &[u8], data: &mut [u8]) -> Result<(), BadKeyLength> {
        aes_ecb_decrypt(key, data)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    /// A Standard EncryptionInfo with the given AlgID and flags, and a zero verifier.
    fn info(flags: u32, alg_id: u32, alg_id_hash: u32) -> Vec<u8> {
        let csp: Vec<u8> =
            super::utf16le("Microsoft Enhanced RSA and AES Cryptographic Provider\0");
        let mut header = Vec::new();
        for value in [flags, 0, alg_id, alg_id_hash, 128, 0x18, 0, 0] {
            header.extend(value.to_le_bytes());
        }
        header.extend(&csp);
        let mut out = Vec::new();
        out.extend(4u16.to_le_bytes());
        out.extend(2u16.to_le_bytes());
        out.extend(flags.to_le_bytes());
        out.extend(u32::try_from(header.len()).unwrap().to_le_bytes());
        out.extend(header);
        out.extend(16u32.to_le_bytes());
        out.extend([0xAA; 16]);
        out.extend([0xBB; 16]);
        out.extend(20u32.to_le_bytes());
        out.extend([0xCC; 32]);
        out
    }

    #[test]
    fn parses_the_header_and_verifier() {
        let parsed = StandardInfo::parse(&info(0x24, ALG_AES_256, ALG_SHA1)).unwrap();
        assert_eq!(parsed.key_len, 32);
        assert_eq!(parsed.salt, [0xAA; 16]);
        assert_eq!(parsed.encrypted_verifier, [0xBB; 16]);
        assert_eq!(parsed.encrypted_verifier_hash, [0xCC; 32]);
        let default_alg = StandardInfo::parse(&info(0x24, 0, 0)).unwrap();
        assert_eq!(default_alg.key_len, 16);
    }

    #[test]
    fn refuses_what_it_cannot_open() {
        let rc4 = StandardInfo::parse(&info(0x04, 0x6801, ALG_SHA1)).unwrap_err();
        assert_eq!(
            rc4.to_string(),
            "not supported: Standard encryption with cipher AlgID 0x6801 (only AES is defined for OOXML)"
        );
        let external = StandardInfo::parse(&info(0x34, ALG_AES_128, ALG_SHA1)).unwrap_err();
        assert!(matches!(external, InfoError::Unsupported(_)), "{external}");
        let md5 = StandardInfo::parse(&info(0x24, ALG_AES_128, 0x8003)).unwrap_err();
        assert!(md5.to_string().contains("AlgIDHash 0x8003"), "{md5}");
    }

    #[test]
    fn truncated_verifier_names_the_field_and_offset() {
        let mut bytes = info(0x24, ALG_AES_128, ALG_SHA1);
        bytes.truncate(bytes.len() - 1);
        let err = StandardInfo::parse(&bytes).unwrap_err().to_string();
        assert!(
            err.starts_with("EncryptionVerifier.EncryptedVerifierHash at offset 0x"),
            "{err}"
        );
        let mut bytes = info(0x24, ALG_AES_128, ALG_SHA1);
        bytes[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(StandardInfo::parse(&bytes).is_err());
    }

    #[test]
    fn wrong_password_is_refused_by_the_verifier() {
        let parsed = StandardInfo::parse(&info(0x24, ALG_AES_128, ALG_SHA1)).unwrap();
        assert_eq!(parsed.unlock("VelvetSweatshop"), None);
    }
}
