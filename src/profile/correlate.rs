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
    /// A process known only by PID (Security 4688) is taken to live at most this many hours: a
    /// later row naming its PID belongs to another process.
    pub pid_lifetime_hours: u64,
    /// Most rows an incident lists of its descendants, activity and memory (a beaconing child
    /// makes thousands), and most row ids an indicator lists: the timeline has them all.
    pub max_incident_rows: usize,
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
    /// The Office applications: which documents each opens and where its settings live, so that a
    /// document or a setting joins only a process of its own application.
    pub applications: Vec<OfficeApplication>,
    /// Domains never reported as indicators (and their subdomains): the vendor's own services
    /// that payloads and Office contact.
    pub ioc_ignore_domains: Vec<String>,
}

/// An Office application.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OfficeApplication {
    /// Its image's file name (`winword.exe`), compared case-insensitively.
    pub image: String,
    /// The fragment of its registry settings' path (`\Word\`), compared case-insensitively.
    pub registry_key: String,
    /// The extensions of the documents it opens (`.docx`), compared case-insensitively.
    pub extensions: Vec<String>,
}

impl CorrelateRules {
    /// The application whose image is `image` (a path or file name).
    pub fn application_of_image(&self, image: &str) -> Option<usize> {
        let name = image.rsplit(['\\', '/']).next().unwrap_or(image);
        self.applications
            .iter()
            .position(|a| a.image.eq_ignore_ascii_case(name.trim_matches('"')))
    }

    /// The application that opens the document at `path`, by its extension.
    pub fn application_of_document(&self, path: &str) -> Option<usize> {
        let lower = path.to_ascii_lowercase();
        self.applications.iter().position(|a| {
            a.extensions
                .iter()
                .any(|e| lower.ends_with(&e.to_ascii_lowercase()))
        })
    }

    /// The application whose setting `registry_key` is.
    pub fn application_of_setting(&self, registry_key: &str) -> Option<usize> {
        let lower = registry_key.to_ascii_lowercase();
        self.applications
            .iter()
            .position(|a| lower.contains(&a.registry_key.to_ascii_lowercase()))
    }
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
