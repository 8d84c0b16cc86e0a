//! The pipeline: wires evidence -> artifact -> formats -> detect -> output for one run.
//!
//! [`run`] walks every evidence item, analyses the entries in parallel on a rayon pool of the
//! requested size (each entry's work is isolated: a panic becomes a failed artifact, not a
//! crash), sorts the rows so that the output is byte-identical on any thread count, and writes
//! the timeline and the manifest. Progress goes to stderr through indicatif, only when stderr is
//! a terminal and the caller asked for it.

#![forbid(unsafe_code)]

mod dispatch;
mod document;
mod eventlog;
mod filesystem;
mod hive;
mod memory;
mod prefetch;
mod progress;

pub use document::check_document;
pub use eventlog::{check_event_log, first_pass, trace_trees};
pub use hive::check_hive;
pub use memory::check_memory;

use dispatch::{analyze_isolated, base_record, finish};

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::correlate;
use crate::detect::Event;
use crate::evidence::image::volumes::FileSystem;
use crate::evidence::{self, Entry, EvidenceError};
use crate::formats::Limits;
use crate::output::manifest::{
    ArtifactRecord, EvidenceRecord, Manifest, ProfileRecord, TimelineRecord, Totals,
};
use crate::output::{self, OutputError, TimelineFormat};
use crate::profile::LoadedProfile;
use crate::time::Timestamp;

/// The default time one artifact may take before its size is counted: five minutes, far above
/// what any artifact of the test corpus or the benchmarks needs (seconds at most).
pub const DEFAULT_ARTIFACT_TIME_BOUND: std::time::Duration = std::time::Duration::from_secs(300);

/// Everything a run needs.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Evidence items: directories or single files.
    pub evidence: Vec<PathBuf>,
    /// Where the timeline and manifest are written (created if missing; never inside evidence).
    pub output_dir: PathBuf,
    /// The detection profile.
    pub profile: LoadedProfile,
    /// Worker threads; 0 lets rayon choose (one per core).
    pub threads: usize,
    /// Timeline format.
    pub format: TimelineFormat,
    /// Whether to draw progress bars (still only on a terminal).
    pub progress: bool,
    /// Parser bounds.
    pub limits: Limits,
    /// Treat the evidence items that are single files as memory dumps (raw memory has no
    /// signature to recognise it by).
    pub memory: bool,
    /// When the memory was acquired: the time carved strings are placed at (else each dump's
    /// modification time).
    pub acquired_at: Option<Timestamp>,
    /// Carve the unallocated clusters of NTFS volumes in disk images too.
    pub carve_unallocated: bool,
    /// Bytes per piece when carving in parallel.
    pub carve_chunk: usize,
    /// The time one artifact may take (plus two minutes per GiB of it), after which its parsers
    /// stop where they are and the manifest says so; `None`: no bound.
    pub artifact_time_bound: Option<std::time::Duration>,
}

impl Settings {
    /// Settings with defaults: automatic threads, JSONL, progress on, default limits.
    pub fn new(evidence: Vec<PathBuf>, output_dir: PathBuf, profile: LoadedProfile) -> Settings {
        Settings {
            evidence,
            output_dir,
            profile,
            threads: 0,
            format: TimelineFormat::Jsonl,
            progress: true,
            limits: Limits::default(),
            memory: false,
            acquired_at: None,
            carve_unallocated: false,
            carve_chunk: crate::formats::carve::DEFAULT_CHUNK,
            artifact_time_bound: Some(DEFAULT_ARTIFACT_TIME_BOUND),
        }
    }

    /// Treats single-file evidence items as memory dumps.
    pub fn memory(mut self, memory: bool) -> Settings {
        self.memory = memory;
        self
    }

    /// Sets the acquisition time carved strings are placed at.
    pub fn acquired_at(mut self, acquired_at: Option<Timestamp>) -> Settings {
        self.acquired_at = acquired_at;
        self
    }

    /// Carves unallocated clusters of NTFS volumes too.
    pub fn carve_unallocated(mut self, carve: bool) -> Settings {
        self.carve_unallocated = carve;
        self
    }

