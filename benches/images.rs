//! Sweep of a whole disk image (issue 6): ddesweep's throughput on a generated 1.1 GiB NTFS
//! image next to the time The Sleuth Kit's `fls -r` takes to list the same image, in the same
//! run, and the sweep's peak memory.
//!
//! The image, `target/bench-data/ntfs-bench.raw`, is built once by
//! `testdata/images/make-bench-image.sh` (about ten seconds): an MBR disk of 1128 MiB with one
//! NTFS partition at sector 2048, more than 20,000 files in a Windows-like tree (System32,
//! WinSxS, Program Files, four user profiles with AppData caches, about 50 files of 5-20 MiB),
//! the volume about 89% full, with copies of the documents, event logs, hives and prefetch files
//! of `testdata/` where Windows keeps them. Building it needs
//!
//! ```text
//! apt-get install -y ntfs-3g ntfs-3g-dev faketime fdisk sleuthkit gcc pkg-config
//! ```
//!
//! and, without those tools, the bench prints that line and exits successfully.
//!
//! Run: `cargo bench --bench images`. It prints, before Criterion's own report:
//!
//! - `fls -r -p -o 2048 IMAGE > /dev/null`, three times: each time, the mean and its MiB/s
//!   (image size / time);
//! - one sweep timed by hand, `pipeline::run` with the default profile and no progress bars,
//!   and the summary line `sweep X.XX s (N MiB/s), fls -r Y.YY s: sweep is Z.Zx faster|slower
//!   than the listing`, with the rows and artifact totals of the run;
//! - that sweep's peak heap (a counting global allocator in this binary) against the 256 MiB
//!   target, and the process's `VmHWM` and `RssAnon` from `/proc/self/status`.
//!
//! Then Criterion measures the sweep (10 samples) with the image size as throughput.
//! The image is read once before anything is timed, so both tools find it in the page cache.
//! Targets (issue 6): the sweep takes less time than the listing; peak memory under 256 MiB (the
//! memory map of the image is not copied data and does not count).

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput};
use ddesweep::pipeline::{self, RunSummary, Settings};
use ddesweep::profile;

/// The partition's first sector (the script puts NTFS there).
const PARTITION_START: u64 = 2048;
/// How many times `fls -r` lists the image.
const FLS_RUNS: usize = 3;
/// Issue 6's memory target, in MiB.
const PEAK_TARGET_MIB: f64 = 256.0;
const MIB: f64 = 1024.0 * 1024.0;
const APT_LINE: &str =
    "apt-get install -y ntfs-3g ntfs-3g-dev faketime fdisk sleuthkit gcc pkg-config";

/// The system allocator, counting the bytes it hands out: live now and the most live at once.
struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

impl Counting {
    fn grew(by: usize) {
        let now = CURRENT.fetch_add(by, Ordering::Relaxed) + by;
        PEAK.fetch_max(now, Ordering::Relaxed);
    }

    fn shrank(by: usize) {
        CURRENT.fetch_sub(by, Ordering::Relaxed);
    }

    /// Starts a new peak from the bytes live now; returns them.
    fn reset_peak() -> usize {
        let now = CURRENT.load(Ordering::Relaxed);
        PEAK.store(now, Ordering::Relaxed);
        now
    }

    fn peak() -> usize {
        PEAK.load(Ordering::Relaxed)
    }
}

// SAFETY: every call is forwarded unchanged to `System`, which upholds the GlobalAlloc contract;
// the counters only observe the sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's guarantees for `layout` are passed on as they are.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            Counting::grew(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            Counting::grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator, that is from `System`, with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        Counting::shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from `System` with `layout`; the caller vouches for `new_size`.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            if new_size >= layout.size() {
                Counting::grew(new_size - layout.size());
            } else {
                Counting::shrank(layout.size() - new_size);
            }
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Where `tool` is, looking in `PATH` and then in the sbin folders (mkntfs lives in /usr/sbin,
/// which a non-root `PATH` often lacks).
fn find_tool(tool: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin"].map(PathBuf::from))
        .map(|dir| dir.join(tool))
        .find(|candidate| candidate.is_file())
}

/// The bench image, built when missing; `None` (after saying why) when the tools are missing.
fn bench_image() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let image = root.join("target/bench-data/ntfs-bench.raw");
    // fls is always needed; the build tools only while the image is missing.
    let tools: &[&str] = if image.exists() {
        &["fls"]
    } else {
        &["fls", "mkntfs", "faketime", "sfdisk", "cc", "pkg-config"]
    };
    let mut missing: Vec<&str> = tools
        .iter()
        .copied()
        .filter(|tool| find_tool(tool).is_none())
        .collect();
    if !image.exists()
        && !Command::new("pkg-config")
            .args(["--exists", "libntfs-3g"])
            .status()
            .is_ok_and(|status| status.success())
    {
        missing.push("the libntfs-3g headers");
    }
    if !missing.is_empty() {
        println!(
            "images bench skipped: missing {}; install them with:\n  {APT_LINE}",
            missing.join(", ")
        );
        return None;
    }
    if image.exists() {
        return Some(image);
    }
    let dir = root.join("target/bench-data");
    if let Err(err) = std::fs::create_dir_all(&dir) {
        panic!("cannot create {}: {err}", dir.display());
    }
    let partial = image.with_extension("partial");
    let script = root.join("testdata/images/make-bench-image.sh");
    eprintln!("building {} with {}", image.display(), script.display());
    let started = Instant::now();
    let status = Command::new("bash")
        .arg(&script)
        .arg(&partial)
        .status()
        .unwrap_or_else(|err| panic!("cannot run {}: {err}", script.display()));
    assert!(status.success(), "{} failed: {status}", script.display());
    if let Err(err) = std::fs::rename(&partial, &image) {
        panic!("cannot rename {}: {err}", partial.display());
    }
    eprintln!("built in {:.1} s", started.elapsed().as_secs_f64());
    Some(image)
}

