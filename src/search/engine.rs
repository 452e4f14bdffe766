//! The searches themselves, one statement per engine behind one contract: SQLite's FTS5
//! (`MATCH`, `bm25` with the title weighted ten times the body) and PostgreSQL's text
//! search (`@@` on a GIN-indexed `tsvector`, `ts_rank` with the title weighted A). Both
//! return the same things: ids in order of relevance, best first, recent activity breaking
//! ties, with how many there are; and highlighted titles and snippets for the ids of one page.
//!
//! Who may see what is decided here, against the rows as they are now, whatever the index
//! holds: posts hidden or removed and categories the viewer cannot read never come back.
//!
//! A search ranks a bounded set of candidates, picked inside the full-text index before any
//! join ([`Cut`]). Discussions take the index's newest [`CANDIDATES`] matches: the index is
//! read newest first and left after that many, and only those are scored (FTS5's `bm25`,
//! PostgreSQL's `ts_rank`), so a word in a fifth of a million posts costs what a rare one
//! does; the page is the full ranking of those matches, and says so. Ranking every match
//! cost hundreds of milliseconds at scale and grew with every year of the forum
//! (docs/benchmarks.md, "Search"); resources the same. Members, whose number stays that
//! of the region's practitioners, take the index's best matches by score instead (the engine scores every match, in C, and keeps
//! the best in a bounded sort).
//!
//! Why a page cut to the best is still right: every match left out scores no better than
//! the worst candidate, and every match that scores better is a candidate. So the
//! candidates scoring better than the worst that pass the checks are the best of all the
//! matches that do, ties and all, in the same order; those at the worst score are set
//! aside, as a match left out may tie with them. Every page drawn from what is kept is the
//! page the full ranking would give. What candidates cannot say is how many there are
//! beyond them: a cut search counts what it kept ([`Ranked::cut`]), and the page says so.
//!
//! Filters and rights are checked after the cut, on the candidates only, so that a search
//! pays for its candidates and not for every match. When the candidates that pass cannot
//! fill one page and more matched, the search runs again with ten times as many (when
//! anything passed: a busy thread whose title matches has every new post among the newest
//! matches, and a wider cut reaches past it), else with every match: a filter (a category, a role, a borough, dates, a tag) or a private category
//! that leaves few of the candidates, or one long thread whose posts are all the best
//! candidates, still gets a full first page, exact, at the price of a second (or third)
//! pass; a filter that leaves nothing costs what every search cost before. Whether a page
//! can be filled decides, not which page is asked for: every page of one search comes from
//! the same candidates, and a page beyond them is empty (and says why) rather than a full
//! ranking on demand.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::{QueryResult, QueryableByName};

use super::index::Table;
use super::query::SearchQuery;
use super::sql::Sql;
use crate::accounts::{Borough, Role};
use crate::db::{CategoryId, DbConn, MemberId};

/// What narrows the discussions searched.
#[derive(Debug, Clone, Default)]
pub struct PostScope {
    /// The categories the viewer may read (and asked for): never empty.
    pub categories: Vec<CategoryId>,
    pub role: Option<Role>,
    pub borough: Option<Borough>,
    pub from: Option<NaiveDateTime>,
    pub until: Option<NaiveDateTime>,
}

/// What narrows the resources searched.
#[derive(Debug, Clone, Default)]
pub struct ResourceScope {
    pub tag: Option<String>,
    pub role: Option<Role>,
    pub borough: Option<Borough>,
    pub from: Option<NaiveDateTime>,
    pub until: Option<NaiveDateTime>,
}

/// What narrows the members searched.
#[derive(Debug, Clone)]
pub struct MemberScope {
    pub role: Option<Role>,
    pub borough: Option<Borough>,
    /// Members suspended at this moment are not listed.
    pub now: NaiveDateTime,
}

/// What narrows the private messages searched: only those of conversations the viewer is a
/// current member of, delivered, visible, and by nobody they blocked.
#[derive(Debug, Clone)]
pub struct MessageScope {
    pub viewer: MemberId,
    pub blocked: Vec<MemberId>,
    pub from: Option<NaiveDateTime>,
    pub until: Option<NaiveDateTime>,
}

