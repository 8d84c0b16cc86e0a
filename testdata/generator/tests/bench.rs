//! Checks the benchmark corpus: deterministic, formats in rotation, one in
//! four with DDE, sizes between 2 and 40 KB, valid packages.

use std::io::{Cursor, Read};

use ddesweep_testgen::bench::{FORMATS, MAX_SIZE, MIN_SIZE};
use ddesweep_testgen::{bench_carries_dde, bench_corpus};

fn contents(name: &str, bytes: &[u8]) -> String {
    if name.ends_with(".docx") || name.ends_with(".xlsx") {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("valid zip");
        let mut all = Vec::new();
        for i in 0..zip.len() {
            zip.by_index(i).unwrap().read_to_end(&mut all).unwrap();
        }
        String::from_utf8(all).expect("UTF-8 parts")
    } else {
        String::from_utf8(bytes.to_vec()).expect("UTF-8 text")
    }
}

#[test]
fn corpus_is_deterministic_and_prefix_stable() {
    let a = bench_corpus(40);
    let b = bench_corpus(40);
    assert_eq!(a, b);
    assert_eq!(&bench_corpus(10)[..], &a[..10]);
}

#[test]
fn corpus_shape() {
    let corpus = bench_corpus(64);
    assert_eq!(corpus.len(), 64);
    let mut dde = 0;
    for (i, doc) in corpus.iter().enumerate() {
        assert_eq!(doc.path, format!("bench-{i:05}.{}", FORMATS[i % 4]));
        let size = doc.bytes.len();
        assert!(
            (MIN_SIZE..=MAX_SIZE).contains(&size),
            "{} is {size} bytes",
            doc.path
        );
        let text = contents(&doc.path, &doc.bytes);
        // Join instruction text split over runs.
        let lower = text
            .replace(
                "</w:instrText></w:r><w:r><w:instrText xml:space=\"preserve\">",
                "",
            )
            .to_ascii_lowercase();
        let marked = lower.contains("ddeauto")
            || lower.contains(" dde ")
            || lower.contains("<ddelink")
            || lower.contains("cmd|");
        assert_eq!(marked, bench_carries_dde(i), "{}", doc.path);
        dde += usize::from(bench_carries_dde(i));
    }
    assert_eq!(dde, 16);
}

#[test]
fn office_documents_have_several_parts() {
    for doc in bench_corpus(8).iter().filter(|d| !d.path.ends_with("v")) {
        if doc.path.ends_with(".rtf") {
            continue;
        }
        let zip = zip::ZipArchive::new(Cursor::new(&doc.bytes[..])).unwrap();
        assert!(zip.len() >= 7, "{} has {} parts", doc.path, zip.len());
    }
}
