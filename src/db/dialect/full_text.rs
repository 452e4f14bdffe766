//! What full-text search says differently on each engine: SQLite's FTS5 (`MATCH`, `bm25`,
//! `highlight`/`snippet`, the row's `rowid`) and PostgreSQL's text search (a `tsquery` made
//! once in a `q` CTE, `@@` on a GIN-indexed `tsvector`, `ts_rank`, `ts_headline`, a key
//! column). The searches in `search/engine.rs` and the index writes in `search/index.rs` are
//! written once against [`FullText`]; the connection's [`super::Dialect`] picks the engine's.

use crate::markdown::{MARK_CLOSE, MARK_OPEN};
use crate::search::index::Table;
use crate::search::query::{fold, SearchQuery};
use crate::search::sql::Sql;

/// How the ranking weighs each column: FTS5's `bm25` takes one weight a column; PostgreSQL's
/// `ts_rank` one a weight letter, {D, C, B, A} (titles are A, tags and details B, bodies C).
const PG_WEIGHTS: &str = "'{0.05, 0.1, 0.4, 1.0}'";

fn fts5_weights(table: Table) -> &'static str {
    match table {
        Table::Posts => "10.0, 1.0",
        Table::Resources => "10.0, 5.0, 1.0",
        Table::Members => "10.0, 3.0, 1.0",
        Table::Messages => "1.0",
    }
}

/// PostgreSQL's weight for each text column: titles A, details B, bodies C.
fn pg_weights(table: Table) -> &'static [char] {
    match table {
        Table::Posts => &['A', 'C'],
        Table::Resources | Table::Members => &['A', 'B', 'C'],
        Table::Messages => &['C'],
    }
}

pub(crate) trait FullText: Sync {
    /// The column naming the row indexed.
    fn key(&self, table: Table) -> &'static str;

    /// Opens the statement with what the query needs first, if anything; returns whether it
    /// opened a `WITH`. Nothing typed goes in as syntax: FTS5 gets every term quoted by
    /// [`SearchQuery::fts5_match`], PostgreSQL gets plain text for `plainto_tsquery` and
    /// `phraseto_tsquery`.
    fn open_query(&self, sql: &mut Sql, query: &SearchQuery) -> bool;

    /// The condition that a row of the index matches.
    fn matches(&self, sql: &mut Sql, table: Table, query: &SearchQuery);

    /// `<score> AS score FROM <index>`: lower is better on both engines.
    fn scored_from(&self, table: Table) -> String;

    /// The index of the newest posts alone ([`crate::search::index::RECENT_POSTS`] of them),
    /// where this engine needs one to weigh words cheaply.
    fn recent_posts(&self) -> Option<&'static str>;

    /// `SELECT id, score` of the newest `budget` matches, the index read newest first and
    /// left there: only those are scored; from the window of recent posts when `recent` and
    /// the engine keeps one.
    fn newest_scored(
        &self,
        sql: &mut Sql,
        table: Table,
        query: &SearchQuery,
        budget: i64,
        recent: bool,
    );

    /// The expression naming the indexed row's id, after [`FullText::scored_from`].
    fn indexed_id(&self, table: Table) -> String;

    /// `FROM <index>`, for a count of its matches.
    fn counted_from(&self, table: Table) -> String;

    /// An inner join that keeps the order written, where the planner needs telling.
    fn join(&self) -> &'static str;

    /// A statement (after [`FullText::open_query`]) selecting `id`, `title` and `snippet`
    /// for these ids, matches between [`MARK_OPEN`] and [`MARK_CLOSE`].
    fn highlights(&self, sql: &mut Sql, table: Table, query: &SearchQuery, ids: &[i64]);

    /// Opens an `INSERT` of index rows: the key, the text columns and anything derived.
    fn insert_into(&self, sql: &mut Sql, table: Table);

    /// One row's values after its key: its texts and anything derived from them.
    fn row_values(&self, sql: &mut Sql, table: Table, texts: &[String]);

    /// What ends the `INSERT`: another transaction may have written the same row since
    /// this one removed it (a tag renamed while one of its resources is edited).
    fn upsert(&self, sql: &mut Sql, table: Table);

