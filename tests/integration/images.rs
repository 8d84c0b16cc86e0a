//! Disk images (issue 6): the NTFS fixture images in `testdata/images` (bare, MBR, GPT, E01 and
//! a split raw copy) give the same findings as a folder holding the same files, plus what only
//! the file system knows (Mark of the Web, MFT times and record numbers, deleted files); the
//! corpus images in `../shared/corpus/images` list and recover their files, and an ext2 E01 is
//! reported as holding no NTFS volume.

use std::collections::BTreeMap;
use std::path::Path;

use md5::{Digest, Md5};
use serde_json::Value;

use crate::util::{Scan, copy_tree, scan, testdata};

/// Where the NTFS volume starts in each fixture image.
const IMAGES: [(&str, u64); 5] = [
    ("ntfs-bare.raw", 0),
    ("ntfs-mbr.raw", 1_048_576),
    ("ntfs-gpt.raw", 1_048_576),
    ("ntfs-mbr.E01", 1_048_576),
    // Nine 1 MiB segments: E02 to E09 are found beside E01.
    ("split-e01/ntfs-mbr.E01", 1_048_576),
];

/// The CSV make-images.sh writes into bob's compressed folder: 700 contacts with export.csv's
/// DDE row before the 500th.
fn contacts_archive() -> Vec<u8> {
    let export =
        std::fs::read_to_string(testdata("sample-evidence/C/Users/bob/Desktop/export.csv"))
            .unwrap();
    // Lines as `head` and `grep` copy them: with their CRLF endings.
    let mut lines = export.split_inclusive('\n');
    let mut text = lines.next().unwrap().to_owned();
    let dde = lines.find(|l| l.contains("=MSEXCEL")).unwrap();
    for i in 1..=700 {
        if i == 500 {
            text.push_str(dde);
        }
        text.push_str(&format!(
            "Contact{i:03},Archive,contact{i:03}@contoso.example,+33 4 72 00 {:02} {:02},Contoso,\n",
            i / 100,
            i % 100
        ));
    }
    text.into_bytes()
}

/// A folder holding the files the fixture images hold, at the same paths.
fn folder_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&testdata("sample-evidence/C"), dir.path());
    let root = dir.path();
    std::fs::copy(
        testdata("documents/positive/word-every-part.docm"),
        root.join("Users/alice/Documents/Meeting_Minutes.docm"),
    )
    .unwrap();
    std::fs::copy(
        testdata("documents/positive/rtf-ddeauto.rtf"),
        root.join("Users/bob/Desktop/deleted.rtf"),
    )
    .unwrap();
    std::fs::write(
        root.join("Users/bob/Documents/contacts-archive.csv"),
        contacts_archive(),
    )
    .unwrap();
    std::fs::create_dir_all(root.join("Users/alice/AppData/Local/Temp")).unwrap();
    std::fs::write(
        root.join("Users/alice/AppData/Local/Temp/~WRL0001.tmp"),
        b"WRL0000 tmp",
    )
    .unwrap();
    dir
}

/// The findings of a scan, without what depends on the file system (times, image provenance)
/// and without the file-system rows themselves: (path, rule, message, command, key, record).
fn findings(run: &Scan) -> Vec<[String; 6]> {
    let text = |row: &Value, key: &str| match &row[key] {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut found: Vec<[String; 6]> = run
        .rows
        .iter()
        .filter(|r| r["severity"] != "info")
        .filter(|r| {
            !r["data_type"]
                .as_str()
                .unwrap()
                .starts_with("ddesweep:file:")
        })
        .map(|r| {
            [
                text(r, "source_path"),
                text(r, "rule_id"),
                text(r, "message"),
                text(r, "command"),
                text(r, "registry_key"),
                text(r, "record_number"),
            ]
        })
        .collect();
    found.sort();
    found
}

/// SHA-256 of every file read, by path.
fn hashes(run: &Scan) -> BTreeMap<String, String> {
    run.manifest["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| {
            Some((
                a["path"].as_str()?.to_owned(),
                a["sha256"].as_str()?.to_owned(),
            ))
        })
        .collect()
}

