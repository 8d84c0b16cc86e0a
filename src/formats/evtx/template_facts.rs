//! Deciding a record's event ID and channel from its template substitution values, without
//! rendering it.
//!
//! Records of one template share their XML shape; the event ID and channel sit at fixed
//! substitution indexes (Windows puts the event ID at index 3 of the system template and the
//! channel at index 16, other writers elsewhere). The indexes are learned: the first records
//! of a template are rendered, and the indexes whose values equal the rendered event ID and
//! channel become candidates; later rendered records of the template keep only the candidates
//! that still match. A record is decided without rendering only when its template was seen
//! rendered at least [`TRUSTED_AFTER`] times and all candidate indexes agree on one value; in
//! every other case it is rendered (and teaches the cache). The true index always stays among
//! the candidates, so a decided value is the rendered one unless unrelated fields equalled the
//! event ID in every record rendered so far and still agree with each other.

use std::collections::HashMap;

use super::raw_instance::{RawInstance, TemplateId};

/// Rendered records of a template needed before its facts are used.
const TRUSTED_AFTER: u32 = 2;

/// What is known of one template.
#[derive(Clone, Debug, Default)]
struct Facts {
    event_id_indexes: Vec<usize>,
    channel_indexes: Vec<usize>,
    observations: u32,
}

/// Learned facts of the templates of one segment.
#[derive(Clone, Debug, Default)]
pub(super) struct TemplateFacts {
    templates: HashMap<TemplateId, Facts>,
}

impl TemplateFacts {
    /// Records what a rendered record showed: its `event_id` and `channel`.
    pub fn learn(&mut self, instance: &RawInstance<'_>, event_id: u32, channel: &str) {
        let facts = self.templates.entry(instance.template).or_default();
        let id_matches = |i: &usize| instance.number(*i) == Some(u64::from(event_id));
        let channel: Vec<u8> = channel.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let channel_matches = |i: &usize| instance.text(*i) == Some(channel.as_slice());
        if facts.observations == 0 {
            facts.event_id_indexes = (0..instance.len()).filter(id_matches).collect();
            facts.channel_indexes = (0..instance.len()).filter(channel_matches).collect();
        } else {
            facts.event_id_indexes.retain(id_matches);
            facts.channel_indexes.retain(channel_matches);
        }
        facts.observations = facts.observations.saturating_add(1);
    }

    /// The event ID and channel (as UTF-16LE bytes) of a record, when the facts decide them.
    pub fn decide<'v>(&self, instance: &RawInstance<'v>) -> Option<(u32, &'v [u8])> {
        let facts = self.templates.get(&instance.template)?;
        if facts.observations < TRUSTED_AFTER {
            return None;
        }
        let event_id = agreed(&facts.event_id_indexes, |i| instance.number(i))?;
        let channel = agreed(&facts.channel_indexes, |i| instance.text(i))?;
        Some((u32::try_from(event_id).ok()?, channel))
    }
}

/// The one value all `indexes` give (none when there is no index or they disagree).
fn agreed<T: PartialEq>(indexes: &[usize], value: impl Fn(usize) -> Option<T>) -> Option<T> {
    let (first, rest) = indexes.split_first()?;
    let agreed = value(*first)?;
    rest.iter()
        .all(|i| value(*i).as_ref() == Some(&agreed))
        .then_some(agreed)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::formats::evtx::raw_instance::tests::chunk_with;

    fn utf16(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    /// A record of one template: task, event ID, channel.
    fn record(task: u16, id: u16, channel: &str) -> (Vec<u8>, usize) {
        chunk_with(&[
            (0x06, task.to_le_bytes().to_vec()),
            (0x06, id.to_le_bytes().to_vec()),
            (0x01, utf16(channel)),
        ])
    }

    fn decide(facts: &TemplateFacts, (chunk, offset): &(Vec<u8>, usize)) -> Option<(u32, Vec<u8>)> {
        let instance = RawInstance::parse(chunk, *offset, &chunk[*offset..]).unwrap();
        facts.decide(&instance).map(|(id, ch)| (id, ch.to_vec()))
    }

    fn learn(facts: &mut TemplateFacts, (chunk, offset): &(Vec<u8>, usize), id: u32, ch: &str) {
        let instance = RawInstance::parse(chunk, *offset, &chunk[*offset..]).unwrap();
        facts.learn(&instance, id, ch);
    }

    #[test]
    fn indexes_are_learned_then_trusted() {
        let mut facts = TemplateFacts::default();
        // Task equals the event ID in the first record: both indexes are candidates.
        learn(&mut facts, &record(1, 1, "Security"), 1, "Security");
        assert_eq!(
            decide(&facts, &record(1, 1, "Security")),
            None,
            "one sight is not enough"
        );
        learn(&mut facts, &record(7, 4688, "Security"), 4688, "Security");
        assert_eq!(
            decide(&facts, &record(9, 4624, "Security")),
            Some((4624, utf16("Security")))
        );
        assert_eq!(
            decide(&facts, &record(9, 4624, "Other")),
            Some((4624, utf16("Other")))
        );
    }

    #[test]
    fn disagreeing_candidates_decide_nothing() {
        let mut facts = TemplateFacts::default();
        let sysmon = "Microsoft-Windows-Sysmon/Operational";
        learn(&mut facts, &record(1, 1, sysmon), 1, sysmon);
        learn(&mut facts, &record(1, 1, sysmon), 1, sysmon);
        assert_eq!(
            decide(&facts, &record(1, 1, sysmon)),
            Some((1, utf16(sysmon)))
        );
        // Task and event ID part ways: the record must be rendered.
        assert_eq!(decide(&facts, &record(2, 1, sysmon)), None);
    }
}
