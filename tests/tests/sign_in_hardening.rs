//! Issue #17, second part: sessions and sign-in that cannot be abused. Demo sessions die in
//! production, sign-ins have an absolute lifetime, a new password or second factor ends the
//! other sessions, a TOTP code works once, lock-outs decay and look the same for unknown
//! e-mails, a burst of bad sign-ins does not stall the service, refused steps are limited
//! per client, and the scope holes (a verified teacher moving region, a head changing an
//! operator of other regions) are closed. Each runs on the backend of `TEST_BACKEND`.

use std::time::{Duration, Instant};

use api::config::Config;
use api::db::{self, schema::refresh_tokens as rt, Backend, Db};
use diesel::prelude::*;
use integration_tests::{launch_data, problem, spawn_app, spawn_app_with, Overrides, TestApp};
use serde_json::{json, Value};

const JWT: &str = "0123456789abcdef0123456789abcdef-real";

fn database(app: &TestApp) -> Db {
    Db::new(
        db::connect(&app.database_url, 2).unwrap(),
        Backend::of(&app.database_url),
    )
}

async fn refresh(app: &TestApp, token: &str) -> reqwest::Response {
    app.post_json("/api/v1/auth/refresh", &json!({ "refresh_token": token }))
        .await
}

async fn login(
    app: &TestApp,
    email: &str,
    password: &str,
    code: Option<&str>,
) -> reqwest::Response {
    app.post_json(
        "/api/v1/auth/login",
        &json!({ "email": email, "password": password, "totp_code": code }),
    )
    .await
}

/// (access, refresh) of a successful sign-in.
async fn pair(response: reqwest::Response) -> (String, String) {
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    (
        body["access_token"].as_str().unwrap().to_owned(),
        body["refresh_token"].as_str().unwrap().to_owned(),
    )
}

/// An operator created by a demo administrator; its one-time password.
async fn operator(app: &TestApp, email: &str, regions: &[&str]) -> String {
    let admin = app.dev_login("admin", None, "Админ", true).await;
    let created = app
        .post_as(
            "/api/v1/admin/users",
            &admin.access,
            &json!({ "email": email, "role": "operator", "regions": regions, "surname": "Галиева", "name": "Дина" }),
        )
        .await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    created["one_time_password"].as_str().unwrap().to_owned()
}

fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test]
async fn demo_sessions_do_not_survive_into_production() {
    let dev = spawn_app_with(Overrides::default().with("JWT_SECRET", JWT)).await;
    let admin = dev.dev_login("admin", None, "Демо Админ", true).await;
    assert_eq!(dev.get_as("/api/v1/me", &admin.access).await.status(), 200);

    // The same database and secret, served in production (a copied dev database).
    let vars: std::collections::HashMap<&str, &str> = [
        ("DATABASE_URL", dev.database_url.as_str()),
        ("HOST", "127.0.0.1"),
        ("PORT", "0"),
        ("DATABASE_POOL_SIZE", "2"),
        ("WORKER_ENABLED", "false"),
        ("JWT_SECRET", JWT),
        ("MAX_BOT_TOKEN", "real-bot-token"),
        ("MAX_WEBHOOK_SECRET", "real-hook-secret"),
    ]
    .into_iter()
    .collect();
    let config = Config::from_lookup(|k| vars.get(k).map(|v| (*v).to_owned())).unwrap();
    assert!(!config.is_dev());
    let server = api::startup::Application::build(config).await.unwrap();
    let address = format!("http://127.0.0.1:{}", server.port());
    tokio::spawn(server.run_until_stopped());
    let client = reqwest::Client::new();
    let me = client
        .get(format!("{address}/api/v1/me"))
        .bearer_auth(&admin.access)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 401, "a demo access token in production");
    let refreshed = client
        .post(format!("{address}/api/v1/auth/refresh"))
        .json(&json!({ "refresh_token": admin.refresh }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        refreshed.status(),
        401,
        "a demo refresh token in production"
    );
}

#[tokio::test]
async fn a_sign_in_ends_after_its_absolute_lifetime_however_often_refreshed() {
    let app = spawn_app().await;
    let init = launch_data(5_550_001, "Ольга", "Смирнова");
    let (_, first) = pair(
        app.post_json("/api/v1/auth/max", &json!({ "init_data": init }))
            .await,
    )
    .await;
    // Refreshed within the sliding lifetime: works.
    let (_, second) = pair(refresh(&app, &first).await).await;
    // The sign-in began 31 days ago (REFRESH_ABSOLUTE_DAYS defaults to 30), though its
    // newest token is fresh.
    let db = database(&app);
    tokio::task::spawn_blocking(move || {
        db.write_blocking(|conn| {
            let long_ago = db::now() - chrono::Duration::days(31);
            diesel::update(rt::table.filter(rt::used_at.is_not_null()))
                .set(rt::created_at.eq(long_ago))
                .execute(conn)?;
            Ok(())
        })
        .unwrap();
    })
    .await
    .unwrap();
    problem(refresh(&app, &second).await, 401).await;
}

