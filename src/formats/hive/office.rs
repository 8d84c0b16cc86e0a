//! What a hive says about Office and its host, as typed records: Office security and link
//! settings per version and application (user and policy paths), Trusted Documents, File and
//! Place MRU lists, the Equation Editor kill bits, the computer name and the user profiles.
//! Where these keys live is format knowledge; which values are dangerous is the profile's.

use super::{RegData, RegValue, RegistryHive};
use crate::formats::Deadline;
use crate::time::Timestamp;

/// Office roots: user settings and policies in a user hive, machine-wide settings and policies
/// in a SOFTWARE hive (and its 32-bit view).
const OFFICE_ROOTS: &[&str] = &[
    r"Software\Microsoft\Office",
    r"Software\Policies\Microsoft\Office",
    r"Microsoft\Office",
    r"Policies\Microsoft\Office",
    r"WOW6432Node\Microsoft\Office",
    r"WOW6432Node\Policies\Microsoft\Office",
];
/// Keys below `<root>\<version>\<application>` whose values are security or link settings.
const SETTING_KEYS: &[&str] = &[
    "Security",
    r"Security\External Content",
    "Options",
    r"Options\WordMail",
];
/// Where the Equation Editor's COM compatibility flags live in a SOFTWARE hive.
const KILL_BIT_KEYS: &[&str] = &[
    r"Microsoft\Office\Common\COM Compatibility\{0002CE02-0000-0000-C000-000000000046}",
    r"WOW6432Node\Microsoft\Office\Common\COM Compatibility\{0002CE02-0000-0000-C000-000000000046}",
    r"Microsoft\Office\ClickToRun\REGISTRY\MACHINE\Software\Microsoft\Office\Common\COM Compatibility\{0002CE02-0000-0000-C000-000000000046}",
    r"Microsoft\Office\ClickToRun\REGISTRY\MACHINE\Software\Wow6432Node\Microsoft\Office\Common\COM Compatibility\{0002CE02-0000-0000-C000-000000000046}",
];
/// For each of [`KILL_BIT_KEYS`], the key whose existence makes that path matter (empty: always).
const KILL_BIT_VIEWS: &[&str] = &[
    "",
    "WOW6432Node",
    r"Microsoft\Office\ClickToRun\REGISTRY\MACHINE\Software\Microsoft\Office",
    r"Microsoft\Office\ClickToRun\REGISTRY\MACHINE\Software\Wow6432Node",
];
/// The compatibility flags value.
const COMPATIBILITY_FLAGS: &str = "Compatibility Flags";
/// Most entries read from one MRU or TrustRecords key.
const MAX_ITEMS: usize = 10_000;

/// A value under an Office settings key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfficeSetting {
    /// Office version (`16.0`).
    pub version: String,
    /// Application key (`Word`).
    pub application: String,
    /// Whether it is under `Software\Policies`.
    pub policy: bool,
    /// The value with its key.
    pub value: RegValue,
}

/// A Trusted Documents record: the user enabled editing or content of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustRecord {
    /// Office version.
    pub version: String,
    /// Application.
    pub application: String,
    /// The document (the value's name, as Office writes it).
    pub document: String,
    /// The FILETIME at the start of the record.
    pub recorded: Option<Timestamp>,
    /// The record's flag: 0x00000001 editing enabled, 0x7FFFFFFF content enabled.
    pub flag: u32,
    /// The key's last-written time.
    pub key_written: Option<Timestamp>,
    /// The key.
    pub key: String,
}

/// An MRU item: a document or folder opened in Office.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MruItem {
    /// Office version.
    pub version: String,
    /// Application.
    pub application: String,
    /// `File MRU` or `Place MRU`.
    pub list: String,
    /// The value name (`Item 1`).
    pub item: String,
    /// The path.
    pub path: String,
    /// The `[T...]` time.
    pub opened: Option<Timestamp>,
    /// The key's last-written time.
    pub key_written: Option<Timestamp>,
    /// The key.
    pub key: String,
}

