//! FILETIME helpers for the EVTX writer: building one from a calendar date or an
//! RFC 3339 string, and rendering one the way Sysmon writes its `UtcTime` field.

/// FILETIME ticks (100 ns) per second.
pub const TICKS_PER_SECOND: u64 = 10_000_000;

/// Seconds from 1601-01-01 (the FILETIME epoch) to 1970-01-01.
const EPOCH_DIFFERENCE: u64 = 11_644_473_600;

/// Days from 1970-01-01 to the given proleptic Gregorian date (may be negative).
const fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date (year, month, day) of a day count from 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The FILETIME of a UTC date and time (dates from 1970 on).
pub const fn filetime_utc(
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    micros: u32,
) -> u64 {
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + (hour * 3600 + minute * 60 + second) as i64;
    (secs as u64 + EPOCH_DIFFERENCE) * TICKS_PER_SECOND + micros as u64 * 10
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.ffffff]Z` (up to 7 fraction digits); `None` when malformed.
pub fn filetime_from_rfc3339(s: &str) -> Option<u64> {
    let s = s.strip_suffix('Z')?;
    let (date, time) = s.split_once('T')?;
    let mut d = date.splitn(3, '-').map(str::parse::<u32>);
    let (year, month, day) = (d.next()?.ok()?, d.next()?.ok()?, d.next()?.ok()?);
    let (hms, fraction) = time.split_once('.').unwrap_or((time, ""));
    let mut t = hms.splitn(3, ':').map(str::parse::<u32>);
    let (hour, minute, second) = (t.next()?.ok()?, t.next()?.ok()?, t.next()?.ok()?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    if second > 59 || fraction.len() > 7 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut ticks = 0u64;
    for i in 0..7 {
        let digit = fraction
            .as_bytes()
            .get(i)
            .map_or(0, |b| u64::from(b - b'0'));
        ticks = ticks * 10 + digit;
    }
    let base = filetime_utc(i64::from(year), month, day, hour, minute, second, 0);
    Some(base + ticks)
}

/// Renders a FILETIME as Sysmon's `UtcTime`: `YYYY-MM-DD HH:MM:SS.mmm`.
pub fn sysmon_utc_time(filetime: u64) -> String {
    let secs = (filetime / TICKS_PER_SECOND).saturating_sub(EPOCH_DIFFERENCE);
    let millis = (filetime % TICKS_PER_SECOND) / 10_000;
    let (year, month, day) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}.{millis:03}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_filetime() {
        // 2024-03-04T09:12:01Z = 1709543521 s since 1970.
        let ft = filetime_utc(2024, 3, 4, 9, 12, 1, 0);
        assert_eq!(ft, (1_709_543_521 + EPOCH_DIFFERENCE) * TICKS_PER_SECOND);
        assert_eq!(
            filetime_from_rfc3339("2024-03-04T09:12:01.123456Z"),
            Some(ft + 1_234_560)
        );
        assert_eq!(sysmon_utc_time(ft + 1_234_560), "2024-03-04 09:12:01.123");
        assert_eq!(filetime_from_rfc3339("2024-13-04T09:12:01Z"), None);
    }
}
