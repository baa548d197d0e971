//! A teacher's first steps (issues #18, #19): the decision on a verification request told
//! through the bot (with the refusal's reason) and a banner until seen; the consent version
//! naming every reader, asked again of those who agreed to an earlier one, with their
//! appeals anonymous to leadership and integrators until they accept; the education level
//! and the organisation's INN/OGRN. Both backends (`TEST_BACKEND`).

use api::db::schema::{appeals, outbox, users};
use api::db::{self, Backend, Db};
use diesel::prelude::*;
use integration_tests::{ok_json as json_of, problem, spawn_app, TestApp};
use serde_json::{json, Value};

const ROUTED: &str = "Как оформить возврат денег родителям за сорванную экскурсию в музей?";

fn test_db(app: &TestApp) -> Db {
    Db::new(
        db::connect(&app.database_url, 2).unwrap(),
        Backend::of(&app.database_url),
    )
}

/// The bot messages waiting in the outbox for MAX user `max_id`: their texts.
async fn bot_texts(db: &Db, max_id: i64) -> Vec<String> {
    let payloads: Vec<String> = db
        .read(|conn| {
            Ok(outbox::table
                .filter(outbox::kind.eq("max_message"))
                .order((outbox::created_at.asc(), outbox::id.asc()))
                .select(outbox::payload)
                .load(conn)?)
        })
        .await
        .unwrap();
    payloads
        .iter()
        .map(|p| serde_json::from_str::<Value>(p).unwrap())
        .filter(|m| m["user_id"] == max_id)
        .map(|m| m["text"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_teacher_is_told_the_decision_with_the_reason_and_sees_a_banner_until_seen() {
    let app = spawn_app().await;
    let db = test_db(&app);
    let (token, id) = app
        .max_teacher_with_consent(7101, shared::users::CONSENT_VERSION)
        .await;
    let operator = app
        .dev_login("operator", Some("16"), "Оператор Казани", true)
        .await;
    let request = json!({ "school": "МБОУ СОШ № 5", "position": "учитель", "region": "16" });
    json_of(
        app.post_as("/api/v1/me/verification", &token, &request)
            .await,
    )
    .await;
    let onboarding = json_of(app.get_as("/api/v1/me/onboarding", &token).await).await;
    assert_eq!(onboarding["decision_unseen"], false);

    let decide = format!("/api/v1/admin/users/{id}/verification");
    let reason = "Школа не найдена в реестре региона";
    json_of(
        app.post_as(
            &decide,
            &operator.access,
            &json!({ "decision": "reject", "reason": reason }),
        )
        .await,
    )
    .await;
    let texts = bot_texts(&db, 7101).await;
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert!(
        texts[0].contains("отклонена") && texts[0].contains(reason),
        "{texts:?}"
    );
    let onboarding = json_of(app.get_as("/api/v1/me/onboarding", &token).await).await;
    assert_eq!(onboarding["decision_unseen"], true);
    let me = app.me(&token).await;
    assert_eq!(me["verification"]["note"], reason);
    let seen = app
        .post_as("/api/v1/me/verification/seen", &token, &json!({}))
        .await;
    assert_eq!(seen.status(), 204);
    let onboarding = json_of(app.get_as("/api/v1/me/onboarding", &token).await).await;
    assert_eq!(onboarding["decision_unseen"], false);

    // A second request, confirmed this time: told again, the banner is back.
    json_of(
        app.post_as("/api/v1/me/verification", &token, &request)
            .await,
    )
    .await;
    json_of(
        app.post_as(&decide, &operator.access, &json!({ "decision": "confirm" }))
            .await,
    )
    .await;
    let texts = bot_texts(&db, 7101).await;
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(texts[1].contains("подтверждён"), "{texts:?}");
    let onboarding = json_of(app.get_as("/api/v1/me/onboarding", &token).await).await;
    assert_eq!(onboarding["decision_unseen"], true);
    // Only teachers have a banner.
    problem(
        app.get_as("/api/v1/me/onboarding", &operator.access).await,
        403,
    )
    .await;
}

/// The appeal `id` as `token` reads it: its `author_name`.
async fn author_seen(app: &TestApp, token: &str, id: &str) -> Value {
    json_of(app.get_as(&format!("/api/v1/appeals/{id}"), token).await).await["author_name"].clone()
}

#[tokio::test]
async fn an_earlier_consent_is_asked_again_and_leadership_and_integrators_see_no_name_until_accepted(
) {
    let app = spawn_app().await;
    let db = test_db(&app);
    let (token, id) = app.max_teacher_with_consent(7102, "2026-11").await;
    let admin = app.dev_login("admin", None, "Админ", true).await;
    json_of(
        app.post_as(
            "/api/v1/me/verification",
            &token,
            &json!({ "school": "Школа № 7", "position": "учитель", "region": "16" }),
        )
        .await,
    )
    .await;
    json_of(
        app.post_as(
            &format!("/api/v1/admin/users/{id}/verification"),
            &admin.access,
            &json!({ "decision": "confirm" }),
        )
        .await,
    )
    .await;
    let appeal = json_of(
        app.post_as("/api/v1/appeals", &token, &json!({ "text": ROUTED }))
            .await,
    )
    .await;
    let appeal_id = appeal["id"].as_str().unwrap().to_owned();
    let operator = app
        .dev_login("operator", Some("16"), "Оператор Казани", true)
        .await;
    let head = app
        .dev_login("regional_head", Some("16"), "Руководитель", true)
        .await;
    let federal = app.dev_login("federal", None, "Федеральный", true).await;
    let key = json_of(
        app.post_as(
            "/api/v1/admin/api-keys",
            &admin.access,
            &json!({ "name": "Портал", "regions": ["16"] }),
        )
        .await,
    )
    .await["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let name = "Ковалёва Нина";

    let onboarding = json_of(app.get_as("/api/v1/me/onboarding", &token).await).await;
    assert_eq!(onboarding["consent_asked"], true);
    assert_eq!(
        onboarding["consent_current"],
        shared::users::CONSENT_VERSION
    );
    assert_eq!(onboarding["named_to_leadership"], false);
    assert_eq!(author_seen(&app, &operator.access, &appeal_id).await, name);
    for reader in [&head.access, &federal.access, &key] {
        assert!(author_seen(&app, reader, &appeal_id).await.is_null());
    }
    let list = json_of(app.get_as("/api/v1/appeals", &head.access).await).await;
    assert!(list["items"][0]["author_name"].is_null(), "{list}");

    // Only the current version can be answered.
    let p = problem(
        app.with_token(reqwest::Method::PUT, "/api/v1/me/consent", &token)
            .json(&json!({ "version": "2026-11", "accepted": true }))
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(p.errors[0].code, "outdated");

    // Declined: not asked again, still anonymous to leadership; both answers recorded.
    let answer = |accepted: bool| {
        app.with_token(reqwest::Method::PUT, "/api/v1/me/consent", &token)
            .json(&json!({ "version": shared::users::CONSENT_VERSION, "accepted": accepted }))
            .send()
    };
    let declined = json_of(answer(false).await.unwrap()).await;
    assert_eq!(declined["consent_asked"], false);
    assert_eq!(declined["consent_declined"], shared::users::CONSENT_VERSION);
    assert!(author_seen(&app, &head.access, &appeal_id).await.is_null());
    let key_id = id.clone();
    let (accepted, declined_at): (Option<String>, Option<chrono::NaiveDateTime>) = db
        .read(move |conn| {
            Ok(users::table
                .find(&key_id)
                .select((users::consent_version, users::consent_declined_at))
                .first(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(accepted.as_deref(), Some("2026-11"));
    assert!(declined_at.is_some());

    // Accepted: every reader the notice names sees the name.
    let now = json_of(answer(true).await.unwrap()).await;
    assert_eq!(now["named_to_leadership"], true);
    assert_eq!(now["consent_asked"], false);
    for reader in [&head.access, &federal.access, &key, &operator.access] {
        assert_eq!(author_seen(&app, reader, &appeal_id).await, name);
    }
    let me = app.me(&token).await;
    assert_eq!(me["consent_version"], shared::users::CONSENT_VERSION);
}

#[tokio::test]
async fn the_education_level_and_the_organisation_numbers_are_checked_and_snapshotted() {
    let app = spawn_app().await;
    let db = test_db(&app);
    let (token, id) = app
        .max_teacher_with_consent(7103, shared::users::CONSENT_VERSION)
        .await;
    let p = problem(
        app.patch_as(
            "/api/v1/me",
            &token,
            &json!({ "education_level": "spo", "inn": "7707083894", "ogrn": "102770013219" }),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p.errors[0].field, "inn");
    assert_eq!(p.errors[0].code, "invalid");
    let unknown = app
        .patch_as("/api/v1/me", &token, &json!({ "education_level": "vuz" }))
        .await;
    assert!(unknown.status().is_client_error(), "{}", unknown.status());
    json_of(
        app.patch_as(
            "/api/v1/me",
            &token,
            &json!({ "education_level": "spo", "inn": "7707083893", "ogrn": "1027700132195" }),
        )
        .await,
    )
    .await;
    let onboarding = json_of(app.get_as("/api/v1/me/onboarding", &token).await).await;
    assert_eq!(onboarding["education_level"], "spo");
    assert_eq!(onboarding["inn"], "7707083893");
    assert_eq!(onboarding["ogrn"], "1027700132195");

    // The verification request may name the level too; the operator's queue shows it.
    json_of(
        app.post_as(
            "/api/v1/me/verification",
            &token,
            &json!({ "school": "Казанский колледж связи", "position": "преподаватель", "education_level": "spo" }),
        )
        .await,
    )
    .await;
    let operator = app
        .dev_login("operator", Some("16"), "Оператор Казани", true)
        .await;
    let queue = json_of(
        app.get_as(
            "/api/v1/admin/users?role=teacher&verification=pending",
            &operator.access,
        )
        .await,
    )
    .await;
    assert_eq!(queue["items"][0]["education_level"], "spo", "{queue}");
    json_of(
        app.post_as(
            &format!("/api/v1/admin/users/{id}/verification"),
            &operator.access,
            &json!({ "decision": "confirm" }),
        )
        .await,
    )
    .await;
    let appeal = json_of(
        app.post_as("/api/v1/appeals", &token, &json!({ "text": ROUTED }))
            .await,
    )
    .await;
    let appeal_id = appeal["id"].as_str().unwrap().to_owned();
    let level: Option<String> = db
        .read(move |conn| {
            Ok(appeals::table
                .find(&appeal_id)
                .select(appeals::education_level)
                .first(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(level.as_deref(), Some("spo"));
}
