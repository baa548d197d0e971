//! Teacher verification through ESIA against a stand-in ESIA and signing service.

use actix_web::HttpResponse;
use base64::Engine;
use integration_tests::{launch_data, problem, spawn_app_with, standins, Overrides, TestApp};
use serde_json::{json, Value};

fn fake_jwt(claims: &Value) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.sig",
        b64.encode(br#"{"alg":"GOST3410_2012_256"}"#),
        b64.encode(claims.to_string())
    )
}

fn esia_standin() -> standins::StandIn {
    standins::start(|req| {
        let path = req.uri.split('?').next().unwrap_or_default();
        match (req.method.as_str(), path) {
            ("POST", "/sign") => {
                let data: Value = serde_json::from_str(&req.body).unwrap_or_default();
                let text = data["data"].as_str().unwrap_or_default();
                HttpResponse::Ok().json(json!({ "signature": format!("sig-{}", text.len()) }))
            }
            ("POST", "/aas/oauth2/v3/te") if req.body.contains("code=good") => {
                let token = fake_jwt(&json!({ "urn:esia:sbj_id": 1_000_123 }));
                HttpResponse::Ok().json(json!({ "access_token": token, "id_token": token, "token_type": "Bearer" }))
            }
            ("POST", "/aas/oauth2/v3/te") => HttpResponse::BadRequest().json(json!({ "error": "invalid_grant" })),
            ("GET", "/rs/prns/1000123") if req.authorization.as_deref().is_some_and(|a| a.starts_with("Bearer ")) => {
                HttpResponse::Ok().json(json!({ "firstName": "Ирина", "lastName": "Соколова", "middleName": "Андреевна", "trusted": true }))
            }
            _ => HttpResponse::NotFound().finish(),
        }
    })
}

/// A browser of the flow: opens the link `esia/start` gave (a fresh client, as the phone's
/// browser has no token) and returns ESIA's address and the cookie it was given.
async fn open_link(app: &TestApp, started: &Value) -> (url::Url, String) {
    let link = url::Url::parse(started["url"].as_str().unwrap()).unwrap();
    assert!(link.path().starts_with("/api/v1/auth/esia/go/"), "{link}");
    let response = app.get(link.path()).await;
    assert_eq!(response.status(), 302);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let esia = url::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
    (esia, cookie)
}

