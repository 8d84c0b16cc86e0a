//! The memory path of the pipeline: carve a memory dump, paging file or hibernation file (or a
//! volume's unallocated clusters) for the profile's strings and for event-log chunks, and run
//! the event-log checks on the records of every chunk found.

use std::collections::HashSet;

use rayon::prelude::*;

use super::progress::Progress;
use super::{Outcome, Settings, check_event_log, finish};
use crate::artifact::Status;
use crate::detect::eventlog::LogContext;
use crate::detect::memory::{self, CARVED_TAG, CarveContext};
use crate::detect::timeline::{Event, desc};
use crate::digest::sha256_hex;
use crate::evidence::image::ntfs::NtfsVolume;
use crate::evidence::{Entry, ImageFile};
use crate::formats::Deadline;
use crate::formats::carve::{CarveBounds, CarveScan, Carver, StringGroups, evtx_chunks};
use crate::output::manifest::{ArtifactRecord, CarveAccount};
use crate::time::Timestamp;

/// Distinct strings kept per carved artifact (hits of further strings are counted only).
const MAX_STRINGS: usize = 100_000;
/// Chunk signatures kept per carved artifact.
const MAX_SIGNATURES: usize = 1_000_000;
/// Distinct event-log chunks read per carved artifact: a dump whose every page holds a chunk
/// signature must not cost hours.
const MAX_CHUNKS: usize = 20_000;
/// What a hibernation file is called in messages (its rows get a caveat).
const HIBERNATION_FILE: &str = "hibernation file";
/// Unallocated space is read and carved this many bytes at a time (a bound on memory for E01
/// images, where nothing can be borrowed).
const READ_PIECE: u64 = 64 << 20;
/// Bytes read past a piece's end, so that a string or chunk across it is whole.
const READ_OVERLAP: u64 = 128 << 10;

/// Carves `blob` (the bytes of `entry`); `record` already names the artifact.
pub(super) fn analyze(
    record: ArtifactRecord,
    entry: &Entry,
    blob: &[u8],
    label: &str,
    settings: &Settings,
    progress: &Progress,
    deadline: &Deadline,
) -> Outcome {
    let ctx = file_context(entry, label, settings);
    let carver = match carver(settings) {
        Ok(carver) => carver,
        Err(reason) => return finish(record, Status::Failed, reason),
    };
    let mut state = CarveState::new(deadline);
    state.carve(&carver, blob, 0, blob.len(), &ctx, settings, progress);
    state.finish(record, &ctx, settings)
}

/// Carves `blob` as the memory dump `source_path` of a host folder, without a run: the manifest
/// record (its carving account) and the rows. The entry of the fuzz target for the carver and
/// the carved event-log chunks.
pub fn check_memory(
    blob: &[u8],
    source_path: &str,
    settings: &Settings,
) -> (ArtifactRecord, Vec<Event>) {
    let entry = Entry {
        evidence: 0,
        host_path: std::path::PathBuf::from(source_path),
        source_path: source_path.to_owned(),
        size: blob.len() as u64,
        times: crate::evidence::FileTimes::default(),
        entry_type: crate::evidence::EntryType::File,
        image: None,
        memory_dump: true,
        unallocated: None,
    };
    let mut record = super::base_record(&entry, "memory", crate::artifact::ArtifactKind::Memory);
    record.format = Some("memory");
    let progress = Progress::new(false, &[]);
    let outcome = analyze(
        record,
        &entry,
        blob,
        "memory",
        settings,
        &progress,
        &Deadline::none(),
    );
    (outcome.record, outcome.events)
}

/// A paging, hibernation or dump file inside a disk image, carved run by run in overlapping
/// pieces (no copy of the whole file). Offsets are from the start of the file; a string across
/// two runs (fragments) is cut. Files that cannot be read so (compressed, resident) are read
/// whole, within the size bound.
pub(super) fn analyze_image_file(
    mut record: ArtifactRecord,
    entry: &Entry,
    image: &ImageFile,
    label: &str,
    settings: &Settings,
    progress: &Progress,
    deadline: &Deadline,
) -> Outcome {
    let runs = match image.plain_runs() {
        Ok(Some(runs)) => runs,
        Ok(None) => {
            if entry.size > settings.limits.max_image_file_bytes {
                let reason = format!(
                    "{} bytes, stored compressed or in pieces that cannot be read one by one: \
                     over the limit of {} bytes for reading whole; not carved",
                    entry.size, settings.limits.max_image_file_bytes
                );
                return finish(record, Status::Skipped, reason);
            }
            return match image.read() {
                Ok(bytes) => analyze(record, entry, &bytes, label, settings, progress, deadline),
                Err(err) => finish(record, Status::Failed, format!("cannot read: {err}")),
            };
        }
        Err(err) => return finish(record, Status::Failed, format!("cannot read: {err}")),
    };
    let ctx = file_context(entry, label, settings);
    let carver = match carver(settings) {
        Ok(carver) => carver,
        Err(reason) => return finish(record, Status::Failed, reason),
    };
    let volume = &image.volume;
    let mut state = CarveState::new(deadline);
    let mut logical = 0u64;
    for (position, allocated) in runs {
        let len = allocated.min(entry.size.saturating_sub(logical));
        if let Some(position) = position {
            state.carve_range(
                &carver, volume, position, len, logical, &ctx, settings, progress,
            );
        }
        logical += allocated;
    }
    record.format = Some("memory");
    state.finish(record, &ctx, settings)
}

