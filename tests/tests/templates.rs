//! The operator's appeal screen's API (issue #22, item 4): answer templates per region
//! (who may, the scope, Idempotency-Key, Russian errors), the presence heartbeat
//! («Сейчас открыто также») and the teacher's context beside the thread, and closing as a
//! duplicate by the original's number.

use integration_tests::{problem, spawn_app, TestApp};
use serde_json::{json, Value};

const ROUTED: &str = "Как оформить возврат денег родителям за сорванную экскурсию в музей?";
const OTHER: &str = "Кто утверждает график дежурств учителей по этажам во время перемен?";

async fn json_of(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status(), status);
    response.json().await.unwrap()
}

async fn create(app: &TestApp, token: &str, key: &str, body: &Value) -> reqwest::Response {
    app.with_token(reqwest::Method::POST, "/api/v1/templates", token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn templates_belong_to_a_region_its_operators_and_heads_write_and_use() {
    let app = spawn_app().await;
    let op = app
        .dev_login("operator", Some("16"), "Оператор Казани", true)
        .await;
    let head = app
        .dev_login("regional_head", Some("16"), "Руководитель Казани", true)
        .await;
    let stranger = app
        .dev_login("operator", Some("02"), "Оператор Уфы", true)
        .await;
    let teacher = app
        .dev_login("teacher", Some("16"), "Гарипова Алсу", true)
        .await;
    let body = json!({ "region": "16", "title": "Возврат денег", "text": "Здравствуйте!\nВозврат оформляется заявлением." });

    // Create with a key: the replay answers the same template, no second row.
    let first = json_of(create(&app, &op.access, "tpl-1", &body).await, 201).await;
    let again = json_of(create(&app, &op.access, "tpl-1", &body).await, 201).await;
    assert_eq!(first["id"], again["id"]);
    assert_eq!(first["region"]["code"], "16");
    assert_eq!(
        first["text"],
        "Здравствуйте!\nВозврат оформляется заявлением."
    );
    assert_eq!(first["author_name"], "Оператор Казани");
    let id = first["id"].as_str().unwrap();

    // Who may: the region's operators and heads; others 403, other regions 403 / 404.
    problem(create(&app, &teacher.access, "t", &body).await, 403).await;
    let out = problem(create(&app, &stranger.access, "s", &body).await, 403).await;
    assert_eq!(out.code, "region_out_of_scope");
    let empty = problem(
        create(
            &app,
            &op.access,
            "e",
            &json!({ "region": "16", "title": "", "text": "x" }),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(empty.errors[0].field, "title");
    let listed = json_of(app.get_as("/api/v1/templates", &head.access).await, 200).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let theirs = json_of(app.get_as("/api/v1/templates", &stranger.access).await, 200).await;
    assert!(theirs["items"].as_array().unwrap().is_empty());
    problem(
        app.get_as("/api/v1/templates?region=16", &stranger.access)
            .await,
        403,
    )
    .await;
    let path = format!("/api/v1/templates/{id}");
    problem(app.patch_as(&path, &stranger.access, &body).await, 404).await;
    problem(app.delete_as(&path, &stranger.access).await, 404).await;

    // The head edits it; a page of one has a cursor to the next.
    let edited =
        json!({ "region": "16", "title": "Возврат денег (новое)", "text": "Новый текст." });
    let changed = json_of(app.patch_as(&path, &head.access, &edited).await, 200).await;
    assert_eq!(changed["title"], "Возврат денег (новое)");
    json_of(
        create(
            &app,
            &op.access,
            "tpl-2",
            &json!({ "region": "16", "title": "Второй", "text": "Ещё." }),
        )
        .await,
        201,
    )
    .await;
    let page = json_of(
        app.get_as("/api/v1/templates?limit=1", &op.access).await,
        200,
    )
    .await;
    assert_eq!(page["items"][0]["title"], "Второй");
    let cursor = page["next_cursor"].as_str().unwrap();
    let next = json_of(
        app.get_as(
            &format!("/api/v1/templates?limit=1&cursor={cursor}"),
            &op.access,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(next["items"][0]["title"], "Возврат денег (новое)");

    // Deleted: gone from the list, a second delete is 404.
    assert_eq!(app.delete_as(&path, &op.access).await.status(), 204);
    problem(app.delete_as(&path, &op.access).await, 404).await;
    let left = json_of(app.get_as("/api/v1/templates", &op.access).await, 200).await;
    assert_eq!(left["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn presence_shows_a_colleague_and_the_context_shows_the_teacher() {
    let app = spawn_app().await;
    let teacher = app
        .dev_login("teacher", Some("16"), "Гарипова Алсу", true)
        .await;
    let profile = app
        .patch_as(
            "/api/v1/me",
            &teacher.access,
            &json!({ "school": "Лицей № 2", "position": "учитель химии" }),
        )
        .await;
    assert_eq!(profile.status(), 200);
    let ask = |text: &'static str| {
        let app = &app;
        let token = teacher.access.clone();
        async move {
            json_of(
                app.post_as("/api/v1/appeals", &token, &json!({ "text": text }))
                    .await,
                201,
            )
            .await
        }
    };
    let earlier = ask(OTHER).await;
    let appeal = ask(ROUTED).await;
    let id = appeal["id"].as_str().unwrap();
    let first = app
        .dev_login("operator", Some("16"), "Иванова Анна", true)
        .await;
    let second = app
        .dev_login("operator", Some("16"), "Петрова Мария", true)
        .await;
    let stranger = app
        .dev_login("operator", Some("02"), "Оператор Уфы", true)
        .await;

    // Presence: each sees the other, never themselves; other regions 404, teachers 403.
    let presence = format!("/api/v1/appeals/{id}/presence");
    let alone = json_of(app.post_as(&presence, &first.access, &json!({})).await, 200).await;
    assert!(alone["viewers"].as_array().unwrap().is_empty());
    assert!(alone["refresh_seconds"].as_u64().unwrap() > 0);
    let seen = json_of(
        app.post_as(&presence, &second.access, &json!({})).await,
        200,
    )
    .await;
    assert_eq!(seen["viewers"][0]["name"], "Иванова Анна");
    let back = json_of(app.post_as(&presence, &first.access, &json!({})).await, 200).await;
    assert_eq!(back["viewers"].as_array().unwrap().len(), 1);
    assert_eq!(back["viewers"][0]["name"], "Петрова Мария");
    problem(
        app.post_as(&presence, &stranger.access, &json!({})).await,
        404,
    )
    .await;
    problem(
        app.post_as(&presence, &teacher.access, &json!({})).await,
        403,
    )
    .await;

    // Context: school, position, region and the earlier appeal as a link by number.
    let context = json_of(
        app.get_as(&format!("/api/v1/appeals/{id}/context"), &first.access)
            .await,
        200,
    )
    .await;
    assert_eq!(context["school"], "Лицей № 2");
    assert_eq!(context["position"], "учитель химии");
    assert_eq!(context["region"]["code"], "16");
    assert_eq!(context["earlier"].as_array().unwrap().len(), 1);
    assert_eq!(context["earlier"][0]["id"], earlier["id"]);
    assert_eq!(context["earlier"][0]["number"], earlier["number"]);
    problem(
        app.get_as(&format!("/api/v1/appeals/{id}/context"), &stranger.access)
            .await,
        404,
    )
    .await;
    problem(
        app.get_as(&format!("/api/v1/appeals/{id}/context"), &teacher.access)
            .await,
        403,
    )
    .await;

    // Closing as a duplicate names the original by its number, as the screen shows it.
    let close = json!({ "reason": "duplicate", "duplicate_of": earlier["number"] });
    let closed = json_of(
        app.post_as(
            &format!("/api/v1/appeals/{id}/close"),
            &first.access,
            &close,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(closed["duplicate_of"], earlier["id"]);
}
