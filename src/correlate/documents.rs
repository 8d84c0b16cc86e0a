//! A host's DDE documents, each with everything that says where it came from and that it was
//! opened: the first links of an incident's chain.
//!
//! Copies of one content (the e-mail cache and Downloads) are one document. Traces name a
//! document by a Windows path (`C:\Users\dave\...`), a folder path (`C/Users/dave/...`) or a
//! `%USERPROFILE%` form: they join when one path, without its drive, ends with the other, or
//! failing that when the file names agree.

use std::collections::{BTreeMap, BTreeSet};

use super::model::Stage;
use super::rows::base_name;
use crate::detect::Event;
use crate::detect::filesystem::EMAIL_ATTACHMENT_TAG;
use crate::profile::CorrelateRules;

/// The row types that say a document was opened or trusted.
const OPENED_TYPES: &[&str] = &[
    "ddesweep:eventlog:office_document_open",
    "ddesweep:registry:office_mru",
    "ddesweep:registry:trusted_document",
];

/// The row type of Outlook saving an attachment (Sysmon 11).
pub const ATTACHMENT_SAVED: &str = "ddesweep:eventlog:attachment_saved";

/// One DDE document of a host.
#[derive(Clone, Debug, Default)]
pub struct Document {
    /// SHA-256 of the content (or the path, when none was computed).
    pub sha256: String,
    /// Paths of its copies.
    pub paths: BTreeSet<String>,
    /// Its file names, lower-cased.
    pub names: BTreeSet<String>,
    /// The DDE commands it carries.
    pub commands: BTreeSet<String>,
    /// Its finding rows.
    pub findings: Vec<usize>,
    /// Rows about the file (times, Mark of the Web, timestomping), with their stage.
    pub context: Vec<(usize, Stage)>,
    /// Rows that show it opened or trusted.
    pub opened: Vec<usize>,
    /// Rows that show Outlook saving it.
    pub saved_by_outlook: Vec<usize>,
    /// Whether a copy lies in Outlook's attachment cache or in a message.
    pub email: bool,
    /// The Mark of the Web, where recorded.
    pub zone_id: Option<u32>,
    /// The Mark of the Web's download address.
    pub host_url: Option<String>,
    /// The Mark of the Web's referring page.
    pub referrer_url: Option<String>,
    /// Whether the user trusted it (a TrustRecords row).
    pub user_trusted: bool,
}

impl Document {
    /// Whether it came from the web (a web zone in its Mark of the Web).
    pub fn came_from_web(&self, rules: &CorrelateRules) -> bool {
        self.zone_id.is_some_and(|z| rules.web_zones.contains(&z))
    }

    /// Whether its zone is a trusted one.
    pub fn trusted_zone(&self, rules: &CorrelateRules) -> bool {
        self.zone_id
            .is_some_and(|z| rules.trusted_zones.contains(&z))
    }

    /// A short name for messages: the first file name.
    pub fn display_name(&self) -> String {
        self.paths
            .first()
            .map(|p| p.rsplit(['/', '\\']).next().unwrap_or(p).to_owned())
            .unwrap_or_default()
    }
}

/// A path without its drive and with `/`, lower-cased (`C:\Users\x` and `C/Users/x` -> `users/x`).
fn comparable(path: &str) -> String {
    let path = path
        .trim_matches('"')
        .replace('\\', "/")
        .to_ascii_lowercase();
    let path = path.strip_prefix("file://").unwrap_or(&path).to_owned();
    let rest = match path.split_once('/') {
        Some((first, rest)) if first.len() <= 2 || first.ends_with(':') => rest.to_owned(),
        _ => path,
    };
    rest.trim_start_matches('/').to_owned()
}

