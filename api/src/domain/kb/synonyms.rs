//! The synonym and abbreviation dictionary of the answer engine: read it, replace it whole.

use shared::kb::SynonymEntry;

use super::articles::check_list;
use super::engine::KnowledgeBase;
use super::store;
use crate::auth::Caller;
use crate::db::{audit, Db};
use crate::domain::validate;
use crate::error::ApiError;
use crate::matching::Synonym;

/// Most entries a dictionary may hold.
const MAX_ENTRIES: usize = 5000;

fn entry(s: Synonym) -> SynonymEntry {
    SynonymEntry {
        term: s.term,
        expansions: s.expansions,
    }
}

/// The dictionary as stored.
///
/// # Errors
/// A database failure.
pub async fn get(db: &Db) -> Result<Vec<SynonymEntry>, ApiError> {
    let items = db.read(|conn| Ok(store::synonyms(conn)?)).await?;
    Ok(items.into_iter().map(entry).collect())
}

/// Checks the entries (terms lower-cased and unique), replaces the dictionary and
/// re-indexes the engine at once; returns what was saved. An entry without expansions drops
/// the phrase from texts and questions (as the default dictionary does for greetings), so
/// what [`get`] returns can always be saved back.
///
/// # Errors
/// 422 for too many entries, a bad or repeated term, bad expansions; a database failure.
pub async fn replace(
    db: &Db,
    kb: &KnowledgeBase,
    caller: Caller,
    entries: Vec<SynonymEntry>,
) -> Result<Vec<SynonymEntry>, ApiError> {
    if entries.len() > MAX_ENTRIES {
        return Err(ApiError::field(
            "items",
            "too_many",
            "Не больше 5000 записей.",
        ));
    }
    let mut items: Vec<Synonym> = Vec::with_capacity(entries.len());
    for e in entries {
        let term = validate::text("term", &e.term, 100, true)?
            .unwrap_or_default()
            .to_lowercase();
        let expansions = check_list("expansions", &e.expansions, 20, 200)?;
        if items.iter().any(|s| s.term == term) {
            return Err(ApiError::field(
                "term",
                "duplicate",
                &format!("«{term}» встречается дважды."),
            ));
        }
        items.push(Synonym { term, expansions });
    }
    let stored = items.clone();
    // The articles are read in the same transaction: the engine re-indexes
    // them with the new dictionary and keeps no texts of its own.
    let docs = db
        .write(move |conn| {
            store::replace_synonyms(conn, &stored, Some(&caller.user_id))?;
            audit::record(
                conn,
                &caller.actor(),
                "kb.synonyms.replace",
                "kb_synonyms",
                None,
                None,
                Some(&serde_json::json!({ "count": stored.len() })),
            )?;
            Ok(super::engine::published_docs(conn)?)
        })
        .await?;
    let response = items.iter().cloned().map(entry).collect();
    kb.apply_synonyms(items, docs);
    Ok(response)
}
