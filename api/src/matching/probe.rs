//! What a query is scored as: its sentences (a long message is also ranked on
//! its question sentences) and the ranking signals the abstain model reads.

use super::abstain::Signals;
use super::index::{Candidate, Ranked};

/// Sentences of a message with whether each ends with a question mark;
/// pieces without letters are dropped.
pub(super) fn split_sentences(text: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for ch in text.chars() {
        let end = matches!(ch, '.' | '!' | '?' | '\n' | '…');
        if !end {
            cur.push(ch);
            continue;
        }
        if cur.chars().any(char::is_alphabetic) {
            out.push((cur.trim().to_string(), ch == '?'));
        } else if ch == '?' {
            // "...?!" or "??": the mark belongs to the previous sentence.
            if let Some(last) = out.last_mut() {
                last.1 = true;
            }
        }
        cur.clear();
    }
    if cur.chars().any(char::is_alphabetic) {
        out.push((cur.trim().to_string(), false));
    }
    out
}

/// Signals of a ranking with its `first`-th candidate taken as the first
/// and the best of the others as the runner-up, or `None` when there is no
/// such candidate.
pub(super) fn signals_of(
    ranked: &Ranked,
    first: usize,
    sentences: usize,
    partial: bool,
) -> Option<Signals> {
    let lead = ranked.top.get(first)?;
    let cov = |c: &Candidate| {
        if ranked.total_weight > 0.0 {
            c.covered / ranked.total_weight
        } else {
            0.0
        }
    };
    let second = if first == 0 {
        ranked.top.get(1)
    } else {
        ranked.top.first()
    };
    Some(Signals {
        s1: lead.score,
        s2: second.map_or(0.0, |c| c.score),
        cov1: cov(lead),
        cov2: second.map_or(0.0, cov),
        tm1: lead.text_match,
        tm2: second.map_or(0.0, |c| c.text_match),
        tokens: ranked.tokens,
        unknown: ranked.unknown,
        known_cov1: if ranked.total_weight - ranked.unknown_weight > 0.0 {
            lead.covered / (ranked.total_weight - ranked.unknown_weight)
        } else {
            0.0
        },
        sentences,
        partial,
    })
}
