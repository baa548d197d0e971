//! Issue #19 in a real headless Chromium: the operator's verification screen
//! («Подтверждение учителей») says how many requests wait, in all and per education level
//! (Школа / СПО / ДОО), and the level filter narrows the list. At 360×640, with the
//! accessibility check of `screenshot()`.

use integration_tests::browser::Browser;
use integration_tests::{spawn_app, TestApp};
use serde_json::{json, Value};

/// A teacher of region 16 who asks to be verified at `level`: the user's id.
async fn asks(app: &TestApp, name: &str, level: &str) -> String {
    let teacher = app.dev_login("teacher", Some("16"), name, false).await;
    let response = app
        .post_as(
            "/api/v1/me/verification",
            &teacher.access,
            &json!({ "school": "Колледж связи", "position": "преподаватель", "education_level": level }),
        )
        .await;
    assert_eq!(response.status(), 200, "{name} asks");
    let me: Value = response.json().await.expect("me");
    me["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn the_verification_screen_counts_requests_by_level_and_filters_the_list() {
    let app = spawn_app().await;
    let college = asks(&app, "Хасанова Лилия", "spo").await;
    let kindergarten = asks(&app, "Гарипова Алсу", "doo").await;

    let browser = Browser::start().await;
    browser.goto(&app.url("/")).await;
    browser.select("#demo-role", "operator").await;
    browser.select("#demo-region", "16").await;
    browser.fill("#demo-name", "Оператор Казанский").await;
    browser.click("#demo-login button[type=submit]").await;
    browser.wait_text("#staff-name", "Оператор Казанский").await;
    // The tab counts every waiting request.
    browser.wait_text("a[href='#/verification']", "(2)").await;
    browser.click("a[href='#/verification']").await;

    // «Ждут решения: 2»: none of a school, one of СПО, one of ДОО.
    browser.wait_text("#level-counts strong", "2").await;
    for (level, n) in [("school", "0"), ("spo", "1"), ("doo", "1")] {
        browser
            .wait_text(&format!("#level-counts [data-level={level}]"), n)
            .await;
    }
    let (one, other) = (
        format!("li[data-user='{college}']"),
        format!("li[data-user='{kindergarten}']"),
    );
    browser.wait_text(&one, "Хасанова Лилия").await;
    browser.wait_text(&other, "Гарипова Алсу").await;
    browser.screenshot("staff-verification-levels").await;

    // The filter narrows the list to one level, and back.
    browser.select("#f-level", "spo").await;
    browser
        .wait_js(&format!(
            "document.querySelector(\"{other}\") === null && \
             document.querySelector(\"{one}\") !== null"
        ))
        .await;
    browser.select("#f-level", "school").await;
    browser.wait_text("#staff", "Заявок этого уровня нет").await;
    browser.screenshot("staff-verification-level-empty").await;
    browser.select("#f-level", "").await;
    browser.wait_text(&other, "Гарипова Алсу").await;

    // A decision takes the request out of the counts.
    browser.click(&format!("{one} button.confirm")).await;
    browser.wait_text("#staff", "Статус подтверждён").await;
    browser
        .wait_text("#level-counts [data-level=spo]", "0")
        .await;
    browser.wait_text("#level-counts strong", "1").await;
    browser.close().await;
}
