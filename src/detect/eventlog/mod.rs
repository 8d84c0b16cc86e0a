//! Event-log checks: typed EVTX records plus the profile's `[eventlog]` section in, findings,
//! context rows and exclusion counts out.
//!
//! [`selection`] tells the EVTX reader which records the checks can use, so that it decodes
//! nothing else. [`check_log`] runs the checks over one log's records: process starts first have
//! their missing parents recovered (Security 4688 version 1), then each record is checked; hits
//! that match a profile exclusion are counted, never written.
//!
//! A log whose checks flagged a process an Office application or the Equation Editor started
//! (the profile's `[eventlog.tree] root_rules`) is read again: [`trace`] follows the process
//! tree below each such root and reports its descendants and what the tree did.

mod activity;
mod names;
pub mod process;
pub mod registry;
mod rows;
pub mod trace;
pub mod tree;

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::formats::evtx::typed::{self, ProcessStart, TypedEvent};
use crate::formats::evtx::{EventRecord, Selection};
use crate::profile::{EventLogRules, Exclusion, Profile, Rule, Severity};

pub use rows::LogContext;

use super::Event;

/// One rule a record fails.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogFinding {
    /// The rule.
    pub rule: Rule,
    /// Severity after escalation.
    pub severity: Severity,
    /// Escalation markers found in the command line.
    pub markers: Vec<String>,
    /// Why it fired, in a few words for the message.
    pub why: String,
}

impl LogFinding {
    /// A finding of `rule` at the rule's severity.
    pub fn new(rule: &Rule, why: String) -> LogFinding {
        LogFinding {
            rule: rule.clone(),
            severity: rule.severity,
            markers: Vec::new(),
            why,
        }
    }
}

/// What one log gave.
#[derive(Clone, Debug, Default)]
pub struct LogOutcome {
    /// Timeline rows: findings and context.
    pub events: Vec<Event>,
    /// Findings left out by exclusions: exclusion id -> hits.
    pub excluded: BTreeMap<String, usize>,
    /// Process starts whose parent came from an earlier 4688 record.
    pub parents_recovered: usize,
    /// Record numbers of the process starts whose findings make them tree roots, in order.
    pub roots: Vec<u64>,
    /// What following the trees below the roots gave.
    pub tree: trace::TreeAccount,
}

/// The records the checks read: process starts that mention an Office application or the
/// Equation Editor (every Security 4688, which a later record may need as a parent), registry
/// writes, Equation Editor connections, Office module loads, files Office saves into Outlook's
/// attachment cache and Office alerts.
pub fn selection(profile: &Profile) -> Selection {
    let p = &profile.eventlog.process;
    let office_or_equation: Vec<String> = p
        .office_apps
        .iter()
        .chain(&p.equation_editor)
        .cloned()
        .collect();
    let registry = registry_mentions(&profile.eventlog);
    Selection::default()
        .want(
            typed::SYSMON,
            &[typed::SYSMON_PROCESS_CREATE],
            &[&office_or_equation],
        )
        .want(
            typed::SYSMON,
            &[typed::SYSMON_NETWORK],
            &[&p.equation_editor],
        )
        .want(
            typed::SYSMON,
            &[typed::SYSMON_IMAGE_LOAD],
            &[&p.office_apps, &p.user_writable_folders],
        )
        .want(
            typed::SYSMON,
            &[
                typed::SYSMON_REGISTRY_CREATE_DELETE,
                typed::SYSMON_REGISTRY_SET,
            ],
            &[&registry],
        )
        .want(
            typed::SYSMON,
            &[typed::SYSMON_FILE_CREATE],
            &[&p.office_apps, &attachment_caches(profile)],
        )
        .want(typed::SECURITY, &[typed::SECURITY_PROCESS_CREATE], &[])
        .want(
            typed::SECURITY,
            &[typed::SECURITY_REGISTRY_VALUE],
            &[&registry],
        )
        .want(typed::OFFICE_ALERTS, &[typed::OFFICE_ALERT], &[])
}

