//! The prefetch files of `testdata/prefetch/` and the demo folder: Equation Editor from an MSI
//! and a Click-to-Run Office, cmd.exe, PowerShell and certutil (programs a DDE payload starts),
//! Notepad as a negative, and two damaged `MAM` files.
//!
//! The hashes are the ones in the file names, chosen for the fixtures (not computed from the
//! paths). Every value is listed in [`crate::prefetch_catalog`].

use crate::evtx::filetime_utc;
use crate::prefetch::{PrefetchSpec, V30Layout, Volume, compress_mam, write};

/// The system volume of the Windows 7 and later fixtures.
const VOLUME2: &str = r"\DEVICE\HARDDISKVOLUME2";

/// The volume (creation 2023-09-18T07:30:12Z, serial 0x5A1EC0DE) of the Windows 10 fixtures.
fn volume2(directories: &[&str]) -> Volume {
    Volume {
        device_path: VOLUME2.to_owned(),
        creation: filetime_utc(2023, 9, 18, 7, 30, 12, 0),
        serial: 0x5A1E_C0DE,
        directories: directories
            .iter()
            .map(|d| format!("{VOLUME2}{d}"))
            .collect(),
    }
}

/// Full device paths of `files` on volume 2.
fn on_volume2(files: &[&str]) -> Vec<String> {
    files.iter().map(|f| format!("{VOLUME2}{f}")).collect()
}

/// The libraries every Windows program loads first.
const SYSTEM_DLLS: &[&str] = &[
    r"\WINDOWS\SYSTEM32\NTDLL.DLL",
    r"\WINDOWS\SYSTEM32\KERNEL32.DLL",
    r"\WINDOWS\SYSTEM32\KERNELBASE.DLL",
    r"\WINDOWS\SYSTEM32\LOCALE.NLS",
    r"\WINDOWS\SYSTEM32\MSVCRT.DLL",
];

fn files_with(extra: &[&str]) -> Vec<String> {
    let mut all: Vec<&str> = SYSTEM_DLLS.to_vec();
    all.extend_from_slice(extra);
    on_volume2(&all)
}

/// A version 30 file (first layout) for `executable`.
fn v30(executable: &str, hash: u32, run_count: u32, run_times: Vec<u64>) -> PrefetchSpec {
    PrefetchSpec {
        version: 30,
        v30_layout: V30Layout::First,
        executable: executable.to_owned(),
        hash,
        run_count,
        run_times,
        files: Vec::new(),
        volume: volume2(&[r"\WINDOWS", r"\WINDOWS\SYSTEM32"]),
    }
}

/// `EQNEDT32.EXE-A1B2C3D4.pf`: version 30, compressed, run 3 times, last at
/// 2024-03-04T09:12:05Z (and 2024-02-27T14:03:11Z, 2024-02-20T08:45:30Z); loaded from
/// `\PROGRAM FILES (X86)\COMMON FILES\MICROSOFT SHARED\EQUATION\EQNEDT32.EXE`.
pub fn eqnedt32_msi() -> Vec<u8> {
    let times = vec![
        filetime_utc(2024, 3, 4, 9, 12, 5, 0),
        filetime_utc(2024, 2, 27, 14, 3, 11, 0),
        filetime_utc(2024, 2, 20, 8, 45, 30, 0),
    ];
    let equation = r"\PROGRAM FILES (X86)\COMMON FILES\MICROSOFT SHARED\EQUATION";
    let mut spec = v30("EQNEDT32.EXE", 0xA1B2_C3D4, 3, times);
    spec.files = files_with(&[
        &format!(r"{equation}\EQNEDT32.EXE"),
        r"\WINDOWS\SYSWOW64\OLE32.DLL",
        r"\WINDOWS\SYSWOW64\OLEAUT32.DLL",
        &format!(r"{equation}\MTEXTRA.TTF"),
    ]);
    spec.volume = volume2(&[
        r"\PROGRAM FILES (X86)",
        r"\PROGRAM FILES (X86)\COMMON FILES\MICROSOFT SHARED",
        equation,
        r"\WINDOWS\SYSWOW64",
    ]);
    compress_mam(&write(&spec))
}