/// The Equation Editor kill bit at one path of a SOFTWARE hive (present or not).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KillBit {
    /// The key.
    pub key: String,
    /// Whether the key exists (a missing key leaves Equation Editor runnable through this view).
    pub present: bool,
    /// `Compatibility Flags`, when the value exists.
    pub flags: Option<u64>,
    /// The key's last-written time.
    pub key_written: Option<Timestamp>,
}

/// A user profile from a SOFTWARE hive's ProfileList.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserProfile {
    /// The SID.
    pub sid: String,
    /// `ProfileImagePath`.
    pub path: String,
}

/// Everything read from one hive.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HiveFacts {
    /// Office settings (user hives).
    pub settings: Vec<OfficeSetting>,
    /// Trusted Documents (user hives).
    pub trust_records: Vec<TrustRecord>,
    /// MRU items (user hives).
    pub mru: Vec<MruItem>,
    /// Equation Editor kill bits, one per known path whose registry view exists (SOFTWARE).
    pub kill_bits: Vec<KillBit>,
    /// Whether the hive is a SOFTWARE hive (so absent kill bits mean something).
    pub is_software: bool,
    /// The computer name (SYSTEM).
    pub computer_name: Option<String>,
    /// User profiles (SOFTWARE).
    pub profiles: Vec<UserProfile>,
    /// Where reading stopped at the artifact's time bound (`None`: every key was read).
    pub stopped: Option<String>,
}

/// Reads what `hive` holds about Office and its host; the Office keys until `deadline`, looked
/// at before each application key.
pub fn read(hive: &RegistryHive<'_>, deadline: &Deadline) -> HiveFacts {
    let mut facts = HiveFacts::default();
    'roots: for root in OFFICE_ROOTS {
        let policy = root.contains("Policies");
        for version in hive.subkeys(root) {
            if !version.starts_with(|c: char| c.is_ascii_digit()) {
                continue;
            }
            let version_key = format!(r"{root}\{version}");
            for application in hive.subkeys(&version_key) {
                let app_key = format!(r"{version_key}\{application}");
                if deadline.passed() {
                    facts.stopped = Some(deadline.stop_message(&format!("before key {app_key}")));
                    break 'roots;
                }
                read_application(hive, &mut facts, &app_key, &version, &application, policy);
            }
        }
    }
    facts.is_software = hive.has_key(r"Microsoft\Windows NT\CurrentVersion");
    if facts.is_software {
        for (key, view) in KILL_BIT_KEYS.iter().zip(KILL_BIT_VIEWS) {
            let present = hive.has_key(key);
            // A path matters where its registry view exists (32-bit, Click-to-Run).
            if present || view.is_empty() || hive.has_key(view) {
                facts.kill_bits.push(KillBit {
                    key: (*key).to_owned(),
                    present,
                    flags: hive
                        .value(key, COMPATIBILITY_FLAGS)
                        .and_then(|v| v.data.number()),
                    key_written: hive.key_written(key),
                });
            }
        }
        let list = r"Microsoft\Windows NT\CurrentVersion\ProfileList";
        for sid in hive.subkeys(list) {
            if let Some(RegData::Text(path)) = hive
                .value(&format!(r"{list}\{sid}"), "ProfileImagePath")
                .map(|v| v.data)
            {
                facts.profiles.push(UserProfile { sid, path });
            }
        }
    }
    facts.computer_name = computer_name(hive);
    facts
}

