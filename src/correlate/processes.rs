//! Process trees: an Office application's suspicious children, grouped by the Office process
//! that started them, with everything below them and everything they did.
//!
//! Sysmon names processes by GUID, which is unique: children join parents by
//! `ParentProcessGuid`. Security 4688 has only PIDs, which Windows reuses: a child joins a
//! parent of the same log whose PID it names and that started before it. The same process seen
//! by both logs (same image, same PID, within `same_process_seconds`) is one.

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
    /// (evidence, log, PID) of the tree's processes, with their start time (µs).
    pids: BTreeMap<(String, String, u64), i64>,
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

    fn log_key(event: &Event, pid: u64) -> (String, String, u64) {
        (event.evidence.clone(), event.source_path.clone(), pid)
    }

    /// Whether `event`'s parent is in the tree.
    fn is_parent_of(&self, event: &Event) -> bool {
        if let Some(guid) = &event.fields.parent_process_guid {
            return self.guids.contains(guid);
        }
        event.fields.parent_process_id.is_some_and(|pid| {
            self.pids
                .get(&Self::log_key(event, pid))
                .is_some_and(|&started| started <= event.timestamp.unix_micros())
        })
    }

    /// Whether `event` was done by a process of the tree.
    fn is_member_activity(&self, event: &Event) -> bool {
        if let Some(guid) = &event.fields.process_guid {
            return self.guids.contains(guid);
        }
        event.fields.process_id.is_some_and(|pid| {
            self.pids
                .get(&Self::log_key(event, pid))
                .is_some_and(|&started| started <= event.timestamp.unix_micros())
        })
    }

    fn add_process(&mut self, event: &Event) {
        if let Some(guid) = &event.fields.process_guid {
            self.guids.insert(guid.clone());
        }
        if let Some(pid) = event.fields.process_id {
            self.pids
                .insert(Self::log_key(event, pid), event.timestamp.unix_micros());
        }
    }

    fn add_parent(&mut self, event: &Event) {
        if let Some(guid) = &event.fields.parent_process_guid {
            self.guids.insert(guid.clone());
        }
        if let Some(pid) = event.fields.parent_process_id {
            // The parent started before its child: any time up to the child's.
            self.pids
                .entry(Self::log_key(event, pid))
                .or_insert(i64::MIN);
        }
    }
}

/// Whether root `event` belongs to `tree`: the same Office process by GUID, or by image and
/// PID when a root of the tree started within `same_seconds` of it (the same child seen by
/// another log) or in the same log.
fn same_office_process(tree: &Tree, events: &[Event], event: &Event, same_seconds: i64) -> bool {
    if let Some(guid) = &event.fields.parent_process_guid
        && tree.guids.contains(guid)
    {
        return true;
    }
    let Some(pid) = event.fields.parent_process_id else {
        return false;
    };
    let parent = base_name(event.fields.parent_image.as_deref().unwrap_or(""));
    tree.roots
        .iter()
        .filter_map(|&r| events.get(r))
        .any(|root| {
            root.fields.parent_process_id == Some(pid)
                && base_name(root.fields.parent_image.as_deref().unwrap_or("")) == parent
                && (root.source_path == event.source_path && root.evidence == event.evidence
                    || (root.timestamp.unix_micros() - event.timestamp.unix_micros()).abs()
                        <= same_seconds * 1_000_000)
        })
}

/// The trees of a host's rows (in time order of their first root).
/// Roots are findings of the profile's `[eventlog.tree] root_rules` (an Office application or the
/// Equation Editor starting a process), the same rules the event-log checks follow trees from.
pub fn trees(
    events: &[Event],
    host_rows: &[usize],
    rules: &CorrelateRules,
    root_rules: &[String],
) -> Vec<Tree> {
    let same_seconds = i64::try_from(rules.same_process_seconds).unwrap_or(i64::MAX / 1_000_000);
    let is_root = |e: &Event| {
        e.data_type == PROCESS_START
            && e.rule_id
                .as_deref()
                .is_some_and(|r| root_rules.iter().any(|x| x == r))
    };
    let mut trees: Vec<Tree> = Vec::new();
    for &i in host_rows {
        let Some(event) = events.get(i).filter(|e| is_root(e)) else {
            continue;
        };
        let stage = if is_carved(event) {
            Stage::Memory
        } else {
            Stage::Execution
        };
        let found = trees
            .iter()
            .position(|t| same_office_process(t, events, event, same_seconds));
        let tree = match found {
            Some(t) => &mut trees[t],
            None => {
                trees.push(Tree {
                    office_image: event.fields.parent_image.clone().unwrap_or_default(),
                    ..Tree::default()
                });
                let last = trees.len() - 1;
                &mut trees[last]
            }
        };
        tree.roots.push(i);
        tree.rows.insert(i, stage);
        tree.add_parent(event);
        tree.add_process(event);
    }
    for tree in &mut trees {
        grow(tree, events, host_rows);
    }
    trees
}

/// Adds the descendants of `tree` (to a fixed point: a child may be listed before its parent
/// when their times tie), then what the tree's processes did, then the Office process's own
/// starts that name a document.
fn grow(tree: &mut Tree, events: &[Event], host_rows: &[usize]) {
    loop {
        let mut added = false;
        for &i in host_rows {
            if tree.rows.contains_key(&i) {
                continue;
            }
            let Some(event) = events.get(i) else { continue };
            if event.data_type == PROCESS_START && tree.is_parent_of(event) {
                let stage = if is_carved(event) {
                    Stage::Memory
                } else {
                    Stage::Descendant
                };
                tree.rows.insert(i, stage);
                tree.add_process(event);
                added = true;
            }
        }
        if !added {
            break;
        }
    }
    for &i in host_rows {
        let Some(event) = events.get(i) else { continue };
        if tree.rows.contains_key(&i) {
            continue;
        }
        if ACTIVITY_TYPES.contains(&event.data_type) && tree.is_member_activity(event) {
            let stage = if is_carved(event) {
                Stage::Memory
            } else {
                Stage::Activity
            };
            tree.rows.insert(i, stage);
        } else if event.data_type == DOCUMENT_OPEN && tree.is_member_activity(event) {
            tree.office_opens.push(i);
        }
    }
}
