//! Sign-in, tokens, staff TOTP, API keys, erasure, verification and scope.

use integration_tests::{launch_data, problem, spawn_app, spawn_app_with, Overrides, BOT_TOKEN};
use reqwest::Method;
use serde_json::{json, Value};

async fn sign_in_max(app: &integration_tests::TestApp, init_data: &str) -> reqwest::Response {
    app.post_json("/api/v1/auth/max", &json!({ "init_data": init_data }))
        .await
}

#[tokio::test]
async fn max_sign_in_creates_an_unverified_teacher_once() {
    let app = spawn_app().await;
    let response = sign_in_max(&app, &launch_data(400, "Вася", "Пупкин")).await;
    assert_eq!(response.status(), 200);
    let pair: Value = response.json().await.unwrap();
    assert_eq!(pair["token_type"], "Bearer");
    assert_eq!(pair["expires_in"], 900);
    let me = app.me(pair["access_token"].as_str().unwrap()).await;
    assert_eq!(me["role"], "teacher");
    assert_eq!(me["verification"]["status"], "unverified");
    assert_eq!(me["name"], "Вася");
    assert_eq!(me["surname"], "Пупкин");

    let again: Value = sign_in_max(&app, &launch_data(400, "Вася", "Пупкин"))
        .await
        .json()
        .await
        .unwrap();
    let me_again = app.me(again["access_token"].as_str().unwrap()).await;
    assert_eq!(
        me_again["id"], me["id"],
        "the same MAX user is the same teacher"
    );
    let other: Value = sign_in_max(&app, &launch_data(401, "Оля", ""))
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(
        app.me(other["access_token"].as_str().unwrap()).await["id"],
        me["id"]
    );
}

