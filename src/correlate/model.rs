//! The T2 report as data: what `report.json` holds (its schema is [`SCHEMA`]) and what the
//! Markdown and HTML reports render. Built by [`super::analyse`], written by `output::report`.
//!
//! Every statement points at the timeline rows that support it by their `row_id`, so an analyst
//! can check any line of the report in Timesketch (`row_id:"..."`).
//!
//! Times are RFC 3339 strings in UTC (as in the timeline); lists are in a stable order (time,
//! then the key they are listed by), so that the same evidence gives the same report on any
//! thread count.

use serde::Serialize;

use crate::profile::{Confidence, Severity};

/// The schema name and version of `report.json`: bumped when a field changes meaning or goes.
pub const SCHEMA: &str = "ddesweep-report/1";

/// The whole report of one run.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// `ddesweep`.
    pub tool: &'static str,
    /// The tool's version.
    pub version: &'static str,
    /// The detection profile's name and SHA-256.
    pub profile: ProfileRef,
    /// The evidence items of the run, as named on the command line.
    pub evidence: Vec<String>,
    /// Counts over all hosts.
    pub summary: Summary,
    /// One section per host, escalations first, then by name.
    pub hosts: Vec<HostReport>,
    /// Every indicator of compromise of the run (each names its hosts).
    pub iocs: Vec<Ioc>,
}

/// Which profile the verdicts follow.
#[derive(Clone, Debug, Serialize)]
pub struct ProfileRef {
    /// The profile's name.
    pub name: String,
    /// SHA-256 of the profile's text.
    pub sha256: String,
}

/// Counts over all hosts.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Summary {
    /// Hosts in the report.
    pub hosts: usize,
    /// Hosts whose verdict is escalate.
    pub escalate: usize,
    /// Hosts whose verdict is investigate.
    pub investigate: usize,
    /// Hosts with no evidence of DDE abuse.
    pub no_evidence: usize,
    /// Incidents over all hosts.
    pub incidents: usize,
    /// Distinct indicators of compromise.
    pub iocs: usize,
}

/// The playbook's verdict for a host.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Ord, PartialOrd, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Nothing that points at DDE abuse (context rows and excluded hits only).
    NoEvidence,
    /// DDE findings that are not confirmed: a dormant document, an exposure, a lone setting
    /// that something explains.
    Investigate,
    /// Confirmed DDE execution, a DDE document from an e-mail or web origin, or DDE-enabling
    /// settings changed with nothing to explain them.
    Escalate,
}

impl Verdict {
    /// The verdict as written in reports (`escalate`, `investigate`, `no evidence`).
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Escalate => "escalate",
            Verdict::Investigate => "investigate",
            Verdict::NoEvidence => "no evidence",
        }
    }
}

/// A reason for a verdict, with the rows that support it.
#[derive(Clone, Debug, Serialize)]
pub struct Reason {
    /// One sentence.
    pub text: String,
    /// The verdict this reason supports on its own.
    pub verdict: Verdict,
    /// Supporting rows (`row_id`s of the timeline).
    pub rows: Vec<String>,
}

/// One host's section.
#[derive(Clone, Debug, Serialize)]
pub struct HostReport {
    /// The host's name: the SYSTEM hive's computer name, else the event logs' `Computer` (short
    /// form, as Windows shows it); `unattributed (EVIDENCE)` when no artifact names one.
    pub host: String,
    /// Every name the evidence gave this host (short and fully qualified), sorted.
    pub names: Vec<String>,
    /// The evidence items merged into this host.
    pub evidence: Vec<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// Why, most serious first.
    pub reasons: Vec<Reason>,
    /// The host's incidents, by first time.
    pub incidents: Vec<Incident>,
    /// The playbook's questions, answered from the evidence.
    pub playbook: Playbook,
    /// What to contain.
    pub containment: Containment,
    /// Findings left out by the profile's exclusions: exclusion id -> hits.
    pub excluded: Vec<ExcludedCount>,
    /// Timeline rows of this host, findings among them.
    pub rows: usize,
    /// Findings (rows above `info`) of this host.
    pub findings: usize,
}

/// Hits a profile exclusion left out.
#[derive(Clone, Debug, Serialize)]
pub struct ExcludedCount {
    /// The exclusion's id.
    pub exclusion: String,
    /// Hits left out.
    pub hits: usize,
}

