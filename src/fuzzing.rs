//! The entry of every fuzz target (`fuzz/`): how fuzzer input is framed (the first byte choosing
//! the file name the classifier sees, or where a hive's transaction log starts) and which stage
//! it is handed to. The targets and the regression test (`tests/integration/fuzz_regressions.rs`)
//! both call [`run`], so an input the fuzzer saved replays in the normal suite exactly as the
//! fuzzer ran it.

use std::path::Path;
use std::sync::Arc;

use crate::artifact;
use crate::detect::eventlog::LogContext;
use crate::detect::hive::HiveContext;
use crate::evidence::image::{self, disk::ContainerKind, disk::Disk, volumes};
use crate::formats::{Deadline, prefetch};
use crate::pipeline::{Settings, check_document, check_event_log, check_hive, check_memory};
use crate::profile::{self, ProfileError};

/// The fuzz targets, one per parser entry: OOXML, OLE (Word, Excel, Outlook, encrypted), RTF,
/// the delimited and small text formats (CSV, SYLK, IQY, XML), event logs, hives with their
/// transaction logs, prefetch, partition tables, the NTFS walk (listing and reading every file)
/// and the memory carver (strings and event-log chunks).
pub const TARGETS: &[&str] = &[
    "ooxml",
    "ole",
    "rtf",
    "delimited",
    "evtx",
    "hive",
    "prefetch",
    "partitions",
    "ntfs",
    "carver",
];

/// Names the document targets give their input, chosen by its first byte: the classifier
/// decides by magic where it can and by extension where it cannot.
const OOXML_NAMES: &[&str] = &[
    "a.docx", "a.docm", "a.xlsx", "a.xlsm", "a.xlsb", "a.pptx", "a.dotx",
];
const OLE_NAMES: &[&str] = &["a.doc", "a.xls", "a.msg", "a.docx", "a.xlsx", "a.ppt"];
const RTF_NAMES: &[&str] = &["a.rtf", "a.doc", "a.wbk"];
const DELIMITED_NAMES: &[&str] = &["a.csv", "a.slk", "a.iqy", "a.xml", "a.txt", "a.xls"];

/// First bytes of a hive input above this one say how long its transaction log is.
const LOG_FRAMING: u8 = 127;

/// Bytes of each listed file the NTFS target reads (whole files up to this size).
const NTFS_READ_BOUND: u64 = 1 << 20;
/// Free-cluster ranges the NTFS target walks.
const NTFS_FREE_RANGES: usize = 10_000;

/// What the targets share: the default profile in run settings, loaded once per process.
#[derive(Debug)]
pub struct FuzzContext {
    settings: Settings,
}

impl FuzzContext {
    /// The default profile and default limits, as a run without options has them.
    pub fn new() -> Result<FuzzContext, ProfileError> {
        let loaded = profile::load("default")?;
        let settings = Settings::new(Vec::new(), Path::new("fuzz-out").to_path_buf(), loaded)
            .progress(false)
            .threads(1);
        Ok(FuzzContext { settings })
    }
}

/// Runs `data` through `target` (one of [`TARGETS`]); false for an unknown target. Results are
/// dropped: a target only fails by panicking, hanging or exhausting memory.
pub fn run(target: &str, data: &[u8], ctx: &FuzzContext) -> bool {
    match target {
        "ooxml" => document(data, OOXML_NAMES, ctx),
        "ole" => document(data, OLE_NAMES, ctx),
        "rtf" => document(data, RTF_NAMES, ctx),
        "delimited" => document(data, DELIMITED_NAMES, ctx),
        "evtx" => event_log(data, ctx),
        "hive" => hive(data, ctx),
        "prefetch" => {
            let _ = prefetch::read(data);
        }
        "partitions" => partitions(data),
        "ntfs" => ntfs(data),
        "carver" => {
            let _ = check_memory(data, "memory.dmp", &ctx.settings);
        }
        _ => return false,
    }
    true
}

/// A document: the first byte picks its name from `names`, the rest are its bytes.
fn document(data: &[u8], names: &[&str], ctx: &FuzzContext) {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let name = names[usize::from(pick) % names.len()];
    let head = bytes.get(..artifact::HEAD_LEN).unwrap_or(bytes);
    let kind = artifact::classify(head, name);
    let _ = check_document(
        kind,
        name,
        bytes,
        &ctx.settings.profile.profile,
        &ctx.settings.limits,
    );
}

/// An event log: the chunked reader, the checks and the process-tree pass.
fn event_log(data: &[u8], ctx: &FuzzContext) {
    let log = LogContext {
        evidence: "fuzz",
        source_path: "fuzz.evtx",
    };
    let _ = check_event_log(data, &log, &ctx.settings.profile.profile, &Deadline::none());
}

/// A hive alone when the first byte is below 128; else the last (byte - 127) x 512 bytes (512 B
/// to 64 KiB) are its `.LOG1`, replayed over it.
fn hive(data: &[u8], ctx: &FuzzContext) {
    let Some((&split, rest)) = data.split_first() else {
        return;
    };
    let log_len = usize::from(split.saturating_sub(LOG_FRAMING)) * 512;
    let (hive, log) = if split <= LOG_FRAMING || log_len >= rest.len() {
        (rest, &[][..])
    } else {
        rest.split_at(rest.len() - log_len)
    };
    let logs: Vec<&[u8]> = if log.is_empty() {
        Vec::new()
    } else {
        vec![log]
    };
    let hive_ctx = HiveContext {
        evidence: "fuzz",
        source_path: "NTUSER.DAT",
        user: None,
        dirty: false,
    };
    let _ = check_hive(
        hive,
        &logs,
        hive_ctx,
        &ctx.settings.profile.profile,
        &Deadline::none(),
    );
}

/// MBR, extended partitions and GPT: the volumes a disk holds and the table problems.
fn partitions(data: &[u8]) {
    if let Ok(disk) = Disk::from_bytes(data) {
        let _ = volumes::find_volumes(&disk);
    }
}

/// The NTFS walk: tables, volumes, the listing (directories and the MFT scan), then every
/// listed file read (its head always, whole up to a bound) and the free clusters walked.
fn ntfs(data: &[u8]) {
    let Ok(disk) = Disk::from_bytes(data) else {
        return;
    };
    let opened = image::list_disk(
        0,
        Path::new("fuzz.raw"),
        Arc::new(disk),
        ContainerKind::Raw,
        true,
    );
    for entry in &opened.entries {
        if let Some(file) = &entry.image {
            let _ = file.read_head(4096);
            if entry.size <= NTFS_READ_BOUND {
                let _ = file.read();
            }
        }
        if let Some(volume) = &entry.unallocated
            && let Some(ranges) = volume.free_ranges()
        {
            let _ = ranges.take(NTFS_FREE_RANGES).count();
        }
    }
}
