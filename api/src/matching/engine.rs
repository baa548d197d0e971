//! [`Bm25Engine`]: the BM25F index behind a lock plus the abstention decision.
//!
//! Reads take a shared lock on the index; single-article writes take the
//! exclusive lock for microseconds. Whole re-indexing (new corpus, new
//! dictionary) is built outside the lock and swapped in, so readers are never
//! blocked for the duration of a rebuild. A separate writer mutex serialises
//! writers so that a rebuild cannot lose a concurrent upsert.

use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::abstain::{AbstainModel, Signals};
use super::courtesy::is_courtesy;
use super::index::{prepare, Candidate, Index, Params, Ranked};
use super::normalize::{Analyzer, StemCache};
use super::probe::{signals_of, split_sentences};
use super::rerank::{neighbour_rows, CandidateRow, Reranker, NEIGHBOUR_LOG_RATIO, RERANK_DEPTH};
use super::synonyms::{default_synonyms, format_synonyms};
use super::{AnswerEngine, ArticleDoc, Decision, EngineConfig, Hit, HitExplanation, Synonym};

/// Engine name recorded with appeals.
const ENGINE_NAME: &str = "bm25";

/// Longest query analysed, in characters (the rest is ignored).
const MAX_QUERY_CHARS: usize = 4000;

/// Algorithm version; bump when ranking or decision logic changes.
const ALGORITHM_VERSION: &str = "2.1";

struct State {
    index: Index,
    synonyms: Vec<Synonym>,
    version: String,
}

/// BM25F answer engine with Russian analysis and calibrated abstention.
pub struct Bm25Engine {
    config: EngineConfig,
    /// The abstain model in use (`None`: hand-set gates).
    model: Option<AbstainModel>,
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

fn version_of(config: &EngineConfig, synonyms: &[Synonym], model: Option<&AbstainModel>) -> String {
    let model = model.map(AbstainModel::fingerprint).unwrap_or_default();
    let fp = fnv1a(&format!(
        "{config:?}\n{}\n{model}",
        format_synonyms(synonyms)
    ));
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
        let model = if config.abstain_model {
            AbstainModel::embedded().cloned()
        } else {
            None
        };
        let version = version_of(&config, &synonyms, model.as_ref());
        Bm25Engine {
            config,
            model,
            state: RwLock::new(State {
                index,
                synonyms,
                version,
            }),
            writer: Mutex::new(()),
        }
    }

    /// Replaces the abstain model (`None`: hand-set gates); used by fitting
    /// and cross-validation.
    pub fn with_abstain_model(mut self, model: Option<AbstainModel>) -> Self {
        self.model = model.filter(AbstainModel::is_usable);
        let version = {
            let st = self.read();
            version_of(&self.config, &st.synonyms, self.model.as_ref())
        };
        self.write().version = version;
        self
    }

    /// The abstain model in use, if any.
    pub fn abstain_model(&self) -> Option<&AbstainModel> {
        self.model.as_ref()
    }

    /// Probability threshold of the abstain model for the configured
    /// target wrong-answer rate.
    pub fn answer_threshold(&self) -> Option<f64> {
        self.model
            .as_ref()
            .map(|m| m.threshold_for(self.config.answer_max_wrong))
    }

    /// The texts a query is ranked as: the whole text and, for a text of
    /// several sentences, its question sentence(s) (flagged `true`); with the
    /// number of sentences.
    fn probe_texts(query: &str) -> (Vec<(String, bool)>, usize) {
        let query = cut(query);
        let sentences = split_sentences(query);
        let mut texts = vec![(query.to_string(), false)];
        if sentences.len() >= 2 {
            let asked: Vec<&str> = sentences
                .iter()
                .filter(|(_, q)| *q)
                .map(|(t, _)| t.as_str())
                .collect();
            let part = if asked.is_empty() {
                sentences.last().map(|(t, _)| t.clone()).unwrap_or_default()
            } else {
                asked.join(" ")
            };
            texts.push((part, true));
        }
        (texts, sentences.len().max(1))
    }

