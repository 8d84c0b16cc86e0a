//! The run manifest (`manifest.json`): what ddesweep saw, read, skipped and failed, and why.
//!
//! It accounts for every entry of every evidence item: one [`ArtifactRecord`] each, with its
//! kind, size, SHA-256 (for every file that was read), status and reason, plus totals per kind.
//! Apart from `started` and `finished`, the same evidence gives the same manifest on any thread
//! count.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;

use super::OutputError;
use crate::artifact::{ArtifactKind, Status};
use crate::detect::eventlog::trace::TreeAccount;
use crate::detect::memory::StringStats;
use crate::evidence::image::VolumeRecord;
use crate::evidence::image::ntfs::listing::FoundBy;
use crate::evidence::image::ntfs::zone::MarkOfTheWeb;
use crate::formats::evtx::EvtxStats;
use crate::formats::hive::HiveState;

/// The whole manifest.
#[derive(Debug, Serialize)]
pub struct Manifest {
    /// `ddesweep`.
    pub tool: &'static str,
    /// The tool's version.
    pub version: &'static str,
    /// The profile used.
    pub profile: ProfileRecord,
    /// The evidence items, in command-line order.
    pub evidence: Vec<EvidenceRecord>,
    /// When the run started (RFC 3339).
    pub started: String,
    /// When it finished (RFC 3339).
    pub finished: String,
    /// The timeline file written and its row count.
    pub timeline: TimelineRecord,
    /// Totals over all artifacts.
    pub totals: Totals,
    /// Totals per artifact kind.
    pub totals_by_kind: BTreeMap<ArtifactKind, Totals>,
    /// Every artifact, sorted by evidence and path.
    pub artifacts: Vec<ArtifactRecord>,
}

/// The profile a run used.
#[derive(Debug, Serialize)]
pub struct ProfileRecord {
    /// Its name.
    pub name: String,
    /// `builtin:NAME` or the file's path.
    pub origin: String,
    /// SHA-256 of its text.
    pub sha256: String,
}

/// One evidence item.
#[derive(Debug, Serialize)]
pub struct EvidenceRecord {
    /// The path as given.
    pub path: String,
    /// `directory`, `file` or `disk image`.
    pub kind: &'static str,
    /// How many entries it held.
    pub entries: usize,
    /// For a disk image: what holds its bytes (`raw`, `split raw`, `E01`, `Ex01`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<&'static str>,
    /// For a disk image: its size in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// For a disk image: every volume found, scanned or not, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<VolumeRecord>,
    /// Problems met reading the item (damaged partition tables), and the absence of any NTFS
    /// volume in an image.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// The timeline written.
#[derive(Debug, Serialize)]
pub struct TimelineRecord {
    /// File name in the output folder.
    pub file: &'static str,
    /// Rows written.
    pub rows: usize,
    /// Rows that are findings (severity above info).
    pub findings: usize,
}

/// One artifact's account.
#[derive(Clone, Debug, Serialize)]
pub struct ArtifactRecord {
    /// The evidence item (as given on the command line).
    pub evidence: String,
    /// Path inside the evidence.
    pub path: String,
    /// What it is.
    pub kind: ArtifactKind,
    /// Document format, where one was read (`docx`, `xlsx`, `rtf`, `csv`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<&'static str>,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the bytes, for every file that was read (`null` for files skipped unread, and
    /// for memory dumps, paging files and unallocated space, which are carved but not hashed:
    /// they are hashed at acquisition).
    pub sha256: Option<String>,
    /// Analyzed, skipped or failed.
    pub status: Status,
    /// Why it was skipped or failed, or a caveat on an analysed file.
    pub reason: Option<String>,
    /// DDE findings in it.
    pub findings: usize,
    /// For event logs: what was read of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eventlog: Option<EventLogAccount>,
    /// For documents that were read: what the profile's exclusions left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<DocumentAccount>,
    /// For registry hives: how it was opened and what identifies its host and users.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hive: Option<HiveAccount>,
    /// For a file inside a disk image: where it is in the image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ntfs: Option<NtfsProvenance>,
    /// For memory dumps, paging files and unallocated clusters: what carving found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carve: Option<CarveAccount>,
    /// The time bound (seconds) this artifact's reading stopped at: not all of it was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_bound_seconds: Option<f64>,
}

/// What carving one blob found, for the manifest.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CarveAccount {
    /// Bytes carved.
    pub bytes: u64,
    /// String hits and distinct strings.
    #[serde(flatten)]
    pub strings: StringStats,
    /// Event-log chunk signatures found.
    pub evtx_chunks: u64,
    /// Of those, copies of a chunk already read (memory holds the same page more than once).
    pub evtx_chunks_duplicate: u64,
    /// Of those, signatures with no readable chunk or record behind them (or inside a chunk
    /// already read).
    pub evtx_chunks_unreadable: u64,
    /// Of those, chunks not read because a bound was reached (a dump full of signatures).
    pub evtx_chunks_not_read: u64,
    /// Records read from the carved chunks.
    pub evtx_records: u64,
    /// Records that could not be read.
    pub evtx_records_failed: u64,
}

