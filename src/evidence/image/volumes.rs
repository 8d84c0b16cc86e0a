//! Volume systems: where the volumes of a disk image start, from its GPT or MBR (extended
//! partitions included) or, with no partition table, the whole image as one volume; and what
//! file system each volume holds, from its first sectors.
//!
//! The tables are read by `gptman` and `mbrman` (the crates the Rust ecosystem uses to read and
//! write them). Both do arithmetic on sector numbers the image controls, so they run behind
//! [`guarded`]: a hostile table costs the table, not the run.

use serde::Serialize;

use super::disk::{Disk, DiskView};
use crate::guard::catch as guarded;

/// One volume of a disk image.
#[derive(Clone, Debug, Serialize)]
pub struct VolumeSlot {
    /// Byte offset of the volume in the image.
    pub offset: u64,
    /// Length in bytes.
    pub length: u64,
    /// `gpt`, `mbr` or `none` (the image is one volume).
    pub partition_scheme: &'static str,
    /// The partition's number in its table (1-based; logical MBR partitions from 5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition: Option<u32>,
    /// The partition type as the table gives it (MBR type byte or GPT type GUID).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition_type: Option<String>,
    /// The file system found in the volume's first sectors.
    pub file_system: FileSystem,
}

/// A file system, as recognised from a volume's boot sector or superblock.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileSystem {
    /// NTFS: scanned.
    Ntfs,
    /// FAT12/16/32.
    Fat,
    /// exFAT.
    ExFat,
    /// ext2, ext3 or ext4.
    Ext,
    /// A BitLocker-encrypted volume.
    BitLocker,
    /// ReFS.
    Refs,
    /// Nothing recognised.
    Unknown,
}

impl FileSystem {
    /// The name a responder knows it by.
    pub fn name(self) -> &'static str {
        match self {
            FileSystem::Ntfs => "NTFS",
            FileSystem::Fat => "FAT",
            FileSystem::ExFat => "exFAT",
            FileSystem::Ext => "ext2/3/4",
            FileSystem::BitLocker => "BitLocker-encrypted",
            FileSystem::Refs => "ReFS",
            FileSystem::Unknown => "unrecognised",
        }
    }
}

/// Recognises the file system whose first 4 KiB (or less) are `head`.
pub fn sniff_file_system(head: &[u8]) -> FileSystem {
    let at = |offset: usize, magic: &[u8]| head.get(offset..offset + magic.len()) == Some(magic);
    if at(3, b"NTFS    ") {
        FileSystem::Ntfs
    } else if at(3, b"-FVE-FS-") {
        FileSystem::BitLocker
    } else if at(3, b"EXFAT   ") {
        FileSystem::ExFat
    } else if at(3, b"ReFS\0\0\0\0") {
        FileSystem::Refs
    } else if at(54, b"FAT1") || at(82, b"FAT32") {
        FileSystem::Fat
    } else if at(1024 + 56, &[0x53, 0xEF]) {
        FileSystem::Ext
    } else {
        FileSystem::Unknown
    }
}

/// Whether a disk image's first sectors look like a disk or volume ddesweep can read: a GPT, an
/// MBR with at least one plausible partition, or a volume of a known file system.
pub fn looks_like_disk(head: &[u8]) -> bool {
    if sniff_file_system(head) != FileSystem::Unknown {
        return true;
    }
    if head.get(512..520) == Some(b"EFI PART") {
        return true;
    }
    mbr_entries(head).is_some_and(|entries| !entries.is_empty())
}

/// The non-empty primary entries of an MBR (type, first sector, sectors) when every entry is
/// well-formed (boot flag 0 or 0x80, a non-empty entry has a start and a size): the test that
/// tells an MBR from any other sector ending in 0x55AA.
fn mbr_entries(head: &[u8]) -> Option<Vec<(u8, u32, u32)>> {
    if head.get(510..512) != Some(&[0x55, 0xAA]) {
        return None;
    }
    let mut entries = Vec::new();
    for slot in 0..4 {
        let entry = head.get(446 + slot * 16..446 + slot * 16 + 16)?;
        if entry[0] != 0 && entry[0] != 0x80 {
            return None;
        }
        let kind = entry[4];
        let start = u32::from_le_bytes([entry[8], entry[9], entry[10], entry[11]]);
        let sectors = u32::from_le_bytes([entry[12], entry[13], entry[14], entry[15]]);
        if kind == 0 {
            continue;
        }
        if start == 0 || sectors == 0 {
            return None;
        }
        entries.push((kind, start, sectors));
    }
    Some(entries)
}