/// The unallocated clusters of an NTFS volume (`entry.unallocated`), carved like memory: read
/// range by range in pieces (borrowed from a raw image's map, copied out of an E01), each read
/// a little past its end so that nothing across a piece border is lost. Offsets are from the
/// start of the volume.
pub(super) fn analyze_unallocated(
    mut record: ArtifactRecord,
    entry: &Entry,
    volume: &NtfsVolume,
    label: &str,
    settings: &Settings,
    progress: &Progress,
    deadline: &Deadline,
) -> Outcome {
    let ctx = CarveContext {
        evidence: label,
        source_path: &entry.source_path,
        what: "unallocated clusters of the volume",
        acquired: acquisition(settings, entry),
    };
    let Some(ranges) = volume.free_ranges() else {
        return finish(
            record,
            Status::Failed,
            "the volume's cluster bitmap ($Bitmap) cannot be read: free clusters unknown",
        );
    };
    let carver = match carver(settings) {
        Ok(carver) => carver,
        Err(reason) => return finish(record, Status::Failed, reason),
    };
    let mut state = CarveState::new(deadline);
    for (offset, len) in ranges {
        state.carve_range(
            &carver, volume, offset, len, offset, &ctx, settings, progress,
        );
    }
    record.format = Some("unallocated clusters");
    record.size = state.account.bytes;
    state.finish(record, &ctx, settings)
}

/// Bytes read for carving: borrowed from a map or copied.
enum Piece {
    Mapped(std::sync::Arc<memmap2::Mmap>, usize, usize),
    Owned(Vec<u8>),
}

impl Piece {
    fn bytes(&self) -> &[u8] {
        match self {
            Piece::Mapped(map, start, len) => map.get(*start..start + len).unwrap_or_default(),
            Piece::Owned(bytes) => bytes,
        }
    }
}

/// The carving context of a dump, paging or hibernation file: what it is to a responder comes
/// from its name.
fn file_context<'a>(entry: &'a Entry, label: &'a str, settings: &Settings) -> CarveContext<'a> {
    let what = match entry.file_name().to_ascii_lowercase().as_str() {
        "pagefile.sys" | "swapfile.sys" => "paging file",
        "hiberfil.sys" => HIBERNATION_FILE,
        _ => "memory dump",
    };
    CarveContext {
        evidence: label,
        source_path: &entry.source_path,
        what,
        acquired: acquisition(settings, entry),
    }
}

/// The time carved strings are placed at: `--acquired-at`; else, for a dump on this machine,
/// its modification time; for a file or the free space of a disk image, the image file's
/// modification time (a paging file's own times are the suspect system's, not the
/// acquisition's).
fn acquisition(settings: &Settings, entry: &Entry) -> (Timestamp, &'static str) {
    if let Some(at) = settings.acquired_at {
        return (at, desc::ACQUISITION);
    }
    let in_image = entry.image.is_some() || entry.unallocated.is_some();
    let modified = if in_image {
        std::fs::metadata(&entry.host_path)
            .ok()
            .and_then(|meta| meta.modified().ok())
            .and_then(Timestamp::from_system_time)
    } else {
        entry.times.modified
    };
    match (modified, in_image) {
        (Some(time), false) => (time, desc::ACQUISITION_FILE_TIME),
        (Some(time), true) => (time, desc::ACQUISITION_IMAGE_TIME),
        (None, _) => (Timestamp::UNIX_EPOCH, desc::NOT_A_TIME),
    }
}

