//! The process trees below tree roots (processes that Office or the Equation Editor started and
//! the checks flagged), built from one log's process starts, and the activity of their
//! processes.
//!
//! A child belongs to a node when Sysmon says so (its `ParentProcessGuid` is the node's
//! `ProcessGuid`), or, for starts without a parent GUID (Security 4688), when its parent process
//! ID is the node's process ID on the same computer and it was logged after the node's start and
//! before the next start of a process with that ID (Windows reuses process IDs). Activity
//! (network, DNS, file, registry) belongs to the node whose GUID it names, or without a GUID to
//! the latest start of its process ID on its computer before it. Pure: records in, a [`Forest`]
//! out; bounded in depth and in descendants per root, with what is cut off counted.

use std::collections::HashMap;

use crate::formats::evtx::EventRecord;
use crate::formats::evtx::typed::{self, ProcessStart, TypedEvent};

/// What the tree pass keeps of a record: enough to build the trees, not its XML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeRecord {
    /// `EventRecordID`.
    pub record_id: u64,
    /// The computer that logged it.
    pub computer: String,
    /// What it reports.
    pub event: TypedEvent,
}

impl TreeRecord {
    /// The tree form of `record`, when it is a typed event.
    pub fn of(record: &EventRecord) -> Option<TreeRecord> {
        Some(TreeRecord {
            record_id: record.record_id,
            computer: record.computer.clone(),
            event: typed::interpret(record)?,
        })
    }

    fn start(&self) -> Option<&ProcessStart> {
        match &self.event {
            TypedEvent::ProcessStart(start) => Some(start),
            _ => None,
        }
    }

    /// The process GUID and ID of the process an activity record reports.
    fn actor(&self) -> Option<(Option<&str>, Option<u64>)> {
        match &self.event {
            TypedEvent::Network(n) => Some((n.process_guid.as_deref(), n.process_id)),
            TypedEvent::DnsQuery(d) => Some((d.process_guid.as_deref(), d.process_id)),
            TypedEvent::FileCreate(f) => Some((f.process_guid.as_deref(), f.process_id)),
            TypedEvent::Registry(r) => Some((r.process_guid.as_deref(), r.process_id)),
            _ => None,
        }
    }
}

/// How far trees are followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    /// Generations below a root.
    pub max_depth: usize,
    /// Descendants per root.
    pub max_nodes: usize,
}

/// One process of a tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Node {
    /// Index of its start in the records.
    pub record: usize,
    /// Index (in [`Forest::nodes`]) of its tree's root.
    pub root: usize,
    /// Index (in [`Forest::nodes`]) of its parent; `None` for a root.
    pub parent: Option<usize>,
    /// Generations below the root (0 for the root).
    pub depth: usize,
}

/// The trees of one log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Forest {
    /// Roots and descendants, each tree in breadth-first order.
    pub nodes: Vec<Node>,
    /// Activity records: (index in the records, index in [`Forest::nodes`] of its process).
    pub activity: Vec<(usize, usize)>,
    /// Roots whose start is among the records.
    pub roots_traced: usize,
    /// Children found but not followed (beyond the depth or the per-root node bound).
    pub cut_off: usize,
}

/// Builds the trees below the starts numbered `roots` in `records` (sorted by record number).
pub fn build(records: &[TreeRecord], roots: &[u64], bounds: Bounds) -> Forest {
    let index = Index::new(records);
    let mut forest = Forest::default();
    // Record index -> node index: a process belongs to one tree (the first root's).
    let mut placed: HashMap<usize, usize> = HashMap::new();
    for &root_id in roots {
        let Some(root_record) = index.start_numbered(records, root_id) else {
            continue;
        };
        forest.roots_traced += 1;
        if placed.contains_key(&root_record) {
            continue; // Already a descendant of an earlier root.
        }
        let root = forest.nodes.len();
        placed.insert(root_record, root);
        forest.nodes.push(Node {
            record: root_record,
            root,
            parent: None,
            depth: 0,
        });
        let mut descendants = 0;
        let mut next = root;
        while let Some(&node) = forest.nodes.get(next) {
            next += 1;
            for child in index.children(records, node.record) {
                if placed.contains_key(&child) {
                    continue;
                }
                if node.depth >= bounds.max_depth || descendants >= bounds.max_nodes {
                    forest.cut_off += 1;
                    continue;
                }
                descendants += 1;
                placed.insert(child, forest.nodes.len());
                forest.nodes.push(Node {
                    record: child,
                    root,
                    parent: Some(next - 1),
                    depth: node.depth + 1,
                });
            }
        }
    }
    for (at, record) in records.iter().enumerate() {
        let Some((guid, pid)) = record.actor() else {
            continue;
        };
        let owner = match guid {
            Some(guid) => index.by_guid.get(&guid.to_ascii_uppercase()).copied(),
            None => pid.and_then(|pid| index.latest_start(&record.computer, pid, at)),
        };
        if let Some(node) = owner.and_then(|start| placed.get(&start)) {
            forest.activity.push((at, *node));
        }
    }
    forest
}

