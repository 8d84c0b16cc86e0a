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

/// The documents that a trace naming `named` joins: the best-matching ones.
pub fn matching(documents: &[Document], named: &str) -> Vec<usize> {
    let scores: Vec<u8> = documents.iter().map(|d| match_score(d, named)).collect();
    let best = scores.iter().copied().max().unwrap_or(0);
    if best == 0 {
        return Vec::new();
    }
    (0..documents.len())
        .filter(|&i| scores.get(i) == Some(&best))
        .collect()
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
        if event.fields.zone_id.is_some() {
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
    let mut joins: Vec<(usize, usize, Trace)> = Vec::new();
    for &i in host_rows {
        let Some(event) = events.get(i) else { continue };
        if event.data_type.starts_with("ddesweep:file:") {
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
        for d in matching(&documents, named) {
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
}
