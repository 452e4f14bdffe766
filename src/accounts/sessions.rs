//! Sessions signed out of. A session lives in the member's encrypted cookie, which the
//! server does not otherwise remember: without this list a copy of the cookie (from a shared
//! ward PC, a proxy log) would stay signed in after its owner signed out. Signing out ends
//! that session only; the member's other devices stay signed in.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::accounts::members::Member;
use crate::db::{DbConn, MemberId};
use crate::schema::{ended_sessions, members};

/// Records that the session `id` has ended. The record is kept at least as long as a
/// session may live (a cookie older than that is refused by its age already), and pruned
/// after `SPOT_RETAIN_ENDED_SESSIONS_DAYS` ([`crate::retention`]).
pub fn end(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> QueryResult<()> {
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

/// The member a session names, unless that session has ended (or the member is gone): one
/// statement, as every signed-in request asks.
pub fn member_unless_ended(
    conn: &mut DbConn,
    member: MemberId,
    session: &str,
) -> QueryResult<Option<Member>> {
    let ended = diesel::dsl::exists(ended_sessions::table.find(session.to_owned()));
    members::table
        .find(member)
        .filter(diesel::dsl::not(ended))
        .select(Member::as_select())
        .first(conn)
        .optional()
}
