//! Many rows as one bound parameter: a JSON array of rows read back as a table.
//!
//! A group commit writes tens to hundreds of rows to each of several tables. As multi-row
//! `VALUES` lists they took one statement per power-of-two run of rows (see
//! [`crate::db::pow2_chunks`]), each a round trip to the database; as one JSON parameter
//! they take one statement per table whatever the group's size, and that statement's text
//! never changes, so it stays prepared. Values stay bound, never spliced into the SQL.

use crate::db::Backend;
use serde::Serialize;

/// How a column is read back out of its JSON row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A string (or null).
    Text,
    /// A 64-bit integer (or null).
    Int,
}

/// `SELECT … FROM` the rows of the statement's one JSON parameter: each column of `columns`
/// named and typed, in row order. On SQLite the parameter is `?`, on PostgreSQL `$1`.
/// SQLite reads `INSERT … SELECT … ON CONFLICT` as a join unless the select has a `WHERE`,
/// so this one always has one.
pub fn table(backend: Backend, columns: &[(&str, Kind)]) -> String {
    table_at(backend, 1, columns)
}

/// [`table`] reading the statement's `param`-th parameter (`$param` on PostgreSQL; on
/// SQLite `?`, bound in the order the placeholders appear).
pub fn table_at(backend: Backend, param: usize, columns: &[(&str, Kind)]) -> String {
    let picked: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, (name, kind))| match (backend, kind) {
            (Backend::Sqlite, _) | (Backend::Postgres, Kind::Text) => {
                format!("value->>{i} AS {name}")
            }
            (Backend::Postgres, Kind::Int) => format!("CAST(value->>{i} AS BIGINT) AS {name}"),
        })
        .collect();
    let source = match backend {
        Backend::Sqlite => "json_each(?)".to_string(),
        Backend::Postgres => format!("jsonb_array_elements(CAST(${param} AS JSONB)) AS value"),
    };
    format!("SELECT {} FROM {source} WHERE true", picked.join(", "))
}

/// `IN (…)` the first column of the rows of parameter `param` (see [`table_at`]), to follow
/// `WHERE column`. PostgreSQL gets them as one array (`= ANY(ARRAY(…))`), which it looks up
/// through the column's index whatever it guesses of the table; a row source it may join by
/// scanning the whole table.
pub fn in_list(backend: Backend, param: usize) -> String {
    match backend {
        Backend::Sqlite => format!("IN ({})", table_at(backend, param, &[("v", Kind::Text)])),
        Backend::Postgres => format!(
            "= ANY(ARRAY({}))",
            table_at(backend, param, &[("v", Kind::Text)])
        ),
    }
}

/// `INSERT INTO into (columns…) SELECT …`: every row of the statement's one JSON parameter
/// (see [`table`]); a caller may append `ORDER BY` or `ON CONFLICT`.
pub fn insert(backend: Backend, into: &str, columns: &[(&str, Kind)]) -> String {
    let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
    format!(
        "INSERT INTO {into} ({}) {}",
        names.join(", "),
        table(backend, columns)
    )
}

/// The rows as the JSON text to bind: each row a tuple (or array) of its column values.
pub fn json<T: Serialize>(rows: &[T]) -> String {
    serde_json::to_string(rows).expect("rows of strings and integers serialise")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_named_and_typed_per_backend() {
        let cols = [("id", Kind::Text), ("n", Kind::Int)];
        assert_eq!(
            table(Backend::Sqlite, &cols),
            "SELECT value->>0 AS id, value->>1 AS n FROM json_each(?) WHERE true"
        );
        assert_eq!(
            table(Backend::Postgres, &cols),
            "SELECT value->>0 AS id, CAST(value->>1 AS BIGINT) AS n \
             FROM jsonb_array_elements(CAST($1 AS JSONB)) AS value WHERE true"
        );
        assert_eq!(json(&[("a\"b", 1_i64)]), r#"[["a\"b",1]]"#);
        assert_eq!(
            in_list(Backend::Postgres, 2),
            "= ANY(ARRAY(SELECT value->>0 AS v \
             FROM jsonb_array_elements(CAST($2 AS JSONB)) AS value WHERE true))"
        );
        assert_eq!(
            insert(Backend::Sqlite, "t", &cols),
            "INSERT INTO t (id, n) SELECT value->>0 AS id, value->>1 AS n FROM json_each(?) WHERE true"
        );
    }
}