/// How many of the index's best matches a search ranks at first (see the module's notes).
/// The engine's scoring of every match costs the same whatever this is; each candidate
/// costs a join (a few microseconds), and the page a member sees needs at most twenty
/// threads. Two thousand posts give hundreds of threads even when one long thread holds
/// many of them.
pub const CANDIDATES: i64 = 2_000;

/// How many candidates a first pass should expect to pass the filters: ten pages' worth.
const EXPECTED: f64 = 200.0;

/// Which page of a ranking to return, and how many candidates to rank first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub limit: i64,
    pub offset: i64,
    /// The first budget of candidates ([`CANDIDATES`] or more; fewer in tests), or `None` to
    /// rank every match.
    pub candidates: Option<i64>,
}

impl Window {
    pub fn new(limit: i64, offset: i64) -> Self {
        Self {
            limit,
            offset,
            candidates: Some(CANDIDATES),
        }
    }

    /// The first budget for a search whose filters leave about `share` (0 to 1) of what the
    /// index holds, as far as can be told before searching (the posts of the categories
    /// searched): enough candidates that about [`EXPECTED`] pass; every match when that
    /// takes more than ten times [`CANDIDATES`] (a category of a few posts: ranking every
    /// match there costs what it always did, where a cut would leave nothing and run
    /// again).
    pub fn expecting(self, share: f64) -> Self {
        let wanted = EXPECTED / share.max(f64::MIN_POSITIVE);
        let candidates = if wanted > (CANDIDATES * 10) as f64 {
            None
        } else {
            Some(CANDIDATES.max(wanted.ceil() as i64))
        };
        Self { candidates, ..self }
    }
}

/// One page of ids, best first, and how many there are.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ranked<T> {
    pub ids: Vec<T>,
    /// How many there are to page through: all of them, or, when `cut`, how many were found
    /// among the candidates (there may be more).
    pub total: i64,
    /// `Some(n)` when only the index's best `n` matches were ranked, because more matched.
    pub cut: Option<i64>,
}

/// Runs a ranking with the first budget of candidates; when what passes the checks cannot
/// fill a page and more matched, again with ten times as many (when that would likely be
/// enough: anything found), then with every match.
fn within_budgets<T>(
    window: Window,
    mut run: impl FnMut(Option<i64>) -> QueryResult<Ranked<T>>,
) -> QueryResult<Ranked<T>> {
    let first = window.candidates.map(|n| n.max(1));
    let mut budget = first;
    loop {
        let ranked = run(budget)?;
        match (ranked.cut, budget) {
            (Some(_), Some(tried)) if ranked.total < window.limit => {
                // Ten times as many likely fill the page when a tenth of it was found, or
                // when anything was: a few threads found among many candidates are busy
                // threads whose every new post matches (by its thread's title), and a wider
                // cut reaches past them. Nothing found: a filter that leaves nothing.
                let likely = ranked.total > 0;
                budget = (Some(tried) == first && likely).then(|| tried.saturating_mul(10));
            }
            _ => return Ok(ranked),
        }
    }
}

/// Which matches a ranking with a budget keeps as its candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// The index's best by score: exactly the full ranking's first pages, but the engine
    /// scores every match to find them, so a broad word costs in proportion to the index.
    Best,
    /// The newest matches, each then scored: the index stops reading after the budget, so a
    /// broad word costs what a rare one does, however long the forum has talked. The pages
    /// are the full ranking of those matches.
    Newest,
}

/// Opens the statement with `hits (id, score)`: the matches, scored. With a budget, the
/// best that many (ties to the newest), found and cut inside the index and kept apart
/// (`MATERIALIZED`) so that nothing is joined before the cut, and `edge (candidates,
/// worst)`: how many there are and the worst score among them. Without one, every match,
/// left for the planner to join as it goes (as it would the index itself).
fn with_hits(sql: &mut Sql, table: Table, query: &SearchQuery, budget: Option<i64>, cut: Cut) {
    with_hits_from(sql, table, query, budget, cut, false)
}

