//! Test harness: [`spawn_app`] starts the real server on port 0 with a database of its own
//! (a temporary SQLite file, or a fresh PostgreSQL database when `TEST_BACKEND=postgres`)
//! and returns a [`TestApp`] that talks HTTP to it, as a client would.
//!
//! `TEST_BACKEND` is `sqlite` (default) or `postgres`; with `postgres`,
//! `TEST_POSTGRES_URL` must name a server where databases may be created. A PostgreSQL run
//! that cannot reach its server fails every test: it is never skipped.

#![allow(clippy::missing_panics_doc)]

pub mod browser;
pub mod logs;
pub mod standins;

use std::collections::HashMap;
use std::path::PathBuf;

use api::config::Config;
use api::startup::Application;
use diesel::{Connection, PgConnection, RunQueryDsl};

/// The folder holding the workspace (for the mini-app build and shipped data).
#[must_use]
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Which backend the tests run against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestBackend {
    /// A temporary SQLite file per test.
    Sqlite,
    /// A fresh PostgreSQL database per test.
    Postgres,
}

impl TestBackend {
    /// From `TEST_BACKEND`.
    #[must_use]
    pub fn current() -> Self {
        match std::env::var("TEST_BACKEND").as_deref() {
            Ok("postgres") => Self::Postgres,
            Ok("sqlite") | Err(_) => Self::Sqlite,
            Ok(other) => panic!("TEST_BACKEND={other}: expected sqlite or postgres"),
        }
    }
}

/// A running server and a client for it. Dropping it removes its database.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// HTTP client (no redirects followed, so tests see them).
    pub client: reqwest::Client,
    /// The backend in use.
    pub backend: TestBackend,
    /// The database URL the server uses.
    pub database_url: String,
    _sqlite_dir: Option<tempfile::TempDir>,
    _uploads: tempfile::TempDir,
    pg_cleanup: Option<(String, String)>,
}

/// Settings for a spawned app; tests may override single variables.
#[derive(Debug, Default, Clone)]
pub struct Overrides(pub HashMap<String, String>);

impl Overrides {
    /// One more variable.
    #[must_use]
    pub fn with(mut self, key: &str, value: &str) -> Self {
        self.0.insert(key.to_owned(), value.to_owned());
        self
    }
}

/// Starts the server with default test settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(Overrides::default()).await
}

