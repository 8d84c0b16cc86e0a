//! What the file system adds to one artifact's outcome: provenance in an image (volume, MFT
//! record, deleted) on its manifest record and rows, e-mail origin, Mark of the Web, and the
//! NTFS time rows of the files that matter (DDE documents, event logs, hives, prefetch).

use super::Outcome;
use crate::artifact::{ArtifactKind, Status};
use crate::detect::filesystem::{
    self, DELETED_TAG, EMAIL_ATTACHMENT_TAG, MARK_OF_THE_WEB_TAG, NtfsFileContext, attribute,
};
use crate::evidence::{Entry, ImageFile};
use crate::output::manifest::NtfsProvenance;
use crate::profile::Profile;

/// Adds the file system's context to `outcome`, the result of analysing `entry`.
pub(super) fn annotate(entry: &Entry, profile: &Profile, outcome: &mut Outcome) {
    let kind = outcome.record.kind;
    let is_document = !matches!(
        kind,
        ArtifactKind::Evtx
            | ArtifactKind::RegistryHive
            | ArtifactKind::Prefetch
            | ArtifactKind::Unknown
    );
    if let Some(image) = &entry.image {
        annotate_image_file(entry, image, is_document, profile, outcome);
    }
    if let Some(volume) = &entry.unallocated {
        for event in &mut outcome.events {
            event.fields.volume_offset = Some(volume.offset());
        }
    }
    if is_document && filesystem::in_outlook_cache(profile, &entry.source_path) {
        for event in &mut outcome.events {
            event.tags.push(EMAIL_ATTACHMENT_TAG.to_owned());
        }
    }
}

fn annotate_image_file(
    entry: &Entry,
    image: &ImageFile,
    is_document: bool,
    profile: &Profile,
    outcome: &mut Outcome,
) {
    let kind = outcome.record.kind;
    outcome.record.ntfs = Some(NtfsProvenance {
        volume_offset: image.volume_offset(),
        mft_record: image.record,
        found_by: image.found_by,
        mark_of_the_web: image.mark_of_the_web.clone(),
    });
    let read = kind != ArtifactKind::Unknown && outcome.record.status != Status::Skipped;
    // The files whose times a responder needs: DDE documents, logs, hives, prefetch.
    let matters = read && (!is_document || outcome.record.findings > 0);
    let ctx = NtfsFileContext {
        evidence: &outcome.record.evidence,
        source_path: &entry.source_path,
        what: match kind {
            ArtifactKind::Evtx => "event log",
            ArtifactKind::RegistryHive => "registry hive",
            ArtifactKind::Prefetch => "prefetch file",
            _ if outcome.record.findings > 0 => "DDE document",
            _ => "document",
        },
        standard_information: entry.times,
        file_name: image.name_times,
    };
    let mut extra = Vec::new();
    if matters {
        // A document's $SI times already have rows (its file times): mark them as $SI.
        for event in &mut outcome.events {
            if event.data_type == "ddesweep:file:stat" {
                event.fields.mft_attribute = Some(attribute::STANDARD_INFORMATION);
            }
        }
        extra.extend(filesystem::ntfs_time_events(profile, &ctx, !is_document));
        if is_document && let Some(mark) = &image.mark_of_the_web {
            extra.extend(filesystem::mark_of_the_web_event(profile, &ctx, mark));
        }
    }
    // Altered times are a finding on any file ddesweep reads, DDE or not: a row of its own
    // technique, not counted among the artifact's DDE findings.
    if read {
        extra.extend(filesystem::timestomp_event(profile, &ctx));
    }
    outcome.events.extend(extra);
    for event in &mut outcome.events {
        event.fields.volume_offset = Some(image.volume_offset());
        event.fields.mft_record = Some(image.record);
        if image.deleted() {
            event.tags.push(DELETED_TAG.to_owned());
        }
        if is_document && let Some(mark) = &image.mark_of_the_web {
            event.tags.push(MARK_OF_THE_WEB_TAG.to_owned());
            event.fields.zone_id = mark.zone_id;
            event.fields.host_url.clone_from(&mark.host_url);
            event.fields.referrer_url.clone_from(&mark.referrer_url);
        }
    }
}