    /// Ranking signals of a query: one [`Probe`] for the whole text and, for
    /// a text of several sentences, one for its question sentence(s). Empty
    /// when nothing matched.
    pub fn probes(&self, query: &str, limit: usize) -> Vec<Probe> {
        let (texts, sentences) = Self::probe_texts(query);
        let st = self.read();
        texts
            .into_iter()
            .filter_map(|(text, partial)| {
                let mut ranked = st.index.rank(&text, &self.config, limit.max(RERANK_DEPTH));
                self.rerank(&st.index, &text, &mut ranked);
                let hits: Vec<Hit> = ranked
                    .top
                    .iter()
                    .filter_map(|c| {
                        st.index.id_of(c.slot).map(|id| Hit {
                            article_id: id.to_string(),
                            score: c.score,
                        })
                    })
                    .collect();
                let signals = signals_of(&ranked, 0, sentences, partial)?;
                Some(Probe { signals, hits })
            })
            .collect()
    }

    /// The first `k` candidates of each probe of `query` (as [`Self::probes`])
    /// with their abstain signals (the candidate taken as first) and the
    /// features that tell neighbours apart, relative to the first candidate:
    /// log score ratio, wording-match gap, coverage gap, and the gaps in
    /// distinctive-word, answer-text and word-pair shares.
    pub fn probe_candidates(&self, query: &str, k: usize) -> Vec<Vec<CandidateRow>> {
        let (texts, sentences) = Self::probe_texts(query);
        let st = self.read();
        texts
            .into_iter()
            .filter_map(|(text, partial)| {
                let r = st.index.rank(&text, &self.config, k.max(2));
                if r.top.is_empty() {
                    return None;
                }
                let nf = neighbour_rows(&st.index, &self.config, &text, &r, r.top.len());
                let rows = r
                    .top
                    .iter()
                    .enumerate()
                    .filter_map(|(i, c)| {
                        Some(CandidateRow {
                            article_id: st.index.id_of(c.slot)?.to_string(),
                            signals: signals_of(&r, i, sentences, partial)?,
                            rerank: nf.get(i)?.clone(),
                        })
                    })
                    .collect();
                Some(rows)
            })
            .collect()
    }

