//! Prefetch checks: Equation Editor's prefetch (any path hash) is evidence that it ran, a
//! finding at its latest run; the prefetch of the shells and LOLBins DDE payloads start gives
//! context rows, one per recorded run, so the timeline shows when they ran.

use super::Event;
use super::eventlog::process::file_name;
use super::timeline::desc;
use crate::formats::prefetch::Prefetch;
use crate::profile::{Profile, Severity};
use crate::time::Timestamp;

/// The prefetch file the rows come from.
#[derive(Clone, Debug)]
pub struct PrefetchContext<'a> {
    /// The evidence item.
    pub evidence: &'a str,
    /// The prefetch file's path inside it.
    pub source_path: &'a str,
}

/// The rows of one prefetch file: none for programs the profile does not name.
pub fn prefetch_events(
    profile: &Profile,
    ctx: &PrefetchContext<'_>,
    prefetch: &Prefetch,
) -> Vec<Event> {
    let process = &profile.eventlog.process;
    let name = file_name(&prefetch.executable);
    let named = |list: &[String]| list.iter().any(|n| n.eq_ignore_ascii_case(name));
    let equation_editor = named(&process.equation_editor);
    if !equation_editor && !named(&process.suspicious_children) {
        return Vec::new();
    }
    let runs = prefetch.last_run_times.len();
    // A file with no readable run time still proves the program ran: one row, not a time.
    let times: Vec<Option<Timestamp>> = if prefetch.last_run_times.is_empty() {
        vec![None]
    } else {
        prefetch.last_run_times.iter().copied().map(Some).collect()
    };
    times
        .into_iter()
        .enumerate()
        .map(|(index, time)| {
            // Only the latest run of Equation Editor is the finding; the rest is context.
            let finding = equation_editor && index == 0;
            let severity = if finding {
                profile.eventlog.rules.equation_editor_process.severity
            } else {
                Severity::Info
            };
            let which = if time.is_none() {
                "no run time recorded".to_owned()
            } else if index == 0 {
                "last run".to_owned()
            } else {
                format!("run {} of the {runs} recorded", index + 1)
            };
            let time = match (time, index) {
                (None, _) => (Timestamp::UNIX_EPOCH, desc::NOT_A_TIME),
                (Some(time), 0) => (time, desc::LAST_EXECUTED),
                (Some(time), _) => (time, desc::PREVIOUS_EXECUTED),
            };
            let compressed = if prefetch.compressed {
                ", compressed"
            } else {
                ""
            };
            let mut event = Event::new(
                &profile.technique,
                severity,
                "ddesweep:prefetch:execution",
                format!(
                    "{} ran ({which}; run count {}, prefetch version {}{compressed})",
                    prefetch.executable, prefetch.run_count, prefetch.version,
                ),
                time,
                ctx.evidence,
                ctx.source_path,
            );
            event.tags.push("prefetch".to_owned());
            if finding {
                event.set_rule(&profile.eventlog.rules.equation_editor_process);
            } else {
                event.tags.push("context".to_owned());
            }
            event.fields.image = Some(prefetch.executable.clone());
            event.fields.value = Some(format!("run count {}", prefetch.run_count));
            event
        })
        .collect()
}
