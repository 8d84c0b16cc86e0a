//! Windows registry hives (regf), read over the memory map with nt-hive.
//!
//! [`RegistryHive::open`] checks the base block: a clean hive is opened with validation; a dirty
//! one (primary and secondary sequence numbers differ) has its transaction logs replayed into an
//! in-memory copy when they are given (`log_replay`), and is otherwise opened without
//! validation and marked dirty. Keys are read by path; every key comes with its last-written
//! time, which nt-hive does not expose: [`last_written`] reads it from the key's nk cell.
//! No detection here: `office` turns the Office and Windows keys into typed records.

pub mod log_replay;
pub mod office;

use std::borrow::Cow;

use nt_hive::{Hive, KeyNode, KeyValueDataType, NtHiveNameString};

use super::FormatError;
use crate::time::Timestamp;

/// Offset of the primary sequence number in the base block.
const PRIMARY_SEQUENCE: usize = 4;
/// Offset of the secondary sequence number in the base block.
const SECONDARY_SEQUENCE: usize = 8;

/// How a hive was opened.
#[derive(Clone, Debug, Eq, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum HiveState {
    /// Sequence numbers equal: opened as it is.
    Clean,
    /// Dirty; its transaction log entries were applied to an in-memory copy.
    Replayed {
        /// Log entries applied.
        entries: usize,
    },
    /// Dirty and no usable log beside it: opened without validation, as it is on disk.
    DirtyUnreplayed,
    /// Clean, but its base block failed validation (checksum, header fields): read as it is.
    Unvalidated {
        /// What nt-hive refused.
        reason: String,
    },
}

/// An opened hive.
pub struct RegistryHive<'a> {
    bytes: Cow<'a, [u8]>,
    /// How it was opened.
    pub state: HiveState,
}

/// A value's data.
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum RegData {
    /// REG_DWORD.
    Dword(u32),
    /// REG_QWORD.
    Qword(u64),
    /// REG_SZ, REG_EXPAND_SZ.
    Text(String),
    /// REG_BINARY and anything else, raw.
    Binary(Vec<u8>),
}

impl RegData {
    /// The data as a number, where it is one.
    pub fn number(&self) -> Option<u64> {
        match self {
            RegData::Dword(v) => Some(u64::from(*v)),
            RegData::Qword(v) => Some(*v),
            RegData::Text(t) => {
                let t = t.trim();
                match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
                    Some(hex) => u64::from_str_radix(hex, 16).ok(),
                    None => t.parse().ok(),
                }
            }
            RegData::Binary(_) => None,
        }
    }

    /// The data as a short display string.
    pub fn display(&self) -> String {
        match self {
            RegData::Dword(v) => format!("{v} (0x{v:08x})"),
            RegData::Qword(v) => format!("{v} (0x{v:016x})"),
            RegData::Text(t) => t.clone(),
            RegData::Binary(b) => b.iter().map(|x| format!("{x:02x}")).collect(),
        }
    }
}

/// A value with its key.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct RegValue {
    /// Path of the key inside the hive (no hive prefix), `\`-separated.
    pub key: String,
    /// The key's last-written time.
    pub key_written: Option<Timestamp>,
    /// Value name (empty for the default value).
    pub name: String,
    /// Data.
    pub data: RegData,
}

fn unreadable(detail: String) -> FormatError {
    FormatError::Unreadable {
        what: "registry hive",
        detail,
    }
}

