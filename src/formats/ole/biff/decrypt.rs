//! Decryption of an RC4-encrypted Workbook stream ([MS-XLS] 2.2.10 Encryption).
//!
//! Excel encrypts the data of every record after FilePass, but never the record headers, so
//! the stream can be walked as it is. The RC4 keystream follows the position in the stream: the
//! byte at offset `p` is encrypted with byte `p mod 1024` of the keystream of block `p / 1024`,
//! whether or not the bytes before it were encrypted (headers and unencrypted records use up
//! keystream too). Some records are never encrypted: BOF, FilePass, UsrExcl, FileLock,
//! InterfaceHdr, RRDInfo, RRDHead, and the first four bytes (`lbPlyPos`) of BoundSheet8.
//!
//! [MS-XLS]: https://learn.microsoft.com/openspecs/office_file_formats/ms-xls

use rc4::StreamCipher;

use super::filepass::BlockKeys;
use super::records::{HEADER_LEN, Records, kind};

/// Bytes encrypted with one key.
const BLOCK_LEN: usize = 1024;

/// A copy of `stream` with the data of the records that start at or after `from` decrypted.
/// The walk stops at the first damaged record (the reader reports it).
pub(super) fn decrypt_stream(stream: &[u8], from: usize, keys: &BlockKeys) -> Vec<u8> {
    let mut plain = stream.to_vec();
    let mut keystream = Keystream::new(keys);
    for record in Records::new(stream).map_while(Result::ok) {
        if record.offset < from {
            continue;
        }
        let skip = match record.kind {
            kind::BOF
            | kind::FILEPASS
            | kind::USREXCL
            | kind::FILELOCK
            | kind::INTERFACEHDR
            | kind::RRDINFO
            | kind::RRDHEAD => continue,
            kind::BOUNDSHEET8 => 4,
            _ => 0,
        };
        let start = record.offset + HEADER_LEN + skip;
        let end = record.offset + HEADER_LEN + record.data.len();
        if let Some(data) = plain.get_mut(start..end) {
            keystream.apply(data, start);
        }
    }
    plain
}

/// The keystream of the current block.
struct Keystream<'k> {
    keys: &'k BlockKeys,
    block: Option<usize>,
    bytes: [u8; BLOCK_LEN],
}

impl<'k> Keystream<'k> {
    fn new(keys: &'k BlockKeys) -> Keystream<'k> {
        Keystream {
            keys,
            block: None,
            bytes: [0; BLOCK_LEN],
        }
    }

    /// XORs `data`, which sits at `offset` in the stream, with the keystream.
    fn apply(&mut self, data: &mut [u8], offset: usize) {
        let mut position = offset;
        for chunk in split_at_blocks(data, offset) {
            let block = position / BLOCK_LEN;
            if self.block != Some(block) {
                self.load(block);
            }
            let within = position % BLOCK_LEN;
            for (byte, key) in chunk.iter_mut().zip(self.bytes.iter().skip(within)) {
                *byte ^= key;
            }
            position += chunk.len();
        }
    }

    fn load(&mut self, block: usize) {
        self.bytes = [0; BLOCK_LEN];
        let number = u32::try_from(block).unwrap_or(u32::MAX);
        if let Some(mut cipher) = self.keys.cipher(number) {
            cipher.apply_keystream(&mut self.bytes);
        }
        self.block = Some(block);
    }
}

/// `data` (at `offset` in the stream) cut where the 1,024-byte blocks of the stream begin.
fn split_at_blocks(data: &mut [u8], offset: usize) -> Vec<&mut [u8]> {
    let mut chunks = Vec::new();
    let mut rest = data;
    let mut position = offset;
    while !rest.is_empty() {
        let room = BLOCK_LEN - position % BLOCK_LEN;
        let (head, tail) = rest.split_at_mut(room.min(rest.len()));
        position += head.len();
        chunks.push(head);
        rest = tail;
    }
    chunks
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    use crate::formats::ole::biff::tests::record;

    /// The keystream byte at stream offset `p`.
    fn key_at(keys: &BlockKeys, p: usize) -> u8 {
        let mut block = [0u8; BLOCK_LEN];
        keys.cipher((p / BLOCK_LEN) as u32)
            .unwrap()
            .apply_keystream(&mut block);
        block[p % BLOCK_LEN]
    }

    #[test]
    fn data_is_decrypted_by_stream_position_headers_and_exceptions_are_not() {
        let keys = BlockKeys::rc4("VelvetSweatshop", &[3; 16]);
        let mut stream = record(kind::BOF, &[0, 6, 5, 0]);
        stream.extend(record(kind::FILEPASS, &[1, 0]));
        let filepass_end = stream.len();
        stream.extend(record(kind::BOUNDSHEET8, &[9; 8]));
        stream.extend(record(kind::INTERFACEHDR, &[8, 8]));
        // A record that straddles the first block boundary.
        stream.extend(record(0x00FC, &vec![0xAB; 2000]));
        let plain = decrypt_stream(&stream, 6, &keys);
        assert_eq!(&plain[..filepass_end], &stream[..filepass_end]);
        let sheet = filepass_end;
        assert_eq!(&plain[sheet..sheet + 8], &stream[sheet..sheet + 8]);
        for (p, byte) in plain.iter().enumerate().take(sheet + 12).skip(sheet + 8) {
            assert_eq!(*byte, 9 ^ key_at(&keys, p), "offset {p}");
        }
        let hdr = sheet + 12;
        assert_eq!(&plain[hdr..hdr + 6], &stream[hdr..hdr + 6]);
        let big = hdr + 6;
        assert_eq!(&plain[big..big + 4], &stream[big..big + 4]);
        for p in [big + 4, 1023, 1024, 1025, big + 2003] {
            assert_eq!(plain[p], 0xAB ^ key_at(&keys, p), "offset {p}");
        }
    }
}
