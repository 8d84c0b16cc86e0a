//! Windows event logs (EVTX): the records a profile asks for, as [`EventRecord`]s.
//!
//! The file is read in place: its 64 KiB chunks are cut from the memory map and parsed on rayon,
//! each on its own, with the evtx crate's chunk API (`EvtxChunkData`). The crate's own parser is
//! not used because with more than one thread inside a rayon task of the same pool it deadlocks,
//! and because reading chunks ourselves lets a damaged chunk cost only itself. Every chunk slot of
//! the file is read, also those past the header's chunk count (logs not closed cleanly
//! under-count), and a chunk cut short at the end of the file is read as far as it goes.
//!
//! Each record is rendered by the crate as compact XML (its cheapest rendering through the chunk
//! API); the [`Selection`] decides from the channel and event ID (and, for high-volume events,
//! substring tests on the rendered text) whether the record is wanted, before anything else is
//! built. Only wanted records are decoded into [`EventRecord`]s; their XML is kept for the
//! timeline. Counts of chunks and records read and
//! failed make the account the manifest gives per file.

pub mod typed;
mod xml;

use std::sync::Arc;

use ::evtx::{EvtxChunkData, EvtxFileHeader, ParserSettings};
use aho_corasick::AhoCorasick;
use rayon::prelude::*;
use serde::Serialize;

use super::{FormatError, Problem};
use crate::time::Timestamp;

/// Size of the file header block.
const FILE_HEADER_SIZE: usize = 4096;
/// Size of one chunk.
const CHUNK_SIZE: usize = 65536;
/// Size of a chunk's header (records start after it).
const CHUNK_HEADER_SIZE: usize = 512;
/// The chunk signature.
const CHUNK_MAGIC: &[u8; 8] = b"ElfChnk\0";

/// One event record the selection kept, decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRecord {
    /// `EventRecordID` (the record header's number when the XML has none).
    pub record_id: u64,
    /// When the record was written (`TimeCreated`, else the record header's time); `None` when
    /// neither is a valid time.
    pub timestamp: Option<Timestamp>,
    /// `Provider/@Name`.
    pub provider: String,
    /// `Channel`.
    pub channel: String,
    /// `EventID`.
    pub event_id: u32,
    /// `Version` (0 when absent).
    pub version: u32,
    /// `Computer`.
    pub computer: String,
    /// `Security/@UserID`, where present.
    pub user_sid: Option<String>,
    /// `EventData` (or `UserData`) items in order: name (none for unnamed `<Data>`) and text.
    pub data: Vec<(Option<String>, String)>,
    /// The record as XML, as the evtx crate renders it.
    pub xml: String,
    /// The chunk's number in the file (provenance).
    pub chunk: u64,
    /// Whether the record came from a chunk cut short at the end of the file.
    pub from_truncated_chunk: bool,
}

impl EventRecord {
    /// The text of the named `EventData` item.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.data
            .iter()
            .find(|(n, _)| n.as_deref() == Some(name))
            .map(|(_, v)| v.as_str())
    }

    /// The text of the named item, when present and not empty or `-`.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty() && *v != "-")
    }

    /// The unnamed `<Data>` items, in order.
    pub fn unnamed(&self) -> impl Iterator<Item = &str> {
        self.data
            .iter()
            .filter(|(n, _)| n.is_none())
            .map(|(_, v)| v.as_str())
    }
}

/// Which records to decode: (channel, event IDs) pairs, each optionally narrowed to records
/// whose rendered text mentions, for every group of strings given, one string of the group
/// (ASCII case-insensitive).
#[derive(Clone, Debug, Default)]
pub struct Selection {
    wanted: Vec<Wanted>,
}

#[derive(Clone, Debug)]
struct Wanted {
    channel: String,
    event_ids: Vec<u32>,
    mentions: Vec<AhoCorasick>,
}

impl Selection {
    /// Adds records of `channel` (compared case-insensitively) with one of `event_ids` whose
    /// rendered text holds a string of each group of `mentions` (no group: every such record).
    pub fn want(mut self, channel: &str, event_ids: &[u32], mentions: &[&[String]]) -> Selection {
        let mentions = mentions
            .iter()
            .filter(|group| !group.is_empty())
            .filter_map(|group| {
                AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .build(group.iter())
                    .ok()
            })
            .collect();
        self.wanted.push(Wanted {
            channel: channel.to_ascii_lowercase(),
            event_ids: event_ids.to_vec(),
            mentions,
        });
        self
    }

