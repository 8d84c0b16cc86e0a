//! New-format registry transaction logs (`.LOG1`/`.LOG2`, Windows 8.1+): writing one that
//! brings a stale primary file up to date, and replaying one (to check the writer).
//!
//! A log file is a partial base block (the first 512 bytes of the hive's base block, with
//! file type 6, both sequence numbers set to the log's first sequence number and the
//! checksum recomputed) followed, from offset 512, by log entries. A log entry:
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 4 | `HvLE` |
//! | 4 | 4 | size of the entry, a multiple of 512 |
//! | 8 | 4 | flags (0) |
//! | 12 | 4 | sequence number |
//! | 16 | 4 | hive bins data size after the entry |
//! | 20 | 4 | dirty page count |
//! | 24 | 8 | hash-1: Marvin32 of bytes 40..size |
//! | 32 | 8 | hash-2: Marvin32 of bytes 0..32 (hash-1 included) |
//! | 40 | 8 each | dirty page references: offset (from the first hive bin) and size |
//! | ... | | the pages, in reference order, then zero padding to the entry size |
//!
//! Replay applies the entries whose sequence number is at least the primary file's primary
//! sequence number, stopping at the first entry with a bad signature, size or hash.
//!
//! Reference: the registry file format specification, "New format" and "Dirty state of a
//! hive".

use super::marvin::{LOG_ENTRY_SEED, marvin32};
use super::{PAGE, seal_base_block};

/// Length of the partial base block at the start of a log (clustering factor 1).
pub const LOG_BASE_BLOCK: usize = 512;
/// The base block's file type of a new-format log.
pub const FILE_TYPE_LOG_NEW: u32 = 6;
/// Size of a log entry header.
const ENTRY_HEADER: usize = 40;

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

