//! A participant's manager answers for the time the course takes. On booking, the manager
//! is sent a single-use link (only its hash is stored) to confirm or decline, with no
//! account needed. A run in `notify` mode lets the booking stand unless they decline; one in
//! `confirm` mode holds the place for up to seven days, reminds the manager, and then
//! releases it to the waiting list. The letters that go with each step are in `telling`.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::places;
use super::runs::{self, CourseRun};
use super::values::{BookingStatus, ManagerMode, ManagerStatus, MANAGER_HOLD_DAYS};
use crate::accounts::tokens;
use crate::accounts::{Borough, Role};
use crate::audit::{self, Entry};
use crate::db::{BookingId, CourseRunId, DbConn, MemberId, WriteConn};
use crate::rules::RuleError;
use crate::schema::{bookings, members};

/// A link's life when the run has no sessions to end it (it always has; a guard).
const LINK_DAYS: i64 = 60;

/// Asks the manager about a new booking: returns the link's token, to send them.
pub(super) fn ask(
    conn: &mut DbConn,
    booking: BookingId,
    run: &CourseRun,
    now: NaiveDateTime,
) -> QueryResult<String> {
    let (status, placed): (ManagerStatus, BookingStatus) = match run.manager_mode {
        ManagerMode::Notify => (ManagerStatus::Informed, BookingStatus::Booked),
        ManagerMode::Confirm => (ManagerStatus::Awaiting, BookingStatus::Booked),
    };
    let booked: BookingStatus = bookings::table
        .find(booking)
        .select(bookings::status)
        .first(conn)?;
    let held_until = (status == ManagerStatus::Awaiting && booked == placed)
        .then(|| now + Duration::days(MANAGER_HOLD_DAYS));
    let expires =
        runs::first_session_start(conn, run.id)?.unwrap_or(now + Duration::days(LINK_DAYS));
    let token = tokens::new_token();
    diesel::update(bookings::table.find(booking))
        .set((
            bookings::manager_status.eq(status),
            bookings::manager_token_hash.eq(tokens::digest(&token)),
            bookings::manager_token_expires_at.eq(expires),
            bookings::place_held_until.eq(held_until),
        ))
        .execute(conn)?;
    Ok(token)
}

/// A new link for a reminder: the one sent before stops working.
fn new_link(conn: &mut DbConn, booking: BookingId) -> QueryResult<String> {
    let token = tokens::new_token();
    diesel::update(bookings::table.find(booking))
        .set((
            bookings::manager_token_hash.eq(tokens::digest(&token)),
            bookings::manager_reminders.eq(bookings::manager_reminders + 1),
        ))
        .execute(conn)?;
    Ok(token)
}

