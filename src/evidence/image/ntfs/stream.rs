//! Reading one $DATA stream of an NTFS file out of the image.
//!
//! Resident data is copied out of its MFT record. Non-resident data stored in one contiguous
//! run of a raw image is handed back as a slice of the image's map, with no copy. Fragmented,
//! sparse or EWF-held data is read through the crate's value reader. Compressed data is
//! decompressed here, one compression unit at a time: the crate returns it as stored.

use std::io::{self, Read};

use ntfs::attribute_value::{NtfsAttributeValue, NtfsDataRun};
use ntfs::{NtfsAttribute, NtfsAttributeFlags, NtfsAttributeType, NtfsFile};

use super::NtfsVolume;
use crate::evidence::EntryBytes;

/// Clusters per compression unit: NTFS compresses in units of 16 clusters (the attribute's
/// compression-unit exponent is 4 on every volume Windows writes; it refuses to compress with
/// clusters over 4 KiB).
const CLUSTERS_PER_UNIT: u64 = 16;

/// Reads stream `stream` (`None`: the unnamed stream) of MFT record `record`, at most `max`
/// bytes of it when given.
pub fn read(
    volume: &NtfsVolume,
    record: u64,
    stream: Option<&str>,
    max: Option<u64>,
) -> io::Result<EntryBytes> {
    with_stream(volume, record, stream, |file, attribute| {
        read_attribute(volume, file, attribute, max)
    })?
    .ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            format!(
                "MFT record {record} has no {} data stream",
                stream.map_or("unnamed".to_owned(), |s| format!("'{s}'"))
            ),
        )
    })
}

/// The runs of a plain (neither compressed nor encrypted) non-resident stream, for reading it
/// piece by piece (a paging file of many gigabytes is carved without a copy of it); `None` when
/// the stream must be read whole (resident, compressed, encrypted, spread over an attribute
/// list).
pub fn plain_runs(
    volume: &NtfsVolume,
    record: u64,
    stream: Option<&str>,
) -> io::Result<Option<Vec<DataRun>>> {
    let runs = with_stream(volume, record, stream, |_, attribute| {
        if attribute
            .flags()
            .intersects(NtfsAttributeFlags::COMPRESSED | NtfsAttributeFlags::ENCRYPTED)
        {
            return Ok(None);
        }
        runs(volume, attribute)
    })?;
    Ok(runs.flatten())
}

/// Calls `found` with MFT record `record` and its $DATA stream named `stream` (`None`: the
/// unnamed one); `Ok(None)` when the record has no such stream.
fn with_stream<T>(
    volume: &NtfsVolume,
    record: u64,
    stream: Option<&str>,
    found: impl FnOnce(&NtfsFile<'_>, &NtfsAttribute<'_, '_>) -> io::Result<T>,
) -> io::Result<Option<T>> {
    let mut view = volume.view();
    let file = volume
        .ntfs()
        .file(&mut view, record)
        .map_err(io::Error::other)?;
    let mut attributes = file.attributes();
    while let Some(item) = attributes.next(&mut view) {
        let item = item.map_err(io::Error::other)?;
        let attribute = item.to_attribute().map_err(io::Error::other)?;
        if is_stream(&attribute, stream) {
            return found(&file, &attribute).map(Some);
        }
    }
    Ok(None)
}

/// One run of a non-resident stream: its byte position in the volume (`None` for a sparse run)
/// and its length.
pub type DataRun = (Option<u64>, u64);

/// The first `len` bytes of a plain (neither compressed nor encrypted) $DATA attribute, taken
/// while its record is at hand: from the record for resident data, else from the start of its
/// first run (zeros for a sparse one). Only for classifying a file: it does not apply the
/// initialized size, which the full read does. `None` when anything is unusual.
pub(super) fn head(
    volume: &NtfsVolume,
    attribute: &NtfsAttribute<'_, '_>,
    len: u64,
) -> Option<Vec<u8>> {
    let flags = attribute.flags();
    if flags.intersects(NtfsAttributeFlags::COMPRESSED | NtfsAttributeFlags::ENCRYPTED) {
        return None;
    }
    let wanted = usize::try_from(len.min(attribute.value_length())).ok()?;
    let mut view = volume.view();
    match attribute.value(&mut view).ok()? {
        NtfsAttributeValue::Resident(value) => value.data().get(..wanted).map(<[u8]>::to_vec),
        NtfsAttributeValue::NonResident(value) => {
            let run = checked_run(volume, &value.data_runs().next()?.ok()?).ok()?;
            match &run {
                (Some(position), allocated) if *allocated >= wanted as u64 => volume
                    .disk()
                    .read_vec(volume.offset().checked_add(*position)?, wanted)
                    .ok(),
                (None, allocated) if *allocated >= wanted as u64 => Some(vec![0; wanted]),
                _ => None,
            }
        }
        NtfsAttributeValue::AttributeListNonResident(_) => None,
    }
}

/// A run as a [`DataRun`], refused when it lies outside the volume: a damaged run list can
/// point anywhere, and must never be read from a neighbouring partition or the gap before it.
fn checked_run(volume: &NtfsVolume, run: &NtfsDataRun) -> io::Result<DataRun> {
    let position = run.data_position().value().map(u64::from);
    let length = run.allocated_size();
    if let Some(position) = position
        && position
            .checked_add(length)
            .is_none_or(|end| end > volume.length())
    {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "a data run of {length} bytes at byte {position} lies outside the volume ({} bytes)",
                volume.length()
            ),
        ));
    }
    Ok((position, length))
}

