//! The background worker: every few seconds it turns new notifications into letters, makes
//! the digests that are due, and sends what waits in the outbox. Each app node runs one;
//! claims and locks in the database keep them from doing the same work twice. When SPOT
//! stops, the worker finishes the email it is sending and takes no more.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;

use actix_web::rt::task::JoinHandle;

use super::compose::{self, DigestRun};
use super::outbox;
use super::values::Cadence;
use crate::db::{self, Db, DbConn};
use crate::mail::Mailer;
use crate::metrics::Metrics;
use crate::shutdown::Stopping;
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
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Round {
    pub letters: usize,
    pub digests: usize,
    /// Invitations to give feedback on a course that has ended.
    pub invitations: usize,
    pub sent: usize,
    pub failed: usize,
    /// Where the daily and weekly digests' periods stood (none when the round stopped
    /// before them).
    pub digest_runs: Vec<DigestRun>,
}

impl Round {
    /// Whether the round found nothing to do.
    pub fn idle(&self) -> bool {
        self.letters + self.digests + self.invitations + self.sent + self.failed == 0
    }
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
    round_until_stopped(conn, mailer, site, retry_base, now, &Stopping::never())
}

/// [`round`], cut short between its steps (and between two emails) once `stopping` is set.
fn round_until_stopped(
    conn: &mut DbConn,
    mailer: &dyn Mailer,
    site: &Site,
    retry_base: Duration,
    now: NaiveDateTime,
    stopping: &Stopping,
) -> anyhow::Result<Round> {
    let mut round = Round::default();
    // Managers' reminders and lapsed places first, so their letters go out this round.
    let managers = crate::bookings::telling::sweep_managers(conn, &site.base_url, now)?;
    let reminders = crate::bookings::reminders::send_due(conn, site, now)?;
    round.letters = compose::send_immediate(conn, site, now)? + managers + reminders;
    if stopping.is_set() {
        return Ok(round);
    }
    for cadence in [Cadence::Daily, Cadence::Weekly] {
        let run = compose::send_digests(conn, site, cadence, now)?;
        round.digests += run.letters;
        round.digest_runs.push(run);
    }
    round.invitations = crate::evaluation::invitations::send_due(conn, site, now)?;
    let sent = outbox::deliver_due(conn, mailer, retry_base, now, stopping)?;
    round.sent = sent.sent;
    round.failed = sent.failed;
    Ok(round)
}

/// Starts the worker on the current async runtime. Once `stopping` is set it finishes the
/// email it is sending and ends; the handle says when.
pub fn spawn(
    db: Db,
    mailer: Arc<dyn Mailer>,
    site: Site,
    pace: Pace,
    metrics: Arc<Metrics>,
    stopping: Stopping,
) -> JoinHandle<()> {
    actix_web::rt::spawn(async move {
        while !stopping.is_set() {
            let (db, mailer, site, stop) =
                (db.clone(), mailer.clone(), site.clone(), stopping.clone());
            let worked = actix_web::rt::task::spawn_blocking(move || {
                let mut conn = db.conn()?;
                round_until_stopped(
                    &mut conn,
                    mailer.as_ref(),
                    &site,
                    pace.retry_base,
                    db::now(),
                    &stop,
                )
            })
            .await;
            match worked {
                Ok(Ok(done)) => {
                    for run in &done.digest_runs {
                        metrics.digest_run(run);
                    }
                    if !done.idle() {
                        tracing::debug!(?done, "mail worker round")
                    }
                }
                Ok(Err(error)) => {
                    tracing::warn!(error = %format!("{error:#}"), "mail worker round failed")
                }
                Err(error) => tracing::error!(%error, "mail worker panicked"),
            }
            if stopping.sleep(pace.every).await {
                break;
            }
        }
        tracing::info!("mail worker stopped");
    })
}
