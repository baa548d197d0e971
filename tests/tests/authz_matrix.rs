//! The authorization matrix, generated from the policy table (`api::auth::policy`) and the
//! OpenAPI document: every operation is called as every kind of caller, and the answer must
//! be what the table says for its `operationId`. An operation added to the spec without a
//! policy entry fails this test, so nobody ships an endpoint whose access rules were never
//! written down; so does a policy entry for an operation that no longer exists.

use api::auth::policy::{Access, Action};
use integration_tests::{spawn_app, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use shared::users::Role;

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

impl Who {
    /// The role a signed-in caller of this kind has (API keys belong to integrators).
    fn role(self) -> Option<Role> {
        match self {
            Who::Anonymous => None,
            Who::Teacher => Some(Role::Teacher),
            Who::Operator => Some(Role::Operator),
            Who::RegionalHead => Some(Role::RegionalHead),
            Who::Federal => Some(Role::Federal),
            Who::Admin => Some(Role::Admin),
            Who::ApiKey => Some(Role::Integrator),
        }
    }
}

/// What the test expects of one caller, from the policy table.
#[derive(Debug, PartialEq, Eq)]
enum Expect {
    /// Not 403 (public operations check their own credentials).
    NotForbidden,
    /// Neither 401 nor 403.
    Allowed,
    /// 401.
    SignIn,
    /// 403.
    Forbidden,
}

/// Operations whose handler adds a precondition the matrix's callers cannot meet, so every
/// signed-in caller is refused whatever the table says. Each is covered elsewhere.
fn refused_for_every_matrix_caller(action: Action) -> bool {
    // Staff signed in by the demo sign-in have no password to replace (identity.rs signs in
    // staff with a password and changes it).
    action == Action::ChangePassword
}

fn expectation(action: Action, who: Who) -> Expect {
    match (action.access(), who.role()) {
        (Access::Public, _) => Expect::NotForbidden,
        (Access::Roles(_), None) => Expect::SignIn,
        (Access::Roles(_), Some(_)) if refused_for_every_matrix_caller(action) => Expect::Forbidden,
        (Access::Roles(roles), Some(role)) if roles.contains(&role) => Expect::Allowed,
        (Access::Roles(_), Some(_)) => Expect::Forbidden,
    }
}

/// A well-formed body (or none) per operation, so that the answer reflects authorization
/// and not a parse error.
fn body(action: Action) -> Value {
    match action {
        Action::AuthMax => json!({ "init_data": "auth_date=1&hash=00" }),
        Action::Refresh | Action::Logout => json!({ "refresh_token": "rt_x" }),
        Action::DevLogin => json!({ "role": "teacher", "region": "77", "name": "Матрица" }),
        Action::Login => json!({ "email": "nobody@example.org", "password": "x" }),
        // A link that does not work answers 410 (and, after a few, 429): never 401/403.
        Action::AcceptInvitation => {
            json!({ "token": "no-such-invitation", "password": "пароль-для-матрицы" })
        }
        Action::TotpEnroll => json!({}),
        Action::PasswordReset => json!({ "email": "nobody@example.org" }),
        Action::RenewRecoveryCodes => json!({ "password": "x", "code": "000000" }),
        Action::UpdateMe => json!({ "school": "Школа № 1" }),
        Action::ChangePassword => {
            json!({ "current_password": "одноразовый", "new_password": "новый-пароль-2026" })
        }
        Action::RequestVerification => json!({ "school": "Школа", "position": "учитель" }),
        Action::AnswerConsent => {
            json!({ "version": shared::users::CONSENT_VERSION, "accepted": true })
        }
        // Valid launch data is filled in per request (see LAUNCH).
        Action::LinkMax => json!({ "init_data": LAUNCH }),
        Action::CreateUser => {
            json!({ "email": "new-op@example.org", "role": "operator", "regions": ["77"] })
        }
        Action::UpdateUser => json!({ "is_blocked": false }),
        Action::DecideVerification => json!({ "decision": "confirm" }),
        Action::CreateApiKey => json!({ "name": "Матрица", "regions": ["77"] }),
        Action::CreateArticle => json!({
            "title": "Матрица",
            "question": "Вопрос для проверки прав доступа?",
            "answer": "Ответ для проверки прав доступа."
        }),
        Action::UpdateArticle => json!({ "title": "Новое название" }),
        Action::CreateAppeal => json!({ "text": "Вопрос для проверки прав доступа" }),
        Action::CreateAppealOnBehalf => json!({
            "text": "Вопрос для проверки прав доступа",
            "channel": "phone",
            "person": { "name": "Матрица", "phone": "+7 495 000-00-00", "region": "77" },
            "consent": { "basis": "phone", "version": "2026-11" }
        }),
        Action::PostMessage => json!({ "text": "Сообщение" }),
        Action::Rate => json!({ "score": 5 }),
        Action::AcceptSuggestion => json!({ "article_id": "kb-001" }),
        Action::Assign => json!({ "operator_id": null }),
        Action::AnswerAppeal => json!({ "text": "Ответ для проверки прав" }),
        Action::AddNote => json!({ "text": "Заметка" }),
        Action::BotGrade => json!({ "grade": "correct" }),
        Action::CloseAppeal => json!({ "reason": "spam" }),
        Action::Transfer => json!({ "region": "50" }),
        Action::ControlAppeal => json!({ "comment": "Проверить" }),
        Action::PutSynonyms => json!({
            "items": [{ "term": "ктп", "expansions": ["календарно-тематическое планирование"] }]
        }),
        // MAX proves itself with its secret header, not a token: 401 without it, never 403.
        Action::MaxWebhook => {
            json!({ "update_type": "bot_started", "timestamp": 1, "user": { "user_id": 1 } })
        }
        // A loopback port nobody listens on: the matrix must not reach outside.
        Action::CreateWebhook => json!({
            "url": "http://127.0.0.1:9/hook",
            "events": ["appeal.created"],
            "regions": ["77"]
        }),
        Action::CreateCampaign | Action::UpdateCampaign => json!({
            "title": "Матрица", "text": "Проверка прав", "button_text": null, "button_start": null,
            "regions": ["77"], "levels": [], "verified_only": true, "start_at": null
        }),
        Action::CreatePromo => json!({ "title": "Матрица", "region": "77" }),
        Action::CreateTemplate | Action::UpdateTemplate => {
            json!({ "region": "77", "title": "Матрица", "text": "Проверка прав" })
        }
        // An empty body reaches PUT /calendar/{year} (415 after the role check); the rest
        // take none.
        _ => Value::Null,
    }
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
                    // Every permission, so the key is refused by its role only.
                    &json!({ "name": name, "regions": ["77"],
                             "permissions": ["appeals:read", "appeals:create", "stats:read"] }),
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
    let mut documented = Vec::new();
    let mut checked = 0;
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            let id = operation["operationId"].as_str().unwrap_or_default();
            let Some(action) = Action::from_operation_id(id) else {
                missing.push(format!("{} {path} ({id})", method.to_uppercase()));
                continue;
            };
            documented.push(action);
            let body = body(action);
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
                match expectation(action, who) {
                    Expect::NotForbidden => assert_ne!(status, 403, "{label}"),
                    Expect::Allowed => assert!(
                        status != 401 && status != 403,
                        "{label} (should be allowed)"
                    ),
                    Expect::SignIn => assert_eq!(status, 401, "{label}"),
                    Expect::Forbidden => assert_eq!(status, 403, "{label} (should be forbidden)"),
                }
                checked += 1;
            }
        }
    }
    assert!(
        missing.is_empty(),
        "operations without an entry in the policy table (api/src/auth/policy.rs): {missing:?}"
    );
    let stale: Vec<_> = Action::ALL
        .iter()
        .filter(|a| !documented.contains(a))
        .collect();
    assert!(
        stale.is_empty(),
        "policy entries for operations the API does not have: {stale:?}"
    );
    assert!(checked > 100, "the matrix ran ({checked} checks)");
}
