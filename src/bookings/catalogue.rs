//! What the course pages read: runs with their boroughs, sessions, facilitators and places,
//! in a fixed handful of queries however many runs there are.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::runs::CourseRun;
use super::values::BookingStatus;
use crate::accounts::Borough;
use crate::db::{BookingId, CourseRunId, DbConn, MemberId, SessionId};
use crate::schema::{bookings, course_run_boroughs, course_runs, course_sessions, members};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = course_sessions)]
pub struct Session {
    pub id: SessionId,
    pub run_id: CourseRunId,
    pub number: i32,
    pub starts_at: NaiveDateTime,
    pub duration_minutes: i32,
}

impl Session {
    pub fn ends_at(&self) -> NaiveDateTime {
        self.starts_at + chrono::Duration::minutes(i64::from(self.duration_minutes))
    }
}

#[derive(Debug, Clone)]
pub struct RunSummary {
    pub run: CourseRun,
    pub boroughs: Vec<Borough>,
    pub sessions: Vec<Session>,
    pub booked: i64,
    pub waiting: i64,
    pub facilitators: Facilitators,
}

/// The run's two co-facilitators, by name, when chosen.
#[derive(Debug, Clone, Default)]
pub struct Facilitators {
    pub occupational_therapist: Option<(MemberId, String)>,
    pub link_worker: Option<(MemberId, String)>,
}

impl RunSummary {
    pub fn places_left(&self) -> i64 {
        (i64::from(self.run.capacity) - self.booked).max(0)
    }

    pub fn serves(&self, borough: Borough) -> bool {
        self.boroughs.contains(&borough)
    }

    pub fn first_start(&self) -> Option<NaiveDateTime> {
        // The earliest, not session 1: a moved session may come first.
        self.sessions.iter().map(|s| s.starts_at).min()
    }

    pub fn last_end(&self) -> Option<NaiveDateTime> {
        self.sessions.iter().map(Session::ends_at).max()
    }

    /// Whether a member may book now.
    pub fn takes_bookings(&self, now: NaiveDateTime) -> bool {
        self.run.booking_open
            && self.run.cancelled_at.is_none()
            && self.first_start().is_some_and(|start| start > now)
    }

    pub fn is_facilitator(&self, member: MemberId) -> bool {
        self.run.ot_facilitator_id == Some(member)
            || self.run.link_worker_facilitator_id == Some(member)
    }
}

/// Summaries of the given runs, in the order given: five queries.
fn summarise(conn: &mut DbConn, runs: Vec<CourseRun>) -> QueryResult<Vec<RunSummary>> {
    let ids: Vec<CourseRunId> = runs.iter().map(|r| r.id).collect();
    let mut boroughs: HashMap<CourseRunId, Vec<Borough>> = HashMap::new();
    for (run, slug) in course_run_boroughs::table
        .filter(course_run_boroughs::run_id.eq_any(&ids))
        .select((course_run_boroughs::run_id, course_run_boroughs::borough))
        .load::<(CourseRunId, String)>(conn)?
    {
        if let Some(borough) = Borough::from_slug(&slug) {
            boroughs.entry(run).or_default().push(borough);
        }
    }
    let mut sessions: HashMap<CourseRunId, Vec<Session>> = HashMap::new();
    for session in course_sessions::table
        .filter(course_sessions::run_id.eq_any(&ids))
        .order((course_sessions::run_id, course_sessions::number))
        .select(Session::as_select())
        .load(conn)?
    {
        sessions.entry(session.run_id).or_default().push(session);
    }
    let mut counts: HashMap<(CourseRunId, BookingStatus), i64> = HashMap::new();
    for (run, status, n) in bookings::table
        .filter(bookings::run_id.eq_any(&ids))
        .filter(bookings::status.eq_any(BookingStatus::LIVE))
        .group_by((bookings::run_id, bookings::status))
        .select((
            bookings::run_id,
            bookings::status,
            diesel::dsl::count_star(),
        ))
        .load::<(CourseRunId, BookingStatus, i64)>(conn)?
    {
        counts.insert((run, status), n);
    }
    let people: Vec<MemberId> = runs
        .iter()
        .flat_map(|r| [r.ot_facilitator_id, r.link_worker_facilitator_id])
        .flatten()
        .collect();
    let names: HashMap<MemberId, String> = members::table
        .filter(members::id.eq_any(&people))
        .select((members::id, members::display_name))
        .load::<(MemberId, String)>(conn)?
        .into_iter()
        .collect();
    let named =
        |id: Option<MemberId>| id.and_then(|id| names.get(&id).map(|name| (id, name.clone())));
    Ok(runs
        .into_iter()
        .map(|run| {
            let mut served = boroughs.remove(&run.id).unwrap_or_default();
            served.sort();
            RunSummary {
                boroughs: served,
                sessions: sessions.remove(&run.id).unwrap_or_default(),
                booked: counts
                    .get(&(run.id, BookingStatus::Booked))
                    .copied()
                    .unwrap_or(0),
                waiting: counts
                    .get(&(run.id, BookingStatus::Waiting))
                    .copied()
                    .unwrap_or(0),
                facilitators: Facilitators {
                    occupational_therapist: named(run.ot_facilitator_id),
                    link_worker: named(run.link_worker_facilitator_id),
                },
                run,
            }
        })
        .collect())
}

