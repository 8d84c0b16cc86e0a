//! The EVTX file: a 4096-byte file header followed by chunks, written in memory
//! ([`EvtxWriter`]) or streamed chunk by chunk to any writer ([`EvtxStreamWriter`]).
//!
//! Reference: libevtx, "Windows XML Event Log (EVTX) format", §2 File header.

use std::io::{self, Write};

use super::EvtxEvent;
use super::chunk::{CHUNK_SIZE, ChunkBuilder};

/// Size of the file header block, in bytes.
pub const FILE_HEADER_SIZE: usize = 4096;

/// The fields of the file header that vary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileHeader {
    /// Number of the oldest chunk.
    pub first_chunk: u64,
    /// Number of the newest chunk.
    pub last_chunk: u64,
    /// The identifier the next record would get.
    pub next_record_id: u64,
    /// Number of chunks the header declares.
    pub chunk_count: u16,
    /// File flags (0x1 dirty, 0x2 full).
    pub flags: u32,
}

impl FileHeader {
    /// The header that describes a written file accurately.
    pub fn describing(summary: &FileSummary) -> FileHeader {
        FileHeader {
            first_chunk: 0,
            last_chunk: summary.chunks.saturating_sub(1),
            next_record_id: summary.next_record_id,
            chunk_count: u16::try_from(summary.chunks).unwrap_or(u16::MAX),
            flags: 0,
        }
    }

    /// The 4096 header bytes, with the CRC32 of the first 120 at offset 124.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut h = vec![0u8; FILE_HEADER_SIZE];
        h[..8].copy_from_slice(b"ElfFile\0");
        h[8..16].copy_from_slice(&self.first_chunk.to_le_bytes());
        h[16..24].copy_from_slice(&self.last_chunk.to_le_bytes());
        h[24..32].copy_from_slice(&self.next_record_id.to_le_bytes());
        h[32..36].copy_from_slice(&128u32.to_le_bytes());
        h[36..38].copy_from_slice(&1u16.to_le_bytes()); // minor version
        h[38..40].copy_from_slice(&3u16.to_le_bytes()); // major version
        h[40..42].copy_from_slice(&(FILE_HEADER_SIZE as u16).to_le_bytes());
        h[42..44].copy_from_slice(&self.chunk_count.to_le_bytes());
        h[120..124].copy_from_slice(&self.flags.to_le_bytes());
        let crc = crc32fast::hash(&h[..120]);
        h[124..128].copy_from_slice(&crc.to_le_bytes());
        h
    }
}

/// What a writer wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileSummary {
    /// Records written.
    pub records: u64,
    /// Chunks written.
    pub chunks: u64,
    /// One past the highest record identifier written (1 when none was).
    pub next_record_id: u64,
    /// File size in bytes.
    pub bytes: u64,
}

/// Writes an EVTX file to `out` chunk by chunk: the header first (so its fields must be
/// known in advance, e.g. from a dry run into [`io::sink`]), then each chunk as it fills.
#[derive(Debug)]
pub struct EvtxStreamWriter<W: Write> {
    out: W,
    chunk: ChunkBuilder,
    summary: FileSummary,
}

impl<W: Write> EvtxStreamWriter<W> {
    /// Starts a file on `out`, writing `header` at once.
    pub fn new(mut out: W, header: &FileHeader) -> io::Result<Self> {
        out.write_all(&header.to_bytes())?;
        Ok(EvtxStreamWriter {
            out,
            chunk: ChunkBuilder::new(),
            summary: FileSummary {
                next_record_id: 1,
                bytes: FILE_HEADER_SIZE as u64,
                ..FileSummary::default()
            },
        })
    }

    /// Appends `event`, starting a new chunk when the current one is full.
    pub fn push(&mut self, event: &EvtxEvent<'_>) -> io::Result<&mut Self> {
        if !self.chunk.try_push(event)? {
            self.flush_chunk()?;
            self.chunk.try_push(event)?;
        }
        self.summary.records += 1;
        self.summary.next_record_id = self.summary.next_record_id.max(event.record_id + 1);
        Ok(self)
    }

    /// Ends the current chunk (if it holds records), so the next record starts a new one.
    pub fn end_chunk(&mut self) -> io::Result<&mut Self> {
        if self.chunk.records() > 0 {
            self.flush_chunk()?;
        }
        Ok(self)
    }

    fn flush_chunk(&mut self) -> io::Result<()> {
        self.out.write_all(&self.chunk.finish())?;
        self.summary.chunks += 1;
        self.summary.bytes += CHUNK_SIZE as u64;
        Ok(())
    }

    /// Writes the last chunk and returns the writer and what was written.
    pub fn finish(mut self) -> io::Result<(W, FileSummary)> {
        if self.chunk.records() > 0 {
            self.flush_chunk()?;
        }
        self.out.flush()?;
        Ok((self.out, self.summary))
    }
}

/// Builds an EVTX file in memory: `EvtxWriter::new().push(&a)?.push(&b)?.finish()`.
#[derive(Debug)]
pub struct EvtxWriter {
    inner: EvtxStreamWriter<Vec<u8>>,
    chunk_count: Option<u16>,
}

impl Default for EvtxWriter {
    fn default() -> Self {
        EvtxWriter::new()
    }
}

impl EvtxWriter {
    /// An empty log.
    pub fn new() -> Self {
        let inner = EvtxStreamWriter {
            out: vec![0; FILE_HEADER_SIZE],
            chunk: ChunkBuilder::new(),
            summary: FileSummary {
                next_record_id: 1,
                bytes: FILE_HEADER_SIZE as u64,
                ..FileSummary::default()
            },
        };
        EvtxWriter {
            inner,
            chunk_count: None,
        }
    }

    /// Makes the header declare `count` chunks whatever the file holds (dirty logs
    /// under-count).
    pub fn chunk_count(mut self, count: u16) -> Self {
        self.chunk_count = Some(count);
        self
    }

    /// Appends `event`, starting a new chunk when the current one is full.
    pub fn push(&mut self, event: &EvtxEvent<'_>) -> io::Result<&mut Self> {
        self.inner.push(event)?;
        Ok(self)
    }

    /// Ends the current chunk (if it holds records), so the next record starts a new one.
    pub fn end_chunk(&mut self) -> io::Result<&mut Self> {
        self.inner.end_chunk()?;
        Ok(self)
    }

    /// Appends every event of `events`.
    pub fn push_all<'a>(
        &mut self,
        events: impl IntoIterator<Item = EvtxEvent<'a>>,
    ) -> io::Result<&mut Self> {
        for event in events {
            self.inner.push(&event)?;
        }
        Ok(self)
    }

    /// The file's bytes; the writer is left empty.
    pub fn finish(&mut self) -> io::Result<Vec<u8>> {
        let (chunk_count, inner) = std::mem::take(self).into_parts();
        let (mut bytes, summary) = inner.finish()?;
        let mut header = FileHeader::describing(&summary);
        if let Some(count) = chunk_count {
            header.chunk_count = count;
        }
        bytes[..FILE_HEADER_SIZE].copy_from_slice(&header.to_bytes());
        Ok(bytes)
    }

    fn into_parts(self) -> (Option<u16>, EvtxStreamWriter<Vec<u8>>) {
        (self.chunk_count, self.inner)
    }
}
