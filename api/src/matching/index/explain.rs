//! Why an article matched a query: the query's words, as the engine read them
//! (after the synonym dictionary and typo repair), that the article contains in
//! one of its fields, its answer, or as a related word form.

use super::{answer_term, Index};
use crate::matching::EngineConfig;

impl Index {
    /// The query's words found in the article at `slot`, in query order and
    /// without repeats. A word repaired from a typo is shown repaired, a
    /// synonym expansion by its expansion's words.
    pub fn matched_words(&self, query: &str, cfg: &EngineConfig, slot: u32) -> Vec<String> {
        let Some(Some(entry)) = self.docs.get(slot as usize) else {
            return Vec::new();
        };
        let known = |stem: &str| self.is_known(stem);
        let corrector = |w: &str| self.correct(w, cfg.max_typo_distance);
        let analyzed = self
            .analyzer
            .analyze_with(query, Some(&known), Some(&corrector));
        let has = |id: u32| entry.terms.binary_search_by_key(&id, |t| t.0).is_ok();
        let mut out: Vec<String> = Vec::new();
        for t in &analyzed.tokens {
            let exact = self.live_term(&t.stem).is_some_and(has);
            let in_answer = cfg.field_weights[super::ANSWER_FIELD] > 0.0
                && self.live_term(&answer_term(&t.stem)).is_some_and(has);
            let related =
                !exact && cfg.related_weight > 0.0 && self.related(&t.stem).into_iter().any(has);
            if (exact || in_answer || related) && !out.contains(&t.surface) {
                out.push(t.surface.clone());
            }
        }
        out
    }
}
