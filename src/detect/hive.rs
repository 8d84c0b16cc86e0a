//! Registry hive checks: Office settings that enable DDE (the same registry settings of the
//! profile that the event-log checks use, so one list serves both), Equation Editor kill bits,
//! and the traces of opened and trusted documents as context rows.

use super::Event;
use super::eventlog::registry;
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

/// The rows of one hive.
pub fn hive_events(profile: &Profile, ctx: &HiveContext<'_>, facts: &HiveFacts) -> Vec<Event> {
    let mut events = Vec::new();
    for setting in &facts.settings {
        events.extend(setting_rows(profile, ctx, setting));
    }
    for bit in &facts.kill_bits {
        events.extend(kill_bit_rows(profile, ctx, bit));
    }
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
    events
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

fn setting_rows(profile: &Profile, ctx: &HiveContext<'_>, setting: &OfficeSetting) -> Vec<Event> {
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
    let findings = registry::check(&profile.eventlog, &change);
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

fn kill_bit_rows(profile: &Profile, ctx: &HiveContext<'_>, bit: &KillBit) -> Vec<Event> {
    let name = "Compatibility Flags";
    let change = change(&bit.key, name, bit.flags);
    let time = bit.key_written.map(|t| (t, desc::MODIFICATION));
    let flags = bit
        .flags
        .map_or_else(|| "absent".to_owned(), |f| format!("0x{f:08x}"));
    let findings = if bit.flags.is_some() {
        registry::check(&profile.eventlog, &change)
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
