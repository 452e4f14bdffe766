//! Sessions signed out of. A session lives in the member's encrypted cookie, which the
//! server does not otherwise remember: without this list a copy of the cookie (from a shared
//! ward PC, a proxy log) would stay signed in after its owner signed out. Signing out ends
//! that session only; the member's other devices stay signed in.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::schema::ended_sessions;

/// Records that the session `id` has ended, and forgets ends older than the longest a
/// session may live: a cookie that old is refused by its age already.
pub fn end(conn: &mut DbConn, id: &str, lifetime: Duration, now: NaiveDateTime) -> QueryResult<()> {
    diesel::delete(ended_sessions::table.filter(ended_sessions::ended_at.lt(now - lifetime)))
        .execute(conn)?;
    let recorded = diesel::insert_into(ended_sessions::table)
        .values((
            ended_sessions::session_id.eq(id),
            ended_sessions::ended_at.eq(now),
        ))
        .execute(conn);
    match recorded {
        // Signed out twice (two tabs): it is ended either way.
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(()),
        other => other.map(|_| ()),
    }
}

pub fn has_ended(conn: &mut DbConn, id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(ended_sessions::table.find(id))).get_result(conn)
}
