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
use super::rows::{account_name, base_name, group_users};
use crate::detect::Event;
use crate::profile::{Confidence, CorrelateRules};

/// How a tree joined its document.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Ord, PartialOrd)]
pub enum Join {
    /// No document.
    None,
    /// The document was opened by the same user shortly before.
    TimeWindow,
    /// The Office process's start or command line names a document of that file name, but
    /// several documents have it, or only the name matches.
    NameOnly,
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

    /// Users of its rows, one per account (see [`group_users`]).
    pub fn users(&self, events: &[Event]) -> Vec<String> {
        group_users(
            self.rows
                .keys()
                .filter_map(|&i| events.get(i)?.user.as_deref()),
        )
    }
}

/// The document a tree's Office process opened, and how it is known.
fn document_of_tree(
    tree: &Tree,
    events: &[Event],
    docs: &[Document],
    index: &documents::NameIndex,
    openings: &[Opening],
    rules: &CorrelateRules,
) -> (Option<usize>, Join) {
    // The Office process's own start names the document: a unique path match is its identity,
    // a file-name match only a likely one.
    let mut by_name: Option<usize> = None;
    for &open in &tree.office_opens {
        let Some(named) = events.get(open).and_then(|e| e.fields.document.as_deref()) else {
            continue;
        };
        match documents::matching(docs, index, named) {
            (2, found) if found.len() == 1 => return (found.first().copied(), Join::Identity),
            (_, found) => by_name = by_name.or(found.first().copied()),
        }
    }
    if let Some(d) = by_name {
        return (Some(d), Join::NameOnly);
    }
    // Its command line names the document as a whole file name.
    for line in tree.office_command_lines(events) {
        // The file names of the command line's arguments (quoted ones may hold spaces), looked
        // up by name: a whole file name, never a part of a longer one.
        let mut named: Vec<usize> = line
            .split('"')
            .enumerate()
            .flat_map(|(n, part)| {
                if n % 2 == 1 {
                    vec![part]
                } else {
                    part.split_whitespace().collect()
                }
            })
            .filter_map(|argument| index.get(&base_name(argument)))
            .flatten()
            .copied()
            .collect();
        named.sort_unstable();
        named.dedup();
        match named.as_slice() {
            [only] => return (Some(*only), Join::CommandLine),
            [first, ..] => return (Some(*first), Join::NameOnly),
            [] => {}
        }
    }
    // The latest opening by the same user within the window before the first child, of a
    // document of the same application.
    let app = rules.application_of_image(&tree.office_image);
    let started = tree.started(events);
    let window =
        i64::try_from(rules.open_window_seconds.saturating_mul(1_000_000)).unwrap_or(i64::MAX);
    let users: BTreeSet<String> = tree
        .roots
        .iter()
        .filter_map(|&i| events.get(i)?.user.as_deref().map(account_name))
        .collect();
    let from = openings.partition_point(|o| o.time < started.saturating_sub(window));
    let to = openings.partition_point(|o| o.time <= started);
    let best = openings.get(from..to).and_then(|candidates| {
        candidates.iter().rev().find(|o| {
            let same_user = o
                .user
                .as_ref()
                .is_none_or(|u| users.is_empty() || users.contains(u));
            let same_app = |other: Option<usize>| app.is_none() || other.is_none() || other == app;
            same_user && same_app(o.document_app) && same_app(o.process_app)
        })
    });
    match best {
        Some(o) => (Some(o.document), Join::TimeWindow),
        None => (None, Join::None),
    }
}

/// An opening of a DDE document, for the time-window join.
struct Opening {
    time: i64,
    document: usize,
    /// The application of the document (by extension).
    document_app: Option<usize>,
    /// The application of the process that opened it, when the row names one.
    process_app: Option<usize>,
    /// The account that opened it.
    user: Option<String>,
}

