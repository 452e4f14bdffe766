//! The searches themselves, one statement per engine behind one contract: SQLite's FTS5
//! (`MATCH`, `bm25` with the title weighted ten times the body) and PostgreSQL's text
//! search (`@@` on a GIN-indexed `tsvector`, `ts_rank` with the title weighted A). Both
//! return the same things: ids in order of relevance, best first, recent activity breaking
//! ties, with the total; and highlighted titles and snippets for the ids of one page.
//!
//! Who may see what is decided here, against the rows as they are now, whatever the index
//! holds: posts hidden or removed and categories the viewer cannot read never come back.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::sql_types::{BigInt, Text};
use diesel::{QueryResult, QueryableByName};

use super::index::Table;
use super::query::SearchQuery;
use super::sql::Sql;
use crate::accounts::{Borough, Role};
use crate::db::{CategoryId, DbConn};
use crate::markdown::{MARK_CLOSE, MARK_OPEN};

/// How the ranking weighs each column: FTS5's `bm25` takes one weight a column; PostgreSQL's
/// `ts_rank` one a weight letter, {D, C, B, A} (titles are A, tags and details B, bodies C).
const FTS5_WEIGHTS: [&str; 3] = ["10.0, 1.0", "10.0, 5.0, 1.0", "10.0, 3.0, 1.0"];
const PG_WEIGHTS: &str = "'{0.05, 0.1, 0.4, 1.0}'";

fn fts5_weights(table: Table) -> &'static str {
    match table {
        Table::Posts => FTS5_WEIGHTS[0],
        Table::Resources => FTS5_WEIGHTS[1],
        Table::Members => FTS5_WEIGHTS[2],
    }
}

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

/// One page of ids, best first, and how many there are in all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ranked<T> {
    pub ids: Vec<T>,
    pub total: i64,
}

/// Opens a statement with the query: the FTS5 table and its MATCH (SQLite) or a `q` CTE
/// holding the tsquery (PostgreSQL). Nothing typed goes in as syntax: FTS5 gets every term
/// quoted by [`SearchQuery::fts5_match`], PostgreSQL gets plain text for
/// `plainto_tsquery` and `phraseto_tsquery`.
fn with_query(sql: &mut Sql, query: &SearchQuery) {
    if !sql.is_postgres() {
        return;
    }
    let Some(terms) = query.pg_terms() else {
        return;
    };
    sql.push("WITH q AS (SELECT ");
    let mut first = true;
    let mut and = |sql: &mut Sql| {
        if !first {
            sql.push(" && ");
        }
        first = false;
    };
    if !terms.words.is_empty() {
        and(sql);
        sql.push("plainto_tsquery('english', ")
            .bind_text(terms.words)
            .push(")");
    }
    for phrase in terms.phrases {
        and(sql);
        sql.push("phraseto_tsquery('english', ")
            .bind_text(phrase)
            .push(")");
    }
    for unwanted in terms.unwanted {
        and(sql);
        sql.push("!! phraseto_tsquery('english', ")
            .bind_text(unwanted)
            .push(")");
    }
    sql.push(" AS query) ");
}

/// `search_x MATCH ?` (SQLite) or `s.document @@ (SELECT query FROM q)` (PostgreSQL: the
/// query as a value computed once, which the planner uses to search the GIN index first
/// whatever it knows of the tables, then visits only the rows found).
fn matches(sql: &mut Sql, table: Table, query: &SearchQuery) {
    if sql.is_postgres() {
        sql.push("s.document @@ (SELECT query FROM q)");
    } else {
        sql.push(&format!("{} MATCH ", table.name()))
            .bind_text(query.fts5_match().unwrap_or_default());
    }
}

/// The FROM clause's start, with the score: `bm25` is better when lower, `ts_rank` when
/// higher, so PostgreSQL's is negated and both sort ascending.
fn from_index(sql: &Sql, table: Table) -> String {
    if sql.is_postgres() {
        format!(
            "(-ts_rank({PG_WEIGHTS}, s.document, (SELECT query FROM q)))::float8 AS score \
             FROM {} s",
            table.name()
        )
    } else {
        format!(
            "bm25({0}, {1}) AS score FROM {0}",
            table.name(),
            fts5_weights(table)
        )
    }
}