    /// Sets the carving piece size (tests use small pieces to put hits on their borders).
    pub fn carve_chunk(mut self, bytes: usize) -> Settings {
        self.carve_chunk = bytes.max(1);
        self
    }

    /// Sets the thread count (0 = one per core).
    pub fn threads(mut self, threads: usize) -> Settings {
        self.threads = threads;
        self
    }

    /// Sets the timeline format.
    pub fn format(mut self, format: TimelineFormat) -> Settings {
        self.format = format;
        self
    }

    /// Turns progress bars on or off.
    pub fn progress(mut self, progress: bool) -> Settings {
        self.progress = progress;
        self
    }

    /// Sets the time one artifact may take (`None`: no bound).
    pub fn artifact_time_bound(mut self, bound: Option<std::time::Duration>) -> Settings {
        self.artifact_time_bound = bound;
        self
    }

    /// Sets the parser bounds.
    pub fn limits(mut self, limits: Limits) -> Settings {
        self.limits = limits;
        self
    }
}

/// What a finished run did.
#[derive(Clone, Debug)]
pub struct RunSummary {
    /// Totals over all artifacts.
    pub totals: Totals,
    /// Timeline rows written.
    pub rows: usize,
    /// The timeline file.
    pub timeline: PathBuf,
    /// The manifest file.
    pub manifest: PathBuf,
    /// The T2 report (`report.json`; `report.md`, `report.html` and `iocs.csv` beside it).
    pub report: PathBuf,
    /// Hosts by verdict, incidents and indicators.
    pub verdicts: crate::correlate::model::Summary,
}

/// Errors that stop a run before or after the analysis (never because of one artifact).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    /// An evidence item cannot be inspected.
    #[error(transparent)]
    Evidence(#[from] EvidenceError),
    /// The output folder lies inside an evidence item: writing there would alter evidence.
    #[error("output folder {output} is inside evidence {evidence}: evidence is never written to")]
    OutputInsideEvidence {
        /// The output folder.
        output: PathBuf,
        /// The evidence item.
        evidence: PathBuf,
    },
    /// The output folder cannot be created.
    #[error("cannot create output folder {path}: {source}")]
    OutputDir {
        /// The folder.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// Writing the output failed.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The thread pool could not be built.
    #[error("cannot start {threads} worker threads: {detail}")]
    Threads {
        /// Threads asked for.
        threads: usize,
        /// Why.
        detail: String,
    },
}

impl PipelineError {
    /// Whether the error is the caller's (bad evidence path, output inside evidence) rather
    /// than the machine's.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            PipelineError::Evidence(EvidenceError::Missing { .. })
                | PipelineError::OutputInsideEvidence { .. }
        )
    }
}

/// What the analyses of one run share.
struct RunContext<'a> {
    /// Every entry of the run (a hive in an image finds its logs among them).
    all: &'a [Entry],
    /// Document results by content: a file copied to many places is parsed once.
    documents: document::DocumentCache,
    /// The progress bars, which carving moves piece by piece.
    progress: &'a progress::Progress,
}

/// One artifact's result.
pub(crate) struct Outcome {
    record: ArtifactRecord,
    events: Vec<Event>,
}

