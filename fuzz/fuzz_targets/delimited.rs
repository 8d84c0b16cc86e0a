//! The small text formats: CSV, SYLK, IQY and Office XML.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| common::run("delimited", data));
