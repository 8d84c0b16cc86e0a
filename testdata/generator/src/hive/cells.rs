//! Lays a [`HiveBuilder`]'s tree out as a regf file: base block, hive bins and cells.
//!
//! Cells are placed in two passes. The first pass walks the tree (root first, the shared
//! security cell right after it, then for each key: its `nk`, value list, `vk`s with their
//! data cells, subkey list, then its subkeys in sorted order) and reserves each cell in the
//! current hive bin, opening a new 4096-byte bin (larger for a cell that needs it) when the
//! cell does not fit. The space left at the end of a bin becomes one free cell (positive
//! size). The second pass writes the cells, now that every offset is known.
//!
//! Offsets are relative to the start of the hive bins data (file offset minus 4096), as the
//! format stores them. Reference: the registry file format specification ("Base block",
//! "Hive bin", "Cell", "Hash leaf", "Key node", "Key value", "Key security").

use super::builder::{HiveBuilder, Key, RegValue};
use super::{PAGE, seal_base_block};

/// No cell (the format's nil offset).
const NIL: u32 = u32::MAX;
/// Size of a hive bin header.
const HBIN_HEADER: usize = 32;
/// `KEY_HIVE_ENTRY | KEY_NO_DELETE | KEY_COMP_NAME`: the root key's flags.
const ROOT_FLAGS: u16 = 0x2C;
/// `KEY_COMP_NAME`: the name is stored as Latin-1.
const KEY_COMP_NAME: u16 = 0x20;
/// `VALUE_COMP_NAME`: the value name is stored as Latin-1.
const VALUE_COMP_NAME: u16 = 0x01;
/// Set in a `vk`'s data size when the data sits in the data offset field.
const DATA_INLINE: u32 = 0x8000_0000;

/// A name as stored: Latin-1 bytes when every character fits (compressed), else UTF-16LE.
fn encode_name(name: &str) -> (Vec<u8>, bool) {
    if name.chars().all(|c| (c as u32) < 0x100) {
        (name.chars().map(|c| c as u8).collect(), true)
    } else {
        (super::utf16(name), false)
    }
}

/// A name's length in UTF-16 bytes (how the `nk` maxima count it).
fn utf16_len(name: &str) -> u32 {
    (name.encode_utf16().count() * 2) as u32
}

/// The uppercase form the registry sorts and hashes names by (one UTF-16 unit each).
fn upcase(name: &str) -> Vec<u16> {
    name.encode_utf16()
        .map(|u| match char::from_u32(u32::from(u)) {
            Some(c) => {
                let mut up = c.to_uppercase();
                match (up.next(), up.next()) {
                    (Some(single), None) if (single as u32) < 0x1_0000 => single as u16,
                    _ => u,
                }
            }
            None => u,
        })
        .collect()
}

/// The hash of a hash-leaf entry: `h = 37 * h + c` over the uppercase name's UTF-16 units.
pub fn name_hash(name: &str) -> u32 {
    upcase(name)
        .iter()
        .fold(0u32, |h, &c| h.wrapping_mul(37).wrapping_add(u32::from(c)))
}

/// A minimal self-relative security descriptor: owner Administrators, group SYSTEM, and a
/// DACL with one ACE granting SYSTEM full control (`KEY_ALL_ACCESS`), inherited by subkeys.
pub fn security_descriptor() -> Vec<u8> {
    let system: [u8; 12] = [1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0];
    let admins: [u8; 16] = [1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 2, 0, 0];
    // ACE: ACCESS_ALLOWED, CONTAINER_INHERIT, size, mask, SID.
    let mut ace = vec![0u8, 0x02];
    ace.extend(((8 + system.len()) as u16).to_le_bytes());
    ace.extend(0x000F_003Fu32.to_le_bytes());
    ace.extend(system);
    let mut acl = vec![2u8, 0];
    acl.extend(((8 + ace.len()) as u16).to_le_bytes());
    acl.extend(1u16.to_le_bytes());
    acl.extend(0u16.to_le_bytes());
    acl.extend(&ace);
    let dacl_at = 20u32;
    let owner_at = dacl_at + acl.len() as u32;
    let group_at = owner_at + admins.len() as u32;
    // Revision 1, SE_SELF_RELATIVE | SE_DACL_PRESENT.
    let mut sd = vec![1u8, 0];
    sd.extend(0x8004u16.to_le_bytes());
    for offset in [owner_at, group_at, 0, dacl_at] {
        sd.extend(offset.to_le_bytes());
    }
    sd.extend(acl);
    sd.extend(admins);
    sd.extend(system);
    sd
}