/// Runs a scan with `settings`.
pub fn run(settings: &Settings) -> Result<RunSummary, PipelineError> {
    let started = Timestamp::now();
    // The default passwords are detection knowledge (the profile's); the parsers get them with
    // their other settings.
    let mut limits = settings.limits.clone();
    limits
        .default_passwords
        .clone_from(&settings.profile.profile.document.default_passwords);
    let settings = &Settings {
        limits,
        ..settings.clone()
    };
    check_output_outside_evidence(settings)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.threads)
        .build()
        .map_err(|err| PipelineError::Threads {
            threads: settings.threads,
            detail: err.to_string(),
        })?;
    let mut entries = Vec::new();
    let mut evidence_records = Vec::new();
    for (index, path) in settings.evidence.iter().enumerate() {
        // Listing an image's volumes scans their MFTs in parallel: on the run's own pool.
        let options = evidence::OpenOptions {
            memory: settings.memory,
            unallocated: settings.carve_unallocated,
        };
        let item = pool.install(|| evidence::open(index, path, options))?;
        evidence_records.push(evidence_record(path, &item));
        entries.extend(item.entries);
    }
    std::fs::create_dir_all(&settings.output_dir).map_err(|source| PipelineError::OutputDir {
        path: settings.output_dir.clone(),
        source,
    })?;
    let labels: Vec<String> = evidence_records.iter().map(|e| e.path.clone()).collect();
    let progress = progress::Progress::new(settings.progress, &entries);
    let run = RunContext {
        all: &entries,
        documents: document::DocumentCache::default(),
        progress: &progress,
    };
    let outcomes: Vec<Outcome> = pool.install(|| {
        entries
            .par_iter()
            .map(|entry| {
                let label = labels.get(entry.evidence).map_or("", String::as_str);
                let outcome = analyze_isolated(entry, label, &run, settings);
                // Carved artifacts moved the byte bar as they were carved.
                let carved = outcome.record.carve.is_some();
                progress.advance(if carved { 0 } else { entry.size });
                outcome
            })
            .collect()
    });
    progress.finish();

    let mut records = Vec::with_capacity(outcomes.len());
    let mut events = Vec::new();
    for outcome in outcomes {
        records.push(outcome.record);
        events.extend(outcome.events);
    }
    join_across_artifacts(&records, &mut events);
    events.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let report = correlate::analyse(
        &mut events,
        &evidence_facts(&labels, &records),
        &settings.profile,
    );
    let timeline = settings.output_dir.join(settings.format.file_name());
    write_file(&timeline, |out| match settings.format {
        TimelineFormat::Jsonl => output::timesketch::write_jsonl(&events, out),
        TimelineFormat::Csv => output::timesketch::write_csv(&events, out),
    })?;

    let (totals, totals_by_kind) = Totals::tally(&records);
    let manifest = Manifest {
        tool: "ddesweep",
        version: env!("CARGO_PKG_VERSION"),
        profile: ProfileRecord {
            name: settings.profile.profile.name.clone(),
            origin: settings.profile.origin.clone(),
            sha256: settings.profile.sha256.clone(),
        },
        evidence: evidence_records,
        started: started.to_rfc3339(),
        finished: Timestamp::now().to_rfc3339(),
        timeline: TimelineRecord {
            file: settings.format.file_name(),
            rows: events.len(),
            findings: events.iter().filter(|e| e.is_finding()).count(),
        },
        totals,
        totals_by_kind,
        artifacts: records,
    };
    let manifest_path = settings.output_dir.join("manifest.json");
    write_file(&manifest_path, |out| {
        output::manifest::write(&manifest, out)
    })?;
    let report_path = settings.output_dir.join("report.json");
    write_file(&report_path, |out| output::report::write_json(&report, out))?;
    write_file(&settings.output_dir.join("report.md"), |out| {
        output::report::write_markdown(&report, out)
    })?;
    write_file(&settings.output_dir.join("report.html"), |out| {
        output::report::write_html(&report, out)
    })?;
    write_file(&settings.output_dir.join("iocs.csv"), |out| {
        output::report::write_iocs_csv(&report, out)
    })?;
    Ok(RunSummary {
        totals,
        rows: events.len(),
        timeline,
        manifest: manifest_path,
        report: report_path,
        verdicts: report.summary,
    })
}

/// The manifest's account of one evidence item.
fn evidence_record(path: &Path, item: &evidence::EvidenceItem) -> EvidenceRecord {
    let mut record = EvidenceRecord {
        path: path.display().to_string(),
        kind: item.kind,
        entries: item.entries.len(),
        container: None,
        size: None,
        volumes: Vec::new(),
        notes: Vec::new(),
    };
    if let Some(image) = &item.image {
        record.container = Some(image.container.name());
        record.size = Some(image.size);
        record.volumes.clone_from(&image.volumes);
        record.notes.clone_from(&image.problems);
        let ntfs_volumes = image
            .volumes
            .iter()
            .filter(|v| v.slot.file_system == FileSystem::Ntfs);
        if ntfs_volumes.clone().count() == 0 {
            record
                .notes
                .push("no NTFS volume: nothing in this image was analysed".to_owned());
        } else if ntfs_volumes.clone().all(|v| v.status != "scanned") {
            record.notes.push(
                "no NTFS volume could be read (see each volume's reason): nothing in this image was analysed"
                    .to_owned(),
            );
        }
    }
    record
}

