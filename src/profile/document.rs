//! The document part of a profile (`[document]`): the Word field, link, formula, object and
//! encryption rules the document checks use, and the exclusions that leave known-good document
//! findings out of the timeline.

use serde::{Deserialize, Serialize};

use super::{CommandEscalation, Confidence, ProfileError, Rule, Severity};

/// A rule for Word fields of given types.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FieldRule {
    /// Stable identifier.
    pub id: String,
    /// One-line title.
    pub title: String,
    /// Field types (first word of the instruction), compared case-insensitively.
    pub keywords: Vec<String>,
    /// Severity of a finding.
    pub severity: Severity,
    /// Confidence of a finding.
    pub confidence: Confidence,
}

impl FieldRule {
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

/// A rule for embedded OLE objects of given classes.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectRule {
    /// Stable identifier.
    pub id: String,
    /// One-line title.
    pub title: String,
    /// Severity of a finding.
    pub severity: Severity,
    /// Confidence of a finding.
    pub confidence: Confidence,
    /// CLSIDs in braces, compared case-insensitively.
    pub class_ids: Vec<String>,
    /// ProgIDs (or `Equation Native`-style stream names), compared case-insensitively.
    pub prog_ids: Vec<String>,
}

impl ObjectRule {
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

/// Document checks.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentRules {
    /// Spreadsheet functions that open a DDE conversation (`DDE`).
    pub dde_functions: Vec<String>,
    /// Passwords Office applies by itself, tried in order on encrypted documents.
    pub default_passwords: Vec<String>,
    /// Word field types that start DDE.
    pub field_rules: Vec<FieldRule>,
    /// Workbook DDE links.
    pub dde_link: Rule,
    /// DDE references and calls in formulas.
    pub dde_formula: Rule,
    /// Embedded objects of dangerous classes (Equation Editor).
    pub embedded_object: ObjectRule,
    /// Encrypted documents no default password opened.
    pub encrypted: Rule,
    /// Documents encrypted with a default password.
    pub default_password: Rule,
    /// Excel web queries.
    pub web_query: Rule,
    /// OLE objects linked from outside the document.
    pub ole_link: Rule,
    /// Severity raise for dangerous command lines.
    pub command_escalation: CommandEscalation,
    /// Findings to leave out of the timeline (counted in the manifest).
    #[serde(default)]
    pub exclusions: Vec<DocumentExclusion>,
}

/// A known-good document pattern (a site's ERP integration that talks DDE): a finding that
/// matches it is counted in the manifest, not written.
///
/// Every condition given must hold; a condition holds when one of its values matches. At least
/// one condition is required.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentExclusion {
    /// Stable identifier, as counted in the manifest.
    pub id: String,
    /// Why these findings are benign.
    pub reason: String,
    /// The document rule ids it applies to (empty: every document rule).
    #[serde(default)]
    pub rules: Vec<String>,
    /// DDE services (programs), each compared with the finding's whole service,
    /// case-insensitively (`CLEDGER`).
    #[serde(default)]
    pub dde_service: Vec<String>,
    /// Fragments of the command the DDE conversation would start, case-insensitively.
    #[serde(default)]
    pub command: Vec<String>,
    /// Fragments of the document's path in the evidence, case-insensitively; `/` and `\` are
    /// the same separator.
    #[serde(default)]
    pub path: Vec<String>,
}

impl DocumentExclusion {
    /// Whether the exclusion sets any condition.
    pub fn has_condition(&self) -> bool {
        !(self.dde_service.is_empty() && self.command.is_empty() && self.path.is_empty())
    }
}

/// The ids of every document rule, with the key that defines each.
pub(super) fn rule_ids(doc: &DocumentRules) -> Vec<(&str, &'static str)> {
    doc.field_rules
        .iter()
        .map(|r| (r.id.as_str(), "document.field_rules"))
        .chain([
            (doc.dde_link.id.as_str(), "document.dde_link"),
            (doc.dde_formula.id.as_str(), "document.dde_formula"),
            (doc.embedded_object.id.as_str(), "document.embedded_object"),
            (doc.encrypted.id.as_str(), "document.encrypted"),
            (
                doc.default_password.id.as_str(),
                "document.default_password",
            ),
            (doc.web_query.id.as_str(), "document.web_query"),
            (doc.ole_link.id.as_str(), "document.ole_link"),
        ])
        .collect()
}

/// Checks the document exclusions: an id, at least one non-empty condition, rules that are
/// document rules, and ids used once (the manifest counts hits by id).
pub(super) fn check_exclusions(
    doc: &DocumentRules,
    invalid: &impl Fn(&str, &str) -> ProfileError,
) -> Result<(), ProfileError> {
    let rules = rule_ids(doc);
    let mut seen = std::collections::BTreeSet::new();
    for (index, exclusion) in doc.exclusions.iter().enumerate() {
        let key = format!("document.exclusions[{index}]");
        if exclusion.id.trim().is_empty() {
            return Err(invalid(&format!("{key}.id"), "exclusion id is empty"));
        }
        if !seen.insert(exclusion.id.as_str()) {
            return Err(invalid(
                &format!("{key}.id"),
                &format!("exclusion id {:?} is used twice", exclusion.id),
            ));
        }
        let values = [&exclusion.dde_service, &exclusion.command, &exclusion.path];
        if !exclusion.has_condition()
            || values.iter().any(|v| v.iter().any(|s| s.trim().is_empty()))
        {
            return Err(invalid(
                &key,
                "needs a non-empty dde_service, command or path condition (an exclusion without one would hide every document finding)",
            ));
        }
        if let Some(unknown) = exclusion
            .rules
            .iter()
            .find(|id| !rules.iter().any(|(rule, _)| rule == id))
        {
            return Err(invalid(
                &format!("{key}.rules"),
                &format!("no document rule has the id {unknown:?}"),
            ));
        }
    }
    Ok(())
}
