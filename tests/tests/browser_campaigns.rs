//! «Рассылки» in a real headless Chromium against the real server and the loopback MAX
//! stand-in: a federal user composes a campaign for one region and one education level on
//! the screen, the sender delivers it through the stand-in to that region's school teachers
//! only, a teacher opens the mini-app through the message's button, and the reach table on
//! the screen counts the sends and the opening. Screenshot: `supervisor-campaign-reach`.

use std::time::Duration;

use actix_web::HttpResponse;
use integration_tests::browser::Browser;
use integration_tests::{spawn_app_with, standins, Overrides, TestApp};
use serde_json::{json, Value};

/// Signs in through MAX with a `start_param` (the harness's [`TestApp::max_launch`]).
async fn launch(app: &TestApp, max_id: i64, start_param: &str) -> String {
    app.max_launch(max_id, "Ольга", start_param).await
}

/// The messages of a campaign (they carry «Отписаться») the stand-in got for one teacher.
fn campaign_messages_to(max: &standins::StandIn, max_id: i64) -> usize {
    max.requests()
        .into_iter()
        .filter(|r| r.uri.starts_with(&format!("/messages?user_id={max_id}")))
        .filter(|r| r.body.contains("unsub:"))
        .count()
}

/// The campaign's reach total as the screen's table shows it: recipients, sent, delivered,
/// failed, skipped, opened.
async fn reach_total_on_screen(browser: &Browser) -> Value {
    browser
        .js("const r = document.querySelector('#campaign-reach tbody tr:last-child'); \
             return r ? Array.from(r.querySelectorAll('td')).slice(0, 6).map(c => c.textContent.trim()) : null;")
        .await
}

#[tokio::test]
async fn a_federal_user_sends_a_campaign_to_one_region_and_level_and_sees_its_reach() {
    let max = standins::start(|_| HttpResponse::Ok().json(json!({ "success": true })));
    let app = spawn_app_with(
        Overrides::default()
            .with("MAX_API_BASE_URL", &max.base)
            .with("WORKER_POLL_MS", "100")
            .with("CAMPAIGN_RATE_PER_SEC", "1000"),
    )
    .await;
    // Two school teachers of region 16 and one college (СПО) teacher of the same region.
    app.verified_max_teacher(830_001, "Ольга", "Сомова").await;
    app.verified_max_teacher(830_002, "Нина", "Ракова").await;
    let college = launch(&app, 830_003, "").await;
    let response = app
        .patch_as(
            "/api/v1/me",
            &college,
            &json!({ "region": "16", "consent_version": shared::users::CONSENT_VERSION,
                     "education_level": "spo" }),
        )
        .await;
    assert_eq!(response.status(), 200, "college teacher's profile");

    let browser = Browser::start().await;
    browser.goto(&app.url("/")).await;
    browser.select("#demo-role", "federal").await;
    browser.fill("#demo-name", "Куратор Рассылок").await;
    browser.click("#demo-login button[type=submit]").await;
    browser.wait_text("#staff-name", "Куратор Рассылок").await;
    browser.goto(&app.url("/#/campaigns")).await;
    browser.find("#campaign-form").await;
    browser.fill("#cmp-title", "Школы Татарстана").await;
    browser
        .fill("#cmp-body", "*Помощник* отвечает на вопросы о документах.")
        .await;
    browser.fill("#cmp-button", "Открыть «Помощник»").await;
    browser.fill("#cmp-regions", "16").await;
    browser.select("#cmp-level", "school").await;
    // A start a minute ago, in the browser's own zone as a `datetime-local` holds it.
    browser
        .js("const d = new Date(Date.now() - 60000); \
             d.setMinutes(d.getMinutes() - d.getTimezoneOffset()); \
             document.getElementById('cmp-start').value = d.toISOString().slice(0, 16); return null;")
        .await;
    browser.click("#campaign-form button[type=submit]").await;
    browser
        .wait_text("#campaign-list", "Школы Татарстана")
        .await;

    // The campaign went out through the stand-in to the two school teachers only.
    let federal = app
        .dev_login("federal", None, "Куратор Рассылок", true)
        .await;
    let list: Value = app
        .get_as("/api/v1/campaigns", &federal.access)
        .await
        .json()
        .await
        .expect("campaigns");
    let campaign = &list["items"][0];
    assert_eq!(campaign["regions"], json!(["16"]), "{campaign}");
    assert_eq!(campaign["levels"], json!(["school"]), "{campaign}");
    let id = campaign["id"].as_str().expect("id").to_owned();
    let mut status = Value::Null;
    for _ in 0..200 {
        let current: Value = app
            .get_as(&format!("/api/v1/campaigns/{id}"), &federal.access)
            .await
            .json()
            .await
            .expect("campaign");
        status = current["status"].clone();
        if status == "done" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, "done");
    assert_eq!(campaign_messages_to(&max, 830_001), 1);
    assert_eq!(campaign_messages_to(&max, 830_002), 1);
    assert_eq!(
        campaign_messages_to(&max, 830_003),
        0,
        "a college teacher is not in a campaign for schools"
    );

    // One teacher opens the mini-app with the message's button.
    launch(&app, 830_001, &format!("campaign-{id}")).await;

    // The reach on the screen: two recipients, two sent, two delivered, one opening.
    browser.goto(&app.url("/#/campaigns")).await;
    browser.click(&format!("[data-reach='{id}']")).await;
    browser.find("#campaign-reach").await;
    let mut total = Value::Null;
    for _ in 0..50 {
        total = reach_total_on_screen(&browser).await;
        if total == json!(["2", "2", "2", "0", "0", "1"]) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(total, json!(["2", "2", "2", "0", "0", "1"]));
    browser.screenshot("supervisor-campaign-reach").await;
    browser.close().await;
}