/// Runs that have not finished, the member's own cluster first, then by start. Runs are
/// few (three per course), so at most 200 are read.
pub fn upcoming(
    conn: &mut DbConn,
    home: Option<Borough>,
    now: NaiveDateTime,
) -> QueryResult<Vec<RunSummary>> {
    let unfinished: Vec<CourseRunId> = course_sessions::table
        .group_by(course_sessions::run_id)
        .having(diesel::dsl::max(course_sessions::starts_at).gt(now - chrono::Duration::hours(12)))
        .select(course_sessions::run_id)
        .load(conn)?;
    let runs = course_runs::table
        .filter(course_runs::id.eq_any(&unfinished))
        .order(course_runs::id.asc())
        .limit(200)
        .select(CourseRun::as_select())
        .load(conn)?;
    let mut summaries = summarise(conn, runs)?;
    summaries.sort_by_key(|s| {
        (
            home.is_none_or(|b| !s.serves(b)),
            s.run.cancelled_at.is_some(),
            s.first_start(),
        )
    });
    Ok(summaries)
}

/// Every run, newest first, for admins.
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<RunSummary>> {
    let runs = course_runs::table
        .order(course_runs::id.desc())
        .limit(500)
        .select(CourseRun::as_select())
        .load(conn)?;
    summarise(conn, runs)
}

/// The runs a member facilitates, newest first.
pub fn facilitated_by(conn: &mut DbConn, member: MemberId) -> QueryResult<Vec<RunSummary>> {
    let ids = super::runs::facilitated_by(conn, member)?;
    let runs = course_runs::table
        .filter(course_runs::id.eq_any(&ids))
        .order(course_runs::id.desc())
        .select(CourseRun::as_select())
        .load(conn)?;
    summarise(conn, runs)
}

pub fn one(conn: &mut DbConn, id: CourseRunId) -> QueryResult<RunSummary> {
    let run = super::runs::find(conn, id)?;
    summarise(conn, vec![run]).map(|mut list| list.remove(0))
}

/// The member's own standing on a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Booked,
    Waiting(i64),
}

pub fn standing(
    conn: &mut DbConn,
    member: MemberId,
    run: CourseRunId,
) -> QueryResult<Option<Standing>> {
    let live: Option<(BookingId, BookingStatus)> = bookings::table
        .filter(bookings::member_id.eq(member))
        .filter(bookings::run_id.eq(run))
        .filter(bookings::status.eq_any(BookingStatus::LIVE))
        .select((bookings::id, bookings::status))
        .first(conn)
        .optional()?;
    match live {
        None => Ok(None),
        Some((_, BookingStatus::Booked)) => Ok(Some(Standing::Booked)),
        Some((booking, _)) => Ok(Some(Standing::Waiting(super::places::waiting_position(
            conn, run, booking,
        )?))),
    }
}

/// The run (if any) where the member has a live booking or waiting place.
pub fn live_run_of(conn: &mut DbConn, member: MemberId) -> QueryResult<Option<CourseRunId>> {
    bookings::table
        .filter(bookings::member_id.eq(member))
        .filter(bookings::status.eq_any(BookingStatus::LIVE))
        .select(bookings::run_id)
        .first(conn)
        .optional()
}

/// Sessions of every run the member is booked on, for their personal calendar feed.
pub fn sessions_booked_by(
    conn: &mut DbConn,
    member: MemberId,
) -> QueryResult<Vec<(CourseRun, Vec<Session>)>> {
    let runs: Vec<CourseRunId> = bookings::table
        .filter(bookings::member_id.eq(member))
        .filter(bookings::status.eq(BookingStatus::Booked))
        .select(bookings::run_id)
        .load(conn)?;
    let found = course_runs::table
        .filter(course_runs::id.eq_any(&runs))
        .filter(course_runs::cancelled_at.is_null())
        .select(CourseRun::as_select())
        .load(conn)?;
    Ok(summarise(conn, found)?
        .into_iter()
        .map(|summary| (summary.run, summary.sessions))
        .collect())
}
