//! Tidying that no request waits for: once a day, records older than their retention period
//! ([`crate::retention`]) are removed, so that SPOT keeps nothing longer than its privacy
//! notice says and tables that grow with every attempt stay small. Every hour, the days that
//! have ended are counted for the programme report ([`crate::report::activity`]).

use std::sync::Arc;
use std::time::Duration;

use actix_web::rt::task::JoinHandle;
use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::db::{self, Db, DbConn};
use crate::resources::store::FileStore;
use crate::retention::{self, Pruned, Retention};
use crate::shutdown::Stopping;

/// How often each node looks whether today's pruning is done. The first node to look after
/// midnight (UTC) does it; the others find it claimed and leave it.
const EVERY: Duration = Duration::from_secs(60 * 60);

/// Today's pruning at `now`, unless another node has done it or is doing it (`None`). The
/// files of resources removed go from the store after their rows.
pub fn sweep(
    conn: &mut DbConn,
    files: &FileStore,
    retention: &Retention,
    now: NaiveDateTime,
) -> QueryResult<Option<Pruned>> {
    // The report's activity counts of the days that have ended (cheap once up to date).
    crate::report::activity::count_ended_days(conn, now)?;
    if !retention::claim_day(conn, now)? {
        return Ok(None);
    }
    let pruned = retention::prune(conn, retention, now)?;
    for key in &pruned.files {
        if let Err(error) = files.delete_blocking(key) {
            tracing::error!(%error, "a removed resource's file could not be deleted");
        }
    }
    retention::finish_day(conn, now)?;
    Ok(Some(pruned))
}

/// Runs [`sweep`] at start-up and then every hour, on the current async runtime, until
/// `stopping` is set.
pub fn spawn(
    db: Db,
    files: Arc<FileStore>,
    retention: Retention,
    stopping: Stopping,
) -> JoinHandle<()> {
    actix_web::rt::spawn(async move {
        while !stopping.is_set() {
            let (db, files) = (db.clone(), files.clone());
            let swept = actix_web::rt::task::spawn_blocking(move || {
                let mut conn = db.conn()?;
                anyhow::Ok(sweep(&mut conn, files.as_ref(), &retention, db::now())?)
            })
            .await;
            match swept {
                Ok(Ok(Some(pruned))) => {
                    tracing::info!(removed = pruned.total(), "retention: today's pruning done")
                }
                Ok(Ok(None)) => {}
                Ok(Err(error)) => {
                    tracing::warn!(error = %format!("{error:#}"), "housekeeping failed")
                }
                Err(error) => tracing::error!(%error, "housekeeping panicked"),
            }
            if stopping.sleep(EVERY).await {
                break;
            }
        }
    })
}
