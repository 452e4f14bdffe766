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
use crate::db::{DbConn, HoldId, MemberId, PostId, ResourceId, ThreadId};
use crate::schema::{holds, members};

text_enum!(HoldKind, "what is held", {
    Thread => ("thread", "New thread"),
    Post => ("post", "Post"),
    Resource => ("resource", "Resource"),
    Profile => ("profile", "Profile text"),
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
        Held::Profile | Held::Service => (None, None, None),
    };
    diesel::insert_into(holds::table)
        .values((
            holds::kind.eq(new.held.kind()),
            holds::author_id.eq(new.author),
            holds::thread_id.eq(thread),
            holds::post_id.eq(post),
            holds::resource_id.eq(resource),
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

/// Holds waiting for a facilitator.
pub fn waiting_count(conn: &mut DbConn) -> QueryResult<i64> {
    holds::table
        .filter(holds::status.eq(HoldStatus::Waiting))
        .count()
        .get_result(conn)
}

pub const PER_PAGE: i64 = 20;

/// One page of the queue, oldest first, with each author's name.
pub fn queue(conn: &mut DbConn, page: PageNumber) -> QueryResult<Paged<(Hold, String)>> {
    let total = waiting_count(conn)?;
    let rows = holds::table
        .inner_join(members::table.on(members::id.eq(holds::author_id)))
        .filter(holds::status.eq(HoldStatus::Waiting))
        .order((holds::held_at.asc(), holds::id.asc()))
        .limit(PER_PAGE)
        .offset(page.offset(PER_PAGE))
        .select((Hold::as_select(), members::display_name))
        .load(conn)?;
    Ok(Paged::new(rows, page, PER_PAGE, total))
}
