//! Threads: starting one, listing a category's, finding one.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::categories::Category;
use super::posts::{self, Author};
use super::values::{PostBody, ThreadTitle};
use crate::accounts::members::Viewer;
use crate::db::paging::{PageNumber, Paged};
use crate::db::{CategoryId, DbConn, MemberId, PostId, ThreadId};
use crate::guard::Verdict;
use crate::holds::{self, Held, NewHold};
use crate::rules::RuleError;
use crate::schema::{categories, members, posts as posts_table, thread_reads, threads};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = threads)]
pub struct Thread {
    pub id: ThreadId,
    pub category_id: CategoryId,
    pub author_id: MemberId,
    pub title: String,
    pub pinned: bool,
    pub locked: bool,
    pub post_count: i32,
    pub last_position: i32,
    pub last_post_at: NaiveDateTime,
    pub last_poster_id: MemberId,
    pub created_at: NaiveDateTime,
    pub held_at: Option<NaiveDateTime>,
}

impl Thread {
    /// Started with a title or first post the patient-data guard holds: only its author
    /// and the facilitators know of it until a facilitator approves it.
    pub fn is_held(&self) -> bool {
        self.held_at.is_some()
    }

    pub fn known_to(&self, viewer: Option<&Viewer>) -> bool {
        !self.is_held() || viewer.is_some_and(|v| v.id == self.author_id || v.staff.can_moderate())
    }

    pub fn reply_count(&self) -> i32 {
        (self.post_count - 1).max(0)
    }
}

pub fn find(conn: &mut DbConn, id: ThreadId) -> QueryResult<Thread> {
    threads::table
        .find(id)
        .select(Thread::as_select())
        .first(conn)
}

/// Starts a thread with its first post; returns the thread. A held thread is saved but
/// listed, counted and announced only when a facilitator approves it.
pub fn start(
    conn: &mut DbConn,
    viewer: &Viewer,
    category: &Category,
    title: &ThreadTitle,
    body: &PostBody,
    verdict: Verdict,
    now: NaiveDateTime,
) -> Result<ThreadId, RuleError> {
    if !super::categories::can_read(conn, category, Some(viewer))? {
        return Err(RuleError::forbidden("This is a private space."));
    }
    category.can_start_thread(viewer)?;
    let thread: ThreadId = diesel::insert_into(threads::table)
        .values((
            threads::category_id.eq(category.id),
            threads::author_id.eq(viewer.id),
            threads::title.eq(title.as_str()),
            threads::pinned.eq(false),
            threads::locked.eq(false),
            threads::post_count.eq(1),
            threads::last_position.eq(1),
            threads::last_post_at.eq(now),
            threads::last_poster_id.eq(viewer.id),
            threads::created_at.eq(now),
            threads::held_at.eq(verdict.holds().then_some(now)),
        ))
        .returning(threads::id)
        .get_result(conn)?;
    let post = posts::insert(conn, thread, viewer.id, 1, None, body, verdict, now)?;
    mark_read(conn, viewer.id, thread, 1)?;
    if verdict.holds() {
        let hold = NewHold {
            held: Held::Thread(thread, post),
            author: viewer.id,
            fresh: true,
            hid: true,
            pending_text: None,
        };
        holds::hold(conn, &hold, now)?;
    } else {
        announce(conn, viewer, category, thread, title.as_str(), post, now)?;
    }
    Ok(thread)
}

/// A thread joins its category: counted, and its readers told.
fn announce(
    conn: &mut DbConn,
    author: &Viewer,
    category: &Category,
    thread: ThreadId,
    title: &str,
    post: PostId,
    now: NaiveDateTime,
) -> QueryResult<()> {
    super::categories::count_new_thread(conn, category.id, now)?;
    crate::notifications::events::thread_started(
        conn,
        author,
        category,
        crate::notifications::events::PostInThread {
            thread,
            title,
            post,
        },
        now,
    )
}

/// A held thread is approved: listed from now, as new activity.
pub(super) fn release(
    conn: &mut DbConn,
    author: &Viewer,
    thread: &Thread,
    category: &Category,
    post: PostId,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(threads::table.find(thread.id))
        .set((
            threads::held_at.eq(None::<NaiveDateTime>),
            threads::last_post_at.eq(now),
        ))
        .execute(conn)?;
    let title = find(conn, thread.id)?.title;
    announce(conn, author, category, thread.id, &title, post, now)
}

pub const PER_PAGE: i64 = 25;

/// A row of a category page.
#[derive(Debug, Clone)]
pub struct ThreadRow {
    pub thread: Thread,
    pub author: Author,
    pub last_poster: String,
    /// Posts the viewer has not read: `None` for visitors, `Some(0)` when all read.
    pub unread: Option<i32>,
}

