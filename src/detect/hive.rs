//! Registry hive checks: Office settings that enable DDE (the same registry settings of the
//! profile that the event-log checks use, so one list serves both), Equation Editor kill bits,
//! and the traces of opened and trusted documents as context rows.
//!
//! A finding on a hive value that a profile `[[eventlog.exclusions]]` entry covers by its
//! `target` alone (the value's registry path) is counted, not written: the same exclusion
//! leaves out the Sysmon 13 record of the write and the value the write left in the hive.

use std::collections::BTreeMap;

use super::Event;
use super::eventlog::{self, LogFinding, registry};
use super::timeline::desc;
use crate::formats::evtx::typed::RegistryChange;
use crate::formats::hive::office::{HiveFacts, KillBit, MruItem, OfficeSetting, TrustRecord};
use crate::profile::{Profile, Severity};
use crate::time::Timestamp;

/// The hive the rows come from.
#[derive(Clone, Debug)]
pub struct HiveContext<'a> {
    /// The evidence item.
    pub evidence: &'a str,
    /// The hive's path inside it.
    pub source_path: &'a str,
    /// The user whose hive it is (profile folder name), where known.
    pub user: Option<String>,
    /// Whether the hive was dirty and read without its log (rows are tagged).
    pub dirty: bool,
}

/// Trust flag: the user enabled editing (left Protected View).
const TRUST_EDITING: u32 = 0x0000_0001;
/// Trust flag: the user enabled content (macros, links, DDE).
const TRUST_CONTENT: u32 = 0x7fff_ffff;
/// The COM compatibility flag that blocks a class (the kill bit): what the row says about the
/// key, whatever the profile rates as a finding.
const KILL_BIT: u64 = 0x400;

/// What one hive gave.
#[derive(Clone, Debug, Default)]
pub struct HiveRows {
    /// Timeline rows: findings and context.
    pub events: Vec<Event>,
    /// Findings left out by exclusions: exclusion id -> hits.
    pub excluded: BTreeMap<String, usize>,
}

/// The rows of one hive.
pub fn hive_events(profile: &Profile, ctx: &HiveContext<'_>, facts: &HiveFacts) -> HiveRows {
    let mut rows = HiveRows::default();
    for setting in &facts.settings {
        let found = setting_rows(profile, ctx, setting, &mut rows.excluded);
        rows.events.extend(found);
    }
    for bit in &facts.kill_bits {
        let found = kill_bit_rows(profile, ctx, bit, &mut rows.excluded);
        rows.events.extend(found);
    }
    let events = &mut rows.events;
    if facts.is_software && !facts.kill_bits.iter().any(|bit| bit.present) {
        let mut row = base(
            profile,
            ctx,
            None,
            "ddesweep:registry:equation_editor",
            "No Equation Editor kill bit in this SOFTWARE hive: EQNEDT32.EXE can run where it is installed".to_owned(),
            Severity::Info,
        );
        row.tags.push("context".to_owned());
        events.push(row);
    }
    for record in &facts.trust_records {
        events.push(trust_row(profile, ctx, record));
    }
    for item in &facts.mru {
        events.push(mru_row(profile, ctx, item));
    }
    rows
}

/// The findings of the registry checks on `change` that no exclusion covers; the others are
/// counted in `excluded`. `None` when there were findings and exclusions covered them all (the
/// value then gets no row: the site says it is known-good).
fn unexcluded_findings(
    profile: &Profile,
    change: &RegistryChange,
    excluded: &mut BTreeMap<String, usize>,
) -> Option<Vec<LogFinding>> {
    let findings = registry::check(&profile.eventlog, change);
    if findings.is_empty() {
        return Some(findings);
    }
    let mut kept = Vec::new();
    for finding in findings {
        match eventlog::excluded_setting(
            &profile.eventlog.exclusions,
            &finding.rule.id,
            &change.target,
        ) {
            Some(exclusion) => *excluded.entry(exclusion.id.clone()).or_default() += 1,
            None => kept.push(finding),
        }
    }
    (!kept.is_empty()).then_some(kept)
}

