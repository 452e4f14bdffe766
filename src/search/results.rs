//! A search as the page needs it: each kind ranked by its engine, then the page's rows read
//! in one query a kind, with their highlighted titles and snippets in one more.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::engine::{
    self, Highlight, MemberScope, MessageScope, PostScope, Ranked, ResourceScope, Window,
};
use super::filters::{Filters, Kind};
use super::index::Table;
use super::query::SearchQuery;
use crate::accounts::members::Viewer;
use crate::accounts::Borough;
use crate::db::dialect::full_text::unshield;
use crate::db::paging::{PageNumber, Paged};
use crate::db::{
    CategoryId, ConversationId, DbConn, MemberId, MessageId, PostId, ResourceId, ThreadId,
};
use crate::forum::categories;
use crate::forum::posts::{page_of, Author};
use crate::markdown::{highlighted, SafeHtml};
use crate::members::directory::DirectoryEntry;
use crate::resources::library::{self, Resource, Sharer};
use crate::schema::{categories as categories_table, members, messages, posts, resources, threads};
use crate::web::forms::FieldErrors;

/// Results a page when one kind is asked for.
pub const PER_PAGE: i64 = 20;
/// Results of each kind when all are shown together.
pub const PREVIEW: i64 = 5;

/// What a search asks.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub query: SearchQuery,
    pub filters: Filters,
    pub page: Option<PageNumber>,
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// A filter names something the viewer cannot search by: (field, message).
    #[error("{1}")]
    Filter(&'static str, String),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

/// A thread found, through its best-matching post.
#[derive(Debug, Clone)]
pub struct ThreadHit {
    pub thread_id: ThreadId,
    /// The thread's title, matching words marked.
    pub title: SafeHtml,
    pub post_id: PostId,
    /// Where the post is: its position in the thread, and so its page.
    pub position: i32,
    pub snippet: SafeHtml,
    pub category_name: String,
    pub category_slug: String,
    pub author: Author,
    pub posted_at: NaiveDateTime,
    pub last_post_at: NaiveDateTime,
    pub post_count: i32,
}

impl ThreadHit {
    /// Straight to the post: the thread's page that holds it.
    pub fn href(&self) -> String {
        if self.position <= 1 {
            format!("/threads/{}", self.thread_id)
        } else {
            format!(
                "/threads/{}?page={}#post-{}",
                self.thread_id,
                page_of(self.position),
                self.post_id
            )
        }
    }
}

#[derive(Debug, Clone)]
pub struct ResourceHit {
    pub id: ResourceId,
    pub title: SafeHtml,
    pub snippet: SafeHtml,
    /// "PDF", "Document", "Link", …
    pub label: &'static str,
    pub tags: Vec<String>,
    pub borough: Option<Borough>,
    pub sharer: Sharer,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone)]
pub struct MemberHit {
    pub member: DirectoryEntry,
    pub name: SafeHtml,
    pub snippet: SafeHtml,
}

/// A message found in one of the searcher's own conversations.
#[derive(Debug, Clone)]
pub struct MessageHit {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    pub snippet: SafeHtml,
    pub author: String,
    /// The others in the conversation, in words: "Ann Smith and Bo Green".
    pub with: String,
    pub sent_at: NaiveDateTime,
}

impl MessageHit {
    /// The message in its conversation.
    pub fn href(&self) -> String {
        format!("/messages/at/{}", self.id)
    }
}

/// How many of a kind a search found, as the page tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// Every match was ranked: this many.
    Exact(i64),
    /// Only the best matches were ranked; the index counts this many, and it holds only what
    /// every member may find (resources not hidden, members in the directory), so this is
    /// what there is, give or take a member suspended today.
    About(i64),
    /// Only the best matches were ranked, and this many were found among them: there may be
    /// more. For discussions, whose index also holds private spaces' posts, whose number
    /// nobody outside them may learn.
    AtLeast(i64),
}

impl Count {
    pub fn number(self) -> i64 {
        match self {
            Count::Exact(n) | Count::About(n) | Count::AtLeast(n) => n,
        }
    }
}

/// One kind's results: a page of hits, and how many there are.
#[derive(Debug, Clone)]
pub struct Found<T> {
    /// The page; its total is how many may be paged through (when `cut`, those found among
    /// the candidates).
    pub page: Paged<T>,
    pub count: Count,
    /// `Some(n)` when only the best `n` matches were ranked.
    pub cut: Option<i64>,
}

/// Each kind searched, as a page of hits; a kind not searched is `None`.
#[derive(Debug, Clone, Default)]
pub struct Results {
    pub threads: Option<Found<ThreadHit>>,
    pub resources: Option<Found<ResourceHit>>,
    pub members: Option<Found<MemberHit>>,
    pub messages: Option<Found<MessageHit>>,
}

