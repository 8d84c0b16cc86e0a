//! Following the process tree below each tree root of a log: the second read of a log whose
//! checks flagged a process that an Office application or the Equation Editor started.
//!
//! The pipeline reads the log again with [`selection`] (process starts and activity, with no
//! mention filter), keeping only [`TreeRecord`]s; [`plan`] builds the trees (see [`super::tree`])
//! and decides the rows: each descendant's start (rule `office_descendant`, raised by the
//! command escalation markers) and each network connection, DNS query, file creation and
//! registry write of the tree's processes, the root's included (rule `office_tree_activity`).
//! A record that already gave a row in the first read gives none here, and the profile's
//! exclusions apply (counted as in the first read). The pipeline then decodes the planned
//! records once more, this time with their XML, and [`emit`] writes their rows.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::names::markers_in;
use super::process::{self, file_name};
use super::tree::{self, Bounds, Forest, TreeRecord};
use super::{LogContext, LogFinding, LogOutcome, excluded_by, rows};
use crate::formats::evtx::typed::{self, ProcessStart, TypedEvent};
use crate::formats::evtx::{EventRecord, Selection};
use crate::profile::{EventLogRules, Profile};

/// What following the trees of one log gave, for the manifest.
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq, Serialize)]
pub struct TreeAccount {
    /// Roots whose start the second read found.
    pub tree_roots: usize,
    /// Processes started below them (followed, within the bounds).
    pub tree_descendants: usize,
    /// Activity rows written (network, DNS, file, registry).
    pub tree_activity_rows: usize,
    /// Children found but not followed: beyond the depth or the per-root node bound.
    pub tree_nodes_cut_off: usize,
}

/// Most process and activity records one log gives the trees (a few hundred bytes each: about
/// a gigabyte at the bound; a busy workstation's Sysmon log holds well under a million).
const TREE_RECORD_BOUND: usize = 4_000_000;

/// The records the trees are built from: every process start (Sysmon 1, Security 4688) and
/// every network connection, file creation, registry write and DNS query (Sysmon 3, 11,
/// 12/13/14, 22). Kept as small tree records, so more of them than the first read's full
/// records ([`TREE_RECORD_BOUND`]).
pub fn selection() -> Selection {
    Selection::default()
        .with_record_bound(TREE_RECORD_BOUND)
        .want(
            typed::SYSMON,
            &[
                typed::SYSMON_PROCESS_CREATE,
                typed::SYSMON_NETWORK,
                typed::SYSMON_FILE_CREATE,
                typed::SYSMON_REGISTRY_CREATE_DELETE,
                typed::SYSMON_REGISTRY_SET,
                typed::SYSMON_REGISTRY_RENAME,
                typed::SYSMON_DNS_QUERY,
            ],
            &[],
        )
        .want(typed::SECURITY, &[typed::SECURITY_PROCESS_CREATE], &[])
}

/// One row a tree gives, waiting for its record's XML.
#[derive(Clone, Debug)]
struct PlannedRow {
    record_id: u64,
    event: TypedEvent,
    finding: LogFinding,
    /// The whole message, for process starts (activity rows use the usual wording).
    message: Option<String>,
    /// Logon and user of the process the activity belongs to.
    logon_id: Option<String>,
    user: Option<String>,
    activity: bool,
}

/// The rows the trees of one log give.
#[derive(Clone, Debug, Default)]
pub struct TracePlan {
    rows: Vec<PlannedRow>,
}

impl TracePlan {
    /// Whether no row is planned.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The record numbers whose records the rows need.
    pub fn record_ids(&self) -> HashSet<u64> {
        self.rows.iter().map(|r| r.record_id).collect()
    }
}