/// The hive bins data being laid out.
struct Bins {
    data: Vec<u8>,
    /// Start of the open bin.
    bin_start: usize,
    /// Next free byte in the open bin.
    next: usize,
}

impl Bins {
    fn new(time: u64) -> Bins {
        let mut bins = Bins {
            data: Vec::new(),
            bin_start: 0,
            next: 0,
        };
        bins.open_bin(PAGE);
        bins.data[20..28].copy_from_slice(&time.to_le_bytes());
        bins
    }

    fn open_bin(&mut self, size: usize) {
        let start = self.data.len();
        self.data.resize(start + size, 0);
        let header = &mut self.data[start..start + HBIN_HEADER];
        header[..4].copy_from_slice(b"hbin");
        header[4..8].copy_from_slice(&(start as u32).to_le_bytes());
        header[8..12].copy_from_slice(&(size as u32).to_le_bytes());
        self.bin_start = start;
        self.next = start + HBIN_HEADER;
    }

    /// Marks the rest of the open bin as one free cell.
    fn close_bin(&mut self) {
        let rest = self.data.len() - self.next;
        if rest > 0 {
            let at = self.next;
            self.data[at..at + 4].copy_from_slice(&(rest as i32).to_le_bytes());
            self.next = self.data.len();
        }
    }

    /// Reserves an allocated cell for `payload` bytes; returns its offset.
    fn alloc(&mut self, payload: usize) -> u32 {
        let size = (4 + payload).div_ceil(8) * 8;
        if self.next + size > self.data.len() {
            self.close_bin();
            let bin = (HBIN_HEADER + size).div_ceil(PAGE) * PAGE;
            self.open_bin(bin);
        }
        let at = self.next;
        self.data[at..at + 4].copy_from_slice(&(-(size as i32)).to_le_bytes());
        self.next += size;
        at as u32
    }

    /// Writes a cell's payload (after its size field).
    fn put(&mut self, cell: u32, payload: &[u8]) {
        let at = cell as usize + 4;
        self.data[at..at + payload.len()].copy_from_slice(payload);
    }
}

/// Where one value's cells went.
struct ValueCells {
    vk: u32,
    /// The data cell, for data over 4 bytes.
    data: Option<u32>,
}

/// Where one key's cells went, with its subkeys' in sorted order.
struct KeyCells<'a> {
    key: &'a Key,
    nk: u32,
    value_list: Option<u32>,
    values: Vec<ValueCells>,
    subkey_list: Option<u32>,
    children: Vec<KeyCells<'a>>,
}

/// The key's subkeys sorted by uppercase name.
fn sorted_children(key: &Key) -> Vec<&Key> {
    let mut children: Vec<&Key> = key.children.iter().collect();
    children.sort_by_cached_key(|k| upcase(&k.name));
    children
}