fn put_u32(bytes: &mut [u8], at: usize, v: u32) {
    bytes[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

/// The hive bins data of a hive file (after the base block; empty when too short).
fn bins(hive: &[u8]) -> &[u8] {
    hive.get(PAGE..).unwrap_or(&[])
}

/// One log entry with sequence number `sequence` carrying `pages` (offset from the first
/// hive bin, 4096 bytes each) for a hive whose bins data is `bins_size` bytes.
pub fn log_entry(sequence: u32, bins_size: u32, pages: &[(u32, &[u8])]) -> Vec<u8> {
    let body = ENTRY_HEADER + 8 * pages.len() + pages.iter().map(|p| p.1.len()).sum::<usize>();
    let size = body.div_ceil(512) * 512;
    let mut e = vec![0u8; size];
    e[..4].copy_from_slice(b"HvLE");
    put_u32(&mut e, 4, size as u32);
    put_u32(&mut e, 12, sequence);
    put_u32(&mut e, 16, bins_size);
    put_u32(&mut e, 20, pages.len() as u32);
    let mut at = ENTRY_HEADER;
    for (offset, page) in pages {
        put_u32(&mut e, at, *offset);
        put_u32(&mut e, at + 4, page.len() as u32);
        at += 8;
    }
    for (_, page) in pages {
        e[at..at + page.len()].copy_from_slice(page);
        at += page.len();
    }
    let hash1 = marvin32(LOG_ENTRY_SEED, &e[ENTRY_HEADER..]);
    e[24..32].copy_from_slice(&hash1.to_le_bytes());
    let hash2 = marvin32(LOG_ENTRY_SEED, &e[..32]);
    e[32..40].copy_from_slice(&hash2.to_le_bytes());
    e
}

/// The `.LOG1` that brings `base` (the primary file as it is on disk, stale) to `updated`
/// (the hive as the log brings it): one log entry, numbered with `base`'s primary sequence
/// number, holding every 4096-byte page of `updated`'s hive bins that differs from `base`
/// (or lies past its end). For Windows to replay it, `base` should be dirty (its sequence
/// numbers differ) with a primary sequence number at most the entry's.
pub fn transaction_log(base: &[u8], updated: &[u8]) -> Vec<u8> {
    let sequence = u32_at(base, 4);
    let mut log = updated[..LOG_BASE_BLOCK].to_vec();
    put_u32(&mut log, 4, sequence);
    put_u32(&mut log, 8, sequence);
    put_u32(&mut log, 28, FILE_TYPE_LOG_NEW);
    seal_base_block(&mut log);

    let (old, new) = (bins(base), bins(updated));
    let pages: Vec<(u32, &[u8])> = new
        .chunks(PAGE)
        .enumerate()
        .filter(|(i, page)| old.get(i * PAGE..i * PAGE + page.len()) != Some(page))
        .map(|(i, page)| ((i * PAGE) as u32, page))
        .collect();
    log.extend(log_entry(sequence, u32_at(updated, 40), &pages));
    log
}

/// Whether the log entry at the start of `entry` is whole and its hashes match.
fn entry_is_valid(entry: &[u8]) -> Option<usize> {
    if entry.len() < ENTRY_HEADER || &entry[..4] != b"HvLE" {
        return None;
    }
    let size = u32_at(entry, 4) as usize;
    if size < ENTRY_HEADER || !size.is_multiple_of(512) || size > entry.len() {
        return None;
    }
    let hash1 = u64::from_le_bytes(entry[24..32].try_into().ok()?);
    let hash2 = u64::from_le_bytes(entry[32..40].try_into().ok()?);
    let ok = hash1 == marvin32(LOG_ENTRY_SEED, &entry[ENTRY_HEADER..size])
        && hash2 == marvin32(LOG_ENTRY_SEED, &entry[..32])
        && (u32_at(entry, 16) as usize).is_multiple_of(PAGE);
    ok.then_some(size)
}

/// Replays a new-format `log` onto `primary` and returns the recovered hive (sequence
/// numbers synchronised to the last applied entry, checksum recomputed), or `None` when the
/// log's base block is not a valid new-format one. Entries older than the primary file's
/// primary sequence number are skipped.
pub fn replay(primary: &[u8], log: &[u8]) -> Option<Vec<u8>> {
    let head = log.get(..LOG_BASE_BLOCK)?;
    let valid_head = &head[..4] == b"regf"
        && u32_at(head, 28) == FILE_TYPE_LOG_NEW
        && u32_at(head, 4) == u32_at(head, 8)
        && u32_at(head, 508) == super::base_block_checksum(head);
    if !valid_head || primary.len() < PAGE {
        return None;
    }
    let mut hive = primary.to_vec();
    let first_needed = u32_at(primary, 4);
    let mut last = None;
    let mut at = LOG_BASE_BLOCK;
    while let Some(size) = entry_is_valid(&log[at.min(log.len())..]) {
        let entry = &log[at..at + size];
        let sequence = u32_at(entry, 12);
        if sequence >= first_needed {
            let bins_size = u32_at(entry, 16) as usize;
            hive.resize(hive.len().max(PAGE + bins_size), 0);
            let count = u32_at(entry, 20) as usize;
            let mut data = ENTRY_HEADER + 8 * count;
            for i in 0..count {
                let offset = u32_at(entry, ENTRY_HEADER + 8 * i) as usize;
                let len = u32_at(entry, ENTRY_HEADER + 8 * i + 4) as usize;
                let page = entry.get(data..data + len)?;
                hive.get_mut(PAGE + offset..PAGE + offset + len)?
                    .copy_from_slice(page);
                data += len;
            }
            put_u32(&mut hive, 40, bins_size as u32);
            last = Some(sequence);
        }
        at += size;
    }
    let sequence = last?;
    put_u32(&mut hive, 4, sequence);
    put_u32(&mut hive, 8, sequence);
    hive[12..20].copy_from_slice(&head[12..20]);
    hive[36..40].copy_from_slice(&head[36..40]);
    seal_base_block(&mut hive[..PAGE]);
    hive.truncate(PAGE + u32_at(&hive, 40) as usize);
    Some(hive)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_sizes_and_hashes() {
        let page = vec![0xAB; PAGE];
        let e = log_entry(7, 8192, &[(4096, &page)]);
        assert_eq!(e.len(), 4608);
        assert_eq!(entry_is_valid(&e), Some(4608));
        let mut bad = e.clone();
        bad[100] ^= 1;
        assert_eq!(entry_is_valid(&bad), None);
    }
}
