//! The log never holds personal data (ФИО, e-mail, question text) or credentials (passwords,
//! tokens, launch data): the test captures everything the server logs at debug level while
//! it handles such requests, and greps it.

use integration_tests::logs::{capture, logged};
use integration_tests::{launch_data, spawn_app};
use serde_json::{json, Value};

#[tokio::test]
async fn personal_data_and_credentials_never_reach_the_log() {
    capture();
    let app = spawn_app().await;

    let init_data = launch_data(123_456, "Евдокия", "Прохорова-Лебедь");
    let pair: Value = app
        .post_json("/api/v1/auth/max", &json!({ "init_data": init_data }))
        .await
        .json()
        .await
        .unwrap();
    let token = pair["access_token"].as_str().unwrap().to_owned();
    app.patch_as(
        "/api/v1/me",
        &token,
        &json!({ "patronymic": "Аркадьевна", "email": "evdokia.secret@school.example", "region": "77", "school": "Лицей Тайный" }),
    )
    .await;
    app.post_as(
        "/api/v1/me/verification",
        &token,
        &json!({ "school": "Лицей Тайный", "position": "учитель" }),
    )
    .await;
    app.post_json("/api/v1/auth/login", &json!({ "email": "evdokia.secret@school.example", "password": "Пароль-Очень-Секретный-42" })).await;
    app.post_json(
        "/api/v1/auth/refresh",
        &json!({ "refresh_token": pair["refresh_token"] }),
    )
    .await;
    app.post_json(
        "/api/v1/auth/max",
        &json!({ "init_data": init_data.replace("q-1", "q-2") }),
    )
    .await;
    let teacher = app
        .dev_login("teacher", Some("77"), "Засекреченная Фамилия", true)
        .await;
    app.post_as(
        "/api/v1/appeals",
        &teacher.access,
        &json!({ "text": "Мой личный вопрос про журнал инструктажа с фамилией Засекреченная" }),
    )
    .await;
    app.get_as("/api/v1/me", "not-a-token").await;

    let log = logged();
    assert!(
        log.contains("\"request\"") || log.contains("request"),
        "the server did log requests:\n{log}"
    );
    for secret in [
        "Прохорова",
        "Евдокия",
        "Аркадьевна",
        "Засекреченная",
        "evdokia.secret",
        "Лицей Тайный",
        "Пароль-Очень-Секретный",
        token.as_str(),
        pair["refresh_token"].as_str().unwrap(),
        init_data.split("hash=").nth(1).unwrap(),
        "личный вопрос",
    ] {
        assert!(!log.contains(secret), "{secret:?} leaked into the log");
    }
}
