//! Detection profiles: the detection knowledge of ddesweep, as data.
//!
//! A profile is a TOML file (see `profiles/default.toml`) that names the Word field types, link
//! and formula rules, severities, confidences and escalation markers the checks in `detect/` use.
//! Built-in profiles are compiled into the binary; a custom one is read from a path. Profiles are
//! checked when loaded: unknown keys, wrong types and empty rules are errors that name the file,
//! the line and the problem.

#![forbid(unsafe_code)]

mod correlate;
mod document;
mod eventlog;
mod memory;

use std::path::Path;

pub use correlate::{CorrelateRules, OfficeApplication, PersistenceLocation};
pub use document::{DocumentExclusion, DocumentRules, FieldRule, ObjectRule};
pub use eventlog::{
    EventLogRules, Exclusion, OfficeAlertRule, ProcessKnowledge, ProcessRules, RegistrySetting,
    TreeSettings,
};
pub use memory::{MemoryIndicator, MemoryRules};

use serde::{Deserialize, Serialize};

/// Profiles compiled into the binary: (name, TOML text).
const BUILTIN: &[(&str, &str)] = &[("default", include_str!("../../profiles/default.toml"))];

/// How bad a finding is. Context rows are `info`.
#[derive(Clone, Copy, Debug, Deserialize, Eq, Hash, Ord, PartialEq, PartialOrd, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Context, not a finding.
    Info,
    /// Worth a look.
    Low,
    /// Suspicious.
    Medium,
    /// Likely malicious.
    High,
    /// Malicious with a dangerous payload.
    Critical,
}

impl Severity {
    /// The name used in tags and output.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// How sure a rule is that its finding is what it says.
#[derive(Clone, Copy, Debug, Deserialize, Eq, Hash, Ord, PartialEq, PartialOrd, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Often benign.
    Low,
    /// Sometimes benign.
    Medium,
    /// Rarely benign.
    High,
}

/// A detection rule's identity and weight.
#[derive(Clone, Debug, Deserialize, Eq, PartialEq, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable identifier (`ddesweep.document.dde_link`).
    pub id: String,
    /// One-line title shown with findings.
    pub title: String,
    /// Severity of a finding.
    pub severity: Severity,
    /// Confidence of a finding.
    pub confidence: Confidence,
}

/// Raises the severity of findings whose command holds a marker.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CommandEscalation {
    /// The severity to raise to.
    pub severity: Severity,
    /// Substrings, compared case-insensitively.
    pub markers: Vec<String>,
}

/// A detection profile.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The profile's name.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// The ATT&CK technique its findings are tagged with.
    pub technique: String,
    /// Folders whose child folder is a user profile (`Users`).
    pub user_profile_roots: Vec<String>,
    /// Document checks.
    pub document: DocumentRules,
    /// Event-log (EVTX) checks.
    pub eventlog: EventLogRules,
    /// File-system checks (where a file came from, whether its times were altered).
    pub filesystem: FileSystemRules,
    /// Strings carved from memory dumps, paging files and unallocated clusters.
    pub memory: MemoryRules,
    /// How rows join into incidents, and what the report calls them.
    pub correlate: CorrelateRules,
}

/// What the file system tells about a document: e-mail origin and altered times.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FileSystemRules {
    /// Folders where Outlook saves the attachments it opens (compared case-insensitively as a
    /// part of the path, `/`-separated): a document under one is tagged `email_attachment`.
    pub outlook_attachment_caches: Vec<String>,
    /// The ATT&CK technique timestomping findings are tagged with (not the profile's DDE one).
    pub timestomp_technique: String,
    /// $STANDARD_INFORMATION creation before $FILE_NAME creation (NTFS images).
    pub timestomp: Rule,
}

/// A profile with where it came from, as the manifest records it.
#[derive(Clone, Debug)]
pub struct LoadedProfile {
    /// The parsed profile.
    pub profile: Profile,
    /// `builtin:NAME` or the file's path.
    pub origin: String,
    /// SHA-256 of the profile's TOML text, so a report can name the exact rules used.
    pub sha256: String,
}

/// Why a profile could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProfileError {
    /// Neither a built-in name nor a readable file.
    #[error("profile {name}: not a built-in profile ({builtin}) and not a readable file: {source}")]
    NotFound {
        /// What was asked for.
        name: String,
        /// The built-in names.
        builtin: String,
        /// Why the file could not be read.
        source: std::io::Error,
    },
    /// The TOML does not parse or does not fit the schema.
    #[error("{origin}:{line}:{column}: {message}")]
    Syntax {
        /// The file (or `builtin:NAME`).
        origin: String,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The TOML parses but a value is unusable.
    #[error("{origin}: {key}: {message}")]
    Invalid {
        /// The file (or `builtin:NAME`).
        origin: String,
        /// The key at fault.
        key: String,
        /// What is wrong.
        message: String,
    },
}

