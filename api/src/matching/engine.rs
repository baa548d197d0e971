//! [`Bm25Engine`]: the BM25F index behind a lock plus the abstention decision.
//!
//! Reads take a shared lock on the index; single-article writes take the
//! exclusive lock for microseconds. Whole re-indexing (new corpus, new
//! dictionary) is built outside the lock and swapped in, so readers are never
//! blocked for the duration of a rebuild. A separate writer mutex serialises
//! writers so that a rebuild cannot lose a concurrent upsert.

use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::index::{prepare, Candidate, Index, Params};
use super::normalize::{Analyzer, StemCache};
use super::synonyms::{default_synonyms, format_synonyms};
use super::{AnswerEngine, ArticleDoc, Decision, EngineConfig, Hit, Synonym};

/// Engine name recorded with appeals.
const ENGINE_NAME: &str = "bm25";

/// Longest query analysed, in characters (the rest is ignored).
const MAX_QUERY_CHARS: usize = 4000;

/// Algorithm version; bump when ranking or decision logic changes.
const ALGORITHM_VERSION: &str = "1.0";

struct State {
    index: Index,
    synonyms: Vec<Synonym>,
    version: String,
}

/// BM25F answer engine with Russian analysis and calibrated abstention.
pub struct Bm25Engine {
    config: EngineConfig,
    state: RwLock<State>,
    writer: Mutex<()>,
}

impl std::fmt::Debug for Bm25Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bm25Engine")
            .field("config", &self.config)
            .finish()
    }
}

