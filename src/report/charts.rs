//! Charts drawn by SPOT as SVG, for pages that also show the same figures as a table beside
//! the chart. Each chart is an image with a title and a description for screen readers;
//! every bar carries its label and its value as text, and the series differ by pattern as
//! well as colour, so nothing is told by colour alone. No script, no inline style.

use maud::{html, Markup};

/// A horizontal bar chart: groups of bars, one bar per series in each group.
pub struct BarChart<'a> {
    /// Unique on the page: the ids of the title and description derive from it.
    pub id: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    /// The series' names, shown in a legend when there is more than one.
    pub series: &'a [&'a str],
    /// (group label, one value per series; `None`: no figure).
    pub groups: Vec<(String, Vec<Option<f64>>)>,
    /// The value of a full-length bar; the largest value when `None`.
    pub max: Option<f64>,
    /// How a value is written beside its bar.
    pub format: fn(f64) -> String,
}

const WIDTH: f64 = 640.0;
const LABEL_WIDTH: f64 = 210.0;
const BAR_SPACE: f64 = 350.0;
const BAR_HEIGHT: f64 = 18.0;
const GROUP_GAP: f64 = 12.0;
const LEGEND_HEIGHT: f64 = 28.0;

/// The fill of series `n` of chart `id`, told apart by pattern: solid, diagonal hatching
/// (`{id}-hatch`), dots (`{id}-dots`).
fn fill(id: &str, n: usize) -> String {
    match n % 3 {
        0 => "#005eb8".to_owned(),
        1 => format!("url(#{id}-hatch)"),
        _ => format!("url(#{id}-dots)"),
    }
}

/// A whole number as a figure.
pub fn whole(value: f64) -> String {
    format!("{value:.0}")
}

/// A figure to one decimal place.
pub fn one_place(value: f64) -> String {
    format!("{value:.1}")
}

/// A percentage.
pub fn percent(value: f64) -> String {
    format!("{value:.0}%")
}

fn short(label: &str) -> String {
    if label.chars().count() > 30 {
        let cut: String = label.chars().take(29).collect();
        format!("{cut}…")
    } else {
        label.to_owned()
    }
}

pub fn bar_chart(chart: &BarChart<'_>) -> Markup {
    let per_group = chart.series.len().max(1) as f64 * BAR_HEIGHT + GROUP_GAP;
    let legend = if chart.series.len() > 1 {
        LEGEND_HEIGHT
    } else {
        0.0
    };
    let height = legend + per_group * chart.groups.len().max(1) as f64 + 4.0;
    let largest = chart
        .groups
        .iter()
        .flat_map(|(_, values)| values.iter().flatten())
        .fold(0.0_f64, |a, b| a.max(*b));
    let max = chart.max.unwrap_or(largest).max(f64::EPSILON);
    let (title_id, desc_id) = (format!("{}-title", chart.id), format!("{}-desc", chart.id));
    html! {
        svg.chart xmlns="http://www.w3.org/2000/svg" role="img"
            aria-labelledby={ (title_id) " " (desc_id) }
            viewBox={ "0 0 " (WIDTH) " " (height) } width=(WIDTH) height=(height)
            font-family="Arial, sans-serif" font-size="13" {
            title id=(title_id) { (chart.title) }
            desc id=(desc_id) { (chart.description) }
            defs {
                pattern id={ (chart.id) "-hatch" } patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)" {
                    rect width="6" height="6" fill="#ffffff" {}
                    rect width="3" height="6" fill="#003087" {}
                }
                pattern id={ (chart.id) "-dots" } patternUnits="userSpaceOnUse" width="6" height="6" {
                    rect width="6" height="6" fill="#ffffff" {}
                    circle cx="3" cy="3" r="1.8" fill="#007f3b" {}
                }
            }
            @if chart.series.len() > 1 {
                @for (n, name) in chart.series.iter().enumerate() {
                    @let x = LABEL_WIDTH + n as f64 * 150.0;
                    rect x=(x) y="4" width="16" height="16" fill=(fill(chart.id, n)) stroke="#212b32" {}
                    text x=(x + 22.0) y="17" fill="#212b32" { (name) }
                }
            }
            @for (g, (label, values)) in chart.groups.iter().enumerate() {
                @let top = legend + g as f64 * per_group;
                text x=(LABEL_WIDTH - 8.0) y=(top + BAR_HEIGHT * values.len().max(1) as f64 / 2.0 + 4.0)
                    text-anchor="end" fill="#212b32" { (short(label)) }
                @for (n, value) in values.iter().enumerate() {
                    @let y = top + n as f64 * BAR_HEIGHT;
                    @match value {
                        Some(value) => {
                            @let length = (value / max).clamp(0.0, 1.0) * BAR_SPACE;
                            rect x=(LABEL_WIDTH) y=(y + 2.0) width=(length.max(1.0)) height=(BAR_HEIGHT - 4.0)
                                fill=(fill(chart.id, n)) stroke="#212b32" stroke-width="0.5" {}
                            text x=(LABEL_WIDTH + length + 6.0) y=(y + BAR_HEIGHT - 5.0) fill="#212b32" { ((chart.format)(*value)) }
                        }
                        None => {
                            text x=(LABEL_WIDTH + 6.0) y=(y + BAR_HEIGHT - 5.0) fill="#4c6272" { "no figure" }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_is_a_labelled_image_with_its_figures_as_text() {
        let svg = bar_chart(&BarChart {
            id: "places",
            title: "Places taken",
            description: "Bookings per run",
            series: &["Booked", "Waiting"],
            groups: vec![("North".into(), vec![Some(15.0), None])],
            max: None,
            format: whole,
        })
        .into_string();
        assert!(
            svg.contains(r#"role="img""#)
                && svg.contains(r#"aria-labelledby="places-title places-desc""#)
        );
        assert!(svg.contains("<title id=\"places-title\">Places taken</title>"));
        assert!(svg.contains(">15<") && svg.contains("no figure") && svg.contains("Waiting"));
    }
}
