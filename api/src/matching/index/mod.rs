//! In-memory inverted index with BM25F scoring, incremental updates and a
//! typo-correction vocabulary.
//!
//! Postings carry the saturated BM25F term frequency, so a query costs one
//! multiply-add per posting. Storage is compact (see [`compact`]): the index
//! keeps term ids, counts and lengths, never the articles' texts. The average field lengths used for length
//! normalisation are refreshed (with a full, tokenisation-free posting rebuild)
//! only when they drift by more than [`AVG_DRIFT`], which keeps single-article
//! updates cheap. Articles are analysed into a [`Prepared`] form outside the
//! index (and its lock), in parallel for bulk builds.

mod compact;
mod explain;
mod prepare;
mod query;

pub use prepare::{prepare, Prepared};
pub use query::{Candidate, Params, Ranked};

use std::sync::Arc;

use super::normalize::{Analyzed, Analyzer, Origin, Token};
use super::ArticleDoc;
use compact::{Postings, Terms};
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
const BUILD_BATCH: usize = 256;

/// Postings added since the last rebuild that trigger a new one (at least).
const TAIL_MAX: usize = 65_536;

/// Articles removed since the last rebuild that trigger a new one (at least).
const DEAD_MAX: usize = 256;

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

/// An indexed article: what ranking needs, not its texts (the database
/// holds those; re-indexing reads them from there).
#[derive(Debug, Clone)]
struct DocEntry {
    id: Box<str>,
    /// Term ids with their raw frequency per field ([`compact::encode_terms`]).
    terms: Box<[u8]>,
    /// Unigram count per field.
    lens: [u32; FIELDS],
    /// Distinct surface words of the article (ids into the typo vocabulary,
    /// [`compact::encode_ids`]).
    surfaces: Box<[u8]>,
    /// Each question wording (title, question, variants): its number of
    /// words, then per word the term id (varint) and the size of the synonym
    /// expansion it came from (0: the word itself), which sets its weight
    /// (an expansion of n words weighs n^-exponent per word, as in queries).
    texts: Box<[u8]>,
}

impl DocEntry {
    /// The article's term ids, ascending.
    fn term_ids(&self) -> Vec<u32> {
        let mut out = Vec::new();
        compact::decode_terms(&self.terms, |t, _| out.push(t));
        out
    }

    /// Calls `f` with each wording as (term id, expansion size) pairs.
    fn wordings(&self, mut f: impl FnMut(&[(u32, u8)])) {
        let buf = &self.texts;
        let mut pos = 0;
        let mut words = Vec::new();
        while pos < buf.len() {
            let n = compact::get_varint(buf, &mut pos);
            words.clear();
            for _ in 0..n {
                let id = compact::get_varint(buf, &mut pos);
                let group = buf.get(pos).copied().unwrap_or(0);
                pos += 1;
                words.push((id, group));
            }
            f(&words);
        }
    }
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
    terms: Terms,
    /// Plain stem id → id of its answer-namespace term (`u32::MAX`: none yet).
    answer_ids: Vec<u32>,
    postings: Postings,
    /// First four letters → unigram stems starting with them (related forms).
    prefixes: FxHashMap<String, Vec<u32>>,
    /// Articles by slot; `None` for one removed since the last rebuild (its
    /// flat postings remain until then and are skipped).
    docs: Vec<Option<DocEntry>>,
    /// Removed slots since the last rebuild.
    dead: usize,
    by_id: FxHashMap<Box<str>, u32>,
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
            terms: Terms::default(),
            answer_ids: Vec::new(),
            postings: Postings::default(),
            prefixes: FxHashMap::default(),
            docs: Vec::new(),
            dead: 0,
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
    /// posting lists laid out once at the end).
    pub fn build(analyzer: &Arc<Analyzer>, params: Params, docs: Vec<ArticleDoc>) -> Self {
        let mut idx = Index::new(Arc::clone(analyzer), params);
        // Analyse in batches: the analysed form is much larger than the index,
        // and holding it for the whole corpus at once would inflate the
        // process's resident memory long after the build.
        let mut docs = docs.into_iter().peekable();
        while docs.peek().is_some() {
            let batch: Vec<ArticleDoc> = docs.by_ref().take(BUILD_BATCH).collect();
            for p in prepare_all(analyzer, batch) {
                idx.insert(p, true);
            }
        }
        idx.renormalize();
        idx
    }