#[tokio::test]
async fn a_new_password_or_second_factor_ends_other_sessions_and_codes_work_once() {
    let app = spawn_app().await;
    let email = "op.sessions@example.org";
    let once = operator(&app, email, &["16"]).await;
    let (a_access, _) = pair(login(&app, email, &once, None).await).await;
    let (b_access, b_refresh) = pair(login(&app, email, &once, None).await).await;
    assert_eq!(app.get_as("/api/v1/me", &b_access).await.status(), 200);
    let changed = app
        .post_as(
            "/api/v1/me/password",
            &a_access,
            &json!({ "current_password": once, "new_password": "Новый-пароль-2026" }),
        )
        .await;
    assert_eq!(changed.status(), 200);
    problem(refresh(&app, &b_refresh).await, 401).await;
    // The other session's access token is refused at once, not when it expires; the
    // session that changed the password goes on.
    problem(app.get_as("/api/v1/me", &b_access).await, 401).await;
    assert_eq!(app.get_as("/api/v1/me", &a_access).await.status(), 200);

    let password = "Новый-пароль-2026";
    let (c_access, c_refresh) = pair(login(&app, email, password, None).await).await;
    let (d_access, d_refresh) = pair(login(&app, email, password, None).await).await;
    let enrol: Value = app
        .post_as("/api/v1/auth/totp/enroll", &c_access, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let uri = enrol["otpauth_uri"].as_str().unwrap();
    let secret = uri
        .split_once("secret=")
        .unwrap()
        .1
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    let code = api::auth::secrets::totp_code(&secret, now_unix()).unwrap();
    let done = app
        .post_as(
            "/api/v1/auth/totp/enroll",
            &c_access,
            &json!({ "code": code }),
        )
        .await;
    assert_eq!(done.status(), 200);
    // The enrolling session goes on; the other one ended, its access token with it.
    problem(refresh(&app, &d_refresh).await, 401).await;
    problem(app.get_as("/api/v1/me", &d_access).await, 401).await;
    assert_eq!(app.get_as("/api/v1/me", &c_access).await.status(), 200);
    pair(refresh(&app, &c_refresh).await).await;

    // A code signs in once; the same code again is refused like any wrong code.
    let code = api::auth::secrets::totp_code(&secret, now_unix()).unwrap();
    pair(login(&app, email, password, Some(&code)).await).await;
    let replay = problem(login(&app, email, password, Some(&code)).await, 401).await;
    assert_eq!(replay.code, "invalid_credentials");
}

#[tokio::test]
async fn failed_sign_ins_decay_and_unknown_emails_lock_out_alike() {
    let app = spawn_app_with(
        Overrides::default()
            .with("LOGIN_MAX_FAILURES", "3")
            .with("LOGIN_FAILURE_WINDOW_SECS", "4"),
    )
    .await;
    let email = "op.decay@example.org";
    let once = operator(&app, email, &["16"]).await;

    // An unknown e-mail costs a password check too (a dummy hash).
    let started = Instant::now();
    problem(login(&app, email, "неверный пароль", None).await, 401).await;
    let known = started.elapsed();
    let started = Instant::now();
    problem(
        login(&app, "nobody@example.org", "неверный пароль", None).await,
        401,
    )
    .await;
    let unknown = started.elapsed();
    assert!(
        unknown * 4 >= known,
        "unknown e-mail answered in {unknown:?}, a wrong password in {known:?}"
    );

    // Two failures (with the one above), a pause longer than the window, two more: the
    // count started again, so the right password still signs in.
    problem(login(&app, email, "неверный пароль", None).await, 401).await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    for _ in 0..2 {
        problem(login(&app, email, "неверный пароль", None).await, 401).await;
    }
    pair(login(&app, email, &once, None).await).await;

    // Three failures in a row lock an e-mail — known or not, with the same answer.
    for address in [email, "nobody@example.org"] {
        for _ in 0..3 {
            problem(login(&app, address, "неверный пароль", None).await, 401).await;
        }
    }
    let known = login(&app, email, &once, None).await;
    assert!(known.headers().contains_key("retry-after"));
    let known = problem(known, 429).await;
    let unknown = login(&app, "nobody@example.org", &once, None).await;
    assert!(unknown.headers().contains_key("retry-after"));
    let unknown = problem(unknown, 429).await;
    assert_eq!(known.code, "rate_limited");
    assert_eq!((known.code, known.title), (unknown.code, unknown.title));
}

// Several client threads, so the probes are not queued behind the burst's own client work.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_bad_sign_ins_does_not_stall_the_service() {
    let app = spawn_app_with(
        Overrides::default()
            .with("DATABASE_POOL_SIZE", "2")
            .with("AUTH_CLIENT_MAX_FAILURES", "0")
            .with("LOGIN_HASH_QUEUE", "8"),
    )
    .await;
    let teacher = app
        .dev_login("teacher", Some("77"), "Смирнова Ольга", true)
        .await;
    let burst: Vec<_> = (0..300)
        .map(|i| {
            let (client, url) = (app.client.clone(), app.url("/api/v1/auth/login"));
            tokio::spawn(async move {
                let body = json!({ "email": format!("nobody{i}@example.org"), "password": "неверный пароль" });
                let response = client.post(url).json(&body).send().await.unwrap();
                let status = response.status().as_u16();
                if status == 429 {
                    assert!(response.headers().contains_key("retry-after"));
                    let problem: Value = response.json().await.unwrap();
                    assert_eq!(problem["code"], "rate_limited");
                }
                status
            })
        })
        .collect();
    // Meanwhile the service answers: readiness and a teacher's list, each within 5 s.
    tokio::time::sleep(Duration::from_millis(200)).await;
    for _ in 0..5 {
        for (path, token) in [
            ("/readyz", None),
            ("/api/v1/appeals", Some(&teacher.access)),
        ] {
            let started = Instant::now();
            let mut request = app.client.get(app.url(path));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = tokio::time::timeout(Duration::from_secs(5), request.send())
                .await
                .unwrap_or_else(|_| panic!("{path} took over 5 s during the burst"))
                .unwrap();
            assert_eq!(response.status(), 200, "{path} during the burst");
            println!("{path}: {:?} during the burst", started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut counts = std::collections::BTreeMap::new();
    for task in burst {
        let status = task.await.unwrap();
        assert!(
            status == 401 || status == 429,
            "a bad sign-in answered {status}"
        );
        *counts.entry(status).or_insert(0) += 1;
    }
    println!("answers to 300 bad sign-ins: {counts:?}");
    assert!(
        counts.get(&429).copied().unwrap_or(0) > 0,
        "the queue bound never applied"
    );
}

#[tokio::test]
async fn refused_sign_in_steps_are_limited_per_client() {
    let app = spawn_app_with(Overrides::default().with("AUTH_CLIENT_MAX_FAILURES", "3")).await;
    // Successful sign-ins never count.
    for i in 0..5 {
        let init = launch_data(5_560_000 + i, "Ольга", "Смирнова");
        pair(
            app.post_json("/api/v1/auth/max", &json!({ "init_data": init }))
                .await,
        )
        .await;
    }
    for _ in 0..3 {
        problem(refresh(&app, "rt_unknown").await, 401).await;
    }
    let limited = refresh(&app, "rt_unknown").await;
    assert!(limited.headers().contains_key("retry-after"));
    assert_eq!(problem(limited, 429).await.code, "rate_limited");
    // Each step counts on its own: bad launch data has its own budget.
    for _ in 0..3 {
        problem(
            app.post_json(
                "/api/v1/auth/max",
                &json!({ "init_data": "user=forged&hash=00" }),
            )
            .await,
            401,
        )
        .await;
    }
    problem(
        app.post_json(
            "/api/v1/auth/max",
            &json!({ "init_data": "user=forged&hash=00" }),
        )
        .await,
        429,
    )
    .await;
}

#[tokio::test]
async fn a_verified_teacher_who_moves_region_must_be_verified_again() {
    let app = spawn_app().await;
    let teacher = app
        .dev_login("teacher", Some("77"), "Смирнова Ольга", true)
        .await;
    assert_eq!(
        app.me(&teacher.access).await["verification"]["status"],
        "verified"
    );
    // The same region changes nothing.
    let same = app
        .patch_as("/api/v1/me", &teacher.access, &json!({ "region": "77" }))
        .await;
    assert_eq!(same.status(), 200);
    assert_eq!(
        app.me(&teacher.access).await["verification"]["status"],
        "verified"
    );
    let moved = app
        .patch_as("/api/v1/me", &teacher.access, &json!({ "region": "50" }))
        .await;
    assert_eq!(moved.status(), 200);
    let me = app.me(&teacher.access).await;
    assert_eq!(me["region"], "50");
    assert_eq!(me["verification"]["status"], "unverified");
}

#[tokio::test]
async fn a_head_changes_only_operators_wholly_within_own_regions() {
    let app = spawn_app().await;
    let head = app
        .dev_login("regional_head", Some("54"), "Руководитель НСО", true)
        .await;
    operator(&app, "op.two@example.org", &["54", "55"]).await;
    let listed: Value = app
        .get_as("/api/v1/admin/users", &head.access)
        .await
        .json()
        .await
        .unwrap();
    let shared_id = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["regions"] == json!(["54", "55"]))
        .expect("the head sees an operator sharing a region")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let p = problem(
        app.patch_as(
            &format!("/api/v1/admin/users/{shared_id}"),
            &head.access,
            &json!({ "is_blocked": true }),
        )
        .await,
        403,
    )
    .await;
    assert_eq!(p.code, "region_out_of_scope");
}
