//! Encrypted OOXML packages ([MS-OFFCRYPTO] 2.3.4): a .docx, .xlsx, .xlsm or .xlsb saved with a
//! password becomes an OLE compound file holding `EncryptionInfo` (how it is encrypted) and
//! `EncryptedPackage` (the zip package, encrypted).
//!
//! Malware authors encrypt documents with a password Office knows by itself (`VelvetSweatshop`,
//! Excel's default for write-protected workbooks) so that the document opens without a prompt
//! while scanners see only ciphertext. This reader tries the default passwords of
//! [`Limits::default_passwords`] (filled from the profile) in order, checks each with the
//! password verifier before decrypting anything, and on success hands the decrypted package on
//! as an [`Embedded`] document, which is then scanned like any other.
//!
//! Versions: 3.2 and 4.2 are Standard Encryption ([`standard`]), 4.4 Agile Encryption
//! ([`agile`]), 3.3 and 4.3 Extensible Encryption (a third-party provider: reported, not
//! opened).
//!
//! [MS-OFFCRYPTO]: https://learn.microsoft.com/openspecs/office_file_formats/ms-offcrypto

mod agile;
mod primitives;
mod standard;

use super::{Cfb, read_stream};
use crate::formats::{DocumentRecord, DocumentScan, Embedded, Limits, Location, Problem};
use agile::AgileInfo;
use standard::StandardInfo;

/// The stream that says how the package is encrypted.
const INFO_STREAM: &str = "/EncryptionInfo";
/// The stream that holds the encrypted package.
const PACKAGE_STREAM: &str = "/EncryptedPackage";
/// Largest `EncryptionInfo` read: real ones are under 2 KiB (Agile XML with a few certificate
/// key encryptors stays far below this).
const MAX_INFO_BYTES: u64 = 1 << 20;
/// `EncryptedPackage` starts with the package's real size (u64), then the ciphertext.
const SIZE_FIELD: usize = 8;
/// The name under which the decrypted package is scanned.
const DECRYPTED_NAME: &str = "decrypted package";
/// The scheme named when `EncryptionInfo` cannot be read far enough to tell.
const UNKNOWN_SCHEME: &str = "ECMA-376 encryption";
/// The message of the caveat left when no default password opened a package.
const NOT_OPENED: &str = "encrypted, no default password opened it: content not analysed";

/// Why an `EncryptionInfo` stream cannot be used.
#[derive(Debug, thiserror::Error)]
pub(super) enum InfoError {
    /// A field lies past the end of the stream.
    #[error("{field} at offset {offset:#x} is cut short (the stream has {len} bytes)")]
    Truncated {
        /// The field (spec name).
        field: &'static str,
        /// Where it starts.
        offset: usize,
        /// The stream's length.
        len: usize,
    },
    /// A value contradicts the specification: the stream is damaged or forged.
    #[error("{0}")]
    Invalid(String),
    /// A valid scheme this version cannot decrypt.
    #[error("not supported: {0}")]
    Unsupported(String),
}

/// A readable encryption descriptor.
enum Descriptor {
    Standard(StandardInfo),
    Agile(AgileInfo),
}

impl Descriptor {
    fn scheme(&self) -> &'static str {
        match self {
            Descriptor::Standard(_) => "ECMA-376 Standard",
            Descriptor::Agile(_) => "ECMA-376 Agile",
        }
    }

    fn unlock(&self, password: &str) -> Option<Vec<u8>> {
        match self {
            Descriptor::Standard(info) => info.unlock(password),
            Descriptor::Agile(info) => info.unlock(password),
        }
    }

    fn decrypt(&self, key: &[u8], data: &mut [u8]) -> Result<(), primitives::BadKeyLength> {
        match self {
            Descriptor::Standard(info) => info.decrypt(key, data),
            Descriptor::Agile(info) => info.decrypt(key, data),
        }
    }
}

/// Records the encryption, and the decrypted package as an embedded document when a default
/// password opens it.
pub(super) fn scan(file: &mut Cfb<'_>, limits: &Limits, scan: &mut DocumentScan) {
    let problem = |message: String, incomplete: bool| Problem {
        part: Some(INFO_STREAM.trim_start_matches('/').to_owned()),
        message,
        incomplete,
    };
    let (scheme, descriptor) = match read_stream(file, INFO_STREAM, MAX_INFO_BYTES)
        .map_err(|p| (UNKNOWN_SCHEME, p))
        .and_then(|info| {
            parse(&info).map_err(|(scheme, err)| {
                // An unsupported scheme is a limit of this version, not damage: a caveat.
                let incomplete = !matches!(err, InfoError::Unsupported(_));
                (scheme, problem(err.to_string(), incomplete))
            })
        }) {
        Ok(descriptor) => (descriptor.scheme(), Some(descriptor)),
        Err((scheme, err)) => {
            scan.problems.push(err);
            (scheme, None)
        }
    };
    let opened = descriptor.as_ref().and_then(|descriptor| {
        limits.default_passwords.iter().find_map(|password| {
            descriptor
                .unlock(password)
                .map(|key| (password.clone(), key))
        })
    });
    scan.records.push(DocumentRecord::Encrypted {
        location: Location {
            part: Some(INFO_STREAM.trim_start_matches('/').to_owned()),
            ..Location::default()
        },
        scheme: scheme.to_owned(),
        opened_with: opened.as_ref().map(|(password, _)| password.clone()),
    });
    let (Some(descriptor), Some((_, key))) = (descriptor, opened) else {
        // Not `incomplete`: the file was read as far as anyone without the password can read
        // it, so this is no failure of the tool (marking it failed would turn every
        // password-protected attachment into exit code 1). The Encrypted record becomes a
        // finding that tells the analyst the content was not examined, and this caveat puts
        // the same in the manifest.
        scan.problems.push(problem(NOT_OPENED.to_owned(), false));
        return;
    };
    match decrypt_package(file, &descriptor, &key, limits) {
        Ok((bytes, problems)) => {
            scan.problems.extend(problems);
            scan.embedded.push(Embedded {
                name: DECRYPTED_NAME.to_owned(),
                bytes,
            });
        }
        Err(err) => scan.problems.push(err),
    }
}