    /// A statement that leaves the index quickest to read after a rebuild.
    fn tidy(&self, table: Table) -> String;
}

pub(super) struct Fts5;

pub(super) struct TsVector;

impl FullText for Fts5 {
    fn key(&self, _: Table) -> &'static str {
        "rowid"
    }

    fn open_query(&self, _: &mut Sql, _: &SearchQuery) -> bool {
        false
    }

    fn matches(&self, sql: &mut Sql, table: Table, query: &SearchQuery) {
        sql.push(&format!("{} MATCH ", table.name()))
            .bind_text(query.fts5_match().unwrap_or_default());
    }

    fn scored_from(&self, table: Table) -> String {
        format!(
            "bm25({0}, {1}) AS score FROM {0}",
            table.name(),
            fts5_weights(table)
        )
    }

    fn indexed_id(&self, table: Table) -> String {
        format!("{}.rowid", table.name())
    }

    /// `bm25` weighs each word by how many rows of the table hold it, and counts them on
    /// every search: 11 ms for a common word in a million posts, whatever is ranked.
    /// Counted in the newest posts' window, the weights are as good and cost a tenth.
    fn recent_posts(&self) -> Option<&'static str> {
        Some("search_posts_recent")
    }

    /// FTS5 walks its lists of rows in rowid order, either way, and works out an auxiliary
    /// function (`bm25`) only for the rows it hands on: with the `LIMIT` it stops there.
    /// Posts are read from the window of recent posts when `recent`.
    fn newest_scored(
        &self,
        sql: &mut Sql,
        table: Table,
        query: &SearchQuery,
        budget: i64,
        recent: bool,
    ) {
        let name = match (recent, table, self.recent_posts()) {
            (true, Table::Posts, Some(window)) => window,
            _ => table.name(),
        };
        sql.push(&format!(
            "SELECT {name}.rowid AS id, bm25({name}, {}) AS score FROM {name} WHERE {name} \
             MATCH ",
            fts5_weights(table)
        ))
        .bind_text(query.fts5_match().unwrap_or_default())
        .push(&format!(" ORDER BY {name}.rowid DESC LIMIT "))
        .bind_int(budget);
    }

    fn counted_from(&self, table: Table) -> String {
        format!("FROM {}", table.name())
    }

    /// SQLite's `CROSS JOIN` keeps its planner from starting anywhere but the full-text
    /// index.
    fn join(&self) -> &'static str {
        "CROSS JOIN"
    }

    fn highlights(&self, sql: &mut Sql, table: Table, query: &SearchQuery, ids: &[i64]) {
        let (name, text_column) = (table.name(), table.columns().len() - 1);
        let (open, close) = (MARK_OPEN.to_string(), MARK_CLOSE.to_string());
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

    fn insert_into(&self, sql: &mut Sql, table: Table) {
        sql.push(&format!(
            "INSERT INTO {} (rowid, {}) VALUES ",
            table.name(),
            table.columns().join(", ")
        ));
    }

    fn row_values(&self, sql: &mut Sql, _: Table, texts: &[String]) {
        for text in texts {
            sql.push(", ").bind_text(text.clone());
        }
    }

    /// FTS5 rows are removed and written in one transaction; nothing to do.
    fn upsert(&self, _: &mut Sql, _: Table) {}

    /// Merges the index's b-trees into one, which is what searches read fastest.
    fn tidy(&self, table: Table) -> String {
        format!("INSERT INTO {0} ({0}) VALUES ('optimize')", table.name())
    }
}

