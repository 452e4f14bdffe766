//! The community's activity for the programme report: new members, posts, resources shared
//! and private conversations, per month, by the borough and profession of the member.
//!
//! A year of a large community is a million posts, too many to count on every view. Days
//! that have ended are counted once, into `activity_days` (by day, kind, borough and role),
//! the first time the report is read after they end; the report adds those up and counts
//! only today's live. A day's figures are therefore as they stood when it was counted: a
//! thread removed later (its author erased, say) still counts on the day it was written.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, Months, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};

use crate::accounts::{Borough, Role};
use crate::db::DbConn;
use crate::schema::{activity_counted, activity_days};

/// Counts of what members did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Activity {
    pub new_members: i64,
    pub posts: i64,
    pub resources: i64,
    /// Private conversations started, by who started them.
    pub conversations: i64,
}

/// The months of community activity shown: this one and the eleven before.
pub const MONTHS: u32 = 12;

/// What is counted, as stored in `activity_days.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Members,
    Posts,
    Resources,
    Conversations,
}

impl Kind {
    const ALL: [Kind; 4] = [
        Kind::Members,
        Kind::Posts,
        Kind::Resources,
        Kind::Conversations,
    ];

    fn slug(self) -> &'static str {
        match self {
            Kind::Members => "members",
            Kind::Posts => "posts",
            Kind::Resources => "resources",
            Kind::Conversations => "conversations",
        }
    }

    fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.slug() == slug)
    }
}

impl Activity {
    fn add(&mut self, kind: Kind, n: i64) {
        match kind {
            Kind::Members => self.new_members += n,
            Kind::Posts => self.posts += n,
            Kind::Resources => self.resources += n,
            Kind::Conversations => self.conversations += n,
        }
    }
}

