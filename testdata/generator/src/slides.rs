//! PowerPoint packages (.pptx, .ppsx) with embedded objects: a Word document
//! holding a DDEAUTO field, and an Equation Editor 3.0 OLE object (an OLE
//! compound file whose root has the Equation.3 class, as Office stores it in
//! `ppt/embeddings/oleObject1.bin`).
//!
//! PowerPoint has no field of its own that starts a program; what it runs
//! is the objects it embeds, so that is what these fixtures carry.

use std::io::{Cursor, Write};

use crate::ooxml::{
    CT_THEME, REL_OFFICE, REL_OFFICE_DOCUMENT, Rel, ZipBuilder, content_types, relationships,
};
use crate::word::{self, fld_char_field, p, word_body};

const PML: &str = "http://schemas.openxmlformats.org/presentationml/2006/main";
const DML: &str = "http://schemas.openxmlformats.org/drawingml/2006/main";
const CT_PML: &str = "application/vnd.openxmlformats-officedocument.presentationml.";
const DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n";

/// The CLSID of Equation Editor 3.0 (`Equation.3`).
pub const EQUATION3_CLSID: &str = "0002CE02-0000-0000-C000-000000000046";

/// An object embedded in a slide.
pub struct SlideObject<'a> {
    /// File name under `ppt/embeddings/`.
    pub file: &'a str,
    /// Its ProgID (`Word.Document.12`, `Equation.3`).
    pub prog_id: &'a str,
    /// Content type of the embedded part.
    pub content_type: &'a str,
    /// Relationship type from the slide.
    pub rel_type: &'a str,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// A slide with a title, a text box (`text`) and the given objects.