/// Reads the version and the descriptor of an `EncryptionInfo` stream; on error, also names
/// the scheme as far as the version tells it.
fn parse(info: &[u8]) -> Result<Descriptor, (&'static str, InfoError)> {
    let major = u16_at(info, 0, "EncryptionVersionInfo.vMajor").map_err(|e| (UNKNOWN_SCHEME, e))?;
    let minor = u16_at(info, 2, "EncryptionVersionInfo.vMinor").map_err(|e| (UNKNOWN_SCHEME, e))?;
    match (major, minor) {
        (2..=4, 2) => StandardInfo::parse(info)
            .map(Descriptor::Standard)
            .map_err(|e| ("ECMA-376 Standard", e)),
        (4, 4) => {
            let xml = info.get(8..).ok_or((
                "ECMA-376 Agile",
                InfoError::Truncated {
                    field: "EncryptionInfo.Reserved",
                    offset: 4,
                    len: info.len(),
                },
            ))?;
            AgileInfo::parse(xml)
                .map(Descriptor::Agile)
                .map_err(|e| ("ECMA-376 Agile", e))
        }
        (3 | 4, 3) => Err((
            "ECMA-376 Extensible",
            InfoError::Unsupported(
                "Extensible Encryption (a third-party cryptographic provider)".to_owned(),
            ),
        )),
        _ => Err((
            UNKNOWN_SCHEME,
            InfoError::Unsupported(format!("EncryptionInfo version {major}.{minor}")),
        )),
    }
}

/// Reads `EncryptedPackage`, decrypts it with `key` and cuts it to its declared size. A package
/// shorter than it declares is returned as far as it goes, with an incomplete problem.
fn decrypt_package(
    file: &mut Cfb<'_>,
    descriptor: &Descriptor,
    key: &[u8],
    limits: &Limits,
) -> Result<(Vec<u8>, Vec<Problem>), Problem> {
    let part = Some(PACKAGE_STREAM.trim_start_matches('/').to_owned());
    let problem = |message: String| Problem {
        part: part.clone(),
        message,
        incomplete: true,
    };
    // The ciphertext may exceed the package by up to one segment of padding.
    let limit = limits
        .max_embedded_bytes
        .saturating_add((SIZE_FIELD + 4096) as u64);
    let mut data = read_stream(file, PACKAGE_STREAM, limit)?;
    let declared = data
        .get(..SIZE_FIELD)
        .and_then(|size| <[u8; SIZE_FIELD]>::try_from(size).ok())
        .map(u64::from_le_bytes)
        .ok_or_else(|| problem("stream too short for its size field".to_owned()))?;
    data.drain(..SIZE_FIELD);
    let mut ciphertext = data;
    descriptor
        .decrypt(key, &mut ciphertext)
        .map_err(|_| problem("key length unusable for AES".to_owned()))?;
    let whole_blocks = ciphertext.len() - ciphertext.len() % primitives::AES_BLOCK;
    ciphertext.truncate(whole_blocks);
    let mut problems = Vec::new();
    match usize::try_from(declared) {
        Ok(size) if size <= ciphertext.len() => ciphertext.truncate(size),
        _ => problems.push(problem(format!(
            "declares a package of {declared} bytes but holds {} decryptable bytes; the rest is missing",
            ciphertext.len()
        ))),
    }
    Ok((ciphertext, problems))
}

/// The little-endian u16 at `offset` of an `EncryptionInfo` stream.
pub(super) fn u16_at(buf: &[u8], offset: usize, field: &'static str) -> Result<u16, InfoError> {
    let bytes = bytes_at(buf, offset, 2, field)?;
    <[u8; 2]>::try_from(bytes)
        .map(u16::from_le_bytes)
        .map_err(|_| InfoError::Truncated {
            field,
            offset,
            len: buf.len(),
        })
}

/// The little-endian u32 at `offset` of an `EncryptionInfo` stream.
pub(super) fn u32_at(buf: &[u8], offset: usize, field: &'static str) -> Result<u32, InfoError> {
    let bytes = bytes_at(buf, offset, 4, field)?;
    <[u8; 4]>::try_from(bytes)
        .map(u32::from_le_bytes)
        .map_err(|_| InfoError::Truncated {
            field,
            offset,
            len: buf.len(),
        })
}

/// The `len` bytes at `offset` of an `EncryptionInfo` stream.
pub(super) fn bytes_at<'a>(
    buf: &'a [u8],
    offset: usize,
    len: usize,
    field: &'static str,
) -> Result<&'a [u8], InfoError> {
    offset
        .checked_add(len)
        .and_then(|end| buf.get(offset..end))
        .ok_or(InfoError::Truncated {
            field,
            offset,
            len: buf.len(),
        })
}

#[cfg(test)]
mod tests;
