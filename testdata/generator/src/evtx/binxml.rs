//! Binary XML of one event record: a fragment header and a template instance whose template
//! definition is written inline at the shape's first use in the chunk.
//!
//! Offsets in chunk BinXML are from the start of the chunk, so a record is encoded at a known
//! chunk offset (`base`). Names and templates the record introduces are kept aside until the
//! chunk accepts the record ([`Encoded`]), so a record that does not fit leaves the chunk as
//! it was.
//!
//! Reference: MS-EVEN6 §2.2 (BinXml tokens, names, substitutions, value types).

use std::collections::HashMap;
use std::io;

use super::{EventData, EvtxEvent, Value};

/// Value type codes (MS-EVEN6 §2.2.4, BinXmlValueType).
mod ty {
    pub const NULL: u8 = 0x00;
    pub const STRING: u8 = 0x01;
    pub const UINT8: u8 = 0x04;
    pub const UINT16: u8 = 0x06;
    pub const UINT32: u8 = 0x08;
    pub const UINT64: u8 = 0x0a;
    pub const BOOL: u8 = 0x0d;
    pub const GUID: u8 = 0x0f;
    pub const FILETIME: u8 = 0x11;
    pub const SID: u8 = 0x13;
    pub const HEXINT32: u8 = 0x14;
    pub const HEXINT64: u8 = 0x15;
}

/// Token bytes (MS-EVEN6 §2.2.3.1).
mod token {
    pub const EOF: u8 = 0x00;
    pub const OPEN_START: u8 = 0x01;
    pub const MORE_BIT: u8 = 0x40;
    pub const CLOSE_START: u8 = 0x02;
    pub const CLOSE_EMPTY: u8 = 0x03;
    pub const END_ELEMENT: u8 = 0x04;
    pub const VALUE: u8 = 0x05;
    pub const ATTRIBUTE: u8 = 0x06;
    pub const TEMPLATE_INSTANCE: u8 = 0x0c;
    pub const OPTIONAL_SUBSTITUTION: u8 = 0x0e;
    pub const FRAGMENT_HEADER: u8 = 0x0f;
}

/// The `xmlns` of every event.
const EVENT_NAMESPACE: &str = "http://schemas.microsoft.com/win/2004/08/events/event";

/// Substitution slots of the `System` element; `EventData` values follow from [`DATA_BASE`].
mod slot {
    pub const PROVIDER_NAME: u16 = 0;
    pub const PROVIDER_GUID: u16 = 1;
    pub const QUALIFIERS: u16 = 2;
    pub const EVENT_ID: u16 = 3;
    pub const VERSION: u16 = 4;
    pub const LEVEL: u16 = 5;
    pub const TASK: u16 = 6;
    pub const OPCODE: u16 = 7;
    pub const KEYWORDS: u16 = 8;
    pub const TIME_CREATED: u16 = 9;
    pub const RECORD_ID: u16 = 10;
    pub const PROCESS_ID: u16 = 11;
    pub const THREAD_ID: u16 = 12;
    pub const CHANNEL: u16 = 13;
    pub const COMPUTER: u16 = 14;
    pub const USER_ID: u16 = 15;
    pub const DATA_BASE: u16 = 16;
}

/// Names and template definitions already in a chunk, and its string and template tables.
#[derive(Clone, Debug)]
pub struct ChunkTables {
    /// Chunk offset of each name's string-table entry.
    names: HashMap<String, u32>,
    /// Chunk offset of each shape's template definition, with its template identifier.
    templates: HashMap<String, (u32, u32)>,
    /// The 64 string-table buckets: first entry offset (0: empty).
    pub string_heads: [u32; 64],
    /// Last entry of each string-table chain, whose link a new entry patches.
    string_tails: [u32; 64],
    /// The 32 template-table buckets: first definition offset (0: empty).
    pub template_heads: [u32; 32],
    /// Last definition of each template chain.
    template_tails: [u32; 32],
}

/// A record's BinXML, plus the names and template it adds to the chunk.
#[derive(Clone, Debug)]
pub struct Encoded {
    /// The BinXML bytes, to be placed at the chunk offset given to [`encode_event`].
    pub bytes: Vec<u8>,
    /// Names first written in this record: (name, chunk offset, hash).
    new_names: Vec<(String, u32, u16)>,
    /// The template first defined in this record: (shape, chunk offset, identifier).
    new_template: Option<(String, u32, u32)>,
}

