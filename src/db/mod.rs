//! One connection type over SQLite and PostgreSQL, chosen at run time from the URL.
//!
//! Query functions everywhere take `&mut DbConn`; rules that must write atomically take a
//! [`WriteConn`], which only a write transaction makes. Handlers reach the pool through
//! [`Db::write`] (a rule in its own write transaction) and [`Db::blocking`], which move the
//! work off the async threads. This layer knows nothing of HTTP: its failures are
//! [`DbError`]s, which the web layer turns into pages. What SQL must say differently on
//! each engine is in [`dialect`].

pub(crate) mod dialect;
mod ids;
pub mod paging;
mod pool;

pub use ids::*;
pub use pool::{Db, DbError, DbManager, Engine, PoolState};

use diesel::connection::{AnsiTransactionManager, Connection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel::RunQueryDsl;
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
/// The PostgreSQL advisory lock held while migrating (any number SPOT uses for nothing else).
const MIGRATION_LOCK: i64 = 0x5350_4f54;

/// The newest migration this build of SPOT knows for `engine`.
pub fn newest_migration(engine: Engine) -> String {
    use diesel::migration::MigrationSource;
    let names: Vec<String> = match engine {
        Engine::Sqlite => MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE_MIGRATIONS)
            .map(|all| all.iter().map(|m| m.name().version().to_string()).collect()),
        Engine::Postgres => MigrationSource::<diesel::pg::Pg>::migrations(&POSTGRES_MIGRATIONS)
            .map(|all| all.iter().map(|m| m.name().version().to_string()).collect()),
    }
    .unwrap_or_default();
    names.into_iter().max().unwrap_or_default()
}

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
            DbConn::Postgresql(conn) => {
                // Several nodes may start at once on one database: the first to take this
                // lock migrates, the others wait for it and then find nothing left to do.
                diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
                    .execute(conn)?;
                let applied = conn
                    .run_pending_migrations(POSTGRES_MIGRATIONS)
                    .map(|versions| versions.len())
                    .map_err(|e| anyhow::anyhow!("PostgreSQL migration failed: {e}"));
                diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))
                    .execute(conn)?;
                applied?
            }
            DbConn::Sqlite(conn) => conn
                .run_pending_migrations(SQLITE_MIGRATIONS)
                .map_err(|e| anyhow::anyhow!("SQLite migration failed: {e}"))?
                .len(),
        };
        Ok(applied)
    }

    /// The newest migration applied to this database (`20261207000024`), `None` for one
    /// never migrated.
    pub fn migration_version(&mut self) -> anyhow::Result<Option<String>> {
        let applied = match self {
            DbConn::Postgresql(conn) => conn.applied_migrations(),
            DbConn::Sqlite(conn) => conn.applied_migrations(),
        }
        .map_err(|e| anyhow::anyhow!("could not read the database's migrations: {e}"))?;
        Ok(applied.iter().map(ToString::to_string).max())
    }

    /// A transaction that will write. SQLite's default deferred transaction upgrades its
    /// lock at the first write and fails at once with "database is locked" when another
    /// writer got there first (the busy timeout does not apply to an upgrade), so on SQLite
    /// the write lock is taken up front with `BEGIN IMMEDIATE`, where the busy timeout
    /// makes concurrent writers queue instead of failing.
    ///
    /// The work gets a [`WriteConn`]: rules that must run inside a write transaction take
    /// one, so the compiler refuses to call them outside.
    pub fn write_transaction<T, E, F>(&mut self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut WriteConn) -> Result<T, E>,
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
        match f(WriteConn::inside(self)) {
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

/// A connection inside a write transaction. Only [`DbConn::write_transaction`] makes one,
/// so a rule that takes `&mut WriteConn` (to take turns with [`WriteConn::serialize_on`],
/// or to write rows that must commit together) cannot run outside one. It reads and writes
/// like the [`DbConn`] it wraps: query functions taking `&mut DbConn` accept it as it is.
#[derive(ref_cast::RefCastCustom)]
#[repr(transparent)]
pub struct WriteConn(DbConn);

impl WriteConn {
    #[ref_cast::ref_cast_custom]
    fn inside(conn: &mut DbConn) -> &mut WriteConn;

    /// Makes concurrent transactions that check-then-write the same thing (a count of
    /// admins, a rate limit, a run's places) take turns. On SQLite the write transaction's
    /// lock already does; on PostgreSQL a transaction-scoped advisory lock on the key does.
    /// Call before the check.
    pub fn serialize_on(&mut self, key: &str) -> diesel::QueryResult<()> {
        use diesel::RunQueryDsl;
        match &mut self.0 {
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

/// The connection itself, whether or not inside a write transaction: for code that must
/// reach the engine's own connection (batch inserts).
impl AsMut<DbConn> for DbConn {
    fn as_mut(&mut self) -> &mut DbConn {
        self
    }
}

impl AsMut<DbConn> for WriteConn {
    fn as_mut(&mut self) -> &mut DbConn {
        &mut self.0
    }
}

impl std::ops::Deref for WriteConn {
    type Target = DbConn;

    fn deref(&self) -> &DbConn {
        &self.0
    }
}

impl std::ops::DerefMut for WriteConn {
    fn deref_mut(&mut self) -> &mut DbConn {
        &mut self.0
    }
}

diesel::define_sql_function! {
    /// `replace(text, from, to)`: every `from` in `text` made `to`, the same on both engines.
    fn replace(text: diesel::sql_types::Text, from: diesel::sql_types::Text, to: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// Current time in UTC, at the precision both engines keep (microseconds), so a value
/// read back compares equal to the one written.
pub fn now() -> chrono::NaiveDateTime {
    use chrono::{SubsecRound, Utc};
    Utc::now().naive_utc().trunc_subsecs(6)
}
