//! Posts: replying, editing, deleting one's own, marking helpful, and reading a thread a
//! page at a time.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel::IntoSql;

use crate::notifications::{events, watches};

use super::categories::{self, Category};
use super::mentions;
use super::threads::{self, Thread};
use super::values::{PostBody, ThreadTitle};
use crate::accounts::members::Viewer;
use crate::accounts::{Borough, Role, StaffLevel};
use crate::db::{DbConn, MemberId, PostId, ResourceId, ThreadId};
use crate::guard::Verdict;
use crate::holds::{self, Held, Hold, HoldKind, HoldStatus, NewHold};
use crate::markdown::{self, SafeHtml};
use crate::rules::RuleError;
use crate::schema::{
    helpful_marks, members, post_mentions, post_revisions, posts, threads as threads_table,
};

/// Posts per page of a thread. Page N holds positions (N-1)·30+1 to N·30, so a post's
/// page never changes and links to it stay good.
pub const PER_PAGE: i32 = 30;

pub fn page_of(position: i32) -> i32 {
    (position - 1).max(0) / PER_PAGE + 1
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = posts)]
pub struct Post {
    pub id: PostId,
    pub thread_id: ThreadId,
    pub author_id: MemberId,
    pub position: i32,
    pub reply_to_id: Option<PostId>,
    pub body_source: String,
    pub body_html: SafeHtml,
    pub helpful_count: i32,
    pub created_at: NaiveDateTime,
    pub edited_at: Option<NaiveDateTime>,
    pub deleted_at: Option<NaiveDateTime>,
    pub hidden_at: Option<NaiveDateTime>,
    pub hidden_by: Option<MemberId>,
    pub hidden_reason: Option<String>,
    pub held_at: Option<NaiveDateTime>,
    /// A facilitator removed its text everywhere (see [`super::purge`]).
    pub purged_at: Option<NaiveDateTime>,
}

impl Post {
    /// Shown to everyone: neither hidden by a facilitator, removed by its author, nor
    /// purged.
    pub fn is_visible(&self) -> bool {
        self.hidden_at.is_none() && self.deleted_at.is_none() && self.purged_at.is_none()
    }

    /// Held by the patient-data guard: only its author and the facilitators know of it.
    pub fn is_held(&self) -> bool {
        self.held_at.is_some()
    }

    /// May this viewer know the post exists? Everyone may, unless it is held.
    pub fn known_to(&self, viewer: Option<&Viewer>) -> bool {
        !self.is_held() || viewer.is_some_and(|v| v.id == self.author_id || v.staff.can_moderate())
    }
}

/// Who wrote something, with what everyone should see beside their name.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = members)]
pub struct Author {
    pub id: MemberId,
    pub display_name: String,
    pub role: Role,
    pub borough: Borough,
    pub staff: StaffLevel,
}

pub fn find(conn: &mut DbConn, id: PostId) -> QueryResult<Post> {
    posts::table.find(id).select(Post::as_select()).first(conn)
}

/// Stores a post (mentions linked, Markdown cooked once) at a position already reserved;
/// a held one is hidden until a facilitator approves it.
#[allow(clippy::too_many_arguments)]
pub(super) fn insert(
    conn: &mut DbConn,
    thread: ThreadId,
    author: MemberId,
    position: i32,
    reply_to: Option<PostId>,
    body: &PostBody,
    verdict: Verdict,
    now: NaiveDateTime,
) -> QueryResult<PostId> {
    let held = verdict.holds().then_some(now);
    let (linked, mentioned) = mentions::link_mentions(conn, body.as_str())?;
    let id: PostId = diesel::insert_into(posts::table)
        .values((
            posts::thread_id.eq(thread),
            posts::author_id.eq(author),
            posts::position.eq(position),
            posts::reply_to_id.eq(reply_to),
            posts::body_source.eq(body.as_str()),
            posts::body_html.eq(markdown::cook(&linked)),
            posts::helpful_count.eq(0),
            posts::created_at.eq(now),
            posts::held_at.eq(held),
            posts::hidden_at.eq(held),
        ))
        .returning(posts::id)
        .get_result(conn)?;
    record_mentions(conn, id, &mentioned)?;
    crate::search::index::post(conn, id)?;
    Ok(id)
}

