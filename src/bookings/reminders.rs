//! Reminders before each session, two days and one hour ahead, to everyone with a place:
//! the time, the meeting link and the calendar as it now stands (a moved session included).
//! Each is sent once to each participant, whichever node's worker finds it first; a member
//! who chose never to have them is passed over.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::catalogue;
use super::letters::{self, Recipient};
use super::values::BookingStatus;
use crate::db::{CourseRunId, DbConn, MemberId, SessionId};
use crate::notifications::settings;
use crate::notifications::values::{Cadence, Scope, Topic};
use crate::notifications::{outbox, unsubscribe};
use crate::schema::{bookings, course_runs, course_sessions, members, session_reminders};
use crate::Site;

/// How long before a session each reminder goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lead {
    TwoDays,
    OneHour,
}

impl Lead {
    pub const ALL: [Lead; 2] = [Lead::TwoDays, Lead::OneHour];

    fn slug(self) -> &'static str {
        match self {
            Lead::TwoDays => "two-days",
            Lead::OneHour => "one-hour",
        }
    }

    fn ahead(self) -> Duration {
        match self {
            Lead::TwoDays => Duration::days(2),
            Lead::OneHour => Duration::hours(1),
        }
    }

    /// The two-day reminder is not sent once the one-hour one is due.
    fn window(self) -> Duration {
        match self {
            Lead::TwoDays => Duration::days(2) - Duration::hours(1),
            Lead::OneHour => Duration::hours(1),
        }
    }
}

/// Queues the reminders due at `now`; returns how many letters.
pub fn send_due(conn: &mut DbConn, site: &Site, now: NaiveDateTime) -> QueryResult<usize> {
    let mut queued = 0;
    for lead in Lead::ALL {
        queued += conn.write_transaction(|tx| {
            // One worker at a time decides who is still to be reminded.
            tx.serialize_on("session-reminders")?;
            let due = due(tx, lead, now)?;
            let mut queued = 0;
            let chosen = settings::of_many(tx, &due.iter().map(|d| d.1).collect::<Vec<_>>())?;
            for (session, member, run) in due {
                diesel::insert_into(session_reminders::table)
                    .values((
                        session_reminders::session_id.eq(session),
                        session_reminders::member_id.eq(member),
                        session_reminders::kind.eq(lead.slug()),
                        session_reminders::sent_at.eq(now),
                    ))
                    .execute(&mut **tx)?;
                let wanted = chosen
                    .get(&member)
                    .is_none_or(|s| s.cadence(Topic::Reminders) != Cadence::Never);
                if wanted {
                    queued += remind(tx, site, session, member, run, now)?;
                }
            }
            Ok::<_, diesel::result::Error>(queued)
        })?;
    }
    Ok(queued)
}

/// (session, member, run) for every place on a session starting within the lead's window
/// that has not had this reminder.
fn due(
    conn: &mut DbConn,
    lead: Lead,
    now: NaiveDateTime,
) -> QueryResult<Vec<(SessionId, MemberId, CourseRunId)>> {
    let from = now + lead.ahead() - lead.window();
    let sent = session_reminders::table
        .filter(session_reminders::kind.eq(lead.slug()))
        .filter(session_reminders::session_id.eq(course_sessions::id))
        .filter(session_reminders::member_id.eq(bookings::member_id));
    course_sessions::table
        .inner_join(course_runs::table.on(course_runs::id.eq(course_sessions::run_id)))
        .inner_join(bookings::table.on(bookings::run_id.eq(course_sessions::run_id)))
        .filter(course_sessions::starts_at.gt(from.max(now)))
        .filter(course_sessions::starts_at.le(now + lead.ahead()))
        .filter(course_runs::cancelled_at.is_null())
        .filter(bookings::status.eq(BookingStatus::Booked))
        .filter(diesel::dsl::not(diesel::dsl::exists(sent)))
        .select((
            course_sessions::id,
            bookings::member_id,
            course_sessions::run_id,
        ))
        .load(conn)
}

fn remind(
    conn: &mut DbConn,
    site: &Site,
    session: SessionId,
    member: MemberId,
    run: CourseRunId,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let summary = catalogue::one(conn, run)?;
    let Some(session) = summary.sessions.iter().find(|s| s.id == session).cloned() else {
        return Ok(0);
    };
    let (name, address): (String, String) = members::table
        .find(member)
        .select((members::display_name, members::email))
        .first(conn)?;
    let to = Recipient {
        member,
        name,
        address,
    };
    let mut letter = letters::session_reminder(&to, &summary, &session, &site.base_url);
    let unsubscribe = unsubscribe::url(site, member, Scope::Topic(Topic::Reminders));
    letter.text.push_str(&format!(
        "\nStop these reminders: {unsubscribe}\nOr choose on {}/account/notifications\n",
        site.base_url
    ));
    letter.unsubscribe_url = Some(unsubscribe);
    outbox::enqueue(conn, Some(member), &letter, now)?;
    Ok(1)
}
