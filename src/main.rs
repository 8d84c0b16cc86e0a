//! The `ddesweep` binary: parse the command line, run, map the result to an exit code.

#![forbid(unsafe_code)]

mod cli;

use clap::Parser;

use cli::{Cli, Command, EXIT_FAILED_ARTIFACTS, EXIT_FATAL, EXIT_OK, EXIT_USAGE, ProfilesAction};

fn main() {
    // Panics that ddesweep catches in an artifact's work are recorded in the manifest; only
    // others reach the terminal.
    ddesweep::guard::quiet_caught_panics();
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Scan(args) => scan(&args),
        Command::Profiles(args) => profiles(args.action),
    };
    std::process::exit(code);
}

fn scan(args: &cli::ScanArgs) -> i32 {
    let settings = match ddesweep::Settings::try_from(args) {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("ddesweep: {err:#}");
            return EXIT_USAGE;
        }
    };
    match ddesweep::run(&settings) {
        Ok(summary) => {
            let t = summary.totals;
            if !args.quiet {
                eprintln!(
                    "ddesweep: {} artifacts: {} analyzed, {} skipped, {} failed; {} DDE findings; {} rows -> {}",
                    t.seen,
                    t.analyzed,
                    t.skipped,
                    t.failed,
                    t.findings,
                    summary.rows,
                    summary.timeline.display()
                );
                let v = summary.verdicts;
                eprintln!(
                    "ddesweep: {} host{}: {} escalate, {} investigate, {} no evidence; {} incidents, {} IOCs -> {}",
                    v.hosts,
                    if v.hosts == 1 { "" } else { "s" },
                    v.escalate,
                    v.investigate,
                    v.no_evidence,
                    v.incidents,
                    v.iocs,
                    summary.report.display()
                );
            }
            if t.failed > 0 {
                EXIT_FAILED_ARTIFACTS
            } else {
                EXIT_OK
            }
        }
        Err(err) => {
            eprintln!("ddesweep: {err}");
            if err.is_usage() {
                EXIT_USAGE
            } else {
                EXIT_FATAL
            }
        }
    }
}

fn profiles(action: Option<ProfilesAction>) -> i32 {
    match action {
        None => {
            for (name, description) in ddesweep::profile::builtin() {
                println!("{name}\t{description}");
            }
            EXIT_OK
        }
        Some(ProfilesAction::Check { path }) => {
            match ddesweep::profile::load(&path.to_string_lossy()) {
                Ok(loaded) => {
                    println!(
                        "{}: ok (profile {:?}, sha256 {})",
                        loaded.origin, loaded.profile.name, loaded.sha256
                    );
                    EXIT_OK
                }
                Err(err) => {
                    eprintln!("ddesweep: {err}");
                    EXIT_USAGE
                }
            }
        }
    }
}
