//! Moved to [`crate::domain::calendar`]; this path stays for the code that still imports it.

pub use crate::domain::calendar::store::*;
