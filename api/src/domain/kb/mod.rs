//! The knowledge base: articles with their versions, candidate variants, the synonym
//! dictionary, and the answer engine that indexes what is published.
//!
//! [`store`] holds the rows and the plain database operations (also used by appeals and the
//! import/export commands), [`engine`] keeps the engine in step with the database,
//! [`evidence`] turns the service's history into labelled questions for `api kb fit`, and
//! [`articles`], [`variants`] and [`synonyms`] are the rules behind the HTTP operations.

pub mod articles;
pub mod engine;
pub mod evidence;
pub mod store;
pub mod synonyms;
pub mod variants;

pub use self::engine::KnowledgeBase;
pub use self::store::ArticleRow;
