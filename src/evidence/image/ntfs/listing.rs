//! The files of an NTFS volume: a walk of the directory tree through the crate's directory
//! indexes, completed by a scan of every MFT record.
//!
//! The scan reads each record once (in parallel): its flags, names, $STANDARD_INFORMATION and
//! $FILE_NAME times and data streams. The walk then gives every file it reaches its path as
//! Windows shows it. Files the walk does not reach (in a directory the crate cannot open, such
//! as one whose index lives in an attribute-list record, ntfs issue #7) and deleted records
//! (not in use) take the path their $FILE_NAME parent chain gives, under `$OrphanFiles` when the
//! chain is broken, as The Sleuth Kit shows them.

use std::collections::{BTreeMap, BTreeSet};

use ntfs::structured_values::{NtfsFileName, NtfsFileNamespace, NtfsStandardInformation};
use ntfs::{NtfsAttributeFlags, NtfsAttributeType, NtfsFileFlags, NtfsTime};
use rayon::prelude::*;
use serde::Serialize;

use super::super::disk::DiskView;
use super::NtfsVolume;
use super::stream::{self, for_each_attribute};
use super::zone::{self, MarkOfTheWeb};
use crate::evidence::FileTimes;
use crate::guard::catch as guarded;
use crate::time::Timestamp;

/// Records 0 to 23 are the file system's own metadata files ($MFT, $LogFile, $Bitmap, ...) and
/// reserved records: never artifacts.
const FIRST_USER_RECORD: u64 = 24;
/// Root directory's record number.
const ROOT_RECORD: u64 = 5;
/// The most records scanned on one volume (a 16 GiB MFT): a forged $MFT size cannot run away.
const MAX_RECORDS: u64 = 16 << 20;
/// The most bytes read for one directory's index (the MFT record and its index nodes): 64 MiB
/// of 4 KiB nodes holds about a million names. A damaged index whose nodes point back at
/// themselves stops there instead of growing without end.
const DIRECTORY_READ_BUDGET: u64 = 64 << 20;
/// The deepest path followed.
const MAX_DEPTH: usize = 256;
/// The name of the stream that carries Mark of the Web.
const ZONE_IDENTIFIER: &str = "Zone.Identifier";

/// How a file was found.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FoundBy {
    /// In a directory index, by the walk from the root.
    DirectoryWalk,
    /// Only by the MFT scan (in use, but in no directory the walk could read).
    MftScan,
    /// A deleted (not-in-use) MFT record.
    DeletedRecord,
}

/// One file (or alternate data stream) of the volume.
#[derive(Clone, Debug)]
pub struct ListedFile {
    /// MFT record number.
    pub record: u64,
    /// Path from the volume root, `/`-separated (`:stream` appended for an alternate stream).
    pub path: String,
    /// The alternate data stream's name; `None` for the file's content.
    pub stream: Option<String>,
    /// Bytes in the stream.
    pub size: u64,
    /// Its first bytes, when the scan could take them cheaply (see [`RecordInfo`]).
    pub head: Option<Vec<u8>>,
    /// $STANDARD_INFORMATION times (what Explorer shows; what timestomping tools change).
    pub times: FileTimes,
    /// $FILE_NAME times (set by the kernel when the name is made or moved).
    pub name_times: FileTimes,
    /// How it was found (walk, scan, deleted record).
    pub found_by: FoundBy,
    /// The file's Mark of the Web, from its `Zone.Identifier` stream.
    pub mark_of_the_web: Option<MarkOfTheWeb>,
    /// Why the content must not be read (EFS-encrypted; a deleted file whose clusters were
    /// reused).
    pub unreadable: Option<String>,
}

/// What the listing of one volume found.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ListingStats {
    /// MFT records examined.
    pub mft_records: u64,
    /// Records past the scan's bound (16 Mi records), not examined.
    #[serde(skip_serializing_if = "is_zero")]
    pub mft_records_not_scanned: u64,
    /// Records that could not be parsed (damaged; unused records never written are not counted).
    pub damaged_records: u64,
    /// Files (and streams) listed.
    pub files: u64,
    /// Files reached only by the MFT scan.
    pub found_by_mft_scan: u64,
    /// Deleted files listed.
    pub deleted_files: u64,
    /// Deleted files listed but not read: their clusters now belong to other data, or cannot
    /// be checked.
    pub deleted_not_recovered: u64,
    /// Directories the walk could not open, with the reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unreadable_directories: Vec<String>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// What one MFT record holds that the listing needs.
