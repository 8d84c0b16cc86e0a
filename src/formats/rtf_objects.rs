//! OLE objects in RTF: `{\object\objemb{\*\objclass Equation.3}{\*\objdata 01050000...}}`,
//! collected while the tokenizer in [`super`] walks the document.
//!
//! `\objdata` holds the object as hex digits: an OLE1 `EmbeddedObject` ([MS-OLEDS] 2.2.5) whose
//! native data is, for Equation Editor exploits (CVE-2017-11882), a compound file. Word's reader
//! is lenient with the digits and exploit documents rely on it, so this collector is too:
//! whitespace and any other non-hex character between the digits is skipped, `\binN` inserts N
//! raw bytes, a group nested in the data that starts with a control word is ignored (the
//! tokenizer routes it away), and an odd final digit is dropped. Data is bounded per document.
//!
//! [MS-OLEDS]: https://learn.microsoft.com/openspecs/windows_protocols/ms-oleds

/// Longest `\objclass` kept, in bytes (real class names are under 40).
const MAX_CLASS: usize = 256;

/// One `\object` group (or an `\objdata` group outside any) of an RTF document.
#[derive(Clone, Debug, Default, Eq, PartialEq)]
pub struct RtfObject {
    /// Byte offset of the `{` that opens the object's group.
    pub offset: u64,
    /// The `\objclass` text (`Equation.3`), trimmed; `None` when absent or empty.
    pub class: Option<String>,
    /// The `\objdata` bytes, decoded.
    pub data: Vec<u8>,
    /// The hex digits were odd in number (the last one was dropped, as Word does).
    pub odd_digit: bool,
    /// Data was cut at the limit on object bytes.
    pub truncated: bool,
}

/// An object being read: the object, and a hex digit waiting for its pair.
#[derive(Debug)]
struct Open {
    object: RtfObject,
    class: Vec<u8>,
    nibble: Option<u8>,
}

/// Collects the objects of one document.
#[derive(Debug)]
pub(super) struct Collector {
    open: Vec<Open>,
    done: Vec<RtfObject>,
    /// Object bytes still allowed in this document.
    budget: usize,
    max_objects: usize,
    /// Objects beyond `max_objects`, not kept.
    pub(super) dropped: usize,
}

impl Collector {
    /// A collector keeping at most `max_bytes` of object data and `max_objects` objects.
    pub(super) fn new(max_bytes: usize, max_objects: usize) -> Collector {
        Collector {
            open: Vec::new(),
            done: Vec::new(),
            budget: max_bytes,
            max_objects,
            dropped: 0,
        }
    }

    /// Whether an object is open (its `\objclass` and `\objdata` have somewhere to go).
    pub(super) fn is_open(&self) -> bool {
        !self.open.is_empty()
    }

    /// An object group starts at `offset`.
    pub(super) fn begin(&mut self, offset: u64) {
        self.open.push(Open {
            object: RtfObject {
                offset,
                ..RtfObject::default()
            },
            class: Vec::new(),
            nibble: None,
        });
    }

    /// The innermost object group ends; it is kept if it had a class or data.
    pub(super) fn end(&mut self) {
        let Some(Open {
            mut object,
            class,
            nibble,
        }) = self.open.pop()
        else {
            return;
        };
        object.odd_digit |= nibble.is_some();
        let class = String::from_utf8_lossy(&class).trim().to_owned();
        object.class = (!class.is_empty()).then_some(class);
        if object.class.is_none() && object.data.is_empty() && !object.truncated {
            return;
        }
        if self.done.len() < self.max_objects {
            self.done.push(object);
        } else {
            self.dropped += 1;
        }
    }

    /// Text of an `\objclass` group.
    pub(super) fn class_text(&mut self, run: &[u8]) {
        if let Some(open) = self.open.last_mut() {
            let room = MAX_CLASS.saturating_sub(open.class.len());
            open.class
                .extend(run.iter().filter(|b| !b.is_ascii_control()).take(room));
        }
    }

