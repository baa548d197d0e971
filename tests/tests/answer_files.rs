//! Files on an operator's answer (issue #18): the operator uploads them before sending the
//! answer (checked like the teacher's: type by content, count), nobody else sees them until
//! the answer is sent, then they belong to the answer's message; the teacher and an
//! integrator's key download them, another teacher and another region's operator get 404.
//! Also the appeal's human number in the XLSX report. Both backends (`TEST_BACKEND`).

use integration_tests::{problem, spawn_app, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const ROUTED: &str = "Как оформить возврат денег родителям за сорванную экскурсию в музей?";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF";

async fn json_of(response: reqwest::Response, status: u16) -> Value {
    let code = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert_eq!(code, status, "{text}");
    serde_json::from_str(&text).unwrap()
}

async fn upload(
    app: &TestApp,
    token: &str,
    id: &str,
    name: &str,
    bytes: &[u8],
) -> reqwest::Response {
    app.with_token(
        Method::POST,
        &format!("/api/v1/appeals/{id}/answer/attachments?name={name}"),
        token,
    )
    .header("content-type", "application/octet-stream")
    .body(bytes.to_vec())
    .send()
    .await
    .unwrap()
}

async fn ask(app: &TestApp, token: &str) -> String {
    let appeal = json_of(
        app.post_as("/api/v1/appeals", token, &json!({ "text": ROUTED }))
            .await,
        201,
    )
    .await;
    appeal["id"].as_str().unwrap().to_owned()
}

async fn reader_key(app: &TestApp) -> String {
    let admin = app.dev_login("admin", None, "Админ Ключей", true).await;
    let created = json_of(
        app.post_as(
            "/api/v1/admin/api-keys",
            &admin.access,
            &json!({ "name": "Портал региона", "regions": ["77"], "permissions": ["appeals:read"] }),
        )
        .await,
        201,
    )
    .await;
    created["key"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_operator_answers_with_a_file_that_only_readers_of_the_appeal_download() {
    let app = spawn_app().await;
    let teacher = app.dev_login("teacher", Some("77"), "Учитель", true).await;
    let operator = app
        .dev_login("operator", Some("77"), "Оператор", true)
        .await;
    let id = ask(&app, &teacher.access).await;

    // Uploaded before the answer: it waits, and the teacher sees nothing yet.
    let file = json_of(
        upload(&app, &operator.access, &id, "ответ.pdf", PDF).await,
        201,
    )
    .await;
    assert_eq!(file["content_type"], "application/pdf");
    assert!(file["message_id"].is_null());
    let file_id = file["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/appeals/{id}/attachments/{file_id}");
    problem(app.get_as(&path, &teacher.access).await, 404).await;
    let seen = json_of(
        app.get_as(&format!("/api/v1/appeals/{id}"), &teacher.access)
            .await,
        200,
    )
    .await;
    assert_eq!(seen["attachments"], json!([]));
    // A retry of the same file is the same file.
    let again = json_of(
        upload(&app, &operator.access, &id, "ответ.pdf", PDF).await,
        201,
    )
    .await;
    assert_eq!(again["id"], file_id.as_str());

    // The teacher's checks: type by content (problem+json), at most 3 per answer.
    let bad = upload(
        &app,
        &operator.access,
        &id,
        "photo.png",
        b"MZ\x90\x00 not an image",
    )
    .await;
    assert_eq!(bad.headers()["content-type"], "application/problem+json");
    let p = problem(bad, 422).await;
    assert_eq!(p.errors[0].code, "unsupported_type");
    let png = b"\x89PNG\r\n\x1a\n0000";
    json_of(upload(&app, &operator.access, &id, "2.png", png).await, 201).await;
    json_of(upload(&app, &operator.access, &id, "3.png", png).await, 201).await;
    let p = problem(upload(&app, &operator.access, &id, "4.png", png).await, 409).await;
    assert_eq!(p.code, "too_many_attachments");
    // Only operators attach to answers; another region's operator does not find the appeal.
    problem(upload(&app, &teacher.access, &id, "t.pdf", PDF).await, 403).await;
    let outsider = app
        .dev_login("operator", Some("50"), "Чужой оператор", true)
        .await;
    problem(upload(&app, &outsider.access, &id, "x.pdf", PDF).await, 404).await;

    // The answer takes the files: they belong to its message.
    let answered = json_of(
        app.post_as(
            &format!("/api/v1/appeals/{id}/answer"),
            &operator.access,
            &json!({ "text": "Возврат оформляется приказом директора, образец во вложении." }),
        )
        .await,
        200,
    )
    .await;
    let answer_message = answered["appeal"]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "answer")
        .unwrap()["id"]
        .clone();
    let seen = json_of(
        app.get_as(&format!("/api/v1/appeals/{id}"), &teacher.access)
            .await,
        200,
    )
    .await;
    let files = seen["attachments"].as_array().unwrap();
    assert_eq!(files.len(), 3);
    assert!(files.iter().all(|f| f["message_id"] == answer_message));
    let download = app.get_as(&path, &teacher.access).await;
    assert_eq!(download.status(), 200);
    assert_eq!(download.bytes().await.unwrap().to_vec(), PDF);
    let after = upload(&app, &operator.access, &id, "late.pdf", PDF).await;
    assert_eq!(problem(after, 409).await.code, "not_awaiting_answer");

    // Another teacher and another region's operator: 404; the integrator's key reads them.
    let stranger = app
        .dev_login("teacher", Some("77"), "Другой учитель", true)
        .await;
    problem(app.get_as(&path, &stranger.access).await, 404).await;
    problem(app.get_as(&path, &outsider.access).await, 404).await;
    let key = reader_key(&app).await;
    let by_key = json_of(
        app.get_as(&format!("/api/v1/appeals/{id}"), &key).await,
        200,
    )
    .await;
    assert_eq!(by_key["attachments"].as_array().unwrap().len(), 3);
    assert_eq!(by_key["attachments"][0]["message_id"], answer_message);
    assert_eq!(app.get_as(&path, &key).await.status(), 200);
}

#[tokio::test]
async fn the_teachers_own_files_are_still_three_whatever_the_answer_carries() {
    let app = spawn_app().await;
    let teacher = app.dev_login("teacher", Some("77"), "Учитель", true).await;
    let operator = app
        .dev_login("operator", Some("77"), "Оператор", true)
        .await;
    let id = ask(&app, &teacher.access).await;
    for name in ["a.pdf", "b.pdf", "c.pdf"] {
        json_of(upload(&app, &operator.access, &id, name, PDF).await, 201).await;
    }
    let own = |name: &str| {
        app.with_token(
            Method::POST,
            &format!("/api/v1/appeals/{id}/attachments?name={name}"),
            &teacher.access,
        )
        .header("content-type", "application/octet-stream")
        .body(PDF.to_vec())
        .send()
    };
    for name in ["1.pdf", "2.pdf", "3.pdf"] {
        assert_eq!(own(name).await.unwrap().status(), 201, "{name}");
    }
    let seen = json_of(
        app.get_as(&format!("/api/v1/appeals/{id}"), &teacher.access)
            .await,
        200,
    )
    .await;
    let files = seen["attachments"].as_array().unwrap();
    assert_eq!(files.len(), 3, "the operator's unsent files are not shown");
    assert!(files.iter().all(|f| f["message_id"].is_null()));
}

#[tokio::test]
async fn the_xlsx_report_names_each_appeal_by_its_number() {
    use calamine::{Data, Reader, Xlsx};
    let app = spawn_app().await;
    let teacher = app.dev_login("teacher", Some("77"), "Учитель", true).await;
    let id = ask(&app, &teacher.access).await;
    let appeal = json_of(
        app.get_as(&format!("/api/v1/appeals/{id}"), &teacher.access)
            .await,
        200,
    )
    .await;
    let number = appeal["number"].as_str().unwrap().to_owned();
    assert!(number.starts_with("77-"), "{number}");
    let federal = app.dev_login("federal", None, "Куратор", true).await;
    let today = chrono::Utc::now().date_naive();
    let range = format!(
        "from={}&to={}",
        today.pred_opt().unwrap(),
        today.succ_opt().unwrap()
    );
    let response = app
        .get_as(
            &format!("/api/v1/reports/appeals.xlsx?{range}"),
            &federal.access,
        )
        .await;
    assert_eq!(response.status(), 200);
    let bytes = response.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("Обращения").unwrap();
    let rows: Vec<&[Data]> = sheet.rows().collect();
    assert_eq!(rows[0][10], Data::String("Номер обращения".into()));
    let row = rows
        .iter()
        .find(|r| r[0] == Data::String(id.clone()))
        .expect("the appeal is in the report");
    assert_eq!(row[10], Data::String(number));
}