#[derive(Clone, Debug, Default)]
struct RecordInfo {
    in_use: bool,
    is_directory: bool,
    sequence: u16,
    /// Preferred name and its parent (record, sequence).
    name: Option<(String, u64, u16)>,
    times: FileTimes,
    name_times: FileTimes,
    /// Its $DATA streams.
    streams: Vec<StreamInfo>,
    /// The first bytes of the unnamed stream, enough to classify the file without reading it
    /// again (`None` where they need more work: compressed, encrypted, unreadable).
    head: Option<Vec<u8>>,
}

/// One $DATA stream of a record.
#[derive(Clone, Debug, Default)]
struct StreamInfo {
    /// Its name; empty for the file's content.
    name: String,
    /// Its length in bytes.
    length: u64,
    /// Whether it is EFS-encrypted.
    encrypted: bool,
}

/// How many first bytes of each file the scan keeps for classification.
const HEAD_BYTES: u64 = 16;

/// Lists the files of `volume`.
pub fn list(volume: &NtfsVolume) -> Result<(Vec<ListedFile>, ListingStats), String> {
    let mut view = volume.view();
    let ntfs = volume.ntfs();
    let record_size = u64::from(ntfs.file_record_size()).max(1);
    let mft = ntfs
        .file(&mut view, 0)
        .map_err(|err| format!("cannot read the MFT: {err}"))?;
    let mft_len = mft
        .data(&mut view, "")
        .and_then(|item| item.ok())
        .and_then(|item| item.to_attribute().ok().map(|a| a.value_length()))
        .ok_or("the MFT has no data stream")?;
    // A damaged $MFT may claim any size: never more records than the volume can hold.
    let claimed = (mft_len / record_size).min(volume.length() / record_size);
    let count = claimed.min(MAX_RECORDS);
    let mut stats = ListingStats {
        mft_records: count,
        mft_records_not_scanned: claimed - count,
        ..ListingStats::default()
    };
    // The walk reads directory indexes one after another; the scan reads every record in
    // parallel: they run side by side.
    let (scanned, (walked, unreadable_directories)) = rayon::join(
        || -> Vec<Result<Option<RecordInfo>, ()>> {
            (0..count)
                .into_par_iter()
                .map_init(
                    || volume.view(),
                    |view, n| guarded(|| scan_record(volume, view, n)).unwrap_or(Err(())),
                )
                .collect()
        },
        || walk(volume),
    );
    stats.unreadable_directories = unreadable_directories;
    let infos: Vec<Option<RecordInfo>> = scanned
        .into_iter()
        .map(|r| {
            r.unwrap_or_else(|()| {
                stats.damaged_records += 1;
                None
            })
        })
        .collect();

    let mut files = Vec::new();
    for (record, info) in infos.iter().enumerate() {
        let record = record as u64;
        let Some(info) = info else { continue };
        if record < FIRST_USER_RECORD || info.name.is_none() {
            continue;
        }
        let (path, found_by) = match (info.in_use, walked.get(&record)) {
            (true, Some(path)) => (path.clone(), FoundBy::DirectoryWalk),
            (true, None) => (chain_path(&infos, record), FoundBy::MftScan),
            (false, _) => (chain_path(&infos, record), FoundBy::DeletedRecord),
        };
        if path.starts_with("$Extend/") {
            continue;
        }
        let mark_of_the_web = info
            .streams
            .iter()
            .any(|stream| stream.name.eq_ignore_ascii_case(ZONE_IDENTIFIER))
            .then(|| {
                guarded(|| stream::read(volume, record, Some(ZONE_IDENTIFIER), Some(16 * 1024)))
            })
            .and_then(|read| read.ok()?.ok())
            .and_then(|bytes| zone::parse(&bytes));
        let lost = if info.in_use {
            None
        } else {
            guarded(|| deleted_data_intact(volume, record))
                .unwrap_or(Err("checking its clusters failed"))
                .err()
        };
        for StreamInfo {
            name,
            length,
            encrypted,
        } in &info.streams
        {
            // A directory's content is its index; only its named streams (a known hiding
            // place) are files.
            if name.eq_ignore_ascii_case(ZONE_IDENTIFIER) || info.is_directory && name.is_empty() {
                continue;
            }
            let unreadable = if *encrypted {
                Some("EFS-encrypted: the content is ciphertext without the user's key".to_owned())
            } else {
                lost.map(|why| format!("deleted file, not recovered: {why}"))
            };
            let stream = (!name.is_empty()).then(|| name.clone());
            stats.files += 1;
            stats.found_by_mft_scan += u64::from(found_by == FoundBy::MftScan);
            stats.deleted_files += u64::from(found_by == FoundBy::DeletedRecord);
            stats.deleted_not_recovered += u64::from(lost.is_some());
            files.push(ListedFile {
                record,
                path: match &stream {
                    Some(stream) => format!("{path}:{stream}"),
                    None => path.clone(),
                },
                stream,
                size: *length,
                head: if name.is_empty() {
                    info.head.clone()
                } else {
                    None
                },
                times: info.times,
                name_times: info.name_times,
                found_by,
                mark_of_the_web: mark_of_the_web.clone(),
                unreadable,
            });
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path).then(a.record.cmp(&b.record)));
    Ok((files, stats))
}

