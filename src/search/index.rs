//! Keeps the search index in step with what it indexes. Every write path of the forum, the
//! library and the member profiles calls one of these inside its own transaction; each
//! reads the row as it now is and writes (or removes) its index row, so a post hidden,
//! deleted or edited is found, or not, from the moment the change commits. Deleted rows
//! leave the index through the database (SQLite triggers, PostgreSQL foreign keys).
//!
//! The index holds plain text (Markdown and HTML stripped) of only what may be found:
//! visible posts, unhidden resources and members listed in the directory. Who may read a
//! category is checked when searching, against the categories as they are then.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::sql::Sql;
use crate::accounts::{Borough, Role};
use crate::db::{DbConn, MemberId, MessageId, PostId, ResourceId, ThreadId};
use crate::markdown::plain_text;
use crate::schema::{
    member_services, members, messages, posts, resource_tags, resources, tags, threads,
};

/// What the index's rows hold; a change to it (new columns, new text) moves this on and
/// SPOT rebuilds the index at its next start.
pub const VERSION: i32 = 2;

/// Rows per INSERT: SQLite binds at most 32,766 values a statement.
const BATCH: usize = 400;

/// The three indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Table {
    Posts,
    Resources,
    Members,
    Messages,
}

impl Table {
    pub(crate) const ALL: [Table; 4] = [
        Table::Posts,
        Table::Resources,
        Table::Members,
        Table::Messages,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Table::Posts => "search_posts",
            Table::Resources => "search_resources",
            Table::Members => "search_members",
            Table::Messages => "search_messages",
        }
    }

    /// The text columns, the title first and the longer text (for snippets) last.
    pub(crate) fn columns(self) -> &'static [&'static str] {
        match self {
            Table::Posts => &["title", "body"],
            Table::Resources => &["title", "tags", "body"],
            Table::Members => &["name", "details", "about"],
            Table::Messages => &["body"],
        }
    }
}

/// One index row: the id of what it indexes and its text columns, in [`Table::columns`]
/// order.
struct Row {
    id: i64,
    texts: Vec<String>,
}

fn forget(conn: &mut DbConn, table: Table, ids: &[i64]) -> QueryResult<()> {
    for chunk in ids.chunks(BATCH) {
        let mut sql = Sql::for_conn(conn);
        let key = sql.full_text().key(table);
        sql.push(&format!("DELETE FROM {} WHERE {key} IN ", table.name()))
            .bind_list(chunk.iter().copied());
        sql.execute(conn)?;
    }
    Ok(())
}

/// Text without the private characters that carry highlights and stand-ins, so that
/// nothing a member wrote can pass for them.
fn clean(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, '\u{E000}'..='\u{E003}'))
        .collect()
}

fn write(conn: &mut DbConn, table: Table, rows: Vec<Row>) -> QueryResult<()> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut sql = Sql::for_conn(conn);
        let full_text = sql.full_text();
        full_text.insert_into(&mut sql, table);
        for (n, row) in rows.by_ref().take(BATCH).enumerate() {
            sql.push(if n == 0 { "(" } else { ", (" }).bind_int(row.id);
            let texts: Vec<String> = row.texts.iter().map(|t| clean(t)).collect();
            full_text.row_values(&mut sql, table, &texts);
            sql.push(")");
        }
        full_text.upsert(&mut sql, table);
        sql.execute(conn)?;
    }
    Ok(())
}

/// Rewrites the rows of these ids: removed, then written again for those to be found.
fn refresh(conn: &mut DbConn, table: Table, ids: &[i64], rows: Vec<Row>) -> QueryResult<()> {
    forget(conn, table, ids)?;
    write(conn, table, rows)
}

// ---------------------------------------------------------------------------------------
// Posts: each carries its thread's title, so a thread is found by its title and the words
// of any of its posts together.
// ---------------------------------------------------------------------------------------

type PostSource = (
    PostId,
    String,
    String,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);

fn post_rows(found: Vec<PostSource>) -> Vec<Row> {
    found
        .into_iter()
        .filter(|(_, _, _, hidden, deleted, purged)| {
            hidden.is_none() && deleted.is_none() && purged.is_none()
        })
        .map(|(id, title, source, ..)| Row {
            id: id.0,
            texts: vec![title, plain_text(&source)],
        })
        .collect()
}