    /// Per hit of the decision on `query`: the query words found in it and
    /// the abstain model's probability that it is the answer (its signals
    /// computed with this hit taken as the first and the best of the others
    /// as its runner-up; for the first hit, the decision's own confidence).
    /// Ranked the same way as [`AnswerEngine::decide`], so the hits are the
    /// decision's.
    pub fn explanations(&self, query: &str, limit: usize) -> Vec<HitExplanation> {
        if is_courtesy(query) {
            return Vec::new();
        }
        let (texts, sentences) = Self::probe_texts(query);
        let st = self.read();
        let ranked: Vec<(String, Ranked, bool)> = texts
            .into_iter()
            .map(|(text, partial)| {
                let mut r = st.index.rank(&text, &self.config, limit.max(RERANK_DEPTH));
                self.rerank(&st.index, &text, &mut r);
                (text, r, partial)
            })
            .filter(|(_, r, _)| !r.top.is_empty())
            .collect();
        // The probe the decision uses: the most probable one that passes the
        // margin gate, else the whole text (as in `decide_with_model`).
        let model = self.model.as_ref();
        let pick = model
            .and_then(|m| {
                ranked
                    .iter()
                    .filter_map(|(t, r, partial)| {
                        let f = signals_of(r, 0, sentences, *partial)?.features();
                        (!m.gated(&f)).then(|| (m.probability(&f), t, r, *partial))
                    })
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(_, t, r, p)| (t, r, p))
            })
            .or_else(|| ranked.first().map(|(t, r, p)| (t, r, *p)));
        let Some((text, r, partial)) = pick else {
            return Vec::new();
        };
        r.top
            .iter()
            .take(limit)
            .enumerate()
            .filter_map(|(i, c)| {
                let probability = model.and_then(|m| {
                    let f = signals_of(r, i, sentences, partial)?.features();
                    Some(m.probability(&f))
                });
                Some(HitExplanation {
                    article_id: st.index.id_of(c.slot)?.to_string(),
                    matched: st.index.matched_words(text, &self.config, c.slot),
                    probability,
                })
            })
            .collect()
    }

    /// Moves the candidate the model's neighbour re-ranker prefers to the
    /// front (nothing without a model or when it has no re-ranker).
    fn rerank(&self, index: &Index, text: &str, ranked: &mut Ranked) {
        let Some(model) = self.model.as_ref().filter(|m| !m.reranker.is_empty()) else {
            return;
        };
        // Candidates are sorted by score: when the runner-up is outside the
        // neighbour window, so is every other, and the features need not be
        // computed (most queries).
        let close = match (ranked.top.first(), ranked.top.get(1)) {
            (Some(a), Some(b)) => {
                (b.score.max(1e-9) / a.score.max(1e-9)).ln() >= -NEIGHBOUR_LOG_RATIO
            }
            _ => false,
        };
        if !close {
            return;
        }
        let rows = neighbour_rows(index, &self.config, text, ranked, RERANK_DEPTH);
        let features: Vec<&[f64]> = rows.iter().map(Vec::as_slice).collect();
        let ranker = Reranker {
            weights: model.reranker.clone(),
        };
        let i = ranker.choose(&features);
        if i > 0 {
            let c = ranked.top.remove(i);
            ranked.top.insert(0, c);
        }
    }

    /// The decision of the abstain model.
    fn decide_with_model(&self, model: &AbstainModel, query: &str, limit: usize) -> Decision {
        let version = self.read().version.clone();
        if is_courtesy(query) {
            return self.abstain(version, "courtesy", Vec::new());
        }
        let probes = self.probes(query, limit);
        let first_hits = probes.first().map(|p| p.hits.clone());
        let best = probes
            .into_iter()
            .filter(|p| !model.gated(&p.signals.features()))
            .map(|p| (model.probability(&p.signals.features()), p))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let Some((p, probe)) = best else {
            if let Some(hits) = first_hits {
                let hits = hits.into_iter().take(limit.max(1)).collect::<Vec<_>>();
                let mut d = self.abstain(version, "small_margin", hits);
                d.hits.truncate(limit);
                return d;
            }
            let st = self.read();
            let tokens = st.index.rank(cut(query), &self.config, 1).tokens;
            let reason = if tokens == 0 {
                "empty_query"
            } else {
                "no_match"
            };
            return self.abstain(version, reason, Vec::new());
        };
        let threshold = model.threshold_for(self.config.answer_max_wrong);
        let confident = p >= threshold;
        let s = probe.signals;
        Decision {
            engine: ENGINE_NAME,
            version,
            confident,
            best: probe.hits.first().cloned(),
            hits: probe.hits.into_iter().take(limit).collect(),
            abstain_reason: (!confident).then(|| "low_score".to_string()),
            confidence: p,
            margin: s.margin(),
            coverage: s.cov1,
            text_match: s.tm1,
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

    /// [`Self::memory_estimate`] per structure of the index.
    pub fn memory_breakdown(&self) -> Vec<(&'static str, usize)> {
        self.read().index.heap_breakdown()
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

    fn explain_hits(&self, query: &str, limit: usize) -> Vec<HitExplanation> {
        self.explanations(query, limit)
    }

    fn version(&self) -> String {
        self.read().version.clone()
    }

    fn decide(&self, query: &str, limit: usize) -> Decision {
        if let Some(model) = &self.model {
            return self.decide_with_model(model, query, limit);
        }
        let query = cut(query);
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

    fn set_synonyms(&self, synonyms: Vec<Synonym>, docs: Vec<ArticleDoc>) {
        let _w = self.writer();
        let analyzer = Arc::new(Analyzer::new(&synonyms));
        let index = Index::build(&analyzer, Params::from_config(&self.config), docs);
        let version = version_of(&self.config, &synonyms, self.model.as_ref());
        let mut st = self.write();
        st.index = index;
        st.synonyms = synonyms;
        st.version = version;
    }
}

/// Ranking signals and hits of one probe (whole text or question part).
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// Signals the abstain model reads.
    pub signals: Signals,
    /// Ranked hits, best first.
    pub hits: Vec<Hit>,
}

/// A pasted document is not a question: bound the work per call.
fn cut(query: &str) -> &str {
    match query.char_indices().nth(MAX_QUERY_CHARS) {
        Some((cut, _)) => &query[..cut],
        None => query,
    }
}
