//! Windows event logs (EVTX): the records a profile asks for, as [`EventRecord`]s.
//!
//! The file is read in place from the memory map, in segments of chunks that rayon parses in
//! parallel, each through its own single-threaded evtx parser (see `reader`): the crate's threads
//! never run inside our pool, where they would deadlock. Every chunk slot is read, also those past
//! the header's chunk count (logs not closed cleanly under-count); a damaged chunk or record costs
//! only itself; a chunk cut short at the end of the file is read as far as it goes.
//!
//! The [`Selection`] decides from a record's channel and event ID (and, for high-volume events,
//! substring tests) whether it is wanted, before anything expensive is built. Once the first
//! records of a template have been rendered, the event ID and channel of later records of that
//! template are read straight from their substitution values (`template_facts`, `raw_instance`)
//! and the substring tests run over their raw UTF-16 bytes, so unwanted records are never
//! rendered at all. Wanted records are rendered by the crate as compact XML, decoded into
//! [`EventRecord`]s, and keep their XML for the timeline. Counts of chunks and records read and
//! failed make the account the manifest gives per file.

mod raw_instance;
mod reader;
mod template_facts;
pub mod typed;
mod xml;

use std::collections::HashSet;
use std::sync::Arc;

use ::evtx::{EvtxFileHeader, ParserSettings};
use aho_corasick::AhoCorasick;
use rayon::prelude::*;
use serde::Serialize;

use super::{FormatError, Problem};
use crate::time::Timestamp;

/// Size of the file header block.
const FILE_HEADER_SIZE: usize = 4096;

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
    /// When set, only records whose header numbers one of these (checked before anything is
    /// rendered).
    records: Option<Arc<HashSet<u64>>>,
    /// When reading must stop (looked at between records).
    deadline: super::Deadline,
    /// Most records kept ([`MAX_KEPT_RECORDS`] when unset).
    max_kept: Option<usize>,
}

#[derive(Clone, Debug)]
struct Wanted {
    channel: String,
    /// The channel as UTF-16LE.
    channel_utf16: Vec<u8>,
    event_ids: Vec<u32>,
    /// Over the rendered XML.
    mentions: Vec<AhoCorasick>,
    /// The same strings as UTF-16LE, folded (see [`fold`]), over a record's folded raw bytes.
    mentions_utf16: Vec<RawMentions>,
}

impl Selection {
    /// Adds records of `channel` (compared case-insensitively) with one of `event_ids` whose
    /// rendered text holds a string of each group of `mentions` (no group: every such record).
    pub fn want(mut self, channel: &str, event_ids: &[u32], mentions: &[&[String]]) -> Selection {
        let automaton = |patterns: Vec<Vec<u8>>| {
            AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(patterns)
                .ok()
        };
        let groups = mentions.iter().filter(|group| !group.is_empty());
        let mentions = groups
            .clone()
            .filter_map(|group| automaton(group.iter().map(|m| m.as_bytes().to_vec()).collect()))
            .collect();
        let mentions_utf16 = groups
            .filter_map(|group| {
                let patterns: Vec<Vec<u8>> = group
                    .iter()
                    .map(|m| {
                        fold(
                            &m.encode_utf16()
                                .flat_map(u16::to_le_bytes)
                                .collect::<Vec<_>>(),
                        )
                    })
                    .collect();
                // Case-sensitive over folded bytes, so that the SIMD (Teddy) searcher applies.
                RawMentions::new(patterns)
            })
            .collect();
        self.wanted.push(Wanted {
            channel_utf16: channel.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            channel: channel.to_ascii_lowercase(),
            event_ids: event_ids.to_vec(),
            mentions,
            mentions_utf16,
        });
        self
    }

    /// Narrows the selection to the records whose header numbers one of `record_ids` (a second
    /// read that decodes only records a first read chose).
    pub fn only_records(mut self, record_ids: HashSet<u64>) -> Selection {
        self.records = Some(Arc::new(record_ids));
        self
    }

