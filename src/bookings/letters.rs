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

/// What the manager is told the programme is.
const PROGRAMME: &str = "SPOT (\"SPOT the difference\") brings Greater Manchester's social-prescribing link workers and\n\
occupational therapists together to learn from each other, create links between services and\n\
develop professionally. It is free of charge to participants, delivered by the Salford Social\n\
Prescribing Hub at the University of Salford and funded by the Elizabeth Casson Trust.";

/// The participant's manager, as their letters address them.
pub struct ManagerAddress<'a> {
    pub name: &'a str,
    pub address: &'a str,
}

/// Hours the sessions take, in words: "3 sessions of 2 hours (6 hours in all)".
fn time_commitment(summary: &RunSummary) -> String {
    let minutes: i32 = summary.sessions.iter().map(|s| s.duration_minutes).sum();
    let hours = super::pages::hours_words;
    let each = summary.sessions.first().map_or(0, |s| s.duration_minutes);
    let count = summary.sessions.len();
    if summary.sessions.iter().all(|s| s.duration_minutes == each) {
        format!(
            "{count} online session{} of {} ({} in all)",
            if count == 1 { "" } else { "s" },
            hours(each),
            hours(minutes)
        )
    } else {
        format!("{count} online sessions, {} in all", hours(minutes))
    }
}

/// The manager is asked about a booking (or, with `reminder`, asked again).
pub fn to_manager(
    manager: &ManagerAddress<'_>,
    participant: &str,
    summary: &RunSummary,
    held_until: Option<chrono::NaiveDateTime>,
    link: &str,
    reminder: bool,
) -> Letter {
    let ask = match (summary.run.manager_mode, held_until) {
        (super::values::ManagerMode::Confirm, Some(until)) => format!(
            "Their place is held until {} (London time) for your answer. If you have not confirmed it\n\
             by then, it goes to the next person on the waiting list.",
            london_time(until)
        ),
        (super::values::ManagerMode::Confirm, None) => {
            "They are on the waiting list. If a place comes up it is held for 7 days for your answer."
                .to_owned()
        }
        (super::values::ManagerMode::Notify, _) => {
            "The booking stands unless you decline it.".to_owned()
        }
    };
    Letter {
        to_name: manager.name.to_owned(),
        to_address: manager.address.to_owned(),
        subject: format!(
            "{}Please confirm {participant}'s place on {}",
            if reminder { "Reminder: " } else { "" },
            summary.run.title
        ),
        text: format!(
            "Dear {manager},\n\n{participant} has booked a place on {title} and named you as their manager.\n\n\
             Time commitment: {commitment}.\n{sessions}\n\n{PROGRAMME}\n\n{ask}\n\n\
             Confirm or decline the booking (no account needed; the link works once):\n{link}\n{earlier}\n{SIGN_OFF}\n",
            manager = manager.name,
            title = summary.run.title,
            commitment = time_commitment(summary),
            sessions = session_lines(summary),
            earlier = if reminder {
                "\nThe link in our earlier email no longer works: please use this one.\n"
            } else {
                ""
            },
        ),
        ..Letter::default()
    }
}

/// The participant hears what their manager said.
pub fn manager_answered(
    to: &Recipient,
    summary: &RunSummary,
    confirmed: bool,
    base_url: &str,
) -> Letter {
    let (subject, news) = if confirmed {
        (
            format!("Your manager confirmed your place on {}", summary.run.title),
            "Your manager has confirmed your booking: the place is yours.",
        )
    } else {
        (
            format!("Your manager declined your booking on {}", summary.run.title),
            "Your manager has declined your booking, so it is cancelled and the place has gone to the\n\
             next person on the waiting list. Talk to your manager, and book again if the time can be found.",
        )
    };
    letter(
        to,
        subject,
        format!(
            "Hello {name},\n\n{news}\n\n{base_url}/courses/{id}\n\n{SIGN_OFF}\n",
            name = to.name,
            id = summary.run.id,
        ),
        None,
    )
}

/// The place was held for the manager's answer, which did not come in time.
pub fn place_lapsed(to: &Recipient, summary: &RunSummary, base_url: &str) -> Letter {
    letter(
        to,
        format!("Your place on {} has been released", summary.run.title),
        format!(
            "Hello {name},\n\nYour manager did not confirm your booking on {title} within 7 days, so the place\n\
             has gone to the next person on the waiting list. You can book again once your manager has\n\
             agreed the time:\n{base_url}/courses/{id}\n\n{SIGN_OFF}\n",
            name = to.name,
            title = summary.run.title,
            id = summary.run.id,
        ),
        None,
    )
}

/// A facilitator hears of a place given up in the last 48 hours before the first session.
pub fn late_cancellation(
    to: &Recipient,
    participant: &str,
    reason: Option<&str>,
    summary: &RunSummary,
    base_url: &str,
) -> Letter {
    letter(
        to,
        format!("Late cancellation on {}", summary.run.title),
        format!(
            "Hello {name},\n\n{participant} has cancelled their place on {title}, less than 48 hours before the first\n\
             session. {reason}\n\nThe roster: {base_url}/courses/{id}/roster\n\n{SIGN_OFF}\n",
            name = to.name,
            title = summary.run.title,
            reason = reason.map_or_else(
                || "They gave no reason.".to_owned(),
                |reason| format!("Their reason: {reason}")
            ),
            id = summary.run.id,
        ),
        None,
    )
}

/// A reminder before a session: when, the meeting link, and the calendar as it stands.
pub fn session_reminder(
    to: &Recipient,
    summary: &RunSummary,
    session: &super::catalogue::Session,
    base_url: &str,
) -> Letter {
    letter(
        to,
        format!(
            "Reminder: session {} of {} is on {}",
            session.number,
            summary.run.title,
            london_time(session.starts_at)
        ),
        format!(
            "Hello {name},\n\nSession {number} of {title} starts {when} (London time) and lasts {minutes} minutes.\n\n\
             Join online: {meeting}\n\nAll the sessions:\n{sessions}\n\nThe attached calendar file has the times as they now stand.\n\
             If you can no longer come, please tell the facilitators in your cohort's space or cancel on\n{base_url}/courses/{id}\n\n{SIGN_OFF}\n",
            name = to.name,
            number = session.number,
            title = summary.run.title,
            when = london_time(session.starts_at),
            minutes = session.duration_minutes,
            meeting = summary.run.meeting_url,
            sessions = session_lines(summary),
            id = summary.run.id,
        ),
        Some(calendar_for(summary, base_url)),
    )
}
