//! Deterministic Open Packaging Conventions (OPC) writer shared by the Word
//! and Excel builders.
//!
//! Every zip entry is written with the same options: Deflate at the default
//! level, a fixed timestamp of 1980-01-01 00:00:00 and no extra fields, so the
//! same input always yields byte-identical output. Writing goes to memory;
//! the only failure possible is a programming error (such as a duplicate entry
//! name), which panics.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// Namespace of package relationship types defined by ECMA-376 part 1.
pub const REL_OFFICE: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
/// Relationship type pointing from the package to its main part.
pub const REL_OFFICE_DOCUMENT: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument";
/// Relationship type of `docProps/core.xml`.
pub const REL_CORE_PROPS: &str =
    "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties";
/// Relationship type of `docProps/app.xml`.
pub const REL_APP_PROPS: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties";
/// Content type of `docProps/core.xml`.
pub const CT_CORE_PROPS: &str = "application/vnd.openxmlformats-package.core-properties+xml";
/// Content type of `docProps/app.xml`.
pub const CT_APP_PROPS: &str =
    "application/vnd.openxmlformats-officedocument.extended-properties+xml";
/// Content type of a DrawingML theme part.
pub const CT_THEME: &str = "application/vnd.openxmlformats-officedocument.theme+xml";

/// The zip entry options used for every entry: Deflated, default level,
/// timestamp 1980-01-01 00:00:00.
pub fn entry_options() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(None)
        .last_modified_time(DateTime::default())
}

/// An in-memory zip archive written entry by entry.
///
/// Besides [`ZipBuilder::add`], an entry can be streamed: call
/// [`ZipBuilder::start`] and then write its contents through the
/// [`std::io::Write`] implementation.
pub struct ZipBuilder {
    zip: ZipWriter<Cursor<Vec<u8>>>,
}

impl Default for ZipBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ZipBuilder {
    /// An empty archive.
    pub fn new() -> Self {
        ZipBuilder {
            zip: ZipWriter::new(Cursor::new(Vec::new())),
        }
    }

    /// Starts a new entry named `name`; its data follows through `write`.
    ///
    /// # Panics
    /// If an entry of that name already exists.
    pub fn start(&mut self, name: &str) {
        self.zip
            .start_file(name, entry_options())
            .unwrap_or_else(|e| panic!("cannot start zip entry {name}: {e}"));
    }

    /// Adds a complete entry.
    ///
    /// # Panics
    /// If an entry of that name already exists.
    pub fn add(&mut self, name: &str, bytes: &[u8]) {
        self.start(name);
        self.write_all(bytes).expect("writing to memory");
    }

    /// Finishes the central directory and returns the archive bytes.
    pub fn finish(self) -> Vec<u8> {
        self.zip
            .finish()
            .expect("finishing an in-memory zip")
            .into_inner()
    }
}

impl Write for ZipBuilder {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.zip.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.zip.flush()
    }
}

/// Zips `parts` in the given order.
pub fn zip_parts(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = ZipBuilder::new();
    for (name, bytes) in parts {
        zip.add(name, bytes);
    }
    zip.finish()
}

/// Escapes `&`, `<` and `>` for XML character data.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes text for a double-quoted XML attribute value.
pub fn escape_attr(s: &str) -> String {
    escape_text(s).replace('"', "&quot;")
}

/// `[Content_Types].xml` with the `rels` and `xml` defaults and one
/// `Override` per `(part name, content type)`; part names are given without
/// the leading slash.
pub fn content_types(overrides: &[(String, String)]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n\
         <Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>",
    );
    for (part, ct) in overrides {
        xml.push_str(&format!(
            "<Override PartName=\"/{}\" ContentType=\"{}\"/>",
            escape_attr(part),
            escape_attr(ct)
        ));
    }
    xml.push_str("</Types>");
    xml
}

/// One relationship of a `.rels` part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rel {
    /// Relationship id, e.g. `rId1`.
    pub id: String,
    /// Relationship type URI.
    pub kind: String,
    /// Target, relative to the source part's folder (or a URI if external).
    pub target: String,
    /// Whether the target lies outside the package (`TargetMode="External"`).
    pub external: bool,
}

impl Rel {
    /// An internal relationship.
    pub fn new(id: impl Into<String>, kind: impl Into<String>, target: impl Into<String>) -> Self {
        Rel {
            id: id.into(),
            kind: kind.into(),
            target: target.into(),
            external: false,
        }
    }

    /// A relationship to a target outside the package.
    pub fn external(
        id: impl Into<String>,
        kind: impl Into<String>,
        target: impl Into<String>,
    ) -> Self {
        Rel {
            external: true,
            ..Rel::new(id, kind, target)
        }
    }
}

/// A `.rels` part listing `rels`.
pub fn relationships(rels: &[Rel]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n\
         <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    );
    for rel in rels {
        xml.push_str(&format!(
            "<Relationship Id=\"{}\" Type=\"{}\" Target=\"{}\"{}/>",
            escape_attr(&rel.id),
            escape_attr(&rel.kind),
            escape_attr(&rel.target),
            if rel.external {
                " TargetMode=\"External\""
            } else {
                ""
            }
        ));
    }
    xml.push_str("</Relationships>");
    xml
}