    /// Approximate heap memory held by the index, in bytes (capacities of
    /// its vectors and strings plus a per-entry estimate for hash maps).
    pub fn heap_bytes(&self) -> usize {
        self.heap_breakdown().iter().map(|(_, b)| b).sum()
    }

    /// [`Index::heap_bytes`] per structure, for the benchmark's report.
    pub fn heap_breakdown(&self) -> Vec<(&'static str, usize)> {
        const MAP_ENTRY: usize = 16;
        let string = |s: &String| s.capacity() + std::mem::size_of::<String>();
        let (mut ids, mut terms, mut surf, mut wordings) = (0, 0, 0, 0);
        for d in self.docs.iter().flatten() {
            ids += d.id.len();
            terms += d.terms.len();
            surf += d.surfaces.len();
            wordings += d.texts.len();
        }
        vec![
            ("terms", self.terms.heap_bytes()),
            ("answer ids", self.answer_ids.capacity() * 4),
            ("postings", self.postings.heap_bytes()),
            (
                "prefixes",
                self.prefixes
                    .iter()
                    .map(|(k, v)| string(k) + v.capacity() * 4 + 24 + MAP_ENTRY)
                    .sum::<usize>(),
            ),
            ("article terms", terms),
            ("article surfaces", surf),
            ("article wordings", wordings),
            (
                "article slots",
                self.docs.capacity() * std::mem::size_of::<Option<DocEntry>>() + ids,
            ),
            (
                "id map",
                self.by_id
                    .keys()
                    .map(|k| k.len() + 16 + 4 + MAP_ENTRY)
                    .sum::<usize>(),
            ),
            (
                "typo vocabulary",
                self.surfaces
                    .iter()
                    .map(|s| string(&s.word) + 24)
                    .sum::<usize>()
                    + self
                        .surface_ids
                        .keys()
                        .map(|k| string(k) + 4 + MAP_ENTRY)
                        .sum::<usize>()
                    + self
                        .buckets
                        .values()
                        .map(|b| b.capacity() * 4 + 24)
                        .sum::<usize>(),
            ),
        ]
    }

    /// Number of distinct terms (stems, bigrams, answer terms).
    pub fn term_count(&self) -> usize {
        self.terms.len()
    }

    /// The analyser in use.
    pub fn analyzer(&self) -> &Arc<Analyzer> {
        &self.analyzer
    }

    /// Number of live articles.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Article id of a slot.
    pub fn id_of(&self, slot: u32) -> Option<&str> {
        self.docs
            .get(slot as usize)
            .and_then(|d| d.as_ref())
            .map(|d| d.id.as_ref())
    }

    fn live_term(&self, term: &str) -> Option<u32> {
        self.terms.get(term).filter(|&id| self.postings.df(id) > 0)
    }

    /// Document frequency of a stem or bigram (0 when unknown).
    pub fn df(&self, term: &str) -> usize {
        self.terms
            .get(term)
            .map(|t| self.postings.df(t))
            .unwrap_or(0)
    }

