//! The committed fixtures are exactly what the generator writes (`cargo run -p
//! ddesweep-testgen -- testdata` rebuilds them).

use std::collections::BTreeSet;

use crate::util::testdata;

#[test]
fn committed_fixtures_match_the_generator() {
    let fixtures = ddesweep_testgen::fixtures();
    let mut generated = BTreeSet::new();
    for fixture in &fixtures {
        let committed = std::fs::read(testdata(&fixture.path)).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (run `cargo run -p ddesweep-testgen -- testdata`)",
                fixture.path
            )
        });
        assert!(
            committed == fixture.bytes,
            "{} differs from the generator's output",
            fixture.path
        );
        generated.insert(fixture.path.clone());
    }
    let mut committed = BTreeSet::new();
    for folder in [
        "documents",
        "evtx",
        "hives",
        "prefetch",
        "sample-evidence",
        "scenarios",
    ] {
        for entry in walkdir::WalkDir::new(testdata(folder)) {
            let entry = entry.unwrap();
            // The scenarios' README is written by hand.
            if entry.file_type().is_file() && entry.path() != testdata("scenarios/README.md") {
                let relative = entry.path().strip_prefix(testdata("")).unwrap();
                committed.insert(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    assert_eq!(
        committed, generated,
        "files in testdata/ that the generator does not make, or the reverse"
    );
}
