//! `LIMIT n` written into the statement's text instead of bound as `LIMIT ?` (issue #20).
//!
//! SQLite (3.50, bundled) reads the value bound to `LIMIT ?` while planning
//! (`sqlite3ExprIsInteger` marks the parameter in the statement's `expmask`), so every new
//! binding of it — diesel binds every parameter again on each execution — expires the
//! prepared statement, and its first step prepares it again (`sqlite3Reprepare`): 17–29 %
//! of a page's CPU although diesel's cache kept the statement (BENCHMARKS «Profile»). A
//! literal is part of the text: the statement is planned once per distinct limit (the
//! callers' limits are validated page sizes, a few dozen values at most) and stays prepared.
//! Switching the planner off for bound values (`SQLITE_DBCONFIG_ENABLE_QPSG`) would need
//! `unsafe` FFI, which the workspace forbids.
//!
//! The statement's text stays independent of everything but the limit, so diesel's cache
//! keys it by that text as before (a query without a static id is cached by its SQL).

use diesel::backend::Backend;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::{QueryResult, RunQueryDsl};

/// `<query> LIMIT <limit>` with the limit as a literal. `query` must have no limit of its own.
#[derive(Debug, Clone)]
pub struct LiteralLimit<Q> {
    query: Q,
    limit: u32,
}

/// Extension: `.literal_limit(n)` on any query without a `LIMIT`.
pub trait LiteralLimitDsl: Sized {
    /// This query with `LIMIT limit` written as a literal; a negative limit is read as 0.
    fn literal_limit(self, limit: i64) -> LiteralLimit<Self> {
        LiteralLimit {
            query: self,
            limit: u32::try_from(limit.max(0)).unwrap_or(u32::MAX),
        }
    }
}

impl<Q: Query> LiteralLimitDsl for Q {}

impl<Q: Query> Query for LiteralLimit<Q> {
    type SqlType = Q::SqlType;
}

impl<Q> QueryId for LiteralLimit<Q> {
    type QueryId = ();
    // Cached by its SQL text, which holds the limit.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q, C> RunQueryDsl<C> for LiteralLimit<Q> {}

impl<Q, DB> QueryFragment<DB> for LiteralLimit<Q>
where
    DB: Backend,
    Q: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.query.walk_ast(out.reborrow())?;
        out.push_sql(" LIMIT ");
        out.push_sql(&self.limit.to_string());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use diesel::prelude::*;
    use diesel::query_builder::QueryFragment;
    use diesel::sqlite::Sqlite;

    use super::LiteralLimitDsl;
    use crate::db::schema::appeals as ap;

    #[test]
    fn the_limit_is_part_of_the_text_and_the_statement_stays_cacheable() {
        let query = ap::table
            .filter(ap::teacher_id.eq("t"))
            .order(ap::created_at.desc())
            .select(ap::id)
            .literal_limit(21);
        let sql = diesel::debug_query::<Sqlite, _>(&query).to_string();
        assert!(sql.contains(" LIMIT 21"), "{sql}");
        assert!(!sql.contains("LIMIT ?"), "{sql}");
        assert!(
            QueryFragment::<Sqlite>::is_safe_to_cache_prepared(&query, &Sqlite).unwrap_or(false)
        );
        let none = ap::table.select(ap::id).literal_limit(-5);
        assert!(diesel::debug_query::<Sqlite, _>(&none)
            .to_string()
            .contains(" LIMIT 0"));
    }
}
