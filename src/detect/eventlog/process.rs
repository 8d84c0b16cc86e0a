//! Process-start checks (Sysmon 1, Security 4688): Office applications starting shells and
//! LOLBins, Equation Editor, Excel starting executables, WMIC process creation, Office
//! lookalikes; and the recovery of 4688 version 1 parents from earlier records.

use std::collections::HashMap;

use super::LogFinding;
use super::names::{in_folder, in_rooted_folder, is_named, markers_in, normalise_spaces};
use crate::formats::evtx::typed::{ParentMatch, ProcessStart};
use crate::profile::EventLogRules;

/// Fills in the parent image and command line of starts that lack them (Security 4688 version
/// 1 has no `ParentProcessName`) from an earlier start in the same log whose new process ID is
/// the parent's ID: the latest one whose logon is the child's creator logon (a process started
/// in the same logon, as most are), else the latest with that ID (DCOM, WMI and RunAs start
/// processes in another logon; the message then says the parent was matched by ID only).
/// `starts` must be in record order; returns how many parents were recovered.
pub fn recover_parents(starts: &mut [&mut ProcessStart]) -> usize {
    // Process ID -> indexes of the starts seen so far with it, oldest first.
    let mut by_id: HashMap<u64, Vec<usize>> = HashMap::new();
    let mut links = Vec::new();
    for (index, start) in starts.iter().enumerate() {
        if let (None, Some(parent_id)) = (&start.parent_image, start.parent_process_id)
            && let Some(candidates) = by_id.get(&parent_id)
        {
            let logon = start.creator_logon_id.as_deref();
            let same_logon = candidates.iter().rev().find(|&&c| {
                logon.is_some() && starts.get(c).and_then(|p| p.logon_id.as_deref()) == logon
            });
            match same_logon {
                Some(&parent) => links.push((index, parent, true)),
                None => {
                    if let Some(&parent) = candidates.last() {
                        links.push((index, parent, false));
                    }
                }
            }
        }
        if let Some(id) = start.process_id {
            by_id.entry(id).or_default().push(index);
        }
    }
    for &(child, parent, same_logon) in &links {
        let Some(parent) = starts.get(parent) else {
            continue;
        };
        let (image, command_line) = (parent.image.clone(), parent.command_line.clone());
        if let Some(child) = starts.get_mut(child) {
            child.parent_image = Some(image);
            child.parent_command_line = command_line;
            child.parent_recovered = Some(if same_logon {
                ParentMatch::SameLogon
            } else {
                ParentMatch::ProcessIdOnly
            });
        }
    }
    links.len()
}

/// The checks a process start fails.
pub fn check(rules: &EventLogRules, start: &ProcessStart) -> Vec<LogFinding> {
    let p = &rules.process;
    let r = &rules.rules;
    let mut findings = Vec::new();
    let image = start.image.as_str();
    let parent = start.parent_image.as_deref().unwrap_or_default();
    let command = start.command_line.as_deref().unwrap_or_default();
    let markers = markers_in(&rules.command_escalation.markers, command);
    let escalate = |mut finding: LogFinding| {
        if !markers.is_empty() {
            finding.severity = finding.severity.max(rules.command_escalation.severity);
            finding.markers.clone_from(&markers);
        }
        finding
    };
    let parent_is_office = is_named(&p.office_apps, parent);
    if parent_is_office {
        if is_named(&p.suspicious_children, image) {
            findings.push(escalate(LogFinding::new(
                &r.office_child,
                format!("{} is a shell or LOLBin", file_name(image)),
            )));
        } else if let Some(folder) = in_folder(&p.user_writable_folders, image) {
            findings.push(escalate(LogFinding::new(
                &r.office_child_user_writable,
                format!("the child runs from a user-writable folder ({folder})"),
            )));
        }
        let normalised = normalise_spaces(command);
        if is_named(&p.wmic, image) && !markers_in(&p.wmic_create, &normalised).is_empty() {
            findings.push(escalate(LogFinding::new(
                &r.wmic_process_create,
                "WMIC creates a process for the Office application".to_owned(),
            )));
        }
        if findings.is_empty()
            && is_named(&p.excel, parent)
            && file_name(image).to_ascii_lowercase().ends_with(".exe")
        {
            findings.push(LogFinding::new(
                &r.excel_child_executable,
                "Excel started an executable".to_owned(),
            ));
        }
    }
    if is_named(&p.equation_editor, parent) {
        findings.push(escalate(LogFinding::new(
            &r.equation_editor_child,
            "Equation Editor has no reason to start processes".to_owned(),
        )));
    }
    if is_named(&p.equation_editor, image) {
        findings.push(LogFinding::new(
            &r.equation_editor_process,
            "Equation Editor ran".to_owned(),
        ));
    }
    if is_lookalike(rules, image) {
        findings.push(LogFinding::new(
            &r.office_lookalike,
            format!("{image} is not in an Office folder"),
        ));
    }
    if is_lookalike(rules, parent) {
        // The parent's own start (if logged) carries the lookalike finding; its children say so.
        for finding in &mut findings {
            finding
                .why
                .push_str("; the parent is an Office lookalike outside Office's folders");
        }
    }
    findings
}