/// Reads what the listing needs of record `n`, in one pass over its attributes. `Ok(None)`:
/// never used (no `FILE` record there).
fn scan_record(
    volume: &NtfsVolume,
    view: &mut DiskView<'_>,
    n: u64,
) -> Result<Option<RecordInfo>, ()> {
    let file = match volume.ntfs().file(view, n) {
        Ok(file) => file,
        Err(ntfs::NtfsError::InvalidFileSignature { actual, .. }) if actual == [0; 4] => {
            return Ok(None);
        }
        Err(_) => return Err(()),
    };
    let flags = file.flags();
    let mut info = RecordInfo {
        in_use: flags.contains(NtfsFileFlags::IN_USE),
        is_directory: flags.contains(NtfsFileFlags::IS_DIRECTORY),
        sequence: file.sequence_number(),
        ..RecordInfo::default()
    };
    // The name Windows shows: Win32 (or Win32-and-DOS), else POSIX, and the 8.3 DOS name only
    // when it is the only one.
    let rank = |name: &NtfsFileName| match name.namespace() {
        NtfsFileNamespace::Win32AndDos | NtfsFileNamespace::Win32 => 0,
        NtfsFileNamespace::Posix => 1,
        NtfsFileNamespace::Dos => 2,
    };
    let mut best: Option<NtfsFileName> = None;
    let scanned = for_each_attribute(volume, &file, |attribute| match attribute.ty() {
        Ok(NtfsAttributeType::StandardInformation) => {
            if let Ok(si) = attribute.resident_structured_value::<NtfsStandardInformation>() {
                info.times = file_times(
                    si.modification_time(),
                    si.access_time(),
                    si.mft_record_modification_time(),
                    si.creation_time(),
                );
            }
        }
        Ok(NtfsAttributeType::FileName) => {
            if let Ok(name) = attribute.structured_value::<_, NtfsFileName>(&mut volume.view())
                && best.as_ref().is_none_or(|b| rank(&name) < rank(b))
            {
                best = Some(name);
            }
        }
        Ok(NtfsAttributeType::Data) => {
            let name = attribute
                .name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default();
            if name.is_empty() {
                info.head = stream::head(volume, attribute, HEAD_BYTES);
            }
            info.streams.push(StreamInfo {
                name,
                length: attribute.value_length(),
                encrypted: attribute.flags().contains(NtfsAttributeFlags::ENCRYPTED),
            });
        }
        _ => {}
    });
    if scanned.is_err() && info.streams.is_empty() && best.is_none() {
        return Err(());
    }
    if let Some(name) = best {
        info.name_times = file_times(
            name.modification_time(),
            name.access_time(),
            name.mft_record_modification_time(),
            name.creation_time(),
        );
        let parent = name.parent_directory_reference();
        info.name = Some((
            name.name().to_string_lossy(),
            parent.file_record_number(),
            parent.sequence_number(),
        ));
    }
    Ok(Some(info))
}

/// MACB times from NTFS times; zero (never set) and out-of-range times are `None`.
fn file_times(
    modified: NtfsTime,
    accessed: NtfsTime,
    changed: NtfsTime,
    born: NtfsTime,
) -> FileTimes {
    let time = |t: NtfsTime| Timestamp::from_filetime(t.nt_timestamp());
    FileTimes {
        modified: time(modified),
        accessed: time(accessed),
        changed: time(changed),
        born: time(born),
    }
}

