//! The programme report page: each table beside its chart, each downloadable.

use maud::{html, Markup};

use super::charts::{bar_chart, one_place, percent, whole, BarChart};
use super::figures::{Activity, Report};
use super::tables::Table;
use crate::accounts::{Borough, Role};
use crate::web::layout::{layout, long_date};
use crate::web::PageCtx;

fn data_table(table: &Table) -> Markup {
    html! {
        div.table-scroll tabindex="0" role="region" aria-label={ "Table: " (table.title) } {
            table.table {
                caption { (table.title) }
                thead { tr { @for header in &table.headers { th scope="col" { (header) } } } }
                tbody {
                    @for row in &table.rows {
                        tr {
                            @for (n, cell) in row.iter().enumerate() {
                                @if n == 0 { th scope="row" { (cell) } } @else { td { (cell) } }
                            }
                        }
                    }
                }
            }
        }
        p.download { a href={ "/admin/report.csv?table=" (table.name) } { "Download “" (table.title) "” (CSV)" } }
    }
}

fn section(id: &str, heading: &str, intro: Markup, chart: Markup, table: &Table) -> Markup {
    html! {
        section.report-section aria-labelledby=(id) {
            h2 id=(id) { (heading) }
            (intro)
            div.chart-pair {
                div.chart-box { (chart) }
                div.table-box { (data_table(table)) }
            }
        }
    }
}

fn activity_groups<K>(
    rows: impl Iterator<Item = (K, Activity)>,
    label: impl Fn(K) -> String,
) -> Vec<(String, Vec<Option<f64>>)> {
    rows.map(|(key, a)| {
        (
            label(key),
            vec![
                Some(a.new_members as f64),
                Some(a.posts as f64),
                Some(a.resources as f64),
            ],
        )
    })
    .collect()
}

/// A section of community activity: new members, posts and resources per group.
fn activity_section(
    id: &str,
    heading: &str,
    intro: &str,
    groups: Vec<(String, Vec<Option<f64>>)>,
    table: &Table,
) -> Markup {
    let chart = bar_chart(&BarChart {
        id: &format!("chart-{id}"),
        title: heading,
        description: &format!("{intro} Bars for new members, posts written and resources shared."),
        series: &["New members", "Posts", "Resources"],
        groups,
        max: None,
        format: whole,
    });
    section(id, heading, html! { p { (intro) } }, chart, table)
}

pub fn report(
    ctx: &PageCtx,
    report: &Report,
    tables: &[Table],
    now: chrono::NaiveDateTime,
) -> Markup {
    let table = |name: &str| {
        tables
            .iter()
            .find(|t| t.name == name)
            .expect("every table is made")
    };
    let runs = &report.runs;
    layout(
        ctx,
        "Programme report",
        html! {
            (crate::admin::pages::admin_nav(ctx))
            h1 { "Programme report" }
            p.lede { "How the course and the community are doing, for the programme's funders and organisers." }
            p { "Figures on " (long_date(now)) ". Runs that were cancelled are left out. A participant is someone with a place (booked); "
                "they " strong { "attended" } " a session when its register marks them present, attended the course when they attended one session or more, and "
                strong { "completed" } " it when they attended every session of their run." }
            p { a href="/admin/report.csv" { "Download every table in one CSV file" } }
            (section("runs", "Places, bookings and completion", html! {},
                bar_chart(&BarChart {
                    id: "chart-runs", title: "Booked, attended and completed per run",
                    description: "For each run, how many people were booked, attended at least one session, and attended every session.",
                    series: &["Booked", "Attended", "Completed"],
                    groups: runs.iter().map(|r| (r.summary.run.title.clone(), vec![Some(r.summary.booked as f64), Some(r.attended as f64), Some(r.completed as f64)])).collect(),
                    max: None, format: whole,
                }), table("runs")))
            (section("attendance", "Attendance per session", html! { p { "The share of the run's booked participants present at each session." } },
                bar_chart(&BarChart {
                    id: "chart-attendance", title: "Attendance rate per session",
                    description: "For each session of each run, the percentage of booked participants marked present.",
                    series: &["Present"],
                    groups: runs.iter().flat_map(|r| r.sessions.iter().map(move |s| (
                        format!("{}: session {}", r.summary.run.title, s.number),
                        (s.taken && r.summary.booked > 0).then(|| s.present as f64 * 100.0 / r.summary.booked as f64),
                    ))).map(|(label, value)| (label, vec![value])).collect(),
                    max: Some(100.0), format: percent,
                }), table("attendance")))
            (section("participants", "Participants by borough and profession", html! {},
                bar_chart(&BarChart {
                    id: "chart-participants", title: "Participants by borough and profession",
                    description: "For each borough, how many link workers and occupational therapists have a place on a run.",
                    series: &["Link workers", "Occupational therapists"],
                    groups: Borough::ALL.iter().map(|b| (b.label().to_owned(), [Role::LinkWorker, Role::OccupationalTherapist].iter()
                        .map(|r| Some(report.participants.get(&(*b, *r)).copied().unwrap_or(0) as f64)).collect())).collect(),
                    max: None, format: whole,
                }), table("participants")))
            (section("feedback", "Feedback ratings", html! { p { "Average ratings from 1 to 5, run by run and over all runs (questions with the same words taken together)." } },
                bar_chart(&BarChart {
                    id: "chart-feedback", title: "Average rating per question, all runs",
                    description: "For each rating question, the average answer on the 1 to 5 scale over every run.",
                    series: &["Average"],
                    groups: report.scores.iter().map(|s| (s.prompt.clone(), vec![s.average])).collect(),
                    max: Some(5.0), format: one_place,
                }), table("feedback")))
            (section("shift", "Understanding of the other profession, before and after", html! {
                    p { "Over the responses that rated both the “before” and the “after” question; the shift is the difference of the averages." } },
                bar_chart(&BarChart {
                    id: "chart-shift", title: "Understanding before and after the course",
                    description: "For each run and over all runs, the average rating of understanding of the other profession before and after the course, from 1 to 5.",
                    series: &["Before", "After"],
                    groups: runs.iter().map(|r| (r.summary.run.title.clone(), r.shift)).chain([("All runs".to_owned(), report.shift)])
                        .map(|(label, shift)| (label, vec![shift.map(|s| s.before), shift.map(|s| s.after)])).collect(),
                    max: Some(5.0), format: one_place,
                }), table("shift")))
            (activity_section("activity", "Community activity per month",
                "New members, posts and resources shared in each of the last twelve months. Private conversations are counted once SPOT has them.",
                activity_groups(report.months.iter().cloned(), |m| m), table("activity")))
            (activity_section("activity-borough", "Community activity by borough",
                "Over the same twelve months, by the borough of the member.",
                activity_groups(report.by_borough.iter().map(|(b, a)| (*b, *a)), |b: Borough| b.label().to_owned()),
                table("activity_by_borough")))
            (activity_section("activity-profession", "Community activity by profession",
                "Over the same twelve months, by the profession of the member.",
                activity_groups(report.by_role.iter().map(|(r, a)| (*r, *a)), |r: Role| r.label().to_owned()),
                table("activity_by_profession")))
        },
    )
}
