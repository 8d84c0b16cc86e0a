//! Carving event-log chunks: the `ElfChnk\0` signature the carver looks for in the same pass as
//! its strings, and each chunk found wrapped as a one-chunk log, so that the EVTX stage reads it
//! exactly as it reads a log file.

/// The signature that starts every 64 KiB EVTX chunk.
pub const CHUNK_SIGNATURE: &[u8] = b"ElfChnk\0";
/// Size of an EVTX chunk.
pub const EVTX_CHUNK_SIZE: usize = 65_536;
/// Size of an EVTX file header block.
const FILE_HEADER_SIZE: usize = 4096;

/// How many bytes of the chunk starting `chunk` are in use (its free-space offset), when its
/// header is a chunk header: the signature, a header size of 128 and a free-space offset between
/// the end of the header block and the end of the chunk. `None` for a signature that starts no
/// chunk.
pub fn used_len(chunk: &[u8]) -> Option<usize> {
    let field = |at: usize| -> Option<u32> {
        Some(u32::from_le_bytes(chunk.get(at..at + 4)?.try_into().ok()?))
    };
    if !chunk.starts_with(CHUNK_SIGNATURE) || field(0x28)? != 128 {
        return None;
    }
    let free = usize::try_from(field(0x30)?).ok()?;
    (512..=EVTX_CHUNK_SIZE).contains(&free).then_some(free)
}

/// A one-chunk EVTX log holding `chunk` (the bytes from a chunk signature, at most 64 KiB; a
/// chunk cut short by the end of the blob is kept as far as it goes).
pub fn as_log(chunk: &[u8]) -> Vec<u8> {
    let chunk = chunk.get(..EVTX_CHUNK_SIZE).unwrap_or(chunk);
    // Signature; first and last chunk numbers 0; next record id unknown (0); header size 128;
    // version 3.1; header block size; one chunk.
    let mut log = Vec::with_capacity(FILE_HEADER_SIZE + chunk.len());
    log.extend_from_slice(b"ElfFile\0");
    log.resize(32, 0);
    log.extend_from_slice(&128u32.to_le_bytes());
    log.extend_from_slice(&1u16.to_le_bytes());
    log.extend_from_slice(&3u16.to_le_bytes());
    log.extend_from_slice(&(FILE_HEADER_SIZE as u16).to_le_bytes());
    log.extend_from_slice(&1u16.to_le_bytes());
    log.resize(FILE_HEADER_SIZE, 0);
    log.extend_from_slice(chunk);
    log
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::indexing_slicing)]
    fn a_chunk_becomes_a_one_chunk_log() {
        let mut chunk = CHUNK_SIGNATURE.to_vec();
        chunk.resize(100, 0);
        assert_eq!(used_len(&chunk), None);
        chunk[0x28] = 128;
        chunk[0x30..0x34].copy_from_slice(&4000u32.to_le_bytes());
        assert_eq!(used_len(&chunk), Some(4000));
        let log = as_log(&chunk);
        assert_eq!(log.len(), FILE_HEADER_SIZE + 100);
        assert!(log.starts_with(b"ElfFile\0"));
        assert_eq!(&log[42..44], &1u16.to_le_bytes());
        assert_eq!(
            &log[FILE_HEADER_SIZE..FILE_HEADER_SIZE + 8],
            CHUNK_SIGNATURE
        );
    }
}