/// The profile's Outlook attachment caches as Windows path fragments
/// (`INetCache/Content.Outlook/` gives `\INetCache\Content.Outlook\`).
fn attachment_caches(profile: &Profile) -> Vec<String> {
    profile
        .filesystem
        .outlook_attachment_caches
        .iter()
        .map(|cache| cache.trim_matches('/').replace('/', "\\"))
        .filter(|cache| !cache.is_empty())
        .map(|cache| format!("\\{cache}\\"))
        .collect()
}

/// The value name of each registry path the profile watches, which a matching record's
/// rendering holds, and for settings whose deletion matters the names of the keys above it (a
/// key deletion names only the key). Not the other components: `Security` or `Options` appear in every
/// record's rendering.
fn registry_mentions(rules: &EventLogRules) -> Vec<String> {
    let mut mentions = Vec::new();
    for setting in &rules.registry {
        for path in &setting.paths {
            let mut parts = path.rsplit('\\').filter(|p| !p.is_empty());
            mentions.extend(parts.next().map(str::to_owned));
            if setting.enabling_when_deleted {
                // Deleting any key above the value counts: its name is all a record holds.
                mentions.extend(parts.map(str::to_owned));
            }
        }
    }
    mentions
}

/// Runs the event-log checks over one log's selected `records` (consumed: each is checked and
/// dropped on the rayon pool; only the recovery of 4688 version 1 parents runs in sequence).
pub fn check_log(profile: &Profile, ctx: &LogContext<'_>, records: Vec<EventRecord>) -> LogOutcome {
    let mut typed_records: Vec<(EventRecord, TypedEvent)> = records
        .into_par_iter()
        .filter_map(|r| typed::interpret(&r).map(|t| (r, t)))
        .collect();
    typed_records.par_sort_by_key(|(r, _)| r.record_id);

    // Recover 4688 v1 parents across the whole log, in record order.
    let mut starts: Vec<&mut ProcessStart> = typed_records
        .iter_mut()
        .filter_map(|(_, t)| match t {
            TypedEvent::ProcessStart(start) => Some(start),
            _ => None,
        })
        .collect();
    let mut outcome = LogOutcome {
        parents_recovered: process::recover_parents(&mut starts),
        ..LogOutcome::default()
    };

    let checked: Vec<(Vec<Event>, Vec<&str>)> = typed_records
        .into_par_iter()
        .map(|(record, event)| check_record(profile, ctx, &record, &event))
        .collect();
    for (events, excluded) in checked {
        outcome.events.extend(events);
        for id in excluded {
            *outcome.excluded.entry(id.to_owned()).or_default() += 1;
        }
    }
    let root_rules = &profile.eventlog.tree.root_rules;
    let mut roots: Vec<u64> = outcome
        .events
        .iter()
        .filter(|e| {
            e.data_type == rows::PROCESS_START
                && e.rule_id.as_ref().is_some_and(|id| root_rules.contains(id))
        })
        .filter_map(|e| e.fields.record_number)
        .collect();
    roots.sort_unstable();
    roots.dedup();
    outcome.roots = roots;
    outcome
}

/// The rows of one record, and the ids of the exclusions that left findings out.
fn check_record<'p>(
    profile: &'p Profile,
    ctx: &LogContext<'_>,
    record: &EventRecord,
    event: &TypedEvent,
) -> (Vec<Event>, Vec<&'p str>) {
    let rules = &profile.eventlog;
    let findings = match event {
        TypedEvent::ProcessStart(start) => process::check(rules, start),
        TypedEvent::Registry(change) => registry::check(rules, change),
        TypedEvent::Network(connection) => activity::check_network(rules, connection),
        TypedEvent::ModuleLoad(load) => activity::check_module(rules, load),
        TypedEvent::OfficeAlert(_) | TypedEvent::FileCreate(_) | TypedEvent::DnsQuery(_) => {
            Vec::new()
        }
    };
    let mut events = Vec::new();
    let mut excluded = Vec::new();
    for finding in findings {
        match excluded_by(&rules.exclusions, &finding, event) {
            Some(exclusion) => excluded.push(exclusion.id.as_str()),
            None => events.push(rows::finding_row(profile, ctx, record, event, &finding)),
        }
    }
    events.extend(context_row(profile, ctx, record, event));
    (events, excluded)
}

