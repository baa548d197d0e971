//! Group commit: on SQLite one writer thread commits the pending requests' transactions
//! together, each in its own savepoint. Concurrent creates are all stored exactly once; a job
//! that fails rolls back alone while the rest of its batch commits; no answer arrives before
//! its data is committed; `write_blocking` still works beside the writer.
//!
//! The create test runs on the backend under test; the writer tests use a SQLite file of
//! their own (the writer exists only for SQLite).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Waker};
use std::time::Duration;

use api::db::schema::appeals;
use api::db::{self, AnyConnection, Backend, Db};
use api::error::ApiError;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use integration_tests::{spawn_app_with, Overrides};
use serde_json::json;
use tokio::task::JoinSet;

diesel::table! {
    items (k) {
        k -> Text,
    }
}

/// A fresh SQLite database with one table `items (k TEXT PRIMARY KEY)`.
fn sqlite_db() -> (tempfile::TempDir, String, Db) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = dir.path().join("group.db").to_string_lossy().into_owned();
    let db = Db::new(db::connect(&url, 2).expect("pool"), Backend::Sqlite);
    db.write_blocking(|conn| {
        conn.batch_execute("CREATE TABLE items (k TEXT PRIMARY KEY NOT NULL)")?;
        Ok(())
    })
    .expect("table");
    (dir, url, db)
}

fn insert(conn: &mut AnyConnection, key: &str) -> Result<(), ApiError> {
    diesel::insert_into(items::table)
        .values(items::k.eq(key))
        .execute(conn)?;
    Ok(())
}

/// The keys stored, read on a connection of their own (not the writer's).
fn stored_keys(url: &str) -> Vec<String> {
    let mut conn = SqliteConnection::establish(url).expect("reader");
    // A reader may briefly meet a checkpoint: wait, as the api's connections do.
    conn.batch_execute("PRAGMA busy_timeout = 10000")
        .expect("busy timeout");
    items::table
        .select(items::k)
        .order(items::k.asc())
        .load(&mut conn)
        .expect("keys")
}

#[tokio::test]
async fn two_hundred_concurrent_creates_are_each_stored_once() {
    let app = spawn_app_with(Overrides::default().with("APPEALS_PER_HOUR", "0")).await;
    let mut tokens = Vec::new();
    for n in 0..4 {
        let session = app
            .dev_login("teacher", Some("77"), &format!("Учитель {n}"), true)
            .await;
        tokens.push(session.access);
    }
    let app = std::sync::Arc::new(app);
    let mut creates = JoinSet::new();
    for i in 0..200 {
        let app = std::sync::Arc::clone(&app);
        let token = tokens[i % tokens.len()].clone();
        creates.spawn(async move {
            let text = format!("Групповая запись, вопрос {i}: как оформить отчёт о работе кружка?");
            let response = app
                .with_token(reqwest::Method::POST, "/api/v1/appeals", &token)
                .header("Idempotency-Key", format!("group-{i}"))
                .json(&json!({ "text": text }))
                .send()
                .await
                .expect("request");
            assert_eq!(response.status(), 201, "create {i}");
            let body: serde_json::Value = response.json().await.expect("appeal");
            (i, token, body["id"].as_str().expect("id").to_owned())
        });
    }
    let mut ids = Vec::new();
    while let Some(done) = creates.join_next().await {
        ids.push(done.expect("create task"));
    }
    // A replay of some of them (same key, same body) answers the same appeal, stores nothing.
    for (i, token, id) in ids.iter().take(20) {
        let text = format!("Групповая запись, вопрос {i}: как оформить отчёт о работе кружка?");
        let response = app
            .with_token(reqwest::Method::POST, "/api/v1/appeals", token)
            .header("Idempotency-Key", format!("group-{i}"))
            .json(&json!({ "text": text }))
            .send()
            .await
            .expect("replay");
        assert_eq!(response.status(), 201, "replay {i}");
        let body: serde_json::Value = response.json().await.expect("appeal");
        assert_eq!(body["id"].as_str(), Some(id.as_str()), "replay {i}");
    }
    let url = app.database_url.clone();
    let db = Db::new(db::connect(&url, 1).expect("pool"), Backend::of(&url));
    let mut texts: Vec<String> = db
        .read(|conn| {
            Ok(appeals::table
                .filter(appeals::text.like("Групповая запись%"))
                .select(appeals::text)
                .load(conn)?)
        })
        .await
        .expect("texts");
    assert_eq!(texts.len(), 200, "every create stored");
    texts.sort();
    texts.dedup();
    assert_eq!(texts.len(), 200, "none stored twice");
    let mut distinct: Vec<&String> = ids.iter().map(|(_, _, id)| id).collect();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 200, "200 distinct appeals answered");
}

