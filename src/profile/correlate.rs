//! The correlation part of a profile (`[correlate]`): how rows join into incidents, which
//! findings are DDE-enabling settings, where persistence hides, and which indicators are never
//! worth blocking. The T2 report's verdicts follow it.

use serde::{Deserialize, Serialize};

use super::Severity;

/// How rows join into incidents and what the report says about them.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CorrelateRules {
    /// An Office child with no process identity joining it to a document's opening joins the
    /// latest opening of a document of the same user within this many seconds before it.
    pub open_window_seconds: u64,
    /// A DDE-enabling setting changed at most this many hours before an incident began is that
    /// incident's preparation (it "explains" the change); other changes are unexplained.
    pub setting_lookback_hours: u64,
    /// Process starts in the same log with the same image and PID within this many seconds are
    /// one process seen twice (Sysmon 1 and Security 4688).
    pub same_process_seconds: u64,
    /// Rule ids whose findings are settings that enable DDE (or make Office update links
    /// without asking).
    pub enabling_setting_rules: Vec<String>,
    /// An Office child's finding confirms DDE execution (and escalates) from this severity up;
    /// below it (Excel starting any executable, CAR-2020-12-004) the incident is investigated.
    pub escalate_execution_from: Severity,
    /// Mark of the Web zones that mean the internet (3) or an untrusted site (4).
    pub web_zones: Vec<u32>,
    /// Zones that mean the local machine, the intranet or a trusted site.
    pub trusted_zones: Vec<u32>,
    /// Places where code written by the chain would persist, matched in registry keys and file
    /// paths the chain wrote (case-insensitive fragments).
    pub persistence: Vec<PersistenceLocation>,
    /// Places to check on every escalated host whatever the evidence shows (listed in the
    /// containment checklist).
    pub standing_persistence_checks: Vec<String>,
    /// Domains never reported as indicators (and their subdomains): the vendor's own services
    /// that payloads and Office contact.
    pub ioc_ignore_domains: Vec<String>,
}

/// A persistence location.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PersistenceLocation {
    /// What it is (`Run key`, `Startup folder`).
    pub name: String,
    /// Fragments of a registry key or file path that put a write there.
    pub fragments: Vec<String>,
}
