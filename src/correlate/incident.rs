//! Writes a chain up as the report's incident: its title, document origin, narrative and rows.

use std::collections::BTreeSet;

use super::chains::{Chain, subject};
use super::documents::Document;
use super::model::{DocumentOrigin, Incident, IncidentRow, Stage};
use super::rows::base_name;
use super::{rfc3339, short_time};
use crate::detect::Event;
use crate::profile::{CorrelateRules, Severity};

/// Most rows of one stage the narrative names (the rows table lists them all).
const NARRATIVE_PER_STAGE: usize = 8;

/// Where a document came from, with the rows that say so.
pub fn origin(doc: &Document, events: &[Event], rules: &CorrelateRules) -> DocumentOrigin {
    let cache_path = doc.paths.iter().find(|p| {
        doc.findings.iter().any(|&i| {
            events.get(i).is_some_and(|e| {
                &e.source_path == *p && e.tags.iter().any(|t| t == "email_attachment")
            })
        })
    });
    let saved = doc
        .saved_by_outlook
        .iter()
        .filter_map(|&i| events.get(i))
        .min_by_key(|e| e.timestamp);
    let (origin, detail) = if doc.email {
        let mut detail = match cache_path {
            Some(path) => format!("a copy lies in Outlook's attachment cache ({path})"),
            None => "it was attached to an e-mail message".to_owned(),
        };
        if let Some(saved) = saved {
            detail.push_str(&format!(
                "; {} saved it at {} (Sysmon 11)",
                base_name(saved.fields.image.as_deref().unwrap_or("OUTLOOK.EXE"))
                    .to_ascii_uppercase(),
                short_time(saved.timestamp.unix_micros())
            ));
        }
        ("e-mail attachment", detail)
    } else if doc.came_from_web(rules) {
        let mut detail = format!("Mark of the Web zone {}", doc.zone_id.unwrap_or_default());
        if let Some(url) = &doc.host_url {
            detail.push_str(&format!(", downloaded from {url}"));
        }
        if let Some(url) = &doc.referrer_url {
            detail.push_str(&format!(" (page {url})"));
        }
        ("web download", detail)
    } else if doc.trusted_zone(rules) {
        (
            "intranet or trusted site",
            format!("Mark of the Web zone {}", doc.zone_id.unwrap_or_default()),
        )
    } else {
        (
            "unknown",
            "no Mark of the Web was read (copies to a folder lose it) and no copy lies in an e-mail cache".to_owned(),
        )
    };
    let mut rows: BTreeSet<String> = BTreeSet::new();
    for &i in doc
        .findings
        .iter()
        .chain(&doc.saved_by_outlook)
        .chain(&doc.opened)
    {
        rows.extend(events.get(i).map(|e| e.row_id.clone()));
    }
    for &(i, stage) in &doc.context {
        if stage == Stage::Delivery {
            rows.extend(events.get(i).map(|e| e.row_id.clone()));
        }
    }
    let mut detail = detail;
    if doc.user_trusted {
        detail.push_str("; the user trusted it (TrustRecords)");
    }
    DocumentOrigin {
        paths: doc.paths.iter().cloned().collect(),
        sha256: doc.sha256.clone(),
        commands: doc.commands.iter().cloned().collect(),
        origin: origin.to_owned(),
        origin_detail: detail,
        zone_id: doc.zone_id,
        host_url: doc.host_url.clone(),
        referrer_url: doc.referrer_url.clone(),
        trusted: doc.user_trusted || doc.trusted_zone(rules),
        opened: !doc.opened.is_empty(),
        rows: rows.into_iter().collect(),
    }
}

/// The chain's rows in time order.
fn ordered(chain: &Chain, events: &[Event]) -> Vec<(usize, Stage)> {
    let mut rows: Vec<(usize, Stage)> = chain.rows.iter().map(|(&i, &s)| (i, s)).collect();
    rows.sort_by_key(|&(i, _)| (events.get(i).map(|e| e.timestamp), i));
    rows
}

/// The process images of the chain's execution and descendants, in start order.
fn process_path(chain: &Chain, events: &[Event]) -> Vec<String> {
    let mut seen = Vec::new();
    for (i, stage) in ordered(chain, events) {
        if !matches!(stage, Stage::Execution | Stage::Descendant) {
            continue;
        }
        if let Some(image) = events.get(i).and_then(|e| e.fields.image.as_deref()) {
            let name = base_name(image);
            if !seen.contains(&name) {
                seen.push(name);
            }
        }
    }
    seen
}

