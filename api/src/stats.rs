//! Moved to [`crate::domain::stats`]; this path stays for the code that still imports it.

pub use crate::domain::stats::*;
