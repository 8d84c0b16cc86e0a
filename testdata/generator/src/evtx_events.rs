//! Builders for the events in the EVTX fixtures: Sysmon (1, 3, 7, 10, 11, 12, 13, 22) with
//! the field lists Sysmon writes, and the constants of the demo machine `WS-ALICE`.
//! Security-Auditing and OAlerts events are in [`crate::evtx_security`].

use crate::evtx::time::TICKS_PER_SECOND;
use crate::evtx::{EventData, EvtxEvent, Value, filetime_utc, sysmon_utc_time};

/// The demo machine.
pub const COMPUTER: &str = "WS-ALICE.corp.example";
/// Alice's account name.
pub const ALICE: &str = "CORP\\alice";
/// Alice's SID.
pub const ALICE_SID: &str = "S-1-5-21-1111111111-2222222222-3333333333-1104";
/// Alice's logon id.
pub const ALICE_LOGON: u64 = 0x3e5a1;
/// The SYSTEM account name as Sysmon writes it.
pub const SYSTEM: &str = "NT AUTHORITY\\SYSTEM";
/// The SYSTEM SID.
pub const SYSTEM_SID: &str = "S-1-5-18";
/// The SYSTEM logon id.
pub const SYSTEM_LOGON: u64 = 0x3e7;
/// Sysmon's provider name.
pub const SYSMON_PROVIDER: &str = "Microsoft-Windows-Sysmon";
/// Sysmon's provider GUID.
pub const SYSMON_GUID: &str = "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}";
/// Sysmon's channel.
pub const SYSMON_CHANNEL: &str = "Microsoft-Windows-Sysmon/Operational";

/// Office 16 (Click-to-Run) folder.
pub const OFFICE16: &str = "C:\\Program Files\\Microsoft Office\\root\\Office16";
/// Word.
pub const WINWORD: &str = "C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE";
/// Excel.
pub const EXCEL: &str = "C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE";
/// Outlook.
pub const OUTLOOK: &str = "C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE";
/// PowerPoint.
pub const POWERPNT: &str = "C:\\Program Files\\Microsoft Office\\root\\Office16\\POWERPNT.EXE";
/// Equation Editor.
pub const EQNEDT: &str =
    "C:\\Program Files (x86)\\Common Files\\Microsoft Shared\\EQUATION\\EQNEDT32.EXE";
/// Explorer.
pub const EXPLORER: &str = "C:\\Windows\\explorer.exe";
/// The command shell.
pub const CMD: &str = "C:\\Windows\\System32\\cmd.exe";
/// svchost.
pub const SVCHOST: &str = "C:\\Windows\\System32\\svchost.exe";
/// services.exe.
pub const SERVICES: &str = "C:\\Windows\\System32\\services.exe";

/// 2024-03-04T09:12:01Z, when the fixture logs start.
pub const START: u64 = filetime_utc(2024, 3, 4, 9, 12, 1, 0);

/// [`START`] plus `seconds`.
pub const fn at(seconds: u64) -> u64 {
    START + seconds * TICKS_PER_SECOND
}

/// A Sysmon process GUID, distinct for each `seq`:
/// `{B2796A13-4D21-65E5-<seq bits 48..63>-<seq bits 0..47>}`.
pub fn process_guid(seq: u64) -> String {
    format!(
        "{{B2796A13-4D21-65E5-{:04X}-{:012X}}}",
        (seq >> 48) & 0xffff,
        seq & 0xffff_ffff_ffff
    )
}

/// A process as Sysmon names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Proc<'a> {
    /// Image path.
    pub image: &'a str,
    /// Command line.
    pub command_line: &'a str,
    /// Process id.
    pub pid: u32,
    /// Seed of its [`process_guid`].
    pub guid: u64,
    /// Account (`CORP\alice` or `NT AUTHORITY\SYSTEM`).
    pub user: &'a str,
}

impl<'a> Proc<'a> {
    /// A process of alice's.
    pub const fn new(image: &'a str, command_line: &'a str, pid: u32, guid: u64) -> Self {
        Proc {
            image,
            command_line,
            pid,
            guid,
            user: ALICE,
        }
    }

    /// The same process under another account.
    pub const fn as_user(mut self, user: &'a str) -> Self {
        self.user = user;
        self
    }

    fn is_system(&self) -> bool {
        self.user == SYSTEM
    }
}

