//! Builders for the Security-Auditing events (4688 process creation, 4657 registry value
//! change) and the Office alert event (OAlerts 300) of the EVTX fixtures.

use crate::evtx::{EventData, EvtxEvent, Value};
use crate::evtx_events::{ALICE_LOGON, ALICE_SID, COMPUTER, SYSTEM_LOGON, SYSTEM_SID};

/// The Security-Auditing provider name.
pub const SECURITY_PROVIDER: &str = "Microsoft-Windows-Security-Auditing";
/// The Security-Auditing provider GUID.
pub const SECURITY_GUID: &str = "{54849625-5478-4994-A5BA-3E3B0328C30D}";
/// The OAlerts provider name (a classic provider: no GUID).
pub const OALERTS_PROVIDER: &str = "Microsoft Office 16 Alerts";

/// A Security event: level 0, keywords Audit Success, logged by lsass' parent (PID 4).
fn security_event(
    event_id: u16,
    version: u8,
    task: u16,
    record_id: u64,
    time: u64,
    data: Vec<(&'static str, Value)>,
) -> EvtxEvent<'static> {
    EvtxEvent {
        provider: SECURITY_PROVIDER,
        provider_guid: Some(SECURITY_GUID),
        event_id,
        qualifiers: None,
        version,
        level: 0,
        task,
        opcode: 0,
        keywords: 0x8020_0000_0000_0000,
        time,
        record_id,
        process_id: 4,
        thread_id: 180 + (record_id % 5) as u32 * 8,
        channel: "Security",
        computer: COMPUTER,
        user_sid: None,
        data: EventData::Named(data),
    }
}

/// Subject fields of a logon: SID, user name, domain.
fn subject(logon: u64) -> (&'static str, &'static str, &'static str) {
    if logon == SYSTEM_LOGON {
        (SYSTEM_SID, "WS-ALICE$", "CORP")
    } else {
        (ALICE_SID, "alice", "CORP")
    }
}

/// What a 4688 event says about one new process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewProcess<'a> {
    /// `NewProcessId`.
    pub new_process_id: u64,
    /// `NewProcessName`.
    pub new_process_name: &'a str,
    /// `ProcessId`: the creator's id.
    pub process_id: u64,
    /// `CommandLine`.
    pub command_line: &'a str,
    /// `ParentProcessName` (version 2 only).
    pub parent_process_name: &'a str,
    /// `SubjectLogonId` (alice's [`ALICE_LOGON`] or SYSTEM's 0x3e7).
    pub logon: u64,
}

/// Security 4688 (A new process has been created), version 1 (nine fields, up to
/// CommandLine) or 2 (fifteen, with Target* fields naming the subject and ParentProcessName).
pub fn security_4688(
    record_id: u64,
    time: u64,
    version: u8,
    p: &NewProcess<'_>,
) -> EvtxEvent<'static> {
    let (sid, user, domain) = subject(p.logon);
    let (elevation, label) = if p.logon == SYSTEM_LOGON {
        ("%%1936", "S-1-16-16384")
    } else {
        ("%%1938", "S-1-16-8192")
    };
    let mut data = vec![
        ("SubjectUserSid", Value::sid(sid)),
        ("SubjectUserName", Value::str(user)),
        ("SubjectDomainName", Value::str(domain)),
        ("SubjectLogonId", Value::HexInt64(p.logon)),
        ("NewProcessId", Value::HexInt64(p.new_process_id)),
        ("NewProcessName", Value::str(p.new_process_name)),
        ("TokenElevationType", Value::str(elevation)),
        ("ProcessId", Value::HexInt64(p.process_id)),
        ("CommandLine", Value::str(p.command_line)),
    ];
    if version >= 2 {
        data.extend([
            ("TargetUserSid", Value::sid(sid)),
            ("TargetUserName", Value::str(user)),
            ("TargetDomainName", Value::str(domain)),
            ("TargetLogonId", Value::HexInt64(p.logon)),
            ("ParentProcessName", Value::str(p.parent_process_name)),
            ("MandatoryLabel", Value::sid(label)),
        ]);
    }
    security_event(4688, version, 13312, record_id, time, data)
}

/// What a 4657 event says about one registry value change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValueChange<'a> {
    /// `ObjectName`: the key, `\REGISTRY\USER\<sid>\...` or `\REGISTRY\MACHINE\...`.
    pub object_name: &'a str,
    /// `ObjectValueName`.
    pub value_name: &'a str,
    /// `OldValue`.
    pub old_value: &'a str,
    /// `NewValue`.
    pub new_value: &'a str,
    /// `ProcessId`.
    pub process_id: u64,
    /// `ProcessName`.
    pub process_name: &'a str,
}

/// Security 4657 (A registry value was modified), version 0, by alice, of a REG_DWORD
/// (`%%1876`) value that existed (`%%1905`).
pub fn security_4657(record_id: u64, time: u64, c: &ValueChange<'_>) -> EvtxEvent<'static> {
    let data = vec![
        ("SubjectUserSid", Value::sid(ALICE_SID)),
        ("SubjectUserName", Value::str("alice")),
        ("SubjectDomainName", Value::str("CORP")),
        ("SubjectLogonId", Value::HexInt64(ALICE_LOGON)),
        ("ObjectName", Value::str(c.object_name)),
        ("ObjectValueName", Value::str(c.value_name)),
        ("HandleId", Value::HexInt64(0x3a8)),
        ("OperationType", Value::str("%%1905")),
        ("OldValueType", Value::str("%%1876")),
        ("OldValue", Value::str(c.old_value)),
        ("NewValueType", Value::str("%%1876")),
        ("NewValue", Value::str(c.new_value)),
        ("ProcessId", Value::HexInt64(c.process_id)),
        ("ProcessName", Value::str(c.process_name)),
    ];
    security_event(4657, 0, 12801, record_id, time, data)
}

/// OAlerts 300 (classic event, Qualifiers 0) with unnamed items; empty items are Null.
pub fn oalerts_300(record_id: u64, time: u64, items: &[&str]) -> EvtxEvent<'static> {
    let values = items
        .iter()
        .map(|item| {
            if item.is_empty() {
                Value::Null
            } else {
                Value::str(*item)
            }
        })
        .collect();
    EvtxEvent {
        provider: OALERTS_PROVIDER,
        provider_guid: None,
        event_id: 300,
        qualifiers: Some(0),
        version: 0,
        level: 4,
        task: 0,
        opcode: 0,
        keywords: 0x0080_0000_0000_0000,
        time,
        record_id,
        process_id: 4412,
        thread_id: 4480,
        channel: "OAlerts",
        computer: COMPUTER,
        user_sid: Some(ALICE_SID),
        data: EventData::Unnamed(values),
    }
}