impl Results {
    /// All the kinds together: exact when each is, about when none is only a lower bound.
    pub fn total(&self) -> Count {
        let counts = [
            self.threads.as_ref().map(|f| f.count),
            self.resources.as_ref().map(|f| f.count),
            self.members.as_ref().map(|f| f.count),
            self.messages.as_ref().map(|f| f.count),
        ];
        let counts = counts.iter().flatten();
        let sum = counts.clone().map(|c| c.number()).sum();
        if counts.clone().any(|c| matches!(c, Count::AtLeast(_))) {
            Count::AtLeast(sum)
        } else if counts.clone().any(|c| matches!(c, Count::About(_))) {
            Count::About(sum)
        } else {
            Count::Exact(sum)
        }
    }
}

/// The kinds this viewer may search with these filters: visitors read only the public
/// forum; the library, the directory and private messages are for members.
pub fn kinds_for(viewer: Option<&Viewer>, filters: &Filters) -> Vec<Kind> {
    Kind::ALL
        .into_iter()
        .filter(|kind| *kind == Kind::Posts || viewer.is_some())
        .filter(|kind| filters.admit(*kind))
        .collect()
}

/// What the search page shows below its form.
pub struct Shown {
    /// (slug, name) of the categories the viewer may read, to choose from.
    pub categories: Vec<(String, String)>,
    /// The results, when the filters were understood.
    pub results: Option<Results>,
    /// A message for each field at fault.
    pub errors: FieldErrors,
}

/// A search as its page needs it. A request whose filters were not understood (their
/// messages) runs no search; a filter that names something the viewer cannot search by
/// becomes a message for its field.
pub fn for_page(
    conn: &mut DbConn,
    viewer: Option<&Viewer>,
    request: Result<SearchRequest, FieldErrors>,
    now: NaiveDateTime,
) -> QueryResult<Shown> {
    let categories = categories::readable(conn, viewer)?
        .into_iter()
        .map(|c| (c.slug, c.name))
        .collect();
    let (results, errors) = match request {
        Err(errors) => (None, errors),
        Ok(request) => match search(conn, viewer, &request, now) {
            Ok(results) => (Some(results), FieldErrors::new()),
            Err(SearchError::Filter(field, message)) => {
                let mut errors = FieldErrors::new();
                errors.add(field, message);
                (None, errors)
            }
            Err(SearchError::Database(error)) => return Err(error),
        },
    };
    Ok(Shown {
        categories,
        results,
        errors,
    })
}

