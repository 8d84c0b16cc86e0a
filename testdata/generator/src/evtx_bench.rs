//! The benchmark Sysmon log: a realistic `Microsoft-Windows-Sysmon/Operational` stream of
//! any length, written chunk by chunk (a million records make a few hundred MB).
//!
//! Per 1,000 records: 100 Sysmon 1, 150 Sysmon 3, 300 Sysmon 7, 100 Sysmon 10, 150 Sysmon 11,
//! 150 Sysmon 13 and 50 Sysmon 22, interleaved. Exactly one Sysmon 1 per 1,000 is a planted
//! WINWORD.EXE -> `cmd.exe /c calc.exe`, and exactly one Sysmon 13 sets Word's AllowDDE to
//! `DWORD (0x00000001)`; everything else is benign, with process ids, GUIDs, paths and
//! addresses drawn from a deterministic PRNG so that no two records repeat.

use std::io::{self, Write};

use crate::evtx::{EvtxEvent, EvtxStreamWriter, FileHeader, FileSummary};
use crate::evtx_events::*;
use crate::prose::Rng;

/// How many of each Sysmon event id a block of 1,000 records holds, in layout order.
pub const BLOCK_MIX: [(u16, u64); 7] = [
    (1, 100),
    (3, 150),
    (7, 300),
    (10, 100),
    (11, 150),
    (13, 150),
    (22, 50),
];

/// Records per block.
const BLOCK: u64 = 1000;
/// Stride that spreads the layout over a block (coprime with 1,000).
const STRIDE: u64 = 617;
/// Layout position of the planted WINWORD -> cmd.exe (inside the Sysmon 1 range).
const SHELL_POS: u64 = 50;
/// Layout position of the planted AllowDDE write (inside the Sysmon 13 range).
const ALLOW_DDE_POS: u64 = 875;
/// FILETIME ticks between records (37 ms).
const RECORD_GAP: u64 = 370_000;

/// What [`write_bench_log`] wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BenchLogStats {
    /// Records written (ids 1..=records).
    pub records: u64,
    /// Chunks written.
    pub chunks: u64,
    /// Bytes written.
    pub bytes: u64,
    /// Planted Sysmon 1 WINWORD.EXE -> `cmd.exe /c calc.exe` records.
    pub office_shells: u64,
    /// Planted Sysmon 13 AllowDDE = `DWORD (0x00000001)` records.
    pub allow_dde: u64,
}

/// What record `index` (0-based) is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenchKind {
    /// A benign record of this Sysmon event id.
    Benign(u16),
    /// The planted WINWORD.EXE -> cmd.exe.
    OfficeShell,
    /// The planted AllowDDE write.
    AllowDde,
}

/// The kind of record `index`: its block slot maps to a layout position by a fixed stride.
pub fn bench_kind(index: u64) -> BenchKind {
    let pos = (index % BLOCK) * STRIDE % BLOCK;
    if pos == SHELL_POS {
        return BenchKind::OfficeShell;
    }
    if pos == ALLOW_DDE_POS {
        return BenchKind::AllowDde;
    }
    let mut end = 0;
    for (id, count) in BLOCK_MIX {
        end += count;
        if pos < end {
            return BenchKind::Benign(id);
        }
    }
    BenchKind::Benign(1)
}

/// A random process id (multiple of 4).
fn pid(rng: &mut Rng) -> u32 {
    4 * rng.range(100, 9000) as u32
}

/// Random lowercase hex digits.
fn hex(rng: &mut Rng, digits: usize) -> String {
    let mut s = format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64());
    s.truncate(digits);
    s
}

const BENIGN_PARENTS: [(&str, &str); 6] = [
    (EXPLORER, "C:\\Windows\\Explorer.EXE"),
    (SERVICES, SERVICES),
    (
        SVCHOST,
        "C:\\Windows\\system32\\svchost.exe -k DcomLaunch -p",
    ),
    (
        WINWORD,
        "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE\" /n",
    ),
    (
        EXCEL,
        "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE\"",
    ),
    (
        OUTLOOK,
        "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE\"",
    ),
];