/// One page of a category: pinned first, then latest activity. At most five queries whatever the
/// page size.
pub fn category_page(
    conn: &mut DbConn,
    category: CategoryId,
    viewer: Option<MemberId>,
    page: PageNumber,
) -> QueryResult<Paged<ThreadRow>> {
    // The kept count: counting a category of thousands of threads cost 13 ms a page on
    // PostgreSQL at scale 50.
    let total: i64 = categories::table
        .find(category)
        .select(categories::thread_count)
        .first(conn)?;
    let rows: Vec<(Thread, Author)> = threads::table
        .inner_join(members::table.on(members::id.eq(threads::author_id)))
        .filter(threads::category_id.eq(category))
        .filter(
            threads::held_at
                .is_null()
                .or(threads::author_id.eq(viewer.unwrap_or(MemberId(-1)))),
        )
        .order((
            threads::pinned.desc(),
            threads::last_post_at.desc(),
            threads::id.desc(),
        ))
        .limit(PER_PAGE)
        .offset(page.offset(PER_PAGE))
        .select((Thread::as_select(), Author::as_select()))
        .load(conn)?;
    let poster_ids: Vec<MemberId> = rows.iter().map(|(t, _)| t.last_poster_id).collect();
    let posters: HashMap<MemberId, String> = members::table
        .filter(members::id.eq_any(&poster_ids))
        .select((members::id, members::display_name))
        .load::<(MemberId, String)>(conn)?
        .into_iter()
        .collect();
    let unread = match viewer {
        Some(member) => unread_counts(conn, member, &rows)?,
        None => HashMap::new(),
    };
    let items = rows
        .into_iter()
        .map(|(thread, author)| ThreadRow {
            last_poster: posters
                .get(&thread.last_poster_id)
                .cloned()
                .unwrap_or_default(),
            unread: viewer.map(|_| unread.get(&thread.id).copied().unwrap_or(thread.post_count)),
            thread,
            author,
        })
        .collect();
    Ok(Paged::new(items, page, PER_PAGE, total))
}

/// How many posts of each thread the member has not read, for the threads they have opened
/// (the others are wholly unread). Posts are counted, not positions subtracted: a post
/// deleted as spam leaves a gap in the positions. One query for the page.
fn unread_counts(
    conn: &mut DbConn,
    member: MemberId,
    rows: &[(Thread, Author)],
) -> QueryResult<HashMap<ThreadId, i32>> {
    let reads = read_positions(
        conn,
        member,
        &rows.iter().map(|(t, _)| t.id).collect::<Vec<_>>(),
    )?;
    let behind: Vec<ThreadId> = rows
        .iter()
        .filter(|(thread, _)| {
            reads
                .get(&thread.id)
                .is_some_and(|read| *read < thread.last_position)
        })
        .map(|(thread, _)| thread.id)
        .collect();
    let mut unread: HashMap<ThreadId, i32> = reads.keys().map(|id| (*id, 0)).collect();
    if !behind.is_empty() {
        let counted: Vec<(ThreadId, i64)> = thread_reads::table
            .inner_join(
                posts_table::table.on(posts_table::thread_id
                    .eq(thread_reads::thread_id)
                    .and(posts_table::position.gt(thread_reads::last_read_position))),
            )
            .filter(thread_reads::member_id.eq(member))
            .filter(thread_reads::thread_id.eq_any(&behind))
            .filter(
                posts_table::held_at
                    .is_null()
                    .or(posts_table::author_id.eq(member)),
            )
            .group_by(thread_reads::thread_id)
            .select((thread_reads::thread_id, diesel::dsl::count_star()))
            .load(conn)?;
        for (thread, count) in counted {
            unread.insert(thread, i32::try_from(count).unwrap_or(i32::MAX));
        }
    }
    Ok(unread)
}

fn read_positions(
    conn: &mut DbConn,
    member: MemberId,
    thread_ids: &[ThreadId],
) -> QueryResult<HashMap<ThreadId, i32>> {
    Ok(thread_reads::table
        .filter(thread_reads::member_id.eq(member))
        .filter(thread_reads::thread_id.eq_any(thread_ids))
        .select((thread_reads::thread_id, thread_reads::last_read_position))
        .load::<(ThreadId, i32)>(conn)?
        .into_iter()
        .collect())
}

/// How far the member has read.
pub fn read_position(conn: &mut DbConn, member: MemberId, thread: ThreadId) -> QueryResult<i32> {
    Ok(read_positions(conn, member, &[thread])?
        .get(&thread)
        .copied()
        .unwrap_or(0))
}

/// Moves the member's read mark forward (never back). Writes only when it moves, so
/// re-reading a page costs no write.
pub fn mark_read(
    conn: &mut DbConn,
    member: MemberId,
    thread: ThreadId,
    position: i32,
) -> QueryResult<()> {
    let current = read_positions(conn, member, &[thread])?
        .get(&thread)
        .copied();
    match current {
        Some(read) if read >= position => Ok(()),
        Some(_) => diesel::update(
            thread_reads::table
                .filter(thread_reads::member_id.eq(member))
                .filter(thread_reads::thread_id.eq(thread))
                .filter(thread_reads::last_read_position.lt(position)),
        )
        .set(thread_reads::last_read_position.eq(position))
        .execute(conn)
        .map(|_| ()),
        None => {
            let inserted = diesel::insert_into(thread_reads::table)
                .values((
                    thread_reads::member_id.eq(member),
                    thread_reads::thread_id.eq(thread),
                    thread_reads::last_read_position.eq(position),
                ))
                .execute(conn);
            match inserted {
                // Two tabs at once: the other one recorded it.
                Err(diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::UniqueViolation,
                    _,
                )) => Ok(()),
                other => other.map(|_| ()),
            }
        }
    }
}

/// The newest threads the viewer may read, for the home page.
pub fn latest(
    conn: &mut DbConn,
    readable: &[CategoryId],
    limit: i64,
) -> QueryResult<Vec<(Thread, Author)>> {
    threads::table
        .inner_join(members::table.on(members::id.eq(threads::author_id)))
        .filter(threads::category_id.eq_any(readable))
        .filter(threads::held_at.is_null())
        .order((threads::last_post_at.desc(), threads::id.desc()))
        .limit(limit)
        .select((Thread::as_select(), Author::as_select()))
        .load(conn)
}
