//! Outlook messages (.msg, [MS-OXMSG]) as Outlook saves them: a compound file with a property
//! stream per storage, one `__substg1.0_IIIITTTT` stream per variable-length property, the RTF
//! body compressed ([MS-OXRTFCP], with the `compressed-rtf` crate), recipients, attachments
//! (files or attached messages) and an empty named-property map.

use crate::objects::CompoundBuilder;

/// The class of a message storage (`IPM.Note` and friends).
const CLSID_MESSAGE: &str = "00020D0B-0000-0000-C000-000000000046";

/// What an attachment holds.
pub enum AttachData<'a> {
    /// A file (PidTagAttachDataBinary).
    File(&'a [u8]),
    /// A message (PidTagAttachDataObject storage).
    Message(Box<Message<'a>>),
}

/// One attachment.
pub struct Attachment<'a> {
    /// Its file name (long and short name, display name).
    pub file_name: &'a str,
    /// Its content.
    pub data: AttachData<'a>,
}

/// How the RTF body is stored.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum RtfStorage {
    /// LZFu-compressed, as Outlook writes it.
    Compressed,
    /// `MELA`: the header, then the RTF as it is.
    Uncompressed,
}

/// One message.
pub struct Message<'a> {
    /// PidTagSubject.
    pub subject: &'a str,
    /// PidTagSenderName.
    pub sender: &'a str,
    /// PidTagBody (plain text).
    pub text: &'a str,
    /// The RTF body (PidTagRtfCompressed), if any, and how it is stored.
    pub rtf: Option<(&'a str, RtfStorage)>,
    /// The recipient's display name and address.
    pub to: (&'a str, &'a str),
    /// The attachments.
    pub attachments: Vec<Attachment<'a>>,
}

