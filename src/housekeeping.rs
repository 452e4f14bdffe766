//! Tidying that no request waits for: rows that have served their purpose are removed on
//! a schedule, so that tables which grow with every attempt stay small.

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::accounts::throttle;
use crate::db::{self, Db, DbConn};

/// How often each node tidies. Two nodes tidying at once delete the same rows; harmless.
const EVERY: Duration = Duration::from_secs(60 * 60);

/// What one pass removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub throttle_events: usize,
}

/// One pass at `now`.
pub fn sweep(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Swept> {
    Ok(Swept {
        throttle_events: conn.write_transaction(|conn| throttle::prune(conn, now))?,
    })
}

/// Runs [`sweep`] at start-up and then every hour, on the current async runtime.
pub fn spawn(db: Db) {
    actix_web::rt::spawn(async move {
        loop {
            let db = db.clone();
            let swept = actix_web::rt::task::spawn_blocking(move || {
                let mut conn = db.conn()?;
                anyhow::Ok(sweep(&mut conn, db::now())?)
            })
            .await;
            match swept {
                Ok(Ok(swept)) if swept != Swept::default() => {
                    tracing::info!(?swept, "housekeeping removed old rows")
                }
                Ok(Ok(_)) => {}
                Ok(Err(error)) => {
                    tracing::warn!(error = %format!("{error:#}"), "housekeeping failed")
                }
                Err(error) => tracing::error!(%error, "housekeeping panicked"),
            }
            actix_web::rt::time::sleep(EVERY).await;
        }
    });
}
