//! Booking changes with what they tell the people they touch. Each rule here makes the
//! change and queues its letters (with the same news on each member's notifications page)
//! in the one write transaction it is given, so that a booking and its letter commit
//! together or not at all.

use chrono::NaiveDateTime;
use diesel::QueryResult;

use super::catalogue::{self, RunSummary};
use super::letters::{self, Recipient};
use super::managers::{self, Answer, Answered};
use super::places::{self, ManagerAgreement, Place};
use super::runs::{self, RunChange};
use super::values::BookInReason;
use crate::accounts::members::{self, Viewer};
use crate::accounts::Email;
use crate::db::{CourseRunId, DbConn, MemberId, WriteConn};
use crate::mail::Letter;
use crate::notifications::{events, outbox};
use crate::rules::RuleError;
use crate::web::layout::london_time;

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
/// have: a place, or a position on the waiting list. Their manager, when named, is sent the
/// booking to confirm or decline.
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
    let (place, manager_link) =
        places::book(tx, actor, member, run, agreement, override_reason, now)?;
    let held_until = managers::of_booking(tx, member, run)?.and_then(|(_, until)| until);
    let manager = agreement.manager.as_ref();
    tell(tx, run, &[member], now, |to, summary| {
        let mut letter = match place {
            Place::Booked => letters::booked(to, summary, base_url),
            Place::Waiting(position) => letters::waiting(to, summary, position, base_url),
        };
        if let Some(manager) = manager {
            let note = match held_until {
                Some(until) => format!(
                    "Your place is held until {} (London time) while your manager, {}, confirms it: we have\n\
                     emailed them. If they have not confirmed by then, the place goes to the waiting list.\n\n",
                    london_time(until),
                    manager.name
                ),
                None => format!(
                    "We have emailed your manager, {}, the details of the booking.\n\n",
                    manager.name
                ),
            };
            letter.text = letter.text.replacen("\n\n", &format!("\n\n{note}"), 1);
        }
        letter
    })?;
    if let (Some(manager), Some(token)) = (manager, manager_link) {
        let summary = catalogue::one(tx, run)?;
        let participant = members::find(tx, member)?.display_name;
        let address = letters::ManagerAddress {
            name: &manager.name,
            address: manager.email.as_str(),
        };
        let link = format!("{base_url}/manager/{token}");
        let letter =
            letters::to_manager(&address, &participant, &summary, held_until, &link, false);
        outbox::enqueue(tx, None, &letter, now)?;
    }
    Ok(place)
}

/// A manager answers by their link: the participant hears, and so does whoever moves up
/// into a place the manager declined.
pub fn answer_as_manager(
    tx: &mut WriteConn,
    token: &str,
    answer: Answer,
    base_url: &str,
    now: NaiveDateTime,
) -> Result<Answered, RuleError> {
    let answered = managers::answer(tx, token, answer, now)?;
    let run = answered.request.run;
    tell(tx, run, &[answered.request.member], now, |to, summary| {
        letters::manager_answered(to, summary, answer == Answer::Confirm, base_url)
    })?;
    tell(tx, run, &answered.promoted, now, |to, summary| {
        letters::promoted(to, summary, base_url)
    })?;
    Ok(answered)
}

/// The managers' round: reminders for places held for an answer, and places released when
/// none came in time (their participants told, and whoever moves up). Returns how many
/// letters it queued.
pub fn sweep_managers(conn: &mut DbConn, base_url: &str, now: NaiveDateTime) -> QueryResult<usize> {
    conn.write_transaction(|tx| {
        let swept = managers::sweep(tx, now)?;
        let mut letters_queued = 0;
        for (held, token) in &swept.reminders {
            let summary = catalogue::one(tx, held.run)?;
            let participant = members::find(tx, held.member)?.display_name;
            let address = letters::ManagerAddress {
                name: &held.manager_name,
                address: &held.manager_email,
            };
            let link = format!("{base_url}/manager/{token}");
            let letter = letters::to_manager(
                &address,
                &participant,
                &summary,
                Some(held.held_until),
                &link,
                true,
            );
            outbox::enqueue(tx, None, &letter, now)?;
            letters_queued += 1;
        }
        for (held, promoted) in &swept.lapsed {
            letters_queued += tell(tx, held.run, &[held.member], now, |to, summary| {
                letters::place_lapsed(to, summary, base_url)
            })?;
            letters_queued += tell(tx, held.run, promoted, now, |to, summary| {
                letters::promoted(to, summary, base_url)
            })?;
        }
        Ok(letters_queued)
    })
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

/// A member gives up their place, saying why if they like: they are told, and so is
/// whoever moves up into it; a place given up in the last 48 hours before the first session
/// is flagged to the run's facilitators.
pub fn cancel(
    tx: &mut WriteConn,
    member: &Viewer,
    run: CourseRunId,
    reason: Option<&str>,
    base_url: &str,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    let cancelled = places::cancel(tx, member, run, reason, now)?;
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
    if cancelled.late {
        let course = runs::find(tx, run)?;
        let facilitators: Vec<MemberId> =
            [course.ot_facilitator_id, course.link_worker_facilitator_id]
                .into_iter()
                .flatten()
                .collect();
        tell(tx, run, &facilitators, now, |to, summary| {
            letters::late_cancellation(to, &member.display_name, reason, summary, base_url)
        })?;
    }
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
        let cancelled = places::cancel(tx, member, run, None, now)?;
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
