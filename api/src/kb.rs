//! Moved to [`crate::domain::kb`]; this path stays for the code that still imports it.

pub use crate::domain::kb::store::*;
pub use crate::domain::kb::KnowledgeBase;
