//! OLE 1.0 object data ([MS-OLEDS] 2.2): the `EmbeddedObject` structure that RTF's `\objdata`
//! holds, the `\x01Ole10Native` stream ([MS-OLEDS] 2.3.6) that an OLE 2 storage keeps of an
//! OLE 1.0 object, and the Packager's native data (class `Package`: a file carried with its
//! label and paths).
//!
//! Each of them wraps another document: an Equation Editor object's compound file, or the file
//! an attacker packaged. The readers return borrowed slices of the payload; callers hand it on
//! as an [`Embedded`](crate::formats::Embedded) document. Declared sizes are clamped to the
//! bytes present, and strings are read only within the data.
//!
//! [MS-OLEDS]: https://learn.microsoft.com/openspecs/windows_protocols/ms-oleds

/// FormatID of a linked OLE1 object.
pub(crate) const FORMAT_LINKED: u32 = 1;
/// FormatID of an embedded OLE1 object.
pub(crate) const FORMAT_EMBEDDED: u32 = 2;
/// Longest string kept of a label, path, class or topic name.
const MAX_NAME: usize = 1024;

/// An OLE1 object ([MS-OLEDS] 2.2.4 ObjectHeader, then 2.2.5 EmbeddedObject or 2.2.6
/// LinkedObject).
#[derive(Clone, Debug, Eq, PartialEq)]
pub(crate) struct Ole1Object<'a> {
    /// [`FORMAT_LINKED`] or [`FORMAT_EMBEDDED`].
    pub format_id: u32,
    /// The object's class (`Equation.3`, `Package`, `Word.Document.8`).
    pub class_name: String,
    /// TopicName: for a linked object, the linked file.
    pub topic: String,
    /// NativeData of an embedded object, clamped to the bytes present.
    pub native: &'a [u8],
    /// NativeDataSize, as declared.
    pub native_declared: u32,
}

/// A file carried by a Packager object: the native data of class `Package`.
#[derive(Clone, Debug, Eq, PartialEq)]
pub(crate) struct Package<'a> {
    /// The label shown in the document (usually the file name).
    pub label: String,
    /// The file's original path.
    pub source_path: String,
    /// The file's bytes, clamped to the bytes present.
    pub data: &'a [u8],
    /// The data size, as declared.
    pub declared: u32,
}

/// Reads an OLE1 `EmbeddedObject` or `LinkedObject` (what `\objdata` decodes to).
pub(crate) fn parse_ole1(data: &[u8]) -> Result<Ole1Object<'_>, String> {
    let mut r = Reader::new(data);
    r.u32("OLEVersion")?;
    let format_id = r.u32("FormatID")?;
    if format_id != FORMAT_LINKED && format_id != FORMAT_EMBEDDED {
        return Err(format!(
            "FormatID 0x{format_id:x} is neither linked (1) nor embedded (2)"
        ));
    }
    let class_name = r.prefixed("ClassName")?;
    let topic = r.prefixed("TopicName")?;
    r.prefixed("ItemName")?;
    let (native, native_declared) = if format_id == FORMAT_EMBEDDED {
        let declared = r.u32("NativeDataSize")?;
        (r.clamped(declared), declared)
    } else {
        (&[][..], 0)
    };
    Ok(Ole1Object {
        format_id,
        class_name,
        topic,
        native,
        native_declared,
    })
}

/// Reads the native data of class `Package`: a 2-byte header, the label and the source path as
/// NUL-terminated ANSI strings, a 4-byte type (`0x0003_0000` for an embedded file, `0x0001_0000`
/// for a link), the temporary path (length-prefixed), then the data (length-prefixed).
pub(crate) fn parse_package(data: &[u8]) -> Result<Package<'_>, String> {
    let mut r = Reader::new(data);
    r.take(2, "header")?;
    let label = r.terminated("label")?;
    let source_path = r.terminated("source path")?;
    let kind = r.u32("type")?;
    if kind >> 16 != 3 {
        return Err(format!(
            "package type 0x{kind:08x} at 0x{:x} is not an embedded file (0x00030000)",
            r.at - 4
        ));
    }
    r.prefixed("temporary path")?;
    let declared = r.u32("data size")?;
    let data = r.clamped(declared);
    Ok(Package {
        label,
        source_path,
        data,
        declared,
    })
}

/// Reads an `\x01Ole10Native` stream: NativeDataSize, then NativeData (a package when the object
/// is of class `Package`). Returns the native data, clamped to the bytes present.
pub(crate) fn parse_ole10native(stream: &[u8]) -> Result<&[u8], String> {
    let mut r = Reader::new(stream);
    let declared = r.u32("NativeDataSize")?;
    Ok(r.clamped(declared))
}

