//! The BIFF8 record stream ([MS-XLS] 2.1.4) and the byte-level reads its records need.
//!
//! A Workbook stream is a sequence of records, each a 4-byte header (record type `u16`, data
//! size `u16`, little-endian) followed by its data. A record whose data does not fit in 8,224
//! bytes goes on in CONTINUE records (type 0x003C) that follow it directly. [`Records`] walks the
//! headers without trusting them: a size that runs past the end of the stream ends the walk with
//! a [`Damage`] naming the offset, and every read of a field goes through `get`.
//!
//! [MS-XLS]: https://learn.microsoft.com/openspecs/office_file_formats/ms-xls

use std::borrow::Cow;
use std::iter::Peekable;

/// Record types this reader acts on ([MS-XLS] 2.3, record enumeration).
pub(super) mod kind {
    /// BOF: the start of a substream.
    pub const BOF: u16 = 0x0809;
    /// EOF: the end of a substream.
    pub const EOF: u16 = 0x000A;
    /// FilePass: the workbook is encrypted or obfuscated.
    pub const FILEPASS: u16 = 0x002F;
    /// Continue: more data of the record before it.
    pub const CONTINUE: u16 = 0x003C;
    /// SupBook: a supporting link (external workbook, DDE or OLE data source).
    pub const SUPBOOK: u16 = 0x01AE;
    /// ExternName: a name (a DDE item, an external defined name) of the SupBook before it.
    pub const EXTERNNAME: u16 = 0x0023;
    /// BoundSheet8: a sheet; its first field (`lbPlyPos`) is never encrypted.
    pub const BOUNDSHEET8: u16 = 0x0085;
    /// UsrExcl: never encrypted.
    pub const USREXCL: u16 = 0x0194;
    /// FileLock: never encrypted.
    pub const FILELOCK: u16 = 0x0195;
    /// InterfaceHdr: never encrypted.
    pub const INTERFACEHDR: u16 = 0x00E1;
    /// RRDInfo: never encrypted.
    pub const RRDINFO: u16 = 0x0196;
    /// RRDHead: never encrypted.
    pub const RRDHEAD: u16 = 0x0138;
}

/// Bytes of a record header.
pub(super) const HEADER_LEN: usize = 4;

/// One record of the stream.
#[derive(Clone, Copy, Debug)]
pub(super) struct Record<'a> {
    /// Offset of the record header in the stream.
    pub offset: usize,
    /// The record type.
    pub kind: u16,
    /// The record data (after the header).
    pub data: &'a [u8],
}

/// Damage that ends the walk of a stream: a header or data running past its end.
#[derive(Clone, Debug, Eq, PartialEq)]
pub(super) struct Damage {
    /// Where the damaged record starts.
    pub offset: usize,
    /// What is wrong, offsets in hex.
    pub message: String,
}

/// The records of a BIFF stream, in order; the first [`Damage`] ends the walk.
pub(super) struct Records<'a> {
    stream: &'a [u8],
    position: usize,
    done: bool,
}

impl<'a> Records<'a> {
    /// Walks `stream` from its start.
    pub fn new(stream: &'a [u8]) -> Records<'a> {
        Records {
            stream,
            position: 0,
            done: false,
        }
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>, Damage>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let offset = self.position;
        let rest = self.stream.get(offset..).unwrap_or_default();
        if rest.is_empty() {
            self.done = true;
            return None;
        }
        let (Some(kind), Some(size)) = (u16_at(rest, 0), u16_at(rest, 2)) else {
            self.done = true;
            // Zero padding after the last record is common and harmless.
            if rest.iter().all(|&b| b == 0) {
                return None;
            }
            return Some(Err(Damage {
                offset,
                message: format!(
                    "{} stray bytes at offset 0x{offset:X}, too few for a record header",
                    rest.len()
                ),
            }));
        };
        let end = HEADER_LEN + usize::from(size);
        let Some(data) = rest.get(HEADER_LEN..end) else {
            self.done = true;
            return Some(Err(Damage {
                offset,
                message: format!(
                    "record 0x{kind:04X} at offset 0x{offset:X} declares {size} bytes but only {} remain in the stream",
                    rest.len().saturating_sub(HEADER_LEN)
                ),
            }));
        };
        self.position = offset + end;
        Some(Ok(Record { offset, kind, data }))
    }
}

/// The data of `first` joined with the CONTINUE records that directly follow it (consumed from
/// `records`), up to `max_bytes` in all.
pub(super) fn with_continues<'a>(
    first: &Record<'a>,
    records: &mut Peekable<Records<'a>>,
    max_bytes: usize,
) -> Cow<'a, [u8]> {
    let mut joined = Cow::Borrowed(first.data);
    while let Some(Ok(next)) = records.peek() {
        if next.kind != kind::CONTINUE {
            break;
        }
        let room = max_bytes.saturating_sub(joined.len());
        let take = next
            .data
            .get(..room.min(next.data.len()))
            .unwrap_or_default();
        joined.to_mut().extend_from_slice(take);
        records.next();
    }
    joined
}

