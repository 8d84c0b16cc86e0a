//! One 65536-byte EVTX chunk: its 512-byte header (record range, free space, CRC32s, string
//! and template tables) and the event records after it.
//!
//! Reference: libevtx, "Windows XML Event Log (EVTX) format", §3 Chunk and §4 Event record.

use std::io;

use super::EvtxEvent;
use super::binxml::{ChunkTables, encode_event};

/// Size of a chunk, in bytes.
pub const CHUNK_SIZE: usize = 65536;
/// Size of the chunk header including its string and template tables.
pub const CHUNK_HEADER_SIZE: usize = 512;
/// Size of an event record's header (magic, size, identifier, time).
const RECORD_HEADER_SIZE: usize = 24;

/// A chunk being filled with records.
#[derive(Clone, Debug)]
pub struct ChunkBuilder {
    data: Vec<u8>,
    /// Free space offset: where the next record goes.
    used: usize,
    tables: ChunkTables,
    /// (first, last) record identifiers.
    ids: Option<(u64, u64)>,
    last_record_offset: usize,
    records: u64,
}

impl Default for ChunkBuilder {
    fn default() -> Self {
        ChunkBuilder::new()
    }
}

impl ChunkBuilder {
    /// An empty chunk.
    pub fn new() -> Self {
        ChunkBuilder {
            data: vec![0; CHUNK_SIZE],
            used: CHUNK_HEADER_SIZE,
            tables: ChunkTables::default(),
            ids: None,
            last_record_offset: 0,
            records: 0,
        }
    }

    /// Number of records in the chunk.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Adds `event` as a record; `Ok(false)` when it does not fit (the chunk is unchanged).
    /// An event too large for an empty chunk is an error.
    pub fn try_push(&mut self, event: &EvtxEvent<'_>) -> io::Result<bool> {
        let start = self.used;
        let encoded = encode_event(event, (start + RECORD_HEADER_SIZE) as u32, &self.tables)?;
        let size = RECORD_HEADER_SIZE + encoded.bytes.len() + 4;
        if start + size > CHUNK_SIZE {
            if self.records == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("record {} of {size} bytes exceeds a chunk", event.record_id),
                ));
            }
            return Ok(false);
        }
        let size32 = (size as u32).to_le_bytes();
        let record = &mut self.data[start..start + size];
        record[..4].copy_from_slice(b"**\0\0");
        record[4..8].copy_from_slice(&size32);
        record[8..16].copy_from_slice(&event.record_id.to_le_bytes());
        record[16..24].copy_from_slice(&event.time.to_le_bytes());
        record[24..size - 4].copy_from_slice(&encoded.bytes);
        record[size - 4..].copy_from_slice(&size32);
        self.tables.commit(encoded, &mut self.data);
        self.ids = Some(match self.ids {
            Some((first, _)) => (first, event.record_id),
            None => (event.record_id, event.record_id),
        });
        self.last_record_offset = start;
        self.used = start + size;
        self.records += 1;
        Ok(true)
    }

    /// The finished chunk's bytes (header and CRC32s filled in); the builder is empty again.
    pub fn finish(&mut self) -> Vec<u8> {
        let (first, last) = self.ids.unwrap_or((0, 0));
        let mut data = std::mem::take(&mut self.data);
        let header = &mut data[..CHUNK_HEADER_SIZE];
        header[..8].copy_from_slice(b"ElfChnk\0");
        // Record numbers count records in the log; these logs number them like their ids.
        header[8..16].copy_from_slice(&first.to_le_bytes());
        header[16..24].copy_from_slice(&last.to_le_bytes());
        header[24..32].copy_from_slice(&first.to_le_bytes());
        header[32..40].copy_from_slice(&last.to_le_bytes());
        header[40..44].copy_from_slice(&128u32.to_le_bytes());
        header[44..48].copy_from_slice(&(self.last_record_offset as u32).to_le_bytes());
        header[48..52].copy_from_slice(&(self.used as u32).to_le_bytes());
        header[120..124].copy_from_slice(&0u32.to_le_bytes()); // flags
        for (i, offset) in self.tables.string_heads.iter().enumerate() {
            header[128 + 4 * i..132 + 4 * i].copy_from_slice(&offset.to_le_bytes());
        }
        for (i, offset) in self.tables.template_heads.iter().enumerate() {
            header[384 + 4 * i..388 + 4 * i].copy_from_slice(&offset.to_le_bytes());
        }
        let events_crc = crc32fast::hash(&data[CHUNK_HEADER_SIZE..self.used]);
        data[52..56].copy_from_slice(&events_crc.to_le_bytes());
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(&data[..120]);
        hasher.update(&data[128..CHUNK_HEADER_SIZE]);
        data[124..128].copy_from_slice(&hasher.finalize().to_le_bytes());
        *self = ChunkBuilder::new();
        data
    }
}