/// Whether `path` is named like an Office application but lies outside Office's folders. A
/// bare name (no folder) says nothing.
pub fn is_lookalike(rules: &EventLogRules, path: &str) -> bool {
    let p = &rules.process;
    path.contains('\\')
        && is_named(&p.office_apps, path)
        && in_rooted_folder(&p.office_install_folders, path).is_none()
}

/// The document an Office start opened: the first argument after the image that ends with a
/// document extension, unquoted.
pub fn opened_document(rules: &EventLogRules, start: &ProcessStart) -> Option<String> {
    if !is_named(&rules.process.office_apps, &start.image) {
        return None;
    }
    let command = start.command_line.as_deref()?;
    arguments(command).into_iter().skip(1).find(|argument| {
        let lower = argument.to_ascii_lowercase();
        rules
            .process
            .document_extensions
            .iter()
            .any(|ext| lower.ends_with(&ext.to_ascii_lowercase()))
    })
}

/// A command line split as Windows does for most programs: on spaces outside double quotes,
/// quotes removed.
fn arguments(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut started = false;
    for c in command.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                started = true;
            }
            ' ' | '\t' if !quoted => {
                if started {
                    out.push(std::mem::take(&mut current));
                    started = false;
                }
            }
            _ => {
                current.push(c);
                started = true;
            }
        }
    }
    if started {
        out.push(current);
    }
    out
}

