//! The command line (clap derive) and its conversion into pipeline [`Settings`].
//!
//! Kept out of the library's stages: this is the edge where user input becomes settings and
//! errors become `anyhow` messages and exit codes.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};

use ddesweep::Settings;
use ddesweep::output::TimelineFormat;
use ddesweep::pipeline::DEFAULT_ARTIFACT_TIME_BOUND;
use ddesweep::profile;
use ddesweep::time::Timestamp;

/// Exit code: the run finished and every artifact was analysed or deliberately skipped.
pub const EXIT_OK: i32 = 0;
/// Exit code: the run finished, but at least one artifact failed (see the manifest).
pub const EXIT_FAILED_ARTIFACTS: i32 = 1;
/// Exit code: bad usage (unknown flag, missing evidence, bad profile, output inside evidence).
pub const EXIT_USAGE: i32 = 2;
/// Exit code: the run could not finish (output not writable, threads not startable).
pub const EXIT_FATAL: i32 = 3;

/// ddesweep: find Dynamic Data Exchange abuse (MITRE ATT&CK T1559.002) in Windows evidence.
#[derive(Debug, Parser)]
#[command(name = "ddesweep", version, about, long_about = None)]
#[command(
    after_help = "Exit codes: 0 success; 1 finished, some artifacts failed (see manifest.json); \
2 usage error; 3 the run could not finish."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan evidence (disk images, folders or files) and write a timeline and a manifest.
    Scan(ScanArgs),
    /// List the built-in detection profiles, or check a profile file.
    Profiles(ProfilesArgs),
}

/// `ddesweep scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Evidence: raw, split raw (.001) or E01 disk images (recognised by their bytes), mounted
    /// images, triage folders or single files. Read only, never written.
    #[arg(required = true, value_name = "EVIDENCE")]
    pub evidence: Vec<PathBuf>,
    /// Output folder for the timeline and manifest.json (created if missing; must not be inside evidence).
    #[arg(short, long, value_name = "OUT_DIR")]
    pub output: PathBuf,
    /// Detection profile: a built-in name (see `ddesweep profiles`) or a TOML file.
    #[arg(long, default_value = "default", value_name = "NAME|PATH")]
    pub profile: String,
    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub threads: usize,
    /// Timeline format: jsonl (timeline.jsonl) or csv (timeline.csv, same columns).
    #[arg(long, value_enum, default_value_t = FormatArg::Jsonl)]
    pub format: FormatArg,
    /// No progress bars and no summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
    /// The evidence files are memory dumps (raw memory has no signature): carve them for DDE
    /// strings and event-log chunks. Crash dumps, minidumps, LiME images, .vmem, pagefile.sys,
    /// swapfile.sys and hiberfil.sys are carved without it.
    #[arg(long)]
    pub memory: bool,
    /// When the memory was acquired (RFC 3339, e.g. 2024-03-12T11:00:00Z): carved strings are
    /// placed at this time (default: each dump file's modification time).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub acquired_at: Option<Timestamp>,
    /// Also carve the unallocated clusters of NTFS volumes in disk images.
    #[arg(long)]
    pub carve_unallocated: bool,
    /// Seconds one artifact may take, plus 120 s per GiB of its size; past it the artifact's
    /// parsers stop, its rows so far are kept, and the manifest marks it failed with
    /// `time_bound_seconds`. 0 stops every artifact at its first check (a test of the bound).
    #[arg(long, default_value_t = DEFAULT_ARTIFACT_TIME_BOUND.as_secs(), value_name = "SECONDS")]
    pub artifact_time_bound: u64,
}

/// Reads an RFC 3339 time from the command line.
fn parse_time(text: &str) -> Result<Timestamp, String> {
    let parsed = chrono::DateTime::parse_from_rfc3339(text)
        .map_err(|err| format!("not an RFC 3339 time ({err}): {text}"))?;
    Timestamp::from_unix_micros(parsed.timestamp_micros())
        .ok_or_else(|| format!("outside the years 1700 to 9999: {text}"))
}

/// `ddesweep profiles`.
#[derive(Debug, Args)]
pub struct ProfilesArgs {
    /// Check this profile file instead of listing the built-in profiles.
    #[command(subcommand)]
    pub action: Option<ProfilesAction>,
}

/// `ddesweep profiles check`.
#[derive(Debug, Subcommand)]
pub enum ProfilesAction {
    /// Validate a profile file (syntax, keys, values) without scanning.
    Check {
        /// The profile file.
        path: PathBuf,
    },
}

/// The timeline formats on the command line.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FormatArg {
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values with a header row.
    Csv,
}

impl TryFrom<&ScanArgs> for Settings {
    type Error = anyhow::Error;

    fn try_from(args: &ScanArgs) -> anyhow::Result<Settings> {
        let profile = profile::load(&args.profile).context("cannot load the detection profile")?;
        let format = match args.format {
            FormatArg::Jsonl => TimelineFormat::Jsonl,
            FormatArg::Csv => TimelineFormat::Csv,
        };
        Ok(
            Settings::new(args.evidence.clone(), args.output.clone(), profile)
                .threads(args.threads)
                .format(format)
                .progress(!args.quiet)
                .memory(args.memory)
                .acquired_at(args.acquired_at)
                .carve_unallocated(args.carve_unallocated)
                .artifact_time_bound(Some(std::time::Duration::from_secs(
                    args.artifact_time_bound,
                ))),
        )
    }
}
