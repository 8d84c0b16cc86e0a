//! Disk images from `../shared/corpus/images` (issue 6; skipped when absent): ntfs-testfs1.raw
//! lists and reads its files as fls does, the 7-undel-ntfs image gives back every deleted file
//! with the MD5 of its answer sheet, and an ext2 E01 is reported as holding no NTFS volume.

use std::collections::BTreeMap;
use std::path::Path;

use md5::{Digest, Md5};

use crate::util::scan;

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
    let item =
        ddesweep::evidence::open(0, &dir.join("ntfs-testfs1.raw"), Default::default()).unwrap();
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
    let item = ddesweep::evidence::open(0, &image, Default::default()).unwrap();
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