/// One incident: the rows of one DDE chain, from delivery to what ran.
#[derive(Clone, Debug, Serialize)]
pub struct Incident {
    /// `HOST-N`, numbered by first time within the host.
    pub id: String,
    /// One line: what happened.
    pub title: String,
    /// How sure the joins are: high when the rows join by process identity (GUID or PID and
    /// parent), medium when only by document name or time window, low for a document alone.
    pub confidence: Confidence,
    /// The highest severity among the incident's rows.
    pub severity: Severity,
    /// Whether this incident alone calls for escalation.
    pub escalate: bool,
    /// First row time (RFC 3339).
    pub first_seen: String,
    /// Last row time (RFC 3339).
    pub last_seen: String,
    /// The users involved.
    pub users: Vec<String>,
    /// The DDE document at the chain's start, when there is one.
    pub document: Option<DocumentOrigin>,
    /// What happened, in order, one sentence per step.
    pub narrative: Vec<String>,
    /// The joined rows, in time order: every row of delivery, document, opening, execution and
    /// settings, and the first of the descendants, activity and memory rows up to the profile's
    /// `max_incident_rows` (the timeline has them all: search `incident:"ID"`).
    pub rows: Vec<IncidentRow>,
    /// Rows of the incident not listed in `rows`.
    pub rows_omitted: usize,
}

/// The step of the chain a row stands for.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Ord, PartialOrd, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// A DDE-enabling registry change before the document ran.
    EnablingSetting,
    /// How the document arrived (e-mail cache, Mark of the Web, Outlook saving it).
    Delivery,
    /// The DDE construct in the document.
    Document,
    /// The document was opened or trusted (Office start, MRU, TrustRecords, alert).
    Opened,
    /// An Office application started a process.
    Execution,
    /// A process further down the tree.
    Descendant,
    /// What the tree did: network, DNS, files, registry.
    Activity,
    /// The same traces in memory.
    Memory,
}

impl Stage {
    /// The stage as written in reports.
    pub fn label(self) -> &'static str {
        match self {
            Stage::EnablingSetting => "enabling setting",
            Stage::Delivery => "delivery",
            Stage::Document => "document",
            Stage::Opened => "opened",
            Stage::Execution => "execution",
            Stage::Descendant => "descendant",
            Stage::Activity => "activity",
            Stage::Memory => "memory",
        }
    }
}

/// A timeline row as an incident lists it.
#[derive(Clone, Debug, Serialize)]
pub struct IncidentRow {
    /// The row's `row_id` in the timeline.
    pub row_id: String,
    /// The row's time (RFC 3339).
    pub datetime: String,
    /// Microseconds since 1970 (what the chart places rows by).
    pub timestamp: i64,
    /// What the time means.
    pub timestamp_desc: String,
    /// The step it stands for.
    pub stage: Stage,
    /// The row's severity.
    pub severity: Severity,
    /// The row's message.
    pub message: String,
    /// The row's data type.
    pub data_type: String,
}

/// Where a DDE document came from.
#[derive(Clone, Debug, Serialize)]
pub struct DocumentOrigin {
    /// The document's path inside its evidence (every copy: the same content may sit in the
    /// e-mail cache and in Downloads).
    pub paths: Vec<String>,
    /// SHA-256 of the content.
    pub sha256: String,
    /// The DDE commands it carries.
    pub commands: Vec<String>,
    /// One of `e-mail attachment`, `web download`, `intranet or trusted site`, `unknown`.
    pub origin: String,
    /// How the origin is known, in words.
    pub origin_detail: String,
    /// Mark of the Web zone, where recorded.
    pub zone_id: Option<u32>,
    /// Mark of the Web download address, where recorded.
    pub host_url: Option<String>,
    /// Mark of the Web referring page, where recorded.
    pub referrer_url: Option<String>,
    /// Whether the user trusted it (TrustRecords) or it lies in a trusted location.
    pub trusted: bool,
    /// Whether any trace shows it opened.
    pub opened: bool,
    /// Supporting rows.
    pub rows: Vec<String>,
}

/// The playbook's questions, answered from the evidence.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Playbook {
    /// Does the document come from a known and trusted source? One entry per DDE document.
    pub document_origins: Vec<DocumentOrigin>,
    /// Has DDE activity increased against the baseline? DDE-related rows per day.
    pub activity_per_day: Vec<DayActivity>,
    /// The answer to the baseline question in one sentence.
    pub baseline: String,
    /// Are there anomalous child processes of Office applications?
    pub office_children: Vec<ProcessEntry>,
    /// Is there phishing that correlates with the payload?
    pub phishing: Vec<PhishingLink>,
}

/// DDE-related rows of one day (UTC).
#[derive(Clone, Debug, Serialize)]
pub struct DayActivity {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Document findings.
    pub documents: usize,
    /// Process findings (Office children, descendants, Equation Editor).
    pub processes: usize,
    /// Registry findings (DDE-enabling settings).
    pub registry: usize,
    /// Other findings (network, files, memory, ...).
    pub other: usize,
    /// All findings of the day.
    pub total: usize,
    /// Whether the day stands above the host's baseline (the median of the earlier active
    /// days; any activity counts when there is no earlier day).
    pub above_baseline: bool,
}

