//! The programme report's figures, for admins: each run's places, bookings, waiting list,
//! attendance per session, completion and feedback, the participants by borough and
//! profession, and the community's activity month by month. Read in a fixed number of
//! queries, however many runs, members and posts there are.
//!
//! Definitions: a participant is someone with a place (booked) on a run that is not
//! cancelled; they attended a session when its register marks them present; attended the
//! course when they attended one session or more; completed it when they attended every
//! session of the run.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::activity;
pub use super::activity::{Activity, MONTHS};
use crate::accounts::members::Viewer;
use crate::accounts::{Borough, Role};
use crate::bookings::catalogue::{self, RunSummary};
use crate::bookings::values::BookingStatus;
use crate::db::{CourseRunId, DbConn, MemberId, SessionId};
use crate::evaluation::feedback::{self, RatingResult, Shift};
use crate::evaluation::questions;
use crate::rules::RuleError;
use crate::schema::{attendance, bookings, feedback_responses, members};

/// One session's register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionFigures {
    pub number: i32,
    pub starts_at: NaiveDateTime,
    /// Whether its register has been taken.
    pub taken: bool,
    pub present: i64,
}

#[derive(Debug, Clone)]
pub struct RunFigures {
    pub summary: RunSummary,
    pub sessions: Vec<SessionFigures>,
    /// Participants at one session or more.
    pub attended: i64,
    /// Participants at every session.
    pub completed: i64,
    pub responses: i64,
    pub ratings: Vec<RatingResult>,
    pub shift: Option<Shift>,
}

impl RunFigures {
    pub fn places(&self) -> i64 {
        i64::from(self.summary.run.capacity)
    }
}

/// A rating question's figures over every run that asks it (by its words).
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionScore {
    pub prompt: String,
    pub answers: i64,
    pub average: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub runs: Vec<RunFigures>,
    /// Participants (booked) by borough and profession, over every run.
    pub participants: BTreeMap<(Borough, Role), i64>,
    /// Rating questions over all runs, in the order first asked.
    pub scores: Vec<QuestionScore>,
    pub shift: Option<Shift>,
    /// ("2026-11", activity), oldest first, the last [`MONTHS`] months.
    pub months: Vec<(String, Activity)>,
    pub by_borough: BTreeMap<Borough, Activity>,
    pub by_role: BTreeMap<Role, Activity>,
}

/// The report at `now`. Admins only.
pub fn report(conn: &mut DbConn, actor: &Viewer, now: NaiveDateTime) -> Result<Report, RuleError> {
    if !actor.staff.is_admin() {
        return Err(RuleError::forbidden(
            "Only admins see the programme report.",
        ));
    }
    let summaries: Vec<RunSummary> = catalogue::all(conn)?
        .into_iter()
        .filter(|s| s.run.cancelled_at.is_none())
        .rev()
        .collect();
    let ids: Vec<CourseRunId> = summaries.iter().map(|s| s.run.id).collect();
    let booked: Vec<(CourseRunId, MemberId, Borough, Role)> = bookings::table
        .inner_join(members::table.on(members::id.eq(bookings::member_id)))
        .filter(bookings::run_id.eq_any(&ids))
        .filter(bookings::status.eq(BookingStatus::Booked))
        .select((
            bookings::run_id,
            bookings::member_id,
            members::borough,
            members::role,
        ))
        .load(conn)?;
    let session_ids: Vec<SessionId> = summaries
        .iter()
        .flat_map(|s| s.sessions.iter().map(|session| session.id))
        .collect();
    let marks: Vec<(SessionId, MemberId, bool)> = attendance::table
        .filter(attendance::session_id.eq_any(&session_ids))
        .select((
            attendance::session_id,
            attendance::member_id,
            attendance::present,
        ))
        .load(conn)?;
    let responses: Vec<CourseRunId> = feedback_responses::table
        .filter(feedback_responses::run_id.eq_any(&ids))
        .select(feedback_responses::run_id)
        .load(conn)?;
    let asked = questions::of_runs(conn, &ids)?;
    let ratings = feedback::ratings_of(conn, &ids)?;
    let runs = summaries
        .into_iter()
        .map(|summary| run_figures(summary, &booked, &marks, &responses, &asked, &ratings))
        .collect();
    let mut participants = BTreeMap::new();
    for (_, _, borough, role) in &booked {
        *participants.entry((*borough, *role)).or_insert(0) += 1;
    }
    let (months, by_borough, by_role) = activity::activity(conn, now)?;
    Ok(Report {
        runs,
        participants,
        scores: scores(&feedback::tally(&asked, &ratings)),
        shift: feedback::shift(&asked, &ratings),
        months,
        by_borough,
        by_role,
    })
}

fn run_figures(
    summary: RunSummary,
    booked: &[(CourseRunId, MemberId, Borough, Role)],
    marks: &[(SessionId, MemberId, bool)],
    responses: &[CourseRunId],
    asked: &[questions::Question],
    ratings: &[feedback::RatingRow],
) -> RunFigures {
    let run = summary.run.id;
    let people: HashSet<MemberId> = booked
        .iter()
        .filter(|(r, ..)| *r == run)
        .map(|(_, m, ..)| *m)
        .collect();
    let mut attended_by: HashMap<MemberId, usize> = HashMap::new();
    let sessions = summary
        .sessions
        .iter()
        .map(|session| {
            let of_session: Vec<&(SessionId, MemberId, bool)> =
                marks.iter().filter(|(s, ..)| *s == session.id).collect();
            let present: Vec<MemberId> = of_session
                .iter()
                .filter(|(_, m, p)| *p && people.contains(m))
                .map(|(_, m, _)| *m)
                .collect();
            for member in &present {
                *attended_by.entry(*member).or_default() += 1;
            }
            SessionFigures {
                number: session.number,
                starts_at: session.starts_at,
                taken: !of_session.is_empty(),
                present: present.len() as i64,
            }
        })
        .collect();
    let questions: Vec<questions::Question> =
        asked.iter().filter(|q| q.run_id == run).cloned().collect();
    let ratings: Vec<feedback::RatingRow> =
        ratings.iter().filter(|r| r.0 == run).copied().collect();
    let all = summary.sessions.len();
    RunFigures {
        attended: attended_by.len() as i64,
        completed: attended_by.values().filter(|n| **n == all).count() as i64,
        responses: responses.iter().filter(|r| **r == run).count() as i64,
        ratings: feedback::tally(&questions, &ratings),
        shift: feedback::shift(&questions, &ratings),
        sessions,
        summary,
    }
}

/// Each rating question's answers over every run, questions with the same words together.
fn scores(results: &[RatingResult]) -> Vec<QuestionScore> {
    let mut order: Vec<String> = Vec::new();
    let mut merged: HashMap<String, [i64; 5]> = HashMap::new();
    for result in results {
        let entry = merged
            .entry(result.question.prompt.clone())
            .or_insert_with(|| {
                order.push(result.question.prompt.clone());
                [0; 5]
            });
        for (slot, n) in entry.iter_mut().zip(result.distribution) {
            *slot += n;
        }
    }
    order
        .into_iter()
        .map(|prompt| {
            let distribution = merged[&prompt];
            let answers: i64 = distribution.iter().sum();
            let total: i64 = (1..=5).zip(distribution).map(|(k, n)| k * n).sum();
            QuestionScore {
                prompt,
                answers,
                average: (answers > 0).then(|| total as f64 / answers as f64),
            }
        })
        .collect()
}
