//! Calendar files (RFC 5545, via the icalendar crate): one event per session, times in
//! UTC so every calendar shows them in its own zone, and UIDs that stay the same when a
//! session moves, so calendars update rather than duplicate.

use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, Event, EventLike};

use super::catalogue::Session;
use super::runs::CourseRun;

fn utc(at: chrono::NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(at, Utc)
}

fn session_event(
    run: &CourseRun,
    session: &Session,
    total: usize,
    meeting_link: bool,
    page: &str,
) -> Event {
    let mut event = Event::new();
    event
        .uid(&format!("spot-session-{}@spot", session.id))
        .summary(&format!(
            "{} (session {} of {})",
            run.title, session.number, total
        ))
        .starts(utc(session.starts_at))
        .ends(utc(session.ends_at()))
        .url(page);
    if meeting_link {
        event.location(&run.meeting_url).description(&format!(
            "Join online: {}\nCourse page: {page}",
            run.meeting_url
        ));
    } else {
        event
            .location("Online")
            .description(&format!("Course page: {page}"));
    }
    if run.cancelled_at.is_some() {
        event.status(icalendar::EventStatus::Cancelled);
    }
    event.done()
}

/// A calendar with a title. The title goes in X-WR-CALNAME only: the crate's `name()` also
/// writes NAME without escaping its commas and semicolons.
fn titled(title: &str) -> Calendar {
    let mut calendar = Calendar::new();
    calendar
        .append_property(icalendar::Property::new("METHOD", "PUBLISH"))
        .append_property(icalendar::Property::new("X-WR-CALNAME", title));
    calendar
}

/// A run's sessions. The meeting link is in it only for those who may see it.
pub fn for_run(
    run: &CourseRun,
    sessions: &[Session],
    meeting_link: bool,
    base_url: &str,
) -> String {
    let page = format!("{base_url}/courses/{}", run.id);
    let mut calendar = titled(&run.title);
    for session in sessions {
        calendar.push(session_event(
            run,
            session,
            sessions.len(),
            meeting_link,
            &page,
        ));
    }
    calendar.done().to_string()
}

/// A member's own sessions, for a calendar subscription.
pub fn personal(runs: &[(CourseRun, Vec<Session>)], base_url: &str) -> String {
    let mut calendar = titled("My SPOT sessions");
    for (run, sessions) in runs {
        let page = format!("{base_url}/courses/{}", run.id);
        for session in sessions {
            calendar.push(session_event(run, session, sessions.len(), true, &page));
        }
    }
    calendar.done().to_string()
}
