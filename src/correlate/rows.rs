//! Row identity and the small questions every correlation step asks of a row.
//!
//! A row's id is the first 16 hex digits of the SHA-256 of what the row says (time, what the
//! time means, type, message, where it comes from, rule, user and details), so the same row of
//! the same evidence has the same id in every run, on any thread count, whatever else the run
//! holds. Identical rows (a record carved twice) get `-2`, `-3`, ... in timeline order.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::detect::Event;

/// Hex digits kept of the row's hash (64 bits: no collision among a run's rows in practice,
/// and short enough to type into a search box).
const ID_HEX_DIGITS: usize = 16;

/// Gives every row of `events` (in their final order) its `row_id`.
pub fn assign_ids(events: &mut [Event]) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for event in events.iter_mut() {
        let id = content_id(event);
        let count = seen.entry(id.clone()).or_default();
        *count += 1;
        event.row_id = if *count == 1 {
            id
        } else {
            format!("{id}-{count}")
        };
    }
}

/// The hash of what `event` says, without its host (which joining assigns) and correlation
/// fields.
fn content_id(event: &Event) -> String {
    let mut hasher = Sha256::new();
    let mut field = |bytes: &[u8]| {
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    field(&event.timestamp.unix_micros().to_le_bytes());
    field(event.timestamp_desc.as_bytes());
    field(event.data_type.as_bytes());
    field(event.message.as_bytes());
    field(event.evidence.as_bytes());
    field(event.source_path.as_bytes());
    field(&event.offset.unwrap_or(u64::MAX).to_le_bytes());
    field(event.rule_id.as_deref().unwrap_or("").as_bytes());
    field(event.user.as_deref().unwrap_or("").as_bytes());
    // The details as JSON: a fixed field order, absent fields left out.
    field(
        serde_json::to_string(&event.fields)
            .unwrap_or_default()
            .as_bytes(),
    );
    let digest = hasher.finalize();
    let mut hex = String::with_capacity(ID_HEX_DIGITS);
    for byte in digest.iter().take(ID_HEX_DIGITS / 2) {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

/// The last component of a Windows or `/` path, lower-cased (`WINWORD.EXE` -> `winword.exe`).
pub fn base_name(path: &str) -> String {
    path.rsplit(['\\', '/'])
        .next()
        .unwrap_or(path)
        .trim_matches('"')
        .to_ascii_lowercase()
}

/// The account name of a user as rows write it (`CORP\dave`, `dave`), lower-cased, so that an
/// event log's user and a profile folder's compare.
pub fn account_name(user: &str) -> String {
    user.rsplit('\\')
        .next()
        .unwrap_or(user)
        .to_ascii_lowercase()
}

/// The accounts among user names as rows write them (`CORP\dave` from event logs, `dave` from a
/// profile folder): a bare name joins the one qualified name with that account name; two
/// qualified names of one account name (`CORP\admin`, `WKS-1\admin`) stay two accounts, and a
/// bare name that could be either stays on its own. Sorted, one spelling each.
pub fn group_users<'a>(users: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut qualified: BTreeMap<String, String> = BTreeMap::new();
    let mut bare: BTreeMap<String, String> = BTreeMap::new();
    for user in users {
        let target = if user.contains('\\') {
            &mut qualified
        } else {
            &mut bare
        };
        target
            .entry(user.to_ascii_lowercase())
            .or_insert_with(|| user.to_owned());
    }
    let mut accounts: Vec<String> = qualified.values().cloned().collect();
    for (lower, user) in bare {
        let matches = qualified
            .keys()
            .filter(|q| account_name(q) == lower)
            .count();
        if matches != 1 {
            accounts.push(user);
        }
    }
    accounts.sort_by_key(|a| a.to_ascii_lowercase());
    accounts
}

/// The account of `groups` (from [`group_users`]) that `user` belongs to.
pub fn account_of<'a>(user: &str, groups: &'a [String]) -> Option<&'a str> {
    groups
        .iter()
        .find(|g| g.eq_ignore_ascii_case(user))
        .or_else(|| {
            (!user.contains('\\'))
                .then(|| {
                    let mut found = groups.iter().filter(|g| {
                        g.contains('\\') && account_name(g) == user.to_ascii_lowercase()
                    });
                    let first = found.next();
                    found.next().is_none().then_some(first).flatten()
                })
                .flatten()
        })
        .map(String::as_str)
}

/// Whether the row is one of the profile's findings (not context).
pub fn is_finding(event: &Event) -> bool {
    event.is_finding()
}

/// Whether the row was carved out of memory, a paging file or free space.
pub fn is_carved(event: &Event) -> bool {
    event.tags.iter().any(|t| t == "carved")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Severity;
    use crate::time::Timestamp;

    fn row(message: &str) -> Event {
        let time =
            Timestamp::from_unix_micros(1_700_000_000_000_000).unwrap_or(Timestamp::UNIX_EPOCH);
        Event::new(
            "T1559.002",
            Severity::High,
            "ddesweep:eventlog:process_start",
            message.to_owned(),
            (time, "Recorded Time"),
            "ev",
            "C/log.evtx",
        )
    }

    #[test]
    fn ids_are_stable_and_duplicates_are_numbered() {
        let mut rows = vec![row("a"), row("b"), row("a")];
        assign_ids(&mut rows);
        let again = {
            let mut copy = vec![row("a")];
            assign_ids(&mut copy);
            copy.remove(0).row_id
        };
        assert_eq!(rows[0].row_id, again);
        assert_eq!(rows[0].row_id.len(), 16);
        assert_ne!(rows[0].row_id, rows[1].row_id);
        assert_eq!(rows[2].row_id, format!("{}-2", rows[0].row_id));
        // The host is not part of the id: joining assigns it.
        let mut hosted = vec![row("a")];
        hosted[0].host = Some("WS".to_owned());
        assign_ids(&mut hosted);
        assert_eq!(hosted[0].row_id, again);
    }

    #[test]
    fn names_compare_without_folders_and_domains() {
        assert_eq!(
            base_name(r"C:\Program Files\Office16\WINWORD.EXE"),
            "winword.exe"
        );
        assert_eq!(base_name("C/Users/dave/a.DOCX"), "a.docx");
        assert_eq!(account_name(r"CORP\Dave"), "dave");
        assert_eq!(account_name("dave"), "dave");
    }

    #[test]
    fn bare_names_join_their_one_qualified_account() {
        assert_eq!(group_users([r"CORP\dave", "dave"]), [r"CORP\dave"]);
        assert_eq!(
            group_users([r"CORP\admin", r"WKS-1\admin", "admin"]),
            [r"admin", r"CORP\admin", r"WKS-1\admin"]
        );
        let groups = group_users([r"CORP\dave", "dave"]);
        assert_eq!(account_of("Dave", &groups), Some(r"CORP\dave"));
    }
}
