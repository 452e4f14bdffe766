//! The export worker: every few seconds it deletes the exports whose 24 hours are over, then
//! builds the exports waiting, one after another. Each app node runs one; an export is
//! claimed in a transaction before it is built (see [`exports::claim`]), so no two nodes
//! build the same one, and one whose node died is taken up again.

use std::sync::Arc;
use std::time::Duration;

use actix_web::rt::task::JoinHandle;
use chrono::NaiveDateTime;

use super::{archive, exports};
use crate::db::{self, Db, DbConn};
use crate::resources::store::{self, FileStore, Incoming};
use crate::shutdown::Stopping;
use crate::Site;

/// Exports one round builds at most, so that sweeping is never long put off.
const PER_ROUND: usize = 5;

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub built: usize,
    pub failed: usize,
    pub swept: usize,
}

/// One round at `now`. Public so that tests can run a round at a time of their choosing.
pub fn round(
    conn: &mut DbConn,
    files: &FileStore,
    site: &Site,
    now: NaiveDateTime,
) -> anyhow::Result<Round> {
    let mut done = Round::default();
    for key in exports::sweep(conn, now)? {
        match files.delete_blocking(&key) {
            Ok(()) => done.swept += 1,
            Err(error) => tracing::error!(%error, "an expired export could not be removed"),
        }
    }
    for _ in 0..PER_ROUND {
        let Some(job) = exports::claim(conn, now)? else {
            break;
        };
        match build(conn, files, site, &job, now) {
            Ok(()) => done.built += 1,
            Err(error) => {
                tracing::warn!(export = %job.id, error = %format!("{error:#}"), "an export could not be made");
                exports::fail(conn, job.id, now)?;
                done.failed += 1;
            }
        }
    }
    Ok(done)
}

/// Writes the zip into the store's incoming folder, moves it into the store, and marks the
/// export ready (which emails its link). A zip whose export went meanwhile is removed.
fn build(
    conn: &mut DbConn,
    files: &FileStore,
    site: &Site,
    job: &exports::Job,
    now: NaiveDateTime,
) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let incoming = Incoming::new(files.incoming_dir());
    let size = archive::build(conn, files, job, incoming.path(), now)?;
    let key = store::new_key();
    files.put_blocking(incoming, &key)?;
    let finished_at = now + chrono::Duration::from_std(started.elapsed())?;
    let finished = conn.write_transaction(|tx| {
        exports::finish(tx, job, &key, size as i64, &site.base_url, finished_at)
    });
    if !matches!(finished, Ok(true)) {
        let _ = files.delete_blocking(&key);
    }
    finished?;
    Ok(())
}

/// Starts the worker on the current async runtime, a round every `every`, until `stopping`
/// is set; a round under way runs on for as long as the shutdown allows.
pub fn spawn(
    db: Db,
    files: Arc<FileStore>,
    site: Site,
    every: Duration,
    stopping: Stopping,
) -> JoinHandle<()> {
    actix_web::rt::spawn(async move {
        while !stopping.is_set() {
            let (db, files, site) = (db.clone(), files.clone(), site.clone());
            let worked = actix_web::rt::task::spawn_blocking(move || {
                let mut conn = db.conn()?;
                round(&mut conn, files.as_ref(), &site, db::now())
            })
            .await;
            match worked {
                Ok(Ok(done)) if done != Round::default() => {
                    tracing::info!(?done, "export worker round")
                }
                Ok(Ok(_)) => {}
                Ok(Err(error)) => {
                    tracing::warn!(error = %format!("{error:#}"), "export worker round failed")
                }
                Err(error) => tracing::error!(%error, "export worker panicked"),
            }
            if stopping.sleep(every).await {
                break;
            }
        }
    })
}
