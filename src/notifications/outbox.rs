//! Email waits in the `outbox` table until the worker sends it, so that sending never holds
//! up a request and a restart loses nothing.
//!
//! A message is claimed for a while before it is sent and marked sent straight after. If the
//! process dies between the SMTP server taking a message and the mark, the claim lapses and
//! the message goes again with the same Message-ID, which mail clients show once: the only
//! way to send "exactly once" over SMTP that does not lose mail.

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::{DbConn, MemberId, OutboxId};
use crate::mail::{html_from_text, Enclosure, Letter, Mailer};
use crate::schema::outbox;
use crate::shutdown::Stopping;

/// How long a claimed message is left to its worker before another may take it.
const CLAIM: Duration = Duration::from_secs(120);
/// After this many failed attempts a message is given up and shown to admins.
pub const MAX_ATTEMPTS: i32 = 8;
/// The longest wait between two attempts.
const LONGEST_WAIT: Duration = Duration::from_secs(6 * 60 * 60);
const BATCH: i64 = 20;

/// Puts a letter in the outbox (in the caller's transaction). Letters written as plain text
/// get an HTML part made from it.
pub fn enqueue(
    conn: &mut DbConn,
    member: Option<MemberId>,
    letter: &Letter,
    now: NaiveDateTime,
) -> QueryResult<OutboxId> {
    let html = letter
        .html
        .clone()
        .unwrap_or_else(|| html_from_text(&letter.text));
    let message_id = letter
        .message_id
        .clone()
        .unwrap_or_else(|| format!("<{}@spot>", uuid::Uuid::new_v4().simple()));
    let attachment = letter.attachment.as_ref();
    diesel::insert_into(outbox::table)
        .values((
            outbox::member_id.eq(member),
            outbox::to_name.eq(&letter.to_name),
            outbox::to_address.eq(&letter.to_address),
            outbox::subject.eq(&letter.subject),
            outbox::text_body.eq(&letter.text),
            outbox::html_body.eq(Some(html)),
            outbox::unsubscribe_url.eq(&letter.unsubscribe_url),
            outbox::attachment_name.eq(attachment.map(|a| a.filename.clone())),
            outbox::attachment_type.eq(attachment.map(|a| a.content_type.clone())),
            outbox::attachment_body.eq(attachment.map(|a| a.body.clone())),
            outbox::message_id.eq(message_id),
            outbox::created_at.eq(now),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(now),
            outbox::reply_to.eq(&letter.reply_to),
        ))
        .returning(outbox::id)
        .get_result(conn)
}

type Stored = (
    OutboxId,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<Vec<u8>>,
    String,
    i32,
    Option<String>,
);

fn letter_of(row: Stored) -> (OutboxId, i32, Letter) {
    let (
        id,
        to_name,
        to_address,
        subject,
        text,
        html,
        unsubscribe_url,
        name,
        kind,
        body,
        message_id,
        attempts,
        reply_to,
    ) = row;
    let attachment = match (name, kind, body) {
        (Some(filename), Some(content_type), Some(body)) => Some(Enclosure {
            filename,
            content_type,
            body,
        }),
        _ => None,
    };
    (
        id,
        attempts,
        Letter {
            to_name,
            to_address,
            subject,
            text,
            html,
            unsubscribe_url,
            message_id: Some(message_id),
            attachment,
            reply_to,
        },
    )
}

fn later(now: NaiveDateTime, wait: Duration) -> NaiveDateTime {
    now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(6))
}

/// The wait after `attempts` failures: `base`, then doubling, up to six hours.
pub fn backoff(base: Duration, attempts: i32) -> Duration {
    let doublings = attempts.saturating_sub(1).clamp(0, 20) as u32;
    base.saturating_mul(2u32.saturating_pow(doublings))
        .min(LONGEST_WAIT)
}

