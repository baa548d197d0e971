//! The calibrated abstain rule: a logistic regression over ranking signals
//! that estimates the probability that the first article is the right one,
//! and a threshold on it chosen by cross-validation for a target wrong-answer
//! rate (`ANSWER_MAX_WRONG`).
//!
//! The model is a small JSON file (`data/abstain_model.json`) embedded in the
//! binary; [`super::fit`] refits it from labelled questions.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The model shipped with the engine (fitted on the dev set by
/// `cargo test -p api --lib matching::fit::tests::write_default_model -- --ignored`).
const EMBEDDED_MODEL: &str = include_str!("../../../data/abstain_model.json");

/// Standard errors added to the measured wrong-answer rate when choosing
/// the threshold (half: the target holds on new questions about two times
/// out of three). Chosen after looking at dev-set cross-validation with 0
/// and 1 (see BENCHMARKS.md, «Answer engine quality, cross-validated»).
const SAFETY_Z: f64 = 0.5;

/// Lowest probability at which the engine answers, whatever the target.
const MIN_PROBABILITY: f64 = 0.5;

/// Position of the margin in the feature vector.
const MARGIN_FEATURE: usize = 3;

/// Names of the features, in the order of [`Signals::features`].
pub const FEATURE_NAMES: [&str; 13] = [
    "coverage",
    "text_match",
    "confidence",
    "margin",
    "log_score",
    "text_match_gap",
    "coverage_gap",
    "log_tokens",
    "sentences",
    "unknown_share",
    "score_per_token",
    "partial_query",
    "known_coverage",
];

/// What the ranking tells about one query (whole text or its question part).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Signals {
    /// Score of the first and second article.
    pub s1: f64,
    /// Score of the runner-up (0 when none).
    pub s2: f64,
    /// Query coverage by the first and second article.
    pub cov1: f64,
    /// Query coverage by the runner-up.
    pub cov2: f64,
    /// Wording match of the first article.
    pub tm1: f64,
    /// Wording match of the runner-up.
    pub tm2: f64,
    /// Content words of the query.
    pub tokens: usize,
    /// Words unknown to the index.
    pub unknown: usize,
    /// Sentences of the whole message.
    pub sentences: usize,
    /// Whether these signals come from the question sentence(s) of a longer text.
    pub partial: bool,
    /// Query coverage by the first article over the words the index knows
    /// (unlike `cov1`, words unknown to the base are left out of the
    /// denominator, so the model weighs the two apart).
    pub known_cov1: f64,
}

impl Signals {
    /// Relative gap between the first and the second score.
    pub fn margin(&self) -> f64 {
        if self.s1 > 0.0 {
            (self.s1 - self.s2) / self.s1
        } else {
            0.0
        }
    }

    /// Feature vector (see [`FEATURE_NAMES`]).
    pub fn features(&self) -> Vec<f64> {
        let tokens = self.tokens.max(1) as f64;
        vec![
            self.cov1,
            self.tm1,
            (self.cov1 * self.tm1).max(0.0).sqrt(),
            self.margin(),
            self.s1.ln_1p(),
            self.tm1 - self.tm2,
            self.cov1 - self.cov2,
            tokens.ln(),
            (self.sentences.min(6) as f64).ln_1p(),
            self.unknown as f64 / tokens,
            self.s1 / tokens,
            f64::from(u8::from(self.partial)),
            self.known_cov1,
        ]
    }
}

/// One point of the out-of-fold calibration table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CalibrationPoint {
    /// Probability threshold.
    pub threshold: f64,
    /// Answered share of the fitting questions at this threshold.
    pub answered: f64,
    /// Wrong answers over all fitting questions.
    pub wrong: f64,
    /// Right answers over answerable fitting questions.
    pub top1: f64,
}

/// A fitted logistic abstain model with its calibration table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbstainModel {
    /// Feature names (must equal [`FEATURE_NAMES`] to be used).
    pub features: Vec<String>,
    /// Feature means (standardisation).
    pub mean: Vec<f64>,
    /// Feature standard deviations (standardisation).
    pub scale: Vec<f64>,
    /// Weights over standardised features.
    pub weights: Vec<f64>,
    /// Intercept.
    pub bias: f64,
    /// Out-of-fold figures of the fitting questions per threshold, ascending.
    pub calibration: Vec<CalibrationPoint>,
    /// Number of labelled questions the model was fitted on.
    pub fitted_on: usize,
    /// Smallest relative margin over the runner-up at which the engine may
    /// answer at all: two articles scoring alike are a question the base
    /// answers twice or not at all, whatever the probability says.
    #[serde(default)]
    pub min_margin: f64,
    /// Weights of the neighbour re-ranker ([`super::rerank::Reranker`]) over
    /// [`super::rerank::RERANK_FEATURES`]; empty: the ranking is kept as is.
    #[serde(default)]
    pub reranker: Vec<f64>,
}

