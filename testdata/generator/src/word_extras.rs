//! The supporting parts a real Word document carries (styles, settings,
//! font table, web settings, document properties), so that fixtures and
//! benchmark documents look like files saved by Word rather than minimal
//! test packages.

use crate::props::{app_xml, core_xml};
use crate::word::{NAMESPACES, XML_DECL, word_package};

/// One paragraph style definition.
fn para_style(id: &str, name: &str, based_on: Option<&str>, ppr: &str, rpr: &str) -> String {
    let based = based_on
        .map(|b| format!("<w:basedOn w:val=\"{b}\"/><w:next w:val=\"Normal\"/>"))
        .unwrap_or_default();
    format!(
        "<w:style w:type=\"paragraph\" w:styleId=\"{id}\"><w:name w:val=\"{name}\"/>{based}\
         <w:uiPriority w:val=\"9\"/><w:qFormat/><w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>"
    )
}

/// `word/styles.xml` with document defaults and the styles the generated
/// documents use (Normal, Title, Heading1-3, TOC1-2, Hyperlink, Table Grid).
pub fn styles_xml() -> String {
    let mut styles = String::new();
    styles.push_str(
        "<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:asciiTheme=\"minorHAnsi\" \
         w:eastAsiaTheme=\"minorHAnsi\" w:hAnsiTheme=\"minorHAnsi\" w:cstheme=\"minorBidi\"/>\
         <w:sz w:val=\"22\"/><w:szCs w:val=\"22\"/><w:lang w:val=\"en-GB\" w:eastAsia=\"en-US\" \
         w:bidi=\"ar-SA\"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after=\"160\" \
         w:line=\"259\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault></w:docDefaults>",
    );
    styles.push_str(
        "<w:latentStyles w:defLockedState=\"0\" w:defUIPriority=\"99\" w:defSemiHidden=\"0\" \
         w:defUnhideWhenUsed=\"0\" w:defQFormat=\"0\" w:count=\"376\">",
    );
    for (name, priority) in [
        ("Normal", 0),
        ("heading 1", 9),
        ("heading 2", 9),
        ("heading 3", 9),
        ("toc 1", 39),
        ("toc 2", 39),
        ("Title", 10),
        ("Subtitle", 11),
        ("Strong", 22),
        ("Emphasis", 20),
        ("Table Grid", 39),
    ] {
        styles.push_str(&format!(
            "<w:lsdException w:name=\"{name}\" w:uiPriority=\"{priority}\" w:qFormat=\"1\"/>"
        ));
    }
    styles.push_str("</w:latentStyles>");
    styles.push_str(
        "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/>\
         <w:qFormat/></w:style><w:style w:type=\"character\" w:default=\"1\" \
         w:styleId=\"DefaultParagraphFont\"><w:name w:val=\"Default Paragraph Font\"/>\
         <w:uiPriority w:val=\"1\"/><w:semiHidden/><w:unhideWhenUsed/></w:style>",
    );
    styles.push_str(&para_style(
        "Title",
        "Title",
        Some("Normal"),
        "<w:spacing w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/><w:contextualSpacing/>",
        "<w:rFonts w:asciiTheme=\"majorHAnsi\" w:hAnsiTheme=\"majorHAnsi\"/><w:spacing w:val=\"-10\"/>\
         <w:kern w:val=\"28\"/><w:sz w:val=\"56\"/><w:szCs w:val=\"56\"/>",
    ));
    for (level, size, before) in [(1, 32, 240), (2, 26, 40), (3, 24, 40)] {
        styles.push_str(&para_style(
            &format!("Heading{level}"),
            &format!("heading {level}"),
            Some("Normal"),
            &format!(
                "<w:keepNext/><w:keepLines/><w:spacing w:before=\"{before}\" w:after=\"0\"/>\
                 <w:outlineLvl w:val=\"{}\"/>",
                level - 1
            ),
            &format!(
                "<w:rFonts w:asciiTheme=\"majorHAnsi\" w:hAnsiTheme=\"majorHAnsi\"/>\
                 <w:color w:val=\"2F5496\" w:themeColor=\"accent1\" w:themeShade=\"BF\"/>\
                 <w:sz w:val=\"{size}\"/><w:szCs w:val=\"{size}\"/>"
            ),
        ));
    }
    for level in 1..=2 {
        styles.push_str(&para_style(
            &format!("TOC{level}"),
            &format!("toc {level}"),
            Some("Normal"),
            &format!(
                "<w:spacing w:after=\"100\"/><w:ind w:left=\"{}\"/>",
                (level - 1) * 220
            ),
            "",
        ));
    }
    styles.push_str(
        "<w:style w:type=\"character\" w:styleId=\"Hyperlink\"><w:name w:val=\"Hyperlink\"/>\
         <w:basedOn w:val=\"DefaultParagraphFont\"/><w:uiPriority w:val=\"99\"/><w:unhideWhenUsed/>\
         <w:rPr><w:color w:val=\"0563C1\" w:themeColor=\"hyperlink\"/><w:u w:val=\"single\"/></w:rPr>\
         </w:style><w:style w:type=\"table\" w:styleId=\"TableGrid\"><w:name w:val=\"Table Grid\"/>\
         <w:basedOn w:val=\"TableNormal\"/><w:uiPriority w:val=\"39\"/><w:pPr><w:spacing w:after=\"0\" \
         w:line=\"240\" w:lineRule=\"auto\"/></w:pPr><w:tblPr><w:tblBorders>\
         <w:top w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>\
         <w:left w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>\
         <w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>\
         <w:right w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>\
         <w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>\
         <w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>\
         </w:tblBorders></w:tblPr></w:style>",
    );
    format!("{XML_DECL}<w:styles {NAMESPACES}>{styles}</w:styles>")
}

