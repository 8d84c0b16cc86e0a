//! The memory part of a profile (`[memory]`): the strings carved out of memory dumps, paging
//! files and unallocated clusters, and how much of their surroundings a hit keeps.

use serde::{Deserialize, Serialize};

use super::{Confidence, Severity};

/// Carving rules.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MemoryRules {
    /// Characters of the printable string kept on each side of a hit.
    pub context_chars: usize,
    /// Offsets listed per distinct string (the count is always exact).
    pub max_offsets: usize,
    /// The strings searched for.
    pub indicators: Vec<MemoryIndicator>,
}

/// One string searched for in ASCII and UTF-16LE, case-insensitively.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MemoryIndicator {
    /// Rule id of its hits (indicators of one family may share it).
    pub id: String,
    /// One-line title of its hits.
    pub title: String,
    /// The text.
    pub text: String,
    /// When not empty, the string around a hit must also hold one of these
    /// (case-insensitive) for the hit to count.
    #[serde(default)]
    pub requires_any: Vec<String>,
    /// Severity of a hit (`info` makes it context).
    pub severity: Severity,
    /// Confidence of a hit.
    pub confidence: Confidence,
}
