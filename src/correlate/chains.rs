//! Incidents as chains of rows: a DDE document -> its opening -> the Office process's
//! suspicious children -> what they did, with the DDE-enabling settings changed before it and
//! the same traces in memory.
//!
//! Trees come first ([`super::processes`]); each joins the document its Office process opened
//! (by the Office start's document, else its command line: high confidence), else the latest
//! document opened by the same user within `open_window_seconds` before it (medium). Documents
//! no tree joins are incidents of their own (medium when opened, low when dormant).

use std::collections::{BTreeMap, BTreeSet};

use super::documents::{self, Document};
use super::model::Stage;
use super::processes::{self, Tree};
use super::rows::{account_name, base_name};
use crate::detect::Event;
use crate::profile::{Confidence, CorrelateRules};

/// How a tree joined its document.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Ord, PartialOrd)]
pub enum Join {
    /// No document.
    None,
    /// The document was opened by the same user shortly before.
    TimeWindow,
    /// The Office process's command line names the document.
    CommandLine,
    /// The Office process's own start row names the document.
    Identity,
}

/// One incident before it is written up.
#[derive(Clone, Debug)]
pub struct Chain {
    /// Its rows and the stage each stands for.
    pub rows: BTreeMap<usize, Stage>,
    /// The document at its start, by index in the host's documents.
    pub document: Option<usize>,
    /// How the document joined.
    pub join: Join,
    /// The Office process tree, when something ran.
    pub tree: Option<Tree>,
    /// Time of the first delivery, opening or execution row (µs): what settings are
    /// compared with. `None` for a dormant document.
    pub anchor: Option<i64>,
}

impl Chain {
    /// Whether the Office application started something (outside memory too).
    pub fn executed(&self) -> bool {
        self.rows.values().any(|s| *s == Stage::Execution)
    }

    /// The execution rows whose finding is serious enough to confirm DDE execution.
    pub fn confirming_execution(&self, events: &[Event], rules: &CorrelateRules) -> Vec<usize> {
        self.rows
            .iter()
            .filter(|(_, s)| **s == Stage::Execution)
            .filter(|(i, _)| {
                events
                    .get(**i)
                    .is_some_and(|e| e.severity >= rules.escalate_execution_from)
            })
            .map(|(&i, _)| i)
            .collect()
    }

    /// How sure the joins are.
    pub fn confidence(&self) -> Confidence {
        match (&self.tree, self.join) {
            (Some(_), Join::Identity | Join::CommandLine) => Confidence::High,
            (Some(_), _) => Confidence::Medium,
            (None, _) if self.rows.values().any(|s| *s == Stage::Opened) => Confidence::Medium,
            (None, _) => Confidence::Low,
        }
    }

    /// Users of its rows, as written (`CORP\dave`), one per account name.
    pub fn users(&self, events: &[Event]) -> Vec<String> {
        let mut by_account: BTreeMap<String, String> = BTreeMap::new();
        for &i in self.rows.keys() {
            if let Some(user) = events.get(i).and_then(|e| e.user.as_deref()) {
                let entry = by_account
                    .entry(account_name(user))
                    .or_insert_with(|| user.to_owned());
                // Prefer the qualified form.
                if user.contains('\\') && !entry.contains('\\') {
                    *entry = user.to_owned();
                }
            }
        }
        by_account.into_values().collect()
    }
}

/// The document a tree's Office process opened, and how it is known.
fn document_of_tree(
    tree: &Tree,
    events: &[Event],
    docs: &[Document],
    rules: &CorrelateRules,
) -> (Option<usize>, Join) {
    for &open in &tree.office_opens {
        let named = events.get(open).and_then(|e| e.fields.document.as_deref());
        if let Some(&d) = named
            .map(|n| documents::matching(docs, n))
            .as_deref()
            .and_then(<[usize]>::first)
        {
            return (Some(d), Join::Identity);
        }
    }
    for line in tree.office_command_lines(events) {
        let lower = line.to_ascii_lowercase();
        if let Some(d) = docs
            .iter()
            .position(|d| d.names.iter().any(|n| lower.contains(n.as_str())))
        {
            return (Some(d), Join::CommandLine);
        }
    }
    // The latest opening by the same user within the window before the first child.
    let started = tree.started(events);
    let window =
        i64::try_from(rules.open_window_seconds.saturating_mul(1_000_000)).unwrap_or(i64::MAX);
    let users: BTreeSet<String> = tree
        .roots
        .iter()
        .filter_map(|&i| events.get(i)?.user.as_deref().map(account_name))
        .collect();
    let mut best: Option<(i64, usize)> = None;
    for (d, doc) in docs.iter().enumerate() {
        for &o in &doc.opened {
            let Some(open) = events.get(o) else { continue };
            let t = open.timestamp.unix_micros();
            let same_user = match open.user.as_deref() {
                Some(u) => users.is_empty() || users.contains(&account_name(u)),
                None => true,
            };
            if t <= started
                && started - t <= window
                && same_user
                && best.is_none_or(|(bt, _)| t > bt)
            {
                best = Some((t, d));
            }
        }
    }
    match best {
        Some((_, d)) => (Some(d), Join::TimeWindow),
        None => (None, Join::None),
    }
}

/// Adds a document's rows to a chain.
fn add_document(rows: &mut BTreeMap<usize, Stage>, doc: &Document) {
    for &i in &doc.findings {
        rows.entry(i).or_insert(Stage::Document);
    }
    for &(i, stage) in &doc.context {
        rows.entry(i).or_insert(stage);
    }
    for &i in &doc.opened {
        rows.entry(i).or_insert(Stage::Opened);
    }
    for &i in &doc.saved_by_outlook {
        rows.entry(i).or_insert(Stage::Delivery);
    }
}

