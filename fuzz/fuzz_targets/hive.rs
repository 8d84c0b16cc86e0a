//! Registry hives: opening (clean, dirty, unvalidated), transaction-log replay (the input's
//! tail is the log when its first byte says so), Office keys and checks.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| common::run("hive", data));