/// Runs the search for the viewer. An empty query finds nothing (and runs no query).
pub fn search(
    conn: &mut DbConn,
    viewer: Option<&Viewer>,
    request: &SearchRequest,
    now: NaiveDateTime,
) -> Result<Results, SearchError> {
    let filters = &request.filters;
    let readable = categories::readable(conn, viewer)?;
    let categories: Vec<CategoryId> = match &filters.category {
        None => readable.iter().map(|c| c.id).collect(),
        Some(slug) => match readable.iter().find(|c| &c.slug == slug) {
            Some(category) => vec![category.id],
            None => {
                return Err(SearchError::Filter(
                    "category",
                    "There is no category by that name that you can read".into(),
                ))
            }
        },
    };
    let mut results = Results::default();
    let query = &request.query;
    if query.is_empty() {
        return Ok(results);
    }
    let (limit, page) = match (filters.kind, request.page) {
        (Some(_), page) => (PER_PAGE, page.unwrap_or(PageNumber::FIRST)),
        (None, _) => (PREVIEW, PageNumber::FIRST),
    };
    let window = Window::new(limit, page.offset(limit));
    fn found<T, I>(
        items: Vec<T>,
        ranked: &Ranked<I>,
        count: Count,
        page: PageNumber,
        per_page: i64,
    ) -> Found<T> {
        Found {
            page: Paged {
                items,
                page: page.get(),
                per_page,
                total: ranked.total,
            },
            count,
            cut: ranked.cut,
        }
    }
    // A cut ranking says how many it found among its candidates; resources and members can
    // say about how many there are (their indexes hold only what any member may find), and
    // do when no filter narrows them (the index cannot count through a filter).
    let count_of = |conn: &mut DbConn, ranked: &Ranked<i64>, table| {
        Ok::<_, SearchError>(match ranked.cut {
            None => Count::Exact(ranked.total),
            Some(_) if filters.narrowed() => Count::AtLeast(ranked.total),
            Some(_) => Count::About(engine::matching(conn, table, query)?.max(ranked.total)),
        })
    };
    for kind in kinds_for(viewer, filters) {
        match kind {
            Kind::Posts => {
                let scope = PostScope {
                    categories: categories.clone(),
                    role: filters.role,
                    borough: filters.borough,
                    from: filters.from_time(),
                    until: filters.until_time(),
                };
                let share = share_of_posts(conn, &categories)?;
                let ranked = engine::threads(conn, query, &scope, window.expecting(share))?;
                let hits = thread_hits(conn, query, &ranked)?;
                let count = match ranked.cut {
                    None => Count::Exact(ranked.total),
                    Some(_) => Count::AtLeast(ranked.total),
                };
                results.threads = Some(found(hits, &ranked, count, page, limit));
            }
            Kind::Resources => {
                let scope = ResourceScope {
                    tag: filters.tag.clone(),
                    role: filters.role,
                    borough: filters.borough,
                    from: filters.from_time(),
                    until: filters.until_time(),
                };
                let ranked = engine::resources(conn, query, &scope, window)?;
                let hits = resource_hits(conn, query, &ranked)?;
                let count = count_of(conn, &ranked, Table::Resources)?;
                results.resources = Some(found(hits, &ranked, count, page, limit));
            }
            Kind::Members => {
                let scope = MemberScope {
                    role: filters.role,
                    borough: filters.borough,
                    now,
                };
                let ranked = engine::members(conn, query, &scope, window)?;
                let hits = member_hits(conn, query, &ranked)?;
                let count = count_of(conn, &ranked, Table::Members)?;
                results.members = Some(found(hits, &ranked, count, page, limit));
            }
            Kind::Messages => {
                let Some(viewer) = viewer else { continue };
                let scope = MessageScope {
                    viewer: viewer.id,
                    blocked: crate::messages::contacts::blocked_by(conn, viewer.id)?,
                    from: filters.from_time(),
                    until: filters.until_time(),
                };
                let ranked = engine::messages(conn, query, &scope, window)?;
                let hits = message_hits(conn, viewer.id, query, &ranked)?;
                let count = Count::Exact(ranked.total);
                results.messages = Some(found(hits, &ranked, count, page, limit));
            }
        }
    }
    Ok(results)
}

/// About what share of the forum's posts (those the search index holds, give or take the
/// hidden) are in these categories, from the counts kept on the categories: 1 when there are
/// none.
fn share_of_posts(conn: &mut DbConn, searched: &[CategoryId]) -> QueryResult<f64> {
    let counts: Vec<(CategoryId, i64)> = categories_table::table
        .select((categories_table::id, categories_table::post_count))
        .load(conn)?;
    let all: i64 = counts.iter().map(|(_, n)| n).sum();
    let these: i64 = counts
        .iter()
        .filter(|(id, _)| searched.contains(id))
        .map(|(_, n)| n)
        .sum();
    Ok(if all > 0 {
        these as f64 / all as f64
    } else {
        1.0
    })
}

/// The marked title when the engine gave one, else the title as it is now.
fn title_of(highlight: Option<&Highlight>, current: &str) -> SafeHtml {
    match highlight {
        Some(h) if !h.title.trim().is_empty() => highlighted(&unshield(&h.title)),
        _ => highlighted(current),
    }
}

fn snippet_of(highlight: Option<&Highlight>) -> SafeHtml {
    highlighted(&unshield(highlight.map_or("", |h| h.snippet.as_str())))
}

type ThreadRow = (
    PostId,
    i32,
    NaiveDateTime,
    ThreadId,
    String,
    i32,
    NaiveDateTime,
    String,
    String,
    Author,
);

fn thread_hits(
    conn: &mut DbConn,
    query: &SearchQuery,
    ranked: &Ranked<(i64, i64)>,
) -> QueryResult<Vec<ThreadHit>> {
    let post_ids: Vec<PostId> = ranked.ids.iter().map(|(_, post)| PostId(*post)).collect();
    if post_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<ThreadRow> = posts::table
        .inner_join(threads::table.inner_join(categories_table::table))
        .inner_join(members::table.on(members::id.eq(posts::author_id)))
        .filter(posts::id.eq_any(&post_ids))
        .select((
            posts::id,
            posts::position,
            posts::created_at,
            threads::id,
            threads::title,
            threads::post_count,
            threads::last_post_at,
            categories_table::name,
            categories_table::slug,
            Author::as_select(),
        ))
        .load(conn)?;
    let mut by_post: HashMap<PostId, ThreadRow> = rows.into_iter().map(|r| (r.0, r)).collect();
    let ids: Vec<i64> = post_ids.iter().map(|p| p.0).collect();
    let highlights = engine::highlights(conn, Table::Posts, query, &ids)?;
    Ok(post_ids
        .iter()
        .filter_map(|id| {
            let (
                post_id,
                position,
                posted_at,
                thread_id,
                title,
                post_count,
                last_post_at,
                name,
                slug,
                author,
            ) = by_post.remove(id)?;
            let highlight = highlights.get(&post_id.0);
            Some(ThreadHit {
                thread_id,
                title: title_of(highlight, &title),
                post_id,
                position,
                snippet: snippet_of(highlight),
                category_name: name,
                category_slug: slug,
                author,
                posted_at,
                last_post_at,
                post_count,
            })
        })
        .collect())
}

