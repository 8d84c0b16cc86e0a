//! Disk images (issue 6): the NTFS fixture images in `testdata/images` (bare, MBR, GPT, E01, a
//! nine-segment E01 and a split raw copy) give the same findings as a folder holding the same
//! files, plus what only the file system knows (Mark of the Web, MFT times and record numbers,
//! deleted files, timestomping); contiguous files are borrowed from the map, and files of a
//! directory the walk cannot open are found by the MFT scan. Damaged images are in
//! `images_hostile`, the corpus images in `images_corpus`.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use sha2::{Digest, Sha256};

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
    let digest = Sha256::digest(std::fs::read(path).unwrap());
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
fn contiguous_files_of_raw_images_are_borrowed_not_copied() {
    use ddesweep::evidence::{EntryBytes, map_entry, open};
    let bytes_of = |image: &str, path: &str| {
        let item = open(0, &testdata(&format!("images/{image}")), Default::default()).unwrap();
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

/// Where the bare volume's MFT starts and how long its used part is (the records the fixture
/// uses: 0 to 101, 1 KiB each).
pub(crate) fn mft_region(volume: &[u8]) -> std::ops::Range<usize> {
    let bytes_per_sector = u16::from_le_bytes([volume[11], volume[12]]) as usize;
    let cluster = bytes_per_sector * volume[13] as usize;
    let lcn = u64::from_le_bytes(volume[0x30..0x38].try_into().unwrap()) as usize;
    lcn * cluster..lcn * cluster + 102 * 1024
}