/// What correlation needs of each evidence item: its SYSTEM computer names and its exclusion
/// hits.
fn evidence_facts(labels: &[String], records: &[ArtifactRecord]) -> Vec<correlate::EvidenceFacts> {
    let mut facts: Vec<correlate::EvidenceFacts> = labels
        .iter()
        .map(|label| correlate::EvidenceFacts {
            label: label.clone(),
            ..correlate::EvidenceFacts::default()
        })
        .collect();
    for record in records {
        let Some(fact) = facts.iter_mut().find(|f| f.label == record.evidence) else {
            continue;
        };
        if let Some(name) = record.hive.as_ref().and_then(|h| h.computer_name.clone())
            && !fact.system_names.contains(&name)
        {
            fact.system_names.push(name);
        }
        for (id, hits) in record.excluded_by_id() {
            *fact.excluded.entry(id.to_owned()).or_default() += hits;
        }
    }
    facts
}

/// Joins what one artifact knows to the rows of the others of the same evidence item: rows
/// without a host get the computer name of the item's SYSTEM hive (when it names exactly one),
/// and rows whose user has a profile in the item's SOFTWARE ProfileList get that user's SID.
fn join_across_artifacts(records: &[ArtifactRecord], events: &mut [Event]) {
    use std::collections::{BTreeMap, BTreeSet};
    let mut names: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    // (evidence, lower-case profile folder name) -> SID.
    let mut sids: BTreeMap<(&str, String), &str> = BTreeMap::new();
    for record in records {
        let Some(hive) = &record.hive else { continue };
        if let Some(name) = hive.computer_name.as_deref() {
            names
                .entry(record.evidence.as_str())
                .or_default()
                .insert(name);
        }
        for (sid, path) in &hive.profiles {
            if let Some(folder) = path.rsplit(['\\', '/']).next().filter(|f| !f.is_empty()) {
                sids.insert((record.evidence.as_str(), folder.to_ascii_lowercase()), sid);
            }
        }
    }
    for event in events.iter_mut() {
        if event.host.is_none()
            && let Some(found) = names.get(event.evidence.as_str())
            && found.len() == 1
        {
            event.host = found.first().map(|name| (*name).to_owned());
        }
        if event.fields.user_sid.is_none()
            && let Some(user) = &event.user
        {
            // `DOMAIN\name` (event logs) or a profile folder name.
            let name = user
                .rsplit('\\')
                .next()
                .unwrap_or(user)
                .to_ascii_lowercase();
            if let Some(sid) = sids.get(&(event.evidence.as_str(), name)) {
                event.fields.user_sid = Some((*sid).to_owned());
            }
        }
    }
}

/// Refuses an output folder inside a directory evidence item (or equal to one).
fn check_output_outside_evidence(settings: &Settings) -> Result<(), PipelineError> {
    let output = resolve(&settings.output_dir);
    for evidence in &settings.evidence {
        let Ok(evidence_dir) = evidence.canonicalize() else {
            continue;
        };
        if evidence_dir.is_dir() && output.starts_with(&evidence_dir) {
            return Err(PipelineError::OutputInsideEvidence {
                output: settings.output_dir.clone(),
                evidence: evidence.clone(),
            });
        }
    }
    Ok(())
}

/// The absolute, symlink-free form of a path that may not exist yet: its nearest existing
/// ancestor canonicalised, plus the rest.
fn resolve(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(canonical) = existing.canonicalize() {
            return rest
                .iter()
                .rev()
                .fold(canonical, |acc: PathBuf, part| acc.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

fn write_file(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> Result<(), OutputError>,
) -> Result<(), OutputError> {
    let io_error = |source| OutputError::Write {
        path: path.to_path_buf(),
        source,
    };
    let file = File::create(path).map_err(io_error)?;
    let mut out = BufWriter::new(file);
    write(&mut out)?;
    out.flush().map_err(io_error)
}
