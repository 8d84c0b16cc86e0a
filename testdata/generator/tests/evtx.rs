//! Reads every EVTX fixture and a benchmark log back with the `evtx` crate: record counts,
//! CRCs, and the values of System and EventData as written.

use ddesweep_testgen::evtx::{EventData, EvtxEvent, EvtxWriter, Value};
use ddesweep_testgen::evtx_catalog::EVTX_CATALOG;
use ddesweep_testgen::evtx_events::{ALICE_SID, START, at, sysmon_event};
use ddesweep_testgen::{evtx_hostile, evtx_positive, write_bench_log};
use evtx::{EvtxParser, ParserSettings};
use serde_json::Value as Json;

/// (ok records as (id, JSON), error count) under `settings`.
fn read(bytes: Vec<u8>, settings: ParserSettings) -> (Vec<(u64, Json)>, usize) {
    let mut parser = EvtxParser::from_buffer(bytes)
        .expect("an EVTX header")
        .with_configuration(settings.num_threads(1));
    let mut ok = Vec::new();
    let mut errors = 0;
    for record in parser.records_json_value() {
        match record {
            Ok(r) => ok.push((r.event_record_id, r.data)),
            Err(_) => errors += 1,
        }
    }
    (ok, errors)
}

fn read_checked(bytes: Vec<u8>) -> Vec<(u64, Json)> {
    let (records, errors) = read(bytes, ParserSettings::new().validate_checksums(true));
    assert_eq!(errors, 0);
    records
}

#[test]
fn every_fixture_reads_back_with_its_count() {
    for entry in EVTX_CATALOG {
        let bytes = (entry.build)();
        let hostile = entry.path.contains("/hostile/");
        let settings = if hostile {
            ParserSettings::new()
        } else {
            ParserSettings::new().validate_checksums(true)
        };
        let (records, errors) = read(bytes, settings);
        let ids: Vec<u64> = records.iter().map(|(id, _)| *id).collect();
        eprintln!(
            "{}: {} ok, {errors} errors, ids {:?}..{:?}",
            entry.path,
            records.len(),
            ids.first(),
            ids.last()
        );
        assert_eq!(records.len(), entry.records, "{}", entry.path);
        assert_eq!(errors, entry.errors, "{}", entry.path);
        for (id, json) in &records {
            assert_eq!(
                json["Event"]["System"]["EventRecordID"], *id,
                "{}",
                entry.path
            );
        }
    }
}

#[test]
fn hostile_files_yield_the_documented_ids() {
    let ids = |bytes| -> Vec<u64> {
        read(bytes, ParserSettings::new())
            .0
            .iter()
            .map(|(id, _)| *id)
            .collect()
    };
    assert_eq!(
        ids(evtx_hostile::truncated()),
        (1..=120).collect::<Vec<_>>()
    );
    let expected: Vec<u64> = (1..=60).chain(121..=180).collect();
    assert_eq!(ids(evtx_hostile::bad_chunk()), expected);
}

#[test]
fn sysmon_values_come_back_as_written() {
    let records = read_checked(evtx_positive::sysmon_1_office_child());
    assert_eq!(records.len(), 7);
    let (id, event) = &records[1];
    assert_eq!(*id, 2);
    let system = &event["Event"]["System"];
    assert_eq!(system["EventID"], 1);
    assert_eq!(system["Version"], 5);
    assert_eq!(system["Channel"], "Microsoft-Windows-Sysmon/Operational");
    assert_eq!(system["Computer"], "WS-ALICE.corp.example");
    assert_eq!(
        system["Provider"]["#attributes"]["Name"],
        "Microsoft-Windows-Sysmon"
    );
    assert_eq!(system["Security"]["#attributes"]["UserID"], "S-1-5-18");
    assert_eq!(
        system["TimeCreated"]["#attributes"]["SystemTime"],
        "2024-03-04T09:12:02.0000000Z"
    );
    let data = &event["Event"]["EventData"];
    assert_eq!(data["Image"], r"C:\Windows\System32\cmd.exe");
    assert_eq!(
        data["CommandLine"],
        r"C:\Windows\System32\cmd.exe /k calc.exe"
    );
    assert_eq!(data["ProcessId"], 5120);
    assert_eq!(data["ParentProcessId"], 4412);
    assert_eq!(
        data["ParentImage"],
        r"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE"
    );
    assert_eq!(data["User"], r"CORP\alice");
    assert_eq!(data["LogonId"], "0x3e5a1");
    assert_eq!(data["UtcTime"], "2024-03-04 09:12:02.000");
    assert_eq!(
        data["ProcessGuid"]
            .as_str()
            .map(str::to_ascii_uppercase)
            .as_deref(),
        Some("{B2796A13-4D21-65E5-0000-000000000103}")
    );
    assert!(
        data["Hashes"]
            .as_str()
            .is_some_and(|h| h.starts_with("SHA1=") && h.contains(",SHA256="))
    );
}

#[test]
fn security_values_come_back_as_written() {
    let records = read_checked(evtx_positive::security_4688_v2());
    let data = &records[1].1["Event"]["EventData"];
    assert_eq!(records[1].1["Event"]["System"]["EventID"], 4688);
    assert_eq!(records[1].1["Event"]["System"]["Security"], Json::Null);
    assert_eq!(data["NewProcessId"], "0x1b40");
    assert_eq!(data["ProcessId"], "0x1a2c");
    assert_eq!(data["SubjectUserSid"], ALICE_SID);
    assert_eq!(data["TargetLogonId"], "0x3e5a1");
    assert_eq!(
        data["ParentProcessName"],
        r"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE"
    );
    let v1 = read_checked(evtx_positive::security_4688_v1());
    assert_eq!(
        v1.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        [10, 11, 12, 13]
    );
    assert!(
        v1[0].1["Event"]["EventData"]
            .get("ParentProcessName")
            .is_none()
    );
    assert_eq!(v1[1].1["Event"]["EventData"]["SubjectLogonId"], "0x3e7");
}

