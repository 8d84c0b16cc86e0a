//! Registry-write checks (Sysmon 12/13, Security 4657): values that enable DDE, clear Excel's
//! DDE server guards, make Office update links, or remove the Equation Editor kill bit.

use super::LogFinding;
use crate::formats::evtx::typed::RegistryChange;
use crate::profile::EventLogRules;

/// The findings of one registry change.
pub fn check(rules: &EventLogRules, change: &RegistryChange) -> Vec<LogFinding> {
    let target = change.target.to_ascii_lowercase();
    let value = change.details.as_deref().and_then(parse_data);
    let mut findings = Vec::new();
    for setting in &rules.registry {
        let Some(path) = setting
            .paths
            .iter()
            .find(|p| target.ends_with(&p.to_ascii_lowercase()) || deleted_key(change, &target, p))
        else {
            continue;
        };
        let enabling = if change.is_deletion() {
            setting.enabling_when_deleted
        } else {
            value.is_some_and(|v| {
                setting.enabling_values.contains(&v)
                    || setting
                        .enabling_when_bits_clear
                        .is_some_and(|mask| v & mask == 0)
            })
        };
        if enabling {
            let why = if change.is_deletion() {
                format!("{} removed ({path})", change.operation)
            } else {
                format!(
                    "{path} set to {}",
                    change.details.as_deref().unwrap_or_default()
                )
            };
            findings.push(LogFinding::new(&setting.rule(), why));
        }
    }
    findings
}

/// Whether `target` (a value's full path) is one of the profile's registry settings.
pub fn watched(rules: &EventLogRules, target: &str) -> bool {
    let target = target.to_ascii_lowercase();
    rules
        .registry
        .iter()
        .flat_map(|s| &s.paths)
        .any(|p| target.ends_with(&p.to_ascii_lowercase()))
}

/// Whether a key deletion (or rename) removes a key on the way to the value `path` names: the
/// value's own key or any key above it within `path`.
fn deleted_key(change: &RegistryChange, target: &str, path: &str) -> bool {
    if !(change.operation == "DeleteKey" || change.operation == "RenameKey") {
        return false;
    }
    let lower = path.to_ascii_lowercase();
    let mut ancestor = lower.as_str();
    while let Some((key, _)) = ancestor.rsplit_once('\\') {
        if !key.is_empty() && target.ends_with(key) {
            return true;
        }
        ancestor = key;
    }
    false
}

/// Registry data as logged: Sysmon's `DWORD (0x00000001)` and `QWORD (0x00000000-0x00000001)`,
/// or a plain decimal or `0x` hex number (Security 4657).
pub fn parse_data(details: &str) -> Option<u64> {
    let details = details.trim();
    let inner = details
        .strip_prefix("DWORD (")
        .or_else(|| details.strip_prefix("QWORD ("))
        .and_then(|rest| rest.strip_suffix(')'));
    let hex = |s: &str| {
        let s = s.trim();
        let digits = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"))?;
        u64::from_str_radix(digits, 16).ok()
    };
    match inner {
        Some(inner) => match inner.split_once('-') {
            Some((high, low)) => Some((hex(high)? << 32) | hex(low)?),
            None => hex(inner),
        },
        None => hex(details).or_else(|| details.parse().ok()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::load;

    fn set(target: &str, details: &str) -> RegistryChange {
        RegistryChange {
            target: target.to_owned(),
            operation: "SetValue".to_owned(),
            details: Some(details.to_owned()),
            ..RegistryChange::default()
        }
    }

    const SID: &str = r"HKU\S-1-5-21-1111111111-2222222222-3333333333-1104";

    #[test]
    fn data_forms_parse() {
        assert_eq!(parse_data("DWORD (0x00000002)"), Some(2));
        assert_eq!(
            parse_data("QWORD (0x00000001-0x00000002)"),
            Some((1 << 32) | 2)
        );
        assert_eq!(parse_data("2"), Some(2));
        assert_eq!(parse_data("0x400"), Some(0x400));
        assert_eq!(parse_data("Binary Data"), None);
    }

    #[test]
    fn allow_dde_fires_on_enabling_values_only() {
        let profile = load("default").unwrap().profile;
        let key = format!(r"{SID}\Software\Microsoft\Office\16.0\Word\Security\AllowDDE");
        let ids = |c: &RegistryChange| -> Vec<String> {
            check(&profile.eventlog, c)
                .into_iter()
                .map(|f| f.rule.id)
                .collect()
        };
        assert_eq!(
            ids(&set(&key, "DWORD (0x00000001)")),
            ["ddesweep.eventlog.word_allow_dde"]
        );
        assert!(ids(&set(&key, "DWORD (0x00000000)")).is_empty());
        let vbom = format!(r"{SID}\Software\Microsoft\Office\16.0\Excel\Security\AccessVBOM");
        assert!(ids(&set(&vbom, "DWORD (0x00000001)")).is_empty());
        let kill = r"HKLM\SOFTWARE\Microsoft\Office\Common\COM Compatibility\{0002CE02-0000-0000-C000-000000000046}\Compatibility Flags";
        assert_eq!(
            ids(&set(kill, "DWORD (0x00000000)")),
            ["ddesweep.eventlog.equation_editor_kill_bit"]
        );
        assert!(ids(&set(kill, "DWORD (0x00000400)")).is_empty());
        let deleted = RegistryChange {
            target: r"HKLM\SOFTWARE\WOW6432Node\Microsoft\Office\Common\COM Compatibility\{0002CE02-0000-0000-C000-000000000046}".to_owned(),
            operation: "DeleteKey".to_owned(),
            ..RegistryChange::default()
        };
        assert_eq!(
            ids(&deleted),
            ["ddesweep.eventlog.equation_editor_kill_bit"]
        );
        // Deleting a key above it, or renaming its key away, removes the kill bit too.
        let ancestor = RegistryChange {
            target: r"HKLM\SOFTWARE\WOW6432Node\Microsoft\Office\Common\COM Compatibility"
                .to_owned(),
            operation: "DeleteKey".to_owned(),
            ..RegistryChange::default()
        };
        assert_eq!(
            ids(&ancestor),
            ["ddesweep.eventlog.equation_editor_kill_bit"]
        );
        let renamed = RegistryChange {
            operation: "RenameKey".to_owned(),
            ..deleted.clone()
        };
        assert_eq!(
            ids(&renamed),
            ["ddesweep.eventlog.equation_editor_kill_bit"]
        );
        let unrelated = RegistryChange {
            target: r"HKLM\SOFTWARE\Microsoft\Office\Common\Other".to_owned(),
            operation: "DeleteKey".to_owned(),
            ..RegistryChange::default()
        };
        assert!(ids(&unrelated).is_empty());
    }
}
