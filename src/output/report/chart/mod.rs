//! The timeline chart of an incident: inline SVG, drawn here from the incident's rows, for
//! `report.html` (output stage).
//!
//! One lane per [`Stage`] present (in chain order, labelled with [`Stage::label`]), time along x
//! in UTC, one marker per row filled by its severity ([`marker_rgb`]), each with a `<title>`
//! tooltip (time, stage, severity, message, row id).
//!
//! **Spans.** Tick steps go from milliseconds to decades, chosen so that labels do not collide,
//! aligned to whole UTC units (calendar months and years for the long steps); below a day the
//! date is written under the first tick and under every tick where the date changes. Rows of
//! one instant (a zero span) sit in the middle under one full date-and-time label. Rows far
//! apart (a document's file time years before the event logs) would squash the rest of the
//! incident into one pixel, so the axis is **broken**: a gap of at least ten minutes that is
//! more than three times longer than everything else left is cut out and drawn as a zigzag
//! labelled with the time skipped (`+2y`), up to [`MAX_SEGMENTS`] segments; each segment has
//! its own scale and ticks and a width by its share of rows (at least a sixth of the plot).
//!
//! The SVG holds no script, link or external reference, and every piece of evidence text is
//! HTML-escaped. The same rows give the same bytes.

use std::fmt::Write;

use chrono::{DateTime, Utc};

mod axis;

use self::axis::{DAY, MINUTE, SECOND, Step, date_of, gap_label, step_for, tick_label, ticks};
use super::escape::html;
use crate::correlate::model::{IncidentRow, Stage};
use crate::profile::Severity;

/// The most segments a broken axis is cut into.
pub const MAX_SEGMENTS: usize = 4;

/// The class of the chart's `<svg>` element.
pub const CLASS: &str = "incident-chart";

const WIDTH: f64 = 1000.0;
const LABEL_W: f64 = 118.0;
const PLOT_X0: f64 = LABEL_W + 12.0;
const PLOT_X1: f64 = WIDTH - 16.0;
const TOP: f64 = 8.0;
const LANE_H: f64 = 28.0;
const AXIS_H: f64 = 40.0;
const LEGEND_H: f64 = 22.0;
const BREAK_W: f64 = 40.0;
const MARKER_R: f64 = 6.5;
const MIN_SEGMENT_SHARE: f64 = 1.0 / 6.0;

/// The shortest gap the axis is broken at.
const MIN_BREAK_GAP: i64 = 10 * MINUTE;
/// A gap is cut out when it is longer than this many times what remains of the span.
const BREAK_RATIO: i128 = 3;

/// The fill of a row's marker: a palette used nowhere else on the page, so that a screenshot
/// shows where the chart's markers are.
pub fn marker_rgb(severity: Severity) -> [u8; 3] {
    match severity {
        Severity::Critical => [0xd1, 0x0f, 0x7c],
        Severity::High => [0xff, 0x5b, 0x1a],
        Severity::Medium => [0xe8, 0xb3, 0x00],
        Severity::Low => [0x2f, 0x7d, 0xe1],
        Severity::Info => [0x8a, 0x94, 0xa6],
    }
}

