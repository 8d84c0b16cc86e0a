//! Helpers shared by the integration tests: building single fixtures and
//! reading parts out of packages.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::sync::Mutex;

use zip::ZipArchive;

/// The bytes of the fixture at `path`, built once per test binary (one at a
/// time, so tests that do not need the zip bomb do not pay for it).
pub fn get(path: &str) -> &'static [u8] {
    static CACHE: Mutex<BTreeMap<String, &'static [u8]>> = Mutex::new(BTreeMap::new());
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    cache.entry(path.to_owned()).or_insert_with(|| {
        let fixture =
            ddesweep_testgen::fixture(path).unwrap_or_else(|| panic!("no fixture {path}"));
        Box::leak(fixture.bytes.into_boxed_slice())
    })
}

pub fn open(bytes: &[u8]) -> ZipArchive<Cursor<&[u8]>> {
    ZipArchive::new(Cursor::new(bytes)).expect("a valid zip")
}

pub fn names_of(zip: &mut ZipArchive<Cursor<&[u8]>>) -> Vec<String> {
    zip.file_names()
        .map(|n| n.expect("UTF-8 name").into_owned())
        .collect()
}

pub fn part(bytes: &[u8], name: &str) -> Vec<u8> {
    let mut zip = open(bytes);
    let mut out = Vec::new();
    zip.by_name(name)
        .unwrap_or_else(|e| panic!("no part {name}: {e}"))
        .read_to_end(&mut out)
        .expect("readable part");
    out
}

pub fn part_text(bytes: &[u8], name: &str) -> String {
    String::from_utf8(part(bytes, name)).expect("UTF-8 part")
}

/// The `w:instrText` contents of a part, in order (XML entities of the
/// generated text are only `&amp; &lt; &gt;`).
pub fn instr_texts(xml: &str) -> Vec<String> {
    xml.split("<w:instrText xml:space=\"preserve\">")
        .skip(1)
        .map(|s| {
            s.split("</w:instrText>")
                .next()
                .unwrap_or("")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
        })
        .collect()
}

/// The text a fixture's DDE would be found in: zip parts concatenated (also read
/// as UTF-16LE at both alignments), UTF-16 decoded, or the raw bytes.
pub fn searchable(bytes: &[u8]) -> String {
    if bytes.starts_with(b"PK\x03\x04")
        && let Ok(mut zip) = ZipArchive::new(Cursor::new(bytes))
    {
        let mut all = Vec::new();
        for i in 0..zip.len() {
            // A part that fails to inflate still contributes what it gave.
            let _ = zip.by_index(i).unwrap().read_to_end(&mut all);
        }
        // Binary parts (.xlsb) hold their strings as UTF-16LE.
        let units = |from: usize| -> Vec<u16> {
            all.get(from..)
                .unwrap_or_default()
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect()
        };
        return [
            String::from_utf8_lossy(&all).into_owned(),
            String::from_utf16_lossy(&units(0)),
            String::from_utf16_lossy(&units(1)),
        ]
        .concat();
    }

    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        // Compound files (.doc) mix 8-bit and UTF-16LE text: both readings, at both alignments.
        // Streams are also read whole (an Outlook RTF body is decompressed).
        let mut text = compound_text(bytes);
        text.push_str(&String::from_utf8_lossy(bytes));
        for start in [0, 1] {
            let units: Vec<u16> = bytes[start..]
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            text.push_str(&String::from_utf16_lossy(&units));
        }
        return text;
    }
    String::from_utf8_lossy(bytes).into_owned()
}

/// Whether `bytes` are a password-encrypted OOXML package (an OLE compound file): its parts,
/// and so its commands, are ciphertext.
pub fn is_encrypted_package(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")
        && cfb::CompoundFile::open(Cursor::new(bytes))
            .is_ok_and(|file| file.is_stream("/EncryptedPackage"))
}

/// Every stream of a compound file, concatenated (an Outlook RTF body decompressed).
fn compound_text(bytes: &[u8]) -> String {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).expect("a compound file");
    let streams: Vec<String> = file
        .walk()
        .filter(|e| e.is_stream())
        .map(|e| e.path().to_string_lossy().into_owned())
        .collect();
    let mut all = String::new();
    for path in streams {
        let mut data = Vec::new();
        file.open_stream(&path)
            .unwrap()
            .read_to_end(&mut data)
            .unwrap();
        if path.ends_with("__substg1.0_10090102") {
            all.push_str(&compressed_rtf::decompress_rtf(&data).expect("an RTF body"));
        } else {
            all.push_str(&String::from_utf8_lossy(&data));
        }
    }
    all
}