/// Takes a batch of due messages for this worker: no other worker will send them while the
/// claim lasts.
fn claim(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Vec<(OutboxId, i32, Letter)>> {
    conn.write_transaction(|tx| {
        tx.serialize_on("outbox")?;
        let conn: &mut DbConn = tx;
        let due: Vec<OutboxId> = outbox::table
            .filter(outbox::sent_at.is_null())
            .filter(outbox::failed_at.is_null())
            .filter(outbox::next_attempt_at.le(now))
            .filter(
                outbox::claimed_until
                    .is_null()
                    .or(outbox::claimed_until.lt(now)),
            )
            .order(outbox::next_attempt_at.asc())
            .limit(BATCH)
            .select(outbox::id)
            .load(conn)?;
        if due.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(outbox::table.filter(outbox::id.eq_any(&due)))
            .set(outbox::claimed_until.eq(later(now, CLAIM)))
            .execute(conn)?;
        let rows: Vec<Stored> = outbox::table
            .filter(outbox::id.eq_any(&due))
            .order(outbox::next_attempt_at.asc())
            .select((
                outbox::id,
                outbox::to_name,
                outbox::to_address,
                outbox::subject,
                outbox::text_body,
                outbox::html_body,
                outbox::unsubscribe_url,
                outbox::attachment_name,
                outbox::attachment_type,
                outbox::attachment_body,
                outbox::message_id,
                outbox::attempts,
                outbox::reply_to,
            ))
            .load(conn)?;
        Ok(rows.into_iter().map(letter_of).collect())
    })
}

/// What one round of sending did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    pub sent: usize,
    pub failed: usize,
}

/// Sends every message that is due, batch by batch. A failure waits (`retry_base`, doubling)
/// before the next attempt; the last attempt gives the message up. Once `stopping` is set,
/// the message being sent is finished and marked, and the rest of its batch is let go at
/// once (not left claimed), for the next start or another node.
pub fn deliver_due(
    conn: &mut DbConn,
    mailer: &dyn Mailer,
    retry_base: Duration,
    now: NaiveDateTime,
    stopping: &Stopping,
) -> QueryResult<Sent> {
    let mut round = Sent::default();
    loop {
        if stopping.is_set() {
            return Ok(round);
        }
        let batch = claim(conn, now)?;
        if batch.is_empty() {
            return Ok(round);
        }
        let mut stuck = true;
        let claimed: Vec<OutboxId> = batch.iter().map(|(id, _, _)| *id).collect();
        for (done, (id, attempts, letter)) in batch.into_iter().enumerate() {
            if stopping.is_set() {
                release(conn, &claimed[done..])?;
                return Ok(round);
            }
            // Recorded before the letter goes, so a letter whose worker died mid-send can be
            // told apart (more handovers than finished attempts) when it is sent again.
            diesel::update(outbox::table.find(id))
                .set(outbox::handovers.eq(outbox::handovers + 1))
                .execute(conn)?;
            match mailer.send(&letter) {
                Ok(()) => {
                    stuck = false;
                    round.sent += 1;
                    // A sent letter keeps its envelope (to whom, what, when) but not its
                    // body: bodies carry single-use links and unsubscribe addresses, and
                    // what members wrote, none of which the record needs (nor the address
                    // a contact message's sender gave for replies).
                    diesel::update(outbox::table.find(id))
                        .set((
                            outbox::sent_at.eq(now),
                            outbox::attempts.eq(attempts + 1),
                            outbox::claimed_until.eq(None::<NaiveDateTime>),
                            outbox::last_error.eq(None::<String>),
                            outbox::text_body.eq(""),
                            outbox::html_body.eq(None::<String>),
                            outbox::unsubscribe_url.eq(None::<String>),
                            outbox::attachment_name.eq(None::<String>),
                            outbox::attachment_type.eq(None::<String>),
                            outbox::attachment_body.eq(None::<Vec<u8>>),
                            outbox::reply_to.eq(None::<String>),
                        ))
                        .execute(conn)?;
                }
                Err(error) => {
                    round.failed += 1;
                    let attempts = attempts + 1;
                    let at = now;
                    let message = format!("{error:#}");
                    tracing::warn!(outbox = %id, attempts, error = %message, "email not sent; will retry");
                    let given_up = (attempts >= MAX_ATTEMPTS).then_some(at);
                    diesel::update(outbox::table.find(id))
                        .set((
                            outbox::attempts.eq(attempts),
                            outbox::next_attempt_at.eq(later(at, backoff(retry_base, attempts))),
                            outbox::claimed_until.eq(None::<NaiveDateTime>),
                            outbox::last_error.eq(Some(message)),
                            outbox::failed_at.eq(given_up),
                        ))
                        .execute(conn)?;
                }
            }
        }
        // A server that refuses everything: wait for the next round rather than spin.
        if stuck {
            return Ok(round);
        }
    }
}

