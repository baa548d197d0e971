//! What stays behind of idempotent requests. Answers that carry a secret shown once (an API
//! key, a staff member's one-time password) are stored sealed — a replay with the same key
//! still gets the secret, the database alone does not hold it; a teacher's erasure forgets
//! the stored answers to their requests; the cleanup job forgets every answer once its key
//! has expired.

use api::db::schema::idempotency_keys;
use api::db::{self, AnyConnection, Backend, Db};
use diesel::prelude::*;
use integration_tests::{spawn_app, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

fn db_of(app: &TestApp) -> Db {
    Db::new(
        db::connect(&app.database_url, 2).expect("pool"),
        Backend::of(&app.database_url),
    )
}

async fn with_db<T: Send + 'static>(
    db: &Db,
    work: impl FnOnce(&mut AnyConnection) -> QueryResult<T> + Send + 'static,
) -> T {
    db.write(move |conn| Ok(work(conn)?))
        .await
        .expect("database")
}

/// The stored answers of one person.
async fn stored(db: &Db, owner: &str) -> Vec<Option<String>> {
    let owner = owner.to_owned();
    with_db(db, move |conn| {
        idempotency_keys::table
            .filter(idempotency_keys::owner_id.eq(owner))
            .select(idempotency_keys::response_body)
            .load(conn)
    })
    .await
}

async fn post_keyed(app: &TestApp, path: &str, token: &str, key: &str, body: &Value) -> Value {
    let response = app
        .with_token(Method::POST, path, token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 201, "POST {path}");
    response.json().await.expect("json")
}

#[tokio::test]
async fn secrets_shown_once_are_stored_sealed_and_still_replayed() {
    let app = spawn_app().await;
    let db = db_of(&app);
    let admin = app.dev_login("admin", None, "Админ Проверка", true).await;
    let admin_id = app.me(&admin.access).await["id"]
        .as_str()
        .expect("id")
        .to_owned();

    let body = json!({ "name": "Школьная система", "regions": ["16"] });
    let first = post_keyed(
        &app,
        "/api/v1/admin/api-keys",
        &admin.access,
        "key-1",
        &body,
    )
    .await;
    let again = post_keyed(
        &app,
        "/api/v1/admin/api-keys",
        &admin.access,
        "key-1",
        &body,
    )
    .await;
    let api_key = first["key"].as_str().expect("key").to_owned();
    assert_eq!(again["key"], first["key"], "the replay shows the same key");
    assert_eq!(
        app.me(&api_key).await["role"],
        "integrator",
        "the key works"
    );

    let body = json!({ "email": "ivanova@edu16.example", "role": "operator", "regions": ["16"],
                       "surname": "Иванова", "name": "Ольга", "invite": false });
    let first = post_keyed(&app, "/api/v1/admin/users", &admin.access, "user-1", &body).await;
    let again = post_keyed(&app, "/api/v1/admin/users", &admin.access, "user-1", &body).await;
    let password = first["one_time_password"]
        .as_str()
        .expect("password")
        .to_owned();
    assert_eq!(again["one_time_password"], first["one_time_password"]);
    assert_eq!(again["user"]["id"], first["user"]["id"], "one user");

    let rows = stored(&db, &admin_id).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    for row in rows.iter().flatten() {
        assert!(row.starts_with("sealed:v1:"), "{row}");
        assert!(!row.contains(&api_key) && !row.contains(&password));
        assert!(!row.contains("Иванова"), "nothing of the answer in clear");
    }
}

#[tokio::test]
async fn erasure_and_expiry_forget_the_stored_answers() {
    let app = spawn_app().await;
    let db = db_of(&app);
    let teacher = app
        .dev_login("teacher", Some("16"), "Петрова Анна", true)
        .await;
    let teacher_id = app.me(&teacher.access).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let response = app
        .patch_as(
            "/api/v1/me",
            &teacher.access,
            &json!({ "consent_version": "2026-11" }),
        )
        .await;
    assert_eq!(response.status(), 200, "consent");
    post_keyed(
        &app,
        "/api/v1/appeals",
        &teacher.access,
        "ask-1",
        &json!({ "text": "Как оформить журнал внеурочной деятельности?" }),
    )
    .await;
    let rows = stored(&db, &teacher_id).await;
    assert_eq!(rows.len(), 1);
    assert!(rows[0].as_deref().is_some_and(|b| b.contains("внеурочной")));

    // The cleanup job keeps a fresh answer and forgets one whose key has expired.
    let admin = app.dev_login("admin", None, "Админ Проверка", true).await;
    let admin_id = app.me(&admin.access).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    post_keyed(
        &app,
        "/api/v1/admin/api-keys",
        &admin.access,
        "old-key",
        &json!({ "name": "Старая система", "regions": ["16"] }),
    )
    .await;
    let aged = admin_id.clone();
    with_db(&db, move |conn| {
        let now = db::now();
        diesel::update(idempotency_keys::table.filter(idempotency_keys::owner_id.eq(aged)))
            .set(idempotency_keys::created_at.eq(now - chrono::Duration::hours(25)))
            .execute(conn)?;
        api::jobs::scheduled::cleanup(conn, now)
    })
    .await;
    assert!(
        stored(&db, &admin_id).await.is_empty(),
        "expired: forgotten"
    );
    assert_eq!(stored(&db, &teacher_id).await.len(), 1, "fresh: kept");

    // Erasure forgets the rest of the teacher's.
    let response = app.delete_as("/api/v1/me", &teacher.access).await;
    assert_eq!(response.status(), 204);
    assert!(
        stored(&db, &teacher_id).await.is_empty(),
        "erased: forgotten"
    );
}
