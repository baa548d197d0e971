//! In-memory inverted index with BM25F scoring, incremental updates and a
//! typo-correction vocabulary.
//!
//! Postings carry the saturated BM25F term frequency, so a query costs one
//! multiply-add per posting. The average field lengths used for length
//! normalisation are refreshed (with a full, tokenisation-free posting rebuild)
//! only when they drift by more than [`AVG_DRIFT`], which keeps single-article
//! updates cheap. Articles are analysed into a [`Prepared`] form outside the
//! index (and its lock), in parallel for bulk builds.

use std::cell::RefCell;
use std::sync::Arc;

use super::normalize::{Analyzed, Analyzer, Origin, StemCache, Token};
use super::{ArticleDoc, EngineConfig};
use rustc_hash::FxHashMap;

/// Number of indexed fields: title, question, variants, tags, answer.
pub const FIELDS: usize = 5;

/// Index of the answer field. Answer words live in their own term namespace
/// (see [`answer_term`]) so that long answers do not dilute the document
/// frequencies, and hence the IDF, of the question fields.
const ANSWER_FIELD: usize = 4;

/// Posting lists at least this long (and covering an eighth of the articles)
/// are skipped during candidate generation and only scored on the shortlist.
const DEFER_MIN_DF: usize = 1024;

/// Answer terms rarer than this (in IDF) are not looked up: see [`Index::plan`].
const ANSWER_MIN_IDF: f64 = std::f64::consts::LN_2;

/// Fields whose texts are "wordings" of the question (title, question, variants).
const WORDING_FIELDS: usize = 3;

/// Relative drift of average field lengths that triggers re-normalisation.
const AVG_DRIFT: f64 = 0.05;

/// Shortest word considered for typo correction (shorter ones are too ambiguous).
const MIN_TYPO_LEN: usize = 4;

/// Articles analysed per batch in bulk builds.
const BUILD_BATCH: usize = 1024;

/// Most related word forms followed per query word (bounds query cost).
const MAX_RELATED: usize = 8;

/// Term under which a stem is indexed when it occurs in an answer.
fn answer_term(stem: &str) -> String {
    format!("#{stem}")
}

/// Bit set of the letters of a word (Cyrillic letters, Latin letters and
/// digits fold into 64 bits). One edit changes at most two bits, so
/// `popcount(a ^ b) / 2` is a lower bound of the edit distance.
fn letter_mask(word: &str) -> u64 {
    word.chars().fold(0u64, |m, c| {
        let bit = match c {
            'а'..='я' => c as u32 - 'а' as u32,
            'a'..='z' => 32 + (c as u32 - 'a' as u32),
            '0'..='9' => 58 + (c as u32 - '0' as u32) % 6,
            _ => 63,
        };
        m | (1u64 << bit)
    })
}

fn prefix_chars(s: &str, n: usize) -> Option<String> {
    let p: String = s.chars().take(n).collect();
    (p.chars().count() == n).then_some(p)
}

#[derive(Debug, Clone, Copy)]
struct Posting {
    doc: u32,
    /// Saturated BM25F term frequency: tf·(k1+1)/(tf+k1) with
    /// tf = Σ_f w_f · tf_f / norm_f.
    sat: f32,
}

#[derive(Debug, Clone)]
struct DocEntry {
    doc: ArticleDoc,
    /// Term id and raw frequency per field.
    terms: Vec<(u32, [u8; FIELDS])>,
    /// Unigram count per field.
    lens: [u32; FIELDS],
    /// Distinct surface words of the article (ids into the typo vocabulary).
    surfaces: Vec<u32>,
    /// Each question wording (title, question, variants) as term ids with
    /// weights (a synonym expansion of n words weighs 1/n per word, so an
    /// abbreviation counts as one word, as in queries).
    texts: Vec<Vec<(u32, f32)>>,
}

/// A word of the typo vocabulary.
#[derive(Debug, Clone)]
struct Surface {
    word: String,
    chars: usize,
    /// Letters present (see [`letter_mask`]), for a cheap distance bound.
    mask: u64,
    stem: u32,
    /// Number of articles containing the word.
    count: u32,
}