/// Lets claimed messages go unsent, for any worker to take at once.
fn release(conn: &mut DbConn, ids: &[OutboxId]) -> QueryResult<usize> {
    diesel::update(
        outbox::table
            .filter(outbox::id.eq_any(ids))
            .filter(outbox::sent_at.is_null()),
    )
    .set(outbox::claimed_until.eq(None::<NaiveDateTime>))
    .execute(conn)
}

/// The letters still to go, for monitoring: neither sent nor given up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Backlog {
    pub waiting: i64,
    /// When the oldest of them was written.
    pub oldest: Option<NaiveDateTime>,
    /// Letters given up after too many failures (until their record is pruned).
    pub given_up: i64,
}

pub fn backlog(conn: &mut DbConn) -> QueryResult<Backlog> {
    use diesel::dsl::{count_star, min};
    let (waiting, oldest) = outbox::table
        .filter(outbox::sent_at.is_null())
        .filter(outbox::failed_at.is_null())
        .select((count_star(), min(outbox::created_at)))
        .first(conn)?;
    let given_up = outbox::table
        .filter(outbox::failed_at.is_not_null())
        .count()
        .get_result(conn)?;
    Ok(Backlog {
        waiting,
        oldest,
        given_up,
    })
}

/// How the outbox stands, for the admin page.
#[derive(Debug, Clone, Default)]
pub struct Standing {
    pub waiting: i64,
    pub sent_last_day: i64,
    pub given_up: Vec<GivenUp>,
}

#[derive(Debug, Clone)]
pub struct GivenUp {
    pub id: OutboxId,
    pub to_address: String,
    pub subject: String,
    pub attempts: i32,
    pub last_error: String,
    pub failed_at: NaiveDateTime,
}

pub fn standing(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Standing> {
    let waiting = outbox::table
        .filter(outbox::sent_at.is_null())
        .filter(outbox::failed_at.is_null())
        .count()
        .get_result(conn)?;
    let sent_last_day = outbox::table
        .filter(outbox::sent_at.ge(now - chrono::Duration::days(1)))
        .count()
        .get_result(conn)?;
    let given_up = outbox::table
        .filter(outbox::failed_at.is_not_null())
        .order(outbox::failed_at.desc())
        .limit(50)
        .select((
            outbox::id,
            outbox::to_address,
            outbox::subject,
            outbox::attempts,
            outbox::last_error,
            outbox::failed_at,
        ))
        .load::<(
            OutboxId,
            String,
            String,
            i32,
            Option<String>,
            Option<NaiveDateTime>,
        )>(conn)?
        .into_iter()
        .map(
            |(id, to_address, subject, attempts, last_error, failed_at)| GivenUp {
                id,
                to_address,
                subject,
                attempts,
                last_error: last_error.unwrap_or_default(),
                failed_at: failed_at.unwrap_or(now),
            },
        )
        .collect();
    Ok(Standing {
        waiting,
        sent_last_day,
        given_up,
    })
}

/// An admin sends a given-up message again (after fixing the mail server, say).
pub fn retry(conn: &mut DbConn, id: OutboxId, now: NaiveDateTime) -> QueryResult<bool> {
    let changed = diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::failed_at.is_not_null()),
    )
    .set((
        outbox::failed_at.eq(None::<NaiveDateTime>),
        outbox::attempts.eq(0),
        outbox::next_attempt_at.eq(now),
    ))
    .execute(conn)?;
    Ok(changed > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_and_stop_growing_at_six_hours() {
        let base = Duration::from_secs(60);
        assert_eq!(backoff(base, 1), Duration::from_secs(60));
        assert_eq!(backoff(base, 2), Duration::from_secs(120));
        assert_eq!(backoff(base, 4), Duration::from_secs(480));
        assert_eq!(backoff(base, 30), LONGEST_WAIT);
    }
}
