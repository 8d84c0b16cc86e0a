//! Formats: read one file format into typed records (stage 3 of the pipeline).
//!
//! Each submodule reads one format and knows nothing of detection: it reports what the document
//! holds (Word fields with their instruction text reassembled, DDE links, cell formulas) as
//! [`DocumentRecord`]s, and what it could not read as [`Problem`]s. The checks in `detect/`
//! decide what is DDE.
//!
//! No input makes a parser here panic or run without bound: every size the input controls is
//! capped by [`Limits`], and damage ends a part, not the run.

#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

pub mod carve;
pub mod deadline;
pub mod delimited;
mod embedded;
pub mod evtx;
pub mod field_code;
pub mod formula;
pub mod hive;
pub mod iqy;
pub mod ole;
pub mod ooxml;
pub mod prefetch;
pub mod rtf;
pub mod sylk;
pub mod text;
pub mod xml;
mod xml_reader;

pub use deadline::Deadline;
pub use embedded::scan_with_embedded;

use crate::artifact::ArtifactKind;

/// Bounds on what input can make a parser do. The defaults suit real Office documents with a
/// wide margin; a file beyond them is reported, never silently truncated.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Most entries read from one zip package.
    pub max_zip_entries: usize,
    /// Most bytes one zip entry may decompress to.
    pub max_entry_bytes: u64,
    /// Most bytes all entries of one package may decompress to.
    pub max_package_bytes: u64,
    /// Largest decompressed/compressed ratio accepted for an entry once it has produced 1 MiB.
    pub max_compression_ratio: u64,
    /// Deepest nesting of fields tracked (deeper fields are flattened into their parent).
    pub max_field_depth: usize,
    /// Most characters kept of one field instruction or formula.
    pub max_field_chars: usize,
    /// Deepest RTF group nesting tracked.
    pub max_rtf_group_depth: usize,
    /// Largest text file (CSV/TSV/TXT) read.
    pub max_text_bytes: u64,
    /// Deepest nesting of embedded documents scanned (a document in a document is depth 1).
    pub max_embed_depth: usize,
    /// Most bytes one embedded document may have.
    pub max_embedded_bytes: u64,
    /// Largest file read out of a disk image: a file over it is failed unread (a damaged or
    /// hostile record can claim a huge sparse file that would otherwise be copied into memory).
    pub max_image_file_bytes: u64,
    /// Passwords tried, in order, on encrypted documents (the pipeline fills them from the
    /// profile's `document.default_passwords`).
    pub default_passwords: Vec<String>,
    /// When this artifact's work must stop (set per artifact by the pipeline; none by default).
    pub deadline: Deadline,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_zip_entries: 10_000,
            max_entry_bytes: 64 << 20,
            max_package_bytes: 512 << 20,
            max_compression_ratio: 200,
            max_field_depth: 32,
            max_field_chars: 64 << 10,
            max_rtf_group_depth: 1024,
            max_text_bytes: 512 << 20,
            max_embed_depth: 4,
            max_embedded_bytes: 128 << 20,
            max_image_file_bytes: 2 << 30,
            default_passwords: vec!["VelvetSweatshop".to_owned()],
            deadline: Deadline::none(),
        }
    }
}

impl Limits {
    /// Sets [`Limits::max_entry_bytes`].
    pub fn max_entry_bytes(mut self, bytes: u64) -> Limits {
        self.max_entry_bytes = bytes;
        self
    }
}

/// Where in a document a record sits.
#[derive(Clone, Debug, Default, Eq, PartialEq)]
pub struct Location {
    /// The part (zip entry name) of a package; `None` for single-stream formats.
    pub part: Option<String>,
    /// Byte offset in the part (or the file) where the record starts.
    pub offset: u64,
    /// The spreadsheet cell (`B2`, or `R3C4` for delimited text), where there is one.
    pub cell: Option<String>,
}

/// One thing a document holds that the checks look at.
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum DocumentRecord {
    /// A Word field (OOXML `fldSimple`/`fldChar`, RTF `\field`) with its instruction text
    /// reassembled: runs joined, escapes decoded, nested fields replaced by their value.
    Field {
        /// Where the field begins.
        location: Location,
        /// The field instruction (field code), e.g. `DDEAUTO c:\\windows\\system32\\cmd.exe "/k calc"`.
        instruction: String,
        /// True when the field had no end marker (Word still evaluates such fields).
        unterminated: bool,
    },
    /// A DDE link of a workbook (`ddeLink` in an external link part).
    DdeLink {
        /// Where the link is declared.
        location: Location,
        /// The DDE server (the program), e.g. `cmd`.
        service: String,
        /// The DDE topic (for a program, its command line), e.g. `/c calc.exe`.
        topic: String,
        /// The items the link asks for.
        items: Vec<String>,
    },
    /// A spreadsheet formula (an OOXML `f` element or defined name, or a delimited-text cell
    /// that Excel would evaluate).
    Formula {
        /// Where the formula sits.
        location: Location,
        /// The formula text, as stored (OOXML formulas have no leading `=`).
        formula: String,
    },
    /// An embedded OLE object (its class decides whether it matters, e.g. Equation Editor).
    EmbeddedObject {
        /// Where the object sits (storage, part, or RTF offset).
        location: Location,
        /// The object's CLSID, `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}` upper case, where known.
        class_id: Option<String>,
        /// The object's ProgID or OLE1 class name (`Equation.3`), where known.
        prog_id: Option<String>,
    },
    /// The document is encrypted (Office encryption, BIFF FILEPASS).
    Encrypted {
        /// Where the encryption is declared.
        location: Location,
        /// The scheme (`RC4 CryptoAPI`, `ECMA-376 Standard`, `ECMA-376 Agile`, ...).
        scheme: String,
        /// The default password that opened it, or `None` when none did (then the content was
        /// not analysed).
        opened_with: Option<String>,
    },
    /// An OLE object linked from outside the package (an external `oleObject` relationship):
    /// opening the document asks the linked program for it.
    OleLink {
        /// The relationship part.
        location: Location,
        /// The link target (path or URL), as written.
        target: String,
    },
    /// A URL the document fetches when opened (an IQY web query).
    WebQuery {
        /// Where the URL is declared.
        location: Location,
        /// The URL.
        url: String,
    },
}

