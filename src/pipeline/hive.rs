//! The registry-hive path of the pipeline: open a hive (replaying the transaction logs beside
//! it when it is dirty), read its Office and host keys, run the hive checks, and account for how
//! it was opened in the manifest.

use std::path::PathBuf;

use super::{Outcome, Settings, finish};
use crate::artifact::Status;
use crate::detect::hive::{HiveContext, HiveRows, hive_events};
use crate::detect::timeline::user_from_path;
use crate::evidence::{self, Entry, EntryType};
use crate::formats::hive::office::HiveFacts;
use crate::formats::hive::{HiveState, RegistryHive, office};
use crate::formats::{Deadline, FormatError};
use crate::output::manifest::{ArtifactRecord, HiveAccount};
use crate::profile::Profile;

/// Extensions of transaction logs (they start with a base block too, so they look like hives).
const LOG_EXTENSIONS: &[&str] = &["log", "log1", "log2"];

/// Analyses the hive in `bytes`; `record` already names the artifact.
pub(super) fn analyze(
    mut record: ArtifactRecord,
    entry: &Entry,
    all: &[Entry],
    bytes: &[u8],
    label: &str,
    settings: &Settings,
    deadline: &Deadline,
) -> Outcome {
    let name = entry.file_name();
    if let Some((_, extension)) = name.rsplit_once('.')
        && LOG_EXTENSIONS
            .iter()
            .any(|e| extension.eq_ignore_ascii_case(e))
    {
        return finish(
            record,
            Status::Skipped,
            "registry transaction log: replayed with its hive when the hive is dirty",
        );
    }
    let logs = if entry.image.is_some() {
        image_sibling_logs(entry, all)
    } else {
        host_sibling_logs(entry)
    };
    let log_bytes: Vec<&[u8]> = logs.iter().map(|(_, bytes)| &**bytes).collect();
    let profile = &settings.profile.profile;
    let ctx = HiveContext {
        evidence: label,
        source_path: &entry.source_path,
        user: hive_user(&profile.user_profile_roots, &entry.source_path),
        dirty: false,
    };
    let (state, facts, rows) = match check_hive(bytes, &log_bytes, ctx, profile, deadline) {
        Ok(result) => result,
        Err(err) => return finish(record, Status::Failed, err.to_string()),
    };
    let HiveRows {
        mut events,
        excluded,
    } = rows;
    if let Some(host) = &facts.computer_name {
        // The host's own hive names it; other artifacts of the evidence get it in the pipeline.
        for event in &mut events {
            event.host.get_or_insert_with(|| host.clone());
        }
    }
    record.format = Some("regf");
    record.status = Status::Analyzed;
    record.findings = events.iter().filter(|e| e.is_finding()).count();
    record.reason = match &state {
        HiveState::Clean => None,
        HiveState::Replayed { entries } => Some(format!(
            "dirty hive: {entries} transaction log entries replayed in memory"
        )),
        HiveState::DirtyUnreplayed => Some(
            "dirty hive without a usable transaction log: read as it is on disk (rows tagged dirty_hive)"
                .to_owned(),
        ),
        HiveState::Unvalidated { reason } => Some(format!(
            "base block failed validation ({reason}): read without validation (rows tagged dirty_hive)"
        )),
    };
    if let Some(stopped) = &facts.stopped {
        record.reason = Some(match record.reason.take() {
            Some(reason) => format!("{reason}; {stopped}"),
            None => stopped.clone(),
        });
    }
    record.hive = Some(HiveAccount {
        state,
        logs: logs.into_iter().map(|(path, _)| path).collect(),
        computer_name: facts.computer_name.clone(),
        profiles: facts
            .profiles
            .iter()
            .map(|p| (p.sid.clone(), p.path.clone()))
            .collect(),
        excluded,
    });
    Outcome { record, events }
}