/// Builds the trees below `outcome.roots` from `records` (the second read) and plans their
/// rows; counts the trees and the exclusions into `outcome`.
pub fn plan(
    profile: &Profile,
    outcome: &mut LogOutcome,
    mut records: Vec<TreeRecord>,
) -> TracePlan {
    let rules = &profile.eventlog;
    records.sort_by_key(|r| r.record_id);
    let mut starts: Vec<&mut ProcessStart> = records
        .iter_mut()
        .filter_map(|r| match &mut r.event {
            TypedEvent::ProcessStart(start) => Some(start),
            _ => None,
        })
        .collect();
    process::recover_parents(&mut starts);
    let bounds = Bounds {
        max_depth: rules.tree.max_depth,
        max_nodes: rules.tree.max_nodes,
    };
    let forest = tree::build(&records, &outcome.roots, bounds);
    outcome.tree.tree_roots += forest.roots_traced;
    outcome.tree.tree_nodes_cut_off += forest.cut_off;
    outcome.tree.tree_descendants += forest.nodes.iter().filter(|n| n.depth > 0).count();

    // Records that gave a row in the first read (a root's start, a watched registry write, an
    // Equation Editor connection) give none here.
    let done: HashSet<u64> = outcome
        .events
        .iter()
        .filter_map(|e| e.fields.record_number)
        .collect();
    let view = ForestView {
        records: &records,
        forest: &forest,
    };
    let mut planned = Vec::new();
    for (at, node) in forest.nodes.iter().enumerate() {
        let Some(record) = records.get(node.record) else {
            continue;
        };
        if node.depth == 0 || done.contains(&record.record_id) {
            continue;
        }
        let TypedEvent::ProcessStart(start) = &record.event else {
            continue;
        };
        let mut start = start.clone();
        let parent = node.parent.and_then(|p| view.start(p));
        if start.parent_image.is_none() {
            start.parent_image = parent.map(|p| p.image.clone());
        }
        let grandparent = node.parent.and_then(|p| view.parent_image(p));
        let finding = descendant_finding(rules, &start, &view.lineage(at));
        let message = format!(
            "{} (started by {}) started {}: {} [{}]",
            start
                .parent_image
                .as_deref()
                .map_or("unknown parent", file_name),
            grandparent.map_or("unknown parent", file_name),
            file_name(&start.image),
            start.command_line.as_deref().unwrap_or(&start.image),
            finding.why
        );
        planned.push(PlannedRow {
            record_id: record.record_id,
            event: TypedEvent::ProcessStart(start),
            finding,
            message: Some(message),
            logon_id: None,
            user: None,
            activity: false,
        });
    }
    for &(at, node) in &forest.activity {
        let Some(record) = records.get(at) else {
            continue;
        };
        if done.contains(&record.record_id) {
            continue;
        }
        let owner = forest.nodes.get(node).and_then(|n| view.start_of(n));
        let image = owner.map_or("a process", |s| file_name(&s.image));
        let finding = LogFinding::new(
            &rules.rules.office_tree_activity,
            format!("activity of {image}, {}", view.lineage(node)),
        );
        planned.push(PlannedRow {
            record_id: record.record_id,
            event: record.event.clone(),
            finding,
            message: None,
            logon_id: owner.and_then(|s| s.logon_id.clone()),
            user: owner.and_then(|s| s.user.clone()),
            activity: true,
        });
    }
    let mut plan = TracePlan::default();
    for row in planned {
        match excluded_by(&rules.exclusions, &row.finding, &row.event) {
            Some(exclusion) => {
                *outcome.excluded.entry(exclusion.id.clone()).or_default() += 1;
            }
            None => plan.rows.push(row),
        }
    }
    plan
}

/// The finding of a descendant's start, raised by the escalation markers of its command line.
fn descendant_finding(rules: &EventLogRules, start: &ProcessStart, lineage: &str) -> LogFinding {
    let mut finding = LogFinding::new(&rules.rules.office_descendant, lineage.to_owned());
    let command = start.command_line.as_deref().unwrap_or_default();
    let markers = markers_in(&rules.command_escalation.markers, command);
    if !markers.is_empty() {
        finding.severity = finding.severity.max(rules.command_escalation.severity);
        finding.markers = markers;
    }
    finding
}

/// Writes the rows of `plan` from `records` (the planned records, read again with their XML)
/// into `outcome`.
pub fn emit(
    profile: &Profile,
    ctx: &LogContext<'_>,
    plan: TracePlan,
    records: &[EventRecord],
    outcome: &mut LogOutcome,
) {
    let by_id: HashMap<u64, &EventRecord> = records.iter().map(|r| (r.record_id, r)).collect();
    for planned in plan.rows {
        let Some(record) = by_id.get(&planned.record_id) else {
            continue;
        };
        let mut row = rows::finding_row(profile, ctx, record, &planned.event, &planned.finding);
        if let Some(message) = planned.message {
            row.message = message;
        }
        if planned.logon_id.is_some() {
            row.fields.logon_id = planned.logon_id;
        }
        if row.user.is_none() {
            row.user = planned.user;
        }
        if planned.activity {
            outcome.tree.tree_activity_rows += 1;
        }
        outcome.events.push(row);
    }
}

/// The records and the trees built from them.
struct ForestView<'a> {
    records: &'a [TreeRecord],
    forest: &'a Forest,
}

impl<'a> ForestView<'a> {
    /// The start of node `node`.
    fn start(&self, node: usize) -> Option<&'a ProcessStart> {
        self.start_of(self.forest.nodes.get(node)?)
    }

    fn start_of(&self, node: &tree::Node) -> Option<&'a ProcessStart> {
        match &self.records.get(node.record)?.event {
            TypedEvent::ProcessStart(start) => Some(start),
            _ => None,
        }
    }

    /// The image of the parent of node `node` (for a root, its start's parent image).
    fn parent_image(&self, node: usize) -> Option<&'a str> {
        let n = self.forest.nodes.get(node)?;
        match n.parent {
            Some(parent) => self.start(parent).map(|s| s.image.as_str()),
            None => self.start_of(n)?.parent_image.as_deref(),
        }
    }

    /// Where node `node` sits: `1 generation below cmd.exe, which WINWORD.EXE started (record
    /// 2)`, or for a root `the flagged child of WINWORD.EXE (record 2)`.
    fn lineage(&self, node: usize) -> String {
        let Some(n) = self.forest.nodes.get(node) else {
            return String::new();
        };
        let root = self.forest.nodes.get(n.root);
        let root_start = root.and_then(|r| self.start_of(r));
        let root_name = root_start.map_or("the root", |s| file_name(&s.image));
        let office = root_start
            .and_then(|s| s.parent_image.as_deref())
            .map_or("an unknown parent", file_name);
        let record = root
            .and_then(|r| self.records.get(r.record))
            .map_or(0, |r| r.record_id);
        let root_text = format!("{root_name}, which {office} started (record {record})");
        match n.depth {
            0 => format!("the flagged child of {office} (record {record})"),
            1 => format!("1 generation below {root_text}"),
            depth => format!("{depth} generations below {root_text}"),
        }
    }
}
