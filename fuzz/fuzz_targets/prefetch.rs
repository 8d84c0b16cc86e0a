//! Prefetch: versions 17 to 30, MAM (LZXPRESS Huffman) compressed or not.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| common::run("prefetch", data));
