//! The time bound of one artifact's work. Size bounds ([`super::Limits`]) keep every parser
//! linear in what it may read; the deadline is the backstop for what they cannot foresee (a
//! pathological input that is slow without being large). The pipeline starts one per artifact;
//! parsers look at it between units of work (a zip part, an EVTX record, a registry key, a
//! carving piece) and stop there, keeping what they found. The artifact's manifest record then
//! says that the bound was hit.
//!
//! Passed explicitly (a clone shares the flag) rather than kept in a thread-local: an artifact's
//! work runs on several rayon threads, and a thread may run another artifact's job while it
//! waits, so only the value itself knows which artifact it belongs to.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// When one artifact's work must stop; [`Deadline::none`] never passes.
#[derive(Clone, Debug, Default)]
pub struct Deadline {
    inner: Option<Arc<Bound>>,
}

#[derive(Debug)]
struct Bound {
    at: Instant,
    allowed: Duration,
    hit: AtomicBool,
}

impl Deadline {
    /// A deadline that never passes (the parsers' default outside a run).
    pub fn none() -> Deadline {
        Deadline::default()
    }

    /// A deadline `allowed` from now.
    pub fn after(allowed: Duration) -> Deadline {
        Deadline {
            inner: Some(Arc::new(Bound {
                at: Instant::now() + allowed,
                allowed,
                hit: AtomicBool::new(false),
            })),
        }
    }

    /// Whether the time is up; a parser that asks and gets `true` stops, and the deadline
    /// remembers that it cut the work short ([`Deadline::was_hit`]).
    pub fn passed(&self) -> bool {
        let Some(bound) = &self.inner else {
            return false;
        };
        if bound.hit.load(Ordering::Relaxed) || Instant::now() >= bound.at {
            bound.hit.store(true, Ordering::Relaxed);
            return true;
        }
        false
    }

    /// Whether a parser stopped at this deadline.
    pub fn was_hit(&self) -> bool {
        self.inner
            .as_ref()
            .is_some_and(|bound| bound.hit.load(Ordering::Relaxed))
    }

    /// The seconds the artifact was allowed (0 without a bound).
    pub fn allowed_seconds(&self) -> f64 {
        self.inner
            .as_ref()
            .map_or(0.0, |bound| bound.allowed.as_secs_f64())
    }

    /// The problem text a parser records where it stopped.
    pub fn stop_message(&self, at: &str) -> String {
        let seconds = self.allowed_seconds();
        format!("time bound of {seconds:.1} s per artifact reached {at}: the rest was not read")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_never_passes_and_zero_passes_at_once_and_remembers() {
        let none = Deadline::none();
        assert!(!none.passed());
        assert!(!none.was_hit());
        let long = Deadline::after(Duration::from_secs(3600));
        assert!(!long.passed());
        assert!(!long.was_hit());
        let zero = Deadline::after(Duration::ZERO);
        let shared = zero.clone();
        assert!(!zero.was_hit(), "not hit until a parser asks");
        assert!(shared.passed());
        assert!(zero.was_hit(), "clones share the flag");
        assert_eq!(
            zero.stop_message("after part word/document.xml"),
            "time bound of 0.0 s per artifact reached after part word/document.xml: the rest \
             was not read"
        );
    }
}