/// `EQNEDT32.EXE-0C0FFEE0.pf`: version 23, uncompressed, run once at 2023-11-14T16:20:41Z,
/// from the Click-to-Run Office (`\PROGRAM FILES\MICROSOFT OFFICE\ROOT\VFS\...`).
pub fn eqnedt32_click_to_run() -> Vec<u8> {
    let equation =
        r"\PROGRAM FILES\MICROSOFT OFFICE\ROOT\VFS\PROGRAMFILESCOMMONX86\MICROSOFT SHARED\EQUATION";
    let spec = PrefetchSpec {
        version: 23,
        v30_layout: V30Layout::First,
        executable: "EQNEDT32.EXE".to_owned(),
        hash: 0x0C0F_FEE0,
        run_count: 1,
        run_times: vec![filetime_utc(2023, 11, 14, 16, 20, 41, 0)],
        files: files_with(&[&format!(r"{equation}\EQNEDT32.EXE")]),
        volume: Volume {
            creation: filetime_utc(2021, 1, 11, 10, 2, 33, 0),
            serial: 0x3C5B_77A1,
            ..volume2(&[r"\PROGRAM FILES\MICROSOFT OFFICE\ROOT\VFS", equation])
        },
    };
    write(&spec)
}

/// The eight run times of cmd.exe on the demo host, newest first: 2024-03-04T09:12:04Z (the
/// `cmd.exe /k calc.exe` Word started), then 2024-03-01T17:40:22Z, 2024-02-29T11:05:09Z,
/// 2024-02-26T08:31:47Z, 2024-02-22T15:18:33Z, 2024-02-19T10:02:56Z, 2024-02-14T13:27:14Z and
/// 2024-02-08T09:49:38Z.
pub fn cmd_run_times() -> Vec<u64> {
    vec![
        filetime_utc(2024, 3, 4, 9, 12, 4, 0),
        filetime_utc(2024, 3, 1, 17, 40, 22, 0),
        filetime_utc(2024, 2, 29, 11, 5, 9, 0),
        filetime_utc(2024, 2, 26, 8, 31, 47, 0),
        filetime_utc(2024, 2, 22, 15, 18, 33, 0),
        filetime_utc(2024, 2, 19, 10, 2, 56, 0),
        filetime_utc(2024, 2, 14, 13, 27, 14, 0),
        filetime_utc(2024, 2, 8, 9, 49, 38, 0),
    ]
}

/// `CMD.EXE-4A81B364.pf` (also the demo folder's): version 30, compressed, run 12 times, the
/// eight times of [`cmd_run_times`].
pub fn cmd() -> Vec<u8> {
    let mut spec = v30("CMD.EXE", 0x4A81_B364, 12, cmd_run_times());
    spec.files = files_with(&[
        r"\WINDOWS\SYSTEM32\CMD.EXE",
        r"\WINDOWS\SYSTEM32\CMDEXT.DLL",
        r"\WINDOWS\SYSTEM32\APPHELP.DLL",
        r"\WINDOWS\SYSTEM32\CALC.EXE",
    ]);
    compress_mam(&write(&spec))
}

