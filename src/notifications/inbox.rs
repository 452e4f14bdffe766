//! A member's notifications page: the list, the unread count in the header, marking read.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::values::Topic;
use crate::db::paging::{PageNumber, Paged};
use crate::db::{DbConn, MemberId, NotificationId};
use crate::schema::{members, notifications};

pub const PER_PAGE: i64 = 30;

#[derive(Debug, Clone)]
pub struct Notification {
    pub id: NotificationId,
    pub topic: Topic,
    pub headline: String,
    pub detail: String,
    pub link: String,
    pub actor: Option<String>,
    pub created_at: NaiveDateTime,
    pub read: bool,
}

type Row = (
    NotificationId,
    Topic,
    String,
    String,
    String,
    Option<String>,
    NaiveDateTime,
    Option<NaiveDateTime>,
);

/// Newest first, one page; two queries.
pub fn page(
    conn: &mut DbConn,
    member: MemberId,
    page: PageNumber,
) -> QueryResult<Paged<Notification>> {
    let total: i64 = notifications::table
        .filter(notifications::member_id.eq(member))
        .count()
        .get_result(conn)?;
    let rows: Vec<Row> = notifications::table
        .left_join(members::table.on(members::id.nullable().eq(notifications::actor_id)))
        .filter(notifications::member_id.eq(member))
        .order(notifications::id.desc())
        .limit(PER_PAGE)
        .offset(page.offset(PER_PAGE))
        .select((
            notifications::id,
            notifications::kind,
            notifications::headline,
            notifications::detail,
            notifications::link,
            members::display_name.nullable(),
            notifications::created_at,
            notifications::read_at,
        ))
        .load(conn)?;
    Ok(Paged {
        items: rows
            .into_iter()
            .map(
                |(id, topic, headline, detail, link, actor, created_at, read_at)| Notification {
                    id,
                    topic,
                    headline,
                    detail,
                    link,
                    actor,
                    created_at,
                    read: read_at.is_some(),
                },
            )
            .collect(),
        page: page.get(),
        per_page: PER_PAGE,
        total,
    })
}

/// For the header: counted on the partial index of unread rows.
pub fn unread_count(conn: &mut DbConn, member: MemberId) -> QueryResult<i64> {
    notifications::table
        .filter(notifications::member_id.eq(member))
        .filter(notifications::read_at.is_null())
        .count()
        .get_result(conn)
}

/// Marks one of the member's own notifications read and gives its link; `None` when it is
/// not theirs (or not there).
pub fn open(
    conn: &mut DbConn,
    member: MemberId,
    id: NotificationId,
    now: NaiveDateTime,
) -> QueryResult<Option<String>> {
    let link: Option<String> = notifications::table
        .filter(notifications::id.eq(id))
        .filter(notifications::member_id.eq(member))
        .select(notifications::link)
        .first(conn)
        .optional()?;
    if link.is_some() {
        diesel::update(
            notifications::table
                .filter(notifications::id.eq(id))
                .filter(notifications::read_at.is_null()),
        )
        .set(notifications::read_at.eq(now))
        .execute(conn)?;
    }
    Ok(link)
}

pub fn mark_all_read(
    conn: &mut DbConn,
    member: MemberId,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        notifications::table
            .filter(notifications::member_id.eq(member))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(now))
    .execute(conn)
}