/// Whether `attribute` is the $DATA stream named `stream` (`None`: unnamed).
pub(super) fn is_stream(attribute: &NtfsAttribute<'_, '_>, stream: Option<&str>) -> bool {
    if attribute.ty().ok() != Some(NtfsAttributeType::Data) {
        return false;
    }
    let Ok(name) = attribute.name() else {
        return false;
    };
    match stream {
        None => name.is_empty(),
        Some(wanted) => name.to_string_lossy().eq_ignore_ascii_case(wanted),
    }
}

/// The non-resident runs of `attribute` (byte position in the volume, `None` for a sparse run;
/// length), or `None` when its value is resident or spread over an attribute list.
pub(super) fn runs(
    volume: &NtfsVolume,
    attribute: &NtfsAttribute<'_, '_>,
) -> io::Result<Option<Vec<DataRun>>> {
    let mut view = volume.view();
    match attribute.value(&mut view).map_err(io::Error::other)? {
        NtfsAttributeValue::NonResident(value) => {
            let mut runs = Vec::new();
            for run in value.data_runs() {
                let run = run.map_err(io::Error::other)?;
                runs.push(checked_run(volume, &run)?);
            }
            Ok(Some(runs))
        }
        NtfsAttributeValue::Resident(_) | NtfsAttributeValue::AttributeListNonResident(_) => {
            Ok(None)
        }
    }
}

fn read_attribute(
    volume: &NtfsVolume,
    file: &NtfsFile<'_>,
    attribute: &NtfsAttribute<'_, '_>,
    max: Option<u64>,
) -> io::Result<EntryBytes> {
    let flags = attribute.flags();
    if flags.contains(NtfsAttributeFlags::ENCRYPTED) {
        return Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "EFS-encrypted: the content is ciphertext without the user's key",
        ));
    }
    let length = attribute.value_length();
    let wanted = max.map_or(length, |m| m.min(length));
    // A damaged or forged record can claim any length; no stream that could be copied out holds
    // more bytes than its volume (a larger sparse file is mostly holes).
    if wanted > volume.length() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "the stream claims {length} bytes, more than its volume holds ({} bytes)",
                volume.length()
            ),
        ));
    }
    let wanted_len = usize::try_from(wanted)
        .map_err(|_| io::Error::new(io::ErrorKind::OutOfMemory, "stream too large to read"))?;
    if wanted_len == 0 {
        return Ok(EntryBytes::Empty);
    }
    // Bytes past the initialized size read as zeros, whatever the clusters still hold.
    let valid = if attribute.is_resident() {
        wanted_len
    } else {
        initialized_size(volume, file, attribute)
            .and_then(|size| usize::try_from(size).ok())
            .map_or(wanted_len, |size| size.min(wanted_len))
    };
    let zero_tail = |mut bytes: Vec<u8>| {
        bytes[valid..].fill(0);
        EntryBytes::Owned(bytes)
    };
    if let Some(runs) = runs(volume, attribute)? {
        if flags.contains(NtfsAttributeFlags::COMPRESSED) {
            return decompress(volume, &runs, wanted_len).map(zero_tail);
        }
        if let Some(&(Some(position), allocated)) = runs.first()
            && allocated >= wanted
            && valid == wanted_len
            && let Some((map, start)) = volume.disk().mapped(volume.offset() + position, wanted)
        {
            return Ok(EntryBytes::Slice {
                map,
                start,
                len: wanted_len,
            });
        }
    } else if flags.contains(NtfsAttributeFlags::COMPRESSED) && !attribute.is_resident() {
        return Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "compressed data spread over an attribute list: not decompressed",
        ));
    }
    let mut view = volume.view();
    let value = attribute.value(&mut view).map_err(io::Error::other)?;
    let mut bytes = buffer(wanted_len)?;
    bytes.resize(wanted_len, 0);
    value.attach(&mut view).read_exact(&mut bytes)?;
    Ok(zero_tail(bytes))
}

