//! Legacy Word (.doc) field codes: placeholder until the WordDocument reader lands.

use super::Cfb;
use crate::formats::{DocumentScan, Limits, Problem};

/// Reads the fields of the WordDocument stream into `scan`.
pub(super) fn scan(_file: &mut Cfb<'_>, _bytes: &[u8], _limits: &Limits, scan: &mut DocumentScan) {
    scan.problems.push(Problem {
        part: Some("WordDocument".to_owned()),
        message: "legacy Word text is not analysed by this version".to_owned(),
        incomplete: true,
    });
}