/// [`with_hits`], the newest matches read from the window of recent posts when `recent`.
fn with_hits_from(
    sql: &mut Sql,
    table: Table,
    query: &SearchQuery,
    budget: Option<i64>,
    cut: Cut,
    recent: bool,
) {
    let full_text = sql.full_text();
    let opened = full_text.open_query(sql, query);
    sql.push(if opened { ", " } else { "WITH " });
    let Some(budget) = budget else {
        let (from, id) = (full_text.scored_from(table), full_text.indexed_id(table));
        sql.push(&format!(
            "hits AS NOT MATERIALIZED (SELECT {id} AS id, {from} WHERE "
        ));
        full_text.matches(sql, table, query);
        sql.push(")");
        return;
    };
    sql.push("hits AS MATERIALIZED (");
    match cut {
        Cut::Best => {
            let (from, id) = (full_text.scored_from(table), full_text.indexed_id(table));
            sql.push(&format!("SELECT {id} AS id, {from} WHERE "));
            full_text.matches(sql, table, query);
            sql.push(" ORDER BY score, id DESC LIMIT ").bind_int(budget);
        }
        Cut::Newest => full_text.newest_scored(sql, table, query, budget, recent),
    }
    sql.push(
        "), edge AS MATERIALIZED (SELECT COUNT(*) AS candidates, MAX(score) AS worst FROM hits)",
    );
}

/// ` AND` the hit scores better than the worst candidate, when the candidates were cut: a
/// match left out may score the same as the worst candidate, and so belong before it (a
/// thread with a later post), or be a better post of its thread; every match that scores
/// better is a candidate. So what is kept is exactly what the full ranking puts first, ties
/// and all.
fn better_than_the_edge(sql: &mut Sql, budget: Option<i64>, cut: Cut) {
    if let (Some(budget), Cut::Best) = (budget, cut) {
        sql.push(" AND ((SELECT candidates FROM edge) < ")
            .bind_int(budget)
            .push(" OR hits.score < (SELECT worst FROM edge))");
    }
}

/// The end of a ranking statement, after a CTE `name` of the rows found: one row that
/// counts the candidates (when there is a budget) and the rows found, joined to the page's
/// rows (their `ids` columns, in `order`), if any, so that the counts come back even for a
/// page beyond the last.
fn counted_page(
    sql: &mut Sql,
    name: &str,
    ids: &[&str],
    order: &[&str],
    budget: Option<i64>,
    window: Window,
) {
    let candidates = if budget.is_some() {
        "(SELECT candidates FROM edge)"
    } else {
        "CAST(0 AS BIGINT)"
    };
    let ids: Vec<String> = ids.iter().map(|c| format!("page.{c} AS {c}")).collect();
    let outer: Vec<String> = order.iter().map(|o| format!("page.{o}")).collect();
    sql.push(&format!(
        " SELECT n.candidates AS candidates, n.found AS found, {} FROM (SELECT {candidates} \
         AS candidates, (SELECT COUNT(*) FROM {name}) AS found) n LEFT JOIN (SELECT * FROM \
         {name} ORDER BY {}",
        ids.join(", "),
        order.join(", ")
    ));
    page(sql, window.limit, window.offset);
    sql.push(&format!(") page ON TRUE ORDER BY {}", outer.join(", ")));
}

/// Whether a ranking with this budget was cut: the index had at least as many matches.
fn cut(budget: Option<i64>, candidates: i64) -> Option<i64> {
    budget.filter(|budget| candidates >= *budget)
}

fn date_range(
    sql: &mut Sql,
    column: &str,
    from: Option<NaiveDateTime>,
    until: Option<NaiveDateTime>,
) {
    if let Some(from) = from {
        sql.push(&format!(" AND {column} >= ")).bind_time(from);
    }
    if let Some(until) = until {
        sql.push(&format!(" AND {column} < ")).bind_time(until);
    }
}

fn page(sql: &mut Sql, limit: i64, offset: i64) {
    sql.push(" LIMIT ")
        .bind_int(limit)
        .push(" OFFSET ")
        .bind_int(offset);
}

#[derive(QueryableByName)]
struct ThreadRank {
    #[diesel(sql_type = BigInt)]
    candidates: i64,
    #[diesel(sql_type = BigInt)]
    found: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    thread_id: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    post_id: Option<i64>,
}

