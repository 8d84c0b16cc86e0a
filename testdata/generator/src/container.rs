//! A legacy Word document carrying an Excel workbook in its `ObjectPool` (an embedded sheet, as
//! Word stores it): the workbook's DDE link is found only if the storage is scanned as a
//! document of its own.

use std::io::{Cursor, Read, Write};
use std::time::UNIX_EPOCH;

use crate::{biff, doc};

/// The storage Word gives an embedded object.
const OBJECT_STORAGE: &str = "/ObjectPool/_1700000001";

/// `word-legacy.doc` with `excel-legacy.xls`'s Workbook stream embedded in its ObjectPool.
pub fn word_with_embedded_sheet() -> Vec<u8> {
    let workbook = {
        let mut xls = cfb::CompoundFile::open(Cursor::new(biff::excel_legacy())).expect("xls");
        let mut data = Vec::new();
        xls.open_stream("/Workbook")
            .expect("Workbook stream")
            .read_to_end(&mut data)
            .expect("in-memory read");
        data
    };
    let mut file =
        cfb::CompoundFile::open(Cursor::new(doc::word_legacy())).expect("in-memory .doc");
    file.create_storage_all(OBJECT_STORAGE)
        .expect("ObjectPool storage");
    // Fixed times keep the fixture byte-identical between runs.
    for storage in ["/ObjectPool", OBJECT_STORAGE] {
        file.set_created_time(storage, UNIX_EPOCH).expect("time");
        file.set_modified_time(storage, UNIX_EPOCH).expect("time");
    }
    file.create_stream(format!("{OBJECT_STORAGE}/Workbook"))
        .expect("Workbook stream")
        .write_all(&workbook)
        .expect("in-memory write");
    file.flush().expect("in-memory flush");
    file.into_inner().into_inner()
}