/// An inner join in the order written: SQLite's `CROSS JOIN` keeps its planner from starting
/// anywhere but the full-text index; PostgreSQL plans joins itself.
fn join(sql: &Sql) -> &'static str {
    if sql.is_postgres() {
        "JOIN"
    } else {
        "CROSS JOIN"
    }
}

/// The expression naming the indexed row's id.
fn indexed_id(sql: &Sql, table: Table) -> String {
    if sql.is_postgres() {
        format!("s.{}", table.key(true))
    } else {
        format!("{}.rowid", table.name())
    }
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
    thread_id: i64,
    #[diesel(sql_type = BigInt)]
    post_id: i64,
    #[diesel(sql_type = BigInt)]
    total: i64,
}

/// Threads with a matching post the viewer may read, each with its best post: best thread
/// first, then the one with the latest post. Ids are (thread, post).
pub fn threads(
    conn: &mut DbConn,
    query: &SearchQuery,
    scope: &PostScope,
    limit: i64,
    offset: i64,
) -> QueryResult<Ranked<(i64, i64)>> {
    if query.is_empty() || scope.categories.is_empty() {
        return Ok(Ranked::default());
    }
    let mut sql = Sql::for_conn(conn);
    with_query(&mut sql, query);
    let table = Table::Posts;
    let from = from_index(&sql, table);
    let id = indexed_id(&sql, table);
    let join = join(&sql);
    // The hits: every matching post the viewer may see, scored.
    sql.push(
        "SELECT thread_id, post_id, score, total FROM (SELECT hits.thread_id AS thread_id, \
              hits.post_id AS post_id, hits.score AS score, t.last_post_at AS last_post_at, \
              COUNT(*) OVER () AS total FROM (SELECT thread_id, post_id, score, \
              ROW_NUMBER() OVER (PARTITION BY thread_id ORDER BY score, position) AS nth FROM (",
    )
    .push(&format!(
        "SELECT p.thread_id AS thread_id, p.id AS post_id, p.position AS position, {from} \
             {join} posts p ON p.id = {id} {join} threads t ON t.id = p.thread_id"
    ));
    if scope.role.is_some() || scope.borough.is_some() {
        sql.push(&format!(" {join} members m ON m.id = p.author_id"));
    }
    sql.push(" WHERE ");
    matches(&mut sql, table, query);
    sql.push(" AND p.hidden_at IS NULL AND p.deleted_at IS NULL AND t.category_id IN ")
        .bind_list(scope.categories.iter().map(|c| c.0));
    if let Some(role) = scope.role {
        sql.push(" AND m.role = ").bind_text(role.slug());
    }
    if let Some(borough) = scope.borough {
        sql.push(" AND m.borough = ").bind_text(borough.slug());
    }
    date_range(&mut sql, "p.created_at", scope.from, scope.until);
    // One hit a thread, its best post; then threads in order.
    sql.push(
        ") scored) hits JOIN threads t ON t.id = hits.thread_id WHERE hits.nth = 1) best \
              ORDER BY score, last_post_at DESC, thread_id DESC",
    );
    page(&mut sql, limit, offset);
    let rows: Vec<ThreadRank> = sql.load(conn)?;
    Ok(Ranked {
        total: rows.first().map_or(0, |r| r.total),
        ids: rows.iter().map(|r| (r.thread_id, r.post_id)).collect(),
    })
}

#[derive(QueryableByName)]
struct Rank {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    total: i64,
}

fn ranked(rows: Vec<Rank>) -> Ranked<i64> {
    Ranked {
        total: rows.first().map_or(0, |r| r.total),
        ids: rows.into_iter().map(|r| r.id).collect(),
    }
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
}

