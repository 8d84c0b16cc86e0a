//! Reads every hive fixture back with the `nt-hive` crate: validation as catalogued, the
//! catalogued key times, the values of each hive, the dirty pair's replay, and the bench
//! hives' sizes and DDE settings.

use std::collections::HashMap;

use ddesweep_testgen::evtx::filetime_from_rfc3339;
use ddesweep_testgen::hive::replay;
use ddesweep_testgen::hive_bench::{MAX_HIVE, MIN_HIVE, bench_hive_has_dde};
use ddesweep_testgen::hive_catalog::HIVE_CATALOG;
use ddesweep_testgen::hive_user::{self, mru_item, t, trust_record};
use ddesweep_testgen::{bench_hives, hive_machine};
use nt_hive::{Hive, KeyNode};

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

/// Every key's path (from the root, which is "") and last-written time, read from the raw
/// `nk` cells of every hive bin.
fn key_times(hive: &[u8]) -> HashMap<String, u64> {
    let bins = &hive[4096..4096 + u32_at(hive, 40) as usize];
    let mut nodes = HashMap::new();
    let mut bin = 0;
    while bin < bins.len() {
        assert_eq!(&bins[bin..bin + 4], b"hbin");
        let end = bin + u32_at(bins, bin + 8) as usize;
        let mut cell = bin + 32;
        while cell < end {
            let size = i32::from_le_bytes(bins[cell..cell + 4].try_into().unwrap());
            let p = &bins[cell + 4..];
            if size < 0 && &p[..2] == b"nk" {
                let len = u16::from_le_bytes([p[72], p[73]]) as usize;
                let name = String::from_utf8(p[76..76 + len].to_vec()).unwrap();
                let time = u64::from_le_bytes(p[4..12].try_into().unwrap());
                let root = u16::from_le_bytes([p[2], p[3]]) & 4 != 0;
                nodes.insert(cell as u32, (name, u32_at(p, 16), time, root));
            }
            cell += size.unsigned_abs() as usize;
        }
        bin = end;
    }
    let path = |mut at: u32| {
        let mut parts = Vec::new();
        while let Some((name, parent, _, root)) = nodes.get(&at) {
            if *root {
                break;
            }
            parts.push(name.clone());
            at = *parent;
        }
        parts.reverse();
        parts.join("\\")
    };
    nodes
        .iter()
        .map(|(at, (_, _, time, _))| (path(*at), *time))
        .collect()
}

fn key<'h>(hive: &'h Hive<&'h [u8]>, path: &str) -> Option<KeyNode<'h, &'h [u8]>> {
    hive.root_key_node()
        .unwrap()
        .subpath(path)
        .map(Result::unwrap)
}

fn dword(hive: &Hive<&[u8]>, path: &str, name: &str) -> Option<u32> {
    let key = key(hive, path).unwrap_or_else(|| panic!("no key {path}"));
    key.value(name).map(|v| v.unwrap().dword_data().unwrap())
}

fn string(hive: &Hive<&[u8]>, path: &str, name: &str) -> String {
    let key = key(hive, path).unwrap_or_else(|| panic!("no key {path}"));
    key.value(name).unwrap().unwrap().string_data().unwrap()
}

const WORD: &str = r"Software\Microsoft\Office\16.0\Word";
const EXCEL: &str = r"Software\Microsoft\Office\16.0\Excel";
const EQN: &str = r"Common\COM Compatibility\{0002CE02-0000-0000-C000-000000000046}";

#[test]
fn validation_and_key_times_match_the_catalogue() {
    for entry in HIVE_CATALOG {
        let bytes = (entry.build)();
        if entry.path.ends_with(".LOG1") {
            assert_eq!(&bytes[512..516], b"HvLE");
            continue;
        }
        assert_eq!(
            Hive::new(bytes.as_slice()).is_ok(),
            entry.valid,
            "{}",
            entry.path
        );
        Hive::without_validation(bytes.as_slice())
            .unwrap()
            .root_key_node()
            .unwrap();
        let times = key_times(&bytes);
        let default = filetime_from_rfc3339(entry.default).unwrap();
        for (path, time) in &times {
            let listed = entry
                .times
                .iter()
                .find(|(p, _)| p.eq_ignore_ascii_case(path));
            let expected = listed.map_or(default, |(_, t)| filetime_from_rfc3339(t).unwrap());
            // The dirty hive's log changes two key times; the primary keeps alice's.
            assert_eq!(*time, expected, "{} key {path:?}", entry.path);
        }
        for (path, _) in entry.times {
            assert!(times.contains_key(*path), "{} lacks {path}", entry.path);
        }
    }
}

