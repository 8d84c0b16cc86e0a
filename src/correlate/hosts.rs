//! Which host each row belongs to, across evidence items.
//!
//! A host is named by its SYSTEM hive (`ComputerName`) or by the `Computer` of its event
//! records; names compare by their first label, case-insensitively (`WKS-7` and
//! `wks-7.corp.example` are one host). A row with its own `computer_name` (an event record,
//! also one carved from memory) belongs to that computer; any other row to its evidence item's
//! host: the one computer its SYSTEM hive names, else the one computer its event records name.
//! So a disk image and a memory dump of one machine become one host, and a triage folder
//! holding logs of several machines keeps them apart.

use std::collections::{BTreeMap, BTreeSet};

use crate::detect::Event;

/// What the pipeline knows about one evidence item.
#[derive(Clone, Debug, Default)]
pub struct EvidenceFacts {
    /// The evidence item as named on the command line.
    pub label: String,
    /// Computer names its SYSTEM hives give.
    pub system_names: Vec<String>,
    /// Findings its artifacts left out by profile exclusions: exclusion id -> hits.
    pub excluded: BTreeMap<String, usize>,
}

/// One host of the run.
#[derive(Clone, Debug, Default)]
pub struct Host {
    /// The name reports use: as the SYSTEM hive writes it, else the event logs' short name in
    /// upper case, else `unattributed (EVIDENCE)`.
    pub name: String,
    /// Every name seen for it.
    pub names: BTreeSet<String>,
    /// Evidence items with rows of it.
    pub evidence: BTreeSet<String>,
    /// Indices of its rows in the run's (sorted) rows.
    pub rows: Vec<usize>,
    /// Exclusion hits of the evidence items whose default host it is.
    pub excluded: BTreeMap<String, usize>,
    /// What its incident ids start with: its name, or `UNATTRIBUTED-E<n>` for the n-th evidence
    /// item (letters, digits, `.`, `-` and `_` only: ids are typed into search boxes).
    pub id_prefix: String,
}

/// The comparison key of a computer name: its first label, upper-cased.
fn short_key(name: &str) -> String {
    name.split('.')
        .next()
        .unwrap_or(name)
        .trim()
        .to_ascii_uppercase()
}

/// Groups the rows into hosts and writes each row's `host` as the host's name. Hosts are in
/// name order.
pub fn group(events: &mut [Event], facts: &[EvidenceFacts]) -> Vec<Host> {
    // Every name seen, by key, with the preferred spelling (a SYSTEM name first).
    let mut display: BTreeMap<String, String> = BTreeMap::new();
    let mut names: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut default_of: BTreeMap<&str, String> = BTreeMap::new();
    let mut log_names: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for event in events.iter() {
        if let Some(computer) = event
            .fields
            .computer_name
            .as_deref()
            .filter(|c| !c.is_empty())
        {
            let key = short_key(computer);
            names
                .entry(key.clone())
                .or_default()
                .insert(computer.to_owned());
            log_names
                .entry(event.evidence.as_str())
                .or_default()
                .insert(key);
        }
    }
    for fact in facts {
        let keys: BTreeSet<String> = fact
            .system_names
            .iter()
            .filter(|n| !n.trim().is_empty())
            .map(|name| {
                let key = short_key(name);
                // The first spelling on the command line's order stands.
                display
                    .entry(key.clone())
                    .or_insert_with(|| name.trim().to_owned());
                names
                    .entry(key.clone())
                    .or_default()
                    .insert(name.trim().to_owned());
                key
            })
            .collect();
        let single =
            |set: &BTreeSet<String>| (set.len() == 1).then(|| set.first().cloned()).flatten();
        let default = single(&keys).or_else(|| log_names.get(fact.label.as_str()).and_then(single));
        if let Some(key) = default {
            default_of.insert(fact.label.as_str(), key);
        }
    }
    for key in names.keys() {
        display.entry(key.clone()).or_insert_with(|| key.clone());
    }

    let position: BTreeMap<&str, usize> = facts
        .iter()
        .enumerate()
        .map(|(n, f)| (f.label.as_str(), n + 1))
        .collect();
    let unattributed = |evidence: &str| format!("unattributed ({evidence})");
    let new_host = |key: &str, evidence: &str| {
        let name = display.get(key).cloned().unwrap_or_else(|| key.to_owned());
        let id_prefix = if key.starts_with("unattributed (") {
            // The evidence item's place on the command line: file names repeat across cases.
            format!(
                "UNATTRIBUTED-E{}",
                position.get(evidence).copied().unwrap_or(0)
            )
        } else {
            id_safe(&name)
        };
        Host {
            name,
            id_prefix,
            names: names.get(key).cloned().unwrap_or_default(),
            ..Host::default()
        }
    };
    let mut hosts: BTreeMap<String, Host> = BTreeMap::new();
    for (index, event) in events.iter_mut().enumerate() {
        let key = match event
            .fields
            .computer_name
            .as_deref()
            .filter(|c| !c.is_empty())
        {
            Some(computer) => short_key(computer),
            None => match default_of.get(event.evidence.as_str()) {
                Some(key) => key.clone(),
                None => unattributed(&event.evidence),
            },
        };
        let host = hosts
            .entry(key.clone())
            .or_insert_with(|| new_host(&key, &event.evidence));
        host.evidence.insert(event.evidence.clone());
        host.rows.push(index);
        event.host = (!key.starts_with("unattributed (")).then(|| host.name.clone());
    }
    // Every evidence item has a host section, also one that gave no row ("no evidence").
    for fact in facts {
        let key = default_of
            .get(fact.label.as_str())
            .cloned()
            .unwrap_or_else(|| unattributed(&fact.label));
        let has_rows = hosts.values().any(|h| h.evidence.contains(&fact.label));
        if !has_rows || default_of.contains_key(fact.label.as_str()) {
            let host = hosts
                .entry(key.clone())
                .or_insert_with(|| new_host(&key, &fact.label));
            host.evidence.insert(fact.label.clone());
        }
        if let Some(host) = hosts.get_mut(&key) {
            for (id, hits) in &fact.excluded {
                *host.excluded.entry(id.clone()).or_default() += hits;
            }
        }
    }
    hosts.into_values().collect()
}

