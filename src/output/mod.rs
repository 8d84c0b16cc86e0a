//! Output: what a run writes (the last stage of the pipeline).
//!
//! `output/` owns its wire types, apart from the records and events of earlier stages:
//! [`timesketch`] writes the timeline rows (JSONL or CSV, same columns), [`manifest`] the run
//! manifest, [`report`] the T2 report (JSON, IOC CSV, Markdown, HTML). Writers are passed in by
//! the caller; nothing here is global.

#![forbid(unsafe_code)]

pub mod manifest;
pub mod report;
pub mod timesketch;

use std::path::PathBuf;

/// Errors writing output files.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// A file could not be created or written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A row could not be encoded.
    #[error("cannot encode {what}: {detail}")]
    Encode {
        /// What was being encoded.
        what: &'static str,
        /// Why.
        detail: String,
    },
}

/// The timeline file format.
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TimelineFormat {
    /// `timeline.jsonl`: one JSON object per line (Timesketch's JSONL import).
    #[default]
    Jsonl,
    /// `timeline.csv`: the same columns as CSV (Timesketch's CSV import, spreadsheets).
    Csv,
}

impl TimelineFormat {
    /// The file name written into the output folder.
    pub fn file_name(self) -> &'static str {
        match self {
            TimelineFormat::Jsonl => "timeline.jsonl",
            TimelineFormat::Csv => "timeline.csv",
        }
    }
}
