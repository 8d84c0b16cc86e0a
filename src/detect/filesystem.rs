//! File-system context for an artifact: its NTFS times as rows ($STANDARD_INFORMATION and
//! $FILE_NAME, MACB), timestomping, Mark of the Web, and e-mail origin (Outlook's attachment
//! cache). Pure: the caller supplies the times and the stream's values.

use super::timeline::{Event, desc, user_from_path};
use crate::evidence::FileTimes;
use crate::evidence::image::ntfs::zone::MarkOfTheWeb;
use crate::profile::{Profile, Severity};
use crate::time::Timestamp;

/// The NTFS attribute a time row comes from.
pub mod attribute {
    /// $STANDARD_INFORMATION: what Explorer shows, and what timestomping tools rewrite.
    pub const STANDARD_INFORMATION: &str = "$STANDARD_INFORMATION";
    /// $FILE_NAME: set by the kernel when the name is made or moved.
    pub const FILE_NAME: &str = "$FILE_NAME";
}

/// The tag on rows of a file whose times look altered.
pub const TIMESTOMP_TAG: &str = "timestomp";
/// The tag on rows of a document under an Outlook attachment cache.
pub const EMAIL_ATTACHMENT_TAG: &str = "email_attachment";
/// The tag on rows of a file with a Mark of the Web.
pub const MARK_OF_THE_WEB_TAG: &str = "mark_of_the_web";
/// The tag on rows of a deleted file.
pub const DELETED_TAG: &str = "deleted";

/// An artifact of an NTFS volume, for its file-system rows.
#[derive(Clone, Debug)]
pub struct NtfsFileContext<'a> {
    /// The evidence item.
    pub evidence: &'a str,
    /// The path inside it.
    pub source_path: &'a str,
    /// What the file is to a responder (`DDE document`, `event log`, `registry hive`, ...).
    pub what: &'a str,
    /// $STANDARD_INFORMATION times.
    pub standard_information: FileTimes,
    /// $FILE_NAME times.
    pub file_name: FileTimes,
}

/// Whether the $SI creation time predates the $FN creation time: Windows sets both when it
/// makes a file, so only a tool rewriting $SI puts it earlier.
pub fn timestomped(standard_information: &FileTimes, file_name: &FileTimes) -> bool {
    matches!(
        (standard_information.born, file_name.born),
        (Some(si), Some(fname)) if si < fname
    )
}

/// Context rows for the file's times: the $FILE_NAME times, and the $STANDARD_INFORMATION times
/// too when `with_standard_information` (a document's $SI times already have rows of their
/// own). Rows of a file whose times look altered are tagged `timestomp`.
pub fn ntfs_time_events(
    profile: &Profile,
    ctx: &NtfsFileContext<'_>,
    with_standard_information: bool,
) -> Vec<Event> {
    let stomped = timestomped(&ctx.standard_information, &ctx.file_name);
    let user = user_from_path(&profile.user_profile_roots, ctx.source_path);
    let mut sets = vec![(attribute::FILE_NAME, &ctx.file_name)];
    if with_standard_information {
        sets.insert(
            0,
            (attribute::STANDARD_INFORMATION, &ctx.standard_information),
        );
    }
    let mut events = Vec::new();
    for (attribute, times) in sets {
        for (time, description) in macb(times) {
            let message = format!(
                "{attribute} {description} of {} {}",
                ctx.what, ctx.source_path
            );
            let mut event = Event::new(
                &profile.technique,
                Severity::Info,
                "ddesweep:file:stat",
                message,
                (time, description),
                ctx.evidence,
                ctx.source_path,
            );
            event.user.clone_from(&user);
            event.tags.push("context".to_owned());
            if stomped {
                event.tags.push(TIMESTOMP_TAG.to_owned());
            }
            event.fields.mft_attribute = Some(attribute);
            events.push(event);
        }
    }
    events
}

/// The finding for a file whose $STANDARD_INFORMATION creation predates its $FILE_NAME creation,
/// timed at the $FN creation (the real one).
pub fn timestomp_event(profile: &Profile, ctx: &NtfsFileContext<'_>) -> Option<Event> {
    if !timestomped(&ctx.standard_information, &ctx.file_name) {
        return None;
    }
    let (si, fname) = (ctx.standard_information.born?, ctx.file_name.born?);
    {
        let rule = &profile.filesystem.timestomp;
        let message = format!(
            "Times of {} {} altered: $STANDARD_INFORMATION says created {}, $FILE_NAME says {}",
            ctx.what,
            ctx.source_path,
            si.to_rfc3339(),
            fname.to_rfc3339()
        );
        let mut event = Event::new(
            &profile.filesystem.timestomp_technique,
            rule.severity,
            "ddesweep:file:timestomp",
            message,
            (fname, desc::CREATION),
            ctx.evidence,
            ctx.source_path,
        );
        event.set_rule(rule);
        event.user = user_from_path(&profile.user_profile_roots, ctx.source_path);
        event.tags.push(TIMESTOMP_TAG.to_owned());
        event.fields.mft_attribute = Some(attribute::FILE_NAME);
        Some(event)
    }
}