/// FNV-1a: a hash that is stable across Rust releases, so a version string
/// recorded today can be compared with one computed later.
fn fnv1a(data: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in data.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn version_of(config: &EngineConfig, synonyms: &[Synonym]) -> String {
    let fp = fnv1a(&format!("{config:?}\n{}", format_synonyms(synonyms)));
    format!("{ALGORITHM_VERSION}+{:08x}", fp as u32)
}

impl Bm25Engine {
    /// Engine with the default synonym dictionary and no articles.
    pub fn new(config: EngineConfig) -> Self {
        Self::with_synonyms(config, default_synonyms())
    }

    /// Engine with a given synonym dictionary and no articles.
    pub fn with_synonyms(config: EngineConfig, synonyms: Vec<Synonym>) -> Self {
        let analyzer = Arc::new(Analyzer::new(&synonyms));
        let index = Index::new(analyzer, Params::from_config(&config));
        let version = version_of(&config, &synonyms);
        Bm25Engine {
            config,
            state: RwLock::new(State {
                index,
                synonyms,
                version,
            }),
            writer: Mutex::new(()),
        }
    }

    /// The configuration in use.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// The synonym dictionary in use.
    pub fn synonyms(&self) -> Vec<Synonym> {
        self.read().synonyms.clone()
    }

    /// Number of indexed articles.
    pub fn len(&self) -> usize {
        self.read().index.len()
    }

    /// Whether no article is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Approximate heap memory of the index in bytes, and its number of terms.
    pub fn memory_estimate(&self) -> (usize, usize) {
        let st = self.read();
        (st.index.heap_bytes(), st.index.term_count())
    }

    /// Analysed query terms (stems and bigrams) as the engine sees them;
    /// for diagnostics and the CLI.
    pub fn explain(&self, query: &str) -> Vec<String> {
        let st = self.read();
        let (terms, _, unknown) = st.index.query_terms(query, &self.config);
        let mut out: Vec<String> = terms
            .iter()
            .map(|t| format!("{}:{:.2}:df{}", t.term, t.weight, st.index.df(&t.term)))
            .collect();
        out.extend(unknown.into_iter().map(|u| format!("?{u}")));
        out
    }

    // A panic while holding the lock leaves the index in a consistent state
    // (every mutation is completed before returning), so poisoning is ignored.
    fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn writer(&self) -> std::sync::MutexGuard<'_, ()> {
        self.writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn abstain(&self, version: String, reason: &str, hits: Vec<Hit>) -> Decision {
        Decision {
            engine: ENGINE_NAME,
            version,
            confident: false,
            best: hits.first().cloned(),
            hits,
            abstain_reason: Some(reason.to_string()),
            confidence: 0.0,
            margin: 0.0,
            coverage: 0.0,
            text_match: 0.0,
        }
    }
}

impl AnswerEngine for Bm25Engine {
    fn name(&self) -> &'static str {
        ENGINE_NAME
    }

    fn version(&self) -> String {
        self.read().version.clone()
    }

    fn decide(&self, query: &str, limit: usize) -> Decision {
        // A pasted document is not a question; bound the work per call.
        let query = match query.char_indices().nth(MAX_QUERY_CHARS) {
            Some((cut, _)) => &query[..cut],
            None => query,
        };
        let st = self.read();
        let version = st.version.clone();
        let ranked = st.index.rank(query, &self.config, limit.max(2));
        if ranked.tokens == 0 {
            return self.abstain(version, "empty_query", Vec::new());
        }
        let to_hit = |c: &Candidate| {
            st.index.id_of(c.slot).map(|id| Hit {
                article_id: id.to_string(),
                score: c.score,
            })
        };
        let hits: Vec<Hit> = ranked.top.iter().take(limit).filter_map(to_hit).collect();
        let best_hit = ranked.top.first().and_then(to_hit);
        drop(st);
        let (Some(best), Some(best_hit)) = (ranked.top.first(), best_hit) else {
            return self.abstain(version, "no_match", hits);
        };
        let (s1, covered, text_match) = (best.score, best.covered, best.text_match);
        let s2 = ranked.top.get(1).map(|t| t.score).unwrap_or(0.0);
        let margin = if s1 > 0.0 { (s1 - s2) / s1 } else { 0.0 };
        let coverage = if ranked.total_weight > 0.0 {
            covered / ranked.total_weight
        } else {
            0.0
        };
        // Confidence is the geometric mean of the two directions of overlap:
        // how much of the query the article explains (coverage) and how much
        // of one of the article's wordings the query restates (wording match).
        // Out-of-scope questions fail the first, loose topical matches the second.
        let confidence = (coverage * text_match).max(0.0).sqrt();
        let c = &self.config;
        // The confidence gate is checked last: see `Decision::confidence`.
        let reason = if margin < c.margin {
            Some("small_margin")
        } else if coverage < c.min_coverage {
            Some("low_coverage")
        } else if confidence < c.confident_threshold {
            Some("low_score")
        } else {
            None
        };
        Decision {
            engine: ENGINE_NAME,
            version,
            confident: reason.is_none(),
            best: Some(best_hit),
            hits,
            abstain_reason: reason.map(str::to_string),
            confidence,
            margin,
            coverage,
            text_match,
        }
    }

    fn upsert(&self, doc: ArticleDoc) {
        let _w = self.writer();
        // Analysis (the expensive part) runs without blocking readers; the
        // writer mutex guarantees the analyser cannot change meanwhile.
        let analyzer = Arc::clone(self.read().index.analyzer());
        let prepared = prepare(&analyzer, doc, &mut StemCache::default());
        self.write().index.upsert(prepared);
    }

    fn remove(&self, id: &str) {
        let _w = self.writer();
        self.write().index.remove(id);
    }

    fn replace_all(&self, docs: Vec<ArticleDoc>) {
        let _w = self.writer();
        let analyzer = Arc::clone(self.read().index.analyzer());
        let index = Index::build(&analyzer, Params::from_config(&self.config), docs);
        self.write().index = index;
    }

    fn set_synonyms(&self, synonyms: Vec<Synonym>) {
        let _w = self.writer();
        let docs = self.read().index.docs();
        let analyzer = Arc::new(Analyzer::new(&synonyms));
        let index = Index::build(&analyzer, Params::from_config(&self.config), docs);
        let version = version_of(&self.config, &synonyms);
        let mut st = self.write();
        st.index = index;
        st.synonyms = synonyms;
        st.version = version;
    }
}
