//! What the targets share: the fuzzing context, built once, and the panic hook.

use std::sync::{Once, OnceLock};

use ddesweep::fuzzing::{self, FuzzContext};

/// Runs `data` through `target` (see `ddesweep::fuzzing`).
///
/// ddesweep catches the panics of crates it cannot trust on hostile input (nt-hive asserts on
/// some cells) and reports them as unreadable keys or failed artifacts: those are not crashes.
/// libfuzzer-sys's hook aborts on every panic, so it is wrapped in ddesweep's quiet hook, which
/// passes on only the panics no guard will catch: those abort and save the input, as crashes.
pub fn run(target: &str, data: &[u8]) {
    static HOOK: Once = Once::new();
    HOOK.call_once(ddesweep::guard::quiet_caught_panics);
    static CONTEXT: OnceLock<FuzzContext> = OnceLock::new();
    let ctx = CONTEXT.get_or_init(|| match FuzzContext::new() {
        Ok(ctx) => ctx,
        Err(err) => panic!("default profile: {err}"),
    });
    assert!(fuzzing::run(target, data, ctx), "unknown target {target}");
}
