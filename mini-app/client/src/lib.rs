//! The API client shared by both WebAssembly modules of the mini-app: the teacher app
//! (`teacher-app`, first load) and the staff module (`staff-app`, fetched on demand).
//!
//! - [`api`]: one generic [`api::request`] — bearer token, one refresh and retry on a 401,
//!   `application/problem+json` mapped to [`api::ApiError`] whose Russian `detail` is shown;
//! - [`session`]: the token pair in `localStorage`, the single-flight refresh, and session
//!   events (expired, second factor required) the apps react to;
//! - [`endpoints`]: typed calls both modules use (profile, sign-out, regions);
//! - [`files`]: downloads with the token (reports, attachments) and non-JSON uploads;
//! - [`modules`]: fetching the other modules (second teacher module, staff, supervisor);
//! - [`offline`]: kept copies of reads and retried writes through a lost connection;
//! - [`remote`]: the loading state of fetched data as pages show it;
//! - [`html`]: read-only content built as escaped HTML text (tables, options, the
//!   loading state of such text) for the staff, supervisor and administration screens;
//! - [`words`]: the glossary every module shows (statuses, who answered, unread), Russian
//!   plural agreement, and dates and deadlines in one shape on the region's clock;
//! - [`ui`] and [`form`]: the loading and error states and the labelled form controls
//!   both modules show.
//!
//! Bodies are parsed and printed by the browser (`Response.json()`, `JSON.stringify`) and
//! converted field by field ([`json`]), so neither a JSON parser nor serde's generic
//! (de)serializers are compiled into the modules.

pub mod api;
pub mod endpoints;
pub mod files;
pub mod form;
pub mod help;
pub mod html;
pub mod json;
pub mod modules;
pub mod offline;
pub mod remote;
pub mod session;
pub mod strings;
pub mod transport;
pub mod ui;
pub mod words;

pub use api::{decode, json_body, request, request_keyed, request_value, ApiError, Method};
pub use offline::StaleBanner;
pub use remote::{load_into, Remote};
pub use ui::{ErrorBox, ErrorLine, Loading};
