//! Carving event-log chunks: every `ElfChnk\0` header in a blob, and each chunk wrapped as a
//! one-chunk log so that the EVTX stage reads it exactly as it reads a log file.

use memchr::memmem;
use rayon::prelude::*;

use super::chunks;

/// The signature that starts every 64 KiB EVTX chunk.
const CHUNK_SIGNATURE: &[u8] = b"ElfChnk\0";
/// Size of an EVTX chunk.
pub const EVTX_CHUNK_SIZE: usize = 65_536;
/// Size of an EVTX file header block.
const FILE_HEADER_SIZE: usize = 4096;

/// Offsets (plus `base`) of every chunk signature in `blob`, searched in `chunk`-byte pieces in
/// parallel.
pub fn find(blob: &[u8], base: u64, chunk: usize) -> Vec<u64> {
    let pieces: Vec<(usize, usize)> = chunks(blob.len(), chunk).collect();
    let finder = memmem::Finder::new(CHUNK_SIGNATURE);
    pieces
        .par_iter()
        .flat_map_iter(|&(start, end)| {
            let stop = (end + CHUNK_SIGNATURE.len() - 1).min(blob.len());
            finder
                .find_iter(&blob[start..stop])
                .map(move |at| start + at)
                .filter(move |&at| at < end)
                .map(move |at| base + at as u64)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A one-chunk EVTX log holding `chunk` (the bytes from a chunk signature, at most 64 KiB; a
/// chunk cut short by the end of the blob is kept as far as it goes).
pub fn as_log(chunk: &[u8]) -> Vec<u8> {
    let chunk = &chunk[..chunk.len().min(EVTX_CHUNK_SIZE)];
    let mut log = vec![0u8; FILE_HEADER_SIZE];
    log[..8].copy_from_slice(b"ElfFile\0");
    // First and last chunk numbers 0, next record id unknown (0).
    log[32..36].copy_from_slice(&128u32.to_le_bytes()); // header size
    log[36..38].copy_from_slice(&1u16.to_le_bytes()); // minor version
    log[38..40].copy_from_slice(&3u16.to_le_bytes()); // major version
    log[40..42].copy_from_slice(&(FILE_HEADER_SIZE as u16).to_le_bytes());
    log[42..44].copy_from_slice(&1u16.to_le_bytes()); // one chunk
    log.extend_from_slice(chunk);
    log
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_across_piece_borders_are_found_once() {
        let mut blob = vec![0u8; 1000];
        for at in [0, 95, 500, 992] {
            blob[at..at + 8].copy_from_slice(CHUNK_SIGNATURE);
        }
        for piece in [1, 8, 97, 100, 4096] {
            assert_eq!(find(&blob, 7, piece), [7, 102, 507, 999], "piece {piece}");
        }
        let log = as_log(&blob[992..]);
        assert_eq!(log.len(), FILE_HEADER_SIZE + 8);
        assert!(log.starts_with(b"ElfFile\0"));
    }
}
