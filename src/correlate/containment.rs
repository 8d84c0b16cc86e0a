//! The containment checklist of a host, filled with the evidence's own entities: the host to
//! isolate, the processes to terminate, the files to quarantine, the accounts to review, the
//! settings to revert, where to look for persistence, and what to block.

use std::collections::{BTreeMap, BTreeSet};

use super::HostView;
use super::iocs::sha256_of_hashes;
use super::model::{
    Account, Containment, FileToQuarantine, Ioc, IocKind, PersistenceCheck, ProcessEntry, Reason,
    SettingToRevert, Stage, Verdict,
};
use super::playbook::{process_entries, process_entry};
use super::rows::{account_of, base_name, group_users};
use crate::profile::CorrelateRules;

/// The checklist.
pub fn checklist(
    facts: &HostView<'_>,
    verdict: Verdict,
    reasons: &[Reason],
    iocs: &[Ioc],
) -> Containment {
    let rules = facts.rules;
    let escalated: BTreeSet<&str> = facts
        .incidents
        .iter()
        .filter(|i| i.escalate)
        .map(|i| i.id.as_str())
        .collect();
    let escalate = verdict == Verdict::Escalate;
    // Processes to kill and accounts to reset come only from escalated incidents: an
    // investigated one (an ERP's Excel child, a dormant document) asks questions, not action.
    let (escalated_chains, escalated_incidents): (Vec<_>, Vec<_>) = facts
        .chains
        .iter()
        .zip(facts.incidents)
        .filter(|(_, incident)| incident.escalate)
        .map(|(chain, incident)| (chain.clone(), incident.clone()))
        .unzip();
    let escalated_view = HostView {
        chains: &escalated_chains,
        incidents: &escalated_incidents,
        ..*facts
    };
    Containment {
        isolate_host: escalate.then(|| {
            format!(
                "verdict escalate: {}",
                reasons.first().map_or("", |r| r.text.as_str())
            )
        }),
        processes: processes(&escalated_view, rules),
        files: files(facts),
        accounts: accounts(&escalated_view),
        settings_to_revert: settings(facts, rules),
        persistence: persistence(facts, rules, escalate),
        // Only what escalated incidents reached or carried: a dormant document's URL is for
        // investigation, not for the firewall.
        block: iocs
            .iter()
            .filter(|i| matches!(i.kind, IocKind::Url | IocKind::Domain | IocKind::Ip))
            .filter(|i| i.incidents.iter().any(|id| escalated.contains(id.as_str())))
            .map(|i| i.value.clone())
            .collect(),
    }
}

/// The Office processes that ran a DDE document and everything below them.
fn processes(facts: &HostView<'_>, rules: &CorrelateRules) -> Vec<ProcessEntry> {
    let mut entries: Vec<ProcessEntry> = Vec::new();
    // The Office processes themselves, from their starts that name the document.
    for chain in facts.chains {
        let Some(tree) = &chain.tree else { continue };
        for &o in &tree.office_opens {
            let Some(e) = facts.events.get(o) else {
                continue;
            };
            let f = &e.fields;
            if entries.iter().any(|x| {
                x.process_id == f.process_id && x.image == f.image.clone().unwrap_or_default()
            }) {
                continue;
            }
            entries.push(process_entry(e));
        }
    }
    entries.extend(process_entries(
        facts.events,
        facts.chains,
        &[Stage::Execution, Stage::Descendant],
        rules,
    ));
    entries.sort_by(|a, b| (&a.started, &a.row_id).cmp(&(&b.started, &b.row_id)));
    entries
}

/// The DDE documents (every copy) and the files the chains wrote.
fn files(facts: &HostView<'_>) -> Vec<FileToQuarantine> {
    let mut files: Vec<FileToQuarantine> = Vec::new();
    let mut listed: BTreeSet<String> = BTreeSet::new();
    for (chain, incident) in facts.chains.iter().zip(facts.incidents) {
        if let Some(doc) = chain.document.and_then(|d| facts.docs.get(d)) {
            for path in &doc.paths {
                if !listed.insert(path.clone()) {
                    continue;
                }
                let rows = doc
                    .findings
                    .iter()
                    .filter_map(|&i| facts.events.get(i))
                    .filter(|e| &e.source_path == path)
                    .map(|e| e.row_id.clone())
                    .collect::<BTreeSet<_>>();
                files.push(FileToQuarantine {
                    path: path.clone(),
                    sha256: Some(doc.sha256.clone())
                        .filter(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())),
                    why: format!("DDE document ({})", incident.id),
                    rows: rows.into_iter().collect(),
                });
            }
        }
        // Hashes of process images, to name the SHA-256 of a file a chain wrote and ran.
        let image_hashes: BTreeMap<String, String> = chain
            .rows
            .keys()
            .filter_map(|&i| facts.events.get(i))
            .filter_map(|e| {
                let sha = e.fields.hashes.as_deref().and_then(sha256_of_hashes)?;
                Some((e.fields.image.as_deref()?.to_ascii_lowercase(), sha))
            })
            .collect();
        for (&i, stage) in &chain.rows {
            let Some(e) = facts.events.get(i) else {
                continue;
            };
            let Some(target) = e.fields.target_file.as_deref() else {
                continue;
            };
            if *stage != Stage::Activity || !listed.insert(target.to_owned()) {
                continue;
            }
            files.push(FileToQuarantine {
                path: target.to_owned(),
                sha256: image_hashes.get(&target.to_ascii_lowercase()).cloned(),
                why: format!(
                    "written by {} ({})",
                    base_name(e.fields.image.as_deref().unwrap_or("")),
                    incident.id
                ),
                rows: vec![e.row_id.clone()],
            });
        }
    }
    files
}

