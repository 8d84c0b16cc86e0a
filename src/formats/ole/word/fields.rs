//! Word binary field characters ([MS-DOC] 2.8.25 PlcFld: 0x13 begin, 0x14 separator, 0x15 end)
//! fed to a [`FieldSink`], and carving of field runs out of raw bytes.
//!
//! [`FieldReader`] turns a stream of positioned characters (decoded document text, or carved
//! bytes) into begin / instruction / separate / result / end events; text outside fields is
//! dropped. [`carve_runs`] finds 0x13 ... 0x15 runs in bytes that are not read through the piece
//! table (a damaged WordDocument stream, orphaned sectors), as 8-bit text or as UTF-16LE.
//!
//! [MS-DOC]: https://learn.microsoft.com/openspecs/office_file_formats/ms-doc

use memchr::memchr_iter;

use super::piece_table::cp1252_char;
use crate::formats::field_code::FieldSink;

/// Field begin character.
pub(super) const FIELD_BEGIN: char = '\u{13}';
/// Field separator character.
pub(super) const FIELD_SEPARATOR: char = '\u{14}';
/// Field end character.
pub(super) const FIELD_END: char = '\u{15}';
/// Text buffered before it is handed to the sink.
const FLUSH_AT: usize = 4096;
/// Nesting tracked by the reader; deeper fields are counted, and the sink bounds depth itself.
const MAX_TRACKED_DEPTH: usize = 4096;

/// Feeds the field structure of a character stream to a [`FieldSink`].
pub(super) struct FieldReader<'s, S: FieldSink> {
    sink: &'s mut S,
    /// One entry per open field: whether its separator was seen.
    open: Vec<bool>,
    untracked: usize,
    text: String,
}

impl<'s, S: FieldSink> FieldReader<'s, S> {
    /// A reader that reports to `sink`.
    pub(super) fn new(sink: &'s mut S) -> Self {
        FieldReader {
            sink,
            open: Vec::new(),
            untracked: 0,
            text: String::new(),
        }
    }

    /// The next character, at `position` (a CP, or a byte offset for carved runs).
    pub(super) fn push(&mut self, position: u64, c: char) {
        match c {
            FIELD_BEGIN => {
                self.flush();
                self.sink.begin(position);
                if self.open.len() < MAX_TRACKED_DEPTH {
                    self.open.push(false);
                } else {
                    self.untracked += 1;
                }
            }
            FIELD_SEPARATOR => {
                self.flush();
                self.sink.separate();
                if self.untracked == 0 {
                    if let Some(in_result) = self.open.last_mut() {
                        *in_result = true;
                    }
                }
            }
            FIELD_END => {
                self.flush();
                self.sink.end(position);
                if self.untracked > 0 {
                    self.untracked -= 1;
                } else {
                    self.open.pop();
                }
            }
            _ if self.open.is_empty() => {}
            _ => {
                self.text.push(c);
                if self.text.len() >= FLUSH_AT {
                    self.flush();
                }
            }
        }
    }

    /// Hands buffered text to the sink; call at the end of the input.
    pub(super) fn flush(&mut self) {
        if self.text.is_empty() {
            return;
        }
        if self.open.last() == Some(&true) {
            self.sink.result(&self.text);
        } else {
            self.sink.instruction(&self.text);
        }
        self.text.clear();
    }
}

/// A run of field characters found in raw bytes.
#[derive(Clone, Debug, Eq, PartialEq)]
pub(super) struct CarvedRun {
    /// Offset of its 0x13 in the bytes.
    pub(super) offset: usize,
    /// Its characters with their byte offsets, from the 0x13 to the matching 0x15 (or to the
    /// last text character when the run breaks off).
    pub(super) chars: Vec<(usize, char)>,
}

/// Characters that can sit inside a field run: printable text, tab, line breaks and the field
/// characters themselves.
fn is_run_char(code: u32) -> bool {
    matches!(code, 0x09..=0x0D | 0x13..=0x15) || (code >= 0x20 && code != 0xFFFE && code != 0xFFFF)
}

/// Finds field runs in `bytes`: a 0x13 followed (after optional whitespace) by a letter or a
/// nested 0x13, as 8-bit text (code page 1252) or as UTF-16LE (0x13 0x00), up to its matching
/// 0x15, a character that cannot be text, or `max_chars` characters. Runs do not overlap.
pub(super) fn carve_runs(bytes: &[u8], max_chars: usize) -> Vec<CarvedRun> {
    let mut runs = Vec::new();
    let mut resume = 0usize;
    for at in memchr_iter(0x13, bytes) {
        if at < resume {
            continue;
        }
        let wide = bytes.get(at + 1) == Some(&0);
        let run = if wide {
            carve_wide(bytes, at, max_chars)
        } else {
            carve_narrow(bytes, at, max_chars)
        };
        if let Some(run) = run {
            resume = run
                .chars
                .last()
                .map_or(at + 1, |&(offset, _)| offset + if wide { 2 } else { 1 });
            runs.push(run);
        }
    }
    runs
}

