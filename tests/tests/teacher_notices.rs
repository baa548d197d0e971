//! What a teacher and an operator are told (issues #18, #19): `GET /api/v1/me` carries the
//! unseen verification decision (the mini-app's banner, closed by
//! `POST /api/v1/me/verification/seen`) and the declined notice version (the mini-app then
//! stops asking); the operators' daily digest counts the verification requests of their
//! regions waiting for a decision. Both backends (`TEST_BACKEND`).

use std::collections::HashMap;
use std::sync::Arc;

use api::config::Config;
use api::db::models::NewUser;
use api::db::schema::users;
use api::db::{self, AnyConnection, Backend, Db};
use api::jobs::Worker;
use diesel::prelude::*;
use integration_tests::{ok_json as json_of, spawn_app, spawn_app_with, standins, Overrides};
use serde_json::json;
use shared::users::{Role, CONSENT_VERSION};

#[tokio::test]
async fn me_carries_the_unseen_decision_and_the_declined_notice() {
    let app = spawn_app().await;
    let (token, id) = app.max_teacher_with_consent(7301, "2026-11").await;
    let me = app.me(&token).await;
    assert_eq!(me["verification_unseen"], false, "{me}");
    assert!(me["consent_declined"].is_null(), "{me}");

    // Refused with a reason: the profile says so until the teacher has seen it.
    let operator = app
        .dev_login("operator", Some("16"), "Оператор Казани", true)
        .await;
    let request = json!({ "school": "МБОУ СОШ № 7", "position": "учитель", "region": "16" });
    json_of(
        app.post_as("/api/v1/me/verification", &token, &request)
            .await,
    )
    .await;
    let reason = "Школа не найдена в реестре региона";
    json_of(
        app.post_as(
            &format!("/api/v1/admin/users/{id}/verification"),
            &operator.access,
            &json!({ "decision": "reject", "reason": reason }),
        )
        .await,
    )
    .await;
    let me = app.me(&token).await;
    assert_eq!(me["verification_unseen"], true, "{me}");
    assert_eq!(me["verification"]["status"], "rejected", "{me}");
    assert_eq!(me["verification"]["note"], reason, "{me}");
    let seen = app
        .post_as("/api/v1/me/verification/seen", &token, &json!({}))
        .await;
    assert_eq!(seen.status(), 204);
    assert_eq!(app.me(&token).await["verification_unseen"], false);

    // «Не согласен» with the current notice: recorded in the profile, the earlier consent
    // kept; accepting later clears it.
    let answer = |accepted: bool| {
        app.with_token(reqwest::Method::PUT, "/api/v1/me/consent", &token)
            .json(&json!({ "version": CONSENT_VERSION, "accepted": accepted }))
            .send()
    };
    json_of(answer(false).await.unwrap()).await;
    let me = app.me(&token).await;
    assert_eq!(me["consent_declined"], CONSENT_VERSION, "{me}");
    assert_eq!(me["consent_version"], "2026-11", "{me}");
    json_of(answer(true).await.unwrap()).await;
    let me = app.me(&token).await;
    assert!(me["consent_declined"].is_null(), "{me}");
    assert_eq!(me["consent_version"], CONSENT_VERSION, "{me}");

    // Staff have neither.
    let me = app.me(&operator.access).await;
    assert_eq!(me["verification_unseen"], false, "{me}");
    assert!(me["consent_declined"].is_null(), "{me}");
}

fn insert_user(
    conn: &mut AnyConnection,
    role: Role,
    region: &str,
    email: Option<&str>,
    verification: &str,
) -> QueryResult<String> {
    let mut user = NewUser::with_role(role);
    user.email = email.map(str::to_owned);
    user.surname = Some("Петрова".into());
    user.name = Some("Ольга".into());
    user.verification_status = verification.into();
    if role == Role::Teacher {
        user.region_code = Some(region.into());
    }
    diesel::insert_into(users::table)
        .values(&user)
        .execute(conn)?;
    if role.has_regions() {
        db::set_user_regions(conn, &user.id, &[region.to_owned()])?;
    }
    if email.is_some() {
        diesel::update(users::table.find(&user.id))
            .set(users::notify_daily_digest_email.eq(true))
            .execute(conn)?;
    }
    Ok(user.id)
}

#[tokio::test]
async fn the_operators_digest_counts_waiting_verification_requests() {
    let smtp = standins::start_smtp().await;
    let port = smtp.port.to_string();
    let vars = [
        ("APP_ENV", "dev"),
        ("PUBLIC_URL", "https://pomoshnik.example.ru"),
        ("SMTP_HOST", "127.0.0.1"),
        ("SMTP_PORT", port.as_str()),
        ("SMTP_FROM", "Помощник <noreply@pomoshnik.example.ru>"),
        ("WORKER_ENABLED", "false"),
        ("DIGEST_HOUR", "0"),
    ];
    let mut overrides = Overrides::default();
    for (k, v) in vars {
        overrides = overrides.with(k, v);
    }
    let app = spawn_app_with(overrides).await;
    let mut map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    map.insert("DATABASE_URL".into(), app.database_url.clone());
    let config = Arc::new(Config::from_lookup(|k| map.get(k).cloned()).unwrap());
    let db = Db::new(
        db::connect(&app.database_url, 2).unwrap(),
        Backend::of(&app.database_url),
    );
    // Region 77: an operator and a head with the digest on, two requests waiting, one
    // teacher already verified; region 16: one request waiting (not 77's).
    db.write(|conn| {
        insert_user(
            conn,
            Role::Operator,
            "77",
            Some("op77@example.ru"),
            "verified",
        )?;
        insert_user(
            conn,
            Role::RegionalHead,
            "77",
            Some("head77@example.ru"),
            "verified",
        )?;
        insert_user(conn, Role::Teacher, "77", None, "pending")?;
        insert_user(conn, Role::Teacher, "77", None, "pending")?;
        insert_user(conn, Role::Teacher, "77", None, "verified")?;
        insert_user(conn, Role::Teacher, "16", None, "pending")?;
        Ok(())
    })
    .await
    .unwrap();

    let worker = Worker::new(db.clone(), Arc::clone(&config), reqwest::Client::new());
    let now = db::now() + chrono::Duration::seconds(1);
    let report = worker.run_scheduled(now).await.unwrap();
    // Nothing overdue anywhere: only the operator has something to read.
    assert_eq!(report.digests, 1, "{report:?}");
    worker.drain(now).await.unwrap();
    let mails = smtp.wait_for(1, 5).await;
    assert_eq!(mails.len(), 1);
    let subject = mails[0].subject();
    assert!(
        subject.starts_with("Сводка на ")
            && subject.ends_with(": просрочено 0, срок сегодня 0, заявок на подтверждение 2"),
        "{subject}"
    );
    let text = mails[0].part("text/plain").unwrap();
    assert!(
        text.contains("https://pomoshnik.example.ru/#/verification"),
        "{text}"
    );
    assert!(!text.contains("Петрова"), "no names in a digest: {text}");
}
