//! The FilePass record of an encrypted workbook ([MS-XLS] 2.4.117) and the RC4 keys it leads to
//! ([MS-OFFCRYPTO] 2.3.6 Office binary RC4, 2.3.5 RC4 CryptoAPI).
//!
//! Excel encrypts a workbook that has no password to open with the built-in password
//! `VelvetSweatshop` (a workbook protected against changes only, for instance). Such files open
//! without a prompt, so their content is as live as a plain file's, and the malicious samples
//! use this to hide DDE links from scanners. [`FilePass::open`] checks a password against the
//! verifier stored in the record and returns the per-block key derivation: RC4 with MD5 for the
//! Office 97/2000 scheme (header version 1.1), RC4 with SHA-1 for CryptoAPI (versions 2.2, 3.2,
//! 4.2). XOR obfuscation (encryption type 0) is recognised but not opened. The ciphers and
//! hashes come from the RustCrypto crates.
//!
//! [MS-XLS]: https://learn.microsoft.com/openspecs/office_file_formats/ms-xls
//! [MS-OFFCRYPTO]: https://learn.microsoft.com/openspecs/office_file_formats/ms-offcrypto

use md5::{Digest, Md5};
use rc4::{KeyInit, Rc4, StreamCipher};
use sha1::Sha1;

use super::records::{u16_at, u32_at};

/// The password Excel uses when a workbook has none to open (the scan takes its passwords from
/// the profile; tests use this one).
#[cfg(test)]
pub(crate) const VELVET_SWEATSHOP: &str = "VelvetSweatshop";

/// CryptoAPI `AlgID` of RC4.
const CALG_RC4: u32 = 0x6801;
/// CryptoAPI `AlgIDHash` of SHA-1.
const CALG_SHA1: u32 = 0x8004;

/// How a workbook is protected, as its FilePass record says.
#[derive(Clone, Debug, Eq, PartialEq)]
pub(super) enum FilePass {
    /// XOR obfuscation ([MS-OFFCRYPTO] 2.3.7): not opened by this version.
    Xor,
    /// Office 97/2000 binary RC4 ([MS-OFFCRYPTO] 2.3.6.1).
    Rc4 {
        /// `Salt`.
        salt: [u8; 16],
        /// `EncryptedVerifier`.
        verifier: [u8; 16],
        /// `EncryptedVerifierHash` (MD5).
        verifier_hash: [u8; 16],
    },
    /// RC4 CryptoAPI ([MS-OFFCRYPTO] 2.3.5.1).
    CryptoApi {
        /// `KeySize` in bits (0 in the file means 40).
        key_bits: u32,
        /// `Salt`.
        salt: Vec<u8>,
        /// `EncryptedVerifier`.
        verifier: [u8; 16],
        /// `EncryptedVerifierHash` (SHA-1, 20 bytes).
        verifier_hash: Vec<u8>,
    },
    /// A scheme or header this version does not read, described.
    Unsupported(String),
}

impl FilePass {
    /// Reads the data of a FilePass record.
    pub fn parse(data: &[u8]) -> FilePass {
        match u16_at(data, 0) {
            Some(0) => FilePass::Xor,
            Some(1) => parse_rc4(data)
                .unwrap_or_else(|| FilePass::Unsupported("RC4 (damaged FilePass)".to_owned())),
            Some(other) => FilePass::Unsupported(format!("encryption type 0x{other:04X}")),
            None => FilePass::Unsupported("damaged FilePass".to_owned()),
        }
    }

    /// The scheme's name for the report.
    pub fn scheme(&self) -> String {
        match self {
            FilePass::Xor => "XOR obfuscation".to_owned(),
            FilePass::Rc4 { .. } => "RC4".to_owned(),
            FilePass::CryptoApi { .. } => "RC4 CryptoAPI".to_owned(),
            FilePass::Unsupported(what) => what.clone(),
        }
    }

    /// The block keys of the workbook when `password` is its password.
    pub fn open(&self, password: &str) -> Option<BlockKeys> {
        match self {
            FilePass::Rc4 {
                salt,
                verifier,
                verifier_hash,
            } => {
                let keys = BlockKeys::rc4(password, salt);
                let (plain, hash) = decrypt_verifier(&keys, verifier, verifier_hash)?;
                (Md5::digest(plain).as_slice() == hash.as_slice()).then_some(keys)
            }
            FilePass::CryptoApi {
                key_bits,
                salt,
                verifier,
                verifier_hash,
            } => {
                let keys = BlockKeys::crypto_api(password, salt, *key_bits)?;
                let (plain, hash) = decrypt_verifier(&keys, verifier, verifier_hash)?;
                (Some(Sha1::digest(plain).as_slice()) == hash.get(..20)).then_some(keys)
            }
            FilePass::Xor | FilePass::Unsupported(_) => None,
        }
    }
}

