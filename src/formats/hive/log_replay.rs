//! Replaying a dirty hive's transaction logs (the new format of Windows 8.1 and later).
//!
//! A `.LOG1`/`.LOG2` file holds a base block and then log entries (`HvLE`): a sequence number,
//! the size of the hive bins, and dirty pages (offset and size in the hive bins, then their
//! bytes), protected by two Marvin32 hashes. The entries whose sequence numbers follow the
//! hive's secondary sequence number are applied, in order, to an in-memory copy of the hive,
//! while they are consecutive and their hashes hold; the evidence file is never touched.
//! nt-hive has no replay, and no maintained crate does it, hence this module.

/// Size of the base block at the start of a hive.
const BASE_BLOCK: usize = 4096;
/// Log entries start on 512-byte boundaries.
const SECTOR: usize = 512;
/// Size of a log entry's header, before its dirty page references.
const ENTRY_HEADER: usize = 40;
/// The seed Windows uses for the log entry hashes.
const MARVIN_SEED: u64 = 0x82EF_4D88_7A4E_55C5;
/// Largest hive a replay may grow to.
const MAX_HIVE_BYTES: usize = 1 << 31;
/// How far past the hive and its logged pages a log entry may declare the hive bins to reach.
const GROWTH_MARGIN: usize = 16 << 20;

/// One log entry, validated.
struct Entry<'a> {
    sequence: u32,
    bins_size: usize,
    pages: Vec<(usize, &'a [u8])>,
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        bytes.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(
        bytes.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}

/// The Marvin32 checksum of `data` with `seed`, as the registry stores it (64 bits).
pub fn marvin32(seed: u64, data: &[u8]) -> u64 {
    let mut lo = seed as u32;
    let mut hi = (seed >> 32) as u32;
    let mix = |lo: &mut u32, hi: &mut u32| {
        *hi ^= *lo;
        *lo = lo.rotate_left(20);
        *lo = lo.wrapping_add(*hi);
        *hi = hi.rotate_left(9);
        *hi ^= *lo;
        *lo = lo.rotate_left(27);
        *lo = lo.wrapping_add(*hi);
        *hi = hi.rotate_left(19);
    };
    let mut blocks = data.chunks_exact(4);
    for block in &mut blocks {
        let word = u32::from_le_bytes(<[u8; 4]>::try_from(block).unwrap_or_default());
        lo = lo.wrapping_add(word);
        mix(&mut lo, &mut hi);
    }
    let tail = blocks.remainder();
    let last = match *tail {
        [] => 0x80,
        [a] => 0x8000 | u32::from(a),
        [a, b] => 0x0080_0000 | u32::from(a) | u32::from(b) << 8,
        [a, b, c, ..] => 0x8000_0000 | u32::from(a) | u32::from(b) << 8 | u32::from(c) << 16,
    };
    lo = lo.wrapping_add(last);
    mix(&mut lo, &mut hi);
    mix(&mut lo, &mut hi);
    (u64::from(hi) << 32) | u64::from(lo)
}

/// The valid entries of one log file, in file order.
fn entries(log: &[u8]) -> Vec<Entry<'_>> {
    let mut found = Vec::new();
    // The base block of a log takes one sector (older writers: a whole block).
    let start = [SECTOR, BASE_BLOCK]
        .into_iter()
        .find(|&at| log.get(at..at + 4) == Some(b"HvLE"));
    let Some(mut at) = start else {
        return found;
    };
    while let Some(entry) = parse_entry(log, at) {
        at += entry.0;
        found.push(entry.1);
    }
    found
}