    /// Keeps at most `max` records (the first in file order); the default is
    /// [`MAX_KEPT_RECORDS`].
    pub fn with_record_bound(mut self, max: usize) -> Selection {
        self.max_kept = Some(max);
        self
    }

    /// Stops reading at `deadline` (the artifact's time bound): the records after it are not
    /// read, and a problem says so.
    pub fn with_deadline(mut self, deadline: super::Deadline) -> Selection {
        self.deadline = deadline;
        self
    }

    /// Whether a record numbered `record_id` in its header may be wanted.
    fn admits_record(&self, record_id: u64) -> bool {
        self.records
            .as_ref()
            .is_none_or(|ids| ids.contains(&record_id))
    }

    /// Whether a record whose channel is `channel_utf16` (UTF-16LE), whose event ID is
    /// `event_id` and whose raw BinXML is `raw` is wanted (the mentions are looked for as folded
    /// UTF-16LE; `scratch` holds the folded bytes).
    fn accepts_raw(
        &self,
        channel_utf16: &[u8],
        event_id: u32,
        raw: &[u8],
        scratch: &mut Vec<u8>,
    ) -> bool {
        let mut folded = false;
        self.wanted.iter().any(|w| {
            if !(w.channel_utf16.eq_ignore_ascii_case(channel_utf16)
                && w.event_ids.contains(&event_id))
            {
                return false;
            }
            if !folded {
                fold_into(raw, scratch);
                folded = true;
            }
            w.mentions_utf16.iter().all(|m| m.is_match(scratch))
        })
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

/// `bytes` with bit 0x20 set in every byte: ASCII letters become lower case, in UTF-16LE text
/// as in ASCII. Other bytes change too (`\` becomes `|`, NUL a space), identically in the
/// patterns and the text, so a folded match is a superset of a case-insensitive one: a prefilter
/// that can only err towards rendering a record.
fn fold(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    fold_into(bytes, &mut out);
    out
}

/// [`fold`] into a reused buffer.
fn fold_into(bytes: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.extend(bytes.iter().map(|b| b | 0x20));
}

/// A multi-string searcher over folded UTF-16LE bytes: aho-corasick's packed SIMD searcher
/// where the CPU has it, its automaton elsewhere.
#[derive(Clone, Debug)]
enum RawMentions {
    Packed(aho_corasick::packed::Searcher),
    Automaton(AhoCorasick),
}

impl RawMentions {
    fn new(patterns: Vec<Vec<u8>>) -> Option<RawMentions> {
        let mut builder = aho_corasick::packed::Config::new().builder();
        builder.extend(&patterns);
        match builder.build() {
            Some(searcher) => Some(RawMentions::Packed(searcher)),
            None => AhoCorasick::new(patterns).ok().map(RawMentions::Automaton),
        }
    }

    fn is_match(&self, haystack: &[u8]) -> bool {
        match self {
            RawMentions::Packed(searcher) => searcher.find(haystack).is_some(),
            RawMentions::Automaton(automaton) => automaton.is_match(haystack),
        }
    }
}

/// What reading one log gave, besides its records.
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq, Serialize)]
pub struct EvtxStats {
    /// Chunk slots in the file (including empty ones and a short last one).
    pub chunks: u64,
    /// Chunks that could not be read at all (bad signature, unreadable header or tables).
    pub chunks_failed: u64,
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
    /// Selected records past the bound on records kept per read ([`MAX_KEPT_RECORDS`]): read
    /// and counted, not kept (a problem says so).
    #[serde(skip_serializing_if = "is_zero")]
    pub records_not_kept: u64,
}

fn is_zero(value: &u64) -> bool {
    *value == 0
}

/// Most records one read keeps (a bound on memory: a hostile log can match a selection with
/// every record). Far above what real logs give the checks (thousands); past it, records are
/// read and counted but dropped, the first ones in file order kept.
pub const MAX_KEPT_RECORDS: usize = 200_000;

