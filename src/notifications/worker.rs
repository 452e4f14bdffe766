//! The background worker: every few seconds it turns new notifications into letters, makes
//! the digests that are due, and sends what waits in the outbox. Each app node runs one;
//! claims and locks in the database keep them from doing the same work twice.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;

use super::values::Cadence;
use super::{compose, outbox};
use crate::db::{self, Db, DbConn};
use crate::mail::Mailer;
use crate::Site;

/// How the worker paces itself.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// Time between rounds.
    pub every: Duration,
    /// The wait after a message's first failed attempt; it doubles with each failure.
    pub retry_base: Duration,
}

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub letters: usize,
    pub digests: usize,
    /// Invitations to give feedback on a course that has ended.
    pub invitations: usize,
    pub sent: usize,
    pub failed: usize,
}

/// One round of the worker's work, at `now`. Public so that tests and the console can run a
/// round at a time of their choosing.
pub fn round(
    conn: &mut DbConn,
    mailer: &dyn Mailer,
    site: &Site,
    retry_base: Duration,
    now: NaiveDateTime,
) -> anyhow::Result<Round> {
    // Managers' reminders and lapsed places first, so their letters go out this round.
    let managers = crate::bookings::telling::sweep_managers(conn, &site.base_url, now)?;
    let reminders = crate::bookings::reminders::send_due(conn, site, now)?;
    let letters = compose::send_immediate(conn, site, now)? + managers + reminders;
    let digests = compose::send_digests(conn, site, Cadence::Daily, now)?
        + compose::send_digests(conn, site, Cadence::Weekly, now)?;
    let invitations = crate::evaluation::invitations::send_due(conn, site, now)?;
    let sent = outbox::deliver_due(conn, mailer, retry_base, now)?;
    Ok(Round {
        letters,
        digests,
        invitations,
        sent: sent.sent,
        failed: sent.failed,
    })
}

/// Starts the worker on the current async runtime; it stops with the runtime.
pub fn spawn(db: Db, mailer: Arc<dyn Mailer>, site: Site, pace: Pace) {
    actix_web::rt::spawn(async move {
        loop {
            let (db, mailer, site) = (db.clone(), mailer.clone(), site.clone());
            let worked = actix_web::rt::task::spawn_blocking(move || {
                let mut conn = db.conn()?;
                round(
                    &mut conn,
                    mailer.as_ref(),
                    &site,
                    pace.retry_base,
                    db::now(),
                )
            })
            .await;
            match worked {
                Ok(Ok(done)) if done != Round::default() => {
                    tracing::debug!(?done, "mail worker round")
                }
                Ok(Ok(_)) => {}
                Ok(Err(error)) => {
                    tracing::warn!(error = %format!("{error:#}"), "mail worker round failed")
                }
                Err(error) => tracing::error!(%error, "mail worker panicked"),
            }
            actix_web::rt::time::sleep(pace.every).await;
        }
    });
}
