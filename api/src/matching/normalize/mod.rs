//! Russian text normalisation: case folding, ё→е, punctuation/emoji removal,
//! Snowball stemming, stop words, synonym/abbreviation canonicalisation and
//! word bigrams.
//!
//! The same [`Analyzer`] is used for articles and for queries, so both sides
//! end up in one canonical vocabulary; only queries get typo correction
//! (through a callback into the index vocabulary).

use rust_stemmers::{Algorithm, Stemmer};

use rustc_hash::{FxHashMap, FxHashSet};

use super::Synonym;
use words::{SNOWBALL_STOP, STOP_WORDS};

mod words;

/// Where a token came from; typo-corrected tokens are trusted less.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Origin {
    /// Written as is by the user / article author.
    #[default]
    Original,
    /// Produced by the synonym/abbreviation dictionary.
    Synonym,
    /// A word outside the vocabulary replaced by its nearest vocabulary word.
    Typo,
}

/// One analysed token (content word, stop words already removed).
#[derive(Debug, Clone)]
pub struct Token {
    /// Normalised surface form (lower case, ё→е); used for typo matching.
    pub surface: String,
    /// Snowball stem; the unit of indexing.
    pub stem: String,
    /// The word as typed, when typo repair replaced it (explanations show both).
    pub typed: Option<String>,
    /// Provenance.
    pub origin: Origin,
    /// A generic word (in the Snowball stop-word list but not dropped:
    /// "кто", "когда", "можно"): kept for ranking but weighted down, since it
    /// says little about the topic.
    pub weak: bool,
    /// Number of content words the synonym expansion this token belongs to
    /// produced (1 for other tokens).
    pub group: usize,
}

/// Result of analysing one text.
#[derive(Debug, Clone, Default)]
pub struct Analyzed {
    /// Content tokens in order (after synonyms, without stop words).
    pub tokens: Vec<Token>,
    /// Adjacent pairs of content stems, joined by a space (never inside a stem).
    pub bigrams: Vec<String>,
    /// Surface words that were neither stop words nor in the vocabulary and
    /// could not be corrected (queries only; signals out-of-domain content).
    pub unknown: Vec<String>,
}

/// A compiled dictionary entry: the pattern and its expansions.
type Rule = (Vec<PatternWord>, Vec<Vec<RawToken>>);

/// Compiled synonym dictionary: stem patterns → stemmed expansions.
#[derive(Debug, Default, Clone)]
struct SynonymTable {
    /// First stem of a pattern → (pattern, expansions), longest first.
    by_first: FxHashMap<String, Vec<Rule>>,
    /// Every stem that starts a pattern: such tokens are never typo-corrected.
    heads: FxHashSet<String>,
}

/// One word of a synonym pattern: matched by stem, or by exact (normalised)
/// form when the dictionary term was written in double quotes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PatternWord {
    stem: String,
    exact: Option<String>,
}

impl PatternWord {
    fn matches(&self, t: &RawToken) -> bool {
        match &self.exact {
            Some(form) => t.surface == *form,
            None => t.stem == self.stem,
        }
    }
}

/// A token before stop-word filtering and synonym replacement.
#[derive(Debug, Clone, Default)]
struct RawToken {
    surface: String,
    stem: String,
    typed: Option<String>,
    stop: bool,
    origin: Origin,
    group: usize,
}

/// Callback used to correct an out-of-vocabulary query word:
/// gets the surface form, returns `(surface, stem)` of the nearest vocabulary word.
pub type Corrector<'a> = &'a dyn Fn(&str) -> Option<(String, String)>;

/// Memo of surface word → stem, used while indexing many articles.
pub type StemCache = FxHashMap<String, String>;

/// Callback telling whether a stem is present in the index.
pub type Known<'a> = &'a dyn Fn(&str) -> bool;

/// Russian analyser; cheap to share, immutable after construction.
pub struct Analyzer {
    stemmer: Stemmer,
    stop: FxHashSet<&'static str>,
    weak: FxHashSet<&'static str>,
    synonyms: SynonymTable,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("synonym_heads", &self.synonyms.heads.len())
            .finish()
    }
}

