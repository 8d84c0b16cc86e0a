//! The memory path of the pipeline: carve a memory dump, paging file or hibernation file for the
//! profile's strings and for event-log chunks, and run the event-log checks on the records of
//! every chunk found.

use std::borrow::Cow;
use std::collections::HashMap;

use super::{Outcome, Settings, check_event_log, finish};
use crate::artifact::Status;
use crate::detect::eventlog::LogContext;
use crate::detect::memory::{self, CARVED_TAG, CarveContext};
use crate::detect::timeline::{Event, desc};
use crate::digest::sha256_hex;
use crate::evidence::Entry;
use crate::evidence::image::ntfs::NtfsVolume;
use crate::formats::carve::{Carver, StringHit, evtx_chunks};
use crate::output::manifest::{ArtifactRecord, CarveAccount};
use crate::time::Timestamp;
use rayon::prelude::*;

use super::progress::Progress;

/// Carves `blob` (the bytes of `entry`); `record` already names the artifact.
pub(super) fn analyze(
    mut record: ArtifactRecord,
    entry: &Entry,
    blob: &[u8],
    label: &str,
    settings: &Settings,
    progress: &Progress,
) -> Outcome {
    let what = match entry.file_name().to_ascii_lowercase().as_str() {
        "pagefile.sys" | "swapfile.sys" => "paging file",
        "hiberfil.sys" => "hibernation file",
        _ => "memory dump",
    };
    let acquired = acquisition(settings, entry);
    let ctx = CarveContext {
        evidence: label,
        source_path: &entry.source_path,
        what,
        acquired,
    };
    match carve(blob, &ctx, settings, progress) {
        Ok((events, account)) => {
            record.format = Some("memory");
            record.status = Status::Analyzed;
            record.findings = events.iter().filter(|e| e.is_finding()).count();
            if what == "hibernation file" {
                record.reason = Some(
                    "hibernation files are mostly compressed: only what lies uncompressed is carved"
                        .to_owned(),
                );
            }
            record.carve = Some(account);
            Outcome { record, events }
        }
        Err(reason) => finish(record, Status::Failed, reason),
    }
}

/// The time carved strings are placed at: `--acquired-at`, else the dump's modification time.
fn acquisition(settings: &Settings, entry: &Entry) -> (Timestamp, &'static str) {
    match (settings.acquired_at, entry.times.modified) {
        (Some(at), _) => (at, desc::ACQUISITION),
        (None, Some(modified)) => (modified, desc::ACQUISITION_FILE_TIME),
        (None, None) => (Timestamp::UNIX_EPOCH, desc::NOT_A_TIME),
    }
}

/// The unallocated clusters of an NTFS volume (`entry.unallocated`), carved like memory: read
/// range by range (borrowed from a raw image's map, copied in pieces out of an E01).
pub(super) fn analyze_unallocated(
    mut record: ArtifactRecord,
    entry: &Entry,
    volume: &NtfsVolume,
    label: &str,
    settings: &Settings,
    progress: &Progress,
) -> Outcome {
    let ctx = CarveContext {
        evidence: label,
        source_path: &entry.source_path,
        what: "unallocated clusters",
        acquired: acquisition(settings, entry),
    };
    let ranges = volume.free_ranges();
    let pieces = ranges.iter().flat_map(|&(offset, len)| {
        (0..len.div_ceil(READ_PIECE)).map(move |i| {
            let at = offset + i * READ_PIECE;
            (at, (len - i * READ_PIECE).min(READ_PIECE))
        })
    });
    let read = pieces.map(|(at, len)| {
        let base = volume.offset() + at;
        match volume.disk().mapped(base, len) {
            Some((map, start)) => Ok((base, Cow::Owned(Vec::new()), Some((map, start, len)))),
            None => usize::try_from(len)
                .map_err(|_| "piece too large".to_owned())
                .and_then(|len| volume.disk().read_vec(base, len).map_err(|e| e.to_string()))
                .map(|bytes| (base, Cow::Owned(bytes), None)),
        }
    });
    let mut events = Vec::new();
    let mut account = CarveAccount::default();
    let mut hits = Vec::new();
    for piece in read {
        let (base, owned, mapped) = match piece {
            Ok(piece) => piece,
            Err(reason) => return finish(record, Status::Failed, reason),
        };
        let bytes: &[u8] = match &mapped {
            Some((map, start, len)) => &map[*start..*start + *len as usize],
            None => &owned,
        };
        match carve_piece(bytes, base, &ctx, settings, &mut account, progress) {
            Ok((piece_hits, rows)) => {
                hits.extend(piece_hits);
                events.extend(rows);
            }
            Err(reason) => return finish(record, Status::Failed, reason),
        }
    }
    let (strings, stats) = memory::string_events(&settings.profile.profile, &ctx, &hits);
    account.strings = stats;
    events.extend(strings);
    record.format = Some("unallocated clusters");
    record.status = Status::Analyzed;
    record.size = account.bytes;
    record.findings = events.iter().filter(|e| e.is_finding()).count();
    record.carve = Some(account);
    Outcome { record, events }
}

