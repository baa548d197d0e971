//! Moved to [`crate::domain::appeals`]; this path stays for code that still imports it.

pub use crate::domain::appeals::*;
