//! The event types ddesweep reads, from the channels and event IDs that log them.
//!
//! This is format knowledge, not detection: which field of Sysmon event 1 or Security 4688 holds
//! the image, that 4688 version 1 has no parent name, how Security 4657 splits a registry path
//! in two. `detect/` decides what is suspicious.

use super::EventRecord;

/// The Sysmon operational channel.
pub const SYSMON: &str = "Microsoft-Windows-Sysmon/Operational";
/// The Security channel.
pub const SECURITY: &str = "Security";
/// Office's alert channel (the prompts Office showed the user).
pub const OFFICE_ALERTS: &str = "OAlerts";

/// Sysmon: process created.
pub const SYSMON_PROCESS_CREATE: u32 = 1;
/// Sysmon: network connection.
pub const SYSMON_NETWORK: u32 = 3;
/// Sysmon: image (module) loaded.
pub const SYSMON_IMAGE_LOAD: u32 = 7;
/// Sysmon: file created (or overwritten).
pub const SYSMON_FILE_CREATE: u32 = 11;
/// Sysmon: registry key or value created or deleted.
pub const SYSMON_REGISTRY_CREATE_DELETE: u32 = 12;
/// Sysmon: registry value set.
pub const SYSMON_REGISTRY_SET: u32 = 13;
/// Sysmon: registry key or value renamed.
pub const SYSMON_REGISTRY_RENAME: u32 = 14;
/// Sysmon: DNS query.
pub const SYSMON_DNS_QUERY: u32 = 22;
/// Security: a new process has been created.
pub const SECURITY_PROCESS_CREATE: u32 = 4688;
/// Security: a registry value was modified.
pub const SECURITY_REGISTRY_VALUE: u32 = 4657;
/// OAlerts: an alert (dialog) shown by an Office application.
pub const OFFICE_ALERT: u32 = 300;

/// A record, typed by what it reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypedEvent {
    /// A process started (Sysmon 1, Security 4688).
    ProcessStart(ProcessStart),
    /// A registry value set or a key or value deleted (Sysmon 12/13, Security 4657).
    Registry(RegistryChange),
    /// A network connection (Sysmon 3).
    Network(NetworkConnection),
    /// A module loaded into a process (Sysmon 7).
    ModuleLoad(ModuleLoad),
    /// An Office alert dialog (OAlerts 300).
    OfficeAlert(OfficeAlert),
    /// A file created (Sysmon 11).
    FileCreate(FileCreate),
    /// A DNS query (Sysmon 22).
    DnsQuery(DnsQuery),
}

/// A process start.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProcessStart {
    /// The new process's image path.
    pub image: String,
    /// Its command line, where logged.
    pub command_line: Option<String>,
    /// Its process ID (decimal text; 4688's hex IDs are converted).
    pub process_id: Option<u64>,
    /// Sysmon's process GUID.
    pub process_guid: Option<String>,
    /// The parent's image path (for 4688 version 1, filled in later from an earlier record).
    pub parent_image: Option<String>,
    /// The parent's command line, where known.
    pub parent_command_line: Option<String>,
    /// The parent's process ID.
    pub parent_process_id: Option<u64>,
    /// Sysmon's parent process GUID.
    pub parent_process_guid: Option<String>,
    /// The new process's user (`DOMAIN\name`).
    pub user: Option<String>,
    /// The logon the new process runs in (Sysmon `LogonId`, 4688 `TargetLogonId`).
    pub logon_id: Option<String>,
    /// The logon of the process that started it (4688 `SubjectLogonId`).
    pub creator_logon_id: Option<String>,
    /// Sysmon's `Hashes`.
    pub hashes: Option<String>,
    /// How the parent was found in another record (4688 version 1), if it was.
    pub parent_recovered: Option<ParentMatch>,
}