/// A benign child of parent `p` (index into [`BENIGN_PARENTS`]): image and command line.
fn benign_child(p: usize, rng: &mut Rng) -> (String, String) {
    let n = rng.below(10_000);
    let (image, cmd) = match (p, rng.below(3)) {
        (0, 0) => (
            "C:\\Windows\\System32\\notepad.exe".to_owned(),
            format!(
                "\"C:\\Windows\\System32\\notepad.exe\" C:\\Users\\alice\\Documents\\notes-{n}.txt"
            ),
        ),
        (0, 1) => (
            WINWORD.to_owned(),
            format!("\"{WINWORD}\" /n \"C:\\Users\\alice\\Documents\\Report_{n}.docx\""),
        ),
        (0, _) => (
            "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe".to_owned(),
            format!(
                "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --profile-directory=Default --tab={n}"
            ),
        ),
        (1, _) => (
            SVCHOST.to_owned(),
            format!("C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Svc{n}"),
        ),
        (2, 0) => (
            "C:\\Windows\\System32\\RuntimeBroker.exe".to_owned(),
            "C:\\Windows\\System32\\RuntimeBroker.exe -Embedding".to_owned(),
        ),
        (2, _) => (
            "C:\\Windows\\System32\\taskhostw.exe".to_owned(),
            format!("taskhostw.exe Install $(Arg{n})"),
        ),
        (3 | 4, _) => (
            "C:\\Windows\\splwow64.exe".to_owned(),
            "C:\\Windows\\splwow64.exe 8192".to_owned(),
        ),
        (_, 0) => (
            "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe".to_owned(),
            format!(
                "\"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe\" --single-argument https://intranet.corp.example/page/{n}"
            ),
        ),
        (_, _) => (
            "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe".to_owned(),
            format!(
                "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --single-argument https://example.com/{n}"
            ),
        ),
    };
    (image, cmd)
}

/// A benign Sysmon 1: a parent from a fixed set (a third of them Office) starting a benign
/// child, with random ids and GUIDs.
pub fn benign_process_creation(record_id: u64, time: u64, rng: &mut Rng) -> EvtxEvent<'static> {
    let p = rng.below(BENIGN_PARENTS.len());
    let (parent_image, parent_cmd) = BENIGN_PARENTS[p];
    let system = p == 1 || p == 2;
    let (image, cmd) = benign_child(p, rng);
    let mut parent = Proc::new(parent_image, parent_cmd, pid(rng), rng.next_u64());
    let mut child = Proc::new(&image, &cmd, pid(rng), rng.next_u64());
    if system {
        parent = parent.as_user(SYSTEM);
        child = child.as_user(SYSTEM);
    }
    sysmon_1(record_id, time, &child, &parent)
}

/// The planted Sysmon 1: WINWORD.EXE -> `cmd.exe /c calc.exe`.
pub fn office_shell(record_id: u64, time: u64, rng: &mut Rng) -> EvtxEvent<'static> {
    let word = Proc::new(WINWORD, BENIGN_PARENTS[3].1, pid(rng), rng.next_u64());
    let cmd = Proc::new(CMD, "cmd.exe /c calc.exe", pid(rng), rng.next_u64());
    sysmon_1(record_id, time, &cmd, &word)
}

const APPS: [&str; 5] = [
    WINWORD,
    "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
    SVCHOST,
    "C:\\Users\\alice\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe",
    EXCEL,
];

const DLLS: [&str; 8] = [
    "ntdll.dll",
    "kernel32.dll",
    "KernelBase.dll",
    "user32.dll",
    "combase.dll",
    "ole32.dll",
    "crypt32.dll",
    "winhttp.dll",
];

const DOMAINS: [&str; 6] = [
    "officeapps.live.com",
    "google.com",
    "microsoft.com",
    "windowsupdate.com",
    "corp.example",
    "onedrive.live.com",
];