/// A cursor over untrusted bytes; every read is checked and errors name the field and offset.
struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn new(data: &'a [u8]) -> Reader<'a> {
        Reader { data, at: 0 }
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n);
        let bytes = end
            .and_then(|end| self.data.get(self.at..end))
            .ok_or_else(|| {
                format!(
                    "{what} at 0x{:x} needs 0x{n:x} bytes, 0x{:x} left",
                    self.at,
                    self.data.len().saturating_sub(self.at)
                )
            })?;
        self.at += n;
        Ok(bytes)
    }

    fn u32(&mut self, what: &str) -> Result<u32, String> {
        let bytes = self.take(4, what)?;
        Ok(u32::from_le_bytes(
            bytes.try_into().map_err(|_| what.to_owned())?,
        ))
    }

    /// A LengthPrefixedAnsiString ([MS-OLEDS] 2.1.4): a 4-byte length including the NUL.
    fn prefixed(&mut self, what: &str) -> Result<String, String> {
        let len = self.u32(what)?;
        let bytes = self.take(usize::try_from(len).unwrap_or(usize::MAX), what)?;
        Ok(ansi(bytes))
    }

    /// A NUL-terminated ANSI string.
    fn terminated(&mut self, what: &str) -> Result<String, String> {
        let rest = self.data.get(self.at..).unwrap_or_default();
        let Some(len) = rest.iter().position(|&b| b == 0) else {
            return Err(format!("{what} at 0x{:x} has no terminating NUL", self.at));
        };
        let bytes = self.take(len + 1, what)?;
        Ok(ansi(bytes))
    }

    /// Up to `declared` bytes: what is left if fewer.
    fn clamped(&mut self, declared: u32) -> &'a [u8] {
        let rest = self.data.get(self.at..).unwrap_or_default();
        let n = usize::try_from(declared)
            .unwrap_or(usize::MAX)
            .min(rest.len());
        self.at += n;
        rest.get(..n).unwrap_or(rest)
    }
}

/// An ANSI string up to its first NUL, decoded as windows-1252, control characters replaced,
/// at most [`MAX_NAME`] characters.
fn ansi(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    let (text, _) =
        encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes.get(..end).unwrap_or(bytes));
    text.chars()
        .take(MAX_NAME)
        .map(|c| if c.is_control() { '_' } else { c })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn prefixed(s: &str) -> Vec<u8> {
        let mut out = (s.len() as u32 + 1).to_le_bytes().to_vec();
        out.extend(s.as_bytes());
        out.push(0);
        out
    }

    fn ole1(class: &str, native: &[u8], declared: u32) -> Vec<u8> {
        let mut out = 0x0501u32.to_le_bytes().to_vec();
        out.extend(FORMAT_EMBEDDED.to_le_bytes());
        out.extend(prefixed(class));
        out.extend(0u32.to_le_bytes());
        out.extend(0u32.to_le_bytes());
        out.extend(declared.to_le_bytes());
        out.extend(native);
        out
    }

    fn package(label: &str, path: &str, data: &[u8]) -> Vec<u8> {
        let mut out = vec![2, 0];
        out.extend(label.as_bytes());
        out.push(0);
        out.extend(path.as_bytes());
        out.push(0);
        out.extend(0x0003_0000u32.to_le_bytes());
        out.extend(prefixed(r"C:\Users\x\AppData\Local\Temp\a.csv"));
        out.extend((data.len() as u32).to_le_bytes());
        out.extend(data);
        out
    }

    #[test]
    fn reads_an_embedded_object() {
        let bytes = ole1("Equation.3", b"\xD0\xCF\x11\xE0", 4);
        let object = parse_ole1(&bytes).unwrap();
        assert_eq!(object.format_id, FORMAT_EMBEDDED);
        assert_eq!(object.class_name, "Equation.3");
        assert_eq!(object.topic, "");
        assert_eq!(object.native, b"\xD0\xCF\x11\xE0");
        assert_eq!(object.native_declared, 4);
    }

    #[test]
    fn clamps_a_native_size_past_the_end() {
        let bytes = ole1("Equation.3", b"abc", 0xFFFF_FFFF);
        let object = parse_ole1(&bytes).unwrap();
        assert_eq!(object.native, b"abc");
        assert_eq!(object.native_declared, 0xFFFF_FFFF);
    }

    #[test]
    fn refuses_damaged_headers() {
        assert_eq!(
            parse_ole1(&[1, 5, 0]).unwrap_err(),
            "OLEVersion at 0x0 needs 0x4 bytes, 0x3 left"
        );
        let mut bad = ole1("Equation.3", b"", 0);
        bad[4] = 7;
        assert_eq!(
            parse_ole1(&bad).unwrap_err(),
            "FormatID 0x7 is neither linked (1) nor embedded (2)"
        );
        let mut long = ole1("Equation.3", b"", 0);
        long[8..12].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
        assert_eq!(
            parse_ole1(&long).unwrap_err(),
            "ClassName at 0xc needs 0xfffffff0 bytes, 0x17 left"
        );
    }

    #[test]
    fn reads_a_package() {
        let bytes = package("invoice.csv", r"C:\x\invoice.csv", b"=cmd|'/c calc'!A0");
        let package = parse_package(&bytes).unwrap();
        assert_eq!(package.label, "invoice.csv");
        assert_eq!(package.source_path, r"C:\x\invoice.csv");
        assert_eq!(package.data, b"=cmd|'/c calc'!A0");
        assert_eq!(package.declared, 17);
        let mut stream = (bytes.len() as u32).to_le_bytes().to_vec();
        stream.extend(&bytes);
        assert_eq!(parse_ole10native(&stream).unwrap(), &bytes[..]);
    }

    #[test]
    fn refuses_damaged_packages() {
        assert_eq!(
            parse_package(&[2, 0, b'a']).unwrap_err(),
            "label at 0x2 has no terminating NUL"
        );
        let mut link = package("a", "b", b"");
        link[6..10].copy_from_slice(&0x0001_0000u32.to_le_bytes());
        assert_eq!(
            parse_package(&link).unwrap_err(),
            "package type 0x00010000 at 0x6 is not an embedded file (0x00030000)"
        );
        assert_eq!(
            parse_ole10native(&[1, 2]).unwrap_err(),
            "NativeDataSize at 0x0 needs 0x4 bytes, 0x2 left"
        );
    }

    #[test]
    fn names_lose_control_characters() {
        assert_eq!(ansi(b"a\x07b\xE9\0junk"), "a_bé");
    }
}
