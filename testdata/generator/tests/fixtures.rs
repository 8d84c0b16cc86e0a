//! Checks the whole generated `testdata/` set: determinism, count and paths,
//! valid packages with the expected parts, the zip bomb, writing to disk.

mod common;

use std::sync::OnceLock;

use common::{is_encrypted_package, names_of, open, part_text};
use ddesweep_testgen::catalog::CATALOG;
use ddesweep_testgen::evtx_catalog::EVTX_CATALOG;
use ddesweep_testgen::hive_catalog::HIVE_CATALOG;
use ddesweep_testgen::prefetch_catalog::PREFETCH_CATALOG;
use ddesweep_testgen::{Fixture, fixtures};

/// The fixtures, generated once for all tests but the determinism one.
fn all() -> &'static [Fixture] {
    static ALL: OnceLock<Vec<Fixture>> = OnceLock::new();
    ALL.get_or_init(fixtures)
}

fn get(path: &str) -> &'static [u8] {
    &all()
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no fixture {path}"))
        .bytes
}

const EXPECTED_PATHS: &[&str] = &[
    "documents/positive/word-ddeauto-runs.docx",
    "documents/positive/word-dde-fldsimple.docx",
    "documents/positive/word-every-part.docm",
    "documents/positive/word-quote-nested.docx",
    "documents/positive/word-lowercase.dotm",
    "documents/positive/excel-ddelink.xlsx",
    "documents/positive/excel-formula.xlsm",
    "documents/positive/rtf-ddeauto.rtf",
    "documents/positive/rtf-escaped.rtf",
    "documents/positive/csv-cmd.csv",
    "documents/positive/csv-utf16.csv",
    "documents/positive/csv-bom.tsv",
    "documents/positive/csv-libreoffice.csv",
    "documents/positive/txt-formula.txt",
    "documents/positive/evasion-one-run.docx",
    "documents/positive/evasion-wrappers.docx",
    "documents/positive/evasion-alternate-content.docx",
    "documents/positive/evasion-strict.docx",
    "documents/positive/evasion-unterminated.docx",
    "documents/positive/evasion-quote-split.docx",
    "documents/positive/evasion-mixed-case.docx",
    "documents/positive/evasion-fullwidth.csv",
    "documents/positive/evasion-leading-quotes.csv",
    "documents/positive/evasion-concat.csv",
    "documents/positive/evasion-msexcel.csv",
    "documents/positive/word2003.xml",
    "documents/positive/word2003-equation.xml",
    "documents/positive/flat-opc.xml",
    "documents/positive/excel2003.xml",
    "documents/positive/sylk-cmd.slk",
    "documents/positive/webquery.iqy",
    "documents/positive/slides.pptx",
    "documents/positive/slides-equation.ppsx",
    "documents/positive/word-legacy.doc",
    "documents/positive/word-embedded-sheet.doc",
    "documents/positive/slides-ole-link.pptx",
    "documents/positive/word-legacy-padded.dot",
    "documents/positive/word-legacy-orphan.doc",
    "documents/positive/excel-agile-velvet.xlsx",
    "documents/positive/excel-standard-velvet.xlsx",
    "documents/positive/rtf-equation.rtf",
    "documents/positive/word-equation.docx",
    "documents/positive/word-package.docx",
    "documents/positive/outlook-dde.msg",
    "documents/positive/excel-legacy.xls",
    "documents/positive/excel-binary.xlsb",
    "documents/positive/excel-legacy-velvet.xls",
    "documents/negative/word-benign-fields.docx",
    "documents/negative/excel-benign.xlsx",
    "documents/negative/rtf-benign.rtf",
    "documents/negative/csv-benign.csv",
    "documents/negative/evasion-number-bar.csv",
    "documents/negative/word2003-clean.xml",
    "documents/negative/flat-opc-clean.xml",
    "documents/negative/excel2003-clean.xml",
    "documents/negative/sylk-clean.slk",
    "documents/negative/slides-clean.pptx",
    "documents/negative/word-legacy-benign.doc",
    "documents/negative/rtf-picture-object.rtf",
    "documents/negative/outlook-plain.msg",
    "documents/negative/excel-legacy-benign.xls",
    "documents/hostile/empty.docx",
    "documents/hostile/corrupt.docx",
    "documents/hostile/truncated.docx",
    "documents/hostile/zipbomb.docx",
    "documents/hostile/deep-nesting.rtf",
    "documents/hostile/deep-fields.docx",
    "documents/hostile/invalid-utf8.docx",
    "documents/hostile/invalid-utf16.csv",
    "documents/hostile/truncated-xml.docx",
    "documents/hostile/word-legacy-bad-fib.doc",
    "documents/hostile/encrypted-unknown-password.docx",
    "documents/hostile/excel-legacy-bad-records.xls",
    "sample-evidence/C/Users/alice/Downloads/Invoice_2291.docx",
    "sample-evidence/C/Users/alice/AppData/Local/Microsoft/Windows/INetCache/Content.Outlook/7XK2LQ0B/Payment_Advice.xlsx",
    "sample-evidence/C/Users/bob/Desktop/export.csv",
    "sample-evidence/C/Users/bob/Documents/Quarterly_Report.docx",
    "sample-evidence/C/Users/alice/Documents/notes.txt",
    "sample-evidence/C/Users/alice/Pictures/photo.jpg",
    "evtx/positive/sysmon-1-office-child.evtx",
    "evtx/positive/sysmon-1-eqnedt.evtx",
    "evtx/positive/sysmon-1-lookalike.evtx",
    "evtx/positive/security-4688-v2.evtx",
    "evtx/positive/security-4688-v1.evtx",
    "evtx/positive/sysmon-13-dde-registry.evtx",
    "evtx/positive/security-4657-dde-registry.evtx",
    "evtx/positive/sysmon-3-eqnedt-network.evtx",
    "evtx/positive/sysmon-7-office-module.evtx",
    "evtx/positive/oalerts-300.evtx",
    "evtx/positive/renamed-log.dat",
    "evtx/positive/multi-chunk.evtx",
    "evtx/positive/sysmon-office-tree.evtx",
    "evtx/negative/sysmon-1-benign.evtx",
    "evtx/negative/security-4688-benign.evtx",
    "evtx/negative/sysmon-13-benign.evtx",
    "evtx/negative/security-4657-benign.evtx",
    "evtx/negative/sysmon-3-benign.evtx",
    "evtx/negative/sysmon-7-benign.evtx",
    "evtx/negative/oalerts-benign.evtx",
    "evtx/negative/sysmon-1-excluded.evtx",
    "evtx/hostile/truncated.evtx",
    "evtx/hostile/bad-chunk.evtx",
    "sample-evidence/C/Windows/System32/winevt/Logs/Microsoft-Windows-Sysmon%4Operational.evtx",
    "sample-evidence/C/Windows/System32/winevt/Logs/Security.evtx",
    "hives/alice/NTUSER.DAT",
    "hives/bob/NTUSER.DAT",
    "hives/SOFTWARE",
    "hives/SOFTWARE-killbit-set",
    "hives/SYSTEM",
    "hives/dirty/NTUSER.DAT",
    "hives/dirty/NTUSER.DAT.LOG1",
    "hives/dirty-nolog/NTUSER.DAT",
    "hives/renamed.bin",
    "sample-evidence/C/Users/alice/NTUSER.DAT",
    "sample-evidence/C/Windows/System32/config/SOFTWARE",
    "sample-evidence/C/Windows/System32/config/SYSTEM",
    "prefetch/EQNEDT32.EXE-A1B2C3D4.pf",
    "prefetch/EQNEDT32.EXE-0C0FFEE0.pf",
    "prefetch/CMD.EXE-4A81B364.pf",
    "prefetch/POWERSHELL.EXE-022A1004.pf",
    "prefetch/CERTUTIL.EXE-9E1C2B7D.pf",
    "prefetch/NOTEPAD.EXE-D8414F97.pf",
    "prefetch/hostile/truncated.pf",
    "prefetch/hostile/bad-mam.pf",
    "sample-evidence/C/Windows/Prefetch/CMD.EXE-4A81B364.pf",
    "scenarios/wks-sales-042/C/Windows/System32/config/SYSTEM",
    "scenarios/wks-sales-042/C/Windows/System32/config/SOFTWARE",
    "scenarios/wks-sales-042/C/Users/dave/NTUSER.DAT",
    "scenarios/wks-sales-042/C/Users/dave/AppData/Local/Microsoft/Windows/INetCache/Content.Outlook/Q3ZK81PD/Remittance_May.docx",
    "scenarios/wks-sales-042/C/Users/dave/Documents/Q1_Forecast.docx",
    "scenarios/wks-sales-042/C/Windows/System32/winevt/Logs/Microsoft-Windows-Sysmon%4Operational.evtx",
    "scenarios/wks-sales-042/C/Windows/System32/winevt/Logs/Security.evtx",
    "scenarios/wks-sales-042.mem",
    "scenarios/wks-fin-011/C/Windows/System32/config/SYSTEM",
    "scenarios/wks-fin-011/C/Windows/System32/config/SOFTWARE",
    "scenarios/wks-fin-011/C/Users/frank/NTUSER.DAT",
    "scenarios/wks-fin-011/C/Users/frank/Documents/Ledger/GL_Balances.xlsx",
    "scenarios/wks-fin-011/C/Windows/System32/winevt/Logs/Microsoft-Windows-Sysmon%4Operational.evtx",
    "scenarios/erp-site.toml",
    "scenarios/wks-hr-007/C/Windows/System32/config/SYSTEM",
    "scenarios/wks-hr-007/C/Windows/System32/config/SOFTWARE",
    "scenarios/wks-hr-007/C/Users/carol/NTUSER.DAT",
    "scenarios/wks-hr-007/C/Users/carol/Documents/Archive/Vendor_Quote_2019.docx",
    "scenarios/wks-hr-007/C/Windows/System32/winevt/Logs/Microsoft-Windows-Sysmon%4Operational.evtx",
];

