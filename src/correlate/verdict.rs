//! The playbook's verdict for a host, with its reasons: escalate when DDE execution is
//! confirmed, when a DDE document links to an e-mail or web origin, or when DDE-enabling
//! settings changed with nothing to explain them; investigate for any other finding; no
//! evidence otherwise.

use std::collections::BTreeMap;

use super::HostView;
use super::chains::Chain;
use super::documents::Document;
use super::model::{Reason, Verdict};
use super::short_time;
use crate::detect::Event;
use crate::profile::CorrelateRules;

/// Whether a chain calls for escalation on its own.
pub fn escalates(
    chain: &Chain,
    events: &[Event],
    docs: &[Document],
    rules: &CorrelateRules,
) -> bool {
    !chain.confirming_execution(events, rules).is_empty()
        || chain
            .document
            .and_then(|d| docs.get(d))
            .is_some_and(|d| d.email || d.came_from_web(rules))
}

fn row_ids(events: &[Event], rows: impl IntoIterator<Item = usize>) -> Vec<String> {
    let mut ids: Vec<String> = rows
        .into_iter()
        .filter_map(|i| events.get(i).map(|e| e.row_id.clone()))
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// The reasons for a host's verdict, most serious first, and the verdict.
pub fn reasons(view: &HostView<'_>, excluded: &BTreeMap<String, usize>) -> (Verdict, Vec<Reason>) {
    let HostView {
        events,
        rows: host_rows,
        docs,
        chains,
        incidents,
        unexplained,
        rules,
    } = *view;
    let mut reasons = Vec::new();
    for (chain, incident) in chains.iter().zip(incidents) {
        let doc = chain.document.and_then(|d| docs.get(d));
        let execution = chain.confirming_execution(events, rules);
        if !execution.is_empty() {
            let first = execution.first().and_then(|&i| events.get(i));
            // Without a DDE document the same process tree may come from a macro: say so.
            let what = if doc.is_some() {
                "DDE execution confirmed"
            } else {
                "Office started a flagged process (DDE or macro: no DDE document identified)"
            };
            reasons.push(Reason {
                text: format!(
                    "{what} ({}): {}",
                    incident.id,
                    first.map_or("", |e| e.message.as_str())
                ),
                verdict: Verdict::Escalate,
                rows: row_ids(events, execution),
            });
        }
        if let Some(doc) = doc.filter(|d| d.email || d.came_from_web(rules)) {
            let via = if doc.email {
                "an e-mail attachment"
            } else {
                "a web download"
            };
            reasons.push(Reason {
                text: format!(
                    "DDE document {} is {via} ({}){}",
                    doc.display_name(),
                    incident.id,
                    if chain.executed() {
                        ""
                    } else {
                        ": a phishing delivery, whether or not it ran here"
                    }
                ),
                verdict: Verdict::Escalate,
                rows: row_ids(
                    events,
                    doc.findings.iter().chain(&doc.saved_by_outlook).copied(),
                ),
            });
        }
        if !escalates(chain, events, docs, rules) {
            reasons.push(Reason {
                text: format!("{}: {}", incident.id, incident.title),
                verdict: Verdict::Investigate,
                rows: row_ids(events, doc.map(|d| d.findings.clone()).unwrap_or_default()),
            });
        }
    }
    for &i in unexplained {
        let Some(e) = events.get(i) else { continue };
        let text = if e.timestamp_desc == crate::detect::timeline::desc::NOT_A_TIME {
            format!(
                "DDE-enabling setting in place, time of the change unknown, nothing to explain it: {}",
                e.message
            )
        } else {
            format!(
                "DDE-enabling setting changed with nothing to explain it (no incident that ran something within the look-back after it): {} ({})",
                e.message,
                short_time(e.timestamp.unix_micros())
            )
        };
        reasons.push(Reason {
            text,
            verdict: Verdict::Escalate,
            rows: vec![e.row_id.clone()],
        });
    }
    // Findings in no incident, by rule.
    let in_chains: std::collections::BTreeSet<usize> =
        chains.iter().flat_map(|c| c.rows.keys().copied()).collect();
    let unexplained_set: std::collections::BTreeSet<usize> = unexplained.iter().copied().collect();
    let mut loose: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for &i in host_rows {
        let Some(e) = events.get(i) else { continue };
        if e.is_finding() && !unexplained_set.contains(&i) && !in_chains.contains(&i) {
            let rule = e
                .rule_title
                .clone()
                .or_else(|| e.rule_id.clone())
                .unwrap_or_default();
            loose.entry(rule).or_default().push(i);
        }
    }
    for (rule, rows) in loose {
        let example = rows
            .first()
            .and_then(|&i| events.get(i))
            .map_or("", |e| e.message.as_str());
        reasons.push(Reason {
            text: format!(
                "{} finding{} of \"{rule}\" in no incident, e.g. {example}",
                rows.len(),
                if rows.len() == 1 { "" } else { "s" }
            ),
            verdict: Verdict::Investigate,
            rows: row_ids(events, rows),
        });
    }
    let verdict = reasons
        .iter()
        .map(|r| r.verdict)
        .max()
        .unwrap_or(Verdict::NoEvidence);
    if reasons.is_empty() {
        let hits: usize = excluded.values().sum();
        let text = if hits == 0 {
            "No DDE findings on this host.".to_owned()
        } else {
            let ids: Vec<String> = excluded
                .iter()
                .map(|(id, n)| format!("{id} ({n})"))
                .collect();
            format!(
                "No DDE findings on this host; {hits} hit{} left out by the profile's exclusions: {}.",
                if hits == 1 { " was" } else { "s were" },
                ids.join(", ")
            )
        };
        reasons.push(Reason {
            text,
            verdict: Verdict::NoEvidence,
            rows: Vec::new(),
        });
    }
    reasons.sort_by_key(|r| std::cmp::Reverse(r.verdict));
    (verdict, reasons)
}