/// The verifier and its hash decrypted with the key of block 0, as one RC4 stream.
fn decrypt_verifier(
    keys: &BlockKeys,
    verifier: &[u8; 16],
    hash: &[u8],
) -> Option<([u8; 16], Vec<u8>)> {
    let mut cipher = keys.cipher(0)?;
    let mut plain = *verifier;
    cipher.apply_keystream(&mut plain);
    let mut plain_hash = hash.to_vec();
    cipher.apply_keystream(&mut plain_hash);
    Some((plain, plain_hash))
}

/// `EncryptionInfo` of an RC4 FilePass: the version decides between the two headers.
fn parse_rc4(data: &[u8]) -> Option<FilePass> {
    let major = u16_at(data, 2)?;
    let minor = u16_at(data, 4)?;
    let fixed =
        |offset: usize| -> Option<[u8; 16]> { data.get(offset..offset + 16)?.try_into().ok() };
    match (major, minor) {
        (1, 1) => Some(FilePass::Rc4 {
            salt: fixed(6)?,
            verifier: fixed(22)?,
            verifier_hash: fixed(38)?,
        }),
        (2..=4, 2) => Some(parse_crypto_api(data)),
        _ => Some(FilePass::Unsupported(format!(
            "RC4 encryption header version {major}.{minor}"
        ))),
    }
}

/// The RC4 CryptoAPI header: flags, header size, `EncryptionHeader`, `EncryptionVerifier`.
fn parse_crypto_api(data: &[u8]) -> FilePass {
    let damaged = || FilePass::Unsupported("RC4 CryptoAPI (damaged FilePass)".to_owned());
    let header = 14;
    let (Some(header_size), Some(alg_id), Some(alg_hash), Some(key_size)) = (
        u32_at(data, 10),
        u32_at(data, header + 8),
        u32_at(data, header + 12),
        u32_at(data, header + 16),
    ) else {
        return damaged();
    };
    if !matches!(alg_id, 0 | CALG_RC4) || !matches!(alg_hash, 0 | CALG_SHA1) {
        return FilePass::Unsupported(format!(
            "CryptoAPI with algorithm 0x{alg_id:04X} and hash 0x{alg_hash:04X}"
        ));
    }
    let key_bits = if key_size == 0 { 40 } else { key_size };
    if !(40..=128).contains(&key_bits) || key_bits % 8 != 0 {
        return FilePass::Unsupported(format!("RC4 CryptoAPI with a {key_bits}-bit key"));
    }
    let verifier = usize::try_from(header_size)
        .ok()
        .and_then(|size| header.checked_add(size));
    let parsed = verifier.and_then(|at| {
        let salt_size = usize::try_from(u32_at(data, at)?).ok()?;
        let salt_start = at.checked_add(4)?;
        let salt_end = salt_start.checked_add(salt_size)?;
        let salt = data.get(salt_start..salt_end)?.to_vec();
        let verifier_end = salt_end.checked_add(16)?;
        let verifier: [u8; 16] = data.get(salt_end..verifier_end)?.try_into().ok()?;
        let hash_size = usize::try_from(u32_at(data, verifier_end)?).ok()?;
        let hash_start = verifier_end.checked_add(4)?;
        let verifier_hash = data
            .get(hash_start..hash_start.checked_add(hash_size)?)?
            .to_vec();
        Some(FilePass::CryptoApi {
            key_bits,
            salt,
            verifier,
            verifier_hash,
        })
    });
    parsed.unwrap_or_else(damaged)
}

/// The per-block RC4 key derivation of an opened workbook: the stream is encrypted in blocks
/// of 1,024 bytes, each with its own key made from the block number.
#[derive(Clone, Debug)]
pub(crate) enum BlockKeys {
    /// Office binary RC4: key = MD5(H1[0..5] + block), H1 = MD5(16 × (MD5(password)[0..5] + salt)).
    Rc4 {
        /// The first 5 bytes of H1.
        truncated: [u8; 5],
    },
    /// RC4 CryptoAPI: key = SHA-1(H0 + block)[0..KeySize], H0 = SHA-1(salt + password); a
    /// 40-bit key is padded with zeros to 128 bits.
    CryptoApi {
        /// H0.
        h0: [u8; 20],
        /// Key length in bytes (16 for a 40-bit key, which is zero-padded).
        key_len: usize,
        /// Bytes of the hash used (5 for a 40-bit key, else `key_len`).
        used: usize,
    },
}

impl BlockKeys {
    /// Office binary RC4 keys for `password` and `salt`.
    pub fn rc4(password: &str, salt: &[u8; 16]) -> BlockKeys {
        let h0 = Md5::digest(utf16le(password));
        let mut buffer = Vec::with_capacity(16 * 21);
        for _ in 0..16 {
            buffer.extend_from_slice(h0.get(..5).unwrap_or_default());
            buffer.extend_from_slice(salt);
        }
        let h1 = Md5::digest(&buffer);
        let mut truncated = [0; 5];
        for (out, byte) in truncated.iter_mut().zip(h1.iter()) {
            *out = *byte;
        }
        BlockKeys::Rc4 { truncated }
    }

