//! OLE objects: compound files (with the `cfb` crate), OLE1 `EmbeddedObject` wrappers as RTF's
//! `\objdata` holds them, Packager payloads, and the fixtures built from them (Equation Editor
//! objects in RTF and Word, a packaged CSV in Word, a Paint picture in RTF).
//!
//! Compound files are deterministic: every storage gets the same fixed creation and
//! modification time, and the crate writes nothing else that varies.

use std::io::{Cursor, Write};
use std::time::{Duration, SystemTime};

use crate::rtf;
use crate::word::{self, p, run, word_body};

/// CLSID of Equation Editor 3.0 (`Equation.3`).
pub const CLSID_EQUATION: &str = "0002CE02-0000-0000-C000-000000000046";
/// CLSID of the Packager (`Package`).
pub const CLSID_PACKAGE: &str = "0003000C-0000-0000-C000-000000000046";
/// CLSID of a Paint picture (`Paint.Picture`, "Bitmap Image").
pub const CLSID_PAINT: &str = "0003000A-0000-0000-C000-000000000046";

/// The time stamped on every storage: 2017-10-09 08:12:00 UTC.
fn storage_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_507_536_720)
}

/// An in-memory compound file.
pub struct CompoundBuilder {
    file: cfb::CompoundFile<Cursor<Vec<u8>>>,
}

impl CompoundBuilder {
    /// An empty compound file whose root storage has the class `clsid` (`None`: no class).
    pub fn new(clsid: Option<&str>) -> CompoundBuilder {
        // Version 3 (512-byte sectors), as Office writes objects and messages.
        let file =
            cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))
                .expect("create in memory");
        let mut builder = CompoundBuilder { file };
        builder.stamp("/", clsid);
        builder
    }

    fn stamp(&mut self, path: &str, clsid: Option<&str>) {
        if let Some(clsid) = clsid {
            let clsid = uuid::Uuid::parse_str(clsid).expect("a CLSID");
            self.file.set_storage_clsid(path, clsid).expect("storage");
        }
        self.file
            .set_created_time(path, storage_time())
            .expect("storage");
        self.file
            .set_modified_time(path, storage_time())
            .expect("storage");
    }

    /// Adds the storage at `path` (its parent must exist) with the class `clsid`.
    pub fn storage(mut self, path: &str, clsid: Option<&str>) -> CompoundBuilder {
        self.file.create_storage(path).expect("new storage");
        self.stamp(path, clsid);
        self
    }

    /// Adds the stream at `path` (its storage must exist) holding `bytes`.
    pub fn stream(mut self, path: &str, bytes: &[u8]) -> CompoundBuilder {
        let mut stream = self.file.create_stream(path).expect("new stream");
        stream.write_all(bytes).expect("write to memory");
        drop(stream);
        self
    }

    /// The file's bytes.
    pub fn finish(mut self) -> Vec<u8> {
        self.file.flush().expect("flush to memory");
        self.file.into_inner().into_inner()
    }
}

/// A LengthPrefixedAnsiString ([MS-OLEDS] 2.1.4): length with the NUL, the bytes, a NUL.
pub fn prefixed(text: &str) -> Vec<u8> {
    if text.is_empty() {
        return 0u32.to_le_bytes().to_vec();
    }
    let mut out = (text.len() as u32 + 1).to_le_bytes().to_vec();
    out.extend(text.as_bytes());
    out.push(0);
    out
}

/// A `\x01CompObj` stream ([MS-OLEDS] 2.3.8): user type, clipboard format name and ProgID.
pub fn compobj(clsid: &str, user_type: &str, clipboard: &str, prog_id: &str) -> Vec<u8> {
    let mut out = vec![
        0x01, 0x00, 0xFE, 0xFF, 0x03, 0x0A, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF,
    ];
    out.extend(uuid::Uuid::parse_str(clsid).expect("a CLSID").to_bytes_le());
    out.extend(prefixed(user_type));
    out.extend(prefixed(clipboard));
    out.extend(prefixed(prog_id));
    out.extend(0x71B2_39F4u32.to_le_bytes());
    out.extend([0; 12]);
    out
}