/// The last component of a Windows or POSIX path.
pub fn file_name(path: &str) -> &str {
    path.rsplit(['\\', '/']).next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::load;

    fn start(parent: &str, image: &str, command: &str) -> ProcessStart {
        ProcessStart {
            image: image.to_owned(),
            command_line: Some(command.to_owned()),
            parent_image: Some(parent.to_owned()),
            ..ProcessStart::default()
        }
    }

    const WORD: &str = r"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE";

    fn ids(findings: &[LogFinding]) -> Vec<&str> {
        findings.iter().map(|f| f.rule.id.as_str()).collect()
    }

    #[test]
    fn office_shell_child_fires_and_escalates() {
        let profile = load("default").unwrap().profile;
        let rules = &profile.eventlog;
        let plain = check(
            rules,
            &start(WORD, r"C:\Windows\System32\cmd.exe", "cmd /k calc"),
        );
        assert_eq!(ids(&plain), ["ddesweep.eventlog.office_child"]);
        assert_eq!(plain[0].severity.name(), "high");
        let cradle = check(
            rules,
            &start(
                WORD,
                r"C:\Windows\System32\cmd.exe",
                "cmd /c powershell -w hidden IEX x",
            ),
        );
        assert_eq!(cradle[0].severity.name(), "critical");
        assert_eq!(cradle[0].markers, ["hidden"]);
    }

    #[test]
    fn benign_children_and_genuine_office_are_quiet() {
        let profile = load("default").unwrap().profile;
        let rules = &profile.eventlog;
        assert!(check(rules, &start(WORD, r"C:\Windows\splwow64.exe", "")).is_empty());
        assert!(
            check(
                rules,
                &start(
                    r"C:\Windows\explorer.exe",
                    r"C:\Windows\System32\cmd.exe",
                    ""
                )
            )
            .is_empty()
        );
        assert!(!is_lookalike(rules, WORD));
        assert!(is_lookalike(
            rules,
            r"C:\Users\a\AppData\Roaming\Microsoft Office\WINWORD.EXE"
        ));
        assert!(!is_lookalike(rules, "WINWORD.EXE"));
    }

    #[test]
    fn v1_parents_come_from_the_same_logon() {
        let start = |pid, parent_pid, image: &str, logon: &str| ProcessStart {
            image: image.to_owned(),
            process_id: Some(pid),
            parent_process_id: Some(parent_pid),
            logon_id: Some(logon.to_owned()),
            creator_logon_id: Some(logon.to_owned()),
            ..ProcessStart::default()
        };
        let mut starts = [
            start(0xb48, 0xa10, "EXCEL.EXE", "0x3e5a1"),
            start(0xb48, 0x2f0, "notepad.exe", "0x3e7"),
            start(0xc1c, 0xb48, "cmd.exe", "0x3e5a1"),
            start(0xd00, 0x1ff0, "cmd.exe", "0x3e5a1"),
        ];
        let mut refs: Vec<&mut ProcessStart> = starts.iter_mut().collect();
        assert_eq!(recover_parents(&mut refs), 1);
        assert_eq!(starts[2].parent_image.as_deref(), Some("EXCEL.EXE"));
        assert_eq!(starts[2].parent_recovered, Some(ParentMatch::SameLogon));
        assert_eq!(starts[3].parent_image, None);
    }

    #[test]
    fn genuine_office_in_device_and_short_forms_is_no_lookalike() {
        let profile = load("default").unwrap().profile;
        let rules = &profile.eventlog;
        for path in [
            r"\Device\HarddiskVolume3\Program Files\Microsoft Office\root\Office16\WINWORD.EXE",
            r"\\?\C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE",
            r"C:\PROGRA~1\MICROS~1\root\Office16\WINWORD.EXE",
        ] {
            assert!(!is_lookalike(rules, path), "{path}");
        }
        assert!(is_lookalike(
            rules,
            r"D:\tools\Program Files\Microsoft Office\WINWORD.EXE"
        ));
    }

    #[test]
    fn encoded_and_hidden_powershell_escalates() {
        let profile = load("default").unwrap().profile;
        let rules = &profile.eventlog;
        for command in [
            "powershell -e JABjAD0A",
            "powershell -ec JABjAD0A",
            "cmd /c powershell -w hidden",
        ] {
            let findings = check(rules, &start(WORD, r"C:\Windows\System32\cmd.exe", command));
            assert_eq!(findings[0].severity.name(), "critical", "{command}");
        }
    }

    #[test]
    fn v1_parent_in_another_logon_is_matched_by_id() {
        // WmiPrvSE created under SYSTEM starts calc.exe under another logon (WMI, DCOM).
        let mut starts = [
            ProcessStart {
                image: "WmiPrvSE.exe".to_owned(),
                process_id: Some(0xae8),
                logon_id: Some("0x3e7".to_owned()),
                creator_logon_id: Some("0x3e7".to_owned()),
                ..ProcessStart::default()
            },
            ProcessStart {
                image: "calc.exe".to_owned(),
                process_id: Some(0xb00),
                parent_process_id: Some(0xae8),
                logon_id: Some("0x3e4".to_owned()),
                creator_logon_id: Some("0x3e4".to_owned()),
                ..ProcessStart::default()
            },
        ];
        let mut refs: Vec<&mut ProcessStart> = starts.iter_mut().collect();
        assert_eq!(recover_parents(&mut refs), 1);
        assert_eq!(starts[1].parent_image.as_deref(), Some("WmiPrvSE.exe"));
        assert_eq!(starts[1].parent_recovered, Some(ParentMatch::ProcessIdOnly));
    }

    #[test]
    fn opened_document_is_the_quoted_argument() {
        let profile = load("default").unwrap().profile;
        let s = start(
            r"C:\Windows\explorer.exe",
            WORD,
            r#""C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE" /n "C:\Users\alice\Downloads\Invoice_2291.docx" /o """#,
        );
        assert_eq!(
            opened_document(&profile.eventlog, &s).as_deref(),
            Some(r"C:\Users\alice\Downloads\Invoice_2291.docx")
        );
        let s = start(r"C:\Windows\explorer.exe", WORD, r#""WINWORD.EXE" /n"#);
        assert_eq!(opened_document(&profile.eventlog, &s), None);
    }
}
