//! Full-text search of the list's `q` (issue 20): the words of the question, answers and
//! clarifications through the index migration 000021 keeps by triggers, instead of a
//! `LIKE` scan of every text.

use std::sync::atomic::{AtomicI64, Ordering};
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
}

/// Up to this many matching texts a search leads the query (see [`TextMatch`]); more, and
/// it is a common word. [`set_rare_limit`] changes it (tests take the common path with a
/// handful of appeals).
static RARE: AtomicI64 = AtomicI64::new(1000);

/// Sets how many matching texts a word search may have and still lead the query (1,000
/// unless set; below 0 every word search takes the common path). For tests and
/// measurements: both paths must give the same answers.
pub fn set_rare_limit(texts: i64) {
    RARE.store(texts.max(-1), Ordering::Relaxed);
}

/// Whether a search may take the leading path at all ([`set_rare_limit`] below 0 sends every
/// word search down the common path, numbers included, for the tests of that path).
pub(super) fn rare_path_allowed() -> bool {
    RARE.load(Ordering::Relaxed) >= 0
}

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
        Some(Self { fts5, tsquery })
    }

    /// Whether at most [`RARE`] (1,000) texts match: a count on the full-text index only, stopped
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
        let rare = RARE.load(Ordering::Relaxed);
        let limit = rare.saturating_add(1);
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
        Ok(count.n <= rare)
    }
}

/// `q` as an appeal's id, its number or the words of its texts: the list's search term.
/// Written by hand per backend (the two full-text indexes differ), see [`TextMatch::walk_ast`].
#[derive(Debug, Clone)]
pub(crate) struct TextMatch {
    /// `q` itself, as an id.
    id: String,
    /// The number `q` names, if it looks like one.
    number: Option<String>,
    /// Its words, if any.
    words: Option<TextSearch>,
    /// Whether the matches lead the query (few: fetched by id) or only test the rows the
    /// page's order index walks (many: the first rows in order match).
    leads: bool,
}

impl TextMatch {
    /// The search term for `q`, leading the query or not.
    pub(crate) fn new(q: &str, number: Option<String>, leads: bool) -> Self {
        Self {
            id: q.to_owned(),
            number,
            words: TextSearch::of(q),
            leads,
        }
    }

    /// SQLite: `id = ? OR number = ? OR id IN (the texts' matches)`, which SQLite answers
    /// by one index per term (a `MULTI-INDEX OR`) when it leads. When it does not, the
    /// columns are written `(x || '')` so no index serves them and the page's order index
    /// leads. FTS5 is not asked per row: a seek in a common word's doclist costs about as
    /// much as reading it (BENCHMARKS, issue #20 search), so the match set is built once.
    fn walk_sqlite<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, db::MultiBackend>,
    ) -> QueryResult<()> {
        use diesel::sql_types::Text;
        let (id, number) = if self.leads {
            ("appeals.id", "appeals.number")
        } else {
            ("(appeals.id || '')", "(appeals.number || '')")
        };
        out.push_sql("(");
        out.push_sql(id);
        out.push_sql(" = ");
        out.push_bind_param::<Text, _>(&self.id)?;
        if let Some(n) = &self.number {
            out.push_sql(" OR ");
            out.push_sql(number);
            out.push_sql(" = ");
            out.push_bind_param::<Text, _>(n)?;
        }
        if let Some(words) = &self.words {
            out.push_sql(" OR ");
            out.push_sql(id);
            out.push_sql(
                " IN (SELECT d.appeal_id FROM appeal_search_docs d \
                 WHERE d.doc_id IN (SELECT rowid FROM appeal_search \
                 WHERE appeal_search MATCH ",
            );
            out.push_bind_param::<Text, _>(&words.fts5)?;
            out.push_sql("))");
        }
        out.push_sql(")");
        Ok(())
    }

    /// PostgreSQL. Leading: ONE `appeals.id IN (q UNION ALL the number's id UNION ALL the
    /// texts' matches)`, a semi-join on the primary key (an `OR` of an `IN` with other terms
    /// made PostgreSQL walk every appeal in the page's order and test each: a search that
    /// matches nothing and a number grew linearly). Not leading (a common word): each row
    /// the page's order index gives is tested by its own texts' `tsvector`s (`OFFSET 0`
    /// keeps the check a per-row subplan instead of a join with every match).
    fn walk_pg<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, db::MultiBackend>,
    ) -> QueryResult<()> {
        use diesel::sql_types::Text;
        if self.leads {
            out.push_sql("appeals.id IN (SELECT ");
            out.push_bind_param::<Text, _>(&self.id)?;
            if let Some(n) = &self.number {
                out.push_sql(" UNION ALL SELECT n.id FROM appeals n WHERE n.number = ");
                out.push_bind_param::<Text, _>(n)?;
            }
            if let Some(words) = &self.words {
                out.push_sql(
                    " UNION ALL SELECT d.appeal_id FROM appeal_search_docs d \
                     WHERE d.doc @@ to_tsquery('russian', ",
                );
                out.push_bind_param::<Text, _>(&words.tsquery)?;
                out.push_sql(")");
            }
            out.push_sql(")");
            return Ok(());
        }
        out.push_sql("((appeals.id || '') = ");
        out.push_bind_param::<Text, _>(&self.id)?;
        if let Some(n) = &self.number {
            out.push_sql(" OR (appeals.number || '') = ");
            out.push_bind_param::<Text, _>(n)?;
        }
        if let Some(words) = &self.words {
            out.push_sql(
                " OR EXISTS (SELECT 1 FROM appeal_search_docs d \
                 WHERE d.appeal_id = appeals.id \
                 AND d.doc @@ to_tsquery('russian', ",
            );
            out.push_bind_param::<Text, _>(&words.tsquery)?;
            out.push_sql(") OFFSET 0)");
        }
        out.push_sql(")");
        Ok(())
    }
}

impl Expression for TextMatch {
    type SqlType = diesel::sql_types::Bool;
}

impl diesel::expression::ValidGrouping<()> for TextMatch {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

impl AppearsOnTable<ap::table> for TextMatch {}

impl SelectableExpression<ap::table> for TextMatch {}

impl diesel::query_builder::QueryId for TextMatch {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl diesel::query_builder::QueryFragment<db::MultiBackend> for TextMatch {
    fn walk_ast<'b>(
        &'b self,
        out: diesel::query_builder::AstPass<'_, 'b, db::MultiBackend>,
    ) -> QueryResult<()> {
        // The two backends' indexes differ, so does the SQL; the backend at hand is the
        // one the connection runs.
        match out.backend() {
            db::MultiBackend::Sqlite(_) => self.walk_sqlite(out),
            db::MultiBackend::Postgresql(_) => self.walk_pg(out),
        }
    }
}