/// One count: `n` rows of a kind made on `day` ("2026-11-25") by members of a borough and
/// role.
#[derive(QueryableByName, Queryable, Debug)]
struct Counted {
    #[diesel(sql_type = Text)]
    day: String,
    #[diesel(sql_type = Text)]
    borough: String,
    #[diesel(sql_type = Text)]
    role: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The first moment of the month [`MONTHS`] - 1 months before `now`'s.
fn first_month(now: NaiveDateTime) -> NaiveDate {
    let this = NaiveDate::from_ymd_opt(now.year(), now.month(), 1).expect("a first of the month");
    this - Months::new(MONTHS - 1)
}

fn day_text(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

fn midnight(day: NaiveDate) -> NaiveDateTime {
    day.and_hms_opt(0, 0, 0).expect("midnight")
}

/// How many rows of `kind` were made per day from `from` until `to`, by the borough and role
/// of the member who made them: one grouped query. The one place where the SQL differs by
/// engine (how a day is written, how a value is bound).
fn counted(
    conn: &mut DbConn,
    kind: Kind,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<Counted>> {
    let (table, member) = match kind {
        Kind::Members => ("members", "id"),
        Kind::Posts => ("posts", "author_id"),
        Kind::Resources => ("resources", "owner_id"),
        // Private conversations, by whoever started them.
        Kind::Conversations => ("conversations", "started_by"),
    };
    let sql = |day: &str, first: &str, second: &str| {
        format!(
            "SELECT {day} AS day, m.borough AS borough, m.role AS role, COUNT(*) AS n \
             FROM {table} t JOIN members m ON m.id = t.{member} \
             WHERE t.created_at >= {first} AND t.created_at < {second} GROUP BY 1, 2, 3"
        )
    };
    match conn {
        DbConn::Sqlite(conn) => diesel::sql_query(sql("substr(t.created_at, 1, 10)", "?", "?"))
            .bind::<Timestamp, _>(from)
            .bind::<Timestamp, _>(to)
            .load(conn),
        DbConn::Postgresql(conn) => {
            diesel::sql_query(sql("to_char(t.created_at, 'YYYY-MM-DD')", "$1", "$2"))
                .bind::<Timestamp, _>(from)
                .bind::<Timestamp, _>(to)
                .load(conn)
        }
    }
}

/// Counts the days that have ended since the last counted (within the report's months)
/// into `activity_days`, once: concurrent readers take turns, and the second finds the
/// work done. Housekeeping calls it every hour, so the report seldom has to.
pub fn count_ended_days(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<()> {
    let today = now.date();
    let earliest = first_month(now);
    conn.write_transaction(|tx| {
        tx.serialize_on("activity-days")?;
        let conn: &mut DbConn = tx;
        let through: Option<String> = activity_counted::table
            .select(activity_counted::through_day)
            .first(conn)
            .optional()?;
        let from = through
            .and_then(|day| NaiveDate::parse_from_str(&day, "%Y-%m-%d").ok())
            .map(|day| day + Duration::days(1))
            .map_or(earliest, |next| next.max(earliest));
        if from >= today {
            return Ok(());
        }
        for kind in Kind::ALL {
            for row in counted(conn, kind, midnight(from), midnight(today))? {
                diesel::insert_into(activity_days::table)
                    .values((
                        activity_days::day.eq(&row.day),
                        activity_days::kind.eq(kind.slug()),
                        activity_days::borough.eq(&row.borough),
                        activity_days::role.eq(&row.role),
                        activity_days::n.eq(row.n),
                    ))
                    .execute(conn)?;
            }
        }
        let yesterday = day_text(today - Duration::days(1));
        diesel::delete(activity_counted::table).execute(conn)?;
        diesel::insert_into(activity_counted::table)
            .values((
                activity_counted::id.eq(1),
                activity_counted::through_day.eq(yesterday),
            ))
            .execute(conn)?;
        Ok(())
    })
}

pub type Activities = (
    Vec<(String, Activity)>,
    BTreeMap<Borough, Activity>,
    BTreeMap<Role, Activity>,
);

/// The last [`MONTHS`] months' activity at `now`: per month (oldest first), by borough and
/// by profession.
pub fn activity(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Activities> {
    count_ended_days(conn, now)?;
    let since = first_month(now);
    let today = now.date();
    let stored: Vec<(String, String, String, String, i64)> = activity_days::table
        .filter(activity_days::day.ge(day_text(since)))
        .filter(activity_days::day.lt(day_text(today)))
        .select((
            activity_days::day,
            activity_days::kind,
            activity_days::borough,
            activity_days::role,
            activity_days::n,
        ))
        .load(conn)?;
    let mut rows: Vec<(Kind, Counted)> = stored
        .into_iter()
        .filter_map(|(day, kind, borough, role, n)| {
            Some((
                Kind::from_slug(&kind)?,
                Counted {
                    day,
                    borough,
                    role,
                    n,
                },
            ))
        })
        .collect();
    for kind in Kind::ALL {
        let live = counted(
            conn,
            kind,
            midnight(today),
            midnight(today + Duration::days(1)),
        )?;
        rows.extend(live.into_iter().map(|row| (kind, row)));
    }
    Ok(tally(since, rows))
}

/// Adds the daily counts up by month, borough and role.
fn tally(since: NaiveDate, rows: Vec<(Kind, Counted)>) -> Activities {
    let mut months: BTreeMap<String, Activity> = (0..MONTHS)
        .map(|n| {
            (
                (since + Months::new(n)).format("%Y-%m").to_string(),
                Activity::default(),
            )
        })
        .collect();
    let mut by_borough: BTreeMap<Borough, Activity> = Borough::ALL
        .iter()
        .map(|b| (*b, Activity::default()))
        .collect();
    let mut by_role: BTreeMap<Role, Activity> = Role::ALL
        .iter()
        .map(|r| (*r, Activity::default()))
        .collect();
    for (kind, row) in rows {
        let Some(activity) = row.day.get(..7).and_then(|month| months.get_mut(month)) else {
            continue;
        };
        activity.add(kind, row.n);
        if let Some(borough) = Borough::from_slug(&row.borough) {
            by_borough.entry(borough).or_default().add(kind, row.n);
        }
        if let Some(role) = Role::from_slug(&row.role) {
            by_role.entry(role).or_default().add(kind, row.n);
        }
    }
    (months.into_iter().collect(), by_borough, by_role)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_months_start_eleven_months_back() {
        let now = NaiveDate::from_ymd_opt(2026, 3, 15)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap();
        assert_eq!(
            first_month(now),
            NaiveDate::from_ymd_opt(2025, 4, 1).unwrap()
        );
    }

    #[test]
    fn daily_counts_add_up_by_month_borough_and_role() {
        let since = NaiveDate::from_ymd_opt(2025, 4, 1).unwrap();
        let row = |day: &str, borough: &str, role: &str, n| Counted {
            day: day.into(),
            borough: borough.into(),
            role: role.into(),
            n,
        };
        let (months, by_borough, by_role) = tally(
            since,
            vec![
                (Kind::Posts, row("2025-04-02", "bury", "link_worker", 3)),
                (
                    Kind::Posts,
                    row("2025-04-30", "bury", "occupational_therapist", 2),
                ),
                (Kind::Members, row("2026-03-01", "wigan", "link_worker", 1)),
                (Kind::Posts, row("2025-03-31", "bury", "link_worker", 9)),
            ],
        );
        assert_eq!(months.len(), 12);
        assert_eq!(
            months[0],
            (
                "2025-04".into(),
                Activity {
                    posts: 5,
                    ..Activity::default()
                }
            )
        );
        assert_eq!(months[11].1.new_members, 1);
        assert_eq!(
            by_borough[&Borough::Bury].posts,
            5,
            "March 2025 is before the months shown"
        );
        assert_eq!(
            by_role[&Role::LinkWorker],
            Activity {
                new_members: 1,
                posts: 3,
                ..Activity::default()
            }
        );
    }
}
