//! The teacher's side of appeals: ask (instant answer or routing with a deadline), list,
//! read, follow up, escalate, withdraw, rate, accept a suggestion, attachments, and scope.

use integration_tests::{problem, spawn_app, spawn_app_with, Overrides, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const ANSWERED: &str = "план воспитательной работы пишет каждый учитель или только кл рук?";
const ROUTED: &str = "Как оформить возврат денег родителям за сорванную экскурсию в музей?";

async fn ask(app: &TestApp, token: &str, text: &str) -> Value {
    let response = app
        .post_as("/api/v1/appeals", token, &json!({ "text": text }))
        .await;
    assert_eq!(response.status(), 201, "ask: {text}");
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_known_question_is_answered_at_once_and_an_unknown_one_goes_to_the_region() {
    let app = spawn_app().await;
    app.import_demo_kb().await;
    let teacher = app
        .dev_login("teacher", Some("41"), "Ковалёва Нина Петровна", true)
        .await;

    let answered = ask(&app, &teacher.access, ANSWERED).await;
    assert_eq!(answered["status"], "answered_by_bot");
    assert_eq!(answered["answers"][0]["source"], "bot");
    assert_eq!(answered["answers"][0]["article_id"], "kb-008");
    assert!(answered["deadline_at"].is_null());
    assert_eq!(answered["region"]["code"], "41");
    assert_eq!(answered["author_name"], "Ковалёва Нина Петровна");
    let kinds: Vec<&str> = answered["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["question", "answer"]);

    let routed = ask(&app, &teacher.access, ROUTED).await;
    assert_eq!(routed["status"], "new");
    assert!(routed["answers"].as_array().unwrap().is_empty());
    let deadline =
        chrono::DateTime::parse_from_rfc3339(routed["deadline_at"].as_str().unwrap()).unwrap();
    // 23:59:59 in Kamchatka (UTC+12) is 11:59:59 UTC.
    assert_eq!(deadline.format("%H:%M:%S").to_string(), "11:59:59");
    let created =
        chrono::DateTime::parse_from_rfc3339(routed["created_at"].as_str().unwrap()).unwrap();
    assert!(
        deadline - created > chrono::Duration::days(5),
        "5 working days after the arrival day"
    );
    assert!(routed["is_overdue"] == false);

    let list: Value = app
        .get_as("/api/v1/appeals", &teacher.access)
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![
            routed["id"].as_str().unwrap(),
            answered["id"].as_str().unwrap()
        ],
        "newest first"
    );
    let only_new: Value = app
        .get_as("/api/v1/appeals?status=new", &teacher.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(only_new["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_snapshot_of_region_and_name_survives_profile_changes() {
    let app = spawn_app().await;
    let teacher = app
        .dev_login("teacher", Some("39"), "Орлова Вера", true)
        .await;
    let appeal = ask(&app, &teacher.access, ROUTED).await;
    app.patch_as(
        "/api/v1/me",
        &teacher.access,
        &json!({ "surname": "Соколова", "region": "41" }),
    )
    .await;
    let again: Value = app
        .get_as(
            &format!("/api/v1/appeals/{}", appeal["id"].as_str().unwrap()),
            &teacher.access,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["author_name"], "Орлова Вера");
    assert_eq!(again["region"]["code"], "39");
}

#[tokio::test]
async fn validation_verification_idempotency_and_rate_limit() {
    let app = spawn_app_with(Overrides::default().with("APPEALS_PER_HOUR", "3")).await;
    let unverified = app
        .dev_login("teacher", Some("77"), "Неподтверждённая", false)
        .await;
    let p = problem(
        app.post_as(
            "/api/v1/appeals",
            &unverified.access,
            &json!({ "text": ROUTED }),
        )
        .await,
        403,
    )
    .await;
    assert_eq!(p.code, "teacher_not_verified");
    assert!(p.detail.contains("Госуслуги"));

    let teacher = app
        .dev_login("teacher", Some("77"), "Подтверждённая", true)
        .await;
    for (text, code) in [
        ("коротко", "too_short"),
        ("?!?!?!?!?!?!?!", "no_words"),
        (&"я".repeat(4001)[..], "too_long"),
        ("   \n\t   ", "no_words"),
    ] {
        let p = problem(
            app.post_as("/api/v1/appeals", &teacher.access, &json!({ "text": text }))
                .await,
            422,
        )
        .await;
        assert_eq!(p.errors[0].field, "text");
        assert_eq!(p.errors[0].code, code, "{text:?}");
    }
    let operator = app
        .dev_login("operator", Some("77"), "Оператор", true)
        .await;
    problem(
        app.post_as(
            "/api/v1/appeals",
            &operator.access,
            &json!({ "text": ROUTED }),
        )
        .await,
        403,
    )
    .await;

    let send = |body: Value, key: &'static str| {
        let request = app
            .with_token(Method::POST, "/api/v1/appeals", &teacher.access)
            .header("Idempotency-Key", key)
            .json(&body);
        async move { request.send().await.unwrap() }
    };
    let first = send(json!({ "text": ROUTED }), "k1").await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let replay = send(json!({ "text": ROUTED }), "k1").await;
    assert_eq!(replay.status(), 201);
    let replay: Value = replay.json().await.unwrap();
    assert_eq!(first["id"], replay["id"], "same key and body → same appeal");
    let p = problem(
        send(json!({ "text": "Совсем другой вопрос про журналы" }), "k1").await,
        422,
    )
    .await;
    assert_eq!(p.errors[0].code, "idempotency_key_reused");
    let list: Value = app
        .get_as("/api/v1/appeals", &teacher.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        1,
        "the replay created nothing"
    );

    ask(&app, &teacher.access, "Второй вопрос про рабочие программы").await;
    ask(
        &app,
        &teacher.access,
        "Третий вопрос про электронный журнал",
    )
    .await;
    let limited = app
        .post_as(
            "/api/v1/appeals",
            &teacher.access,
            &json!({ "text": "Четвёртый вопрос за час" }),
        )
        .await;
    assert_eq!(limited.status(), 429);
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 3600);
}

#[tokio::test]
async fn another_teachers_appeal_is_not_found() {
    let app = spawn_app().await;
    let author = app.dev_login("teacher", Some("77"), "Автор", true).await;
    let other = app.dev_login("teacher", Some("77"), "Другой", true).await;
    let appeal = ask(&app, &author.access, ROUTED).await;
    let id = appeal["id"].as_str().unwrap();
    for path in [format!("/api/v1/appeals/{id}")] {
        problem(app.get_as(&path, &other.access).await, 404).await;
    }
    for (path, body) in [
        (
            format!("/api/v1/appeals/{id}/messages"),
            json!({ "text": "Чужое сообщение" }),
        ),
        (format!("/api/v1/appeals/{id}/withdraw"), json!({})),
        (
            format!("/api/v1/appeals/{id}/rating"),
            json!({ "score": 5 }),
        ),
        (format!("/api/v1/appeals/{id}/read"), json!({})),
    ] {
        problem(app.post_as(&path, &other.access, &body).await, 404).await;
    }
    let list: Value = app
        .get_as("/api/v1/appeals", &other.access)
        .await
        .json()
        .await
        .unwrap();
    assert!(list["items"].as_array().unwrap().is_empty());
    let admin = app.dev_login("admin", None, "Админ", true).await;
    problem(
        app.get_as(&format!("/api/v1/appeals/{id}"), &admin.access)
            .await,
        403,
    )
    .await;
}

#[tokio::test]
async fn rating_closes_once_and_escalation_follows_a_poor_bot_answer() {
    let app = spawn_app().await;
    app.import_demo_kb().await;
    let teacher = app.dev_login("teacher", Some("77"), "Учитель", true).await;
    let appeal = ask(&app, &teacher.access, ANSWERED).await;
    let id = appeal["id"].as_str().unwrap();
    let path = |action: &str| format!("/api/v1/appeals/{id}/{action}");

    let p = problem(
        app.post_as(&path("rating"), &teacher.access, &json!({ "score": 6 }))
            .await,
        422,
    )
    .await;
    assert_eq!(p.errors[0].field, "score");
    let rated: Value = app
        .post_as(
            &path("rating"),
            &teacher.access,
            &json!({ "score": 2, "comment": "Не про мой случай" }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rated["status"], "closed");
    assert_eq!(rated["close_reason"], "rated");
    assert_eq!(rated["answers"][0]["rating"]["score"], 2);
    let p = problem(
        app.post_as(&path("rating"), &teacher.access, &json!({ "score": 5 }))
            .await,
        409,
    )
    .await;
    assert_eq!(p.code, "already_rated");

    // Rated 3 or lower: the teacher may still ask for a person, once.
    let escalated: Value = app
        .post_as(&path("escalate"), &teacher.access, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(escalated["status"], "new");
    assert!(escalated["deadline_at"].is_string());
    let p = problem(
        app.post_as(&path("escalate"), &teacher.access, &json!({}))
            .await,
        409,
    )
    .await;
    assert_eq!(p.code, "not_escalatable");

    let withdrawn: Value = app
        .post_as(&path("withdraw"), &teacher.access, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(withdrawn["close_reason"], "withdrawn");
    problem(
        app.post_as(&path("withdraw"), &teacher.access, &json!({}))
            .await,
        409,
    )
    .await;
    problem(
        app.post_as(
            &path("messages"),
            &teacher.access,
            &json!({ "text": "Ещё вопрос" }),
        )
        .await,
        409,
    )
    .await;
}

#[tokio::test]
async fn follow_up_on_a_bot_answer_routes_it_and_rating_without_answer_is_refused() {
    let app = spawn_app().await;
    app.import_demo_kb().await;
    let teacher = app.dev_login("teacher", Some("77"), "Учитель", true).await;
    let routed = ask(&app, &teacher.access, ROUTED).await;
    let p = problem(
        app.post_as(
            &format!("/api/v1/appeals/{}/rating", routed["id"].as_str().unwrap()),
            &teacher.access,
            &json!({ "score": 4 }),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(p.code, "nothing_to_rate");

    let bot = ask(&app, &teacher.access, ANSWERED).await;
    let followed: Value = app
        .post_as(
            &format!("/api/v1/appeals/{}/messages", bot["id"].as_str().unwrap()),
            &teacher.access,
            &json!({ "text": "А если я не классный руководитель?" }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(followed["status"], "new");
    assert!(followed["deadline_at"].is_string());
    assert_eq!(
        followed["messages"].as_array().unwrap().last().unwrap()["kind"],
        "follow_up"
    );
}

#[tokio::test]
async fn accepting_a_suggestion_closes_as_self_served_and_collects_a_variant() {
    let app = spawn_app().await;
    app.import_demo_kb().await;
    let teacher = app.dev_login("teacher", Some("77"), "Учитель", true).await;
    // Find a question with suggestions but no confident answer.
    let mut appeal = Value::Null;
    for text in [
        "нужно ли писать отчёты по воспитательной работе и сколько",
        "какие документы по журналу и программе надо сдавать завучу",
        "что делать с бумагами по классному руководству и отчётам",
    ] {
        let candidate = ask(&app, &teacher.access, text).await;
        if candidate["status"] == "new" && !candidate["suggestions"].as_array().unwrap().is_empty()
        {
            appeal = candidate;
            break;
        }
    }
    assert!(
        appeal.is_object(),
        "one of the questions produced suggestions"
    );
    let id = appeal["id"].as_str().unwrap();
    let article = appeal["suggestions"][0]["article_id"].as_str().unwrap();
    let p = problem(
        app.post_as(
            &format!("/api/v1/appeals/{id}/accept-suggestion"),
            &teacher.access,
            &json!({ "article_id": "kb-999" }),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p.errors[0].code, "not_suggested");
    let closed: Value = app
        .post_as(
            &format!("/api/v1/appeals/{id}/accept-suggestion"),
            &teacher.access,
            &json!({ "article_id": article }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["close_reason"], "self_served");
    assert_eq!(closed["answers"][0]["source"], "self_served");
    let federal = app.dev_login("federal", None, "Куратор", true).await;
    let variants: Value = app
        .get_as("/api/v1/kb/variants", &federal.access)
        .await
        .json()
        .await
        .unwrap();
    assert!(variants["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["appeal_id"] == id && v["article_id"] == article));
}

#[tokio::test]
async fn attachments_are_checked_by_content_and_served_only_in_scope() {
    let app = spawn_app().await;
    let teacher = app.dev_login("teacher", Some("77"), "Учитель", true).await;
    let appeal = ask(&app, &teacher.access, ROUTED).await;
    let id = appeal["id"].as_str().unwrap();
    let upload = |name: &str, bytes: Vec<u8>| {
        let request = app
            .with_token(
                Method::POST,
                &format!("/api/v1/appeals/{id}/attachments?name={name}"),
                &teacher.access,
            )
            .header("content-type", "application/octet-stream")
            .body(bytes);
        async move { request.send().await.unwrap() }
    };
    let pdf = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF".to_vec();
    let created = upload("приказ.pdf", pdf.clone()).await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["content_type"], "application/pdf");
    let p = problem(
        upload("photo.png", b"MZ\x90\x00 not an image".to_vec()).await,
        422,
    )
    .await;
    assert_eq!(p.errors[0].code, "unsupported_type");
    let p = problem(
        upload(
            "big.pdf",
            [b"%PDF-".to_vec(), vec![b'x'; 5 * 1024 * 1024 + 10]].concat(),
        )
        .await,
        413,
    )
    .await;
    assert_eq!(p.code, "payload_too_large");
    upload("2.png", b"\x89PNG\r\n\x1a\n0000".to_vec()).await;
    upload("3.jpg", vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2]).await;
    let p = problem(upload("4.pdf", pdf.clone()).await, 409).await;
    assert_eq!(p.code, "too_many_attachments");

    let file = format!(
        "/api/v1/appeals/{id}/attachments/{}",
        created["id"].as_str().unwrap()
    );
    let download = app.get_as(&file, &teacher.access).await;
    assert_eq!(download.status(), 200);
    assert!(download.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment;"));
    assert_eq!(download.bytes().await.unwrap().to_vec(), pdf);
    let operator = app
        .dev_login("operator", Some("77"), "Оператор", true)
        .await;
    assert_eq!(app.get_as(&file, &operator.access).await.status(), 200);
    let outsider = app
        .dev_login("operator", Some("50"), "Чужой оператор", true)
        .await;
    problem(app.get_as(&file, &outsider.access).await, 404).await;
    let listed: Value = app
        .get_as(&format!("/api/v1/appeals/{id}"), &teacher.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["attachments"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn unread_is_per_person() {
    let app = spawn_app().await;
    let teacher = app.dev_login("teacher", Some("77"), "Учитель", true).await;
    let appeal = ask(&app, &teacher.access, ROUTED).await;
    let id = appeal["id"].as_str().unwrap();
    let a = app
        .dev_login("operator", Some("77"), "Оператор А", true)
        .await;
    let b = app
        .dev_login("operator", Some("77"), "Оператор Б", true)
        .await;
    let get = |token: String| {
        let app = &app;
        async move {
            app.get_as(&format!("/api/v1/appeals/{id}"), &token)
                .await
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(get(a.access.clone()).await["unread"], true);
    assert_eq!(
        app.post_as(&format!("/api/v1/appeals/{id}/read"), &a.access, &json!({}))
            .await
            .status(),
        204
    );
    assert_eq!(get(a.access.clone()).await["unread"], false);
    assert_eq!(
        get(b.access.clone()).await["unread"],
        true,
        "B has not opened it"
    );

    // A clarification is unread for the teacher until they open it.
    assert_eq!(get(teacher.access.clone()).await["unread"], false);
    app.post_as(
        &format!("/api/v1/appeals/{id}/messages"),
        &a.access,
        &json!({ "text": "Уточните, пожалуйста, класс" }),
    )
    .await;
    let seen = get(teacher.access.clone()).await;
    assert_eq!(seen["unread"], true);
    assert_eq!(
        seen["messages"].as_array().unwrap().last().unwrap()["kind"],
        "clarification"
    );
    app.post_as(
        &format!("/api/v1/appeals/{id}/read"),
        &teacher.access,
        &json!({}),
    )
    .await;
    assert_eq!(get(teacher.access.clone()).await["unread"], false);
}

#[tokio::test]
async fn thanks_or_a_greeting_alone_is_not_a_question() {
    let app = spawn_app().await;
    app.import_demo_kb().await;
    let teacher = app
        .dev_login("teacher", Some("16"), "Сафина Алия Рустемовна", true)
        .await;
    for text in ["Спасибо большое!", "Здравствуйте, добрый день!"]
    {
        let response = app
            .post_as("/api/v1/appeals", &teacher.access, &json!({ "text": text }))
            .await;
        let refused = problem(response, 422).await;
        assert_eq!(refused.code, "not_a_question", "{text}");
        assert_eq!(
            refused.errors[0].field, "text",
            "shown under the question field"
        );
        assert!(refused.detail.contains("не вопрос"), "{}", refused.detail);
    }
    let list: Value = app
        .get_as("/api/v1/appeals", &teacher.access)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        list["items"].as_array().unwrap().is_empty(),
        "no appeal was created"
    );
    // A real question from the same teacher still goes through.
    let asked = ask(&app, &teacher.access, ANSWERED).await;
    assert_eq!(asked["status"], "answered_by_bot");
}