/// MBR type bytes of extended-partition containers (their logical partitions are listed
/// instead) and of the protective entry of a GPT disk.
const MBR_CONTAINERS: [u8; 4] = [0x05, 0x0F, 0x85, 0xEE];

/// The volumes of `disk`, and any problem met reading its tables.
pub fn find_volumes(disk: &Disk) -> (Vec<VolumeSlot>, Vec<String>) {
    let mut problems = Vec::new();
    let head = match disk.read_vec(0, 4096.min(disk.len() as usize)) {
        Ok(head) => head,
        Err(err) => {
            return (
                Vec::new(),
                vec![format!("cannot read the first sectors: {err}")],
            );
        }
    };
    let size = disk.len();
    let mut slots: Vec<VolumeSlot> = Vec::new();
    let slot = |offset, length, partition_scheme, partition, partition_type| VolumeSlot {
        offset,
        length,
        partition_scheme,
        partition,
        partition_type,
        file_system: FileSystem::Unknown,
    };
    let gpt_header = [512u64, 4096]
        .into_iter()
        .find(|&at| disk.read_vec(at, 8).is_ok_and(|sig| sig == b"EFI PART"));
    let plausible = gpt_header.map(|at| gpt_header_plausible(disk, at));
    if let Some(Err(why)) = &plausible {
        problems.push(format!("GPT header refused ({why}); trying the MBR"));
    }
    if let Some(Ok(())) = plausible {
        match guarded(|| gptman::GPT::find_from(&mut DiskView::new(disk, 0, size))) {
            Ok(Ok(gpt)) => {
                let sector = gpt.sector_size;
                for (number, entry) in gpt.iter() {
                    if !entry.is_used() {
                        continue;
                    }
                    let offset = entry.starting_lba.saturating_mul(sector);
                    let length = entry
                        .ending_lba
                        .saturating_sub(entry.starting_lba)
                        .saturating_add(1)
                        .saturating_mul(sector);
                    let guid = format_guid(&entry.partition_type_guid);
                    slots.push(slot(offset, length, "gpt", Some(number), Some(guid)));
                }
            }
            Ok(Err(err)) => problems.push(format!("GPT unreadable ({err}); trying the MBR")),
            Err(panic) => problems.push(format!("GPT unreadable ({panic}); trying the MBR")),
        }
    }
    if slots.is_empty() && sniff_file_system(&head) == FileSystem::Unknown {
        if let Some(primary) = mbr_entries(&head).filter(|e| !e.is_empty()) {
            match guarded(|| mbrman::MBR::read_from(&mut DiskView::new(disk, 0, size), 512)) {
                Ok(Ok(mbr)) => {
                    for (number, entry) in mbr.iter() {
                        if !entry.is_used() || MBR_CONTAINERS.contains(&entry.sys) {
                            continue;
                        }
                        slots.push(slot(
                            u64::from(entry.starting_lba) * 512,
                            u64::from(entry.sectors) * 512,
                            "mbr",
                            u32::try_from(number).ok(),
                            Some(format!("0x{:02X}", entry.sys)),
                        ));
                    }
                }
                failed => {
                    let why = match failed {
                        Ok(Err(err)) => err.to_string(),
                        Err(panic) => panic,
                        Ok(Ok(_)) => String::new(),
                    };
                    problems.push(format!(
                        "extended partitions unreadable ({why}); primary partitions only"
                    ));
                    for (index, (kind, start, sectors)) in primary.into_iter().enumerate() {
                        if MBR_CONTAINERS.contains(&kind) {
                            continue;
                        }
                        slots.push(slot(
                            u64::from(start) * 512,
                            u64::from(sectors) * 512,
                            "mbr",
                            u32::try_from(index + 1).ok(),
                            Some(format!("0x{kind:02X}")),
                        ));
                    }
                }
            }
        }
    }
    if slots.is_empty() {
        slots.push(slot(0, size, "none", None, None));
    }
    let mut volumes = Vec::new();
    for mut volume in slots {
        let (offset, length, partition) = (volume.offset, volume.length, volume.partition);
        if offset >= size {
            problems.push(format!(
                "partition {} starts at byte {offset}, past the image's end ({size} bytes)",
                partition.unwrap_or(0)
            ));
            continue;
        }
        let length = if offset.saturating_add(length) > size {
            problems.push(format!(
                "partition {} at byte {offset} runs past the image's end: read as far as the image goes",
                partition.unwrap_or(0)
            ));
            size - offset
        } else {
            length
        };
        let head = disk
            .read_vec(offset, 4096.min(length as usize))
            .unwrap_or_default();
        volume.length = length;
        volume.file_system = sniff_file_system(&head);
        volumes.push(volume);
    }
    (volumes, problems)
}

