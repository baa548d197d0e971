//! Appeals: the rules of their lifecycle and who may see which.
//!
//! - [`create`]: asking a question (mini-app, bot and REST alike);
//! - [`lifecycle`]: the teacher's transitions (follow-up, escalate, withdraw, rate, accept a
//!   suggestion), closing, expiry, read marks;
//! - [`staff`]: the operator's actions (assign, answer, clarify, note, grade, close, transfer);
//! - [`query`]: the scoped reads (list, board, one appeal); the caller's scope is applied
//!   by one function, [`query::scoped`], that cannot return an unscoped query;
//! - [`attachments`]: files of a question;
//! - [`changes`]: the integrators' change feed (`updated_since`).
//! - [`control`]: «На контроль» by the region's leadership.
//! - [`on_behalf`]: appeals registered for someone else (quick appeals, integrators).
//! - [`feedback`]: «Помогло» / «Не помогло» clicks on bot answers (not ratings).
//! - [`waiting`]: «Нужен ваш ответ», the SLA clock paused for the teacher's reply.
//!
//! Handlers in `routes::appeals` and `routes::appeals_staff`, the bot webhook and the jobs
//! all call these functions; none of them writes appeal rows itself.

mod answer;
pub mod attachments;
pub mod bot;
pub mod changes;
pub mod control;
pub mod create;
pub mod days_left;
pub mod feedback;
pub mod lifecycle;
pub mod on_behalf;
pub mod query;
mod row;
pub mod screen;
pub mod staff;
mod view;
pub mod waiting;

pub use query::find_in_scope;
pub use row::{add_answer, add_message, emit, reload, suggestions_of, AppealRow, Viewer};
pub use view::{view, views};

use crate::error::ApiError;

/// A 409 with a stable code and a Russian detail.
fn conflict(code: &'static str, detail: &str) -> ApiError {
    ApiError::Conflict {
        code,
        detail: detail.to_owned(),
    }
}

/// The 409 for an action on a closed appeal.
fn not_open() -> ApiError {
    conflict("appeal_closed", "Обращение уже закрыто.")
}
