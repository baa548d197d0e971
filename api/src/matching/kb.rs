//! JSONL loader for the knowledge-base import format (`kb_demo.jsonl`).

use serde::{Deserialize, Serialize};

use super::ArticleDoc;

/// One knowledge-base record as stored in the import/export JSONL format.
/// Fields the service does not model (e.g. `verified_facts`, `sources`) are
/// kept in `extra` so that export reproduces them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KbRecord {
    /// Stable id, e.g. `kb-001`.
    pub id: String,
    /// Title.
    pub title: String,
    /// Canonical question.
    pub question: String,
    /// Other wordings of the question.
    #[serde(default)]
    pub variants: Vec<String>,
    /// Answer text.
    pub answer: String,
    /// Legal references.
    #[serde(default)]
    pub legal_refs: Vec<String>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Unknown fields, kept verbatim.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl From<&KbRecord> for ArticleDoc {
    fn from(r: &KbRecord) -> Self {
        ArticleDoc {
            id: r.id.clone(),
            title: r.title.clone(),
            question: r.question.clone(),
            variants: r.variants.clone(),
            tags: r.tags.clone(),
            answer: r.answer.clone(),
        }
    }
}

/// Parses KB JSONL: one object a line, blank lines skipped. Fails on the first
/// bad line with its 1-based number and the reason; nothing is returned then,
/// so an import is all or nothing. Empty ids and duplicate ids are errors.
pub fn parse_kb_jsonl(text: &str) -> Result<Vec<KbRecord>, (usize, String)> {
    let mut out: Vec<KbRecord> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (idx, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let rec: KbRecord = serde_json::from_str(line).map_err(|e| (idx + 1, e.to_string()))?;
        if rec.id.trim().is_empty() {
            return Err((idx + 1, "empty id".to_string()));
        }
        if rec.question.trim().is_empty() {
            return Err((idx + 1, "empty question".to_string()));
        }
        if !seen.insert(rec.id.clone()) {
            return Err((idx + 1, format!("duplicate id {}", rec.id)));
        }
        out.push(rec);
    }
    Ok(out)
}