/// Reads the whole image once, so that neither tool is timed on the first read from disk.
fn warm_page_cache(image: &Path) {
    let mut file = std::fs::File::open(image)
        .unwrap_or_else(|err| panic!("cannot open {}: {err}", image.display()));
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(err) => panic!("cannot read {}: {err}", image.display()),
        }
    }
}

/// Times `fls -r -p -o 2048 IMAGE > /dev/null` `FLS_RUNS` times; returns the mean.
fn time_fls(image: &Path, size: u64) -> Duration {
    let fls = find_tool("fls").unwrap_or_else(|| panic!("fls vanished"));
    let mut total = Duration::ZERO;
    for run in 1..=FLS_RUNS {
        let started = Instant::now();
        let status = Command::new(&fls)
            .args(["-r", "-p", "-o", &PARTITION_START.to_string()])
            .arg(image)
            .stdout(Stdio::null())
            .status()
            .unwrap_or_else(|err| panic!("cannot run {}: {err}", fls.display()));
        let took = started.elapsed();
        assert!(status.success(), "fls failed: {status}");
        println!("fls -r run {run}: {:.2} s", took.as_secs_f64());
        total += took;
    }
    let mean = total / FLS_RUNS as u32;
    println!(
        "fls -r mean of {FLS_RUNS}: {:.2} s ({:.0} MiB/s of image)",
        mean.as_secs_f64(),
        mib_per_s(size, mean)
    );
    mean
}

fn mib_per_s(bytes: u64, took: Duration) -> f64 {
    bytes as f64 / MIB / took.as_secs_f64()
}

/// `VmHWM` and `RssAnon` lines of /proc/self/status (Linux), in kB as the kernel prints them.
fn proc_status() -> Vec<String> {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .filter(|line| line.starts_with("VmHWM:") || line.starts_with("RssAnon:"))
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

fn sweep(settings: &Settings) -> RunSummary {
    pipeline::run(settings).unwrap_or_else(|err| panic!("sweep failed: {err}"))
}

fn main() {
    let Some(image) = bench_image() else {
        return;
    };
    let size = std::fs::metadata(&image)
        .unwrap_or_else(|err| panic!("cannot stat {}: {err}", image.display()))
        .len();
    println!(
        "image {}: {size} bytes ({:.2} GiB)",
        image.display(),
        size as f64 / MIB / 1024.0
    );
    warm_page_cache(&image);
    let fls = time_fls(&image, size);

    let loaded = profile::load("default").unwrap_or_else(|err| panic!("default profile: {err}"));
    let out = tempfile::tempdir().unwrap_or_else(|err| panic!("temporary folder: {err}"));
    let settings =
        Settings::new(vec![image.clone()], out.path().to_path_buf(), loaded).progress(false);

    // One sweep timed by hand, with its memory peaks. Writing 5 to clear_refs resets VmHWM to
    // the current RSS (Linux 4.0+); a failure only leaves the lifetime high-water mark.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let heap_before = Counting::reset_peak();
    let started = Instant::now();
    let summary = sweep(&settings);
    let took = started.elapsed();
    let peak = Counting::peak();
    let status = proc_status();

    let (ratio, word) = if took <= fls {
        (fls.as_secs_f64() / took.as_secs_f64(), "faster")
    } else {
        (took.as_secs_f64() / fls.as_secs_f64(), "slower")
    };
    println!(
        "sweep {:.2} s ({:.0} MiB/s), fls -r {:.2} s: sweep is {ratio:.1}x {word} than the listing",
        took.as_secs_f64(),
        mib_per_s(size, took),
        fls.as_secs_f64()
    );
    let t = &summary.totals;
    println!(
        "sweep rows {}; artifacts seen {}, analyzed {}, skipped {}, failed {}; findings {}, \
         excluded {}; bytes seen {}",
        summary.rows, t.seen, t.analyzed, t.skipped, t.failed, t.findings, t.excluded, t.bytes
    );
    // The heap is what the sweep copied or built. VmHWM is the most resident memory at once,
    // and it also counts every page of the image's read-only memory map that was touched: those
    // are page-cache pages shared with the file, not data copied into the process, so VmHWM can
    // exceed the target while the copied data stays under it. RssAnon (anonymous memory now)
    // is closer to copied data, but it is a current value, not a peak.
    println!(
        "sweep peak heap {:.1} MiB (target < {PEAK_TARGET_MIB:.0} MiB; {:.1} MiB live before); {}",
        peak as f64 / MIB,
        heap_before as f64 / MIB,
        status.join(", ")
    );

    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("image_sweep");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(took.mul_f64(12.0).max(Duration::from_secs(5)));
    group.throughput(Throughput::Bytes(size));
    group.bench_function("ntfs_bench_raw", |b| b.iter(|| sweep(&settings)));
    group.finish();
    c.final_summary();
}
