//! What SQL must say differently on each engine, in one place: a [`Dialect`] for each,
//! chosen once from the connection ([`DbConn::dialect`]), so that feature code is written
//! once against it. Full-text search is the largest difference ([`full_text`]: SQLite's
//! FTS5 and PostgreSQL's tsvector, for `crate::search`); the rest is how a statement binds
//! its values, how ids continue after rows written with ids of their own, and bulk loading
//! ([`bulk_insert!`] and the settings around it), for the demo community.

pub(crate) mod full_text;

use diesel::{QueryResult, QueryableByName, RunQueryDsl};

use self::full_text::FullText;
use super::DbConn;

/// Rows a statement in [`bulk_insert!`]. SQLite binds at most 32,766 parameters a
/// statement; members have 15 columns, so 500 rows stay far below that.
pub(crate) const BULK_ROWS: usize = 500;

pub(crate) trait Dialect: Sync + std::fmt::Debug {
    /// The placeholder for the `n`th value bound in a statement, from 1.
    fn placeholder(&self, n: usize) -> String;

    /// Full-text search on this engine.
    fn full_text(&self) -> &'static dyn FullText;

    /// After rows were written with ids chosen by the writer, makes the ids the engine
    /// hands out next continue past them.
    fn continue_ids(&self, conn: &mut DbConn, table: &str) -> QueryResult<()>;

    /// Before a load in bulk into an empty database: stops waiting for the disk after every
    /// write where the engine lets a connection choose (a crash part-way leaves a half-made
    /// database to delete either way). Returns what to give [`Dialect::end_bulk_load`].
    fn begin_bulk_load(&self, conn: &mut DbConn) -> QueryResult<BulkLoad>;

    /// Puts back what [`Dialect::begin_bulk_load`] changed: this may be a pooled connection.
    fn end_bulk_load(&self, conn: &mut DbConn, load: BulkLoad) -> QueryResult<()>;

    /// After a load in bulk: the work that makes the first queries run as later ones will.
    fn settle(&self, conn: &mut DbConn) -> QueryResult<()>;
}

/// What a bulk load changed on the connection, to be put back.
#[derive(Debug)]
pub(crate) struct BulkLoad {
    synchronous: Option<i32>,
}

#[derive(Debug)]
pub(crate) struct Sqlite;

#[derive(Debug)]
pub(crate) struct Postgres;

impl DbConn {
    /// What SQL says on this connection's engine.
    pub(crate) fn dialect(&self) -> &'static dyn Dialect {
        match self {
            DbConn::Sqlite(_) => &Sqlite,
            DbConn::Postgresql(_) => &Postgres,
        }
    }
}

#[derive(QueryableByName)]
struct Synchronous {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    synchronous: i32,
}

/// SQLite's `PRAGMA synchronous`: sets it to `wanted` and returns what it was.
fn swap_synchronous(conn: &mut DbConn, wanted: i32) -> QueryResult<i32> {
    let before = diesel::sql_query("PRAGMA synchronous")
        .get_result::<Synchronous>(conn)?
        .synchronous;
    diesel::sql_query(format!("PRAGMA synchronous = {}", wanted.clamp(0, 3))).execute(conn)?;
    Ok(before)
}

impl Dialect for Sqlite {
    fn placeholder(&self, _: usize) -> String {
        "?".into()
    }

    fn full_text(&self) -> &'static dyn FullText {
        &full_text::Fts5
    }

    /// AUTOINCREMENT keeps up by itself.
    fn continue_ids(&self, _: &mut DbConn, _: &str) -> QueryResult<()> {
        Ok(())
    }

    /// `PRAGMA synchronous = OFF` for the load.
    fn begin_bulk_load(&self, conn: &mut DbConn) -> QueryResult<BulkLoad> {
        Ok(BulkLoad {
            synchronous: Some(swap_synchronous(conn, 0)?),
        })
    }

    fn end_bulk_load(&self, conn: &mut DbConn, load: BulkLoad) -> QueryResult<()> {
        if let Some(synchronous) = load.synchronous {
            swap_synchronous(conn, synchronous)?;
        }
        Ok(())
    }

    /// Its planner needs nothing.
    fn settle(&self, _: &mut DbConn) -> QueryResult<()> {
        Ok(())
    }
}

impl Dialect for Postgres {
    fn placeholder(&self, n: usize) -> String {
        format!("${n}")
    }

    fn full_text(&self) -> &'static dyn FullText {
        &full_text::TsVector
    }

    /// Moves the table's sequence past its highest id.
    fn continue_ids(&self, conn: &mut DbConn, table: &str) -> QueryResult<()> {
        diesel::sql_query(format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
             (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
        ))
        .execute(conn)?;
        Ok(())
    }

    /// Nothing to change: each transaction waits for the disk as ever.
    fn begin_bulk_load(&self, _: &mut DbConn) -> QueryResult<BulkLoad> {
        Ok(BulkLoad { synchronous: None })
    }

    fn end_bulk_load(&self, _: &mut DbConn, _: BulkLoad) -> QueryResult<()> {
        Ok(())
    }

    /// PostgreSQL plans from table statistics, and answers from an index alone only for
    /// pages its visibility map marks, both of which bulk-loaded tables lack until
    /// autovacuum comes round: `VACUUM ANALYZE` does that work now.
    fn settle(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::sql_query("VACUUM ANALYZE").execute(conn)?;
        Ok(())
    }
}

/// Inserts `$rows` into `$table`, [`BULK_ROWS`] rows a statement, each row's values made by
/// the closure; a `QueryResult<()>`. Run it in a write transaction. diesel's connection over
/// both engines has no multi-row insert, so each statement runs on the engine's own.
macro_rules! bulk_insert {
    ($conn:expr, $table:expr, $rows:expr, |$row:pat_param| $values:expr) => {
        'insert: {
            for chunk in $rows.chunks($crate::db::dialect::BULK_ROWS) {
                let values: Vec<_> = chunk.iter().map(|$row| $values).collect();
                let inserted = match AsMut::<$crate::db::DbConn>::as_mut($conn) {
                    $crate::db::DbConn::Sqlite(c) => {
                        diesel::insert_into($table).values(values).execute(c)
                    }
                    $crate::db::DbConn::Postgresql(c) => {
                        diesel::insert_into($table).values(values).execute(c)
                    }
                };
                if let Err(e) = inserted {
                    break 'insert diesel::QueryResult::<()>::Err(e);
                }
            }
            diesel::QueryResult::<()>::Ok(())
        }
    };
}
pub(crate) use bulk_insert;