/// How well a path named by a trace matches a document: 2 when one path ends with the other,
/// 1 when only the file names agree, 0 otherwise.
fn match_score(document: &Document, named: &str) -> u8 {
    let named_cmp = comparable(named);
    let suffix = |a: &str, b: &str| a == b || a.ends_with(&format!("/{b}"));
    if document.paths.iter().any(|p| {
        let p = comparable(p);
        suffix(&p, &named_cmp) || suffix(&named_cmp, &p)
    }) {
        2
    } else if document.names.contains(&base_name(named)) {
        1
    } else {
        0
    }
}

/// The documents by file name (lower-case): a trace can only join documents of its name.
pub type NameIndex = BTreeMap<String, Vec<usize>>;

/// Indexes `documents` by file name.
pub fn name_index(documents: &[Document]) -> NameIndex {
    let mut index = NameIndex::new();
    for (d, doc) in documents.iter().enumerate() {
        for name in &doc.names {
            index.entry(name.clone()).or_default().push(d);
        }
    }
    index
}

/// The documents that a trace naming `named` joins: the best-matching ones, with the score
/// (2: a path ends with the other, 1: only the file names agree; 0 and none: no match).
pub fn matching(documents: &[Document], index: &NameIndex, named: &str) -> (u8, Vec<usize>) {
    let candidates = index.get(&base_name(named)).map_or(&[][..], Vec::as_slice);
    let scored: Vec<(u8, usize)> = candidates
        .iter()
        .filter_map(|&d| Some((match_score(documents.get(d)?, named), d)))
        .collect();
    let best = scored.iter().map(|(s, _)| *s).max().unwrap_or(0);
    if best == 0 {
        return (0, Vec::new());
    }
    (
        best,
        scored
            .into_iter()
            .filter(|(s, _)| *s == best)
            .map(|(_, d)| d)
            .collect(),
    )
}

/// Whether `text` names the file `name` (lower-case) as a whole: preceded by a path separator,
/// quote, space or the start, and not followed by a letter, digit or dot (`report.doc` is not
/// named by `report.docx`).
pub fn names_file(text: &str, name: &str) -> bool {
    if name.is_empty() {
        return false;
    }
    let lower = text.to_ascii_lowercase();
    lower.match_indices(name).any(|(at, _)| {
        let before = lower.get(..at).and_then(|b| b.chars().next_back());
        let after = lower.get(at + name.len()..).and_then(|a| a.chars().next());
        let starts =
            before.is_none_or(|c| matches!(c, '\\' | '/' | '"' | '\'' | ' ' | '\t' | '>' | '('));
        let ends = after.is_none_or(|c| !(c.is_alphanumeric() || c == '.' || c == '_' || c == '-'));
        starts && ends
    })
}

/// Whether a row is a DDE document finding (encrypted documents are not: nothing was read).
pub fn is_document_finding(event: &Event) -> bool {
    event.is_finding()
        && event.data_type.starts_with("ddesweep:document:")
        && event.data_type != "ddesweep:document:encrypted"
}

