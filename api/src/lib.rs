//! Помощник's server: REST API under `/api/v1`, the mini-app's static files at `/`, health
//! and metrics. `main.rs` is a thin command-line front over this library.

pub mod auth;
pub mod calendar;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod idempotency;
pub mod jobs;
pub mod matching;
pub mod metrics;
pub mod net;
pub mod notify;
pub mod routes;
pub mod startup;
pub mod state;
pub mod static_files;
pub mod telemetry;
pub mod tools;

pub use config::Config;
pub use error::ApiError;
pub use routes::openapi;
pub use startup::Application;