/// A string value.
fn s(text: &str) -> Value {
    Value::str(text)
}

/// FileVersion, Description, Product, Company and OriginalFileName of a known image.
fn file_info(image: &str) -> [&'static str; 5] {
    let name = image
        .rsplit('\\')
        .next()
        .unwrap_or(image)
        .to_ascii_lowercase();
    const MS: &str = "Microsoft Corporation";
    const WIN: &str = "Microsoft® Windows® Operating System";
    const OFFICE: &str = "Microsoft Office";
    const WINVER: &str = "10.0.19041.3636 (WinBuild.160101.0800)";
    match name.as_str() {
        "winword.exe" => [
            "16.0.17126.20132",
            "Microsoft Word",
            OFFICE,
            MS,
            "WinWord.exe",
        ],
        "excel.exe" => [
            "16.0.17126.20132",
            "Microsoft Excel",
            OFFICE,
            MS,
            "Excel.exe",
        ],
        "outlook.exe" => [
            "16.0.17126.20132",
            "Microsoft Outlook",
            OFFICE,
            MS,
            "Outlook.exe",
        ],
        "powerpnt.exe" => [
            "16.0.17126.20132",
            "Microsoft PowerPoint",
            OFFICE,
            MS,
            "POWERPNT.EXE",
        ],
        "eqnedt32.exe" => [
            "2000.11.9.0",
            "Microsoft Equation Editor",
            "Equation Editor",
            "Design Science, Inc.",
            "EQNEDT32.EXE",
        ],
        "cmd.exe" => [WINVER, "Windows Command Processor", WIN, MS, "Cmd.Exe"],
        "powershell.exe" => [WINVER, "Windows PowerShell", WIN, MS, "PowerShell.EXE"],
        "rundll32.exe" => [
            WINVER,
            "Windows host process (Rundll32)",
            WIN,
            MS,
            "RUNDLL32.EXE",
        ],
        "wmic.exe" => [WINVER, "WMI Commandline Utility", WIN, MS, "wmic.exe"],
        "explorer.exe" => [WINVER, "Windows Explorer", WIN, MS, "EXPLORER.EXE"],
        "svchost.exe" => [
            WINVER,
            "Host Process for Windows Services",
            WIN,
            MS,
            "svchost.exe",
        ],
        "notepad.exe" => [WINVER, "Notepad", WIN, MS, "NOTEPAD.EXE"],
        "splwow64.exe" => [
            WINVER,
            "Print driver host for applications",
            WIN,
            MS,
            "splwow64.exe",
        ],
        "reg.exe" => [WINVER, "Registry Console Tool", WIN, MS, "reg.exe"],
        "chrome.exe" => [
            "122.0.6261.95",
            "Google Chrome",
            "Google Chrome",
            "Google LLC",
            "chrome.exe",
        ],
        _ => ["-", "-", "-", "-", "-"],
    }
}

/// Fixed hex digits derived from `text` (not real hashes).
fn hex_of(text: &str, salt: u64, digits: usize) -> String {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ salt;
    let mut out = String::with_capacity(digits + 16);
    while out.len() < digits {
        for b in text.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        h = h.rotate_left(17) ^ 0x9e37_79b9_7f4a_7c15;
        out.push_str(&format!("{h:016X}"));
    }
    out.truncate(digits);
    out
}

/// Sysmon's `Hashes` field for an image: `SHA1=..,MD5=..,SHA256=..,IMPHASH=..`.
pub fn hashes(image: &str) -> String {
    format!(
        "SHA1={},MD5={},SHA256={},IMPHASH={}",
        hex_of(image, 1, 40),
        hex_of(image, 2, 32),
        hex_of(image, 3, 64),
        hex_of(image, 4, 32)
    )
}

/// A Sysmon event with the given data; Task equals the event id, as Sysmon writes it.
pub fn sysmon_event(
    event_id: u16,
    version: u8,
    record_id: u64,
    time: u64,
    data: Vec<(&'static str, Value)>,
) -> EvtxEvent<'static> {
    EvtxEvent {
        provider: SYSMON_PROVIDER,
        provider_guid: Some(SYSMON_GUID),
        event_id,
        qualifiers: None,
        version,
        level: 4,
        task: event_id,
        opcode: 0,
        keywords: 0x8000_0000_0000_0000,
        time,
        record_id,
        process_id: 3140,
        thread_id: 4216 + (record_id % 7) as u32 * 4,
        channel: SYSMON_CHANNEL,
        computer: COMPUTER,
        user_sid: Some(SYSTEM_SID),
        data: EventData::Named(data),
    }
}