/// The little-endian `u16` at `offset`.
pub(super) fn u16_at(bytes: &[u8], offset: usize) -> Option<u16> {
    let end = offset.checked_add(2)?;
    let b = bytes.get(offset..end)?;
    Some(u16::from_le_bytes([*b.first()?, *b.get(1)?]))
}

/// The little-endian `u32` at `offset`.
pub(super) fn u32_at(bytes: &[u8], offset: usize) -> Option<u32> {
    let end = offset.checked_add(4)?;
    let b: [u8; 4] = bytes.get(offset..end)?.try_into().ok()?;
    Some(u32::from_le_bytes(b))
}

/// `cch` characters at `offset`, stored one byte each (the low bytes of UTF-16 code units,
/// `fHighByte` = 0) or as UTF-16LE (`fHighByte` = 1) ([MS-XLS] 2.5.296 XLUnicodeStringNoCch);
/// with the offset just past them. `None` when the bytes run short.
pub(super) fn xl_chars(
    bytes: &[u8],
    offset: usize,
    cch: usize,
    high_byte: bool,
) -> Option<(String, usize)> {
    if high_byte {
        let end = offset.checked_add(cch.checked_mul(2)?)?;
        let raw = bytes.get(offset..end)?;
        Some((crate::formats::text::utf16le_lossy(raw), end))
    } else {
        let end = offset.checked_add(cch)?;
        let raw = bytes.get(offset..end)?;
        Some((raw.iter().map(|&b| char::from(b)).collect(), end))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    use crate::formats::ole::biff::tests::record;

    #[test]
    fn walks_records_and_stops_at_a_size_past_the_end() {
        let mut stream = record(kind::BOF, &[0, 6, 5, 0]);
        stream.extend(record(0x1234, b"abc"));
        stream.extend([0x3C, 0x00, 0x10, 0x00, 1, 2]);
        let walked: Vec<_> = Records::new(&stream).collect();
        assert_eq!(walked.len(), 3);
        let second = walked[1].as_ref().unwrap();
        assert_eq!(
            (second.offset, second.kind, second.data),
            (8, 0x1234, &b"abc"[..])
        );
        assert_eq!(
            walked[2].as_ref().unwrap_err().message,
            "record 0x003C at offset 0xF declares 16 bytes but only 2 remain in the stream"
        );
    }

    #[test]
    fn zero_padding_ends_quietly_stray_bytes_do_not() {
        let mut stream = record(kind::EOF, &[]);
        stream.extend([0, 0]);
        assert_eq!(Records::new(&stream).filter(Result::is_err).count(), 0);
        stream.push(7);
        let damage = Records::new(&stream).find_map(Result::err).unwrap();
        assert_eq!(damage.offset, 4);
        assert_eq!(
            damage.message,
            "3 stray bytes at offset 0x4, too few for a record header"
        );
    }

    #[test]
    fn continue_records_are_joined_up_to_the_bound() {
        let mut stream = record(kind::EXTERNNAME, b"ab");
        stream.extend(record(kind::CONTINUE, b"cd"));
        stream.extend(record(kind::CONTINUE, b"ef"));
        stream.extend(record(kind::EOF, &[]));
        let mut records = Records::new(&stream).peekable();
        let first = records.next().unwrap().unwrap();
        assert_eq!(&*with_continues(&first, &mut records, 5), b"abcde");
        assert_eq!(records.next().unwrap().unwrap().kind, kind::EOF);
    }

    #[test]
    fn strings_read_compressed_and_utf16_and_refuse_short_bytes() {
        assert_eq!(xl_chars(b"xcmd", 1, 3, false), Some(("cmd".to_owned(), 4)));
        assert_eq!(
            xl_chars(b"c\0m\0d\0", 0, 3, true),
            Some(("cmd".to_owned(), 6))
        );
        assert_eq!(xl_chars(b"c\0m", 0, 2, true), None);
        assert_eq!(xl_chars(b"\xe9", 0, 1, false), Some(("é".to_owned(), 1)));
    }
}