/// Remembers who a post has mentioned. Rows are kept when an edit takes a mention out,
/// so that putting it back does not tell the member again: each is told once a post.
fn record_mentions(conn: &mut DbConn, post: PostId, mentioned: &[MemberId]) -> QueryResult<()> {
    let already: Vec<MemberId> = post_mentions::table
        .filter(post_mentions::post_id.eq(post))
        .select(post_mentions::member_id)
        .load(conn)?;
    // One row at a time: diesel's multi-engine connection has no batch insert, and a post
    // mentions few people.
    for member in mentioned.iter().filter(|m| !already.contains(m)) {
        diesel::insert_into(post_mentions::table)
            .values((
                post_mentions::post_id.eq(post),
                post_mentions::member_id.eq(*member),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A thread with its category, checked readable by the viewer.
pub fn readable_thread(
    conn: &mut DbConn,
    viewer: Option<&Viewer>,
    id: ThreadId,
) -> Result<(Thread, Category), RuleError> {
    let thread = threads::find(conn, id)?;
    if !thread.known_to(viewer) {
        return Err(RuleError::NotFound);
    }
    let category = categories::find(conn, thread.category_id)?;
    if !categories::can_read(conn, &category, viewer)? {
        return Err(RuleError::forbidden(if viewer.is_some() {
            "This thread is in a private space."
        } else {
            "Sign in to read this thread."
        }));
    }
    Ok((thread, category))
}

/// A post with its thread, checked readable by the viewer.
pub fn with_thread(
    conn: &mut DbConn,
    viewer: &Viewer,
    id: PostId,
) -> Result<(Post, Thread), RuleError> {
    let post = find(conn, id)?;
    if !post.known_to(Some(viewer)) {
        return Err(RuleError::NotFound);
    }
    let (thread, _) = readable_thread(conn, Some(viewer), post.thread_id)?;
    Ok((post, thread))
}

/// A post its author is about to edit, with its thread: refused to anyone else, and once
/// a facilitator has purged its text (editing could only put the text back).
pub fn edit_target(
    conn: &mut DbConn,
    viewer: &Viewer,
    id: PostId,
) -> Result<(Post, Thread), RuleError> {
    let (post, thread) = with_thread(conn, viewer, id)?;
    if post.author_id != viewer.id {
        return Err(RuleError::forbidden("You can only edit your own posts."));
    }
    if post.purged_at.is_some() {
        return Err(RuleError::forbidden(PURGED_NOT_EDITED));
    }
    Ok((post, thread))
}

const PURGED_NOT_EDITED: &str = "A facilitator removed this post's text because it contained personal details, so it cannot be edited.";

/// The thread a member is about to reply to, refused when it is locked, and what the reply
/// page shows of the post they answer (`to`, which must be in the thread).
pub fn reply_target(
    conn: &mut DbConn,
    viewer: &Viewer,
    id: ThreadId,
    to: Option<PostId>,
) -> Result<(Thread, Option<Quote>), RuleError> {
    let (thread, _) = readable_thread(conn, Some(viewer), id)?;
    let quote = match to {
        Some(to) => {
            let post = find(conn, to)?;
            if post.thread_id != id || !post.known_to(Some(viewer)) {
                return Err(RuleError::NotFound);
            }
            let author = crate::accounts::members::find(conn, post.author_id)?.display_name;
            // Hidden, removed and purged posts are not quoted: that would undo the hiding.
            let visible = post.is_visible();
            Some(Quote {
                id: post.id,
                author,
                excerpt: if visible {
                    markdown::excerpt(&post.body_source, 300)
                } else {
                    String::new()
                },
                visible,
            })
        }
        None => None,
    };
    if thread.locked {
        return Err(RuleError::forbidden(
            "This thread is locked: it takes no more replies.",
        ));
    }
    Ok((thread, quote))
}

/// Adds a reply at the end of a thread. Run in a write transaction. A held reply takes its
/// place but is counted and announced only when a facilitator approves it.
pub fn reply(
    conn: &mut DbConn,
    viewer: &Viewer,
    thread_id: ThreadId,
    reply_to: Option<PostId>,
    body: &PostBody,
    verdict: Verdict,
    now: NaiveDateTime,
) -> Result<PostId, RuleError> {
    let (thread, category) = readable_thread(conn, Some(viewer), thread_id)?;
    if thread.locked {
        return Err(RuleError::forbidden(
            "This thread is locked: it takes no more replies.",
        ));
    }
    if category.archived {
        return Err(RuleError::forbidden(
            "This category is archived: its threads take no more replies.",
        ));
    }
    if let Some(answered) = reply_to {
        let in_thread: Option<ThreadId> = posts::table
            .find(answered)
            .select(posts::thread_id)
            .first(conn)
            .optional()?;
        if in_thread != Some(thread_id) {
            return Err(RuleError::Invalid(
                "body",
                "The post you are answering is not in this thread".into(),
            ));
        }
    }
    // Taking the next position updates the thread row first: on PostgreSQL that row lock
    // queues concurrent replies; on SQLite the write transaction already holds the lock.
    let position: i32 = diesel::update(threads_table::table.find(thread_id))
        .set(threads_table::last_position.eq(threads_table::last_position + 1))
        .returning(threads_table::last_position)
        .get_result(conn)?;
    let id = insert(
        conn, thread_id, viewer.id, position, reply_to, body, verdict, now,
    )?;
    threads::mark_read(conn, viewer.id, thread_id, position)?;
    if verdict.holds() {
        let hold = NewHold {
            held: Held::Post(id),
            author: viewer.id,
            fresh: true,
            hid: true,
            pending_text: None,
        };
        holds::hold(conn, &hold, now)?;
    } else {
        announce_reply(conn, viewer, &thread, &category, id, reply_to, now)?;
    }
    Ok(id)
}

/// A reply becomes part of the thread: counted, and its readers told.
fn announce_reply(
    conn: &mut DbConn,
    author: &Viewer,
    thread: &Thread,
    category: &Category,
    id: PostId,
    reply_to: Option<PostId>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(threads_table::table.find(thread.id))
        .set((
            threads_table::post_count.eq(threads_table::post_count + 1),
            threads_table::last_post_at.eq(now),
            threads_table::last_poster_id.eq(author.id),
        ))
        .execute(conn)?;
    categories::count_new_reply(conn, thread.category_id, now)?;
    events::reply_added(
        conn,
        author,
        category,
        thread.author_id,
        events::PostInThread {
            thread: thread.id,
            title: &thread.title,
            post: id,
        },
        reply_to,
        now,
    )
}

/// The author rewrites their post; the previous text is kept for facilitators. A held post
/// keeps no history (its text was never published), and, when it starts a held thread, may
/// have its title changed too. An edit the guard holds takes the post out of sight until a
/// facilitator approves it; a clean edit of a held post publishes it: its author took out
/// what the guard found.
pub fn edit(
    conn: &mut DbConn,
    viewer: &Viewer,
    post_id: PostId,
    change: &PostEdit,
    verdict: Verdict,
    now: NaiveDateTime,
) -> Result<Post, RuleError> {
    let post = find(conn, post_id)?;
    if post.author_id != viewer.id {
        return Err(RuleError::forbidden("You can only edit your own posts."));
    }
    if post.deleted_at.is_some() {
        return Err(RuleError::forbidden(
            "This post was removed, so it cannot be edited.",
        ));
    }
    if post.purged_at.is_some() {
        return Err(RuleError::forbidden(PURGED_NOT_EDITED));
    }
    let (thread, category) = readable_thread(conn, Some(viewer), post.thread_id)?;
    if thread.locked {
        return Err(RuleError::forbidden(
            "This thread is locked: its posts cannot be edited.",
        ));
    }
    let retitled = change
        .title
        .as_ref()
        .filter(|title| post.position == 1 && thread.is_held() && title.as_str() != thread.title);
    let unchanged = post.body_source == change.body.as_str() && retitled.is_none();
    if unchanged && !post.is_held() {
        return Ok(post);
    }
    if let Some(title) = retitled {
        diesel::update(threads_table::table.find(thread.id))
            .set(threads_table::title.eq(title.as_str()))
            .execute(conn)?;
    }
    if !post.is_held() {
        diesel::insert_into(post_revisions::table)
            .values((
                post_revisions::post_id.eq(post.id),
                post_revisions::body_source.eq(&post.body_source),
                post_revisions::body_html.eq(&post.body_html),
                post_revisions::written_at.eq(post.edited_at.unwrap_or(post.created_at)),
            ))
            .execute(conn)?;
    }
    let (linked, mentioned) = mentions::link_mentions(conn, change.body.as_str())?;
    diesel::update(posts::table.find(post.id))
        .set((
            posts::body_source.eq(change.body.as_str()),
            posts::body_html.eq(markdown::cook(&linked)),
            posts::edited_at.eq(if post.is_held() {
                post.edited_at
            } else {
                Some(now)
            }),
        ))
        .execute(conn)?;
    let open = holds::open_on(conn, Held::Post(post.id), viewer.id)?;
    match (open, verdict) {
        (None, Verdict::Publish) => {
            announce_mentions(conn, viewer, &category, &thread, post.id, &mentioned, now)?;
        }
        (None, Verdict::Hold) => {
            diesel::update(posts::table.find(post.id))
                .set((
                    posts::held_at.eq(now),
                    posts::hidden_at.eq(post.hidden_at.unwrap_or(now)),
                ))
                .execute(conn)?;
            let hold = NewHold::on_edit(
                Held::Post(post.id),
                viewer.id,
                None,
                post.hidden_at.is_some(),
            );
            holds::hold(conn, &hold, now)?;
        }
        (Some(open), verdict) => {
            // A new post's mentions are announced when it is published, so they are kept
            // as it changes; an edited one's are compared then with those before the hold.
            if open.fresh {
                record_mentions(conn, post.id, &mentioned)?;
            }
            if verdict.holds() {
                let again = NewHold::on_edit(Held::Post(post.id), viewer.id, Some(&open), true);
                holds::hold(conn, &again, now)?;
            } else {
                release_held(conn, &open, now)?;
                holds::close(
                    conn,
                    open.id,
                    HoldStatus::Corrected,
                    Some(viewer.id),
                    "",
                    now,
                )?;
            }
        }
    }
    crate::search::index::post(conn, post.id)?;
    Ok(find(conn, post.id)?)
}

/// What an author's edit changes: the text, and the title when the post starts a held
/// thread.
pub struct PostEdit {
    pub title: Option<ThreadTitle>,
    pub body: PostBody,
}

/// A held post (or a held thread's first post) is published: shown, counted, indexed, and
/// announced to those who would have heard of it when it was written.
pub(crate) fn release_held(
    conn: &mut DbConn,
    hold: &Hold,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    let post = find(conn, hold.post_id.ok_or(RuleError::NotFound)?)?;
    let thread = threads::find(conn, post.thread_id)?;
    let category = categories::find(conn, thread.category_id)?;
    let author = Viewer::from(&crate::accounts::members::find(conn, post.author_id)?);
    diesel::update(posts::table.find(post.id))
        .set(posts::held_at.eq(None::<NaiveDateTime>))
        .execute(conn)?;
    if hold.hid {
        diesel::update(posts::table.find(post.id))
            .set(posts::hidden_at.eq(None::<NaiveDateTime>))
            .execute(conn)?;
    }
    if hold.kind == HoldKind::Thread {
        threads::release(conn, &author, &thread, &category, post.id, now)?;
    } else if hold.fresh {
        announce_reply(
            conn,
            &author,
            &thread,
            &category,
            post.id,
            post.reply_to_id,
            now,
        )?;
    } else {
        let (_, mentioned) = mentions::link_mentions(conn, &post.body_source)?;
        announce_mentions(conn, &author, &category, &thread, post.id, &mentioned, now)?;
    }
    crate::search::index::post(conn, post.id)?;
    Ok(())
}

/// An edited post names these members: those it did not name before are told.
fn announce_mentions(
    conn: &mut DbConn,
    author: &Viewer,
    category: &Category,
    thread: &Thread,
    post: PostId,
    mentioned: &[MemberId],
    now: NaiveDateTime,
) -> QueryResult<()> {
    let before = events::mentions_of(conn, post)?;
    record_mentions(conn, post, mentioned)?;
    events::mentions_added(
        conn,
        author,
        category,
        events::PostInThread {
            thread: thread.id,
            title: &thread.title,
            post,
        },
        &before,
        now,
    )
}

/// A facilitator takes the identifying details out of a held post (and its thread's
/// title): the text is replaced without keeping the original anywhere, in history or index.
pub(crate) fn redact_held(
    conn: &mut DbConn,
    hold: &Hold,
    title: Option<&ThreadTitle>,
    body: &PostBody,
) -> Result<(), RuleError> {
    let post = find(conn, hold.post_id.ok_or(RuleError::NotFound)?)?;
    if let Some(title) = title.filter(|_| hold.kind == HoldKind::Thread) {
        diesel::update(threads_table::table.find(post.thread_id))
            .set(threads_table::title.eq(title.as_str()))
            .execute(conn)?;
    }
    let (linked, _) = mentions::link_mentions(conn, body.as_str())?;
    diesel::update(posts::table.find(post.id))
        .set((
            posts::body_source.eq(body.as_str()),
            posts::body_html.eq(markdown::cook(&linked)),
        ))
        .execute(conn)?;
    Ok(())
}

/// A held post (or thread) that was returned to its author and never corrected, after the
/// retention period: its held words go. A new thread goes altogether (nobody else ever
/// saw it); a new reply is emptied and shows its author "removed"; a held edit is undone,
/// the post reading again as it did before (that text was published already). The search
/// index follows.
pub(crate) fn discard_held(conn: &mut DbConn, hold: &Hold, now: NaiveDateTime) -> QueryResult<()> {
    let Some(post) = hold
        .post_id
        .map(|id| find(conn, id))
        .transpose()
        .or_else(gone)?
    else {
        return Ok(());
    };
    let thread = threads::find(conn, post.thread_id)?;
    if hold.kind == HoldKind::Thread && thread.is_held() {
        let ids: Vec<PostId> = posts::table
            .filter(posts::thread_id.eq(thread.id))
            .select(posts::id)
            .load(conn)?;
        diesel::delete(threads_table::table.find(thread.id)).execute(conn)?;
        categories::recount(conn, thread.category_id)?;
        for id in ids {
            crate::search::index::post(conn, id)?;
        }
        return Ok(());
    }
    let before: Option<(i64, String, String, NaiveDateTime)> = if hold.fresh {
        None
    } else {
        post_revisions::table
            .filter(post_revisions::post_id.eq(post.id))
            .order(post_revisions::id.desc())
            .select((
                post_revisions::id,
                post_revisions::body_source,
                post_revisions::body_html,
                post_revisions::written_at,
            ))
            .first(conn)
            .optional()?
    };
    match before {
        Some((revision, source, html, written_at)) => {
            diesel::update(posts::table.find(post.id))
                .set((
                    posts::body_source.eq(source),
                    posts::body_html.eq(html),
                    posts::edited_at.eq((written_at != post.created_at).then_some(written_at)),
                    posts::held_at.eq(None::<NaiveDateTime>),
                ))
                .execute(conn)?;
            if hold.hid {
                diesel::update(posts::table.find(post.id))
                    .set(posts::hidden_at.eq(None::<NaiveDateTime>))
                    .execute(conn)?;
            }
            diesel::delete(post_revisions::table.find(revision)).execute(conn)?;
        }
        None => {
            diesel::update(posts::table.find(post.id))
                .set((
                    posts::body_source.eq(""),
                    posts::body_html.eq(SafeHtml::default()),
                    posts::deleted_at.eq(post.deleted_at.unwrap_or(now)),
                ))
                .execute(conn)?;
            diesel::delete(post_mentions::table.filter(post_mentions::post_id.eq(post.id)))
                .execute(conn)?;
        }
    }
    crate::search::index::post(conn, post.id)
}

/// A row that has gone already reads as nothing to do.
fn gone<T>(error: diesel::result::Error) -> QueryResult<Option<T>> {
    match error {
        diesel::result::Error::NotFound => Ok(None),
        other => Err(other),
    }
}

/// The author removes their post: it shows as "removed by its author"; facilitators can
/// still read it.
pub fn delete_own(
    conn: &mut DbConn,
    viewer: &Viewer,
    post_id: PostId,
    now: NaiveDateTime,
) -> Result<Post, RuleError> {
    let post = find(conn, post_id)?;
    if post.author_id != viewer.id {
        return Err(RuleError::forbidden("You can only remove your own posts."));
    }
    if post.deleted_at.is_none() {
        diesel::update(posts::table.find(post.id))
            .set(posts::deleted_at.eq(now))
            .execute(conn)?;
        crate::search::index::post(conn, post.id)?;
        // Nothing is left for a facilitator to decide: the post stays out of sight.
        if let Some(open) = holds::open_on(conn, Held::Post(post.id), viewer.id)? {
            holds::close(
                conn,
                open.id,
                HoldStatus::Withdrawn,
                Some(viewer.id),
                "",
                now,
            )?;
        }
    }
    Ok(post)
}

/// One "helpful" per member per post; not on one's own.
pub fn set_helpful(
    conn: &mut DbConn,
    viewer: &Viewer,
    post_id: PostId,
    helpful: bool,
    now: NaiveDateTime,
) -> Result<Post, RuleError> {
    let post = find(conn, post_id)?;
    if !post.known_to(Some(viewer)) {
        return Err(RuleError::NotFound);
    }
    readable_thread(conn, Some(viewer), post.thread_id)?;
    if post.author_id == viewer.id {
        return Err(RuleError::forbidden(
            "You cannot mark your own post as helpful.",
        ));
    }
    let mark = helpful_marks::table
        .filter(helpful_marks::post_id.eq(post_id))
        .filter(helpful_marks::member_id.eq(viewer.id));
    let marked: bool = diesel::select(diesel::dsl::exists(mark)).get_result(conn)?;
    if helpful && !marked {
        diesel::insert_into(helpful_marks::table)
            .values((
                helpful_marks::post_id.eq(post_id),
                helpful_marks::member_id.eq(viewer.id),
                helpful_marks::created_at.eq(now),
            ))
            .execute(conn)?;
    } else if !helpful && marked {
        diesel::delete(mark).execute(conn)?;
    } else {
        return Ok(post);
    }
    let count: i64 = helpful_marks::table
        .filter(helpful_marks::post_id.eq(post_id))
        .count()
        .get_result(conn)?;
    diesel::update(posts::table.find(post_id))
        .set(posts::helpful_count.eq(count as i32))
        .execute(conn)?;
    Ok(post)
}

/// What a reply shows of the post it answers.
#[derive(Debug, Clone)]
pub struct Quote {
    pub id: PostId,
    pub author: String,
    pub excerpt: String,
    pub visible: bool,
}

/// A post as a thread page shows it.
#[derive(Debug, Clone)]
pub struct PostView {
    pub post: Post,
    pub author: Author,
    pub quote: Option<Quote>,
    /// Replies that answer this post: (reply, its author's name).
    pub replies: Vec<(PostId, String)>,
    pub marked_helpful: bool,
    pub revisions: i64,
    /// Resources from the library that the post links to.
    pub resources: Vec<crate::resources::library::ResourceCard>,
}

#[derive(Debug, Clone)]
pub struct ThreadPage {
    pub thread: Thread,
    pub category: Category,
    pub posts: Vec<PostView>,
    pub page: i32,
    pub last_page: i32,
}

/// Who may see held posts in a query: the viewer's own (by id), or all (facilitators).
/// The filter is `held_at IS NULL OR author_id = own OR all`.
fn held_seen_by(viewer: Option<&Viewer>) -> (MemberId, bool) {
    match viewer {
        Some(viewer) => (viewer.id, viewer.staff.can_moderate()),
        None => (MemberId(-1), false),
    }
}

/// One page of a thread in a fixed number of queries, whatever its length.
pub fn thread_page(
    conn: &mut DbConn,
    viewer: Option<&Viewer>,
    thread_id: ThreadId,
    page: i32,
) -> Result<ThreadPage, RuleError> {
    let (thread, category) = readable_thread(conn, viewer, thread_id)?;
    let (own_held, all_held) = held_seen_by(viewer);
    let mut last_page = page_of(thread.last_position.max(1));
    if last_page > 1 && !all_held {
        // Held posts at the end keep places others do not see: a page of nothing but
        // held posts is no page for them.
        let last_known: Option<i32> = posts::table
            .filter(posts::thread_id.eq(thread_id))
            .filter(posts::held_at.is_null().or(posts::author_id.eq(own_held)))
            .select(diesel::dsl::max(posts::position))
            .first(conn)?;
        last_page = page_of(last_known.unwrap_or(1));
    }
    if page > last_page {
        return Err(RuleError::NotFound);
    }
    let first = (page - 1) * PER_PAGE + 1;
    let last = page * PER_PAGE;
    let rows: Vec<(Post, Author)> = posts::table
        .inner_join(members::table.on(members::id.eq(posts::author_id)))
        .filter(posts::thread_id.eq(thread_id))
        .filter(posts::position.between(first, last))
        .filter(
            posts::held_at
                .is_null()
                .or(posts::author_id.eq(own_held))
                .or(all_held.into_sql::<Bool>()),
        )
        .order(posts::position.asc())
        .select((Post::as_select(), Author::as_select()))
        .load(conn)?;
    let ids: Vec<PostId> = rows.iter().map(|(p, _)| p.id).collect();
    let answered: Vec<PostId> = rows.iter().filter_map(|(p, _)| p.reply_to_id).collect();

    let quotes: HashMap<PostId, Quote> = posts::table
        .inner_join(members::table.on(members::id.eq(posts::author_id)))
        .filter(posts::id.eq_any(&answered))
        .select((
            posts::id,
            members::display_name,
            posts::body_source,
            posts::hidden_at,
            posts::deleted_at,
            posts::purged_at,
        ))
        .load::<(
            PostId,
            String,
            String,
            Option<NaiveDateTime>,
            Option<NaiveDateTime>,
            Option<NaiveDateTime>,
        )>(conn)?
        .into_iter()
        .map(|(id, author, source, hidden, deleted, purged)| {
            let visible = hidden.is_none() && deleted.is_none() && purged.is_none();
            (
                id,
                Quote {
                    id,
                    author,
                    excerpt: if visible {
                        markdown::excerpt(&source, 160)
                    } else {
                        String::new()
                    },
                    visible,
                },
            )
        })
        .collect();

    let mut replies: HashMap<PostId, Vec<(PostId, String)>> = HashMap::new();
    for (reply, answered, author) in posts::table
        .inner_join(members::table.on(members::id.eq(posts::author_id)))
        .filter(posts::reply_to_id.eq_any(&ids))
        .filter(
            posts::held_at
                .is_null()
                .or(posts::author_id.eq(own_held))
                .or(all_held.into_sql::<Bool>()),
        )
        .order(posts::position.asc())
        .select((posts::id, posts::reply_to_id, members::display_name))
        .load::<(PostId, Option<PostId>, String)>(conn)?
    {
        if let Some(answered) = answered {
            replies.entry(answered).or_default().push((reply, author));
        }
    }

    let helpful: Vec<PostId> = match viewer {
        Some(viewer) => helpful_marks::table
            .filter(helpful_marks::member_id.eq(viewer.id))
            .filter(helpful_marks::post_id.eq_any(&ids))
            .select(helpful_marks::post_id)
            .load(conn)?,
        None => Vec::new(),
    };

    let edited: Vec<PostId> = rows
        .iter()
        .filter(|(p, _)| p.edited_at.is_some())
        .map(|(p, _)| p.id)
        .collect();
    let revisions: HashMap<PostId, i64> = if edited.is_empty() {
        HashMap::new()
    } else {
        post_revisions::table
            .filter(post_revisions::post_id.eq_any(&edited))
            .group_by(post_revisions::post_id)
            .select((post_revisions::post_id, diesel::dsl::count_star()))
            .load::<(PostId, i64)>(conn)?
            .into_iter()
            .collect()
    };

    let linked: Vec<(PostId, Vec<ResourceId>)> = rows
        .iter()
        .filter(|(post, _)| post.is_visible())
        .map(|(post, _)| (post.id, linked_resources(post.body_html.as_str())))
        .filter(|(_, ids)| !ids.is_empty())
        .collect();
    let all_linked: Vec<ResourceId> = linked
        .iter()
        .flat_map(|(_, ids)| ids.iter().copied())
        .collect();
    let cards = if all_linked.is_empty() {
        HashMap::new()
    } else {
        crate::resources::library::cards(conn, viewer, &all_linked)?
    };
    let mut cards_of: HashMap<PostId, Vec<crate::resources::library::ResourceCard>> = linked
        .into_iter()
        .map(|(post, ids)| {
            (
                post,
                ids.iter().filter_map(|id| cards.get(id).cloned()).collect(),
            )
        })
        .collect();

    let posts = rows
        .into_iter()
        .map(|(post, author)| PostView {
            resources: cards_of.remove(&post.id).unwrap_or_default(),
            quote: post.reply_to_id.and_then(|id| quotes.get(&id).cloned()),
            replies: replies.remove(&post.id).unwrap_or_default(),
            marked_helpful: helpful.contains(&post.id),
            revisions: revisions.get(&post.id).copied().unwrap_or(0),
            post,
            author,
        })
        .collect();
    Ok(ThreadPage {
        thread,
        category,
        posts,
        page,
        last_page,
    })
}

/// What the thread page shows its viewer: a page of posts (marked read up to its last),
/// whether the viewer moderates here and the categories they may move the thread to, and
/// whether the viewer watches it.
pub struct ThreadView {
    pub page: ThreadPage,
    pub moderates: bool,
    pub categories: Vec<Category>,
    pub watching: Option<bool>,
}

pub fn thread_view(
    conn: &mut DbConn,
    viewer: Option<&Viewer>,
    id: ThreadId,
    page: i32,
) -> Result<ThreadView, RuleError> {
    let page = thread_page(conn, viewer, id, page)?;
    if let (Some(viewer), Some(last)) = (viewer, page.posts.last()) {
        threads::mark_read(conn, viewer.id, id, last.post.position)?;
    }
    let (moderates, categories) = match viewer.filter(|v| v.staff.can_moderate()) {
        Some(viewer) => {
            let scope = super::scope::ModerationScope::of(conn, viewer)?;
            let moderates = scope.covers(page.thread.category_id);
            let categories = categories::all(conn)?
                .into_iter()
                .filter(|category| moderates && scope.covers(category.id))
                .collect();
            (moderates, categories)
        }
        None => (false, Vec::new()),
    };
    let watching = viewer
        .map(|viewer| watches::watches_thread(conn, viewer.id, id))
        .transpose()?;
    Ok(ThreadView {
        page,
        moderates,
        categories,
        watching,
    })
}

/// The library resources a cooked post links to (`/resources/N`), each once.
fn linked_resources(html: &str) -> Vec<ResourceId> {
    static PATTERN: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let pattern = PATTERN.get_or_init(|| {
        regex::Regex::new(r#"href="(?:https?://[^/"]+)?/resources/(\d+)""#)
            .expect("pattern compiles")
    });
    let mut ids: Vec<ResourceId> = Vec::new();
    for captures in pattern.captures_iter(html) {
        if let Ok(id) = captures[1].parse() {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids.truncate(5);
    ids
}

/// Where a post is: its thread and page, for links that jump to it.
pub fn locate(
    conn: &mut DbConn,
    viewer: Option<&Viewer>,
    post_id: PostId,
) -> Result<(ThreadId, i32), RuleError> {
    let post = find(conn, post_id)?;
    if !post.known_to(viewer) {
        return Err(RuleError::NotFound);
    }
    readable_thread(conn, viewer, post.thread_id)?;
    Ok((post.thread_id, page_of(post.position)))
}

/// The first post the member has not read, or the last post when all are read.
pub fn first_unread(
    conn: &mut DbConn,
    viewer: &Viewer,
    thread_id: ThreadId,
) -> Result<(PostId, i32), RuleError> {
    let (thread, _) = readable_thread(conn, Some(viewer), thread_id)?;
    let read = threads::read_position(conn, viewer.id, thread_id)?;
    let target = if read >= thread.last_position {
        thread.last_position
    } else {
        read + 1
    };
    let (id, position): (PostId, i32) = posts::table
        .filter(posts::thread_id.eq(thread_id))
        .filter(posts::position.ge(target))
        .filter(posts::held_at.is_null().or(posts::author_id.eq(viewer.id)))
        .order(posts::position.asc())
        .select((posts::id, posts::position))
        .first(conn)
        .or_else(|_| {
            posts::table
                .filter(posts::thread_id.eq(thread_id))
                .filter(posts::held_at.is_null().or(posts::author_id.eq(viewer.id)))
                .order(posts::position.desc())
                .select((posts::id, posts::position))
                .first(conn)
        })?;
    Ok((id, page_of(position)))
}

/// A post as it would read once saved, saving nothing: mentions linked, Markdown cooked and
/// cleaned as [`insert`] does, and what the patient-data guard would ask the author about.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Preview {
    pub html: SafeHtml,
    pub concerns: Vec<String>,
}

pub fn preview(conn: &mut DbConn, body: &PostBody) -> QueryResult<Preview> {
    let (linked, _) = mentions::link_mentions(conn, body.as_str())?;
    let concerns = match crate::guard::verdict(&[("post", body.as_str())], false) {
        Ok(_) => Vec::new(),
        Err(concerns) => concerns.0,
    };
    Ok(Preview {
        html: markdown::cook(&linked),
        concerns,
    })
}

/// Replies others have added to a thread after a post the viewer has on screen, that the
/// viewer may read: not held, hidden, removed or purged. `link` jumps to the first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Newer {
    pub count: i64,
    pub link: Option<String>,
}

pub fn newer(
    conn: &mut DbConn,
    viewer: Option<&Viewer>,
    thread_id: ThreadId,
    after: PostId,
) -> Result<Newer, RuleError> {
    readable_thread(conn, viewer, thread_id)?;
    let after = find(conn, after)?;
    if after.thread_id != thread_id || !after.known_to(viewer) {
        return Err(RuleError::NotFound);
    }
    let (own, _) = held_seen_by(viewer);
    let fresh = || {
        posts::table
            .filter(posts::thread_id.eq(thread_id))
            .filter(posts::position.gt(after.position))
            .filter(posts::author_id.ne(own))
            .filter(posts::held_at.is_null())
            .filter(posts::hidden_at.is_null())
            .filter(posts::deleted_at.is_null())
            .filter(posts::purged_at.is_null())
    };
    let count: i64 = fresh().count().get_result(conn)?;
    let first: Option<PostId> = fresh()
        .order(posts::position.asc())
        .select(posts::id)
        .first(conn)
        .optional()?;
    Ok(Newer {
        count,
        link: first.map(|id| format!("/posts/{id}")),
    })
}

/// Earlier versions of an edited post, oldest first (facilitators only).
pub fn revisions(
    conn: &mut DbConn,
    viewer: &Viewer,
    post_id: PostId,
) -> Result<(Post, Vec<(NaiveDateTime, SafeHtml)>), RuleError> {
    if !viewer.staff.can_moderate() {
        return Err(RuleError::forbidden(
            "Only facilitators can see earlier versions of posts.",
        ));
    }
    let post = find(conn, post_id)?;
    let earlier = post_revisions::table
        .filter(post_revisions::post_id.eq(post_id))
        .order(post_revisions::id.asc())
        .select((post_revisions::written_at, post_revisions::body_html))
        .load(conn)?;
    Ok((post, earlier))
}

#[cfg(test)]
mod tests {
    use super::page_of;

    #[test]
    fn pages_hold_thirty_positions() {
        assert_eq!(page_of(1), 1);
        assert_eq!(page_of(30), 1);
        assert_eq!(page_of(31), 2);
        assert_eq!(page_of(1000), 34);
    }
}
