//! Process trees: an Office application's suspicious children, grouped by the Office process
//! that started them, with everything below them and everything they did.
//!
//! Sysmon names processes by GUID, which is unique: a row with a GUID joins by GUID only.
//! Security 4688 has only PIDs, which Windows reuses: a row joins a process of the same log
//! whose PID it names when that PID's latest start (among the host's rows) is the same, the
//! image names agree (a child's parent image is the process's image), and it lies within
//! `pid_lifetime_hours` of the process's first sight. The same process seen by both logs (same
//! image, same PID, within `same_process_seconds`) is one. Lookups go through indices, so the
//! cost is linear in the host's rows.

use std::collections::{BTreeMap, BTreeSet};

use super::model::Stage;
use super::rows::{base_name, is_carved};
use crate::detect::Event;
use crate::profile::CorrelateRules;

/// Row types of what a process did.
const ACTIVITY_TYPES: &[&str] = &[
    "ddesweep:eventlog:network_connection",
    "ddesweep:eventlog:dns_query",
    "ddesweep:eventlog:file_create",
    "ddesweep:eventlog:registry_change",
    "ddesweep:eventlog:module_load",
];

/// The row type of a process start.
const PROCESS_START: &str = "ddesweep:eventlog:process_start";

/// The row type of an Office start that names a document.
pub const DOCUMENT_OPEN: &str = "ddesweep:eventlog:office_document_open";

/// (evidence, log path, PID).
type LogPid = (String, String, u64);

/// A process known by PID: where, which PID, the start it belongs to (`i64::MIN` when no
/// start row of that PID precedes it).
type PidInstance = (String, String, u64, i64);

/// The host's rows indexed for the joins.
pub struct Index<'a> {
    events: &'a [Event],
    /// Start times of each (log, PID) among process starts and Office opens, sorted.
    starts: BTreeMap<LogPid, Vec<i64>>,
    /// Process starts by parent GUID, and by (log, parent PID).
    children_by_guid: BTreeMap<&'a str, Vec<usize>>,
    children_by_pid: BTreeMap<LogPid, Vec<usize>>,
    /// Activity and Office opens by process GUID, and by (log, PID).
    done_by_guid: BTreeMap<&'a str, Vec<usize>>,
    done_by_pid: BTreeMap<LogPid, Vec<usize>>,
    lifetime: i64,
}

fn log_pid(event: &Event, pid: u64) -> LogPid {
    (event.evidence.clone(), event.source_path.clone(), pid)
}

impl<'a> Index<'a> {
    /// Indexes the host's rows.
    pub fn new(events: &'a [Event], host_rows: &[usize], rules: &CorrelateRules) -> Index<'a> {
        let mut index = Index {
            events,
            starts: BTreeMap::new(),
            children_by_guid: BTreeMap::new(),
            children_by_pid: BTreeMap::new(),
            done_by_guid: BTreeMap::new(),
            done_by_pid: BTreeMap::new(),
            lifetime: i64::try_from(rules.pid_lifetime_hours.saturating_mul(3_600_000_000))
                .unwrap_or(i64::MAX),
        };
        for &i in host_rows {
            let Some(e) = events.get(i) else { continue };
            let f = &e.fields;
            let is_start = e.data_type == PROCESS_START || e.data_type == DOCUMENT_OPEN;
            if is_start && let Some(pid) = f.process_id {
                index
                    .starts
                    .entry(log_pid(e, pid))
                    .or_default()
                    .push(e.timestamp.unix_micros());
            }
            if e.data_type == PROCESS_START {
                match (&f.parent_process_guid, f.parent_process_id) {
                    (Some(guid), _) => index.children_by_guid.entry(guid).or_default().push(i),
                    (None, Some(pid)) => index
                        .children_by_pid
                        .entry(log_pid(e, pid))
                        .or_default()
                        .push(i),
                    (None, None) => {}
                }
            } else if ACTIVITY_TYPES.contains(&e.data_type) || e.data_type == DOCUMENT_OPEN {
                match (&f.process_guid, f.process_id) {
                    (Some(guid), _) => index.done_by_guid.entry(guid).or_default().push(i),
                    (None, Some(pid)) => index
                        .done_by_pid
                        .entry(log_pid(e, pid))
                        .or_default()
                        .push(i),
                    (None, None) => {}
                }
            }
        }
        for times in index.starts.values_mut() {
            times.sort_unstable();
        }
        index
    }

    /// The start a PID seen at `t` belongs to: the latest start of that PID at or before `t`.
    fn instance(&self, key: &LogPid, t: i64) -> i64 {
        self.starts
            .get(key)
            .and_then(|times| times.iter().rev().find(|&&s| s <= t).copied())
            .unwrap_or(i64::MIN)
    }
}

/// A process of a tree known by PID.
#[derive(Clone, Debug)]
struct PidMember {
    /// Its image's file name, lower-cased (empty when unknown).
    image: String,
    /// When it was first seen (µs).
    seen: i64,
}

/// One Office process and the tree of suspicious processes below it.
#[derive(Clone, Debug, Default)]
pub struct Tree {
    /// The Office process's image (from its children's parent image).
    pub office_image: String,
    /// Rows of the Office process's own start that name a document.
    pub office_opens: Vec<usize>,
    /// The Office application's children the profile flags (execution rows).
    pub roots: Vec<usize>,
    /// Rows in the tree, with their stage.
    pub rows: BTreeMap<usize, Stage>,
    /// GUIDs of the tree's processes (the Office process's included).
    guids: BTreeSet<String>,
    /// The tree's processes known by PID.
    pids: BTreeMap<PidInstance, PidMember>,
}

impl Tree {
    /// The time of its first execution row (µs).
    pub fn started(&self, events: &[Event]) -> i64 {
        self.roots
            .iter()
            .filter_map(|&i| events.get(i))
            .map(|e| e.timestamp.unix_micros())
            .min()
            .unwrap_or(0)
    }