impl FullText for TsVector {
    fn key(&self, table: Table) -> &'static str {
        match table {
            Table::Posts => "post_id",
            Table::Resources => "resource_id",
            Table::Members => "member_id",
            Table::Messages => "message_id",
        }
    }

    fn open_query(&self, sql: &mut Sql, query: &SearchQuery) -> bool {
        let Some(terms) = query.pg_terms() else {
            return false;
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
        true
    }

    /// The query as a value computed once, which the planner uses to search the GIN index
    /// first whatever it knows of the tables, then visits only the rows found.
    fn matches(&self, sql: &mut Sql, _: Table, _: &SearchQuery) {
        sql.push("s.document @@ (SELECT query FROM q)");
    }

    /// `ts_rank` is better when higher: negated, so that both engines sort ascending.
    fn scored_from(&self, table: Table) -> String {
        format!(
            "(-ts_rank({PG_WEIGHTS}, s.document, (SELECT query FROM q)))::float8 AS score \
             FROM {} s",
            table.name()
        )
    }

    fn indexed_id(&self, table: Table) -> String {
        format!("s.{}", self.key(table))
    }

    /// The newest matches first, with their documents (the GIN index, or the key's index
    /// read backwards, as the planner judges from how common the words are), then
    /// `ts_rank` over those alone: in one query PostgreSQL may rank every row before it
    /// sorts.
    /// `ts_rank` does not weigh words by how common they are: nothing to keep.
    fn recent_posts(&self) -> Option<&'static str> {
        None
    }

    fn newest_scored(
        &self,
        sql: &mut Sql,
        table: Table,
        query: &SearchQuery,
        budget: i64,
        _recent: bool,
    ) {
        let id = self.indexed_id(table);
        sql.push(&format!(
            "SELECT c.id AS id, (-ts_rank({PG_WEIGHTS}, c.document, (SELECT query FROM q)))\
             ::float8 AS score FROM (SELECT {id} AS id, s.document AS document FROM {} s \
             WHERE ",
            table.name()
        ));
        self.matches(sql, table, query);
        sql.push(&format!(" ORDER BY {id} DESC LIMIT "))
            .bind_int(budget)
            .push(") c");
    }

    fn counted_from(&self, table: Table) -> String {
        format!("FROM {} s", table.name())
    }

    /// PostgreSQL plans joins itself.
    fn join(&self) -> &'static str {
        "JOIN"
    }

    fn highlights(&self, sql: &mut Sql, table: Table, _: &SearchQuery, ids: &[i64]) {
        let columns = table.columns();
        let (title, text) = (columns[0], columns[columns.len() - 1]);
        let (open, close) = (MARK_OPEN, MARK_CLOSE);
        let key = self.key(table);
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
    }

    fn insert_into(&self, sql: &mut Sql, table: Table) {
        sql.push(&format!(
            "INSERT INTO {} ({}, {}, document) VALUES ",
            table.name(),
            self.key(table),
            table.columns().join(", ")
        ));
    }

    /// The texts kept for headlines (shielded), and the document made from the text without
    /// accents, as queries are.
    fn row_values(&self, sql: &mut Sql, table: Table, texts: &[String]) {
        for text in texts {
            sql.push(", ").bind_text(shield(text));
        }
        for (n, (text, weight)) in texts.iter().zip(pg_weights(table)).enumerate() {
            sql.push(if n == 0 { ", " } else { " || " })
                .push("setweight(to_tsvector('english', ")
                .bind_text(fold(text))
                .push(&format!("), '{weight}')"));
        }
    }

    /// The later write wins.
    fn upsert(&self, sql: &mut Sql, table: Table) {
        let columns: Vec<String> = table
            .columns()
            .iter()
            .chain(&["document"])
            .map(|c| format!("{c} = EXCLUDED.{c}"))
            .collect();
        sql.push(&format!(
            " ON CONFLICT ({}) DO UPDATE SET {}",
            self.key(table),
            columns.join(", ")
        ));
    }

    fn tidy(&self, table: Table) -> String {
        format!("ANALYZE {}", table.name())
    }
}

/// Stand-ins for `<` and `>` in the text PostgreSQL keeps for its headlines: its parser
/// takes anything like `<script>` for markup and drops it from a headline, where SQLite
/// keeps it (to be escaped). [`unshield`] puts them back.
const LT: char = '\u{E002}';
const GT: char = '\u{E003}';

fn shield(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '<' => LT,
            '>' => GT,
            c => c,
        })
        .collect()
}

/// A title or snippet as the engine gave it, with `<` and `>` back.
pub(crate) fn unshield(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            LT => '<',
            GT => '>',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{shield, unshield};

    #[test]
    fn markup_survives_the_headline_parser() {
        let text = "<script>alert(1)</script> a < b > c";
        assert!(!shield(text).contains('<'));
        assert_eq!(unshield(&shield(text)), text);
    }
}