    /// RC4 CryptoAPI keys for `password`, `salt` and a key of `key_bits` (40 to 128).
    pub fn crypto_api(password: &str, salt: &[u8], key_bits: u32) -> Option<BlockKeys> {
        let mut hasher = Sha1::new();
        hasher.update(salt);
        hasher.update(utf16le(password));
        let h0: [u8; 20] = hasher.finalize().into();
        let used = usize::try_from(key_bits / 8).ok()?;
        if !(5..=16).contains(&used) {
            return None;
        }
        let key_len = if used == 5 { 16 } else { used };
        Some(BlockKeys::CryptoApi { h0, key_len, used })
    }

    /// A fresh RC4 cipher for block `block`.
    pub fn cipher(&self, block: u32) -> Option<Rc4> {
        let block = block.to_le_bytes();
        let key: Vec<u8> = match self {
            BlockKeys::Rc4 { truncated } => {
                let mut hasher = Md5::new();
                hasher.update(truncated);
                hasher.update(block);
                hasher.finalize().to_vec()
            }
            BlockKeys::CryptoApi { h0, key_len, used } => {
                let mut hasher = Sha1::new();
                hasher.update(h0);
                hasher.update(block);
                let hash = hasher.finalize();
                let mut key = hash.get(..*used)?.to_vec();
                key.resize(*key_len, 0);
                key
            }
        };
        Rc4::new_from_slice(&key).ok()
    }
}

/// `text` as UTF-16LE bytes.
fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn office_rc4_opens_with_velvet_sweatshop_only() {
        let salt = [0x5Au8; 16];
        let keys = BlockKeys::rc4(VELVET_SWEATSHOP, &salt);
        let verifier = *b"0123456789abcdef";
        let mut block = verifier.to_vec();
        block.extend(Md5::digest(verifier));
        keys.cipher(0).unwrap().apply_keystream(&mut block);
        let mut data = vec![1, 0, 1, 0, 1, 0];
        data.extend(salt);
        data.extend(&block);
        let pass = FilePass::parse(&data);
        assert_eq!(pass.scheme(), "RC4");
        assert!(pass.open(VELVET_SWEATSHOP).is_some());
        assert!(pass.open("password").is_none());
        assert_eq!(
            FilePass::parse(&data[..40]).scheme(),
            "RC4 (damaged FilePass)"
        );
    }

    #[test]
    fn crypto_api_header_is_read_and_a_40_bit_key_is_padded() {
        let salt = [7u8; 16];
        let keys = BlockKeys::crypto_api(VELVET_SWEATSHOP, &salt, 40).unwrap();
        let BlockKeys::CryptoApi { key_len, used, .. } = keys else {
            panic!()
        };
        assert_eq!((key_len, used), (16, 5));
        let verifier = *b"fedcba9876543210";
        let mut block = verifier.to_vec();
        block.extend(Sha1::digest(verifier));
        keys.cipher(0).unwrap().apply_keystream(&mut block);

        let csp = utf16le("Microsoft Base Cryptographic Provider v1.0\0");
        let mut data = vec![1, 0, 2, 0, 2, 0];
        data.extend(4u32.to_le_bytes());
        data.extend((32 + csp.len() as u32).to_le_bytes());
        for field in [4, 0, CALG_RC4, CALG_SHA1, 40, 1, 0, 0] {
            data.extend(u32::to_le_bytes(field));
        }
        data.extend(&csp);
        data.extend(16u32.to_le_bytes());
        data.extend(salt);
        data.extend(&block[..16]);
        data.extend(20u32.to_le_bytes());
        data.extend(&block[16..]);
        let pass = FilePass::parse(&data);
        assert_eq!(pass.scheme(), "RC4 CryptoAPI");
        assert!(pass.open(VELVET_SWEATSHOP).is_some());
        assert!(pass.open("velvetsweatshop").is_none());

        data[14 + 8] = 0x10; // AlgID 0x6810: AES
        assert_eq!(
            FilePass::parse(&data).scheme(),
            "CryptoAPI with algorithm 0x6810 and hash 0x8004"
        );
        assert_eq!(
            FilePass::parse(&data[..30]).scheme(),
            "RC4 CryptoAPI (damaged FilePass)"
        );
    }

    #[test]
    fn other_schemes_are_named() {
        assert_eq!(FilePass::parse(&[0, 0, 1, 2, 3, 4]), FilePass::Xor);
        assert_eq!(FilePass::parse(&[0, 0]).scheme(), "XOR obfuscation");
        assert_eq!(FilePass::parse(&[2, 0]).scheme(), "encryption type 0x0002");
        assert_eq!(
            FilePass::parse(&[1, 0, 5, 0, 1, 0]).scheme(),
            "RC4 encryption header version 5.1"
        );
        assert_eq!(FilePass::parse(&[1]).scheme(), "damaged FilePass");
        assert!(FilePass::Xor.open(VELVET_SWEATSHOP).is_none());
    }
}
