//! Instants as the timeline needs them: integer microseconds since 1970 (UTC).
//!
//! Every stage uses [`Timestamp`] so that the value written to `timestamp` and the text written
//! to `datetime` can never disagree: both are rendered from the same integer. Instants before
//! 1700 (a zero FILETIME is 1601) are refused at construction, because Timesketch drops such rows.

#![forbid(unsafe_code)]

use std::time::SystemTime;

use chrono::{DateTime, Utc};

/// Microseconds between 1601-01-01 (FILETIME epoch) and 1970-01-01.
const FILETIME_TO_UNIX_MICROS: i64 = 11_644_473_600_000_000;

/// 1700-01-01T00:00:00Z in microseconds since 1970: the earliest instant Timesketch keeps.
const EARLIEST_MICROS: i64 = -8_520_336_000_000_000;

/// An instant in microseconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
pub struct Timestamp(i64);

impl Timestamp {
    /// 1970-01-01T00:00:00Z, used with the timestamp description "Not a time" for rows that
    /// have no time of their own.
    pub const UNIX_EPOCH: Timestamp = Timestamp(0);

    /// An instant from microseconds since 1970; `None` before 1700 or after 9999.
    pub fn from_unix_micros(micros: i64) -> Option<Timestamp> {
        let ts = Timestamp(micros);
        (micros >= EARLIEST_MICROS && ts.to_datetime().is_some()).then_some(ts)
    }

    /// An instant from a Windows FILETIME (100 ns ticks since 1601); `None` for zero and for
    /// values outside 1700..=9999.
    pub fn from_filetime(filetime: u64) -> Option<Timestamp> {
        let micros = i64::try_from(filetime / 10).ok()?;
        Timestamp::from_unix_micros(micros.checked_sub(FILETIME_TO_UNIX_MICROS)?)
    }

    /// An instant from the host's clock or file metadata.
    pub fn from_system_time(time: SystemTime) -> Option<Timestamp> {
        let micros = match time.duration_since(SystemTime::UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_micros()).ok()?,
            Err(before) => i64::try_from(before.duration().as_micros())
                .ok()?
                .checked_neg()?,
        };
        Timestamp::from_unix_micros(micros)
    }

    /// Now, from the host clock (for run times in the manifest, never for timeline rows).
    pub fn now() -> Timestamp {
        Timestamp::from_system_time(SystemTime::now()).unwrap_or(Timestamp::UNIX_EPOCH)
    }

    /// Microseconds since 1970.
    pub fn unix_micros(self) -> i64 {
        self.0
    }

    fn to_datetime(self) -> Option<DateTime<Utc>> {
        DateTime::<Utc>::from_timestamp_micros(self.0)
    }

    /// RFC 3339 with microseconds and an explicit `+00:00` offset, as Timesketch expects:
    /// `2024-03-01T10:15:02.123456+00:00`.
    pub fn to_rfc3339(self) -> String {
        match self.to_datetime() {
            Some(dt) => dt.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string(),
            // Unreachable by construction (constructors check the range); keep a valid value.
            None => "1970-01-01T00:00:00.000000+00:00".to_owned(),
        }
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filetime_zero_is_refused() {
        assert_eq!(Timestamp::from_filetime(0), None);
    }

    #[test]
    fn filetime_converts_to_unix_micros() {
        // 2017-10-09T12:00:00Z
        let ts = Timestamp::from_filetime(131_520_240_000_000_000).unwrap();
        assert_eq!(ts.unix_micros(), 1_507_550_400_000_000);
        assert_eq!(ts.to_rfc3339(), "2017-10-09T12:00:00.000000+00:00");
    }

    #[test]
    fn rfc3339_keeps_microseconds() {
        let ts = Timestamp::from_unix_micros(1_709_288_102_123_456).unwrap();
        assert_eq!(ts.to_rfc3339(), "2024-03-01T10:15:02.123456+00:00");
    }

    #[test]
    fn before_1700_is_refused() {
        assert_eq!(Timestamp::from_unix_micros(EARLIEST_MICROS - 1), None);
        assert!(Timestamp::from_unix_micros(EARLIEST_MICROS).is_some());
    }
}
