//! Hostile input against the teacher's and the operator's writes: every case gets a clear
//! 4xx problem (or is stored exactly as harmless text), the server keeps answering, and
//! nothing is stored half-way. (Malformed, non-UTF-8, wrong-type and oversized bodies on
//! the sign-in are in `foundation.rs`; the mini-app drawing markup as text is in
//! `browser_hostile.rs`.)

use std::io::{Read, Write};
use std::time::Duration;

use integration_tests::{problem, spawn_app, Session, TestApp};
use serde_json::{json, Value};

async fn count(app: &TestApp, token: &str) -> usize {
    let response = app.get_as("/api/v1/appeals?limit=100", token).await;
    assert_eq!(response.status(), 200);
    let page: Value = response.json().await.unwrap();
    page["items"].as_array().unwrap().len()
}

async fn post_raw(
    app: &TestApp,
    session: &Session,
    path: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    app.with_token(reqwest::Method::POST, path, &session.access)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("answer")
}

#[tokio::test]
async fn hostile_text_is_stored_as_text_or_refused_whole() {
    let app = spawn_app().await;
    let teacher = app
        .dev_login("teacher", Some("16"), "Тимофеева Ольга", true)
        .await;

    // SQL and markup are just words: stored and returned exactly.
    let sql = "Журнал'); DROP TABLE appeals; -- и ещё \" OR 1=1 -- вопрос про отчёт";
    let response = app
        .post_as("/api/v1/appeals", &teacher.access, &json!({ "text": sql }))
        .await;
    assert_eq!(response.status(), 201);
    let stored: Value = response.json().await.unwrap();
    assert_eq!(stored["text"], sql);
    assert_eq!(
        count(&app, &teacher.access).await,
        1,
        "the table is still there"
    );

    // NUL and other control characters are removed, the rest kept.
    let response = app
        .post_as(
            "/api/v1/appeals",
            &teacher.access,
            &json!({ "text": "Как\u{0}сдать\u{7}отчёт о\u{1b}[31m\u{0} посещаемости за месяц?" }),
        )
        .await;
    assert_eq!(response.status(), 201);
    let cleaned: Value = response.json().await.unwrap();
    let text = cleaned["text"].as_str().unwrap();
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "{text:?}"
    );
    assert!(text.contains("посещаемости"), "{text}");

    // Refused whole, nothing stored: too long, only punctuation, wrong types, huge numbers,
    // deep nesting, a NUL inside the JSON syntax.
    let before = count(&app, &teacher.access).await;
    let long = "а".repeat(4001);
    for (body, status) in [
        (json!({ "text": long }).to_string().into_bytes(), 422),
        (
            json!({ "text": "?!… ——— ???" }).to_string().into_bytes(),
            422,
        ),
        (
            json!({ "text": ["список", "вместо", "текста"] })
                .to_string()
                .into_bytes(),
            400,
        ),
        (
            r#"{"text": "Вопрос про журнал посещаемости", "anonymous": 1e999}"#
                .as_bytes()
                .to_vec(),
            400,
        ),
        (
            format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes(),
            400,
        ),
        (b"{\"text\": \"x\"\x00}".to_vec(), 400),
    ] {
        let response = post_raw(&app, &teacher, "/api/v1/appeals", body).await;
        let p = problem(response, status).await;
        assert!(
            !p.detail.is_empty() && p.detail.chars().any(|c| ('а'..='я').contains(&c)),
            "{p:?}"
        );
    }
    assert_eq!(
        count(&app, &teacher.access).await,
        before,
        "nothing stored half-way"
    );

    // A rating with an absurd score or an endless comment: refused, the answer stays unrated.
    let id = stored["id"].as_str().unwrap();
    let operator = app
        .dev_login("operator", Some("16"), "Оператор Дежурный", true)
        .await;
    let response = app
        .post_as(
            &format!("/api/v1/appeals/{id}/answer"),
            &operator.access,
            &json!({ "text": "Отчёт сдаётся раз в четверть, форма — у завуча." }),
        )
        .await;
    assert_eq!(response.status(), 200);
    for body in [
        r#"{"score": 99999999999999999999999}"#.to_owned(),
        json!({ "score": -1 }).to_string(),
        json!({ "score": 5, "comment": "х".repeat(2001) }).to_string(),
    ] {
        let response = post_raw(
            &app,
            &teacher,
            &format!("/api/v1/appeals/{id}/rating"),
            body.into_bytes(),
        )
        .await;
        let status = response.status().as_u16();
        assert!(status == 400 || status == 422, "{status}");
        problem(response, status).await;
    }
    let appeal: Value = app
        .get_as(&format!("/api/v1/appeals/{id}"), &teacher.access)
        .await
        .json()
        .await
        .unwrap();
    assert!(appeal["answers"][0]["rating"].is_null(), "{appeal}");
    assert_eq!(appeal["status"], "answered");
}

#[tokio::test]
async fn a_slow_client_is_cut_off_and_others_are_served_meanwhile() {
    let app = spawn_app().await;
    let address = app
        .url("/")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    // Half a request, then silence.
    let slow = std::thread::spawn(move || {
        let mut stream = std::net::TcpStream::connect(address).expect("connect");
        stream
            .write_all(b"POST /api/v1/appeals HTTP/1.1\r\nHost: localhost\r\nContent-Le")
            .expect("write");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        let started = std::time::Instant::now();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        (
            started.elapsed(),
            String::from_utf8_lossy(&answer).into_owned(),
        )
    });
    // Meanwhile the service answers everyone else.
    for _ in 0..5 {
        let response = app.get("/healthz").await;
        assert_eq!(response.status(), 200);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (waited, answer) = tokio::task::spawn_blocking(move || slow.join().expect("thread"))
        .await
        .unwrap();
    assert!(waited < Duration::from_secs(20), "cut off after {waited:?}");
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
}