/// An article analysed into strings, independent of any index.
#[derive(Debug, Clone)]
pub struct Prepared {
    doc: ArticleDoc,
    /// Per field, the analysis of each of its texts.
    fields: [Vec<Analyzed>; FIELDS],
}

/// Analyses an article (no index needed; may run outside the lock).
pub fn prepare(analyzer: &Analyzer, doc: ArticleDoc, cache: &mut StemCache) -> Prepared {
    let analyze = |texts: &[&str], cache: &mut StemCache| -> Vec<Analyzed> {
        texts
            .iter()
            .map(|t| analyzer.analyze_cached(t, cache))
            .collect()
    };
    let variants: Vec<&str> = doc.variants.iter().map(String::as_str).collect();
    let tags: Vec<&str> = doc.tags.iter().map(String::as_str).collect();
    let fields = [
        analyze(&[doc.title.as_str()], cache),
        analyze(&[doc.question.as_str()], cache),
        analyze(&variants, cache),
        analyze(&tags, cache),
        analyze(&[doc.answer.as_str()], cache),
    ];
    Prepared { doc, fields }
}

/// Analyses many articles, on all available cores.
pub fn prepare_all(analyzer: &Analyzer, docs: Vec<ArticleDoc>) -> Vec<Prepared> {
    let threads = std::thread::available_parallelism()
        .map(std::num::NonZeroUsize::get)
        .unwrap_or(1)
        .min(8);
    if threads < 2 || docs.len() < 256 {
        let mut cache = StemCache::default();
        return docs
            .into_iter()
            .map(|d| prepare(analyzer, d, &mut cache))
            .collect();
    }
    let chunk = docs.len().div_ceil(threads);
    let mut chunks: Vec<Vec<ArticleDoc>> = Vec::new();
    let mut it = docs.into_iter().peekable();
    while it.peek().is_some() {
        chunks.push(it.by_ref().take(chunk).collect());
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|part| {
                scope.spawn(move || {
                    let mut cache = StemCache::default();
                    part.into_iter()
                        .map(|d| prepare(analyzer, d, &mut cache))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut out = Vec::new();
        for h in handles {
            // A panicking analyser thread would be a bug; degrade to an
            // empty part rather than poisoning the caller.
            out.extend(h.join().unwrap_or_default());
        }
        out
    })
}

/// Scoring parameters copied from [`EngineConfig`].
#[derive(Debug, Clone, Copy)]
pub struct Params {
    synonym_exponent: f64,
    k1: f64,
    b: f64,
    weights: [f64; FIELDS],
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

/// The inverted index. Not synchronised: the engine wraps it in a lock.
#[derive(Debug, Clone)]
pub struct Index {
    analyzer: Arc<Analyzer>,
    params: Params,
    term_ids: FxHashMap<String, u32>,
    /// Term id → term text.
    names: Vec<String>,
    /// Plain stem id → id of its answer-namespace term (`u32::MAX`: none yet).
    answer_ids: Vec<u32>,
    postings: Vec<Vec<Posting>>,
    /// First four letters → unigram stems starting with them (related forms).
    prefixes: FxHashMap<String, Vec<u32>>,
    docs: Vec<Option<DocEntry>>,
    free: Vec<u32>,
    by_id: FxHashMap<String, u32>,
    live: usize,
    len_sum: [u64; FIELDS],
    avg_used: [f64; FIELDS],
    /// Typo vocabulary: surface words of all articles.
    surfaces: Vec<Surface>,
    surface_ids: FxHashMap<String, u32>,
    /// First letter → ids of live surface words starting with it.
    buckets: FxHashMap<char, Vec<u32>>,
}

impl Index {
    /// Empty index.
    pub fn new(analyzer: Arc<Analyzer>, params: Params) -> Self {
        Index {
            analyzer,
            params,
            term_ids: FxHashMap::default(),
            names: Vec::new(),
            answer_ids: Vec::new(),
            postings: Vec::new(),
            prefixes: FxHashMap::default(),
            docs: Vec::new(),
            free: Vec::new(),
            by_id: FxHashMap::default(),
            live: 0,
            len_sum: [0; FIELDS],
            avg_used: [0.0; FIELDS],
            surfaces: Vec::new(),
            surface_ids: FxHashMap::default(),
            buckets: FxHashMap::default(),
        }
    }

    /// Builds an index over `docs` in one go (analysis in parallel,
    /// normalisation computed once).
    pub fn build(analyzer: &Arc<Analyzer>, params: Params, docs: Vec<ArticleDoc>) -> Self {
        let mut idx = Index::new(Arc::clone(analyzer), params);
        // Analyse in batches: the analysed form is much larger than the index,
        // and holding it for the whole corpus at once would inflate the
        // process's resident memory long after the build.
        let mut docs = docs.into_iter().peekable();
        while docs.peek().is_some() {
            let batch: Vec<ArticleDoc> = docs.by_ref().take(BUILD_BATCH).collect();
            for p in prepare_all(analyzer, batch) {
                idx.insert(p, false);
            }
        }
        idx.renormalize();
        idx
    }

    /// Approximate heap memory held by the index, in bytes (capacities of
    /// its vectors and strings plus a per-entry estimate for hash maps).
    pub fn heap_bytes(&self) -> usize {
        const MAP_ENTRY: usize = 16;
        let string = |s: &String| s.capacity() + std::mem::size_of::<String>();
        let mut total = 0;
        total += self
            .term_ids
            .keys()
            .map(|k| string(k) + 4 + MAP_ENTRY)
            .sum::<usize>();
        total += self.names.iter().map(string).sum::<usize>();
        total += self.answer_ids.capacity() * 4;
        total += self
            .postings
            .iter()
            .map(|p| {
                p.capacity() * std::mem::size_of::<Posting>() + std::mem::size_of::<Vec<Posting>>()
            })
            .sum::<usize>();
        total += self
            .prefixes
            .iter()
            .map(|(k, v)| string(k) + v.capacity() * 4 + 24 + MAP_ENTRY)
            .sum::<usize>();
        for d in self.docs.iter().flatten() {
            let doc = &d.doc;
            total += std::mem::size_of::<DocEntry>();
            total +=
                string(&doc.id) + string(&doc.title) + string(&doc.question) + string(&doc.answer);
            total += doc.variants.iter().map(string).sum::<usize>()
                + doc.tags.iter().map(string).sum::<usize>();
            total += d.terms.capacity() * std::mem::size_of::<(u32, [u8; FIELDS])>();
            total += d.surfaces.capacity() * 4;
            total += d.texts.iter().map(|t| t.capacity() * 8 + 24).sum::<usize>();
        }
        total += self.docs.capacity() * std::mem::size_of::<Option<DocEntry>>();
        total += self
            .by_id
            .keys()
            .map(|k| string(k) + 4 + MAP_ENTRY)
            .sum::<usize>();
        total += self
            .surfaces
            .iter()
            .map(|s| string(&s.word) + 24)
            .sum::<usize>();
        total += self
            .surface_ids
            .keys()
            .map(|k| string(k) + 4 + MAP_ENTRY)
            .sum::<usize>();
        total += self
            .buckets
            .values()
            .map(|b| b.capacity() * 4 + 24)
            .sum::<usize>();
        total
    }

    /// Number of distinct terms (stems, bigrams, answer terms).
    pub fn term_count(&self) -> usize {
        self.names.len()
    }

    /// The analyser in use.
    pub fn analyzer(&self) -> &Arc<Analyzer> {
        &self.analyzer
    }

    /// Number of live articles.
    pub fn len(&self) -> usize {
        self.live
    }

    /// All live articles (for re-indexing with another dictionary).
    pub fn docs(&self) -> Vec<ArticleDoc> {
        self.docs.iter().flatten().map(|d| d.doc.clone()).collect()
    }

    /// Article id of a slot.
    pub fn id_of(&self, slot: u32) -> Option<&str> {
        self.docs
            .get(slot as usize)
            .and_then(|d| d.as_ref())
            .map(|d| d.doc.id.as_str())
    }

    fn live_term(&self, term: &str) -> Option<u32> {
        self.term_ids
            .get(term)
            .copied()
            .filter(|&id| !self.postings[id as usize].is_empty())
    }

    /// Document frequency of a stem or bigram (0 when unknown).
    pub fn df(&self, term: &str) -> usize {
        self.term_ids
            .get(term)
            .map(|&t| self.postings[t as usize].len())
            .unwrap_or(0)
    }

    fn intern(&mut self, term: &str) -> u32 {
        if let Some(&id) = self.term_ids.get(term) {
            return id;
        }
        let id = self.postings.len() as u32;
        self.postings.push(Vec::new());
        self.names.push(term.to_string());
        self.answer_ids.push(u32::MAX);
        self.term_ids.insert(term.to_string(), id);
        if !term.contains(' ') && !term.starts_with('#') {
            if let Some(p) = prefix_chars(term, 4) {
                self.prefixes.entry(p).or_default().push(id);
            }
        }
        id
    }

    /// Answer-namespace term of a plain stem, interned on first use.
    fn answer_id(&mut self, plain: u32) -> u32 {
        let cached = self.answer_ids[plain as usize];
        if cached != u32::MAX {
            return cached;
        }
        let name = answer_term(&self.names[plain as usize]);
        let id = self.intern(&name);
        self.answer_ids[plain as usize] = id;
        id
    }

    fn intern_surface(&mut self, word: &str, stem: u32) -> u32 {
        if let Some(&id) = self.surface_ids.get(word) {
            return id;
        }
        let id = self.surfaces.len() as u32;
        self.surfaces.push(Surface {
            word: word.to_string(),
            chars: word.chars().count(),
            mask: letter_mask(word),
            stem,
            count: 0,
        });
        self.surface_ids.insert(word.to_string(), id);
        id
    }

    /// Turns a prepared article into term frequencies and wordings.
    fn entry_of(&mut self, p: Prepared) -> DocEntry {
        let mut tf: FxHashMap<u32, [u8; FIELDS]> = FxHashMap::default();
        let mut lens = [0u32; FIELDS];
        let mut surfaces: Vec<u32> = Vec::new();
        let mut texts = Vec::new();
        let bump = |tf: &mut FxHashMap<u32, [u8; FIELDS]>, id: u32, f: usize| {
            let e = tf.entry(id).or_insert([0; FIELDS]);
            e[f] = e[f].saturating_add(1);
        };
        for (f, analyses) in p.fields.iter().enumerate() {
            let answer = f == ANSWER_FIELD;
            for Analyzed {
                tokens, bigrams, ..
            } in analyses
            {
                lens[f] += tokens.len() as u32;
                let mut wording: Vec<(u32, f32)> = Vec::new();
                for t in tokens {
                    let plain = self.intern(&t.stem);
                    let id = if answer { self.answer_id(plain) } else { plain };
                    bump(&mut tf, id, f);
                    if t.origin == Origin::Original && t.surface.chars().count() >= MIN_TYPO_LEN {
                        // The typo vocabulary maps to plain stems, whatever the field.
                        surfaces.push(self.intern_surface(&t.surface, plain));
                    }
                    if f < WORDING_FIELDS && !wording.iter().any(|(w, _)| *w == id) {
                        wording.push((id, self.token_weight(t) as f32));
                    }
                }
                if !wording.is_empty() {
                    texts.push(wording);
                }
                // Answers are long prose: word pairs there are mostly noise.
                if !answer {
                    for b in bigrams {
                        let id = self.intern(b);
                        bump(&mut tf, id, f);
                    }
                }
            }
        }
        surfaces.sort_unstable();
        surfaces.dedup();
        let mut terms: Vec<(u32, [u8; FIELDS])> = tf.into_iter().collect();
        terms.sort_unstable_by_key(|(t, _)| *t);
        DocEntry {
            doc: p.doc,
            terms,
            lens,
            surfaces,
            texts,
        }
    }

    fn token_weight(&self, t: &Token) -> f64 {
        if t.origin == Origin::Synonym {
            (t.group as f64).powf(-self.params.synonym_exponent)
        } else {
            1.0
        }
    }

    fn saturated(&self, tfs: &[u8; FIELDS], lens: &[u32; FIELDS]) -> f32 {
        let mut tf = 0.0;
        for f in 0..FIELDS {
            if tfs[f] == 0 {
                continue;
            }
            let avg = if self.avg_used[f] > 0.0 {
                self.avg_used[f]
            } else {
                1.0
            };
            let norm = 1.0 - self.params.b + self.params.b * f64::from(lens[f]) / avg;
            tf += self.params.weights[f] * f64::from(tfs[f]) / norm.max(1e-6);
        }
        let k1 = self.params.k1;
        (tf * (k1 + 1.0) / (tf + k1)) as f32
    }

    /// Adds or replaces an article analysed beforehand with [`prepare`].
    pub fn upsert(&mut self, p: Prepared) {
        self.insert(p, true);
    }

    fn insert(&mut self, p: Prepared, renorm: bool) {
        if self.by_id.contains_key(&p.doc.id) {
            self.remove_inner(&p.doc.id);
        }
        let entry = self.entry_of(p);
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                self.docs.push(None);
                (self.docs.len() - 1) as u32
            }
        };
        for f in 0..FIELDS {
            self.len_sum[f] += u64::from(entry.lens[f]);
        }
        self.live += 1;
        if self.avg_used.iter().all(|&a| a == 0.0) {
            self.avg_used = self.current_avg();
        }
        for (term, tfs) in &entry.terms {
            let sat = self.saturated(tfs, &entry.lens);
            self.postings[*term as usize].push(Posting { doc: slot, sat });
        }
        for &s in &entry.surfaces {
            let sf = &mut self.surfaces[s as usize];
            sf.count += 1;
            if sf.count == 1 {
                if let Some(first) = sf.word.chars().next() {
                    self.buckets.entry(first).or_default().push(s);
                }
            }
        }
        self.by_id.insert(entry.doc.id.clone(), slot);
        self.docs[slot as usize] = Some(entry);
        if renorm {
            self.maybe_renormalize();
        }
    }

    /// Removes an article; returns whether it existed.
    pub fn remove(&mut self, id: &str) -> bool {
        let existed = self.remove_inner(id);
        if existed {
            self.maybe_renormalize();
        }
        existed
    }

    fn remove_inner(&mut self, id: &str) -> bool {
        let Some(slot) = self.by_id.remove(id) else {
            return false;
        };
        let Some(entry) = self.docs.get_mut(slot as usize).and_then(Option::take) else {
            return false;
        };
        for (term, _) in &entry.terms {
            let p = &mut self.postings[*term as usize];
            if let Some(pos) = p.iter().position(|x| x.doc == slot) {
                p.swap_remove(pos);
            }
        }
        for &s in &entry.surfaces {
            let sf = &mut self.surfaces[s as usize];
            sf.count = sf.count.saturating_sub(1);
            if sf.count == 0 {
                if let Some(first) = sf.word.chars().next() {
                    if let Some(b) = self.buckets.get_mut(&first) {
                        if let Some(pos) = b.iter().position(|&w| w == s) {
                            b.swap_remove(pos);
                        }
                    }
                }
            }
        }
        for f in 0..FIELDS {
            self.len_sum[f] -= u64::from(entry.lens[f]);
        }
        self.live -= 1;
        self.free.push(slot);
        true
    }

    fn current_avg(&self) -> [f64; FIELDS] {
        let mut avg = [0.0; FIELDS];
        if self.live > 0 {
            for (f, a) in avg.iter_mut().enumerate() {
                *a = self.len_sum[f] as f64 / self.live as f64;
            }
        }
        avg
    }

    fn maybe_renormalize(&mut self) {
        let cur = self.current_avg();
        let drift = cur
            .iter()
            .zip(self.avg_used.iter())
            .any(|(&c, &u)| (u == 0.0 && c > 0.0) || (u > 0.0 && ((c - u) / u).abs() > AVG_DRIFT));
        if drift {
            self.renormalize();
        }
    }

    /// Recomputes every posting weight with the current average field lengths.
    fn renormalize(&mut self) {
        self.avg_used = self.current_avg();
        for p in &mut self.postings {
            p.clear();
        }
        let docs = std::mem::take(&mut self.docs);
        for (slot, entry) in docs.iter().enumerate() {
            if let Some(entry) = entry {
                for (term, tfs) in &entry.terms {
                    let sat = self.saturated(tfs, &entry.lens);
                    self.postings[*term as usize].push(Posting {
                        doc: slot as u32,
                        sat,
                    });
                }
            }
        }
        self.docs = docs;
    }

    /// BM25 IDF (Robertson–Spärck Jones, kept positive by the +1).
    fn idf(&self, df: usize) -> f64 {
        let n = self.live as f64;
        let df = df as f64;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

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
        let stem = self.names.get(cand.stem as usize)?.clone();
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
    fn related(&self, stem: &str) -> Vec<u32> {
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
                let t = &self.names[id as usize];
                let ok = match &p5 {
                    Some(p5) => t.starts_with(p5.as_str()),
                    None => t.starts_with(stem),
                };
                if ok && t != stem && !self.postings[id as usize].is_empty() && !out.contains(&id) {
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
        for text in &entry.texts {
            let mut total = 0.0;
            let mut got = 0.0;
            for &(id, w) in text {
                // Shortlisted articles share most words: memoise the logarithm.
                let idf = *memo
                    .entry(id)
                    .or_insert_with(|| self.idf(self.postings[id as usize].len()));
                let idf = f64::from(w) * idf;
                total += idf;
                if let Ok(pos) = credit.binary_search_by_key(&id, |c| c.0) {
                    got += idf * credit[pos].1;
                }
            }
            if total > 0.0 {
                // The prior keeps two-word titles from matching "fully" by chance.
                best = best.max(got / (total + prior));
            }
        }
        best
    }

    fn plan(&self, terms: &[QueryTerm], cfg: &EngineConfig) -> (Vec<Plan>, f64) {
        let max_idf = self.idf(0);
        let mut total_weight = 0.0;
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
                    .filter(|&id| self.idf(self.postings[id as usize].len()) >= ANSWER_MIN_IDF)
            };
            let df = |id: u32| self.postings[id as usize].len();
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
                        total_weight += t.weight * max_idf * cfg.unknown_weight;
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
        (plans, total_weight)
    }

    /// Exact score and coverage of one article (for the shortlist).
    fn exact(&self, slot: u32, plans: &[Plan]) -> (f64, f64) {
        let Some(Some(entry)) = self.docs.get(slot as usize) else {
            return (0.0, 0.0);
        };
        let mut score = 0.0;
        let mut covered = 0.0;
        for plan in plans {
            let mut best_cov: f64 = 0.0;
            for (&(id, factor, cov), &idf) in plan.terms.iter().zip(&plan.idfs) {
                if let Ok(i) = entry.terms.binary_search_by_key(&id, |t| t.0) {
                    let sat = f64::from(self.saturated(&entry.terms[i].1, &entry.lens));
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
        let (plans, total_weight) = self.plan(&terms, cfg);
        let mut ranked = Ranked {
            top: Vec::new(),
            total_weight,
            tokens: ntokens,
            unknown: unknown.len(),
        };
        if plans.is_empty() {
            return ranked;
        }
        let defer_df = DEFER_MIN_DF.max(self.live / 8);
        let any_short = plans
            .iter()
            .flat_map(|p| p.terms.iter())
            .any(|&(id, _, _)| self.postings[id as usize].len() < defer_df);
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
            for plan in &plans {
                for (&(id, factor, _), &idf) in plan.terms.iter().zip(&plan.idfs) {
                    let postings = &self.postings[id as usize];
                    if any_short && postings.len() >= defer_df {
                        continue;
                    }
                    let wi = (plan.weight * factor * idf) as f32;
                    for p in postings {
                        let sc = &mut s.score[p.doc as usize];
                        if *sc == 0.0 {
                            s.touched.push(p.doc);
                        }
                        *sc += wi * p.sat;
                    }
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
        let mut memo = FxHashMap::default();
        let mut top: Vec<Candidate> = cands
            .into_iter()
            .map(|(_, slot)| {
                let (bm25, covered) = self.exact(slot, &plans);
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