fn slide_xml(title: &str, text: &str, objects: &[SlideObject<'_>]) -> String {
    let mut shapes = format!(
        "<p:sp><p:nvSpPr><p:cNvPr id=\"2\" name=\"Title 1\"/><p:cNvSpPr/><p:nvPr><p:ph type=\"title\"/></p:nvPr></p:nvSpPr>\
         <p:spPr/><p:txBody><a:bodyPr/><a:p><a:r><a:t>{title}</a:t></a:r></a:p></p:txBody></p:sp>\
         <p:sp><p:nvSpPr><p:cNvPr id=\"3\" name=\"Text 2\"/><p:cNvSpPr/><p:nvPr/></p:nvSpPr><p:spPr/>\
         <p:txBody><a:bodyPr/><a:p><a:r><a:t>{text}</a:t></a:r><a:fld id=\"{{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}}\" type=\"slidenum\"><a:t>1</a:t></a:fld></a:p></p:txBody></p:sp>"
    );
    for (i, object) in objects.iter().enumerate() {
        shapes.push_str(&format!(
            "<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id=\"{}\" name=\"Object {}\"/>\
             <p:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect=\"1\"/></p:cNvGraphicFramePr><p:nvPr/></p:nvGraphicFramePr>\
             <p:xfrm><a:off x=\"1524000\" y=\"1397000\"/><a:ext cx=\"6096000\" cy=\"4064000\"/></p:xfrm>\
             <a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/presentationml/2006/ole\">\
             <p:oleObj spid=\"_x0000_s{}\" name=\"{}\" r:id=\"rId{}\" imgW=\"5760720\" imgH=\"3840480\" progId=\"{}\">\
             <p:embed/></p:oleObj></a:graphicData></a:graphic></p:graphicFrame>",
            i + 4,
            i + 1,
            1025 + i,
            object.prog_id,
            i + 2,
            object.prog_id
        ));
    }
    format!(
        "{DECL}<p:sld xmlns:a=\"{DML}\" xmlns:r=\"{REL_OFFICE}\" xmlns:p=\"{PML}\"><p:cSld><p:spTree>\
         <p:nvGrpSpPr><p:cNvPr id=\"1\" name=\"\"/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>\
         {shapes}</p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sld>"
    )
}

/// A one-slide presentation (`show`: a .ppsx slide show) with `objects`
/// embedded in the slide.
pub fn presentation(show: bool, title: &str, text: &str, objects: &[SlideObject<'_>]) -> Vec<u8> {
    let main = if show {
        "slideshow.main+xml"
    } else {
        "presentation.main+xml"
    };
    let mut overrides = vec![
        ("ppt/presentation.xml".to_owned(), format!("{CT_PML}{main}")),
        (
            "ppt/slides/slide1.xml".to_owned(),
            format!("{CT_PML}slide+xml"),
        ),
        (
            "ppt/slideLayouts/slideLayout1.xml".to_owned(),
            format!("{CT_PML}slideLayout+xml"),
        ),
        (
            "ppt/slideMasters/slideMaster1.xml".to_owned(),
            format!("{CT_PML}slideMaster+xml"),
        ),
        ("ppt/theme/theme1.xml".to_owned(), CT_THEME.to_owned()),
    ];
    for object in objects {
        overrides.push((
            format!("ppt/embeddings/{}", object.file),
            object.content_type.to_owned(),
        ));
    }
    let rel = |kind: &str| format!("{REL_OFFICE}/{kind}");
    let presentation = format!(
        "{DECL}<p:presentation xmlns:a=\"{DML}\" xmlns:r=\"{REL_OFFICE}\" xmlns:p=\"{PML}\">\
         <p:sldMasterIdLst><p:sldMasterId id=\"2147483648\" r:id=\"rId1\"/></p:sldMasterIdLst>\
         <p:sldIdLst><p:sldId id=\"256\" r:id=\"rId2\"/></p:sldIdLst>\
         <p:sldSz cx=\"12192000\" cy=\"6858000\"/><p:notesSz cx=\"6858000\" cy=\"9144000\"/></p:presentation>"
    );
    let layout = format!(
        "{DECL}<p:sldLayout xmlns:a=\"{DML}\" xmlns:r=\"{REL_OFFICE}\" xmlns:p=\"{PML}\" type=\"title\">\
         <p:cSld name=\"Title Slide\"><p:spTree><p:nvGrpSpPr><p:cNvPr id=\"1\" name=\"\"/><p:cNvGrpSpPr/><p:nvPr/>\
         </p:nvGrpSpPr><p:grpSpPr/></p:spTree></p:cSld></p:sldLayout>"
    );
    let master = format!(
        "{DECL}<p:sldMaster xmlns:a=\"{DML}\" xmlns:r=\"{REL_OFFICE}\" xmlns:p=\"{PML}\"><p:cSld><p:spTree>\
         <p:nvGrpSpPr><p:cNvPr id=\"1\" name=\"\"/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/></p:spTree></p:cSld>\
         <p:clrMap bg1=\"lt1\" tx1=\"dk1\" bg2=\"lt2\" tx2=\"dk2\" accent1=\"accent1\" accent2=\"accent2\" accent3=\"accent3\" \
         accent4=\"accent4\" accent5=\"accent5\" accent6=\"accent6\" hlink=\"hlink\" folHlink=\"folHlink\"/>\
         <p:sldLayoutIdLst><p:sldLayoutId id=\"2147483649\" r:id=\"rId1\"/></p:sldLayoutIdLst></p:sldMaster>"
    );
    let theme = format!(
        "{DECL}<a:theme xmlns:a=\"{DML}\" name=\"Office Theme\"><a:themeElements>\
         <a:clrScheme name=\"Office\"><a:dk1><a:sysClr val=\"windowText\" lastClr=\"000000\"/></a:dk1>\
         <a:lt1><a:sysClr val=\"window\" lastClr=\"FFFFFF\"/></a:lt1></a:clrScheme>\
         <a:fontScheme name=\"Office\"><a:majorFont><a:latin typeface=\"Calibri Light\"/></a:majorFont>\
         <a:minorFont><a:latin typeface=\"Calibri\"/></a:minorFont></a:fontScheme></a:themeElements></a:theme>"
    );
    let mut slide_rels = vec![Rel::new(
        "rId1",
        rel("slideLayout"),
        "../slideLayouts/slideLayout1.xml",
    )];
    for (i, object) in objects.iter().enumerate() {
        slide_rels.push(Rel::new(
            format!("rId{}", i + 2),
            object.rel_type,
            format!("../embeddings/{}", object.file),
        ));
    }
    let mut zip = ZipBuilder::new();
    let mut types = content_types(&overrides);
    types = types.replacen(
        "<Default Extension=\"xml\"",
        "<Default Extension=\"bin\" ContentType=\"application/vnd.openxmlformats-officedocument.oleObject\"/>\
         <Default Extension=\"xml\"",
        1,
    );
    zip.add("[Content_Types].xml", types.as_bytes());
    zip.add(
        "_rels/.rels",
        relationships(&[Rel::new(
            "rId1",
            REL_OFFICE_DOCUMENT,
            "ppt/presentation.xml",
        )])
        .as_bytes(),
    );
    zip.add("ppt/presentation.xml", presentation.as_bytes());
    zip.add(
        "ppt/_rels/presentation.xml.rels",
        relationships(&[
            Rel::new("rId1", rel("slideMaster"), "slideMasters/slideMaster1.xml"),
            Rel::new("rId2", rel("slide"), "slides/slide1.xml"),
            Rel::new("rId3", rel("theme"), "theme/theme1.xml"),
        ])
        .as_bytes(),
    );
    zip.add(
        "ppt/slides/slide1.xml",
        slide_xml(title, text, objects).as_bytes(),
    );
    zip.add(
        "ppt/slides/_rels/slide1.xml.rels",
        relationships(&slide_rels).as_bytes(),
    );
    zip.add("ppt/slideLayouts/slideLayout1.xml", layout.as_bytes());
    zip.add(
        "ppt/slideLayouts/_rels/slideLayout1.xml.rels",
        relationships(&[Rel::new(
            "rId1",
            rel("slideMaster"),
            "../slideMasters/slideMaster1.xml",
        )])
        .as_bytes(),
    );
    zip.add("ppt/slideMasters/slideMaster1.xml", master.as_bytes());
    zip.add(
        "ppt/slideMasters/_rels/slideMaster1.xml.rels",
        relationships(&[
            Rel::new(
                "rId1",
                rel("slideLayout"),
                "../slideLayouts/slideLayout1.xml",
            ),
            Rel::new("rId2", rel("theme"), "../theme/theme1.xml"),
        ])
        .as_bytes(),
    );
    zip.add("ppt/theme/theme1.xml", theme.as_bytes());
    for object in objects {
        zip.add(&format!("ppt/embeddings/{}", object.file), &object.bytes);
    }
    zip.finish()
}

/// An Equation Editor 3.0 object as Office embeds it: a compound file whose
/// root has the Equation.3 CLSID, with `\x01CompObj` (ProgID `Equation.3`),
/// `\x01Ole` and an `Equation Native` stream (its header and an MTEF
/// record). Times are zero, so the bytes never change.
pub fn equation_object() -> Vec<u8> {
    let clsid = uuid::Uuid::parse_str(EQUATION3_CLSID).expect("a valid CLSID");
    let mut file = cfb::CompoundFile::create(Cursor::new(Vec::new())).expect("in memory");
    file.set_storage_clsid("/", clsid).expect("root");
    let mut compobj = vec![1, 0, 0xFE, 0xFF, 3, 0x0A, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF];
    compobj.extend(clsid.to_bytes_le());
    for text in ["Microsoft Equation 3.0", "DS Equation", "Equation.3"] {
        compobj.extend((text.len() as u32 + 1).to_le_bytes());
        compobj.extend(text.as_bytes());
        compobj.push(0);
    }
    compobj.extend([0xF4, 0x39, 0xB2, 0x71, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    let ole = [1u8, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    let mut native = vec![0x1C, 0, 0, 0, 2, 0, 0x9E, 0xC4, 0xA8, 0, 0, 0, 0, 0, 0, 0];
    native.extend([0; 12]);
    native.extend([
        3, 1, 1, 3, 0x0A, 0x0A, 1, 0x08, 0x5A, 0x5A, 0x5A, 0x5A, 0, 0, 0,
    ]);
    for (name, bytes) in [
        ("/\u{1}CompObj", &compobj[..]),
        ("/\u{1}Ole", &ole[..]),
        ("/Equation Native", &native[..]),
    ] {
        file.create_stream(name)
            .expect("new stream")
            .write_all(bytes)
            .expect("in memory");
    }
    let epoch = std::time::UNIX_EPOCH;
    file.set_created_time("/", epoch).expect("root");
    file.set_modified_time("/", epoch).expect("root");
    file.flush().expect("in memory");
    file.into_inner().into_inner()
}

/// A presentation whose slide embeds a Word document with a DDEAUTO field.
pub fn slides_dde() -> Vec<u8> {
    let document = word::docx(&[(
        "word/document.xml",
        word_body(&p(&fld_char_field(
            &[r#"DDEAUTO c:\\windows\\system32\\cmd.exe "/c echo slides""#],
            "Update",
        ))),
    )]);
    presentation(
        false,
        "Q3 results",
        "Double-click the table to update it.",
        &[SlideObject {
            file: "Microsoft_Word_Document.docx",
            prog_id: "Word.Document.12",
            content_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            rel_type: "http://schemas.openxmlformats.org/officeDocument/2006/relationships/package",
            bytes: document,
        }],
    )
}

/// A slide show whose slide embeds an Equation Editor 3.0 object.
pub fn slides_equation() -> Vec<u8> {
    presentation(
        true,
        "Formula",
        "See the equation.",
        &[SlideObject {
            file: "oleObject1.bin",
            prog_id: "Equation.3",
            content_type: "application/vnd.openxmlformats-officedocument.oleObject",
            rel_type: "http://schemas.openxmlformats.org/officeDocument/2006/relationships/oleObject",
            bytes: equation_object(),
        }],
    )
}

/// Negative: a presentation with text and a slide number field only.
pub fn slides_clean() -> Vec<u8> {
    presentation(false, "Agenda", "Welcome | introductions", &[])
}

/// The link target of [`slides_ole_link`]: a workbook on a remote share.
pub const OLE_LINK_TARGET: &str = r"file:///\\198.51.100.23\public\Q3-figures.xlsx";

/// A slide showing a linked (not embedded) Excel object: an external `oleObject`
/// relationship that PowerPoint follows when the presentation opens.
pub fn slides_ole_link() -> Vec<u8> {
    let clean = slides_clean();
    let mut archive = zip::ZipArchive::new(Cursor::new(clean)).expect("generated pptx");
    let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("entry");
        let name = entry.name().expect("name").into_owned();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).expect("read");
        if name == "ppt/slides/_rels/slide1.xml.rels" {
            let text = String::from_utf8(bytes).expect("utf-8 rels");
            let link = format!(
                "<Relationship Id=\"rId90\" Type=\"{REL_OFFICE}/oleObject\" Target=\"{OLE_LINK_TARGET}\" TargetMode=\"External\"/></Relationships>"
            );
            bytes = text.replace("</Relationships>", &link).into_bytes();
        }
        parts.push((name, bytes));
    }
    let borrowed: Vec<(&str, &[u8])> = parts
        .iter()
        .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
        .collect();
    crate::ooxml::zip_parts(&borrowed)
}
