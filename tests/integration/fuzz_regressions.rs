//! Inputs the fuzz targets flagged (`testdata/fuzz-regressions/<target>/`), replayed through the
//! same entry as their target (`ddesweep::fuzzing::run`): each must return, never let a panic
//! escape.

use std::panic::{AssertUnwindSafe, catch_unwind};

use ddesweep::fuzzing::{self, FuzzContext, TARGETS};

use crate::util::testdata;

/// Inputs kept per target: a count asserted, so that a file lost from the folder fails the test.
const KEPT: &[(&str, usize)] = &[("hive", 1)];

#[test]
fn inputs_from_the_fuzzer_do_not_escape() {
    let ctx = FuzzContext::new().expect("default profile");
    let root = testdata("fuzz-regressions");
    let mut folders: Vec<String> = std::fs::read_dir(&root)
        .expect("regression folder")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.is_dir())
        .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    let expected: Vec<&str> = KEPT.iter().map(|(target, _)| *target).collect();
    assert_eq!(folders, expected, "one folder per target with kept inputs");
    for &(target, count) in KEPT {
        assert!(TARGETS.contains(&target), "{target} is a fuzz target");
        let mut seen = 0;
        for entry in std::fs::read_dir(root.join(target)).expect("target folder") {
            let path = entry.expect("entry").path();
            let data = std::fs::read(&path).expect("input");
            let outcome = catch_unwind(AssertUnwindSafe(|| fuzzing::run(target, &data, &ctx)));
            assert_eq!(
                outcome.ok(),
                Some(true),
                "{} let a panic escape",
                path.display()
            );
            seen += 1;
        }
        assert_eq!(seen, count, "every kept {target} input was run");
    }
}

#[test]
fn every_target_takes_empty_and_tiny_input() {
    let ctx = FuzzContext::new().expect("default profile");
    for target in TARGETS {
        for data in [
            &b""[..],
            b"\x00",
            b"\xff\xff\xff\xff",
            b"PK\x03\x04",
            b"{\\rtf1",
        ] {
            assert!(fuzzing::run(target, data, &ctx), "{target} is known");
        }
    }
    assert!(!fuzzing::run("no-such-target", b"", &ctx));
}

#[test]
fn caught_panics_stay_off_the_terminal_and_in_the_manifest() {
    // The nt-hive assert input, as the pipeline meets it: a user hive in a folder (its first
    // byte, 234, is the target's framing: a log of 107 x 512 bytes, longer than the input, so
    // none).
    let data =
        std::fs::read(testdata("fuzz-regressions/hive/nt-hive-data-offset-assert")).expect("input");
    let evidence = tempfile::tempdir().expect("temp dir");
    std::fs::write(evidence.path().join("NTUSER.DAT"), &data[1..]).expect("hive");
    let run = crate::util::scan(&[evidence.path()], &[]);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let hive = run.artifact("NTUSER.DAT");
    assert_eq!(hive["kind"], "registry_hive", "{hive}");
    assert!(
        matches!(hive["status"].as_str(), Some("analyzed" | "failed")),
        "{hive}"
    );
}
