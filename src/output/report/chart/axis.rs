//! The time axis of the incident chart: tick steps from milliseconds to decades, tick times
//! aligned to whole UTC units (calendar months and years for the long steps), and their labels
//! (output stage; the chart is [`super`]).

use chrono::{DateTime, Datelike, Months, NaiveDate, TimeZone, Utc};

/// The least room, in chart units, between two tick labels.
const MIN_TICK_SPACING: f64 = 92.0;

/// A second in microseconds.
pub(super) const SECOND: i64 = 1_000_000;
/// A minute in microseconds.
pub(super) const MINUTE: i64 = 60 * SECOND;
/// An hour in microseconds.
pub(super) const HOUR: i64 = 60 * MINUTE;
/// A day in microseconds.
pub(super) const DAY: i64 = 24 * HOUR;

/// A tick step: a fixed duration, or whole calendar months.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(super) enum Step {
    /// Microseconds.
    Fixed(i64),
    /// Calendar months (12 and up: years).
    Months(u32),
}

const STEPS: [Step; 36] = [
    Step::Fixed(1_000),
    Step::Fixed(2_000),
    Step::Fixed(5_000),
    Step::Fixed(10_000),
    Step::Fixed(20_000),
    Step::Fixed(50_000),
    Step::Fixed(100_000),
    Step::Fixed(200_000),
    Step::Fixed(500_000),
    Step::Fixed(SECOND),
    Step::Fixed(2 * SECOND),
    Step::Fixed(5 * SECOND),
    Step::Fixed(10 * SECOND),
    Step::Fixed(15 * SECOND),
    Step::Fixed(30 * SECOND),
    Step::Fixed(MINUTE),
    Step::Fixed(2 * MINUTE),
    Step::Fixed(5 * MINUTE),
    Step::Fixed(10 * MINUTE),
    Step::Fixed(15 * MINUTE),
    Step::Fixed(30 * MINUTE),
    Step::Fixed(HOUR),
    Step::Fixed(2 * HOUR),
    Step::Fixed(3 * HOUR),
    Step::Fixed(6 * HOUR),
    Step::Fixed(12 * HOUR),
    Step::Fixed(DAY),
    Step::Fixed(2 * DAY),
    Step::Fixed(7 * DAY),
    Step::Months(1),
    Step::Months(3),
    Step::Months(6),
    Step::Months(12),
    Step::Months(24),
    Step::Months(60),
    Step::Months(120),
];

/// The tick step for a visible range drawn `width` wide.
pub(super) fn step_for(from: i64, to: i64, width: f64) -> Step {
    let max_ticks = (width / MIN_TICK_SPACING).floor().max(1.0) as i128;
    let span = to as i128 - from as i128;
    for step in STEPS {
        let length = match step {
            Step::Fixed(micros) => micros as i128,
            Step::Months(months) => months as i128 * 30 * DAY as i128,
        };
        if span / length < max_ticks {
            return step;
        }
    }
    Step::Months(1200)
}

/// The tick times of a step within `[from, to]`, aligned to whole UTC units.
pub(super) fn ticks(from: i64, to: i64, step: Step) -> Vec<i64> {
    match step {
        Step::Fixed(micros) => {
            let mut t = from
                .div_euclid(micros)
                .saturating_add(1)
                .saturating_mul(micros);
            if from.rem_euclid(micros) == 0 {
                t = from;
            }
            let mut out = Vec::new();
            while t <= to {
                out.push(t);
                t = t.saturating_add(micros);
            }
            out
        }
        Step::Months(months) => {
            let Some(start) = DateTime::<Utc>::from_timestamp_micros(from) else {
                return Vec::new();
            };
            let index = start.year() * 12 + start.month0() as i32;
            let aligned = index - index.rem_euclid(months as i32);
            let mut date = NaiveDate::from_ymd_opt(
                aligned.div_euclid(12),
                aligned.rem_euclid(12) as u32 + 1,
                1,
            );
            let mut out = Vec::new();
            while let Some(day) = date {
                let t = Utc
                    .from_utc_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
                    .timestamp_micros();
                if t > to {
                    break;
                }
                if t >= from {
                    out.push(t);
                }
                date = day.checked_add_months(Months::new(months));
            }
            out
        }
    }
}

/// A tick's label for its step: time of day below a day (with milliseconds below a second),
/// the date for days and weeks, the month, or the year.
pub(super) fn tick_label(t: i64, step: Step) -> String {
    let Some(time) = DateTime::<Utc>::from_timestamp_micros(t) else {
        return "?".to_owned();
    };
    let format = match step {
        Step::Fixed(micros) if micros < SECOND => "%H:%M:%S%.3f",
        Step::Fixed(micros) if micros < MINUTE => "%H:%M:%S",
        Step::Fixed(micros) if micros < DAY => "%H:%M",
        Step::Fixed(_) => "%Y-%m-%d",
        Step::Months(months) if months < 12 => "%Y-%m",
        Step::Months(_) => "%Y",
    };
    time.format(format).to_string()
}

/// The date of `t` (`YYYY-MM-DD`), or `?`.
pub(super) fn date_of(t: i64) -> String {
    DateTime::<Utc>::from_timestamp_micros(t)
        .map(|time| time.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "?".to_owned())
}

/// A skipped duration in a few characters (`+45m`, `+6h`, `+12d`, `+3mo`, `+2y`).
pub(super) fn gap_label(micros: i128) -> String {
    let day = DAY as i128;
    if micros >= 365 * day {
        format!("+{}y", micros / (365 * day))
    } else if micros >= 30 * day {
        format!("+{}mo", micros / (30 * day))
    } else if micros >= day {
        format!("+{}d", micros / day)
    } else if micros >= HOUR as i128 {
        format!("+{}h", micros / HOUR as i128)
    } else {
        format!("+{}m", micros / MINUTE as i128)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2024-03-01T10:15:00Z.
    const T0: i64 = 1_709_288_100_000_000;

    #[test]
    fn tick_steps_follow_the_span() {
        let width = 854.0;
        assert_eq!(step_for(0, 3 * SECOND, width), Step::Fixed(500_000));
        assert_eq!(step_for(0, 5 * MINUTE, width), Step::Fixed(MINUTE));
        assert_eq!(step_for(0, 2 * DAY, width), Step::Fixed(6 * HOUR));
        assert_eq!(step_for(0, 200 * DAY, width), Step::Months(1));
        assert_eq!(step_for(0, 300 * DAY, width), Step::Months(3));
        assert_eq!(step_for(0, 30 * 365 * DAY, width), Step::Months(60));
        let months = ticks(T0, T0 + 100 * DAY, Step::Months(1));
        let labels: Vec<String> = months
            .iter()
            .map(|&t| tick_label(t, Step::Months(1)))
            .collect();
        assert_eq!(labels, ["2024-04", "2024-05", "2024-06"]);
    }
}
