//! EVTX fixtures that span chunks or are damaged (a truncated log, a bad chunk past an
//! under-counting header, a 2,000-record log), and the two logs of the demo folder.

use crate::evtx::EventData;
use crate::evtx::chunk::CHUNK_SIZE;
use crate::evtx::file::FILE_HEADER_SIZE;
use crate::evtx::time::TICKS_PER_SECOND;
use crate::evtx::{EvtxEvent, EvtxWriter, Value};
use crate::evtx_bench::{bench_event, benign_process_creation, office_shell};
use crate::evtx_events::*;
use crate::evtx_positive::{EXPLORER_PROC, WORD_INVOICE_PROC, hku, log};
use crate::evtx_security::{NewProcess, security_4688};
use crate::prose::Rng;

/// Records per chunk in the three-chunk hostile logs.
pub const RECORDS_PER_CHUNK: u64 = 60;

/// A small benign Sysmon 1 (cmd.exe -> `ping -n 1 10.0.<x>.<y>`, a SHA256-only `Hashes`
/// as many configurations write it), so that sixty fit in a chunk.
fn compact_process_creation(record_id: u64) -> EvtxEvent<'static> {
    let mut rng = Rng::new(0xBAD0_0000 ^ record_id);
    let target = format!("ping -n 1 10.0.{}.{}", rng.below(256), rng.below(256));
    let parent = Proc::new(
        CMD,
        "cmd.exe",
        4 * rng.range(100, 9000) as u32,
        rng.next_u64(),
    );
    let child = Proc::new(
        r"C:\Windows\System32\PING.EXE",
        &target,
        4 * rng.range(100, 9000) as u32,
        rng.next_u64(),
    );
    let mut event = sysmon_1(record_id, at(record_id - 1), &child, &parent);
    if let EventData::Named(items) = &mut event.data {
        for (name, value) in items.iter_mut() {
            if *name == "Hashes"
                && let Value::String(h) = value
                && let Some(start) = h.find("SHA256=")
                && let Some(sha256) = h.get(start..start + 71)
            {
                *h = sha256.to_owned();
            }
        }
    }
    event
}

/// Three chunks of [`RECORDS_PER_CHUNK`] benign Sysmon 1 records (ids 1..=180), the header
/// declaring `chunk_count` chunks.
fn three_chunks(chunk_count: u16) -> Vec<u8> {
    let mut writer = EvtxWriter::new().chunk_count(chunk_count);
    let built = (0..3).try_for_each(|c| {
        for i in 0..RECORDS_PER_CHUNK {
            writer.push(&compact_process_creation(c * RECORDS_PER_CHUNK + i + 1))?;
        }
        writer.end_chunk().map(|_| ())
    });
    built
        .and_then(|()| writer.finish())
        .expect("benign events fit sixty to a chunk")
}

/// `hostile/truncated.evtx`: the three-chunk log cut 1,000 bytes into its third chunk
/// (the `evtx` crate reads whole chunks only, so it yields records 1..=120).
pub fn truncated() -> Vec<u8> {
    let mut bytes = three_chunks(3);
    bytes.truncate(FILE_HEADER_SIZE + 2 * CHUNK_SIZE + 1000);
    bytes
}

/// `hostile/bad-chunk.evtx`: the three-chunk log whose second chunk's magic reads
/// `XXXXXXXX` and whose header declares one chunk (the third lies past the count). The
/// `evtx` crate yields records 1..=60, one error for chunk 1, then records 121..=180.
pub fn bad_chunk() -> Vec<u8> {
    let mut bytes = three_chunks(1);
    let second = FILE_HEADER_SIZE + CHUNK_SIZE;
    bytes[second..second + 8].copy_from_slice(b"XXXXXXXX");
    bytes
}

/// Record id of the planted WINWORD -> cmd.exe in [`multi_chunk`].
pub const MULTI_CHUNK_SHELL: u64 = 1500;

/// `positive/multi-chunk.evtx`: 2,000 benign Sysmon records of the benchmark mix over
/// several chunks, record 1500 being WINWORD.EXE -> `cmd.exe /c calc.exe`.
pub fn multi_chunk() -> Vec<u8> {
    log((0..2000).map(|index| {
        if index + 1 == MULTI_CHUNK_SHELL {
            let mut rng = Rng::new(index);
            office_shell(index + 1, bench_event(index, false).time, &mut rng)
        } else {
            bench_event(index, false)
        }
    }))
}

/// [`START`] moved by `seconds` (possibly negative).
const fn shifted(seconds: i64) -> u64 {
    (START as i64 + seconds * TICKS_PER_SECOND as i64) as u64
}

