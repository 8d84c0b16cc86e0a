//! Legacy Excel (.xls, BIFF8) DDE links: placeholder until the BIFF reader lands.

use super::Cfb;
use crate::formats::{DocumentScan, Limits, Problem};

/// Reads the DDE links of the Workbook stream into `scan`.
pub(super) fn scan(_file: &mut Cfb<'_>, _limits: &Limits, scan: &mut DocumentScan) {
    scan.problems.push(Problem {
        part: Some("Workbook".to_owned()),
        message: "legacy Excel records are not analysed by this version".to_owned(),
        incomplete: true,
    });
}
