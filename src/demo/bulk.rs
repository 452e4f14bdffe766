//! Ids for rows written in bulk: chosen by the demo ([`next_id`]) so that rows can point at
//! each other before either is stored. What differs between the engines in writing them
//! (the batch inserts, the ids the engine hands out afterwards, the settings around a bulk
//! load) is the connection's `crate::db::dialect`.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::schema::{members, posts, resources, tags, threads};

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