/// The head every Sysmon event shares: RuleName, UtcTime, ProcessGuid, ProcessId, Image.
fn head(time: u64, p: &Proc<'_>) -> Vec<(&'static str, Value)> {
    vec![
        ("RuleName", s("-")),
        ("UtcTime", Value::String(sysmon_utc_time(time))),
        ("ProcessGuid", Value::Guid(process_guid(p.guid))),
        ("ProcessId", Value::UInt32(p.pid)),
        ("Image", s(p.image)),
    ]
}

/// Sysmon 1 (ProcessCreate, version 5): `child` started by `parent`.
pub fn sysmon_1(
    record_id: u64,
    time: u64,
    child: &Proc<'_>,
    parent: &Proc<'_>,
) -> EvtxEvent<'static> {
    let [version, description, product, company, original] = file_info(child.image);
    let (logon, session, integrity) = if child.is_system() {
        (SYSTEM_LOGON, 0, "System")
    } else {
        (ALICE_LOGON, 1, "Medium")
    };
    let cwd = if child.is_system() {
        "C:\\Windows\\system32\\"
    } else {
        "C:\\Users\\alice\\"
    };
    let mut data = head(time, child);
    data.extend([
        ("FileVersion", s(version)),
        ("Description", s(description)),
        ("Product", s(product)),
        ("Company", s(company)),
        ("OriginalFileName", s(original)),
        ("CommandLine", s(child.command_line)),
        ("CurrentDirectory", s(cwd)),
        ("User", s(child.user)),
        (
            "LogonGuid",
            Value::Guid(format!(
                "{{B2796A13-4D1F-65E5-{:04X}-030000000000}}",
                logon & 0xffff
            )),
        ),
        ("LogonId", Value::HexInt64(logon)),
        ("TerminalSessionId", Value::UInt32(session)),
        ("IntegrityLevel", s(integrity)),
        ("Hashes", Value::String(hashes(child.image))),
        ("ParentProcessGuid", Value::Guid(process_guid(parent.guid))),
        ("ParentProcessId", Value::UInt32(parent.pid)),
        ("ParentImage", s(parent.image)),
        ("ParentCommandLine", s(parent.command_line)),
        ("ParentUser", s(parent.user)),
    ]);
    sysmon_event(1, 5, record_id, time, data)
}

/// One network connection of a Sysmon 3 event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conn<'a> {
    /// `tcp` or `udp`.
    pub protocol: &'a str,
    /// Source address.
    pub source_ip: &'a str,
    /// Source port.
    pub source_port: u16,
    /// Destination address.
    pub destination_ip: &'a str,
    /// Destination host name (`-` when unresolved).
    pub destination_hostname: &'a str,
    /// Destination port.
    pub destination_port: u16,
}

/// Sysmon 3 (NetworkConnect, version 5): an outbound connection of `p`.
pub fn sysmon_3(record_id: u64, time: u64, p: &Proc<'_>, c: &Conn<'_>) -> EvtxEvent<'static> {
    let port_name = match c.destination_port {
        80 => "http",
        443 => "https",
        53 => "domain",
        _ => "-",
    };
    let mut data = head(time, p);
    data.extend([
        ("User", s(p.user)),
        ("Protocol", s(c.protocol)),
        ("Initiated", Value::Bool(true)),
        ("SourceIsIpv6", Value::Bool(false)),
        ("SourceIp", s(c.source_ip)),
        ("SourceHostname", s(COMPUTER)),
        ("SourcePort", Value::UInt16(c.source_port)),
        ("SourcePortName", s("-")),
        ("DestinationIsIpv6", Value::Bool(false)),
        ("DestinationIp", s(c.destination_ip)),
        ("DestinationHostname", s(c.destination_hostname)),
        ("DestinationPort", Value::UInt16(c.destination_port)),
        ("DestinationPortName", s(port_name)),
    ]);
    sysmon_event(3, 5, record_id, time, data)
}