/// The users of the chains, with their SIDs where a row gives one.
fn accounts(facts: &HostView<'_>) -> Vec<Account> {
    // One grouping over the whole host, so that an account is the same in every incident.
    let groups = group_users(
        facts
            .chains
            .iter()
            .flat_map(|c| c.rows.keys())
            .filter_map(|&i| facts.events.get(i)?.user.as_deref()),
    );
    // Per account: its SID, and what it did in which incidents (in incident order).
    let mut by_account: BTreeMap<&str, (Option<String>, Vec<String>)> = BTreeMap::new();
    for (chain, incident) in facts.chains.iter().zip(facts.incidents) {
        let what = if chain.executed() {
            "ran the chain of"
        } else {
            "holds or opened the DDE document of"
        };
        let line = format!("{what} {}", incident.id);
        let mut seen_here: BTreeSet<&str> = BTreeSet::new();
        for &i in chain.rows.keys() {
            let Some(event) = facts.events.get(i) else {
                continue;
            };
            let Some(account) = event.user.as_deref().and_then(|u| account_of(u, &groups)) else {
                continue;
            };
            let (sid, why) = by_account.entry(account).or_default();
            if sid.is_none() {
                sid.clone_from(&event.fields.user_sid);
            }
            if seen_here.insert(account) {
                why.push(line.clone());
            }
        }
    }
    by_account
        .into_iter()
        .map(|(user, (sid, why))| Account {
            user: user.to_owned(),
            sid,
            why: why.join("; "),
        })
        .collect()
}

/// Every DDE-enabling setting of the host, explained or not.
fn settings(facts: &HostView<'_>, rules: &CorrelateRules) -> Vec<SettingToRevert> {
    let unexplained: BTreeSet<usize> = facts.unexplained.iter().copied().collect();
    facts
        .rows
        .iter()
        .filter_map(|&i| Some((i, facts.events.get(i)?)))
        .filter(|(_, e)| {
            e.is_finding()
                && e.rule_id
                    .as_deref()
                    .is_some_and(|r| rules.enabling_setting_rules.iter().any(|x| x == r))
        })
        .map(|(i, e)| SettingToRevert {
            key: e.fields.registry_key.clone().unwrap_or_default(),
            value: e.fields.value.clone().unwrap_or_default(),
            set_at: e.timestamp.to_rfc3339(),
            explained: !unexplained.contains(&i),
            row_id: e.row_id.clone(),
        })
        .collect()
}

/// Persistence the chains wrote, then the standing checks of an escalated host.
fn persistence(
    facts: &HostView<'_>,
    rules: &CorrelateRules,
    escalate: bool,
) -> Vec<PersistenceCheck> {
    let mut checks: Vec<PersistenceCheck> = Vec::new();
    for (chain, incident) in facts.chains.iter().zip(facts.incidents) {
        for (&i, stage) in &chain.rows {
            let Some(e) = facts.events.get(i) else {
                continue;
            };
            if *stage != Stage::Activity {
                continue;
            }
            let written = e
                .fields
                .registry_key
                .as_deref()
                .or(e.fields.target_file.as_deref());
            let Some(written) = written else { continue };
            let lower = written.to_ascii_lowercase();
            let Some(location) = rules.persistence.iter().find(|p| {
                p.fragments
                    .iter()
                    .any(|f| lower.contains(&f.to_ascii_lowercase()))
            }) else {
                continue;
            };
            let value = e
                .fields
                .value
                .as_deref()
                .map(|v| format!(" = {v}"))
                .unwrap_or_default();
            checks.push(PersistenceCheck {
                location: format!("{}: {written}{value}", location.name),
                why: format!(
                    "{} wrote it ({})",
                    base_name(e.fields.image.as_deref().unwrap_or("")),
                    incident.id
                ),
                rows: vec![e.row_id.clone()],
            });
        }
    }
    if escalate {
        checks.extend(
            rules
                .standing_persistence_checks
                .iter()
                .map(|place| PersistenceCheck {
                    location: place.clone(),
                    why: "standing check on a host where Office-started code may have run"
                        .to_owned(),
                    rows: Vec::new(),
                }),
        );
    }
    checks
}
