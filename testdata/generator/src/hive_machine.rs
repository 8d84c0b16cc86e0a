//! The machine hive fixtures of the demo host `WS-ALICE`: `SOFTWARE` (the Equation Editor
//! kill bit cleared for 32-bit Office, user profiles) and its counterpart with every kill
//! bit set, and `SYSTEM` (current control set, computer name). Every key time is set here
//! and listed in [`crate::hive_catalog`].

use crate::hive::HiveBuilder;
use crate::hive_user::{ALICE_SID, BOB_SID, t};

/// The Equation Editor's CLSID.
pub const EQNEDT_CLSID: &str = "{0002CE02-0000-0000-C000-000000000046}";
/// `Compatibility Flags` bit that stops Office from activating a COM object (kill bit).
pub const KILL_BIT: u32 = 0x400;
/// Where Office reads COM kill bits, under `SOFTWARE`.
const COM_COMPAT: &str = r"Microsoft\Office\Common\COM Compatibility";
/// The same for 32-bit Office on 64-bit Windows.
const COM_COMPAT_WOW: &str = r"WOW6432Node\Microsoft\Office\Common\COM Compatibility";
/// The same in Click-to-Run's virtual registry.
const COM_COMPAT_C2R: &str = r"Microsoft\Office\ClickToRun\REGISTRY\MACHINE\Software\Microsoft\Office\Common\COM Compatibility";
/// The profile list.
const PROFILE_LIST: &str = r"Microsoft\Windows NT\CurrentVersion\ProfileList";

/// The parts of `SOFTWARE` both variants share: Windows version, profiles, Click-to-Run.
fn software_base() -> HiveBuilder {
    HiveBuilder::new("SOFTWARE")
        .root_name("CMI-CreateHive{199DAFC2-6F16-4946-BF90-5A3FC3A60902}")
        .default_time(t("2023-09-12T07:30:00Z"))
        .key(
            r"Microsoft\Windows NT\CurrentVersion",
            t("2024-02-14T03:10:00Z"),
        )
        .sz("ProductName", "Windows 10 Pro")
        .sz("CurrentBuild", "19045")
        .sz("RegisteredOwner", "alice")
        .key(
            &format!(r"{PROFILE_LIST}\S-1-5-18"),
            t("2023-09-12T07:30:00Z"),
        )
        .expand_sz(
            "ProfileImagePath",
            r"%systemroot%\system32\config\systemprofile",
        )
        .key(
            &format!(r"{PROFILE_LIST}\{ALICE_SID}"),
            t("2023-09-12T08:00:00Z"),
        )
        .expand_sz("ProfileImagePath", r"C:\Users\alice")
        .key(
            &format!(r"{PROFILE_LIST}\{BOB_SID}"),
            t("2023-09-12T08:30:00Z"),
        )
        .expand_sz("ProfileImagePath", r"C:\Users\bob")
        .key(
            r"Microsoft\Office\ClickToRun\Configuration",
            t("2024-02-14T03:20:00Z"),
        )
        .sz("Platform", "x64")
        .sz("VersionToReport", "16.0.17328.20162")
        .key(
            &format!(r"{COM_COMPAT}\{EQNEDT_CLSID}"),
            t("2023-11-14T10:00:00Z"),
        )
        .dword("Compatibility Flags", KILL_BIT)
}

/// `hives/SOFTWARE` (and the demo folder's): the kill bit set for 64-bit Office, cleared
/// (0) under `WOW6432Node` at 2024-03-01T17:05:00Z, the Click-to-Run copy absent.
pub fn software() -> Vec<u8> {
    software_base()
        .key(
            &format!(r"{COM_COMPAT_WOW}\{EQNEDT_CLSID}"),
            t("2024-03-01T17:05:00Z"),
        )
        .dword("Compatibility Flags", 0)
        .build()
}

/// `hives/SOFTWARE-killbit-set`: the kill bit (0x400) under all three paths.
pub fn software_killbit_set() -> Vec<u8> {
    software_base()
        .key(
            &format!(r"{COM_COMPAT_WOW}\{EQNEDT_CLSID}"),
            t("2023-11-14T10:00:00Z"),
        )
        .dword("Compatibility Flags", KILL_BIT)
        .key(
            &format!(r"{COM_COMPAT_C2R}\{EQNEDT_CLSID}"),
            t("2023-11-14T10:00:10Z"),
        )
        .dword("Compatibility Flags", KILL_BIT)
        .build()
}

/// `hives/SYSTEM` (and the demo folder's): `Select\Current` 1 and the computer name
/// `WS-ALICE` in `ControlSet001`.
pub fn system() -> Vec<u8> {
    HiveBuilder::new("SYSTEM")
        .root_name("ROOT")
        .default_time(t("2023-09-12T07:30:00Z"))
        .key("Select", t("2023-09-12T07:30:00Z"))
        .dword("Current", 1)
        .dword("Default", 1)
        .dword("Failed", 0)
        .dword("LastKnownGood", 1)
        .key(
            r"ControlSet001\Control\ComputerName\ComputerName",
            t("2023-09-12T07:45:00Z"),
        )
        .sz("ComputerName", "WS-ALICE")
        .key(
            r"ControlSet001\Control\TimeZoneInformation",
            t("2023-09-12T07:46:00Z"),
        )
        .sz("TimeZoneKeyName", "UTC")
        .dword("Bias", 0)
        .build()
}
