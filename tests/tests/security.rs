//! Issue #17, first part: production is the default and only `serve` needs its secrets;
//! the first administrator comes from the command line; webhook targets inside the
//! service's network are refused; the MAX webhook checks its secret before reading a body
//! and takes at most 64 KB; a backup taken under writes restores with nothing missing.
//! Each runs on the backend of `TEST_BACKEND` (the backup's source is always SQLite: it
//! restores into the backend under test).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use api::config::Config;
use api::db::{self, Backend, Db};
use api::tools::{admin, backup, dbcopy};
use diesel::prelude::*;
use diesel::PgConnection;
use integration_tests::{problem, spawn_app, spawn_app_with, Overrides, TestApp, TestBackend};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn prod_config(database_url: &str, extra: &[(&str, &str)]) -> Config {
    let mut vars: std::collections::HashMap<String, String> = [
        ("DATABASE_URL", database_url),
        ("HOST", "127.0.0.1"),
        ("PORT", "0"),
        ("DATABASE_POOL_SIZE", "2"),
        ("WORKER_ENABLED", "false"),
    ]
    .into_iter()
    .chain(extra.iter().copied())
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    // APP_ENV is deliberately absent: unset means production.
    vars.remove("APP_ENV");
    Config::from_lookup(|k| vars.get(k).cloned()).unwrap()
}

