//! Outlook messages (.msg, [MS-OXMSG]): a compound file whose properties are streams named
//! `__substg1.0_IIIITTTT` (property ID and property type, in hex).
//!
//! Two things in a message can carry DDE, and both are handed on as embedded documents:
//! - the RTF body (PidTagRtfCompressed, `0x1009` binary), which Outlook renders with Word's
//!   reader (fields included); it is stored compressed ([`super::compressed_rtf`]) and becomes
//!   `message body.rtf`;
//! - the attachments, storages `__attach_version1.0_#XXXXXXXX` whose PidTagAttachDataBinary
//!   (`0x3701` binary) is the file, named by PidTagAttachLongFilename (`0x3707`), else
//!   PidTagAttachFilename (`0x3704`), else PidTagDisplayName (`0x3001`): they become
//!   `attachment N: <file name>`, numbered from 1 in storage order.
//!
//! An attachment that is itself a message (PidTagAttachDataObject, `0x3701` object: a storage
//! holding the message's own properties) is read the same way, its parts named after it
//! (`attachment 2: fwd.msg > attachment 1: a.csv`), down to [`Limits::max_embed_depth`]. An OLE
//! object attachment's storage is left to [`super::objects`], which reports its class.
//!
//! [MS-OXMSG]: https://learn.microsoft.com/openspecs/exchange_server_protocols/ms-oxmsg

use super::compressed_rtf;
use super::{Cfb, read_stream};
use crate::formats::embedded::PATH_SEPARATOR;
use crate::formats::{DocumentScan, Embedded, Limits, Problem};

/// PidTagRtfCompressed.
const BODY_RTF: &str = "__substg1.0_10090102";
/// Prefix of an attachment storage's name.
const ATTACHMENT: &str = "__attach_version1.0_#";
/// PidTagAttachDataBinary.
const ATTACH_DATA: &str = "__substg1.0_37010102";
/// PidTagAttachDataObject (a storage).
const ATTACH_OBJECT: &str = "__substg1.0_3701000D";
/// The property stream every message storage has.
const PROPERTIES: &str = "__properties_version1.0";
/// Attachment names, best first: PidTagAttachLongFilename, PidTagAttachFilename,
/// PidTagDisplayName, each as Unicode (`001F`) then 8-bit (`001E`) string.
const NAMES: [&str; 6] = [
    "__substg1.0_3707001F",
    "__substg1.0_3707001E",
    "__substg1.0_3704001F",
    "__substg1.0_3704001E",
    "__substg1.0_3001001F",
    "__substg1.0_3001001E",
];
/// Longest attachment name kept, in characters.
const MAX_NAME: usize = 255;
/// Largest name stream read.
const MAX_NAME_STREAM: u64 = 64 * 1024;

/// Reads the body and attachments of a message into `scan.embedded`.
pub(super) fn scan(file: &mut Cfb<'_>, limits: &Limits, scan: &mut DocumentScan) {
    read_message(file, "", "", 0, limits, scan);
}

/// Reads the message whose storage is `base` (`""` for the root); its embedded documents are
/// named `prefix` + their name.
fn read_message(
    file: &mut Cfb<'_>,
    base: &str,
    prefix: &str,
    depth: usize,
    limits: &Limits,
    scan: &mut DocumentScan,
) {
    let body = format!("{base}/{BODY_RTF}");
    if file.is_stream(&body) {
        let name = format!("{prefix}message body.rtf");
        match read_stream(file, &body, limits.max_embedded_bytes) {
            Ok(compressed) => {
                match compressed_rtf::decompress(&compressed, limits.max_embedded_bytes) {
                    Ok(body) => {
                        if let Some(caveat) = body.caveat {
                            scan.problems.push(problem(&name, caveat, false));
                        }
                        scan.embedded.push(Embedded {
                            name,
                            bytes: body.rtf,
                        });
                    }
                    Err(message) => scan.problems.push(problem(
                        &name,
                        format!("compressed RTF body unreadable: {message}"),
                        true,
                    )),
                }
            }
            Err(problem) => scan.problems.push(problem),
        }
    }
    for (n, storage) in attachments(file, base).into_iter().enumerate() {
        let number = n + 1;
        let label = match attachment_name(file, &storage) {
            Some(file_name) => format!("{prefix}attachment {number}: {file_name}"),
            None => format!("{prefix}attachment {number}"),
        };
        let data = format!("{storage}/{ATTACH_DATA}");
        let object = format!("{storage}/{ATTACH_OBJECT}");
        if file.is_stream(&data) {
            match read_stream(file, &data, limits.max_embedded_bytes) {
                Ok(bytes) => scan.embedded.push(Embedded { name: label, bytes }),
                Err(problem) => scan.problems.push(problem),
            }
        } else if file.is_storage(&object) && is_message(file, &object) {
            if depth >= limits.max_embed_depth {
                scan.problems.push(problem(
                    &label,
                    format!(
                        "message attached deeper than {} levels; not analysed",
                        limits.max_embed_depth
                    ),
                    true,
                ));
            } else {
                let prefix = format!("{label}{PATH_SEPARATOR}");
                read_message(file, &object, &prefix, depth + 1, limits, scan);
            }
        } else if !file.is_storage(&object) {
            scan.problems.push(problem(
                &label,
                "no attached data in the message (attached by reference)".to_owned(),
                false,
            ));
        }
    }
}