fn resource_hits(
    conn: &mut DbConn,
    query: &SearchQuery,
    ranked: &Ranked<i64>,
) -> QueryResult<Vec<ResourceHit>> {
    let ids: Vec<ResourceId> = ranked.ids.iter().map(|id| ResourceId(*id)).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut found: HashMap<ResourceId, (Resource, Sharer)> = resources::table
        .inner_join(members::table.on(members::id.eq(resources::owner_id)))
        .filter(resources::id.eq_any(&ids))
        .select((Resource::as_select(), Sharer::as_select()))
        .load::<(Resource, Sharer)>(conn)?
        .into_iter()
        .map(|(r, s)| (r.id, (r, s)))
        .collect();
    let mut tags = library::tags_of(conn, &ids)?;
    let highlights = engine::highlights(conn, Table::Resources, query, &ranked.ids)?;
    Ok(ids
        .iter()
        .filter_map(|id| {
            let (resource, sharer) = found.remove(id)?;
            let highlight = highlights.get(&id.0);
            Some(ResourceHit {
                id: resource.id,
                title: title_of(highlight, &resource.title),
                snippet: snippet_of(highlight),
                label: resource
                    .content_type
                    .as_deref()
                    .map_or("Link", crate::resources::sniff::FileType::label),
                tags: tags.remove(id).unwrap_or_default(),
                borough: resource.borough(),
                sharer,
                created_at: resource.created_at,
            })
        })
        .collect())
}

fn member_hits(
    conn: &mut DbConn,
    query: &SearchQuery,
    ranked: &Ranked<i64>,
) -> QueryResult<Vec<MemberHit>> {
    let ids: Vec<MemberId> = ranked.ids.iter().map(|id| MemberId(*id)).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut found: HashMap<MemberId, DirectoryEntry> = members::table
        .filter(members::id.eq_any(&ids))
        .select(DirectoryEntry::as_select())
        .load::<DirectoryEntry>(conn)?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let highlights = engine::highlights(conn, Table::Members, query, &ranked.ids)?;
    Ok(ids
        .iter()
        .filter_map(|id| {
            let member = found.remove(id)?;
            let highlight = highlights.get(&id.0);
            Some(MemberHit {
                name: title_of(highlight, &member.display_name),
                snippet: snippet_of(highlight),
                member,
            })
        })
        .collect())
}

/// The page's messages with their authors and conversations, in three queries. The ids come
/// from a ranking limited to the viewer's conversations.
fn message_hits(
    conn: &mut DbConn,
    viewer: MemberId,
    query: &SearchQuery,
    ranked: &Ranked<i64>,
) -> QueryResult<Vec<MessageHit>> {
    let ids: Vec<MessageId> = ranked.ids.iter().map(|id| MessageId(*id)).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut found: HashMap<MessageId, (ConversationId, String, NaiveDateTime)> = messages::table
        .inner_join(members::table.on(members::id.eq(messages::author_id)))
        .filter(messages::id.eq_any(&ids))
        .select((
            messages::id,
            messages::conversation_id,
            members::display_name,
            messages::created_at,
        ))
        .load::<(MessageId, ConversationId, String, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(id, conversation, author, at)| (id, (conversation, author, at)))
        .collect();
    let conversations: Vec<ConversationId> = found.values().map(|(c, ..)| *c).collect();
    let with = crate::messages::conversations::others_named(conn, viewer, &conversations)?;
    let highlights = engine::highlights(conn, Table::Messages, query, &ranked.ids)?;
    Ok(ids
        .iter()
        .filter_map(|id| {
            let (conversation_id, author, sent_at) = found.remove(id)?;
            Some(MessageHit {
                id: *id,
                conversation_id,
                snippet: snippet_of(highlights.get(&id.0)),
                author,
                with: with.get(&conversation_id).cloned().unwrap_or_default(),
                sent_at,
            })
        })
        .collect())
}
