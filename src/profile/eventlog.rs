//! The event-log part of a profile (`[eventlog]`): process names, folders, registry settings,
//! alert texts, rules and exclusions the EVTX checks use.

use serde::{Deserialize, Serialize};

use super::{CommandEscalation, Rule};

/// Event-log checks.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EventLogRules {
    /// Process names and folders.
    pub process: ProcessKnowledge,
    /// The process-start rules.
    pub rules: ProcessRules,
    /// Severity raise for process command lines with download or obfuscation markers.
    pub command_escalation: CommandEscalation,
    /// Registry settings whose change enables DDE or the Equation Editor.
    pub registry: Vec<RegistrySetting>,
    /// Office alert prompts about links and DDE.
    pub office_alerts: OfficeAlertRule,
    /// Following the process tree below a flagged Office child.
    pub tree: TreeSettings,
    /// Hits to leave out of the timeline (counted in the manifest).
    #[serde(default)]
    pub exclusions: Vec<Exclusion>,
}

/// What the process checks know about programs and places.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessKnowledge {
    /// Office application image names (`winword.exe`), compared case-insensitively.
    pub office_apps: Vec<String>,
    /// Image names that, started by an Office application, suggest DDE or macro execution.
    pub suspicious_children: Vec<String>,
    /// Folder fragments (`\AppData\`) where any user can write; a child image or a loaded module
    /// there is suspicious.
    pub user_writable_folders: Vec<String>,
    /// Folder fragments where Office is installed; an Office image name elsewhere is a lookalike.
    pub office_install_folders: Vec<String>,
    /// Equation Editor image names (`eqnedt32.exe`).
    pub equation_editor: Vec<String>,
    /// Excel image names, for the "Excel started an executable" rule.
    pub excel: Vec<String>,
    /// WMIC image names.
    pub wmic: Vec<String>,
    /// Command-line fragments of WMIC process creation (`process call create`).
    pub wmic_create: Vec<String>,
    /// File extensions of documents, to find the document an Office start opened.
    pub document_extensions: Vec<String>,
}

/// The rules of the process and activity checks.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessRules {
    /// An Office application started a shell or LOLBin.
    pub office_child: Rule,
    /// An Office application started a program from a user-writable folder.
    pub office_child_user_writable: Rule,
    /// Equation Editor started a process.
    pub equation_editor_child: Rule,
    /// Equation Editor ran at all.
    pub equation_editor_process: Rule,
    /// Excel started an executable.
    pub excel_child_executable: Rule,
    /// An Office application ran WMIC process creation.
    pub wmic_process_create: Rule,
    /// A process named like an Office application ran from outside an Office folder.
    pub office_lookalike: Rule,
    /// Equation Editor made a network connection.
    pub equation_editor_network: Rule,
    /// An Office application loaded a module from a user-writable folder.
    pub office_module_user_writable: Rule,
    /// A process started below a flagged Office (or Equation Editor) child.
    pub office_descendant: Rule,
    /// A network connection, DNS query, file creation or registry write of a process in such a
    /// tree.
    pub office_tree_activity: Rule,
}

/// Which findings start a process tree, and how far it is followed.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TreeSettings {
    /// Rule ids of process-start findings whose process is a tree's root.
    pub root_rules: Vec<String>,
    /// Generations followed below a root (1: its children only).
    pub max_depth: usize,
    /// Descendant processes followed per root; further ones are counted, not followed.
    pub max_nodes: usize,
}

/// A registry setting and the data that enables the risky behaviour.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrySetting {
    /// Stable identifier.
    pub id: String,
    /// One-line title.
    pub title: String,
    /// Severity of a finding.
    pub severity: super::Severity,
    /// Confidence of a finding.
    pub confidence: super::Confidence,
    /// Path endings of the value (`\Word\Security\AllowDDE`), compared case-insensitively on
    /// whole path components; the hive prefix (`HKU\<SID>`, `\REGISTRY\USER\<SID>`) is ignored.
    pub paths: Vec<String>,
    /// Values that enable the behaviour.
    #[serde(default)]
    pub enabling_values: Vec<u64>,
    /// A bit mask whose bits, all clear, enable the behaviour (a kill bit removed).
    #[serde(default)]
    pub enabling_when_bits_clear: Option<u64>,
    /// Whether deleting the value (or its key) enables the behaviour.
    #[serde(default)]
    pub enabling_when_deleted: bool,
}

impl RegistrySetting {
    /// The rule's identity and weight.
    pub fn rule(&self) -> Rule {
        Rule {
            id: self.id.clone(),
            title: self.title.clone(),
            severity: self.severity,
            confidence: self.confidence,
        }
    }
}

/// Office alerts (OAlerts) that show the user was prompted about links or DDE.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OfficeAlertRule {
    /// Tag put on the context row.
    pub tag: String,
    /// Fragments of the alert text, compared case-insensitively.
    pub markers: Vec<String>,
}

/// A known-good pattern: a hit that matches it is counted in the manifest, not written.
///
/// Every condition given must hold; each condition holds when the field contains one of its
/// fragments (case-insensitively). An exclusion with no condition is refused.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Exclusion {
    /// Stable identifier, as counted in the manifest.
    pub id: String,
    /// Why these hits are benign.
    pub reason: String,
    /// The rule ids it applies to (empty: every event-log rule).
    #[serde(default)]
    pub rules: Vec<String>,
    /// Fragments of the image (child, or the process of a registry, network or module event).
    #[serde(default)]
    pub image: Vec<String>,
    /// Fragments of the parent image.
    #[serde(default)]
    pub parent_image: Vec<String>,
    /// Fragments of the command line.
    #[serde(default)]
    pub command_line: Vec<String>,
    /// Fragments of the registry path or loaded module.
    #[serde(default)]
    pub target: Vec<String>,
}

impl Exclusion {
    /// Whether the exclusion sets any condition.
    pub fn has_condition(&self) -> bool {
        !(self.image.is_empty()
            && self.parent_image.is_empty()
            && self.command_line.is_empty()
            && self.target.is_empty())
    }
}
