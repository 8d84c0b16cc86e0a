//! Detect: the checks (stage 4 of the pipeline).
//!
//! Detectors are pure functions: records from `formats/` plus a [`Profile`] in, findings out,
//! with no I/O, no clock and no globals, so they are tested with plain values. One file per
//! evidence family: [`document`] for Office documents. [`timeline`] turns findings and file
//! times into [`Event`]s, the timeline rows that `output/` writes.
//!
//! [`Profile`]: crate::profile::Profile

#![forbid(unsafe_code)]

pub mod document;
pub mod eventlog;
pub mod filesystem;
pub mod hive;
pub mod memory;
pub mod prefetch;
pub mod timeline;

pub use timeline::{Event, EventFields};

use crate::profile::{Confidence, Rule, Severity};

/// What kind of DDE construct a finding is about; it decides the row's `data_type`.
#[derive(Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
pub enum FindingKind {
    /// A DDE or DDEAUTO field.
    DdeField,
    /// A workbook DDE link.
    DdeLink,
    /// A DDE reference or call in a formula.
    DdeFormula,
    /// An embedded object of a dangerous class (Equation Editor).
    EmbeddedObject,
    /// An encrypted document (opened with a default password, or not at all).
    Encrypted,
    /// A web query URL.
    WebQuery,
    /// An OLE object linked from outside the document.
    OleLink,
}

impl FindingKind {
    /// The `data_type` of the timeline row.
    pub fn data_type(self) -> &'static str {
        match self {
            FindingKind::DdeField => "ddesweep:document:dde_field",
            FindingKind::DdeLink => "ddesweep:document:dde_link",
            FindingKind::DdeFormula => "ddesweep:document:dde_formula",
            FindingKind::EmbeddedObject => "ddesweep:document:embedded_object",
            FindingKind::Encrypted => "ddesweep:document:encrypted",
            FindingKind::WebQuery => "ddesweep:document:web_query",
            FindingKind::OleLink => "ddesweep:document:ole_link",
        }
    }
}

/// One thing a check found.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Finding {
    /// What it is.
    pub kind: FindingKind,
    /// The rule that fired.
    pub rule_id: String,
    /// The rule's title.
    pub rule_title: String,
    /// Severity (after escalation).
    pub severity: Severity,
    /// Confidence.
    pub confidence: Confidence,
    /// The command line the DDE conversation would start (program and arguments).
    pub command: String,
    /// The raw field instruction or formula, as reassembled.
    pub field_code: String,
    /// DDE service (program).
    pub dde_service: String,
    /// DDE topic.
    pub dde_topic: String,
    /// DDE item, where there is one.
    pub dde_item: Option<String>,
    /// Part of the package, where there is one.
    pub part: Option<String>,
    /// Byte offset in the part or file.
    pub offset: u64,
    /// Cell or defined name, where there is one.
    pub cell: Option<String>,
    /// Escalation markers found in the command.
    pub markers: Vec<String>,
}

impl Finding {
    /// A finding for `rule` with empty details; the caller fills them in.
    fn new(kind: FindingKind, rule: &Rule) -> Finding {
        Finding {
            kind,
            rule_id: rule.id.clone(),
            rule_title: rule.title.clone(),
            severity: rule.severity,
            confidence: rule.confidence,
            command: String::new(),
            field_code: String::new(),
            dde_service: String::new(),
            dde_topic: String::new(),
            dde_item: None,
            part: None,
            offset: 0,
            cell: None,
            markers: Vec::new(),
        }
    }
}
