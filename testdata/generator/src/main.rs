//! `ddesweep-testgen [ROOT]`: writes every fixture under ROOT (default
//! `testdata`) and prints how many files it wrote.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let root = args
        .next()
        .map_or_else(|| PathBuf::from("testdata"), PathBuf::from);
    if args.next().is_some() {
        eprintln!("usage: ddesweep-testgen [ROOT]");
        return ExitCode::from(2);
    }
    match ddesweep_testgen::write_all(&root) {
        Ok(count) => {
            println!("wrote {count} files under {}", root.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "ddesweep-testgen: cannot write under {}: {e}",
                root.display()
            );
            ExitCode::FAILURE
        }
    }
}