/// Walks the directory tree from the root; returns the path of every record it reaches, and the
/// directories it could not read (with why).
fn walk(volume: &NtfsVolume) -> (BTreeMap<u64, String>, Vec<String>) {
    let mut unreadable = Vec::new();
    let ntfs = volume.ntfs();
    let mut paths = BTreeMap::new();
    let mut visited = BTreeSet::new();
    let mut queue = vec![(ROOT_RECORD, String::new())];
    while let Some((record, folder)) = queue.pop() {
        if !visited.insert(record) || folder.matches('/').count() > MAX_DEPTH {
            continue;
        }
        let shown = if folder.is_empty() {
            "/"
        } else {
            folder.as_str()
        };
        let mut view = volume.view().with_budget(DIRECTORY_READ_BUDGET);
        let (children, problem) = guarded(|| directory_children(ntfs, &mut view, record))
            .unwrap_or_else(|panic| (Vec::new(), Some(format!("internal error: {panic}"))));
        if let Some(problem) = problem {
            unreadable.push(format!("{shown}: {problem}"));
        }
        for (child, name, is_directory) in children {
            let path = if folder.is_empty() {
                name
            } else {
                format!("{folder}/{name}")
            };
            if is_directory {
                paths.entry(child).or_insert_with(|| path.clone());
                queue.push((child, path));
            } else {
                paths.entry(child).or_insert(path);
            }
        }
    }
    (paths, unreadable)
}

/// The entries of directory `record` (record, name, is a directory), and what stopped the
/// reading of its index early.
fn directory_children(
    ntfs: &ntfs::Ntfs,
    view: &mut DiskView<'_>,
    record: u64,
) -> (Vec<(u64, String, bool)>, Option<String>) {
    let mut children = Vec::new();
    let file = match ntfs.file(view, record) {
        Ok(file) => file,
        Err(err) => return (children, Some(err.to_string())),
    };
    let index = match file.directory_index(view) {
        Ok(index) => index,
        Err(err) => return (children, Some(err.to_string())),
    };
    let mut entries = index.entries();
    while let Some(entry) = entries.next(view) {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => return (children, Some(format!("index entry: {err}"))),
        };
        let Some(Ok(key)) = entry.key() else { continue };
        if key.namespace() == NtfsFileNamespace::Dos {
            continue;
        }
        let child = entry.file_reference().file_record_number();
        // Metadata files ($MFT, ..., $Extend and what it holds) are not artifacts.
        if child == record || child < FIRST_USER_RECORD {
            continue;
        }
        children.push((child, key.name().to_string_lossy(), key.is_directory()));
    }
    (children, None)
}

/// The path a record's $FILE_NAME parent chain gives, under `$OrphanFiles` where the chain
/// breaks (a parent record reused for something else, or missing).
fn chain_path(infos: &[Option<RecordInfo>], record: u64) -> String {
    let mut parts = Vec::new();
    let mut current = record;
    let mut seen = BTreeSet::new();
    loop {
        let Some(Some(info)) = infos.get(current as usize) else {
            parts.push("$OrphanFiles".to_owned());
            break;
        };
        let Some((name, parent, parent_sequence)) = &info.name else {
            parts.push("$OrphanFiles".to_owned());
            break;
        };
        parts.push(name.clone());
        if *parent == ROOT_RECORD {
            break;
        }
        let parent_matches = infos
            .get(*parent as usize)
            .and_then(Option::as_ref)
            .is_some_and(|p| {
                p.is_directory
                    && (p.sequence == *parent_sequence
                        || !p.in_use && p.sequence == parent_sequence.wrapping_add(1))
            });
        if !parent_matches || !seen.insert(*parent) || parts.len() > MAX_DEPTH {
            parts.push("$OrphanFiles".to_owned());
            break;
        }
        current = *parent;
    }
    parts.reverse();
    parts.join("/")
}

/// Whether a deleted record's non-resident data still lies in free clusters (resident data is
/// in the record itself, so it is intact while the record is).
fn deleted_data_intact(volume: &NtfsVolume, record: u64) -> Result<(), &'static str> {
    let mut view = volume.view();
    let Ok(file) = volume.ntfs().file(&mut view, record) else {
        return Err("its MFT record cannot be read again");
    };
    let mut runs = Vec::new();
    // Data spread over attribute-list records (large files) cannot be checked cluster by
    // cluster here: such a deleted file is not claimed intact.
    let mut unchecked = false;
    let walked = for_each_attribute(volume, &file, |attribute| {
        if attribute.ty().ok() != Some(NtfsAttributeType::Data) || attribute.is_resident() {
            return;
        }
        match stream::runs(volume, attribute) {
            Ok(Some(found)) => runs.extend(
                found
                    .into_iter()
                    .filter_map(|(position, len)| Some((position?, len))),
            ),
            Ok(None) | Err(_) => unchecked = true,
        }
    });
    if walked.is_err() {
        return Err("its attributes cannot be read");
    }
    if unchecked {
        return Err("its data lies in attribute-list records whose clusters cannot be checked");
    }
    match volume.clusters_free(&runs) {
        Some(true) => Ok(()),
        Some(false) => Err("its clusters now belong to other data"),
        None => Err("the volume's cluster bitmap cannot be read"),
    }
}
