//! The T2 playbook's questions, answered from a host's rows: where each DDE document came from,
//! whether DDE activity rose above the host's baseline, which Office children are anomalous,
//! and whether phishing ties to the payload.

use std::collections::{BTreeMap, BTreeSet};

use super::HostView;
use super::chains::Chain;
use super::documents::Document;
use super::incident::origin;
use super::iocs::{ip_of, urls_in};
use super::model::{DayActivity, Incident, PhishingLink, Playbook, ProcessEntry, Stage};
use super::rows::base_name;
use crate::detect::Event;
use crate::detect::timeline::desc;
use crate::profile::CorrelateRules;

/// The playbook's answers for one host.
pub fn answer(view: &HostView<'_>) -> Playbook {
    let HostView {
        events,
        rows: host_rows,
        docs,
        chains,
        incidents,
        rules,
        ..
    } = *view;
    let activity_per_day = per_day(events, host_rows, rules);
    Playbook {
        document_origins: docs.iter().map(|d| origin(d, events, rules)).collect(),
        baseline: baseline_sentence(&activity_per_day),
        activity_per_day,
        office_children: process_entries(events, chains, &[Stage::Execution], rules),
        phishing: phishing(events, docs, chains, incidents, rules),
    }
}

/// The day (UTC, `YYYY-MM-DD`) of a row.
fn day(event: &Event) -> String {
    event.timestamp.to_rfc3339().chars().take(10).collect()
}

/// What makes two finding rows one event for counting: one process seen by Sysmon and by
/// Security, one setting seen in its hive and in the log, a record carved again from memory.
fn event_key(e: &Event, window: i64) -> (String, String, i64) {
    let t = e.timestamp.unix_micros();
    match e.data_type {
        "ddesweep:eventlog:process_start" => (
            base_name(e.fields.image.as_deref().unwrap_or("")),
            e.fields
                .process_id
                .map(|p| p.to_string())
                .unwrap_or_default(),
            t / window.max(1),
        ),
        "ddesweep:eventlog:registry_change" | "ddesweep:registry:office_setting" => {
            let key = e
                .fields
                .registry_key
                .as_deref()
                .unwrap_or("")
                .to_ascii_lowercase();
            // From the Office version on, hive paths and log paths agree.
            let tail = key
                .find("\\office\\")
                .map_or(key.as_str(), |at| &key[at..])
                .to_owned();
            ("setting".to_owned(), tail, t / 1_000_000)
        }
        // The same record of the same computer's log (read from disk, carved from memory).
        t_ if t_.starts_with("ddesweep:eventlog:") && e.fields.record_number.is_some() => (
            t_.to_owned(),
            format!(
                "{}#{}",
                e.fields.computer_name.as_deref().unwrap_or(""),
                e.fields.record_number.unwrap_or_default()
            ),
            t,
        ),
        _ => (e.row_id.clone(), String::new(), t),
    }
}

/// DDE-related findings per day (one per event), and whether each day stands above the host's
/// baseline: the median of the earlier days the evidence covers (any row of the host, findings
/// or not, says a day is covered; days without findings count as zero). A day with no earlier
/// covered day has no baseline and is not "above" it.
fn per_day(events: &[Event], host_rows: &[usize], rules: &CorrelateRules) -> Vec<DayActivity> {
    let window =
        i64::try_from(rules.same_process_seconds.saturating_mul(1_000_000)).unwrap_or(i64::MAX);
    let mut days: BTreeMap<String, DayActivity> = BTreeMap::new();
    let mut covered: BTreeSet<String> = BTreeSet::new();
    let mut counted: BTreeSet<(String, String, i64)> = BTreeSet::new();
    for &i in host_rows {
        let Some(e) = events.get(i) else { continue };
        if e.timestamp_desc == desc::NOT_A_TIME {
            continue;
        }
        let date = day(e);
        covered.insert(date.clone());
        if !e.is_finding() || !counted.insert(event_key(e, window)) {
            continue;
        }
        let entry = days.entry(date.clone()).or_insert_with(|| DayActivity {
            date,
            documents: 0,
            processes: 0,
            registry: 0,
            other: 0,
            total: 0,
            above_baseline: false,
        });
        let t = e.data_type;
        if t.starts_with("ddesweep:document:") {
            entry.documents += 1;
        } else if t == "ddesweep:eventlog:process_start" || t.starts_with("ddesweep:prefetch:") {
            entry.processes += 1;
        } else if t.starts_with("ddesweep:registry:") || t == "ddesweep:eventlog:registry_change" {
            entry.registry += 1;
        } else {
            entry.other += 1;
        }
        entry.total += 1;
    }
    let mut out: Vec<DayActivity> = days.into_values().collect();
    let totals: BTreeMap<String, usize> = out.iter().map(|d| (d.date.clone(), d.total)).collect();
    for day in &mut out {
        let earlier: Vec<usize> = covered
            .range(..day.date.clone())
            .map(|d| totals.get(d).copied().unwrap_or(0))
            .collect();
        day.above_baseline = median(&earlier).is_some_and(|baseline| day.total as f64 > baseline);
    }
    out
}

