//! The report's figures as named tables: the page shows each beside its chart, and each
//! downloads as CSV (`/admin/report.csv?table=runs`), or all together with the table's name
//! in the first column (`/admin/report.csv`).

use super::figures::{Activity, Report, RunFigures};
use crate::accounts::{Borough, Role};
use crate::bookings::roster::spreadsheet_safe;
use crate::evaluation::feedback::Shift;
use crate::web::layout::long_date;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Its name in the CSV address.
    pub name: &'static str,
    pub title: &'static str,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// The names of every table, in the report's order.
pub const NAMES: [&str; 8] = [
    "runs",
    "attendance",
    "participants",
    "feedback",
    "shift",
    "activity",
    "activity_by_borough",
    "activity_by_profession",
];

fn table(
    name: &'static str,
    title: &'static str,
    headers: &[&str],
    rows: Vec<Vec<String>>,
) -> Table {
    Table {
        name,
        title,
        headers: headers.iter().map(|h| (*h).to_owned()).collect(),
        rows,
    }
}

/// `part` of `whole` as a whole percentage, or a dash.
pub fn rate(part: i64, whole: i64) -> String {
    if whole > 0 {
        format!("{}%", (part * 100 + whole / 2) / whole)
    } else {
        "–".into()
    }
}

fn one_place(value: Option<f64>) -> String {
    value.map_or_else(|| "–".into(), |v| format!("{v:.1}"))
}

fn shift_cells(shift: Option<Shift>) -> Vec<String> {
    match shift {
        Some(shift) => vec![
            shift.paired.to_string(),
            format!("{:.1}", shift.before),
            format!("{:.1}", shift.after),
            format!("{:+.1}", shift.change()),
        ],
        None => vec!["0".into(), "–".into(), "–".into(), "–".into()],
    }
}

fn run_row(label: String, places: i64, figures: &[&RunFigures]) -> Vec<String> {
    let sum = |f: fn(&RunFigures) -> i64| figures.iter().map(|r| f(r)).sum::<i64>();
    let booked = sum(|r| r.summary.booked);
    let completed = sum(|r| r.completed);
    vec![
        label,
        places.to_string(),
        booked.to_string(),
        sum(|r| r.summary.waiting).to_string(),
        sum(|r| r.attended).to_string(),
        completed.to_string(),
        rate(completed, booked),
        sum(|r| r.responses).to_string(),
    ]
}

fn runs(report: &Report) -> Table {
    let mut rows: Vec<Vec<String>> = report
        .runs
        .iter()
        .map(|r| run_row(r.summary.run.title.clone(), r.places(), &[r]))
        .collect();
    let all: Vec<&RunFigures> = report.runs.iter().collect();
    let places = report.runs.iter().map(RunFigures::places).sum();
    rows.push(run_row("All runs".into(), places, &all));
    table(
        "runs",
        "Places, bookings and completion per run",
        &[
            "Run",
            "Places",
            "Booked",
            "Waiting list",
            "Attended (1 session or more)",
            "Completed (every session)",
            "Completion rate (of booked)",
            "Feedback responses",
        ],
        rows,
    )
}

fn attendance(report: &Report) -> Table {
    let mut rows = Vec::new();
    for run in &report.runs {
        for session in &run.sessions {
            rows.push(vec![
                run.summary.run.title.clone(),
                session.number.to_string(),
                long_date(session.starts_at),
                run.summary.booked.to_string(),
                if session.taken {
                    session.present.to_string()
                } else {
                    "register not taken".into()
                },
                if session.taken {
                    rate(session.present, run.summary.booked)
                } else {
                    "–".into()
                },
            ]);
        }
    }
    table(
        "attendance",
        "Attendance per session",
        &[
            "Run",
            "Session",
            "Date",
            "Booked",
            "Present",
            "Attendance rate",
        ],
        rows,
    )
}

fn participants(report: &Report) -> Table {
    let count = |b: Borough, r: Role| report.participants.get(&(b, r)).copied().unwrap_or(0);
    let mut rows: Vec<Vec<String>> = Borough::ALL
        .iter()
        .map(|b| {
            let (lw, ot) = (
                count(*b, Role::LinkWorker),
                count(*b, Role::OccupationalTherapist),
            );
            vec![
                b.label().to_owned(),
                lw.to_string(),
                ot.to_string(),
                (lw + ot).to_string(),
            ]
        })
        .collect();
    let total = |r: Role| Borough::ALL.iter().map(|b| count(*b, r)).sum::<i64>();
    let (lw, ot) = (total(Role::LinkWorker), total(Role::OccupationalTherapist));
    rows.push(vec![
        "All boroughs".into(),
        lw.to_string(),
        ot.to_string(),
        (lw + ot).to_string(),
    ]);
    table(
        "participants",
        "Participants by borough and profession",
        &[
            "Borough",
            "Link workers",
            "Occupational therapists",
            "Total",
        ],
        rows,
    )
}