/// The entry at `at` and its size, if it is whole and its hashes hold.
fn parse_entry(log: &[u8], at: usize) -> Option<(usize, Entry<'_>)> {
    if log.get(at..at + 4)? != b"HvLE" {
        return None;
    }
    let size = usize::try_from(u32_at(log, at + 4)?).ok()?;
    if size < ENTRY_HEADER || size % SECTOR != 0 {
        return None;
    }
    let entry = log.get(at..at.checked_add(size)?)?;
    let sequence = u32_at(entry, 12)?;
    let bins_size = usize::try_from(u32_at(entry, 16)?).ok()?;
    let count = usize::try_from(u32_at(entry, 20)?).ok()?;
    if marvin32(MARVIN_SEED, entry.get(ENTRY_HEADER..)?) != u64_at(entry, 24)?
        || marvin32(MARVIN_SEED, entry.get(..32)?) != u64_at(entry, 32)?
    {
        return None;
    }
    let mut data_at = ENTRY_HEADER.checked_add(count.checked_mul(8)?)?;
    let mut pages = Vec::with_capacity(count.min(4096));
    for index in 0..count {
        let reference = ENTRY_HEADER + index * 8;
        let offset = usize::try_from(u32_at(entry, reference)?).ok()?;
        let length = usize::try_from(u32_at(entry, reference + 4)?).ok()?;
        pages.push((offset, entry.get(data_at..data_at.checked_add(length)?)?));
        data_at += length;
    }
    Some((
        size,
        Entry {
            sequence,
            bins_size,
            pages,
        },
    ))
}

/// The hive in `hive` with the entries of `logs` applied, and how many were; `None` when no
/// entry applies.
pub fn replay(hive: &[u8], logs: &[&[u8]]) -> Option<(Vec<u8>, usize)> {
    let secondary = u32_at(hive, 8)?;
    let mut all: Vec<Entry<'_>> = logs.iter().flat_map(|log| entries(log)).collect();
    all.retain(|e| e.sequence >= secondary);
    all.sort_by_key(|e| e.sequence);
    all.dedup_by_key(|e| e.sequence);
    let mut copy = hive.to_vec();
    let mut applied = 0;
    let mut expected = all.first()?.sequence;
    for entry in &all {
        if entry.sequence != expected {
            break;
        }
        // The log names the hive's new size; it may grow the hive, but not beyond what its own
        // pages reach plus a margin (a forged size must not cost gigabytes of zeros).
        let wanted = BASE_BLOCK.checked_add(entry.bins_size)?;
        let reach = entry
            .pages
            .iter()
            .filter_map(|(offset, data)| BASE_BLOCK.checked_add(*offset)?.checked_add(data.len()))
            .max()
            .unwrap_or(0);
        let limit = hive
            .len()
            .max(reach)
            .saturating_add(GROWTH_MARGIN)
            .min(MAX_HIVE_BYTES);
        if wanted > limit || reach > wanted {
            break;
        }
        if copy.len() < wanted && copy.try_reserve(wanted - copy.len()).is_err() {
            break;
        }
        if copy.len() < wanted {
            copy.resize(wanted, 0);
        }
        // Every page must fit before any is applied: a damaged entry is not half applied.
        let fits = entry.pages.iter().all(|(offset, data)| {
            BASE_BLOCK
                .checked_add(*offset)
                .and_then(|start| start.checked_add(data.len()))
                .is_some_and(|end| end <= copy.len())
        });
        if !fits {
            break;
        }
        for (offset, data) in &entry.pages {
            let start = BASE_BLOCK.checked_add(*offset)?;
            if let Some(target) = copy.get_mut(start..start.checked_add(data.len())?) {
                target.copy_from_slice(data);
            }
        }
        applied += 1;
        expected = expected.wrapping_add(1);
        // The base block now describes the replayed hive: clean, with its new size.
        let sequence = entry.sequence.wrapping_add(1).to_le_bytes();
        let bins = u32::try_from(entry.bins_size).ok()?.to_le_bytes();
        copy.get_mut(4..8)?.copy_from_slice(&sequence);
        copy.get_mut(8..12)?.copy_from_slice(&sequence);
        copy.get_mut(0x28..0x2c)?.copy_from_slice(&bins);
    }
    if applied == 0 {
        return None;
    }
    let checksum = base_block_checksum(copy.get(..508)?);
    copy.get_mut(508..512)?
        .copy_from_slice(&checksum.to_le_bytes());
    Some((copy, applied))
}

