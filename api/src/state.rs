//! What every handler can reach: the pool, the settings, metrics and the mini-app files.

use std::sync::Arc;

use crate::auth::jwt::JwtKeys;
use crate::auth::session::Issuer;
use crate::config::Config;
use crate::db::Db;
use crate::domain::calendar::Calendars;
use crate::domain::kb::KnowledgeBase;
use crate::metrics::Metrics;
use crate::static_files::StaticFiles;

/// Shared, cheaply cloned state of one server process.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Settings.
    pub config: Arc<Config>,
    /// Metrics registry.
    pub metrics: Arc<Metrics>,
    /// The built mini-app.
    pub static_files: Arc<StaticFiles>,
    /// Access-token keys.
    pub jwt: JwtKeys,
    /// Issues token pairs.
    pub issuer: Issuer,
    /// Working-day calendar and region time zones (SLA deadlines).
    pub calendars: Arc<Calendars>,
    /// The knowledge base's answer engine.
    pub kb: Arc<KnowledgeBase>,
    /// Outgoing HTTP (ESIA, signer, MAX Bot API, webhooks).
    pub http: reqwest::Client,
    /// The bound on password checks running at once (sign-in bursts answer 429).
    pub hash_gate: crate::auth::hash_gate::HashGate,
}
