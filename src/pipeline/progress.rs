//! Progress bars on stderr (files and bytes), drawn only on a terminal and never with `--quiet`.

use std::io::IsTerminal;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::evidence::Entry;

/// Two bars, files and bytes, shared by the worker threads.
pub(super) struct Progress {
    files: ProgressBar,
    bytes: ProgressBar,
}

impl Progress {
    /// Bars for `entries`; hidden unless `wanted` and stderr is a terminal.
    pub(super) fn new(wanted: bool, entries: &[Entry]) -> Progress {
        let total_bytes = entries
            .iter()
            .fold(0u64, |sum, e| sum.saturating_add(e.size));
        let target = if wanted && std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let multi = MultiProgress::with_draw_target(target);
        let files = multi.add(ProgressBar::new(entries.len() as u64));
        let bytes = multi.add(ProgressBar::new(total_bytes));
        if let Ok(style) =
            ProgressStyle::with_template("{prefix:>6} [{bar:40}] {pos}/{len} ({per_sec})")
        {
            files.set_style(style.progress_chars("=> "));
        }
        if let Ok(style) = ProgressStyle::with_template(
            "{prefix:>6} [{bar:40}] {bytes}/{total_bytes} ({bytes_per_sec}, eta {eta})",
        ) {
            bytes.set_style(style.progress_chars("=> "));
        }
        files.set_prefix("files");
        bytes.set_prefix("bytes");
        Progress { files, bytes }
    }

    /// One entry of `size` bytes is done.
    pub(super) fn advance(&self, size: u64) {
        self.files.inc(1);
        self.bytes.inc(size);
    }

    /// Adds `bytes` to the byte bar only: a large artifact (a memory dump being carved) moves
    /// the bar as it goes, and is then counted with [`Progress::advance`] and a size of 0.
    pub(super) fn advance_bytes(&self, bytes: u64) {
        self.bytes.inc(bytes);
    }

    /// Clears the bars.
    pub(super) fn finish(&self) {
        self.files.finish_and_clear();
        self.bytes.finish_and_clear();
    }
}
