//! The appeals resource for teachers (and the reads every role in scope shares): ask, list,
//! read, follow up, attach files, escalate, withdraw, rate, accept a suggestion, mark read;
//! and the leadership's «На контроль».
//! One file per group of actions; each handler extracts, authorizes, calls one function of
//! [`crate::domain::appeals`] and responds.

/// Every appeal operation may answer these besides its own statuses.
macro_rules! problems {
    () => {
        "application/problem+json"
    };
}

mod ask;
mod attachments;
mod control;
mod on_behalf;
mod read;
mod thread;
mod transitions;

pub use ask::*;
pub use attachments::*;
pub use control::*;
pub use on_behalf::*;
pub use read::*;
pub use thread::*;
pub use transitions::*;

/// Largest attachment (the body limit of the upload route is set from it).
pub use crate::domain::appeals::attachments::MAX_ATTACHMENT_BYTES;