/// Every opening of the host's DDE documents, by time.
fn openings(events: &[Event], docs: &[Document], rules: &CorrelateRules) -> Vec<Opening> {
    let mut all = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        let document_app = doc
            .paths
            .iter()
            .find_map(|p| rules.application_of_document(p));
        for &o in &doc.opened {
            let Some(open) = events.get(o) else { continue };
            all.push(Opening {
                time: open.timestamp.unix_micros(),
                document: d,
                document_app,
                process_app: open
                    .fields
                    .image
                    .as_deref()
                    .and_then(|i| rules.application_of_image(i)),
                user: open.user.as_deref().map(account_name),
            });
        }
    }
    all.sort_by_key(|o| (o.time, o.document));
    all
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
    let index = processes::Index::new(events, host_rows, rules);
    let names = documents::name_index(docs);
    let opened = openings(events, docs, rules);
    for tree in processes::trees(&index, host_rows, rules, root_rules) {
        let (document, join) = document_of_tree(&tree, events, docs, &names, &opened, rules);
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
    attach_alerts(&mut chains, events, host_rows, docs, rules);
    let unexplained = attach_settings(&mut chains, events, host_rows, rules);
    attach_memory(&mut chains, events, host_rows, docs);
    (chains, unexplained)
}

/// What a chain offers to explain a setting: its anchor (µs), its users' account names and its
/// Office application.
type Offer = (i64, BTreeSet<String>, Option<usize>);