/// First pass for one key (its `nk` already reserved when `nk` is given).
fn reserve<'a>(bins: &mut Bins, key: &'a Key, nk: Option<u32>) -> KeyCells<'a> {
    let nk = nk.unwrap_or_else(|| bins.alloc(76 + encode_name(&key.name).0.len()));
    let value_list = (!key.values.is_empty()).then(|| bins.alloc(4 * key.values.len()));
    let values = key
        .values
        .iter()
        .map(|v| ValueCells {
            vk: bins.alloc(20 + encode_name(&v.name).0.len()),
            data: (v.data.len() > 4).then(|| bins.alloc(v.data.len())),
        })
        .collect();
    let children_keys = sorted_children(key);
    let subkey_list = (!children_keys.is_empty()).then(|| bins.alloc(4 + 8 * children_keys.len()));
    let children = children_keys
        .into_iter()
        .map(|child| reserve(bins, child, None))
        .collect();
    KeyCells {
        key,
        nk,
        value_list,
        values,
        subkey_list,
        children,
    }
}

/// The `vk` payload of one value.
fn vk_payload(value: &RegValue, data_cell: Option<u32>) -> Vec<u8> {
    let (name, compressed) = encode_name(&value.name);
    let mut p = b"vk".to_vec();
    p.extend((name.len() as u16).to_le_bytes());
    match data_cell {
        Some(cell) => {
            p.extend((value.data.len() as u32).to_le_bytes());
            p.extend(cell.to_le_bytes());
        }
        None => {
            p.extend((value.data.len() as u32 | DATA_INLINE).to_le_bytes());
            let mut inline = [0u8; 4];
            inline[..value.data.len()].copy_from_slice(&value.data);
            p.extend(inline);
        }
    }
    p.extend(value.kind.to_le_bytes());
    p.extend((if compressed { VALUE_COMP_NAME } else { 0 }).to_le_bytes());
    p.extend(0u16.to_le_bytes());
    p.extend(name);
    p
}

/// The `nk` payload of one key.
fn nk_payload(cells: &KeyCells, parent: u32, security: u32, root: bool) -> Vec<u8> {
    let key = cells.key;
    let (name, compressed) = encode_name(&key.name);
    let mut flags = if compressed { KEY_COMP_NAME } else { 0 };
    if root {
        flags |= ROOT_FLAGS;
    }
    let max_subkey = key.children.iter().map(|c| utf16_len(&c.name)).max();
    let max_value_name = key.values.iter().map(|v| utf16_len(&v.name)).max();
    let max_value_data = key.values.iter().map(|v| v.data.len() as u32).max();
    let mut p = b"nk".to_vec();
    p.extend(flags.to_le_bytes());
    p.extend(key.time.to_le_bytes());
    p.extend(0u32.to_le_bytes());
    p.extend(parent.to_le_bytes());
    p.extend((key.children.len() as u32).to_le_bytes());
    p.extend(0u32.to_le_bytes());
    p.extend(cells.subkey_list.unwrap_or(NIL).to_le_bytes());
    p.extend(NIL.to_le_bytes());
    p.extend((key.values.len() as u32).to_le_bytes());
    p.extend(cells.value_list.unwrap_or(NIL).to_le_bytes());
    p.extend(security.to_le_bytes());
    p.extend(NIL.to_le_bytes());
    p.extend(max_subkey.unwrap_or(0).to_le_bytes());
    p.extend(0u32.to_le_bytes());
    p.extend(max_value_name.unwrap_or(0).to_le_bytes());
    p.extend(max_value_data.unwrap_or(0).to_le_bytes());
    p.extend(0u32.to_le_bytes());
    p.extend((name.len() as u16).to_le_bytes());
    p.extend(0u16.to_le_bytes());
    p.extend(name);
    p
}

/// Second pass for one key and its subtree.
fn write_key(bins: &mut Bins, cells: &KeyCells, parent: u32, security: u32, root: bool) {
    bins.put(cells.nk, &nk_payload(cells, parent, security, root));
    if let Some(list) = cells.value_list {
        let offsets: Vec<u8> = cells
            .values
            .iter()
            .flat_map(|v| v.vk.to_le_bytes())
            .collect();
        bins.put(list, &offsets);
    }
    for (value, at) in cells.key.values.iter().zip(&cells.values) {
        bins.put(at.vk, &vk_payload(value, at.data));
        if let Some(data) = at.data {
            bins.put(data, &value.data);
        }
    }
    if let Some(list) = cells.subkey_list {
        let mut lh = b"lh".to_vec();
        lh.extend((cells.children.len() as u16).to_le_bytes());
        for child in &cells.children {
            lh.extend(child.nk.to_le_bytes());
            lh.extend(name_hash(&child.key.name).to_le_bytes());
        }
        bins.put(list, &lh);
    }
    for child in &cells.children {
        write_key(bins, child, cells.nk, security, false);
    }
}

