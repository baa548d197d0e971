//! HTTP handlers, one module per area; [`configure`] registers them all.

pub mod admin;
pub mod appeal_screen;
pub mod appeals;
pub mod appeals_staff;
pub mod auth;
pub mod calendar;
pub mod campaigns;
pub mod esia;
pub mod health;
pub mod help;
pub mod kb;
pub mod max;
pub mod me;
pub mod openapi;
pub mod openapi_ru;
pub mod outbox;
pub mod problem;
pub mod regions;
pub mod reports;
pub mod stats;
pub mod teachers;
pub mod templates;
pub mod webhooks;

use actix_web::web;

/// The one list of operations: [`configure`] registers them in this order (a fixed path such
/// as `/appeals/board` before `/appeals/{id}`), and [`Operations`] documents the same list, so
/// the server and its OpenAPI document cannot drift apart.
macro_rules! operations {
    (root: [$($rm:ident :: $rf:ident),* $(,)?], v1: [$($m:ident :: $f:ident),* $(,)?] $(,)?) => {
        /// Registers every route of the API (the caller adds middleware and the fallbacks).
        pub fn configure(cfg: &mut web::ServiceConfig) {
            cfg $(.service($rm::$rf))*
                .service(web::scope("/api/v1") $(.service($m::$f))*);
        }

        /// The paths of every registered operation, for [`openapi::document`].
        #[derive(utoipa::OpenApi)]
        #[openapi(paths($($rm::$rf,)* $($m::$f,)*))]
        pub struct Operations;
    };
}

operations! {
    root: [
        health::healthz,
        health::readyz,
        health::metrics,
    ],
    v1: [
        regions::list_regions,
        regions::import_region_teachers,
        stats::stats_summary,
        stats::stats_regions,
        stats::stats_timeseries,
        stats::stats_operators,
        stats::stats_mine,
        reports::appeals_csv,
        reports::appeals_xlsx,
        max::max_webhook,
        webhooks::list_webhooks,
        webhooks::create_webhook,
        webhooks::delete_webhook,
        webhooks::ping_webhook,
        webhooks::rotate_webhook_secret,
        webhooks::list_webhook_deliveries,
        outbox::list_outbox,
        outbox::retry_outbox,
        auth::auth_max,
        auth::refresh,
        auth::logout,
        auth::dev_login,
        auth::login,
        auth::accept_invitation,
        auth::totp_enroll,
        auth::password_reset,
        auth::renew_recovery_codes,
        esia::esia_start,
        esia::esia_callback,
        esia::esia_go,
        esia::esia_done,
        me::get_me,
        me::update_me,
        me::erase_me,
        me::request_verification,
        me::change_password,
        me::link_max,
        me::get_onboarding,
        me::answer_consent,
        me::seen_verification_decision,
        admin::list_users,
        admin::create_user,
        admin::update_user,
        admin::invite_user,
        admin::decide_verification,
        admin::verification_counts,
        admin::list_api_keys,
        admin::create_api_key,
        admin::revoke_api_key,
        admin::list_audit,
        admin::reset_totp,
        kb::search,
        kb::list_articles,
        kb::create_article,
        kb::get_article,
        kb::update_article,
        kb::publish_article,
        kb::archive_article,
        kb::list_versions,
        kb::list_variants,
        kb::confirm_variant,
        kb::reject_variant,
        kb::get_synonyms,
        kb::put_synonyms,
        calendar::get_calendar,
        calendar::put_calendar,
        appeals_staff::board,
        appeals_staff::assign,
        appeals_staff::answer_appeal,
        appeals_staff::add_note,
        appeals_staff::bot_grade,
        appeals_staff::close_appeal,
        appeals_staff::transfer,
        appeals::create_appeal,
        appeals::create_appeal_on_behalf,
        appeals::list_appeals,
        appeals::get_appeal,
        appeals::post_message,
        appeals::escalate,
        appeals::withdraw,
        appeals::rate,
        appeals::accept_suggestion,
        appeals::mark_read,
        appeals::upload_attachment,
        appeals::upload_answer_attachment,
        appeals::download_attachment,
        appeals::control_appeal,
        appeals::release_control,
        appeals::mark_helpful,
        help::get_help,
        campaigns::create_campaign,
        campaigns::list_campaigns,
        campaigns::get_campaign,
        campaigns::update_campaign,
        campaigns::cancel_campaign,
        campaigns::campaign_reach,
        campaigns::campaign_reach_csv,
        campaigns::campaign_reach_xlsx,
        campaigns::create_promo,
        campaigns::list_promos,
        campaigns::promo_qr_svg,
        campaigns::promo_qr_png,
        campaigns::promo_poster,
        teachers::search_teachers,
        templates::list_templates,
        templates::create_template,
        templates::update_template,
        templates::delete_template,
        appeal_screen::appeal_presence,
        appeal_screen::appeal_context,
    ],
}