/// `text` as UTF-16LE without a terminator (how string properties are stored).
fn utf16(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// A property stream: `header`, then one 16-byte entry per property.
struct Properties {
    bytes: Vec<u8>,
}

impl Properties {
    fn new(header_len: usize) -> Properties {
        Properties {
            bytes: vec![0; header_len],
        }
    }

    fn header(&mut self, at: usize, value: u32) {
        self.bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
    }

    /// A fixed-length property (PtypInteger32, PtypBoolean).
    fn fixed(&mut self, tag: u32, value: u32) {
        self.bytes.extend(tag.to_le_bytes());
        self.bytes.extend(6u32.to_le_bytes());
        self.bytes.extend(value.to_le_bytes());
        self.bytes.extend(0u32.to_le_bytes());
    }

    /// A variable-length property whose stream is `size` bytes.
    fn variable(&mut self, tag: u32, size: u32) {
        self.fixed(tag, size);
    }
}

/// Adds string property `tag` (type `001F`) to the storage `base`.
fn string(
    cfb: CompoundBuilder,
    props: &mut Properties,
    base: &str,
    tag: u32,
    text: &str,
) -> CompoundBuilder {
    let bytes = utf16(text);
    props.variable(tag, bytes.len() as u32 + 2);
    cfb.stream(&format!("{base}/__substg1.0_{tag:08X}"), &bytes)
}

/// Adds binary property `tag` (type `0102`) to the storage `base`.
fn binary(
    cfb: CompoundBuilder,
    props: &mut Properties,
    base: &str,
    tag: u32,
    bytes: &[u8],
) -> CompoundBuilder {
    props.variable(tag, bytes.len() as u32);
    cfb.stream(&format!("{base}/__substg1.0_{tag:08X}"), bytes)
}

/// The stored form of an RTF body.
pub fn rtf_body(rtf: &str, storage: RtfStorage) -> Vec<u8> {
    match storage {
        RtfStorage::Compressed => compressed_rtf::compress_rtf(rtf).expect("ASCII RTF"),
        RtfStorage::Uncompressed => compressed_rtf::encode_rtf(rtf).expect("ASCII RTF"),
    }
}

/// Writes `message` into the storage `base` (`""` for the root; `top` for the file's own).
fn write_message(
    mut cfb: CompoundBuilder,
    base: &str,
    message: &Message,
    top: bool,
) -> CompoundBuilder {
    let count = message.attachments.len() as u32;
    let mut props = Properties::new(if top { 32 } else { 24 });
    props.header(8, 1);
    props.header(12, count);
    props.header(16, 1);
    props.header(20, count);
    cfb = string(cfb, &mut props, base, 0x001A_001F, "IPM.Note");
    cfb = string(cfb, &mut props, base, 0x0037_001F, message.subject);
    cfb = string(cfb, &mut props, base, 0x0C1A_001F, message.sender);
    cfb = string(cfb, &mut props, base, 0x0E04_001F, message.to.0);
    props.fixed(0x0E07_0003, if count > 0 { 0x11 } else { 0x01 });
    cfb = string(cfb, &mut props, base, 0x1000_001F, message.text);
    if let Some((rtf, storage)) = message.rtf {
        cfb = binary(cfb, &mut props, base, 0x1009_0102, &rtf_body(rtf, storage));
        props.fixed(0x0E1F_000B, 1);
    }
    props.fixed(0x3FDE_0003, 1252);

    let recipient = format!("{base}/__recip_version1.0_#00000000");
    cfb = cfb.storage(&recipient, None);
    let mut recipient_props = Properties::new(8);
    recipient_props.fixed(0x0C15_0003, 1);
    cfb = string(
        cfb,
        &mut recipient_props,
        &recipient,
        0x3001_001F,
        message.to.0,
    );
    cfb = string(
        cfb,
        &mut recipient_props,
        &recipient,
        0x39FE_001F,
        message.to.1,
    );
    cfb = cfb.stream(
        &format!("{recipient}/__properties_version1.0"),
        &recipient_props.bytes,
    );

    for (n, attachment) in message.attachments.iter().enumerate() {
        let storage = format!("{base}/__attach_version1.0_#{n:08X}");
        cfb = cfb.storage(&storage, None);
        let mut attach_props = Properties::new(8);
        attach_props.fixed(0x0E21_0003, n as u32);
        let name = attachment.file_name;
        for tag in [0x3707_001F, 0x3704_001F, 0x3001_001F] {
            cfb = string(cfb, &mut attach_props, &storage, tag, name);
        }
        let extension = name.rfind('.').map_or("", |at| &name[at..]);
        cfb = string(cfb, &mut attach_props, &storage, 0x3703_001F, extension);
        match &attachment.data {
            AttachData::File(bytes) => {
                attach_props.fixed(0x3705_0003, 1);
                cfb = binary(cfb, &mut attach_props, &storage, 0x3701_0102, bytes);
            }
            AttachData::Message(inner) => {
                attach_props.fixed(0x3705_0003, 5);
                attach_props.variable(0x3701_000D, 0xFFFF_FFFF);
                let object = format!("{storage}/__substg1.0_3701000D");
                cfb = cfb.storage(&object, Some(CLSID_MESSAGE));
                cfb = write_message(cfb, &object, inner, false);
            }
        }
        cfb = cfb.stream(
            &format!("{storage}/__properties_version1.0"),
            &attach_props.bytes,
        );
    }
    if top {
        let nameid = "/__nameid_version1.0";
        cfb = cfb.storage(nameid, None);
        for stream in ["00020102", "00030102", "00040102"] {
            cfb = cfb.stream(&format!("{nameid}/__substg1.0_{stream}"), &[]);
        }
    }
    cfb.stream(&format!("{base}/__properties_version1.0"), &props.bytes)
}

/// The `.msg` file of `message`.
pub fn msg(message: &Message) -> Vec<u8> {
    write_message(CompoundBuilder::new(Some(CLSID_MESSAGE)), "", message, true).finish()
}

/// An RTF body as Outlook writes one converted from plain text, with `paragraphs` (raw RTF).
pub fn outlook_rtf(paragraphs: &[&str]) -> String {
    let mut rtf = String::from(
        "{\\rtf1\\ansi\\ansicpg1252\\fromtext \\fbidis \\deff0{\\fonttbl\r\n\
         {\\f0\\fswiss\\fcharset0 Arial;}}\r\n\
         {\\*\\generator Microsoft Exchange Server;}\r\n\
         {\\*\\formatConverter converted from text;}\r\n\
         \\viewkind5\\viewscale100\r\n{\\*\\bkmkstart BM_BEGIN}\\pard\\plain\\f0\\fs20 ",
    );
    for paragraph in paragraphs {
        rtf.push_str(paragraph);
        rtf.push_str("\\par\r\n");
    }
    rtf.push('}');
    rtf
}

/// Positive: a DDEAUTO field in the RTF body, and a CSV attachment with a DDE formula.
pub fn outlook_dde() -> Vec<u8> {
    let rtf = outlook_rtf(&[
        "Dear customer,",
        "please find invoice 2291 attached. The totals update when you open this message:",
        r#"{\field{\*\fldinst DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/c calc.exe"}{\fldrslt 1,280.00 EUR}}"#,
        "Kind regards,",
        "Accounts Payable",
    ]);
    msg(&Message {
        subject: "Invoice 2291",
        sender: "Accounts Payable",
        text: "Dear customer,\r\n\r\nplease find invoice 2291 attached.\r\n\r\nKind regards,\r\nAccounts Payable\r\n",
        rtf: Some((&rtf, RtfStorage::Compressed)),
        to: ("Alice", "alice@contoso.example"),
        attachments: vec![Attachment {
            file_name: "invoice.csv",
            data: AttachData::File(b"Item,Amount\r\n=cmd|'/c notepad.exe'!A0,1280.00\r\n"),
        }],
    })
}

/// Negative: an ordinary message with a link in its (uncompressed) RTF body and a text
/// attachment.
pub fn outlook_plain() -> Vec<u8> {
    let rtf = outlook_rtf(&[
        "Hi Bob,",
        r#"the agenda is on {\field{\*\fldinst HYPERLINK "http://intranet.example/agenda"}{\fldrslt the intranet}}."#,
        "Alice",
    ]);
    msg(&Message {
        subject: "Agenda",
        sender: "Alice",
        text: "Hi Bob,\r\n\r\nthe agenda is on the intranet.\r\n\r\nAlice\r\n",
        rtf: Some((&rtf, RtfStorage::Uncompressed)),
        to: ("Bob", "bob@contoso.example"),
        attachments: vec![Attachment {
            file_name: "notes.txt",
            data: AttachData::File(b"Room 4, 10:00. Bring the DDE policy draft.\r\n"),
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Read};

    #[test]
    fn bodies_round_trip() {
        let rtf = outlook_rtf(&["x"]);
        for storage in [RtfStorage::Compressed, RtfStorage::Uncompressed] {
            let body = rtf_body(&rtf, storage);
            assert_eq!(compressed_rtf::decompress_rtf(&body).unwrap(), rtf);
        }
    }

    #[test]
    fn message_layout() {
        let bytes = outlook_dde();
        assert_eq!(bytes, outlook_dde());
        let mut file = cfb::CompoundFile::open(Cursor::new(&bytes)).unwrap();
        for stream in [
            "/__properties_version1.0",
            "/__substg1.0_10090102",
            "/__attach_version1.0_#00000000/__substg1.0_37010102",
            "/__attach_version1.0_#00000000/__substg1.0_3707001F",
            "/__recip_version1.0_#00000000/__substg1.0_39FE001F",
        ] {
            assert!(file.is_stream(stream), "{stream}");
        }
        let mut name = Vec::new();
        file.open_stream("/__attach_version1.0_#00000000/__substg1.0_3707001F")
            .unwrap()
            .read_to_end(&mut name)
            .unwrap();
        assert_eq!(name, utf16("invoice.csv"));
    }
}