/// Threads with a matching post the viewer may read, each with its best post: best thread
/// first, then the one with the latest post. Ids are (thread, post).
pub fn threads(
    conn: &mut DbConn,
    query: &SearchQuery,
    scope: &PostScope,
    window: Window,
) -> QueryResult<Ranked<(i64, i64)>> {
    if query.is_empty() || scope.categories.is_empty() {
        return Ok(Ranked::default());
    }
    let first = window.candidates.unwrap_or(CANDIDATES);
    within_budgets(window, |budget| {
        let Some(budget) = budget else {
            return threads_with(conn, query, scope, window, None, false);
        };
        // The window holds every post newer than its oldest: as many matches as the budget
        // there are the newest of all; fewer, but more than a first budget (a wider pass),
        // are the newest that many. Too few may leave older matches out, unless it holds
        // every post.
        let (budget, recent) = match window_matches(conn, query, budget)? {
            None => (budget, false),
            Some(n) if n >= budget => (budget, true),
            Some(n) if n > first => (n, true),
            Some(_) => (budget, super::index::window_holds_every_post(conn)?),
        };
        threads_with(conn, query, scope, window, Some(budget), recent)
    })
}

/// How many of the newest `budget` matches the window of recent posts holds, where the
/// engine keeps one: found without scoring anything (a fraction of a millisecond).
fn window_matches(conn: &mut DbConn, query: &SearchQuery, budget: i64) -> QueryResult<Option<i64>> {
    let mut sql = Sql::for_conn(conn);
    let Some(recent) = sql.full_text().recent_posts() else {
        return Ok(None);
    };
    sql.push(&format!(
        "SELECT COUNT(*) AS n FROM (SELECT rowid FROM {recent} WHERE {recent} MATCH "
    ))
    .bind_text(query.fts5_match().unwrap_or_default())
    .push(" ORDER BY rowid DESC LIMIT ")
    .bind_int(budget)
    .push(")");
    let rows: Vec<Count> = sql.load(conn)?;
    Ok(Some(rows.first().map_or(0, |r| r.n)))
}

fn threads_with(
    conn: &mut DbConn,
    query: &SearchQuery,
    scope: &PostScope,
    window: Window,
    budget: Option<i64>,
    recent: bool,
) -> QueryResult<Ranked<(i64, i64)>> {
    let mut sql = Sql::for_conn(conn);
    with_hits_from(&mut sql, Table::Posts, query, budget, Cut::Newest, recent);
    let join = sql.full_text().join();
    // The hits the viewer may see, in threads they may read, as the filters ask; then one a
    // thread, its best post.
    sql.push(&format!(
        ", best AS MATERIALIZED (SELECT thread_id, post_id, score, last_post_at FROM (SELECT \
         p.thread_id AS thread_id, p.id AS post_id, hits.score AS score, t.last_post_at AS \
         last_post_at, ROW_NUMBER() OVER (PARTITION BY p.thread_id ORDER BY hits.score, \
         p.position) AS nth FROM hits {join} posts p ON p.id = hits.id {join} threads t ON \
         t.id = p.thread_id"
    ));
    if scope.role.is_some() || scope.borough.is_some() {
        sql.push(&format!(" {join} members m ON m.id = p.author_id"));
    }
    sql.push(
        " WHERE p.hidden_at IS NULL AND p.deleted_at IS NULL AND p.purged_at IS NULL \
         AND t.category_id IN ",
    )
    .bind_list(scope.categories.iter().map(|c| c.0));
    if let Some(role) = scope.role {
        sql.push(" AND m.role = ").bind_text(role.slug());
    }
    if let Some(borough) = scope.borough {
        sql.push(" AND m.borough = ").bind_text(borough.slug());
    }
    date_range(&mut sql, "p.created_at", scope.from, scope.until);
    // The newest matches keep every candidate: nothing to set aside at an edge.
    sql.push(") ranked WHERE nth = 1)");
    counted_page(
        &mut sql,
        "best",
        &["thread_id", "post_id"],
        &["score", "last_post_at DESC", "thread_id DESC"],
        budget,
        window,
    );
    let rows: Vec<ThreadRank> = sql.load(conn)?;
    let (candidates, found) = rows.first().map_or((0, 0), |r| (r.candidates, r.found));
    Ok(Ranked {
        ids: rows
            .iter()
            .filter_map(|r| Some((r.thread_id?, r.post_id?)))
            .collect(),
        total: found,
        cut: cut(budget, candidates),
    })
}

#[derive(QueryableByName)]
struct Rank {
    #[diesel(sql_type = BigInt)]
    candidates: i64,
    #[diesel(sql_type = BigInt)]
    found: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    id: Option<i64>,
}

