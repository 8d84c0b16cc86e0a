//! The list of every registry hive fixture under `testdata/`: its path, the function that
//! builds it, what `ddesweep` should report, the last-written time of every key set
//! explicitly (other keys carry the `default` time) and what the hive holds.
//!
//! Users of the demo host `WS-ALICE`: alice `S-1-5-21-1111111111-2222222222-3333333333-1104`,
//! bob `...-1105`. Times are UTC.

use crate::catalog::Expect::{self, Clean, Detected};
use crate::{hive_machine as m, hive_user as u};

/// One catalogued hive fixture.
#[derive(Clone, Copy, Debug)]
pub struct HiveEntry {
    /// Path relative to `testdata/`, with `/` separators.
    pub path: &'static str,
    /// Builds the file's bytes.
    pub build: fn() -> Vec<u8>,
    /// Expected report (for a dirty hive with a log: after replay).
    pub expect: Expect,
    /// Whether `nt_hive::Hive::new` (validation on) accepts the file.
    pub valid: bool,
    /// Time of the keys not listed in `times` (RFC 3339); empty for a log file.
    pub default: &'static str,
    /// (key path from the root, last-written time) of every key set explicitly.
    pub times: &'static [(&'static str, &'static str)],
    /// What the file holds.
    pub about: &'static str,
}

/// Key times of alice's hive.
const ALICE_TIMES: &[(&str, &str)] = &[
    (r"Control Panel\Desktop", "2023-09-12T08:00:00Z"),
    (
        r"Software\Microsoft\Office\16.0\Word\Security",
        "2024-03-04T09:11:01Z",
    ),
    (
        r"Software\Microsoft\Office\16.0\Excel\Security",
        "2024-02-20T14:30:00Z",
    ),
    (
        r"Software\Policies\Microsoft\Office\16.0\Excel\Security\External Content",
        "2024-01-15T07:45:00Z",
    ),
    (
        r"Software\Microsoft\Office\16.0\Word\Options",
        "2024-02-01T10:00:00Z",
    ),
    (
        r"Software\Microsoft\Office\16.0\Word\Options\WordMail",
        "2024-02-01T10:00:05Z",
    ),
    (
        r"Software\Microsoft\Office\14.0\Word\Security",
        "2021-06-01T12:00:00Z",
    ),
    (
        r"Software\Microsoft\Office\16.0\Word\Security\Trusted Documents",
        "2023-10-02T09:00:00Z",
    ),
    (
        r"Software\Microsoft\Office\16.0\Word\Security\Trusted Documents\TrustRecords",
        "2024-03-04T09:12:02Z",
    ),
    (
        r"Software\Microsoft\Office\16.0\Word\User MRU\LiveId_ABCDEF\File MRU",
        "2024-03-04T09:12:01Z",
    ),
    (
        r"Software\Microsoft\Office\16.0\Word\User MRU\LiveId_ABCDEF\Place MRU",
        "2024-03-04T09:12:01Z",
    ),
    (
        r"Software\Microsoft\Office\16.0\Excel\File MRU",
        "2024-03-04T08:47:30Z",
    ),
];

/// What alice's hive holds.
const ALICE_ABOUT: &str = "Word 16 Security AllowDDE=1; Excel 16 Security DisableDDEServerLaunch=0, \
DisableDDEServerLookup=1, WorkbookLinkWarnings=2; Policies Excel 16 External Content \
DisableDDEServerLookup=0; Word 16 Options DontUpdateLinks=0, Options\\WordMail DontUpdateLinks=1; \
Word 14 Security AllowDDE=0; TrustRecords: %USERPROFILE%/Downloads/Invoice_2291.docx (trusted \
2024-03-04T09:12:02Z, bias 0, flag 1 = editing enabled) and file://fileserver/share/Q1.xlsx \
(2024-02-28T16:20:00Z, bias 0, flag 0x7FFFFFFF = content enabled); Word User MRU File MRU Item 1 \
Invoice_2291.docx opened 2024-03-04T09:12:01Z, Item 2 Documents\\Q4_Budget.docx opened \
2024-02-27T15:42:10Z, Place MRU Item 1 Downloads\\ at 09:12:01Z; Excel File MRU Item 1 \
Payment_Advice.xlsx (INetCache\\Content.Outlook) opened 2024-03-04T08:47:30Z";

