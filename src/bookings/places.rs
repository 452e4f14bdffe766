//! Places on a run: booking, the waiting list, cancelling and promotion. Every rule here
//! runs in a write transaction that takes the run's turn first, so counts and inserts
//! cannot interleave; a unique seat per run and one live booking per member are the
//! database's own last guards.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::runs::{self, CourseRun};
use super::values::{BookingStatus, Manager};
use crate::accounts::members::{self, Viewer};
use crate::audit::{self, Entry};
use crate::db::{BookingId, CourseRunId, DbConn, MemberId, WriteConn};
use crate::rules::RuleError;
use crate::schema::bookings;

/// The participant's word that their manager agreed the time, and who the manager is
/// (none when a facilitator books someone in: the agreement is taken as read).
#[derive(Debug, Clone, Default)]
pub struct ManagerAgreement {
    pub agreed: bool,
    pub manager: Option<Manager>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Booked,
    /// Position on the waiting list, from 1.
    Waiting(i64),
}

impl Place {
    /// What the member is told on the page when they have booked.
    pub fn news(self) -> String {
        match self {
            Place::Booked => {
                "You are booked. We have emailed you the details and a calendar file.".to_owned()
            }
            Place::Waiting(position) => {
                format!("The run is full: you are number {position} on the waiting list.")
            }
        }
    }
}

fn take_turn(conn: &mut WriteConn, run: CourseRunId, member: MemberId) -> QueryResult<()> {
    // Always in this order, so two transactions never wait on each other in a circle.
    conn.serialize_on(&format!("course-run:{run}"))?;
    conn.serialize_on(&format!("member-bookings:{member}"))
}

/// Whether the run takes bookings now.
fn check_open(conn: &mut DbConn, run: &CourseRun, now: NaiveDateTime) -> Result<(), RuleError> {
    if run.cancelled_at.is_some() {
        return Err(RuleError::Conflict("This run has been cancelled.".into()));
    }
    if !run.booking_open {
        return Err(RuleError::Conflict(
            "Booking for this run is closed.".into(),
        ));
    }
    if runs::first_session_start(conn, run.id)?.is_some_and(|start| start <= now) {
        return Err(RuleError::Conflict("This run has already started.".into()));
    }
    Ok(())
}

fn live_booking(
    conn: &mut DbConn,
    member: MemberId,
) -> QueryResult<Option<(BookingId, CourseRunId, BookingStatus)>> {
    bookings::table
        .filter(bookings::member_id.eq(member))
        .filter(bookings::status.eq_any(BookingStatus::LIVE))
        .select((bookings::id, bookings::run_id, bookings::status))
        .first(conn)
        .optional()
}

/// The lowest seat number not held on this run, if any is free.
fn free_seat(conn: &mut DbConn, run: &CourseRun) -> QueryResult<Option<i32>> {
    let taken: Vec<Option<i32>> = bookings::table
        .filter(bookings::run_id.eq(run.id))
        .filter(bookings::status.eq(BookingStatus::Booked))
        .select(bookings::seat)
        .load(conn)?;
    Ok((1..=run.capacity).find(|seat| !taken.contains(&Some(*seat))))
}

pub fn waiting_position(
    conn: &mut DbConn,
    run: CourseRunId,
    booking: BookingId,
) -> QueryResult<i64> {
    let (queued_at, id): (NaiveDateTime, BookingId) = bookings::table
        .find(booking)
        .select((bookings::queued_at, bookings::id))
        .first(conn)?;
    let ahead: i64 = bookings::table
        .filter(bookings::run_id.eq(run))
        .filter(bookings::status.eq(BookingStatus::Waiting))
        .filter(
            bookings::queued_at
                .lt(queued_at)
                .or(bookings::queued_at.eq(queued_at).and(bookings::id.lt(id))),
        )
        .count()
        .get_result(conn)?;
    Ok(ahead + 1)
}