/// The largest partition-entry array read (128 entries of 128 bytes is what every tool writes).
const MAX_GPT_ENTRY_BYTES: u64 = 1 << 20;

/// Checks the GPT header at `at` before gptman reads it: gptman allocates the entry array the
/// header describes, so a forged count would abort the process (an allocation failure is not a
/// panic that a guard can catch).
fn gpt_header_plausible(disk: &Disk, at: u64) -> Result<(), String> {
    let header = disk.read_vec(at, 92).map_err(|err| err.to_string())?;
    let field = |offset: usize| {
        u32::from_le_bytes([
            header[offset],
            header[offset + 1],
            header[offset + 2],
            header[offset + 3],
        ])
    };
    let (count, size) = (field(80), field(84));
    if !(128..=4096).contains(&size) || size % 8 != 0 {
        return Err(format!("partition entries of {size} bytes"));
    }
    if u64::from(count) * u64::from(size) > MAX_GPT_ENTRY_BYTES {
        return Err(format!("{count} partition entries of {size} bytes"));
    }
    Ok(())
}

/// A GPT GUID in its usual text form (the first three fields are stored little-endian).
fn format_guid(bytes: &[u8; 16]) -> String {
    format!(
        "{:02X}{:02X}{:02X}{:02X}-{:02X}{:02X}-{:02X}{:02X}-{:02X}{:02X}-{:02X}{:02X}{:02X}{:02X}{:02X}{:02X}",
        bytes[3],
        bytes[2],
        bytes[1],
        bytes[0],
        bytes[5],
        bytes[4],
        bytes[7],
        bytes[6],
        bytes[8],
        bytes[9],
        bytes[10],
        bytes[11],
        bytes[12],
        bytes[13],
        bytes[14],
        bytes[15]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_systems_by_their_magic() {
        let mut ntfs = vec![0u8; 4096];
        ntfs[3..11].copy_from_slice(b"NTFS    ");
        assert_eq!(sniff_file_system(&ntfs), FileSystem::Ntfs);
        let mut ext = vec![0u8; 4096];
        ext[1080..1082].copy_from_slice(&[0x53, 0xEF]);
        assert_eq!(sniff_file_system(&ext), FileSystem::Ext);
        assert_eq!(sniff_file_system(&[0u8; 4096]), FileSystem::Unknown);
        assert_eq!(sniff_file_system(b"short"), FileSystem::Unknown);
    }

    #[test]
    fn an_mbr_needs_well_formed_entries() {
        let mut sector = vec![0u8; 512];
        sector[510] = 0x55;
        sector[511] = 0xAA;
        assert_eq!(mbr_entries(&sector), Some(vec![]));
        sector[446 + 4] = 0x07;
        sector[446 + 8] = 0x00;
        sector[446 + 9] = 0x08; // start 2048
        sector[446 + 12] = 0x00;
        sector[446 + 13] = 0x30; // 12288 sectors
        assert_eq!(mbr_entries(&sector), Some(vec![(0x07, 2048, 12288)]));
        assert!(looks_like_disk(&sector));
        sector[446] = 0x12; // not a boot flag
        assert_eq!(mbr_entries(&sector), None);
    }
}