/// `word/settings.xml` as Word writes it for a plain document.
pub fn settings_xml() -> String {
    format!(
        "{XML_DECL}<w:settings {NAMESPACES}><w:zoom w:percent=\"100\"/>\
         <w:proofState w:spelling=\"clean\" w:grammar=\"clean\"/><w:defaultTabStop w:val=\"720\"/>\
         <w:characterSpacingControl w:val=\"doNotCompress\"/><w:compat>\
         <w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/>\
         </w:compat><w:rsids><w:rsidRoot w:val=\"00A1487C\"/><w:rsid w:val=\"00A1487C\"/>\
         <w:rsid w:val=\"00C2213F\"/></w:rsids><w:themeFontLang w:val=\"en-GB\"/>\
         <w:decimalSymbol w:val=\".\"/><w:listSeparator w:val=\",\"/></w:settings>"
    )
}

/// `word/fontTable.xml` declaring Calibri, Calibri Light and Times New Roman.
pub fn font_table_xml() -> String {
    let mut fonts = String::new();
    for (name, panose, family) in [
        ("Calibri", "020F0502020204030204", "swiss"),
        ("Times New Roman", "02020603050405020304", "roman"),
        ("Calibri Light", "020F0302020204030204", "swiss"),
    ] {
        fonts.push_str(&format!(
            "<w:font w:name=\"{name}\"><w:panose1 w:val=\"{panose}\"/><w:charset w:val=\"00\"/>\
             <w:family w:val=\"{family}\"/><w:pitch w:val=\"variable\"/></w:font>"
        ));
    }
    format!("{XML_DECL}<w:fonts {NAMESPACES}>{fonts}</w:fonts>")
}

/// `word/webSettings.xml`.
pub fn web_settings_xml() -> String {
    format!(
        "{XML_DECL}<w:webSettings {NAMESPACES}><w:optimizeForBrowser/><w:allowPNG/></w:webSettings>"
    )
}

/// A Word package with everything Word itself writes: `document_xml`, then
/// `extra` parts (headers, notes, …; related to the document as `rId1`… in
/// that order), styles, settings, web settings, font table and document
/// properties titled `title` by `author`.
pub fn realistic_word(
    main_content_type: &str,
    document_xml: &[u8],
    extra: &[(&str, &[u8])],
    title: &str,
    author: &str,
) -> Vec<u8> {
    let styles = styles_xml();
    let settings = settings_xml();
    let web = web_settings_xml();
    let fonts = font_table_xml();
    let core = core_xml(title, author);
    let app = app_xml("Microsoft Office Word");
    let mut parts: Vec<(&str, &[u8])> = vec![("word/document.xml", document_xml)];
    parts.extend_from_slice(extra);
    parts.extend_from_slice(&[
        ("word/styles.xml", styles.as_bytes()),
        ("word/settings.xml", settings.as_bytes()),
        ("word/webSettings.xml", web.as_bytes()),
        ("word/fontTable.xml", fonts.as_bytes()),
        ("docProps/core.xml", core.as_bytes()),
        ("docProps/app.xml", app.as_bytes()),
    ]);
    word_package(main_content_type, &parts)
}