    /// Whether a record of `channel` and `event_id`, rendered as `text`, is wanted.
    fn accepts(&self, channel: &str, event_id: u32, text: &[u8]) -> bool {
        self.wanted.iter().any(|w| {
            w.channel.eq_ignore_ascii_case(channel)
                && w.event_ids.contains(&event_id)
                && w.mentions.iter().all(|m| m.is_match(text))
        })
    }
}

/// What reading one log gave, besides its records.
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq, Serialize)]
pub struct EvtxStats {
    /// Chunk slots in the file (including empty ones and a short last one).
    pub chunks: u64,
    /// Chunks that could not be read at all (bad signature, unreadable header or tables).
    pub chunks_failed: u64,
    /// Chunks whose stored CRC32 does not match their content (read anyway).
    pub chunks_bad_checksum: u64,
    /// Chunk slots past the file header's chunk count that held a chunk (read too).
    pub chunks_past_header_count: u64,
    /// Chunk slots past the header's count and after the last chunk, without a chunk signature
    /// (space not used yet).
    pub chunks_unused: u64,
    /// Records read.
    pub records_read: u64,
    /// Records that could not be read.
    pub records_failed: u64,
    /// Records the selection kept.
    pub records_selected: u64,
}

/// A whole log read.
#[derive(Clone, Debug, Default)]
pub struct EvtxScan {
    /// Wanted records, in file order (chunk, then position).
    pub records: Vec<EventRecord>,
    /// Counts.
    pub stats: EvtxStats,
    /// What could not be read.
    pub problems: Vec<Problem>,
    /// Whether the header says the log was not closed cleanly.
    pub dirty: bool,
}

/// What one chunk gave.
#[derive(Default)]
struct ChunkScan {
    records: Vec<EventRecord>,
    stats: EvtxStats,
    problems: Vec<Problem>,
}

/// Reads the log in `bytes`, keeping the records `selection` wants.
pub fn scan(bytes: &[u8], selection: &Selection) -> Result<EvtxScan, FormatError> {
    let header = bytes
        .get(..FILE_HEADER_SIZE.min(bytes.len()))
        .ok_or_else(|| unreadable("file is empty"))?;
    if !header.starts_with(b"ElfFile\0") {
        return Err(unreadable("no ElfFile signature"));
    }
    let file_header = EvtxFileHeader::from_bytes(header)
        .map_err(|err| unreadable(&format!("file header: {err}")))?;
    let body = bytes.get(FILE_HEADER_SIZE..).unwrap_or_default();
    let slots = body.len().div_ceil(CHUNK_SIZE);
    let settings = Arc::new(ParserSettings::new().num_threads(1).indent(false));
    let header_count = u64::from(file_header.chunk_count);
    // The last slot holding a chunk: slots after it and past the header's count are space the
    // log has not used yet, not damage.
    let last_chunk = (0..slots).rev().find(|n| {
        body.get(n * CHUNK_SIZE..)
            .is_some_and(|rest| rest.starts_with(CHUNK_MAGIC))
    });
    let chunks: Vec<ChunkScan> = (0..slots)
        .into_par_iter()
        .map(|number| {
            let start = number * CHUNK_SIZE;
            let end = (start + CHUNK_SIZE).min(body.len());
            let data = body.get(start..end).unwrap_or_default();
            let past_count = number as u64 >= header_count;
            let after_last = last_chunk.is_none_or(|last| number > last);
            if past_count && after_last && !data.starts_with(CHUNK_MAGIC) {
                // Space the log has not (yet) used: Windows preallocates it and may leave old
                // disk contents there. Not a chunk, so not a damaged one.
                return ChunkScan {
                    stats: EvtxStats {
                        chunks: 1,
                        chunks_unused: 1,
                        ..EvtxStats::default()
                    },
                    ..ChunkScan::default()
                };
            }
            let mut scan = scan_chunk(number as u64, data, &settings, selection);
            if past_count && scan.stats.chunks_failed == 0 {
                scan.stats.chunks_past_header_count = 1;
            }
            scan
        })
        .collect();
    let mut scan = EvtxScan {
        dirty: file_header.flags.contains(::evtx::HeaderFlags::DIRTY),
        ..EvtxScan::default()
    };
    for chunk in chunks {
        add_stats(&mut scan.stats, &chunk.stats);
        scan.records.extend(chunk.records);
        scan.problems.extend(chunk.problems);
    }
    Ok(scan)
}

fn unreadable(detail: &str) -> FormatError {
    FormatError::Unreadable {
        what: "EVTX log",
        detail: detail.to_owned(),
    }
}

fn is_blank(data: &[u8]) -> bool {
    data.iter().all(|b| *b == 0)
}

