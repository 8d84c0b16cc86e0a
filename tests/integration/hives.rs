//! The hive checks on the generated hives of `testdata/hives`: every decoded value (setting,
//! trust time and flag, MRU path and time, kill-bit state, user, host) asserted by value.

use std::sync::OnceLock;

use serde_json::Value;

use crate::util::{Scan, scan, testdata};

fn hive_scan() -> &'static Scan {
    static SCAN: OnceLock<Scan> = OnceLock::new();
    SCAN.get_or_init(|| scan(&[&testdata("hives")], &[]))
}

/// (datetime, severity, rule or data type, registry key, value) of the rows of `file`.
fn rows(file: &str) -> Vec<(String, String, String, String, String)> {
    hive_scan()
        .rows
        .iter()
        .filter(|r| r["source_path"] == file)
        .map(|r| {
            let text = |k: &str| r[k].as_str().unwrap_or_default().to_owned();
            let what = r["rule_id"]
                .as_str()
                .or(r["data_type"].as_str())
                .unwrap_or_default()
                .to_owned();
            (
                text("datetime"),
                text("severity"),
                what,
                text("registry_key"),
                text("value"),
            )
        })
        .collect()
}

fn find<'a>(file: &str, data_type: &str, needle: &str) -> &'a Value
where
    'static: 'a,
{
    let found: Vec<&Value> = hive_scan()
        .rows
        .iter()
        .filter(|r| {
            r["source_path"] == file
                && r["data_type"] == data_type
                && r["message"].as_str().unwrap_or_default().contains(needle)
        })
        .collect();
    assert_eq!(found.len(), 1, "{file} {data_type} {needle}: {found:?}");
    found[0]
}

fn row(
    time: &str,
    severity: &str,
    what: &str,
    key: &str,
    value: &str,
) -> (String, String, String, String, String) {
    (
        format!("{time}.000000+00:00"),
        severity.to_owned(),
        what.to_owned(),
        key.to_owned(),
        value.to_owned(),
    )
}

const OFFICE: &str = r"Software\Microsoft\Office";

#[test]
fn alice_settings_are_findings_at_their_key_times() {
    let settings: Vec<_> = rows("alice/NTUSER.DAT")
        .into_iter()
        .filter(|r| r.2 != "ddesweep:registry:trusted_document" && !r.3.contains("MRU"))
        .collect();
    assert_eq!(
        settings,
        [
            row(
                "2021-06-01T12:00:00",
                "info",
                "ddesweep:registry:office_setting",
                &format!(r"{OFFICE}\14.0\Word\Security\AllowDDE"),
                "0 (0x00000000)"
            ),
            row(
                "2024-01-15T07:45:00",
                "high",
                "ddesweep.eventlog.excel_dde_server_lookup",
                r"Software\Policies\Microsoft\Office\16.0\Excel\Security\External Content\DisableDDEServerLookup",
                "0 (0x00000000)"
            ),
            row(
                "2024-02-01T10:00:00",
                "medium",
                "ddesweep.eventlog.dont_update_links",
                &format!(r"{OFFICE}\16.0\Word\Options\DontUpdateLinks"),
                "0 (0x00000000)"
            ),
            row(
                "2024-02-01T10:00:05",
                "info",
                "ddesweep:registry:office_setting",
                &format!(r"{OFFICE}\16.0\Word\Options\WordMail\DontUpdateLinks"),
                "1 (0x00000001)"
            ),
            row(
                "2024-02-20T14:30:00",
                "info",
                "ddesweep:registry:office_setting",
                &format!(r"{OFFICE}\16.0\Excel\Security\DisableDDEServerLookup"),
                "1 (0x00000001)"
            ),
            row(
                "2024-02-20T14:30:00",
                "high",
                "ddesweep.eventlog.excel_dde_server_launch",
                &format!(r"{OFFICE}\16.0\Excel\Security\DisableDDEServerLaunch"),
                "0 (0x00000000)"
            ),
            row(
                "2024-02-20T14:30:00",
                "medium",
                "ddesweep.eventlog.workbook_link_warnings",
                &format!(r"{OFFICE}\16.0\Excel\Security\WorkbookLinkWarnings"),
                "2 (0x00000002)"
            ),
            row(
                "2024-03-04T09:11:01",
                "high",
                "ddesweep.eventlog.word_allow_dde",
                &format!(r"{OFFICE}\16.0\Word\Security\AllowDDE"),
                "1 (0x00000001)"
            ),
        ]
    );
    let allow = find(
        "alice/NTUSER.DAT",
        "ddesweep:registry:office_setting",
        "AllowDDE = 1",
    );
    assert_eq!(allow["user"], "alice");
    assert_eq!(allow["timestamp_desc"], "Content Modification Time");
}