impl AbstainModel {
    /// The model embedded in the binary, or `None` if it does not parse or
    /// does not match the engine's features (the engine then falls back to
    /// its hand-set gates).
    pub fn embedded() -> Option<&'static AbstainModel> {
        static MODEL: OnceLock<Option<AbstainModel>> = OnceLock::new();
        MODEL
            .get_or_init(|| {
                serde_json::from_str::<AbstainModel>(EMBEDDED_MODEL)
                    .ok()
                    .filter(AbstainModel::is_usable)
            })
            .as_ref()
    }

    /// Reads a model written by `api kb fit --out FILE` (what `KB_MODEL_PATH` names).
    ///
    /// # Errors
    /// An unreadable file, bad JSON, or a model fitted for other features
    /// (an older or newer engine): the message says which.
    pub fn from_file(path: &str) -> Result<AbstainModel, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        let model: AbstainModel =
            serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
        if model.is_usable() {
            Ok(model)
        } else {
            Err(format!(
                "{path}: модель подобрана для других признаков (ожидались {})",
                FEATURE_NAMES.join(", ")
            ))
        }
    }

    /// An unfitted model (no weights, no table): the base of a fit.
    pub fn empty() -> AbstainModel {
        let n = FEATURE_NAMES.len();
        AbstainModel {
            features: FEATURE_NAMES.iter().map(ToString::to_string).collect(),
            mean: vec![0.0; n],
            scale: vec![1.0; n],
            weights: vec![0.0; n],
            bias: 0.0,
            calibration: Vec::new(),
            fitted_on: 0,
            min_margin: 0.0,
            reranker: Vec::new(),
        }
    }

    /// Whether the model fits the current feature set.
    pub fn is_usable(&self) -> bool {
        let n = FEATURE_NAMES.len();
        self.features.iter().map(String::as_str).eq(FEATURE_NAMES)
            && self.mean.len() == n
            && self.scale.len() == n
            && self.weights.len() == n
            && (self.reranker.is_empty()
                || self.reranker.len() == super::rerank::RERANK_FEATURES.len())
    }

    /// Probability that the first article is the right answer.
    pub fn probability(&self, x: &[f64]) -> f64 {
        let mut z = self.bias;
        for (i, v) in x.iter().enumerate() {
            let (m, s, w) = (self.mean[i], self.scale[i], self.weights[i]);
            z += w * (v - m) / s;
        }
        sigmoid(z)
    }

    /// Whether a probe with features `x` is too close a call to answer.
    pub fn gated(&self, x: &[f64]) -> bool {
        x.get(MARGIN_FEATURE).is_some_and(|&m| m < self.min_margin)
    }

    /// Lowest threshold whose out-of-fold wrong-answer rate, plus half a
    /// standard error, is at most `max_wrong` (1.0, i.e. never answer, when
    /// none is), and never below [`MIN_PROBABILITY`]. The standard error keeps
    /// the rate under the target on new questions, not only on the ~100 the
    /// table was measured on; the floor keeps the engine from answering when
    /// its own estimate says the answer is more likely wrong than right (the
    /// wrong-answer budget counts all questions, so without it a base with
    /// many easy questions would spend it on guesses).
    pub fn threshold_for(&self, max_wrong: f64) -> f64 {
        let n = self.fitted_on.max(1) as f64;
        self.calibration
            .iter()
            .filter(|c| c.threshold >= MIN_PROBABILITY)
            .find(|c| {
                c.wrong + SAFETY_Z * (c.wrong * (1.0 - c.wrong) / n).sqrt() <= max_wrong + 1e-12
            })
            .map_or(1.0, |c| c.threshold)
    }

    /// Short fingerprint of the weights (part of the engine version).
    pub fn fingerprint(&self) -> String {
        format!(
            "{:?}{:?}{}{:?}",
            self.weights, self.mean, self.bias, self.reranker
        )
    }
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Fits an L2-regularised logistic regression by gradient descent on
/// standardised features. Returns an uncalibrated model (empty table).
pub fn fit_logistic(xs: &[Vec<f64>], ys: &[bool], l2: f64) -> AbstainModel {
    let n = FEATURE_NAMES.len();
    let rows = xs.len().max(1) as f64;
    let mut mean = vec![0.0; n];
    let mut scale = vec![0.0; n];
    for x in xs {
        for i in 0..n {
            mean[i] += x[i] / rows;
        }
    }
    for x in xs {
        for i in 0..n {
            scale[i] += (x[i] - mean[i]).powi(2) / rows;
        }
    }
    for s in &mut scale {
        *s = if *s > 1e-12 { s.sqrt() } else { 1.0 };
    }
    let z: Vec<Vec<f64>> = xs
        .iter()
        .map(|x| (0..n).map(|i| (x[i] - mean[i]) / scale[i]).collect())
        .collect();
    let mut w = vec![0.0; n];
    let mut b = 0.0;
    let rate = 0.5;
    for _ in 0..600 {
        let mut gw = vec![0.0; n];
        let mut gb = 0.0;
        for (x, &y) in z.iter().zip(ys) {
            let p = sigmoid(b + x.iter().zip(&w).map(|(a, c)| a * c).sum::<f64>());
            let err = p - f64::from(u8::from(y));
            for i in 0..n {
                gw[i] += err * x[i] / rows;
            }
            gb += err / rows;
        }
        for i in 0..n {
            w[i] -= rate * (gw[i] + l2 * w[i]);
        }
        b -= rate * gb;
    }
    AbstainModel {
        features: FEATURE_NAMES.iter().map(ToString::to_string).collect(),
        mean,
        scale,
        weights: w,
        bias: b,
        calibration: Vec::new(),
        fitted_on: 0,
        min_margin: 0.0,
        reranker: Vec::new(),
    }
}

/// Calibration table from out-of-fold decisions: for each question its
/// probability, whether its first article is right, and whether it is
/// answerable at all.
pub fn calibrate(points: &[(f64, bool, bool)]) -> Vec<CalibrationPoint> {
    let n = points.len().max(1) as f64;
    let answerable = points.iter().filter(|p| p.2).count().max(1) as f64;
    (0..=100)
        .map(|step| {
            let t = f64::from(step) / 100.0;
            let ans: Vec<_> = points.iter().filter(|p| p.0 >= t).collect();
            let right = ans.iter().filter(|p| p.1).count() as f64;
            CalibrationPoint {
                threshold: t,
                answered: ans.len() as f64 / n,
                wrong: (ans.len() as f64 - right) / n,
                top1: right / answerable,
            }
        })
        .collect()
}
