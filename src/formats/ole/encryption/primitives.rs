//! The cryptographic building blocks of Office encryption ([MS-OFFCRYPTO] 2.3.4), over the
//! maintained RustCrypto crates (`sha1`, `sha2`, `aes`, `cbc`): no primitive is written here.
//!
//! What this file adds is the run-time choice the format needs: the hash algorithm is named by
//! the file (`SHA1`, `SHA512`, ...) and the AES key length by its key size, so both are enums or
//! functions that dispatch to the crates' static types.
//!
//! [MS-OFFCRYPTO]: https://learn.microsoft.com/openspecs/office_file_formats/ms-offcrypto

use aes::cipher::{Array, BlockCipherDecrypt, BlockModeDecrypt, KeyInit, KeyIvInit, consts::U16};
use sha2::Digest;

/// AES works on 16-byte blocks, whatever the key length.
pub(super) const AES_BLOCK: usize = 16;

/// A hash algorithm an encryption descriptor may name.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(super) enum HashAlgorithm {
    /// SHA-1 (Standard encryption, Office 2010 Agile).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512 (Office 2013 and later Agile).
    Sha512,
}

impl HashAlgorithm {
    /// The algorithm of an Agile `hashAlgorithm` attribute ([MS-OFFCRYPTO] 2.3.4.10), or `None`
    /// for the ones this version does not support (MD5, MD4, RIPEMD-160, ...).
    pub(super) fn from_name(name: &str) -> Option<HashAlgorithm> {
        match name {
            "SHA1" | "SHA-1" => Some(HashAlgorithm::Sha1),
            "SHA256" => Some(HashAlgorithm::Sha256),
            "SHA384" => Some(HashAlgorithm::Sha384),
            "SHA512" => Some(HashAlgorithm::Sha512),
            _ => None,
        }
    }

    /// The digest length in bytes.
    pub(super) fn len(self) -> usize {
        match self {
            HashAlgorithm::Sha1 => 20,
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
            HashAlgorithm::Sha512 => 64,
        }
    }

    /// The digest of the concatenation of `parts`.
    pub(super) fn hash(self, parts: &[&[u8]]) -> Vec<u8> {
        match self {
            HashAlgorithm::Sha1 => hash::<sha1::Sha1>(parts),
            HashAlgorithm::Sha256 => hash::<sha2::Sha256>(parts),
            HashAlgorithm::Sha384 => hash::<sha2::Sha384>(parts),
            HashAlgorithm::Sha512 => hash::<sha2::Sha512>(parts),
        }
    }

    /// The iterated password hash of [MS-OFFCRYPTO] 2.3.4.7 and 2.3.4.11:
    /// `H0 = H(salt + password)`, then `Hn = H(n - 1 as u32 LE + Hn-1)` `spin_count` times.
    /// `password` is already UTF-16LE.
    pub(super) fn spin(self, salt: &[u8], password: &[u8], spin_count: u32) -> Vec<u8> {
        match self {
            HashAlgorithm::Sha1 => spin::<sha1::Sha1>(salt, password, spin_count),
            HashAlgorithm::Sha256 => spin::<sha2::Sha256>(salt, password, spin_count),
            HashAlgorithm::Sha384 => spin::<sha2::Sha384>(salt, password, spin_count),
            HashAlgorithm::Sha512 => spin::<sha2::Sha512>(salt, password, spin_count),
        }
    }
}

fn hash<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
    let mut digest = D::new();
    for part in parts {
        digest.update(part);
    }
    digest.finalize().to_vec()
}

fn spin<D: Digest>(salt: &[u8], password: &[u8], spin_count: u32) -> Vec<u8> {
    let mut h = D::new()
        .chain_update(salt)
        .chain_update(password)
        .finalize();
    for iterator in 0..spin_count {
        h = D::new()
            .chain_update(iterator.to_le_bytes())
            .chain_update(&h)
            .finalize();
    }
    h.to_vec()
}

