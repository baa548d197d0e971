//! Query side of the index: query analysis into weighted terms, typo
//! correction against the vocabulary, query plans with their coverage credit
//! tables, and the BM25F ranking with its wording-match re-ranking.

use std::cell::RefCell;

use super::{answer_term, letter_mask, Index, ANSWER_FIELD, FIELDS, MIN_TYPO_LEN};
use crate::matching::normalize::{Origin, Token};
use crate::matching::EngineConfig;
use rustc_hash::FxHashMap;

/// Posting lists at least this long (and covering an eighth of the articles)
/// are skipped during candidate generation and only scored on the shortlist.
const DEFER_MIN_DF: usize = 1024;

/// Answer terms rarer than this (in IDF) are not looked up: see [`Index::plan`].
const ANSWER_MIN_IDF: f64 = std::f64::consts::LN_2;

/// Most related word forms followed per query word (bounds query cost).
const MAX_RELATED: usize = 8;

/// Scoring parameters copied from [`EngineConfig`].
#[derive(Debug, Clone, Copy)]
pub struct Params {
    // Visible to the parent module: the index reads them when it builds postings.
    pub(super) synonym_exponent: f64,
    pub(super) k1: f64,
    pub(super) b: f64,
    pub(super) weights: [f64; FIELDS],
}

impl Params {
    /// Extracts index parameters from the engine config.
    pub fn from_config(c: &EngineConfig) -> Self {
        Params {
            synonym_exponent: c.synonym_exponent,
            k1: c.k1,
            b: c.b,
            weights: c.field_weights,
        }
    }
}

/// A query term with its weight.
#[derive(Debug, Clone)]
pub struct QueryTerm {
    /// Stem or `"stem stem"` bigram.
    pub term: String,
    /// Query-side weight.
    pub weight: f64,
    /// Bigrams do not count towards coverage.
    pub bigram: bool,
}

/// One ranked article with the signals of the abstention decision.
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    /// Slot of the article.
    pub slot: u32,
    /// Final score: BM25F boosted by the wording match.
    pub score: f64,
    /// Σ weight·idf of the query words found in the article.
    pub covered: f64,
    /// Best share (IDF-weighted) of one question wording's words found in the query.
    pub text_match: f64,
}

/// Query plan of one word or bigram.
struct Plan {
    /// (term id, score factor, coverage factor), best coverage first.
    terms: Vec<(u32, f64, f64)>,
    /// IDF of each entry of `terms`.
    idfs: Vec<f64>,
    /// Query weight of the word.
    weight: f64,
    /// weight · reference idf: what the word adds to coverage when found.
    ref_weight: f64,
    /// Unigrams count towards coverage, bigrams do not.
    unigram: bool,
}

/// Position of the lowest score (ties: the highest slot, which ranks last).
fn argmin(v: &[(f32, u32)]) -> usize {
    let mut m = 0;
    for (i, c) in v.iter().enumerate() {
        if c.0 < v[m].0 || (c.0 == v[m].0 && c.1 > v[m].1) {
            m = i;
        }
    }
    m
}

/// Sorted (term id, best coverage factor) of the query's words.
fn credit_table(plans: &[Plan]) -> Vec<(u32, f64)> {
    let mut credit: Vec<(u32, f64)> = plans
        .iter()
        .filter(|p| p.unigram)
        .flat_map(|p| p.terms.iter().map(|&(id, _, cov)| (id, cov)))
        .collect();
    credit.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
    credit.dedup_by_key(|c| c.0);
    credit
}

/// Raw ranking result for one query, before the abstention decision.
#[derive(Debug, Clone, Default)]
pub struct Ranked {
    /// Candidates, best first.
    pub top: Vec<Candidate>,
    /// Σ weight·idf over query words, unknown words included.
    pub total_weight: f64,
    /// Number of content tokens in the query.
    pub tokens: usize,
    /// Number of query words unknown to the index (after typo repair).
    pub unknown: usize,
    /// Part of `total_weight` that comes from the words unknown to the index.
    pub unknown_weight: f64,
}