    fn intern(&mut self, term: &str) -> u32 {
        let (id, new) = self.terms.intern(term);
        if new {
            self.answer_ids.push(u32::MAX);
            self.postings.grow(id as usize + 1);
            if !term.contains(' ') && !term.starts_with('#') {
                if let Some(p) = prefix_chars(term, 4) {
                    self.prefixes.entry(p).or_default().push(id);
                }
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
        let name = answer_term(self.terms.name(plain));
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
        let mut texts: Vec<u8> = Vec::new();
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
                let mut wording: Vec<(u32, u8)> = Vec::new();
                for t in tokens {
                    let plain = self.intern(&t.stem);
                    let id = if answer { self.answer_id(plain) } else { plain };
                    bump(&mut tf, id, f);
                    if t.origin == Origin::Original && t.surface.chars().count() >= MIN_TYPO_LEN {
                        // The typo vocabulary maps to plain stems, whatever the field.
                        surfaces.push(self.intern_surface(&t.surface, plain));
                    }
                    if f < WORDING_FIELDS && !wording.iter().any(|(w, _)| *w == id) {
                        wording.push((id, token_group(t)));
                    }
                }
                if !wording.is_empty() {
                    compact::put_varint(&mut texts, wording.len() as u32);
                    for (id, group) in wording {
                        compact::put_varint(&mut texts, id);
                        texts.push(group);
                    }
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
            id: p.doc.id.into_boxed_str(),
            terms: compact::encode_terms(&terms),
            lens,
            surfaces: compact::encode_ids(&surfaces),
            texts: texts.into_boxed_slice(),
        }
    }

    /// Weight of a wording word of expansion size `group` (0: the word itself).
    fn group_weight(&self, group: u8) -> f64 {
        if group == 0 {
            1.0
        } else {
            f64::from(group).powf(-self.params.synonym_exponent)
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
        self.insert(p, false);
    }

    /// Adds an article in a new slot; `bulk` leaves its postings to the
    /// rebuild that ends a bulk build.
    fn insert(&mut self, p: Prepared, bulk: bool) {
        if self.by_id.contains_key(p.doc.id.as_str()) {
            self.remove_inner(&p.doc.id);
        }
        let entry = self.entry_of(p);
        let slot = self.docs.len() as u32;
        for f in 0..FIELDS {
            self.len_sum[f] += u64::from(entry.lens[f]);
        }
        self.live += 1;
        if self.avg_used.iter().all(|&a| a == 0.0) {
            self.avg_used = self.current_avg();
        }
        let mut postings = std::mem::take(&mut self.postings);
        compact::decode_terms(&entry.terms, |t, tfs| {
            postings.count(t, 1);
            if !bulk {
                postings.push_tail(t, slot, self.saturated(&tfs, &entry.lens));
            }
        });
        self.postings = postings;
        for s in compact::decode_ids(&entry.surfaces) {
            let sf = &mut self.surfaces[s as usize];
            sf.count += 1;
            if sf.count == 1 {
                if let Some(first) = sf.word.chars().next() {
                    self.buckets.entry(first).or_default().push(s);
                }
            }
        }
        self.by_id.insert(entry.id.clone(), slot);
        self.docs.push(Some(entry));
        if !bulk {
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
        let postings = &mut self.postings;
        compact::decode_terms(&entry.terms, |t, _| {
            postings.count(t, -1);
            postings.remove_tail(t, slot);
        });
        for s in compact::decode_ids(&entry.surfaces) {
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
        self.dead += 1;
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
        // Tail postings cost a hash lookup per query term and 8 bytes each,
        // removed slots a check per posting: fold them in now and then.
        let cluttered = self.postings.tail_len() > TAIL_MAX.max(self.live * 4)
            || self.dead > DEAD_MAX.max(self.live / 4);
        if drift || cluttered {
            self.renormalize();
        }
    }

    /// Recomputes every posting weight with the current average field
    /// lengths, drops removed slots and lays the posting lists out afresh.
    fn renormalize(&mut self) {
        self.avg_used = self.current_avg();
        if self.dead > 0 {
            let docs = std::mem::take(&mut self.docs);
            self.docs = docs.into_iter().flatten().map(Some).collect();
            self.by_id.clear();
            for (slot, d) in self.docs.iter().enumerate() {
                if let Some(d) = d {
                    self.by_id.insert(d.id.clone(), slot as u32);
                }
            }
            self.dead = 0;
        }
        self.docs.shrink_to_fit();
        let mut postings = std::mem::take(&mut self.postings);
        postings.rebuild(self.terms.len(), |f| {
            for (slot, entry) in self.docs.iter().enumerate() {
                if let Some(entry) = entry {
                    compact::decode_terms(&entry.terms, |t, tfs| {
                        f(slot as u32, t, self.saturated(&tfs, &entry.lens));
                    });
                }
            }
        });
        self.postings = postings;
    }

    /// BM25 IDF (Robertson–Spärck Jones, kept positive by the +1).
    fn idf(&self, df: usize) -> f64 {
        let n = self.live as f64;
        let df = df as f64;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }
}

/// Expansion size recorded for a wording word (0: the word itself).
fn token_group(t: &Token) -> u8 {
    if t.origin == Origin::Synonym {
        t.group.clamp(1, 255) as u8
    } else {
        0
    }
}
