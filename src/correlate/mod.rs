//! Correlation: joins the rows of every artifact into incidents, per host, and answers the T2
//! playbook (verdict, document origins, baseline, Office children, phishing link, IOCs,
//! containment). Pure: rows and the profile in, a [`model::Report`] out; each row gets its
//! `row_id`, its `incident` ids and, in an escalated incident, the `escalate` tag.
//!
//! The steps, each a module: [`rows`] (ids), [`hosts`] (which machine a row belongs to, merging
//! evidence items of one machine), `documents` and `processes` (the links), `chains` (the
//! incidents), `incident` (their write-up), `verdict`, `playbook`, `iocs`, `containment`.

#![forbid(unsafe_code)]

mod chains;
mod containment;
mod documents;
pub mod hosts;
mod incident;
mod iocs;
pub mod model;
mod playbook;
mod processes;
pub mod rows;
mod verdict;

use std::collections::BTreeMap;

pub use hosts::EvidenceFacts;
pub use iocs::{encoded_powershell, urls_in};

use crate::detect::Event;
use crate::profile::{CorrelateRules, LoadedProfile, Profile, Severity};
use crate::time::Timestamp;
use model::{ExcludedCount, HostReport, ProfileRef, Report, Summary, Verdict};

/// The tag of rows that belong to an incident which calls for escalation.
pub const ESCALATE_TAG: &str = "escalate";

/// One host's rows and the links found among them: what the verdict, the playbook and the
/// containment checklist read.
pub(crate) struct HostView<'a> {
    /// All rows of the run.
    pub events: &'a [Event],
    /// The host's rows (indices into `events`).
    pub rows: &'a [usize],
    /// Its DDE documents.
    pub docs: &'a [documents::Document],
    /// Its chains.
    pub chains: &'a [chains::Chain],
    /// Their incidents (same order as `chains`).
    pub incidents: &'a [model::Incident],
    /// DDE-enabling settings no chain explains.
    pub unexplained: &'a [usize],
    /// The profile's correlation rules.
    pub rules: &'a CorrelateRules,
}

/// RFC 3339 of microseconds since 1970 (the epoch when out of range).
pub(crate) fn rfc3339(micros: i64) -> String {
    Timestamp::from_unix_micros(micros)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_rfc3339()
}

/// `YYYY-MM-DD HH:MM:SS UTC` of microseconds since 1970, for sentences.
pub(crate) fn short_time(micros: i64) -> String {
    let full = rfc3339(micros);
    format!(
        "{} {} UTC",
        full.get(..10).unwrap_or(""),
        full.get(11..19).unwrap_or("")
    )
}

/// Analyses the run's rows (sorted, as the timeline writes them): assigns row ids, hosts,
/// incidents and the `escalate` tag, and returns the report.
pub fn analyse(events: &mut [Event], facts: &[EvidenceFacts], profile: &LoadedProfile) -> Report {
    rows::assign_ids(events);
    let hosts = hosts::group(events, facts);
    let mut collector = iocs::Collector::default();
    let mut reports = Vec::new();
    let mut memberships: BTreeMap<usize, (Vec<String>, bool)> = BTreeMap::new();
    for host in &hosts {
        let (report, host_iocs) = analyse_host(events, host, &profile.profile, &mut memberships);
        collector.merge(host_iocs);
        reports.push(report);
    }
    for (i, (ids, escalate)) in memberships {
        let Some(event) = events.get_mut(i) else {
            continue;
        };
        event.incident = Some(ids.join(","));
        if escalate && !event.tags.iter().any(|t| t == ESCALATE_TAG) {
            event.tags.push(ESCALATE_TAG.to_owned());
        }
    }
    reports.sort_by(|a, b| b.verdict.cmp(&a.verdict).then_with(|| a.host.cmp(&b.host)));
    let iocs = collector.finish(profile.profile.correlate.max_incident_rows);
    let count = |v: Verdict| reports.iter().filter(|h| h.verdict == v).count();
    Report {
        schema: model::SCHEMA,
        tool: "ddesweep",
        version: env!("CARGO_PKG_VERSION"),
        profile: ProfileRef {
            name: profile.profile.name.clone(),
            sha256: profile.sha256.clone(),
        },
        evidence: facts.iter().map(|f| f.label.clone()).collect(),
        summary: Summary {
            hosts: reports.len(),
            escalate: count(Verdict::Escalate),
            investigate: count(Verdict::Investigate),
            no_evidence: count(Verdict::NoEvidence),
            incidents: reports.iter().map(|h| h.incidents.len()).sum(),
            iocs: iocs.len(),
        },
        hosts: reports,
        iocs,
    }
}

/// One host's section, its indicators, and its rows' incident memberships.
fn analyse_host(
    events: &[Event],
    host: &hosts::Host,
    profile: &Profile,
    memberships: &mut BTreeMap<usize, (Vec<String>, bool)>,
) -> (HostReport, iocs::Collector) {
    let docs = documents::collect(events, &host.rows);
    let rules = &profile.correlate;
    let root_rules = &profile.eventlog.tree.root_rules;
    let (mut chains, unexplained) = chains::build(events, &host.rows, &docs, rules, root_rules);
    let first_time = |c: &chains::Chain| {
        c.rows
            .keys()
            .filter_map(|&i| events.get(i))
            .map(|e| e.timestamp)
            .min()
    };
    chains.sort_by(|a, b| {
        (first_time(a), chains::subject(a, &docs)).cmp(&(first_time(b), chains::subject(b, &docs)))
    });
    let mut host_iocs = iocs::Collector::default();
    let incidents: Vec<model::Incident> = chains
        .iter()
        .enumerate()
        .map(|(n, chain)| {
            let id = format!("{}-{}", host.id_prefix, n + 1);
            let escalate = verdict::escalates(chain, events, &docs, rules);
            for &i in chain.rows.keys() {
                let entry = memberships.entry(i).or_default();
                entry.0.push(id.clone());
                entry.1 |= escalate;
            }
            host_iocs.add_incident(rules, events, &chain.rows, &host.name, &id);
            incident::write_up(id, chain, escalate, events, &docs, rules)
        })
        .collect();
    let view = HostView {
        events,
        rows: &host.rows,
        docs: &docs,
        chains: &chains,
        incidents: &incidents,
        unexplained: &unexplained,
        rules,
    };
    let (verdict, reasons) = verdict::reasons(&view, &host.excluded);
    let playbook = playbook::answer(&view);
    let containment = containment::checklist(
        &view,
        verdict,
        &reasons,
        &host_iocs.snapshot(rules.max_incident_rows),
    );
    let findings = host
        .rows
        .iter()
        .filter(|&&i| events.get(i).is_some_and(|e| e.severity > Severity::Info))
        .count();
    let report = HostReport {
        host: host.name.clone(),
        names: host.names.iter().cloned().collect(),
        evidence: host.evidence.iter().cloned().collect(),
        verdict,
        reasons,
        incidents,
        playbook,
        containment,
        excluded: host
            .excluded
            .iter()
            .map(|(id, &hits)| ExcludedCount {
                exclusion: id.clone(),
                hits,
            })
            .collect(),
        rows: host.rows.len(),
        findings,
    };
    (report, host_iocs)
}
#[cfg(test)]
mod tests;
