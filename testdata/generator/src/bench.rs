//! The benchmark corpus: Word, Excel, RTF and CSV documents in rotation,
//! 2-40 KB each, with realistic text, styles and supporting parts; about one
//! in four carries DDE. Document `i` depends only on `i`, so the corpus of
//! `n` documents is a prefix of the corpus of `n + 1`.

use crate::Fixture;
use crate::excel::{self, CT_XLSX, realistic_excel};
use crate::prose::{self, Rng};
use crate::rtf;
use crate::text::table;
use crate::word::{self, CT_DOCX, fld_char_field, fld_simple, p, p_styled, run, word_body};
use crate::word_extras::realistic_word;

/// Smallest target size of a benchmark document, in bytes.
pub const MIN_SIZE: usize = 2 * 1024;
/// Largest target size of a benchmark document, in bytes.
pub const MAX_SIZE: usize = 40 * 1024;

/// The formats in rotation: document `i` has extension `FORMATS[i % 4]`.
pub const FORMATS: [&str; 4] = ["docx", "xlsx", "rtf", "csv"];

/// Whether benchmark document `index` carries DDE: exactly one in four, and
/// every format gets its share (one of each per 16 documents).
pub fn bench_carries_dde(index: usize) -> bool {
    (index / 4) % 4 == index % 4
}

/// `n` benchmark documents named `bench-00000.docx`, `bench-00001.xlsx`, …
pub fn bench_corpus(n: usize) -> Vec<Fixture> {
    (0..n).map(bench_document).collect()
}

/// Benchmark document number `index`.
pub fn bench_document(index: usize) -> Fixture {
    let format = FORMATS[index % FORMATS.len()];
    let seed = 0xBE4C_0000_0000 ^ index as u64;
    let mut rng = Rng::new(seed);
    let target = rng.range(MIN_SIZE, MAX_SIZE);
    let doc = Doc {
        seed: rng.next_u64(),
        dde: bench_carries_dde(index).then_some(index / 16),
    };
    let build: &dyn Fn(usize) -> Vec<u8> = match format {
        "docx" => &|k| doc.docx(k),
        "xlsx" => &|k| doc.xlsx(k),
        "rtf" => &|k| doc.rtf(k),
        _ => &|k| doc.csv(k),
    };
    Fixture {
        path: format!("bench-{index:05}.{format}"),
        bytes: fit(target, build),
    }
}

/// Builds with a unit count chosen so the size comes close to `target`:
/// measures the size without units and with 16, extrapolates, corrects the
/// estimate twice from the measured sizes, and finally makes sure the result
/// stays within [`MAX_SIZE`].
fn fit(target: usize, build: &dyn Fn(usize) -> Vec<u8>) -> Vec<u8> {
    const PROBE: usize = 16;
    const MIN_UNITS: usize = 3;
    let base = build(0).len();
    let estimate = |units: usize, size: usize| {
        let per_unit = (size.saturating_sub(base) as f64 / units as f64).max(1.0);
        ((target.saturating_sub(base) as f64 / per_unit) as usize).max(MIN_UNITS)
    };
    let mut units = estimate(PROBE, build(PROBE).len());
    let mut doc = build(units);
    for _ in 0..2 {
        let next = estimate(units, doc.len());
        if next == units {
            break;
        }
        units = next;
        doc = build(units);
    }
    while doc.len() > MAX_SIZE && units > MIN_UNITS {
        units = (units - units / 20 - 1).max(MIN_UNITS);
        doc = build(units);
    }
    doc
}

/// Content recipe of one benchmark document.
struct Doc {
    /// Seed of the text.
    seed: u64,
    /// `Some(variant)` when the document carries DDE.
    dde: Option<usize>,
}

/// Benign-looking commands the DDE documents run.
const COMMANDS: &[&str] = &["calc.exe", "notepad.exe", "mspaint.exe", "whoami"];

