//! What the mini-app tells a teacher (issues #18, #19), in a real headless Chromium inside a
//! stand-in MAX: a teacher who agreed to an earlier privacy notice declines the updated one
//! («Не согласен») and goes on using the service; the refused verification shows as one line
//! on the first screen and, once, as the decision with its reason and what to do next on the
//! verification screen; after that the line and the banner are gone.

use std::time::Duration;

use integration_tests::browser::{max_bridge_stub, Browser};
use integration_tests::{launch_data, TestApp};
use serde_json::{json, Value};

async fn json_of(response: reqwest::Response) -> Value {
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(status.is_success(), "{status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// A teacher of region 16 who agreed to the notice before it named every reader, asked to be
/// verified and was refused with `reason`. Returns the access token.
async fn refused_teacher(app: &TestApp, max_id: i64, reason: &str) -> String {
    let pair = json_of(
        app.post_json(
            "/api/v1/auth/max",
            &json!({ "init_data": launch_data(max_id, "Нина", "Ковалёва") }),
        )
        .await,
    )
    .await;
    let token = pair["access_token"].as_str().unwrap().to_owned();
    let me = json_of(
        app.patch_as(
            "/api/v1/me",
            &token,
            &json!({ "surname": "Ковалёва", "name": "Нина", "region": "16", "consent_version": "2026-11" }),
        )
        .await,
    )
    .await;
    let id = me["id"].as_str().unwrap().to_owned();
    let request = json!({ "school": "МБОУ СОШ № 7", "position": "учитель", "region": "16" });
    json_of(
        app.post_as("/api/v1/me/verification", &token, &request)
            .await,
    )
    .await;
    let operator = app
        .dev_login("operator", Some("16"), "Оператор Казани", true)
        .await;
    json_of(
        app.post_as(
            &format!("/api/v1/admin/users/{id}/verification"),
            &operator.access,
            &json!({ "decision": "reject", "reason": reason }),
        )
        .await,
    )
    .await;
    token
}

#[tokio::test]
async fn a_teacher_declines_the_new_notice_and_sees_the_refusal_once() {
    let app = integration_tests::spawn_app().await;
    let reason = "Школа не найдена в реестре региона";
    let token = refused_teacher(&app, 7_401, reason).await;
    let browser = Browser::start().await;
    let data = launch_data(7_401, "Нина", "Ковалёва");
    browser.add_init_script(&max_bridge_stub(&data, None)).await;
    browser.goto(&app.url("/")).await;

    // The updated notice is asked again, with «Не согласен» beside the consent.
    browser
        .wait_text("#more", "Мы обновили уведомление о данных")
        .await;
    browser.find("#consent-decline").await;
    browser.screenshot("notices-reconsent").await;
    browser.click("#consent-decline").await;

    // Declined: the service goes on, the first screen says a decision is there.
    browser.wait_text("#greeting", "Нина").await;
    browser
        .wait_text("#decision-notice", "Есть решение по вашему статусу")
        .await;
    let me = app.me(&token).await;
    assert_eq!(
        me["consent_declined"],
        shared::users::CONSENT_VERSION,
        "{me}"
    );
    assert_eq!(me["consent_version"], "2026-11", "{me}");

    // The decision with its reason and what to do next, on the verification screen.
    browser.click("#decision-notice a").await;
    let banner = browser
        .wait_text("#decision-banner", &format!("Не подтверждено: {reason}"))
        .await;
    assert!(banner.contains("Госуслуги"), "{banner}");
    browser.find("#esia-start").await;
    browser.screenshot("notices-decision").await;
    let mut seen = false;
    for _ in 0..50 {
        if app.me(&token).await["verification_unseen"] == false {
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(seen, "the banner marks the decision seen");

    // Told once: neither the line nor the banner comes back, and nothing is asked again
    // (a fresh start of the mini-app, not a change of the route).
    browser.goto("about:blank").await;
    browser.goto(&app.url("/#/")).await;
    browser.wait_text("#greeting", "Нина").await;
    browser
        .wait_js("document.getElementById('decision-notice') === null")
        .await;
    browser.goto(&app.url("/#/verification")).await;
    browser
        .wait_text("#verification-status", "заявка отклонена")
        .await;
    let banner = browser
        .js("return document.getElementById('decision-banner') === null;")
        .await;
    assert_eq!(banner, true, "the banner is shown once");
    let asked = browser
        .js("return document.body.textContent.indexOf('Мы обновили уведомление') >= 0;")
        .await;
    assert_eq!(asked, false, "a declined notice is not asked again");
    browser.close().await;
}