fn sha256_of(path: &Path) -> String {
    let digest = sha2::Sha256::digest(std::fs::read(path).unwrap());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn rows_of<'a>(run: &'a Scan, path: &str) -> Vec<&'a Value> {
    run.rows
        .iter()
        .filter(|r| r["source_path"] == path)
        .collect()
}

fn has_tag(row: &Value, tag: &str) -> bool {
    row["tag"].as_array().unwrap().iter().any(|t| t == tag)
}

#[test]
fn images_give_the_folder_copys_findings_plus_file_system_context() {
    let folder = folder_copy();
    let reference = scan(&[folder.path()], &[]);
    assert_eq!(reference.code, 0, "{}", reference.stderr);
    let expected = findings(&reference);
    // The documents of the sample host, the fragmented, compressed and deleted ones, and the
    // host's logs, hives and prefetch all have findings.
    let paths: std::collections::BTreeSet<&str> = expected.iter().map(|f| f[0].as_str()).collect();
    for path in [
        "Users/alice/Documents/Meeting_Minutes.docm",
        "Users/bob/Documents/contacts-archive.csv",
        "Users/bob/Desktop/deleted.rtf",
        "Users/alice/Downloads/Invoice_2291.docx",
        "Windows/System32/winevt/Logs/Security.evtx",
        "Windows/System32/config/SOFTWARE",
    ] {
        assert!(
            paths.contains(path),
            "{path} has no finding in the folder scan"
        );
    }
    let reference_hashes = hashes(&reference);

    for (image, volume_offset) in IMAGES {
        let path = testdata(&format!("images/{image}"));
        let before = sha256_of(&path);
        let run = scan(&[&path], &[]);
        assert_eq!(sha256_of(&path), before, "{image} was written to");
        assert_eq!(run.code, 0, "{image}: {}", run.stderr);
        assert_eq!(findings(&run), expected, "{image}");
        // Every file the image holds reads to the same bytes as its folder copy (the
        // compressed CSV and the fragmented document included); the Word temporary file differs
        // in the copy on purpose and is not read.
        let image_hashes = hashes(&run);
        for (path, sha256) in &image_hashes {
            assert_eq!(reference_hashes.get(path), Some(sha256), "{image}: {path}");
        }
        assert_eq!(image_hashes.len(), 14, "{image}: {image_hashes:?}");

        let evidence = &run.manifest["evidence"][0];
        assert_eq!(evidence["kind"], "disk image");
        assert_eq!(
            evidence["container"],
            if image.ends_with(".E01") {
                "E01"
            } else {
                "raw"
            }
        );
        if image != "ntfs-bare.raw" {
            assert_eq!(evidence["size"], 8_388_608, "{image}");
        }
        let volume = &evidence["volumes"][0];
        assert_eq!(volume["offset"], volume_offset, "{image}");
        assert_eq!(volume["file_system"], "ntfs");
        assert_eq!(volume["listing"]["deleted_files"], 1);

        // Provenance: volume and MFT record on the rows and in the manifest.
        let software = run.artifact("Windows/System32/config/SOFTWARE");
        assert_eq!(software["ntfs"]["mft_record"], 67);
        assert_eq!(software["ntfs"]["found_by"], "directory_walk");
        for row in rows_of(&run, "Windows/System32/config/SOFTWARE") {
            assert_eq!(row["mft_record"], 67, "{row}");
            assert_eq!(row["volume_offset"], volume_offset, "{row}");
        }
        // MFT times of a hive: $SI and $FN, MACB each.
        let hive_times: Vec<(&str, &str)> = rows_of(&run, "Windows/System32/config/SOFTWARE")
            .into_iter()
            .filter(|r| r["data_type"] == "ddesweep:file:stat")
            .map(|r| {
                (
                    r["mft_attribute"].as_str().unwrap(),
                    r["timestamp_desc"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(hive_times.len(), 8, "{image}: {hive_times:?}");
        assert!(hive_times.contains(&("$FILE_NAME", "Creation Time")));
        assert!(hive_times.contains(&("$STANDARD_INFORMATION", "Content Modification Time")));

        // Mark of the Web on the invoice's finding, and a row saying where it came from.
        let invoice = "Users/alice/Downloads/Invoice_2291.docx";
        let finding = rows_of(&run, invoice)
            .into_iter()
            .find(|r| r["rule_id"] == "ddesweep.document.ddeauto_field")
            .unwrap();
        assert_eq!(finding["zone_id"], 3);
        assert_eq!(
            finding["host_url"],
            "https://files.example.net/Invoice_2291.docx"
        );
        assert_eq!(finding["referrer_url"], "https://mail.example.com/");
        assert_eq!(finding["mft_record"], 97);
        assert!(has_tag(finding, "mark_of_the_web"));
        let origin = rows_of(&run, invoice)
            .into_iter()
            .find(|r| r["data_type"] == "ddesweep:file:mark_of_the_web")
            .unwrap();
        assert_eq!(origin["datetime"], "2024-03-12T09:14:07.000000+00:00");
        assert!(
            origin["message"].as_str().unwrap().contains(
                "came from https://files.example.net/Invoice_2291.docx (zone 3, internet"
            ),
            "{origin}"
        );

        // The deleted RTF is recovered from its freed MFT record and tagged.
        let deleted = run.artifact("Users/bob/Desktop/deleted.rtf");
        assert_eq!(deleted["ntfs"]["found_by"], "deleted_record");
        assert_eq!(deleted["ntfs"]["mft_record"], 101);
        let deleted_rows = rows_of(&run, "Users/bob/Desktop/deleted.rtf");
        assert!(!deleted_rows.is_empty());
        assert!(deleted_rows.iter().all(|r| has_tag(r, "deleted")));
        // Nothing else is tagged deleted.
        assert!(
            run.rows
                .iter()
                .filter(|r| has_tag(r, "deleted"))
                .all(|r| r["source_path"] == "Users/bob/Desktop/deleted.rtf")
        );

        // The Outlook attachment is tagged as such (as it is in the folder scan).
        let attachment = "Users/alice/AppData/Local/Microsoft/Windows/INetCache/Content.Outlook/7XK2LQ0B/Payment_Advice.xlsx";
        assert!(
            rows_of(&run, attachment)
                .iter()
                .all(|r| has_tag(r, "email_attachment"))
        );
        assert!(!rows_of(&run, attachment).is_empty());

        // Quarterly_Report.docx (no DDE) had its $SI times set back to 2019: a finding, timed
        // at its real ($FN) creation.
        let stomped = rows_of(&run, "Users/bob/Documents/Quarterly_Report.docx");
        assert_eq!(stomped.len(), 1, "{stomped:?}");
        assert_eq!(stomped[0]["rule_id"], "ddesweep.filesystem.timestomp");
        assert_eq!(stomped[0]["datetime"], "2024-03-11T08:30:00.000000+00:00");
        assert_eq!(stomped[0]["mft_record"], 86);
        assert_eq!(
            stomped[0]["message"],
            "Times of document Users/bob/Documents/Quarterly_Report.docx altered: \
             $STANDARD_INFORMATION says created 2019-06-04T09:12:00.000000+00:00, \
             $FILE_NAME says 2024-03-11T08:30:00.000000+00:00"
        );
        assert!(run.rows.iter().filter(|r| has_tag(r, "timestomp")).count() == 1);

        // The FAT partition of the MBR disk is listed, not scanned.
        if image.contains("ntfs-mbr") {
            let fat = &evidence["volumes"][1];
            assert_eq!(fat["file_system"], "fat");
            assert_eq!(fat["status"], "not supported");
            assert_eq!(fat["offset"], 7_340_032);
        }
    }
    // The folder scan tags the Outlook attachment too, but knows nothing of the others.
    let attachment = "Users/alice/AppData/Local/Microsoft/Windows/INetCache/Content.Outlook/7XK2LQ0B/Payment_Advice.xlsx";
    assert!(
        rows_of(&reference, attachment)
            .iter()
            .all(|r| has_tag(r, "email_attachment"))
    );
    assert!(
        reference
            .rows
            .iter()
            .all(|r| r["mft_record"].is_null() && r["zone_id"].is_null())
    );
}

#[test]
fn split_raw_images_read_as_one() {
    let whole = std::fs::read(testdata("images/ntfs-mbr.raw")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Three segments whose borders fall inside the NTFS volume (and inside files).
    for (n, part) in whole.chunks(3_000_000).enumerate() {
        std::fs::write(dir.path().join(format!("disk.{:03}", n + 1)), part).unwrap();
    }
    let split = scan(&[&dir.path().join("disk.001")], &[]);
    let single = scan(&[&testdata("images/ntfs-mbr.raw")], &[]);
    assert_eq!(split.code, 0, "{}", split.stderr);
    assert_eq!(split.manifest["evidence"][0]["container"], "split raw");
    assert_eq!(findings(&split), findings(&single));
    assert_eq!(hashes(&split), hashes(&single));
}

#[test]
fn damaged_images_cost_what_is_damaged() {
    let whole = std::fs::read(testdata("images/ntfs-mbr.raw")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Cut inside the NTFS volume: the partition runs past the end of the image.
    let cut = dir.path().join("cut.raw");
    std::fs::write(&cut, &whole[..3 * 1024 * 1024]).unwrap();
    // An MBR whose partition points far past the end.
    let mut forged = whole[..1024 * 1024 + 4096].to_vec();
    forged[446 + 8..446 + 12].copy_from_slice(&0xFFFF_FF00u32.to_le_bytes());
    let far = dir.path().join("far.raw");
    std::fs::write(&far, &forged).unwrap();
    for path in [&cut, &far] {
        let run = scan(&[path], &[]);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        assert!(
            run.code == 0 || run.code == 1,
            "{}: {}",
            path.display(),
            run.stderr
        );
        let evidence = &run.manifest["evidence"][0];
        assert_eq!(evidence["kind"], "disk image", "{evidence}");
        assert!(
            !evidence["notes"].as_array().unwrap().is_empty(),
            "{evidence}"
        );
    }
}

/// `../shared/corpus/images`, when present.
fn corpus_images() -> Option<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/images");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} not found", dir.display());
        None
    }
}

#[test]
fn corpus_ntfs_testfs1_lists_its_files() {
    let Some(dir) = corpus_images() else { return };
    let run = scan(&[&dir.join("ntfs-testfs1.raw")], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let listed: Vec<(&str, u64, &str)> = run.manifest["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["path"].as_str().unwrap(),
                a["ntfs"]["mft_record"].as_u64().unwrap(),
                a["reason"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    // As `fls -r` lists them (the $-metadata files aside).
    assert_eq!(
        listed,
        [
            (
                "1000-bytes-file",
                66,
                "not a document, log or hive type that ddesweep analyses"
            ),
            ("empty-file", 64, "empty file (0 bytes)"),
            (
                "file-with-12345",
                65,
                "not a document, log or hive type that ddesweep analyses"
            ),
            (
                "sparse-file",
                67,
                "not a document, log or hive type that ddesweep analyses"
            ),
        ]
    );
    // The sparse file reads with its hole as zeros (runs: data, sparse, data).
    let item = ddesweep::evidence::open(0, &dir.join("ntfs-testfs1.raw")).unwrap();
    let sparse = item
        .entries
        .iter()
        .find(|e| e.source_path == "sparse-file")
        .unwrap();
    let bytes = ddesweep::evidence::map_entry(sparse).unwrap();
    assert_eq!(bytes.len(), 500_005);
    assert_eq!(&bytes[..5], b"12345");
    assert!(bytes[5..500_000].iter().all(|&b| b == 0));
    assert_eq!(&bytes[500_000..], b"11111");
    // One of the 512 subdirectories has a damaged MFT record: named, not fatal.
    let listing = &run.manifest["evidence"][0]["volumes"][0]["listing"];
    assert_eq!(
        listing["unreadable_directories"].as_array().unwrap().len(),
        1
    );
    assert!(
        listing["unreadable_directories"][0]
            .as_str()
            .unwrap()
            .starts_with("many_subdirs/187:")
    );
}

#[test]
fn corpus_undelete_image_recovers_every_deleted_file() {
    let Some(dir) = corpus_images() else { return };
    // The image is zipped: extracted into a temporary folder with the zip crate.
    let unzipped = tempfile::tempdir().unwrap();
    let zipped = std::fs::File::open(dir.join("7-undel-ntfs.zip")).unwrap();
    let mut archive = zip::ZipArchive::new(zipped).unwrap();
    let mut member = archive.by_name("7-undel-ntfs/7-ntfs-undel.dd").unwrap();
    let image = unzipped.path().join("7-ntfs-undel.dd");
    std::io::copy(&mut member, &mut std::fs::File::create(&image).unwrap()).unwrap();
    let item = ddesweep::evidence::open(0, &image).unwrap();
    assert_eq!(item.kind, "disk image");
    let mut recovered = BTreeMap::new();
    for entry in &item.entries {
        let Some(file) = &entry.image else { continue };
        let bytes = ddesweep::evidence::map_entry(entry).unwrap();
        recovered.insert(
            entry.source_path.clone(),
            (
                file.record,
                file.deleted(),
                Md5::digest(&*bytes)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>(),
            ),
        );
    }
    // The image's answer sheet (index.html): every deleted file, its MFT entry and MD5.
    // sing2.dat's folder record was reused, so its path is lost: $OrphanFiles, as in fls.
    let expected = [
        (
            "$OrphanFiles/sing2.dat",
            38,
            "c229626f6a71b167ad7e50c4f2fccdb1",
        ),
        (
            "dir1/dir2/frag3.dat",
            35,
            "21121699487f3fbbdb9a4b3391b6d3e0",
        ),
        ("dir1/mult2.dat", 36, "59cf0e9cd107bc1e75afb7374f6e05bb"),
        ("frag1.dat", 29, "7a3bc5b763bef201202108f4ba128149"),
        ("frag2.dat", 30, "0e80ab84ef0087e60dfc67b88a1cf13e"),
        ("mult1.dat", 32, "ffd27bd782bdce67750b6b9ee069d2ef"),
        ("mult1.dat:ADS", 32, "ba1b9eedb1c091ddca253d35dde8f616"),
        ("res1.dat", 37, "9036637712b491904cd0bfbdbe648453"),
        ("sing1.dat", 31, "59b20779f69ff9f0ac5fcd2c38835a79"),
    ];
    for (path, record, md5) in expected {
        assert_eq!(
            recovered.get(path),
            Some(&(record, true, md5.to_owned())),
            "{path}"
        );
    }
    assert_eq!(recovered.len(), expected.len() + 1, "{recovered:?}");
    assert!(!recovered["System Volume Information/tracking.log"].1);
}

#[test]
fn corpus_ext2_e01_has_no_ntfs_volume() {
    let Some(dir) = corpus_images() else { return };
    let run = scan(&[&dir.join("plaso-ext2-image.E01")], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let evidence = &run.manifest["evidence"][0];
    assert_eq!(evidence["container"], "E01");
    assert_eq!(evidence["volumes"][0]["file_system"], "ext");
    assert_eq!(evidence["volumes"][0]["status"], "not supported");
    assert_eq!(
        evidence["notes"][0],
        "no NTFS volume: nothing in this image was analysed"
    );
    assert_eq!(run.manifest["totals"]["seen"], 0);
}

#[test]
fn contiguous_files_of_raw_images_are_borrowed_not_copied() {
    use ddesweep::evidence::{EntryBytes, map_entry, open};
    let bytes_of = |image: &str, path: &str| {
        let item = open(0, &testdata(&format!("images/{image}"))).unwrap();
        let entry = item.entries.iter().find(|e| e.source_path == path).unwrap();
        map_entry(entry).unwrap()
    };
    // One run in a raw image: a slice of the image's map.
    assert!(matches!(
        bytes_of("ntfs-mbr.raw", "Windows/System32/config/SOFTWARE"),
        EntryBytes::Slice { start, .. } if start > 1_048_576
    ));
    // Two runs (fragmented), compressed, resident, or in an E01: copied out.
    for (image, path) in [
        ("ntfs-mbr.raw", "Users/alice/Documents/Meeting_Minutes.docm"),
        ("ntfs-mbr.raw", "Users/bob/Documents/contacts-archive.csv"),
        ("ntfs-mbr.raw", "Users/bob/Desktop/deleted.rtf"),
        ("ntfs-mbr.E01", "Windows/System32/config/SOFTWARE"),
    ] {
        assert!(
            matches!(bytes_of(image, path), EntryBytes::Owned(_)),
            "{image}: {path}"
        );
    }
}

#[test]
fn files_of_a_directory_the_walk_cannot_open_are_found_by_the_mft_scan() {
    let mut bytes = std::fs::read(testdata("images/ntfs-bare.raw")).unwrap();
    // Rename the $I30 index of Users/bob/Desktop (record 83) to $I31: the record still parses,
    // but the crate finds no directory index in it.
    let record = mft_region(&bytes).start + 83 * 1024;
    let name: Vec<u8> = "$I30".encode_utf16().flat_map(u16::to_le_bytes).collect();
    let at = record
        + bytes[record..record + 1024]
            .windows(name.len())
            .position(|w| w == name)
            .unwrap();
    bytes[at + 6] = b'1';
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("desktop-index-renamed.raw");
    std::fs::write(&image, &bytes).unwrap();
    let run = scan(&[&image], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let listing = &run.manifest["evidence"][0]["volumes"][0]["listing"];
    assert_eq!(listing["found_by_mft_scan"], 1);
    assert!(
        listing["unreadable_directories"][0]
            .as_str()
            .unwrap()
            .starts_with("Users/bob/Desktop: "),
        "{listing}"
    );
    let export = run.artifact("Users/bob/Desktop/export.csv");
    assert_eq!(export["ntfs"]["found_by"], "mft_scan");
    assert_eq!(export["ntfs"]["mft_record"], 84);
    assert_eq!(export["findings"], 1);
    assert_eq!(
        run.artifact("Users/bob/Desktop/deleted.rtf")["ntfs"]["found_by"],
        "deleted_record"
    );
}

/// An MFT record of the bare image with its update-sequence fixups undone (sector ends restored).
fn load_record(image: &[u8], record: usize) -> Vec<u8> {
    let start = mft_region(image).start + record * 1024;
    let mut bytes = image[start..start + 1024].to_vec();
    let array = u16::from_le_bytes([bytes[4], bytes[5]]) as usize;
    for i in 1..3 {
        bytes[i * 512 - 2] = bytes[array + 2 * i];
        bytes[i * 512 - 1] = bytes[array + 2 * i + 1];
    }
    bytes
}

/// Writes an MFT record back into the bare image, fixups redone.
fn store_record(image: &mut [u8], record: usize, mut bytes: Vec<u8>) {
    let array = u16::from_le_bytes([bytes[4], bytes[5]]) as usize;
    let usn = [bytes[array], bytes[array + 1]];
    for i in 1..3 {
        bytes[array + 2 * i] = bytes[i * 512 - 2];
        bytes[array + 2 * i + 1] = bytes[i * 512 - 1];
        bytes[i * 512 - 2] = usn[0];
        bytes[i * 512 - 1] = usn[1];
    }
    let start = mft_region(image).start + record * 1024;
    image[start..start + 1024].copy_from_slice(&bytes);
}

/// Where the unnamed $DATA attribute of a record starts.
fn data_attribute(record: &[u8]) -> usize {
    let mut at = u16::from_le_bytes([record[0x14], record[0x15]]) as usize;
    loop {
        let kind = u32::from_le_bytes(record[at..at + 4].try_into().unwrap());
        let len = u32::from_le_bytes(record[at + 4..at + 8].try_into().unwrap()) as usize;
        assert_ne!(kind, 0xFFFF_FFFF, "no unnamed $DATA");
        if kind == 0x80 && record[at + 9] == 0 {
            return at;
        }
        at += len;
    }
}

#[test]
fn hostile_structures_cost_only_themselves() {
    let bare = std::fs::read(testdata("images/ntfs-bare.raw")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let scan_bytes = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let run = scan(&[&path], &[]);
        assert!(!run.stderr.contains("panicked"), "{name}: {}", run.stderr);
        run
    };

    // A GPT header claiming 2^32-1 partition entries (gptman would try to allocate them all).
    let mut gpt = std::fs::read(testdata("images/ntfs-gpt.raw")).unwrap();
    gpt[512 + 80..512 + 84].copy_from_slice(&u32::MAX.to_le_bytes());
    let run = scan_bytes("gpt-huge.raw", &gpt);
    assert_eq!(
        run.manifest["evidence"][0]["notes"][0],
        "GPT header refused (4294967295 partition entries of 128 bytes); trying the MBR"
    );

    // The invoice's valid data length set to 0: its clusters still hold the document, but
    // Windows (and icat) read zeros, and so does ddesweep: no finding from stale bytes.
    let mut zeroed = bare.clone();
    let mut invoice = load_record(&zeroed, 97);
    let at = data_attribute(&invoice);
    invoice[at + 0x38..at + 0x40].copy_from_slice(&0u64.to_le_bytes());
    store_record(&mut zeroed, 97, invoice);
    let run = scan_bytes("uninitialized.raw", &zeroed);
    let artifact = run.artifact("Users/alice/Downloads/Invoice_2291.docx");
    assert_eq!(artifact["findings"], 0, "{artifact}");
    assert_eq!(artifact["status"], "failed", "{artifact}");

    // The invoice's run list pointing past the end of the volume: refused, not read from
    // whatever lies there.
    let mut outside = bare.clone();
    let mut invoice = load_record(&outside, 97);
    let at = data_attribute(&invoice);
    let runs = at + u16::from_le_bytes([invoice[at + 0x20], invoice[at + 0x21]]) as usize;
    // One run header 0x41: 1-byte length, 4-byte LCN; LCN set to 0x7FFF_FFF0 clusters.
    invoice[runs] = 0x41;
    invoice[runs + 2..runs + 6].copy_from_slice(&0x7FFF_FFF0u32.to_le_bytes());
    invoice[runs + 6] = 0;
    store_record(&mut outside, 97, invoice);
    let run = scan_bytes("outside.raw", &outside);
    let artifact = run.artifact("Users/alice/Downloads/Invoice_2291.docx");
    assert_eq!(artifact["status"], "failed");
    assert!(
        artifact["reason"]
            .as_str()
            .unwrap()
            .contains("lies outside the volume"),
        "{artifact}"
    );
    // Everything else on the volume is still read.
    assert_eq!(
        run.artifact("Windows/System32/config/SOFTWARE")["status"],
        "analyzed"
    );

    // The root directory's index node (INDX at cluster 197) made to point at itself: the walk
    // stops at its read budget instead of growing forever, and the root's files are still
    // listed.
    let mut looping = bare.clone();
    let node = 197 * 4096;
    assert_eq!(&looping[node..node + 4], b"INDX");
    let mut record = looping[node..node + 4096].to_vec();
    let array = u16::from_le_bytes([record[4], record[5]]) as usize;
    let usn = [record[array], record[array + 1]];
    for i in 1..8 {
        record[i * 512 - 2] = record[array + 2 * i];
        record[i * 512 - 1] = record[array + 2 * i + 1];
    }
    let header = 0x18;
    let word = |r: &[u8], at: usize| u32::from_le_bytes(r[at..at + 4].try_into().unwrap());
    let used = word(&record, header + 4);
    let mut entry = header + word(&record, header) as usize;
    // Find the last (end) entry and give it a subnode pointing at VCN 0: this very node.
    while word(&record, entry + 12) & 2 == 0 {
        entry += u16::from_le_bytes([record[entry + 8], record[entry + 9]]) as usize;
    }
    record[entry + 8..entry + 10].copy_from_slice(&24u16.to_le_bytes());
    let flags = word(&record, entry + 12) | 1;
    record[entry + 12..entry + 16].copy_from_slice(&flags.to_le_bytes());
    record[entry + 16..entry + 24].copy_from_slice(&0u64.to_le_bytes());
    record[header + 4..header + 8].copy_from_slice(&(used + 8).to_le_bytes());
    record[header + 12] |= 1;
    for i in 1..8 {
        record[array + 2 * i] = record[i * 512 - 2];
        record[array + 2 * i + 1] = record[i * 512 - 1];
        record[i * 512 - 2] = usn[0];
        record[i * 512 - 1] = usn[1];
    }
    looping[node..node + 4096].copy_from_slice(&record);
    let run = scan_bytes("index-loop.raw", &looping);
    let listing = &run.manifest["evidence"][0]["volumes"][0]["listing"];
    assert!(
        listing["unreadable_directories"][0]
            .as_str()
            .unwrap()
            .contains("read budget exhausted"),
        "{listing}"
    );
    assert_eq!(listing["files"], 16, "{listing}");
}

/// A small deterministic generator (xorshift64*), so failures reproduce.
fn next(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

/// Where the bare volume's MFT starts and how long its used part is (the records the fixture
/// uses: 0 to 101, 1 KiB each).
fn mft_region(volume: &[u8]) -> std::ops::Range<usize> {
    let bytes_per_sector = u16::from_le_bytes([volume[11], volume[12]]) as usize;
    let cluster = bytes_per_sector * volume[13] as usize;
    let lcn = u64::from_le_bytes(volume[0x30..0x38].try_into().unwrap()) as usize;
    lcn * cluster..lcn * cluster + 102 * 1024
}

#[test]
fn mutated_images_never_stop_a_run() {
    let seed = std::fs::read(testdata("images/ntfs-bare.raw")).unwrap();
    let mft = mft_region(&seed);
    let dir = tempfile::tempdir().unwrap();
    let profile = ddesweep::profile::load("default").unwrap();
    let mut panics = 0;
    for i in 0..MUTATED_IMAGES {
        let mut state = 0x9E37_79B9_7F4A_7C15 ^ (i as u64 + 1);
        let mut bytes = seed.clone();
        // A few bytes of the MFT (headers, attributes, run lists, fixups) set to random or
        // extreme values; every fourth variant also damages bytes anywhere in the volume.
        for _ in 0..1 + next(&mut state) % 8 {
            let at = mft.start + (next(&mut state) as usize % mft.len());
            bytes[at] = match next(&mut state) % 3 {
                0 => 0xFF,
                1 => 0x00,
                _ => next(&mut state) as u8,
            };
        }
        if i % 4 == 0 {
            let at = next(&mut state) as usize % bytes.len();
            bytes[at] ^= 0xFF;
        }
        let image = dir.path().join(format!("m{i}.raw"));
        std::fs::write(&image, &bytes).unwrap();
        let out = dir.path().join(format!("out{i}"));
        let settings =
            ddesweep::pipeline::Settings::new(vec![image.clone()], out.clone(), profile.clone())
                .threads(1)
                .progress(false);
        let summary = ddesweep::pipeline::run(&settings)
            .unwrap_or_else(|err| panic!("mutation {i}: the run stopped: {err}"));
        let manifest: Value =
            serde_json::from_slice(&std::fs::read(&summary.manifest).unwrap()).unwrap();
        let artifacts = manifest["artifacts"].as_array().unwrap();
        assert_eq!(
            artifacts.len(),
            manifest["evidence"][0]["entries"],
            "mutation {i}"
        );
        panics += artifacts
            .iter()
            .filter(|a| a["reason"].as_str().is_some_and(|r| r.contains("panic")))
            .count();
        std::fs::remove_file(&image).unwrap();
        std::fs::remove_dir_all(&out).unwrap();
    }
    eprintln!("{MUTATED_IMAGES} mutated images: {panics} artifacts failed on a caught panic");
}

/// Mutated variants of the bare NTFS image run through the whole pipeline.
const MUTATED_IMAGES: usize = 300;
