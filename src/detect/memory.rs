//! Memory checks: carved strings (DDE field text, DDE links and formulas, Equation Editor,
//! Office command lines, download cradles) as rows, one per distinct string, with how often and
//! where it was found. Pure: the caller carves and supplies the acquisition time.

use std::collections::BTreeMap;

use super::timeline::Event;
use crate::formats::carve::{StringHit, TextEncoding};
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
}

/// One row per distinct (indicator, encoding, string) among `hits` that the profile keeps.
pub fn string_events(
    profile: &Profile,
    ctx: &CarveContext<'_>,
    hits: &[StringHit],
) -> (Vec<Event>, StringStats) {
    let rules = &profile.memory;
    let mut stats = StringStats {
        hits: hits.len() as u64,
        ..StringStats::default()
    };
    // (indicator, encoding, string) -> (count, offsets in order).
    let mut distinct: BTreeMap<(usize, TextEncoding, &str), (u64, Vec<u64>)> = BTreeMap::new();
    for hit in hits {
        let Some(indicator) = rules.indicators.get(hit.text) else {
            continue;
        };
        let lower = hit.context.to_ascii_lowercase();
        if !indicator.requires_any.is_empty()
            && !indicator
                .requires_any
                .iter()
                .any(|needed| lower.contains(&needed.to_ascii_lowercase()))
        {
            continue;
        }
        stats.hits_kept += 1;
        let entry = distinct
            .entry((hit.text, hit.encoding, hit.context.as_str()))
            .or_default();
        entry.0 += 1;
        if entry.1.len() < rules.max_offsets {
            entry.1.push(hit.offset);
        }
    }
    stats.distinct_strings = distinct.len() as u64;
    let events = distinct
        .into_iter()
        .filter_map(|((text, encoding, string), (count, offsets))| {
            let indicator = rules.indicators.get(text)?;
            let first = *offsets.first()?;
            let message = format!(
                "{}: \"{}\" ({} in {} {}, {}, first at byte {first})",
                indicator.title,
                string,
                if count == 1 {
                    "once".to_owned()
                } else {
                    format!("{count} times")
                },
                ctx.what,
                ctx.source_path,
                encoding.name(),
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
            event.fields.carved_text = Some(string.to_owned());
            event.fields.text_encoding = Some(encoding.name());
            event.fields.hit_count = Some(count);
            event.fields.hit_offsets = Some(
                offsets
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            );
            Some(event)
        })
        .collect();
    (events, stats)
}
