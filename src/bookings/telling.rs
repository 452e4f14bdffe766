//! Booking changes with what they tell the people they touch. Each rule here makes the
//! change and queues its letters (with the same news on each member's notifications page)
//! in the one write transaction it is given, so that a booking and its letter commit
//! together or not at all.

use chrono::NaiveDateTime;
use diesel::QueryResult;

use super::catalogue::{self, RunSummary};
use super::letters::{self, Recipient};
use super::places::{self, ManagerAgreement, Place};
use super::runs::{self, RunChange};
use super::values::BookInReason;
use crate::accounts::members::{self, Viewer};
use crate::accounts::Email;
use crate::db::{CourseRunId, DbConn, MemberId, WriteConn};
use crate::mail::Letter;
use crate::notifications::{events, outbox};
use crate::rules::RuleError;

/// Who letters go to, by id: their names and addresses, in the order given.
fn recipients(conn: &mut DbConn, people: &[MemberId]) -> QueryResult<Vec<Recipient>> {
    people
        .iter()
        .map(|id| {
            let member = members::find(conn, *id)?;
            Ok(Recipient {
                member: member.id,
                name: member.display_name,
                address: member.email,
            })
        })
        .collect()
}

/// Queues a letter for each of `people`, written by `write` from the run as it now is.
fn tell(
    tx: &mut WriteConn,
    run: CourseRunId,
    people: &[MemberId],
    now: NaiveDateTime,
    write: impl Fn(&Recipient, &RunSummary) -> Letter,
) -> QueryResult<usize> {
    let summary = catalogue::one(tx, run)?;
    let told = recipients(tx, people)?;
    for to in &told {
        let letter = write(to, &summary);
        outbox::enqueue(tx, Some(to.member), &letter, now)?;
        events::booking_news(tx, to.member, run, &letter.subject, "", now)?;
    }
    Ok(told.len())
}

/// A member books a place (or a facilitator books one in for them) and is told which they
/// have: a place, or a position on the waiting list.
#[allow(clippy::too_many_arguments)]
pub fn book(
    tx: &mut WriteConn,
    actor: &Viewer,
    member: MemberId,
    run: CourseRunId,
    agreement: &ManagerAgreement,
    override_reason: Option<&str>,
    base_url: &str,
    now: NaiveDateTime,
) -> Result<Place, RuleError> {
    let place = places::book(tx, actor, member, run, agreement, override_reason, now)?;
    tell(tx, run, &[member], now, |to, summary| match place {
        Place::Booked => letters::booked(to, summary, base_url),
        Place::Waiting(position) => letters::waiting(to, summary, position, base_url),
    })?;
    Ok(place)
}

/// A facilitator books a member in by their address, with a reason (their manager's
/// agreement taken as read); the member is told. Returns the member's name.
pub fn book_in(
    tx: &mut WriteConn,
    facilitator: &Viewer,
    email: &Email,
    run: CourseRunId,
    reason: &BookInReason,
    base_url: &str,
    now: NaiveDateTime,
) -> Result<String, RuleError> {
    let Some(member) = members::find_by_email(tx, email)? else {
        return Err(RuleError::Invalid(
            "email",
            "No member has that email address".into(),
        ));
    };
    let agreement = ManagerAgreement {
        agreed: true,
        ..ManagerAgreement::default()
    };
    let reason = Some(reason.as_str());
    book(
        tx,
        facilitator,
        member.id,
        run,
        &agreement,
        reason,
        base_url,
        now,
    )?;
    Ok(member.display_name)
}

/// A member gives up their place: they are told, and so is whoever moves up into it.
pub fn cancel(
    tx: &mut WriteConn,
    member: &Viewer,
    run: CourseRunId,
    base_url: &str,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    let cancelled = places::cancel(tx, member, run, now)?;
    tell(tx, run, &[member.id], now, |to, summary| {
        letters::cancelled_by_member(to, summary, base_url)
    })?;
    tell(
        tx,
        run,
        cancelled.promoted.as_slice(),
        now,
        |to, summary| letters::promoted(to, summary, base_url),
    )?;
    Ok(())
}

/// An admin changes a run: those moved up by new places are told, and those with a place
/// hear of a new title or meeting link (the link is for them only).
pub fn update_run(
    tx: &mut WriteConn,
    actor: &Viewer,
    run: CourseRunId,
    change: &RunChange,
    base_url: &str,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    let before = catalogue::one(tx, run)?.run;
    let promoted = runs::update(tx, actor, run, change, now)?;
    let after = catalogue::one(tx, run)?.run;
    tell(tx, run, &promoted, now, |to, summary| {
        letters::promoted(to, summary, base_url)
    })?;
    if before.title != after.title || before.meeting_url != after.meeting_url {
        let booked: Vec<MemberId> = places::booked_on(tx, run)?
            .into_iter()
            .filter(|member| !promoted.contains(member))
            .collect();
        tell(tx, run, &booked, now, |to, summary| {
            letters::details_changed(to, summary, base_url)
        })?;
    }
    Ok(())
}

/// An admin cancels a run: everyone booked or waiting is told why. Returns how many.
pub fn cancel_run(
    tx: &mut WriteConn,
    actor: &Viewer,
    run: CourseRunId,
    reason: &str,
    base_url: &str,
    now: NaiveDateTime,
) -> Result<usize, RuleError> {
    let affected = runs::cancel_run(tx, actor, run, reason, now)?;
    Ok(tell(tx, run, &affected, now, |to, summary| {
        letters::run_cancelled(to, summary, reason.trim(), base_url)
    })?)
}

/// An admin moves one session: everyone booked or waiting is told. Returns how many.
#[allow(clippy::too_many_arguments)]
pub fn move_session(
    tx: &mut WriteConn,
    actor: &Viewer,
    run: CourseRunId,
    number: i32,
    start: NaiveDateTime,
    minutes: i32,
    base_url: &str,
    now: NaiveDateTime,
) -> Result<usize, RuleError> {
    runs::move_session(tx, actor, run, number, start, minutes, now)?;
    let people = places::people_on(tx, run)?;
    Ok(tell(tx, run, &people, now, |to, summary| {
        letters::session_moved(to, summary, number, base_url)
    })?)
}

/// A member's account is erased: a place on a course that has not started is given up (and
/// whoever moves up into it is told); on one that has started or ended, the booking stays
/// for the roster and its attendance, without the manager's details.
pub fn member_erased(
    tx: &mut WriteConn,
    member: &Viewer,
    base_url: &str,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    if let Some(run) = places::upcoming_run_of(tx, member.id, now)? {
        let cancelled = places::cancel(tx, member, run, now)?;
        tell(
            tx,
            run,
            cancelled.promoted.as_slice(),
            now,
            |to, summary| letters::promoted(to, summary, base_url),
        )?;
    }
    places::forget_managers(tx, member.id)?;
    Ok(())
}