/// `#rrggbb` of [`marker_rgb`].
fn marker_fill(severity: Severity) -> String {
    let [r, g, b] = marker_rgb(severity);
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// One stretch of the axis with its own scale.
#[derive(Clone, Debug, PartialEq)]
struct Segment {
    /// First row time in it.
    start: i64,
    /// Last row time in it.
    end: i64,
    /// Rows in it.
    rows: usize,
    /// Left edge on the chart.
    x0: f64,
    /// Right edge on the chart.
    x1: f64,
}

impl Segment {
    /// The time range the segment shows: its rows plus a margin, or one minute around a single
    /// instant.
    fn visible(&self) -> (i64, i64) {
        let span = self.end.saturating_sub(self.start);
        if span == 0 {
            return (
                self.start.saturating_sub(30 * SECOND),
                self.start.saturating_add(30 * SECOND),
            );
        }
        let margin = (span / 16).max(1);
        (
            self.start.saturating_sub(margin),
            self.end.saturating_add(margin),
        )
    }

    /// Where time `t` (inside the segment) falls on the chart.
    fn x(&self, t: i64) -> f64 {
        let (from, to) = self.visible();
        let fraction = (t as i128 - from as i128) as f64 / (to as i128 - from as i128) as f64;
        self.x0 + fraction * (self.x1 - self.x0)
    }
}

/// Cuts the sorted row times into segments at the gaps that dwarf the rest (see the module
/// doc), and lays them out across the plot.
fn segments(times: &[i64]) -> Vec<Segment> {
    let (Some(&first), Some(&last)) = (times.first(), times.last()) else {
        return Vec::new();
    };
    let mut gaps: Vec<(i128, usize)> = times
        .windows(2)
        .enumerate()
        .map(|(i, pair)| (pair[1] as i128 - pair[0] as i128, i + 1))
        .collect();
    gaps.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut remaining = last as i128 - first as i128;
    let mut cuts: Vec<usize> = Vec::new();
    for (gap, at) in gaps {
        if cuts.len() + 1 >= MAX_SEGMENTS
            || gap < MIN_BREAK_GAP as i128
            || gap <= BREAK_RATIO * (remaining - gap)
        {
            break;
        }
        cuts.push(at);
        remaining -= gap;
    }
    cuts.sort_unstable();
    let mut bounds = Vec::with_capacity(cuts.len() + 1);
    let mut from = 0;
    for cut in cuts.into_iter().chain([times.len()]) {
        bounds.push((times[from], times[cut - 1], cut - from));
        from = cut;
    }
    let total = times.len() as f64;
    let shares: Vec<f64> = bounds
        .iter()
        .map(|&(_, _, rows)| (rows as f64 / total).max(MIN_SEGMENT_SHARE))
        .collect();
    let share_sum: f64 = shares.iter().sum();
    let plot = PLOT_X1 - PLOT_X0 - BREAK_W * (bounds.len() - 1) as f64;
    let mut x = PLOT_X0;
    bounds
        .into_iter()
        .zip(shares)
        .map(|((start, end, rows), share)| {
            let width = plot * share / share_sum;
            let segment = Segment {
                start,
                end,
                rows,
                x0: x,
                x1: x + width,
            };
            x += width + BREAK_W;
            segment
        })
        .collect()
}

/// The chart of `rows` as an `<svg class="incident-chart">` element (empty when there are no
/// rows).
pub fn render(rows: &[IncidentRow]) -> String {
    let mut svg = String::new();
    // Writing into a String cannot fail.
    let _ = draw(rows, &mut svg);
    svg
}

fn draw(rows: &[IncidentRow], svg: &mut String) -> std::fmt::Result {
    if rows.is_empty() {
        return Ok(());
    }
    let mut stages: Vec<Stage> = rows.iter().map(|row| row.stage).collect();
    stages.sort_unstable();
    stages.dedup();
    let mut times: Vec<i64> = rows.iter().map(|row| row.timestamp).collect();
    times.sort_unstable();
    let layout = segments(&times);
    let lanes_bottom = TOP + LANE_H * stages.len() as f64;
    let height = lanes_bottom + AXIS_H + LEGEND_H;
    write!(
        svg,
        r#"<svg class="{CLASS}" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-label="timeline of {n} rows in {l} stages">"#,
        n = rows.len(),
        l = stages.len(),
    )?;
    for (lane, stage) in stages.iter().enumerate() {
        let y = TOP + LANE_H * lane as f64;
        let fill = if lane % 2 == 0 { "#f1f4f9" } else { "#ffffff" };
        write!(
            svg,
            r#"<rect x="0" y="{y}" width="{WIDTH}" height="{LANE_H}" fill="{fill}"/><text x="{LABEL_W}" y="{ty}" text-anchor="end" class="lane">{label}</text>"#,
            ty = y + LANE_H / 2.0 + 4.0,
            label = stage.label(),
        )?;
    }
    for (i, segment) in layout.iter().enumerate() {
        draw_axis(segment, lanes_bottom, svg)?;
        if let Some(next) = layout.get(i + 1) {
            draw_break(segment, next, lanes_bottom, svg)?;
        }
    }
    for row in rows {
        let Some(segment) = layout
            .iter()
            .find(|s| (s.start..=s.end).contains(&row.timestamp))
        else {
            continue;
        };
        let lane = stages.iter().position(|s| *s == row.stage).unwrap_or(0);
        write!(
            svg,
            r##"<circle class="marker sev-{sev}" cx="{cx:.1}" cy="{cy}" r="{MARKER_R}" fill="{fill}" stroke="#1b2330" stroke-width="1"><title>{time} · {stage} · {sev}&#10;{message}&#10;row {row_id}</title></circle>"##,
            sev = row.severity.name(),
            cx = segment.x(row.timestamp),
            cy = TOP + LANE_H * lane as f64 + LANE_H / 2.0,
            fill = marker_fill(row.severity),
            time = html(&row.datetime),
            stage = row.stage.label(),
            message = html(&row.message),
            row_id = html(&row.row_id),
        )?;
    }
    draw_legend(rows, lanes_bottom + AXIS_H, svg)?;
    write!(svg, "</svg>")
}

/// The severities present, most severe first, with their marker colour.
fn draw_legend(rows: &[IncidentRow], top: f64, svg: &mut String) -> std::fmt::Result {
    let mut severities: Vec<Severity> = rows.iter().map(|row| row.severity).collect();
    severities.sort_unstable_by(|a, b| b.cmp(a));
    severities.dedup();
    let y = top + LEGEND_H / 2.0;
    write!(
        svg,
        r#"<g class="legend"><text x="{LABEL_W}" y="{ty}" text-anchor="end" class="tick">severity</text>"#,
        ty = y + 4.0,
    )?;
    let mut x = PLOT_X0 + 6.0;
    for severity in severities {
        write!(
            svg,
            r##"<circle cx="{x:.1}" cy="{y}" r="5" fill="{fill}" stroke="#1b2330" stroke-width="1"/><text x="{tx:.1}" y="{ty}" class="tick">{name}</text>"##,
            fill = marker_fill(severity),
            tx = x + 9.0,
            ty = y + 4.0,
            name = severity.name(),
        )?;
        x += 80.0;
    }
    write!(svg, "</g>")
}

/// A segment's axis line, grid lines and tick labels.
fn draw_axis(segment: &Segment, lanes_bottom: f64, svg: &mut String) -> std::fmt::Result {
    write!(
        svg,
        r##"<line x1="{x0:.1}" y1="{lanes_bottom}" x2="{x1:.1}" y2="{lanes_bottom}" stroke="#5b6472" stroke-width="1.5"/>"##,
        x0 = segment.x0,
        x1 = segment.x1,
    )?;
    let label_y = lanes_bottom + 15.0;
    if segment.start == segment.end {
        let x = segment.x(segment.start);
        let time = DateTime::<Utc>::from_timestamp_micros(segment.start)
            .map(|t| t.format("%H:%M:%S").to_string())
            .unwrap_or_else(|| "?".to_owned());
        return write!(
            svg,
            r##"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{y2}" stroke="#d5dbe5"/><text x="{x:.1}" y="{label_y}" text-anchor="middle" class="tick">{time}</text><text x="{x:.1}" y="{dy}" text-anchor="middle" class="date">{date}</text>"##,
            y2 = lanes_bottom + 4.0,
            dy = label_y + 14.0,
            date = date_of(segment.start),
        );
    }
    let (from, to) = segment.visible();
    let step = step_for(from, to, segment.x1 - segment.x0);
    let mut last_date = String::new();
    for t in ticks(from, to, step) {
        let x = segment.x(t);
        write!(
            svg,
            r##"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{y2}" stroke="#d5dbe5"/><text x="{x:.1}" y="{label_y}" text-anchor="middle" class="tick">{label}</text>"##,
            y2 = lanes_bottom + 4.0,
            label = tick_label(t, step),
        )?;
        let date = date_of(t);
        if matches!(step, Step::Fixed(micros) if micros < DAY) && date != last_date {
            write!(
                svg,
                r#"<text x="{x:.1}" y="{dy}" text-anchor="middle" class="date">{date}</text>"#,
                dy = label_y + 14.0,
            )?;
            last_date = date;
        }
    }
    Ok(())
}

/// The zigzag between two segments, labelled (above the axis) with the time it skips.
fn draw_break(
    left: &Segment,
    right: &Segment,
    lanes_bottom: f64,
    svg: &mut String,
) -> std::fmt::Result {
    let x = (left.x1 + right.x0) / 2.0;
    write!(
        svg,
        r##"<g class="axis-break"><line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{lanes_bottom}" stroke="#8c96a5" stroke-dasharray="3 3"/><rect x="{rx:.1}" y="{ry:.1}" width="{rw}" height="16" fill="#ffffff" stroke="#8c96a5" rx="3"/><text x="{x:.1}" y="{ly:.1}" text-anchor="middle" class="gap">{gap}</text><path d="M{a:.1} {b1:.1} L{c:.1} {b2:.1} M{d:.1} {b1:.1} L{e:.1} {b2:.1}" stroke="#5b6472" stroke-width="1.5" fill="none"/></g>"##,
        a = x - 8.0,
        c = x - 2.0,
        d = x + 2.0,
        e = x + 8.0,
        b1 = lanes_bottom + 6.0,
        b2 = lanes_bottom - 6.0,
        rw = BREAK_W - 6.0,
        rx = x - (BREAK_W - 6.0) / 2.0,
        ry = lanes_bottom - 30.0,
        ly = lanes_bottom - 18.0,
        gap = gap_label(right.start as i128 - left.end as i128),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(timestamp: i64, stage: Stage, message: &str) -> IncidentRow {
        IncidentRow {
            row_id: format!("r{timestamp}"),
            datetime: crate::time::Timestamp::from_unix_micros(timestamp)
                .map(|t| t.to_rfc3339())
                .unwrap_or_default(),
            timestamp,
            timestamp_desc: "Recorded Time".to_owned(),
            stage,
            severity: Severity::High,
            message: message.to_owned(),
            data_type: "ddesweep:test".to_owned(),
        }
    }

    /// 2024-03-01T10:15:00Z.
    const T0: i64 = 1_709_288_100_000_000;

    fn cx(svg: &str) -> Vec<f64> {
        svg.split(r#"<circle class="marker"#)
            .skip(1)
            .map(|rest| {
                let rest = rest.split(r#"cx=""#).nth(1).unwrap();
                rest.split('"').next().unwrap().parse().unwrap()
            })
            .collect()
    }

    #[test]
    fn zero_span_centres_markers_under_one_label() {
        let rows = [
            row(T0, Stage::Document, "a"),
            row(T0, Stage::Execution, "b"),
        ];
        let svg = render(&rows);
        let xs = cx(&svg);
        assert_eq!(xs.len(), 2);
        assert!((xs[0] - (PLOT_X0 + PLOT_X1) / 2.0).abs() < 0.2);
        assert!(svg.contains(">10:15:00</text>") && svg.contains(">2024-03-01</text>"));
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        assert!(!svg.contains("axis-break"));
    }

    #[test]
    fn rows_years_apart_break_the_axis() {
        let two_years = 730 * DAY;
        let mut rows = vec![row(T0 - two_years, Stage::Document, "file time")];
        rows.extend((0..7).map(|i| row(T0 + i * 40 * SECOND, Stage::Execution, "spawn")));
        let svg = render(&rows);
        assert_eq!(svg.matches("axis-break").count(), 1);
        assert!(svg.contains(">+2y</text>"));
        let xs = cx(&svg);
        // The five minutes keep most of the width: neighbours are far apart, not one pixel.
        let spread = xs[1..].iter().cloned().fold(f64::MIN, f64::max) - xs[1];
        assert!(spread > 400.0, "spread {spread}");
        assert!(xs.iter().all(|&x| (PLOT_X0..=PLOT_X1).contains(&x)));
        // Minute ticks on the five minutes, the lone document under its own date.
        assert!(svg.contains(">10:16</text>"));
        assert!(svg.contains(">2022-03-02</text>"));
    }

    #[test]
    fn evenly_spread_rows_keep_one_axis() {
        let rows: Vec<IncidentRow> = (0..10)
            .map(|i| row(T0 + i * DAY, Stage::Activity, "daily"))
            .collect();
        let svg = render(&rows);
        assert!(!svg.contains("axis-break"));
        // Two-day ticks, aligned to whole days.
        assert!(svg.contains(">2024-03-04</text>") && svg.contains(">2024-03-10</text>"));
        assert!(!svg.contains(">2024-03-05</text>"));
    }

    #[test]
    fn lanes_follow_the_chain_and_text_is_escaped() {
        let rows = [
            row(T0 + MINUTE, Stage::Execution, "<script>alert(1)</script>"),
            row(T0, Stage::Delivery, "\"><img src=x onerror=alert(1)>"),
        ];
        let svg = render(&rows);
        let delivery = svg.find(">delivery<").unwrap();
        let execution = svg.find(">execution<").unwrap();
        assert!(delivery < execution);
        assert!(!svg.contains("<script") && !svg.contains("<img"));
        assert!(svg.contains("&lt;script&gt;") && svg.contains("&quot;&gt;&lt;img"));
        assert_eq!(render(&rows), svg);
        assert_eq!(render(&[]), "");
    }
}
