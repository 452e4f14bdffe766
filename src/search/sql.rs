//! A statement written for one engine with its values bound, never pasted in: the text
//! gets `?` (SQLite) or `$n` (PostgreSQL) for each value as it is pushed.

use chrono::NaiveDateTime;
use diesel::query_builder::BoxedSqlQuery;
use diesel::sql_types::{BigInt, Text, Timestamp};
use diesel::{QueryResult, QueryableByName, RunQueryDsl};

use crate::db::dialect::full_text::FullText;
use crate::db::dialect::Dialect;
use crate::db::DbConn;

#[derive(Debug, Clone)]
pub enum Value {
    Text(String),
    BigInt(i64),
    Timestamp(NaiveDateTime),
}

#[derive(Debug, Clone)]
pub struct Sql {
    dialect: &'static dyn Dialect,
    text: String,
    values: Vec<Value>,
}

/// Binds every value on a boxed query of either backend.
macro_rules! bound {
    ($query:expr, $values:expr) => {{
        let mut query = $query;
        for value in $values {
            query = match value {
                Value::Text(v) => query.bind::<Text, _>(v),
                Value::BigInt(v) => query.bind::<BigInt, _>(v),
                Value::Timestamp(v) => query.bind::<Timestamp, _>(v),
            };
        }
        query
    }};
}

type Boxed<DB> = BoxedSqlQuery<'static, DB, diesel::query_builder::SqlQuery>;

fn boxed_sqlite(sql: &Sql) -> Boxed<diesel::sqlite::Sqlite> {
    bound!(
        diesel::sql_query(sql.text.clone()).into_boxed(),
        sql.values.clone()
    )
}

fn boxed_pg(sql: &Sql) -> Boxed<diesel::pg::Pg> {
    bound!(
        diesel::sql_query(sql.text.clone()).into_boxed(),
        sql.values.clone()
    )
}

impl Sql {
    /// An empty statement for the engine behind `conn`.
    pub fn for_conn(conn: &DbConn) -> Self {
        Self {
            dialect: conn.dialect(),
            text: String::new(),
            values: Vec::new(),
        }
    }

    /// The full-text search of this statement's engine.
    pub(crate) fn full_text(&self) -> &'static dyn FullText {
        self.dialect.full_text()
    }

    /// SQL text written here, never anything a member typed.
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// A placeholder for `value`.
    pub fn bind(&mut self, value: Value) -> &mut Self {
        self.values.push(value);
        let placeholder = self.dialect.placeholder(self.values.len());
        self.text.push_str(&placeholder);
        self
    }

    pub fn bind_text(&mut self, value: impl Into<String>) -> &mut Self {
        self.bind(Value::Text(value.into()))
    }

    pub fn bind_int(&mut self, value: i64) -> &mut Self {
        self.bind(Value::BigInt(value))
    }

    pub fn bind_time(&mut self, value: NaiveDateTime) -> &mut Self {
        self.bind(Value::Timestamp(value))
    }

    /// `(?, ?, ?)` for a non-empty list of ids.
    pub fn bind_list(&mut self, ids: impl IntoIterator<Item = i64>) -> &mut Self {
        self.push("(");
        for (n, id) in ids.into_iter().enumerate() {
            if n > 0 {
                self.push(", ");
            }
            self.bind_int(id);
        }
        self.push(")")
    }

    pub fn load<T>(&self, conn: &mut DbConn) -> QueryResult<Vec<T>>
    where
        T: QueryableByName<diesel::sqlite::Sqlite> + QueryableByName<diesel::pg::Pg> + 'static,
    {
        match conn {
            DbConn::Sqlite(c) => boxed_sqlite(self).load(c),
            DbConn::Postgresql(c) => boxed_pg(self).load(c),
        }
    }

    pub fn execute(&self, conn: &mut DbConn) -> QueryResult<usize> {
        match conn {
            DbConn::Sqlite(c) => boxed_sqlite(self).execute(c),
            DbConn::Postgresql(c) => boxed_pg(self).execute(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::db::dialect::{Postgres, Sqlite};

    fn statement(dialect: &'static dyn Dialect) -> Sql {
        let mut sql = Sql {
            dialect,
            text: String::new(),
            values: Vec::new(),
        };
        sql.push("SELECT 1 WHERE a = ")
            .bind_text("x")
            .push(" AND b IN ")
            .bind_list([1, 2]);
        sql
    }

    #[test]
    fn placeholders_follow_the_engine() {
        assert_eq!(
            statement(&Sqlite).text,
            "SELECT 1 WHERE a = ? AND b IN (?, ?)"
        );
        assert_eq!(
            statement(&Postgres).text,
            "SELECT 1 WHERE a = $1 AND b IN ($2, $3)"
        );
        assert_eq!(statement(&Postgres).values.len(), 3);
    }
}