    /// Parent command lines of its roots (the Office process's command line).
    pub fn office_command_lines<'a>(&self, events: &'a [Event]) -> Vec<&'a str> {
        self.roots
            .iter()
            .filter_map(|&i| events.get(i)?.fields.parent_command_line.as_deref())
            .collect()
    }

    /// Whether PID `pid`, seen in `event`'s log at its time with `image`, is a process of the
    /// tree: the same start of that PID, the same image, within the lifetime.
    fn pid_member(&self, index: &Index<'_>, event: &Event, pid: u64, image: Option<&str>) -> bool {
        let key = log_pid(event, pid);
        let t = event.timestamp.unix_micros();
        let instance = index.instance(&key, t);
        let (evidence, log, pid) = key;
        self.pids
            .get(&(evidence, log, pid, instance))
            .is_some_and(|member| {
                let images_agree = match image.map(base_name) {
                    Some(name) if !name.is_empty() && !member.image.is_empty() => {
                        name == member.image
                    }
                    _ => true,
                };
                images_agree
                    && t >= member.seen.saturating_sub(index.lifetime)
                    && t - member.seen <= index.lifetime
            })
    }

    /// Whether `event` (a process start) has its parent in the tree.
    fn is_parent_of(&self, index: &Index<'_>, event: &Event) -> bool {
        let f = &event.fields;
        match (&f.parent_process_guid, f.parent_process_id) {
            (Some(guid), _) => self.guids.contains(guid),
            (None, Some(pid)) => self.pid_member(index, event, pid, f.parent_image.as_deref()),
            (None, None) => false,
        }
    }

    /// Whether `event` was done by a process of the tree.
    fn did(&self, index: &Index<'_>, event: &Event) -> bool {
        let f = &event.fields;
        match (&f.process_guid, f.process_id) {
            (Some(guid), _) => self.guids.contains(guid),
            (None, Some(pid)) => self.pid_member(index, event, pid, f.image.as_deref()),
            (None, None) => false,
        }
    }

    fn add_process(&mut self, event: &Event) {
        let f = &event.fields;
        if let Some(guid) = &f.process_guid {
            self.guids.insert(guid.clone());
        } else if let Some(pid) = f.process_id {
            let key = log_pid(event, pid);
            let t = event.timestamp.unix_micros();
            let (evidence, log, pid) = key;
            self.pids
                .entry((evidence, log, pid, t))
                .or_insert(PidMember {
                    image: base_name(f.image.as_deref().unwrap_or("")),
                    seen: t,
                });
        }
    }

    fn add_parent(&mut self, index: &Index<'_>, event: &Event) {
        let f = &event.fields;
        if let Some(guid) = &f.parent_process_guid {
            self.guids.insert(guid.clone());
        } else if let Some(pid) = f.parent_process_id {
            let key = log_pid(event, pid);
            let t = event.timestamp.unix_micros();
            let instance = index.instance(&key, t);
            let (evidence, log, pid) = key;
            let seen = if instance == i64::MIN { t } else { instance };
            self.pids
                .entry((evidence, log, pid, instance))
                .or_insert(PidMember {
                    image: base_name(f.parent_image.as_deref().unwrap_or("")),
                    seen,
                });
        }
    }
}

/// Whether root `event` belongs to `tree`: the same Office process by GUID when both have
/// one; else by PID in the same log (same start, same image, within the lifetime); else the same
/// child seen by another log (same parent PID and image within `same_seconds`).
fn same_office_process(tree: &Tree, index: &Index<'_>, event: &Event, same_seconds: i64) -> bool {
    let events = index.events;
    let f = &event.fields;
    let tree_has_guids = tree
        .roots
        .iter()
        .filter_map(|&r| events.get(r))
        .any(|r| r.fields.parent_process_guid.is_some());
    if let Some(guid) = &f.parent_process_guid
        && tree_has_guids
    {
        return tree.guids.contains(guid);
    }
    let Some(pid) = f.parent_process_id else {
        return false;
    };
    if f.parent_process_guid.is_none()
        && tree.pid_member(index, event, pid, f.parent_image.as_deref())
    {
        return true;
    }
    let parent = base_name(f.parent_image.as_deref().unwrap_or(""));
    tree.roots
        .iter()
        .filter_map(|&r| events.get(r))
        .any(|root| {
            root.fields.parent_process_id == Some(pid)
                && base_name(root.fields.parent_image.as_deref().unwrap_or("")) == parent
                && (root.evidence != event.evidence || root.source_path != event.source_path)
                && (root.timestamp.unix_micros() - event.timestamp.unix_micros()).abs()
                    <= same_seconds.saturating_mul(1_000_000)
        })
}

