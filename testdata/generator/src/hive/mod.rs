//! A minimal registry hive (regf) writer with new-format transaction logs, for test
//! fixtures and benchmark hives.
//!
//! The writer follows the layers of the format: the 4096-byte base block and the hive bins
//! ([`cells`]), and in the bins the cells: key nodes (`nk`), hash leaves (`lh`) listing
//! subkeys sorted by uppercase name, value lists, key values (`vk`) with their data cells
//! (data of 4 bytes or less sits in the `vk` itself), and one shared security cell (`sk`).
//! [`HiveBuilder`] collects keys and values and [`HiveBuilder::build`] lays them out; the
//! result opens with `nt_hive::Hive::new` (validation on) when its sequence numbers agree.
//!
//! [`transaction_log`] writes the `.LOG1` a crashed Windows 8.1+ would leave beside a
//! stale primary file: a 512-byte partial base block followed by one `HvLE` log entry
//! holding every 4096-byte page that differs, guarded by two Marvin32 hashes ([`marvin`]).
//! [`replay`] applies such a log, to check the pair.
//!
//! Names are written as compressed (Latin-1) strings when every character allows it, else
//! as UTF-16LE. Value data is limited to 16,344 bytes (no big-data `db` cells).
//!
//! Reference: Maxim Suhanov, "Windows registry file format specification"
//! (github.com/msuhanov/regf): base block, hive bin, cells, new-format transaction logs.

pub mod builder;
pub mod cells;
pub mod log;
pub mod marvin;

pub use builder::{HiveBuilder, RegValue};
pub use log::{replay, transaction_log};

/// `REG_SZ`: a NUL-terminated UTF-16LE string.
pub const REG_SZ: u32 = 1;
/// `REG_EXPAND_SZ`: a string with `%VARIABLES%`.
pub const REG_EXPAND_SZ: u32 = 2;
/// `REG_BINARY`: raw bytes.
pub const REG_BINARY: u32 = 3;
/// `REG_DWORD`: a little-endian u32.
pub const REG_DWORD: u32 = 4;
/// `REG_MULTI_SZ`: NUL-separated UTF-16LE strings ending with an empty one.
pub const REG_MULTI_SZ: u32 = 7;
/// `REG_QWORD`: a little-endian u64.
pub const REG_QWORD: u32 = 11;

/// Size of the base block and of a hive bin page.
pub const PAGE: usize = 4096;

/// The XOR-32 checksum of a base block's first 508 bytes (0 becomes 1 and `0xFFFFFFFF`
/// becomes `0xFFFFFFFE`), as stored at offset 508.
pub fn base_block_checksum(block: &[u8]) -> u32 {
    let sum = block[..508].chunks_exact(4).fold(0u32, |acc, w| {
        acc ^ u32::from_le_bytes([w[0], w[1], w[2], w[3]])
    });
    match sum {
        0 => 1,
        u32::MAX => u32::MAX - 1,
        other => other,
    }
}

/// Writes [`base_block_checksum`] into the block at offset 508.
pub fn seal_base_block(block: &mut [u8]) {
    let sum = base_block_checksum(block);
    block[508..512].copy_from_slice(&sum.to_le_bytes());
}

/// UTF-16LE bytes of `s`, without a terminator.
pub fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// UTF-16LE bytes of `s` with its NUL terminator, as `REG_SZ` data holds it.
pub fn utf16z(s: &str) -> Vec<u8> {
    let mut bytes = utf16(s);
    bytes.extend([0, 0]);
    bytes
}
