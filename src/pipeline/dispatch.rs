//! One artifact's analysis: the stage its kind calls for, inside a panic guard and under its
//! time bound. Whatever happens in one artifact's work ends in its manifest record.

use std::time::Duration;

use super::{
    Outcome, RunContext, Settings, document, eventlog, filesystem, hive, memory, prefetch,
};
use crate::artifact::{self, ArtifactKind, Status};
use crate::digest::sha256_hex;
use crate::evidence::{self, Entry, EntryType};
use crate::formats::Deadline;
use crate::guard;
use crate::output::manifest::ArtifactRecord;

/// The time one artifact may take: the run's base bound plus [`SECONDS_PER_GIB`] per GiB of
/// its size (carving a large dump is slow without being stuck); `None` when the run has none.
/// A base of zero is exactly zero (every artifact stops at its first check: how the bound is
/// tested).
fn time_bound(entry: &Entry, settings: &Settings) -> Option<Duration> {
    let base = settings.artifact_time_bound?;
    if base.is_zero() {
        return Some(base);
    }
    let gib = entry.size as f64 / f64::from(1u32 << 30);
    Some(base + Duration::from_secs_f64(gib * SECONDS_PER_GIB))
}

/// Time allowed per GiB of an artifact on top of the base bound (carving runs at hundreds of
/// MB/s per core; this is ten times slower than the slowest the benchmarks saw).
const SECONDS_PER_GIB: f64 = 120.0;

/// Analyses one entry; a panic inside becomes a failed artifact with the panic's message.
pub(super) fn analyze_isolated(
    entry: &Entry,
    label: &str,
    run: &RunContext<'_>,
    settings: &Settings,
) -> Outcome {
    let deadline = time_bound(entry, settings).map_or_else(Deadline::none, Deadline::after);
    isolate(entry, label, &deadline, || {
        let mut outcome = analyze_entry(entry, label, run, settings, &deadline);
        filesystem::annotate(entry, &settings.profile.profile, &mut outcome);
        outcome
    })
}

/// Runs one artifact's `work` under `deadline`: a panic becomes a failed record with the
/// panic's message; work cut short by the deadline is marked so.
fn isolate(
    entry: &Entry,
    label: &str,
    deadline: &Deadline,
    work: impl FnOnce() -> Outcome,
) -> Outcome {
    match guard::catch(work) {
        Ok(mut outcome) => {
            if deadline.was_hit() {
                mark_time_bound(&mut outcome.record, deadline);
            }
            outcome
        }
        Err(message) => {
            let mut record = base_record(entry, label, ArtifactKind::Unknown);
            record.status = Status::Failed;
            record.reason = Some(format!("internal error while analysing (panic): {message}"));
            Outcome {
                record,
                events: Vec::new(),
            }
        }
    }
}

pub(crate) fn base_record(entry: &Entry, label: &str, kind: ArtifactKind) -> ArtifactRecord {
    ArtifactRecord {
        evidence: label.to_owned(),
        path: entry.source_path.clone(),
        kind,
        format: None,
        size: entry.size,
        sha256: None,
        status: Status::Skipped,
        reason: None,
        findings: 0,
        eventlog: None,
        document: None,
        hive: None,
        ntfs: None,
        carve: None,
        time_bound_seconds: None,
    }
}

pub(crate) fn finish(
    mut record: ArtifactRecord,
    status: Status,
    reason: impl Into<String>,
) -> Outcome {
    record.status = status;
    record.reason = Some(reason.into());
    Outcome {
        record,
        events: Vec::new(),
    }
}