/// Lookups over one log's process starts.
struct Index<'r> {
    /// Upper-case process GUID -> its start.
    by_guid: HashMap<String, usize>,
    /// Upper-case parent GUID -> starts, in record order.
    by_parent_guid: HashMap<String, Vec<usize>>,
    /// (computer, process ID) -> starts of processes with that ID, in record order.
    by_pid: HashMap<(&'r str, u64), Vec<usize>>,
    /// (computer, parent process ID) -> starts without a parent GUID, in record order.
    by_parent_pid: HashMap<(&'r str, u64), Vec<usize>>,
}

impl<'r> Index<'r> {
    fn new(records: &'r [TreeRecord]) -> Index<'r> {
        let mut index = Index {
            by_guid: HashMap::new(),
            by_parent_guid: HashMap::new(),
            by_pid: HashMap::new(),
            by_parent_pid: HashMap::new(),
        };
        for (at, record) in records.iter().enumerate() {
            let Some(start) = record.start() else {
                continue;
            };
            let computer = record.computer.as_str();
            if let Some(guid) = &start.process_guid {
                index.by_guid.entry(guid.to_ascii_uppercase()).or_insert(at);
            }
            if let Some(pid) = start.process_id {
                index.by_pid.entry((computer, pid)).or_default().push(at);
            }
            match (&start.parent_process_guid, start.parent_process_id) {
                (Some(parent), _) => index
                    .by_parent_guid
                    .entry(parent.to_ascii_uppercase())
                    .or_default()
                    .push(at),
                (None, Some(parent)) => index
                    .by_parent_pid
                    .entry((computer, parent))
                    .or_default()
                    .push(at),
                (None, None) => {}
            }
        }
        index
    }

    /// The process start numbered `record_id`.
    fn start_numbered(&self, records: &[TreeRecord], record_id: u64) -> Option<usize> {
        let first = records.partition_point(|r| r.record_id < record_id);
        records
            .iter()
            .enumerate()
            .skip(first)
            .take_while(|(_, r)| r.record_id == record_id)
            .find(|(_, r)| r.start().is_some())
            .map(|(at, _)| at)
    }

    /// The children of the start at `parent`, in record order.
    fn children(&self, records: &[TreeRecord], parent: usize) -> Vec<usize> {
        let Some(record) = records.get(parent) else {
            return Vec::new();
        };
        let Some(start) = record.start() else {
            return Vec::new();
        };
        let mut children = Vec::new();
        if let Some(guid) = &start.process_guid
            && let Some(found) = self.by_parent_guid.get(&guid.to_ascii_uppercase())
        {
            children.extend(found.iter().copied().filter(|&c| c != parent));
        }
        if let Some(pid) = start.process_id {
            let key = (record.computer.as_str(), pid);
            // The process ID is the parent's until another process with it starts.
            let end = self
                .by_pid
                .get(&key)
                .and_then(|starts| starts.iter().copied().find(|&s| s > parent))
                .unwrap_or(usize::MAX);
            if let Some(found) = self.by_parent_pid.get(&key) {
                children.extend(found.iter().copied().filter(|&c| c > parent && c < end));
            }
        }
        children.sort_unstable();
        children.dedup();
        children
    }

    /// The latest start before `before` of a process with ID `pid` on `computer`.
    fn latest_start(&self, computer: &'r str, pid: u64, before: usize) -> Option<usize> {
        self.by_pid
            .get(&(computer, pid))?
            .iter()
            .copied()
            .rev()
            .find(|&s| s < before)
    }
}

#[cfg(test)]
#[path = "tree_tests.rs"]
mod tests;
