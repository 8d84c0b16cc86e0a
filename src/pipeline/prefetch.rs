//! The prefetch path of the pipeline: read one prefetch file (decompressing Windows 10+ MAM
//! files) and turn the runs of the programs the profile names into rows.

use super::{Outcome, Settings, finish};
use crate::artifact::Status;
use crate::detect::prefetch::{PrefetchContext, prefetch_events};
use crate::formats::prefetch;
use crate::output::manifest::ArtifactRecord;

/// Analyses the prefetch file in `bytes`; `record` already names the artifact.
pub(super) fn analyze(
    mut record: ArtifactRecord,
    bytes: &[u8],
    label: &str,
    source_path: &str,
    settings: &Settings,
) -> Outcome {
    let parsed = match prefetch::read(bytes) {
        Ok(parsed) => parsed,
        Err(err) => return finish(record, Status::Failed, err.to_string()),
    };
    let ctx = PrefetchContext {
        evidence: label,
        source_path,
    };
    let events = prefetch_events(&settings.profile.profile, &ctx, &parsed);
    record.format = Some(if parsed.compressed {
        "prefetch (MAM)"
    } else {
        "prefetch"
    });
    record.status = Status::Analyzed;
    record.findings = events.iter().filter(|e| e.is_finding()).count();
    record.reason = Some(format!(
        "{} version {}: run count {}, {} run time(s)",
        parsed.executable,
        parsed.version,
        parsed.run_count,
        parsed.last_run_times.len()
    ));
    Outcome { record, events }
}