/// An Equation Editor 3.0 object's storage: CompObj and a benign `Equation Native` stream
/// (EQNOLEFILEHDR and a one-character MTEF equation).
pub fn equation_object() -> Vec<u8> {
    let mtef: &[u8] = &[
        0x03, 0x01, 0x01, 0x03, 0x0A, 0x0A, 0x01, 0x02, 0x83, b'x', 0x00, 0x00, 0x00,
    ];
    let mut native = Vec::new();
    native.extend(0x1Cu16.to_le_bytes());
    native.extend(0x0002_0000u32.to_le_bytes());
    native.extend(0xC16Du16.to_le_bytes());
    native.extend((mtef.len() as u32).to_le_bytes());
    native.extend([0; 16]);
    native.extend(mtef);
    CompoundBuilder::new(Some(CLSID_EQUATION))
        .stream(
            "/\u{1}CompObj",
            &compobj(
                CLSID_EQUATION,
                "Microsoft Equation 3.0",
                "DS Equation",
                "Equation.3",
            ),
        )
        .stream("/Equation Native", &native)
        .finish()
}

/// A Paint picture's storage: CompObj and an `\x01Ole10Native` stream holding a 2×2 bitmap.
pub fn paint_object() -> Vec<u8> {
    let mut bmp = Vec::new();
    bmp.extend(b"BM");
    bmp.extend(70u32.to_le_bytes());
    bmp.extend([0; 4]);
    bmp.extend(54u32.to_le_bytes());
    bmp.extend(40u32.to_le_bytes());
    bmp.extend(2i32.to_le_bytes());
    bmp.extend(2i32.to_le_bytes());
    bmp.extend(1u16.to_le_bytes());
    bmp.extend(24u16.to_le_bytes());
    bmp.extend([0; 24]);
    bmp.extend([0xFF, 0xFF, 0xFF, 0, 0, 0xFF, 0, 0]);
    bmp.extend([0, 0xFF, 0, 0xFF, 0, 0, 0, 0]);
    let mut native = (bmp.len() as u32).to_le_bytes().to_vec();
    native.extend(bmp);
    CompoundBuilder::new(Some(CLSID_PAINT))
        .stream(
            "/\u{1}CompObj",
            &compobj(CLSID_PAINT, "Bitmap Image", "PBrush", "Paint.Picture"),
        )
        .stream("/\u{1}Ole10Native", &native)
        .finish()
}

/// A Packager payload: the file `data` labelled `label`, from `path`.
pub fn package(label: &str, path: &str, data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x02, 0x00];
    for text in [label, path] {
        out.extend(text.as_bytes());
        out.push(0);
    }
    out.extend(0x0003_0000u32.to_le_bytes());
    out.extend(prefixed(&format!(
        r"C:\Users\alice\AppData\Local\Temp\{label}"
    )));
    out.extend((data.len() as u32).to_le_bytes());
    out.extend(data);
    out
}

/// A Packager object's storage: `\x01Ole10Native` holding [`package`].
pub fn package_object(label: &str, path: &str, data: &[u8]) -> Vec<u8> {
    let payload = package(label, path, data);
    let mut native = (payload.len() as u32).to_le_bytes().to_vec();
    native.extend(payload);
    CompoundBuilder::new(Some(CLSID_PACKAGE))
        .stream(
            "/\u{1}CompObj",
            &compobj(CLSID_PACKAGE, "OLE Package", "", "Package"),
        )
        .stream("/\u{1}Ole10Native", &native)
        .finish()
}

/// An OLE1 `EmbeddedObject` ([MS-OLEDS] 2.2.5) of class `class` holding `native`, followed by
/// an empty presentation header, as Word writes `\objdata`.
pub fn ole1_embedded(class: &str, native: &[u8]) -> Vec<u8> {
    let mut out = 0x0000_0501u32.to_le_bytes().to_vec();
    out.extend(2u32.to_le_bytes());
    out.extend(prefixed(class));
    out.extend(prefixed(""));
    out.extend(prefixed(""));
    out.extend((native.len() as u32).to_le_bytes());
    out.extend(native);
    out.extend(0x0000_0501u32.to_le_bytes());
    out.extend(0u32.to_le_bytes());
    out
}

