//! OOXML documents (Word, Excel, Excel binary, PowerPoint): the zip, the parts, fields, DDE
//! links and formulas.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| common::run("ooxml", data));
