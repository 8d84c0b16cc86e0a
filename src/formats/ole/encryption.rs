//! Encrypted OOXML packages: placeholder until decryption lands.

use super::Cfb;
use crate::formats::{DocumentRecord, DocumentScan, Limits, Location};

/// Records the encryption; the content is not analysed.
pub(super) fn scan(_file: &mut Cfb<'_>, _limits: &Limits, scan: &mut DocumentScan) {
    scan.records.push(DocumentRecord::Encrypted {
        location: Location {
            part: Some("EncryptionInfo".to_owned()),
            ..Location::default()
        },
        scheme: "ECMA-376 encryption".to_owned(),
        opened_with: None,
    });
}
