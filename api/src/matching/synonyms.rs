//! The editable synonym/abbreviation dictionary: its text format and the
//! default dictionary shipped with the service.
//!
//! Format (one entry a line, `#` starts a comment):
//! `term | another term = expansion; another expansion`.
//! Every term is replaced by all expansions when text is analysed (articles and
//! queries alike), so an abbreviation and its full form become the same terms.
//! To keep the original word as well, list it among the expansions. With no
//! expansion (`добрый день =`) the phrase is dropped, as for greetings. A term in
//! double quotes matches only that exact word form, not every form of its stem.

use super::Synonym;

/// The default dictionary, embedded at compile time.
pub(super) const DEFAULT_TEXT: &str = include_str!("synonyms_default.txt");

/// Parses the dictionary text format; returns the entries or the first bad
/// line (1-based) with a message.
pub fn parse_synonyms(text: &str) -> Result<Vec<Synonym>, (usize, String)> {
    let mut out = Vec::new();
    for (idx, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let Some((terms, expansions)) = line.split_once('=') else {
            return Err((idx + 1, "expected `term = expansion`".to_string()));
        };
        let expansions: Vec<String> = expansions
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let mut any = false;
        for term in terms.split('|').map(str::trim).filter(|s| !s.is_empty()) {
            any = true;
            out.push(Synonym {
                term: term.to_string(),
                expansions: expansions.clone(),
            });
        }
        if !any {
            return Err((idx + 1, "no term before `=`".to_string()));
        }
    }
    Ok(out)
}

/// Renders entries back to the text format (one entry a line).
pub fn format_synonyms(synonyms: &[Synonym]) -> String {
    let mut s = String::new();
    for syn in synonyms {
        s.push_str(&syn.term);
        s.push_str(" = ");
        s.push_str(&syn.expansions.join("; "));
        s.push('\n');
    }
    s
}

/// The default dictionary of Russian school abbreviations and synonyms.
pub fn default_synonyms() -> Vec<Synonym> {
    // The embedded file is checked by a unit test, so a parse error cannot ship;
    // still, never panic in production code.
    parse_synonyms(DEFAULT_TEXT).unwrap_or_default()
}