/// Joins each DDE-enabling setting to the first chain that ran something of the setting's
/// application within the look-back after it (same user where both are known); returns the
/// settings no chain explains. A chain that only opened a document, or ran nothing, explains
/// nothing: the change stays unexplained (and escalates).
fn attach_settings(
    chains: &mut [Chain],
    events: &[Event],
    host_rows: &[usize],
    rules: &CorrelateRules,
) -> Vec<usize> {
    let lookback = i64::try_from(rules.setting_lookback_hours.saturating_mul(3_600_000_000))
        .unwrap_or(i64::MAX);
    // What each chain offers: its anchor, its users and its application, when it ran something.
    let offers: Vec<Option<Offer>> = chains
        .iter()
        .map(|c| {
            let tree = c.tree.as_ref()?;
            let users = c.users(events).iter().map(|u| account_name(u)).collect();
            Some((
                c.anchor?,
                users,
                rules.application_of_image(&tree.office_image),
            ))
        })
        .collect();
    let in_chains: BTreeSet<usize> = chains.iter().flat_map(|c| c.rows.keys().copied()).collect();
    let mut unexplained = Vec::new();
    for &i in host_rows {
        let Some(event) = events.get(i) else { continue };
        let enabling = event.is_finding()
            && event
                .rule_id
                .as_deref()
                .is_some_and(|r| rules.enabling_setting_rules.iter().any(|x| x == r));
        if !enabling || in_chains.contains(&i) {
            continue;
        }
        if event.timestamp_desc == crate::detect::timeline::desc::NOT_A_TIME {
            unexplained.push(i);
            continue;
        }
        let t = event.timestamp.unix_micros();
        let user = event.user.as_deref().map(account_name);
        let app = event
            .fields
            .registry_key
            .as_deref()
            .and_then(|k| rules.application_of_setting(k));
        let target = offers
            .iter()
            .enumerate()
            .filter_map(|(n, offer)| Some((n, offer.as_ref()?)))
            .filter(|(_, (anchor, users, chain_app))| {
                *anchor >= t
                    && *anchor - t <= lookback
                    && user
                        .as_ref()
                        .is_none_or(|u| users.is_empty() || users.contains(u))
                    && (app.is_none() || chain_app.is_none() || app == *chain_app)
            })
            .min_by_key(|(_, (anchor, _, _))| *anchor)
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

/// Joins each Office prompt about links or DDE (OAlerts 300) to the chain it belongs to: one of
/// the prompting application whose document or execution lies within `open_window_seconds` of
/// it, the one naming the prompt's document first, else the nearest in time. The prompt is the
/// user being asked to let the document start another program: an opening trace.
fn attach_alerts(
    chains: &mut [Chain],
    events: &[Event],
    host_rows: &[usize],
    docs: &[Document],
    rules: &CorrelateRules,
) {
    let window =
        i64::try_from(rules.open_window_seconds.saturating_mul(1_000_000)).unwrap_or(i64::MAX);
    for &i in host_rows {
        let Some(alert) = events
            .get(i)
            .filter(|e| e.data_type == "ddesweep:eventlog:office_alert")
        else {
            continue;
        };
        let t = alert.timestamp.unix_micros();
        let text = alert.message.to_ascii_lowercase();
        let best = chains
            .iter()
            .enumerate()
            .filter_map(|(n, chain)| {
                let anchor = chain.anchor?;
                let app = chain
                    .tree
                    .as_ref()
                    .and_then(|tree| rules.application_of_image(&tree.office_image))
                    .or_else(|| {
                        let doc = docs.get(chain.document?)?;
                        doc.paths
                            .iter()
                            .find_map(|p| rules.application_of_document(p))
                    });
                let app_named = app.and_then(|a| rules.applications.get(a)).is_none_or(|a| {
                    text.contains(&a.registry_key.trim_matches('\\').to_ascii_lowercase())
                });
                let names_document = chain.document.and_then(|d| docs.get(d)).is_some_and(|d| {
                    d.names
                        .iter()
                        .any(|name| documents::names_file(&text, name))
                });
                ((t - anchor).abs() <= window && app_named).then_some((
                    !names_document,
                    (t - anchor).abs(),
                    n,
                ))
            })
            .min()
            .map(|(_, _, n)| n);
        if let Some(chain) = best.and_then(|n| chains.get_mut(n)) {
            chain.rows.entry(i).or_insert(Stage::Opened);
        }
    }
}

/// Shortest command line or URL a carved string is matched with (shorter ones match by chance).
const MIN_NEEDLE: usize = 12;

/// Joins strings carved from memory to the chains whose document names (as whole file names),
/// URLs or command lines they hold. One automaton over every chain's needles, so the cost is
/// the carved text's length, not carved rows times chains.
fn attach_memory(chains: &mut [Chain], events: &[Event], host_rows: &[usize], docs: &[Document]) {
    // (needle, is a file name, chain)
    let mut needles: Vec<(String, bool, usize)> = Vec::new();
    for (n, chain) in chains.iter().enumerate() {
        let mut add = |text: String, name: bool| {
            if name || text.len() >= MIN_NEEDLE {
                needles.push((text.to_ascii_lowercase(), name, n));
            }
        };
        if let Some(doc) = chain.document.and_then(|d| docs.get(d)) {
            doc.names.iter().for_each(|name| add(name.clone(), true));
            doc.commands
                .iter()
                .flat_map(|c| super::iocs::urls_in(c))
                .for_each(|url| add(url, false));
        }
        for &i in chain.rows.keys() {
            let Some(e) = events.get(i) else { continue };
            if e.data_type == "ddesweep:eventlog:process_start"
                && let Some(command) = &e.fields.command
            {
                add(command.clone(), false);
                super::iocs::urls_in(command)
                    .into_iter()
                    .for_each(|url| add(url, false));
            }
        }
    }
    if needles.is_empty() {
        return;
    }
    let Ok(automaton) = aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(needles.iter().map(|(text, _, _)| text.as_bytes()))
    else {
        return;
    };
    for &i in host_rows {
        let Some(text) = events.get(i).and_then(|e| e.fields.carved_text.as_deref()) else {
            continue;
        };
        let mut joined: BTreeSet<usize> = BTreeSet::new();
        for found in automaton.find_overlapping_iter(text) {
            let Some((needle, is_name, chain)) = needles.get(found.pattern().as_usize()) else {
                continue;
            };
            if !*is_name || documents::names_file(text, needle) {
                joined.insert(*chain);
            }
        }
        for chain in joined {
            if let Some(chain) = chains.get_mut(chain) {
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