/// `bytes` as RTF hex: lower case, 128 digits a line.
pub fn rtf_hex(bytes: &[u8]) -> String {
    let digits: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    digits
        .as_bytes()
        .chunks(128)
        .map(|line| String::from_utf8_lossy(line).into_owned())
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// An RTF `\object` group of class `class` whose `\objdata` is `ole1`, with a small picture
/// as its result.
pub fn rtf_object(class: &str, ole1: &[u8]) -> String {
    format!(
        "{{\\object\\objemb\\objupdate{{\\*\\objclass {class}}}\\objw380\\objh260\
         {{\\*\\objdata \r\n{}\r\n}}{{\\result {{\\pict\\wmetafile8\\picw380\\pich260 \
         010009000003\r\n}}}}}}",
        rtf_hex(ole1)
    )
}

/// Positive: an Equation Editor 3.0 object in RTF (the CVE-2017-11882 vehicle).
pub fn rtf_equation() -> Vec<u8> {
    let body = rtf::paragraph("The corrected figures follow.")
        + &rtf_object(
            "Equation.3",
            &ole1_embedded("Equation.3", &equation_object()),
        )
        + "\\par\r\n";
    rtf::document("Quarterly figures", &body).into_bytes()
}

/// Negative: a Paint picture object in RTF (an object, but not Equation Editor).
pub fn rtf_picture_object() -> Vec<u8> {
    let body = rtf::paragraph("The site plan is below.")
        + &rtf_object("Paint.Picture", &ole1_embedded("PBrush", &paint_object()))
        + "\\par\r\n";
    rtf::document("Site plan", &body).into_bytes()
}

/// A Word paragraph showing the OLE object of relationship `rId1` with ProgID `prog_id`.
fn ole_paragraph(text: &str, prog_id: &str) -> String {
    p(&(run(text)
        + &format!(
            "<w:r><w:object w:dxaOrig=\"380\" w:dyaOrig=\"260\">\
             <o:OLEObject Type=\"Embed\" ProgID=\"{prog_id}\" ShapeID=\"_x0000_i1025\" \
             DrawAspect=\"Content\" ObjectID=\"_1570000001\" r:id=\"rId1\"/></w:object></w:r>"
        )))
}

/// A `.docx` whose `word/embeddings/oleObject1.bin` is `object`, shown with ProgID `prog_id`.
fn docx_with_object(text: &str, prog_id: &str, object: &[u8]) -> Vec<u8> {
    let body = word_body(&ole_paragraph(text, prog_id));
    word::word_package(
        word::CT_DOCX,
        &[
            ("word/document.xml", body.as_bytes()),
            ("word/embeddings/oleObject1.bin", object),
        ],
    )
}

/// Positive: an Equation Editor 3.0 object embedded in a Word document.
pub fn word_equation() -> Vec<u8> {
    docx_with_object("The corrected figure is ", "Equation.3", &equation_object())
}

/// Positive: a Packager object in a Word document carrying a CSV with a DDE formula.
pub fn word_package() -> Vec<u8> {
    docx_with_object(
        "Open the attached invoice: ",
        "Package",
        &package_object(
            "invoice.csv",
            r"C:\Users\Public\invoice.csv",
            b"=cmd|'/c calc.exe'!A0\r\n",
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compound_files_are_deterministic_and_carry_their_class() {
        let one = equation_object();
        assert_eq!(one, equation_object());
        let file = cfb::CompoundFile::open(Cursor::new(&one)).unwrap();
        assert_eq!(
            file.root_entry().clsid().to_string().to_uppercase(),
            CLSID_EQUATION
        );
        assert!(file.is_stream("/Equation Native"));
    }

    #[test]
    fn ole1_layout() {
        let ole1 = ole1_embedded("Equation.3", b"xy");
        assert_eq!(&ole1[..8], &[1, 5, 0, 0, 2, 0, 0, 0]);
        assert_eq!(&ole1[8..12], &11u32.to_le_bytes());
        assert_eq!(&ole1[12..23], b"Equation.3\0");
        assert_eq!(&ole1[23..35], &[0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0]);
        assert_eq!(&ole1[35..37], b"xy");
        assert_eq!(rtf_hex(&[0xAB, 1]), "ab01");
    }
}
