//! What members are told about their bookings. Booking messages are always sent.

use super::calendar;
use super::catalogue::RunSummary;
use crate::mail::{Enclosure, Letter};
use crate::web::layout::london_time;

/// Who a letter goes to.
pub struct Recipient {
    pub member: crate::db::MemberId,
    pub name: String,
    pub address: String,
}

fn session_lines(summary: &RunSummary) -> String {
    summary
        .sessions
        .iter()
        .map(|s| {
            format!(
                "  Session {}: {} (London time), {} minutes",
                s.number,
                london_time(s.starts_at),
                s.duration_minutes
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn letter(to: &Recipient, subject: String, text: String, attachment: Option<Enclosure>) -> Letter {
    Letter {
        to_name: to.name.clone(),
        to_address: to.address.clone(),
        subject,
        text,
        attachment,
        ..Letter::default()
    }
}

fn calendar_for(summary: &RunSummary, base_url: &str) -> Enclosure {
    Enclosure {
        filename: "spot-course.ics".into(),
        content_type: "text/calendar; charset=utf-8; method=PUBLISH".into(),
        body: calendar::for_run(&summary.run, &summary.sessions, true, base_url).into_bytes(),
    }
}

const SIGN_OFF: &str = "SPOT: social prescribers and occupational therapists, Greater Manchester";

pub fn booked(to: &Recipient, summary: &RunSummary, base_url: &str) -> Letter {
    letter(
        to,
        format!("Your place on {}", summary.run.title),
        format!(
            "Hello {name},\n\nYou have a place on {title}.\n\n{sessions}\n\nJoin online: {meeting}\n\
             The sessions are in the attached calendar file. If you can no longer come, please cancel on the\n\
             course page so that someone on the waiting list can have your place:\n{base_url}/courses/{id}\n\n{SIGN_OFF}\n",
            name = to.name,
            title = summary.run.title,
            sessions = session_lines(summary),
            meeting = summary.run.meeting_url,
            id = summary.run.id,
        ),
        Some(calendar_for(summary, base_url)),
    )
}

pub fn waiting(to: &Recipient, summary: &RunSummary, position: i64, base_url: &str) -> Letter {
    letter(
        to,
        format!("You are on the waiting list for {}", summary.run.title),
        format!(
            "Hello {name},\n\n{title} is full, so you are number {position} on its waiting list.\n\
             If a place comes up it is yours straight away, and we will email you.\n\n{sessions}\n\n\
             {base_url}/courses/{id}\n\n{SIGN_OFF}\n",
            name = to.name,
            title = summary.run.title,
            sessions = session_lines(summary),
            id = summary.run.id,
        ),
        None,
    )
}

pub fn promoted(to: &Recipient, summary: &RunSummary, base_url: &str) -> Letter {
    let mut letter = booked(to, summary, base_url);
    letter.subject = format!(
        "A place has come up: you are booked on {}",
        summary.run.title
    );
    letter.text = format!("A place came up and it is yours.\n\n{}", letter.text);
    letter
}

pub fn cancelled_by_member(to: &Recipient, summary: &RunSummary, base_url: &str) -> Letter {
    letter(
        to,
        format!("Booking cancelled: {}", summary.run.title),
        format!(
            "Hello {name},\n\nYour booking on {title} is cancelled. You can book another run at\n{base_url}/courses\n\n{SIGN_OFF}\n",
            name = to.name,
            title = summary.run.title,
        ),
        None,
    )
}

pub fn run_cancelled(to: &Recipient, summary: &RunSummary, reason: &str, base_url: &str) -> Letter {
    letter(
        to,
        format!("Cancelled: {}", summary.run.title),
        format!(
            "Hello {name},\n\nWe are sorry: {title} has been cancelled.\nReason: {reason}\n\n\
             Your booking is released, so you can book another run at\n{base_url}/courses\n\n{SIGN_OFF}\n",
            name = to.name,
            title = summary.run.title,
        ),
        None,
    )
}

/// A session moved: the new times, with the calendar for those who have a place.
pub fn session_moved(to: &Recipient, summary: &RunSummary, number: i32, base_url: &str) -> Letter {
    letter(
        to,
        format!("Session {number} of {} has moved", summary.run.title),
        format!(
            "Hello {name},\n\nSession {number} of {title} has a new time. The sessions are now:\n\n{sessions}\n\n\
             The attached calendar file has the new times; calendars that subscribed to SPOT update by themselves.\n\
             {base_url}/courses/{id}\n\n{SIGN_OFF}\n",
            name = to.name,
            title = summary.run.title,
            sessions = session_lines(summary),
            id = summary.run.id,
        ),
        Some(calendar_for(summary, base_url)),
    )
}

/// The run's title or meeting link changed: everyone on it hears, with the details as they
/// now stand.
pub fn details_changed(to: &Recipient, summary: &RunSummary, base_url: &str) -> Letter {
    letter(
        to,
        format!("Changed: {}", summary.run.title),
        format!(
            "Hello {name},\n\nThe details of your course have changed. As they now stand:\n\n{title}\n\n{sessions}\n\n\
             Join online: {meeting}\n\n{base_url}/courses/{id}\n\n{SIGN_OFF}\n",
            name = to.name,
            title = summary.run.title,
            sessions = session_lines(summary),
            meeting = summary.run.meeting_url,
            id = summary.run.id,
        ),
        None,
    )
}
