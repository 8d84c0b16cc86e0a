//! [`HiveBuilder`]: the keys, values, times and header fields of a hive to write.
//!
//! Keys are addressed by backslash-separated paths from the root, matched without regard
//! to ASCII case as the registry does. A call to [`HiveBuilder::key`] creates the key and
//! any missing ancestors, sets the key's last-written time and makes it the current key;
//! the value methods ([`HiveBuilder::dword`], [`HiveBuilder::sz`], ...) add to the current
//! key, replacing a value of the same name. Ancestors created on the way take the
//! builder's default time ([`HiveBuilder::default_time`]), so every key has a known time.
//!
//! ```
//! use ddesweep_testgen::evtx::filetime_utc;
//! use ddesweep_testgen::hive::HiveBuilder;
//!
//! let t = filetime_utc(2024, 3, 4, 9, 11, 1, 0);
//! let bytes = HiveBuilder::new("NTUSER.DAT")
//!     .key(r"Software\Microsoft\Office\16.0\Word\Security", t)
//!     .dword("AllowDDE", 1)
//!     .build();
//! assert_eq!(&bytes[..4], b"regf");
//! ```

use super::{REG_BINARY, REG_DWORD, REG_EXPAND_SZ, REG_MULTI_SZ, REG_QWORD, REG_SZ, utf16z};

/// Largest value data the writer stores (one data cell; larger data needs `db` cells).
pub const MAX_VALUE_DATA: usize = 16_344;

/// The default last-written time of implicitly created keys: 2023-09-12T08:00:00Z.
pub const DEFAULT_KEY_TIME: u64 = crate::evtx::filetime_utc(2023, 9, 12, 8, 0, 0, 0);

/// One value of a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegValue {
    /// Name; empty for the key's default value.
    pub name: String,
    /// Data type (`REG_SZ`, `REG_DWORD`, ...).
    pub kind: u32,
    /// Raw data as stored.
    pub data: Vec<u8>,
}

/// One key of the tree.
#[derive(Clone, Debug)]
pub(crate) struct Key {
    /// Name (the root's is the hive's root name).
    pub name: String,
    /// Last-written FILETIME.
    pub time: u64,
    /// Values in insertion order.
    pub values: Vec<RegValue>,
    /// Subkeys in insertion order (the writer sorts them).
    pub children: Vec<Key>,
}

impl Key {
    fn new(name: &str, time: u64) -> Key {
        Key {
            name: name.to_owned(),
            time,
            values: Vec::new(),
            children: Vec::new(),
        }
    }

    /// How many keys this subtree holds, itself included.
    pub fn count(&self) -> usize {
        1 + self.children.iter().map(Key::count).sum::<usize>()
    }
}

/// Builds a hive: keys with their times and values, the header's file name, last-written
/// time and sequence numbers. See the [module documentation](self) for the path rules.
#[derive(Clone, Debug)]
pub struct HiveBuilder {
    pub(crate) file_name: String,
    pub(crate) root: Key,
    current: Vec<String>,
    default_time: u64,
    pub(crate) written: Option<u64>,
    pub(crate) sequence: (u32, u32),
}

impl HiveBuilder {
    /// An empty hive whose header names `file_name` (at most 31 characters are kept). The
    /// root key is named `ROOT`; keys default to [`DEFAULT_KEY_TIME`]; the sequence numbers
    /// are 1 and 1 (clean).
    pub fn new(file_name: &str) -> HiveBuilder {
        HiveBuilder {
            file_name: file_name.to_owned(),
            root: Key::new("ROOT", DEFAULT_KEY_TIME),
            current: Vec::new(),
            default_time: DEFAULT_KEY_TIME,
            written: None,
            sequence: (1, 1),
        }
    }

    /// Renames the root key (Windows names it e.g. `CMI-CreateHive{GUID}`).
    pub fn root_name(mut self, name: &str) -> HiveBuilder {
        self.root.name = name.to_owned();
        self
    }

    /// The time given to the root key and to keys created implicitly from now on
    /// (ancestors of [`Self::key`]); `key("", t)` sets the root's own time afterwards.
    pub fn default_time(mut self, filetime: u64) -> HiveBuilder {
        self.default_time = filetime;
        self.root.time = filetime;
        self
    }

