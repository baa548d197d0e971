//! Separating neighbours: a linear re-ranker over the first candidates of a
//! query, fitted pairwise (the right article against each other candidate)
//! by logistic regression on labelled questions, inside the cross-validation
//! folds like everything else fitted from labels.

use super::abstain::Signals;
use super::fit::Example;
use super::index::{Candidate, Index, Ranked};
use super::EngineConfig;

/// L2 penalty of the pairwise fit.
const L2: f64 = 0.01;

/// Candidates the re-ranker looks at (the first included).
pub const RERANK_DEPTH: usize = 5;

/// Neighbours are candidates whose score is within this log ratio of the
/// first one's (e^−0.1 ≈ 0.90): the re-ranker only decides between articles
/// the ranking could not tell apart, and is fitted on such pairs only (on
/// all pairs it learns to keep the score order). Chosen among 0.1, 0.2,
/// 0.35 and 0.5 by dev-set cross-validation (seed 7); disclosed in BENCHMARKS.md.
pub const NEIGHBOUR_LOG_RATIO: f64 = 0.1;

/// Names of the neighbour features, relative to the first candidate (see
/// [`super::Bm25Engine::probe_candidates`]).
pub const RERANK_FEATURES: [&str; 6] = [
    "log_score_ratio",
    "text_match_gap",
    "coverage_gap",
    "distinctive_words_gap",
    "answer_text_gap",
    "word_pairs_gap",
];

/// A fitted re-ranker: a candidate replaces the first when its weighted
/// neighbour features (all relative to the first candidate) are positive.
#[derive(Debug, Clone, PartialEq)]
pub struct Reranker {
    /// Weights of the neighbour features.
    pub weights: Vec<f64>,
}

impl Reranker {
    /// Index of the candidate the re-ranker puts first (0: keep the order),
    /// given each candidate's neighbour features.
    pub fn choose(&self, features: &[&[f64]]) -> usize {
        let mut best = (0.0, 0);
        for (i, f) in features.iter().enumerate().skip(1).take(RERANK_DEPTH - 1) {
            if f.first().is_none_or(|r| r.abs() > NEIGHBOUR_LOG_RATIO) {
                continue;
            }
            let s: f64 = f.iter().zip(&self.weights).map(|(x, w)| x * w).sum();
            if s > best.0 {
                best = (s, i);
            }
        }
        best.1
    }

    /// `ex` with each probe re-ranked.
    pub fn apply(&self, ex: &Example) -> Example {
        Example {
            expect: ex.expect.clone(),
            courtesy: ex.courtesy,
            probes: ex
                .probes
                .iter()
                .map(|p| {
                    let f: Vec<&[f64]> = p.cands.iter().map(|c| c.2.as_slice()).collect();
                    p.promoted(self.choose(&f))
                })
                .collect(),
        }
    }
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Pairwise logistic fit: for every probe whose candidates include the
/// right article, the right one against each other candidate (both
/// orientations, so no intercept is needed).
pub fn fit_reranker(examples: &[&Example]) -> Reranker {
    let mut xs: Vec<(Vec<f64>, f64)> = Vec::new();
    for ex in examples.iter().filter(|e| !e.courtesy) {
        let Some(expect) = &ex.expect else { continue };
        for p in &ex.probes {
            let Some(r) = p.cands.iter().position(|c| &c.0 == expect) else {
                continue;
            };
            for (j, c) in p.cands.iter().enumerate() {
                if j == r {
                    continue;
                }
                if (p.cands[r].2[0] - c.2[0]).abs() > NEIGHBOUR_LOG_RATIO {
                    continue;
                }
                let d: Vec<f64> = p.cands[r].2.iter().zip(&c.2).map(|(a, b)| a - b).collect();
                let neg: Vec<f64> = d.iter().map(|v| -v).collect();
                xs.push((d, 1.0));
                xs.push((neg, 0.0));
            }
        }
    }
    let n = xs.first().map_or(0, |x| x.0.len());
    let rows = xs.len().max(1) as f64;
    let mut w = vec![0.0; n];
    for _ in 0..800 {
        let mut g = vec![0.0; n];
        for (x, y) in &xs {
            let p = sigmoid(x.iter().zip(&w).map(|(a, b)| a * b).sum());
            for i in 0..n {
                g[i] += (p - y) * x[i] / rows;
            }
        }
        for i in 0..n {
            w[i] -= 0.5 * (g[i] + L2 * w[i]);
        }
    }
    Reranker { weights: w }
}

/// One candidate of one probe, for fitting the neighbour re-ranker.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateRow {
    /// Article id.
    pub article_id: String,
    /// Abstain signals with this candidate taken as the first.
    pub signals: Signals,
    /// Neighbour features relative to the first candidate.
    pub rerank: Vec<f64>,
}

/// Neighbour features of the first `depth` candidates of `r`, relative to
/// the first: log score ratio, wording-match gap, coverage gap, and the gaps
/// in distinctive-word, answer-text and word-pair shares
/// ([`super::rerank::RERANK_FEATURES`]).
pub(super) fn neighbour_rows(
    index: &Index,
    cfg: &EngineConfig,
    text: &str,
    r: &Ranked,
    depth: usize,
) -> Vec<Vec<f64>> {
    let top = &r.top[..depth.min(r.top.len())];
    let Some(first) = top.first() else {
        return Vec::new();
    };
    let slots: Vec<u32> = top.iter().map(|c| c.slot).collect();
    let nf = index.neighbour_features(text, cfg, &slots);
    let cov = |c: &Candidate| c.covered / r.total_weight.max(1e-9);
    top.iter()
        .zip(&nf)
        .map(|(c, f)| {
            vec![
                (c.score.max(1e-9) / first.score.max(1e-9)).ln(),
                c.text_match - first.text_match,
                cov(c) - cov(first),
                f[0] - nf[0][0],
                f[1] - nf[0][1],
                f[2] - nf[0][2],
            ]
        })
        .collect()
}