/// Lower-cases, folds ё→е and й-decompositions, maps Latin look-alike letters
/// inside Cyrillic words, and replaces every non-alphanumeric char by a space.
pub fn normalize_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut prev: Option<char> = None;
    for ch in text.chars() {
        // Combining breve / diaeresis after и / е come from decomposed input.
        if ch == '\u{306}' && prev == Some('и') {
            out.pop();
            out.push('й');
            prev = Some('й');
            continue;
        }
        if ch == '\u{308}' && prev == Some('е') {
            continue;
        }
        // Fast path for the common alphabets; `to_lowercase` and the Unicode
        // tables are only consulted for other characters.
        let fast = match ch {
            'а'..='я' | 'a'..='z' | '0'..='9' => Some(ch),
            'А'..='Я' => char::from_u32(ch as u32 + 32),
            'A'..='Z' => Some(ch.to_ascii_lowercase()),
            'ё' | 'Ё' => Some('е'),
            ' ' | ',' | '.' | '?' | '!' | '-' | ':' | ';' | '«' | '»' | '"' | '(' | ')' | '—' => {
                Some(' ')
            }
            _ => None,
        };
        if let Some(c) = fast {
            out.push(c);
            prev = Some(c);
            continue;
        }
        for lc in ch.to_lowercase() {
            let c = match lc {
                'ё' => 'е',
                c if c.is_alphanumeric() => c,
                _ => ' ',
            };
            out.push(c);
            prev = Some(c);
        }
    }
    out
}

/// Maps Latin letters that look like Cyrillic ones ("o", "c", "p", …) when the
/// word is otherwise Cyrillic: mixed keyboards produce such words.
fn fix_mixed_script(word: &str) -> String {
    let has_cyr = word.chars().any(is_cyrillic);
    let has_lat = word.chars().any(|c| c.is_ascii_alphabetic());
    if !(has_cyr && has_lat) {
        return word.to_string();
    }
    word.chars()
        .map(|c| match c {
            'a' => 'а',
            'c' => 'с',
            'e' => 'е',
            'o' => 'о',
            'p' => 'р',
            'x' => 'х',
            'y' => 'у',
            'k' => 'к',
            'm' => 'м',
            't' => 'т',
            'h' => 'н',
            'b' => 'в',
            other => other,
        })
        .collect()
}

fn is_cyrillic(c: char) -> bool {
    ('\u{400}'..='\u{4FF}').contains(&c)
}

/// Splits normalised text into words.
pub fn tokenize(text: &str) -> Vec<String> {
    normalize_text(text)
        .split_whitespace()
        .map(fix_mixed_script)
        .collect()
}

impl Analyzer {
    /// Builds an analyser with the given synonym dictionary.
    pub fn new(synonyms: &[Synonym]) -> Self {
        let stop: FxHashSet<&'static str> = STOP_WORDS.iter().copied().collect();
        // Generic words (Snowball's list) that are not dropped rank weaker.
        let weak: FxHashSet<&'static str> = SNOWBALL_STOP
            .iter()
            .copied()
            .filter(|w| !stop.contains(w))
            .collect();
        let mut a = Analyzer {
            stemmer: Stemmer::create(Algorithm::Russian),
            stop,
            weak,
            synonyms: SynonymTable::default(),
        };
        a.synonyms = a.compile_synonyms(synonyms);
        a
    }

    /// Whether a (normalised) word is a stop word.
    pub fn is_stop(&self, word: &str) -> bool {
        self.stop.contains(word)
    }

    /// Snowball stem of one normalised word. Words of up to three letters are
    /// kept as they are: they are mostly abbreviations ("уо", "рп", "впр"),
    /// and stemming them makes "уо" collide with the preposition "у".
    pub fn stem(&self, word: &str) -> String {
        if word.chars().count() <= 3 {
            return word.to_string();
        }
        self.stemmer.stem(word).into_owned()
    }

    fn raw_tokens(&self, text: &str, mut cache: Option<&mut StemCache>) -> Vec<RawToken> {
        tokenize(text)
            .into_iter()
            .map(|surface| RawToken {
                stem: match cache.as_deref_mut() {
                    Some(c) => match c.get(&surface) {
                        Some(st) => st.clone(),
                        None => {
                            let st = self.stem(&surface);
                            c.insert(surface.clone(), st.clone());
                            st
                        }
                    },
                    None => self.stem(&surface),
                },
                stop: self.stop.contains(surface.as_str()),
                surface,
                typed: None,
                origin: Origin::Original,
                group: 1,
            })
            .collect()
    }

