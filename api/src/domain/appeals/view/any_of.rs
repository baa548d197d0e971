//! `column IN (a list of ids)` written so that the statement's text does not depend on the
//! list's length, and diesel's statement cache keeps it (issue #20, the SQLite page
//! regression). diesel's `eq_any` writes one `?` per value on SQLite and marks the statement
//! unsafe to cache, so SQLite parsed and planned the page's one `UNION ALL` of related data
//! again on every request: a third of a `GET /appeals`'s CPU (BENCHMARKS «Profile»).
//! Here SQLite gets the ids as one JSON array bound to `json_each(?)`, PostgreSQL as one
//! array bound to `= ANY(?)` (what diesel already does there).

use diesel::expression::{is_aggregate, AppearsOnTable, Expression, ValidGrouping};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Array, Bool, Text};
use diesel::sqlite::Sqlite;
use diesel::{QueryResult, SelectableExpression};

/// `column IN ids` with one bound value whatever the number of ids.
#[derive(Debug, Clone)]
pub(super) struct AnyOf<C> {
    column: C,
    /// The ids, for PostgreSQL's array.
    ids: Vec<String>,
    /// The ids as a JSON array, for SQLite's `json_each`.
    json: String,
}

/// `column` is one of `ids`.
pub(super) fn any_of<C>(column: C, ids: &[&str]) -> AnyOf<C> {
    AnyOf {
        column,
        ids: ids.iter().map(|id| (*id).to_owned()).collect(),
        // A list of strings always serializes; an empty array matches nothing, as `IN ()`.
        json: serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_owned()),
    }
}

impl<C> Expression for AnyOf<C> {
    type SqlType = Bool;
}

impl<C> ValidGrouping<()> for AnyOf<C> {
    type IsAggregate = is_aggregate::Never;
}

impl<C, QS> AppearsOnTable<QS> for AnyOf<C> where C: AppearsOnTable<QS> {}

impl<C, QS> SelectableExpression<QS> for AnyOf<C> where C: SelectableExpression<QS> {}

impl<C> QueryId for AnyOf<C> {
    type QueryId = ();
    // Cached by its SQL text, which no longer depends on the ids.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<C> QueryFragment<Sqlite> for AnyOf<C>
where
    C: QueryFragment<Sqlite>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" IN (SELECT value FROM json_each(");
        out.push_bind_param::<Text, _>(&self.json)?;
        out.push_sql("))");
        Ok(())
    }
}

impl<C> QueryFragment<Pg> for AnyOf<C>
where
    C: QueryFragment<Pg>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" = ANY(");
        out.push_bind_param::<Array<Text>, _>(&self.ids)?;
        out.push_sql(")");
        Ok(())
    }
}
