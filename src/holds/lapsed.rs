//! Held items that were returned to their authors and never corrected. A returned item
//! stays out of sight, keeping the words the guard found; once it has waited longer than
//! the retention period (`SPOT_RETAIN_RETURNED_HOLDS_DAYS`) those words are removed, as its
//! author was told when it came back to them:
//!
//! - a new thread goes altogether (nobody else ever saw it);
//! - a new reply is emptied, and shows its author "removed";
//! - a held edit of a post is undone: the post reads again as it did before;
//! - a resource is deleted with its file (its wording before the change is not kept);
//! - a profile's held "about" text, or a service's held texts, are dropped: the profile keeps
//!   the texts approved before;
//! - a private message's words go: it was never delivered.
//!
//! The hold is closed as lapsed and the audit log says so, naming the item, not its words.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{Hold, HoldKind, HoldStatus};
use crate::audit;
use crate::db::{DbConn, WriteConn};
use crate::schema::holds;

/// Returned holds decided before `cutoff`, oldest first, at most `limit`.
pub fn returned_before(
    conn: &mut DbConn,
    cutoff: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<Hold>> {
    holds::table
        .filter(holds::status.eq(HoldStatus::Returned))
        .filter(holds::decided_at.lt(cutoff))
        .order((holds::decided_at.asc(), holds::id.asc()))
        .limit(limit)
        .select(Hold::as_select())
        .load(conn)
}

/// Removes what one returned hold keeps. Returns the key of a stored file to delete once
/// the transaction has committed.
pub fn discard(
    conn: &mut WriteConn,
    hold: &Hold,
    kept_days: u32,
    now: NaiveDateTime,
) -> QueryResult<Option<String>> {
    let conn: &mut DbConn = conn;
    let file = match hold.kind {
        HoldKind::Thread | HoldKind::Post => {
            crate::forum::posts::discard_held(conn, hold, now)?;
            None
        }
        HoldKind::Resource => crate::resources::library::discard_held(conn, hold)?,
        // Closing the hold drops its pending text.
        HoldKind::Profile | HoldKind::Service => None,
        HoldKind::Message => {
            crate::messages::conversations::discard_held(conn, hold, now)?;
            None
        }
    };
    // A thread's hold goes with the thread; any other is closed.
    super::close(conn, hold.id, HoldStatus::Lapsed, None, "", now)?;
    let (_, subject, _) = super::decisions::subject(hold);
    audit::record(
        conn,
        &audit::Entry {
            actor: None,
            action: "held item removed",
            target_member: Some(hold.author_id),
            subject: &subject,
            reason: &format!("returned to its author and not corrected within {kept_days} days"),
        },
        now,
    )?;
    Ok(file)
}