    fn compile_synonyms(&self, synonyms: &[Synonym]) -> SynonymTable {
        let mut table = SynonymTable::default();
        for syn in synonyms {
            // A term in double quotes matches only these exact word forms
            // (e.g. "бумаги" = documents, but not "на бумаге" = on paper).
            let trimmed = syn.term.trim();
            let exact = trimmed.len() >= 2 && trimmed.starts_with('"') && trimmed.ends_with('"');
            let pattern: Vec<PatternWord> = self
                .raw_tokens(trimmed.trim_matches('"'), None)
                .into_iter()
                .map(|t| PatternWord {
                    exact: exact.then(|| t.surface.clone()),
                    stem: t.stem,
                })
                .collect();
            let Some(first) = pattern.first().map(|p| p.stem.clone()) else {
                continue;
            };
            let expansions: Vec<Vec<RawToken>> = syn
                .expansions
                .iter()
                .map(|e| {
                    self.raw_tokens(e, None)
                        .into_iter()
                        .map(|mut t| {
                            t.origin = Origin::Synonym;
                            t
                        })
                        .collect::<Vec<_>>()
                })
                .filter(|v| !v.is_empty())
                .collect();
            // Expansions that analyse to nothing (e.g. only stop words) are a
            // mistake; an entry with no expansion at all drops the phrase.
            if expansions.is_empty() && !syn.expansions.is_empty() {
                continue;
            }
            table.heads.insert(first.clone());
            let entry = table.by_first.entry(first).or_default();
            // Same pattern twice: the later entry extends the earlier one.
            if let Some(existing) = entry.iter_mut().find(|(p, _)| *p == pattern) {
                existing.1.extend(expansions);
            } else {
                entry.push((pattern, expansions));
            }
        }
        for list in table.by_first.values_mut() {
            list.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        }
        table
    }

    /// Analyses article text (no typo correction).
    pub fn analyze(&self, text: &str) -> Analyzed {
        self.analyze_with(text, None, None)
    }

    /// Analyses article text, memoising stems in `cache` (bulk indexing:
    /// word frequencies are Zipfian, so most words are stemmed once).
    pub fn analyze_cached(&self, text: &str, cache: &mut StemCache) -> Analyzed {
        self.analyze_inner(text, None, None, Some(cache))
    }

    /// Analyses text; with `known` and `corrector`, words whose stem is not
    /// known are replaced by the corrector's suggestion (queries).
    pub fn analyze_with(
        &self,
        text: &str,
        known: Option<Known<'_>>,
        corrector: Option<Corrector<'_>>,
    ) -> Analyzed {
        self.analyze_inner(text, known, corrector, None)
    }

    fn analyze_inner(
        &self,
        text: &str,
        known: Option<Known<'_>>,
        corrector: Option<Corrector<'_>>,
        cache: Option<&mut StemCache>,
    ) -> Analyzed {
        let mut raw = self.raw_tokens(text, cache);
        let mut unknown = Vec::new();
        if let Some(known) = known {
            for t in raw.iter_mut() {
                if t.stop || known(&t.stem) || self.synonyms.heads.contains(&t.stem) {
                    continue;
                }
                let corrected = if t.surface.chars().count() >= 4
                    && !t.surface.chars().any(|c| c.is_ascii_digit())
                {
                    corrector.and_then(|c| c(&t.surface))
                } else {
                    None
                };
                match corrected {
                    Some((surface, stem)) => {
                        t.typed = Some(std::mem::replace(&mut t.surface, surface));
                        t.stem = stem;
                        t.origin = Origin::Typo;
                    }
                    None => unknown.push(t.surface.clone()),
                }
            }
        }
        // Synonym canonicalisation: longest pattern wins, the matched words are
        // replaced by all expansions (list the term itself to keep it).
        let mut expanded: Vec<RawToken> = Vec::with_capacity(raw.len());
        let mut i = 0;
        while i < raw.len() {
            let mut matched = false;
            if let Some(cands) = self.synonyms.by_first.get(&raw[i].stem) {
                for (pattern, expansions) in cands {
                    let end = i + pattern.len();
                    if end <= raw.len()
                        && raw[i..end].iter().zip(pattern).all(|(t, p)| p.matches(t))
                    {
                        let group = expansions
                            .iter()
                            .flatten()
                            .filter(|t| !t.stop)
                            .count()
                            .max(1);
                        for exp in expansions {
                            expanded.extend(exp.iter().cloned().map(|mut t| {
                                t.group = group;
                                t
                            }));
                        }
                        // An abbreviation that is itself unknown is not unknown any more.
                        for t in &raw[i..end] {
                            if let Some(pos) = unknown.iter().position(|u| *u == t.surface) {
                                unknown.remove(pos);
                            }
                        }
                        i = end;
                        matched = true;
                        break;
                    }
                }
            }
            if !matched {
                expanded.push(std::mem::take(&mut raw[i]));
                i += 1;
            }
        }
        let tokens: Vec<Token> = expanded
            .into_iter()
            .filter(|t| !t.stop)
            .map(|t| Token {
                weak: self.weak.contains(t.surface.as_str()),
                surface: t.surface,
                stem: t.stem,
                typed: t.typed,
                origin: t.origin,
                group: t.group,
            })
            .collect();
        let bigrams = tokens
            .windows(2)
            .map(|w| format!("{} {}", w[0].stem, w[1].stem))
            .collect();
        Analyzed {
            tokens,
            bigrams,
            unknown,
        }
    }
}