fn post_sources(
    conn: &mut DbConn,
    ids: Option<&[PostId]>,
    thread: Option<ThreadId>,
    after: Option<PostId>,
    limit: i64,
) -> QueryResult<Vec<PostSource>> {
    let mut query = posts::table
        .inner_join(threads::table)
        .select((
            posts::id,
            threads::title,
            posts::body_source,
            posts::hidden_at,
            posts::deleted_at,
            posts::purged_at,
        ))
        .order(posts::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(ids) = ids {
        query = query.filter(posts::id.eq_any(ids.to_vec()));
    }
    if let Some(thread) = thread {
        query = query.filter(posts::thread_id.eq(thread));
    }
    if let Some(after) = after {
        query = query.filter(posts::id.gt(after));
    }
    query.load(conn)
}

/// A post was written, edited, hidden, shown again, removed by its author or purged.
pub fn post(conn: &mut DbConn, id: PostId) -> QueryResult<()> {
    let found = post_sources(conn, Some(&[id]), None, None, 1)?;
    refresh(conn, Table::Posts, &[id.0], post_rows(found))?;
    follow_in_window(conn, &[id.0])
}

/// Many posts changed at once (a member's posts emptied on erasure).
pub fn posts(conn: &mut DbConn, ids: &[PostId]) -> QueryResult<()> {
    for chunk in ids.chunks(BATCH) {
        let found = post_sources(conn, Some(chunk), None, None, i64::MAX)?;
        let chunk: Vec<i64> = chunk.iter().map(|id| id.0).collect();
        refresh(conn, Table::Posts, &chunk, post_rows(found))?;
        follow_in_window(conn, &chunk)?;
    }
    Ok(())
}

/// A thread was renamed (or its title purged): every post carries its title.
pub fn thread(conn: &mut DbConn, id: ThreadId) -> QueryResult<()> {
    let found = post_sources(conn, None, Some(id), None, i64::MAX)?;
    let ids: Vec<i64> = found.iter().map(|(id, ..)| id.0).collect();
    refresh(conn, Table::Posts, &ids, post_rows(found))?;
    follow_in_window(conn, &ids)
}

/// How many of the newest posts (by id) the window of recent posts holds, where the
/// engine keeps one ([`crate::db::dialect::full_text::FullText::recent_posts`]).
pub const RECENT_POSTS: i64 = 100_000;

/// The lowest post id the window holds.
fn window_floor(conn: &mut DbConn) -> QueryResult<i64> {
    let newest: Option<PostId> = posts::table
        .select(diesel::dsl::max(posts::id))
        .first(conn)?;
    Ok(newest.map_or(0, |id| id.0) - RECENT_POSTS)
}

/// Whether the window of recent posts holds every post's row (a forum of fewer posts than
/// it holds), so that what it does not find is not there.
pub(crate) fn window_holds_every_post(conn: &mut DbConn) -> QueryResult<bool> {
    let oldest: Option<PostId> = posts::table
        .select(diesel::dsl::min(posts::id))
        .first(conn)?;
    match oldest {
        Some(oldest) => Ok(oldest.0 >= window_floor(conn)?),
        None => Ok(true),
    }
}

/// Brings the window of recent posts in step with the main index for these posts (just
/// rewritten there), and lets go of the rows that have fallen out of it.
fn follow_in_window(conn: &mut DbConn, ids: &[i64]) -> QueryResult<()> {
    let Some(recent) = Sql::for_conn(conn).full_text().recent_posts() else {
        return Ok(());
    };
    let floor = window_floor(conn)?;
    for chunk in ids.chunks(BATCH) {
        Sql::for_conn(conn)
            .push(&format!("DELETE FROM {recent} WHERE rowid IN "))
            .bind_list(chunk.iter().copied())
            .execute(conn)?;
        copy_into_window(conn, recent, floor, Some(chunk))?;
    }
    Sql::for_conn(conn)
        .push(&format!("DELETE FROM {recent} WHERE rowid < "))
        .bind_int(floor)
        .execute(conn)?;
    Ok(())
}

/// Copies the main index's rows from `floor` up (of these posts only, when given) into the
/// window `recent`.
fn copy_into_window(
    conn: &mut DbConn,
    recent: &str,
    floor: i64,
    only: Option<&[i64]>,
) -> QueryResult<usize> {
    let mut sql = Sql::for_conn(conn);
    sql.push(&format!(
        "INSERT INTO {recent} (rowid, title, body) SELECT rowid, title, body FROM {} WHERE \
         rowid >= ",
        Table::Posts.name()
    ))
    .bind_int(floor);
    if let Some(ids) = only {
        sql.push(" AND rowid IN ").bind_list(ids.iter().copied());
    }
    sql.execute(conn)
}

/// Fills the window of recent posts afresh from the main index.
fn rebuild_window(conn: &mut DbConn) -> QueryResult<()> {
    let Some(recent) = Sql::for_conn(conn).full_text().recent_posts() else {
        return Ok(());
    };
    let floor = window_floor(conn)?;
    Sql::for_conn(conn)
        .push(&format!("DELETE FROM {recent}"))
        .execute(conn)?;
    copy_into_window(conn, recent, floor, None)?;
    Sql::for_conn(conn)
        .push(&format!(
            "INSERT INTO {recent} ({recent}) VALUES ('optimize')"
        ))
        .execute(conn)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Resources: title, tags, and the description with the file's name.
// ---------------------------------------------------------------------------------------

type ResourceSource = (
    ResourceId,
    String,
    String,
    Option<String>,
    Option<NaiveDateTime>,
);

fn resource_rows(conn: &mut DbConn, found: Vec<ResourceSource>) -> QueryResult<Vec<Row>> {
    let ids: Vec<ResourceId> = found.iter().map(|(id, ..)| *id).collect();
    let mut tags_of: std::collections::HashMap<ResourceId, Vec<String>> =
        std::collections::HashMap::new();
    for chunk in ids.chunks(BATCH) {
        for (resource, name) in resource_tags::table
            .inner_join(tags::table)
            .filter(resource_tags::resource_id.eq_any(chunk.to_vec()))
            .order(tags::name.asc())
            .select((resource_tags::resource_id, tags::name))
            .load::<(ResourceId, String)>(conn)?
        {
            tags_of.entry(resource).or_default().push(name);
        }
    }
    Ok(found
        .into_iter()
        .filter(|(.., hidden)| hidden.is_none())
        .map(|(id, title, source, file_name, _)| {
            let mut body = plain_text(&source);
            if let Some(file_name) = file_name {
                body.push_str(" · ");
                body.push_str(&plain_text(&file_name));
            }
            Row {
                id: id.0,
                texts: vec![
                    title,
                    tags_of.remove(&id).unwrap_or_default().join(", "),
                    body,
                ],
            }
        })
        .collect())
}

fn resource_sources(
    conn: &mut DbConn,
    ids: Option<&[ResourceId]>,
) -> QueryResult<Vec<ResourceSource>> {
    let mut query = resources::table
        .select((
            resources::id,
            resources::title,
            resources::description_source,
            resources::original_name,
            resources::hidden_at,
        ))
        .order(resources::id.asc())
        .into_boxed();
    if let Some(ids) = ids {
        query = query.filter(resources::id.eq_any(ids.to_vec()));
    }
    query.load(conn)
}

/// These resources were shared, changed, hidden or shown again.
pub fn resources(conn: &mut DbConn, ids: &[ResourceId]) -> QueryResult<()> {
    for chunk in ids.chunks(BATCH) {
        let found = resource_sources(conn, Some(chunk))?;
        let rows = resource_rows(conn, found)?;
        let keys: Vec<i64> = chunk.iter().map(|id| id.0).collect();
        refresh(conn, Table::Resources, &keys, rows)?;
    }
    Ok(())
}

pub fn resource(conn: &mut DbConn, id: ResourceId) -> QueryResult<()> {
    resources(conn, &[id])
}

/// A tag was renamed (or merged into another): the resources now carrying `name`.
pub fn tagged(conn: &mut DbConn, name: &str) -> QueryResult<()> {
    let ids: Vec<ResourceId> = resource_tags::table
        .inner_join(tags::table)
        .filter(tags::name.eq(name))
        .select(resource_tags::resource_id)
        .load(conn)?;
    resources(conn, &ids)
}

// ---------------------------------------------------------------------------------------
// Members: name; role, borough and organisation; what they say about themselves and about
// their service (the published texts, never those a hold keeps back).
// ---------------------------------------------------------------------------------------

/// A service's three texts, when the member has described one.
type ServiceSource = (Option<String>, Option<String>, Option<String>);

type MemberSource = (
    MemberId,
    String,
    Role,
    Borough,
    String,
    String,
    bool,
    ServiceSource,
);

fn member_rows(found: Vec<MemberSource>) -> Vec<Row> {
    found
        .into_iter()
        .filter(|(.., listed, _)| *listed)
        .map(
            |(id, name, role, borough, organisation, about, _, service)| {
                let details = if role.badge() == role.label() {
                    format!("{} · {} · {organisation}", role.label(), borough.label())
                } else {
                    format!(
                        "{} ({}) · {} · {organisation}",
                        role.label(),
                        role.badge(),
                        borough.label()
                    )
                };
                Row {
                    id: id.0,
                    texts: vec![name, details, about_and_service(&about, service)],
                }
            },
        )
        .collect()
}

/// What a member says about themselves and their service, as one text to search.
fn about_and_service(about: &str, (offers, who_for, referral): ServiceSource) -> String {
    [Some(about.to_owned()), offers, who_for, referral]
        .into_iter()
        .flatten()
        .filter(|text| !text.is_empty())
        .map(|text| plain_text(&text))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Only approved members are found: an applicant is not yet part of the community.
fn member_sources(conn: &mut DbConn, ids: Option<&[MemberId]>) -> QueryResult<Vec<MemberSource>> {
    let mut query = members::table
        .left_join(member_services::table.on(member_services::member_id.eq(members::id)))
        .filter(members::approved_at.is_not_null())
        .select((
            members::id,
            members::display_name,
            members::role,
            members::borough,
            members::organisation,
            members::about_source,
            members::listed,
            (
                member_services::offers_source.nullable(),
                member_services::who_for_source.nullable(),
                member_services::referral_source.nullable(),
            ),
        ))
        .order(members::id.asc())
        .into_boxed();
    if let Some(ids) = ids {
        query = query.filter(members::id.eq_any(ids.to_vec()));
    }
    query.load(conn)
}

/// A member joined, or changed their profile (name, about, listed in the directory).
pub fn member(conn: &mut DbConn, id: MemberId) -> QueryResult<()> {
    let found = member_sources(conn, Some(&[id]))?;
    refresh(conn, Table::Members, &[id.0], member_rows(found))
}

// ---------------------------------------------------------------------------------------
// Private messages: delivered and visible ones. Who may find which (the members of their
// conversation) is checked when searching.
// ---------------------------------------------------------------------------------------

type MessageSource = (
    MessageId,
    String,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);

fn message_rows(found: Vec<MessageSource>) -> Vec<Row> {
    found
        .into_iter()
        .filter(|(_, _, delivered, hidden, removed)| {
            delivered.is_some() && hidden.is_none() && removed.is_none()
        })
        .map(|(id, source, ..)| Row {
            id: id.0,
            texts: vec![plain_text(&source)],
        })
        .collect()
}

fn message_sources(
    conn: &mut DbConn,
    ids: Option<&[MessageId]>,
    after: Option<MessageId>,
    limit: i64,
) -> QueryResult<Vec<MessageSource>> {
    let mut query = messages::table
        .select((
            messages::id,
            messages::body_source,
            messages::delivered_at,
            messages::hidden_at,
            messages::removed_at,
        ))
        .order(messages::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(ids) = ids {
        query = query.filter(messages::id.eq_any(ids.to_vec()));
    }
    if let Some(after) = after {
        query = query.filter(messages::id.gt(after));
    }
    query.load(conn)
}

/// Messages delivered, hidden or emptied.
pub fn messages(conn: &mut DbConn, ids: &[MessageId]) -> QueryResult<()> {
    for chunk in ids.chunks(BATCH) {
        let found = message_sources(conn, Some(chunk), None, i64::MAX)?;
        let keys: Vec<i64> = chunk.iter().map(|id| id.0).collect();
        refresh(conn, Table::Messages, &keys, message_rows(found))?;
    }
    Ok(())
}

pub fn message(conn: &mut DbConn, id: MessageId) -> QueryResult<()> {
    messages(conn, &[id])
}

// ---------------------------------------------------------------------------------------
// Whole rebuilds: `spot reindex`, `spot demo`, and start-up after an upgrade.
// ---------------------------------------------------------------------------------------

/// How many rows a rebuild wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rebuilt {
    pub posts: usize,
    pub resources: usize,
    pub members: usize,
    pub messages: usize,
}

/// Empties the indexes and writes them again from the forum, the library, the directory and
/// private messages, in batches. Run in a write transaction.
pub fn rebuild(conn: &mut DbConn) -> QueryResult<Rebuilt> {
    rebuild_showing(conn, crate::progress::Progress::Silent)
}

/// [`rebuild`], showing how far it has gone through the posts (the bulk of the work).
pub fn rebuild_showing(
    conn: &mut DbConn,
    progress: crate::progress::Progress,
) -> QueryResult<Rebuilt> {
    let posts: i64 = crate::schema::posts::table.count().get_result(conn)?;
    let mut stage = progress.stage("indexed", posts.max(0) as u64);
    let mut rebuilt = Rebuilt::default();
    for table in Table::ALL {
        Sql::for_conn(conn)
            .push(&format!("DELETE FROM {}", table.name()))
            .execute(conn)?;
    }
    let mut after: Option<PostId> = None;
    loop {
        let found = post_sources(conn, None, None, after, 2_000)?;
        let Some((last, ..)) = found.last() else {
            break;
        };
        after = Some(*last);
        let rows = post_rows(found);
        rebuilt.posts += rows.len();
        write(conn, Table::Posts, rows)?;
        stage.set(rebuilt.posts as u64);
    }
    stage.finish();
    rebuild_window(conn)?;
    let found = resource_sources(conn, None)?;
    let rows = resource_rows(conn, found)?;
    rebuilt.resources = rows.len();
    write(conn, Table::Resources, rows)?;
    let rows = member_rows(member_sources(conn, None)?);
    rebuilt.members = rows.len();
    write(conn, Table::Members, rows)?;
    let mut after: Option<MessageId> = None;
    loop {
        let found = message_sources(conn, None, after, 2_000)?;
        let Some((last, ..)) = found.last() else {
            break;
        };
        after = Some(*last);
        let rows = message_rows(found);
        rebuilt.messages += rows.len();
        write(conn, Table::Messages, rows)?;
    }
    for table in Table::ALL {
        let mut sql = Sql::for_conn(conn);
        let tidy = sql.full_text().tidy(table);
        sql.push(&tidy).execute(conn)?;
    }
    set_built(conn, VERSION)?;
    Ok(rebuilt)
}

#[derive(QueryableByName)]
struct State {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    built_version: i32,
}

fn built_version(conn: &mut DbConn) -> QueryResult<i32> {
    let rows: Vec<State> = Sql::for_conn(conn)
        .push("SELECT built_version FROM search_state WHERE id = 1")
        .load(conn)?;
    Ok(rows.first().map_or(0, |s| s.built_version))
}

fn set_built(conn: &mut DbConn, version: i32) -> QueryResult<()> {
    Sql::for_conn(conn)
        .push("UPDATE search_state SET built_version = ")
        .bind_int(i64::from(version))
        .push(" WHERE id = 1")
        .execute(conn)
        .map(|_| ())
}

/// Builds the index when it is behind this version of SPOT (after the migration that
/// adds it, or a change to what it holds); returns what was rebuilt, if anything. Several
/// app nodes starting at once take turns, and only the first rebuilds.
pub fn ensure_built(conn: &mut DbConn) -> QueryResult<Option<Rebuilt>> {
    if built_version(conn)? >= VERSION {
        return Ok(None);
    }
    conn.write_transaction(|tx| {
        tx.serialize_on("search-rebuild")?;
        let conn: &mut DbConn = tx;
        if built_version(conn)? >= VERSION {
            return Ok(None);
        }
        rebuild(conn).map(Some)
    })
}