/// Record `index` (0-based; id `index + 1`) of the benchmark log. With `plants` off the
/// planted slots hold benign Sysmon 1 and 13 records instead.
pub fn bench_event(index: u64, plants: bool) -> EvtxEvent<'static> {
    let mut rng = Rng::new(0xE7_0000_0000 ^ index.wrapping_mul(0x9E37_79B9));
    let (id, time) = (index + 1, START + index * RECORD_GAP);
    let app = |rng: &mut Rng| Proc::new(APPS[rng.below(APPS.len())], "", pid(rng), rng.next_u64());
    let kind = match bench_kind(index) {
        BenchKind::OfficeShell if !plants => BenchKind::Benign(1),
        BenchKind::AllowDde if !plants => BenchKind::Benign(13),
        kind => kind,
    };
    match kind {
        BenchKind::OfficeShell => office_shell(id, time, &mut rng),
        BenchKind::AllowDde => {
            let reg = Proc::new(
                "C:\\Windows\\System32\\reg.exe",
                "",
                pid(&mut rng),
                rng.next_u64(),
            );
            let key = format!(
                "HKU\\{ALICE_SID}\\Software\\Microsoft\\Office\\16.0\\Word\\Security\\AllowDDE"
            );
            sysmon_13(id, time, &reg, &key, "DWORD (0x00000001)")
        }
        BenchKind::Benign(1) => benign_process_creation(id, time, &mut rng),
        BenchKind::Benign(3) => {
            let p = app(&mut rng);
            let ip = format!("13.107.{}.{}", rng.below(256), rng.below(256));
            let host = format!(
                "host{}.{}",
                rng.below(1000),
                DOMAINS[rng.below(DOMAINS.len())]
            );
            let conn = Conn {
                protocol: "tcp",
                source_ip: "10.0.0.23",
                source_port: 49152 + rng.below(16000) as u16,
                destination_ip: &ip,
                destination_hostname: &host,
                destination_port: 443,
            };
            sysmon_3(id, time, &p, &conn)
        }
        BenchKind::Benign(7) => {
            let p = app(&mut rng);
            let dll = format!("C:\\Windows\\System32\\{}", DLLS[rng.below(DLLS.len())]);
            sysmon_7(id, time, &p, &dll, true)
        }
        BenchKind::Benign(10) => {
            let source = Proc::new("C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24010.12-0\\MsMpEng.exe", "", pid(&mut rng), rng.next_u64()).as_user(SYSTEM);
            let target = app(&mut rng);
            let trace = format!(
                "C:\\Windows\\SYSTEM32\\ntdll.dll+{}|C:\\Windows\\System32\\KERNELBASE.dll+{}|UNKNOWN({})",
                hex(&mut rng, 5),
                hex(&mut rng, 5),
                hex(&mut rng, 16)
            );
            sysmon_10(
                id,
                time,
                &source,
                &target,
                ["0x1000", "0x1410", "0x101541"][rng.below(3)],
                &trace,
            )
        }
        BenchKind::Benign(11) => {
            let p = app(&mut rng);
            let file = match rng.below(3) {
                0 => format!(
                    "C:\\Users\\alice\\AppData\\Local\\Temp\\{}.tmp",
                    hex(&mut rng, 8)
                ),
                1 => format!(
                    "C:\\Users\\alice\\AppData\\Local\\Microsoft\\Windows\\INetCache\\IE\\{}\\file{}.dat",
                    hex(&mut rng, 8).to_uppercase(),
                    rng.below(100)
                ),
                _ => format!(
                    "C:\\Users\\alice\\Documents\\~$draft{}.docx",
                    rng.below(10_000)
                ),
            };
            sysmon_11(id, time, &p, &file)
        }
        BenchKind::Benign(13) => {
            let p = app(&mut rng);
            let (key, details) = match rng.below(3) {
                0 => (
                    format!(
                        "HKLM\\System\\CurrentControlSet\\Services\\bam\\State\\UserSettings\\{ALICE_SID}\\\\Device\\HarddiskVolume3\\app{}.exe",
                        rng.below(500)
                    ),
                    "Binary Data".to_owned(),
                ),
                1 => (
                    format!(
                        "HKU\\{ALICE_SID}\\Software\\Microsoft\\Office\\16.0\\Word\\Reading Locations\\Document {}\\Position",
                        rng.below(20)
                    ),
                    format!("DWORD (0x{:08x})", rng.below(1 << 20)),
                ),
                _ => (
                    format!(
                        "HKU\\{ALICE_SID}\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\RecentDocs\\{}",
                        rng.below(50)
                    ),
                    "Binary Data".to_owned(),
                ),
            };
            sysmon_13(id, time, &p, &key, &details)
        }
        BenchKind::Benign(_) => {
            let p = app(&mut rng);
            let query = format!("h{}.{}", rng.below(1000), DOMAINS[rng.below(DOMAINS.len())]);
            let results = format!("::ffff:13.107.{}.{};", rng.below(256), rng.below(256));
            sysmon_22(id, time, &p, &query, &results)
        }
    }
}

/// Streams `records` records to `out` under `header`.
fn stream<W: Write>(
    out: W,
    header: &FileHeader,
    records: u64,
) -> io::Result<(FileSummary, BenchLogStats)> {
    let mut writer = EvtxStreamWriter::new(out, header)?;
    let mut stats = BenchLogStats::default();
    for index in 0..records {
        match bench_kind(index) {
            BenchKind::OfficeShell => stats.office_shells += 1,
            BenchKind::AllowDde => stats.allow_dde += 1,
            BenchKind::Benign(_) => {}
        }
        writer.push(&bench_event(index, true))?;
    }
    let (_, summary) = writer.finish()?;
    Ok((summary, stats))
}

/// Writes a benchmark Sysmon log of `records` records to `out`, chunk by chunk. The file
/// header comes first, so a dry run into [`io::sink`] lays the chunks out beforehand.
pub fn write_bench_log(out: &mut impl Write, records: u64) -> io::Result<BenchLogStats> {
    let (plan, _) = stream(io::sink(), &FileHeader::default(), records)?;
    let (summary, stats) = stream(out, &FileHeader::describing(&plan), records)?;
    Ok(BenchLogStats {
        records: summary.records,
        chunks: summary.chunks,
        bytes: summary.bytes,
        ..stats
    })
}
