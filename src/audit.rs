//! The audit log: who did what to whom, when and why. Staff actions write here in the same
//! transaction as the change itself, so the log never misses one.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::paging::{PageNumber, Paged};
use crate::db::{DbConn, MemberId};
use crate::schema::{audit_log, members};

pub struct Entry<'a> {
    pub actor: Option<MemberId>,
    pub action: &'a str,
    pub target_member: Option<MemberId>,
    /// What was acted on, in words ("staff level: facilitator", "thread 12").
    pub subject: &'a str,
    pub reason: &'a str,
}

pub fn record(conn: &mut DbConn, entry: &Entry<'_>, now: NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::actor_id.eq(entry.actor),
            audit_log::action.eq(entry.action),
            audit_log::target_member_id.eq(entry.target_member),
            audit_log::subject.eq(entry.subject),
            audit_log::reason.eq(entry.reason),
            audit_log::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Where earlier entries about one thing quote words since purged, they quote `new`
/// instead. `about` is how those entries' subjects begin, a noun and a number (`thread 12 `),
/// which holds no `LIKE` wildcard. The entries stay, with who did what and when; only the
/// purged words leave.
pub fn reword(conn: &mut DbConn, about: &str, old: &str, new: &str) -> QueryResult<()> {
    diesel::update(audit_log::table.filter(audit_log::subject.like(format!("{about}%"))))
        .set(audit_log::subject.eq(crate::db::replace(audit_log::subject, old, new)))
        .execute(conn)?;
    Ok(())
}

/// Entries of these actions whose whole subject is `old` say `new` instead: subjects that
/// named a thing by its words alone, before the log named it by number too.
pub fn replace_subject(
    conn: &mut DbConn,
    actions: &[&str],
    old: &str,
    new: &str,
) -> QueryResult<()> {
    diesel::update(
        audit_log::table
            .filter(audit_log::action.eq_any(actions))
            .filter(audit_log::subject.eq(old)),
    )
    .set(audit_log::subject.eq(new))
    .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct LoggedAction {
    pub actor: Option<(MemberId, String)>,
    pub action: String,
    pub target: Option<(MemberId, String)>,
    pub subject: String,
    pub reason: String,
    pub at: NaiveDateTime,
}

pub const PER_PAGE: i64 = 50;

/// Newest first; names of actors and targets come in with one extra query for the page.
pub fn recent(conn: &mut DbConn, page: PageNumber) -> QueryResult<Paged<LoggedAction>> {
    let total: i64 = audit_log::table.count().get_result(conn)?;
    type Row = (
        Option<MemberId>,
        String,
        Option<MemberId>,
        String,
        String,
        NaiveDateTime,
    );
    let rows: Vec<Row> = audit_log::table
        .select((
            audit_log::actor_id,
            audit_log::action,
            audit_log::target_member_id,
            audit_log::subject,
            audit_log::reason,
            audit_log::created_at,
        ))
        .order((audit_log::created_at.desc(), audit_log::id.desc()))
        .limit(PER_PAGE)
        .offset(page.offset(PER_PAGE))
        .load(conn)?;
    let mut ids: Vec<MemberId> = rows.iter().flat_map(|r| [r.0, r.2]).flatten().collect();
    ids.sort();
    ids.dedup();
    let names: std::collections::HashMap<MemberId, String> = members::table
        .filter(members::id.eq_any(&ids))
        .select((members::id, members::display_name))
        .load::<(MemberId, String)>(conn)?
        .into_iter()
        .collect();
    let named = |id: Option<MemberId>| {
        id.map(|id| {
            (
                id,
                names
                    .get(&id)
                    .cloned()
                    .unwrap_or_else(|| "(deleted member)".into()),
            )
        })
    };
    let items = rows
        .into_iter()
        .map(
            |(actor, action, target, subject, reason, at)| LoggedAction {
                actor: named(actor),
                action,
                target: named(target),
                subject,
                reason,
                at,
            },
        )
        .collect();
    Ok(Paged::new(items, page, PER_PAGE, total))
}
