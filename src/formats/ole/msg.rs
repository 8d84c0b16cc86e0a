//! Outlook messages (.msg): placeholder until the message reader lands.

use super::Cfb;
use crate::formats::{DocumentScan, Limits, Problem};

/// Reads the body and attachments of a message into `scan`.
pub(super) fn scan(_file: &mut Cfb<'_>, _limits: &Limits, scan: &mut DocumentScan) {
    scan.problems.push(Problem {
        part: None,
        message: "Outlook message bodies and attachments are not analysed by this version"
            .to_owned(),
        incomplete: true,
    });
}