/// A run changed to `notify`: places held for an answer now stand.
pub(super) fn stop_holding(conn: &mut DbConn, run: CourseRunId) -> QueryResult<usize> {
    diesel::update(
        bookings::table
            .filter(bookings::run_id.eq(run))
            .filter(bookings::manager_status.eq(ManagerStatus::Awaiting)),
    )
    .set((
        bookings::manager_status.eq(ManagerStatus::Informed),
        bookings::place_held_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
}

/// A waiting-list place became a real one: in `confirm` mode it is held for the manager
/// from now.
pub(super) fn hold_promoted(
    conn: &mut DbConn,
    booking: BookingId,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        bookings::table
            .find(booking)
            .filter(bookings::manager_status.eq(ManagerStatus::Awaiting)),
    )
    .set(bookings::place_held_until.eq(now + Duration::days(MANAGER_HOLD_DAYS)))
    .execute(conn)
}

/// What the manager's page shows: whose booking, on what, and where it stands.
#[derive(Debug, Clone, Queryable)]
pub struct Request {
    pub booking: BookingId,
    pub member: MemberId,
    pub participant: String,
    pub role: Role,
    pub borough: Borough,
    pub organisation: String,
    pub manager_name: String,
    pub run: CourseRunId,
    pub placed: BookingStatus,
    pub status: ManagerStatus,
    pub held_until: Option<NaiveDateTime>,
    /// The link dies at the first session.
    pub expires: Option<NaiveDateTime>,
}

/// The booking a manager's link points to; `NotFound` for a link that never existed or
/// was replaced (a reminder sends a new one, and erasure forgets it).
pub fn request(conn: &mut DbConn, token: &str) -> Result<Request, RuleError> {
    bookings::table
        .inner_join(members::table.on(members::id.eq(bookings::member_id)))
        .filter(bookings::manager_token_hash.eq(tokens::digest(token)))
        .select((
            bookings::id,
            members::id,
            members::display_name,
            members::role,
            members::borough,
            members::organisation,
            bookings::manager_name,
            bookings::run_id,
            bookings::status,
            bookings::manager_status,
            bookings::place_held_until,
            bookings::manager_token_expires_at,
        ))
        .first(conn)
        .optional()?
        .ok_or(RuleError::NotFound)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Confirm,
    Decline,
}

impl Request {
    /// The link can no longer take an answer: answered, expired, or the booking ended.
    pub fn closed(&self, now: NaiveDateTime) -> bool {
        !self.status.open()
            || self.placed == BookingStatus::Cancelled
            || self.expires.is_none_or(|expires| expires <= now)
    }

    /// Why the link takes no answer, in words, when it does not.
    pub fn closed_because(&self, now: NaiveDateTime) -> Option<&'static str> {
        if !self.closed(now) {
            return None;
        }
        Some(match self.status {
            ManagerStatus::Confirmed => "You have confirmed this booking.",
            ManagerStatus::Declined => "You have declined this booking: it is cancelled.",
            ManagerStatus::Lapsed => {
                "The place was not confirmed within 7 days, so it has gone to the next person on the waiting list."
            }
            _ if self.placed == BookingStatus::Cancelled => "The booking has been cancelled.",
            _ => "This link has expired: the course has started.",
        })
    }
}

impl Answer {
    pub fn parse(input: &str) -> Result<Self, String> {
        match input.trim() {
            "confirm" => Ok(Answer::Confirm),
            "decline" => Ok(Answer::Decline),
            _ => Err("Choose whether you confirm or decline the booking".into()),
        }
    }
}

/// What a manager's answer did.
#[derive(Debug, Clone)]
pub struct Answered {
    pub request: Request,
    pub answer: Answer,
    /// Who moved up into a place the manager declined.
    pub promoted: Vec<MemberId>,
}

/// The manager confirms or declines. The link takes one answer; afterwards it shows where
/// the booking stands.
/// A decline gives up the place (the next in line takes it) or the waiting-list spot.
pub fn answer(
    tx: &mut WriteConn,
    token: &str,
    answer: Answer,
    now: NaiveDateTime,
) -> Result<Answered, RuleError> {
    let found = request(tx, token)?;
    tx.serialize_on(&format!("course-run:{}", found.run))?;
    // Read again under the run's turn: a sweep or a cancellation may have come first.
    let request = request(tx, token)?;
    if request.closed(now) {
        return Err(RuleError::Conflict(
            "This link has already been used, or the booking has ended.".into(),
        ));
    }
    let status = match answer {
        Answer::Confirm => ManagerStatus::Confirmed,
        Answer::Decline => ManagerStatus::Declined,
    };
    diesel::update(bookings::table.find(request.booking))
        .set((
            bookings::manager_status.eq(status),
            bookings::manager_decided_at.eq(now),
            bookings::place_held_until.eq(None::<NaiveDateTime>),
        ))
        .execute(&mut **tx)?;
    let promoted = match answer {
        Answer::Confirm => Vec::new(),
        Answer::Decline => release(tx, &request, now)?,
    };
    let run = runs::find(tx, request.run)?;
    audit::record(
        tx,
        &Entry {
            actor: None,
            action: match answer {
                Answer::Confirm => "booking confirmed by manager",
                Answer::Decline => "booking declined by manager",
            },
            target_member: Some(request.member),
            subject: &run.title,
            reason: "",
        },
        now,
    )?;
    Ok(Answered {
        request,
        answer,
        promoted,
    })
}

