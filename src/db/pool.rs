use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use prometheus_client::metrics::histogram::Histogram;

use super::{DbConn, WriteConn};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgresql",
        }
    }
}

/// Opens connections of the engine the URL names, directly: diesel's derived `establish`
/// tries every engine and reports only "invalid connection url", hiding the real cause.
#[derive(Debug, Clone)]
pub struct DbManager {
    engine: Engine,
    target: String,
}

impl DbManager {
    pub fn from_url(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            // libpq speaks TLS through OpenSSL, which by default frees its state in an exit
            // handler while other threads may still be closing connections (the HTTP
            // workers are not joined at shutdown): a double free on the way out. This
            // initialises OpenSSL without that handler, before libpq first touches it.
            openssl_sys::init();
            return Ok(Self {
                engine: Engine::Postgres,
                target: url.to_owned(),
            });
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .with_context(|| {
                format!("DATABASE_URL must start with sqlite:// or postgres://, not {url:?}")
            })?;
        anyhow::ensure!(!path.is_empty(), "DATABASE_URL names no SQLite file");
        Ok(Self {
            engine: Engine::Sqlite,
            target: path.to_owned(),
        })
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The SQLite database's file (`None` for PostgreSQL).
    pub fn sqlite_file(&self) -> Option<&Path> {
        (self.engine == Engine::Sqlite).then(|| Path::new(&self.target))
    }

    pub fn establish(&self) -> anyhow::Result<DbConn> {
        match self.engine {
            Engine::Postgres => PgConnection::establish(&self.target)
                .map(DbConn::Postgresql)
                .context("could not connect to PostgreSQL"),
            Engine::Sqlite => {
                if let Some(parent) = Path::new(&self.target).parent() {
                    if !parent.as_os_str().is_empty() {
                        std::fs::create_dir_all(parent).with_context(|| {
                            format!("could not create the folder {}", parent.display())
                        })?;
                    }
                }
                let mut conn = SqliteConnection::establish(&self.target)
                    .with_context(|| format!("could not open SQLite file {}", self.target))?;
                // WAL lets readers run beside the single writer; the busy timeout makes
                // writers wait their turn instead of failing with "database is locked".
                conn.batch_execute(
                    "PRAGMA busy_timeout = 10000;
                     PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = NORMAL;
                     PRAGMA foreign_keys = ON;",
                )
                .context("could not configure the SQLite connection")?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ConnectError(#[from] anyhow::Error);

impl ManageConnection for DbManager {
    type Connection = DbConn;
    type Error = ConnectError;

    fn connect(&self) -> Result<DbConn, ConnectError> {
        Ok(self.establish()?)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), ConnectError> {
        diesel::sql_query("SELECT 1")
            .execute(conn)
            .map(|_| ())
            .map_err(|e| ConnectError(e.into()))
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        use diesel::connection::TransactionManager;
        <DbConn as Connection>::TransactionManager::is_broken_transaction_manager(conn)
    }
}

/// The pool, shared by every request; cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: r2d2::Pool<DbManager>,
    engine: Engine,
    /// Seconds spent waiting for a connection, every wait (`/metrics` shows them).
    waits: Histogram,
}

/// How the pool stands at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolState {
    /// Connections open, in use or idle.
    pub connections: u32,
    pub idle: u32,
    /// The most it will open.
    pub max: u32,
}

/// Waits for a connection: from a tenth of a millisecond (one was idle) to the pool's ten
/// second limit.
const WAIT_BUCKETS: [f64; 11] = [
    0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0,
];

impl Db {
    /// Connects (failing fast with the engine's own error) and runs pending migrations.
    pub fn connect(url: &str) -> anyhow::Result<Self> {
        let manager = DbManager::from_url(url)?;
        let engine = manager.engine();
        // One connection first, outside the pool: its error is the operator's best clue,
        // where r2d2 would retry quietly for half a minute.
        let mut first = manager.establish()?;
        first.run_migrations()?;
        drop(first);
        let size = match engine {
            Engine::Sqlite => 8,
            Engine::Postgres => 12,
        };
        let pool = r2d2::Pool::builder()
            .max_size(size)
            // A SQLite connection is a file handle in this process: nothing can break it
            // between two uses, so the `SELECT 1` before each use is only cost. A PostgreSQL
            // connection can (a restarted server), and is checked.
            .test_on_check_out(engine == Engine::Postgres)
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(10))
            .build(manager)
            .context("could not build the database pool")?;
        Ok(Self {
            pool,
            engine,
            waits: Histogram::new(WAIT_BUCKETS),
        })
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Every wait for a connection so far, in seconds.
    pub fn pool_waits(&self) -> &Histogram {
        &self.waits
    }

    pub fn pool_state(&self) -> PoolState {
        let state = self.pool.state();
        PoolState {
            connections: state.connections,
            idle: state.idle_connections,
            max: self.pool.max_size(),
        }
    }

    /// A connection from the pool, the wait for it measured.
    fn checkout(&self) -> Result<r2d2::PooledConnection<DbManager>, r2d2::PoolError> {
        let started = Instant::now();
        let conn = self.pool.get();
        self.waits.observe(started.elapsed().as_secs_f64());
        conn
    }

    /// A connection for blocking code that is already off the async threads (CLI, tests).
    pub fn conn(&self) -> anyhow::Result<r2d2::PooledConnection<DbManager>> {
        self.checkout().context("no database connection available")
    }

    /// Runs `work` on a pooled connection on the blocking thread pool.
    pub async fn blocking<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let db = self.clone();
        actix_web::web::block(move || {
            let mut conn = db.checkout().map_err(DbError::Pool)?;
            work(&mut conn)
        })
        .await
        .map_err(|e| DbError::Blocking(e.to_string()))?
    }

    /// Runs a rule in its own write transaction, off the async threads: it commits when the
    /// rule returns `Ok`, and rolls back (with everything the rule queued) otherwise.
    pub async fn write<T, E, F>(&self, rule: F) -> Result<T, E>
    where
        F: FnOnce(&mut WriteConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + From<diesel::result::Error> + Send + 'static,
    {
        self.blocking(move |conn| conn.write_transaction(rule))
            .await
    }
}

/// What can go wrong in reaching the database, besides a query's own error.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("no database connection available: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("the blocking task failed: {0}")]
    Blocking(String),
}