fn carve_narrow(bytes: &[u8], at: usize, max_chars: usize) -> Option<CarvedRun> {
    let units = bytes
        .get(at..)
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, &b)| (at + i, u32::from(b)));
    collect_run(at, units, max_chars, |code| {
        u8::try_from(code).map_or(char::REPLACEMENT_CHARACTER, cp1252_char)
    })
}

fn carve_wide(bytes: &[u8], at: usize, max_chars: usize) -> Option<CarvedRun> {
    let units = crate::formats::text::utf16le_units(bytes.get(at..).unwrap_or_default())
        .enumerate()
        .map(|(i, unit)| (at + 2 * i, u32::from(unit)));
    collect_run(at, units, max_chars, |code| {
        char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER)
    })
}

/// Collects one run from `units` (offset, code), which start at the 0x13.
fn collect_run(
    at: usize,
    units: impl Iterator<Item = (usize, u32)>,
    max_chars: usize,
    to_char: impl Fn(u32) -> char,
) -> Option<CarvedRun> {
    let mut units = units.take(max_chars);
    let (first_offset, first) = units.next()?;
    if first != 0x13 {
        return None;
    }
    let mut chars = vec![(first_offset, FIELD_BEGIN)];
    let mut depth = 1usize;
    let mut started = false;
    for (offset, code) in units {
        if !is_run_char(code) {
            break;
        }
        let c = to_char(code);
        if !started {
            // The first thing after the 0x13 and its whitespace decides whether this is a
            // field at all: a keyword, or a nested field that computes one.
            if c.is_whitespace() {
                chars.push((offset, c));
                continue;
            }
            if !(c.is_alphabetic() || c == FIELD_BEGIN) {
                return None;
            }
            started = true;
        }
        match c {
            FIELD_BEGIN => depth += 1,
            FIELD_END => depth = depth.saturating_sub(1),
            _ => {}
        }
        chars.push((offset, c));
        if depth == 0 {
            break;
        }
    }
    started.then_some(CarvedRun { offset: at, chars })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::formats::Limits;
    use crate::formats::field_code::FieldAssembler;

    fn utf16(text: &str) -> Vec<u8> {
        text.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    fn assemble(chars: impl IntoIterator<Item = (u64, char)>) -> Vec<(u64, String)> {
        let mut asm = FieldAssembler::new(&Limits::default());
        let mut reader = FieldReader::new(&mut asm);
        for (position, c) in chars {
            reader.push(position, c);
        }
        reader.flush();
        let (fields, _) = asm.finish();
        fields
            .into_iter()
            .map(|f| (f.offset, f.instruction))
            .collect()
    }

    #[test]
    fn reader_splits_instruction_and_result_and_nests() {
        let text = "x\u{13}DDEAUTO \u{13}QUOTE 99\u{14}c\u{15} y\u{14}shown\u{15}tail";
        let fields = assemble(text.chars().enumerate().map(|(i, c)| (i as u64, c)));
        assert_eq!(
            fields,
            [(1, "DDEAUTO c y".to_owned()), (10, "QUOTE 99".to_owned())]
        );
    }

    #[test]
    fn carves_narrow_and_wide_runs() {
        let mut bytes = b"\x00\x13\x01junk \x13  DDE cmd \x93/c\x94\x14r\x15\x00".to_vec();
        let wide_at = bytes.len();
        bytes.extend(utf16("\u{13}ddeauto \u{13}QUOTE 65\u{15} x\u{15}"));
        bytes.extend(b"\x13\x13\x13");
        let runs = carve_runs(&bytes, 1000);
        assert_eq!(runs.len(), 3, "{runs:?}");
        assert_eq!(runs[0].offset, 8);
        let text: String = runs[0].chars.iter().map(|&(_, c)| c).collect();
        assert_eq!(text, "\u{13}  DDE cmd \u{201C}/c\u{201D}\u{14}r\u{15}");
        assert_eq!(runs[1].offset, wide_at);
        let text: String = runs[1].chars.iter().map(|&(_, c)| c).collect();
        assert_eq!(text, "\u{13}ddeauto \u{13}QUOTE 65\u{15} x\u{15}");
        assert_eq!(runs[1].chars[2], (wide_at + 4, 'd'));
        // Three begins at the very end: an unterminated nest with no keyword is still a run.
        assert_eq!(runs[2].chars.len(), 3);
        let fields = assemble(runs[1].chars.iter().map(|&(offset, c)| (offset as u64, c)));
        assert_eq!(fields[0], (wide_at as u64, "ddeauto A x".to_owned()));
    }

    #[test]
    fn runs_are_bounded_and_need_a_keyword() {
        assert!(carve_runs(b"\x13 1234\x15", 100).is_empty());
        assert!(carve_runs(b"\x13", 100).is_empty());
        let mut long = b"\x13DDE ".to_vec();
        long.extend(vec![b'a'; 10_000]);
        let runs = carve_runs(&long, 64);
        assert_eq!(runs[0].chars.len(), 64);
        let padded = [b"\x13".as_slice(), &[b' '; 300], b"dde x\x15"].concat();
        assert_eq!(carve_runs(&padded, 1000)[0].chars.len(), 307);
    }
}