/// A process an Office application (or one of its descendants) started.
#[derive(Clone, Debug, Serialize)]
pub struct ProcessEntry {
    /// When it started (RFC 3339).
    pub started: String,
    /// The process image.
    pub image: String,
    /// Its command line.
    pub command: String,
    /// Process ID.
    pub process_id: Option<u64>,
    /// Process GUID (Sysmon).
    pub process_guid: Option<String>,
    /// The parent's image.
    pub parent_image: Option<String>,
    /// The parent's process ID.
    pub parent_process_id: Option<u64>,
    /// The user it ran as.
    pub user: Option<String>,
    /// The rule that flagged it.
    pub rule_id: Option<String>,
    /// The row it comes from.
    pub row_id: String,
}

/// A phishing link: a document that arrived by e-mail or from the web, tied to its payload.
#[derive(Clone, Debug, Serialize)]
pub struct PhishingLink {
    /// The incident it belongs to.
    pub incident: String,
    /// The document's path.
    pub document: String,
    /// How it arrived (`e-mail attachment`, `web download`).
    pub via: String,
    /// The payload's URLs and domains that the document carries or its processes reached.
    pub payload_indicators: Vec<String>,
    /// One sentence tying delivery to payload.
    pub text: String,
    /// Supporting rows.
    pub rows: Vec<String>,
}

/// What to contain, with the concrete entities.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Containment {
    /// Whether to isolate the host, and why.
    pub isolate_host: Option<String>,
    /// Processes to terminate (if still running) and whose images to collect.
    pub processes: Vec<ProcessEntry>,
    /// Files to quarantine.
    pub files: Vec<FileToQuarantine>,
    /// Accounts to review (reset credentials, check sign-ins).
    pub accounts: Vec<Account>,
    /// DDE-enabling settings to revert.
    pub settings_to_revert: Vec<SettingToRevert>,
    /// Where to look for persistence.
    pub persistence: Vec<PersistenceCheck>,
    /// Indicators to block (domains, IPs, URLs) at the proxy, DNS and firewall.
    pub block: Vec<String>,
}

/// A file to quarantine.
#[derive(Clone, Debug, Serialize)]
pub struct FileToQuarantine {
    /// Path inside the evidence (or as the log recorded it).
    pub path: String,
    /// SHA-256, where known.
    pub sha256: Option<String>,
    /// Why.
    pub why: String,
    /// Supporting rows.
    pub rows: Vec<String>,
}

/// An account to review.
#[derive(Clone, Debug, Serialize)]
pub struct Account {
    /// The user (`DOMAIN\name` or profile name).
    pub user: String,
    /// The SID, where known.
    pub sid: Option<String>,
    /// Why.
    pub why: String,
}

/// A registry setting to put back.
#[derive(Clone, Debug, Serialize)]
pub struct SettingToRevert {
    /// The registry path of the value.
    pub key: String,
    /// The value found.
    pub value: String,
    /// When it was set (RFC 3339).
    pub set_at: String,
    /// Whether an incident explains it.
    pub explained: bool,
    /// The row.
    pub row_id: String,
}

/// A place to look for persistence.
#[derive(Clone, Debug, Serialize)]
pub struct PersistenceCheck {
    /// The location (a registry key, a folder).
    pub location: String,
    /// Why: a profile default, or what the evidence shows written there.
    pub why: String,
    /// Rows that show something written there (empty for the profile's standing checks).
    pub rows: Vec<String>,
}

/// The kind of an indicator of compromise.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Ord, PartialOrd, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IocKind {
    /// A command line from a DDE payload or a flagged process.
    Command,
    /// A URL.
    Url,
    /// A domain name.
    Domain,
    /// An IP address.
    Ip,
    /// SHA-256 of a document or of a process image.
    Sha256,
    /// A file path written by the chain.
    File,
}

impl IocKind {
    /// The kind as written in `iocs.csv`.
    pub fn label(self) -> &'static str {
        match self {
            IocKind::Command => "command",
            IocKind::Url => "url",
            IocKind::Domain => "domain",
            IocKind::Ip => "ip",
            IocKind::Sha256 => "sha256",
            IocKind::File => "file",
        }
    }
}

/// An indicator of compromise.
#[derive(Clone, Debug, Serialize)]
pub struct Ioc {
    /// What it is.
    pub kind: IocKind,
    /// The value, as found (URLs and commands verbatim; domains lower-case).
    pub value: String,
    /// Where it came from, in a few words (`DDE payload of Invoice.docx`, `Sysmon 22 query by
    /// powershell.exe`).
    pub context: String,
    /// Hosts it was seen on.
    pub hosts: Vec<String>,
    /// Incidents it belongs to.
    pub incidents: Vec<String>,
    /// First time seen (RFC 3339).
    pub first_seen: String,
    /// Supporting rows (the first `max_incident_rows`).
    pub rows: Vec<String>,
    /// How many rows support it in all.
    pub occurrences: usize,
}
