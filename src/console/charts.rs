//! The console's charts, drawn on the server as inline SVG: no script, no outside file.
//! Pure functions from numbers to markup, tested here.

use chrono::{DateTime, Duration, Utc};
use maud::{Markup, html};

use crate::domain::lifecycle::Lifecycle;

/// Chart geometry (SVG user units; the SVG scales to the page's width).
const WIDTH: f64 = 900.0;
const HEIGHT: f64 = 160.0;
const LEFT: f64 = 40.0;
const BOTTOM: f64 = 20.0;

/// Transitions per day over `days` days ending today: one bar per day, oldest on the
/// left. `counts` holds (days since the epoch, count) for days that had any.
pub fn transitions_per_day(counts: &[(i64, i64)], today: i64, days: i64) -> Markup {
    let first = today - days + 1;
    let per_day: Vec<i64> = (first..=today)
        .map(|day| {
            counts
                .iter()
                .find(|(d, _)| *d == day)
                .map_or(0, |(_, n)| *n)
        })
        .collect();
    let total: i64 = per_day.iter().sum();
    let max = per_day.iter().copied().max().unwrap_or(0).max(1);
    let slot = (WIDTH - LEFT) / days as f64;
    let plot = HEIGHT - BOTTOM;
    let label = format!(
        "Transitions per day over the last {days} days: {total} in all, at most {max} in a day"
    );
    html! {
        svg class="chart" viewBox={"0 0 " (WIDTH) " " (HEIGHT)} role="img" aria-label=(label) {
            title { (label) }
            line x1=(LEFT) y1=(plot) x2=(WIDTH) y2=(plot) class="axis" {}
            text x=(LEFT - 4.0) y="12" class="tick" text-anchor="end" { (max) }
            text x=(LEFT - 4.0) y=(plot) class="tick" text-anchor="end" { "0" }
            text x=(LEFT) y=(HEIGHT - 4.0) class="tick" { (day_label(first)) }
            text x=(WIDTH) y=(HEIGHT - 4.0) class="tick" text-anchor="end" { (day_label(today)) }
            @for (index, count) in per_day.iter().enumerate() {
                @if *count > 0 {
                    @let height = plot * (*count as f64) / (max as f64);
                    rect class="bar" x=(round(LEFT + slot * index as f64 + 1.0))
                        y=(round(plot - height)) width=(round((slot - 2.0).max(1.0)))
                        height=(round(height)) {
                        title { (day_label(first + index as i64)) ": " (count) }
                    }
                }
            }
        }
    }
}

/// A point on a domain's timeline.
pub struct Mark {
    pub at: DateTime<Utc>,
    /// The lifecycle it showed; `None` for a failed lookup.
    pub lifecycle: Option<Lifecycle>,
    /// The lane: `rdap`, `fastly`, `dns`, `transition`, or `signal` (an ownership
    /// signal's start or change, drawn in the warning colour).
    pub lane: &'static str,
    pub label: String,
}

/// The lanes of a timeline, top to bottom.
const LANES: [&str; 5] = ["transition", "signal", "rdap", "fastly", "dns"];

/// A domain's observations and transitions on one time axis from the earliest mark to
/// `now`, a lane per source, coloured by lifecycle (grey for a failed lookup).
pub fn timeline(marks: &[Mark], now: DateTime<Utc>) -> Markup {
    let start = marks
        .iter()
        .map(|m| m.at)
        .min()
        .unwrap_or(now - Duration::days(1))
        .min(now - Duration::hours(1));
    let span = (now - start).num_seconds().max(1) as f64;
    let lane_height = (HEIGHT - BOTTOM) / LANES.len() as f64;
    let x = |at: DateTime<Utc>| {
        round(LEFT + 70.0 + (WIDTH - LEFT - 80.0) * ((at - start).num_seconds() as f64 / span))
    };
    let label = format!(
        "Timeline from {} to {}: {} observations and transitions",
        start.format("%Y-%m-%d"),
        now.format("%Y-%m-%d"),
        marks.len()
    );
    html! {
        svg class="chart" viewBox={"0 0 " (WIDTH) " " (HEIGHT)} role="img" aria-label=(label) {
            title { (label) }
            @for (index, lane) in LANES.iter().enumerate() {
                @let y = round(lane_height * (index as f64 + 0.5));
                text x="4" y=(y + 4.0) class="tick" { (lane) }
                line x1=(LEFT + 70.0) y1=(y) x2=(WIDTH - 10.0) y2=(y) class="lane" {}
            }
            text x=(LEFT + 70.0) y=(HEIGHT - 4.0) class="tick" { (start.format("%Y-%m-%d")) }
            text x=(WIDTH - 10.0) y=(HEIGHT - 4.0) class="tick" text-anchor="end" { (now.format("%Y-%m-%d")) }
            @for mark in marks {
                @let lane = LANES.iter().position(|l| *l == mark.lane).unwrap_or(2);
                @let y = round(lane_height * (lane as f64 + 0.5));
                @let class = match mark.lane {
                    "signal" => "mark signal".to_owned(),
                    _ => format!("mark {}", mark.lifecycle.map_or("failed", |l| l.as_str())),
                };
                circle class=(class) cx=(x(mark.at)) cy=(y) r="6" {
                    title { (mark.at.format("%Y-%m-%d %H:%M UTC")) ": " (mark.label) }
                }
            }
        }
    }
}

fn day_label(day: i64) -> String {
    DateTime::from_timestamp(day * 86_400, 0)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// Two decimals are plenty for a chart and keep the markup short.
fn round(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_bar_per_day_with_transitions_scaled_to_the_busiest() {
        let today = 20_000;
        let svg = transitions_per_day(&[(today - 89, 2), (today, 4), (today - 200, 9)], today, 90)
            .into_string();
        assert_eq!(svg.matches("<rect").count(), 2, "{svg}");
        assert!(svg.contains("6 in all, at most 4 in a day"), "{svg}");
        // The busiest day fills the plot; the other is half as tall.
        assert!(svg.contains(r#"height="140""#), "{svg}");
        assert!(svg.contains(r#"height="70""#), "{svg}");
        assert!(svg.contains(&day_label(today - 89)));
    }

    #[test]
    fn an_empty_chart_says_so_and_draws_no_bar() {
        let svg = transitions_per_day(&[], 20_000, 90).into_string();
        assert!(!svg.contains("<rect"));
        assert!(svg.contains("0 in all"));
    }

    #[test]
    fn timeline_marks_sit_in_their_lane_in_time_order() {
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).unwrap();
        let marks = vec![
            Mark {
                at: now - Duration::days(10),
                lifecycle: Some(Lifecycle::Active),
                lane: "rdap",
                label: "active".into(),
            },
            Mark {
                at: now - Duration::days(5),
                lifecycle: Some(Lifecycle::Redemption),
                lane: "transition",
                label: "active → redemption <escape>".into(),
            },
            Mark {
                at: now,
                lifecycle: None,
                lane: "dns",
                label: "failed".into(),
            },
        ];
        let svg = timeline(&marks, now).into_string();
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains("mark redemption"));
        assert!(svg.contains("mark failed"));
        assert!(svg.contains("&lt;escape&gt;"), "labels are escaped: {svg}");
        let first = svg.find("mark active").expect("the rdap mark");
        let last = svg.find("mark failed").expect("the dns mark");
        assert!(first < last);
    }
}