    /// The base block's last-written time (also in the first hive bin). Defaults to the
    /// latest key time.
    pub fn written(mut self, filetime: u64) -> HiveBuilder {
        self.written = Some(filetime);
        self
    }

    /// Sets the primary and secondary sequence numbers; different numbers make the hive
    /// dirty (a write that did not finish), which `nt_hive::Hive::new` refuses.
    pub fn dirty(mut self, primary: u32, secondary: u32) -> HiveBuilder {
        self.sequence = (primary, secondary);
        self
    }

    /// Sets both sequence numbers to `n` (a clean hive).
    pub fn sequence(self, n: u32) -> HiveBuilder {
        self.dirty(n, n)
    }

    /// Creates the key at `path` (and missing ancestors), sets its last-written time and
    /// makes it the current key. An empty path is the root.
    pub fn key(mut self, path: &str, filetime: u64) -> HiveBuilder {
        let parts: Vec<String> = path
            .split('\\')
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect();
        let default_time = self.default_time;
        let mut key = &mut self.root;
        for part in &parts {
            let index = match key
                .children
                .iter()
                .position(|c| c.name.eq_ignore_ascii_case(part))
            {
                Some(i) => i,
                None => {
                    key.children.push(Key::new(part, default_time));
                    key.children.len() - 1
                }
            };
            key = &mut key.children[index];
        }
        key.time = filetime;
        self.current = parts;
        self
    }

    fn current_key(&mut self) -> &mut Key {
        let mut key = &mut self.root;
        for part in &self.current {
            let index = key
                .children
                .iter()
                .position(|c| c.name.eq_ignore_ascii_case(part))
                .expect("the current key exists");
            key = &mut key.children[index];
        }
        key
    }

    /// Adds a value of any type to the current key, replacing one of the same name.
    ///
    /// # Panics
    /// When `data` is longer than [`MAX_VALUE_DATA`].
    pub fn value(mut self, name: &str, kind: u32, data: Vec<u8>) -> HiveBuilder {
        assert!(data.len() <= MAX_VALUE_DATA, "value {name} too large");
        let key = self.current_key();
        let value = RegValue {
            name: name.to_owned(),
            kind,
            data,
        };
        match key
            .values
            .iter_mut()
            .find(|v| v.name.eq_ignore_ascii_case(name))
        {
            Some(old) => *old = value,
            None => key.values.push(value),
        }
        self
    }

    /// Adds a `REG_DWORD`.
    pub fn dword(self, name: &str, data: u32) -> HiveBuilder {
        self.value(name, REG_DWORD, data.to_le_bytes().to_vec())
    }

    /// Adds a `REG_QWORD`.
    pub fn qword(self, name: &str, data: u64) -> HiveBuilder {
        self.value(name, REG_QWORD, data.to_le_bytes().to_vec())
    }

    /// Adds a `REG_SZ` (stored NUL-terminated).
    pub fn sz(self, name: &str, data: &str) -> HiveBuilder {
        self.value(name, REG_SZ, utf16z(data))
    }

    /// Adds a `REG_EXPAND_SZ` (stored NUL-terminated).
    pub fn expand_sz(self, name: &str, data: &str) -> HiveBuilder {
        self.value(name, REG_EXPAND_SZ, utf16z(data))
    }

    /// Adds a `REG_MULTI_SZ`: each string NUL-terminated, then an empty string.
    pub fn multi_sz(self, name: &str, data: &[&str]) -> HiveBuilder {
        let mut bytes: Vec<u8> = data.iter().flat_map(|s| utf16z(s)).collect();
        bytes.extend([0, 0]);
        self.value(name, REG_MULTI_SZ, bytes)
    }

    /// Adds a `REG_BINARY`.
    pub fn binary(self, name: &str, data: &[u8]) -> HiveBuilder {
        self.value(name, REG_BINARY, data.to_vec())
    }

    /// How many keys the hive holds, the root included.
    pub fn key_count(&self) -> usize {
        self.root.count()
    }

    /// Writes the hive: base block and hive bins.
    pub fn build(&self) -> Vec<u8> {
        super::cells::write_hive(self)
    }
}