impl Doc {
    fn command(&self) -> &'static str {
        COMMANDS[self.dde.unwrap_or(0) % COMMANDS.len()]
    }

    /// Position (in units) where the DDE goes.
    fn dde_at(&self, units: usize) -> usize {
        units / 2
    }

    fn docx(&self, units: usize) -> Vec<u8> {
        let mut rng = Rng::new(self.seed);
        let title = prose::heading(&mut rng);
        let mut body = p_styled("Title", &run(&title));
        body.push_str(&p(&fld_char_field(
            &[r#" TOC \o "1-3" \h \z \u "#],
            "Contents",
        )));
        for i in 0..units {
            if let Some(variant) = self.dde.filter(|_| i == self.dde_at(units)) {
                let cmd = self.command();
                let field = match variant % 3 {
                    0 => fld_char_field(
                        &[
                            "DDE",
                            &format!(r#"AUTO c:\\windows\\system32\\cmd.exe "/c {cmd}""#),
                        ],
                        "Update",
                    ),
                    1 => fld_simple(&format!(r#" DDE cmd.exe "/c {cmd}" "#), "Data"),
                    _ => fld_char_field(&[&format!(r#" ddeauto cmd.exe "/k {cmd}" "#)], "Link"),
                };
                body.push_str(&p(&field));
            }
            match i % 9 {
                0 => body.push_str(&p_styled("Heading1", &run(&prose::heading(&mut rng)))),
                5 => {
                    let rows: Vec<Vec<String>> = (0..4)
                        .map(|_| {
                            vec![
                                prose::product(&mut rng).to_owned(),
                                prose::region(&mut rng).to_owned(),
                                rng.range(1, 500).to_string(),
                            ]
                        })
                        .collect();
                    body.push_str(&word::table(&[4000, 2500, 1500], &rows, false));
                }
                _ => body.push_str(&p(&run(&prose::paragraph(&mut rng, 2, 6)))),
            }
        }
        body.push_str(&p(&(run("Page ") + &fld_simple(" PAGE ", "1"))));
        let author = prose::person(&mut rng);
        realistic_word(CT_DOCX, word_body(&body).as_bytes(), &[], &title, &author)
    }

    fn xlsx(&self, units: usize) -> Vec<u8> {
        let mut rng = Rng::new(self.seed);
        let mut strings: Vec<&'static str> =
            vec!["Date", "Region", "Product", "Units", "Price", "Total"];
        let header: Vec<String> = ["A", "B", "C", "D", "E", "F"]
            .iter()
            .enumerate()
            .map(|(i, col)| excel::cell_shared(&format!("{col}1"), i))
            .collect();
        let mut rows = excel::row(1, &header);
        fn index_of(s: &'static str, strings: &mut Vec<&'static str>) -> usize {
            match strings.iter().position(|x| *x == s) {
                Some(i) => i,
                None => {
                    strings.push(s);
                    strings.len() - 1
                }
            }
        }
        for u in 0..units {
            let r = u + 2;
            let units_sold = rng.range(1, 400);
            let price = rng.range(5, 900) as f64 + 0.5;
            let mut cells = vec![
                excel::cell_number(&format!("A{r}"), 42736.0 + rng.below(365) as f64),
                excel::cell_shared(
                    &format!("B{r}"),
                    index_of(prose::region(&mut rng), &mut strings),
                ),
                excel::cell_shared(
                    &format!("C{r}"),
                    index_of(prose::product(&mut rng), &mut strings),
                ),
                excel::cell_number(&format!("D{r}"), units_sold as f64),
                excel::cell_number(&format!("E{r}"), price),
                excel::cell_formula(
                    &format!("F{r}"),
                    &format!("D{r}*E{r}"),
                    &format!("{}", units_sold as f64 * price),
                ),
            ];
            if self.dde.is_some_and(|v| v % 2 == 1) && u == self.dde_at(units) {
                let formula = format!("cmd|'/c {}'!A0", self.command());
                cells.push(excel::cell_formula(&format!("G{r}"), &formula, "0"));
            }
            rows.push_str(&excel::row(r, &cells));
        }
        let sheet = excel::sheet_xml(&rows);
        let shared = excel::shared_strings_xml(&strings);
        let link = excel::dde_link_xml("cmd", &format!("/c {}", self.command()), &["_xlbgnm.A1"]);
        let mut parts: Vec<(&str, &[u8])> = vec![("xl/worksheets/sheet1.xml", sheet.as_bytes())];
        if self.dde.is_some_and(|v| v % 2 == 0) {
            parts.push(("xl/externalLinks/externalLink1.xml", link.as_bytes()));
        }
        parts.push(("xl/sharedStrings.xml", shared.as_bytes()));
        let author = prose::person(&mut rng);
        realistic_excel(CT_XLSX, &parts, "Sales", &author)
    }

    fn rtf(&self, units: usize) -> Vec<u8> {
        let mut rng = Rng::new(self.seed);
        let title = prose::heading(&mut rng);
        let mut body = rtf::heading(&title);
        for i in 0..units {
            if self.dde.is_some() && i == self.dde_at(units) {
                let instr = format!(
                    r#"DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/c {}""#,
                    self.command()
                );
                body.push_str(&format!(
                    "\\pard\\plain \\ql \\f1\\fs22 {}\\par\r\n",
                    rtf::field(&instr, "Click to update")
                ));
            }
            if i % 8 == 0 {
                body.push_str(&rtf::heading(&prose::heading(&mut rng)));
            }
            body.push_str(&rtf::paragraph(&prose::paragraph(&mut rng, 2, 6)));
        }
        rtf::document(&title, &body).into_bytes()
    }

    fn csv(&self, units: usize) -> Vec<u8> {
        let mut rng = Rng::new(self.seed);
        let mut rows: Vec<Vec<String>> = vec![
            [
                "id", "date", "name", "region", "product", "amount", "comment",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        ];
        for u in 0..units {
            let comment = if self.dde.is_some() && u == self.dde_at(units) {
                let prefix = ["=", "+", "@", "-2+"][self.dde.unwrap_or(0) % 4];
                format!("{prefix}cmd|'/c {}'!A0", self.command())
            } else {
                prose::sentence(&mut rng)
            };
            rows.push(vec![
                (u + 1).to_string(),
                prose::date(&mut rng),
                prose::person(&mut rng),
                prose::region(&mut rng).to_owned(),
                prose::product(&mut rng).to_owned(),
                format!("{}.{:02}", rng.range(1, 9999), rng.below(100)),
                comment,
            ]);
        }
        let refs: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        let refs: Vec<&[&str]> = refs.iter().map(Vec::as_slice).collect();
        table(&refs, ',').into_bytes()
    }
}