/// The DDE documents among a host's rows, with their context and traces.
pub fn collect(events: &[Event], host_rows: &[usize]) -> Vec<Document> {
    let mut by_key: BTreeMap<String, Document> = BTreeMap::new();
    for &i in host_rows {
        let Some(event) = events.get(i) else { continue };
        if !is_document_finding(event) {
            continue;
        }
        let key = event
            .fields
            .sha256
            .clone()
            .unwrap_or_else(|| event.source_path.clone());
        let doc = by_key.entry(key.clone()).or_default();
        doc.sha256 = key;
        doc.paths.insert(event.source_path.clone());
        doc.names.insert(base_name(&event.source_path));
        if let Some(command) = event.fields.command.as_deref().filter(|c| !c.is_empty()) {
            doc.commands.insert(command.to_owned());
        }
        doc.findings.push(i);
        let in_message = event
            .fields
            .part
            .as_deref()
            .is_some_and(|p| p.starts_with("attachment "));
        doc.email |= in_message || event.tags.iter().any(|t| t == EMAIL_ATTACHMENT_TAG);
        // Copies may disagree: the riskiest zone (3 internet, 4 restricted) and its URLs stand.
        if event.fields.zone_id > doc.zone_id {
            doc.zone_id = event.fields.zone_id;
            doc.host_url.clone_from(&event.fields.host_url);
            doc.referrer_url.clone_from(&event.fields.referrer_url);
        }
    }
    let mut documents: Vec<Document> = by_key.into_values().collect();
    let location: BTreeMap<(&str, &str), usize> = documents
        .iter()
        .enumerate()
        .flat_map(|(d, doc)| {
            doc.findings.iter().filter_map(move |&i| {
                events
                    .get(i)
                    .map(|e| ((e.evidence.as_str(), e.source_path.as_str()), d))
            })
        })
        .collect();
    let index = name_index(&documents);
    let mut joins: Vec<(usize, usize, Trace)> = Vec::new();
    for &i in host_rows {
        let Some(event) = events.get(i) else { continue };
        if event.data_type.starts_with("ddesweep:file:") {
            // A file's last access time says when something last read it (the acquisition, a
            // scanner, this very scan on a live folder), not what the incident did.
            if event.timestamp_desc == crate::detect::timeline::desc::ACCESS {
                continue;
            }
            if let Some(&d) = location.get(&(event.evidence.as_str(), event.source_path.as_str())) {
                let stage = if event.data_type == "ddesweep:file:mark_of_the_web" {
                    Stage::Delivery
                } else {
                    Stage::Document
                };
                joins.push((d, i, Trace::Context(stage)));
            }
            continue;
        }
        let trace = if OPENED_TYPES.contains(&event.data_type) {
            Trace::Opened
        } else if event.data_type == ATTACHMENT_SAVED {
            Trace::Saved
        } else {
            continue;
        };
        let Some(named) = event.fields.document.as_deref() else {
            continue;
        };
        for d in matching(&documents, &index, named).1 {
            joins.push((d, i, trace));
        }
    }
    for (d, i, trace) in joins {
        let Some(doc) = documents.get_mut(d) else {
            continue;
        };
        match trace {
            Trace::Context(stage) => doc.context.push((i, stage)),
            Trace::Opened => {
                doc.opened.push(i);
                if events
                    .get(i)
                    .is_some_and(|e| e.data_type == "ddesweep:registry:trusted_document")
                {
                    doc.user_trusted = true;
                }
            }
            Trace::Saved => {
                doc.saved_by_outlook.push(i);
                doc.email = true;
            }
        }
    }
    documents
}

/// What a trace row says about a document.
#[derive(Clone, Copy, Debug)]
enum Trace {
    Context(Stage),
    Opened,
    Saved,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_compare_without_drives_and_separators() {
        assert_eq!(comparable(r"C:\Users\Dave\x.docx"), "users/dave/x.docx");
        assert_eq!(comparable("C/Users/dave/x.docx"), "users/dave/x.docx");
        assert_eq!(comparable("Users/dave/x.docx"), "users/dave/x.docx");
        assert_eq!(
            comparable("file://fileserver/share/Q1.xlsx"),
            "fileserver/share/q1.xlsx"
        );
        let doc = Document {
            paths: ["C/Users/dave/AppData/Local/x.docx".to_owned()].into(),
            names: ["x.docx".to_owned()].into(),
            ..Document::default()
        };
        assert_eq!(match_score(&doc, r"C:\Users\dave\AppData\Local\x.docx"), 2);
        assert_eq!(match_score(&doc, "%USERPROFILE%/Downloads/x.docx"), 1);
        assert_eq!(match_score(&doc, r"C:\y.docx"), 0);
    }

    #[test]
    fn file_names_are_named_whole() {
        assert!(names_file(
            r#""C:\x\WINWORD.EXE" /n "C:\Users\Report.docx""#,
            "report.docx"
        ));
        assert!(!names_file(r#"/n "C:\Users\report.docx""#, "report.doc"));
        assert!(!names_file(r"C:\Users\myreport.docx", "report.docx"));
        assert!(names_file("report.docx", "report.docx"));
    }
}