fn add_stats(total: &mut EvtxStats, part: &EvtxStats) {
    total.chunks += part.chunks;
    total.chunks_failed += part.chunks_failed;
    total.chunks_bad_checksum += part.chunks_bad_checksum;
    total.chunks_past_header_count += part.chunks_past_header_count;
    total.chunks_unused += part.chunks_unused;
    total.records_read += part.records_read;
    total.records_failed += part.records_failed;
    total.records_selected += part.records_selected;
}

fn chunk_problem(number: u64, message: String, incomplete: bool) -> Problem {
    Problem {
        part: Some(format!(
            "chunk {number} (offset {:#x})",
            FILE_HEADER_SIZE as u64 + number * CHUNK_SIZE as u64
        )),
        message,
        incomplete,
    }
}

/// Reads one chunk slot: `data` is 64 KiB, or less for the last slot of a cut file.
fn scan_chunk(
    number: u64,
    data: &[u8],
    settings: &Arc<ParserSettings>,
    selection: &Selection,
) -> ChunkScan {
    let mut out = ChunkScan::default();
    out.stats.chunks = 1;
    if is_blank(data) {
        return out;
    }
    if !data.starts_with(CHUNK_MAGIC) {
        out.stats.chunks_failed = 1;
        out.problems.push(chunk_problem(
            number,
            "no ElfChnk signature: chunk not read".to_owned(),
            true,
        ));
        return out;
    }
    let truncated = data.len() < CHUNK_SIZE;
    if truncated && data.len() < CHUNK_HEADER_SIZE {
        out.stats.chunks_failed = 1;
        out.problems.push(chunk_problem(
            number,
            format!("chunk cut short at {} bytes: no records", data.len()),
            true,
        ));
        return out;
    }
    // The crate reads whole chunks: a short last chunk is padded with zeros, which end its
    // record walk where the file ends.
    let mut owned = Vec::with_capacity(CHUNK_SIZE);
    owned.extend_from_slice(data);
    owned.resize(CHUNK_SIZE, 0);
    let mut chunk_data = match EvtxChunkData::new(owned, false) {
        Ok(chunk) => chunk,
        Err(err) => {
            out.stats.chunks_failed = 1;
            out.problems
                .push(chunk_problem(number, format!("chunk header: {err}"), true));
            return out;
        }
    };
    if !truncated && !chunk_data.validate_checksum() {
        out.stats.chunks_bad_checksum = 1;
        out.problems.push(chunk_problem(
            number,
            "CRC32 does not match: records read anyway".to_owned(),
            false,
        ));
    }
    let mut chunk = match chunk_data.parse(Arc::clone(settings)) {
        Ok(chunk) => chunk,
        Err(err) => {
            out.stats.chunks_failed = 1;
            out.problems
                .push(chunk_problem(number, format!("chunk tables: {err}"), true));
            return out;
        }
    };
    if truncated {
        out.problems.push(chunk_problem(
            number,
            format!(
                "chunk cut short at {} of {CHUNK_SIZE} bytes: records after the cut are lost",
                data.len()
            ),
            true,
        ));
    }
    let mut failures = Vec::new();
    for record in chunk.iter() {
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                out.stats.records_failed += 1;
                failures.push(err.to_string());
                continue;
            }
        };
        let header_id = record.event_record_id;
        let header_time = Timestamp::from_unix_micros(record.timestamp.as_microsecond());
        let rendered = match record.into_xml_bytes() {
            Ok(rendered) => rendered.data,
            Err(err) => {
                out.stats.records_failed += 1;
                failures.push(err.to_string());
                continue;
            }
        };
        out.stats.records_read += 1;
        let Some((event_id, channel)) = xml::peek_system(&rendered) else {
            continue;
        };
        if !selection.accepts(channel, event_id, &rendered) {
            continue;
        }
        // The crate renders valid UTF-8; only kept records pay for the check.
        let rendered = String::from_utf8_lossy(&rendered).into_owned();
        match xml::decode(&rendered, header_id, header_time) {
            Some(mut event) => {
                out.stats.records_selected += 1;
                event.xml = rendered;
                event.chunk = number;
                event.from_truncated_chunk = truncated;
                out.records.push(event);
            }
            None => {
                out.stats.records_failed += 1;
                failures.push(format!(
                    "record {header_id}: rendered XML has no Event/System"
                ));
            }
        }
    }
    if let Some(first) = failures.first() {
        let more = failures.len() - 1;
        let message = if more == 0 {
            format!("1 record not read: {first}")
        } else {
            format!("{} records not read, first: {first}", failures.len())
        };
        out.problems.push(chunk_problem(number, message, true));
    }
    out
}
