//! ddesweep: a forensic batch analyzer for Windows Dynamic Data Exchange abuse
//! (MITRE ATT&CK T1559.002).
//!
//! A responder points ddesweep at evidence (for now: mounted images, triage folders and single
//! files); ddesweep memory-maps every candidate file, classifies it, parses the formats it knows,
//! runs the DDE checks of a detection profile in parallel and writes a Timesketch timeline plus a
//! run manifest that accounts for every file it saw.
//!
//! Data flows one way through the stages, each a module (see `../shared/DESIGN.md`):
//!
//! ```text
//! evidence  -> artifact -> formats -> detect -> output
//! (bytes)      (kind)      (records)  (events)  (timeline, manifest)
//! ```
//!
//! [`pipeline`] wires the stages together and is what the binary calls.

#![deny(missing_docs)]
#![deny(unsafe_code)]

pub mod artifact;
pub mod correlate;
pub mod detect;
pub mod digest;
pub mod evidence;
pub mod formats;
pub mod fuzzing;
pub mod guard;
pub mod output;
pub mod pipeline;
pub mod profile;
pub mod time;

pub use pipeline::{RunSummary, Settings, run};
