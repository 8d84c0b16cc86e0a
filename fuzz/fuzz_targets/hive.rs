//! Registry hive handling: opening (clean, dirty, unvalidated), transaction-log replay (the
//! input's tail, split at a byte the input chooses, is the log), Office keys and checks.
#![no_main]

use ddesweep::detect::hive::HiveContext;
use ddesweep::pipeline::check_hive;
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    common::tolerate_caught_panics();
    let Some((&split, rest)) = data.split_first() else {
        return;
    };
    // Without a log most of the time; else the last (split * 512) bytes are a .LOG1.
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
    let _ = check_hive(hive, &logs, ctx, common::profile());
});