/// The trees of a host's rows (in time order of their first root). Roots are findings of the
/// profile's `[eventlog.tree] root_rules` (an Office application or the Equation Editor starting
/// a process), the same rules the event-log checks follow trees from.
pub fn trees(
    index: &Index<'_>,
    host_rows: &[usize],
    rules: &CorrelateRules,
    root_rules: &[String],
) -> Vec<Tree> {
    let events = index.events;
    let same_seconds = i64::try_from(rules.same_process_seconds).unwrap_or(i64::MAX / 1_000_000);
    let is_root = |e: &Event| {
        e.data_type == PROCESS_START
            && e.rule_id
                .as_deref()
                .is_some_and(|r| root_rules.iter().any(|x| x == r))
    };
    let mut trees: Vec<Tree> = Vec::new();
    // The tree of each Office parent GUID, so that most roots find theirs without a scan.
    let mut by_guid: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_parent_pid: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for &i in host_rows {
        let Some(event) = events.get(i).filter(|e| is_root(e)) else {
            continue;
        };
        let stage = if is_carved(event) {
            Stage::Memory
        } else {
            Stage::Execution
        };
        let found = match (
            &event.fields.parent_process_guid,
            event.fields.parent_process_id,
        ) {
            (Some(guid), _) if by_guid.contains_key(guid) => by_guid.get(guid).copied(),
            // Only trees whose roots name the same parent PID can be the same Office process.
            (_, Some(pid)) => by_parent_pid.get(&pid).and_then(|candidates| {
                candidates.iter().copied().find(|&t| {
                    trees
                        .get(t)
                        .is_some_and(|tree| same_office_process(tree, index, event, same_seconds))
                })
            }),
            _ => None,
        };
        let n = match found {
            Some(n) => n,
            None => {
                trees.push(Tree {
                    office_image: event.fields.parent_image.clone().unwrap_or_default(),
                    ..Tree::default()
                });
                trees.len() - 1
            }
        };
        if let Some(guid) = &event.fields.parent_process_guid {
            by_guid.insert(guid.clone(), n);
        }
        if let Some(pid) = event.fields.parent_process_id {
            let candidates = by_parent_pid.entry(pid).or_default();
            if !candidates.contains(&n) {
                candidates.push(n);
            }
        }
        let Some(tree) = trees.get_mut(n) else {
            continue;
        };
        tree.roots.push(i);
        tree.rows.insert(i, stage);
        tree.add_parent(index, event);
        tree.add_process(event);
    }
    for tree in &mut trees {
        grow(tree, index);
    }
    trees
}

/// Adds the descendants of `tree` (breadth first, through the indices), then what the tree's
/// processes did, then the Office process's own starts that name a document.
fn grow(tree: &mut Tree, index: &Index<'_>) {
    let events = index.events;
    let mut frontier: Vec<usize> = tree.roots.clone();
    while let Some(parent) = frontier.pop() {
        let Some(p) = events.get(parent) else {
            continue;
        };
        let children = match (&p.fields.process_guid, p.fields.process_id) {
            (Some(guid), _) => index.children_by_guid.get(guid.as_str()),
            (None, Some(pid)) => index.children_by_pid.get(&log_pid(p, pid)),
            (None, None) => None,
        };
        for &c in children.into_iter().flatten() {
            if tree.rows.contains_key(&c) {
                continue;
            }
            let Some(child) = events.get(c) else { continue };
            if !tree.is_parent_of(index, child) {
                continue;
            }
            let stage = if is_carved(child) {
                Stage::Memory
            } else {
                Stage::Descendant
            };
            tree.rows.insert(c, stage);
            tree.add_process(child);
            frontier.push(c);
        }
    }
    // What the processes did, and the Office process's own document openings: looked up by the
    // GUIDs and PIDs of the tree (the Office process's among them).
    let mut candidates: BTreeSet<usize> = BTreeSet::new();
    for guid in &tree.guids {
        candidates.extend(index.done_by_guid.get(guid.as_str()).into_iter().flatten());
    }
    for (evidence, log, pid, _) in tree.pids.keys() {
        let key = (evidence.clone(), log.clone(), *pid);
        candidates.extend(index.done_by_pid.get(&key).into_iter().flatten());
    }
    for i in candidates {
        let Some(event) = events.get(i) else { continue };
        if tree.rows.contains_key(&i) || !tree.did(index, event) {
            continue;
        }
        if event.data_type == DOCUMENT_OPEN {
            tree.office_opens.push(i);
        } else {
            let stage = if is_carved(event) {
                Stage::Memory
            } else {
                Stage::Activity
            };
            tree.rows.insert(i, stage);
        }
    }
}
