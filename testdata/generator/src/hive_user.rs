//! The per-user hive fixtures (`NTUSER.DAT`): alice's (DDE enabled, trusted documents,
//! Office MRUs), bob's (DDE locked down), a dirty hive with its `.LOG1`, a dirty hive
//! without a log, and a renamed hive. Every key time is set here and listed in
//! [`crate::hive_catalog`].
//!
//! Alice's hive tells the demo story of `sample-evidence/`: Word's `AllowDDE` set to 1 at
//! 09:11:01 on 2024-03-04 (the Sysmon 13 record of that second), `Invoice_2291.docx` opened
//! from Downloads at 09:12:01 (File MRU) and its editing enabled at 09:12:02 (TrustRecords).

use crate::evtx::filetime_from_rfc3339;
use crate::hive::{HiveBuilder, transaction_log};

/// Alice's SID.
pub const ALICE_SID: &str = "S-1-5-21-1111111111-2222222222-3333333333-1104";
/// Bob's SID.
pub const BOB_SID: &str = "S-1-5-21-1111111111-2222222222-3333333333-1105";
/// The root key name of a user hive created from the default profile.
const USER_ROOT: &str = "CsiTool-CreateHive-{00000000-0000-0000-0000-000000000000}";
/// Office 16's Word key.
const WORD16: &str = r"Software\Microsoft\Office\16.0\Word";
/// Office 16's Excel key.
const EXCEL16: &str = r"Software\Microsoft\Office\16.0\Excel";

/// The FILETIME of a `YYYY-MM-DDTHH:MM:SSZ` literal.
///
/// # Panics
/// On a malformed literal (they are all constants of this crate).
pub fn t(rfc3339: &str) -> u64 {
    filetime_from_rfc3339(rfc3339).expect("a valid time literal")
}

/// A TrustRecords value's 24 bytes: bytes 0..8 the FILETIME at which the document was
/// trusted (what RegRipper's `trustrecords` prints), 8..12 the time-zone bias in minutes
/// (i32, UTC = local + bias), 12..20 zero, 20..24 the state flag (u32): 1 when editing
/// was enabled, `0x7FFFFFFF` (bytes `FF FF FF 7F`) when content (macros) was enabled.
pub fn trust_record(trusted: u64, bias_minutes: i32, flag: u32) -> Vec<u8> {
    let mut data = trusted.to_le_bytes().to_vec();
    data.extend(bias_minutes.to_le_bytes());
    data.extend([0u8; 8]);
    data.extend(flag.to_le_bytes());
    data
}

/// Editing enabled (Protected View left).
pub const TRUST_EDITING: u32 = 0x0000_0001;
/// Content (macros, active content) enabled.
pub const TRUST_CONTENT: u32 = 0x7FFF_FFFF;

/// An Office MRU item: `[F00000000][T<FILETIME hex>][O00000000]*<path>`.
pub fn mru_item(opened: u64, path: &str) -> String {
    format!("[F00000000][T{opened:016X}][O00000000]*{path}")
}

/// Keys every profile has, with the profile's creation time as default: a user hive named
/// `file_name` (`\??\C:\Users\<user>\ntuser.dat`) to add the user's own keys to.
pub fn profile(file_name: &str, user: &str, created: u64) -> HiveBuilder {
    HiveBuilder::new(file_name)
        .root_name(USER_ROOT)
        .default_time(created)
        .key(r"Control Panel\Desktop", created)
        .sz("WallPaper", r"C:\Windows\web\wallpaper\Windows\img0.jpg")
        .sz("ScreenSaveActive", "1")
        .key(r"Control Panel\International", created)
        .sz("LocaleName", "en-US")
        .key("Environment", created)
        .expand_sz("TEMP", r"%USERPROFILE%\AppData\Local\Temp")
        .expand_sz("TMP", r"%USERPROFILE%\AppData\Local\Temp")
        .key(
            r"Software\Microsoft\Windows\CurrentVersion\Explorer",
            created,
        )
        .dword("ShellState", 0x24)
        .key(
            r"Software\Microsoft\Windows\CurrentVersion\Explorer\Shell Folders",
            created,
        )
        .sz("Desktop", &format!(r"C:\Users\{user}\Desktop"))
        .sz("Personal", &format!(r"C:\Users\{user}\Documents"))
        .key(r"Software\Microsoft\Office\16.0\Common\General", created)
        .dword("ShownFirstRunOptin", 1)
}

