//! Validation on real hives in `../shared/corpus/hives` (skipped when absent, or when `xz` is
//! missing): decompressed into a temporary folder, every hive is read without a crash; the real
//! TrustRecords and MRU entries are decoded with times next to their keys' last-written times;
//! the SYSTEM hive names its computer; the dfwinreg NTUSER.DAT gives no DDE finding.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::util::scan;

/// The corpus hives, decompressed into a temporary folder (`None` when unavailable).
fn corpus_hives() -> Option<tempfile::TempDir> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/hives");
    if !corpus.is_dir() {
        eprintln!("skipped: {} not found", corpus.display());
        return None;
    }
    let dir = tempfile::tempdir().ok()?;
    for entry in std::fs::read_dir(&corpus).ok()? {
        let path = entry.ok()?.path();
        let name = path.file_name()?.to_string_lossy().into_owned();
        match name.strip_suffix(".xz") {
            Some(stem) => {
                let output = Command::new("xz").arg("-dc").arg(&path).output();
                let Some(output) = output.ok().filter(|o| o.status.success()) else {
                    eprintln!("skipped: xz cannot decompress {name}");
                    return None;
                };
                std::fs::write(dir.path().join(stem), output.stdout).ok()?;
            }
            None => {
                std::fs::copy(&path, dir.path().join(&name)).ok()?;
            }
        }
    }
    Some(dir)
}

fn rows_of<'a>(rows: &'a [Value], file: &str, data_type: &str) -> Vec<&'a Value> {
    rows.iter()
        .filter(|r| r["source_path"] == file && r["data_type"] == data_type)
        .collect()
}

#[test]
fn real_hives() {
    let Some(dir) = corpus_hives() else { return };
    let run = scan(&[dir.path()], &[]);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for artifact in run.manifest["artifacts"].as_array().unwrap() {
        assert_eq!(artifact["kind"], "registry_hive", "{artifact}");
        assert_eq!(artifact["status"], "analyzed", "{artifact}");
    }
    assert_eq!(
        run.artifact("SYSTEM")["hive"]["computer_name"],
        "WKS-WIN732BITA"
    );
    assert_eq!(
        run.artifact("NTUSER_BAGMRU.DAT")["hive"]["state"],
        "dirty_unreplayed"
    );

    // Trusted Documents: Office 16 records of the BAGMRU hive, flag 1 (editing enabled), timed
    // at their own FILETIME, which sits seconds before the key's last write.
    let trusted = rows_of(
        &run.rows,
        "NTUSER_BAGMRU.DAT",
        "ddesweep:registry:trusted_document",
    );
    let found: Vec<(&str, &str, &str)> = trusted
        .iter()
        .map(|r| {
            (
                r["document"].as_str().unwrap(),
                r["datetime"].as_str().unwrap(),
                r["value"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        found.contains(&(
            "%USERPROFILE%/Downloads/indeces.xlsx",
            "2022-02-23T18:58:04.493963+00:00",
            "0x00000001"
        )),
        "{found:?}"
    );
    assert!(trusted.iter().all(|r| {
        r["tag"]
            .as_array()
            .unwrap()
            .contains(&Value::from("dirty_hive"))
    }));

    // MRU: Office 14 Excel File MRU of NTUSER.DAT; the newest item's time is the key's last write
    // to the millisecond (Office writes both at once).
    let mru = rows_of(&run.rows, "NTUSER.DAT", "ddesweep:registry:office_mru");
    assert_eq!(mru.len(), 6);
    let newest = mru
        .iter()
        .find(|r| {
            r["document"]
                .as_str()
                .unwrap()
                .ends_with("Undercover-Agents-List-For-United-Kingdom.xls")
        })
        .unwrap();
    assert_eq!(newest["datetime"], "2012-04-04T15:43:16.848000+00:00");
    assert_eq!(
        newest["registry_key"],
        r"Software\Microsoft\Office\14.0\Excel\File MRU"
    );

    // No DDE finding anywhere, and none at all in the dfwinreg hive.
    assert!(
        run.rows.iter().all(|r| r["severity"] == "info"),
        "{:?}",
        run.rows
    );
    assert!(
        run.rows
            .iter()
            .all(|r| r["source_path"] != "dfwinreg-NTUSER.DAT")
    );
}
