//! Damaged and hostile disk images (issue 6): truncated images, partitions past the end, a
//! forged GPT, uninitialized data, runs outside the volume, a self-looping directory index, and
//! 300 mutated images through the whole pipeline: each costs what is damaged, never the run.

use serde_json::Value;

use crate::images::mft_region;
use crate::util::{scan, testdata};

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

/// Puts back the sector ends an NTFS record (MFT `FILE` or index `INDX`, 512-byte sectors)
/// saved in its update sequence array.
fn undo_fixups(record: &mut [u8]) {
    let array = u16::from_le_bytes([record[4], record[5]]) as usize;
    for i in 1..=record.len() / 512 {
        record[i * 512 - 2] = record[array + 2 * i];
        record[i * 512 - 1] = record[array + 2 * i + 1];
    }
}

/// Saves a record's sector ends in its update sequence array and stamps them with its update
/// sequence number, as NTFS writes it.
fn redo_fixups(record: &mut [u8]) {
    let array = u16::from_le_bytes([record[4], record[5]]) as usize;
    let usn = [record[array], record[array + 1]];
    for i in 1..=record.len() / 512 {
        record[array + 2 * i] = record[i * 512 - 2];
        record[array + 2 * i + 1] = record[i * 512 - 1];
        record[i * 512 - 2] = usn[0];
        record[i * 512 - 1] = usn[1];
    }
}

/// An MFT record of the bare image with its update-sequence fixups undone.
fn load_record(image: &[u8], record: usize) -> Vec<u8> {
    let start = mft_region(image).start + record * 1024;
    let mut bytes = image[start..start + 1024].to_vec();
    undo_fixups(&mut bytes);
    bytes
}

/// Writes an MFT record back into the bare image, fixups redone.
fn store_record(image: &mut [u8], record: usize, mut bytes: Vec<u8>) {
    redo_fixups(&mut bytes);
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
    undo_fixups(&mut record);
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
    redo_fixups(&mut record);
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
