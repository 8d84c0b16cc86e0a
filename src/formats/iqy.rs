//! Placeholder: this format is not read yet.

use super::{DocumentScan, FormatError, Limits};

/// Reads a document of this format (not implemented yet: the artifact is skipped).
pub fn scan(_bytes: &[u8], _limits: &Limits) -> Result<DocumentScan, FormatError> {
    Err(FormatError::NotApplicable(
        "this format is not analysed by this version".to_owned(),
    ))
}
