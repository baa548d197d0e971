//! Knowledge base: import, search with abstention, articles and versions, publishing that
//! the engine sees at once, variants, synonyms, and who may do what.

use integration_tests::{problem, spawn_app, TestApp};
use serde_json::{json, Value};

/// Imports the demo knowledge base through the same code the CLI uses.
async fn import_demo(app: &TestApp) {
    let text =
        std::fs::read_to_string(integration_tests::workspace_root().join("data/kb_demo.jsonl"))
            .unwrap();
    let records = api::matching::parse_kb_jsonl(&text).unwrap();
    let url = app.database_url.clone();
    tokio::task::spawn_blocking(move || {
        let pool = api::db::connect(&url, 1).unwrap();
        let db = api::db::Db::new(pool, api::db::Backend::of(&url));
        db.write_blocking(|conn| Ok(api::domain::kb::store::import(conn, &records, |_| {})?))
            .unwrap()
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn search_answers_known_questions_and_abstains_on_others() {
    let app = spawn_app().await;
    import_demo(&app).await;
    // The running server learns about the import through its refresher; force it with a
    // no-op publish-free read loop: wait until search sees the articles.
    let teacher = app
        .dev_login("teacher", Some("77"), "Учитель без статуса", false)
        .await;
    let mut found = Value::Null;
    for _ in 0..40 {
        found = app
            .get_as("/api/v1/kb/search?q=план%20воспитательной%20работы%20пишет%20каждый%20учитель%20или%20только%20кл%20рук", &teacher.access)
            .await
            .json()
            .await
            .unwrap();
        if found["items"].as_array().is_some_and(|i| !i.is_empty()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert_eq!(found["confident"], true, "{found}");
    assert_eq!(found["items"][0]["article_id"], "kb-008");
    assert!(found["engine"].as_str().unwrap().starts_with("bm25"));

    let off_topic: Value = app
        .get_as(
            "/api/v1/kb/search?q=посоветуйте%20учебник%20по%20алгебре%20для%208%20класса",
            &teacher.access,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(off_topic["confident"], false);
    assert!(off_topic["abstain_reason"].is_string());

    problem(app.get_as("/api/v1/kb/search", &teacher.access).await, 400).await;
    problem(
        app.get_as("/api/v1/kb/search?q=x&limit=0", &teacher.access)
            .await,
        422,
    )
    .await;
    problem(app.get("/api/v1/kb/search?q=x").await, 401).await;
}

async fn federal(app: &TestApp) -> String {
    app.dev_login("federal", None, "Федеральный Куратор", true)
        .await
        .access
}

fn article_body() -> Value {
    json!({
        "title": "Журнал инструктажей по технике безопасности",
        "question": "Кто должен вести журнал инструктажей по технике безопасности на экскурсии?",
        "variants": ["Нужно ли учителю заполнять журнал инструктажа перед экскурсией?"],
        "answer": "Инструктаж перед экскурсией проводит ответственный за мероприятие, назначенный приказом.",
        "legal_refs": ["ст. 41 Федерального закона № 273-ФЗ"],
        "tags": ["безопасность", "экскурсии"]
    })
}

#[tokio::test]
async fn publish_makes_an_article_searchable_at_once_and_archive_hides_it() {
    let app = spawn_app().await;
    let fed = federal(&app).await;
    let created = app
        .post_as("/api/v1/kb/articles", &fed, &article_body())
        .await;
    assert_eq!(created.status(), 201);
    let article: Value = created.json().await.unwrap();
    let id = article["id"].as_str().unwrap().to_owned();
    assert_eq!(article["status"], "draft");
    assert_eq!(article["version"], 1);

    let teacher = app.dev_login("teacher", Some("77"), "Учитель", true).await;
    let q = "/api/v1/kb/search?q=кто%20ведёт%20журнал%20инструктажа%20на%20экскурсии";
    let before: Value = app.get_as(q, &teacher.access).await.json().await.unwrap();
    assert!(
        before["items"].as_array().unwrap().is_empty(),
        "a draft is not searchable"
    );
    problem(
        app.get_as(&format!("/api/v1/kb/articles/{id}"), &teacher.access)
            .await,
        404,
    )
    .await;

    let published: Value = app
        .post_as(
            &format!("/api/v1/kb/articles/{id}/publish"),
            &fed,
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(published["status"], "published");
    assert!(published["approved_at"].is_string());
    let after: Value = app.get_as(q, &teacher.access).await.json().await.unwrap();
    assert_eq!(
        after["items"][0]["article_id"],
        id.as_str(),
        "found right after publishing"
    );
    assert_eq!(
        app.get_as(&format!("/api/v1/kb/articles/{id}"), &teacher.access)
            .await
            .status(),
        200
    );

    let edited = app
        .patch_as(&format!("/api/v1/kb/articles/{id}"), &fed, &json!({ "answer": "Инструктаж проводит руководитель экскурсии, его назначает директор приказом." }))
        .await;
    assert_eq!(edited.status(), 200);
    let versions: Value = app
        .get_as(&format!("/api/v1/kb/articles/{id}/versions"), &fed)
        .await
        .json()
        .await
        .unwrap();
    let numbers: Vec<i64> = versions["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, vec![3, 2, 1]);
    assert_eq!(
        versions["items"][2]["answer"],
        article_body()["answer"],
        "old text kept"
    );

    app.post_as(
        &format!("/api/v1/kb/articles/{id}/archive"),
        &fed,
        &json!({}),
    )
    .await;
    let archived: Value = app.get_as(q, &teacher.access).await.json().await.unwrap();
    assert!(archived["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["article_id"] != id.as_str()));
}

#[tokio::test]
async fn only_federal_writes_and_input_is_validated() {
    let app = spawn_app().await;
    let operator = app
        .dev_login("operator", Some("77"), "Оператор", true)
        .await;
    let p = problem(
        app.post_as("/api/v1/kb/articles", &operator.access, &article_body())
            .await,
        403,
    )
    .await;
    assert_eq!(p.code, "forbidden");
    problem(
        app.get_as("/api/v1/kb/articles?status=draft", &operator.access)
            .await,
        403,
    )
    .await;

    let fed = federal(&app).await;
    let mut short = article_body();
    short["question"] = json!("Кто?");
    let p = problem(app.post_as("/api/v1/kb/articles", &fed, &short).await, 422).await;
    assert_eq!(p.errors[0].field, "question");
    let mut extra = article_body();
    extra["status"] = json!("published");
    problem(app.post_as("/api/v1/kb/articles", &fed, &extra).await, 400).await;
    problem(
        app.patch_as(
            "/api/v1/kb/articles/kb-nope",
            &fed,
            &json!({ "title": "Новое" }),
        )
        .await,
        404,
    )
    .await;
}

#[tokio::test]
async fn list_is_paginated_and_filtered_by_tag() {
    let app = spawn_app().await;
    import_demo(&app).await;
    let teacher = app.dev_login("teacher", Some("77"), "Учитель", false).await;
    let mut seen = std::collections::HashSet::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/kb/articles?limit=20&cursor={c}"),
            None => "/api/v1/kb/articles?limit=20".to_owned(),
        };
        let page: Value = app
            .get_as(&path, &teacher.access)
            .await
            .json()
            .await
            .unwrap();
        for item in page["items"].as_array().unwrap() {
            assert!(
                seen.insert(item["id"].as_str().unwrap().to_owned()),
                "no duplicates across pages"
            );
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 56, "all demo articles, each once");
    let tagged: Value = app
        .get_as("/api/v1/kb/articles?tag=журнал", &teacher.access)
        .await
        .json()
        .await
        .unwrap();
    let items = tagged["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items
        .iter()
        .all(|a| a["tags"].as_array().unwrap().contains(&json!("журнал"))));
    problem(
        app.get_as("/api/v1/kb/articles?cursor=garbage", &teacher.access)
            .await,
        400,
    )
    .await;
}

#[tokio::test]
async fn synonyms_are_staff_readable_and_federal_writable_and_reindex_at_once() {
    let app = spawn_app().await;
    let fed = federal(&app).await;
    let created: Value = app
        .post_as("/api/v1/kb/articles", &fed, &article_body())
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap();
    app.post_as(
        &format!("/api/v1/kb/articles/{id}/publish"),
        &fed,
        &json!({}),
    )
    .await;

    let teacher = app.dev_login("teacher", Some("77"), "Учитель", true).await;
    problem(
        app.get_as("/api/v1/kb/synonyms", &teacher.access).await,
        403,
    )
    .await;
    let operator = app
        .dev_login("operator", Some("77"), "Оператор", true)
        .await;
    let dictionary: Value = app
        .get_as("/api/v1/kb/synonyms", &operator.access)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        dictionary["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["term"] == "ктп"),
        "default dictionary seeded"
    );

    let q = "/api/v1/kb/search?q=зожк";
    let before: Value = app.get_as(q, &teacher.access).await.json().await.unwrap();
    assert!(before["items"].as_array().unwrap().is_empty());
    let put = app
        .with_token(reqwest::Method::PUT, "/api/v1/kb/synonyms", &fed)
        .json(&json!({ "items": [{ "term": "зожк", "expansions": ["журнал инструктажей"] }] }))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    let after: Value = app.get_as(q, &teacher.access).await.json().await.unwrap();
    assert_eq!(
        after["items"][0]["article_id"], id,
        "a new abbreviation works at once"
    );
    let bad = app
        .with_token(reqwest::Method::PUT, "/api/v1/kb/synonyms", &fed)
        .json(&json!({ "items": [
            { "term": "x", "expansions": ["икс"] },
            { "term": "X", "expansions": ["другой икс"] }
        ] }))
        .send()
        .await
        .unwrap();
    problem(bad, 422).await;
    // What GET returns can be saved back, phrases without expansions (greetings) included.
    let with_greetings = app
        .with_token(reqwest::Method::PUT, "/api/v1/kb/synonyms", &fed)
        .json(&dictionary)
        .send()
        .await
        .unwrap();
    assert_eq!(with_greetings.status(), 200);
    let saved: Value = with_greetings.json().await.unwrap();
    assert_eq!(saved, dictionary, "the default dictionary round-trips");
    assert!(
        dictionary["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["expansions"] == json!([])),
        "the default dictionary drops greetings"
    );
}

#[tokio::test]
async fn confirmed_variants_are_searchable_and_rejected_ones_are_not() {
    let app = spawn_app().await;
    let fed = federal(&app).await;
    let created: Value = app
        .post_as("/api/v1/kb/articles", &fed, &article_body())
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    app.post_as(
        &format!("/api/v1/kb/articles/{id}/publish"),
        &fed,
        &json!({}),
    )
    .await;
    let url = app.database_url.clone();
    let article = id.clone();
    tokio::task::spawn_blocking(move || {
        let pool = api::db::connect(&url, 1).unwrap();
        let mut conn = pool.get().unwrap();
        api::domain::kb::store::add_candidate_variant(
            &mut conn,
            &article,
            "оформление бумаг перед выездом с классом в музей",
            "operator_answer",
            None,
        )
        .unwrap();
        api::domain::kb::store::add_candidate_variant(
            &mut conn,
            &article,
            "а кто платит за автобус",
            "accepted_suggestion",
            None,
        )
        .unwrap();
        api::domain::kb::store::add_candidate_variant(
            &mut conn,
            &article,
            "а кто платит за автобус",
            "accepted_suggestion",
            None,
        )
        .unwrap();
    })
    .await
    .unwrap();
    let queue: Value = app
        .get_as("/api/v1/kb/variants", &fed)
        .await
        .json()
        .await
        .unwrap();
    let items = queue["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "duplicates are collected once");
    assert_eq!(items[0]["article_title"], article_body()["title"]);
    let confirm = items
        .iter()
        .find(|v| v["source"] == "operator_answer")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reject = items
        .iter()
        .find(|v| v["source"] == "accepted_suggestion")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let operator = app
        .dev_login("operator", Some("77"), "Оператор", true)
        .await;
    problem(
        app.post_as(
            &format!("/api/v1/kb/variants/{confirm}/confirm"),
            &operator.access,
            &json!({}),
        )
        .await,
        403,
    )
    .await;
    assert_eq!(
        app.post_as(
            &format!("/api/v1/kb/variants/{confirm}/confirm"),
            &fed,
            &json!({})
        )
        .await
        .status(),
        204
    );
    assert_eq!(
        app.post_as(
            &format!("/api/v1/kb/variants/{reject}/reject"),
            &fed,
            &json!({})
        )
        .await
        .status(),
        204
    );
    let p = problem(
        app.post_as(
            &format!("/api/v1/kb/variants/{reject}/confirm"),
            &fed,
            &json!({}),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(p.code, "already_decided");

    let article: Value = app
        .get_as(&format!("/api/v1/kb/articles/{id}"), &fed)
        .await
        .json()
        .await
        .unwrap();
    let variants = article["variants"].as_array().unwrap();
    assert!(variants.contains(&json!("оформление бумаг перед выездом с классом в музей")));
    assert!(!variants.contains(&json!("а кто платит за автобус")));
    let teacher = app.dev_login("teacher", Some("77"), "Учитель", true).await;
    let found: Value = app
        .get_as(
            "/api/v1/kb/search?q=оформление%20бумаг%20перед%20выездом%20в%20музей",
            &teacher.access,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["items"][0]["article_id"], id.as_str());
}

#[tokio::test]
async fn search_explains_each_hit_with_matched_words_and_probability() {
    let app = spawn_app().await;
    import_demo(&app).await;
    let teacher = app
        .dev_login("teacher", Some("77"), "Учитель без статуса", false)
        .await;
    // "воспитательой": a dropped letter; "кл рук": an abbreviation from the dictionary.
    let q = "/api/v1/kb/search?q=план%20воспитательой%20работы%20пишет%20каждый%20учитель%20или%20только%20кл%20рук";
    let mut found = Value::Null;
    for _ in 0..40 {
        found = app.get_as(q, &teacher.access).await.json().await.unwrap();
        if found["items"].as_array().is_some_and(|i| !i.is_empty()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    let first = &found["items"][0];
    assert_eq!(first["article_id"], "kb-008", "{found}");
    let matched: Vec<&str> = first["matched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    // The repair is shown as typed → repaired.
    assert!(
        matched.contains(&"воспитательой → воспитательной"),
        "{matched:?}"
    );
    assert!(matched.contains(&"классный"), "{matched:?}");
    assert!(matched.contains(&"план"), "{matched:?}");
    let p = first["probability"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&p) && p >= 0.5, "{found}");
    for hit in found["items"].as_array().unwrap().iter().skip(1) {
        let other = hit["probability"].as_f64().unwrap();
        assert!(other < p, "{found}");
        assert!(hit["matched"].is_array());
    }
}

/// POSTs as `token` and returns the JSON answer, asserting success.
async fn post_json_ok(app: &TestApp, path: &str, token: &str, body: Value) -> Value {
    let response = app.post_as(path, token, &body).await;
    let status = response.status();
    let value: Value = response.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "POST {path}: {status} {value}");
    value
}

#[tokio::test]
async fn kb_fit_reads_the_services_evidence_and_the_model_changes() {
    let app = spawn_app().await;
    app.import_demo_kb().await;
    let teacher = app
        .dev_login("teacher", Some("16"), "Учитель Свидетельство", true)
        .await
        .access;
    // Two bot answers: one marked «Помогло», one «Не помогло» (escalated, no operator
    // article yet: "should not have answered").
    let mut acted = 0;
    for (text, action) in [
        (
            "план воспитательной работы пишет каждый учитель или только кл рук?",
            "helpful",
        ),
        (
            "План воспитательной работы пишет каждый учитель или только классный руководитель?",
            "escalate",
        ),
    ] {
        let appeal = post_json_ok(&app, "/api/v1/appeals", &teacher, json!({ "text": text })).await;
        assert_eq!(appeal["status"], "answered_by_bot", "{appeal}");
        let id = appeal["id"].as_str().unwrap();
        post_json_ok(
            &app,
            &format!("/api/v1/appeals/{id}/{action}"),
            &teacher,
            json!({}),
        )
        .await;
        acted += 1;
    }
    let root = integration_tests::workspace_root();
    let dir = std::env::temp_dir().join(format!(
        "kb-fit-{}-{}",
        std::process::id(),
        app.address.replace([':', '/', '.'], "_")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let args = |out: &std::path::Path, db: Option<String>| api::tools::kb::FitArgs {
        kb: Some(root.join("data/kb_demo.jsonl").display().to_string()),
        questions: Some(root.join("data/questions_dev.jsonl").display().to_string()),
        database_url: db,
        out: out.display().to_string(),
        seed: 15,
    };
    let (plain_out, evidence_out) = (dir.join("plain.json"), dir.join("evidence.json"));
    let (plain, with) = {
        let (a, b) = (
            args(&plain_out, None),
            args(&evidence_out, Some(app.database_url.clone())),
        );
        tokio::task::spawn_blocking(move || {
            (
                api::tools::kb::fit_model(&a).unwrap(),
                api::tools::kb::fit_model(&b).unwrap(),
            )
        })
        .await
        .unwrap()
    };
    assert_eq!((plain.labelled, plain.evidence), (120, 0));
    assert_eq!((with.labelled, with.evidence), (120, acted));
    let (p, e) = (
        std::fs::read_to_string(&plain_out).unwrap(),
        std::fs::read_to_string(&evidence_out).unwrap(),
    );
    assert_ne!(p, e, "the evidence changes the fitted model");
    let fitted_on = |text: &str| serde_json::from_str::<Value>(text).unwrap()["fitted_on"].clone();
    assert_eq!(fitted_on(&p), 120);
    assert_eq!(fitted_on(&e), 122);
    std::fs::remove_dir_all(&dir).unwrap();
}
