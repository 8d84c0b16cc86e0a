//! RTF: groups, control words, fields and embedded objects.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| common::run("rtf", data));
