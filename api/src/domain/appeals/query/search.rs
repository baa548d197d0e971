//! Full-text search of the list's `q` (issue 20): the words of the question, answers and
//! clarifications through the index migration 000021 keeps by triggers, instead of a
//! `LIKE` scan of every text.

use std::sync::OnceLock;

use diesel::prelude::*;

use crate::db;
use crate::db::schema::appeals as ap;
use crate::matching::{tokenize, Analyzer};

/// The engine's analyser, for its normalisation, stop words and stems (read-only use).
fn analyzer() -> &'static Analyzer {
    static ANALYZER: OnceLock<Analyzer> = OnceLock::new();
    ANALYZER.get_or_init(|| Analyzer::new(&[]))
}

/// «The appeal has a text with all these words», answered by the full-text index of
/// migration 000021: SQLite's FTS5 table `appeal_search` (the stems of the engine's
/// normaliser as prefixes of the indexed words: «журнала» → `"журнал"*`), PostgreSQL's
/// `tsvector` column with the `russian` configuration (its own Snowball stems of the
/// normalised words, as prefixes). The words come from the normaliser on both backends,
/// so neither query language sees an operator or a quote typed by the user.
#[derive(Debug, Clone)]
pub struct TextSearch {
    /// The FTS5 query.
    fts5: String,
    /// The `tsquery` text.
    tsquery: String,
    /// Whether the matches lead the query (few of them: fetched by id and sorted), or the
    /// page's order index leads and each row is tested (many: the first rows in order
    /// match). Written `(appeals.id || '') IN …` when not leading, so no index serves it.
    leads: bool,
}

/// Up to this many matching texts a search leads the query (see [`TextSearch::leading`]).
const RARE: i64 = 1000;

impl TextSearch {
    /// The search for `q`'s words; `None` when it has none but stop words (`%`, «и»).
    #[must_use]
    pub fn of(q: &str) -> Option<Self> {
        let analyzer = analyzer();
        let words: Vec<String> = tokenize(q)
            .into_iter()
            .filter(|w| !analyzer.is_stop(w))
            .collect();
        if words.is_empty() {
            return None;
        }
        let fts5 = words
            .iter()
            .map(|w| format!("\"{}\"*", analyzer.stem(w).replace('"', "")))
            .collect::<Vec<_>>()
            .join(" AND ");
        let tsquery = words
            .iter()
            .map(|w| {
                format!(
                    "{}:*",
                    w.replace(['\'', '\\', ':', '&', '|', '!', '(', ')'], "")
                )
            })
            .collect::<Vec<_>>()
            .join(" & ");
        Some(Self {
            fts5,
            tsquery,
            leads: true,
        })
    }

    /// Whether the matches lead the query; see the `leads` field.
    #[must_use]
    pub fn leading(mut self, leads: bool) -> Self {
        self.leads = leads;
        self
    }

    /// Whether at most [`RARE`] texts match: a count on the full-text index only, stopped
    /// at the bound, so it costs the same whatever the number of appeals.
    ///
    /// # Errors
    /// A database failure.
    pub fn is_rare(&self, conn: &mut db::AnyConnection) -> QueryResult<bool> {
        use diesel::sql_types::{BigInt, Text};
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let limit = RARE + 1;
        let count: Count = match conn {
            db::AnyConnection::Sqlite(c) => diesel::sql_query(format!(
                "SELECT count(*) AS n FROM (SELECT rowid FROM appeal_search \
                 WHERE appeal_search MATCH ? LIMIT {limit})"
            ))
            .bind::<Text, _>(&self.fts5)
            .get_result(c)?,
            db::AnyConnection::Postgresql(c) => diesel::sql_query(format!(
                "SELECT count(*) AS n FROM (SELECT 1 FROM appeal_search_docs \
                 WHERE doc @@ to_tsquery('russian', $1) LIMIT {limit}) AS m"
            ))
            .bind::<Text, _>(&self.tsquery)
            .get_result(c)?,
        };
        Ok(count.n <= RARE)
    }
}

impl Expression for TextSearch {
    type SqlType = diesel::sql_types::Bool;
}

impl diesel::expression::ValidGrouping<()> for TextSearch {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

impl AppearsOnTable<ap::table> for TextSearch {}

impl SelectableExpression<ap::table> for TextSearch {}

impl diesel::query_builder::QueryId for TextSearch {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl diesel::query_builder::QueryFragment<db::MultiBackend> for TextSearch {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, db::MultiBackend>,
    ) -> QueryResult<()> {
        use diesel::sql_types::Text;
        // The two backends' indexes differ, so does the SQL; the backend at hand is the
        // one the connection runs.
        match out.backend() {
            db::MultiBackend::Sqlite(_) => {
                out.push_sql(if self.leads {
                    "appeals.id"
                } else {
                    "(appeals.id || '')"
                });
                out.push_sql(
                    " IN (SELECT d.appeal_id FROM appeal_search_docs d \
                     WHERE d.doc_id IN (SELECT rowid FROM appeal_search \
                     WHERE appeal_search MATCH ",
                );
                out.push_bind_param::<Text, _>(&self.fts5)?;
                out.push_sql("))");
            }
            db::MultiBackend::Postgresql(_) => {
                out.push_sql(if self.leads {
                    "appeals.id"
                } else {
                    "(appeals.id || '')"
                });
                out.push_sql(
                    " IN (SELECT d.appeal_id FROM appeal_search_docs d \
                     WHERE d.doc @@ to_tsquery('russian', ",
                );
                out.push_bind_param::<Text, _>(&self.tsquery)?;
                out.push_sql("))");
            }
        }
        Ok(())
    }
}
