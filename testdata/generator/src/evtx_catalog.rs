//! The list of every EVTX fixture under `testdata/`: its path, the function that builds it,
//! what `ddesweep` should report, and how the `evtx` crate reads it back.

use crate::catalog::Expect::{self, Clean, Detected};
use crate::{evtx_hostile as h, evtx_negative as n, evtx_positive as p, evtx_tree as t};

/// One catalogued EVTX fixture.
#[derive(Clone, Copy, Debug)]
pub struct EvtxEntry {
    /// Path relative to `testdata/`, with `/` separators.
    pub path: &'static str,
    /// Builds the file's bytes.
    pub build: fn() -> Vec<u8>,
    /// Expected report.
    pub expect: Expect,
    /// Records the `evtx` crate (0.15, default settings) yields without error.
    pub records: usize,
    /// Record errors it yields (damaged files only).
    pub errors: usize,
    /// What the log holds.
    pub about: &'static str,
}

const fn entry(
    path: &'static str,
    build: fn() -> Vec<u8>,
    expect: Expect,
    records: usize,
    about: &'static str,
) -> EvtxEntry {
    EvtxEntry {
        path,
        build,
        expect,
        records,
        errors: 0,
        about,
    }
}

/// Every EVTX fixture, in the order [`crate::fixtures`] returns them (after the documents).
pub const EVTX_CATALOG: &[EvtxEntry] = &[
    entry(
        "evtx/positive/sysmon-1-office-child.evtx",
        p::sysmon_1_office_child,
        Detected,
        7,
        "Sysmon 1: Word, Excel, Outlook and PowerPoint starting cmd, PowerShell, a dropped exe, Tableau, WMIC and rundll32 (ids 1-7)",
    ),
    entry(
        "evtx/positive/sysmon-1-eqnedt.evtx",
        p::sysmon_1_eqnedt,
        Detected,
        3,
        "Sysmon 1: svchost -> EQNEDT32.EXE, which starts vbc.exe and cmd.exe (ids 1-3)",
    ),
    entry(
        "evtx/positive/sysmon-1-lookalike.evtx",
        p::sysmon_1_lookalike,
        Detected,
        2,
        "Sysmon 1: a WINWORD.exe in the roaming profile starting rundll32 on a DLL beside it (ids 1-2)",
    ),
    entry(
        "evtx/positive/security-4688-v2.evtx",
        p::security_4688_v2,
        Detected,
        2,
        "Security 4688 v2: explorer -> WINWORD.EXE (0x1a2c) -> cmd.exe (0x1b40) downloading a script (ids 1-2)",
    ),
    entry(
        "evtx/positive/security-4688-v1.evtx",
        p::security_4688_v1,
        Detected,
        4,
        "Security 4688 v1 (no parent name): EXCEL.EXE 0xb48, notepad reusing 0xb48, cmd.exe created by 0xb48, cmd.exe by unknown 0x1ff0 (ids 10-13)",
    ),
    entry(
        "evtx/positive/sysmon-13-dde-registry.evtx",
        p::sysmon_13_dde_registry,
        Detected,
        7,
        "Sysmon 13/12: AllowDDE 1 and 2, DDE server launch and lookup enabled, links updated, Equation Editor compatibility flags cleared and key deleted (ids 1-7)",
    ),
    entry(
        "evtx/positive/security-4657-dde-registry.evtx",
        p::security_4657_dde_registry,
        Detected,
        1,
        "Security 4657: regedit sets Word's AllowDDE from 0 to 2 (id 1)",
    ),
    entry(
        "evtx/positive/sysmon-3-eqnedt-network.evtx",
        p::sysmon_3_eqnedt_network,
        Detected,
        1,
        "Sysmon 3: EQNEDT32.EXE connects to 203.0.113.50:80 (id 1)",
    ),
    entry(
        "evtx/positive/sysmon-7-office-module.evtx",
        p::sysmon_7_office_module,
        Detected,
        1,
        "Sysmon 7: WINWORD.EXE loads an unsigned wwlib.dll from Temp (id 1)",
    ),
    entry(
        "evtx/positive/oalerts-300.evtx",
        p::oalerts_300_log,
        Detected,
        2,
        "OAlerts 300: Word's update-links prompt and Excel's start-CMD.EXE prompt (ids 1-2)",
    ),
    entry(
        "evtx/positive/renamed-log.dat",
        p::renamed_log,
        Detected,
        7,
        "sysmon-1-office-child.evtx under a name without .evtx (found by magic)",
    ),
    entry(
        "evtx/positive/multi-chunk.evtx",
        h::multi_chunk,
        Detected,
        2000,
        "2,000 benign Sysmon records over several chunks; id 1500 is WINWORD.EXE -> cmd.exe /c calc.exe",
    ),
    entry(
        "evtx/positive/sysmon-office-tree.evtx",
        t::sysmon_office_tree,
        Detected,
        12,
        "Sysmon: Outlook saves Remittance_May.docx (id 2), Word opens it (3) and starts cmd.exe (4), which starts PowerShell (5): DNS, connection, file, Run key (6-9), remitsync.exe (10); noise: explorer -> notepad (11), Chrome's DNS query (12)",
    ),
    entry(
        "evtx/negative/sysmon-1-benign.evtx",
        n::sysmon_1_benign,
        Clean,
        7,
        "Sysmon 1: Word without a document, splwow64, services' cmd, Outlook opening Chrome, Office14 and Store Word via svchost (ids 1-7)",
    ),
    entry(
        "evtx/negative/security-4688-benign.evtx",
        n::security_4688_benign,
        Clean,
        3,
        "Security 4688 v2: notepad, svchost and splwow64 starts (ids 1-3)",
    ),
    entry(
        "evtx/negative/sysmon-13-benign.evtx",
        n::sysmon_13_benign,
        Clean,
        6,
        "Sysmon 13: DDE disabled, AccessVBOM, the Equation Editor kill bit, links not updated, a BAM value (ids 1-6)",
    ),
    entry(
        "evtx/negative/security-4657-benign.evtx",
        n::security_4657_benign,
        Clean,
        2,
        "Security 4657: AllowDDE set to 0, Excel VBAWarnings set to 1 (ids 1-2)",
    ),
    entry(
        "evtx/negative/sysmon-3-benign.evtx",
        n::sysmon_3_benign,
        Clean,
        2,
        "Sysmon 3: Chrome and Word connecting to 443 (ids 1-2)",
    ),
    entry(
        "evtx/negative/sysmon-7-benign.evtx",
        n::sysmon_7_benign,
        Clean,
        3,
        "Sysmon 7: Word loading its own WWLIB.DLL and kernel32, a non-Office app loading a DLL beside it (ids 1-3)",
    ),
    entry(
        "evtx/negative/oalerts-benign.evtx",
        n::oalerts_benign,
        Clean,
        1,
        "OAlerts 300: Word's save-changes prompt (id 1)",
    ),
    entry(
        "evtx/negative/sysmon-1-excluded.evtx",
        n::sysmon_1_excluded,
        Clean,
        2,
        "Sysmon 1: Excel starting MSOSYNC.EXE and the excluded Contoso ERP ddebridge.cmd (ids 1-2)",
    ),
    entry(
        "evtx/hostile/truncated.evtx",
        h::truncated,
        Clean,
        120,
        "Three chunks of 60 benign Sysmon 1 (ids 1-180) cut 1,000 bytes into the third chunk: the evtx crate yields ids 1-120 and no error (it reads whole chunks only)",
    ),
    EvtxEntry {
        errors: 1,
        ..entry(
            "evtx/hostile/bad-chunk.evtx",
            h::bad_chunk,
            Clean,
            120,
            "Three chunks of 60 benign Sysmon 1 (ids 1-180), the second chunk's magic XXXXXXXX, the header counting 1 chunk: the evtx crate yields ids 1-60, one error (chunk 1), then ids 121-180",
        )
    },
    entry(
        "sample-evidence/C/Windows/System32/winevt/Logs/Microsoft-Windows-Sysmon%4Operational.evtx",
        h::evidence_sysmon,
        Detected,
        22,
        "The demo story: AllowDDE = 1 at 09:11:01 (id 8), WINWORD opens Invoice_2291.docx at 09:12:01 (id 12), WINWORD -> cmd.exe /k calc.exe at 09:12:04 (id 13), 19 benign events",
    ),
    entry(
        "sample-evidence/C/Windows/System32/winevt/Logs/Security.evtx",
        h::evidence_security,
        Detected,
        6,
        "Security 4688 v2 of the demo story: WINWORD at 09:12:01 (id 3), its cmd.exe /k calc.exe at 09:12:04 (id 4), four benign starts",
    ),
];

/// The EVTX catalogue entry for `path` (relative to `testdata/`).
pub fn find(path: &str) -> Option<&'static EvtxEntry> {
    EVTX_CATALOG.iter().find(|e| e.path == path)
}
