//! Inputs the fuzz targets flagged (`testdata/fuzz-regressions/`), through the same entry points
//! as their target: each must return (a result or an error), never let a panic escape.

use ddesweep::detect::hive::HiveContext;
use ddesweep::pipeline::check_hive;
use ddesweep::profile;

use crate::util::testdata;

#[test]
fn hive_inputs_from_the_fuzzer_do_not_escape() {
    let profile = profile::load("default").expect("default profile").profile;
    let dir = testdata("fuzz-regressions/hive");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("regression folder") {
        let path = entry.expect("entry").path();
        let data = std::fs::read(&path).expect("input");
        // The target's framing: the first byte chooses the log split (none below 200).
        let (&split, rest) = data.split_first().expect("non-empty input");
        let log_len = usize::from(split) * 512;
        let (hive, log) = if split < 200 || log_len >= rest.len() {
            (rest, &[][..])
        } else {
            rest.split_at(rest.len() - log_len)
        };
        let logs: Vec<&[u8]> = if log.is_empty() {
            Vec::new()
        } else {
            vec![log]
        };
        let ctx = HiveContext {
            evidence: "fuzz",
            source_path: "NTUSER.DAT",
            user: None,
            dirty: false,
        };
        let outcome = std::panic::catch_unwind(|| check_hive(hive, &logs, ctx, &profile).is_ok());
        assert!(outcome.is_ok(), "{} let a panic escape", path.display());
        seen += 1;
    }
    assert_eq!(seen, 1, "every kept input was run");
}
