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

/// Puts Rust's default panic hook back in place of libfuzzer-sys's, which aborts on every panic.
/// ddesweep catches the panics of crates it cannot trust on hostile input (nt-hive asserts on
/// some cells) and reports them as failed artifacts: those are not crashes. A panic that escapes
/// the target still is: libfuzzer-sys catches it around the target and aborts.
pub fn tolerate_caught_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = std::panic::take_hook();
    });
}