#[test]
fn trust_records_and_mru_are_context_rows() {
    let file = "alice/NTUSER.DAT";
    let editing = find(
        file,
        "ddesweep:registry:trusted_document",
        "Invoice_2291.docx",
    );
    assert_eq!(editing["datetime"], "2024-03-04T09:12:02.000000+00:00");
    assert_eq!(editing["value"], "0x00000001");
    assert_eq!(
        editing["document"],
        "%USERPROFILE%/Downloads/Invoice_2291.docx"
    );
    assert!(
        editing["message"]
            .as_str()
            .unwrap()
            .starts_with("alice enabled editing")
    );
    let content = find(file, "ddesweep:registry:trusted_document", "Q1.xlsx");
    assert_eq!(content["datetime"], "2024-02-28T16:20:00.000000+00:00");
    assert_eq!(content["value"], "0x7fffffff");
    assert!(
        content["message"]
            .as_str()
            .unwrap()
            .contains("enabled content")
    );

    let opened = find(file, "ddesweep:registry:office_mru", "Invoice_2291.docx");
    assert_eq!(opened["datetime"], "2024-03-04T09:12:01.000000+00:00");
    assert_eq!(
        opened["document"],
        r"C:\Users\alice\Downloads\Invoice_2291.docx"
    );
    assert_eq!(
        opened["registry_key"],
        r"Software\Microsoft\Office\16.0\Word\User MRU\LiveId_ABCDEF\File MRU"
    );
    assert_eq!(opened["timestamp_desc"], "Last Access Time");
    let budget = find(file, "ddesweep:registry:office_mru", "Q4_Budget.docx");
    assert_eq!(budget["datetime"], "2024-02-27T15:42:10.000000+00:00");
    let place = find(file, "ddesweep:registry:office_mru", "folder used");
    assert_eq!(place["document"], r"C:\Users\alice\Downloads\");
    let outlook = find(file, "ddesweep:registry:office_mru", "Payment_Advice.xlsx");
    assert_eq!(outlook["datetime"], "2024-03-04T08:47:30.000000+00:00");
    assert_eq!(
        outlook["registry_key"],
        r"Software\Microsoft\Office\16.0\Excel\File MRU"
    );
}

#[test]
fn bob_has_no_finding() {
    let found: Vec<_> = rows("bob/NTUSER.DAT");
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(found.iter().all(|r| r.1 == "info"), "{found:?}");
}

#[test]
fn equation_editor_kill_bits() {
    let software = rows("SOFTWARE");
    let compat = r"COM Compatibility\{0002CE02-0000-0000-C000-000000000046}\Compatibility Flags";
    assert_eq!(
        software,
        [
            row(
                "2023-11-14T10:00:00",
                "info",
                "ddesweep:registry:equation_editor",
                &format!(r"Microsoft\Office\Common\{compat}"),
                "0x00000400"
            ),
            row(
                "2024-03-01T17:05:00",
                "critical",
                "ddesweep.eventlog.equation_editor_kill_bit",
                &format!(r"WOW6432Node\Microsoft\Office\Common\{compat}"),
                "0x00000000"
            ),
        ]
    );
    let blocked = rows("SOFTWARE-killbit-set");
    assert_eq!(blocked.len(), 3, "{blocked:?}");
    assert!(
        blocked.iter().all(|r| r.1 == "info" && r.4 == "0x00000400"),
        "{blocked:?}"
    );
    let profiles = &hive_scan().artifact("SOFTWARE")["hive"]["profiles"];
    assert_eq!(
        profiles[1],
        serde_json::json!([
            "S-1-5-21-1111111111-2222222222-3333333333-1104",
            r"C:\Users\alice"
        ])
    );
}

#[test]
fn host_name_reaches_every_row_of_the_evidence() {
    assert_eq!(
        hive_scan().artifact("SYSTEM")["hive"]["computer_name"],
        "WS-ALICE"
    );
    assert!(hive_scan().rows.iter().all(|r| r["host"] == "WS-ALICE"));
}

#[test]
fn dirty_hives_are_replayed_or_tagged() {
    let replayed = hive_scan().artifact("dirty/NTUSER.DAT");
    assert_eq!(replayed["hive"]["state"], "replayed");
    assert_eq!(replayed["hive"]["entries"], 1);
    assert_eq!(replayed["hive"]["logs"][0], "dirty/NTUSER.DAT.LOG1");
    let allow = find(
        "dirty/NTUSER.DAT",
        "ddesweep:registry:office_setting",
        "Word user setting AllowDDE = 2",
    );
    assert_eq!(allow["datetime"], "2024-03-04T09:20:00.000000+00:00");
    let launch = find(
        "dirty/NTUSER.DAT",
        "ddesweep:registry:office_setting",
        "DisableDDEServerLaunch = 0",
    );
    assert_eq!(launch["datetime"], "2024-03-04T09:20:05.000000+00:00");
    assert_eq!(
        hive_scan().artifact("dirty/NTUSER.DAT.LOG1")["status"],
        "skipped"
    );

    let unreplayed = hive_scan().artifact("dirty-nolog/NTUSER.DAT");
    assert_eq!(unreplayed["hive"]["state"], "dirty_unreplayed");
    let allow = find(
        "dirty-nolog/NTUSER.DAT",
        "ddesweep:registry:office_setting",
        "AllowDDE = 1",
    );
    assert!(
        allow["tag"]
            .as_array()
            .unwrap()
            .contains(&Value::from("dirty_hive"))
    );

    // Found by its signature, whatever its name.
    assert_eq!(hive_scan().artifact("renamed.bin")["kind"], "registry_hive");
    assert_eq!(hive_scan().artifact("renamed.bin")["findings"], 1);
}

#[test]
fn logs_named_as_windows_writes_them_are_replayed() {
    // Windows writes `ntuser.dat.LOG1` beside `NTUSER.DAT`.
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("Users/dave");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::copy(testdata("hives/dirty/NTUSER.DAT"), home.join("NTUSER.DAT")).unwrap();
    std::fs::copy(
        testdata("hives/dirty/NTUSER.DAT.LOG1"),
        home.join("ntuser.dat.LOG1"),
    )
    .unwrap();
    let run = scan(&[dir.path()], &[]);
    let hive = run.artifact("Users/dave/NTUSER.DAT");
    assert_eq!(hive["hive"]["state"], "replayed");
    assert_eq!(hive["hive"]["logs"][0], "Users/dave/ntuser.dat.LOG1");
    assert_eq!(hive["findings"], 5);
}

#[test]
fn a_bad_checksum_does_not_cost_the_hive() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = std::fs::read(testdata("hives/alice/NTUSER.DAT")).unwrap();
    bytes[508] ^= 0xff;
    std::fs::write(dir.path().join("NTUSER.DAT"), bytes).unwrap();
    let run = scan(&[dir.path()], &[]);
    let hive = run.artifact("NTUSER.DAT");
    assert_eq!(hive["status"], "analyzed");
    assert_eq!(hive["hive"]["state"], "unvalidated");
    assert!(
        hive["reason"]
            .as_str()
            .unwrap()
            .contains("failed validation")
    );
    assert_eq!(hive["findings"], 5);
    assert!(run.rows.iter().all(|r| {
        r["tag"]
            .as_array()
            .unwrap()
            .contains(&Value::from("dirty_hive"))
    }));
}
