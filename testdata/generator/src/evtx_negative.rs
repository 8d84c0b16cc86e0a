//! EVTX fixtures of ordinary activity that looks like DDE abuse at a glance and must not be
//! reported: Office without documents or with benign children, services starting shells,
//! Office starting from other folders, harmless registry values, alerts and modules.

use crate::evtx::EvtxEvent;
use crate::evtx_events::*;
use crate::evtx_positive::{EQNEDT_COMPAT, EXPLORER_PROC, hku, log, registry_user};
use crate::evtx_security::{NewProcess, ValueChange, oalerts_300, security_4657, security_4688};

/// Sysmon 1 events for (child, parent) pairs, ids from 1, one second apart.
fn process_log(pairs: &[(Proc<'_>, Proc<'_>)]) -> Vec<u8> {
    log(pairs
        .iter()
        .enumerate()
        .map(|(i, (child, parent))| sysmon_1(i as u64 + 1, at(i as u64), child, parent)))
}

/// Word started without a document (4520, GUID seed 0x501).
const WORD_PLAIN: Proc<'static> = Proc::new(
    WINWORD,
    r#""C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE" /n"#,
    4520,
    0x501,
);

/// `sysmon-1-benign.evtx`: 1 explorer -> WINWORD.EXE `/n` (no document); 2 WINWORD ->
/// splwow64.exe; 3 explorer -> cmd.exe; 4 services.exe -> `cmd.exe /c net stop spooler`;
/// 5 OUTLOOK.EXE -> chrome.exe opening a link; 6 svchost -> Office14 WINWORD.EXE
/// `-Embedding`; 7 svchost -> the Store (WindowsApps) WINWORD.EXE.
pub fn sysmon_1_benign() -> Vec<u8> {
    let services = Proc::new(SERVICES, SERVICES, 712, 0x502).as_user(SYSTEM);
    let svchost = Proc::new(
        SVCHOST,
        r"C:\Windows\system32\svchost.exe -k DcomLaunch -p",
        868,
        0x503,
    )
    .as_user(SYSTEM);
    let outlook = Proc::new(
        OUTLOOK,
        r#""C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE""#,
        2980,
        0x504,
    );
    let office14 = r"C:\Program Files (x86)\Microsoft Office\Office14\WINWORD.EXE";
    let store = r"C:\Program Files\WindowsApps\Microsoft.Office.Desktop.Word_16051.17126.20132.0_x86__8wekyb3d8bbwe\Office16\WINWORD.EXE";
    let store_cmd = format!("\"{store}\" -Embedding");
    process_log(&[
        (WORD_PLAIN, EXPLORER_PROC),
        (
            Proc::new(
                r"C:\Windows\splwow64.exe",
                r"C:\Windows\splwow64.exe 8192",
                4604,
                0x505,
            ),
            WORD_PLAIN,
        ),
        (
            Proc::new(CMD, r#""C:\Windows\System32\cmd.exe" "#, 4700, 0x506),
            EXPLORER_PROC,
        ),
        (
            Proc::new(
                CMD,
                r"C:\Windows\System32\cmd.exe /c net stop spooler",
                4788,
                0x507,
            )
            .as_user(SYSTEM),
            services,
        ),
        (
            Proc::new(
                r"C:\Program Files\Google\Chrome\Application\chrome.exe",
                r"C:\Program Files\Google\Chrome\Application\chrome.exe --single-argument https://example.com/",
                4812,
                0x508,
            ),
            outlook,
        ),
        (
            Proc::new(
                office14,
                r"C:\Program Files (x86)\Microsoft Office\Office14\WINWORD.EXE -Embedding",
                4936,
                0x509,
            ),
            svchost,
        ),
        (Proc::new(store, &store_cmd, 5012, 0x50a), svchost),
    ])
}

/// `security-4688-benign.evtx` (version 2): 1 explorer -> notepad.exe; 2 services.exe ->
/// svchost.exe (SYSTEM); 3 WINWORD.EXE -> splwow64.exe.
pub fn security_4688_benign() -> Vec<u8> {
    let records = [
        NewProcess {
            new_process_id: 0x1c20,
            new_process_name: r"C:\Windows\System32\notepad.exe",
            process_id: 0x7fc,
            command_line: r#""C:\Windows\System32\notepad.exe" C:\Users\alice\Documents\notes.txt"#,
            parent_process_name: EXPLORER,
            logon: ALICE_LOGON,
        },
        NewProcess {
            new_process_id: 0x1c64,
            new_process_name: SVCHOST,
            process_id: 0x2c8,
            command_line: r"C:\Windows\system32\svchost.exe -k netsvcs -p -s BITS",
            parent_process_name: SERVICES,
            logon: SYSTEM_LOGON,
        },
        NewProcess {
            new_process_id: 0x1ca8,
            new_process_name: r"C:\Windows\splwow64.exe",
            process_id: 0x1a2c,
            command_line: r"C:\Windows\splwow64.exe 8192",
            parent_process_name: WINWORD,
            logon: ALICE_LOGON,
        },
    ];
    log(records
        .iter()
        .enumerate()
        .map(|(i, p)| security_4688(i as u64 + 1, at(i as u64), 2, p)))
}

/// `sysmon-13-benign.evtx`: values that disable DDE or have nothing to do with it: 1 Word
/// AllowDDE = 0; 2 Excel DisableDDEServerLaunch = 1; 3 Excel AccessVBOM = 1; 4 Equation
/// Editor Compatibility Flags = 0x400 (kill bit); 5 Word DontUpdateLinks = 1; 6 a BAM value
/// (`Binary Data`).
pub fn sysmon_13_benign() -> Vec<u8> {
    let reg = Proc::new(r"C:\Windows\System32\reg.exe", "reg.exe add", 5804, 0x601);
    let system = Proc::new(
        SVCHOST,
        r"C:\Windows\system32\svchost.exe -k netsvcs -p",
        1204,
        0x602,
    )
    .as_user(SYSTEM);
    let values = [
        (
            reg,
            hku(r"Software\Microsoft\Office\16.0\Word\Security\AllowDDE"),
            "DWORD (0x00000000)",
        ),
        (
            reg,
            hku(r"Software\Microsoft\Office\16.0\Excel\Security\DisableDDEServerLaunch"),
            "DWORD (0x00000001)",
        ),
        (
            reg,
            hku(r"Software\Microsoft\Office\16.0\Excel\Security\AccessVBOM"),
            "DWORD (0x00000001)",
        ),
        (
            reg.as_user(SYSTEM),
            format!("HKLM\\{EQNEDT_COMPAT}\\Compatibility Flags"),
            "DWORD (0x00000400)",
        ),
        (
            reg,
            hku(r"Software\Microsoft\Office\16.0\Word\Options\DontUpdateLinks"),
            "DWORD (0x00000001)",
        ),
        (
            system,
            format!(
                "HKLM\\System\\CurrentControlSet\\Services\\bam\\State\\UserSettings\\{ALICE_SID}\\x"
            ),
            "Binary Data",
        ),
    ];
    log(values
        .iter()
        .enumerate()
        .map(|(i, (p, key, details))| sysmon_13(i as u64 + 1, at(i as u64), p, key, details)))
}

/// `security-4657-benign.evtx`: 1 Word AllowDDE set to 0; 2 Excel VBAWarnings set to 1.
pub fn security_4657_benign() -> Vec<u8> {
    let word = registry_user(r"Software\Microsoft\Office\16.0\Word\Security");
    let excel = registry_user(r"Software\Microsoft\Office\16.0\Excel\Security");
    let changes = [
        ValueChange {
            object_name: &word,
            value_name: "AllowDDE",
            old_value: "2",
            new_value: "0",
            process_id: 0x1e4c,
            process_name: r"C:\Windows\regedit.exe",
        },
        ValueChange {
            object_name: &excel,
            value_name: "VBAWarnings",
            old_value: "2",
            new_value: "1",
            process_id: 0x1e4c,
            process_name: r"C:\Windows\regedit.exe",
        },
    ];
    log(changes
        .iter()
        .enumerate()
        .map(|(i, c)| security_4657(i as u64 + 1, at(i as u64), c)))
}

/// `sysmon-3-benign.evtx`: 1 chrome.exe -> 142.250.74.68:443; 2 WINWORD.EXE ->
/// 13.107.6.156:443 (`roaming.officeapps.live.com`).
pub fn sysmon_3_benign() -> Vec<u8> {
    let chrome = Proc::new(
        r"C:\Program Files\Google\Chrome\Application\chrome.exe",
        "",
        4812,
        0x508,
    );
    let conn = |ip, host, port| Conn {
        protocol: "tcp",
        source_ip: "10.0.0.23",
        source_port: port,
        destination_ip: ip,
        destination_hostname: host,
        destination_port: 443,
    };
    log([
        sysmon_3(
            1,
            at(0),
            &chrome,
            &conn("142.250.74.68", "fra16s56-in-f4.1e100.net", 50110),
        ),
        sysmon_3(
            2,
            at(1),
            &WORD_PLAIN,
            &conn("13.107.6.156", "roaming.officeapps.live.com", 50112),
        ),
    ])
}

/// `sysmon-7-benign.evtx`: 1 WINWORD.EXE loads its own WWLIB.DLL; 2 WINWORD.EXE loads
/// kernel32.dll; 3 a non-Office app in alice's profile loads a DLL beside it.
pub fn sysmon_7_benign() -> Vec<u8> {
    let app = Proc::new(
        r"C:\Users\alice\AppData\Local\Programs\app\app.exe",
        "",
        6400,
        0x701,
    );
    log([
        sysmon_7(
            1,
            at(0),
            &WORD_PLAIN,
            &format!("{OFFICE16}\\WWLIB.DLL"),
            true,
        ),
        sysmon_7(
            2,
            at(1),
            &WORD_PLAIN,
            r"C:\Windows\System32\kernel32.dll",
            true,
        ),
        sysmon_7(
            3,
            at(2),
            &app,
            r"C:\Users\alice\AppData\Local\Programs\app\x.dll",
            false,
        ),
    ])
}

/// `oalerts-benign.evtx`: 1 Word asks whether to save Document1.
pub fn oalerts_benign() -> Vec<u8> {
    let items = [
        "Microsoft Word",
        "Want to save your changes to \"Document1\"?",
        "",
        "200041",
        "16.0.10827.20181",
        "",
    ];
    log([oalerts_300(1, at(0), &items)])
}

/// `sysmon-1-excluded.evtx` (benign by the profile's exclusions): 1 EXCEL.EXE -> MSOSYNC.EXE;
/// 2 EXCEL.EXE -> cmd.exe running Contoso ERP's `ddebridge.cmd SYNC`.
pub fn sysmon_1_excluded() -> Vec<u8> {
    let excel = Proc::new(
        EXCEL,
        r#""C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE""#,
        3320,
        0x801,
    );
    let msosync = format!("{OFFICE16}\\MSOSYNC.EXE");
    let events: Vec<EvtxEvent<'static>> = vec![
        sysmon_1(
            1,
            at(0),
            &Proc::new(&msosync, &msosync, 3400, 0x802),
            &excel,
        ),
        sysmon_1(
            2,
            at(1),
            &Proc::new(
                CMD,
                r#"cmd.exe /c "C:\Program Files\Contoso ERP\bin\ddebridge.cmd" SYNC"#,
                3488,
                0x803,
            ),
            &excel,
        ),
    ];
    log(events)
}