/// Scored hits of one table that `narrow` allows, counted, best first, one page.
fn flat_ranking(
    conn: &mut DbConn,
    query: &SearchQuery,
    flat: Flat<'_>,
    narrow: impl FnOnce(&mut Sql),
    limit: i64,
    offset: i64,
) -> QueryResult<Ranked<i64>> {
    if query.is_empty() {
        return Ok(Ranked::default());
    }
    let mut sql = Sql::for_conn(conn);
    with_query(&mut sql, query);
    let (from, id, join) = (
        from_index(&sql, flat.table),
        indexed_id(&sql, flat.table),
        join(&sql),
    );
    let Flat {
        source,
        alias,
        tie: (tie, order),
        ..
    } = flat;
    sql.push(&format!(
        "SELECT id, total FROM (SELECT id, tie, score, COUNT(*) OVER () AS total \
         FROM (SELECT {alias}.id AS id, {tie} AS tie, {from} {join} {source} ON {alias}.id = {id}"
    ));
    if let Some(other) = flat.join {
        sql.push(&format!(" {join} {other}"));
    }
    sql.push(" WHERE ");
    matches(&mut sql, flat.table, query);
    narrow(&mut sql);
    sql.push(&format!(
        ") scored) found ORDER BY score, tie {order}, id {order}"
    ));
    page(&mut sql, limit, offset);
    Ok(ranked(sql.load(conn)?))
}

/// Resources the viewer may see (none hidden), best first, then the latest changed.
pub fn resources(
    conn: &mut DbConn,
    query: &SearchQuery,
    scope: &ResourceScope,
    limit: i64,
    offset: i64,
) -> QueryResult<Ranked<i64>> {
    let flat = Flat {
        table: Table::Resources,
        source: "resources r",
        alias: "r",
        join: scope.role.map(|_| "members m ON m.id = r.owner_id"),
        tie: ("r.updated_at", "DESC"),
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
    flat_ranking(conn, query, flat, narrow, limit, offset)
}

/// Members listed in the directory and not suspended, best first, then by name.
pub fn members(
    conn: &mut DbConn,
    query: &SearchQuery,
    scope: &MemberScope,
    limit: i64,
    offset: i64,
) -> QueryResult<Ranked<i64>> {
    let flat = Flat {
        table: Table::Members,
        source: "members m",
        alias: "m",
        join: None,
        tie: ("m.sort_name", "ASC"),
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
    flat_ranking(conn, query, flat, narrow, limit, offset)
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

/// Titles and snippets for the ids of one page, matches between [`MARK_OPEN`] and
/// [`MARK_CLOSE`]: FTS5's `highlight` and `snippet`, PostgreSQL's `ts_headline`.
pub(super) fn highlights(
    conn: &mut DbConn,
    table: Table,
    query: &SearchQuery,
    ids: &[i64],
) -> QueryResult<HashMap<i64, Highlight>> {
    if ids.is_empty() || query.is_empty() {
        return Ok(HashMap::new());
    }
    let columns = table.columns();
    let (title, text) = (columns[0], columns[columns.len() - 1]);
    let mut sql = Sql::for_conn(conn);
    with_query(&mut sql, query);
    let (open, close) = (MARK_OPEN.to_string(), MARK_CLOSE.to_string());
    if sql.is_postgres() {
        let key = table.key(true);
        sql.push(&format!(
            "SELECT s.{key} AS id, ts_headline('english', s.{title}, q.query, "
        ))
        .bind_text(format!(
            "HighlightAll=true, StartSel={open}, StopSel={close}"
        ))
        .push(&format!(
            ") AS title, ts_headline('english', s.{text}, q.query, "
        ))
        .bind_text(format!(
            "MaxWords=30, MinWords=12, ShortWord=2, MaxFragments=2, \
                 FragmentDelimiter=\" … \", StartSel={open}, StopSel={close}"
        ))
        .push(&format!(
            ") AS snippet FROM q CROSS JOIN {} s WHERE s.{key} IN ",
            table.name()
        ))
        .bind_list(ids.iter().copied());
    } else {
        let name = table.name();
        let text_column = columns.len() - 1;
        sql.push(&format!("SELECT rowid AS id, highlight({name}, 0, "))
            .bind_text(open.clone())
            .push(", ")
            .bind_text(close.clone())
            .push(&format!(") AS title, snippet({name}, {text_column}, "))
            .bind_text(open)
            .push(", ")
            .bind_text(close)
            .push(&format!(
                ", '…', 24) AS snippet FROM {name} WHERE {name} MATCH "
            ))
            .bind_text(query.fts5_match().unwrap_or_default())
            .push(" AND rowid IN ")
            .bind_list(ids.iter().copied());
    }
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