impl DocumentRecord {
    /// Where the record sits.
    pub fn location(&self) -> &Location {
        match self {
            DocumentRecord::Field { location, .. }
            | DocumentRecord::DdeLink { location, .. }
            | DocumentRecord::Formula { location, .. }
            | DocumentRecord::EmbeddedObject { location, .. }
            | DocumentRecord::Encrypted { location, .. }
            | DocumentRecord::OleLink { location, .. }
            | DocumentRecord::WebQuery { location, .. } => location,
        }
    }

    /// Where the record sits, for changing it (embedded documents prefix their container).
    pub fn location_mut(&mut self) -> &mut Location {
        match self {
            DocumentRecord::Field { location, .. }
            | DocumentRecord::DdeLink { location, .. }
            | DocumentRecord::Formula { location, .. }
            | DocumentRecord::EmbeddedObject { location, .. }
            | DocumentRecord::Encrypted { location, .. }
            | DocumentRecord::OleLink { location, .. }
            | DocumentRecord::WebQuery { location, .. } => location,
        }
    }
}

/// A document found inside another (an OLE object, an attachment, a decrypted package), to be
/// scanned as a document in its own right.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Embedded {
    /// Its name inside the container (`word/embeddings/oleObject1.bin`, `attachment 1: a.docx`).
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// Something a parser met that the manifest must mention.
///
/// An `incomplete` problem means content was not read (truncated XML, a bound hit, an
/// unreadable zip entry): the artifact is recorded as failed, and the records read before it are
/// still reported. Otherwise it is a caveat on an artifact that was read completely (invalid
/// bytes replaced, a field with no end marker).
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Problem {
    /// The part it concerns, if any.
    pub part: Option<String>,
    /// What went wrong, with offsets in hex.
    pub message: String,
    /// Whether content was left unread.
    pub incomplete: bool,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.part {
            Some(part) => write!(f, "{part}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// What a document parser found.
#[derive(Clone, Debug, Default)]
pub struct DocumentScan {
    /// The format, as a short name (`docx`, `xlsx`, `rtf`, `csv`, ...).
    pub format: &'static str,
    /// Fields, links and formulas, in document order.
    pub records: Vec<DocumentRecord>,
    /// What could not be read.
    pub problems: Vec<Problem>,
    /// Documents inside this one, scanned by [`scan_with_embedded`].
    pub embedded: Vec<Embedded>,
}

/// Errors that stop a document from being read at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// The file is not of a type this parser reads (e.g. a zip that is no Office package): the
    /// artifact is skipped, not failed.
    #[error("{0}")]
    NotApplicable(String),
    /// The container cannot be opened (no zip directory, bad header).
    #[error("{what}: {detail}")]
    Unreadable {
        /// What was being opened.
        what: &'static str,
        /// Why it failed.
        detail: String,
    },
    /// The file exceeds a bound of [`Limits`].
    #[error("{what} is {actual} bytes, over the limit of {limit} bytes")]
    TooLarge {
        /// What exceeded the bound.
        what: &'static str,
        /// Its size.
        actual: u64,
        /// The bound.
        limit: u64,
    },
}

/// Reads a document of `kind` from `bytes`.
pub fn scan_document(
    kind: ArtifactKind,
    file_name: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<DocumentScan, FormatError> {
    match kind {
        ArtifactKind::Ooxml => ooxml::scan(bytes, limits),
        ArtifactKind::Rtf => Ok(rtf_scan(bytes, limits)),
        ArtifactKind::DelimitedText => delimited::scan(bytes, file_name, limits),
        ArtifactKind::OleCompound => ole::scan(bytes, limits),
        ArtifactKind::Xml => xml::scan(bytes, limits),
        ArtifactKind::Sylk => sylk::scan(bytes, limits),
        ArtifactKind::WebQuery => iqy::scan(bytes, limits),
        other => Err(FormatError::NotApplicable(
            other
                .unsupported_reason()
                .unwrap_or("not a document format")
                .to_owned(),
        )),
    }
}

/// Reads the fields of an RTF document.
fn rtf_scan(bytes: &[u8], limits: &Limits) -> DocumentScan {
    let rtf_limits = rtf::RtfLimits {
        max_group_depth: limits.max_rtf_group_depth,
        max_field_depth: limits.max_field_depth,
        max_object_bytes: usize::try_from(limits.max_embedded_bytes).unwrap_or(usize::MAX),
        ..rtf::RtfLimits::default()
    };
    let mut assembler = field_code::FieldAssembler::new(limits);
    let rtf::RtfScan { warnings, objects } = rtf::scan(bytes, &rtf_limits, &mut assembler);
    let (fields, assembler_problems) = assembler.finish();
    let records = fields
        .into_iter()
        .map(|field| field.into_record(None))
        .collect();
    let problems = warnings
        .into_iter()
        .chain(assembler_problems)
        .map(|message| Problem {
            part: None,
            message,
            incomplete: false,
        })
        .collect();
    let mut scan = DocumentScan {
        format: "rtf",
        records,
        problems,
        embedded: Vec::new(),
    };
    ole::report_rtf_objects(objects, &mut scan);
    scan
}