/// How a 4688 version 1 parent was matched to an earlier record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParentMatch {
    /// Same process ID, and the parent ran in the logon that created the child.
    SameLogon,
    /// Same process ID only (the parent ran in another logon, or its logon is unknown).
    ProcessIdOnly,
}

/// A registry write or deletion.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegistryChange {
    /// The full path of the value (or of the key, for a key deletion), as logged.
    pub target: String,
    /// What happened: `SetValue`, `DeleteValue`, `DeleteKey`, `CreateKey`.
    pub operation: String,
    /// The new data, as logged (`DWORD (0x00000001)`, `2`).
    pub details: Option<String>,
    /// The writing process's image.
    pub image: Option<String>,
    /// Its process ID.
    pub process_id: Option<u64>,
    /// Sysmon's process GUID.
    pub process_guid: Option<String>,
    /// The user, where logged.
    pub user: Option<String>,
}

impl RegistryChange {
    /// Whether this removes the key or value (a rename moves it away).
    pub fn is_deletion(&self) -> bool {
        self.operation.starts_with("Delete") || self.operation == "RenameKey"
    }
}

/// A network connection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NetworkConnection {
    /// The connecting process's image.
    pub image: String,
    /// Its process ID.
    pub process_id: Option<u64>,
    /// Sysmon's process GUID.
    pub process_guid: Option<String>,
    /// Destination address.
    pub destination_ip: String,
    /// Destination port.
    pub destination_port: Option<u16>,
    /// Destination host name, where resolved.
    pub destination_hostname: Option<String>,
    /// The user.
    pub user: Option<String>,
}

/// A module load.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModuleLoad {
    /// The loading process's image.
    pub image: String,
    /// The module's path.
    pub module: String,
    /// Its process ID.
    pub process_id: Option<u64>,
    /// Sysmon's process GUID.
    pub process_guid: Option<String>,
    /// `Hashes` of the module.
    pub hashes: Option<String>,
    /// Signature state (`Signed`, `SignatureStatus`).
    pub signature: Option<String>,
    /// The user.
    pub user: Option<String>,
}

/// A file created by a process.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileCreate {
    /// The creating process's image.
    pub image: String,
    /// The file's path (`TargetFilename`).
    pub target_filename: String,
    /// Its process ID.
    pub process_id: Option<u64>,
    /// Sysmon's process GUID.
    pub process_guid: Option<String>,
    /// The user.
    pub user: Option<String>,
    /// When the file says it was created (`CreationUtcTime`, as logged; may be set back).
    pub creation_utc_time: Option<String>,
}

/// A DNS query made by a process.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DnsQuery {
    /// The querying process's image.
    pub image: String,
    /// The name looked up (`QueryName`).
    pub query_name: String,
    /// The answers, as logged (`QueryResults`: `type: 5 x;::ffff:203.0.113.77;`).
    pub query_results: Option<String>,
    /// Its process ID.
    pub process_id: Option<u64>,
    /// Sysmon's process GUID.
    pub process_guid: Option<String>,
    /// The user.
    pub user: Option<String>,
}

/// An Office alert.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OfficeAlert {
    /// The application (`Microsoft Word`).
    pub application: String,
    /// The alert's text.
    pub text: String,
    /// Office's alert ID.
    pub alert_id: Option<String>,
    /// Office's version.
    pub office_version: Option<String>,
}