/// The context row of an event, if it is one: an Office start that names a document, or an
/// Office prompt about links or DDE.
fn context_row(
    profile: &Profile,
    ctx: &LogContext<'_>,
    record: &EventRecord,
    event: &TypedEvent,
) -> Option<Event> {
    let rules = &profile.eventlog;
    match event {
        TypedEvent::ProcessStart(start) => {
            let document = process::opened_document(rules, start)?;
            Some(rows::document_open_row(
                profile, ctx, record, start, document,
            ))
        }
        TypedEvent::OfficeAlert(alert) => {
            let markers = activity::alert_markers(rules, alert);
            (!markers.is_empty()).then(|| rows::alert_row(profile, ctx, record, alert, &markers))
        }
        TypedEvent::FileCreate(file) => {
            let office = names::is_named(&rules.process.office_apps, &file.image);
            let caches = attachment_caches(profile);
            (office && names::in_folder(&caches, &file.target_filename).is_some())
                .then(|| rows::attachment_row(profile, ctx, record, file))
        }
        _ => None,
    }
}

/// The first exclusion that covers `finding` on `event`.
pub(super) fn excluded_by<'a>(
    exclusions: &'a [Exclusion],
    finding: &LogFinding,
    event: &TypedEvent,
) -> Option<&'a Exclusion> {
    let subject = rows::Subject::of(event);
    exclusions.iter().find(|exclusion| {
        let applies = exclusion.rules.is_empty() || exclusion.rules.contains(&finding.rule.id);
        let holds = |fragments: &[String], field: Option<&str>| {
            fragments.is_empty()
                || field.is_some_and(|f| fragments.iter().any(|x| names::matches_fragment(f, x)))
        };
        applies
            && exclusion.has_condition()
            && holds(&exclusion.image, subject.image)
            && holds(&exclusion.parent_image, subject.parent_image)
            // Command lines are free text: their fragments may occur anywhere.
            && (exclusion.command_line.is_empty()
                || subject
                    .command_line
                    .is_some_and(|c| names::in_folder(&exclusion.command_line, c).is_some()))
            && target_holds(exclusion, subject.target, subject.registry)
    })
}

/// Whether the target condition of `exclusion` holds for `target` (a registry path when
/// `registry`, else a module path); true when it sets none.
fn target_holds(exclusion: &Exclusion, target: Option<&str>, registry: bool) -> bool {
    exclusion.target.is_empty()
        || target.is_some_and(|t| {
            exclusion.target.iter().any(|fragment| {
                if registry {
                    names::matches_registry_fragment(t, fragment)
                } else {
                    names::matches_fragment(t, fragment)
                }
            })
        })
}

/// The first exclusion that covers a finding of `rule_id` on a registry value read from a hive
/// at `target` (`key\value`). A hive value has no process, so only exclusions whose sole
/// condition is `target` apply.
pub fn excluded_setting<'a>(
    exclusions: &'a [Exclusion],
    rule_id: &str,
    target: &str,
) -> Option<&'a Exclusion> {
    exclusions.iter().find(|exclusion| {
        (exclusion.rules.is_empty() || exclusion.rules.iter().any(|r| r == rule_id))
            && exclusion.image.is_empty()
            && exclusion.parent_image.is_empty()
            && exclusion.command_line.is_empty()
            && !exclusion.target.is_empty()
            && target_holds(exclusion, Some(target), true)
    })
}