/// Key times of the machine `SOFTWARE` hives.
const SOFTWARE_TIMES: &[(&str, &str)] = &[
    (
        r"Microsoft\Windows NT\CurrentVersion",
        "2024-02-14T03:10:00Z",
    ),
    (
        r"Microsoft\Windows NT\CurrentVersion\ProfileList\S-1-5-18",
        "2023-09-12T07:30:00Z",
    ),
    (
        r"Microsoft\Windows NT\CurrentVersion\ProfileList\S-1-5-21-1111111111-2222222222-3333333333-1104",
        "2023-09-12T08:00:00Z",
    ),
    (
        r"Microsoft\Windows NT\CurrentVersion\ProfileList\S-1-5-21-1111111111-2222222222-3333333333-1105",
        "2023-09-12T08:30:00Z",
    ),
    (
        r"Microsoft\Office\ClickToRun\Configuration",
        "2024-02-14T03:20:00Z",
    ),
    (
        r"Microsoft\Office\Common\COM Compatibility\{0002CE02-0000-0000-C000-000000000046}",
        "2023-11-14T10:00:00Z",
    ),
    (
        r"WOW6432Node\Microsoft\Office\Common\COM Compatibility\{0002CE02-0000-0000-C000-000000000046}",
        "2024-03-01T17:05:00Z",
    ),
];

/// Key times of `SOFTWARE-killbit-set`: those of `SOFTWARE` but for the kill-bit keys.
const KILLBIT_TIMES: &[(&str, &str)] = &[
    (
        r"Microsoft\Windows NT\CurrentVersion",
        "2024-02-14T03:10:00Z",
    ),
    (
        r"Microsoft\Windows NT\CurrentVersion\ProfileList\S-1-5-18",
        "2023-09-12T07:30:00Z",
    ),
    (
        r"Microsoft\Windows NT\CurrentVersion\ProfileList\S-1-5-21-1111111111-2222222222-3333333333-1104",
        "2023-09-12T08:00:00Z",
    ),
    (
        r"Microsoft\Windows NT\CurrentVersion\ProfileList\S-1-5-21-1111111111-2222222222-3333333333-1105",
        "2023-09-12T08:30:00Z",
    ),
    (
        r"Microsoft\Office\ClickToRun\Configuration",
        "2024-02-14T03:20:00Z",
    ),
    (
        r"Microsoft\Office\Common\COM Compatibility\{0002CE02-0000-0000-C000-000000000046}",
        "2023-11-14T10:00:00Z",
    ),
    (
        r"WOW6432Node\Microsoft\Office\Common\COM Compatibility\{0002CE02-0000-0000-C000-000000000046}",
        "2023-11-14T10:00:00Z",
    ),
    (
        r"Microsoft\Office\ClickToRun\REGISTRY\MACHINE\Software\Microsoft\Office\Common\COM Compatibility\{0002CE02-0000-0000-C000-000000000046}",
        "2023-11-14T10:00:10Z",
    ),
];

/// What `SOFTWARE` holds.
const SOFTWARE_ABOUT: &str = "Equation Editor {0002CE02-...} Compatibility Flags=0x400 (kill bit) \
under Microsoft\\Office\\Common\\COM Compatibility, =0 under WOW6432Node (cleared: runnable from \
32-bit Office), no ClickToRun REGISTRY\\MACHINE copy; ProfileList: alice -> C:\\Users\\alice, \
bob -> C:\\Users\\bob (REG_EXPAND_SZ), S-1-5-18; Windows 10 Pro 19045; Click-to-Run x64 \
16.0.17328.20162";

/// What `SYSTEM` holds, and its key times.
const SYSTEM_TIMES: &[(&str, &str)] = &[
    ("Select", "2023-09-12T07:30:00Z"),
    (
        r"ControlSet001\Control\ComputerName\ComputerName",
        "2023-09-12T07:45:00Z",
    ),
    (
        r"ControlSet001\Control\TimeZoneInformation",
        "2023-09-12T07:46:00Z",
    ),
];
const SYSTEM_ABOUT: &str = "Select Current=1 Default=1 Failed=0 LastKnownGood=1; ControlSet001 \
ComputerName=WS-ALICE; TimeZoneInformation TimeZoneKeyName=UTC Bias=0";