#[tokio::test]
async fn bad_launch_data_is_refused_with_one_code() {
    let app = spawn_app().await;
    let good = launch_data(400, "Вася", "");
    let stale = api::auth::launch_data::sign(
        &[("auth_date", "1733485316394"), ("user", r#"{"id":400}"#)],
        BOT_TOKEN,
    );
    let future_secs = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600)
        .to_string();
    let future = api::auth::launch_data::sign(
        &[("auth_date", &future_secs), ("user", r#"{"id":400}"#)],
        BOT_TOKEN,
    );
    let cases = [
        good.replacen("q-1", "q-2", 1),
        format!("{good}&query_id=again"),
        good.split("&hash=").next().unwrap().to_owned(),
        stale,
        future,
        String::new(),
        "a".repeat(100 * 1024),
        "%%%".to_owned(),
        api::auth::launch_data::sign(
            &[("auth_date", "1"), ("user", r#"{"id":400}"#)],
            "another-bot",
        ),
    ];
    for case in cases {
        let p = problem(sign_in_max(&app, &case).await, 401).await;
        assert_eq!(
            p.code,
            "invalid_init_data",
            "{}",
            &case[..case.len().min(60)]
        );
    }
}

#[tokio::test]
async fn forged_and_expired_tokens_are_refused() {
    let app = spawn_app().await;
    let session = app
        .dev_login("teacher", Some("77"), "Иванова Анна", true)
        .await;
    assert_eq!(
        app.get_as("/api/v1/me", &session.access).await.status(),
        200
    );

    let now = chrono::Utc::now().timestamp();
    let me = app.me(&session.access).await;
    let claims = json!({ "sub": me["id"], "role": "admin", "regions": [], "iat": now, "exp": now + 600, "amr": "dev" });
    let other_key = api::auth::jwt::JwtKeys::new("some-other-secret-some-other-secret");
    let wrong_secret = other_key
        .sign(&serde_json::from_value(claims.clone()).unwrap())
        .unwrap();
    let real = api::auth::jwt::JwtKeys::new(api::config::DEMO_JWT_SECRET);
    let expired = real
        .sign(&serde_json::from_value(json!({ "sub": me["id"], "role": "teacher", "iat": now - 2000, "exp": now - 1000, "amr": "dev" })).unwrap())
        .unwrap();
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let none_alg = format!(
        "{}.{}.",
        b64.encode(br#"{"alg":"none","typ":"JWT"}"#),
        b64.encode(claims.to_string())
    );
    let tampered = {
        let parts: Vec<&str> = session.access.split('.').collect();
        format!(
            "{}.{}.{}",
            parts[0],
            b64.encode(claims.to_string()),
            parts[2]
        )
    };
    for token in [
        wrong_secret,
        expired,
        none_alg,
        tampered,
        "garbage".to_owned(),
    ] {
        let p = problem(app.get_as("/api/v1/me", &token).await, 401).await;
        assert_eq!(p.code, "unauthorized");
    }
    let p = problem(app.get("/api/v1/me").await, 401).await;
    assert_eq!(p.code, "unauthorized");
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let app = spawn_app().await;
    let session = app
        .dev_login("teacher", Some("77"), "Смирнова Ольга", true)
        .await;
    let refreshed = app
        .post_json(
            "/api/v1/auth/refresh",
            &json!({ "refresh_token": session.refresh }),
        )
        .await;
    assert_eq!(refreshed.status(), 200);
    let pair: Value = refreshed.json().await.unwrap();
    let second = pair["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second, session.refresh);
    assert_eq!(
        app.get_as("/api/v1/me", pair["access_token"].as_str().unwrap())
            .await
            .status(),
        200
    );

    // The first token again: a thief or a replay; the whole family dies.
    problem(
        app.post_json(
            "/api/v1/auth/refresh",
            &json!({ "refresh_token": session.refresh }),
        )
        .await,
        401,
    )
    .await;
    problem(
        app.post_json("/api/v1/auth/refresh", &json!({ "refresh_token": second }))
            .await,
        401,
    )
    .await;

    // Logout ends a fresh sign-in.
    let other = app
        .dev_login("teacher", Some("77"), "Смирнова Ольга", true)
        .await;
    let out = app
        .post_json(
            "/api/v1/auth/logout",
            &json!({ "refresh_token": other.refresh }),
        )
        .await;
    assert_eq!(out.status(), 204);
    problem(
        app.post_json(
            "/api/v1/auth/refresh",
            &json!({ "refresh_token": other.refresh }),
        )
        .await,
        401,
    )
    .await;
}

#[tokio::test]
async fn dev_login_keys_users_by_name_and_is_absent_in_production() {
    let app = spawn_app().await;
    let a = app
        .dev_login("operator", Some("50"), "Оператор Первый", true)
        .await;
    let a2 = app
        .dev_login("operator", Some("50"), "Оператор Первый", true)
        .await;
    let b = app
        .dev_login("operator", Some("50"), "Оператор Второй", true)
        .await;
    let (ma, ma2, mb) = (
        app.me(&a.access).await,
        app.me(&a2.access).await,
        app.me(&b.access).await,
    );
    assert_eq!(ma["id"], ma2["id"]);
    assert_ne!(ma["id"], mb["id"]);
    assert_eq!(ma["regions"], json!(["50"]));

    let prod = spawn_app_with(
        Overrides::default()
            .with("APP_ENV", "prod")
            .with("JWT_SECRET", "a-production-secret-of-enough-length-000")
            .with("MAX_BOT_TOKEN", "production-bot-token")
            .with("MAX_WEBHOOK_SECRET", "production-webhook-secret"),
    )
    .await;
    let response = prod
        .post_json(
            "/api/v1/auth/dev-login",
            &json!({ "role": "admin", "name": "x" }),
        )
        .await;
    let p = problem(response, 404).await;
    assert_eq!(p.code, "route_not_found");
}

fn secret_of(uri: &str) -> String {
    let query = uri.split_once('?').unwrap().1;
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("secret="))
        .unwrap()
        .to_owned()
}

fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test]
async fn staff_sign_in_needs_totp_after_enrolment_and_locks_out() {
    let app = spawn_app().await;
    let admin = app.dev_login("admin", None, "Админ Главный", true).await;
    let created = app
        .post_as(
            "/api/v1/admin/users",
            &admin.access,
            &json!({ "email": "Operator@Example.org", "role": "operator", "regions": ["16"], "surname": "Галиева", "name": "Дина" }),
        )
        .await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    let password = created["one_time_password"].as_str().unwrap().to_owned();
    assert_eq!(created["user"]["regions"], json!(["16"]));

    let login = |code: Option<String>, pw: &str| {
        let body = json!({ "email": "operator@example.org", "password": pw, "totp_code": code });
        let app = &app;
        async move { app.post_json("/api/v1/auth/login", &body).await }
    };
    // Password alone before enrolment: a token that may only finish enrolment.
    let first: Value = login(None, &password).await.json().await.unwrap();
    let limited = first["access_token"].as_str().unwrap().to_owned();
    assert_eq!(app.me(&limited).await["totp_enabled"], false);
    let p = problem(app.get_as("/api/v1/admin/users", &limited).await, 403).await;
    assert_eq!(p.code, "totp_required");

    // The one-time password must be replaced first: enrolment waits for it.
    assert_eq!(app.me(&limited).await["must_change_password"], true);
    let p = problem(
        app.post_as("/api/v1/auth/totp/enroll", &limited, &json!({}))
            .await,
        403,
    )
    .await;
    assert_eq!(p.code, "password_change_required");
    let change = |current: &str, new: &str| {
        let body = json!({ "current_password": current, "new_password": new });
        let (app, limited) = (&app, limited.clone());
        async move { app.post_as("/api/v1/me/password", &limited, &body).await }
    };
    let p = problem(change("не тот", "Новый-пароль-2026").await, 422).await;
    assert_eq!(p.errors[0].code, "wrong_password");
    let p = problem(change(&password, "короткий").await, 422).await;
    assert_eq!(p.errors[0].field, "new_password");
    let p = problem(change(&password, &password).await, 422).await;
    assert_eq!(p.errors[0].code, "same_password");
    let changed = change(&password, "Новый-пароль-2026").await;
    assert_eq!(changed.status(), 200);
    let changed: Value = changed.json().await.unwrap();
    assert_eq!(changed["must_change_password"], false);
    // The one-time password no longer signs in; the new one does.
    problem(login(None, &password).await, 401).await;
    let password = "Новый-пароль-2026".to_owned();
    let again: Value = login(None, &password).await.json().await.unwrap();
    let limited = again["access_token"].as_str().unwrap().to_owned();

    let enrol: Value = app
        .post_as("/api/v1/auth/totp/enroll", &limited, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let uri = enrol["otpauth_uri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/"));
    let secret = secret_of(uri);
    let p = problem(
        app.post_as(
            "/api/v1/auth/totp/enroll",
            &limited,
            &json!({ "code": "000000" }),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p.errors[0].field, "code");
    let code = api::auth::secrets::totp_code(&secret, now_unix()).unwrap();
    let done: Value = app
        .post_as(
            "/api/v1/auth/totp/enroll",
            &limited,
            &json!({ "code": code }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(done["enabled"], true);

    // Now the code is required; every failure has the same text.
    let no_code = problem(login(None, &password).await, 401).await;
    let wrong_pw = problem(login(Some(code.clone()), "wrong").await, 401).await;
    assert_eq!(no_code.detail, wrong_pw.detail);
    assert_eq!(no_code.code, "invalid_credentials");
    let code = api::auth::secrets::totp_code(&secret, now_unix()).unwrap();
    let full: Value = login(Some(code), &password).await.json().await.unwrap();
    let token = full["access_token"].as_str().unwrap();
    assert_eq!(
        app.get_as("/api/v1/admin/users?verification=pending", token)
            .await
            .status(),
        200
    );

    // Lock-out after repeated failures, even with the right password afterwards.
    for _ in 0..5 {
        problem(login(None, "wrong").await, 401).await;
    }
    let code = api::auth::secrets::totp_code(&secret, now_unix()).unwrap();
    let locked = login(Some(code), &password).await;
    assert_eq!(locked.status(), 429);
    assert!(locked.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn api_keys_are_shown_once_work_and_can_be_revoked() {
    let app = spawn_app().await;
    let admin = app.dev_login("admin", None, "Админ", true).await;
    let created = app
        .post_as(
            "/api/v1/admin/api-keys",
            &admin.access,
            &json!({ "name": "Региональная система", "regions": ["77", "50"] }),
        )
        .await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    let key = created["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("pk_"));
    let list = app
        .get_as("/api/v1/admin/api-keys", &admin.access)
        .await
        .text()
        .await
        .unwrap();
    assert!(!list.contains(&key), "the key itself is never listed");
    assert!(list.contains("Региональная система"));

    let me = app.me(&key).await;
    assert_eq!(me["role"], "integrator");
    assert_eq!(me["regions"], json!(["50", "77"]));
    let listed: Value = app
        .get_as("/api/v1/admin/api-keys", &admin.access)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        listed["items"][0]["last_used_at"].is_string(),
        "last use recorded"
    );

    let id = created["info"]["id"].as_str().unwrap();
    assert_eq!(
        app.delete_as(&format!("/api/v1/admin/api-keys/{id}"), &admin.access)
            .await
            .status(),
        204
    );
    problem(app.get_as("/api/v1/me", &key).await, 401).await;
    problem(
        app.delete_as("/api/v1/admin/api-keys/nope", &admin.access)
            .await,
        404,
    )
    .await;
}

#[tokio::test]
async fn erasure_removes_personal_data_and_sign_in_starts_afresh() {
    let app = spawn_app().await;
    let pair: Value = sign_in_max(&app, &launch_data(777, "Мария", "Кузнецова"))
        .await
        .json()
        .await
        .unwrap();
    let token = pair["access_token"].as_str().unwrap().to_owned();
    let updated = app
        .patch_as("/api/v1/me", &token, &json!({ "patronymic": "Петровна", "school": "Школа № 5", "region": "66", "email": "m@school.ru", "consent_version": "2026-11" }))
        .await;
    assert_eq!(updated.status(), 200);
    let me: Value = updated.json().await.unwrap();
    assert_eq!(me["full_name"], "Кузнецова Мария Петровна");
    assert_eq!(me["consent_version"], "2026-11");

    assert_eq!(app.delete_as("/api/v1/me", &token).await.status(), 204);
    problem(app.get_as("/api/v1/me", &token).await, 401).await;
    problem(
        app.post_json(
            "/api/v1/auth/refresh",
            &json!({ "refresh_token": pair["refresh_token"] }),
        )
        .await,
        401,
    )
    .await;

    let again: Value = sign_in_max(&app, &launch_data(777, "Мария", "Кузнецова"))
        .await
        .json()
        .await
        .unwrap();
    let fresh = app.me(again["access_token"].as_str().unwrap()).await;
    assert_ne!(fresh["id"], me["id"]);
    assert_eq!(fresh["school"], Value::Null);
    assert_eq!(fresh["consent_version"], Value::Null);

    let admin = app.dev_login("admin", None, "Админ", true).await;
    let audit: Value = app
        .get_as(
            &format!(
                "/api/v1/admin/audit?action=user.erase&object_id={}",
                me["id"].as_str().unwrap()
            ),
            &admin.access,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(audit["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn profile_validation_answers_field_errors() {
    let app = spawn_app().await;
    let teacher = app.dev_login("teacher", Some("77"), "Учитель", false).await;
    for (body, field) in [
        (json!({ "surname": "" }), "surname"),
        (json!({ "surname": "<script>" }), "surname"),
        (json!({ "region": "999" }), "region"),
        (json!({ "region": "98" }), "region"),
        (json!({ "email": "not-an-email" }), "email"),
        (json!({ "school": "ш".repeat(301) }), "school"),
    ] {
        let p = problem(
            app.patch_as("/api/v1/me", &teacher.access, &body).await,
            422,
        )
        .await;
        assert_eq!(p.errors[0].field, field, "{body}");
    }
    let p = problem(
        app.patch_as("/api/v1/me", &teacher.access, &json!({ "unknown": 1 }))
            .await,
        400,
    )
    .await;
    assert_eq!(p.code, "malformed_body");
}

#[tokio::test]
async fn teacher_verification_by_an_operator_of_the_region() {
    let app = spawn_app().await;
    let teacher = app
        .dev_login("teacher", Some("16"), "Хасанова Лейсан", false)
        .await;
    let tid = app.me(&teacher.access).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let requested = app
        .post_as(
            "/api/v1/me/verification",
            &teacher.access,
            &json!({ "school": "Лицей № 2", "position": "учитель химии" }),
        )
        .await;
    assert_eq!(requested.status(), 200);
    let me: Value = requested.json().await.unwrap();
    assert_eq!(me["verification"]["status"], "pending");
    let p = problem(
        app.post_as(
            "/api/v1/me/verification",
            &teacher.access,
            &json!({ "school": "x", "position": "y" }),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(p.code, "verification_pending");

    let outsider = app
        .dev_login("operator", Some("02"), "Оператор Башкирии", true)
        .await;
    let path = format!("/api/v1/admin/users/{tid}/verification");
    problem(
        app.post_as(&path, &outsider.access, &json!({ "decision": "confirm" }))
            .await,
        404,
    )
    .await;
    let p = problem(
        app.get_as("/api/v1/admin/users?region=16", &outsider.access)
            .await,
        403,
    )
    .await;
    assert_eq!(p.code, "region_out_of_scope");

    let operator = app
        .dev_login("operator", Some("16"), "Оператор Татарстана", true)
        .await;
    let queue: Value = app
        .get_as("/api/v1/admin/users?verification=pending", &operator.access)
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![tid.as_str()]);
    assert_eq!(queue["items"][0]["school"], "Лицей № 2");

    let p = problem(
        app.post_as(&path, &operator.access, &json!({ "decision": "reject" }))
            .await,
        422,
    )
    .await;
    assert_eq!(p.errors[0].field, "reason");
    let confirmed: Value = app
        .post_as(&path, &operator.access, &json!({ "decision": "confirm" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(confirmed["verification"]["status"], "verified");
    assert_eq!(confirmed["verification"]["source"], "organisation");
    assert_eq!(
        app.me(&teacher.access).await["verification"]["status"],
        "verified"
    );

    // Asked for operators, an operator sees the colleagues of own regions (to hand an
    // appeal over) — not region 02's, and never other roles.
    let colleague = app
        .dev_login("operator", Some("16"), "Оператор Второй", true)
        .await;
    let colleague_id = app.me(&colleague.access).await["id"].clone();
    let operator_id = app.me(&operator.access).await["id"].clone();
    let outsider_id = app.me(&outsider.access).await["id"].clone();
    let colleagues: Value = app
        .get_as(
            "/api/v1/admin/users?role=operator&region=16",
            &operator.access,
        )
        .await
        .json()
        .await
        .unwrap();
    let mut ids: Vec<Value> = colleagues["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].clone())
        .collect();
    ids.sort_by_key(ToString::to_string);
    let mut expected = vec![operator_id, colleague_id];
    expected.sort_by_key(ToString::to_string);
    assert_eq!(ids, expected, "own region's operators only");
    assert!(!ids.contains(&outsider_id));
    assert!(colleagues["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["role"] == "operator"));
    for role in ["admin", "federal", "regional_head"] {
        problem(
            app.get_as(
                &format!("/api/v1/admin/users?role={role}"),
                &operator.access,
            )
            .await,
            403,
        )
        .await;
    }
}

#[tokio::test]
async fn regional_head_manages_only_own_operators() {
    let app = spawn_app().await;
    let head = app
        .dev_login("regional_head", Some("54"), "Руководитель НСО", true)
        .await;
    let own = app
        .dev_login("operator", Some("54"), "Свой Оператор", true)
        .await;
    let foreign = app
        .dev_login("operator", Some("55"), "Чужой Оператор", true)
        .await;
    let own_id = app.me(&own.access).await["id"].as_str().unwrap().to_owned();
    let foreign_id = app.me(&foreign.access).await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let listed: Value = app
        .get_as("/api/v1/admin/users", &head.access)
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![own_id.as_str()]);

    problem(
        app.patch_as(
            &format!("/api/v1/admin/users/{foreign_id}"),
            &head.access,
            &json!({ "is_blocked": true }),
        )
        .await,
        404,
    )
    .await;
    let blocked = app
        .patch_as(
            &format!("/api/v1/admin/users/{own_id}"),
            &head.access,
            &json!({ "is_blocked": true }),
        )
        .await;
    assert_eq!(blocked.status(), 200);
    problem(app.get_as("/api/v1/me", &own.access).await, 401).await;
    problem(
        app.post_as(
            "/api/v1/admin/users",
            &head.access,
            &json!({ "email": "f@x.ru", "role": "federal" }),
        )
        .await,
        403,
    )
    .await;
    let p = problem(
        app.post_as(
            "/api/v1/admin/users",
            &head.access,
            &json!({ "email": "o@x.ru", "role": "operator", "regions": ["55"] }),
        )
        .await,
        403,
    )
    .await;
    assert_eq!(p.code, "region_out_of_scope");
}

#[tokio::test]
async fn creates_are_idempotent_per_key() {
    let app = spawn_app().await;
    let admin = app.dev_login("admin", None, "Админ", true).await;
    let send = |body: Value| {
        let app = &app;
        let token = admin.access.clone();
        async move {
            app.with_token(Method::POST, "/api/v1/admin/users", &token)
                .header("Idempotency-Key", "create-op-1")
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let body = json!({ "email": "twice@example.org", "role": "operator", "regions": ["77"] });
    let first = send(body.clone()).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let second = send(body).await;
    assert_eq!(second.status(), 201);
    let second: Value = second.json().await.unwrap();
    assert_eq!(
        first, second,
        "the same key and body replay the first answer"
    );
    let p = problem(
        send(json!({ "email": "other@example.org", "role": "operator", "regions": ["77"] })).await,
        422,
    )
    .await;
    assert_eq!(p.errors[0].code, "idempotency_key_reused");
    let users: Value = app
        .get_as("/api/v1/admin/users?q=twice", &admin.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(users["items"].as_array().unwrap().len(), 1, "created once");
}