/// The demo folder's `Microsoft-Windows-Sysmon%4Operational.evtx`: 22 records from 09:05:01.
/// Record 8 (09:11:01) sets Word's AllowDDE to 1 (reg.exe, alice); record 12 (09:12:01)
/// starts WINWORD.EXE (4412) on `Invoice_2291.docx`; record 13 (09:12:04) is WINWORD ->
/// `cmd.exe /k calc.exe` (5120); the rest are benign process starts, connections and DLL
/// loads.
pub fn evidence_sysmon() -> Vec<u8> {
    let cmd = Proc::new(CMD, r"C:\Windows\System32\cmd.exe /k calc.exe", 5120, 0x103);
    let reg = Proc::new(
        r"C:\Windows\System32\reg.exe",
        r"reg.exe add HKCU\Software\Microsoft\Office\16.0\Word\Security /v AllowDDE /t REG_DWORD /d 1 /f",
        3712,
        0x0fa,
    );
    let allow = hku(r"Software\Microsoft\Office\16.0\Word\Security\AllowDDE");
    let chrome = Proc::new(
        r"C:\Program Files\Google\Chrome\Application\chrome.exe",
        "",
        4812,
        0x0f1,
    );
    let times: [i64; 22] = [
        -420, -390, -360, -330, -300, -270, -240, -60, -45, -30, -15, 0, 3, 20, 40, 60, 80, 100,
        120, 140, 160, 180,
    ];
    let events = times.iter().enumerate().map(|(i, &secs)| {
        let (id, time) = (i as u64 + 1, shifted(secs));
        match id {
            8 => sysmon_13(id, time, &reg, &allow, "DWORD (0x00000001)"),
            12 => sysmon_1(id, time, &WORD_INVOICE_PROC, &EXPLORER_PROC),
            13 => sysmon_1(id, time, &cmd, &WORD_INVOICE_PROC),
            14 => sysmon_7(
                id,
                time,
                &WORD_INVOICE_PROC,
                &format!("{OFFICE16}\\WWLIB.DLL"),
                true,
            ),
            _ if id % 3 == 0 => {
                let conn = Conn {
                    protocol: "tcp",
                    source_ip: "10.0.0.23",
                    source_port: 50000 + id as u16,
                    destination_ip: "142.250.74.68",
                    destination_hostname: "fra16s56-in-f4.1e100.net",
                    destination_port: 443,
                };
                sysmon_3(id, time, &chrome, &conn)
            }
            _ => benign_process_creation(id, time, &mut Rng::new(0xE71D ^ id)),
        }
    });
    log(events)
}

/// The demo folder's `Security.evtx`: 4688 v2 records 1..=6; record 3 (09:12:01) starts
/// WINWORD.EXE (0x113c) on the invoice and record 4 (09:12:04) is its child
/// `cmd.exe /k calc.exe` (0x1400); the others are benign.
pub fn evidence_security() -> Vec<u8> {
    let benign = |id: u32, name, creator, cmd, parent, logon| NewProcess {
        new_process_id: u64::from(id),
        new_process_name: name,
        process_id: creator,
        command_line: cmd,
        parent_process_name: parent,
        logon,
    };
    let records = [
        (
            -300,
            benign(
                0x1c20,
                r"C:\Windows\System32\notepad.exe",
                0x7fc,
                r"C:\Windows\System32\notepad.exe",
                EXPLORER,
                ALICE_LOGON,
            ),
        ),
        (
            -120,
            benign(
                0x1c64,
                SVCHOST,
                0x2c8,
                r"C:\Windows\system32\svchost.exe -k netsvcs -p -s BITS",
                SERVICES,
                SYSTEM_LOGON,
            ),
        ),
        (
            0,
            benign(
                0x113c,
                WINWORD,
                0x7fc,
                crate::evtx_positive::WINWORD_INVOICE,
                EXPLORER,
                ALICE_LOGON,
            ),
        ),
        (
            3,
            benign(
                0x1400,
                CMD,
                0x113c,
                r"C:\Windows\System32\cmd.exe /k calc.exe",
                WINWORD,
                ALICE_LOGON,
            ),
        ),
        (
            30,
            benign(
                0x1ca8,
                r"C:\Windows\splwow64.exe",
                0x113c,
                r"C:\Windows\splwow64.exe 8192",
                WINWORD,
                ALICE_LOGON,
            ),
        ),
        (
            90,
            benign(
                0x1d10,
                r"C:\Windows\System32\taskhostw.exe",
                0x4c4,
                "taskhostw.exe",
                SVCHOST,
                SYSTEM_LOGON,
            ),
        ),
    ];
    log(records
        .iter()
        .enumerate()
        .map(|(i, (secs, p))| security_4688(i as u64 + 1, shifted(*secs), 2, p)))
}