/// The transaction logs beside the hive (`NAME.LOG1`, `NAME.LOG2`, `NAME.LOG`, in any case:
/// Windows writes `ntuser.dat.LOG1` beside `NTUSER.DAT`) in a disk image, from the run's
/// entries: the same image, volume, folder and state (a deleted hive with deleted logs).
fn image_sibling_logs(entry: &Entry, all: &[Entry]) -> Vec<(String, evidence::EntryBytes)> {
    // `FOLDER/NAME.`: every log's path starts so, whatever the case of its extension (a byte
    // comparison that rules out nearly every entry of the image at once).
    let stem = format!("{}.", entry.source_path);
    let volume = |e: &Entry| e.image.as_ref().map(|i| (i.volume_offset(), i.deleted()));
    let mut found: Vec<&Entry> = all
        .iter()
        .filter(|log| {
            let extension = log
                .source_path
                .get(..stem.len())
                .filter(|start| start.eq_ignore_ascii_case(&stem))
                .and_then(|_| log.source_path.get(stem.len()..))
                .map(str::to_ascii_lowercase);
            extension.is_some_and(|e| ["log1", "log2", "log"].contains(&e.as_str()))
                && log.evidence == entry.evidence
                && volume(log) == volume(entry)
                && log.entry_type == EntryType::File
        })
        .collect();
    found.sort_by(|a, b| a.source_path.cmp(&b.source_path));
    found
        .into_iter()
        .filter_map(|log| {
            let bytes = evidence::map_entry(log).ok()?;
            Some((log.source_path.clone(), bytes))
        })
        .collect()
}

/// The transaction logs beside a hive file of this machine, from its folder (the evidence may be
/// the hive alone), read-only.
fn host_sibling_logs(entry: &Entry) -> Vec<(String, evidence::EntryBytes)> {
    let Some(folder) = entry.host_path.parent() else {
        return Vec::new();
    };
    let name = entry.file_name().to_ascii_lowercase();
    let Ok(listing) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut found: Vec<(String, PathBuf)> = listing
        .filter_map(Result::ok)
        .filter_map(|item| {
            let file = item.file_name().to_string_lossy().into_owned();
            let lower = file.to_ascii_lowercase();
            let extension = lower.strip_prefix(&name)?.strip_prefix('.')?;
            ["log1", "log2", "log"]
                .contains(&extension)
                .then(|| (file, item.path()))
        })
        .filter(|(_, path)| path.is_file())
        .collect();
    found.sort();
    let folder_in_evidence = entry
        .source_path
        .rsplit_once('/')
        .map_or(String::new(), |(folder, _)| format!("{folder}/"));
    found
        .into_iter()
        .filter_map(|(file, host_path)| {
            let log = Entry {
                host_path,
                source_path: format!("{folder_in_evidence}{file}"),
                ..entry.clone()
            };
            let bytes = evidence::map_entry(&log).ok()?;
            Some((log.source_path, bytes))
        })
        .collect()
}

/// The hive stage on its own: opens the hive in `bytes` (replaying `logs` when it is dirty),
/// reads its Office and host keys and runs the hive checks of `profile` (rows, and the hits
/// exclusions left out); the Office keys are read until `deadline` (the artifact's time bound).
/// This is what the benchmark measures.
pub fn check_hive(
    bytes: &[u8],
    logs: &[&[u8]],
    mut ctx: HiveContext<'_>,
    profile: &Profile,
    deadline: &Deadline,
) -> Result<(HiveState, HiveFacts, HiveRows), FormatError> {
    let hive = RegistryHive::open(bytes, logs)?;
    let facts = office::read(&hive, deadline);
    ctx.dirty = matches!(
        hive.state,
        HiveState::DirtyUnreplayed | HiveState::Unvalidated { .. }
    );
    let rows = hive_events(profile, &ctx, &facts);
    Ok((hive.state, facts, rows))
}

/// The user a hive belongs to: the profile folder (`Users/alice/...`), or for an `NTUSER.DAT`
/// outside one the folder that holds it (a triage collection's `alice/NTUSER.DAT`).
fn hive_user(roots: &[String], source_path: &str) -> Option<String> {
    user_from_path(roots, source_path).or_else(|| {
        let mut parts = source_path.rsplit('/');
        let name = parts.next()?;
        let folder = parts.next()?;
        (name.eq_ignore_ascii_case("NTUSER.DAT") && !folder.is_empty()).then(|| folder.to_owned())
    })
}