#[tokio::test]
async fn a_failing_job_rolls_back_alone_and_the_rest_of_its_batch_commits() {
    let (_dir, url, db) = sqlite_db();
    db.write(|conn| insert(conn, "taken")).await.expect("first");

    // A slow job holds the writer, so that the next ones queue and run as one batch.
    let slow = {
        let db = db.clone();
        tokio::spawn(async move {
            db.write(|conn| {
                std::thread::sleep(Duration::from_millis(400));
                insert(conn, "slow")
            })
            .await
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut jobs = JoinSet::new();
    for n in 0..20 {
        let db = db.clone();
        jobs.spawn(async move {
            (
                n,
                db.write(move |conn| insert(conn, &format!("ok-{n:02}")))
                    .await,
            )
        });
    }
    let duplicate = {
        let db = db.clone();
        tokio::spawn(async move { db.write(|conn| insert(conn, "taken")).await })
    };
    let refused = {
        let db = db.clone();
        tokio::spawn(async move {
            db.write(|conn| {
                insert(conn, "refused")?;
                Err::<(), _>(ApiError::NotFound)
            })
            .await
        })
    };
    let panicked = {
        let db = db.clone();
        tokio::spawn(async move {
            db.write(|conn| {
                insert(conn, "panicked")?;
                if conn.batch_execute("SELECT 1").is_ok() {
                    panic!("a bug in one request's work");
                }
                Ok(())
            })
            .await
        })
    };
    slow.await.expect("slow task").expect("slow job stored");
    while let Some(done) = jobs.join_next().await {
        let (n, result) = done.expect("job task");
        result.unwrap_or_else(|e| panic!("job {n}: {e:?}"));
    }
    match duplicate.await.expect("duplicate task") {
        Err(ApiError::Conflict { code, .. }) => assert_eq!(code, "already_exists"),
        other => panic!("the duplicate gets its own error, got {other:?}"),
    }
    assert!(matches!(
        refused.await.expect("refused task"),
        Err(ApiError::NotFound)
    ));
    assert!(matches!(
        panicked.await.expect("panicked task"),
        Err(ApiError::Internal(_))
    ));

    let keys = stored_keys(&url);
    let mut expected: Vec<String> = (0..20).map(|n| format!("ok-{n:02}")).collect();
    expected.push("slow".to_owned());
    expected.push("taken".to_owned());
    expected.sort();
    assert_eq!(
        keys, expected,
        "the failing jobs left nothing, the others all committed"
    );

    // The writer goes on after a failed and a panicked job.
    db.write(|conn| insert(conn, "after")).await.expect("after");
    assert!(stored_keys(&url).contains(&"after".to_owned()));
}

#[tokio::test]
async fn an_answer_never_arrives_before_its_commit() {
    let (_dir, url, db) = sqlite_db();
    let mut writes = JoinSet::new();
    for n in 0..100 {
        let db = db.clone();
        let url = url.clone();
        writes.spawn(async move {
            let key = format!("w-{n:03}");
            let written = key.clone();
            db.write(move |conn| insert(conn, &written))
                .await
                .expect("write");
            // Right after the answer, on a connection of its own: the row is there.
            tokio::task::spawn_blocking(move || {
                let mut reader = SqliteConnection::establish(&url).expect("reader");
                reader
                    .batch_execute("PRAGMA busy_timeout = 10000")
                    .expect("busy timeout");
                let found: i64 = items::table
                    .filter(items::k.eq(&key))
                    .count()
                    .get_result(&mut reader)
                    .expect("count");
                assert_eq!(found, 1, "{key} visible as soon as answered");
            })
            .await
            .expect("reader task");
        });
    }
    // `write_blocking` (CLI, jobs) takes turns with the writer thread.
    let mut blocking = JoinSet::new();
    for n in 0..10 {
        let db = db.clone();
        blocking.spawn_blocking(move || {
            db.write_blocking(|conn| insert(conn, &format!("b-{n:02}")))
                .expect("write_blocking");
        });
    }
    while let Some(done) = writes.join_next().await {
        done.expect("write task");
    }
    while let Some(done) = blocking.join_next().await {
        done.expect("blocking task");
    }
    assert_eq!(stored_keys(&url).len(), 110);

    // Deterministic: `slow` holds the writer until released, so `early` and `late`, queued
    // meanwhile, run in one batch, `late` sleeping 400 ms after `early` ran. `early`'s answer
    // must wait for the batch's commit: its row (and `late`'s) is visible to another
    // connection the moment the answer arrives.
    let (release, hold) = std::sync::mpsc::channel::<()>();
    let mut slow = Box::pin(db.write(move |conn| {
        let _ = hold.recv();
        insert(conn, "slow")
    }));
    let mut early = Box::pin(db.write(|conn| insert(conn, "early")));
    let mut late = Box::pin(db.write(|conn| {
        insert(conn, "late")?;
        std::thread::sleep(Duration::from_millis(400));
        Ok(())
    }));
    queue(slow.as_mut());
    queue(early.as_mut());
    queue(late.as_mut());
    release.send(()).expect("release");
    slow.await.expect("slow");
    early.await.expect("early");
    let keys = stored_keys(&url);
    assert!(
        keys.contains(&"early".to_owned()),
        "the answer came before the commit"
    );
    assert!(
        keys.contains(&"late".to_owned()),
        "early and late were one batch: answered after late's commit"
    );
    late.await.expect("late");
}

/// Polls a write once: its job is queued to the writer (the answer is awaited later).
fn queue<F: Future>(write: Pin<&mut F>) {
    let mut cx = Context::from_waker(Waker::noop());
    assert!(write.poll(&mut cx).is_pending(), "queued, not answered yet");
}