/// What a flat ranking (one row a hit) is made of besides the query.
struct Flat<'a> {
    table: Table,
    /// The table of the rows found and its alias: `resources r`.
    source: &'a str,
    alias: &'a str,
    /// Another table to join, `members m ON …`, when a filter needs it.
    join: Option<&'a str>,
    /// The column that breaks ties, and the order of the ties: `r.updated_at`, `DESC`.
    tie: (&'a str, &'a str),
    /// Which matches a budget keeps.
    cut: Cut,
}

/// Scored hits of one table that `narrow` allows (each condition starting ` AND`), counted,
/// best first, one page.
fn flat_ranking(
    conn: &mut DbConn,
    query: &SearchQuery,
    flat: &Flat<'_>,
    narrow: impl Fn(&mut Sql),
    window: Window,
) -> QueryResult<Ranked<i64>> {
    if query.is_empty() {
        return Ok(Ranked::default());
    }
    within_budgets(window, |budget| {
        let mut sql = Sql::for_conn(conn);
        with_hits(&mut sql, flat.table, query, budget, flat.cut);
        let join = sql.full_text().join();
        let Flat {
            source,
            alias,
            tie: (tie, order),
            ..
        } = flat;
        sql.push(&format!(
            ", found AS MATERIALIZED (SELECT {alias}.id AS id, {tie} AS tie, hits.score AS score \
             FROM hits {join} {source} ON {alias}.id = hits.id"
        ));
        if let Some(other) = flat.join {
            sql.push(&format!(" {join} {other}"));
        }
        sql.push(" WHERE 1 = 1");
        narrow(&mut sql);
        better_than_the_edge(&mut sql, budget, flat.cut);
        sql.push(")");
        counted_page(
            &mut sql,
            "found",
            &["id"],
            &["score", &format!("tie {order}"), &format!("id {order}")],
            budget,
            window,
        );
        let rows: Vec<Rank> = sql.load(conn)?;
        let (candidates, found) = rows.first().map_or((0, 0), |r| (r.candidates, r.found));
        Ok(Ranked {
            ids: rows.iter().filter_map(|r| r.id).collect(),
            total: found,
            cut: cut(budget, candidates),
        })
    })
}

/// Resources the viewer may see (none hidden), best first, then the latest changed.
pub fn resources(
    conn: &mut DbConn,
    query: &SearchQuery,
    scope: &ResourceScope,
    window: Window,
) -> QueryResult<Ranked<i64>> {
    let flat = Flat {
        table: Table::Resources,
        source: "resources r",
        alias: "r",
        join: scope.role.map(|_| "members m ON m.id = r.owner_id"),
        tie: ("r.updated_at", "DESC"),
        // The library grows with every year too: its newest matches, as discussions.
        cut: Cut::Newest,
    };
    let narrow = |sql: &mut Sql| {
        sql.push(" AND r.hidden_at IS NULL");
        if let Some(tag) = &scope.tag {
            sql.push(
                " AND EXISTS (SELECT 1 FROM resource_tags rt JOIN tags tg ON tg.id = rt.tag_id \
                 WHERE rt.resource_id = r.id AND tg.name = ",
            )
            .bind_text(tag.clone())
            .push(")");
        }
        if let Some(role) = scope.role {
            sql.push(" AND m.role = ").bind_text(role.slug());
        }
        if let Some(borough) = scope.borough {
            sql.push(" AND r.borough = ").bind_text(borough.slug());
        }
        date_range(sql, "r.created_at", scope.from, scope.until);
    };
    flat_ranking(conn, query, &flat, narrow, window)
}

/// Members listed in the directory and not suspended, best first, then by name.
pub fn members(
    conn: &mut DbConn,
    query: &SearchQuery,
    scope: &MemberScope,
    window: Window,
) -> QueryResult<Ranked<i64>> {
    let flat = Flat {
        table: Table::Members,
        source: "members m",
        alias: "m",
        join: None,
        tie: ("m.sort_name", "ASC"),
        // A directory holds the region's practitioners, not years of writing: its best
        // matches, exactly, cost little (names are short).
        cut: Cut::Best,
    };
    let narrow = |sql: &mut Sql| {
        sql.push(" AND m.listed = TRUE AND (m.suspended_at IS NULL OR m.suspended_until <= ")
            .bind_time(scope.now)
            .push(")");
        if let Some(role) = scope.role {
            sql.push(" AND m.role = ").bind_text(role.slug());
        }
        if let Some(borough) = scope.borough {
            sql.push(" AND m.borough = ").bind_text(borough.slug());
        }
    };
    flat_ranking(conn, query, &flat, narrow, window)
}

