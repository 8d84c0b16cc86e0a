//! Panics in work on hostile input: caught where the work is cut into pieces (an artifact, a
//! volume's listing), turned into a message for the manifest, and kept off the terminal.
//!
//! The parsers of this crate do not panic on input, but crates they build on can (nt-hive
//! asserts on some cells; arithmetic overflows in debug builds). [`catch`] runs a piece of work
//! and returns the panic's message and place instead of unwinding further. A panic hook prints
//! every panic by default, one screenful per caught panic on a hostile hive; the binary installs
//! [`quiet_caught_panics`], which keeps the place of a caught panic for its message and leaves
//! any other panic to the previous hook.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};

thread_local! {
    /// How many [`catch`] calls this thread is inside.
    static DEPTH: Cell<u32> = const { Cell::new(0) };
    /// Where the last caught panic of this thread happened (`file:line:column`).
    static PLACE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `work`; a panic inside becomes `Err` with its message and, when the quiet hook is
/// installed, its place (`assertion failed: ... (at src/x.rs:10:5)`).
pub fn catch<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    DEPTH.with(|depth| depth.set(depth.get() + 1));
    let result = panic::catch_unwind(AssertUnwindSafe(work));
    DEPTH.with(|depth| depth.set(depth.get().saturating_sub(1)));
    result.map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        match PLACE.with(|place| place.borrow_mut().take()) {
            Some(place) => format!("{message} (at {place})"),
            None => message,
        }
    })
}

/// Whether this thread is inside [`catch`]: a panic here will be caught and recorded.
pub fn is_caught_here() -> bool {
    DEPTH.with(Cell::get) > 0
}

/// Installs a panic hook that stays silent for panics [`catch`] will catch (keeping their place
/// for the message) and hands every other panic to the hook it replaces. For binaries and fuzz
/// targets; a library does not set global hooks on its own.
pub fn quiet_caught_panics() {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if is_caught_here() {
            let place = info
                .location()
                .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
            PLACE.with(|slot| *slot.borrow_mut() = place);
        } else {
            previous(info);
        }
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caught_panic_gives_its_message_and_nesting_unwinds_the_depth() {
        assert!(!is_caught_here());
        let outer = catch(|| {
            assert!(is_caught_here());
            let inner: Result<(), String> = catch(|| panic!("inner {}", 7));
            assert!(inner.unwrap_err().starts_with("inner 7"));
            assert!(is_caught_here(), "still inside the outer catch");
            1
        });
        assert_eq!(outer, Ok(1));
        assert!(!is_caught_here());
        let text: Result<(), String> = catch(|| panic!("plain"));
        assert!(text.unwrap_err().starts_with("plain"));
    }
}
