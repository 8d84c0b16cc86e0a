//! What the targets share: the default profile, loaded once, and the panic hook.

use std::sync::{Once, OnceLock};

use ddesweep::profile::{self, Profile};

/// The built-in default profile.
pub fn profile() -> &'static Profile {
    static PROFILE: OnceLock<Profile> = OnceLock::new();
    PROFILE.get_or_init(|| match profile::load("default") {
        Ok(loaded) => loaded.profile,
        Err(err) => panic!("default profile: {err}"),
    })
}

/// Replaces libfuzzer-sys's panic hook, which aborts on every panic, by a silent one. ddesweep
/// catches the panics of crates it cannot trust on hostile input (nt-hive asserts on some cells)
/// and reports them as failed artifacts: those are not crashes, and printing each one (with
/// `RUST_BACKTRACE`) would fill gigabytes of log. A panic that escapes the target still is a
/// crash: libfuzzer-sys catches it around the target and aborts, saving the input; running that
/// input through `tests/integration/fuzz_regressions.rs` shows the message.
pub fn tolerate_caught_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|_| {}));
    });
}