impl Default for ChunkTables {
    fn default() -> Self {
        ChunkTables {
            names: HashMap::new(),
            templates: HashMap::new(),
            string_heads: [0; 64],
            string_tails: [0; 64],
            template_heads: [0; 32],
            template_tails: [0; 32],
        }
    }
}

impl ChunkTables {
    /// Enters what `encoded` introduced, once its bytes are in `chunk` at their offset,
    /// linking new entries onto the string and template table chains.
    pub fn commit(&mut self, encoded: Encoded, chunk: &mut [u8]) {
        for (name, offset, hash) in encoded.new_names {
            let bucket = usize::from(hash) % 64;
            link(
                &mut self.string_heads[bucket],
                &mut self.string_tails[bucket],
                offset,
                chunk,
            );
            self.names.insert(name, offset);
        }
        if let Some((shape, offset, id)) = encoded.new_template {
            let bucket = id as usize % 32;
            link(
                &mut self.template_heads[bucket],
                &mut self.template_tails[bucket],
                offset,
                chunk,
            );
            self.templates.insert(shape, (offset, id));
        }
    }
}

/// Appends the entry at `offset` to a table chain whose entries start with a u32 link.
fn link(head: &mut u32, tail: &mut u32, offset: u32, chunk: &mut [u8]) {
    if *head == 0 {
        *head = offset;
    } else if let Some(field) = chunk.get_mut(*tail as usize..*tail as usize + 4) {
        field.copy_from_slice(&offset.to_le_bytes());
    }
    *tail = offset;
}

/// The template key of an event's shape: its `EventData` names, or their count.
fn shape_of(data: &EventData<'_>) -> String {
    match data {
        EventData::Named(items) => {
            let names: Vec<&str> = items.iter().map(|(n, _)| *n).collect();
            format!("named:{}", names.join(","))
        }
        EventData::Unnamed(items) => format!("unnamed:{}", items.len()),
    }
}

