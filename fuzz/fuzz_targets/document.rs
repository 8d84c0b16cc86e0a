//! Every document parser (OOXML, OLE: Word, Excel, MSG, encrypted; RTF; CSV; SLK; IQY; XML), as
//! the pipeline reaches it: the kind from the bytes, the first byte choosing the file name the
//! classifier sees when the magic says nothing.
#![no_main]

use ddesweep::artifact;
use ddesweep::formats::Limits;
use ddesweep::pipeline::check_document;
use libfuzzer_sys::fuzz_target;

mod common;

const NAMES: &[&str] = &[
    "a.docx", "a.doc", "a.xlsx", "a.xls", "a.xlsb", "a.rtf", "a.csv", "a.slk", "a.iqy", "a.xml",
    "a.msg", "a.pptx",
];

fuzz_target!(|data: &[u8]| {
    common::tolerate_caught_panics();
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(pick) % NAMES.len()];
    let head = bytes.get(..artifact::HEAD_LEN).unwrap_or(bytes);
    let kind = artifact::classify(head, name);
    let _ = check_document(kind, name, bytes, common::profile(), &Limits::default());
});