/// The profile's carver.
fn carver(settings: &Settings) -> Result<Carver, String> {
    let rules = &settings.profile.profile.memory;
    let texts: Vec<&str> = rules.indicators.iter().map(|i| i.text.as_str()).collect();
    Carver::new(
        &texts,
        rules.context_chars,
        &[evtx_chunks::CHUNK_SIGNATURE],
        bounds(settings),
    )
    .map_err(|e| e.to_string())
}

/// What one carved artifact keeps at most.
fn bounds(settings: &Settings) -> CarveBounds {
    CarveBounds {
        max_offsets: settings.profile.profile.memory.max_offsets,
        max_strings: MAX_STRINGS,
        max_signatures: MAX_SIGNATURES,
    }
}

/// What became of one carved event-log chunk.
enum ChunkRead {
    /// Not read: the artifact's time bound had passed.
    NotRead,
    /// No readable record (an empty chunk, overwritten pages, or its reading panicked).
    Unreadable,
    /// Its records read and failed, and the rows they gave.
    Read {
        records: u64,
        failed: u64,
        rows: Vec<Event>,
    },
}

/// What carving one artifact has gathered so far, over one or more pieces.
#[derive(Default)]
struct CarveState {
    scans: Vec<CarveScan>,
    events: Vec<Event>,
    account: CarveAccount,
    /// SHA-256 of the used part of every chunk read: copies are read once.
    chunks_seen: HashSet<String>,
    problems: Vec<String>,
    /// The artifact's time bound: looked at before each piece and each chunk.
    deadline: Deadline,
}

impl CarveState {
    fn new(deadline: &Deadline) -> CarveState {
        CarveState {
            deadline: deadline.clone(),
            ..CarveState::default()
        }
    }

    /// Whether the time bound has passed before the piece at `offset`; says so once.
    fn stop_at_deadline(&mut self, offset: u64) -> bool {
        if !self.deadline.passed() {
            return false;
        }
        let message = self
            .deadline
            .stop_message(&format!("at byte {offset} (the rest was not carved)"));
        if !self.problems.contains(&message) {
            self.problems.push(message);
        }
        true
    }

    /// Carves `len` bytes of `volume` from byte `offset` of the volume, reporting offsets from
    /// `logical`: read in pieces that overlap, so nothing across a piece border is lost.
    #[allow(clippy::too_many_arguments)]
    fn carve_range(
        &mut self,
        carver: &Carver,
        volume: &NtfsVolume,
        offset: u64,
        len: u64,
        logical: u64,
        ctx: &CarveContext<'_>,
        settings: &Settings,
        progress: &Progress,
    ) {
        let mut at = 0;
        while at < len {
            if self.stop_at_deadline(logical + at) {
                return;
            }
            let owned = (len - at).min(READ_PIECE);
            let span = (len - at).min(owned + READ_OVERLAP);
            let position = volume.offset() + offset + at;
            let read = match volume.disk().mapped(position, span) {
                Some((map, start)) => Ok(Piece::Mapped(map, start, span as usize)),
                None => volume
                    .disk()
                    .read_vec(position, span as usize)
                    .map(Piece::Owned),
            };
            let base = logical + at;
            match read {
                Ok(piece) => self.carve(
                    carver,
                    piece.bytes(),
                    base,
                    owned as usize,
                    ctx,
                    settings,
                    progress,
                ),
                Err(err) => self
                    .problems
                    .push(format!("bytes {base}..{} unreadable: {err}", base + owned)),
            }
            at += owned;
        }
    }

