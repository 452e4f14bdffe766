//! One connection type over SQLite and PostgreSQL, chosen at run time from the URL.
//!
//! Query functions everywhere take `&mut DbConn`; handlers reach the pool only through
//! [`Db::run`], which moves the blocking work off the async threads.

mod ids;
mod pool;

pub use ids::*;
pub use pool::{Db, DbManager, Engine};

use diesel::connection::{AnsiTransactionManager, Connection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// One SQLite writer at a time within this process (see `write_transaction`).
static SQLITE_WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

impl DbConn {
    pub fn engine(&self) -> Engine {
        match self {
            DbConn::Postgresql(_) => Engine::Postgres,
            DbConn::Sqlite(_) => Engine::Sqlite,
        }
    }

    /// Applies this engine's embedded migrations; returns how many ran.
    pub fn run_migrations(&mut self) -> anyhow::Result<usize> {
        let applied = match self {
            DbConn::Postgresql(conn) => conn
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map_err(|e| anyhow::anyhow!("PostgreSQL migration failed: {e}"))?
                .len(),
            DbConn::Sqlite(conn) => conn
                .run_pending_migrations(SQLITE_MIGRATIONS)
                .map_err(|e| anyhow::anyhow!("SQLite migration failed: {e}"))?
                .len(),
        };
        Ok(applied)
    }

    /// A transaction that will write. SQLite's default deferred transaction upgrades its
    /// lock at the first write and fails at once with "database is locked" when another
    /// writer got there first (the busy timeout does not apply to an upgrade), so on SQLite
    /// the write lock is taken up front with `BEGIN IMMEDIATE`, where the busy timeout
    /// makes concurrent writers queue instead of failing.
    pub fn write_transaction<T, E, F>(&mut self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E>,
        E: From<diesel::result::Error>,
    {
        // SQLite's busy handler polls with sleeps of up to 100 ms, which shows as long
        // tails when writers queue; writers of this process take turns here instead and
        // the busy timeout only arbitrates with other processes (the CLI).
        let _turn = match self {
            DbConn::Sqlite(_) => Some(
                SQLITE_WRITER
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner()),
            ),
            DbConn::Postgresql(_) => None,
        };
        match self {
            DbConn::Sqlite(conn) => {
                AnsiTransactionManager::begin_transaction_sql(conn, "BEGIN IMMEDIATE")?
            }
            DbConn::Postgresql(_) => {
                <DbConn as Connection>::TransactionManager::begin_transaction(self)?
            }
        }
        match f(self) {
            Ok(value) => {
                <DbConn as Connection>::TransactionManager::commit_transaction(self)?;
                Ok(value)
            }
            Err(error) => {
                <DbConn as Connection>::TransactionManager::rollback_transaction(self)?;
                Err(error)
            }
        }
    }
}

impl DbConn {
    /// Makes concurrent transactions that check-then-write the same thing (a count of
    /// admins, a rate limit) take turns. On SQLite the write transaction's lock already
    /// does; on PostgreSQL a transaction-scoped advisory lock on the key does. Call inside
    /// a write transaction, before the check.
    pub fn serialize_on(&mut self, key: &str) -> diesel::QueryResult<()> {
        use diesel::RunQueryDsl;
        match self {
            DbConn::Postgresql(conn) => {
                diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext($1))")
                    .bind::<diesel::sql_types::Text, _>(key)
                    .execute(conn)
                    .map(|_| ())
            }
            DbConn::Sqlite(_) => Ok(()),
        }
    }
}

/// Current time in UTC, at the precision both engines keep (microseconds), so a value
/// read back compares equal to the one written.
pub fn now() -> chrono::NaiveDateTime {
    use chrono::{SubsecRound, Utc};
    Utc::now().naive_utc().trunc_subsecs(6)
}