/// The typed form of `record`, when it is one of the events above.
pub fn interpret(record: &EventRecord) -> Option<TypedEvent> {
    let channel = record.channel.as_str();
    let id = record.event_id;
    if channel.eq_ignore_ascii_case(SYSMON) {
        match id {
            SYSMON_PROCESS_CREATE => Some(TypedEvent::ProcessStart(sysmon_process(record))),
            SYSMON_NETWORK => Some(TypedEvent::Network(sysmon_network(record))),
            SYSMON_IMAGE_LOAD => Some(TypedEvent::ModuleLoad(sysmon_module(record))),
            SYSMON_FILE_CREATE => Some(TypedEvent::FileCreate(sysmon_file(record))),
            SYSMON_DNS_QUERY => Some(TypedEvent::DnsQuery(sysmon_dns(record))),
            SYSMON_REGISTRY_CREATE_DELETE | SYSMON_REGISTRY_SET | SYSMON_REGISTRY_RENAME => {
                Some(TypedEvent::Registry(sysmon_registry(record)))
            }
            _ => None,
        }
    } else if channel.eq_ignore_ascii_case(SECURITY) {
        match id {
            SECURITY_PROCESS_CREATE => Some(TypedEvent::ProcessStart(security_process(record))),
            SECURITY_REGISTRY_VALUE => Some(TypedEvent::Registry(security_registry(record))),
            _ => None,
        }
    } else if channel.eq_ignore_ascii_case(OFFICE_ALERTS) && id == OFFICE_ALERT {
        Some(TypedEvent::OfficeAlert(office_alert(record)))
    } else {
        None
    }
}

fn owned(value: Option<&str>) -> Option<String> {
    value.map(str::to_owned)
}

/// A process ID written in decimal (Sysmon) or hex (`0x1a2c`, Security).
pub fn parse_process_id(text: &str) -> Option<u64> {
    let text = text.trim();
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

fn pid(record: &EventRecord, name: &str) -> Option<u64> {
    record.value(name).and_then(parse_process_id)
}

fn sysmon_process(record: &EventRecord) -> ProcessStart {
    ProcessStart {
        image: record.get("Image").unwrap_or_default().to_owned(),
        command_line: owned(record.value("CommandLine")),
        process_id: pid(record, "ProcessId"),
        process_guid: owned(record.value("ProcessGuid")),
        parent_image: owned(record.value("ParentImage")),
        parent_command_line: owned(record.value("ParentCommandLine")),
        parent_process_id: pid(record, "ParentProcessId"),
        parent_process_guid: owned(record.value("ParentProcessGuid")),
        user: owned(record.value("User")),
        logon_id: owned(record.value("LogonId")),
        creator_logon_id: None,
        hashes: owned(record.value("Hashes")),
        parent_recovered: None,
    }
}

/// `DOMAIN\name` from two fields, where the name is there.
fn account(record: &EventRecord, domain: &str, name: &str) -> Option<String> {
    let name = record.value(name)?;
    Some(match record.value(domain) {
        Some(domain) => format!("{domain}\\{name}"),
        None => name.to_owned(),
    })
}

fn security_process(record: &EventRecord) -> ProcessStart {
    // Version 2 names the new process's own account and logon; before it, the creator's stand in.
    let user = account(record, "TargetDomainName", "TargetUserName")
        .or_else(|| account(record, "SubjectDomainName", "SubjectUserName"));
    let creator_logon_id = owned(record.value("SubjectLogonId"));
    let logon_id = owned(record.value("TargetLogonId"))
        .filter(|id| id != "0x0")
        .or_else(|| creator_logon_id.clone());
    ProcessStart {
        image: record.get("NewProcessName").unwrap_or_default().to_owned(),
        command_line: owned(record.value("CommandLine")),
        process_id: pid(record, "NewProcessId"),
        process_guid: None,
        parent_image: owned(record.value("ParentProcessName")),
        parent_command_line: None,
        parent_process_id: pid(record, "ProcessId"),
        parent_process_guid: None,
        user,
        logon_id,
        creator_logon_id,
        hashes: None,
        parent_recovered: None,
    }
}

fn sysmon_registry(record: &EventRecord) -> RegistryChange {
    RegistryChange {
        target: record.get("TargetObject").unwrap_or_default().to_owned(),
        operation: record
            .value("EventType")
            .unwrap_or(if record.event_id == SYSMON_REGISTRY_SET {
                "SetValue"
            } else {
                "CreateKey"
            })
            .to_owned(),
        details: owned(record.get("Details").or(record.get("NewName"))),
        image: owned(record.value("Image")),
        process_id: pid(record, "ProcessId"),
        process_guid: owned(record.value("ProcessGuid")),
        user: owned(record.value("User")),
    }
}

/// 4657's operation codes (`%%1904` new value, `%%1905` modified, `%%1906` deleted).
fn security_operation(code: &str) -> &'static str {
    match code.trim() {
        "%%1906" => "DeleteValue",
        "%%1904" => "CreateValue",
        _ => "SetValue",
    }
}