/// Segments read in parallel before the kept records are counted against the bound: the
/// memory one batch can hold past the bound.
const SEGMENTS_PER_BATCH: usize = 16;

/// A whole log read.
#[derive(Clone, Debug, Default)]
pub struct EvtxScan {
    /// Wanted records, by segment of chunks (the event-log checks sort them by record number).
    pub records: Vec<EventRecord>,
    /// Counts.
    pub stats: EvtxStats,
    /// What could not be read.
    pub problems: Vec<Problem>,
    /// Whether the header says the log was not closed cleanly.
    pub dirty: bool,
}

/// Reads the log in `bytes`, keeping the records `selection` wants.
pub fn scan(bytes: &[u8], selection: &Selection) -> Result<EvtxScan, FormatError> {
    let (records, mut scan) = scan_map(bytes, selection, &Some)?;
    scan.records = records;
    Ok(scan)
}

/// Reads the log in `bytes` like [`scan`], turning each record `selection` wants into what
/// `keep` makes of it as soon as it is decoded (`None`: dropped), so that a read of many records
/// need not hold their XML. The returned scan has no records of its own.
pub fn scan_map<T: Send>(
    bytes: &[u8],
    selection: &Selection,
    keep: &(dyn Fn(EventRecord) -> Option<T> + Sync),
) -> Result<(Vec<T>, EvtxScan), FormatError> {
    let header = bytes
        .get(..FILE_HEADER_SIZE.min(bytes.len()))
        .ok_or_else(|| unreadable("file is empty"))?;
    if !header.starts_with(b"ElfFile\0") {
        return Err(unreadable("no ElfFile signature"));
    }
    let file_header = EvtxFileHeader::from_bytes(header)
        .map_err(|err| unreadable(&format!("file header: {err}")))?;
    let body = bytes.get(FILE_HEADER_SIZE..).unwrap_or_default();
    let plan = reader::plan(body, u64::from(file_header.chunk_count));
    let settings = ParserSettings::new().num_threads(1).indent(false);
    let selection = Arc::new(selection.clone());
    let bound = selection.max_kept.unwrap_or(MAX_KEPT_RECORDS);
    let mut scan = EvtxScan {
        dirty: file_header.flags.contains(::evtx::HeaderFlags::DIRTY),
        stats: plan.stats,
        problems: plan.problems,
        ..EvtxScan::default()
    };
    let mut records = Vec::new();
    // Batches of segments in file order, so that the records kept under the bound are the
    // first ones whatever the thread count.
    for batch in plan.segments.chunks(SEGMENTS_PER_BATCH) {
        let parts: Vec<reader::SegmentScan<T>> = batch
            .par_iter()
            .map(|segment| reader::scan_segment(header, body, segment, &settings, &selection, keep))
            .collect();
        for part in parts {
            add_stats(&mut scan.stats, &part.stats);
            let room = bound.saturating_sub(records.len());
            scan.stats.records_not_kept += part.records.len().saturating_sub(room) as u64;
            records.extend(part.records.into_iter().take(room));
            scan.problems.extend(part.problems);
        }
    }
    if scan.stats.records_not_kept > 0 {
        scan.problems.push(Problem {
            part: None,
            message: format!(
                "{} selected records past the bound of {bound} records kept per log were \
                 counted, not checked",
                scan.stats.records_not_kept
            ),
            incomplete: true,
        });
    }
    Ok((records, scan))
}

fn unreadable(detail: &str) -> FormatError {
    FormatError::Unreadable {
        what: "EVTX log",
        detail: detail.to_owned(),
    }
}

fn add_stats(total: &mut EvtxStats, part: &EvtxStats) {
    total.chunks_failed += part.chunks_failed;
    total.records_read += part.records_read;
    total.records_failed += part.records_failed;
    total.records_selected += part.records_selected;
}

#[cfg(test)]
mod tests;