    /// Text of an `\objdata` group: hex digits, anything else skipped.
    pub(super) fn hex(&mut self, run: &[u8]) {
        let Some(open) = self.open.last_mut() else {
            return;
        };
        for &b in run {
            let value = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                _ => continue,
            };
            match open.nibble.take() {
                None => open.nibble = Some(value),
                Some(high) => {
                    if self.budget == 0 {
                        open.object.truncated = true;
                        return;
                    }
                    self.budget -= 1;
                    open.object.data.push(high << 4 | value);
                }
            }
        }
    }

    /// Raw bytes of a `\binN` inside `\objdata`; a pending hex digit is dropped.
    pub(super) fn raw(&mut self, bytes: &[u8]) {
        let Some(open) = self.open.last_mut() else {
            return;
        };
        open.object.odd_digit |= open.nibble.take().is_some();
        let n = bytes.len().min(self.budget);
        open.object.truncated |= n < bytes.len();
        self.budget -= n;
        open.object
            .data
            .extend_from_slice(bytes.get(..n).unwrap_or_default());
    }

    /// Closes what is still open and returns the objects in the order their groups ended.
    pub(super) fn finish(&mut self) -> Vec<RtfObject> {
        while self.is_open() {
            self.end();
        }
        std::mem::take(&mut self.done)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::formats::Limits;
    use crate::formats::field_code::FieldAssembler;
    use crate::formats::rtf::{RtfLimits, RtfScan, scan};

    fn objects(rtf: &[u8]) -> (RtfScan, usize) {
        let limits = Limits::default();
        let mut fields = FieldAssembler::new(&limits);
        let scan = scan(rtf, &RtfLimits::default(), &mut fields);
        (scan, fields.finish().0.len())
    }

    fn object(offset: u64, class: Option<&str>, data: &[u8]) -> RtfObject {
        RtfObject {
            offset,
            class: class.map(str::to_owned),
            data: data.to_vec(),
            ..RtfObject::default()
        }
    }

    #[test]
    fn reads_class_and_data_of_an_object() {
        let rtf = r"{\rtf1 a{\object\objemb{\*\objclass Equation.3}\objw380{\*\objdata 0105
0000 0200}{\result {\pict 41424344}}}b}";
        let (scan, fields) = objects(rtf.as_bytes());
        assert_eq!(
            scan.objects,
            [object(8, Some("Equation.3"), b"\x01\x05\0\0\x02\0")]
        );
        assert_eq!(scan.warnings, Vec::<String>::new());
        assert_eq!(fields, 0);
    }

    #[test]
    fn follows_words_leniency_in_the_data() {
        // A control word among the digits is ignored, a nested group that starts with one is
        // not data, `\bin` inserts raw bytes, and an odd last digit is dropped.
        let rtf = b"{\\rtf1{\\object{\\*\\objdata 01\\fnil 0{\\proptype\\staticval abc}5zz\\bin2 \xFF\xFE 0A0}}}";
        let (scan, _) = objects(rtf);
        let mut expected = object(6, None, b"\x01\x05\xFF\xFE\x0A");
        expected.odd_digit = true;
        assert_eq!(scan.objects, [expected]);
    }

    #[test]
    fn finds_objects_where_word_would_not_look() {
        // Data with no `\object` around it, and an object in an ignorable destination.
        let rtf = r"{\rtf1{\*\objdata 0102}{\*\unknown{\object{\*\objclass Equation.3}}}}";
        let (scan, _) = objects(rtf.as_bytes());
        assert_eq!(
            scan.objects,
            [
                object(6, None, b"\x01\x02"),
                object(34, Some("Equation.3"), b"")
            ]
        );
    }

    #[test]
    fn fields_around_objects_are_still_reported() {
        let rtf = r"{\rtf1{\field{\*\fldinst DDEAUTO a b}}{\object{\*\objdata 00}}{\field{\*\fldinst PAGE}}}";
        let (scan, fields) = objects(rtf.as_bytes());
        assert_eq!(scan.objects.len(), 1);
        assert_eq!(fields, 2);
    }

    #[test]
    fn truncated_input_ends_its_objects() {
        let (scan, _) = objects(br"{\rtf1{\object{\*\objclass Package}{\*\objdata 0a0b");
        assert_eq!(scan.objects, [object(6, Some("Package"), b"\x0a\x0b")]);
    }

    #[test]
    fn decodes_hex_leniently() {
        let mut c = Collector::new(100, 10);
        c.begin(7);
        c.class_text(b" Equation.3 ");
        c.hex(b"01 05\r\n0z0x0");
        c.raw(b"\xFF");
        c.hex(b"AbC");
        let objects = c.finish();
        assert_eq!(
            objects,
            [RtfObject {
                offset: 7,
                class: Some("Equation.3".to_owned()),
                data: vec![0x01, 0x05, 0x00, 0xFF, 0xAB],
                odd_digit: true,
                truncated: false,
            }]
        );
    }

    #[test]
    fn bounds_bytes_and_objects() {
        let mut c = Collector::new(2, 1);
        c.begin(0);
        c.hex(b"010203");
        c.end();
        c.begin(9);
        c.hex(b"04");
        c.end();
        c.begin(10);
        c.end();
        let objects = c.finish();
        assert_eq!(objects.len(), 1);
        assert_eq!(objects[0].data, [1, 2]);
        assert!(objects[0].truncated);
        assert_eq!(c.dropped, 1, "the empty third object is not counted");
    }
}
