//! In-memory inverted index with BM25F scoring, incremental updates and a
//! typo-correction vocabulary.
//!
//! Postings carry the saturated BM25F term frequency, so a query costs one
//! multiply-add per posting. The average field lengths used for length
//! normalisation are refreshed (with a full, tokenisation-free posting rebuild)
//! only when they drift by more than [`AVG_DRIFT`], which keeps single-article
//! updates cheap. Articles are analysed into a [`Prepared`] form outside the
//! index (and its lock), in parallel for bulk builds.

mod explain;
mod prepare;
mod query;

pub use prepare::{prepare, Prepared};
pub use query::{Candidate, Params, Ranked};

use std::sync::Arc;

use super::normalize::{Analyzed, Analyzer, Origin, Token};
use super::ArticleDoc;
use prepare::prepare_all;
use rustc_hash::FxHashMap;

/// Number of indexed fields: title, question, variants, tags, answer.
pub const FIELDS: usize = 5;

/// Index of the answer field. Answer words live in their own term namespace
/// (see [`answer_term`]) so that long answers do not dilute the document
/// frequencies, and hence the IDF, of the question fields.
const ANSWER_FIELD: usize = 4;

/// Fields whose texts are "wordings" of the question (title, question, variants).
const WORDING_FIELDS: usize = 3;

/// Relative drift of average field lengths that triggers re-normalisation.
const AVG_DRIFT: f64 = 0.05;

/// Shortest word considered for typo correction (shorter ones are too ambiguous).
const MIN_TYPO_LEN: usize = 4;

/// Articles analysed per batch in bulk builds.
const BUILD_BATCH: usize = 1024;

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
}
