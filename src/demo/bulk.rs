//! Writing rows in bulk, behind the features' backs: what differs between the engines.
//!
//! diesel's multi-engine connection has no batch insert, so each batch runs on the engine's
//! own connection ([`on_engine!`]), [`CHUNK`] rows at a time ([`insert_chunks!`]). Ids are chosen by the demo
//! ([`next_id`]) so that rows can point at each other before either is stored; PostgreSQL's
//! sequences are moved past them afterwards ([`reset_sequence`]).

use diesel::prelude::*;

use crate::db::DbConn;
use crate::schema::{members, posts, resources, tags, threads};

/// Rows per batch insert. SQLite binds at most 32,766 parameters per statement; members
/// have 15 columns, so 500 rows stay far below that.
pub(super) const CHUNK: usize = 500;

/// Runs `$body` with `$c` bound to the engine's own connection (where batch inserts live).
macro_rules! on_engine {
    ($conn:expr, |$c:ident| $body:expr) => {
        match AsMut::<$crate::db::DbConn>::as_mut($conn) {
            $crate::db::DbConn::Sqlite($c) => $body,
            $crate::db::DbConn::Postgresql($c) => $body,
        }
    };
}
pub(super) use on_engine;

/// Inserts `$rows` into `$table`, [`CHUNK`] rows a statement, each row's values made by the
/// closure; a `QueryResult<()>`. Run it in a write transaction.
macro_rules! insert_chunks {
    ($conn:expr, $table:expr, $rows:expr, |$row:pat_param| $values:expr) => {
        'insert: {
            for chunk in $rows.chunks($crate::demo::bulk::CHUNK) {
                let values: Vec<_> = chunk.iter().map(|$row| $values).collect();
                let inserted = $crate::demo::bulk::on_engine!($conn, |c| {
                    diesel::insert_into($table).values(values).execute(c)
                });
                if let Err(e) = inserted {
                    break 'insert diesel::QueryResult::<()>::Err(e);
                }
            }
            diesel::QueryResult::<()>::Ok(())
        }
    };
}
pub(super) use insert_chunks;

#[derive(Clone, Copy)]
pub(super) enum Table {
    Members,
    Threads,
    Posts,
    Tags,
    Resources,
}

/// The id after the highest one stored in `table`.
pub(super) fn next_id(conn: &mut DbConn, table: Table) -> QueryResult<i64> {
    use diesel::dsl::max;
    let max: Option<i64> = match table {
        Table::Members => members::table.select(max(members::id)).first(conn)?,
        Table::Threads => threads::table.select(max(threads::id)).first(conn)?,
        Table::Posts => posts::table.select(max(posts::id)).first(conn)?,
        Table::Tags => tags::table.select(max(tags::id)).first(conn)?,
        Table::Resources => resources::table.select(max(resources::id)).first(conn)?,
    };
    Ok(max.unwrap_or(0) + 1)
}

/// After rows were written with ids chosen here, PostgreSQL's sequence must move past them
/// (SQLite's AUTOINCREMENT keeps up by itself).
pub(super) fn reset_sequence(conn: &mut DbConn, table: &str) -> QueryResult<()> {
    if let DbConn::Postgresql(c) = conn {
        diesel::sql_query(format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
             (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
        ))
        .execute(c)?;
    }
    Ok(())
}

/// On SQLite, sets `PRAGMA synchronous` to `set` (or OFF) and returns what it was;
/// nothing on PostgreSQL.
pub(super) fn sqlite_synchronous(conn: &mut DbConn, set: Option<i32>) -> QueryResult<Option<i32>> {
    #[derive(QueryableByName)]
    struct Synchronous {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        synchronous: i32,
    }
    let DbConn::Sqlite(c) = conn else {
        return Ok(None);
    };
    let before = diesel::sql_query("PRAGMA synchronous")
        .get_result::<Synchronous>(c)?
        .synchronous;
    let wanted = set.unwrap_or(0).clamp(0, 3);
    diesel::sql_query(format!("PRAGMA synchronous = {wanted}")).execute(c)?;
    Ok(Some(before))
}

/// PostgreSQL plans from table statistics, and answers from an index alone only for pages
/// its visibility map marks, both of which bulk-loaded tables lack until autovacuum comes
/// round: does its work now, so that the first requests run as later ones will.
pub(super) fn vacuum_analyze(conn: &mut DbConn) -> QueryResult<()> {
    if let DbConn::Postgresql(c) = conn {
        diesel::sql_query("VACUUM ANALYZE").execute(c)?;
    }
    Ok(())
}
