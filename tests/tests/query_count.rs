//! Queries per request (issue #20): a page of the appeal list costs the same few SQL
//! statements whatever its size and whoever reads it, and asking a question is one write
//! transaction. The server counts them per request (`DB_QUERY_COUNT_HEADER`, on in the
//! harness) and answers them in `X-Db-Queries` (the caller's lookup apart, in
//! `X-Db-Caller-Queries`) and `X-Db-Write-Transactions`.

use integration_tests::{spawn_app_with, Overrides, TestApp};
use serde_json::{json, Value};

const ROUTED: &str = "Как оформить возврат денег родителям за сорванную экскурсию в музей?";

/// `(queries, caller's lookup, write transactions)` of an answer.
fn counts(response: &reqwest::Response) -> (u32, u32, u32) {
    let header = |name: &str| -> u32 {
        response
            .headers()
            .get(name)
            .unwrap_or_else(|| panic!("{name} missing"))
            .to_str()
            .unwrap()
            .parse()
            .unwrap()
    };
    (
        header("x-db-queries"),
        header("x-db-caller-queries"),
        header("x-db-write-transactions"),
    )
}

async fn ok(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_list_page_costs_the_same_few_queries_whatever_its_size() {
    let app: TestApp = spawn_app_with(Overrides::default().with("APPEALS_PER_HOUR", "0")).await;
    let teacher = app
        .dev_login("teacher", Some("77"), "Учитель Счётный", true)
        .await;
    let operator = app
        .dev_login("operator", Some("77"), "Оператор Счётный", true)
        .await;
    let head = app
        .dev_login("regional_head", Some("77"), "Руководитель Счётный", true)
        .await;
    let federal = app
        .dev_login("federal", None, "Куратор Счётный", true)
        .await;

    // 100 questions: each one write transaction.
    let mut ids = Vec::new();
    for i in 0..100 {
        let response = app
            .post_as(
                "/api/v1/appeals",
                &teacher.access,
                &json!({ "text": format!("{ROUTED} Случай {i}.") }),
            )
            .await;
        let (_, _, writes) = counts(&response);
        assert_eq!(writes, 1, "a question is one write transaction");
        let created = ok(response, 201).await;
        ids.push(created["id"].as_str().unwrap().to_owned());
    }
    // Some of everything a page shows: answers (and so assignees), a rating, a read mark,
    // «На контроле».
    for id in &ids[..3] {
        ok(
            app.post_as(
                &format!("/api/v1/appeals/{id}/answer"),
                &operator.access,
                &json!({ "text": "Возврат оформляется приказом директора по заявлению родителей." }),
            )
            .await,
            200,
        )
        .await;
    }
    let rated = app
        .post_as(
            &format!("/api/v1/appeals/{}/rating", ids[0]),
            &teacher.access,
            &json!({ "score": 5 }),
        )
        .await;
    assert!(rated.status().is_success(), "rating: {}", rated.status());
    let read = app
        .post_as(
            &format!("/api/v1/appeals/{}/read", ids[1]),
            &teacher.access,
            &json!({}),
        )
        .await;
    assert_eq!(read.status(), 204);
    ok(
        app.post_as(
            &format!("/api/v1/appeals/{}/control", ids[4]),
            &head.access,
            &json!({ "comment": "Разберитесь до пятницы" }),
        )
        .await,
        200,
    )
    .await;

    for (who, token) in [
        ("teacher", &teacher.access),
        ("operator", &operator.access),
        ("regional head", &head.access),
        ("federal", &federal.access),
    ] {
        let mut seen = Vec::new();
        for limit in [1, 20, 100] {
            let response = app
                .get_as(&format!("/api/v1/appeals?limit={limit}"), token)
                .await;
            let (queries, _, writes) = counts(&response);
            let page = ok(response, 200).await;
            assert_eq!(page["items"].as_array().unwrap().len(), limit, "{who}");
            assert!(
                queries <= 3,
                "{who}, a page of {limit}: {queries} queries besides the caller's lookup"
            );
            assert_eq!(writes, 0, "{who}: a list writes nothing");
            println!("{who}, a page of {limit}: {queries} queries");
            seen.push(queries);
        }
        assert!(
            seen.iter().all(|q| *q == seen[0]),
            "{who}: the count grows with the page: {seen:?}"
        );
    }
}

#[tokio::test]
async fn one_appeal_with_its_thread_costs_a_fixed_number_of_queries() {
    let app = spawn_app_with(Overrides::default()).await;
    let teacher = app
        .dev_login("teacher", Some("77"), "Учитель Нитки", true)
        .await;
    let operator = app
        .dev_login("operator", Some("77"), "Оператор Нитки", true)
        .await;
    let created = ok(
        app.post_as(
            "/api/v1/appeals",
            &teacher.access,
            &json!({ "text": ROUTED }),
        )
        .await,
        201,
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/appeals/{id}");
    let before = counts(&app.get_as(&path, &operator.access).await).0;
    // Several staff messages in the thread do not add a query each (their authors' names).
    for text in ["Проверить приказ школы", "Уточнить у бухгалтерии"]
    {
        let note = app
            .post_as(
                &format!("/api/v1/appeals/{id}/notes"),
                &operator.access,
                &json!({ "text": text }),
            )
            .await;
        assert!(note.status().is_success());
    }
    let after = counts(&app.get_as(&path, &operator.access).await).0;
    println!("one appeal: {before} queries, with two staff messages {after}");
    assert!(after <= before + 1, "{before} queries, then {after}");
}
