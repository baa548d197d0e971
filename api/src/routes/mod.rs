//! HTTP handlers, one module per area; [`configure`] registers them all.

pub mod admin;
pub mod auth;
pub mod esia;
pub mod health;
pub mod kb;
pub mod me;
pub mod pagination;
pub mod regions;
pub mod validate;

use actix_web::web;

/// Registers every route of the API (the caller adds middleware and the fallbacks).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(health::metrics)
        .service(
            web::scope("/api/v1")
                .service(regions::list_regions)
                .service(auth::auth_max)
                .service(auth::refresh)
                .service(auth::logout)
                .service(auth::dev_login)
                .service(auth::login)
                .service(auth::totp_enroll)
                .service(esia::esia_start)
                .service(esia::esia_callback)
                .service(me::get_me)
                .service(me::update_me)
                .service(me::erase_me)
                .service(me::request_verification)
                .service(me::link_max)
                .service(admin::list_users)
                .service(admin::create_user)
                .service(admin::update_user)
                .service(admin::decide_verification)
                .service(admin::list_api_keys)
                .service(admin::create_api_key)
                .service(admin::revoke_api_key)
                .service(admin::list_audit)
                .service(kb::search)
                .service(kb::list_articles)
                .service(kb::create_article)
                .service(kb::get_article)
                .service(kb::update_article)
                .service(kb::publish_article)
                .service(kb::archive_article)
                .service(kb::list_versions)
                .service(kb::list_variants)
                .service(kb::confirm_variant)
                .service(kb::reject_variant)
                .service(kb::get_synonyms)
                .service(kb::put_synonyms),
        );
}
