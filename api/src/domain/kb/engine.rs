//! The answer engine's view of the knowledge base: it indexes what the database says is
//! published.
//!
//! A change made by this process is applied to the engine right after its transaction
//! commits; changes made by other instances are picked up by [`KnowledgeBase::refresh_if_changed`],
//! which a background task runs every few seconds (a cheap `count`/`max(updated_at)` probe).

use std::sync::{Arc, Mutex};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared::kb::ArticleStatus;

use super::store::{synonyms, ArticleRow};
use crate::db::schema::{kb_articles as a, kb_synonyms as syn};
use crate::db::AnyConnection;
use crate::matching::{AbstainModel, AnswerEngine, ArticleDoc, Bm25Engine, EngineConfig, Synonym};

/// The engine and what it was last loaded from.
pub struct KnowledgeBase {
    engine: Arc<dyn AnswerEngine>,
    stamp: Mutex<Option<String>>,
}

impl std::fmt::Debug for KnowledgeBase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KnowledgeBase({})", self.engine.name())
    }
}

impl KnowledgeBase {
    /// An empty BM25 engine with the calibrated defaults.
    #[must_use]
    pub fn new() -> Self {
        Self::with_engine(Arc::new(Bm25Engine::new(EngineConfig::default())))
    }

    /// A BM25 engine with the abstention gates from the settings, the abstain
    /// model named by `KB_MODEL_PATH` (written by `api kb fit --out FILE`; the
    /// model built into the binary when unset) and the target wrong-answer
    /// rate `ANSWER_MAX_WRONG` (default 0.05).
    ///
    /// A model file that cannot be used is reported in the log and the built-in
    /// model answers instead: the service keeps answering, and the engine
    /// version (recorded with every appeal) shows which model decided.
    #[must_use]
    pub fn from_config(config: &crate::config::Config) -> Self {
        let defaults = EngineConfig::default();
        let answer_max_wrong = match std::env::var("ANSWER_MAX_WRONG") {
            Ok(v) => match v.trim().parse::<f64>() {
                Ok(x) if (0.0..=1.0).contains(&x) => x,
                _ => {
                    tracing::warn!(value = %v, "ANSWER_MAX_WRONG is not a share in 0..1; using the default");
                    defaults.answer_max_wrong
                }
            },
            Err(_) => defaults.answer_max_wrong,
        };
        let engine = EngineConfig {
            confident_threshold: config.answer_threshold,
            margin: config.answer_margin,
            answer_max_wrong,
            ..defaults
        };
        let mut bm25 = Bm25Engine::new(engine);
        if let Ok(path) = std::env::var("KB_MODEL_PATH") {
            if !path.trim().is_empty() {
                match AbstainModel::from_file(path.trim()) {
                    Ok(model) => {
                        tracing::info!(path = %path, fitted_on = model.fitted_on, "abstain model loaded");
                        bm25 = bm25.with_abstain_model(Some(model));
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "KB_MODEL_PATH not used; the built-in abstain model answers");
                    }
                }
            }
        }
        Self::with_engine(Arc::new(bm25))
    }

    /// Any engine behind the trait.
    #[must_use]
    pub fn with_engine(engine: Arc<dyn AnswerEngine>) -> Self {
        Self {
            engine,
            stamp: Mutex::new(None),
        }
    }

    /// The engine.
    #[must_use]
    pub fn engine(&self) -> &dyn AnswerEngine {
        self.engine.as_ref()
    }

    /// Reloads dictionary and published articles from the database.
    ///
    /// # Errors
    /// A database failure.
    pub fn load(&self, conn: &mut AnyConnection) -> QueryResult<()> {
        let stamp = change_stamp(conn)?;
        let synonyms = synonyms(conn)?;
        let docs = published_docs(conn)?;
        self.engine.set_synonyms(synonyms, docs);
        *self
            .stamp
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(stamp);
        Ok(())
    }

    /// Reloads when another instance changed the knowledge base.
    ///
    /// # Errors
    /// A database failure.
    pub fn refresh_if_changed(&self, conn: &mut AnyConnection) -> QueryResult<bool> {
        let stamp = change_stamp(conn)?;
        let known = self
            .stamp
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        if known.as_deref() == Some(stamp.as_str()) {
            return Ok(false);
        }
        self.load(conn)?;
        Ok(true)
    }

    /// Applies one committed article change to the engine at once.
    pub fn apply(&self, row: &ArticleRow) {
        if row.is_published() {
            self.engine.upsert(row.doc());
        } else {
            self.engine.remove(&row.id);
        }
        // The next probe would otherwise see our own change as foreign and reload all.
        self.forget_stamp_if_only_ours();
    }

    /// Applies a committed dictionary change, re-indexing `docs` (the
    /// published articles, read with [`published_docs`]: the engine keeps
    /// no texts of its own).
    pub fn apply_synonyms(&self, synonyms: Vec<Synonym>, docs: Vec<ArticleDoc>) {
        self.engine.set_synonyms(synonyms, docs);
        self.forget_stamp_if_only_ours();
    }

    fn forget_stamp_if_only_ours(&self) {
        // Keeping it simple and correct: a reload after our own change costs one rebuild
        // (milliseconds for thousands of articles) and can never miss a concurrent change.
        *self
            .stamp
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }
}

impl Default for KnowledgeBase {
    fn default() -> Self {
        Self::new()
    }
}

/// The published articles as the engine indexes them.
///
/// # Errors
/// A database failure.
pub fn published_docs(conn: &mut AnyConnection) -> QueryResult<Vec<ArticleDoc>> {
    Ok(a::table
        .filter(a::status.eq(ArticleStatus::Published))
        .select(ArticleRow::as_select())
        .load(conn)?
        .iter()
        .map(ArticleRow::doc)
        .collect())
}

/// A cheap fingerprint of the stored knowledge base: counts and last changes.
fn change_stamp(conn: &mut AnyConnection) -> QueryResult<String> {
    use diesel::dsl::{count_star, max};
    let (articles, last_article): (i64, Option<NaiveDateTime>) = a::table
        .select((count_star(), max(a::updated_at)))
        .first(conn)?;
    let (terms, last_term): (i64, Option<NaiveDateTime>) = syn::table
        .select((count_star(), max(syn::updated_at)))
        .first(conn)?;
    Ok(format!("{articles}/{last_article:?}/{terms}/{last_term:?}"))
}