/// `name` with only letters, digits, `.`, `_` and `-` (others become `_`): incident ids are
/// typed into search boxes and joined with commas in the timeline.
fn id_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Severity;
    use crate::time::Timestamp;

    fn row(evidence: &str, computer: Option<&str>) -> Event {
        let mut event = Event::new(
            "T1559.002",
            Severity::Info,
            "ddesweep:file:stat",
            "m".to_owned(),
            (Timestamp::UNIX_EPOCH, "Not a time"),
            evidence,
            "p",
        );
        event.fields.computer_name = computer.map(str::to_owned);
        event
    }

    fn facts(label: &str, system: &[&str]) -> EvidenceFacts {
        EvidenceFacts {
            label: label.to_owned(),
            system_names: system.iter().map(|s| (*s).to_owned()).collect(),
            excluded: BTreeMap::new(),
        }
    }

    #[test]
    fn an_image_and_a_memory_dump_of_one_machine_are_one_host() {
        let mut rows = vec![
            row("disk.E01", None),
            row("disk.E01", Some("wks-7.corp.example")),
            row("mem.raw", Some("WKS-7.corp.example")),
            row("mem.raw", None),
        ];
        let hosts = group(
            &mut rows,
            &[facts("disk.E01", &["WKS-7"]), facts("mem.raw", &[])],
        );
        assert_eq!(hosts.len(), 1);
        assert_eq!(hosts[0].name, "WKS-7");
        assert_eq!(hosts[0].rows, vec![0, 1, 2, 3]);
        assert_eq!(
            hosts[0]
                .evidence
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            vec!["disk.E01", "mem.raw"]
        );
        assert!(rows.iter().all(|r| r.host.as_deref() == Some("WKS-7")));
        assert_eq!(hosts[0].names.len(), 3);
    }

    #[test]
    fn a_folder_with_two_machines_logs_keeps_them_apart() {
        let mut rows = vec![
            row("triage", Some("a.corp")),
            row("triage", Some("b.corp")),
            row("triage", None),
        ];
        let hosts = group(&mut rows, &[facts("triage", &[])]);
        let names: Vec<&str> = hosts.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, vec!["A", "B", "unattributed (triage)"]);
        assert_eq!(rows[2].host, None);
    }
}
