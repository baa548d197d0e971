//! `EXPLAIN` of the list's own query, for the query-plan test (issue 20).

use diesel::prelude::*;
use diesel::query_builder::Query;

use crate::db::{self, AnyConnection};

/// `EXPLAIN [QUERY PLAN] <query>`: on SQLite (`SQLITE`) rows of `(id, parent, notused,
/// detail)`, on PostgreSQL one text line per row.
pub(super) struct Explain<Q, const SQLITE: bool>(pub(super) Q);

impl<Q> Query for Explain<Q, true> {
    type SqlType = (
        diesel::sql_types::Integer,
        diesel::sql_types::Integer,
        diesel::sql_types::Integer,
        diesel::sql_types::Text,
    );
}

impl<Q> Query for Explain<Q, false> {
    type SqlType = diesel::sql_types::Text;
}

impl<Q, const SQLITE: bool> diesel::query_builder::QueryId for Explain<Q, SQLITE> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q, const SQLITE: bool> RunQueryDsl<AnyConnection> for Explain<Q, SQLITE> {}

impl<Q, const SQLITE: bool> diesel::query_builder::QueryFragment<db::MultiBackend>
    for Explain<Q, SQLITE>
where
    Q: diesel::query_builder::QueryFragment<db::MultiBackend>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, db::MultiBackend>,
    ) -> QueryResult<()> {
        out.unsafe_to_cache_prepared();
        out.push_sql(if SQLITE {
            "EXPLAIN QUERY PLAN "
        } else {
            "EXPLAIN "
        });
        self.0.walk_ast(out.reborrow())
    }
}