fn median(values: &[usize]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => sorted.get(n / 2).map(|&v| v as f64),
        _ => Some((sorted.get(n / 2 - 1)? + sorted.get(n / 2)?) as f64 / 2.0),
    }
}

/// The baseline question in one sentence.
fn baseline_sentence(days: &[DayActivity]) -> String {
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return "No DDE-related findings on this host: nothing stands above its baseline."
            .to_owned();
    };
    let above: Vec<String> = days
        .iter()
        .filter(|d| d.above_baseline)
        .map(|d| {
            format!(
                "{} ({} finding{})",
                d.date,
                d.total,
                if d.total == 1 { "" } else { "s" }
            )
        })
        .collect();
    let span = if first.date == last.date {
        format!("on {}", first.date)
    } else {
        format!(
            "on {} days between {} and {}",
            days.len(),
            first.date,
            last.date
        )
    };
    if above.is_empty() {
        format!(
            "DDE-related findings {span}; no day stands above the median of the earlier days the evidence covers (or no earlier day is covered)."
        )
    } else {
        format!(
            "DDE-related findings {span}; above the host's baseline (the median of the earlier days the evidence covers, days without findings counting zero): {}.",
            above.join(", ")
        )
    }
}

/// The process rows of `stages` in `chains`, one per process (Sysmon 1 and Security 4688 of
/// one process are one entry; the one with a GUID is kept).
pub fn process_entries(
    events: &[Event],
    chains: &[Chain],
    stages: &[Stage],
    rules: &CorrelateRules,
) -> Vec<ProcessEntry> {
    let window =
        i64::try_from(rules.same_process_seconds.saturating_mul(1_000_000)).unwrap_or(i64::MAX);
    let mut rows: BTreeSet<(i64, usize)> = BTreeSet::new();
    for chain in chains {
        for (&i, stage) in &chain.rows {
            if let Some(e) = events.get(i)
                && stages.contains(stage)
                && e.data_type == "ddesweep:eventlog:process_start"
            {
                rows.insert((e.timestamp.unix_micros(), i));
            }
        }
    }
    let mut entries: Vec<(i64, ProcessEntry)> = Vec::new();
    for (t, i) in rows {
        let Some(e) = events.get(i) else { continue };
        let f = &e.fields;
        let image = f.image.clone().unwrap_or_default();
        let same = entries.iter().position(|(et, entry)| {
            (et - t).abs() <= window
                && f.process_id.is_some()
                && entry.process_id == f.process_id
                && base_name(&entry.image) == base_name(&image)
        });
        let entry = process_entry(e);
        match same {
            Some(n) => {
                if let Some((_, kept)) = entries.get_mut(n)
                    && kept.process_guid.is_none()
                    && entry.process_guid.is_some()
                {
                    *kept = entry;
                }
            }
            None => entries.push((t, entry)),
        }
    }
    entries.into_iter().map(|(_, e)| e).collect()
}