/// `POWERSHELL.EXE-022A1004.pf`: version 26 (Windows 8.1), uncompressed, run 5 times:
/// 2019-06-12T10:22:31Z, 2019-06-11T15:04:12Z, 2019-06-10T09:41:55Z, 2019-06-07T18:20:03Z,
/// 2019-06-05T08:15:44Z (three slots empty).
pub fn powershell() -> Vec<u8> {
    let ps = r"\WINDOWS\SYSTEM32\WINDOWSPOWERSHELL\V1.0";
    let spec = PrefetchSpec {
        version: 26,
        v30_layout: V30Layout::First,
        executable: "POWERSHELL.EXE".to_owned(),
        hash: 0x022A_1004,
        run_count: 5,
        run_times: vec![
            filetime_utc(2019, 6, 12, 10, 22, 31, 0),
            filetime_utc(2019, 6, 11, 15, 4, 12, 0),
            filetime_utc(2019, 6, 10, 9, 41, 55, 0),
            filetime_utc(2019, 6, 7, 18, 20, 3, 0),
            filetime_utc(2019, 6, 5, 8, 15, 44, 0),
        ],
        files: files_with(&[
            &format!(r"{ps}\POWERSHELL.EXE"),
            r"\WINDOWS\MICROSOFT.NET\FRAMEWORK64\V4.0.30319\CLR.DLL",
            r"\WINDOWS\SYSTEM32\AMSI.DLL",
        ]),
        volume: Volume {
            creation: filetime_utc(2017, 4, 3, 12, 0, 5, 0),
            serial: 0x7E57_0026,
            ..volume2(&[r"\WINDOWS", ps])
        },
    };
    write(&spec)
}

/// `CERTUTIL.EXE-9E1C2B7D.pf`: version 17 (Windows XP), uncompressed, run twice, last at
/// 2012-05-16T13:48:09Z, on `\DEVICE\HARDDISKVOLUME1`.
pub fn certutil() -> Vec<u8> {
    let volume1 = r"\DEVICE\HARDDISKVOLUME1";
    let files = [
        r"\WINDOWS\SYSTEM32\NTDLL.DLL",
        r"\WINDOWS\SYSTEM32\KERNEL32.DLL",
        r"\WINDOWS\SYSTEM32\CERTUTIL.EXE",
        r"\WINDOWS\SYSTEM32\CERTCLI.DLL",
        r"\WINDOWS\SYSTEM32\CRYPT32.DLL",
    ];
    let spec = PrefetchSpec {
        version: 17,
        v30_layout: V30Layout::First,
        executable: "CERTUTIL.EXE".to_owned(),
        hash: 0x9E1C_2B7D,
        run_count: 2,
        run_times: vec![filetime_utc(2012, 5, 16, 13, 48, 9, 0)],
        files: files.iter().map(|f| format!("{volume1}{f}")).collect(),
        volume: Volume {
            device_path: volume1.to_owned(),
            creation: filetime_utc(2008, 7, 21, 9, 14, 52, 0),
            serial: 0x24CB_0001,
            directories: vec![format!(r"{volume1}\WINDOWS\SYSTEM32")],
        },
    };
    write(&spec)
}

/// `NOTEPAD.EXE-D8414F97.pf`: version 30 in the second layout (run count at 0xC8),
/// compressed, run 4 times: 2024-03-03T18:02:40Z, 2024-03-01T08:10:05Z, 2024-02-28T12:55:19Z,
/// 2024-02-21T16:37:02Z.
pub fn notepad() -> Vec<u8> {
    let times = vec![
        filetime_utc(2024, 3, 3, 18, 2, 40, 0),
        filetime_utc(2024, 3, 1, 8, 10, 5, 0),
        filetime_utc(2024, 2, 28, 12, 55, 19, 0),
        filetime_utc(2024, 2, 21, 16, 37, 2, 0),
    ];
    let mut spec = v30("NOTEPAD.EXE", 0xD841_4F97, 4, times);
    spec.v30_layout = V30Layout::Second;
    spec.files = files_with(&[
        r"\WINDOWS\SYSTEM32\NOTEPAD.EXE",
        r"\WINDOWS\SYSTEM32\COMDLG32.DLL",
        r"\USERS\ALICE\DOCUMENTS\NOTES.TXT",
    ]);
    compress_mam(&write(&spec))
}

/// `hostile/truncated.pf`: [`cmd`] cut to its first half.
pub fn truncated() -> Vec<u8> {
    let mut file = cmd();
    file.truncate(file.len() / 2);
    file
}

/// `hostile/bad-mam.pf`: [`notepad`] with its MAM header claiming 0xFFFFFFFF (4 GiB) bytes.
pub fn bad_mam() -> Vec<u8> {
    let mut file = notepad();
    file[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    file
}