/// A context row saying where a document came from, at its $SI creation time (when Windows
/// wrote the download), or its $FN creation time.
pub fn mark_of_the_web_event(
    profile: &Profile,
    ctx: &NtfsFileContext<'_>,
    mark: &MarkOfTheWeb,
) -> Option<Event> {
    let time = ctx.standard_information.born.or(ctx.file_name.born)?;
    let source = mark
        .host_url
        .as_deref()
        .or(mark.referrer_url.as_deref())
        .unwrap_or("an unrecorded address");
    let zone = match mark.zone_id {
        Some(id) => format!("zone {id}, {}", mark.zone_name()),
        None => "no zone".to_owned(),
    };
    let referrer = mark
        .referrer_url
        .as_deref()
        .map(|r| format!(", referrer {r}"))
        .unwrap_or_default();
    let message = format!(
        "{} {} came from {source} ({zone}{referrer})",
        ctx.what, ctx.source_path
    );
    let mut event = Event::new(
        &profile.technique,
        Severity::Info,
        "ddesweep:file:mark_of_the_web",
        message,
        (time, desc::CREATION),
        ctx.evidence,
        ctx.source_path,
    );
    event.user = user_from_path(&profile.user_profile_roots, ctx.source_path);
    event.tags.push("context".to_owned());
    Some(event)
}

/// Whether `source_path` lies under one of the profile's Outlook attachment caches.
pub fn in_outlook_cache(profile: &Profile, source_path: &str) -> bool {
    let path = format!("/{}", source_path.to_ascii_lowercase());
    profile
        .filesystem
        .outlook_attachment_caches
        .iter()
        .any(|cache| {
            let cache = cache.trim_matches('/').to_ascii_lowercase();
            !cache.is_empty() && path.contains(&format!("/{cache}/"))
        })
}

/// The times of `times` that are known, with their descriptions, in MACB order.
fn macb(times: &FileTimes) -> impl Iterator<Item = (Timestamp, &'static str)> {
    [
        (times.modified, desc::MODIFICATION),
        (times.accessed, desc::ACCESS),
        (times.changed, desc::CHANGE),
        (times.born, desc::CREATION),
    ]
    .into_iter()
    .filter_map(|(time, description)| Some((time?, description)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile;

    fn at(micros: i64) -> Option<Timestamp> {
        Timestamp::from_unix_micros(micros)
    }

    #[test]
    fn timestomp_is_si_creation_before_fn_creation() {
        let si = FileTimes {
            born: at(1_000_000),
            ..FileTimes::default()
        };
        let fname = FileTimes {
            born: at(2_000_000),
            ..FileTimes::default()
        };
        assert!(timestomped(&si, &fname));
        assert!(!timestomped(&fname, &si));
        assert!(!timestomped(&si, &si));
        assert!(!timestomped(&FileTimes::default(), &fname));
        let profile = profile::load("default").unwrap().profile;
        let ctx = NtfsFileContext {
            evidence: "disk.raw",
            source_path: "Users/bob/Documents/report.docx",
            what: "DDE document",
            standard_information: si,
            file_name: fname,
        };
        let mut events = ntfs_time_events(&profile, &ctx, true);
        // One $SI and one $FN creation row, then the finding.
        assert_eq!(events.len(), 2);
        events.extend(timestomp_event(&profile, &ctx));
        let finding = &events[2];
        assert_eq!(finding.timestamp, fname.born.unwrap());
        assert_eq!(finding.tags[0], "T1070.006");
        assert_eq!(
            finding.rule_id.as_deref(),
            Some("ddesweep.filesystem.timestomp")
        );
        assert_eq!(finding.user.as_deref(), Some("bob"));
        assert!(
            events
                .iter()
                .all(|e| e.tags.iter().any(|t| t == TIMESTOMP_TAG))
        );
        assert_eq!(
            events[0].fields.mft_attribute,
            Some(attribute::STANDARD_INFORMATION)
        );
    }

    #[test]
    fn outlook_caches_match_as_path_parts() {
        let profile = profile::load("default").unwrap().profile;
        assert!(in_outlook_cache(
            &profile,
            "Users/alice/AppData/Local/Microsoft/Windows/INetCache/Content.Outlook/X1/a.xlsx"
        ));
        assert!(in_outlook_cache(
            &profile,
            "Documents and Settings/a/Local Settings/Temporary Internet Files/content.outlook/Q/b.doc"
        ));
        assert!(!in_outlook_cache(
            &profile,
            "Users/alice/Content.Outlook.docx"
        ));
    }
}
