//! Artifacts: what a file is (stage 2 of the pipeline).
//!
//! [`classify`] decides the [`ArtifactKind`] of a file from one table: magic bytes first (a
//! renamed file is still what its bytes say), then the file name. It never tries parsers in turn.
//! [`Status`] is how the run ended for one artifact; the manifest records it with its reason.

#![forbid(unsafe_code)]

use serde::Serialize;

/// What a file is, as far as ddesweep is concerned.
#[derive(Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ArtifactKind {
    /// A zip container: an Office Open XML package (.docx, .xlsx, ...) or another zip.
    Ooxml,
    /// Rich Text Format (Word opens it whatever its extension).
    Rtf,
    /// Delimited text that Excel opens as a sheet: CSV, TSV, TXT.
    DelimitedText,
    /// An OLE compound file (.doc, .xls, .msg, ...).
    OleCompound,
    /// Office XML saved as one file: Word 2003 XML, Word 2007+ flat OPC, Excel 2003 XML.
    Xml,
    /// Symbolic Link (SYLK) spreadsheet.
    Sylk,
    /// Excel web query (.iqy): a URL Excel fetches when the file is opened.
    WebQuery,
    /// A Windows event log (EVTX).
    Evtx,
    /// A Windows registry hive (regf).
    RegistryHive,
    /// A Windows prefetch file (SCCA, or MAM-compressed).
    Prefetch,
    /// Memory without file structure to follow: a memory dump (raw with `--memory`, a crash
    /// dump, a minidump, LiME, `.vmem`), a paging file or a hibernation file. Carved.
    Memory,
    /// Anything else.
    Unknown,
}

impl ArtifactKind {
    /// The kind's name as written in the manifest.
    pub fn name(self) -> &'static str {
        match self {
            ArtifactKind::Ooxml => "ooxml",
            ArtifactKind::Rtf => "rtf",
            ArtifactKind::DelimitedText => "delimited_text",
            ArtifactKind::OleCompound => "ole_compound",
            ArtifactKind::Xml => "xml",
            ArtifactKind::Sylk => "sylk",
            ArtifactKind::WebQuery => "web_query",
            ArtifactKind::Evtx => "evtx",
            ArtifactKind::RegistryHive => "registry_hive",
            ArtifactKind::Prefetch => "prefetch",
            ArtifactKind::Memory => "memory",
            ArtifactKind::Unknown => "unknown",
        }
    }

    /// Whether this version of ddesweep analyses the kind; the others are recorded as skipped
    /// with [`ArtifactKind::unsupported_reason`].
    pub fn is_analyzed(self) -> bool {
        self.unsupported_reason().is_none()
    }

    /// Why an artifact of this kind is not analysed; `None` for the kinds this version reads.
    pub fn unsupported_reason(self) -> Option<&'static str> {
        match self {
            ArtifactKind::Unknown => {
                Some("not a document, log or hive type that ddesweep analyses")
            }
            ArtifactKind::Ooxml
            | ArtifactKind::Rtf
            | ArtifactKind::DelimitedText
            | ArtifactKind::OleCompound
            | ArtifactKind::Xml
            | ArtifactKind::Sylk
            | ArtifactKind::WebQuery
            | ArtifactKind::Evtx
            | ArtifactKind::RegistryHive
            | ArtifactKind::Prefetch
            | ArtifactKind::Memory => None,
        }
    }
}

/// How the run ended for one artifact.
#[derive(Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Read completely and checked.
    Analyzed,
    /// Deliberately not read (unsupported kind, empty file, link): the reason says why.
    Skipped,
    /// Could not be read completely (corrupt, truncated, over a bound, I/O error, panic): the
    /// reason says why. Findings from the part that could be read are still reported.
    Failed,
}

/// Magic numbers: (offset, bytes, kind). Checked in order; the first match wins.
const MAGIC: &[(usize, &[u8], ArtifactKind)] = &[
    (0, b"PK\x03\x04", ArtifactKind::Ooxml),
    (0, b"PK\x05\x06", ArtifactKind::Ooxml),
    (0, b"{\\rt", ArtifactKind::Rtf),
    (
        0,
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
        ArtifactKind::OleCompound,
    ),
    (0, b"<?xml", ArtifactKind::Xml),
    (0, b"\xEF\xBB\xBF<?xml", ArtifactKind::Xml),
    (0, b"\xFF\xFE<\0?\0x\0m\0l\0", ArtifactKind::Xml),
    (0, b"ID;P", ArtifactKind::Sylk),
    (0, b"ElfFile\0", ArtifactKind::Evtx),
    (0, b"regf", ArtifactKind::RegistryHive),
    (4, b"SCCA", ArtifactKind::Prefetch),
    (0, b"MAM\x04", ArtifactKind::Prefetch),
    // Windows crash dumps (64- and 32-bit), user-mode minidumps, LiME memory images.
    (0, b"PAGEDU64", ArtifactKind::Memory),
    (0, b"PAGEDUMP", ArtifactKind::Memory),
    (0, b"MDMP\x93\xA7", ArtifactKind::Memory),
    (0, b"EMiL", ArtifactKind::Memory),
];

