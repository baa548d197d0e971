//! The rules of the service, one module per aggregate. Handlers in `routes/` extract,
//! authorize, call one function here and respond; the bot webhook and the jobs call the same
//! functions. Nothing here knows HTTP (no `actix_web`), and nothing here imports `routes`.

pub mod appeals;
pub mod calendar;
pub mod campaigns;
pub mod integrations;
pub mod kb;
pub mod notifications;
pub mod pagination;
pub mod regions;
pub mod stats;
pub mod templates;
pub mod users;
pub mod validate;
