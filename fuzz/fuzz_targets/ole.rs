//! OLE compound files: Word and Excel binary documents, Outlook messages, encrypted OOXML.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| common::run("ole", data));