/// A member books a place for themselves, or a facilitator books one in for someone from
/// outside the run's boroughs (with a reason). Full: they join the waiting list. Returns
/// the place and, for a member's own booking, the link for their manager's answer.
pub fn book(
    conn: &mut WriteConn,
    actor: &Viewer,
    member: MemberId,
    run_id: CourseRunId,
    agreement: &ManagerAgreement,
    override_reason: Option<&str>,
    now: NaiveDateTime,
) -> Result<(Place, Option<String>), RuleError> {
    let for_someone_else = actor.id != member;
    if (for_someone_else || override_reason.is_some()) && !runs::facilitates(conn, actor, run_id)? {
        return Err(RuleError::Forbidden(
            "Only this course's facilitators (and admins) book places for others.".into(),
        ));
    }
    if !agreement.agreed {
        return Err(RuleError::Invalid(
            "manager_agreed",
            "Confirm you have agreed the time for all the sessions with your manager".into(),
        ));
    }
    if agreement.manager.is_none() && !for_someone_else {
        return Err(RuleError::Invalid(
            "manager_email",
            "Enter your manager's name and work email address: we send them the booking to confirm"
                .into(),
        ));
    }
    take_turn(conn, run_id, member)?;
    let run = runs::find(conn, run_id)?;
    check_open(conn, &run, now)?;
    let participant = members::find(conn, member)?;
    let boroughs = runs::boroughs(conn, run_id)?;
    let outside = !boroughs.contains(&participant.borough);
    let override_reason = override_reason.map(str::trim).filter(|r| !r.is_empty());
    if outside && override_reason.is_none() {
        return Err(RuleError::Forbidden(format!(
            "This run is for people working in {}. Book the run for {}, or ask a facilitator.",
            boroughs
                .iter()
                .map(|b| b.label())
                .collect::<Vec<_>>()
                .join(", "),
            participant.borough.label()
        )));
    }
    if let Some((_, other_run, status)) = live_booking(conn, member)? {
        let message = if other_run == run_id {
            if status == BookingStatus::Booked {
                "You already have a place on this run."
            } else {
                "You are already on this run's waiting list."
            }
        } else {
            "Participants attend one course only: cancel your other booking first."
        };
        return Err(RuleError::Conflict(message.into()));
    }
    let seat = free_seat(conn, &run)?;
    let status = if seat.is_some() {
        BookingStatus::Booked
    } else {
        BookingStatus::Waiting
    };
    let booking: BookingId = diesel::insert_into(bookings::table)
        .values((
            bookings::run_id.eq(run_id),
            bookings::member_id.eq(member),
            bookings::status.eq(status),
            bookings::seat.eq(seat),
            bookings::manager_agreed.eq(true),
            bookings::manager_name.eq(agreement.manager.as_ref().map_or("", |m| m.name.as_str())),
            bookings::manager_email.eq(agreement.manager.as_ref().map_or("", |m| m.email.as_str())),
            bookings::override_reason.eq(if outside { override_reason } else { None }),
            bookings::booked_by.eq(for_someone_else.then_some(actor.id)),
            bookings::created_at.eq(now),
            bookings::queued_at.eq(now),
            bookings::changed_at.eq(now),
        ))
        .returning(bookings::id)
        .get_result(&mut **conn)?;
    let place = match seat {
        Some(_) => Place::Booked,
        None => Place::Waiting(waiting_position(conn, run_id, booking)?),
    };
    let manager_link = match agreement.manager {
        Some(_) => Some(super::managers::ask(conn, booking, &run, now)?),
        None => None,
    };
    if for_someone_else {
        let outcome = match place {
            Place::Booked => "booked".to_owned(),
            Place::Waiting(position) => format!("waiting list, position {position}"),
        };
        audit::record(
            conn,
            &Entry {
                actor: Some(actor.id),
                action: "booked in by a facilitator",
                target_member: Some(member),
                subject: &format!("{}: {outcome}", run.title),
                reason: override_reason.unwrap_or(""),
            },
            now,
        )?;
    }
    Ok((place, manager_link))
}

/// What a cancellation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cancelled {
    /// The member who moved up from the waiting list into the freed place.
    pub promoted: Option<MemberId>,
    /// A place given up within 48 hours of the first session: the facilitators are told.
    pub late: bool,
}

/// A place given up this close to the start is flagged to the run's facilitators.
pub const LATE_CANCELLATION_HOURS: i64 = 48;

