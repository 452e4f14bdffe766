//! Held items: what the patient-data guard ([`crate::guard`]) keeps back. A member who
//! confirms a text the guard flagged has it saved, but only they and the facilitators see it
//! until a facilitator approves it, approves it with the details taken out (redacts), or
//! returns it to its author to correct. Until then it is hidden, uncounted and unannounced:
//! the post or resource carries `held_at` and `hidden_at`, so every list, search and digest
//! that leaves hidden things out leaves it out too; a profile's new text waits in the hold.
//!
//! This module keeps the record of each hold and runs the facilitators' decisions; what
//! publishing means for each kind (counts, notifications, the index) lives with its feature.

pub mod decisions;
pub mod lapsed;
pub mod pages;
pub mod routes;

use std::fmt;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::accounts::values::text_enum;
use crate::db::paging::{PageNumber, Paged};
use crate::db::{CategoryId, DbConn, HoldId, MemberId, MessageId, PostId, ResourceId, ThreadId};
use crate::schema::{holds, members, posts, threads};

text_enum!(HoldKind, "what is held", {
    Thread => ("thread", "New thread"),
    Post => ("post", "Post"),
    Resource => ("resource", "Resource"),
    Profile => ("profile", "Profile text"),
    Message => ("message", "Private message"),
    Service => ("service", "Service description"),
});

text_enum!(HoldStatus, "a hold's state", {
    Waiting => ("waiting", "Waiting for a facilitator"),
    Returned => ("returned", "Returned to its author to correct"),
    Approved => ("approved", "Approved"),
    Redacted => ("redacted", "Approved with details taken out"),
    Corrected => ("corrected", "Corrected by its author"),
    Withdrawn => ("withdrawn", "Removed by its author"),
    Lapsed => ("lapsed", "Removed: returned and not corrected in time"),
});

impl HoldStatus {
    /// Still keeping the item back.
    pub fn is_open(self) -> bool {
        matches!(self, HoldStatus::Waiting | HoldStatus::Returned)
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = holds)]
pub struct Hold {
    pub id: HoldId,
    pub kind: HoldKind,
    pub author_id: MemberId,
    pub thread_id: Option<ThreadId>,
    pub post_id: Option<PostId>,
    pub resource_id: Option<ResourceId>,
    /// A new item: counted and announced when it is approved (an edited one already was).
    pub fresh: bool,
    /// The hold hid the item; approval shows it again (a facilitator's hiding stays).
    pub hid: bool,
    /// A profile's new "about" text, or a service's three texts together, waiting.
    pub pending_text: Option<String>,
    pub status: HoldStatus,
    pub held_at: NaiveDateTime,
    pub decided_at: Option<NaiveDateTime>,
    pub decided_by: Option<MemberId>,
    pub note: String,
    /// A private message, held until it is approved before it is delivered.
    pub message_id: Option<MessageId>,
}

/// What is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// A new thread: its title and first post.
    Thread(ThreadId, PostId),
    Post(PostId),
    Resource(ResourceId),
    /// A member's profile text.
    Profile,
    /// A private message, not delivered until it is approved.
    Message(MessageId),
    /// A member's service texts ([`crate::connect::services`]).
    Service,
}

impl Held {
    fn kind(self) -> HoldKind {
        match self {
            Held::Thread(..) => HoldKind::Thread,
            Held::Post(_) => HoldKind::Post,
            Held::Resource(_) => HoldKind::Resource,
            Held::Profile => HoldKind::Profile,
            Held::Message(_) => HoldKind::Message,
            Held::Service => HoldKind::Service,
        }
    }
}

/// A hold to record: what, whose, and how it came.
pub struct NewHold<'a> {
    pub held: Held,
    pub author: MemberId,
    pub fresh: bool,
    pub hid: bool,
    pub pending_text: Option<&'a str>,
}

impl NewHold<'static> {
    /// A hold that an edit causes: it keeps what an open hold on the item knew (whether the
    /// item was new, whether the hold hid it); otherwise the item was published, and the
    /// hold hides it unless a facilitator already had (`was_hidden`).
    pub fn on_edit(held: Held, author: MemberId, open: Option<&Hold>, was_hidden: bool) -> Self {
        Self {
            held,
            author,
            fresh: open.is_some_and(|hold| hold.fresh),
            hid: open.map_or(!was_hidden, |hold| hold.hid),
            pending_text: None,
        }
    }
}

