//! Document properties parts (`docProps/core.xml`, `docProps/app.xml`)
//! shared by Word and Excel packages, with fixed dates so output stays
//! deterministic.

use crate::ooxml::escape_text;

/// Fixed creation and modification date used in every generated package.
pub const FIXED_DATE: &str = "2017-10-09T08:12:00Z";

/// `docProps/core.xml` with the given title and author.
pub fn core_xml(title: &str, author: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n\
<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
<dc:title>{title}</dc:title><dc:creator>{author}</dc:creator><cp:lastModifiedBy>{author}</cp:lastModifiedBy>\
<cp:revision>2</cp:revision>\
<dcterms:created xsi:type=\"dcterms:W3CDTF\">{FIXED_DATE}</dcterms:created>\
<dcterms:modified xsi:type=\"dcterms:W3CDTF\">{FIXED_DATE}</dcterms:modified>\
</cp:coreProperties>",
        title = escape_text(title),
        author = escape_text(author),
    )
}

/// `docProps/app.xml` naming `application` (e.g. `Microsoft Office Word`).
pub fn app_xml(application: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n\
<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" \
xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">\
<Template>Normal.dotm</Template><TotalTime>3</TotalTime><Application>{}</Application>\
<DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><Company>Contoso Ltd</Company>\
<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>\
<HyperlinksChanged>false</HyperlinksChanged><AppVersion>16.0000</AppVersion></Properties>",
        escape_text(application)
    )
}
