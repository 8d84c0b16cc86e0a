//! Hostile sizes cost bounded memory and time: a 1 GiB CSV, RTF, Word binary document and event
//! log (sparse files), a document whose one part inflates to 1 GiB and the 300 MB zip bomb, all
//! in one run whose heap is capped at 256 MiB (`prlimit --data`: the mapped evidence does not
//! count, every allocation does). The run must finish with each file in the manifest, stopped
//! at the bound it met, and the findings of what was read.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use crate::util::{read_scan, testdata};

/// The heap the run may use.
const HEAP_LIMIT: u64 = 256 << 20;
/// The hostile size.
const GIB: u64 = 1 << 30;

/// A file of `GIB` bytes that starts with `head` and holds zeros (a hole) after it.
fn sparse(path: &Path, head: &[u8]) {
    let mut file = std::fs::File::create(path).unwrap();
    file.write_all(head).unwrap();
    file.set_len(GIB).unwrap();
}

/// A .docx whose `word/document.xml` inflates to 1 GiB of zeros (about 1 MB stored).
fn inflating_docx(path: &Path) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    zip.start_file("[Content_Types].xml", options).unwrap();
    zip.write_all(b"<Types/>").unwrap();
    zip.start_file("word/document.xml", options).unwrap();
    let zeros = vec![0u8; 16 << 20];
    for _ in 0..GIB / zeros.len() as u64 {
        zip.write_all(&zeros).unwrap();
    }
    zip.finish().unwrap();
}

#[test]
fn hostile_sizes_cost_bounded_memory_and_time() {
    let evidence = tempfile::tempdir().unwrap();
    let dir = evidence.path();
    sparse(&dir.join("huge.csv"), b"=cmd|'/c calc'!A1\n");
    sparse(
        &dir.join("huge.rtf"),
        br#"{\rtf1 {\field{\*\fldinst DDEAUTO c:\\windows\\system32\\cmd.exe "/k calc"}}"#,
    );
    sparse(
        &dir.join("huge.evtx"),
        &std::fs::read(testdata("evtx/positive/sysmon-1-office-child.evtx")).unwrap(),
    );
    sparse(
        &dir.join("huge.doc"),
        &std::fs::read(testdata("documents/positive/word-embedded-sheet.doc")).unwrap(),
    );
    inflating_docx(&dir.join("inflates-1g.docx"));
    std::fs::copy(
        testdata("documents/hostile/zipbomb.docx"),
        dir.join("zipbomb.docx"),
    )
    .unwrap();

    let out = tempfile::tempdir().unwrap();
    let binary = env!("CARGO_BIN_EXE_ddesweep");
    let capped = Path::new("/usr/bin/prlimit").exists();
    let mut command = if capped {
        let mut command = Command::new("/usr/bin/prlimit");
        command
            .arg(format!("--data={HEAP_LIMIT}"))
            .arg("--")
            .arg(binary);
        command
    } else {
        println!("prlimit is absent: the run is not heap-capped (util-linux provides it)");
        Command::new(binary)
    };
    let output = command
        .args(["scan", "--quiet", "--threads", "2", "-o"])
        .arg(out.path())
        .arg(dir)
        .output()
        .unwrap();
    // Over the cap, an allocation fails and the process aborts: no exit code.
    assert_eq!(
        output.status.code(),
        Some(1),
        "finished with failed artifacts: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let run = read_scan(out, &output);
    assert_eq!(run.manifest["totals"]["seen"], 6);

    let failed = |name: &str, reason: &str| {
        let artifact = run.artifact(name);
        assert_eq!(artifact["status"], "failed", "{artifact}");
        assert_eq!(artifact["reason"], reason, "{artifact}");
    };
    failed(
        "huge.csv",
        "text file is 1073741824 bytes, over the limit of 536870912 bytes",
    );
    failed(
        "inflates-1g.docx",
        "word/document.xml: decompresses past the limit of 67108864 bytes; the rest was not read",
    );
    failed(
        "zipbomb.docx",
        "word/document.xml: compression ratio over 200:1 after 61865984 bytes (zip bomb guard); \
         the rest was not read",
    );
    // Read to the end, linearly: the finding at the start is there.
    assert_eq!(run.artifact("huge.rtf")["status"], "analyzed");
    assert_eq!(
        run.commands_in("huge.rtf"),
        [r#"c:\windows\system32\cmd.exe "/k calc""#]
    );
    let log = run.artifact("huge.evtx");
    assert_eq!(log["status"], "analyzed", "{log}");
    assert_eq!(log["eventlog"]["records_read"], 7, "{log}");
    assert_eq!(run.artifact("huge.doc")["status"], "analyzed");
}
