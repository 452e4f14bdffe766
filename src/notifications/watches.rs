//! What a member keeps an eye on: threads, categories and resource tags.

use diesel::prelude::*;

use super::settings;
use crate::accounts::members::Viewer;
use crate::db::{CategoryId, DbConn, MemberId, ThreadId, WriteConn};
use crate::forum::{categories as forum_categories, posts};
use crate::resources::values::Tag;
use crate::rules::RuleError;
use crate::schema::{categories, category_watches, tag_follows, tags, thread_watches, threads};

pub fn set_thread(
    conn: &mut DbConn,
    member: MemberId,
    thread: ThreadId,
    on: bool,
) -> QueryResult<()> {
    let updated = diesel::update(thread_watches::table.find((member, thread)))
        .set(thread_watches::watching.eq(on))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(thread_watches::table)
            .values((
                thread_watches::member_id.eq(member),
                thread_watches::thread_id.eq(thread),
                thread_watches::watching.eq(on),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A member watches a thread they may read, or stops watching it.
pub fn watch_thread(
    tx: &mut WriteConn,
    viewer: &Viewer,
    thread: ThreadId,
    on: bool,
) -> Result<(), RuleError> {
    posts::readable_thread(tx, Some(viewer), thread)?;
    Ok(set_thread(tx, viewer.id, thread, on)?)
}

/// Taking part in a thread watches it, unless the member turned that off or once stopped
/// watching this thread. Run in a write transaction.
pub fn join_thread(conn: &mut DbConn, member: MemberId, thread: ThreadId) -> QueryResult<()> {
    if decided_on_thread(conn, member, thread)?.is_none() && settings::of(conn, member)?.auto_watch
    {
        set_thread(conn, member, thread, true)?;
    }
    Ok(())
}

/// Whether the member chose to watch a thread (`Some(false)`: they stopped), if they ever did.
pub fn decided_on_thread(
    conn: &mut DbConn,
    member: MemberId,
    thread: ThreadId,
) -> QueryResult<Option<bool>> {
    thread_watches::table
        .find((member, thread))
        .select(thread_watches::watching)
        .first(conn)
        .optional()
}

pub fn watches_thread(conn: &mut DbConn, member: MemberId, thread: ThreadId) -> QueryResult<bool> {
    Ok(decided_on_thread(conn, member, thread)?.unwrap_or(false))
}

pub fn thread_watchers(conn: &mut DbConn, thread: ThreadId) -> QueryResult<Vec<MemberId>> {
    thread_watches::table
        .filter(thread_watches::thread_id.eq(thread))
        .filter(thread_watches::watching.eq(true))
        .select(thread_watches::member_id)
        .load(conn)
}

pub fn set_category(
    conn: &mut DbConn,
    member: MemberId,
    category: CategoryId,
    on: bool,
) -> QueryResult<()> {
    let key = category_watches::table.find((member, category));
    let present: Option<MemberId> = key
        .select(category_watches::member_id)
        .first(conn)
        .optional()?;
    match (present.is_some(), on) {
        (false, true) => {
            diesel::insert_into(category_watches::table)
                .values((
                    category_watches::member_id.eq(member),
                    category_watches::category_id.eq(category),
                ))
                .execute(conn)?;
        }
        (true, false) => {
            diesel::delete(key).execute(conn)?;
        }
        _ => {}
    }
    Ok(())
}

/// A member watches a category they may read, or stops watching it; returns its name.
pub fn watch_category(
    tx: &mut WriteConn,
    viewer: &Viewer,
    slug: &str,
    on: bool,
) -> Result<String, RuleError> {
    let category = forum_categories::by_slug(tx, slug)?;
    if !forum_categories::can_read(tx, &category, Some(viewer))? {
        return Err(RuleError::forbidden("This is a private space."));
    }
    set_category(tx, viewer.id, category.id, on)?;
    Ok(category.name)
}

pub fn watches_category(
    conn: &mut DbConn,
    member: MemberId,
    category: CategoryId,
) -> QueryResult<bool> {
    Ok(category_watches::table
        .find((member, category))
        .select(category_watches::member_id)
        .first::<MemberId>(conn)
        .optional()?
        .is_some())
}

pub fn category_watchers(conn: &mut DbConn, category: CategoryId) -> QueryResult<Vec<MemberId>> {
    category_watches::table
        .filter(category_watches::category_id.eq(category))
        .select(category_watches::member_id)
        .load(conn)
}

/// Follows or stops following a tag by its name; `false` when there is no such tag.
pub fn set_tag(conn: &mut DbConn, member: MemberId, tag: &str, on: bool) -> QueryResult<bool> {
    let Some(tag_id): Option<i64> = tags::table
        .filter(tags::name.eq(tag))
        .select(tags::id)
        .first(conn)
        .optional()?
    else {
        return Ok(false);
    };
    let key = tag_follows::table.find((member, tag_id));
    let present: Option<MemberId> = key.select(tag_follows::member_id).first(conn).optional()?;
    match (present.is_some(), on) {
        (false, true) => {
            diesel::insert_into(tag_follows::table)
                .values((
                    tag_follows::member_id.eq(member),
                    tag_follows::tag_id.eq(tag_id),
                ))
                .execute(conn)?;
        }
        (true, false) => {
            diesel::delete(key).execute(conn)?;
        }
        _ => {}
    }
    Ok(true)
}

/// A member follows a tag of the library, or stops following it.
pub fn follow_tag(
    tx: &mut WriteConn,
    member: MemberId,
    tag: &Tag,
    on: bool,
) -> Result<(), RuleError> {
    if set_tag(tx, member, tag.as_str(), on)? {
        Ok(())
    } else {
        Err(RuleError::Invalid(
            "tag",
            format!("There is no tag called {:?} in the library", tag.as_str()),
        ))
    }
}

pub fn follows_tag(conn: &mut DbConn, member: MemberId, tag: &str) -> QueryResult<bool> {
    Ok(tag_follows::table
        .inner_join(tags::table)
        .filter(tag_follows::member_id.eq(member))
        .filter(tags::name.eq(tag))
        .select(tag_follows::member_id)
        .first::<MemberId>(conn)
        .optional()?
        .is_some())
}

/// Followers of any of these tags, with the first followed tag's name for each.
pub fn tag_followers(conn: &mut DbConn, tag_ids: &[i64]) -> QueryResult<Vec<(MemberId, String)>> {
    let mut rows: Vec<(MemberId, String)> = tag_follows::table
        .inner_join(tags::table)
        .filter(tag_follows::tag_id.eq_any(tag_ids))
        .select((tag_follows::member_id, tags::name))
        .order((tag_follows::member_id.asc(), tags::name.asc()))
        .load(conn)?;
    rows.dedup_by_key(|(member, _)| *member);
    Ok(rows)
}

/// Everything a member watches or follows, for their settings page.
#[derive(Debug, Clone, Default)]
pub struct Watched {
    pub threads: Vec<(ThreadId, String)>,
    pub categories: Vec<(String, String)>,
    pub tags: Vec<String>,
}

/// At most this many threads are listed on the settings page, latest activity first.
pub const THREADS_LISTED: i64 = 50;

pub fn watched_by(conn: &mut DbConn, member: MemberId) -> QueryResult<Watched> {
    let threads = thread_watches::table
        .inner_join(threads::table)
        .filter(thread_watches::member_id.eq(member))
        .filter(thread_watches::watching.eq(true))
        .order(threads::last_post_at.desc())
        .limit(THREADS_LISTED)
        .select((threads::id, threads::title))
        .load(conn)?;
    let categories = category_watches::table
        .inner_join(categories::table)
        .filter(category_watches::member_id.eq(member))
        .order(categories::position.asc())
        .select((categories::slug, categories::name))
        .load(conn)?;
    let tags = tag_follows::table
        .inner_join(tags::table)
        .filter(tag_follows::member_id.eq(member))
        .order(tags::name.asc())
        .select(tags::name)
        .load(conn)?;
    Ok(Watched {
        threads,
        categories,
        tags,
    })
}