fn security_registry(record: &EventRecord) -> RegistryChange {
    let key = record.get("ObjectName").unwrap_or_default();
    let target = match record.value("ObjectValueName") {
        Some(value) => format!("{key}\\{value}"),
        None => key.to_owned(),
    };
    RegistryChange {
        target,
        operation: security_operation(record.get("OperationType").unwrap_or_default()).to_owned(),
        details: owned(record.get("NewValue")),
        image: owned(record.value("ProcessName")),
        process_id: pid(record, "ProcessId"),
        process_guid: None,
        user: account(record, "SubjectDomainName", "SubjectUserName"),
    }
}

fn sysmon_network(record: &EventRecord) -> NetworkConnection {
    NetworkConnection {
        image: record.get("Image").unwrap_or_default().to_owned(),
        process_id: pid(record, "ProcessId"),
        process_guid: owned(record.value("ProcessGuid")),
        destination_ip: record.get("DestinationIp").unwrap_or_default().to_owned(),
        destination_port: record
            .value("DestinationPort")
            .and_then(|p| p.trim().parse().ok()),
        destination_hostname: owned(record.value("DestinationHostname")),
        user: owned(record.value("User")),
    }
}

fn sysmon_module(record: &EventRecord) -> ModuleLoad {
    let signature = match (record.value("Signed"), record.value("SignatureStatus")) {
        (Some(signed), Some(status)) => Some(format!("signed={signed} status={status}")),
        (Some(signed), None) => Some(format!("signed={signed}")),
        (None, Some(status)) => Some(format!("status={status}")),
        (None, None) => None,
    };
    ModuleLoad {
        image: record.get("Image").unwrap_or_default().to_owned(),
        module: record.get("ImageLoaded").unwrap_or_default().to_owned(),
        process_id: pid(record, "ProcessId"),
        process_guid: owned(record.value("ProcessGuid")),
        hashes: owned(record.value("Hashes")),
        signature,
        user: owned(record.value("User")),
    }
}

fn sysmon_file(record: &EventRecord) -> FileCreate {
    FileCreate {
        image: record.get("Image").unwrap_or_default().to_owned(),
        target_filename: record.get("TargetFilename").unwrap_or_default().to_owned(),
        process_id: pid(record, "ProcessId"),
        process_guid: owned(record.value("ProcessGuid")),
        user: owned(record.value("User")),
        creation_utc_time: owned(record.value("CreationUtcTime")),
    }
}

fn sysmon_dns(record: &EventRecord) -> DnsQuery {
    DnsQuery {
        image: record.get("Image").unwrap_or_default().to_owned(),
        query_name: record.get("QueryName").unwrap_or_default().to_owned(),
        query_results: owned(record.value("QueryResults")),
        process_id: pid(record, "ProcessId"),
        process_guid: owned(record.value("ProcessGuid")),
        user: owned(record.value("User")),
    }
}