/// Unallocated space is read and carved this many bytes at a time (a bound on memory for E01
/// images, where nothing can be borrowed).
const READ_PIECE: u64 = 64 << 20;

/// Carves `blob`: rows for the strings and for the records of the event-log chunks in it.
fn carve(
    blob: &[u8],
    ctx: &CarveContext<'_>,
    settings: &Settings,
    progress: &Progress,
) -> Result<(Vec<Event>, CarveAccount), String> {
    let mut account = CarveAccount::default();
    let (hits, mut events) = carve_piece(blob, 0, ctx, settings, &mut account, progress)?;
    let (strings, stats) = memory::string_events(&settings.profile.profile, ctx, &hits);
    account.strings = stats;
    events.extend(strings);
    Ok((events, account))
}

/// Carves one piece of bytes whose first byte is at `base`: its string hits (for the caller to
/// group across pieces) and the rows of the event-log chunks in it.
fn carve_piece(
    blob: &[u8],
    base: u64,
    ctx: &CarveContext<'_>,
    settings: &Settings,
    account: &mut CarveAccount,
    progress: &Progress,
) -> Result<(Vec<StringHit>, Vec<Event>), String> {
    let profile = &settings.profile.profile;
    let texts: Vec<&str> = profile
        .memory
        .indicators
        .iter()
        .map(|i| i.text.as_str())
        .collect();
    let carver = Carver::new(
        &texts,
        profile.memory.context_chars,
        &[evtx_chunks::CHUNK_SIGNATURE],
    )
    .map_err(|e| e.to_string())?;
    let scan = carver.scan(blob, 0, settings.carve_chunk, &|bytes| {
        progress.advance_bytes(bytes as u64);
    });
    account.bytes += blob.len() as u64;
    let hits: Vec<StringHit> = scan
        .hits
        .into_iter()
        .map(|hit| StringHit {
            offset: base + hit.offset,
            ..hit
        })
        .collect();

    // Event-log chunks: one copy of each distinct chunk is read.
    let offsets: Vec<u64> = scan.signatures.iter().map(|&(_, at)| at).collect();
    account.evtx_chunks += offsets.len() as u64;
    let mut first_copy: HashMap<String, u64> = HashMap::new();
    let mut unique = Vec::new();
    for offset in offsets {
        let Ok(start) = usize::try_from(offset) else {
            continue;
        };
        let end = (start + evtx_chunks::EVTX_CHUNK_SIZE).min(blob.len());
        let digest = sha256_hex(&blob[start..end]);
        if first_copy.insert(digest, offset).is_some() {
            account.evtx_chunks_duplicate += 1;
        } else {
            unique.push((base + offset, start, end));
        }
    }
    let log_ctx = LogContext {
        evidence: ctx.evidence,
        source_path: ctx.source_path,
    };
    let carved: Vec<Option<(u64, u64, Vec<Event>)>> = unique
        .par_iter()
        .map(|&(offset, start, end)| {
            let log = evtx_chunks::as_log(&blob[start..end]);
            let (scan, outcome) = check_event_log(&log, &log_ctx, profile).ok()?;
            if scan.stats.records_read == 0 {
                return None;
            }
            let mut rows = outcome.events;
            for row in &mut rows {
                row.offset = Some(offset);
                row.tags.push(CARVED_TAG.to_owned());
            }
            Some((scan.stats.records_read, scan.stats.records_failed, rows))
        })
        .collect();
    let mut events = Vec::new();
    for chunk in carved {
        let Some((read, failed, rows)) = chunk else {
            // A signature followed by no readable record (a false hit, an empty chunk, or the
            // chunk's pages overwritten).
            account.evtx_chunks_unreadable += 1;
            continue;
        };
        account.evtx_records += read;
        account.evtx_records_failed += failed;
        events.extend(rows);
    }
    Ok((hits, events))
}