fn sequence(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

impl<'a> RegistryHive<'a> {
    /// Opens the hive in `bytes`; `logs` are its transaction logs (`.LOG1`, `.LOG2`), if any.
    pub fn open(bytes: &'a [u8], logs: &[&[u8]]) -> Result<RegistryHive<'a>, FormatError> {
        if !bytes.starts_with(b"regf") {
            return Err(unreadable("no regf signature".to_owned()));
        }
        let primary = sequence(bytes, PRIMARY_SEQUENCE);
        let secondary = sequence(bytes, SECONDARY_SEQUENCE);
        let (bytes, state) = if primary == secondary {
            (Cow::Borrowed(bytes), HiveState::Clean)
        } else {
            match log_replay::replay(bytes, logs) {
                Some((replayed, entries)) if entries > 0 => {
                    (Cow::Owned(replayed), HiveState::Replayed { entries })
                }
                _ => (Cow::Borrowed(bytes), HiveState::DirtyUnreplayed),
            }
        };
        let mut hive = RegistryHive { bytes, state };
        if hive.state == HiveState::Clean
            && let Err(err) = Hive::new(hive.bytes.as_ref())
        {
            // A bad checksum or header field must not cost the whole hive: read it as it is.
            hive.state = HiveState::Unvalidated {
                reason: err.to_string(),
            };
        }
        Hive::without_validation(hive.bytes.as_ref()).map_err(|err| unreadable(err.to_string()))?;
        Ok(hive)
    }

    fn hive(&self) -> Option<Hive<&[u8]>> {
        Hive::without_validation(self.bytes.as_ref()).ok()
    }

    /// Runs `f` on the key at `path` (`\`-separated, case-insensitive; empty for the root).
    ///
    /// nt-hive 0.3 panics on some damaged cells (an `assert!` on a 0xFFFFFFFF cell offset, a
    /// subtraction that overflows on a zero cell size): such a key counts as unreadable, and the
    /// rest of the hive is still read.
    fn with_key<T>(&self, path: &str, f: impl FnOnce(&KeyNode<&[u8]>) -> T) -> Option<T> {
        crate::guard::catch(|| self.with_key_unguarded(path, f))
            .ok()
            .flatten()
    }

    fn with_key_unguarded<T>(&self, path: &str, f: impl FnOnce(&KeyNode<&[u8]>) -> T) -> Option<T> {
        let hive = self.hive()?;
        let root = hive.root_key_node().ok()?;
        let path = path.trim_matches('\\');
        if path.is_empty() {
            return Some(f(&root));
        }
        let key = root.subpath(path)?.ok()?;
        Some(f(&key))
    }

    /// Whether the key at `path` exists.
    pub fn has_key(&self, path: &str) -> bool {
        self.with_key(path, |_| ()).is_some()
    }

    /// The last-written time of the key at `path`.
    pub fn key_written(&self, path: &str) -> Option<Timestamp> {
        self.with_key(path, |key| last_written(self.bytes.as_ref(), key))
            .flatten()
    }

    /// The names of the subkeys of the key at `path`.
    pub fn subkeys(&self, path: &str) -> Vec<String> {
        self.with_key(path, |key| {
            let Some(Ok(subkeys)) = key.subkeys() else {
                return Vec::new();
            };
            subkeys
                .filter_map(Result::ok)
                .filter_map(|k| k.name().ok().map(|n| name_string(&n)))
                .collect()
        })
        .unwrap_or_default()
    }

    /// The values of the key at `path`.
    pub fn values(&self, path: &str) -> Vec<RegValue> {
        let bytes = self.bytes.as_ref();
        self.with_key(path, |key| {
            let written = last_written(bytes, key);
            let Some(Ok(values)) = key.values() else {
                return Vec::new();
            };
            values
                .filter_map(Result::ok)
                .filter_map(|value| {
                    let name = name_string(&value.name().ok()?);
                    let data = match value.data_type().ok()? {
                        KeyValueDataType::RegDWord => RegData::Dword(value.dword_data().ok()?),
                        KeyValueDataType::RegQWord => RegData::Qword(value.qword_data().ok()?),
                        KeyValueDataType::RegSZ | KeyValueDataType::RegExpandSZ => {
                            RegData::Text(value.string_data().ok()?)
                        }
                        _ => RegData::Binary(value.data().ok()?.into_vec().ok()?),
                    };
                    Some(RegValue {
                        key: path.trim_matches('\\').to_owned(),
                        key_written: written,
                        name,
                        data,
                    })
                })
                .collect()
        })
        .unwrap_or_default()
    }

    /// The value `name` (case-insensitive) of the key at `path`.
    pub fn value(&self, path: &str, name: &str) -> Option<RegValue> {
        self.values(path)
            .into_iter()
            .find(|v| v.name.eq_ignore_ascii_case(name))
    }
}

/// A key or value name as a string.
fn name_string(name: &NtHiveNameString<'_>) -> String {
    name.to_string()
}

/// Offset from an nk cell's name back to its signature (`nk` + flags + timestamp + ... 0x4C).
const NK_NAME_OFFSET: usize = 0x4c;
/// Offset of the last-written FILETIME in the nk cell (after `nk` and the flags).
const NK_TIMESTAMP_OFFSET: usize = 0x04;

/// The last-written time of `key`, read from its nk cell in `bytes` (the hive `key` was read
/// from). nt-hive keeps the cell offset private; the key's name is a slice of `bytes` at a fixed
/// distance after the cell's signature, so the timestamp is found from it and checked against
/// the signature and the name length stored in the cell.
pub fn last_written(bytes: &[u8], key: &KeyNode<&[u8]>) -> Option<Timestamp> {
    let name = key.name().ok()?;
    let raw = match name {
        NtHiveNameString::Latin1(raw) | NtHiveNameString::Utf16LE(raw) => raw,
    };
    let name_at = (raw.as_ptr() as usize).checked_sub(bytes.as_ptr() as usize)?;
    if name_at >= bytes.len() {
        return None;
    }
    nk_timestamp(bytes, name_at, raw.len())
}

/// The FILETIME of the nk cell whose name of `name_len` bytes starts at `name_at` in `bytes`.
fn nk_timestamp(bytes: &[u8], name_at: usize, name_len: usize) -> Option<Timestamp> {
    let cell = name_at.checked_sub(NK_NAME_OFFSET)?;
    if bytes.get(cell..cell + 2)? != b"nk" {
        return None;
    }
    let stored_len = u16::from_le_bytes(bytes.get(cell + 0x48..cell + 0x4a)?.try_into().ok()?);
    if usize::from(stored_len) != name_len {
        return None;
    }
    let at = cell + NK_TIMESTAMP_OFFSET;
    let filetime = u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?);
    Timestamp::from_filetime(filetime)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn nk_timestamp_is_checked_against_signature_and_length() {
        let mut cell = vec![0u8; 0x4c + 4];
        cell[..2].copy_from_slice(b"nk");
        // 2024-03-04T09:11:01Z as FILETIME.
        let filetime: u64 = 133_540_170_610_000_000;
        cell[4..12].copy_from_slice(&filetime.to_le_bytes());
        cell[0x48..0x4a].copy_from_slice(&4u16.to_le_bytes());
        cell[0x4c..].copy_from_slice(b"Word");
        assert_eq!(
            nk_timestamp(&cell, 0x4c, 4)
                .map(Timestamp::to_rfc3339)
                .as_deref(),
            Some("2024-03-04T09:11:01.000000+00:00")
        );
        assert_eq!(nk_timestamp(&cell, 0x4c, 5), None, "length mismatch");
        cell[0] = b'x';
        assert_eq!(nk_timestamp(&cell, 0x4c, 4), None, "no signature");
        assert_eq!(nk_timestamp(&cell, 3, 4), None, "before the start");
    }
}