#[test]
fn generation_is_deterministic() {
    let again = fixtures();
    assert_eq!(again.len(), all().len());
    for (a, b) in again.iter().zip(all()) {
        assert_eq!(a.path, b.path);
        assert!(a.bytes == b.bytes, "{} differs between runs", a.path);
    }
}

#[test]
fn fixture_count_and_paths() {
    let paths: Vec<&str> = all().iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, EXPECTED_PATHS);
    assert_eq!(CATALOG.len(), 79);
    assert_eq!(EVTX_CATALOG.len(), 25);
    assert_eq!(HIVE_CATALOG.len(), 12);
    assert_eq!(PREFETCH_CATALOG.len(), 9);
    assert_eq!(ddesweep_testgen::scenarios::SCENARIO_CATALOG.len(), 19);
}

#[test]
fn single_fixture_matches_the_set() {
    let one = ddesweep_testgen::fixture("documents/positive/csv-cmd.csv").unwrap();
    assert_eq!(one.bytes, get("documents/positive/csv-cmd.csv"));
    assert!(ddesweep_testgen::fixture("nope").is_none());
    let log = "evtx/positive/oalerts-300.evtx";
    assert_eq!(ddesweep_testgen::fixture(log).unwrap().bytes, get(log));
    let hive = "hives/dirty/NTUSER.DAT.LOG1";
    assert_eq!(ddesweep_testgen::fixture(hive).unwrap().bytes, get(hive));
}

