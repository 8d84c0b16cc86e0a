//! Deterministic pseudo-random numbers and business-like filler text.
//!
//! Nothing here reads a clock or the operating system's entropy: the same seed
//! always produces the same sequence, on every platform.

/// A small deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` must be positive).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// One element of `items` (must not be empty).
    pub fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.below(items.len())]
    }
}

/// `len` bytes from the linear congruential generator of Numerical Recipes
/// (`x = 1664525 x + 1013904223 mod 2^32`), high byte of each state.
pub fn lcg_bytes(seed: u32, len: usize) -> Vec<u8> {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (x >> 24) as u8
        })
        .collect()
}

const SUBJECTS: &[&str] = &[
    "The finance team",
    "Our regional office",
    "The procurement department",
    "Each business unit",
    "The steering committee",
    "Customer support",
    "The project board",
    "Management",
    "The audit team",
    "Our logistics partner",
    "The sales organisation",
    "Human resources",
];

const VERBS: &[&str] = &[
    "reviewed",
    "approved",
    "updated",
    "consolidated",
    "postponed",
    "prepared",
    "reconciled",
    "discussed",
    "summarised",
    "forecast",
    "validated",
    "circulated",
];

const OBJECTS: &[&str] = &[
    "the quarterly budget",
    "the supplier contracts",
    "the revised delivery schedule",
    "the outstanding invoices",
    "the travel expense policy",
    "the headcount plan",
    "the capital expenditure request",
    "the customer satisfaction survey",
    "the inventory valuation",
    "the draft annual report",
    "the marketing campaign results",
    "the service level agreement",
];

const TAILS: &[&str] = &[
    "before the end of the month",
    "in line with last year's figures",
    "after the meeting on Tuesday",
    "with minor corrections",
    "pending final sign-off",
    "for all regions",
    "as agreed with the client",
    "ahead of the board meeting",
    "following the system migration",
    "despite the supply delays",
    "within the approved limits",
    "and shared the results",
];

const FIRST_NAMES: &[&str] = &[
    "Alice", "Bob", "Carol", "David", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy", "Mallory",
    "Niaj", "Olivia", "Peggy", "Rupert", "Sybil", "Trent", "Victor", "Walter", "Yvonne",
];

const LAST_NAMES: &[&str] = &[
    "Anderson", "Brown", "Clarke", "Dubois", "Evans", "Fischer", "Garcia", "Hughes", "Ivanova",
    "Jensen", "Kowalski", "Larsen", "Moreau", "Nakamura", "O'Brien", "Patel", "Rossi", "Schmidt",
];

const PRODUCTS: &[&str] = &[
    "Office chair",
    "Laptop stand",
    "Desk lamp",
    "Monitor 27in",
    "USB-C dock",
    "Keyboard",
    "Headset",
    "Printer paper A4",
    "Toner cartridge",
    "Whiteboard",
    "Webcam HD",
    "Filing cabinet",
];

const REGIONS: &[&str] = &["North", "South", "East", "West", "Central", "Export"];

/// One sentence, ending with a full stop.
pub fn sentence(rng: &mut Rng) -> String {
    let mut s = format!(
        "{} {} {} {}",
        rng.pick(SUBJECTS),
        rng.pick(VERBS),
        rng.pick(OBJECTS),
        rng.pick(TAILS)
    );
    if rng.below(3) == 0 {
        s.push_str(&format!(
            ", with a variance of {}.{}%",
            rng.below(20),
            rng.below(10)
        ));
    }
    s.push('.');
    s
}

/// A paragraph of `lo..=hi` sentences.
pub fn paragraph(rng: &mut Rng, lo: usize, hi: usize) -> String {
    let n = rng.range(lo, hi);
    (0..n).map(|_| sentence(rng)).collect::<Vec<_>>().join(" ")
}

/// A short title such as "Review of the quarterly budget".
pub fn heading(rng: &mut Rng) -> String {
    let object = rng.pick(OBJECTS);
    let object = object.strip_prefix("the ").unwrap_or(object);
    let mut chars = object.chars();
    let first = chars.next().map(|c| c.to_ascii_uppercase()).unwrap_or(' ');
    format!("{first}{}", chars.as_str())
}

/// A full name such as "Grace Patel".
pub fn person(rng: &mut Rng) -> String {
    format!("{} {}", rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES))
}

/// A product name.
pub fn product(rng: &mut Rng) -> &'static str {
    rng.pick(PRODUCTS)
}

/// A sales region.
pub fn region(rng: &mut Rng) -> &'static str {
    rng.pick(REGIONS)
}

/// An ISO date in 2017 (month and day in range).
pub fn date(rng: &mut Rng) -> String {
    format!("2017-{:02}-{:02}", rng.range(1, 12), rng.range(1, 28))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rng_is_deterministic() {
        let a: Vec<u64> = {
            let mut r = Rng::new(7);
            (0..5).map(|_| r.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut r = Rng::new(7);
            (0..5).map(|_| r.next_u64()).collect()
        };
        assert_eq!(a, b);
        assert_eq!(lcg_bytes(1, 16), lcg_bytes(1, 16));
    }

    #[test]
    fn text_looks_like_text() {
        let mut r = Rng::new(1);
        let p = paragraph(&mut r, 2, 4);
        assert!(p.ends_with('.'));
        assert!(p.len() > 40);
        assert!(!heading(&mut r).is_empty());
    }
}