/// One line: what happened.
fn title(
    chain: &Chain,
    doc: Option<&DocumentOrigin>,
    events: &[Event],
    docs: &[Document],
) -> String {
    let name = subject(chain, docs);
    let processes = process_path(chain, events);
    match (doc, &chain.tree) {
        (Some(doc), Some(tree)) => format!(
            "{name} ({}): {} started {}",
            doc.origin,
            base_name(&tree.office_image).to_ascii_uppercase(),
            processes.join(" -> ")
        ),
        (None, Some(_)) => format!(
            "{} started {} (no DDE document identified)",
            name.to_ascii_uppercase(),
            processes.join(" -> ")
        ),
        (Some(doc), None) if doc.opened => format!(
            "DDE document {name} ({}) opened; no process it started is recorded",
            doc.origin
        ),
        (Some(doc), None) => format!("DDE document {name} ({}), not seen opened", doc.origin),
        (None, None) => name,
    }
}

/// The narrative: one sentence per step, in order.
fn narrative(chain: &Chain, doc: Option<&DocumentOrigin>, events: &[Event]) -> Vec<String> {
    let rows = ordered(chain, events);
    let mut lines = Vec::new();
    // Rows of the given stages, in time order (what the tree did interleaves with its
    // processes).
    let stage_lines = |stages: &[Stage], lines: &mut Vec<String>| {
        let mut messages: Vec<String> = Vec::new();
        let mut more = 0usize;
        for &(i, s) in &rows {
            let Some(event) = events.get(i) else { continue };
            if !stages.contains(&s) || event.data_type == "ddesweep:file:stat" {
                continue;
            }
            let line = format!(
                "{}: {}",
                short_time(event.timestamp.unix_micros()),
                event.message
            );
            if messages.iter().any(|m| m.ends_with(&event.message)) {
                continue;
            }
            if messages.len() < NARRATIVE_PER_STAGE {
                messages.push(line);
            } else {
                more += 1;
            }
        }
        lines.extend(messages);
        if more > 0 {
            let names: Vec<&str> = stages.iter().map(|s| s.label()).collect();
            lines.push(format!(
                "... and {more} more {} rows (see the table)",
                names.join(" or ")
            ));
        }
    };
    if let Some(doc) = doc {
        let name = doc
            .paths
            .first()
            .map_or("", |p| p.rsplit('/').next().unwrap_or(p));
        let opened = if doc.opened {
            "opened"
        } else {
            "not seen opened"
        };
        lines.push(format!("{name}: {}, {opened}.", doc.origin));
    }
    stage_lines(&[Stage::EnablingSetting], &mut lines);
    stage_lines(&[Stage::Delivery], &mut lines);
    stage_lines(&[Stage::Document], &mut lines);
    stage_lines(&[Stage::Opened], &mut lines);
    stage_lines(&[Stage::Execution], &mut lines);
    stage_lines(&[Stage::Descendant, Stage::Activity], &mut lines);
    let memory = rows.iter().filter(|(_, s)| *s == Stage::Memory).count();
    if memory > 0 {
        lines.push(format!(
            "Memory holds {memory} of the same traces (carved rows)."
        ));
    }
    if chain.tree.is_none() {
        lines.push(match doc {
            Some(doc) if doc.opened => "It was opened, but no process started by Office is recorded in the evidence (no Sysmon 1 or 4688 child)."
                .to_owned(),
            _ => "No trace shows it opened: no Office start, MRU entry, trust record or child process names it."
                .to_owned(),
        });
    }
    lines
}

/// The incident of `chain`, numbered `id`.
pub fn write_up(
    id: String,
    chain: &Chain,
    escalate: bool,
    events: &[Event],
    docs: &[Document],
    rules: &CorrelateRules,
) -> Incident {
    let doc = chain
        .document
        .and_then(|d| docs.get(d))
        .map(|d| origin(d, events, rules));
    let mut bulky = 0usize;
    let mut omitted = 0usize;
    let rows: Vec<IncidentRow> = ordered(chain, events)
        .into_iter()
        .filter(|(_, stage)| {
            if matches!(stage, Stage::Descendant | Stage::Activity | Stage::Memory) {
                bulky += 1;
                if bulky > rules.max_incident_rows {
                    omitted += 1;
                    return false;
                }
            }
            true
        })
        .filter_map(|(i, stage)| {
            let e = events.get(i)?;
            Some(IncidentRow {
                row_id: e.row_id.clone(),
                datetime: e.timestamp.to_rfc3339(),
                timestamp: e.timestamp.unix_micros(),
                timestamp_desc: e.timestamp_desc.to_owned(),
                stage,
                severity: e.severity,
                message: e.message.clone(),
                data_type: e.data_type.to_owned(),
            })
        })
        .collect();
    let severity = rows
        .iter()
        .map(|r| r.severity)
        .max()
        .unwrap_or(Severity::Info);
    let first = rows.iter().map(|r| r.timestamp).min().unwrap_or(0);
    let last = rows.iter().map(|r| r.timestamp).max().unwrap_or(0);
    Incident {
        title: title(chain, doc.as_ref(), events, docs),
        narrative: narrative(chain, doc.as_ref(), events),
        id,
        confidence: chain.confidence(),
        severity,
        escalate,
        first_seen: rfc3339(first),
        last_seen: rfc3339(last),
        users: chain.users(events),
        document: doc,
        rows,
        rows_omitted: omitted,
    }
}
