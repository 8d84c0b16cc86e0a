//! The document path of the pipeline: parse one Office document (or CSV, RTF, ...), run the
//! document checks, and turn the findings into rows; identical content is parsed once per run.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::{Outcome, Settings, finish};
use crate::artifact::{ArtifactKind, Status};
use crate::detect::timeline::{DocumentContext, document_events};
use crate::detect::{self, Finding};
use crate::evidence::Entry;
use crate::formats::{self, Deadline, DocumentScan, FormatError, Limits};
use crate::output::manifest::{ArtifactRecord, DocumentAccount};
use crate::profile::Profile;

/// What checking one document's bytes gave, kept for its copies.
enum Checked {
    /// Parsed: what was read and found.
    Read(DocumentScan, Vec<Finding>),
    /// Not a document of its kind after all: why.
    NotApplicable(String),
    /// Unreadable: why.
    Failed(String),
}

/// Results by (kind, SHA-256, lower-case extension): the extension is the only part of the name
/// a parser looks at (a `.tsv` is split on tabs). Disks hold many copies of one file (an
/// attachment saved twice, a user's backups, a template copied around); each copy still gets
/// its own rows and manifest record, with its own path and times.
#[derive(Default)]
pub(super) struct DocumentCache {
    results: Mutex<HashMap<(ArtifactKind, String, String), Arc<Checked>>>,
}

impl DocumentCache {
    fn get_or_check(
        &self,
        key: (ArtifactKind, String, String),
        check: impl FnOnce() -> Checked,
    ) -> Arc<Checked> {
        if let Some(found) = self
            .results
            .lock()
            .ok()
            .and_then(|map| map.get(&key).cloned())
        {
            return found;
        }
        // Checked outside the lock: two threads meeting the same new content both parse it,
        // which costs time once and never blocks a thread behind another's parse.
        let checked = Arc::new(check());
        if let Ok(mut map) = self.results.lock() {
            map.entry(key).or_insert_with(|| Arc::clone(&checked));
        }
        checked
    }
}

/// Analyses the document in `bytes` (of `record.kind`, with SHA-256 `sha256`).
#[allow(clippy::too_many_arguments)]
pub(super) fn analyze(
    mut record: ArtifactRecord,
    entry: &Entry,
    bytes: &[u8],
    sha256: String,
    label: &str,
    settings: &Settings,
    cache: &DocumentCache,
    deadline: &Deadline,
) -> Outcome {
    let kind = record.kind;
    let name = entry.file_name();
    let extension = name
        .rsplit_once('.')
        .map_or(String::new(), |(_, ext)| ext.to_ascii_lowercase());
    let checked = cache.get_or_check((kind, sha256.clone(), extension), || {
        match check_document(
            kind,
            name,
            bytes,
            &settings.profile.profile,
            &Limits {
                deadline: deadline.clone(),
                ..settings.limits.clone()
            },
        ) {
            Ok((scan, findings)) => Checked::Read(scan, findings),
            Err(FormatError::NotApplicable(reason)) => Checked::NotApplicable(reason),
            Err(err) => Checked::Failed(err.to_string()),
        }
    });
    let (scan, findings) = match &*checked {
        Checked::Read(scan, findings) => (scan, findings),
        Checked::NotApplicable(reason) => return finish(record, Status::Skipped, reason.clone()),
        Checked::Failed(reason) => return finish(record, Status::Failed, reason.clone()),
    };
    // Exclusions per copy: a path condition depends on where this copy is.
    let profile = &settings.profile.profile;
    let (findings, excluded) = detect::document::apply_exclusions(
        &profile.document.exclusions,
        findings,
        &entry.source_path,
    );
    record.format = Some(scan.format);
    record.findings = findings.len();
    record.document = Some(DocumentAccount { excluded });
    let incomplete = scan.problems.iter().any(|p| p.incomplete);
    record.status = if incomplete {
        Status::Failed
    } else {
        Status::Analyzed
    };
    if !scan.problems.is_empty() {
        let reasons: Vec<String> = scan.problems.iter().map(ToString::to_string).collect();
        record.reason = Some(reasons.join("; "));
    }
    let context = DocumentContext {
        evidence: label,
        source_path: &entry.source_path,
        sha256: &sha256,
        size: record.size,
        times: entry.times,
        format: scan.format,
    };
    let events = document_events(profile, &context, &findings);
    Outcome { record, events }
}

/// The document stage on its own: parses `bytes` as a document of `kind` and runs the document
/// checks of `profile`. This is what the benchmark measures.
pub fn check_document(
    kind: ArtifactKind,
    file_name: &str,
    bytes: &[u8],
    profile: &Profile,
    limits: &Limits,
) -> Result<(DocumentScan, Vec<Finding>), FormatError> {
    let scan = formats::scan_with_embedded(kind, file_name, bytes, limits)?;
    let findings = scan
        .records
        .iter()
        .flat_map(|record| detect::document::check(&profile.document, record))
        .collect();
    Ok((scan, findings))
}
