//! HTTP handlers, one module per area; [`configure`] registers them all.

pub mod admin;
pub mod appeals;
pub mod appeals_staff;
pub mod auth;
pub mod calendar;
pub mod esia;
pub mod health;
pub mod kb;
pub mod max;
pub mod me;
pub mod outbox;
pub mod problem;
pub mod regions;
pub mod reports;
pub mod stats;
pub mod webhooks;

use actix_web::web;

// Moved to the domain layer; these names stay until every handler imports them from there.
pub use crate::domain::{pagination, validate};

/// Registers every route of the API (the caller adds middleware and the fallbacks).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(health::metrics)
        .service(
            web::scope("/api/v1")
                .service(regions::list_regions)
                .service(stats::stats_summary)
                .service(stats::stats_regions)
                .service(stats::stats_timeseries)
                .service(stats::stats_operators)
                .service(reports::appeals_csv)
                .service(reports::appeals_xlsx)
                .service(max::max_webhook)
                .service(webhooks::list_webhooks)
                .service(webhooks::create_webhook)
                .service(webhooks::delete_webhook)
                .service(webhooks::ping_webhook)
                .service(webhooks::rotate_webhook_secret)
                .service(webhooks::list_webhook_deliveries)
                .service(outbox::list_outbox)
                .service(outbox::retry_outbox)
                .service(auth::auth_max)
                .service(auth::refresh)
                .service(auth::logout)
                .service(auth::dev_login)
                .service(auth::login)
                .service(auth::accept_invitation)
                .service(auth::totp_enroll)
                .service(esia::esia_start)
                .service(esia::esia_callback)
                .service(me::get_me)
                .service(me::update_me)
                .service(me::erase_me)
                .service(me::request_verification)
                .service(me::change_password)
                .service(me::link_max)
                .service(admin::list_users)
                .service(admin::create_user)
                .service(admin::update_user)
                .service(admin::invite_user)
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
                .service(kb::put_synonyms)
                .service(calendar::get_calendar)
                .service(calendar::put_calendar)
                .service(appeals_staff::board)
                .service(appeals_staff::assign)
                .service(appeals_staff::answer_appeal)
                .service(appeals_staff::add_note)
                .service(appeals_staff::bot_grade)
                .service(appeals_staff::close_appeal)
                .service(appeals_staff::transfer)
                .service(appeals::create_appeal)
                .service(appeals::list_appeals)
                .service(appeals::get_appeal)
                .service(appeals::post_message)
                .service(appeals::escalate)
                .service(appeals::withdraw)
                .service(appeals::rate)
                .service(appeals::accept_suggestion)
                .service(appeals::mark_read)
                .service(appeals::upload_attachment)
                .service(appeals::download_attachment),
        );
}
