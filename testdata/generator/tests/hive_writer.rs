//! Reads hives written by the generator's regf writer back with the `nt-hive` crate:
//! subkeys, values and data as written, dirty hives refused by validation, and a
//! transaction log that replays to the updated hive.

use ddesweep_testgen::evtx::filetime_utc;
use ddesweep_testgen::hive::{HiveBuilder, replay, transaction_log};
use nt_hive::{Hive, KeyNode, KeyValueDataType};

const T: u64 = filetime_utc(2024, 3, 4, 9, 11, 1, 0);

fn sample() -> HiveBuilder {
    HiveBuilder::new("NTUSER.DAT")
        .key(r"Software\Microsoft\Office\16.0\Word\Security", T)
        .dword("AllowDDE", 1)
        .sz("Name", "Wörd ✓ security")
        .binary("Blob", &[1, 2, 3, 4, 5, 6, 7, 8, 9])
        .binary("Tiny", &[0xAA, 0xBB])
        .qword("Big", 0x0102_0304_0506_0708)
        .expand_sz("Path", "%USERPROFILE%\\x")
        .key(r"Software\Microsoft\Office\16.0\Excel\Security", T + 1)
        .dword("WorkbookLinkWarnings", 2)
        .key(r"Software\zeta", T)
        .key(r"Software\Alpha", T)
        .key(r"Software\_under", T)
        .key(r"Software\Ünïcode ключ", T)
        .sz("", "default value")
}

fn key<'h>(hive: &'h Hive<&'h [u8]>, path: &str) -> KeyNode<'h, &'h [u8]> {
    let root = hive.root_key_node().unwrap();
    root.subpath(path)
        .unwrap_or_else(|| panic!("no {path}"))
        .unwrap()
}

#[test]
fn values_come_back_as_written() {
    let bytes = sample().build();
    let hive = Hive::new(bytes.as_slice()).expect("a valid hive");
    let word = key(&hive, r"Software\Microsoft\Office\16.0\Word\Security");
    let v = |name: &str| word.value(name).unwrap().unwrap();
    assert_eq!(v("AllowDDE").dword_data().unwrap(), 1);
    assert_eq!(
        v("allowdde").data_type().unwrap(),
        KeyValueDataType::RegDWord
    );
    assert_eq!(v("Name").string_data().unwrap(), "Wörd ✓ security");
    assert_eq!(v("Path").string_data().unwrap(), "%USERPROFILE%\\x");
    assert_eq!(v("Big").qword_data().unwrap(), 0x0102_0304_0506_0708);
    let blob = v("Blob").data().unwrap().into_vec().unwrap();
    assert_eq!(blob, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert_eq!(v("Tiny").data().unwrap().into_vec().unwrap(), [0xAA, 0xBB]);
    let names: Vec<String> = word
        .values()
        .unwrap()
        .unwrap()
        .map(|v| v.unwrap().name().unwrap().to_string_lossy())
        .collect();
    assert_eq!(names, ["AllowDDE", "Name", "Blob", "Tiny", "Big", "Path"]);
    let excel = key(&hive, r"Software\Microsoft\Office\16.0\Excel\Security");
    let links = excel.value("WorkbookLinkWarnings").unwrap().unwrap();
    assert_eq!(links.dword_data().unwrap(), 2);
    let unicode = key(&hive, r"SOFTWARE\ünïcode ключ");
    let default = unicode.value("").unwrap().unwrap();
    assert_eq!(default.string_data().unwrap(), "default value");
}

#[test]
fn subkeys_are_sorted_and_found() {
    let bytes = sample().build();
    let hive = Hive::new(bytes.as_slice()).unwrap();
    let software = key(&hive, "Software");
    let names: Vec<String> = software
        .subkeys()
        .unwrap()
        .unwrap()
        .map(|k| k.unwrap().name().unwrap().to_string_lossy())
        .collect();
    assert_eq!(
        names,
        ["Alpha", "Microsoft", "zeta", "_under", "Ünïcode ключ"]
    );
    for name in &names {
        assert!(software.subkey(name).is_some(), "{name}");
    }
}

#[test]
fn many_keys_span_several_bins() {
    let mut b = HiveBuilder::new("big");
    for i in 0..400 {
        b = b
            .key(&format!(r"Software\Vendor\App{i:03}"), T)
            .sz("InstallPath", &format!("C:\\Program Files\\App{i:03}"))
            .binary("State", &vec![i as u8; 300]);
    }
    let bytes = b.build();
    assert!(bytes.len() > 40 * 4096);
    assert_eq!(
        (bytes.len() - 4096) as u32,
        u32::from_le_bytes(bytes[40..44].try_into().unwrap())
    );
    let hive = Hive::new(bytes.as_slice()).unwrap();
    let app = key(&hive, r"Software\Vendor\App399");
    let state = app.value("State").unwrap().unwrap();
    assert_eq!(
        state.data().unwrap().into_vec().unwrap(),
        vec![399u16 as u8; 300]
    );
    let count = key(&hive, r"Software\Vendor")
        .subkeys()
        .unwrap()
        .unwrap()
        .count();
    assert_eq!(count, 400);
}

#[test]
fn dirty_hive_needs_no_validation() {
    let bytes = sample().dirty(5, 4).build();
    assert!(Hive::new(bytes.as_slice()).is_err());
    let hive = Hive::without_validation(bytes.as_slice()).unwrap();
    let word = key(&hive, r"Software\Microsoft\Office\16.0\Word\Security");
    assert_eq!(
        word.value("AllowDDE")
            .unwrap()
            .unwrap()
            .dword_data()
            .unwrap(),
        1
    );
}

#[test]
fn transaction_log_replays_to_the_update() {
    let stale = sample().dirty(5, 4).build();
    let mut updated_builder = sample()
        .sequence(5)
        .key(r"Software\Microsoft\Office\16.0\Word\Security", T + 10)
        .dword("AllowDDE", 2);
    for i in 0..60 {
        updated_builder = updated_builder
            .key(&format!(r"Software\New\K{i}"), T)
            .binary("Pad", &[7; 100]);
    }
    let updated = updated_builder.build();
    let log = transaction_log(&stale, &updated);
    assert_eq!(&log[..4], b"regf");
    assert_eq!(&log[512..516], b"HvLE");
    let pages = u32::from_le_bytes(log[532..536].try_into().unwrap());
    assert!(pages >= 2, "{pages} pages");
    let replayed = replay(&stale, &log).expect("the log applies");
    assert_eq!(replayed, updated);
    let hive = Hive::new(replayed.as_slice()).unwrap();
    let word = key(&hive, r"Software\Microsoft\Office\16.0\Word\Security");
    assert_eq!(
        word.value("AllowDDE")
            .unwrap()
            .unwrap()
            .dword_data()
            .unwrap(),
        2
    );
    // A corrupted entry is not applied.
    let mut bad = log.clone();
    let last = bad.len() - 1;
    bad[last - 600] ^= 0xFF;
    assert!(replay(&stale, &bad).is_none());
}
