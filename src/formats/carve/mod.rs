//! Carving: strings and event-log chunks found anywhere in a blob of bytes that has no file
//! structure to follow (a memory dump, a paging file, the unallocated clusters of a volume).
//!
//! The blob is cut into chunks scanned in parallel. Each chunk's search runs a little past its
//! end (the longest pattern less one byte), and a hit belongs to the chunk it starts in, so no
//! hit is lost or found twice at a border. What a hit keeps of its surroundings is read from
//! the whole blob, so borders do not cut strings either.

pub mod evtx_chunks;
mod strings;

pub use strings::{CarveBounds, CarveScan, CarvedString, Carver, StringGroups, TextEncoding};

/// The chunk size the carvers work in: large enough that the overlap costs nothing, small
/// enough that two cores share even a small dump.
pub const DEFAULT_CHUNK: usize = 8 << 20;

/// The chunks of `len` bytes: (start, end) pairs covering it.
pub(crate) fn chunks(len: usize, chunk: usize) -> impl Iterator<Item = (usize, usize)> {
    let chunk = chunk.max(1);
    (0..len.div_ceil(chunk)).map(move |i| (i * chunk, ((i + 1) * chunk).min(len)))
}