/// The latest last-written time in a subtree.
fn latest(key: &Key) -> u64 {
    key.children.iter().map(latest).fold(key.time, u64::max)
}

/// Writes the hive of `builder`: base block, then the hive bins.
pub fn write_hive(builder: &HiveBuilder) -> Vec<u8> {
    let written = builder.written.unwrap_or_else(|| latest(&builder.root));
    let mut bins = Bins::new(written);
    let root_nk = bins.alloc(76 + encode_name(&builder.root.name).0.len());
    let sd = security_descriptor();
    let sk = bins.alloc(20 + sd.len());
    let cells = reserve(&mut bins, &builder.root, Some(root_nk));
    bins.close_bin();

    let mut sk_payload = b"sk".to_vec();
    sk_payload.extend(0u16.to_le_bytes());
    sk_payload.extend(sk.to_le_bytes());
    sk_payload.extend(sk.to_le_bytes());
    sk_payload.extend((builder.root.count() as u32).to_le_bytes());
    sk_payload.extend((sd.len() as u32).to_le_bytes());
    sk_payload.extend(&sd);
    bins.put(sk, &sk_payload);
    write_key(&mut bins, &cells, NIL, sk, true);

    let mut file = base_block(builder, written, root_nk, bins.data.len() as u32);
    file.extend(bins.data);
    file
}

/// The 4096-byte base block.
fn base_block(builder: &HiveBuilder, written: u64, root: u32, bins_size: u32) -> Vec<u8> {
    let (primary, secondary) = builder.sequence;
    let mut b = vec![0u8; PAGE];
    b[..4].copy_from_slice(b"regf");
    let fields: [(usize, u32); 9] = [
        (4, primary),
        (8, secondary),
        (20, 1),
        (24, 5),
        (28, 0),
        (32, 1),
        (36, root),
        (40, bins_size),
        (44, 1),
    ];
    for (at, v) in fields {
        b[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }
    b[12..20].copy_from_slice(&written.to_le_bytes());
    let name: Vec<u8> = builder
        .file_name
        .encode_utf16()
        .take(31)
        .flat_map(u16::to_le_bytes)
        .collect();
    b[48..48 + name.len()].copy_from_slice(&name);
    seal_base_block(&mut b);
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_of_known_names() {
        // h = 37 * h + c over "ABC": ((65 * 37) + 66) * 37 + 67.
        assert_eq!(name_hash("abc"), (65 * 37 + 66) * 37 + 67);
        assert_eq!(name_hash("Security"), name_hash("SECURITY"));
    }

    #[test]
    fn descriptor_is_self_relative() {
        let sd = security_descriptor();
        assert_eq!(sd.len(), 76);
        assert_eq!(&sd[..4], [1, 0, 0x04, 0x80]);
    }

    #[test]
    fn bins_split_and_end_with_free_cells() {
        let mut bins = Bins::new(0);
        let a = bins.alloc(4000);
        let b = bins.alloc(100);
        assert_eq!(a, 32);
        assert_eq!(b as usize, PAGE + 32);
        let big = bins.alloc(9000);
        bins.close_bin();
        assert_eq!(big as usize % PAGE, 32);
        assert_eq!(bins.data.len() % PAGE, 0);
        // The first bin's tail is one free cell.
        let tail = 32 + 4008;
        let size = i32::from_le_bytes(bins.data[tail..tail + 4].try_into().unwrap());
        assert_eq!(size as usize, PAGE - tail);
    }
}