/// Alice's hive content, with the variations the dirty fixture needs: Word's `AllowDDE`
/// and its key time, and whether Excel's `DisableDDEServerLaunch` exists.
fn alice_content(allow_dde: u32, word_time: u64, excel_launch: bool) -> HiveBuilder {
    let downloads = r"C:\Users\alice\Downloads";
    let mut b = profile(
        r"\??\C:\Users\alice\ntuser.dat",
        "alice",
        t("2023-09-12T08:00:00Z"),
    )
    .key(&format!(r"{WORD16}\Security"), word_time)
    .dword("AllowDDE", allow_dde)
    .key(&format!(r"{EXCEL16}\Security"), t("2024-02-20T14:30:00Z"));
    if excel_launch {
        b = b.dword("DisableDDEServerLaunch", 0);
    }
    b.dword("DisableDDEServerLookup", 1)
        .dword("WorkbookLinkWarnings", 2)
        .key(
            r"Software\Policies\Microsoft\Office\16.0\Excel\Security\External Content",
            t("2024-01-15T07:45:00Z"),
        )
        .dword("DisableDDEServerLookup", 0)
        .key(&format!(r"{WORD16}\Options"), t("2024-02-01T10:00:00Z"))
        .dword("DontUpdateLinks", 0)
        .key(
            &format!(r"{WORD16}\Options\WordMail"),
            t("2024-02-01T10:00:05Z"),
        )
        .dword("DontUpdateLinks", 1)
        .key(
            r"Software\Microsoft\Office\14.0\Word\Security",
            t("2021-06-01T12:00:00Z"),
        )
        .dword("AllowDDE", 0)
        .key(
            &format!(r"{WORD16}\Security\Trusted Documents"),
            t("2023-10-02T09:00:00Z"),
        )
        .dword("LastPurgeTime", 28_345_560)
        .key(
            &format!(r"{WORD16}\Security\Trusted Documents\TrustRecords"),
            t("2024-03-04T09:12:02Z"),
        )
        .binary(
            "%USERPROFILE%/Downloads/Invoice_2291.docx",
            &trust_record(t("2024-03-04T09:12:02Z"), 0, TRUST_EDITING),
        )
        .binary(
            "file://fileserver/share/Q1.xlsx",
            &trust_record(t("2024-02-28T16:20:00Z"), 0, TRUST_CONTENT),
        )
        .key(
            &format!(r"{WORD16}\User MRU\LiveId_ABCDEF\File MRU"),
            t("2024-03-04T09:12:01Z"),
        )
        .sz(
            "Item 1",
            &mru_item(
                t("2024-03-04T09:12:01Z"),
                &format!(r"{downloads}\Invoice_2291.docx"),
            ),
        )
        .sz(
            "Item 2",
            &mru_item(
                t("2024-02-27T15:42:10Z"),
                r"C:\Users\alice\Documents\Q4_Budget.docx",
            ),
        )
        .key(
            &format!(r"{WORD16}\User MRU\LiveId_ABCDEF\Place MRU"),
            t("2024-03-04T09:12:01Z"),
        )
        .sz(
            "Item 1",
            &mru_item(t("2024-03-04T09:12:01Z"), &format!(r"{downloads}\")),
        )
        .key(&format!(r"{EXCEL16}\File MRU"), t("2024-03-04T08:47:30Z"))
        .sz(
            "Item 1",
            &mru_item(
                t("2024-03-04T08:47:30Z"),
                r"C:\Users\alice\AppData\Local\Microsoft\Windows\INetCache\Content.Outlook\7XK2LQ0B\Payment_Advice.xlsx",
            ),
        )
}

/// `hives/alice/NTUSER.DAT` (also the demo folder's): clean, DDE enabled in Word 16.
pub fn alice_ntuser() -> Vec<u8> {
    alice_content(1, t("2024-03-04T09:11:01Z"), true).build()
}

/// `hives/bob/NTUSER.DAT`: clean, DDE disabled everywhere, no TrustRecords, an empty
/// File MRU.
pub fn bob_ntuser() -> Vec<u8> {
    profile(
        r"\??\C:\Users\bob\ntuser.dat",
        "bob",
        t("2023-09-12T08:30:00Z"),
    )
    .key(&format!(r"{WORD16}\Security"), t("2024-01-10T08:00:00Z"))
    .dword("AllowDDE", 0)
    .key(&format!(r"{EXCEL16}\Security"), t("2024-01-10T08:00:10Z"))
    .dword("DisableDDEServerLaunch", 1)
    .key(&format!(r"{WORD16}\Options"), t("2024-01-10T08:00:20Z"))
    .dword("DontUpdateLinks", 1)
    .key(
        &format!(r"{WORD16}\User MRU\LiveId_123456\File MRU"),
        t("2024-02-29T11:00:00Z"),
    )
    .build()
}

/// Sequence numbers of the dirty hive: primary 42 (the write began), secondary 41.
pub const DIRTY_SEQUENCE: (u32, u32) = (42, 41);

/// The dirty pair's stale primary file: alice's hive with `AllowDDE` 0 and no Excel
/// `DisableDDEServerLaunch`, sequence numbers 42/41.
fn dirty_stale() -> HiveBuilder {
    alice_content(0, t("2024-03-04T09:11:01Z"), false).dirty(DIRTY_SEQUENCE.0, DIRTY_SEQUENCE.1)
}

/// What the dirty pair's log brings: `AllowDDE` 2 (Word\Security written at 09:20:00),
/// Excel's `DisableDDEServerLaunch` 0 added (Excel\Security written at 09:20:05), sequence
/// numbers 42/42.
pub fn dirty_updated() -> Vec<u8> {
    alice_content(2, t("2024-03-04T09:20:00Z"), true)
        .key(&format!(r"{EXCEL16}\Security"), t("2024-03-04T09:20:05Z"))
        .sequence(DIRTY_SEQUENCE.0)
        .build()
}

/// `hives/dirty/NTUSER.DAT`: the stale primary file (see [`dirty_stale`]).
pub fn dirty_ntuser() -> Vec<u8> {
    dirty_stale().build()
}

/// `hives/dirty/NTUSER.DAT.LOG1`: one log entry (sequence 42) with the pages that differ
/// between [`dirty_ntuser`] and [`dirty_updated`].
pub fn dirty_log1() -> Vec<u8> {
    transaction_log(&dirty_ntuser(), &dirty_updated())
}

/// `hives/dirty-nolog/NTUSER.DAT`: dirty (sequence numbers 7/6), no log; Word's
/// `AllowDDE` 1 (Word\Security written at 2024-03-04T09:11:01Z).
pub fn dirty_nolog_ntuser() -> Vec<u8> {
    HiveBuilder::new(r"\??\C:\Users\carol\ntuser.dat")
        .root_name(USER_ROOT)
        .default_time(t("2023-09-12T09:00:00Z"))
        .key(&format!(r"{WORD16}\Security"), t("2024-03-04T09:11:01Z"))
        .dword("AllowDDE", 1)
        .dirty(7, 6)
        .build()
}

/// `hives/renamed.bin`: a small clean user hive without a hive name; Word's `AllowDDE` 1
/// (Word\Security written at 2024-03-04T09:11:01Z).
pub fn renamed_hive() -> Vec<u8> {
    HiveBuilder::new("ntuser.dat")
        .root_name(USER_ROOT)
        .default_time(t("2023-09-12T09:00:00Z"))
        .key(&format!(r"{WORD16}\Security"), t("2024-03-04T09:11:01Z"))
        .dword("AllowDDE", 1)
        .build()
}