/// FNV-1a over `bytes`, from `seed`.
fn fnv1a(seed: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(seed, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// A stable template GUID for a shape.
fn template_guid(shape: &str) -> [u8; 16] {
    let a = fnv1a(0xcbf2_9ce4_8422_2325, shape.as_bytes());
    let b = fnv1a(a ^ 0x5bd1_e995, shape.as_bytes());
    let mut guid = [0u8; 16];
    guid[..8].copy_from_slice(&a.to_le_bytes());
    guid[8..].copy_from_slice(&b.to_le_bytes());
    guid
}

/// The name hash of MS-EVEN6: the low 16 bits of `h = h * 65599 + c` over UTF-16 units.
fn name_hash(name: &str) -> u16 {
    let h = name.encode_utf16().fold(0u32, |h, c| {
        h.wrapping_mul(65599).wrapping_add(u32::from(c))
    });
    (h & 0xffff) as u16
}

fn invalid(what: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, what)
}

/// A GUID's 16 bytes (first three groups little-endian) from `{xxxxxxxx-xxxx-...}`.
pub fn guid_bytes(text: &str) -> io::Result<[u8; 16]> {
    let bad = || invalid(format!("not a GUID: {text:?}"));
    let inner = text.trim_start_matches('{').trim_end_matches('}');
    let groups: Vec<&str> = inner.split('-').collect();
    let lens = [8, 4, 4, 4, 12];
    if groups.len() != 5 || groups.iter().zip(lens).any(|(g, l)| g.len() != l) {
        return Err(bad());
    }
    let hex: String = groups.concat();
    let mut raw = [0u8; 16];
    for (i, byte) in raw.iter_mut().enumerate() {
        let pair = hex.get(2 * i..2 * i + 2).ok_or_else(bad)?;
        *byte = u8::from_str_radix(pair, 16).map_err(|_| bad())?;
    }
    let mut out = raw;
    out[..4].copy_from_slice(&[raw[3], raw[2], raw[1], raw[0]]);
    out[4..6].copy_from_slice(&[raw[5], raw[4]]);
    out[6..8].copy_from_slice(&[raw[7], raw[6]]);
    Ok(out)
}

/// A SID's binary form from `S-R-A-S1-...-Sn`.
pub fn sid_bytes(text: &str) -> io::Result<Vec<u8>> {
    let bad = || invalid(format!("not a SID: {text:?}"));
    let mut parts = text.strip_prefix("S-").ok_or_else(bad)?.split('-');
    let revision: u8 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let authority: u64 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let subs = parts
        .map(|p| p.parse::<u32>().map_err(|_| bad()))
        .collect::<io::Result<Vec<u32>>>()?;
    let count = u8::try_from(subs.len()).map_err(|_| bad())?;
    let mut out = vec![revision, count];
    out.extend_from_slice(&authority.to_be_bytes()[2..]);
    for sub in subs {
        out.extend_from_slice(&sub.to_le_bytes());
    }
    Ok(out)
}

/// A value's type code and bytes.
fn value_bytes(value: &Value) -> io::Result<(u8, Vec<u8>)> {
    Ok(match value {
        Value::Null => (ty::NULL, Vec::new()),
        Value::String(s) => (ty::STRING, utf16(s)),
        Value::UInt8(v) => (ty::UINT8, vec![*v]),
        Value::UInt16(v) => (ty::UINT16, v.to_le_bytes().to_vec()),
        Value::UInt32(v) => (ty::UINT32, v.to_le_bytes().to_vec()),
        Value::UInt64(v) => (ty::UINT64, v.to_le_bytes().to_vec()),
        Value::Bool(v) => (ty::BOOL, u32::from(*v).to_le_bytes().to_vec()),
        Value::Guid(g) => (ty::GUID, guid_bytes(g)?.to_vec()),
        Value::FileTime(v) => (ty::FILETIME, v.to_le_bytes().to_vec()),
        Value::Sid(s) => (ty::SID, sid_bytes(s)?),
        Value::HexInt32(v) => (ty::HEXINT32, v.to_le_bytes().to_vec()),
        Value::HexInt64(v) => (ty::HEXINT64, v.to_le_bytes().to_vec()),
    })
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// The type codes and bytes of an event's substitution values, in slot order.
fn substitutions(event: &EvtxEvent<'_>) -> io::Result<Vec<(u8, Vec<u8>)>> {
    let system = [
        Value::str(event.provider),
        event.provider_guid.map_or(Value::Null, Value::guid),
        event.qualifiers.map_or(Value::Null, Value::UInt16),
        Value::UInt16(event.event_id),
        Value::UInt8(event.version),
        Value::UInt8(event.level),
        Value::UInt16(event.task),
        Value::UInt8(event.opcode),
        Value::HexInt64(event.keywords),
        Value::FileTime(event.time),
        Value::UInt64(event.record_id),
        Value::UInt32(event.process_id),
        Value::UInt32(event.thread_id),
        Value::str(event.channel),
        Value::str(event.computer),
        event.user_sid.map_or(Value::Null, Value::sid),
    ];
    let data: Vec<&Value> = match &event.data {
        EventData::Named(items) => items.iter().map(|(_, v)| v).collect(),
        EventData::Unnamed(items) => items.iter().collect(),
    };
    system.iter().chain(data).map(value_bytes).collect()
}

/// Encodes `event`'s BinXML for chunk offset `base`, given what the chunk already holds.
pub fn encode_event(event: &EvtxEvent<'_>, base: u32, tables: &ChunkTables) -> io::Result<Encoded> {
    let typed = substitutions(event)?;
    let shape = shape_of(&event.data);
    let mut out = Emitter {
        base,
        buf: Vec::with_capacity(512),
        tables,
        new_names: Vec::new(),
    };
    out.buf
        .extend_from_slice(&[token::FRAGMENT_HEADER, 1, 1, 0]);
    out.buf.extend_from_slice(&[token::TEMPLATE_INSTANCE, 1]);
    let new_template = match tables.templates.get(&shape) {
        Some(&(offset, id)) => {
            out.buf.extend_from_slice(&id.to_le_bytes());
            out.buf.extend_from_slice(&offset.to_le_bytes());
            None
        }
        None => {
            let guid = template_guid(&shape);
            let id = u32::from_le_bytes([guid[0], guid[1], guid[2], guid[3]]);
            out.buf.extend_from_slice(&id.to_le_bytes());
            let offset = out.here() + 4;
            out.buf.extend_from_slice(&offset.to_le_bytes());
            out.buf.extend_from_slice(&0u32.to_le_bytes()); // next template in the bucket
            out.buf.extend_from_slice(&guid);
            let size_at = out.buf.len();
            out.buf.extend_from_slice(&0u32.to_le_bytes());
            out.template_body(&event.data, &typed);
            out.patch_size(size_at);
            Some((shape, offset, id))
        }
    };
    out.buf
        .extend_from_slice(&(typed.len() as u32).to_le_bytes());
    for (code, bytes) in &typed {
        let size = u16::try_from(bytes.len())
            .map_err(|_| invalid(format!("value of {} bytes is too large", bytes.len())))?;
        out.buf.extend_from_slice(&size.to_le_bytes());
        out.buf.extend_from_slice(&[*code, 0]);
    }
    for (_, bytes) in &typed {
        out.buf.extend_from_slice(bytes);
    }
    Ok(Encoded {
        bytes: out.buf,
        new_names: out.new_names,
        new_template,
    })
}

/// Writes BinXML tokens into a record buffer that will sit at chunk offset `base`.
struct Emitter<'t> {
    base: u32,
    buf: Vec<u8>,
    tables: &'t ChunkTables,
    new_names: Vec<(String, u32, u16)>,
}

/// Where an open element's size fields are, for patching when it closes.
struct Open {
    size_at: usize,
    attrs_at: Option<usize>,
}

impl Emitter<'_> {
    /// The chunk offset of the next byte.
    fn here(&self) -> u32 {
        self.base + self.buf.len() as u32
    }

    /// Writes the u32 at `at` as the number of bytes after it.
    fn patch_size(&mut self, at: usize) {
        let size = (self.buf.len() - at - 4) as u32;
        self.buf[at..at + 4].copy_from_slice(&size.to_le_bytes());
    }

    /// A name reference: the offset of an earlier entry, or a new entry written in place.
    fn name(&mut self, name: &str) {
        let known = self.tables.names.get(name).copied().or_else(|| {
            self.new_names
                .iter()
                .find(|(n, _, _)| n == name)
                .map(|&(_, o, _)| o)
        });
        if let Some(offset) = known {
            self.buf.extend_from_slice(&offset.to_le_bytes());
            return;
        }
        let offset = self.here() + 4;
        let hash = name_hash(name);
        self.buf.extend_from_slice(&offset.to_le_bytes());
        self.buf.extend_from_slice(&0u32.to_le_bytes()); // next string in the bucket
        self.buf.extend_from_slice(&hash.to_le_bytes());
        self.buf
            .extend_from_slice(&(name.encode_utf16().count() as u16).to_le_bytes());
        self.buf.extend_from_slice(&utf16(name));
        self.buf.extend_from_slice(&[0, 0]);
        self.new_names.push((name.to_owned(), offset, hash));
    }

    fn open(&mut self, name: &str, has_attributes: bool) -> Open {
        let bits = if has_attributes { token::MORE_BIT } else { 0 };
        self.buf.push(token::OPEN_START | bits);
        self.buf.extend_from_slice(&0xffffu16.to_le_bytes()); // no dependency
        let size_at = self.buf.len();
        self.buf.extend_from_slice(&0u32.to_le_bytes());
        self.name(name);
        let attrs_at = has_attributes.then(|| {
            let at = self.buf.len();
            self.buf.extend_from_slice(&0u32.to_le_bytes());
            at
        });
        Open { size_at, attrs_at }
    }

    fn attribute(&mut self, name: &str, more: bool) {
        let bits = if more { token::MORE_BIT } else { 0 };
        self.buf.push(token::ATTRIBUTE | bits);
        self.name(name);
    }

    fn substitution(&mut self, slot: u16, code: u8) {
        self.buf.push(token::OPTIONAL_SUBSTITUTION);
        self.buf.extend_from_slice(&slot.to_le_bytes());
        self.buf.push(code);
    }

    fn text(&mut self, text: &str) {
        self.buf.extend_from_slice(&[token::VALUE, ty::STRING]);
        self.buf
            .extend_from_slice(&(text.encode_utf16().count() as u16).to_le_bytes());
        self.buf.extend_from_slice(&utf16(text));
    }

    fn close_attributes(&mut self, open: &Open) {
        if let Some(at) = open.attrs_at {
            self.patch_size(at);
        }
    }

    fn close_start(&mut self, open: &Open) {
        self.close_attributes(open);
        self.buf.push(token::CLOSE_START);
    }

    fn close_empty(&mut self, open: Open) {
        self.close_attributes(&open);
        self.buf.push(token::CLOSE_EMPTY);
        self.patch_size(open.size_at);
    }

    fn end(&mut self, open: Open) {
        self.buf.push(token::END_ELEMENT);
        self.patch_size(open.size_at);
    }

    /// `<name>{slot}</name>`.
    fn simple(&mut self, name: &str, slot: u16, code: u8) {
        let e = self.open(name, false);
        self.close_start(&e);
        self.substitution(slot, code);
        self.end(e);
    }

    /// `<name a1="{s1}" a2="{s2}"/>`.
    fn empty_with(&mut self, name: &str, attributes: &[(&str, u16, u8)]) {
        let e = self.open(name, true);
        for (i, &(attr, slot, code)) in attributes.iter().enumerate() {
            self.attribute(attr, i + 1 < attributes.len());
            self.substitution(slot, code);
        }
        self.close_empty(e);
    }

    /// The template definition body: fragment header, `<Event>`, end of stream.
    fn template_body(&mut self, data: &EventData<'_>, typed: &[(u8, Vec<u8>)]) {
        use slot::*;
        self.buf
            .extend_from_slice(&[token::FRAGMENT_HEADER, 1, 1, 0]);
        let event = self.open("Event", true);
        self.attribute("xmlns", false);
        self.text(EVENT_NAMESPACE);
        self.close_start(&event);

        let system = self.open("System", false);
        self.close_start(&system);
        self.empty_with(
            "Provider",
            &[
                ("Name", PROVIDER_NAME, ty::STRING),
                ("Guid", PROVIDER_GUID, ty::GUID),
            ],
        );
        let id = self.open("EventID", true);
        self.attribute("Qualifiers", false);
        self.substitution(QUALIFIERS, ty::UINT16);
        self.close_start(&id);
        self.substitution(EVENT_ID, ty::UINT16);
        self.end(id);
        self.simple("Version", VERSION, ty::UINT8);
        self.simple("Level", LEVEL, ty::UINT8);
        self.simple("Task", TASK, ty::UINT16);
        self.simple("Opcode", OPCODE, ty::UINT8);
        self.simple("Keywords", KEYWORDS, ty::HEXINT64);
        self.empty_with("TimeCreated", &[("SystemTime", TIME_CREATED, ty::FILETIME)]);
        self.simple("EventRecordID", RECORD_ID, ty::UINT64);
        let correlation = self.open("Correlation", false);
        self.close_empty(correlation);
        self.empty_with(
            "Execution",
            &[
                ("ProcessID", PROCESS_ID, ty::UINT32),
                ("ThreadID", THREAD_ID, ty::UINT32),
            ],
        );
        self.simple("Channel", CHANNEL, ty::STRING);
        self.simple("Computer", COMPUTER, ty::STRING);
        self.empty_with("Security", &[("UserID", USER_ID, ty::SID)]);
        self.end(system);

        let event_data = self.open("EventData", false);
        self.close_start(&event_data);
        let code_of = |i: usize| match typed.get(usize::from(DATA_BASE) + i) {
            Some(&(ty::NULL, _)) | None => ty::STRING,
            Some(&(code, _)) => code,
        };
        match data {
            EventData::Named(items) => {
                for (i, (name, _)) in items.iter().enumerate() {
                    let d = self.open("Data", true);
                    self.attribute("Name", false);
                    self.text(name);
                    self.close_start(&d);
                    self.substitution(DATA_BASE + i as u16, code_of(i));
                    self.end(d);
                }
            }
            EventData::Unnamed(items) => {
                for i in 0..items.len() {
                    self.simple("Data", DATA_BASE + i as u16, code_of(i));
                }
            }
        }
        self.end(event_data);
        self.end(event);
        self.buf.push(token::EOF);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_and_sid_bytes() {
        let g = guid_bytes("{5770385F-C22A-43E0-BF4C-06F5698FFBD9}").unwrap();
        assert_eq!(&g[..8], &[0x5f, 0x38, 0x70, 0x57, 0x2a, 0xc2, 0xe0, 0x43]);
        assert_eq!(&g[8..], &[0xbf, 0x4c, 0x06, 0xf5, 0x69, 0x8f, 0xfb, 0xd9]);
        assert!(guid_bytes("{5770385F}").is_err());
        assert_eq!(
            sid_bytes("S-1-5-18").unwrap(),
            [1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0]
        );
        assert!(sid_bytes("S-1-x").is_err());
    }
}