/// A non-resident attribute's initialized size (its valid data length). The crate keeps it to
/// itself, so it is read from the MFT record here, with the record's update-sequence fixups
/// applied. `None` when the attribute is not in the base record (it came from an attribute
/// list) or the record cannot be read.
fn initialized_size(
    volume: &NtfsVolume,
    file: &NtfsFile<'_>,
    attribute: &NtfsAttribute<'_, '_>,
) -> Option<u64> {
    const FIELD: usize = 0x38;
    let record_start = file.position().value()?.get();
    let offset = attribute
        .position()
        .value()?
        .get()
        .checked_sub(record_start)?;
    let offset = usize::try_from(offset).ok()?;
    let record_size = usize::try_from(volume.ntfs().file_record_size()).ok()?;
    if offset.checked_add(FIELD + 8)? > record_size {
        return None;
    }
    let mut record = volume
        .disk()
        .read_vec(volume.offset().checked_add(record_start)?, record_size)
        .ok()?;
    apply_fixups(&mut record, usize::from(volume.ntfs().sector_size()))?;
    let field = record.get(offset + FIELD..offset + FIELD + 8)?;
    Some(u64::from_le_bytes(field.try_into().ok()?))
}

/// Puts back the bytes an MFT record's update sequence array saved from the end of each sector.
fn apply_fixups(record: &mut [u8], sector: usize) -> Option<()> {
    let word = |record: &[u8], at: usize| -> Option<usize> {
        Some(usize::from(u16::from_le_bytes([
            *record.get(at)?,
            *record.get(at + 1)?,
        ])))
    };
    let array = word(record, 4)?;
    let count = word(record, 6)?;
    for i in 1..count {
        let end = i.checked_mul(sector)?;
        let saved = array + 2 * i;
        if end > record.len() || saved + 2 > record.len() || end < 2 {
            return None;
        }
        let (a, b) = (record[saved], record[saved + 1]);
        record[end - 2] = a;
        record[end - 1] = b;
    }
    Some(())
}

/// An empty buffer with room for `len` bytes, or an error when the memory is not there (a
/// damaged record may claim anything up to its volume's size; an abort is not an answer).
fn buffer(len: usize) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    bytes.try_reserve_exact(len).map_err(|err| {
        io::Error::new(
            io::ErrorKind::OutOfMemory,
            format!("cannot hold the {len}-byte stream in memory: {err}"),
        )
    })?;
    Ok(bytes)
}

/// Decompresses the first `wanted` bytes of an LZNT1-compressed stream stored in `runs`.
///
/// A compression unit with all its clusters allocated is stored as is; one with none is zeros;
/// one with some allocated holds LZNT1 data in those clusters, followed by a sparse tail.
fn decompress(volume: &NtfsVolume, runs: &[DataRun], wanted: usize) -> io::Result<Vec<u8>> {
    let cluster = u64::from(volume.ntfs().cluster_size());
    let unit = cluster * CLUSTERS_PER_UNIT;
    let unit_len = usize::try_from(unit).map_err(io::Error::other)?;
    let disk = volume.disk();
    let mut out = buffer(wanted)?;
    // Pieces of the current unit: allocated bytes gathered, and how many bytes it spans so far.
    let mut stored = Vec::with_capacity(unit_len);
    let mut spanned = 0u64;
    let finish_unit = |stored: &mut Vec<u8>, spanned: u64, out: &mut Vec<u8>| -> io::Result<()> {
        if stored.len() as u64 == spanned {
            out.extend_from_slice(stored);
        } else if stored.is_empty() {
            out.resize(out.len() + spanned as usize, 0);
        } else {
            let before = out.len();
            let mut unit_out = Vec::with_capacity(unit_len);
            lznt1::decompress(stored, &mut unit_out).map_err(|err| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("LZNT1 data at byte {before} of the file: {err:?}"),
                )
            })?;
            unit_out.resize(spanned as usize, 0);
            out.extend_from_slice(&unit_out);
        }
        stored.clear();
        Ok(())
    };
    for &(position, length) in runs {
        let mut done = 0u64;
        while done < length && out.len() < wanted {
            let piece = (unit - spanned).min(length - done);
            if let Some(position) = position {
                let bytes = disk.read_vec(volume.offset() + position + done, piece as usize)?;
                stored.extend_from_slice(&bytes);
            }
            spanned += piece;
            done += piece;
            if spanned == unit {
                finish_unit(&mut stored, spanned, &mut out)?;
                spanned = 0;
            }
        }
    }
    if spanned > 0 && out.len() < wanted {
        finish_unit(&mut stored, spanned, &mut out)?;
    }
    if out.len() < wanted {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!(
                "compressed stream holds {} of its {wanted} bytes",
                out.len()
            ),
        ));
    }
    out.truncate(wanted);
    Ok(out)
}

/// Calls `visit` with every attribute of `file` (those in attribute-list records too).
pub(super) fn for_each_attribute(
    volume: &NtfsVolume,
    file: &NtfsFile<'_>,
    mut visit: impl FnMut(&NtfsAttribute<'_, '_>),
) -> io::Result<()> {
    let mut view = volume.view();
    let mut attributes = file.attributes();
    while let Some(item) = attributes.next(&mut view) {
        let item = item.map_err(io::Error::other)?;
        let attribute = item.to_attribute().map_err(io::Error::other)?;
        visit(&attribute);
    }
    Ok(())
}
