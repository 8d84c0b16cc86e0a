//! Benchmark hives: varied `NTUSER.DAT`-like hives of 50 to 500 KB with many keys and
//! values, built in memory by [`bench_hives`].
//!
//! Hive `i` is drawn from a PRNG seeded with `i` alone, so the set is deterministic and
//! prefix-stable (the first `n` hives of `bench_hives(m)` are `bench_hives(n)`). Each holds
//! application keys under `Software\<Vendor>\<App>` with strings, DWORDs, QWORDs and
//! binary blobs, Explorer and Office MRU lists and the Office Security keys. Every fourth
//! hive (`i % 4 == 1`) enables DDE (Word `AllowDDE` 1, Excel `DisableDDEServerLaunch` 0);
//! the others carry the same keys with DDE disabled.

use crate::hive::HiveBuilder;
use crate::hive_user::mru_item;
use crate::prose::Rng;

/// Smallest bench hive, in bytes.
pub const MIN_HIVE: usize = 50 * 1024;
/// Largest bench hive, in bytes.
pub const MAX_HIVE: usize = 500 * 1024;

/// Base key time of the bench hives: 2024-01-01T00:00:00Z.
const BASE_TIME: u64 = crate::evtx::filetime_utc(2024, 1, 1, 0, 0, 0, 0);
/// FILETIME ticks per minute.
const MINUTE: u64 = 600_000_000;

const VENDORS: [&str; 8] = [
    "Adobe",
    "Google",
    "Mozilla",
    "Contoso",
    "Fabrikam",
    "Zoom",
    "Notepad++",
    "7-Zip",
];
const APPS: [&str; 6] = ["Reader", "Updater", "Client", "Sync", "Viewer", "Tools"];
const FOLDERS: [&str; 5] = ["Documents", "Downloads", "Desktop", "Projects", "Shared"];

/// Whether bench hive `index` enables DDE.
pub fn bench_hive_has_dde(index: usize) -> bool {
    index % 4 == 1
}

/// One bench hive and a rough estimate of its size, grown until the target is met.
fn bench_hive(index: usize) -> Vec<u8> {
    let mut rng = Rng::new(0x4856_0000 + index as u64);
    let target = rng.range(MIN_HIVE + 8 * 1024, MAX_HIVE - 48 * 1024);
    let user = format!("user{index:04}");
    let time = |rng: &mut Rng| BASE_TIME + rng.below(90 * 24 * 60) as u64 * MINUTE;
    let t0 = time(&mut rng);
    let dde = bench_hive_has_dde(index);
    let mut b = HiveBuilder::new(&format!(r"\??\C:\Users\{user}\ntuser.dat"))
        .default_time(BASE_TIME)
        .key(r"Software\Microsoft\Office\16.0\Word\Security", t0)
        .dword("AllowDDE", u32::from(dde))
        .key(r"Software\Microsoft\Office\16.0\Excel\Security", t0)
        .dword("DisableDDEServerLaunch", u32::from(!dde))
        .dword("DisableDDEServerLookup", 1);
    let mut estimate = 4096 + 600;
    let mut n = 0usize;
    while estimate < target {
        let vendor = rng.pick(&VENDORS);
        let app = rng.pick(&APPS);
        let path = format!(r"Software\{vendor}\{app}\Settings{n:04}");
        let at = time(&mut rng);
        b = b.key(&path, at);
        estimate += 120 + path.len();
        for v in 0..rng.range(2, 9) {
            let folder = rng.pick(&FOLDERS);
            match rng.below(4) {
                0 => {
                    let s = format!(r"C:\Users\{user}\{folder}\{app}_{n}_{v}.dat");
                    estimate += 48 + 2 * s.len();
                    b = b.sz(&format!("Path{v}"), &s);
                }
                1 => {
                    estimate += 40;
                    b = b.dword(&format!("Option{v}"), rng.next_u64() as u32);
                }
                2 => {
                    estimate += 56;
                    b = b.qword(&format!("Stamp{v}"), at + v as u64);
                }
                _ => {
                    let len = rng.range(16, 1200);
                    let blob: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
                    estimate += 48 + len;
                    b = b.binary(&format!("State{v}"), &blob);
                }
            }
        }
        if n.is_multiple_of(50) {
            let mru = format!(
                r"Software\Microsoft\Office\16.0\Word\User MRU\LiveId_{index:04X}\File MRU"
            );
            let doc = format!(r"C:\Users\{user}\Documents\Report_{n}.docx");
            b = b
                .key(&mru, at)
                .sz(&format!("Item {}", n / 50 + 1), &mru_item(at, &doc));
            estimate += 300;
        }
        n += 1;
    }
    b.build()
}

/// `count` benchmark hives as (name, bytes); names are `bench-hives/userNNNN/NTUSER.DAT`.
pub fn bench_hives(count: usize) -> Vec<(String, Vec<u8>)> {
    (0..count)
        .map(|i| (format!("bench-hives/user{i:04}/NTUSER.DAT"), bench_hive(i)))
        .collect()
}
