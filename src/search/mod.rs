//! Search across discussions, resources and members, on both engines: SQLite's FTS5 and
//! PostgreSQL's text search behind one contract (`engine`), an index kept in step by every
//! write path (`index`), the engines' differences in one place (`crate::db::dialect`), and
//! what a member types parsed into terms (`query`), never passed on raw.

pub mod engine;
pub mod filters;
pub mod index;
pub mod pages;
pub mod query;
pub mod results;
pub mod routes;
pub(crate) mod sql;

pub use filters::{FilterForm, Filters, Kind};
pub use query::SearchQuery;
pub use results::{search, Count, Found, Results, SearchError, SearchRequest};