fn office_alert(record: &EventRecord) -> OfficeAlert {
    let items: Vec<&str> = record.unnamed().collect();
    let item = |i: usize| items.get(i).copied().filter(|s| !s.is_empty());
    OfficeAlert {
        application: item(0).unwrap_or_default().to_owned(),
        text: item(1).unwrap_or_default().to_owned(),
        alert_id: owned(item(3)),
        office_version: owned(item(4)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn record(channel: &str, id: u32, data: &[(&str, &str)]) -> EventRecord {
        EventRecord {
            record_id: 1,
            timestamp: None,
            provider: String::new(),
            channel: channel.to_owned(),
            event_id: id,
            version: 1,
            computer: "H".to_owned(),
            user_sid: None,
            data: data
                .iter()
                .map(|(n, v)| (Some((*n).to_owned()), (*v).to_owned()))
                .collect(),
            xml: String::new(),
        }
    }

    #[test]
    fn security_4688_ids_are_hex_and_v1_has_no_parent() {
        let r = record(
            "Security",
            4688,
            &[
                ("NewProcessName", r"C:\Windows\System32\cmd.exe"),
                ("NewProcessId", "0xc1c"),
                ("ProcessId", "0xb48"),
                ("SubjectUserName", "alice"),
                ("SubjectDomainName", "CORP"),
                ("SubjectLogonId", "0x3e5a1"),
                ("CommandLine", "cmd.exe /c calc.exe"),
            ],
        );
        let Some(TypedEvent::ProcessStart(p)) = interpret(&r) else {
            panic!("not a process start")
        };
        assert_eq!(p.process_id, Some(0xc1c));
        assert_eq!(p.parent_process_id, Some(0xb48));
        assert_eq!(p.parent_image, None);
        assert_eq!(p.user.as_deref(), Some(r"CORP\alice"));
        assert_eq!(p.logon_id.as_deref(), Some("0x3e5a1"));
    }

    #[test]
    fn security_4657_joins_key_and_value() {
        let r = record(
            "Security",
            4657,
            &[
                (
                    "ObjectName",
                    r"\REGISTRY\USER\S-1-5-21-1\Software\Microsoft\Office\16.0\Word\Security",
                ),
                ("ObjectValueName", "AllowDDE"),
                ("OperationType", "%%1905"),
                ("NewValue", "2"),
            ],
        );
        let Some(TypedEvent::Registry(change)) = interpret(&r) else {
            panic!("not a registry change")
        };
        assert!(change.target.ends_with(r"\Word\Security\AllowDDE"));
        assert_eq!(change.operation, "SetValue");
        assert_eq!(change.details.as_deref(), Some("2"));
    }

    #[test]
    fn sysmon_11_and_22_carry_their_process() {
        let guid = "{B2796A13-4D21-65E5-0000-000000000C03}";
        let r = record(
            SYSMON,
            11,
            &[
                ("ProcessGuid", guid),
                ("ProcessId", "6120"),
                ("Image", r"C:\x\powershell.exe"),
                ("TargetFilename", r"C:\Users\dave\a.exe"),
                ("CreationUtcTime", "2024-03-04 09:12:05.000"),
                ("User", r"CORP\dave"),
            ],
        );
        let Some(TypedEvent::FileCreate(f)) = interpret(&r) else {
            panic!("not a file create")
        };
        assert_eq!(f.target_filename, r"C:\Users\dave\a.exe");
        assert_eq!(f.process_guid.as_deref(), Some(guid));
        assert_eq!(f.process_id, Some(6120));
        let r = record(
            SYSMON,
            22,
            &[
                ("ProcessGuid", guid),
                ("ProcessId", "6120"),
                ("QueryName", "remit-portal.example"),
                ("QueryResults", "::ffff:203.0.113.77;"),
                ("Image", r"C:\x\powershell.exe"),
            ],
        );
        let Some(TypedEvent::DnsQuery(d)) = interpret(&r) else {
            panic!("not a DNS query")
        };
        assert_eq!(d.query_name, "remit-portal.example");
        assert_eq!(d.query_results.as_deref(), Some("::ffff:203.0.113.77;"));
        assert_eq!(d.process_id, Some(6120));
    }

    #[test]
    fn other_events_are_not_typed() {
        assert_eq!(interpret(&record("Security", 4624, &[])), None);
        assert_eq!(interpret(&record("System", 1, &[])), None);
    }
}
