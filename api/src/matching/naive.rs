//! [`NaiveEngine`]: the baseline the benchmark compares against — a linear
//! scan computing a strsim similarity between the query and every question
//! and variant. No index, no stemming, no synonyms.

use std::sync::RwLock;

use super::normalize::normalize_text;
use super::{AnswerEngine, ArticleDoc, Decision, Hit, Synonym};

/// Baseline engine: Sørensen–Dice similarity of character bigrams between the
/// normalised query and each wording, best wording per article.
pub struct NaiveEngine {
    threshold: f64,
    margin: f64,
    /// (article id, normalised wordings).
    docs: RwLock<Vec<(String, Vec<String>)>>,
}

impl std::fmt::Debug for NaiveEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NaiveEngine")
            .field("threshold", &self.threshold)
            .finish()
    }
}

fn wordings(doc: &ArticleDoc) -> Vec<String> {
    std::iter::once(&doc.question)
        .chain(doc.variants.iter())
        .map(|t| {
            normalize_text(t)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

impl NaiveEngine {
    /// Baseline answering when the best similarity is at least `threshold`
    /// and ahead of the runner-up by the relative `margin`.
    pub fn new(threshold: f64, margin: f64) -> Self {
        NaiveEngine {
            threshold,
            margin,
            docs: RwLock::new(Vec::new()),
        }
    }
}

impl Default for NaiveEngine {
    /// Threshold and margin chosen on the dev set so that the baseline, too,
    /// stays under a 5 % wrong-answer rate (see the benchmark report).
    fn default() -> Self {
        NaiveEngine::new(0.25, 0.05)
    }
}

impl AnswerEngine for NaiveEngine {
    fn name(&self) -> &'static str {
        "naive-strsim"
    }

    fn version(&self) -> String {
        format!("1.0+t{:.2}", self.threshold)
    }

    fn decide(&self, query: &str, limit: usize) -> Decision {
        let q = normalize_text(query)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let docs = self
            .docs
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut scored: Vec<Hit> = docs
            .iter()
            .map(|(id, texts)| Hit {
                article_id: id.clone(),
                score: texts
                    .iter()
                    .map(|t| strsim::sorensen_dice(&q, t))
                    .fold(0.0, f64::max),
            })
            .filter(|h| h.score > 0.0)
            .collect();
        drop(docs);
        scored.sort_by(|a, b| b.score.total_cmp(&a.score));
        scored.truncate(limit.max(2));
        let s1 = scored.first().map(|h| h.score).unwrap_or(0.0);
        let s2 = scored.get(1).map(|h| h.score).unwrap_or(0.0);
        let margin = if s1 > 0.0 { (s1 - s2) / s1 } else { 0.0 };
        let reason = if q.is_empty() {
            Some("empty_query")
        } else if scored.is_empty() {
            Some("no_match")
        } else if margin < self.margin {
            Some("small_margin")
        } else if s1 < self.threshold {
            Some("low_score")
        } else {
            None
        };
        let best = scored.first().cloned();
        scored.truncate(limit);
        Decision {
            engine: self.name(),
            version: self.version(),
            confident: reason.is_none(),
            best,
            hits: scored,
            abstain_reason: reason.map(str::to_string),
            confidence: s1,
            margin,
            coverage: 0.0,
            text_match: s1,
        }
    }

    fn upsert(&self, doc: ArticleDoc) {
        let mut docs = self
            .docs
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        docs.retain(|(id, _)| *id != doc.id);
        docs.push((doc.id.clone(), wordings(&doc)));
    }

    fn remove(&self, id: &str) {
        let mut docs = self
            .docs
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        docs.retain(|(d, _)| d != id);
    }

    fn replace_all(&self, docs: Vec<ArticleDoc>) {
        let new: Vec<(String, Vec<String>)> =
            docs.iter().map(|d| (d.id.clone(), wordings(d))).collect();
        *self
            .docs
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = new;
    }

    fn set_synonyms(&self, _synonyms: Vec<Synonym>, docs: Vec<ArticleDoc>) {
        // The baseline has no dictionary by design.
        self.replace_all(docs);
    }
}
