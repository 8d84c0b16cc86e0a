//! The memory carver: profile strings (ASCII and UTF-16), event-log chunk signatures, carved
//! chunks read as logs.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| common::run("carver", data));