/// The base block checksum: XOR of its first 127 doublewords (0 and all-ones adjusted).
fn base_block_checksum(block: &[u8]) -> u32 {
    let sum = block
        .chunks_exact(4)
        .map(|w| u32::from_le_bytes(<[u8; 4]>::try_from(w).unwrap_or_default()))
        .fold(0, |acc, w| acc ^ w);
    match sum {
        0 => 1,
        u32::MAX => u32::MAX - 1,
        other => other,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn marvin32_matches_published_vectors() {
        assert_eq!(
            marvin32(0xd53c_d9ce_cd08_93b7, b"abc"),
            0x22c7_4339_4927_69bf
        );
        assert_eq!(
            marvin32(0x0ddd_deee_efff_f000, b"abcdefghijklmnopqrstuvwxyz"),
            0xa128_eb7e_7260_aca2
        );
    }

    /// A log entry with one dirty page at hive-bins offset 0.
    fn entry(sequence: u32, page: &[u8]) -> Vec<u8> {
        let mut e = vec![0u8; ENTRY_HEADER];
        e[..4].copy_from_slice(b"HvLE");
        e[12..16].copy_from_slice(&sequence.to_le_bytes());
        e[16..20].copy_from_slice(&(page.len() as u32).to_le_bytes());
        e[20..24].copy_from_slice(&1u32.to_le_bytes());
        e.extend(0u32.to_le_bytes());
        e.extend((page.len() as u32).to_le_bytes());
        e.extend(page);
        e.resize(e.len().div_ceil(SECTOR) * SECTOR, 0);
        let size = e.len() as u32;
        e[4..8].copy_from_slice(&size.to_le_bytes());
        let h1 = marvin32(MARVIN_SEED, &e[ENTRY_HEADER..]);
        e[24..32].copy_from_slice(&h1.to_le_bytes());
        let h2 = marvin32(MARVIN_SEED, &e[..32]);
        e[32..40].copy_from_slice(&h2.to_le_bytes());
        e
    }

    #[test]
    fn consecutive_valid_entries_are_applied() {
        let mut hive = vec![0u8; BASE_BLOCK + 4096];
        hive[..4].copy_from_slice(b"regf");
        hive[4..8].copy_from_slice(&6u32.to_le_bytes());
        hive[8..12].copy_from_slice(&5u32.to_le_bytes());
        let mut log = vec![0u8; SECTOR];
        log.extend(entry(5, &[1u8; 4096]));
        log.extend(entry(6, &[2u8; 4096]));
        log.extend(entry(8, &[3u8; 4096])); // a gap: not applied
        let (replayed, applied) = replay(&hive, &[&log]).unwrap();
        assert_eq!(applied, 2);
        assert_eq!(replayed[BASE_BLOCK], 2);
        assert_eq!(u32_at(&replayed, 4), u32_at(&replayed, 8));
        // A forged hive size (far past the hive and its pages) is refused, not allocated.
        let mut forged = entry(5, &[1u8; 4096]);
        forged[16..20].copy_from_slice(&0x7fff_e000u32.to_le_bytes());
        let h1 = marvin32(MARVIN_SEED, &forged[ENTRY_HEADER..]);
        forged[24..32].copy_from_slice(&h1.to_le_bytes());
        let h2 = marvin32(MARVIN_SEED, &forged[..32]);
        forged[32..40].copy_from_slice(&h2.to_le_bytes());
        let mut forged_log = vec![0u8; SECTOR];
        forged_log.extend(forged);
        assert!(replay(&hive, &[&forged_log]).is_none());
        // A damaged entry stops the replay before it.
        let mut bad = log.clone();
        bad[SECTOR + ENTRY_HEADER + 16] ^= 0xff;
        assert!(replay(&hive, &[&bad]).is_none());
        assert!(replay(&hive, &[]).is_none());
    }
}
