//! The NTFS walk: volume, directory listing, MFT scan, reading every listed file, free clusters.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| common::run("ntfs", data));
