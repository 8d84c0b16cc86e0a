//! Test helpers: run the binary, read its output back.

use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use sha2::{Digest, Sha256};
use tempfile::TempDir;

/// A path under `testdata/`.
pub fn testdata(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(relative)
}

/// A `Command` for the built binary.
pub fn ddesweep() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ddesweep"))
}

/// The result of one scan.
pub struct Scan {
    /// Keeps the output folder alive.
    pub out: TempDir,
    /// Exit code.
    pub code: i32,
    /// Standard error.
    pub stderr: String,
    /// Timeline rows (JSONL), or empty for CSV runs.
    pub rows: Vec<Value>,
    /// The manifest.
    pub manifest: Value,
}

impl Scan {
    /// `(source_path, rule_id, command)` of every finding row, in timeline order.
    pub fn findings(&self) -> Vec<(String, String, String)> {
        self.rows
            .iter()
            .filter(|r| r["severity"] != "info")
            .map(|r| {
                (
                    r["source_path"].as_str().unwrap_or_default().to_owned(),
                    r["rule_id"].as_str().unwrap_or_default().to_owned(),
                    r["command"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }

    /// Commands found in the artifact whose path ends with `name`, sorted.
    pub fn commands_in(&self, name: &str) -> Vec<String> {
        let mut commands: Vec<String> = self
            .findings()
            .into_iter()
            .filter(|(path, _, _)| path.ends_with(name))
            .map(|(_, _, command)| command)
            .collect();
        commands.sort();
        commands
    }

    /// The manifest record of the artifact whose path ends with `name`.
    pub fn artifact(&self, name: &str) -> &Value {
        let artifacts = self.manifest["artifacts"]
            .as_array()
            .expect("artifacts array");
        let found: Vec<&Value> = artifacts
            .iter()
            .filter(|a| a["path"].as_str().is_some_and(|p| p.ends_with(name)))
            .collect();
        assert_eq!(
            found.len(),
            1,
            "exactly one artifact named {name}: {found:?}"
        );
        found[0]
    }

    /// Bytes of an output file.
    pub fn output_bytes(&self, file: &str) -> Vec<u8> {
        std::fs::read(self.out.path().join(file)).expect("output file")
    }
}

/// Runs `ddesweep scan EVIDENCE... -o TMP --quiet EXTRA...` and reads the output back.
pub fn scan(evidence: &[&Path], extra: &[&str]) -> Scan {
    let out = tempfile::tempdir().expect("temp dir");
    let output = run_scan(evidence, out.path(), extra);
    read_scan(out, &output)
}

/// Runs a scan into `out` and returns the process output.
pub fn run_scan(evidence: &[&Path], out: &Path, extra: &[&str]) -> Output {
    ddesweep()
        .arg("scan")
        .args(evidence)
        .arg("-o")
        .arg(out)
        .arg("--quiet")
        .args(extra)
        .output()
        .expect("run ddesweep")
}

/// Reads the timeline and manifest written into `out`.
pub fn read_scan(out: TempDir, output: &Output) -> Scan {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let code = output.status.code().unwrap_or(-1);
    let manifest_path = out.path().join("manifest.json");
    let manifest = match std::fs::read(&manifest_path) {
        Ok(bytes) => serde_json::from_slice(&bytes).expect("manifest is JSON"),
        Err(_) => Value::Null,
    };
    let rows = match std::fs::read_to_string(out.path().join("timeline.jsonl")) {
        Ok(text) => text
            .lines()
            .map(|line| serde_json::from_str(line).expect("timeline row is JSON"))
            .collect(),
        Err(_) => Vec::new(),
    };
    Scan {
        out,
        code,
        stderr,
        rows,
        manifest,
    }
}

/// Copies the folder tree `from` to `to` (created).
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let target = to.join(entry.path().strip_prefix(from).expect("inside"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("create dir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// What a scan must not change about a file: content, length, permissions, owner, and its
/// modification, change and access times (the reads ask for `O_NOATIME`).
pub type FileState = (Vec<u8>, u64, u32, u32, i64, i64, i64, i64, i64, i64);

/// The state of every file below `root` (or of `root` itself when it is a file).
pub fn file_states(root: &Path) -> BTreeMap<PathBuf, FileState> {
    walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let meta = e.metadata().unwrap();
            // Read without moving the access time, as ddesweep reads.
            let mut bytes = Vec::new();
            std::fs::File::options()
                .read(true)
                .custom_flags(libc::O_NOATIME)
                .open(e.path())
                .unwrap()
                .read_to_end(&mut bytes)
                .unwrap();
            let digest = Sha256::digest(&bytes).to_vec();
            let state = (
                digest,
                meta.len(),
                meta.mode(),
                meta.uid(),
                meta.mtime(),
                meta.mtime_nsec(),
                meta.ctime(),
                meta.ctime_nsec(),
                meta.atime(),
                meta.atime_nsec(),
            );
            (e.path().to_path_buf(), state)
        })
        .collect()
}