/// Starts the server with some settings overridden.
pub async fn spawn_app_with(overrides: Overrides) -> TestApp {
    let backend = TestBackend::current();
    let mut sqlite_dir = None;
    let mut pg_cleanup = None;
    let database_url = match backend {
        TestBackend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = dir.path().join("test.db").to_string_lossy().into_owned();
            sqlite_dir = Some(dir);
            url
        }
        TestBackend::Postgres => {
            let admin = std::env::var("TEST_POSTGRES_URL")
                .expect("TEST_BACKEND=postgres needs TEST_POSTGRES_URL (scripts/test sets it)");
            let name = format!("t_{}", uuid::Uuid::new_v4().simple());
            let admin_for_create = admin.clone();
            let create = name.clone();
            tokio::task::spawn_blocking(move || {
                let mut conn = PgConnection::establish(&admin_for_create)
                    .unwrap_or_else(|e| panic!("PostgreSQL for tests is not reachable: {e}"));
                diesel::sql_query(format!("CREATE DATABASE {create}"))
                    .execute(&mut conn)
                    .expect("create test database");
            })
            .await
            .expect("create database task");
            let url = replace_database(&admin, &name);
            pg_cleanup = Some((admin, name));
            url
        }
    };
    let mut vars: HashMap<String, String> = [
        // Explicit: the binary's default is production.
        ("APP_ENV", "dev"),
        // The webhook tests deliver to stand-ins on loopback.
        ("WEBHOOK_ALLOW_PRIVATE", "true"),
        ("HOST", "127.0.0.1"),
        ("PORT", "0"),
        ("DATABASE_POOL_SIZE", "4"),
        ("WORKERS", "1"),
        ("KB_REFRESH_SECS", "1"),
        // Answers carry X-Db-Queries & co. (tests/tests/query_count.rs reads them).
        ("DB_QUERY_COUNT_HEADER", "1"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    vars.insert("DATABASE_URL".to_owned(), database_url.clone());
    let uploads = tempfile::tempdir().expect("uploads dir");
    vars.insert(
        "UPLOAD_DIR".to_owned(),
        uploads.path().to_string_lossy().into_owned(),
    );
    vars.insert(
        "STATIC_DIR".to_owned(),
        workspace_root()
            .join("mini-app/dist")
            .to_string_lossy()
            .into_owned(),
    );
    vars.extend(overrides.0);
    let config = Config::from_lookup(|k| vars.get(k).cloned()).expect("test config");
    let app = Application::build(config).await.expect("server starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    TestApp {
        address,
        client,
        backend,
        database_url,
        _sqlite_dir: sqlite_dir,
        _uploads: uploads,
        pg_cleanup,
    }
}

/// `postgres://u@h:p/db` with another database name.
fn replace_database(url: &str, name: &str) -> String {
    match url.rfind('/') {
        Some(i) if url[..i].contains("://") && i > url.find("://").unwrap_or(0) + 2 => {
            format!("{}/{name}", &url[..i])
        }
        _ => format!("{url}/{name}"),
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg_cleanup.take() {
            // Best effort: the server's pool may still hold connections, hence FORCE.
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

impl TestApp {
    /// Absolute URL of a path.
    #[must_use]
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// GET a path.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    /// POST a JSON body.
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request")
    }
}

/// Reads a problem+json answer and checks its invariants.
pub async fn problem(response: reqwest::Response, status: u16) -> shared::Problem {
    assert_eq!(response.status().as_u16(), status, "unexpected status");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let problem: shared::Problem = response.json().await.expect("problem body");
    assert_eq!(problem.status, status);
    assert!(
        problem
            .detail
            .chars()
            .any(|c| ('а'..='я').contains(&c.to_lowercase().next().unwrap_or(c))),
        "detail should be Russian: {}",
        problem.detail
    );
    problem
}

/// The bot token the test server uses (the documented demo token).
pub const BOT_TOKEN: &str = api::config::DEMO_MAX_BOT_TOKEN;

/// Launch data for MAX user `max_id`, signed now with the test bot token.
#[must_use]
pub fn launch_data(max_id: i64, first_name: &str, last_name: &str) -> String {
    let user = serde_json::json!({
        "id": max_id, "first_name": first_name, "last_name": last_name, "language_code": "ru"
    })
    .to_string();
    let now = chrono_now_secs().to_string();
    api::auth::launch_data::sign(
        &[
            ("auth_date", now.as_str()),
            ("query_id", "q-1"),
            ("user", user.as_str()),
        ],
        BOT_TOKEN,
    )
}

fn chrono_now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A signed-in test user.
#[derive(Debug, Clone)]
pub struct Session {
    /// Access token.
    pub access: String,
    /// Refresh token.
    pub refresh: String,
}

impl TestApp {
    /// Demo sign-in (`APP_ENV=dev`) as `role` in `region` with `name`.
    pub async fn dev_login(
        &self,
        role: &str,
        region: Option<&str>,
        name: &str,
        verified: bool,
    ) -> Session {
        let response = self
            .post_json(
                "/api/v1/auth/dev-login",
                &serde_json::json!({ "role": role, "region": region, "name": name, "verified": verified }),
            )
            .await;
        assert_eq!(response.status(), 200, "dev-login as {role}");
        let pair: serde_json::Value = response.json().await.expect("token pair");
        Session {
            access: pair["access_token"].as_str().expect("access").to_owned(),
            refresh: pair["refresh_token"].as_str().expect("refresh").to_owned(),
        }
    }

    /// A request with a bearer token.
    pub fn with_token(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
    ) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(token)
    }

    /// GET with a token.
    pub async fn get_as(&self, path: &str, token: &str) -> reqwest::Response {
        self.with_token(reqwest::Method::GET, path, token)
            .send()
            .await
            .expect("request")
    }

    /// POST JSON with a token.
    pub async fn post_as(
        &self,
        path: &str,
        token: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.with_token(reqwest::Method::POST, path, token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// PATCH JSON with a token.
    pub async fn patch_as(
        &self,
        path: &str,
        token: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.with_token(reqwest::Method::PATCH, path, token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// DELETE with a token.
    pub async fn delete_as(&self, path: &str, token: &str) -> reqwest::Response {
        self.with_token(reqwest::Method::DELETE, path, token)
            .send()
            .await
            .expect("request")
    }

    /// Signs in with MAX launch data carrying a `start_param` (empty: none), as the mini-app
    /// does when a button or a link opened it; returns the access token.
    pub async fn max_launch(&self, max_id: i64, first_name: &str, start_param: &str) -> String {
        use serde_json::json;
        let user =
            json!({ "id": max_id, "first_name": first_name, "last_name": "Белова" }).to_string();
        let now = chrono_now_secs().to_string();
        let mut fields = vec![("auth_date", now.as_str()), ("user", user.as_str())];
        if !start_param.is_empty() {
            fields.push(("start_param", start_param));
        }
        let init = api::auth::launch_data::sign(&fields, BOT_TOKEN);
        let response = self
            .post_json("/api/v1/auth/max", &json!({ "init_data": init }))
            .await;
        assert_eq!(response.status(), 200, "MAX sign-in");
        let pair: serde_json::Value = response.json().await.expect("token pair");
        pair["access_token"].as_str().expect("access").to_owned()
    }

    /// A teacher of region 16 signed in with MAX launch data for `max_id`, who consented,
    /// filled the profile and was confirmed by an admin — as a real one gets there.
    pub async fn verified_max_teacher(&self, max_id: i64, name: &str, surname: &str) {
        use serde_json::json;
        let response = self
            .post_json(
                "/api/v1/auth/max",
                &json!({ "init_data": launch_data(max_id, name, surname) }),
            )
            .await;
        assert_eq!(response.status(), 200, "MAX sign-in");
        let pair: serde_json::Value = response.json().await.expect("token pair");
        let token = pair["access_token"].as_str().expect("access").to_owned();
        let response = self
            .patch_as(
                "/api/v1/me",
                &token,
                &json!({ "region": "16", "patronymic": "Викторовна", "consent_version": shared::users::CONSENT_VERSION }),
            )
            .await;
        assert_eq!(response.status(), 200, "profile");
        let response = self
            .post_as(
                "/api/v1/me/verification",
                &token,
                &json!({ "school": "Школа № 7", "position": "учитель истории", "region": "16" }),
            )
            .await;
        assert_eq!(response.status(), 200, "verification request");
        let id = self.me(&token).await["id"].as_str().expect("id").to_owned();
        let admin = self.dev_login("admin", None, "Админ", true).await;
        let response = self
            .post_as(
                &format!("/api/v1/admin/users/{id}/verification"),
                &admin.access,
                &json!({ "decision": "confirm" }),
            )
            .await;
        assert!(response.status().is_success(), "confirmed");
        assert_eq!(self.me(&token).await["verification"]["status"], "verified");
    }

    /// `GET /api/v1/me` as JSON.
    pub async fn me(&self, token: &str) -> serde_json::Value {
        let response = self.get_as("/api/v1/me", token).await;
        assert_eq!(response.status(), 200, "GET /me");
        response.json().await.expect("me")
    }

    /// A teacher (Нина Ковалёва) signed in through MAX as `max_id`, with region 16 and the
    /// consent of `version`: the access token and the user's id.
    pub async fn max_teacher_with_consent(&self, max_id: i64, version: &str) -> (String, String) {
        let pair = ok_json(
            self.post_json(
                "/api/v1/auth/max",
                &serde_json::json!({ "init_data": launch_data(max_id, "Нина", "Ковалёва") }),
            )
            .await,
        )
        .await;
        let token = pair["access_token"].as_str().expect("access").to_owned();
        let me = ok_json(
            self.patch_as(
                "/api/v1/me",
                &token,
                &serde_json::json!({ "region": "16", "consent_version": version }),
            )
            .await,
        )
        .await;
        (token, me["id"].as_str().expect("id").to_owned())
    }
}

/// The body of a successful answer as JSON (`Null` when it has none); any other status fails
/// the test with the status and the body.
pub async fn ok_json(response: reqwest::Response) -> serde_json::Value {
    let status = response.status();
    let text = response.text().await.expect("body");
    assert!(status.is_success(), "{status} {text}");
    serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
}

impl TestApp {
    /// Imports the shipped demo knowledge base (the CLI's code path) and waits until the
    /// running server's engine has picked it up.
    pub async fn import_demo_kb(&self) {
        let text =
            std::fs::read_to_string(workspace_root().join("data/kb_demo.jsonl")).expect("kb file");
        let records = api::matching::parse_kb_jsonl(&text).expect("kb parses");
        let url = self.database_url.clone();
        tokio::task::spawn_blocking(move || {
            let pool = api::db::connect(&url, 1).expect("pool");
            let db = api::db::Db::new(pool, api::db::Backend::of(&url));
            // This pool is a second writer beside the running server's: on SQLite a
            // transaction that began as a reader is refused at once ("database is locked",
            // busy timeout or not) when the server committed in between. The import is one
            // transaction, rolled back on error, so trying again is safe.
            let mut attempt = 0;
            loop {
                match db.write_blocking(|conn| {
                    Ok(api::domain::kb::store::import(conn, &records, |_| {})?)
                }) {
                    Ok(_) => break,
                    Err(e) if attempt < 50 => {
                        attempt += 1;
                        eprintln!("kb import attempt {attempt} refused: {e:?}");
                        std::thread::sleep(std::time::Duration::from_millis(100));
                    }
                    Err(e) => panic!("import: {e:?}"),
                }
            }
        })
        .await
        .expect("import task");
        let probe = self
            .dev_login("teacher", Some("77"), "Проверка базы", false)
            .await;
        for _ in 0..60 {
            let found: serde_json::Value = self
                .get_as("/api/v1/kb/search?q=ктп", &probe.access)
                .await
                .json()
                .await
                .expect("search");
            if found["items"].as_array().is_some_and(|i| !i.is_empty()) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        panic!("the server did not pick up the imported knowledge base");
    }
}
