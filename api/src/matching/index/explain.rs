//! Why an article matched a query: the query's words, as the engine read them
//! (after the synonym dictionary and typo repair), that the article contains in
//! one of its fields, its answer, or as a related word form.

use super::{answer_term, Index};
use crate::matching::EngineConfig;

impl Index {
    /// The query's words found in the article at `slot`, in query order and
    /// without repeats. A word repaired from a typo is shown as typed and
    /// repaired ("учитльский → учительский"), a synonym expansion by its
    /// expansion's words.
    pub fn matched_words(&self, query: &str, cfg: &EngineConfig, slot: u32) -> Vec<String> {
        let Some(Some(entry)) = self.docs.get(slot as usize) else {
            return Vec::new();
        };
        let known = |stem: &str| self.is_known(stem);
        let corrector = |w: &str| self.correct(w, cfg.max_typo_distance);
        let analyzed = self
            .analyzer
            .analyze_with(query, Some(&known), Some(&corrector));
        let ids = entry.term_ids();
        let has = |id: u32| ids.binary_search(&id).is_ok();
        let mut out: Vec<String> = Vec::new();
        for t in &analyzed.tokens {
            let exact = self.live_term(&t.stem).is_some_and(has);
            let in_answer = cfg.field_weights[super::ANSWER_FIELD] > 0.0
                && self.live_term(&answer_term(&t.stem)).is_some_and(has);
            let related =
                !exact && cfg.related_weight > 0.0 && self.related(&t.stem).into_iter().any(has);
            // A repaired word shows the repair: "учитльский → учительский".
            let shown = match &t.typed {
                Some(typed) => format!("{typed} → {}", t.surface),
                None => t.surface.clone(),
            };
            if (exact || in_answer || related) && !out.contains(&shown) {
                out.push(shown);
            }
        }
        out
    }
}

impl Index {
    /// Features that tell neighbouring articles apart, for each of `slots`
    /// (candidates of one query): the IDF-weighted share of the query's words
    /// that this candidate contains and none of the others do, the share found
    /// in its answer text, and the share of the query's word pairs found in its
    /// wordings. Shares are of the query's total weight.
    pub fn neighbour_features(
        &self,
        query: &str,
        cfg: &EngineConfig,
        slots: &[u32],
    ) -> Vec<[f64; 3]> {
        let (terms, _, _) = self.query_terms(query, cfg);
        let entries: Vec<Vec<u32>> = slots
            .iter()
            .map(|&s| {
                self.docs
                    .get(s as usize)
                    .and_then(Option::as_ref)
                    .map(super::DocEntry::term_ids)
                    .unwrap_or_default()
            })
            .collect();
        let has = |k: usize, id: u32| entries[k].binary_search(&id).is_ok();
        let mut out = vec![[0.0; 3]; slots.len()];
        let (mut uni_total, mut bi_total) = (0.0, 0.0);
        for t in &terms {
            let exact = self.live_term(&t.term);
            let idf = exact.map_or(self.idf(0), |id| self.idf(self.postings.df(id)));
            let w = t.weight * idf;
            if t.bigram {
                bi_total += w;
                if let Some(id) = exact {
                    for (k, o) in out.iter_mut().enumerate() {
                        if has(k, id) {
                            o[2] += w;
                        }
                    }
                }
                continue;
            }
            uni_total += w;
            if let Some(id) = exact {
                let holders: Vec<usize> = (0..slots.len()).filter(|&k| has(k, id)).collect();
                if holders.len() == 1 {
                    out[holders[0]][0] += w;
                }
            }
            if let Some(aid) = self.live_term(&answer_term(&t.term)) {
                for (k, o) in out.iter_mut().enumerate() {
                    if has(k, aid) {
                        o[1] += w;
                    }
                }
            }
        }
        for o in &mut out {
            o[0] /= uni_total.max(1e-9);
            o[1] /= uni_total.max(1e-9);
            o[2] /= bi_total.max(1e-9);
        }
        out
    }
}