/// The viewer's own conversations' messages, best first, then the newest. Every match is
/// ranked (a member's messages are a sliver of all, which a cut to the index's best would
/// mostly leave out), and each is checked against the viewer's places in conversations as
/// they are now.
pub fn messages(
    conn: &mut DbConn,
    query: &SearchQuery,
    scope: &MessageScope,
    window: Window,
) -> QueryResult<Ranked<i64>> {
    let flat = Flat {
        table: Table::Messages,
        source: "messages g",
        alias: "g",
        join: None,
        tie: ("g.id", "DESC"),
        cut: Cut::Best,
    };
    let narrow = |sql: &mut Sql| {
        sql.push(
            " AND g.delivered_at IS NOT NULL AND g.hidden_at IS NULL AND g.removed_at IS NULL \
             AND EXISTS (SELECT 1 FROM conversation_members cm WHERE cm.conversation_id = \
             g.conversation_id AND cm.left_at IS NULL AND cm.member_id = ",
        )
        .bind_int(scope.viewer.0)
        .push(")");
        if !scope.blocked.is_empty() {
            sql.push(" AND (g.author_id = ")
                .bind_int(scope.viewer.0)
                .push(" OR g.author_id NOT IN ")
                .bind_list(scope.blocked.iter().map(|m| m.0))
                .push(")");
        }
        date_range(sql, "g.created_at", scope.from, scope.until);
    };
    let every_match = Window {
        candidates: None,
        ..window
    };
    flat_ranking(conn, query, &flat, narrow, every_match)
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// How many rows of an index match, counted inside the index without scoring or joining
/// any (FTS5 walks its lists of rows; PostgreSQL reads the GIN index): what a ranking cut
/// to its candidates cannot say. It counts what the index holds, not what a viewer may see:
/// use it only where the index holds nothing some viewers may not see.
pub(super) fn matching(conn: &mut DbConn, table: Table, query: &SearchQuery) -> QueryResult<i64> {
    if query.is_empty() {
        return Ok(0);
    }
    let mut sql = Sql::for_conn(conn);
    let full_text = sql.full_text();
    full_text.open_query(&mut sql, query);
    sql.push(&format!(
        "SELECT COUNT(*) AS n {} WHERE ",
        full_text.counted_from(table)
    ));
    full_text.matches(&mut sql, table, query);
    let rows: Vec<Count> = sql.load(conn)?;
    Ok(rows.first().map_or(0, |r| r.n))
}

/// A row's title with every matching word marked, and the best snippet of its longer text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Highlight {
    pub title: String,
    pub snippet: String,
}

#[derive(QueryableByName)]
struct HighlightRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Text)]
    snippet: String,
}

/// Titles and snippets for the ids of one page, matches between [`crate::markdown::MARK_OPEN`]
/// and [`crate::markdown::MARK_CLOSE`]: FTS5's `highlight` and `snippet`, PostgreSQL's `ts_headline`.
pub(super) fn highlights(
    conn: &mut DbConn,
    table: Table,
    query: &SearchQuery,
    ids: &[i64],
) -> QueryResult<HashMap<i64, Highlight>> {
    if ids.is_empty() || query.is_empty() {
        return Ok(HashMap::new());
    }
    let mut sql = Sql::for_conn(conn);
    let full_text = sql.full_text();
    full_text.open_query(&mut sql, query);
    full_text.highlights(&mut sql, table, query, ids);
    let rows: Vec<HighlightRow> = sql.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.id,
                Highlight {
                    title: r.title,
                    snippet: r.snippet,
                },
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_budget_follows_the_share_searched() {
        let window = Window::new(20, 40);
        assert_eq!(window.expecting(1.0).candidates, Some(CANDIDATES));
        assert_eq!(window.expecting(0.5).candidates, Some(CANDIDATES));
        assert_eq!(window.expecting(1.0 / 16.0).candidates, Some(3_200));
        assert_eq!(window.expecting(1.0 / 64.0).candidates, Some(12_800));
        assert_eq!(window.expecting(1.0 / 256.0).candidates, None);
        assert_eq!(window.expecting(0.0).candidates, None);
        assert_eq!(window.expecting(0.5).offset, 40);
    }
}