#[tokio::test]
async fn production_is_the_default_and_only_serving_demands_secrets() {
    let app = spawn_app().await;
    let config = prod_config(&app.database_url, &[]);
    assert!(!config.is_dev(), "APP_ENV unset must mean prod");
    // migrate (and the tools, which start the same way) work without any secret…
    api::startup::prepare_state(config.clone())
        .await
        .expect("migrate runs in production without secrets");
    // … serving refuses, naming the variable, one after another.
    let refused = |config: Config| async move {
        match api::startup::Application::build(config).await {
            Ok(_) => panic!("serve accepted production without its secrets"),
            Err(e) => e.to_string(),
        }
    };
    let jwt = "0123456789abcdef0123456789abcdef-real";
    let err = refused(config).await;
    assert!(err.contains("JWT_SECRET"), "{err}");
    let err = refused(prod_config(&app.database_url, &[("JWT_SECRET", jwt)])).await;
    assert!(err.contains("MAX_BOT_TOKEN"), "{err}");
    let err = refused(prod_config(
        &app.database_url,
        &[("JWT_SECRET", jwt), ("MAX_BOT_TOKEN", "real-bot-token")],
    ))
    .await;
    assert!(err.contains("MAX_WEBHOOK_SECRET"), "{err}");
    let ok = prod_config(
        &app.database_url,
        &[
            ("JWT_SECRET", jwt),
            ("MAX_BOT_TOKEN", "real-bot-token"),
            ("MAX_WEBHOOK_SECRET", "real-hook-secret"),
        ],
    );
    let server = api::startup::Application::build(ok)
        .await
        .expect("production with real secrets serves");
    // And the demo sign-in is off there.
    let address = format!("http://127.0.0.1:{}", server.port());
    tokio::spawn(server.run_until_stopped());
    let response = reqwest::Client::new()
        .post(format!("{address}/api/v1/auth/dev-login"))
        .json(&json!({ "role": "admin", "region": null, "name": "Демо", "verified": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}

fn database(app: &TestApp) -> Db {
    Db::new(
        db::connect(&app.database_url, 2).unwrap(),
        Backend::of(&app.database_url),
    )
}

fn create_admin(db: &Db, email: &str, force: bool) -> Result<admin::CreatedAdmin, String> {
    let db = db.clone();
    let args = admin::CreateAdminArgs {
        email: email.to_owned(),
        name: Some("Первый".to_owned()),
        force,
    };
    admin::create(&db, &args).map_err(|e| e.to_string())
}

#[tokio::test]
async fn the_first_administrator_is_created_once_with_a_one_time_password() {
    let app = spawn_app().await;
    let db = database(&app);
    let (first, second, forced) = tokio::task::spawn_blocking(move || {
        let first = create_admin(&db, "root@example.org", false).unwrap();
        let second = create_admin(&db, "second@example.org", false);
        let forced = create_admin(&db, "rescue@example.org", true).unwrap();
        (first, second, forced)
    })
    .await
    .unwrap();
    let err = second.unwrap_err().to_string();
    assert!(err.contains("администратор"), "{err}");
    assert_ne!(first.one_time_password, forced.one_time_password);

    // The one-time password signs in, and must be replaced first.
    let login = app
        .post_json(
            "/api/v1/auth/login",
            &json!({ "email": "root@example.org", "password": first.one_time_password }),
        )
        .await;
    assert_eq!(login.status(), 200);
    let pair: Value = login.json().await.unwrap();
    let token = pair["access_token"].as_str().unwrap();
    let me = app.me(token).await;
    assert_eq!(me["role"], "admin");
    assert_eq!(me["must_change_password"], true);

    // Both creations are in the audit log; the refused one is not.
    let db = database(&app);
    let ids = vec![first.user_id.clone(), forced.user_id.clone()];
    let audited = db
        .read(move |conn| {
            use api::db::schema::audit_log;
            Ok(audit_log::table
                .filter(audit_log::action.eq("user.create"))
                .filter(audit_log::object_id.eq_any(ids))
                .count()
                .get_result::<i64>(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(audited, 2);
}

async fn create_webhook(app: &TestApp, admin: &str, url: &str) -> reqwest::Response {
    app.post_as(
        "/api/v1/webhooks",
        admin,
        &json!({ "url": url, "events": ["appeal.created"], "regions": ["77"] }),
    )
    .await
}

#[tokio::test]
async fn webhook_targets_inside_are_refused_unless_allowed() {
    let closed = spawn_app_with(Overrides::default().with("WEBHOOK_ALLOW_PRIVATE", "false")).await;
    let admin = closed.dev_login("admin", None, "Админ", true).await.access;
    for url in [
        "http://localhost:9/hook",
        "http://127.0.0.1:9/hook",
        "http://[::1]:9/hook",
        "http://[::ffff:127.0.0.1]:9/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.5/hook",
    ] {
        let p = problem(create_webhook(&closed, &admin, url).await, 422).await;
        assert_eq!(p.errors[0].code, "internal_address", "{url}");
    }
    // WEBHOOK_ALLOW_PRIVATE=true (tests, closed networks) accepts them.
    let open = spawn_app().await;
    let admin = open.dev_login("admin", None, "Админ", true).await.access;
    let response = create_webhook(&open, &admin, "http://127.0.0.1:9/hook").await;
    assert_eq!(response.status(), 201);
}

const MAX_SECRET: &str = "max-webhook-secret";

#[tokio::test]
async fn the_max_webhook_checks_its_secret_first_and_takes_64_kb() {
    let app = spawn_app_with(Overrides::default().with("MAX_WEBHOOK_SECRET", MAX_SECRET)).await;
    // A stranger announces a 10 MB body and sends one byte: the answer is 401 at once,
    // without waiting for (or refusing the size of) a body it never reads.
    let port = app.address.rsplit(':').next().unwrap().to_owned();
    let mut stream = tokio::net::TcpStream::connect(format!("127.0.0.1:{port}"))
        .await
        .unwrap();
    stream
        .write_all(
            b"POST /api/v1/max/webhook HTTP/1.1\r\nHost: 127.0.0.1\r\n\
              Content-Type: application/json\r\nContent-Length: 10000000\r\n\
              X-Max-Bot-Api-Secret: wrong\r\n\r\n{",
        )
        .await
        .unwrap();
    let mut head = vec![0u8; 64];
    let read = tokio::time::timeout(std::time::Duration::from_secs(5), stream.read(&mut head))
        .await
        .expect("answered without the body")
        .unwrap();
    let head = String::from_utf8_lossy(&head[..read]).into_owned();
    assert!(head.starts_with("HTTP/1.1 401"), "{head}");

    // With the secret, a body over 64 KB is refused (the upload limit is not the bot's).
    let big = format!(
        r#"{{"update_type":"message_created","pad":"{}"}}"#,
        "x".repeat(70 * 1024)
    );
    let response = app
        .client
        .post(app.url("/api/v1/max/webhook"))
        .header("X-Max-Bot-Api-Secret", MAX_SECRET)
        .header("Content-Type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    let p = problem(response, 413).await;
    assert_eq!(p.code, "payload_too_large");
    // A normal update still goes through.
    let response = app
        .client
        .post(app.url("/api/v1/max/webhook"))
        .header("X-Max-Bot-Api-Secret", MAX_SECRET)
        .json(&json!({ "update_type": "bot_started", "timestamp": 1, "user": { "user_id": 5 } }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

/// A SQLite server of its own, whatever `TEST_BACKEND` says: `api db backup` is SQLite's.
async fn sqlite_server(dir: &std::path::Path) -> (String, String) {
    let url = dir.join("live.db").to_string_lossy().into_owned();
    let uploads = dir.join("uploads").to_string_lossy().into_owned();
    let vars: std::collections::HashMap<&str, String> = [
        ("APP_ENV", "dev".to_owned()),
        ("HOST", "127.0.0.1".to_owned()),
        ("PORT", "0".to_owned()),
        ("WORKERS", "1".to_owned()),
        ("WORKER_ENABLED", "false".to_owned()),
        ("DATABASE_URL", url.clone()),
        ("UPLOAD_DIR", uploads),
    ]
    .into_iter()
    .collect();
    let config = Config::from_lookup(|k| vars.get(k).cloned()).unwrap();
    let server = api::startup::Application::build(config).await.unwrap();
    let address = format!("http://127.0.0.1:{}", server.port());
    tokio::spawn(server.run_until_stopped());
    (address, url)
}

/// An empty database of the test's backend to restore into; the PostgreSQL one is dropped
/// by the returned guard.
struct Target {
    url: String,
    pg: Option<(String, String)>,
}

impl Target {
    async fn new(dir: &std::path::Path) -> Self {
        if TestBackend::current() == TestBackend::Sqlite {
            let url = dir.join("restored.db").to_string_lossy().into_owned();
            return Self { url, pg: None };
        }
        let admin = std::env::var("TEST_POSTGRES_URL").expect("TEST_POSTGRES_URL");
        let name = format!("r_{}", uuid::Uuid::new_v4().simple());
        let (a, n) = (admin.clone(), name.clone());
        tokio::task::spawn_blocking(move || {
            let mut conn = PgConnection::establish(&a).expect("PostgreSQL reachable");
            diesel::sql_query(format!("CREATE DATABASE {n}"))
                .execute(&mut conn)
                .unwrap();
        })
        .await
        .unwrap();
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
        Self {
            url: format!("{base}/{name}"),
            pg: Some((admin.clone(), name)),
        }
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg.take() {
            std::thread::spawn(move || {
                if let Ok(mut conn) = PgConnection::establish(&admin) {
                    let _ =
                        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                            .execute(&mut conn);
                }
            })
            .join()
            .ok();
        }
    }
}

#[tokio::test]
async fn a_backup_taken_under_writes_restores_with_nothing_missing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("backup.db").to_string_lossy().into_owned();
    // PostgreSQL deployments are told to use pg_dump.
    let err = backup::backup("postgres://u@127.0.0.1:1/none", &file)
        .unwrap_err()
        .to_string();
    assert!(err.contains("pg_dump"), "{err}");

    let (address, live) = sqlite_server(dir.path()).await;
    // The write load: teachers signing in (a user and a session row each), without pause.
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicUsize::new(0));
    let load = {
        let (stop, done) = (Arc::clone(&stop), Arc::clone(&done));
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                n += 1;
                let response = client
                    .post(format!("{address}/api/v1/auth/dev-login"))
                    .json(&json!({
                        "role": "teacher", "region": "16", "name": format!("Нагрузка {n}"),
                        "verified": true
                    }))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200);
                done.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    while done.load(Ordering::SeqCst) < 20 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let before = done.load(Ordering::SeqCst);
    let (url, target) = (live.clone(), file.clone());
    let sums = tokio::task::spawn_blocking(move || backup::backup(&url, &target))
        .await
        .unwrap()
        .expect("backup under writes");
    let during = done.load(Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
    load.await.unwrap();
    let rows = |sums: &[(String, dbcopy::TableSum)], table: &str| {
        sums.iter()
            .find(|(t, _)| t == table)
            .map(|(_, s)| s.rows)
            .unwrap()
    };
    // Every sign-in finished before the backup began is in it.
    assert!(rows(&sums, "users") >= before as u64, "{sums:?}");
    assert!(rows(&sums, "refresh_tokens") >= before as u64, "{sums:?}");
    eprintln!("sign-ins before the backup: {before}, by its end: {during}");
    // A second backup never overwrites the first.
    let (url, target) = (live.clone(), file.clone());
    assert!(backup::backup(&url, &target).is_err());

    // Restored into an empty database of the test's backend, every table matches.
    let restored = Target::new(dir.path()).await;
    let (source, into) = (file.clone(), restored.url.clone());
    let report = tokio::task::spawn_blocking(move || backup::restore(&source, &into))
        .await
        .unwrap()
        .expect("restore");
    assert!(report.tables.iter().all(dbcopy::TableReport::matches));
    let (source, into) = (file.clone(), restored.url.clone());
    let (a, b) = tokio::task::spawn_blocking(move || {
        (
            dbcopy::checksums(&source).unwrap(),
            dbcopy::checksums(&into).unwrap(),
        )
    })
    .await
    .unwrap();
    assert_eq!(a, b);
    assert_eq!(rows(&b, "users"), rows(&sums, "users"));
    // Restoring into a database that is not empty is refused.
    let (source, into) = (file.clone(), restored.url.clone());
    let err = tokio::task::spawn_blocking(move || backup::restore(&source, &into))
        .await
        .unwrap()
        .unwrap_err()
        .to_string();
    assert!(err.contains("не пуста"), "{err}");
}
