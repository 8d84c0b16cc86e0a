//! Memory checks: carved strings (DDE field text, DDE links and formulas, Equation Editor,
//! Office command lines, download cradles) as rows, one per distinct string, with how often and
//! where it was found. Pure: the caller carves and supplies the acquisition time.

use super::timeline::Event;
use crate::formats::carve::CarvedString;
use crate::profile::{Profile, Severity};
use crate::time::Timestamp;

/// The tag on every row carved out of unstructured bytes.
pub const CARVED_TAG: &str = "carved";

/// Where carved strings come from, and the time they are placed at.
#[derive(Clone, Debug)]
pub struct CarveContext<'a> {
    /// The evidence item.
    pub evidence: &'a str,
    /// The dump (or paging file, or `$Unallocated`) inside it.
    pub source_path: &'a str,
    /// What it is, for messages (`memory dump`, `paging file`, `unallocated clusters`).
    pub what: &'a str,
    /// A carved string has no time of its own: it is placed at the acquisition, with what that
    /// time is.
    pub acquired: (Timestamp, &'static str),
}

/// What the string carving found, for the manifest.
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq, serde::Serialize)]
pub struct StringStats {
    /// Matches of any indicator.
    pub hits: u64,
    /// Matches kept (their string holds what the indicator requires).
    pub hits_kept: u64,
    /// Distinct strings kept: one row each.
    pub distinct_strings: u64,
    /// Matches whose string was not kept because a bound on distinct strings was reached (a
    /// flood of one text in a hostile dump).
    pub hits_over_bound: u64,
}

/// One row per distinct string among `strings` that the profile keeps; `hits` and
/// `hits_over_bound` are the carver's totals.
pub fn string_events(
    profile: &Profile,
    ctx: &CarveContext<'_>,
    strings: &[CarvedString],
    hits: u64,
    hits_over_bound: u64,
) -> (Vec<Event>, StringStats) {
    let rules = &profile.memory;
    let mut stats = StringStats {
        hits,
        hits_over_bound,
        ..StringStats::default()
    };
    let mut events = Vec::new();
    for string in strings {
        let Some(indicator) = rules.indicators.get(string.text) else {
            continue;
        };
        let lower = string.context.to_ascii_lowercase();
        if !indicator.requires_any.is_empty()
            && !indicator
                .requires_any
                .iter()
                .any(|needed| lower.contains(&needed.to_ascii_lowercase()))
        {
            continue;
        }
        let Some(&first) = string.offsets.first() else {
            continue;
        };
        stats.hits_kept += string.count;
        stats.distinct_strings += 1;
        let message = format!(
            "{}: \"{}\" ({} in {} {}, {}, first at byte {first})",
            indicator.title,
            string.context,
            if string.count == 1 {
                "1 hit".to_owned()
            } else {
                format!("{} hits", string.count)
            },
            ctx.what,
            ctx.source_path,
            string.encoding.name(),
        );
        let mut event = Event::new(
            &profile.technique,
            indicator.severity,
            "ddesweep:memory:string",
            message,
            ctx.acquired,
            ctx.evidence,
            ctx.source_path,
        );
        event.rule_id = Some(indicator.id.clone());
        event.rule_title = Some(indicator.title.clone());
        event.confidence = Some(indicator.confidence);
        event.offset = Some(first);
        event.tags.push(CARVED_TAG.to_owned());
        if indicator.severity == Severity::Info {
            event.tags.push("context".to_owned());
        }
        event.fields.carved_text = Some(string.context.clone());
        event.fields.text_encoding = Some(string.encoding.name());
        event.fields.hit_count = Some(string.count);
        event.fields.hit_offsets = Some(
            string
                .offsets
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(","),
        );
        events.push(event);
    }
    (events, stats)
}