fn read_application(
    hive: &RegistryHive<'_>,
    facts: &mut HiveFacts,
    app_key: &str,
    version: &str,
    application: &str,
    policy: bool,
) {
    for sub in SETTING_KEYS {
        for value in hive.values(&format!(r"{app_key}\{sub}")) {
            facts.settings.push(OfficeSetting {
                version: version.to_owned(),
                application: application.to_owned(),
                policy,
                value,
            });
        }
    }
    let trust = format!(r"{app_key}\Security\Trusted Documents\TrustRecords");
    for value in hive.values(&trust).into_iter().take(MAX_ITEMS) {
        if let RegData::Binary(bytes) = &value.data
            && let Some(record) = trust_record(bytes)
        {
            facts.trust_records.push(TrustRecord {
                version: version.to_owned(),
                application: application.to_owned(),
                document: value.name.clone(),
                recorded: record.0,
                flag: record.1,
                key_written: value.key_written,
                key: trust.clone(),
            });
        }
    }
    let mut lists = vec![app_key.to_owned()];
    let user_mru = format!(r"{app_key}\User MRU");
    lists.extend(
        hive.subkeys(&user_mru)
            .into_iter()
            .map(|id| format!(r"{user_mru}\{id}")),
    );
    for base in lists {
        for list in ["File MRU", "Place MRU"] {
            let key = format!(r"{base}\{list}");
            for value in hive.values(&key).into_iter().take(MAX_ITEMS) {
                let RegData::Text(text) = &value.data else {
                    continue;
                };
                if !value.name.starts_with("Item ") || value.name.starts_with("Item Metadata") {
                    continue;
                }
                if let Some((opened, path)) = mru_item(text) {
                    facts.mru.push(MruItem {
                        version: version.to_owned(),
                        application: application.to_owned(),
                        list: list.to_owned(),
                        item: value.name.clone(),
                        path,
                        opened,
                        key_written: value.key_written,
                        key: key.clone(),
                    });
                }
            }
        }
    }
}

/// A TrustRecords value: the FILETIME at its start and the flag in its last four bytes.
pub fn trust_record(bytes: &[u8]) -> Option<(Option<Timestamp>, u32)> {
    if bytes.len() < 24 {
        return None;
    }
    let filetime = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?);
    let flag_at = bytes.len() - 4;
    let flag = u32::from_le_bytes(bytes.get(flag_at..)?.try_into().ok()?);
    Some((Timestamp::from_filetime(filetime), flag))
}

/// An MRU item `[F00000000][T01D...][O00000000]*path`: its time and path.
pub fn mru_item(text: &str) -> Option<(Option<Timestamp>, String)> {
    let (fields, path) = text.split_once('*')?;
    let opened = fields
        .split('[')
        .find_map(|field| field.strip_prefix('T'))
        .and_then(|hex| u64::from_str_radix(hex.trim_end_matches(']'), 16).ok())
        .and_then(Timestamp::from_filetime);
    Some((opened, path.to_owned()))
}

/// The computer name of a SYSTEM hive (from the current control set).
fn computer_name(hive: &RegistryHive<'_>) -> Option<String> {
    let current = hive.value("Select", "Current")?.data.number()?;
    let key = format!(r"ControlSet{current:03}\Control\ComputerName\ComputerName");
    match hive.value(&key, "ComputerName")?.data {
        RegData::Text(name) => Some(name),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn mru_items_give_time_and_path() {
        let (time, path) =
            mru_item(r"[F00000000][T01DA6E0A5E1C6000][O00000000]*C:\Users\alice\a.docx").unwrap();
        assert_eq!(path, r"C:\Users\alice\a.docx");
        assert_eq!(
            time.map(Timestamp::to_rfc3339).as_deref(),
            Some("2024-03-04T08:02:56.849715+00:00")
        );
        assert_eq!(mru_item("no star"), None);
    }

    #[test]
    fn trust_records_give_time_and_flag() {
        let mut bytes = vec![0u8; 24];
        bytes[..8].copy_from_slice(&133_540_170_610_000_000u64.to_le_bytes());
        bytes[20..].copy_from_slice(&0x7fff_ffffu32.to_le_bytes());
        let (time, flag) = trust_record(&bytes).unwrap();
        assert_eq!(flag, 0x7fff_ffff);
        assert_eq!(
            time.map(Timestamp::to_rfc3339).as_deref(),
            Some("2024-03-04T09:11:01.000000+00:00")
        );
        assert_eq!(trust_record(&bytes[..20]), None);
    }
}