/// Sysmon 7 (ImageLoad, version 3): `p` loads `loaded`; unsigned modules get status
/// `Unavailable`.
pub fn sysmon_7(
    record_id: u64,
    time: u64,
    p: &Proc<'_>,
    loaded: &str,
    signed: bool,
) -> EvtxEvent<'static> {
    let [version, description, product, company, original] = file_info(loaded);
    let (signature, status) = if signed {
        ("Microsoft Windows", "Valid")
    } else {
        ("-", "Unavailable")
    };
    let mut data = head(time, p);
    data.extend([
        ("ImageLoaded", s(loaded)),
        ("FileVersion", s(version)),
        ("Description", s(description)),
        ("Product", s(product)),
        ("Company", s(company)),
        ("OriginalFileName", s(original)),
        ("Hashes", Value::String(hashes(loaded))),
        ("Signed", s(if signed { "true" } else { "false" })),
        ("Signature", s(signature)),
        ("SignatureStatus", s(status)),
        ("User", s(p.user)),
    ]);
    sysmon_event(7, 3, record_id, time, data)
}

/// Sysmon 12 (RegistryEvent create/delete, version 2).
pub fn sysmon_12(
    record_id: u64,
    time: u64,
    p: &Proc<'_>,
    event_type: &str,
    target: &str,
) -> EvtxEvent<'static> {
    let mut data = vec![("RuleName", s("-")), ("EventType", s(event_type))];
    data.extend(head(time, p).into_iter().skip(1));
    data.extend([("TargetObject", s(target)), ("User", s(p.user))]);
    sysmon_event(12, 2, record_id, time, data)
}

/// Sysmon 13 (RegistryEvent value set, version 2).
pub fn sysmon_13(
    record_id: u64,
    time: u64,
    p: &Proc<'_>,
    target: &str,
    details: &str,
) -> EvtxEvent<'static> {
    let mut data = vec![("RuleName", s("-")), ("EventType", s("SetValue"))];
    data.extend(head(time, p).into_iter().skip(1));
    data.extend([
        ("TargetObject", s(target)),
        ("Details", s(details)),
        ("User", s(p.user)),
    ]);
    sysmon_event(13, 2, record_id, time, data)
}

/// Sysmon 10 (ProcessAccess, version 3): `source` opens `target`.
pub fn sysmon_10(
    record_id: u64,
    time: u64,
    source: &Proc<'_>,
    target: &Proc<'_>,
    access: &str,
    call_trace: &str,
) -> EvtxEvent<'static> {
    let data = vec![
        ("RuleName", s("-")),
        ("UtcTime", Value::String(sysmon_utc_time(time))),
        ("SourceProcessGUID", Value::Guid(process_guid(source.guid))),
        ("SourceProcessId", Value::UInt32(source.pid)),
        ("SourceThreadId", Value::UInt32(source.pid + 4)),
        ("SourceImage", s(source.image)),
        ("TargetProcessGUID", Value::Guid(process_guid(target.guid))),
        ("TargetProcessId", Value::UInt32(target.pid)),
        ("TargetImage", s(target.image)),
        ("GrantedAccess", s(access)),
        ("CallTrace", s(call_trace)),
        ("SourceUser", s(source.user)),
        ("TargetUser", s(target.user)),
    ];
    sysmon_event(10, 3, record_id, time, data)
}

/// Sysmon 11 (FileCreate, version 2): `p` creates `target`.
pub fn sysmon_11(record_id: u64, time: u64, p: &Proc<'_>, target: &str) -> EvtxEvent<'static> {
    let mut data = head(time, p);
    data.extend([
        ("TargetFilename", s(target)),
        ("CreationUtcTime", Value::String(sysmon_utc_time(time))),
        ("User", s(p.user)),
    ]);
    sysmon_event(11, 2, record_id, time, data)
}

/// Sysmon 22 (DnsQuery, version 5): `p` resolves `query`.
pub fn sysmon_22(
    record_id: u64,
    time: u64,
    p: &Proc<'_>,
    query: &str,
    results: &str,
) -> EvtxEvent<'static> {
    let data = vec![
        ("RuleName", s("-")),
        ("UtcTime", Value::String(sysmon_utc_time(time))),
        ("ProcessGuid", Value::Guid(process_guid(p.guid))),
        ("ProcessId", Value::UInt32(p.pid)),
        ("QueryName", s(query)),
        ("QueryStatus", s("0")),
        ("QueryResults", s(results)),
        ("Image", s(p.image)),
        ("User", s(p.user)),
    ];
    sysmon_event(22, 5, record_id, time, data)
}
