//! Teacher verification through ESIA against a stand-in ESIA and signing service.

use actix_web::HttpResponse;
use base64::Engine;
use integration_tests::{launch_data, problem, spawn_app_with, standins, Overrides};
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
    let url = url::Url::parse(started["url"].as_str().unwrap()).unwrap();
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

    let callback = format!("/api/v1/auth/esia/callback?code=good&state={}", q["state"]);
    let response = app.get(&callback).await;
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
    problem(app.get(&callback).await, 400).await;
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
    let url = url::Url::parse(started["url"].as_str().unwrap()).unwrap();
    let state = url
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let response = app
        .get(&format!(
            "/api/v1/auth/esia/callback?code=bad&state={state}"
        ))
        .await;
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