fn analyze_entry(
    entry: &Entry,
    label: &str,
    run: &RunContext<'_>,
    settings: &Settings,
    deadline: &Deadline,
) -> Outcome {
    let name_kind = artifact::classify(&[], entry.file_name());
    let record = base_record(entry, label, name_kind);
    match &entry.entry_type {
        EntryType::File => {}
        EntryType::Symlink => {
            return finish(record, Status::Skipped, "symbolic link: not followed");
        }
        EntryType::Special => {
            return finish(
                record,
                Status::Skipped,
                "not a regular file (FIFO, socket or device)",
            );
        }
        EntryType::Unreadable(reason) => return finish(record, Status::Failed, reason.clone()),
        EntryType::NotRead(reason) => return finish(record, Status::Skipped, reason.clone()),
    }
    if let Some(volume) = &entry.unallocated {
        let record = base_record(entry, label, ArtifactKind::Memory);
        return memory::analyze_unallocated(
            record,
            entry,
            volume,
            label,
            settings,
            run.progress,
            deadline,
        );
    }
    if let Some(image) = &entry.image {
        // Most files of a disk are not artifacts: classify from the first bytes before reading
        // the rest out of the image.
        if entry.size == 0 {
            return finish(record, Status::Skipped, "empty file (0 bytes)");
        }
        let kind = match image.read_head(artifact::HEAD_LEN as u64) {
            Ok(head) => artifact::classify(&head, entry.file_name()),
            Err(err) => return finish(record, Status::Failed, format!("cannot read: {err}")),
        };
        if let Some(reason) = kind.unsupported_reason() {
            return finish(base_record(entry, label, kind), Status::Skipped, reason);
        }
        if kind == ArtifactKind::Memory {
            let record = base_record(entry, label, kind);
            return memory::analyze_image_file(
                record,
                entry,
                image,
                label,
                settings,
                run.progress,
                deadline,
            );
        }
        let limits = &settings.limits;
        let limit = match kind {
            ArtifactKind::DelimitedText
            | ArtifactKind::Xml
            | ArtifactKind::Sylk
            | ArtifactKind::WebQuery => limits.max_text_bytes.min(limits.max_image_file_bytes),
            _ => limits.max_image_file_bytes,
        };
        if entry.size > limit {
            let reason = format!(
                "{} bytes: over the limit of {limit} bytes for a {} file in an image; not read",
                entry.size,
                kind.name()
            );
            return finish(base_record(entry, label, kind), Status::Failed, reason);
        }
    }
    let bytes = match evidence::map_entry(entry) {
        Ok(bytes) => bytes,
        Err(err) => return finish(record, Status::Failed, err.to_string()),
    };
    let head = bytes.get(..artifact::HEAD_LEN).unwrap_or(&bytes);
    let kind = if entry.memory_dump {
        ArtifactKind::Memory
    } else {
        artifact::classify(head, entry.file_name())
    };
    let mut record = base_record(entry, label, kind);
    record.size = bytes.len() as u64;
    if bytes.is_empty() {
        return finish(record, Status::Skipped, "empty file (0 bytes)");
    }
    if let Some(reason) = kind.unsupported_reason() {
        return finish(record, Status::Skipped, reason);
    }
    if kind == ArtifactKind::Memory {
        // Not hashed: a dump is hashed when it is acquired, and hashing tens of gigabytes here
        // would cost more than carving them.
        return memory::analyze(
            record,
            entry,
            &bytes,
            label,
            settings,
            run.progress,
            deadline,
        );
    }
    let sha256 = sha256_hex(&bytes);
    record.sha256 = Some(sha256.clone());
    if kind == ArtifactKind::Evtx {
        return eventlog::analyze(
            record,
            &bytes,
            label,
            &entry.source_path,
            settings,
            deadline,
        );
    }
    if kind == ArtifactKind::RegistryHive {
        return hive::analyze(record, entry, run.all, &bytes, label, settings, deadline);
    }
    if kind == ArtifactKind::Prefetch {
        return prefetch::analyze(record, &bytes, label, &entry.source_path, settings);
    }
    document::analyze(
        record,
        entry,
        &bytes,
        sha256,
        label,
        settings,
        &run.documents,
        deadline,
    )
}

/// Marks an artifact whose reading stopped at its time bound: failed (not all of it was read),
/// with the bound in the reason and in the record; the rows found before it are kept.
fn mark_time_bound(record: &mut ArtifactRecord, deadline: &Deadline) {
    let seconds = deadline.allowed_seconds();
    let note = format!(
        "stopped at the time bound of {seconds:.1} s per artifact: rows found before it are \
         kept, the rest was not read"
    );
    record.reason = Some(match record.reason.take() {
        Some(reason) => format!("{note}; {reason}"),
        None => note,
    });
    record.status = Status::Failed;
    record.time_bound_seconds = Some(seconds);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        Entry {
            evidence: 0,
            host_path: "/evidence/a.docx".into(),
            source_path: "a.docx".to_owned(),
            size: 10,
            times: evidence::FileTimes::default(),
            entry_type: EntryType::File,
            image: None,
            memory_dump: false,
            unallocated: None,
        }
    }

    fn analysed(reason: Option<&str>) -> Outcome {
        let mut record = base_record(&entry(), "E", ArtifactKind::Ooxml);
        record.status = Status::Analyzed;
        record.reason = reason.map(str::to_owned);
        Outcome {
            record,
            events: Vec::new(),
        }
    }

    #[test]
    fn a_panic_in_the_work_is_a_failed_record_with_its_message() {
        let outcome = isolate(&entry(), "E", &Deadline::none(), || {
            panic!("cell offset {} out of range", 7)
        });
        assert_eq!(outcome.record.status, Status::Failed);
        assert_eq!(outcome.record.path, "a.docx");
        assert_eq!(outcome.record.evidence, "E");
        let reason = outcome.record.reason.unwrap();
        assert!(
            reason
                .starts_with("internal error while analysing (panic): cell offset 7 out of range"),
            "{reason}"
        );
    }

    #[test]
    fn work_that_met_its_deadline_is_failed_with_the_bound_and_keeps_its_caveat() {
        let deadline = Deadline::after(Duration::ZERO);
        let outcome = isolate(&entry(), "E", &deadline, || {
            assert!(deadline.passed());
            analysed(Some("part x: stopped"))
        });
        assert_eq!(outcome.record.status, Status::Failed);
        assert_eq!(outcome.record.time_bound_seconds, Some(0.0));
        assert_eq!(
            outcome.record.reason.as_deref(),
            Some(
                "stopped at the time bound of 0.0 s per artifact: rows found before it are kept, \
                 the rest was not read; part x: stopped"
            )
        );
        // Work that never looked at a passed deadline is left as it was.
        let untouched = isolate(&entry(), "E", &Deadline::after(Duration::ZERO), || {
            analysed(None)
        });
        assert_eq!(untouched.record.status, Status::Analyzed);
        assert_eq!(untouched.record.time_bound_seconds, None);
    }
}