/// ESIA sending the browser (carrying `cookie`) back.
async fn come_back(app: &TestApp, query: &str, cookie: Option<&str>) -> reqwest::Response {
    let mut request = app
        .client
        .get(app.url(&format!("/api/v1/auth/esia/callback?{query}")));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn esia_verifies_the_teacher_and_replaces_the_name() {
    let esia = esia_standin();
    let app = spawn_app_with(
        Overrides::default()
            .with("ESIA_BASE_URL", &esia.base)
            .with("ESIA_SIGNER_URL", &format!("{}/sign", esia.base))
            .with("ESIA_CLIENT_ID", "TESTSYS"),
    )
    .await;
    let pair: Value = app
        .post_json(
            "/api/v1/auth/max",
            &json!({ "init_data": launch_data(5150, "Ира", "Сок") }),
        )
        .await
        .json()
        .await
        .unwrap();
    let token = pair["access_token"].as_str().unwrap();
    let started: Value = app
        .get_as("/api/v1/auth/esia/start", token)
        .await
        .json()
        .await
        .unwrap();
    let (url, cookie) = open_link(&app, &started).await;
    assert!(url
        .as_str()
        .starts_with(&format!("{}/aas/oauth2/v2/ac?", esia.base)));
    let q: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(q["client_id"], "TESTSYS");
    assert_eq!(q["response_type"], "code");
    assert!(
        q["client_secret"].starts_with("sig-"),
        "the secret comes from the signer"
    );
    assert!(!q["timestamp"].is_empty() && !q["scope"].is_empty());
    let signed = &esia.requests()[0];
    assert!(
        signed.body.contains(&q["state"]),
        "the signed string includes the state"
    );

    let callback = format!("code=good&state={}", q["state"]);
    let response = come_back(&app, &callback, Some(&cookie)).await;
    assert_eq!(response.status(), 302);
    assert!(response.headers()["location"]
        .to_str()
        .unwrap()
        .ends_with("esia=ok"));
    let me = app.me(token).await;
    assert_eq!(me["verification"]["status"], "verified");
    assert_eq!(me["verification"]["source"], "esia");
    assert_eq!(me["full_name"], "Соколова Ирина Андреевна");
    let person = esia
        .requests()
        .into_iter()
        .find(|r| r.uri.starts_with("/rs/prns/"))
        .unwrap();
    assert!(person.authorization.unwrap().starts_with("Bearer "));

    // The state is single-use; unknown or missing states are refused.
    problem(come_back(&app, &callback, Some(&cookie)).await, 400).await;
    problem(
        app.get("/api/v1/auth/esia/callback?code=good&state=forged")
            .await,
        400,
    )
    .await;
    problem(app.get("/api/v1/auth/esia/callback?code=good").await, 400).await;
    // The name from ESIA cannot be overwritten by hand.
    let p = problem(
        app.patch_as("/api/v1/me", token, &json!({ "surname": "Другая" }))
            .await,
        422,
    )
    .await;
    assert_eq!(p.errors[0].code, "from_esia");
    let p = problem(app.get_as("/api/v1/auth/esia/start", token).await, 409).await;
    assert_eq!(p.code, "already_verified");
}

#[tokio::test]
async fn a_failed_exchange_leaves_the_teacher_unverified() {
    let esia = esia_standin();
    let app = spawn_app_with(
        Overrides::default()
            .with("ESIA_BASE_URL", &esia.base)
            .with("ESIA_SIGNER_URL", &format!("{}/sign", esia.base)),
    )
    .await;
    let teacher = app
        .dev_login("teacher", Some("77"), "Без Госуслуг", false)
        .await;
    let started: Value = app
        .get_as("/api/v1/auth/esia/start", &teacher.access)
        .await
        .json()
        .await
        .unwrap();
    let (url, cookie) = open_link(&app, &started).await;
    let state = url
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let response = come_back(&app, &format!("code=bad&state={state}"), Some(&cookie)).await;
    assert_eq!(response.status(), 302);
    assert!(response.headers()["location"]
        .to_str()
        .unwrap()
        .ends_with("esia=error"));
    assert_eq!(
        app.me(&teacher.access).await["verification"]["status"],
        "unverified"
    );

    let operator = app
        .dev_login("operator", Some("77"), "Оператор", true)
        .await;
    problem(
        app.get_as("/api/v1/auth/esia/start", &operator.access)
            .await,
        403,
    )
    .await;
}

#[tokio::test]
async fn signer_down_answers_a_clear_problem() {
    let app =
        spawn_app_with(Overrides::default().with("ESIA_SIGNER_URL", "http://127.0.0.1:9/sign"))
            .await;
    let teacher = app.dev_login("teacher", Some("77"), "Учитель", false).await;
    let p = problem(
        app.get_as("/api/v1/auth/esia/start", &teacher.access).await,
        503,
    )
    .await;
    assert_eq!(p.code, "esia_unavailable");
}

#[tokio::test]
async fn the_flow_finishes_only_in_the_browser_that_opened_its_single_use_link() {
    let esia = esia_standin();
    let app = spawn_app_with(
        Overrides::default()
            .with("ESIA_BASE_URL", &esia.base)
            .with("ESIA_SIGNER_URL", &format!("{}/sign", esia.base)),
    )
    .await;
    let victim = app
        .dev_login("teacher", Some("77"), "Жертва Ссылки", false)
        .await;
    let attacker = app
        .dev_login("teacher", Some("77"), "Чужой Учитель", false)
        .await;
    let start = |token: String| {
        let app = &app;
        async move {
            let response = app.get_as("/api/v1/auth/esia/start", &token).await;
            assert_eq!(response.status(), 200);
            response.json::<Value>().await.unwrap()
        }
    };
    let state_of = |url: &url::Url| {
        url.query_pairs()
            .find(|(k, _)| k == "state")
            .unwrap()
            .1
            .into_owned()
    };

    // Started in the mini-app, opened in a second browser context: works once.
    let started = start(victim.access.clone()).await;
    let (esia_url, cookie) = open_link(&app, &started).await;
    let link = url::Url::parse(started["url"].as_str().unwrap()).unwrap();
    let again = problem(app.get(link.path()).await, 410).await;
    assert_eq!(again.code, "esia_link_invalid");

    // The attacker's own flow: their browser's cookie does not finish the victim's state,
    // and the victim's ESIA return without the cookie is refused too.
    let theirs = start(attacker.access.clone()).await;
    let (their_url, their_cookie) = open_link(&app, &theirs).await;
    let victim_state = state_of(&esia_url);
    let query = format!("code=good&state={victim_state}");
    problem(come_back(&app, &query, Some(&their_cookie)).await, 400).await;
    problem(come_back(&app, &query, None).await, 400).await;
    // A link started by someone else and sent to the victim: the victim's browser never
    // opened it, so its return (with the victim's own cookie) cannot verify either account.
    let their_query = format!("code=good&state={}", state_of(&their_url));
    problem(come_back(&app, &their_query, Some(&cookie)).await, 400).await;
    assert_eq!(
        app.me(&attacker.access).await["verification"]["status"],
        "unverified"
    );

    // The right browser still completes its own flow.
    let done = come_back(&app, &query, Some(&cookie)).await;
    assert_eq!(done.status(), 302);
    assert!(done.headers()["location"]
        .to_str()
        .unwrap()
        .ends_with("esia=ok"));
    assert_eq!(
        app.me(&victim.access).await["verification"]["status"],
        "verified"
    );
}

#[tokio::test]
async fn the_return_page_says_the_result_and_the_teacher_is_told_by_the_bot_and_a_banner() {
    use api::db::schema::outbox;
    use diesel::prelude::*;
    let esia = esia_standin();
    let app = spawn_app_with(
        Overrides::default()
            .with("ESIA_BASE_URL", &esia.base)
            .with("ESIA_SIGNER_URL", &format!("{}/sign", esia.base)),
    )
    .await;
    let pair: Value = app
        .post_json(
            "/api/v1/auth/max",
            &json!({ "init_data": launch_data(5151, "Ира", "Сок") }),
        )
        .await
        .json()
        .await
        .unwrap();
    let token = pair["access_token"].as_str().unwrap();
    let started: Value = app
        .get_as("/api/v1/auth/esia/start", token)
        .await
        .json()
        .await
        .unwrap();
    let (url, cookie) = open_link(&app, &started).await;
    let state = url
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let response = come_back(&app, &format!("code=good&state={state}"), Some(&cookie)).await;
    // By default the browser lands on the api's own page, not on a mini-app without a session.
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, "/api/v1/auth/esia/done?esia=ok");
    let page = app.get(&location).await;
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(html.contains("Статус учителя подтверждён"), "{html}");
    assert!(html.contains("Вернитесь в MAX"), "{html}");
    let failed = app
        .get("/api/v1/auth/esia/done?esia=error")
        .await
        .text()
        .await
        .unwrap();
    assert!(failed.contains("Не удалось подтвердить статус") && failed.contains("Вернитесь в MAX"));

    // The decision is told: a banner until seen, and the bot.
    let onboarding: Value = app
        .get_as("/api/v1/me/onboarding", token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(onboarding["decision_unseen"], true);
    let db = api::db::Db::new(
        api::db::connect(&app.database_url, 1).unwrap(),
        api::db::Backend::of(&app.database_url),
    );
    let payloads: Vec<String> = db
        .read(|conn| {
            Ok(outbox::table
                .filter(outbox::kind.eq("max_message"))
                .select(outbox::payload)
                .load(conn)?)
        })
        .await
        .unwrap();
    assert!(
        payloads
            .iter()
            .any(|p| p.contains("5151") && p.contains("Статус учителя подтверждён")),
        "{payloads:?}"
    );
}
