//! The event-log path of the pipeline: read one EVTX file (chunks in parallel), run the
//! event-log checks, and account for chunks, records and exclusions in the manifest.

use super::{Outcome, Settings, finish};
use crate::artifact::Status;
use crate::detect::eventlog::tree::TreeRecord;
use crate::detect::eventlog::{self, LogContext, LogOutcome, trace};
use crate::formats::evtx::EvtxScan;
use crate::formats::{self, Deadline, FormatError};
use crate::output::manifest::{ArtifactRecord, EventLogAccount};
use crate::profile::Profile;

/// Analyses the event log in `bytes`; `record` already names the artifact.
pub(super) fn analyze(
    mut record: ArtifactRecord,
    bytes: &[u8],
    label: &str,
    source_path: &str,
    settings: &Settings,
    deadline: &Deadline,
) -> Outcome {
    let ctx = LogContext {
        evidence: label,
        source_path,
    };
    let (scan, outcome) = match check_event_log(bytes, &ctx, &settings.profile.profile, deadline) {
        Ok(result) => result,
        Err(err @ FormatError::NotApplicable(_)) => {
            return finish(record, Status::Skipped, err.to_string());
        }
        Err(err) => return finish(record, Status::Failed, err.to_string()),
    };
    record.format = Some("evtx");
    record.findings = outcome.events.iter().filter(|e| e.is_finding()).count();
    let incomplete = scan.problems.iter().any(|p| p.incomplete);
    record.status = if incomplete && scan.stats.records_read == 0 {
        Status::Failed
    } else {
        Status::Analyzed
    };
    let mut reasons: Vec<String> = scan.problems.iter().map(ToString::to_string).collect();
    if scan.dirty {
        reasons.push("log header marked dirty (not closed cleanly)".to_owned());
    }
    if !reasons.is_empty() {
        record.reason = Some(reasons.join("; "));
    }
    record.eventlog = Some(EventLogAccount {
        stats: scan.stats,
        dirty: scan.dirty,
        parents_recovered: outcome.parents_recovered,
        excluded: outcome.excluded,
        tree: outcome.tree,
    });
    Outcome {
        record,
        events: outcome.events,
    }
}

/// The event-log stage on its own: reads the log in `bytes` (its chunks in parallel on the
/// current rayon pool), runs the event-log checks of `profile`, and when they flagged a tree
/// root, follows the process trees ([`trace_trees`]). Reading stops at `deadline` (the
/// artifact's time bound), keeping what was read. This is what the benchmark measures.
pub fn check_event_log(
    bytes: &[u8],
    ctx: &LogContext<'_>,
    profile: &Profile,
    deadline: &Deadline,
) -> Result<(EvtxScan, LogOutcome), FormatError> {
    let (scan, mut outcome) = first_pass(bytes, ctx, profile, deadline)?;
    if !outcome.roots.is_empty() && !deadline.passed() {
        trace_trees(bytes, ctx, profile, &mut outcome, deadline);
    }
    Ok((scan, outcome))
}

/// The first read of a log: the records the checks select (with their mention filters), checked.
pub fn first_pass(
    bytes: &[u8],
    ctx: &LogContext<'_>,
    profile: &Profile,
    deadline: &Deadline,
) -> Result<(EvtxScan, LogOutcome), FormatError> {
    let selection = eventlog::selection(profile).with_deadline(deadline.clone());
    let mut scan = formats::evtx::scan(bytes, &selection)?;
    let outcome = eventlog::check_log(profile, ctx, std::mem::take(&mut scan.records));
    Ok((scan, outcome))
}

/// The second read of a log whose first read found tree roots: every process start and
/// activity record, kept without its XML, builds the trees; the records that give rows are then
/// decoded once more with their XML. The first read already accounted for the log's chunks,
/// records and damage; these reads of the same bytes add rows and tree counts only.
pub fn trace_trees(
    bytes: &[u8],
    ctx: &LogContext<'_>,
    profile: &Profile,
    outcome: &mut LogOutcome,
    deadline: &Deadline,
) {
    let keep = |record: formats::evtx::EventRecord| TreeRecord::of(&record);
    let selection = trace::selection().with_deadline(deadline.clone());
    let Ok((records, _)) = formats::evtx::scan_map(bytes, &selection, &keep) else {
        return;
    };
    let plan = trace::plan(profile, outcome, records);
    if plan.is_empty() {
        return;
    }
    let selection = trace::selection()
        .only_records(plan.record_ids())
        .with_deadline(deadline.clone());
    if let Ok(scan) = formats::evtx::scan(bytes, &selection) {
        trace::emit(profile, ctx, plan, &scan.records, outcome);
    }
}