/// What an Office package assembler knows about one kind of part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartKind {
    /// Content type declared in `[Content_Types].xml`.
    pub content_type: String,
    /// Relationship type from the main part, or `None` if nothing points to it
    /// from there.
    pub rel_type: Option<String>,
    /// Relationships from the main part are sorted by this rank first, then by
    /// the order of the parts.
    pub rank: u8,
}

/// Layout of one kind of Office package (Word or Excel).
pub struct PackageSpec<'a> {
    /// The main part, e.g. `word/document.xml`.
    pub main_part: &'a str,
    /// Content type of the main part.
    pub main_content_type: &'a str,
    /// Classifies every other part name; `None` leaves it to the `xml`
    /// default content type with no relationship.
    pub classify: fn(&str) -> Option<PartKind>,
}

impl PackageSpec<'_> {
    /// The `.rels` part of the main part, e.g. `word/_rels/document.xml.rels`.
    pub fn main_rels_part(&self) -> String {
        let (dir, file) = split_dir(self.main_part);
        format!("{dir}_rels/{file}.rels")
    }

    /// The relationships the main part gets for `names`, with ids `rId1`,
    /// `rId2`, … in rank order, then in the order of `names`.
    pub fn main_rels(&self, names: &[&str]) -> Vec<Rel> {
        let (dir, _) = split_dir(self.main_part);
        let mut related: Vec<(u8, usize, &str, String)> = names
            .iter()
            .enumerate()
            .filter_map(|(i, name)| {
                let kind = (self.classify)(name)?;
                let target = name.strip_prefix(dir)?;
                Some((kind.rank, i, target, kind.rel_type?))
            })
            .collect();
        related.sort_by_key(|&(rank, i, _, _)| (rank, i));
        related
            .iter()
            .enumerate()
            .map(|(k, (_, _, target, kind))| Rel::new(format!("rId{}", k + 1), kind, *target))
            .collect()
    }

    /// Zips a package: `[Content_Types].xml`, `_rels/.rels`, then `parts` in
    /// order, with the main part's `.rels` right after the main part.
    ///
    /// `[Content_Types].xml`, `_rels/.rels` and the main `.rels` are generated
    /// from the part names unless `parts` supplies them, in which case the
    /// given ones are used where the generated ones would have gone.
    pub fn assemble(&self, parts: &[(&str, &[u8])]) -> Vec<u8> {
        let main_rels_name = self.main_rels_part();
        let given = |name: &str| parts.iter().find(|(n, _)| *n == name).map(|(_, b)| *b);
        let names: Vec<&str> = parts.iter().map(|(n, _)| *n).collect();

        let mut overrides = Vec::new();
        for name in &names {
            let ct = match *name {
                n if n == self.main_part => Some(self.main_content_type.to_owned()),
                "docProps/core.xml" => Some(CT_CORE_PROPS.to_owned()),
                "docProps/app.xml" => Some(CT_APP_PROPS.to_owned()),
                n if n.ends_with(".rels") || n == "[Content_Types].xml" => None,
                n => (self.classify)(n).map(|k| k.content_type),
            };
            if let Some(ct) = ct {
                overrides.push((name.to_string(), ct));
            }
        }
        let content_types = content_types(&overrides);

        let mut package_rels = vec![Rel::new("rId1", REL_OFFICE_DOCUMENT, self.main_part)];
        for (name, kind) in [
            ("docProps/core.xml", REL_CORE_PROPS),
            ("docProps/app.xml", REL_APP_PROPS),
        ] {
            if names.contains(&name) {
                let id = format!("rId{}", package_rels.len() + 1);
                package_rels.push(Rel::new(id, kind, name));
            }
        }
        let package_rels = relationships(&package_rels);
        let main_rels = relationships(&self.main_rels(&names));

        let mut zip = ZipBuilder::new();
        zip.add(
            "[Content_Types].xml",
            given("[Content_Types].xml").unwrap_or(content_types.as_bytes()),
        );
        zip.add(
            "_rels/.rels",
            given("_rels/.rels").unwrap_or(package_rels.as_bytes()),
        );
        let main_rels_bytes = given(&main_rels_name).unwrap_or(main_rels.as_bytes());
        let has_main = names.contains(&self.main_part);
        for (name, bytes) in parts {
            if *name == "[Content_Types].xml" || *name == "_rels/.rels" || *name == main_rels_name {
                continue;
            }
            zip.add(name, bytes);
            if *name == self.main_part {
                zip.add(&main_rels_name, main_rels_bytes);
            }
        }
        if !has_main {
            zip.add(&main_rels_name, main_rels_bytes);
        }
        zip.finish()
    }
}

/// Splits `word/document.xml` into (`word/`, `document.xml`).
fn split_dir(path: &str) -> (&str, &str) {
    match path.rfind('/') {
        Some(i) => path.split_at(i + 1),
        None => ("", path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_text("a<b>&\"c\""), "a&lt;b&gt;&amp;\"c\"");
        assert_eq!(escape_attr("\"x\" & y"), "&quot;x&quot; &amp; y");
    }

    #[test]
    fn split_dir_works() {
        assert_eq!(split_dir("word/document.xml"), ("word/", "document.xml"));
        assert_eq!(split_dir("x.xml"), ("", "x.xml"));
    }
}