#[test]
fn ooxml_fixtures_are_valid_packages() {
    for f in all() {
        let ooxml = [".docx", ".docm", ".dotm", ".xlsx", ".xlsm"]
            .iter()
            .any(|e| f.path.ends_with(e));
        if !ooxml || f.path.contains("/hostile/") || is_encrypted_package(&f.bytes) {
            continue;
        }
        let mut zip = open(&f.bytes);
        let names: Vec<String> = names_of(&mut zip);
        let word = [".docx", ".docm", ".dotm"]
            .iter()
            .any(|e| f.path.ends_with(e));
        let mut expected = vec!["[Content_Types].xml", "_rels/.rels"];
        expected.extend(if word {
            ["word/document.xml", "word/_rels/document.xml.rels"]
        } else {
            ["xl/workbook.xml", "xl/_rels/workbook.xml.rels"]
        });
        if !word {
            expected.push("xl/worksheets/sheet1.xml");
        }
        for name in &expected {
            assert!(names.iter().any(|n| n == name), "{} lacks {name}", f.path);
        }
        assert_eq!(names[0], "[Content_Types].xml", "{}", f.path);
        for i in 0..zip.len() {
            let entry = zip.by_index(i).unwrap();
            assert_eq!(entry.compression(), zip::CompressionMethod::Deflated);
            let t = entry.last_modified().expect("timestamp");
            assert_eq!((t.year(), t.month(), t.day()), (1980, 1, 1), "{}", f.path);
            assert_eq!((t.hour(), t.minute(), t.second()), (0, 0, 0));
        }
        // Every override names a part that exists.
        let types = part_text(&f.bytes, "[Content_Types].xml");
        for over in types.split("PartName=\"/").skip(1) {
            let name = over.split('"').next().unwrap();
            assert!(
                names.iter().any(|n| n == name),
                "{} types missing {name}",
                f.path
            );
        }
    }
}

#[test]
fn doc_fixtures_are_compound_files_with_a_fib() {
    use std::io::Read;
    for f in all()
        .iter()
        .filter(|f| f.path.ends_with(".doc") || f.path.ends_with(".dot"))
    {
        let mut file = cfb::CompoundFile::open(std::io::Cursor::new(&f.bytes)).unwrap();
        let mut word = Vec::new();
        file.open_stream("/WordDocument")
            .unwrap()
            .read_to_end(&mut word)
            .unwrap();
        assert_eq!(&word[..4], [0xEC, 0xA5, 0xC1, 0x00], "{}", f.path);
        assert!(word.len() >= 4096, "{}", f.path);
        assert!(file.is_stream("/1Table"), "{}", f.path);
        // fDot marks the template only.
        assert_eq!(word[0x0A] & 1 == 1, f.path.ends_with(".dot"), "{}", f.path);
    }
}

#[test]
fn zip_bomb_declares_over_300_mb() {
    let bytes = get("documents/hostile/zipbomb.docx");
    assert!(bytes.len() < 1_000_000, "compressed {} bytes", bytes.len());
    let mut zip = open(bytes);
    let doc = zip.by_name("word/document.xml").unwrap();
    assert!(doc.size() > 300_000_000, "declares {}", doc.size());
}

#[test]
fn write_fixtures_writes_every_file() {
    let root = std::env::temp_dir().join(format!("ddesweep-testgen-{}", std::process::id()));
    let count = ddesweep_testgen::write_fixtures(&root, all()).unwrap();
    assert_eq!(count, 144);
    for f in all() {
        assert_eq!(
            std::fs::read(root.join(&f.path)).unwrap(),
            f.bytes,
            "{}",
            f.path
        );
    }
    std::fs::remove_dir_all(&root).unwrap();
}