#[test]
fn alice_holds_the_dde_settings_and_traces() {
    let bytes = hive_user::alice_ntuser();
    let hive = Hive::new(bytes.as_slice()).unwrap();
    assert_eq!(
        dword(&hive, &format!(r"{WORD}\Security"), "AllowDDE"),
        Some(1)
    );
    let excel = format!(r"{EXCEL}\Security");
    assert_eq!(dword(&hive, &excel, "DisableDDEServerLaunch"), Some(0));
    assert_eq!(dword(&hive, &excel, "DisableDDEServerLookup"), Some(1));
    assert_eq!(dword(&hive, &excel, "WorkbookLinkWarnings"), Some(2));
    let policy = r"Software\Policies\Microsoft\Office\16.0\Excel\Security\External Content";
    assert_eq!(dword(&hive, policy, "DisableDDEServerLookup"), Some(0));
    assert_eq!(
        dword(&hive, &format!(r"{WORD}\Options"), "DontUpdateLinks"),
        Some(0)
    );
    let mail = format!(r"{WORD}\Options\WordMail");
    assert_eq!(dword(&hive, &mail, "DontUpdateLinks"), Some(1));
    let old = r"Software\Microsoft\Office\14.0\Word\Security";
    assert_eq!(dword(&hive, old, "AllowDDE"), Some(0));

    let trust = key(
        &hive,
        &format!(r"{WORD}\Security\Trusted Documents\TrustRecords"),
    )
    .unwrap();
    let record = |name: &str| {
        trust
            .value(name)
            .unwrap()
            .unwrap()
            .data()
            .unwrap()
            .into_vec()
    };
    let invoice = record("%USERPROFILE%/Downloads/Invoice_2291.docx").unwrap();
    assert_eq!(invoice.len(), 24);
    assert_eq!(invoice, trust_record(t("2024-03-04T09:12:02Z"), 0, 1));
    assert_eq!(&invoice[20..], [1, 0, 0, 0]);
    let q1 = record("file://fileserver/share/Q1.xlsx").unwrap();
    assert_eq!(&q1[20..], [0xFF, 0xFF, 0xFF, 0x7F]);

    let mru = format!(r"{WORD}\User MRU\LiveId_ABCDEF\File MRU");
    assert_eq!(
        string(&hive, &mru, "Item 1"),
        r"[F00000000][T01DA6E1404378680][O00000000]*C:\Users\alice\Downloads\Invoice_2291.docx"
    );
    assert!(string(&hive, &mru, "Item 2").ends_with(r"*C:\Users\alice\Documents\Q4_Budget.docx"));
    let place = format!(r"{WORD}\User MRU\LiveId_ABCDEF\Place MRU");
    assert_eq!(
        string(&hive, &place, "Item 1"),
        mru_item(t("2024-03-04T09:12:01Z"), r"C:\Users\alice\Downloads\")
    );
    let legacy = string(&hive, &format!(r"{EXCEL}\File MRU"), "Item 1");
    assert!(legacy.ends_with(r"\Content.Outlook\7XK2LQ0B\Payment_Advice.xlsx"));
}

#[test]
fn bob_is_locked_down() {
    let bytes = hive_user::bob_ntuser();
    let hive = Hive::new(bytes.as_slice()).unwrap();
    assert_eq!(
        dword(&hive, &format!(r"{WORD}\Security"), "AllowDDE"),
        Some(0)
    );
    let excel = format!(r"{EXCEL}\Security");
    assert_eq!(dword(&hive, &excel, "DisableDDEServerLaunch"), Some(1));
    assert_eq!(
        dword(&hive, &format!(r"{WORD}\Options"), "DontUpdateLinks"),
        Some(1)
    );
    assert!(key(&hive, &format!(r"{WORD}\Security\Trusted Documents")).is_none());
    let mru = key(&hive, &format!(r"{WORD}\User MRU\LiveId_123456\File MRU")).unwrap();
    assert!(mru.values().is_none());
}

#[test]
fn machine_hives_hold_kill_bits_profiles_and_name() {
    let bytes = hive_machine::software();
    let hive = Hive::new(bytes.as_slice()).unwrap();
    let flags = "Compatibility Flags";
    assert_eq!(
        dword(&hive, &format!(r"Microsoft\Office\{EQN}"), flags),
        Some(0x400)
    );
    let wow = format!(r"WOW6432Node\Microsoft\Office\{EQN}");
    assert_eq!(dword(&hive, &wow, flags), Some(0));
    let c2r =
        format!(r"Microsoft\Office\ClickToRun\REGISTRY\MACHINE\Software\Microsoft\Office\{EQN}");
    assert!(key(&hive, &c2r).is_none());
    let profiles = r"Microsoft\Windows NT\CurrentVersion\ProfileList";
    let alice = format!(r"{profiles}\{}", hive_user::ALICE_SID);
    assert_eq!(string(&hive, &alice, "ProfileImagePath"), r"C:\Users\alice");
    let bob = format!(r"{profiles}\{}", hive_user::BOB_SID);
    assert_eq!(string(&hive, &bob, "ProfileImagePath"), r"C:\Users\bob");

    let bytes = hive_machine::software_killbit_set();
    let hive = Hive::new(bytes.as_slice()).unwrap();
    for path in [format!(r"Microsoft\Office\{EQN}"), wow, c2r] {
        assert_eq!(dword(&hive, &path, flags), Some(0x400), "{path}");
    }

    let bytes = hive_machine::system();
    let hive = Hive::new(bytes.as_slice()).unwrap();
    assert_eq!(dword(&hive, "Select", "Current"), Some(1));
    let name = r"ControlSet001\Control\ComputerName\ComputerName";
    assert_eq!(string(&hive, name, "ComputerName"), "WS-ALICE");
}

#[test]
fn dirty_pair_replays_to_the_documented_values() {
    let stale = hive_user::dirty_ntuser();
    assert!(Hive::new(stale.as_slice()).is_err());
    let before = Hive::without_validation(stale.as_slice()).unwrap();
    assert_eq!(
        dword(&before, &format!(r"{WORD}\Security"), "AllowDDE"),
        Some(0)
    );
    let excel = format!(r"{EXCEL}\Security");
    assert_eq!(dword(&before, &excel, "DisableDDEServerLaunch"), None);

    let log = hive_user::dirty_log1();
    let pages = u32_at(&log, 512 + 20);
    assert!(pages >= 2, "the log changes {pages} page(s)");
    let replayed = replay(&stale, &log).expect("the log applies");
    assert_eq!(replayed, hive_user::dirty_updated());
    let after = Hive::new(replayed.as_slice()).expect("clean after replay");
    assert_eq!(
        dword(&after, &format!(r"{WORD}\Security"), "AllowDDE"),
        Some(2)
    );
    assert_eq!(dword(&after, &excel, "DisableDDEServerLaunch"), Some(0));
    assert_eq!(dword(&after, &excel, "WorkbookLinkWarnings"), Some(2));
    let times = key_times(&replayed);
    assert_eq!(
        times[&format!(r"{WORD}\Security")],
        t("2024-03-04T09:20:00Z")
    );
    assert_eq!(times[&excel], t("2024-03-04T09:20:05Z"));
    assert_eq!((u32_at(&replayed, 4), u32_at(&replayed, 8)), (42, 42));

    let nolog = hive_user::dirty_nolog_ntuser();
    let hive = Hive::without_validation(nolog.as_slice()).unwrap();
    assert_eq!(
        dword(&hive, &format!(r"{WORD}\Security"), "AllowDDE"),
        Some(1)
    );
}

#[test]
fn bench_hives_are_sized_varied_and_deterministic() {
    let hives = bench_hives(8);
    assert_eq!(hives, bench_hives(8));
    assert_eq!(&bench_hives(3)[..], &hives[..3]);
    let mut sizes = Vec::new();
    for (i, (name, bytes)) in hives.iter().enumerate() {
        assert!(name.ends_with("/NTUSER.DAT"), "{name}");
        assert!(
            (MIN_HIVE..=MAX_HIVE).contains(&bytes.len()),
            "{name}: {}",
            bytes.len()
        );
        let hive = Hive::new(bytes.as_slice()).unwrap();
        let allow = dword(&hive, &format!(r"{WORD}\Security"), "AllowDDE");
        assert_eq!(allow, Some(u32::from(bench_hive_has_dde(i))), "{name}");
        let software = key(&hive, "Software").unwrap();
        assert!(software.subkeys().unwrap().unwrap().count() >= 3);
        sizes.push(bytes.len());
    }
    sizes.sort();
    assert!(sizes[7] > 2 * sizes[0], "{sizes:?}");
}