/// A password as Office hashes it: UTF-16LE, no terminator.
pub(super) fn utf16le(password: &str) -> Vec<u8> {
    password.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// `bytes` cut or padded with 0x36 to `len` bytes, as [MS-OFFCRYPTO] 2.3.4.11 and 2.3.4.12 size
/// derived keys and initialization vectors.
pub(super) fn fit(mut bytes: Vec<u8>, len: usize) -> Vec<u8> {
    bytes.resize(len, 0x36);
    bytes
}

/// A key of a length AES does not have (16, 24 or 32 bytes), or an IV that is not one block.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(super) struct BadKeyLength;

/// Decrypts `data` in place with AES in ECB mode (Standard encryption). A trailing partial
/// block is left as it is.
pub(super) fn aes_ecb_decrypt(key: &[u8], data: &mut [u8]) -> Result<(), BadKeyLength> {
    match key.len() {
        16 => ecb::<aes::Aes128>(key, data),
        24 => ecb::<aes::Aes192>(key, data),
        32 => ecb::<aes::Aes256>(key, data),
        _ => Err(BadKeyLength),
    }
}

fn ecb<C>(key: &[u8], data: &mut [u8]) -> Result<(), BadKeyLength>
where
    C: BlockCipherDecrypt<BlockSize = U16> + KeyInit,
{
    let cipher = C::new_from_slice(key).map_err(|_| BadKeyLength)?;
    let (blocks, _partial) = Array::<u8, U16>::slice_as_chunks_mut(data);
    cipher.decrypt_blocks(blocks);
    Ok(())
}

/// Decrypts `data` in place with AES in CBC mode (Agile encryption), without padding. A
/// trailing partial block is left as it is.
pub(super) fn aes_cbc_decrypt(key: &[u8], iv: &[u8], data: &mut [u8]) -> Result<(), BadKeyLength> {
    match key.len() {
        16 => cbc::<aes::Aes128>(key, iv, data),
        24 => cbc::<aes::Aes192>(key, iv, data),
        32 => cbc::<aes::Aes256>(key, iv, data),
        _ => Err(BadKeyLength),
    }
}

fn cbc<C>(key: &[u8], iv: &[u8], data: &mut [u8]) -> Result<(), BadKeyLength>
where
    C: BlockCipherDecrypt<BlockSize = U16> + KeyInit,
{
    let mut mode = cbc::Decryptor::<C>::new_from_slices(key, iv).map_err(|_| BadKeyLength)?;
    let (blocks, _partial) = Array::<u8, U16>::slice_as_chunks_mut(data);
    mode.decrypt_blocks(blocks);
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::digest::hex;

    #[test]
    fn hashes_match_known_digests() {
        assert_eq!(
            hex(&HashAlgorithm::Sha1.hash(&[b"a", b"bc"])),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(HashAlgorithm::Sha512.hash(&[b"abc"]).len(), 64);
        assert_eq!(
            HashAlgorithm::from_name("SHA384"),
            Some(HashAlgorithm::Sha384)
        );
        assert_eq!(HashAlgorithm::from_name("MD5"), None);
    }

    #[test]
    fn zero_spins_is_the_salted_hash() {
        let salted = HashAlgorithm::Sha1.hash(&[b"salt", b"p\0w\0"]);
        assert_eq!(HashAlgorithm::Sha1.spin(b"salt", &utf16le("pw"), 0), salted);
        let once = HashAlgorithm::Sha1.hash(&[&0u32.to_le_bytes(), &salted]);
        assert_eq!(HashAlgorithm::Sha1.spin(b"salt", &utf16le("pw"), 1), once);
    }

    #[test]
    fn aes_decrypts_the_fips_197_vectors() {
        // FIPS-197 appendix C.1 and C.3.
        let plain = "00112233445566778899aabbccddeeff";
        let key128: Vec<u8> = (0u8..16).collect();
        let mut block = *b"\x69\xc4\xe0\xd8\x6a\x7b\x04\x30\xd8\xcd\xb7\x80\x70\xb4\xc5\x5a";
        aes_ecb_decrypt(&key128, &mut block).unwrap();
        assert_eq!(hex(&block), plain);
        let key256: Vec<u8> = (0u8..32).collect();
        let mut block = *b"\x8e\xa2\xb7\xca\x51\x67\x45\xbf\xea\xfc\x49\x90\x4b\x49\x60\x89";
        aes_ecb_decrypt(&key256, &mut block).unwrap();
        assert_eq!(hex(&block), plain);
        assert_eq!(aes_ecb_decrypt(&[0; 15], &mut block), Err(BadKeyLength));
    }

    #[test]
    fn cbc_chains_blocks_and_keeps_a_partial_tail() {
        // Two equal ciphertext blocks decrypt to different plaintexts under CBC.
        let key = [7u8; 16];
        let iv = [1u8; 16];
        let mut data = [9u8; 35];
        aes_cbc_decrypt(&key, &iv, &mut data).unwrap();
        let mut first = [9u8; 16];
        aes_ecb_decrypt(&key, &mut first).unwrap();
        let expected: Vec<u8> = first.iter().map(|b| b ^ 1).collect();
        assert_eq!(&data[..16], expected.as_slice());
        let second: Vec<u8> = first.iter().map(|b| b ^ 9).collect();
        assert_eq!(&data[16..32], second.as_slice());
        assert_eq!(&data[32..], &[9, 9, 9]);
        assert_eq!(aes_cbc_decrypt(&key, &[0; 8], &mut data), Err(BadKeyLength));
    }

    #[test]
    fn fit_cuts_and_pads_with_0x36() {
        assert_eq!(fit(vec![1, 2, 3], 2), [1, 2]);
        assert_eq!(fit(vec![1], 3), [1, 0x36, 0x36]);
    }
}
