//! The caller cache (issue #20): who is calling is kept for at most `CALLER_CACHE_SECS`
//! (≤ 5 s). A block made through this instance applies to the very next request; one made
//! behind the cache's back (another instance, or directly in the database) within the
//! cache's life.

use std::time::{Duration, Instant};

use api::db::schema::users;
use api::db::{self, Backend, Db};
use diesel::prelude::*;
use integration_tests::{problem, spawn_app, TestApp};
use serde_json::json;

fn caller_queries(response: &reqwest::Response) -> u32 {
    response.headers()["x-db-caller-queries"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// Signs an operator in and makes two requests: the second finds them in the cache.
async fn cached_operator(app: &TestApp, name: &str) -> (String, String) {
    let operator = app.dev_login("operator", Some("77"), name, true).await;
    let id = app.me(&operator.access).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let first = app.get_as("/api/v1/appeals", &operator.access).await;
    assert_eq!(first.status(), 200);
    let second = app.get_as("/api/v1/appeals", &operator.access).await;
    assert_eq!(second.status(), 200);
    assert_eq!(
        caller_queries(&second),
        0,
        "the caller comes from the cache"
    );
    (id, operator.access)
}

#[tokio::test]
async fn a_blocked_user_is_refused_at_once_on_the_same_instance() {
    let app = spawn_app().await;
    let admin = app.dev_login("admin", None, "Админ Кэша", true).await;
    let (id, token) = cached_operator(&app, "Оператор Кэша").await;
    let blocked = app
        .patch_as(
            &format!("/api/v1/admin/users/{id}"),
            &admin.access,
            &json!({ "is_blocked": true }),
        )
        .await;
    assert_eq!(blocked.status(), 200);
    problem(app.get_as("/api/v1/appeals", &token).await, 401).await;

    // A role change too: an operator made administrator no longer lists appeals.
    let (id, token) = cached_operator(&app, "Оператор Роли").await;
    let changed = app
        .patch_as(
            &format!("/api/v1/admin/users/{id}"),
            &admin.access,
            &json!({ "role": "admin" }),
        )
        .await;
    assert_eq!(changed.status(), 200);
    problem(app.get_as("/api/v1/appeals", &token).await, 403).await;
}

#[tokio::test]
async fn a_block_behind_the_cache_applies_within_its_life() {
    let app = spawn_app().await;
    let (id, token) = cached_operator(&app, "Оператор Извне").await;
    // As another instance would: straight into the database, this server unaware.
    let other = Db::new(
        db::connect(&app.database_url, 1).unwrap(),
        Backend::of(&app.database_url),
    );
    other
        .write(move |conn| {
            Ok(diesel::update(users::table.find(&id))
                .set(users::is_blocked.eq(true))
                .execute(conn)?)
        })
        .await
        .unwrap();
    let changed = Instant::now();
    // The bound is the cache's life (5 s); a little more for a loaded machine.
    let bound = Duration::from_secs(5) + Duration::from_secs(2);
    loop {
        let status = app.get_as("/api/v1/appeals", &token).await.status();
        if status == 401 {
            break;
        }
        assert_eq!(status, 200);
        assert!(
            changed.elapsed() < bound,
            "still served {:?} after the block",
            changed.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