/// A member gives up their place (or leaves the waiting list) before the first session,
/// saying why if they like; the first in line takes a freed place.
pub fn cancel(
    conn: &mut WriteConn,
    member: &Viewer,
    run_id: CourseRunId,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> Result<Cancelled, RuleError> {
    take_turn(conn, run_id, member.id)?;
    let run = runs::find(conn, run_id)?;
    let Some((booking, booked_run, status)) = live_booking(conn, member.id)? else {
        return Err(RuleError::Conflict(
            "You have no booking on this run.".into(),
        ));
    };
    if booked_run != run_id {
        return Err(RuleError::Conflict(
            "You have no booking on this run.".into(),
        ));
    }
    let first_start = runs::first_session_start(conn, run_id)?;
    if first_start.is_some_and(|start| start <= now) {
        return Err(RuleError::Conflict(
            "The course has started: speak to a facilitator.".into(),
        ));
    }
    let late = status == BookingStatus::Booked
        && first_start
            .is_some_and(|start| start - now < chrono::Duration::hours(LATE_CANCELLATION_HOURS));
    diesel::update(bookings::table.find(booking))
        .set((
            bookings::status.eq(BookingStatus::Cancelled),
            bookings::seat.eq(None::<i32>),
            bookings::changed_at.eq(now),
            bookings::cancel_reason.eq(reason),
            bookings::cancelled_late.eq(late),
            bookings::place_held_until.eq(None::<NaiveDateTime>),
        ))
        .execute(&mut **conn)?;
    let promoted = if status == BookingStatus::Booked && run.cancelled_at.is_none() {
        fill_from_waiting_list(conn, run_id, now)?
            .into_iter()
            .next()
    } else {
        None
    };
    Ok(Cancelled { promoted, late })
}

/// The run of the member's live booking (a place or the waiting list), when its first
/// session is still ahead.
pub fn upcoming_run_of(
    conn: &mut DbConn,
    member: MemberId,
    now: NaiveDateTime,
) -> QueryResult<Option<CourseRunId>> {
    let Some((_, run, _)) = live_booking(conn, member)? else {
        return Ok(None);
    };
    let started = runs::first_session_start(conn, run)?.is_some_and(|start| start <= now);
    Ok((!started).then_some(run))
}

/// Takes the manager's name and address, and any booking-in reason, off a member's
/// bookings: what stays is that they had a place, and their attendance.
pub fn forget_managers(conn: &mut DbConn, member: MemberId) -> QueryResult<usize> {
    diesel::update(bookings::table.filter(bookings::member_id.eq(member)))
        .set((
            bookings::manager_name.eq(""),
            bookings::manager_email.eq(""),
            bookings::override_reason.eq(None::<String>),
            bookings::cancel_reason.eq(None::<String>),
            bookings::manager_token_hash.eq(None::<String>),
        ))
        .execute(conn)
}

/// Gives free places to the waiting list, first in line first; returns who moved up.
/// Callers hold the run's turn.
pub fn fill_from_waiting_list(
    conn: &mut DbConn,
    run_id: CourseRunId,
    now: NaiveDateTime,
) -> QueryResult<Vec<MemberId>> {
    let run = runs::find(conn, run_id)?;
    let mut promoted = Vec::new();
    while let Some(seat) = free_seat(conn, &run)? {
        let next: Option<(BookingId, MemberId)> = bookings::table
            .filter(bookings::run_id.eq(run_id))
            .filter(bookings::status.eq(BookingStatus::Waiting))
            .order((bookings::queued_at.asc(), bookings::id.asc()))
            .select((bookings::id, bookings::member_id))
            .first(conn)
            .optional()?;
        let Some((booking, member)) = next else { break };
        diesel::update(bookings::table.find(booking))
            .set((
                bookings::status.eq(BookingStatus::Booked),
                bookings::seat.eq(Some(seat)),
                bookings::changed_at.eq(now),
            ))
            .execute(conn)?;
        super::managers::hold_promoted(conn, booking, now)?;
        promoted.push(member);
    }
    Ok(promoted)
}

/// (booked, waiting) on a run.
pub fn counts(conn: &mut DbConn, run: CourseRunId) -> QueryResult<(i64, i64)> {
    let rows: Vec<(BookingStatus, i64)> = bookings::table
        .filter(bookings::run_id.eq(run))
        .filter(bookings::status.eq_any(BookingStatus::LIVE))
        .group_by(bookings::status)
        .select((bookings::status, diesel::dsl::count_star()))
        .load(conn)?;
    let of = |wanted: BookingStatus| {
        rows.iter()
            .find(|(s, _)| *s == wanted)
            .map_or(0, |(_, n)| *n)
    };
    Ok((of(BookingStatus::Booked), of(BookingStatus::Waiting)))
}

/// Everyone booked or waiting on a run: those to tell when it changes.
pub fn people_on(conn: &mut DbConn, run: CourseRunId) -> QueryResult<Vec<MemberId>> {
    bookings::table
        .filter(bookings::run_id.eq(run))
        .filter(bookings::status.eq_any(BookingStatus::LIVE))
        .order(bookings::id.asc())
        .select(bookings::member_id)
        .load(conn)
}

/// Everyone holding a place on a run (not those waiting).
pub fn booked_on(conn: &mut DbConn, run: CourseRunId) -> QueryResult<Vec<MemberId>> {
    bookings::table
        .filter(bookings::run_id.eq(run))
        .filter(bookings::status.eq(BookingStatus::Booked))
        .order(bookings::id.asc())
        .select(bookings::member_id)
        .load(conn)
}