/// Every hive fixture, in the order [`crate::fixtures`] returns them (after the logs).
pub const HIVE_CATALOG: &[HiveEntry] = &[
    HiveEntry {
        path: "hives/alice/NTUSER.DAT",
        build: u::alice_ntuser,
        expect: Detected,
        valid: true,
        default: "2023-09-12T08:00:00Z",
        times: ALICE_TIMES,
        about: ALICE_ABOUT,
    },
    HiveEntry {
        path: "hives/bob/NTUSER.DAT",
        build: u::bob_ntuser,
        expect: Clean,
        valid: true,
        default: "2023-09-12T08:30:00Z",
        times: &[
            (
                r"Software\Microsoft\Office\16.0\Word\Security",
                "2024-01-10T08:00:00Z",
            ),
            (
                r"Software\Microsoft\Office\16.0\Excel\Security",
                "2024-01-10T08:00:10Z",
            ),
            (
                r"Software\Microsoft\Office\16.0\Word\Options",
                "2024-01-10T08:00:20Z",
            ),
            (
                r"Software\Microsoft\Office\16.0\Word\User MRU\LiveId_123456\File MRU",
                "2024-02-29T11:00:00Z",
            ),
        ],
        about: "Word 16 Security AllowDDE=0; Excel 16 Security DisableDDEServerLaunch=1; Word 16 \
Options DontUpdateLinks=1; no TrustRecords; an empty Word File MRU",
    },
    HiveEntry {
        path: "hives/SOFTWARE",
        build: m::software,
        expect: Detected,
        valid: true,
        default: "2023-09-12T07:30:00Z",
        times: SOFTWARE_TIMES,
        about: SOFTWARE_ABOUT,
    },
    HiveEntry {
        path: "hives/SOFTWARE-killbit-set",
        build: m::software_killbit_set,
        expect: Clean,
        valid: true,
        default: "2023-09-12T07:30:00Z",
        times: KILLBIT_TIMES,
        about: "As hives/SOFTWARE (same other keys and times) but Compatibility Flags=0x400 under \
all three paths (native, WOW6432Node, ClickToRun REGISTRY\\MACHINE): Equation Editor blocked",
    },
    HiveEntry {
        path: "hives/SYSTEM",
        build: m::system,
        expect: Clean,
        valid: true,
        default: "2023-09-12T07:30:00Z",
        times: SYSTEM_TIMES,
        about: SYSTEM_ABOUT,
    },
    HiveEntry {
        path: "hives/dirty/NTUSER.DAT",
        build: u::dirty_ntuser,
        expect: Detected,
        valid: false,
        default: "2023-09-12T08:00:00Z",
        times: ALICE_TIMES,
        about: "Dirty (primary sequence 42, secondary 41): alice's hive with Word AllowDDE=0 and no \
Excel DisableDDEServerLaunch. After replaying NTUSER.DAT.LOG1: AllowDDE=2 (Word\\Security written \
2024-03-04T09:20:00Z), Excel Security DisableDDEServerLaunch=0 added (Excel\\Security written \
2024-03-04T09:20:05Z), sequence numbers 42/42, every other value as alice's",
    },
    HiveEntry {
        path: "hives/dirty/NTUSER.DAT.LOG1",
        build: u::dirty_log1,
        expect: Clean,
        valid: false,
        default: "",
        times: &[],
        about: "New-format log of hives/dirty/NTUSER.DAT: 512-byte base block (file type 6, \
sequence 42/42), one HvLE entry (sequence 42) with every 4096-byte page that differs from the \
primary file; not a hive by itself",
    },
    HiveEntry {
        path: "hives/dirty-nolog/NTUSER.DAT",
        build: u::dirty_nolog_ntuser,
        expect: Detected,
        valid: false,
        default: "2023-09-12T09:00:00Z",
        times: &[(
            r"Software\Microsoft\Office\16.0\Word\Security",
            "2024-03-04T09:11:01Z",
        )],
        about: "Dirty (sequence 7/6), no log: Word 16 Security AllowDDE=1",
    },
    HiveEntry {
        path: "hives/renamed.bin",
        build: u::renamed_hive,
        expect: Detected,
        valid: true,
        default: "2023-09-12T09:00:00Z",
        times: &[(
            r"Software\Microsoft\Office\16.0\Word\Security",
            "2024-03-04T09:11:01Z",
        )],
        about: "A small clean user hive under a name without hive naming (found by magic): Word 16 \
Security AllowDDE=1",
    },
    HiveEntry {
        path: "sample-evidence/C/Users/alice/NTUSER.DAT",
        build: u::alice_ntuser,
        expect: Detected,
        valid: true,
        default: "2023-09-12T08:00:00Z",
        times: ALICE_TIMES,
        about: "hives/alice/NTUSER.DAT in the demo folder",
    },
    HiveEntry {
        path: "sample-evidence/C/Windows/System32/config/SOFTWARE",
        build: m::software,
        expect: Detected,
        valid: true,
        default: "2023-09-12T07:30:00Z",
        times: SOFTWARE_TIMES,
        about: "hives/SOFTWARE in the demo folder",
    },
    HiveEntry {
        path: "sample-evidence/C/Windows/System32/config/SYSTEM",
        build: m::system,
        expect: Clean,
        valid: true,
        default: "2023-09-12T07:30:00Z",
        times: SYSTEM_TIMES,
        about: "hives/SYSTEM in the demo folder",
    },
];

/// The hive catalogue entry for `path` (relative to `testdata/`).
pub fn find(path: &str) -> Option<&'static HiveEntry> {
    HIVE_CATALOG.iter().find(|e| e.path == path)
}
