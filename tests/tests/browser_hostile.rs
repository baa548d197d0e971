//! Hostile text in every screen that shows what users typed: a question carrying a
//! `<script>` and an `<img onerror>` is stored as text and drawn as text — in the teacher's
//! history, on the operator's board, and (as an article title) in the federal knowledge-base
//! list, which builds escaped HTML. Nothing of it runs.

use integration_tests::browser::Browser;
use integration_tests::{spawn_app, Session, TestApp};
use serde_json::{json, Value};

const PAYLOAD: &str =
    "<script>window.__xss = 1</script><img src=x onerror=\"window.__xss = 2\"> Как вести журнал?";

/// Opens the app in `browser` signed in with `session` (as a stored session would be).
/// The tokens are stored from a page of the same origin that is not the app (`/healthz`),
/// so the app's first load already finds them: a reload after a same-document hash change
/// raced with the navigation and sometimes booted on the previous hash.
async fn open_as(browser: &Browser, app: &TestApp, session: &Session, hash: &str) {
    browser.goto(&app.url("/healthz")).await;
    browser
        .js(&format!(
            "localStorage.setItem('pomoshnik.access', {}); localStorage.setItem('pomoshnik.refresh', {});",
            Value::String(session.access.clone()),
            Value::String(session.refresh.clone()),
        ))
        .await;
    browser.goto(&app.url(&format!("/{hash}"))).await;
}

async fn nothing_ran(browser: &Browser) {
    let ran = browser
        .js("return [typeof window.__xss, document.querySelectorAll('main script, main img[src=\"x\"]').length];")
        .await;
    assert_eq!(ran, json!(["undefined", 0]), "hostile markup stayed text");
}

#[tokio::test]
async fn script_and_markup_in_user_text_are_shown_literally() {
    let app = spawn_app().await;
    let teacher = app
        .dev_login("teacher", Some("16"), "Исаева Дина", true)
        .await;
    let response = app
        .patch_as(
            "/api/v1/me",
            &teacher.access,
            &json!({ "consent_version": shared::users::CONSENT_VERSION }),
        )
        .await;
    assert_eq!(response.status(), 200, "consent");
    let response = app
        .post_as(
            "/api/v1/appeals",
            &teacher.access,
            &json!({ "text": PAYLOAD }),
        )
        .await;
    assert_eq!(response.status(), 201);
    let appeal: Value = response.json().await.unwrap();
    assert_eq!(appeal["text"], PAYLOAD, "stored as typed");
    let id = appeal["id"].as_str().unwrap().to_owned();

    // The teacher's history.
    let browser = Browser::start().await;
    open_as(&browser, &app, &teacher, "#/appeals").await;
    let shown = browser.wait_text("#appeals", "Как вести журнал").await;
    assert!(
        shown.contains("<script>window.__xss = 1</script>"),
        "{shown}"
    );
    nothing_ran(&browser).await;
    browser.close().await;

    // The operator's board and the appeal screen.
    let operator = app
        .dev_login("operator", Some("16"), "Оператор Смены", true)
        .await;
    let browser = Browser::start().await;
    open_as(&browser, &app, &operator, "#/board").await;
    let card = browser
        .wait_text(&format!("li[data-appeal='{id}']"), "Как вести журнал")
        .await;
    assert!(card.contains("<img src=x"), "{card}");
    nothing_ran(&browser).await;
    browser.goto(&app.url(&format!("/#/appeal/{id}"))).await;
    let text = browser.wait_text("#appeal-text", "Как вести журнал").await;
    assert!(text.contains("onerror="), "{text}");
    nothing_ran(&browser).await;
    browser.close().await;

    // An article title in the federal knowledge-base list (escaped HTML there).
    let federal = app
        .dev_login("federal", None, "Куратор Федеральный", true)
        .await;
    let response = app
        .post_as(
            "/api/v1/kb/articles",
            &federal.access,
            &json!({
                "title": PAYLOAD,
                "question": "Как вести журнал инструктажей?",
                "answer": "Журнал ведёт ответственный, назначенный приказом директора.",
            }),
        )
        .await;
    assert!(
        response.status().is_success(),
        "article created: {}",
        response.status()
    );
    let browser = Browser::start().await;
    open_as(&browser, &app, &federal, "#/kb").await;
    browser.select("#kb-status", "draft").await;
    let list = browser.wait_text("#supervisor", "Как вести журнал").await;
    assert!(list.contains("<script>"), "{list}");
    nothing_ran(&browser).await;
    browser.close().await;
}