#[test]
fn classic_oalerts_come_back_as_written() {
    let records = read_checked(evtx_positive::oalerts_300_log());
    let event = &records[1].1["Event"];
    assert_eq!(
        event["System"]["EventID"],
        serde_json::json!({"#attributes": {"Qualifiers": 0}, "#text": 300})
    );
    assert!(
        event["System"]["Provider"]["#attributes"]
            .get("Guid")
            .is_none()
    );
    assert_eq!(
        event["System"]["Security"]["#attributes"]["UserID"],
        ALICE_SID
    );
    assert_eq!(event["System"]["Keywords"], "0x80000000000000");
    let items = event["EventData"]["Data"]["#text"]
        .as_array()
        .expect("unnamed items");
    assert_eq!(items.len(), 6);
    assert_eq!(items[0], "Microsoft Excel");
    assert!(
        items[1]
            .as_str()
            .is_some_and(|s| s.ends_with("Start application 'CMD.EXE'?"))
    );
    assert_eq!(items[3], "300090");
}

#[test]
fn multi_chunk_reads_all_records_across_chunks() {
    let bytes = evtx_hostile::multi_chunk();
    let chunks = (bytes.len() - 4096) / 65536;
    assert!(chunks >= 3, "{chunks} chunks");
    assert_eq!((bytes.len() - 4096) % 65536, 0);
    let records = read_checked(bytes);
    assert_eq!(records.len(), 2000);
    assert!(
        records
            .iter()
            .enumerate()
            .all(|(i, (id, _))| *id == i as u64 + 1)
    );
    let data = &records[1499].1["Event"]["EventData"];
    assert_eq!(data["CommandLine"], "cmd.exe /c calc.exe");
    assert_eq!(
        data["ParentImage"],
        r"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE"
    );
}

#[test]
fn templates_are_shared_within_a_chunk() {
    let event = |id| -> EvtxEvent<'static> {
        sysmon_event(
            13,
            2,
            id,
            at(id),
            vec![("RuleName", Value::str("-")), ("Details", Value::Null)],
        )
    };
    let one = EvtxWriter::new().push(&event(1)).unwrap().finish().unwrap();
    let two = EvtxWriter::new()
        .push(&event(1))
        .unwrap()
        .push(&event(2))
        .unwrap()
        .finish()
        .unwrap();
    let used = |b: &[u8]| u32::from_le_bytes(b[4096 + 48..4096 + 52].try_into().unwrap()) as usize;
    // The second record carries no definition and no names: well under half the first.
    assert!(used(&two) - used(&one) < (used(&one) - 512) / 2);
    let records = read_checked(two);
    assert_eq!(records[1].1["Event"]["EventData"]["RuleName"], "-");
    assert_eq!(
        records[0].1["Event"]["System"]["TimeCreated"]["#attributes"]["SystemTime"],
        "2024-03-04T09:12:02.0000000Z"
    );
    let _ = (START, EventData::Unnamed(Vec::new()));
}

#[test]
fn header_chunk_count_can_be_overridden() {
    let mut writer = EvtxWriter::new().chunk_count(7);
    let bytes = writer
        .push(&sysmon_event(1, 5, 1, START, Vec::new()))
        .unwrap()
        .finish()
        .unwrap();
    assert_eq!(&bytes[..8], b"ElfFile\0");
    assert_eq!(u16::from_le_bytes([bytes[42], bytes[43]]), 7);
    assert_eq!(u64::from_le_bytes(bytes[24..32].try_into().unwrap()), 2);
    assert_eq!(
        u32::from_le_bytes(bytes[124..128].try_into().unwrap()),
        crc32(&bytes[..120])
    );
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

#[test]
fn bench_log_streams_and_reads_back() {
    let mut out = Vec::new();
    let stats = write_bench_log(&mut out, 5000).unwrap();
    assert_eq!(stats.records, 5000);
    assert_eq!(stats.office_shells, 5);
    assert_eq!(stats.allow_dde, 5);
    assert_eq!(stats.bytes, out.len() as u64);
    assert_eq!(u16::from_le_bytes([out[42], out[43]]) as u64, stats.chunks);
    eprintln!(
        "5,000 records: {} bytes, {} chunks",
        out.len(),
        stats.chunks
    );
    let records = read_checked(out);
    assert_eq!(records.len(), 5000);
    let mut ids = std::collections::BTreeMap::<u64, usize>::new();
    let mut shells = 0;
    for (_, r) in &records {
        let id = r["Event"]["System"]["EventID"].as_u64().unwrap();
        *ids.entry(id).or_default() += 1;
        let data = &r["Event"]["EventData"];
        if id == 1 && data["CommandLine"] == "cmd.exe /c calc.exe" {
            shells += 1;
        }
    }
    assert_eq!(shells, 5);
    let expected: Vec<(u64, usize)> = vec![
        (1, 500),
        (3, 750),
        (7, 1500),
        (10, 500),
        (11, 750),
        (13, 750),
        (22, 250),
    ];
    assert_eq!(ids.into_iter().collect::<Vec<_>>(), expected);
}
