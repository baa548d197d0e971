//! HTTP handlers, one module per area; [`configure`] registers them all.

pub mod health;
pub mod regions;

use actix_web::web;

/// Registers every route of the API (the caller adds middleware and the fallbacks).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(health::metrics)
        .service(web::scope("/api/v1").service(regions::list_regions));
}