/// The names of the built-in profiles with their descriptions.
pub fn builtin() -> Vec<(String, String)> {
    BUILTIN
        .iter()
        .filter_map(|(name, text)| {
            let profile = parse(text, &format!("builtin:{name}")).ok()?;
            Some(((*name).to_owned(), profile.description))
        })
        .collect()
}

/// Loads a built-in profile by name, or a profile file by path.
pub fn load(name_or_path: &str) -> Result<LoadedProfile, ProfileError> {
    if let Some((name, text)) = BUILTIN.iter().find(|(name, _)| *name == name_or_path) {
        return from_text(text, format!("builtin:{name}"));
    }
    let path = Path::new(name_or_path);
    let text = std::fs::read_to_string(path).map_err(|source| ProfileError::NotFound {
        name: name_or_path.to_owned(),
        builtin: BUILTIN
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(", "),
        source,
    })?;
    from_text(&text, path.display().to_string())
}

fn from_text(text: &str, origin: String) -> Result<LoadedProfile, ProfileError> {
    let profile = parse(text, &origin)?;
    Ok(LoadedProfile {
        profile,
        sha256: crate::digest::sha256_hex(text.as_bytes()),
        origin,
    })
}

/// Parses and checks profile TOML; errors name `origin`, the line and column.
pub fn parse(text: &str, origin: &str) -> Result<Profile, ProfileError> {
    let profile: Profile = toml::from_str(text).map_err(|err| {
        let (line, column) = err
            .span()
            .map_or((1, 1), |span| line_column(text, span.start));
        ProfileError::Syntax {
            origin: origin.to_owned(),
            line,
            column,
            message: err.message().to_owned(),
        }
    })?;
    check(&profile, origin)?;
    Ok(profile)
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn check(profile: &Profile, origin: &str) -> Result<(), ProfileError> {
    let invalid = |key: &str, message: &str| ProfileError::Invalid {
        origin: origin.to_owned(),
        key: key.to_owned(),
        message: message.to_owned(),
    };
    if let Some(empty) = profile
        .memory
        .indicators
        .iter()
        .find(|i| i.text.is_empty() || i.id.is_empty())
    {
        return Err(invalid(
            "memory.indicators",
            &format!("an indicator needs an id and a text ({empty:?})"),
        ));
    }
    let mut ids = std::collections::BTreeSet::new();
    let doc = &profile.document;
    let rules = document::rule_ids(doc).into_iter().chain([(
        profile.filesystem.timestomp.id.as_str(),
        "filesystem.timestomp",
    )]);
    let log = &profile.eventlog;
    let log_rules = [
        (&log.rules.office_child, "eventlog.rules.office_child"),
        (
            &log.rules.office_child_user_writable,
            "eventlog.rules.office_child_user_writable",
        ),
        (
            &log.rules.equation_editor_child,
            "eventlog.rules.equation_editor_child",
        ),
        (
            &log.rules.equation_editor_process,
            "eventlog.rules.equation_editor_process",
        ),
        (
            &log.rules.excel_child_executable,
            "eventlog.rules.excel_child_executable",
        ),
        (
            &log.rules.wmic_process_create,
            "eventlog.rules.wmic_process_create",
        ),
        (
            &log.rules.office_lookalike,
            "eventlog.rules.office_lookalike",
        ),
        (
            &log.rules.equation_editor_network,
            "eventlog.rules.equation_editor_network",
        ),
        (
            &log.rules.office_module_user_writable,
            "eventlog.rules.office_module_user_writable",
        ),
        (
            &log.rules.office_descendant,
            "eventlog.rules.office_descendant",
        ),
        (
            &log.rules.office_tree_activity,
            "eventlog.rules.office_tree_activity",
        ),
    ];
    let rules = rules
        .chain(log_rules.iter().map(|(rule, key)| (rule.id.as_str(), *key)))
        .chain(
            log.registry
                .iter()
                .map(|r| (r.id.as_str(), "eventlog.registry")),
        );
    for (id, key) in rules {
        if id.trim().is_empty() {
            return Err(invalid(&format!("{key}.id"), "rule id is empty"));
        }
        if !ids.insert(id) {
            return Err(invalid(
                &format!("{key}.id"),
                &format!("rule id {id:?} is used twice"),
            ));
        }
    }
    for (index, rule) in doc.field_rules.iter().enumerate() {
        if rule.keywords.is_empty() || rule.keywords.iter().any(|k| k.trim().is_empty()) {
            return Err(invalid(
                &format!("document.field_rules[{index}].keywords"),
                "needs at least one non-empty field type",
            ));
        }
    }
    check_eventlog(log, &invalid)?;
    let process_rules = [
        &log.rules.office_child,
        &log.rules.office_child_user_writable,
        &log.rules.equation_editor_child,
        &log.rules.equation_editor_process,
        &log.rules.excel_child_executable,
        &log.rules.wmic_process_create,
        &log.rules.office_lookalike,
    ];
    if let Some(unknown) = log
        .tree
        .root_rules
        .iter()
        .find(|id| !process_rules.iter().any(|r| &r.id == *id))
    {
        return Err(invalid(
            "eventlog.tree.root_rules",
            &format!("{unknown:?} is not the id of a process-start rule"),
        ));
    }
    if log.tree.max_depth == 0 || log.tree.max_nodes == 0 {
        return Err(invalid(
            "eventlog.tree",
            "max_depth and max_nodes must be at least 1",
        ));
    }
    document::check_exclusions(doc, &invalid)?;
    for (index, exclusion) in log.exclusions.iter().enumerate() {
        if let Some(unknown) = exclusion.rules.iter().find(|id| !ids.contains(id.as_str())) {
            return Err(invalid(
                &format!("eventlog.exclusions[{index}].rules"),
                &format!("no rule has the id {unknown:?}"),
            ));
        }
    }
    if doc.command_escalation.markers.iter().any(|m| m.is_empty()) {
        return Err(invalid(
            "document.command_escalation.markers",
            "a marker is empty",
        ));
    }
    let correlate = &profile.correlate;
    if let Some(unknown) = correlate
        .enabling_setting_rules
        .iter()
        .find(|id| !ids.contains(id.as_str()))
    {
        return Err(invalid(
            "correlate.enabling_setting_rules",
            &format!("no rule has the id {unknown:?}"),
        ));
    }
    if let Some(place) = correlate
        .persistence
        .iter()
        .find(|p| p.fragments.is_empty() || p.fragments.iter().any(|f| f.trim().is_empty()))
    {
        return Err(invalid(
            "correlate.persistence",
            &format!(
                "{:?} needs non-empty fragments (an empty one matches every path)",
                place.name
            ),
        ));
    }
    Ok(())
}

/// Checks the event-log section: no empty lists or fragments that would match everything.
fn check_eventlog(
    log: &EventLogRules,
    invalid: &impl Fn(&str, &str) -> ProfileError,
) -> Result<(), ProfileError> {
    let p = &log.process;
    let lists = [
        (&p.office_apps, "eventlog.process.office_apps"),
        (
            &p.suspicious_children,
            "eventlog.process.suspicious_children",
        ),
        (
            &p.user_writable_folders,
            "eventlog.process.user_writable_folders",
        ),
        (
            &p.office_install_folders,
            "eventlog.process.office_install_folders",
        ),
        (&p.equation_editor, "eventlog.process.equation_editor"),
        (&p.excel, "eventlog.process.excel"),
        (&p.wmic, "eventlog.process.wmic"),
        (&p.wmic_create, "eventlog.process.wmic_create"),
        (
            &p.document_extensions,
            "eventlog.process.document_extensions",
        ),
        (
            &log.command_escalation.markers,
            "eventlog.command_escalation.markers",
        ),
        (&log.office_alerts.markers, "eventlog.office_alerts.markers"),
    ];
    for (list, key) in lists {
        if list.iter().any(|s| s.trim().is_empty()) {
            return Err(invalid(
                key,
                "an entry is empty (it would match everything)",
            ));
        }
    }
    for (index, setting) in log.registry.iter().enumerate() {
        if setting.paths.is_empty() || setting.paths.iter().any(|p| p.trim().is_empty()) {
            return Err(invalid(
                &format!("eventlog.registry[{index}].paths"),
                "needs at least one non-empty path",
            ));
        }
        if setting.enabling_values.is_empty()
            && setting.enabling_when_bits_clear.is_none()
            && !setting.enabling_when_deleted
        {
            return Err(invalid(
                &format!("eventlog.registry[{index}]"),
                "says no data enables it: set enabling_values, enabling_when_bits_clear or enabling_when_deleted",
            ));
        }
    }
    for (index, exclusion) in log.exclusions.iter().enumerate() {
        let fragments = [
            &exclusion.image,
            &exclusion.parent_image,
            &exclusion.command_line,
            &exclusion.target,
        ];
        if !exclusion.has_condition()
            || fragments
                .iter()
                .any(|f| f.iter().any(|s| s.trim().is_empty()))
        {
            return Err(invalid(
                &format!("eventlog.exclusions[{index}]"),
                "needs a non-empty image, parent_image, command_line or target condition",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_profile_loads() {
        let loaded = load("default").unwrap();
        assert_eq!(loaded.origin, "builtin:default");
        assert_eq!(loaded.profile.technique, "T1559.002");
        assert_eq!(loaded.profile.document.field_rules.len(), 2);
        assert_eq!(
            loaded.profile.document.default_passwords,
            ["VelvetSweatshop", "/01Hannes Ruescher/01"]
        );
        assert_eq!(loaded.sha256.len(), 64);
    }

    #[test]
    fn unknown_key_names_line_and_column() {
        let text = include_str!("../../profiles/default.toml").replace(
            "[document.dde_link]\n",
            "[document.dde_link]\nseverty = \"high\"\n",
        );
        let err = parse(&text, "custom.toml").unwrap_err().to_string();
        let line = text.lines().position(|l| l.starts_with("severty")).unwrap() + 1;
        assert!(err.starts_with(&format!("custom.toml:{line}:")), "{err}");
        assert!(err.contains("severty"), "{err}");
    }

    #[test]
    fn bad_severity_is_refused() {
        let text = include_str!("../../profiles/default.toml").replacen(
            "severity = \"high\"",
            "severity = \"urgent\"",
            1,
        );
        let err = parse(&text, "p.toml").unwrap_err().to_string();
        assert!(
            err.starts_with("p.toml:") && err.contains("urgent"),
            "{err}"
        );
    }

    #[test]
    fn duplicate_rule_ids_are_refused() {
        let text = include_str!("../../profiles/default.toml").replace(
            "id = \"ddesweep.document.dde_link\"",
            "id = \"ddesweep.document.dde_field\"",
        );
        let err = parse(&text, "p.toml").unwrap_err().to_string();
        assert!(err.contains("used twice"), "{err}");
    }

    #[test]
    fn exclusions_must_name_existing_rules() {
        let text = include_str!("../../profiles/default.toml").replace(
            "rules = [\"ddesweep.eventlog.excel_child_executable\"]",
            "rules = [\"ddesweep.eventlog.excel_child_exe\"]",
        );
        let err = parse(&text, "p.toml").unwrap_err().to_string();
        assert!(err.contains("excel_child_exe"), "{err}");
    }

    #[test]
    fn document_exclusions_are_checked_at_load() {
        let with = |block: &str| include_str!("../../profiles/default.toml").to_owned() + block;
        let good = with(
            "\n[[document.exclusions]]\nid = \"erp\"\nreason = \"ERP\"\n\
             rules = [\"ddesweep.document.dde_link\"]\ndde_service = [\"CLEDGER\"]\n",
        );
        let profile = parse(&good, "p.toml").unwrap();
        assert_eq!(profile.document.exclusions[0].dde_service, ["CLEDGER"]);
        for (block, problem) in [
            (
                "id = \"erp\"\nreason = \"ERP\"\n",
                "document.exclusions[0]: needs a non-empty dde_service, command or path",
            ),
            (
                "id = \"erp\"\nreason = \"ERP\"\npath = [\" \"]\n",
                "document.exclusions[0]: needs a non-empty",
            ),
            (
                "id = \"erp\"\nreason = \"ERP\"\ncommand = [\"x\"]\n\
                 rules = [\"ddesweep.eventlog.office_child\"]\n",
                "document.exclusions[0].rules: no document rule has the id",
            ),
            (
                "id = \"\"\nreason = \"ERP\"\ncommand = [\"x\"]\n",
                "document.exclusions[0].id: exclusion id is empty",
            ),
            (
                "id = \"erp\"\nreason = \"ERP\"\nservice = [\"x\"]\n",
                "unknown field `service`",
            ),
        ] {
            let text = with(&format!("\n[[document.exclusions]]\n{block}"));
            let err = parse(&text, "p.toml").unwrap_err().to_string();
            assert!(err.contains(problem), "{err}");
        }
    }

    #[test]
    fn missing_profile_lists_builtins() {
        let err = load("/nonexistent/p.toml").unwrap_err().to_string();
        assert!(err.contains("default"), "{err}");
    }
}
