//! The authorization matrix: every operation of the OpenAPI document against every kind of
//! caller. The table below is the entry each operation must have: an operation added to the
//! spec without an entry fails this test, so nobody ships an endpoint whose access rules
//! were never written down.

use integration_tests::{spawn_app, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Teacher,
    Operator,
    RegionalHead,
    Federal,
    Admin,
    ApiKey,
}

const EVERYONE: [Who; 7] = [
    Who::Anonymous,
    Who::Teacher,
    Who::Operator,
    Who::RegionalHead,
    Who::Federal,
    Who::Admin,
    Who::ApiKey,
];

/// Who may call an operation.
enum Access {
    /// No sign-in needed (the operation checks its own credentials, e.g. launch data).
    Public,
    /// Signed-in callers of these kinds; any other signed-in caller gets 403, anonymous 401.
    Only(&'static [Who]),
}

use Access::{Only, Public};
use Who::{Admin, ApiKey, Federal, Operator, RegionalHead, Teacher};

const SIGNED_IN: &[Who] = &[Teacher, Operator, RegionalHead, Federal, Admin, ApiKey];
const PEOPLE: &[Who] = &[Teacher, Operator, RegionalHead, Federal, Admin];
const STAFF: &[Who] = &[Operator, RegionalHead, Federal, Admin];

/// The matrix: (method, path) → access and a well-formed body, so that the answer reflects
/// authorization and not a parse error.
fn entry(method: &str, path: &str) -> Option<(Access, Value)> {
    let none = Value::Null;
    Some(match (method, path) {
        ("get", "/healthz" | "/readyz" | "/metrics" | "/api/v1/regions") => (Public, none),
        ("post", "/api/v1/auth/max") => (Public, json!({ "init_data": "auth_date=1&hash=00" })),
        ("post", "/api/v1/auth/refresh" | "/api/v1/auth/logout") => {
            (Public, json!({ "refresh_token": "rt_x" }))
        }
        ("post", "/api/v1/auth/dev-login") => (
            Public,
            json!({ "role": "teacher", "region": "77", "name": "Матрица" }),
        ),
        ("post", "/api/v1/auth/login") => (
            Public,
            json!({ "email": "nobody@example.org", "password": "x" }),
        ),
        // A link that does not work answers 410 (and, after a few, 429): never 401/403.
        ("post", "/api/v1/auth/invite") => (
            Public,
            json!({ "token": "no-such-invitation", "password": "пароль-для-матрицы" }),
        ),
        ("post", "/api/v1/auth/totp/enroll") => (Only(STAFF), json!({})),
        ("get", "/api/v1/auth/esia/start") => (Only(&[Teacher]), none),
        ("get", "/api/v1/auth/esia/callback") => (Public, none),
        ("get", "/api/v1/me") => (Only(SIGNED_IN), none),
        ("patch", "/api/v1/me") => (Only(PEOPLE), json!({ "school": "Школа № 1" })),
        ("delete", "/api/v1/me") => (Only(PEOPLE), none),
        // Dev-login staff have no password: only staff signing in with one may (identity.rs).
        ("post", "/api/v1/me/password") => (
            Only(&[]),
            json!({ "current_password": "одноразовый", "new_password": "новый-пароль-2026" }),
        ),
        ("post", "/api/v1/me/verification") => (
            Only(&[Teacher]),
            json!({ "school": "Школа", "position": "учитель" }),
        ),
        // Valid launch data is filled in per request (see LAUNCH).
        ("post", "/api/v1/me/max-link") => (Only(STAFF), json!({ "init_data": LAUNCH })),
        ("get", "/api/v1/admin/users") => (Only(&[Admin, RegionalHead, Operator]), none),
        ("post", "/api/v1/admin/users") => (
            Only(&[Admin, RegionalHead]),
            json!({ "email": "new-op@example.org", "role": "operator", "regions": ["77"] }),
        ),
        ("patch", "/api/v1/admin/users/{id}") => {
            (Only(&[Admin, RegionalHead]), json!({ "is_blocked": false }))
        }
        ("post", "/api/v1/admin/users/{id}/invite") => (Only(&[Admin, RegionalHead]), none),
        ("post", "/api/v1/admin/users/{id}/verification") => {
            (Only(&[Admin, Operator]), json!({ "decision": "confirm" }))
        }
        ("get", "/api/v1/admin/api-keys") => (Only(&[Admin]), none),
        ("post", "/api/v1/admin/api-keys") => (
            Only(&[Admin]),
            json!({ "name": "Матрица", "regions": ["77"] }),
        ),
        ("delete", "/api/v1/admin/api-keys/{id}") => (Only(&[Admin]), none),
        ("get", "/api/v1/admin/audit") => (Only(&[Admin, Federal]), none),
        ("get", "/api/v1/kb/search") => (Only(SIGNED_IN), none),
        ("get", "/api/v1/kb/articles" | "/api/v1/kb/articles/{id}") => (Only(SIGNED_IN), none),
        ("post", "/api/v1/kb/articles") => (
            Only(&[Federal]),
            json!({ "title": "Матрица", "question": "Вопрос для проверки прав доступа?", "answer": "Ответ для проверки прав доступа." }),
        ),
        ("patch", "/api/v1/kb/articles/{id}") => {
            (Only(&[Federal]), json!({ "title": "Новое название" }))
        }
        ("post", "/api/v1/kb/articles/{id}/publish" | "/api/v1/kb/articles/{id}/archive") => {
            (Only(&[Federal]), none)
        }
        ("get", "/api/v1/kb/articles/{id}/versions" | "/api/v1/kb/variants") => {
            (Only(&[Federal]), none)
        }
        ("post", "/api/v1/kb/variants/{id}/confirm" | "/api/v1/kb/variants/{id}/reject") => {
            (Only(&[Federal]), none)
        }
        ("get", "/api/v1/kb/synonyms") => (Only(STAFF), none),
        ("post", "/api/v1/appeals") => (
            Only(&[Teacher]),
            json!({ "text": "Вопрос для проверки прав доступа" }),
        ),
        ("get", "/api/v1/appeals") => (
            Only(&[Teacher, Operator, RegionalHead, Federal, ApiKey]),
            none,
        ),
        ("get", "/api/v1/appeals/{id}") => (
            Only(&[Teacher, Operator, RegionalHead, Federal, ApiKey]),
            none,
        ),
        ("post", "/api/v1/appeals/{id}/messages") => {
            (Only(&[Teacher, Operator]), json!({ "text": "Сообщение" }))
        }
        ("post", "/api/v1/appeals/{id}/attachments") => (Only(&[Teacher]), none),
        ("get", "/api/v1/appeals/{id}/attachments/{attachment_id}") => (
            Only(&[Teacher, Operator, RegionalHead, Federal, ApiKey]),
            none,
        ),
        ("post", "/api/v1/appeals/{id}/escalate" | "/api/v1/appeals/{id}/withdraw") => {
            (Only(&[Teacher]), none)
        }
        ("post", "/api/v1/appeals/{id}/rating") => (Only(&[Teacher]), json!({ "score": 5 })),
        ("post", "/api/v1/appeals/{id}/accept-suggestion") => {
            (Only(&[Teacher]), json!({ "article_id": "kb-001" }))
        }
        ("post", "/api/v1/appeals/{id}/read") => {
            (Only(&[Teacher, Operator, RegionalHead, Federal]), none)
        }
        ("get", "/api/v1/appeals/board") => (Only(&[Operator, RegionalHead, Federal]), none),
        ("get", "/api/v1/calendar/{year}") => (Only(STAFF), none),
        // An empty body reaches the handler (415 after the role check).
        ("put", "/api/v1/calendar/{year}") => (Only(&[Federal]), none),
        ("post", "/api/v1/appeals/{id}/assign") => {
            (Only(&[Operator]), json!({ "operator_id": null }))
        }
        ("post", "/api/v1/appeals/{id}/answer") => (
            Only(&[Operator]),
            json!({ "text": "Ответ для проверки прав" }),
        ),
        ("post", "/api/v1/appeals/{id}/notes") => (Only(&[Operator]), json!({ "text": "Заметка" })),
        ("post", "/api/v1/appeals/{id}/bot-grade") => {
            (Only(&[Operator]), json!({ "grade": "correct" }))
        }
        ("post", "/api/v1/appeals/{id}/close") => (Only(&[Operator]), json!({ "reason": "spam" })),
        ("post", "/api/v1/appeals/{id}/transfer") => (Only(&[Operator]), json!({ "region": "50" })),
        ("put", "/api/v1/kb/synonyms") => (
            Only(&[Federal]),
            json!({ "items": [{ "term": "ктп", "expansions": ["календарно-тематическое планирование"] }] }),
        ),
        // MAX proves itself with its secret header, not a token: 401 without it, never 403.
        ("post", "/api/v1/max/webhook") => (
            Public,
            json!({ "update_type": "bot_started", "timestamp": 1, "user": { "user_id": 1 } }),
        ),
        ("get", "/api/v1/webhooks") => (Only(&[Admin]), none),
        ("post", "/api/v1/webhooks") => (
            Only(&[Admin]),
            // A loopback port nobody listens on: the matrix must not reach outside.
            json!({ "url": "http://127.0.0.1:9/hook", "events": ["appeal.created"], "regions": ["77"] }),
        ),
        ("delete", "/api/v1/webhooks/{id}") => (Only(&[Admin]), none),
        ("post", "/api/v1/webhooks/{id}/ping" | "/api/v1/webhooks/{id}/rotate-secret") => {
            (Only(&[Admin]), none)
        }
        ("get", "/api/v1/webhooks/{id}/deliveries" | "/api/v1/admin/outbox") => {
            (Only(&[Admin]), none)
        }
        ("post", "/api/v1/admin/outbox/{id}/retry") => (Only(&[Admin]), none),
        ("get", "/api/v1/stats/summary" | "/api/v1/stats/regions" | "/api/v1/stats/timeseries") => {
            (Only(&[Operator, RegionalHead, Federal, ApiKey]), none)
        }
        ("get", "/api/v1/stats/operators") => (Only(&[RegionalHead, Federal]), none),
        ("get", "/api/v1/reports/appeals.csv" | "/api/v1/reports/appeals.xlsx") => {
            (Only(&[Operator, RegionalHead, Federal]), none)
        }
        _ => return None,
    })
}

/// Placeholder for fresh, validly signed launch data.
const LAUNCH: &str = "<launch data>";

async fn token_for(app: &TestApp, who: Who, tag: &str) -> Option<String> {
    let name = format!("Матрица {tag}");
    Some(match who {
        Who::Anonymous => return None,
        Who::Teacher => {
            app.dev_login("teacher", Some("77"), &name, true)
                .await
                .access
        }
        Who::Operator => {
            app.dev_login("operator", Some("77"), &name, true)
                .await
                .access
        }
        Who::RegionalHead => {
            app.dev_login("regional_head", Some("77"), &name, true)
                .await
                .access
        }
        Who::Federal => app.dev_login("federal", None, &name, true).await.access,
        Who::Admin => app.dev_login("admin", None, &name, true).await.access,
        Who::ApiKey => {
            let admin = app
                .dev_login("admin", None, "Матрица выдаёт ключи", true)
                .await
                .access;
            let created: Value = app
                .post_as(
                    "/api/v1/admin/api-keys",
                    &admin,
                    &json!({ "name": name, "regions": ["77"] }),
                )
                .await
                .json()
                .await
                .unwrap();
            created["key"].as_str().unwrap().to_owned()
        }
    })
}

#[tokio::test]
async fn every_operation_has_an_entry_and_answers_by_role() {
    let app = spawn_app().await;
    let spec = serde_json::to_value(api::openapi::document()).unwrap();
    let paths = spec["paths"].as_object().unwrap();
    let mut missing = Vec::new();
    let mut checked = 0;
    for (path, item) in paths {
        for (method, _) in item.as_object().unwrap() {
            let Some((access, body)) = entry(method, path) else {
                missing.push(format!("{} {path}", method.to_uppercase()));
                continue;
            };
            let concrete = path
                .replace("{id}", "00000000000000000000000000000000")
                .replace("{attachment_id}", "0")
                .replace("{year}", "2026");
            // Search needs its query parameter to reach the handler.
            let concrete = match path.as_str() {
                "/api/v1/kb/search" => format!("{concrete}?q=ктп"),
                "/api/v1/appeals/{id}/attachments" => format!("{concrete}?name=file.pdf"),
                _ => concrete,
            };
            for (i, who) in EVERYONE.into_iter().enumerate() {
                // Fresh callers per operation: some operations (DELETE /me) end the caller.
                let token = token_for(&app, who, &format!("{method} {path} {i}")).await;
                let mut request = app.client.request(
                    Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
                    app.url(&concrete),
                );
                if let Some(token) = &token {
                    request = request.bearer_auth(token);
                }
                if body == json!({ "init_data": LAUNCH }) {
                    let max_id = 900_000 + i64::from(checked);
                    request = request.json(&json!({ "init_data": integration_tests::launch_data(max_id, "Матрица", "") }));
                } else if !body.is_null() {
                    request = request.json(&body);
                }
                let status = request.send().await.unwrap().status().as_u16();
                let label = format!("{} {path} as {who:?}: {status}", method.to_uppercase());
                assert!(status < 500, "{label}");
                match &access {
                    Public => assert_ne!(status, 403, "{label}"),
                    Only(allowed) if allowed.contains(&who) => {
                        assert!(
                            status != 401 && status != 403,
                            "{label} (should be allowed)"
                        );
                    }
                    Only(_) if who == Who::Anonymous => assert_eq!(status, 401, "{label}"),
                    Only(_) => assert_eq!(status, 403, "{label} (should be forbidden)"),
                }
                checked += 1;
            }
        }
    }
    assert!(
        missing.is_empty(),
        "operations without an entry in the authorization matrix: {missing:?}"
    );
    assert!(checked > 100, "the matrix ran ({checked} checks)");
}
