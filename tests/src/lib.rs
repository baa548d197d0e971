//! Test harness: [`spawn_app`] starts the real server on port 0 with a database of its own
//! (a temporary SQLite file, or a fresh PostgreSQL database when `TEST_BACKEND=postgres`)
//! and returns a [`TestApp`] that talks HTTP to it, as a client would.
//!
//! `TEST_BACKEND` is `sqlite` (default) or `postgres`; with `postgres`,
//! `TEST_POSTGRES_URL` must name a server where databases may be created. A PostgreSQL run
//! that cannot reach its server fails every test: it is never skipped.

#![allow(clippy::missing_panics_doc)]

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
        ("APP_ENV", "dev"),
        ("HOST", "127.0.0.1"),
        ("PORT", "0"),
        ("DATABASE_POOL_SIZE", "4"),
        ("WORKERS", "1"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    vars.insert("DATABASE_URL".to_owned(), database_url.clone());
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