fn feedback(report: &Report) -> Table {
    let mut rows = Vec::new();
    for run in &report.runs {
        for rating in &run.ratings {
            rows.push(vec![
                run.summary.run.title.clone(),
                rating.question.prompt.clone(),
                rating.count().to_string(),
                one_place(rating.average()),
            ]);
        }
    }
    for score in &report.scores {
        rows.push(vec![
            "All runs".into(),
            score.prompt.clone(),
            score.answers.to_string(),
            one_place(score.average),
        ]);
    }
    table(
        "feedback",
        "Feedback ratings (1 to 5)",
        &["Run", "Question", "Answers", "Average"],
        rows,
    )
}

fn shift(report: &Report) -> Table {
    let mut rows: Vec<Vec<String>> = report
        .runs
        .iter()
        .map(|run| {
            let mut row = vec![run.summary.run.title.clone()];
            row.extend(shift_cells(run.shift));
            row
        })
        .collect();
    let mut all = vec!["All runs".to_owned()];
    all.extend(shift_cells(report.shift));
    rows.push(all);
    table(
        "shift",
        "Understanding of the other profession, before and after",
        &["Run", "Responses rating both", "Before", "After", "Shift"],
        rows,
    )
}

const ACTIVITY: [&str; 4] = ["New members", "Posts", "Resources shared", "Conversations"];

fn activity_cells(label: String, activity: &Activity) -> Vec<String> {
    vec![
        label,
        activity.new_members.to_string(),
        activity.posts.to_string(),
        activity.resources.to_string(),
        activity.conversations.to_string(),
    ]
}

fn activity_table<K>(
    name: &'static str,
    title: &'static str,
    first: &str,
    rows: impl Iterator<Item = (K, Activity)>,
    label: impl Fn(K) -> String,
) -> Table {
    let mut headers = vec![first];
    headers.extend(ACTIVITY);
    table(
        name,
        title,
        &headers,
        rows.map(|(key, activity)| activity_cells(label(key), &activity))
            .collect(),
    )
}

/// Every table of the report, in order.
pub fn all(report: &Report) -> Vec<Table> {
    vec![
        runs(report),
        attendance(report),
        participants(report),
        feedback(report),
        shift(report),
        activity_table(
            "activity",
            "Community activity per month",
            "Month",
            report.months.iter().cloned(),
            |month| month,
        ),
        activity_table(
            "activity_by_borough",
            "Community activity by borough (the same twelve months)",
            "Borough",
            report.by_borough.iter().map(|(b, a)| (*b, *a)),
            |b: Borough| b.label().to_owned(),
        ),
        activity_table(
            "activity_by_profession",
            "Community activity by profession (the same twelve months)",
            "Profession",
            report.by_role.iter().map(|(r, a)| (*r, *a)),
            |r: Role| r.label().to_owned(),
        ),
    ]
}

/// A cell for a spreadsheet: a figure as it is ("+2.0" is a number), text that could be
/// taken for a formula escaped.
fn csv_cell(cell: &str) -> String {
    if cell.parse::<f64>().is_ok() {
        cell.to_owned()
    } else {
        spreadsheet_safe(cell)
    }
}

/// The tables as one CSV file. With several, each row starts with its table's name, and
/// each table's headers come first as a row of their own (starting `table`).
pub fn csv(tables: &[Table]) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    let several = tables.len() > 1;
    for table in tables {
        let row = |first: &str, cells: &[String]| -> Vec<String> {
            let lead = several.then(|| first.to_owned());
            lead.into_iter()
                .chain(cells.iter().map(|cell| csv_cell(cell)))
                .collect()
        };
        writer.write_record(row("table", &table.headers))?;
        for cells in &table.rows {
            writer.write_record(row(table.name, cells))?;
        }
    }
    Ok(writer.into_inner()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_round_and_never_divide_by_nothing() {
        assert_eq!(rate(2, 3), "67%");
        assert_eq!(rate(0, 0), "–");
        assert_eq!(rate(15, 15), "100%");
        assert_eq!(csv_cell("+2.0"), "+2.0");
        assert_eq!(csv_cell("-0.5"), "-0.5");
        assert_eq!(csv_cell("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }
}