/// The attachment storages of the message at `base`, in name order.
fn attachments(file: &Cfb<'_>, base: &str) -> Vec<String> {
    let storage = if base.is_empty() { "/" } else { base };
    let Ok(entries) = file.read_storage(storage) else {
        return Vec::new();
    };
    let mut found: Vec<String> = entries
        .filter(|entry| {
            entry.is_storage()
                && entry
                    .name()
                    .get(..ATTACHMENT.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(ATTACHMENT))
        })
        .map(|entry| format!("{base}/{}", entry.name()))
        .collect();
    found.sort();
    found
}

/// Whether the storage `path` holds a message (its own properties), not an OLE object.
fn is_message(file: &Cfb<'_>, path: &str) -> bool {
    file.is_stream(format!("{path}/{PROPERTIES}"))
        || file
            .read_storage(path)
            .is_ok_and(|mut entries| entries.any(|entry| entry.name().starts_with("__substg1.0_")))
}

/// The file name of the attachment at `storage`, cleaned for display.
fn attachment_name(file: &mut Cfb<'_>, storage: &str) -> Option<String> {
    NAMES.iter().find_map(|property| {
        let bytes = read_stream(file, &format!("{storage}/{property}"), MAX_NAME_STREAM).ok()?;
        let text = if property.ends_with('F') {
            let units = bytes
                .chunks_exact(2)
                .filter_map(|pair| pair.try_into().ok().map(u16::from_le_bytes));
            char::decode_utf16(units)
                .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect::<String>()
        } else {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(&bytes)
                .0
                .into_owned()
        };
        let name: String = text
            .trim_end_matches('\0')
            .trim()
            .chars()
            .take(MAX_NAME)
            .map(|c| if c.is_control() { '_' } else { c })
            .collect();
        (!name.is_empty()).then_some(name)
    })
}

fn problem(part: &str, message: String, incomplete: bool) -> Problem {
    Problem {
        part: Some(part.to_owned()),
        message,
        incomplete,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use ddesweep_testgen::msg::{AttachData, Attachment, Message, RtfStorage, msg, outlook_rtf};
    use ddesweep_testgen::objects::CompoundBuilder;

    use crate::formats::{DocumentScan, Limits, Problem};

    fn message<'a>(rtf: Option<&'a str>, attachments: Vec<Attachment<'a>>) -> Message<'a> {
        Message {
            subject: "s",
            sender: "a",
            text: "t",
            rtf: rtf.map(|rtf| (rtf, RtfStorage::Compressed)),
            to: ("b", "b@example.com"),
            attachments,
        }
    }

    fn read(bytes: &[u8], limits: &Limits) -> DocumentScan {
        super::super::scan(bytes, limits).unwrap()
    }

    fn names(scan: &DocumentScan) -> Vec<&str> {
        scan.embedded.iter().map(|e| e.name.as_str()).collect()
    }

    #[test]
    fn reads_attached_messages_recursively() {
        let inner_rtf = outlook_rtf(&["inner"]);
        let inner = message(
            Some(&inner_rtf),
            vec![Attachment {
                file_name: "a.csv",
                data: AttachData::File(b"x,y"),
            }],
        );
        let outer = message(
            None,
            vec![
                Attachment {
                    file_name: "fwd.msg",
                    data: AttachData::Message(Box::new(inner)),
                },
                Attachment {
                    file_name: "b.txt",
                    data: AttachData::File(b"hello"),
                },
            ],
        );
        let scan = read(&msg(&outer), &Limits::default());
        assert_eq!(scan.format, "msg");
        assert_eq!(
            names(&scan),
            [
                "attachment 1: fwd.msg > message body.rtf",
                "attachment 1: fwd.msg > attachment 1: a.csv",
                "attachment 2: b.txt",
            ]
        );
        assert_eq!(scan.embedded[0].bytes, inner_rtf.as_bytes());
        assert_eq!(scan.embedded[1].bytes, b"x,y");
        assert_eq!(scan.problems, []);

        let shallow = Limits {
            max_embed_depth: 0,
            ..Limits::default()
        };
        let scan = read(&msg(&outer), &shallow);
        assert_eq!(names(&scan), ["attachment 2: b.txt"]);
        assert_eq!(
            scan.problems,
            [Problem {
                part: Some("attachment 1: fwd.msg".to_owned()),
                message: "message attached deeper than 0 levels; not analysed".to_owned(),
                incomplete: true,
            }]
        );
    }

    #[test]
    fn a_damaged_body_is_an_incomplete_read() {
        let mut body = b"\x20\0\0\0\x40\0\0\0LZFu\0\0\0\0".to_vec();
        body.extend([0xFF; 20]);
        let bytes = CompoundBuilder::new(None)
            .stream("/__substg1.0_10090102", &body)
            .storage("/__attach_version1.0_#00000000", None)
            .stream(
                "/__attach_version1.0_#00000000/__substg1.0_3707001F",
                b"l\0i\0n\0k\0.\0d\0o\0c\0x\0",
            )
            .finish();
        let scan = read(&bytes, &Limits::default());
        assert_eq!(names(&scan), Vec::<&str>::new());
        assert_eq!(
            scan.problems,
            [
                Problem {
                    part: Some("message body.rtf".to_owned()),
                    message: "compressed RTF body unreadable: LZFu: COMPRESSED CRC mismatch: \
                              0x00000000"
                        .to_owned(),
                    incomplete: true,
                },
                Problem {
                    part: Some("attachment 1: link.docx".to_owned()),
                    message: "no attached data in the message (attached by reference)".to_owned(),
                    incomplete: false,
                },
            ]
        );
    }
}
