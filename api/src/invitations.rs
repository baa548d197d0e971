//! Staff invitations moved to [`crate::domain::users::invitations`]; this path stays for the
//! jobs that still import it.

pub use crate::domain::users::invitations::*;