/// The checklist's and the playbook's line for the process a row starts.
pub fn process_entry(e: &Event) -> ProcessEntry {
    let f = &e.fields;
    ProcessEntry {
        started: e.timestamp.to_rfc3339(),
        image: f.image.clone().unwrap_or_default(),
        command: f.command.clone().unwrap_or_default(),
        process_id: f.process_id,
        process_guid: f.process_guid.clone(),
        parent_image: f.parent_image.clone(),
        parent_process_id: f.parent_process_id,
        user: e.user.clone(),
        rule_id: e.rule_id.clone(),
        row_id: e.row_id.clone(),
    }
}

/// Phishing links: documents from e-mail or the web, tied to what their payload reached.
fn phishing(
    events: &[Event],
    docs: &[Document],
    chains: &[Chain],
    incidents: &[Incident],
    rules: &CorrelateRules,
) -> Vec<PhishingLink> {
    let mut links = Vec::new();
    for (chain, incident) in chains.iter().zip(incidents) {
        let Some(doc) = chain.document.and_then(|d| docs.get(d)) else {
            continue;
        };
        if !(doc.email || doc.came_from_web(rules)) {
            continue;
        }
        let via = if doc.email {
            "e-mail attachment"
        } else {
            "web download"
        };
        let mut indicators: Vec<String> = Vec::new();
        for command in &doc.commands {
            for url in urls_in(command) {
                if !indicators.contains(&url) {
                    indicators.push(url);
                }
            }
        }
        let mut connected: Vec<String> = Vec::new();
        let mut looked_up: Vec<String> = Vec::new();
        let mut rows: BTreeSet<String> = BTreeSet::new();
        for (&i, stage) in &chain.rows {
            let Some(e) = events.get(i) else { continue };
            if matches!(stage, Stage::Document | Stage::Delivery) {
                rows.insert(e.row_id.clone());
            }
            if *stage != Stage::Activity {
                continue;
            }
            let image = base_name(e.fields.image.as_deref().unwrap_or(""));
            let name = e.fields.destination_hostname.clone();
            let ip = e.fields.destination.as_deref().and_then(ip_of);
            let item = match (e.data_type, &name, &e.fields.destination) {
                ("ddesweep:eventlog:network_connection", Some(n), Some(d)) => {
                    Some((true, format!("{image} connected to {n} ({d})")))
                }
                ("ddesweep:eventlog:network_connection", None, Some(d)) => {
                    Some((true, format!("{image} connected to {d}")))
                }
                ("ddesweep:eventlog:dns_query", Some(n), _) => {
                    Some((false, format!("{image} looked up {n}")))
                }
                _ => None,
            };
            let Some((is_connection, item)) = item else {
                continue;
            };
            rows.insert(e.row_id.clone());
            let list = if is_connection {
                &mut connected
            } else {
                &mut looked_up
            };
            if !list.contains(&item) {
                list.push(item);
            }
            for value in [name, ip].into_iter().flatten() {
                if !indicators.contains(&value) {
                    indicators.push(value);
                }
            }
        }
        // A lookup says less than the connection to the same name.
        looked_up.retain(|l| {
            let name = l.rsplit(' ').next().unwrap_or("");
            !connected.iter().any(|c| c.contains(&format!(" {name} ")))
        });
        let reached: Vec<String> = connected.into_iter().chain(looked_up).collect();
        let name = doc.display_name();
        let payload = if indicators.is_empty() {
            format!(
                "its DDE payload runs {}",
                doc.commands.first().map_or("", String::as_str)
            )
        } else {
            format!("its DDE payload fetches {}", urls_of(doc).join(", "))
        };
        let how = if doc.email {
            "by e-mail"
        } else {
            "from the web"
        };
        let mut text = format!("{name} arrived {how}; {payload}");
        if !reached.is_empty() {
            text.push_str(&format!("; then {}", reached.join(", ")));
        }
        text.push('.');
        links.push(PhishingLink {
            incident: incident.id.clone(),
            document: doc.paths.first().cloned().unwrap_or_default(),
            via: via.to_owned(),
            payload_indicators: indicators,
            text,
            rows: rows.into_iter().collect(),
        });
    }
    links
}

fn urls_of(doc: &Document) -> Vec<String> {
    let urls: Vec<String> = doc.commands.iter().flat_map(|c| urls_in(c)).collect();
    if urls.is_empty() {
        doc.commands.iter().cloned().collect()
    } else {
        urls
    }
}
