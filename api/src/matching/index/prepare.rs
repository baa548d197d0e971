//! Article analysis for the index: an article becomes a [`Prepared`] form
//! (its fields analysed into stems) outside the index and its lock, one at a
//! time with a stem cache or in parallel for bulk builds.

use super::FIELDS;
use crate::matching::normalize::{Analyzed, Analyzer, StemCache};
use crate::matching::ArticleDoc;

/// An article analysed into strings, independent of any index.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The article itself (kept by the index once inserted).
    pub(super) doc: ArticleDoc,
    /// Per field, the analysis of each of its texts.
    pub(super) fields: [Vec<Analyzed>; FIELDS],
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