/// Whole file names (lower case) that say what a file is, whatever its bytes: Windows' paging
/// and hibernation files.
const NAMES: &[(&str, ArtifactKind)] = &[
    ("pagefile.sys", ArtifactKind::Memory),
    ("swapfile.sys", ArtifactKind::Memory),
    ("hiberfil.sys", ArtifactKind::Memory),
];

/// File name extensions (lower case, without the dot) for files whose bytes did not decide.
const EXTENSIONS: &[(&str, ArtifactKind)] = &[
    ("docx", ArtifactKind::Ooxml),
    ("docm", ArtifactKind::Ooxml),
    ("dotx", ArtifactKind::Ooxml),
    ("dotm", ArtifactKind::Ooxml),
    ("xlsx", ArtifactKind::Ooxml),
    ("xlsm", ArtifactKind::Ooxml),
    ("xltx", ArtifactKind::Ooxml),
    ("xltm", ArtifactKind::Ooxml),
    ("xlam", ArtifactKind::Ooxml),
    ("pptx", ArtifactKind::Ooxml),
    ("pptm", ArtifactKind::Ooxml),
    ("ppsx", ArtifactKind::Ooxml),
    ("ppsm", ArtifactKind::Ooxml),
    ("rtf", ArtifactKind::Rtf),
    ("csv", ArtifactKind::DelimitedText),
    ("tsv", ArtifactKind::DelimitedText),
    ("tab", ArtifactKind::DelimitedText),
    ("txt", ArtifactKind::DelimitedText),
    ("prn", ArtifactKind::DelimitedText),
    ("doc", ArtifactKind::OleCompound),
    ("dot", ArtifactKind::OleCompound),
    ("xls", ArtifactKind::OleCompound),
    ("xlt", ArtifactKind::OleCompound),
    ("ppt", ArtifactKind::OleCompound),
    ("msg", ArtifactKind::OleCompound),
    ("xml", ArtifactKind::Xml),
    ("slk", ArtifactKind::Sylk),
    ("iqy", ArtifactKind::WebQuery),
    ("evtx", ArtifactKind::Evtx),
    ("pf", ArtifactKind::Prefetch),
    ("vmem", ArtifactKind::Memory),
];

/// Decides what a file is from its first bytes (`head`, at least 8 bytes where the file has
/// them) and its name.
pub fn classify(head: &[u8], file_name: &str) -> ArtifactKind {
    for &(offset, magic, kind) in MAGIC {
        if head.get(offset..offset + magic.len()) == Some(magic) {
            return kind;
        }
    }
    let lower = file_name.to_ascii_lowercase();
    if let Some(&(_, kind)) = NAMES.iter().find(|(name, _)| *name == lower) {
        return kind;
    }
    let Some((_, extension)) = file_name.rsplit_once('.') else {
        return ArtifactKind::Unknown;
    };
    let extension = extension.to_ascii_lowercase();
    EXTENSIONS
        .iter()
        .find(|(ext, _)| *ext == extension)
        .map_or(ArtifactKind::Unknown, |&(_, kind)| kind)
}

/// How many leading bytes [`classify`] looks at.
pub const HEAD_LEN: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_beats_name() {
        assert_eq!(classify(b"{\\rtf1\\ansi", "invoice.doc"), ArtifactKind::Rtf);
        assert_eq!(
            classify(b"PK\x03\x04xxxx", "report.csv"),
            ArtifactKind::Ooxml
        );
        assert_eq!(classify(b"ElfFile\0", "renamed.bin"), ArtifactKind::Evtx);
        assert_eq!(classify(b"\x11\0\0\0SCCA", "X.PF"), ArtifactKind::Prefetch);
    }

    #[test]
    fn name_decides_without_magic() {
        assert_eq!(
            classify(b"a,b,c\n", "Export.CSV"),
            ArtifactKind::DelimitedText
        );
        assert_eq!(classify(b"", "empty.docx"), ArtifactKind::Ooxml);
        assert_eq!(
            classify(b"\xFF\xD8\xFF\xE0", "photo.jpg"),
            ArtifactKind::Unknown
        );
        assert_eq!(classify(b"hello", "README"), ArtifactKind::Unknown);
    }
}