/// Gives up the booking's place (or waiting-list spot); returns who moved up.
fn release(conn: &mut DbConn, request: &Request, now: NaiveDateTime) -> QueryResult<Vec<MemberId>> {
    diesel::update(bookings::table.find(request.booking))
        .set((
            bookings::status.eq(BookingStatus::Cancelled),
            bookings::seat.eq(None::<i32>),
            bookings::changed_at.eq(now),
        ))
        .execute(conn)?;
    if request.placed == BookingStatus::Booked {
        places::fill_from_waiting_list(conn, request.run, now)
    } else {
        Ok(Vec::new())
    }
}

/// A place held for a manager's answer, as the sweep finds it.
#[derive(Debug, Clone)]
pub struct Held {
    pub booking: BookingId,
    pub member: MemberId,
    pub run: CourseRunId,
    pub manager_name: String,
    pub manager_email: String,
    pub held_until: NaiveDateTime,
}

/// What the sweep did.
#[derive(Debug, Default)]
pub struct Swept {
    /// Reminders to send: the held place and the new link.
    pub reminders: Vec<(Held, String)>,
    /// Places released, each with who moved up into it.
    pub lapsed: Vec<(Held, Vec<MemberId>)>,
}

/// Reminders at four days and one day before a held place lapses; at its end, the place
/// goes to the waiting list. Every step happens once: reminders are counted, and a lapsed
/// place is no longer held.
pub fn sweep(tx: &mut WriteConn, now: NaiveDateTime) -> QueryResult<Swept> {
    let held: Vec<(
        BookingId,
        MemberId,
        CourseRunId,
        String,
        String,
        NaiveDateTime,
        i32,
    )> = bookings::table
        .filter(bookings::manager_status.eq(ManagerStatus::Awaiting))
        .filter(bookings::status.eq(BookingStatus::Booked))
        .filter(bookings::place_held_until.le(now + Duration::days(4)))
        .select((
            bookings::id,
            bookings::member_id,
            bookings::run_id,
            bookings::manager_name,
            bookings::manager_email,
            bookings::place_held_until.assume_not_null(),
            bookings::manager_reminders,
        ))
        .load(&mut **tx)?;
    let mut swept = Swept::default();
    for (booking, member, run, manager_name, manager_email, held_until, reminded) in held {
        let place = Held {
            booking,
            member,
            run,
            manager_name,
            manager_email,
            held_until,
        };
        if held_until <= now {
            tx.serialize_on(&format!("course-run:{run}"))?;
            // Only if still held: the manager may have answered meanwhile.
            let released = diesel::update(
                bookings::table
                    .find(booking)
                    .filter(bookings::manager_status.eq(ManagerStatus::Awaiting))
                    .filter(bookings::status.eq(BookingStatus::Booked)),
            )
            .set((
                bookings::manager_status.eq(ManagerStatus::Lapsed),
                bookings::place_held_until.eq(None::<NaiveDateTime>),
                bookings::status.eq(BookingStatus::Cancelled),
                bookings::seat.eq(None::<i32>),
                bookings::changed_at.eq(now),
            ))
            .execute(&mut **tx)?;
            if released == 1 {
                let promoted = places::fill_from_waiting_list(tx, run, now)?;
                swept.lapsed.push((place, promoted));
            }
        } else {
            let due = match reminded {
                0 => true,
                1 => held_until <= now + Duration::days(1),
                _ => false,
            };
            if due {
                let token = new_link(tx, booking)?;
                swept.reminders.push((place, token));
            }
        }
    }
    Ok(swept)
}

/// The manager's answer on the member's booking for a run, for their course page.
pub fn of_booking(
    conn: &mut DbConn,
    member: MemberId,
    run: CourseRunId,
) -> QueryResult<Option<(ManagerStatus, Option<NaiveDateTime>)>> {
    bookings::table
        .filter(bookings::member_id.eq(member))
        .filter(bookings::run_id.eq(run))
        .filter(bookings::status.eq_any(BookingStatus::LIVE))
        .select((bookings::manager_status, bookings::place_held_until))
        .first(conn)
        .optional()
}