/// Holds an item, or holds it again: an open hold on the same item goes back to the
/// queue (the author changed it) rather than making a second entry.
pub fn hold(conn: &mut DbConn, new: &NewHold<'_>, now: NaiveDateTime) -> QueryResult<HoldId> {
    if let Some(open) = open_on(conn, new.held, new.author)? {
        diesel::update(holds::table.find(open.id))
            .set((
                holds::status.eq(HoldStatus::Waiting),
                holds::held_at.eq(now),
                holds::pending_text.eq(new.pending_text),
                holds::decided_at.eq(None::<NaiveDateTime>),
                holds::decided_by.eq(None::<MemberId>),
                holds::note.eq(""),
            ))
            .execute(conn)?;
        return Ok(open.id);
    }
    let (thread, post, resource) = match new.held {
        Held::Thread(thread, post) => (Some(thread), Some(post), None),
        Held::Post(post) => (None, Some(post), None),
        Held::Resource(resource) => (None, None, Some(resource)),
        Held::Profile | Held::Message(_) | Held::Service => (None, None, None),
    };
    let message = match new.held {
        Held::Message(message) => Some(message),
        _ => None,
    };
    diesel::insert_into(holds::table)
        .values((
            holds::kind.eq(new.held.kind()),
            holds::author_id.eq(new.author),
            holds::thread_id.eq(thread),
            holds::post_id.eq(post),
            holds::resource_id.eq(resource),
            holds::message_id.eq(message),
            holds::fresh.eq(new.fresh),
            holds::hid.eq(new.hid),
            holds::pending_text.eq(new.pending_text),
            holds::status.eq(HoldStatus::Waiting),
            holds::held_at.eq(now),
            holds::note.eq(""),
        ))
        .returning(holds::id)
        .get_result(conn)
}

/// The open hold on an item, if it is held. A thread's hold is found by its first post.
pub fn open_on(conn: &mut DbConn, held: Held, author: MemberId) -> QueryResult<Option<Hold>> {
    let mut query = holds::table
        .filter(holds::status.eq_any([HoldStatus::Waiting, HoldStatus::Returned]))
        .select(Hold::as_select())
        .into_boxed();
    query = match held {
        Held::Thread(_, post) | Held::Post(post) => query.filter(holds::post_id.eq(post)),
        Held::Resource(resource) => query.filter(holds::resource_id.eq(resource)),
        Held::Profile | Held::Service => query
            .filter(holds::kind.eq(held.kind()))
            .filter(holds::author_id.eq(author)),
        Held::Message(message) => query.filter(holds::message_id.eq(message)),
    };
    query.first(conn).optional()
}

pub fn find(conn: &mut DbConn, id: HoldId) -> QueryResult<Hold> {
    holds::table.find(id).select(Hold::as_select()).first(conn)
}

/// Marks a hold decided.
pub(crate) fn close(
    conn: &mut DbConn,
    id: HoldId,
    status: HoldStatus,
    by: Option<MemberId>,
    note: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(holds::table.find(id))
        .set((
            holds::status.eq(status),
            holds::decided_at.eq(now),
            holds::decided_by.eq(by),
            holds::note.eq(note),
            holds::pending_text.eq(None::<String>),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Holds waiting for a facilitator in the given categories (`None`: everywhere). Items
/// outside the forum (resources, profile texts) belong to every facilitator.
fn waiting_in(
    within: Option<&[CategoryId]>,
) -> holds::BoxedQuery<'static, <DbConn as diesel::Connection>::Backend> {
    let query = holds::table
        .filter(holds::status.eq(HoldStatus::Waiting))
        .into_boxed();
    match within {
        Some(categories) => query.filter(
            holds::post_id
                .is_null()
                .or(holds::post_id.eq_any(posts_in(categories))),
        ),
        None => query,
    }
}

pub fn waiting_count(conn: &mut DbConn, within: Option<&[CategoryId]>) -> QueryResult<i64> {
    waiting_in(within).count().get_result(conn)
}

/// The ids of the posts in some categories.
type PostsIn = diesel::dsl::Select<
    diesel::dsl::Filter<
        diesel::dsl::InnerJoin<posts::table, threads::table>,
        diesel::dsl::EqAny<threads::category_id, Vec<CategoryId>>,
    >,
    diesel::dsl::Nullable<posts::id>,
>;

/// The posts in some categories, to filter holds by: every forum hold names its post.
fn posts_in(categories: &[CategoryId]) -> PostsIn {
    posts::table
        .inner_join(threads::table)
        .filter(threads::category_id.eq_any(categories.to_vec()))
        .select(posts::id.nullable())
}

pub const PER_PAGE: i64 = 20;

/// One page of the queue, oldest first, with each author's name: three queries.
pub fn queue(
    conn: &mut DbConn,
    within: Option<&[CategoryId]>,
    page: PageNumber,
) -> QueryResult<Paged<(Hold, String)>> {
    let total = waiting_count(conn, within)?;
    let holds: Vec<Hold> = waiting_in(within)
        .order((holds::held_at.asc(), holds::id.asc()))
        .limit(PER_PAGE)
        .offset(page.offset(PER_PAGE))
        .select(Hold::as_select())
        .load(conn)?;
    let authors: Vec<MemberId> = holds.iter().map(|hold| hold.author_id).collect();
    let names: std::collections::HashMap<MemberId, String> = members::table
        .filter(members::id.eq_any(&authors))
        .select((members::id, members::display_name))
        .load::<(MemberId, String)>(conn)?
        .into_iter()
        .collect();
    let rows = holds
        .into_iter()
        .map(|hold| {
            let name = names.get(&hold.author_id).cloned().unwrap_or_default();
            (hold, name)
        })
        .collect();
    Ok(Paged::new(rows, page, PER_PAGE, total))
}