    /// Carves the part of `blob` (whose first byte is at `base`) that starts before `owned`.
    #[allow(clippy::too_many_arguments)]
    fn carve(
        &mut self,
        carver: &Carver,
        blob: &[u8],
        base: u64,
        owned: usize,
        ctx: &CarveContext<'_>,
        settings: &Settings,
        progress: &Progress,
    ) {
        let mut scan = carver.scan(blob, 0, owned, settings.carve_chunk, &|bytes| {
            progress.advance_bytes(bytes as u64);
        });
        self.account.bytes += owned.min(blob.len()) as u64;
        self.account.evtx_chunks += scan.signatures.len() as u64 + scan.signatures_dropped;
        self.account.evtx_chunks_not_read += scan.signatures_dropped;
        // Chunks: a signature inside a chunk already taken is part of it; a header that is
        // not a chunk header is no chunk; copies are read once.
        let mut taken: Vec<(u64, usize, usize)> = Vec::new();
        let mut covered = 0usize;
        for &(_, at) in &scan.signatures {
            let Ok(start) = usize::try_from(at) else {
                continue;
            };
            if start < covered {
                self.account.evtx_chunks_unreadable += 1;
                continue;
            }
            let Some(used) = blob.get(start..).and_then(evtx_chunks::used_len) else {
                self.account.evtx_chunks_unreadable += 1;
                continue;
            };
            covered = start + used;
            if self.chunks_seen.len() + taken.len() >= MAX_CHUNKS {
                self.account.evtx_chunks_not_read += 1;
                continue;
            }
            taken.push((
                base + at,
                start,
                (start + evtx_chunks::EVTX_CHUNK_SIZE).min(blob.len()),
            ));
        }
        let digests: Vec<String> = taken
            .par_iter()
            .map(|&(_, start, end)| {
                let used = blob
                    .get(start..end)
                    .and_then(evtx_chunks::used_len)
                    .unwrap_or(0);
                sha256_hex(blob.get(start..start + used).unwrap_or_default())
            })
            .collect();
        let unique: Vec<(u64, usize, usize)> = taken
            .into_iter()
            .zip(digests)
            .filter_map(|(chunk, digest)| {
                if self.chunks_seen.insert(digest) {
                    Some(chunk)
                } else {
                    self.account.evtx_chunks_duplicate += 1;
                    None
                }
            })
            .collect();
        let profile = &settings.profile.profile;
        let log_ctx = LogContext {
            evidence: ctx.evidence,
            source_path: ctx.source_path,
        };
        let deadline = &self.deadline;
        let carved: Vec<ChunkRead> = unique
            .par_iter()
            .map(|&(offset, start, end)| {
                if deadline.passed() {
                    return ChunkRead::NotRead;
                }
                // One carved chunk's panic costs that chunk, not the dump's other rows.
                let read = crate::guard::catch(|| {
                    let log = evtx_chunks::as_log(blob.get(start..end)?);
                    let (scan, outcome) =
                        check_event_log(&log, &log_ctx, profile, deadline).ok()?;
                    if scan.stats.records_read == 0 {
                        return None;
                    }
                    let mut rows = outcome.events;
                    for row in &mut rows {
                        row.offset = Some(offset);
                        row.tags.push(CARVED_TAG.to_owned());
                    }
                    Some(ChunkRead::Read {
                        records: scan.stats.records_read,
                        failed: scan.stats.records_failed,
                        rows,
                    })
                });
                read.ok().flatten().unwrap_or(ChunkRead::Unreadable)
            })
            .collect();
        for chunk in carved {
            match chunk {
                ChunkRead::NotRead => self.account.evtx_chunks_not_read += 1,
                // A signature followed by no readable record (an empty chunk, or its pages
                // overwritten), or a chunk whose reading panicked.
                ChunkRead::Unreadable => self.account.evtx_chunks_unreadable += 1,
                ChunkRead::Read {
                    records,
                    failed,
                    rows,
                } => {
                    self.account.evtx_records += records;
                    self.account.evtx_records_failed += failed;
                    self.events.extend(rows);
                }
            }
        }
        for string in &mut scan.strings {
            for offset in &mut string.offsets {
                *offset += base;
            }
        }
        scan.signatures.clear();
        self.scans.push(scan);
    }

    /// The artifact's outcome: string rows over all pieces, chunk rows, the account.
    fn finish(
        mut self,
        mut record: ArtifactRecord,
        ctx: &CarveContext<'_>,
        settings: &Settings,
    ) -> Outcome {
        // Strings of all pieces, grouped again (a string may recur in several pieces).
        let bounds = bounds(settings);
        let mut groups = StringGroups::default();
        let (mut hits, mut over) = (0, 0);
        for scan in self.scans {
            hits += scan.hits;
            over += scan.hits_dropped;
            for string in scan.strings {
                groups.add(string, &bounds);
            }
        }
        over += groups.over_bound();
        let strings = groups.into_strings();
        let (rows, stats) =
            memory::string_events(&settings.profile.profile, ctx, &strings, hits, over);
        self.account.strings = stats;
        self.events.extend(rows);
        record.format = record.format.or(Some("memory"));
        if ctx.what == HIBERNATION_FILE {
            self.problems.insert(
                0,
                "hibernation files are mostly compressed: only what lies uncompressed is carved"
                    .to_owned(),
            );
        }
        record.status = Status::Analyzed;
        record.findings = self.events.iter().filter(|e| e.is_finding()).count();
        if !self.problems.is_empty() {
            let problems = self.problems.join("; ");
            record.reason = Some(match record.reason.take() {
                Some(reason) => format!("{reason}; {problems}"),
                None => problems,
            });
        }
        record.carve = Some(self.account);
        Outcome {
            record,
            events: self.events,
        }
    }
}