/// The first delivery, opening or execution time of a chain.
fn anchor(rows: &BTreeMap<usize, Stage>, events: &[Event]) -> Option<i64> {
    rows.iter()
        .filter(|(_, s)| matches!(s, Stage::Delivery | Stage::Opened | Stage::Execution))
        .filter_map(|(&i, _)| events.get(i))
        .map(|e| e.timestamp.unix_micros())
        .min()
}

/// The chains of one host, and the DDE-enabling setting rows no chain explains.
pub fn build(
    events: &[Event],
    host_rows: &[usize],
    docs: &[Document],
    rules: &CorrelateRules,
    root_rules: &[String],
) -> (Vec<Chain>, Vec<usize>) {
    let mut chains = Vec::new();
    let mut docs_in_trees = BTreeSet::new();
    for tree in processes::trees(events, host_rows, rules, root_rules) {
        let (document, join) = document_of_tree(&tree, events, docs, rules);
        let mut rows = tree.rows.clone();
        for &o in &tree.office_opens {
            rows.entry(o).or_insert(Stage::Opened);
        }
        if let Some(doc) = document.and_then(|d| docs.get(d)) {
            add_document(&mut rows, doc);
            docs_in_trees.extend(document);
        }
        chains.push(Chain {
            anchor: anchor(&rows, events),
            rows,
            document,
            join,
            tree: Some(tree),
        });
    }
    for (d, doc) in docs.iter().enumerate() {
        if docs_in_trees.contains(&d) {
            continue;
        }
        let mut rows = BTreeMap::new();
        add_document(&mut rows, doc);
        chains.push(Chain {
            anchor: anchor(&rows, events),
            rows,
            document: Some(d),
            join: Join::None,
            tree: None,
        });
    }
    let unexplained = attach_settings(&mut chains, events, host_rows, rules);
    attach_memory(&mut chains, events, host_rows, docs);
    (chains, unexplained)
}

/// Joins each DDE-enabling setting to the first chain that began within the look-back after
/// it (same user where both are known); returns the settings no chain explains.
fn attach_settings(
    chains: &mut [Chain],
    events: &[Event],
    host_rows: &[usize],
    rules: &CorrelateRules,
) -> Vec<usize> {
    let lookback = i64::try_from(rules.setting_lookback_hours.saturating_mul(3_600_000_000))
        .unwrap_or(i64::MAX);
    let mut unexplained = Vec::new();
    for &i in host_rows {
        let Some(event) = events.get(i) else { continue };
        let enabling = event.is_finding()
            && event
                .rule_id
                .as_deref()
                .is_some_and(|r| rules.enabling_setting_rules.iter().any(|x| x == r));
        if !enabling || chains.iter().any(|c| c.rows.contains_key(&i)) {
            continue;
        }
        let t = event.timestamp.unix_micros();
        let user = event.user.as_deref().map(account_name);
        let target = chains
            .iter()
            .enumerate()
            .filter(|(_, c)| c.anchor.is_some_and(|a| a >= t && a - t <= lookback))
            .filter(|(_, c)| {
                let users: Vec<String> = c.users(events).iter().map(|u| account_name(u)).collect();
                user.as_ref()
                    .is_none_or(|u| users.is_empty() || users.contains(u))
            })
            .min_by_key(|(_, c)| c.anchor)
            .map(|(n, _)| n);
        match target.and_then(|n| chains.get_mut(n)) {
            Some(chain) => {
                chain.rows.insert(i, Stage::EnablingSetting);
            }
            None => unexplained.push(i),
        }
    }
    unexplained
}

/// Shortest needle a carved string is matched with (shorter ones match by chance).
const MIN_NEEDLE: usize = 12;

/// Joins strings carved from memory to the chains whose document names, URLs or command
/// lines they hold.
fn attach_memory(chains: &mut [Chain], events: &[Event], host_rows: &[usize], docs: &[Document]) {
    let needles: Vec<BTreeSet<String>> = chains
        .iter()
        .map(|chain| {
            let mut set = BTreeSet::new();
            if let Some(doc) = chain.document.and_then(|d| docs.get(d)) {
                set.extend(doc.names.iter().cloned());
                set.extend(doc.commands.iter().flat_map(|c| super::iocs::urls_in(c)));
            }
            for &i in chain.rows.keys() {
                let Some(e) = events.get(i) else { continue };
                if e.data_type == "ddesweep:eventlog:process_start"
                    && let Some(command) = &e.fields.command
                {
                    set.insert(command.to_ascii_lowercase());
                    set.extend(super::iocs::urls_in(command));
                }
            }
            set.into_iter()
                .map(|n| n.to_ascii_lowercase())
                .filter(|n| n.len() >= MIN_NEEDLE || n.contains('.'))
                .collect()
        })
        .collect();
    for &i in host_rows {
        let Some(event) = events.get(i) else { continue };
        let Some(text) = event.fields.carved_text.as_deref() else {
            continue;
        };
        let text = text.to_ascii_lowercase();
        for (chain, needles) in chains.iter_mut().zip(&needles) {
            if needles
                .iter()
                .any(|n| n.len() >= 5 && text.contains(n.as_str()))
            {
                chain.rows.entry(i).or_insert(Stage::Memory);
            }
        }
    }
}

/// The document a chain's title names: its display name, else the Office image's name.
pub fn subject(chain: &Chain, docs: &[Document]) -> String {
    match chain.document.and_then(|d| docs.get(d)) {
        Some(doc) => doc.display_name(),
        None => chain
            .tree
            .as_ref()
            .map(|t| base_name(&t.office_image))
            .unwrap_or_default(),
    }
}
