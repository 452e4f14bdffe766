//! The invitation to give feedback: once the last session of a run has ended, each member
//! the register shows at one session or more is sent it once (a letter, and the same news
//! on their notifications page), unless they have answered already. A step of the mail
//! worker's round; attendance marked later is picked up by a later round.

use std::collections::{HashMap, HashSet};

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::bookings::catalogue::{self, Session};
use crate::bookings::letters::Recipient;
use crate::db::{CourseRunId, DbConn, MemberId};
use crate::notifications::{events, outbox};
use crate::schema::{
    attendance, course_runs, course_sessions, feedback_invitations, feedback_respondents, members,
};
use crate::Site;

/// Runs whose last session ended longer ago than this are not looked at again.
const LOOK_BACK_DAYS: i64 = 60;

/// Runs not cancelled whose last session ended between the look-back and `now`.
fn ended_runs(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Vec<CourseRunId>> {
    let since = now - Duration::days(LOOK_BACK_DAYS);
    let recent: Vec<CourseRunId> = course_sessions::table
        .filter(course_sessions::starts_at.ge(since))
        .filter(course_sessions::starts_at.le(now))
        .select(course_sessions::run_id)
        .distinct()
        .load(conn)?;
    let live: Vec<CourseRunId> = course_runs::table
        .filter(course_runs::id.eq_any(&recent))
        .filter(course_runs::cancelled_at.is_null())
        .select(course_runs::id)
        .load(conn)?;
    let mut last_end: HashMap<CourseRunId, NaiveDateTime> = HashMap::new();
    for session in course_sessions::table
        .filter(course_sessions::run_id.eq_any(&live))
        .select(Session::as_select())
        .load::<Session>(conn)?
    {
        let end = last_end.entry(session.run_id).or_insert(session.ends_at());
        *end = (*end).max(session.ends_at());
    }
    Ok(last_end
        .into_iter()
        .filter(|(_, end)| *end <= now && *end >= since)
        .map(|(run, _)| run)
        .collect())
}

/// (run, member) pairs still to invite on these runs: attended, not invited, not answered.
fn still_to_invite(
    conn: &mut DbConn,
    runs: &[CourseRunId],
) -> QueryResult<Vec<(CourseRunId, MemberId)>> {
    let attended: Vec<(CourseRunId, MemberId)> = attendance::table
        .inner_join(course_sessions::table.on(course_sessions::id.eq(attendance::session_id)))
        .inner_join(members::table.on(members::id.eq(attendance::member_id)))
        .filter(course_sessions::run_id.eq_any(runs))
        .filter(attendance::present.eq(true))
        .filter(members::erased_at.is_null())
        .select((course_sessions::run_id, attendance::member_id))
        .distinct()
        .load(conn)?;
    let mut done: HashSet<(CourseRunId, MemberId)> = feedback_invitations::table
        .filter(feedback_invitations::run_id.eq_any(runs))
        .select((
            feedback_invitations::run_id,
            feedback_invitations::member_id,
        ))
        .load::<(CourseRunId, MemberId)>(conn)?
        .into_iter()
        .collect();
    done.extend(
        feedback_respondents::table
            .filter(feedback_respondents::run_id.eq_any(runs))
            .select((
                feedback_respondents::run_id,
                feedback_respondents::member_id,
            ))
            .load::<(CourseRunId, MemberId)>(conn)?,
    );
    let mut due: Vec<(CourseRunId, MemberId)> = attended
        .into_iter()
        .filter(|pair| !done.contains(pair))
        .collect();
    due.sort();
    Ok(due)
}

/// Sends the invitations that are due at `now`; returns how many.
pub fn send_due(conn: &mut DbConn, site: &Site, now: NaiveDateTime) -> QueryResult<usize> {
    conn.write_transaction(|tx| {
        tx.serialize_on("feedback-invitations")?;
        let conn: &mut DbConn = tx;
        let runs = ended_runs(conn, now)?;
        if runs.is_empty() {
            return Ok(0);
        }
        let due = still_to_invite(conn, &runs)?;
        let mut sent = 0;
        for run in runs {
            let people: Vec<MemberId> = due
                .iter()
                .filter(|(r, _)| *r == run)
                .map(|(_, m)| *m)
                .collect();
            if people.is_empty() {
                continue;
            }
            let summary = catalogue::one(conn, run)?;
            let who: Vec<(MemberId, String, String)> = members::table
                .filter(members::id.eq_any(&people))
                .select((members::id, members::display_name, members::email))
                .load(conn)?;
            for (member, name, address) in who {
                let to = Recipient {
                    member,
                    name,
                    address,
                };
                let letter = super::letters::invitation(&to, &summary, &site.base_url);
                diesel::insert_into(feedback_invitations::table)
                    .values((
                        feedback_invitations::run_id.eq(run),
                        feedback_invitations::member_id.eq(member),
                        feedback_invitations::sent_at.eq(now),
                    ))
                    .execute(conn)?;
                outbox::enqueue(conn, Some(member), &letter, now)?;
                // The news links to the course page, whose "After the course" part has the
                // form and the certificate.
                events::booking_news(conn, member, run, &letter.subject, "", now)?;
                sent += 1;
            }
        }
        Ok(sent)
    })
}

/// An erased member's invitations go with them.
pub fn forget_member(conn: &mut DbConn, member: MemberId) -> QueryResult<()> {
    diesel::delete(feedback_invitations::table.filter(feedback_invitations::member_id.eq(member)))
        .execute(conn)
        .map(|_| ())
}