/// A row of this hive at `time` (the key's last-written time when given).
fn base(
    profile: &Profile,
    ctx: &HiveContext<'_>,
    time: Option<(Timestamp, &'static str)>,
    data_type: &'static str,
    message: String,
    severity: Severity,
) -> Event {
    let mut row = Event::new(
        &profile.technique,
        severity,
        data_type,
        message,
        time.unwrap_or((Timestamp::UNIX_EPOCH, desc::NOT_A_TIME)),
        ctx.evidence,
        ctx.source_path,
    );
    if ctx.dirty {
        row.tags.push("dirty_hive".to_owned());
    }
    row.user.clone_from(&ctx.user);
    row
}

/// As the registry checks see a value: `key\name` set to its number.
fn change(key: &str, name: &str, number: Option<u64>) -> RegistryChange {
    RegistryChange {
        target: format!(r"{key}\{name}"),
        operation: "SetValue".to_owned(),
        details: number.map(|n| n.to_string()),
        ..RegistryChange::default()
    }
}

fn setting_rows(
    profile: &Profile,
    ctx: &HiveContext<'_>,
    setting: &OfficeSetting,
    excluded: &mut BTreeMap<String, usize>,
) -> Vec<Event> {
    let value = &setting.value;
    let change = change(&value.key, &value.name, value.data.number());
    if !registry::watched(&profile.eventlog, &change.target) {
        return Vec::new();
    }
    let scope = if setting.policy {
        "policy"
    } else {
        "user setting"
    };
    let what = format!(
        "Office {} {} {scope} {} = {}",
        setting.version,
        setting.application,
        value.name,
        value.data.display()
    );
    let row = |message: String, severity| {
        let time = value.key_written.map(|t| (t, desc::MODIFICATION));
        let mut row = base(
            profile,
            ctx,
            time,
            "ddesweep:registry:office_setting",
            message,
            severity,
        );
        row.fields.registry_key = Some(change.target.clone());
        row.fields.value = Some(value.data.display());
        row
    };
    let Some(findings) = unexcluded_findings(profile, &change, excluded) else {
        return Vec::new();
    };
    if findings.is_empty() {
        let verdict = if value.data.number().is_some() {
            "does not enable DDE"
        } else {
            "not a number Office reads for this setting: state unknown"
        };
        let mut context = row(format!("{what} ({verdict})"), Severity::Info);
        context.tags.push("context".to_owned());
        return vec![context];
    }
    findings
        .into_iter()
        .map(|finding| {
            let mut found = row(format!("{what} [{}]", finding.why), finding.severity);
            found.set_rule(&finding.rule);
            found
        })
        .collect()
}

fn kill_bit_rows(
    profile: &Profile,
    ctx: &HiveContext<'_>,
    bit: &KillBit,
    excluded: &mut BTreeMap<String, usize>,
) -> Vec<Event> {
    let name = "Compatibility Flags";
    let change = change(&bit.key, name, bit.flags);
    let time = bit.key_written.map(|t| (t, desc::MODIFICATION));
    let flags = bit
        .flags
        .map_or_else(|| "absent".to_owned(), |f| format!("0x{f:08x}"));
    let findings = if bit.flags.is_some() {
        match unexcluded_findings(profile, &change, excluded) {
            Some(findings) => findings,
            None => return Vec::new(),
        }
    } else {
        Vec::new()
    };
    let state = if !bit.present {
        "key absent: Equation Editor can run through this registry view"
    } else if findings.is_empty() && bit.flags.is_some_and(|f| f & KILL_BIT != 0) {
        "set: Equation Editor is blocked"
    } else {
        "not set: Equation Editor can run"
    };
    let message = format!(
        r"Equation Editor kill bit {state} ({}\{name} = {flags})",
        bit.key
    );
    let mut rows = Vec::new();
    if findings.is_empty() {
        let mut row = base(
            profile,
            ctx,
            time,
            "ddesweep:registry:equation_editor",
            message.clone(),
            Severity::Info,
        );
        row.tags.push("context".to_owned());
        rows.push(row);
    }
    for finding in findings {
        let mut row = base(
            profile,
            ctx,
            time,
            "ddesweep:registry:equation_editor",
            message.clone(),
            finding.severity,
        );
        row.set_rule(&finding.rule);
        rows.push(row);
    }
    for row in &mut rows {
        row.fields.registry_key = Some(change.target.clone());
        row.fields.value = Some(flags.clone());
    }
    rows
}

fn trust_row(profile: &Profile, ctx: &HiveContext<'_>, record: &TrustRecord) -> Event {
    let what = match record.flag {
        TRUST_CONTENT => "enabled content (macros, links, DDE) for",
        TRUST_EDITING => "enabled editing (left Protected View) for",
        _ => "trusted",
    };
    let who = ctx.user.as_deref().unwrap_or("the user");
    let time = record
        .recorded
        .map(|t| (t, desc::MODIFICATION))
        .or(record.key_written.map(|t| (t, desc::MODIFICATION)));
    let mut row = base(
        profile,
        ctx,
        time,
        "ddesweep:registry:trusted_document",
        format!(
            "{who} {what} {} (Office {} {})",
            record.document, record.version, record.application
        ),
        Severity::Info,
    );
    row.tags.push("context".to_owned());
    row.tags.push("trusted_document".to_owned());
    row.fields.document = Some(record.document.clone());
    row.fields.registry_key = Some(record.key.clone());
    row.fields.value = Some(format!("0x{:08x}", record.flag));
    row
}

fn mru_row(profile: &Profile, ctx: &HiveContext<'_>, item: &MruItem) -> Event {
    let time = item
        .opened
        .map(|t| (t, desc::ACCESS))
        .or(item.key_written.map(|t| (t, desc::MODIFICATION)));
    let what = if item.list == "Place MRU" {
        "folder used"
    } else {
        "document opened"
    };
    let mut row = base(
        profile,
        ctx,
        time,
        "ddesweep:registry:office_mru",
        format!(
            "Office {} {} {what}: {} ({} {})",
            item.version, item.application, item.path, item.list, item.item
        ),
        Severity::Info,
    );
    row.tags.push("context".to_owned());
    row.fields.document = Some(item.path.clone());
    row.fields.registry_key = Some(item.key.clone());
    row
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::hive::{RegData, RegValue};
    use crate::profile::{self, Exclusion};

    fn launch_setting() -> HiveFacts {
        HiveFacts {
            settings: vec![OfficeSetting {
                version: "16.0".into(),
                application: "Excel".into(),
                policy: false,
                value: RegValue {
                    key: r"Software\Microsoft\Office\16.0\Excel\Security".into(),
                    key_written: None,
                    name: "DisableDDEServerLaunch".into(),
                    data: RegData::Dword(0),
                },
            }],
            ..HiveFacts::default()
        }
    }

    fn exclusion(id: &str) -> Exclusion {
        Exclusion {
            id: id.into(),
            reason: "test".into(),
            rules: Vec::new(),
            image: Vec::new(),
            parent_image: Vec::new(),
            command_line: Vec::new(),
            target: vec![r"\Excel\Security\DisableDDEServerLaunch".into()],
        }
    }

    fn rows_with(exclusions: Vec<Exclusion>) -> HiveRows {
        let mut profile = profile::load("default").unwrap().profile;
        profile.eventlog.exclusions = exclusions;
        let ctx = HiveContext {
            evidence: "e",
            source_path: "Users/frank/NTUSER.DAT",
            user: Some("frank".into()),
            dirty: false,
        };
        hive_events(&profile, &ctx, &launch_setting())
    }

    #[test]
    fn target_exclusions_leave_hive_findings_out() {
        let rows = rows_with(Vec::new());
        assert_eq!(rows.events.len(), 1);
        assert_eq!(
            rows.events[0].rule_id.as_deref(),
            Some("ddesweep.eventlog.excel_dde_server_launch")
        );
        assert!(rows.excluded.is_empty());

        let by_rule = Exclusion {
            rules: vec!["ddesweep.eventlog.excel_dde_server_launch".into()],
            ..exclusion("ledger")
        };
        let rows = rows_with(vec![by_rule]);
        assert!(rows.events.is_empty(), "{:?}", rows.events);
        assert_eq!(rows.excluded, BTreeMap::from([("ledger".to_owned(), 1)]));
    }

    #[test]
    fn process_conditions_and_other_rules_do_not_apply_to_hives() {
        let with_image = Exclusion {
            image: vec![r"\Program Files\Contoso\".into()],
            ..exclusion("with-image")
        };
        let other_rule = Exclusion {
            rules: vec!["ddesweep.eventlog.word_allow_dde".into()],
            ..exclusion("other-rule")
        };
        let other_target = Exclusion {
            target: vec![r"\Word\Security\AllowDDE".into()],
            ..exclusion("other-target")
        };
        let rows = rows_with(vec![with_image, other_rule, other_target]);
        assert_eq!(rows.events.len(), 1);
        assert!(rows.events[0].rule_id.is_some());
        assert!(rows.excluded.is_empty());
    }
}