/// Where a file of a disk image is, and how it was found.
#[derive(Clone, Debug, Serialize)]
pub struct NtfsProvenance {
    /// Byte offset of its NTFS volume in the image.
    pub volume_offset: u64,
    /// Its MFT record number.
    pub mft_record: u64,
    /// Found by the directory walk, only by the MFT scan, or as a deleted record.
    pub found_by: FoundBy,
    /// Its Mark of the Web.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mark_of_the_web: Option<MarkOfTheWeb>,
}

/// How one registry hive was opened.
#[derive(Clone, Debug, Serialize)]
pub struct HiveAccount {
    /// Clean, replayed from its logs, or dirty and read as it is.
    #[serde(flatten)]
    pub state: HiveState,
    /// The transaction logs found beside it.
    pub logs: Vec<String>,
    /// The computer name it holds (SYSTEM).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub computer_name: Option<String>,
    /// The user profiles it lists (SOFTWARE): SID and profile path.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<(String, String)>,
    /// Findings on its values left out by `[[eventlog.exclusions]]` with a `target`: exclusion
    /// id -> hits.
    pub excluded: BTreeMap<String, usize>,
}

/// What the profile's `[[document.exclusions]]` left out of one document.
#[derive(Clone, Debug, Default, Serialize)]
pub struct DocumentAccount {
    /// Findings left out: exclusion id -> hits.
    pub excluded: BTreeMap<String, usize>,
}

/// What was read of one event log, and what its exclusions left out.
#[derive(Clone, Debug, Default, Serialize)]
pub struct EventLogAccount {
    /// Chunk and record counts.
    #[serde(flatten)]
    pub stats: EvtxStats,
    /// Whether the header says the log was not closed cleanly.
    pub dirty: bool,
    /// Process starts whose parent came from an earlier 4688 record of the same log.
    pub parents_recovered: usize,
    /// Hits left out by profile exclusions: exclusion id -> count.
    pub excluded: BTreeMap<String, usize>,
    /// The process trees followed below flagged Office children.
    #[serde(flatten)]
    pub tree: TreeAccount,
}

impl ArtifactRecord {
    /// Hits left out of this artifact by profile exclusions (event-log, document and hive).
    pub fn excluded(&self) -> usize {
        self.excluded_by_id().iter().map(|(_, hits)| hits).sum()
    }

    /// The same hits by exclusion id (an id may count in several of the artifact's checks).
    pub fn excluded_by_id(&self) -> Vec<(&str, usize)> {
        let log = self.eventlog.as_ref().map(|l| &l.excluded);
        let document = self.document.as_ref().map(|d| &d.excluded);
        let hive = self.hive.as_ref().map(|h| &h.excluded);
        [log, document, hive]
            .into_iter()
            .flatten()
            .flat_map(|map| map.iter().map(|(id, &hits)| (id.as_str(), hits)))
            .collect()
    }
}

/// Counts of artifacts by status.
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq, Serialize)]
pub struct Totals {
    /// Artifacts seen.
    pub seen: usize,
    /// Analyzed.
    pub analyzed: usize,
    /// Skipped.
    pub skipped: usize,
    /// Failed.
    pub failed: usize,
    /// Bytes seen.
    pub bytes: u64,
    /// Findings.
    pub findings: usize,
    /// Hits left out by profile exclusions (counted per artifact in `eventlog.excluded`,
    /// `document.excluded` and `hive.excluded`).
    pub excluded: usize,
}

impl Totals {
    /// Adds one artifact.
    pub fn add(&mut self, record: &ArtifactRecord) {
        self.seen += 1;
        self.bytes = self.bytes.saturating_add(record.size);
        self.findings += record.findings;
        self.excluded += record.excluded();
        match record.status {
            Status::Analyzed => self.analyzed += 1,
            Status::Skipped => self.skipped += 1,
            Status::Failed => self.failed += 1,
        }
    }

    /// Totals over all records, and per kind.
    pub fn tally(records: &[ArtifactRecord]) -> (Totals, BTreeMap<ArtifactKind, Totals>) {
        let mut all = Totals::default();
        let mut by_kind: BTreeMap<ArtifactKind, Totals> = BTreeMap::new();
        for record in records {
            all.add(record);
            by_kind.entry(record.kind).or_default().add(record);
        }
        (all, by_kind)
    }
}

/// Writes the manifest as pretty-printed JSON.
pub fn write(manifest: &Manifest, out: &mut impl Write) -> Result<(), OutputError> {
    serde_json::to_writer_pretty(&mut *out, manifest).map_err(|err| OutputError::Encode {
        what: "manifest",
        detail: err.to_string(),
    })?;
    out.write_all(b"\n").map_err(|err| OutputError::Encode {
        what: "manifest",
        detail: err.to_string(),
    })
}
