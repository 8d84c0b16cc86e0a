//! A minimal EVTX writer, for test fixtures and benchmark logs.
//!
//! Writes Windows XML Event Log files the way Windows does, in the three layers of the
//! format: the 4096-byte file header ([`file`]), chunks of 65536 bytes ([`chunk`]) and, in
//! them, records whose Binary XML ([`binxml`]) is a fragment header plus a template instance.
//! Each event shape gets one template definition per chunk, written inline at its first use;
//! later records of the chunk point at it and carry only their typed substitution values.
//! Element and attribute names are written inline at their first use in a chunk and entered
//! in the chunk's string table; later uses point at them.
//!
//! The event XML is the usual one: `<Event xmlns=..><System>..</System><EventData>..</EventData></Event>`,
//! where every `System` value is an optional substitution, so a classic event simply leaves
//! the provider GUID empty and fills the `Qualifiers` of its `EventID`.
//!
//! [`EvtxWriter`] builds a file in memory; [`EvtxStreamWriter`] writes chunk by chunk to any
//! [`std::io::Write`], for logs that should not sit in memory.
//!
//! References: MS-EVEN6 (BinXml, §2.2), and libevtx's "Windows XML Event Log (EVTX) format"
//! (file header, chunk header, event record, template definitions).

pub mod binxml;
pub mod chunk;
pub mod file;
pub mod time;

pub use file::{EvtxStreamWriter, EvtxWriter, FileHeader, FileSummary};
pub use time::{filetime_from_rfc3339, filetime_utc, sysmon_utc_time};

/// A typed substitution value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// An empty value (BinXML `NullType`): an optional substitution that disappears.
    Null,
    /// A UTF-16LE string (`StringType`).
    String(String),
    /// `UInt8Type`.
    UInt8(u8),
    /// `UInt16Type`.
    UInt16(u16),
    /// `UInt32Type`.
    UInt32(u32),
    /// `UInt64Type`.
    UInt64(u64),
    /// `BoolType` (stored as 32 bits).
    Bool(bool),
    /// `GuidType`, given in registry form `{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}`.
    Guid(String),
    /// `FileTimeType`: 100 ns intervals since 1601-01-01 UTC.
    FileTime(u64),
    /// `SidType`, given in `S-1-5-21-...` form.
    Sid(String),
    /// `HexInt32Type`, rendered `0x..`.
    HexInt32(u32),
    /// `HexInt64Type`, rendered `0x..`.
    HexInt64(u64),
}

impl Value {
    /// A [`Value::String`] from anything string-like.
    pub fn str(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// A [`Value::Guid`] from its registry form.
    pub fn guid(s: impl Into<String>) -> Value {
        Value::Guid(s.into())
    }

    /// A [`Value::Sid`] from its `S-1-...` form.
    pub fn sid(s: impl Into<String>) -> Value {
        Value::Sid(s.into())
    }
}

/// The `EventData` of an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventData<'a> {
    /// `<Data Name="X">value</Data>` items (manifest-based providers).
    Named(Vec<(&'a str, Value)>),
    /// `<Data>value</Data>` items without names (classic providers such as OAlerts).
    Unnamed(Vec<Value>),
}

/// One event to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvtxEvent<'a> {
    /// `Provider/@Name`.
    pub provider: &'a str,
    /// `Provider/@Guid` in registry form; `None` for classic providers.
    pub provider_guid: Option<&'a str>,
    /// `EventID`.
    pub event_id: u16,
    /// `EventID/@Qualifiers`; `Some` for classic events only.
    pub qualifiers: Option<u16>,
    /// `Version`.
    pub version: u8,
    /// `Level`.
    pub level: u8,
    /// `Task`.
    pub task: u16,
    /// `Opcode`.
    pub opcode: u8,
    /// `Keywords`.
    pub keywords: u64,
    /// `TimeCreated/@SystemTime` and the record's timestamp, as a FILETIME.
    pub time: u64,
    /// `EventRecordID` and the record's identifier.
    pub record_id: u64,
    /// `Execution/@ProcessID`.
    pub process_id: u32,
    /// `Execution/@ThreadID`.
    pub thread_id: u32,
    /// `Channel`.
    pub channel: &'a str,
    /// `Computer`.
    pub computer: &'a str,
    /// `Security/@UserID` in `S-1-...` form; `None` leaves `<Security/>` empty.
    pub user_sid: Option<&'a str>,
    /// `EventData`.
    pub data: EventData<'a>,
}