thread_local! {
    /// Per-thread score accumulators, reused across queries to avoid
    /// allocating and zeroing an array per article on every call.
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

#[derive(Default)]
struct Scratch {
    score: Vec<f32>,
    touched: Vec<u32>,
}

impl Index {
    /// Whether a stem occurs anywhere in the index (answers included).
    pub fn is_known(&self, stem: &str) -> bool {
        self.df(stem) > 0 || self.df(&answer_term(stem)) > 0
    }

    /// Nearest vocabulary word to an out-of-vocabulary surface word:
    /// smallest optimal-string-alignment distance within the limit, ties broken
    /// by frequency. Candidates share the first letter (typos there are rare,
    /// and the restriction keeps the scan short). Returns (word, stem).
    pub fn correct(&self, word: &str, max_distance: usize) -> Option<(String, String)> {
        let len = word.chars().count();
        if len < MIN_TYPO_LEN {
            return None;
        }
        // One edit for words of up to 8 letters, one more for longer words;
        // the length may differ by one letter at most (a dropped or doubled
        // letter), which keeps real but unknown words such as "добавить" from
        // being "corrected" into "давить".
        let limit = if len > 8 {
            max_distance + 1
        } else {
            max_distance
        };
        let first = word.chars().next()?;
        let bucket = self.buckets.get(&first)?;
        let mask = letter_mask(word);
        let mut best: Option<(usize, u32, u32)> = None;
        for &sid in bucket {
            let cand = &self.surfaces[sid as usize];
            if cand.chars.abs_diff(len) > 1
                || cand.chars < MIN_TYPO_LEN
                || ((cand.mask ^ mask).count_ones() as usize) > 2 * limit
            {
                continue;
            }
            let d = strsim::osa_distance(word, &cand.word);
            if d == 0 || d > limit {
                continue;
            }
            let better = match best {
                None => true,
                Some((bd, bc, _)) => d < bd || (d == bd && cand.count > bc),
            };
            if better {
                best = Some((d, cand.count, sid));
            }
        }
        let (_, _, sid) = best?;
        let cand = &self.surfaces[sid as usize];
        let stem = self.terms.name(cand.stem).to_string();
        Some((cand.word.clone(), stem))
    }

    /// Analyses a query into weighted terms; also returns the number of
    /// content tokens and the words that stayed unknown.
    pub fn query_terms(
        &self,
        query: &str,
        cfg: &EngineConfig,
    ) -> (Vec<QueryTerm>, usize, Vec<String>) {
        let known = |stem: &str| self.is_known(stem);
        let corrector = |w: &str| self.correct(w, cfg.max_typo_distance);
        let analyzed = self
            .analyzer
            .analyze_with(query, Some(&known), Some(&corrector));
        let mut terms: Vec<QueryTerm> = Vec::new();
        let mut push = |term: &str, weight: f64, bigram: bool| {
            if let Some(t) = terms.iter_mut().find(|t| t.term == term) {
                t.weight = t.weight.max(weight);
            } else {
                terms.push(QueryTerm {
                    term: term.to_string(),
                    weight,
                    bigram,
                });
            }
        };
        let weight_of = |t: &Token| {
            let w = match t.origin {
                Origin::Typo => cfg.typo_weight,
                Origin::Synonym => (t.group as f64).powf(-cfg.synonym_exponent),
                Origin::Original => 1.0,
            };
            if t.weak {
                w * cfg.weak_weight
            } else {
                w
            }
        };
        for t in &analyzed.tokens {
            push(&t.stem, weight_of(t), false);
        }
        for (i, b) in analyzed.bigrams.iter().enumerate() {
            let w = weight_of(&analyzed.tokens[i]).min(weight_of(&analyzed.tokens[i + 1]));
            push(b, cfg.bigram_weight * w, true);
        }
        (terms, analyzed.tokens.len(), analyzed.unknown)
    }

    /// Stems sharing a long prefix with `stem` (other word forms that the
    /// Snowball stemmer leaves apart: "треб"/"требова", "дежурн"/"дежурств",
    /// "руководител"/"руководств"). Related if one is a prefix of the other
    /// with at least 4 letters in common, or if they share 5 letters.
    pub(super) fn related(&self, stem: &str) -> Vec<u32> {
        let chars: Vec<char> = stem.chars().collect();
        let mut out = Vec::new();
        if chars.len() < 4 {
            return out;
        }
        // Shorter stems that are prefixes of this one.
        for l in 4..chars.len() {
            let p: String = chars[..l].iter().collect();
            if let Some(id) = self.live_term(&p) {
                out.push(id);
            }
        }
        // Longer or sibling stems sharing the first 5 letters (4 for a
        // 4-letter stem, which must then be a true prefix: "треб" → "требова").
        let p4: String = chars[..4].iter().collect();
        let p5: Option<String> = (chars.len() >= 5).then(|| chars[..5].iter().collect());
        if let Some(list) = self.prefixes.get(&p4) {
            for &id in list {
                if out.len() >= MAX_RELATED {
                    break;
                }
                let t = self.terms.name(id);
                let ok = match &p5 {
                    Some(p5) => t.starts_with(p5.as_str()),
                    None => t.starts_with(stem),
                };
                if ok && t != stem && self.postings.df(id) > 0 && !out.contains(&id) {
                    out.push(id);
                }
            }
        }
        out
    }

    /// Best IDF-weighted share of one of the article's question wordings
    /// covered by the query words (related forms count partially). A query
    /// that restates a wording scores near 1 even when it adds context words.
    fn text_match(
        &self,
        slot: u32,
        credit: &[(u32, f64)],
        prior: f64,
        memo: &mut FxHashMap<u32, f64>,
    ) -> f64 {
        let Some(Some(entry)) = self.docs.get(slot as usize) else {
            return 0.0;
        };
        let mut best: f64 = 0.0;
        entry.wordings(|text| {
            let mut total = 0.0;
            let mut got = 0.0;
            for &(id, group) in text {
                // Shortlisted articles share most words: memoise the logarithm.
                let idf = *memo
                    .entry(id)
                    .or_insert_with(|| self.idf(self.postings.df(id)));
                // Weights were f32 when stored per word; keep their rounding.
                let w = f64::from(self.group_weight(group) as f32);
                let idf = w * idf;
                total += idf;
                if let Ok(pos) = credit.binary_search_by_key(&id, |c| c.0) {
                    got += idf * credit[pos].1;
                }
            }
            if total > 0.0 {
                // The prior keeps two-word titles from matching "fully" by chance.
                best = best.max(got / (total + prior));
            }
        });
        best
    }

    /// Query plans with the query's total weight and its unknown words' part.
    fn plan(&self, terms: &[QueryTerm], cfg: &EngineConfig) -> (Vec<Plan>, f64, f64) {
        let max_idf = self.idf(0);
        let mut total_weight = 0.0;
        let mut unknown_weight = 0.0;
        let mut plans = Vec::with_capacity(terms.len());
        for t in terms {
            let exact = self.live_term(&t.term);
            let related = if t.bigram || cfg.related_weight <= 0.0 {
                Vec::new()
            } else {
                self.related(&t.term)
            };
            // Answer postings are long lists; a word common in answers
            // (idf below ANSWER_MIN_IDF) adds cost but no ranking signal.
            let in_answers = if t.bigram || self.params.weights[ANSWER_FIELD] <= 0.0 {
                None
            } else {
                self.live_term(&answer_term(&t.term))
                    .filter(|&id| self.idf(self.postings.df(id)) >= ANSWER_MIN_IDF)
            };
            let df = |id: u32| self.postings.df(id);
            let ref_idf = match (exact, in_answers) {
                (Some(id), _) => self.idf(df(id)),
                (None, _) if !related.is_empty() => related
                    .iter()
                    .map(|&id| self.idf(df(id)))
                    .fold(0.0, f64::max),
                (None, Some(id)) => self.idf(df(id)),
                (None, None) => {
                    if !t.bigram {
                        // Unknown words weigh like the rarest word (times a factor):
                        // they are what makes a question out of scope.
                        let w = t.weight * max_idf * cfg.unknown_weight;
                        total_weight += w;
                        unknown_weight += w;
                    }
                    continue;
                }
            };
            let ref_weight = t.weight * ref_idf;
            if !t.bigram {
                total_weight += ref_weight;
            }
            let mut list: Vec<(u32, f64, f64)> =
                exact.map(|id| (id, 1.0, 1.0)).into_iter().collect();
            list.extend(
                related
                    .into_iter()
                    .map(|id| (id, cfg.related_weight, cfg.related_weight)),
            );
            list.extend(in_answers.map(|id| (id, 1.0, cfg.answer_coverage)));
            list.sort_by(|a, b| b.2.total_cmp(&a.2));
            plans.push(Plan {
                idfs: list.iter().map(|&(id, _, _)| self.idf(df(id))).collect(),
                terms: list,
                weight: t.weight,
                ref_weight,
                unigram: !t.bigram,
            });
        }
        (plans, total_weight, unknown_weight)
    }

    /// Exact score and coverage of one article (for the shortlist);
    /// `wanted` holds the plans' term ids, sorted.
    fn exact(&self, slot: u32, plans: &[Plan], wanted: &[u32]) -> (f64, f64) {
        let Some(Some(entry)) = self.docs.get(slot as usize) else {
            return (0.0, 0.0);
        };
        let mut found: Vec<(u32, [u8; FIELDS])> = Vec::new();
        super::compact::decode_terms(&entry.terms, |t, tfs| {
            if wanted.binary_search(&t).is_ok() {
                found.push((t, tfs));
            }
        });
        let mut score = 0.0;
        let mut covered = 0.0;
        for plan in plans {
            let mut best_cov: f64 = 0.0;
            for (&(id, factor, cov), &idf) in plan.terms.iter().zip(&plan.idfs) {
                if let Ok(i) = found.binary_search_by_key(&id, |t| t.0) {
                    let sat = f64::from(self.saturated(&found[i].1, &entry.lens));
                    score += plan.weight * factor * idf * sat;
                    best_cov = best_cov.max(cov);
                }
            }
            if plan.unigram {
                covered += plan.ref_weight * best_cov;
            }
        }
        (score, covered)
    }

    /// Ranks articles for a query; returns the best `k` candidates.
    ///
    /// Two phases: candidate generation accumulates BM25F over the posting
    /// lists, skipping the longest lists (words in a large share of all
    /// articles: low IDF, most of the cost); then a shortlist is scored
    /// exactly, with coverage and wording match, and re-ranked.
    pub fn rank(&self, query: &str, cfg: &EngineConfig, k: usize) -> Ranked {
        let (terms, ntokens, unknown) = self.query_terms(query, cfg);
        let (plans, total_weight, unknown_weight) = self.plan(&terms, cfg);
        let mut ranked = Ranked {
            top: Vec::new(),
            total_weight,
            tokens: ntokens,
            unknown: unknown.len(),
            unknown_weight,
        };
        if plans.is_empty() {
            return ranked;
        }
        let defer_df = DEFER_MIN_DF.max(self.live / 8);
        let any_short = plans
            .iter()
            .flat_map(|p| p.terms.iter())
            .any(|&(id, _, _)| self.postings.df(id) < defer_df);
        // Re-rank a shortlist by how well the query restates one of the
        // article's wordings: BM25F pools all wordings, which lets an article
        // with many loosely related words beat the one whose question the
        // user actually paraphrased.
        let shortlist = k.max(cfg.rerank_depth).max(2);
        let cands: Vec<(f32, u32)> = SCRATCH.with(|cell| {
            let mut guard = cell.borrow_mut();
            let s = &mut *guard;
            if s.score.len() < self.docs.len() {
                s.score.resize(self.docs.len(), 0.0);
            }
            // Removed articles keep their postings until the next rebuild.
            let check = self.dead > 0;
            for plan in &plans {
                for (&(id, factor, _), &idf) in plan.terms.iter().zip(&plan.idfs) {
                    if any_short && self.postings.df(id) >= defer_df {
                        continue;
                    }
                    let wi = (plan.weight * factor * idf) as f32;
                    self.postings.for_each(id, |doc, sat| {
                        if check && self.docs[doc as usize].is_none() {
                            return;
                        }
                        let sc = &mut s.score[doc as usize];
                        if *sc == 0.0 {
                            s.touched.push(doc);
                        }
                        *sc += wi * sat;
                    });
                }
            }
            // Keep the best `shortlist` candidates in one pass (cheaper than
            // collecting and partially sorting every touched article).
            let mut best: Vec<(f32, u32)> = Vec::with_capacity(shortlist + 1);
            let mut min_idx = 0;
            for &d in &s.touched {
                let sc = std::mem::take(&mut s.score[d as usize]);
                if best.len() < shortlist {
                    best.push((sc, d));
                    if best.len() == shortlist {
                        min_idx = argmin(&best);
                    }
                } else if sc > best[min_idx].0 || (sc == best[min_idx].0 && d < best[min_idx].1) {
                    best[min_idx] = (sc, d);
                    min_idx = argmin(&best);
                }
            }
            s.touched.clear();
            best
        });
        let credit = credit_table(&plans);
        let mut wanted: Vec<u32> = plans
            .iter()
            .flat_map(|p| p.terms.iter().map(|t| t.0))
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        let mut memo = FxHashMap::default();
        let mut top: Vec<Candidate> = cands
            .into_iter()
            .map(|(_, slot)| {
                let (bm25, covered) = self.exact(slot, &plans, &wanted);
                let text_match = self.text_match(slot, &credit, cfg.wording_prior, &mut memo);
                Candidate {
                    slot,
                    score: bm25 * (1.0 + cfg.text_match_boost * text_match),
                    covered,
                    text_match,
                }
            })
            .collect();
        top.sort_unstable_by(|a, b| b.score.total_cmp(&a.score).then(a.slot.cmp(&b.slot)));
        top.truncate(k.max(2));
        ranked.top = top;
        ranked
    }
}
