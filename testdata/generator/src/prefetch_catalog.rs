//! The list of every prefetch fixture under `testdata/`: its path, the function that builds it,
//! and the values a reader must find in it.

use crate::prefetch_fixtures as f;

/// One catalogued prefetch fixture.
#[derive(Clone, Copy, Debug)]
pub struct PrefetchEntry {
    /// Path relative to `testdata/`, with `/` separators.
    pub path: &'static str,
    /// Builds the file's bytes.
    pub build: fn() -> Vec<u8>,
    /// Format version (0 for the damaged files, which do not decompress).
    pub version: u32,
    /// Whether the file is `MAM`-compressed.
    pub compressed: bool,
    /// Executable name in the header.
    pub executable: &'static str,
    /// Prefetch hash in the header.
    pub hash: u32,
    /// Run count.
    pub run_count: u32,
    /// Last run times, newest first, RFC 3339 UTC.
    pub run_times: &'static [&'static str],
    /// What the file records.
    pub about: &'static str,
}

const CMD_TIMES: &[&str] = &[
    "2024-03-04T09:12:04Z",
    "2024-03-01T17:40:22Z",
    "2024-02-29T11:05:09Z",
    "2024-02-26T08:31:47Z",
    "2024-02-22T15:18:33Z",
    "2024-02-19T10:02:56Z",
    "2024-02-14T13:27:14Z",
    "2024-02-08T09:49:38Z",
];

const fn damaged(path: &'static str, build: fn() -> Vec<u8>, about: &'static str) -> PrefetchEntry {
    PrefetchEntry {
        path,
        build,
        version: 0,
        compressed: true,
        executable: "",
        hash: 0,
        run_count: 0,
        run_times: &[],
        about,
    }
}

/// Every prefetch fixture, in the order [`crate::fixtures`] returns them (after the logs).
pub const PREFETCH_CATALOG: &[PrefetchEntry] = &[
    PrefetchEntry {
        path: "prefetch/EQNEDT32.EXE-A1B2C3D4.pf",
        build: f::eqnedt32_msi,
        version: 30,
        compressed: true,
        executable: "EQNEDT32.EXE",
        hash: 0xA1B2_C3D4,
        run_count: 3,
        run_times: &[
            "2024-03-04T09:12:05Z",
            "2024-02-27T14:03:11Z",
            "2024-02-20T08:45:30Z",
        ],
        about: "Equation Editor of an MSI Office (COMMON FILES\\MICROSOFT SHARED\\EQUATION), run 3 times, last a second after the demo's cmd.exe",
    },
    PrefetchEntry {
        path: "prefetch/EQNEDT32.EXE-0C0FFEE0.pf",
        build: f::eqnedt32_click_to_run,
        version: 23,
        compressed: false,
        executable: "EQNEDT32.EXE",
        hash: 0x0C0F_FEE0,
        run_count: 1,
        run_times: &["2023-11-14T16:20:41Z"],
        about: "Equation Editor of a Click-to-Run Office (ROOT\\VFS\\PROGRAMFILESCOMMONX86), Windows 7 format, run once",
    },
    PrefetchEntry {
        path: "prefetch/CMD.EXE-4A81B364.pf",
        build: f::cmd,
        version: 30,
        compressed: true,
        executable: "CMD.EXE",
        hash: 0x4A81_B364,
        run_count: 12,
        run_times: CMD_TIMES,
        about: "cmd.exe run 12 times, all eight time slots filled; loads CALC.EXE",
    },
    PrefetchEntry {
        path: "prefetch/POWERSHELL.EXE-022A1004.pf",
        build: f::powershell,
        version: 26,
        compressed: false,
        executable: "POWERSHELL.EXE",
        hash: 0x022A_1004,
        run_count: 5,
        run_times: &[
            "2019-06-12T10:22:31Z",
            "2019-06-11T15:04:12Z",
            "2019-06-10T09:41:55Z",
            "2019-06-07T18:20:03Z",
            "2019-06-05T08:15:44Z",
        ],
        about: "PowerShell, Windows 8.1 format, run 5 times (three empty time slots)",
    },
    PrefetchEntry {
        path: "prefetch/CERTUTIL.EXE-9E1C2B7D.pf",
        build: f::certutil,
        version: 17,
        compressed: false,
        executable: "CERTUTIL.EXE",
        hash: 0x9E1C_2B7D,
        run_count: 2,
        run_times: &["2012-05-16T13:48:09Z"],
        about: "certutil, Windows XP format (one time slot), volume \\DEVICE\\HARDDISKVOLUME1",
    },
    PrefetchEntry {
        path: "prefetch/NOTEPAD.EXE-D8414F97.pf",
        build: f::notepad,
        version: 30,
        compressed: true,
        executable: "NOTEPAD.EXE",
        hash: 0xD841_4F97,
        run_count: 4,
        run_times: &[
            "2024-03-03T18:02:40Z",
            "2024-03-01T08:10:05Z",
            "2024-02-28T12:55:19Z",
            "2024-02-21T16:37:02Z",
        ],
        about: "Notepad (negative: not a program DDE abuse starts), version 30 second layout (metrics at 0x128, run count at 0xC8)",
    },
    damaged(
        "prefetch/hostile/truncated.pf",
        f::truncated,
        "CMD.EXE-4A81B364.pf cut to its first half: the stream ends before the declared size",
    ),
    damaged(
        "prefetch/hostile/bad-mam.pf",
        f::bad_mam,
        "NOTEPAD.EXE-D8414F97.pf with the MAM header declaring 0xFFFFFFFF uncompressed bytes",
    ),
    PrefetchEntry {
        path: "sample-evidence/C/Windows/Prefetch/CMD.EXE-4A81B364.pf",
        build: f::cmd,
        version: 30,
        compressed: true,
        executable: "CMD.EXE",
        hash: 0x4A81_B364,
        run_count: 12,
        run_times: CMD_TIMES,
        about: "The demo host's cmd.exe (same bytes as prefetch/CMD.EXE-4A81B364.pf): last run 2024-03-04T09:12:04Z, the cmd.exe /k calc.exe WINWORD started",
    },
];

/// The prefetch catalogue entry for `path` (relative to `testdata/`).
pub fn find(path: &str) -> Option<&'static PrefetchEntry> {
    PREFETCH_CATALOG.iter().find(|e| e.path == path)
}
