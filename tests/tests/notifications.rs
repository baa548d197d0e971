//! Notifications and background work, end to end: the real server against a stand-in MAX
//! Bot API, a webhook receiver and an SMTP listener on loopback. Time-dependent jobs run
//! through `api::jobs::Worker` with an explicit clock, as several instances would.

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::Arc;

use actix_web::HttpResponse;
use api::config::Config;
use api::db::models::NewUser;
use api::db::schema::{
    appeal_answers, appeal_messages, appeals, max_updates, outbox, ratings, users,
};
use api::db::{self, AnyConnection, Backend, Db};
use api::domain::notifications::events::AppealEvent;
use api::jobs::Worker;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use integration_tests::standins::{self, FullStandIn, SmtpStandIn};
use integration_tests::{spawn_app_with, Overrides, TestApp, BOT_TOKEN};
use serde_json::{json, Value};
use sha2::Sha256;
use shared::users::Role;

const MAX_SECRET: &str = "max-webhook-secret-for-tests";
const MINI_APP: &str = "https://max.ru/pomoshnik_test_bot";

/// A server, its stand-ins, and a test-side view of its database and settings.
struct Env {
    app: TestApp,
    max: FullStandIn,
    hooks: FullStandIn,
    hook_status: Arc<AtomicU16>,
    smtp: SmtpStandIn,
    db: Db,
    config: Arc<Config>,
    admin: String,
}

async fn setup(extra: &[(&str, &str)]) -> Env {
    let max = standins::start_full(|_| HttpResponse::Ok().json(json!({ "success": true })));
    let hook_status = Arc::new(AtomicU16::new(200));
    let status = Arc::clone(&hook_status);
    let hooks = standins::start_full(move |_| {
        let code = status.load(Ordering::SeqCst);
        HttpResponse::build(actix_web::http::StatusCode::from_u16(code).unwrap()).body("ok")
    });
    let smtp = standins::start_smtp().await;
    let smtp_port = smtp.port.to_string();
    let mut vars = vec![
        ("APP_ENV", "dev"),
        ("WEBHOOK_ALLOW_PRIVATE", "true"),
        ("MAX_API_BASE_URL", max.base.as_str()),
        ("MAX_WEBHOOK_SECRET", MAX_SECRET),
        ("MINI_APP_URL", MINI_APP),
        ("PUBLIC_URL", "https://pomoshnik.example.ru"),
        ("SMTP_HOST", "127.0.0.1"),
        ("SMTP_PORT", smtp_port.as_str()),
        ("SMTP_FROM", "Помощник <noreply@pomoshnik.example.ru>"),
        ("WORKER_ENABLED", "false"),
        ("WORKER_POLL_MS", "50"),
        ("MAX_RATE_PER_SEC", "200"),
    ];
    vars.extend_from_slice(extra);
    let mut overrides = Overrides::default();
    for (k, v) in &vars {
        overrides = overrides.with(k, v);
    }
    let app = spawn_app_with(overrides).await;
    let mut map: std::collections::HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    map.insert("DATABASE_URL".into(), app.database_url.clone());
    let config = Arc::new(Config::from_lookup(|k| map.get(k).cloned()).unwrap());
    let db = Db::new(
        db::connect(&app.database_url, 3).unwrap(),
        Backend::of(&app.database_url),
    );
    let admin = app
        .dev_login("admin", None, "Админ Вебхуков", true)
        .await
        .access;
    Env {
        app,
        max,
        hooks,
        hook_status,
        smtp,
        db,
        config,
        admin,
    }
}

impl Env {
    /// A worker sharing the test's pool (on SQLite: the single writer of one process).
    fn worker(&self) -> Worker {
        Worker::new(
            self.db.clone(),
            Arc::clone(&self.config),
            reqwest::Client::new(),
        )
    }

    /// A worker as another instance would run it: on PostgreSQL with its own pool.
    fn other_instance(&self) -> Worker {
        let db = match Backend::of(&self.app.database_url) {
            Backend::Postgres => Db::new(
                db::connect(&self.app.database_url, 3).unwrap(),
                Backend::Postgres,
            ),
            Backend::Sqlite => self.db.clone(),
        };
        Worker::new(db, Arc::clone(&self.config), reqwest::Client::new())
    }

    async fn write<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut AnyConnection) -> QueryResult<T> + Send + 'static,
    ) -> T {
        self.db.write(move |conn| Ok(work(conn)?)).await.unwrap()
    }

    async fn outbox_rows(&self) -> Vec<api::domain::notifications::outbox::OutboxRow> {
        self.write(|conn| {
            outbox::table
                .order(outbox::created_at.asc())
                .select(api::domain::notifications::outbox::OutboxRow::as_select())
                .load(conn)
        })
        .await
    }

    async fn create_webhook(&self, events: &[&str], regions: &[&str]) -> (String, String) {
        let response = self
            .app
            .post_as(
                "/api/v1/webhooks",
                &self.admin,
                &json!({ "url": format!("{}/hook", self.hooks.base), "events": events, "regions": regions }),
            )
            .await;
        assert_eq!(response.status(), 201);
        let created: Value = response.json().await.unwrap();
        (
            created["webhook"]["id"].as_str().unwrap().to_owned(),
            created["secret"].as_str().unwrap().to_owned(),
        )
    }

    async fn max_update(&self, secret: Option<&str>, update: &Value) -> reqwest::Response {
        let mut request = self
            .app
            .client
            .post(self.app.url("/api/v1/max/webhook"))
            .json(update);
        if let Some(secret) = secret {
            request = request.header("X-Max-Bot-Api-Secret", secret);
        }
        request.send().await.unwrap()
    }
}

fn now() -> NaiveDateTime {
    db::now() + Duration::seconds(1)
}

fn insert_user(
    conn: &mut AnyConnection,
    role: Role,
    region: &str,
    max_id: Option<i64>,
    email: Option<&str>,
) -> QueryResult<String> {
    let mut user = NewUser::with_role(role);
    user.max_user_id = max_id;
    user.email = email.map(str::to_owned);
    user.surname = Some("Иванова".into());
    user.name = Some("Мария".into());
    user.verification_status = "verified".into();
    if role == Role::Teacher {
        user.region_code = Some(region.into());
    }
    diesel::insert_into(users::table)
        .values(&user)
        .execute(conn)?;
    if role.has_regions() {
        db::set_user_regions(conn, &user.id, &[region.to_owned()])?;
    }
    Ok(user.id)
}

fn insert_appeal(
    conn: &mut AnyConnection,
    teacher: &str,
    region: &str,
    status: &str,
    anonymous: bool,
    deadline: Option<NaiveDateTime>,
) -> QueryResult<String> {
    let id = db::new_id();
    let at = db::now();
    diesel::insert_into(appeals::table)
        .values((
            appeals::id.eq(&id),
            appeals::teacher_id.eq(teacher),
            appeals::region_code.eq(region),
            appeals::author_name.eq("Иванова Мария"),
            appeals::anonymous.eq(anonymous),
            appeals::text
                .eq("Нужно ли вести календарно-тематическое планирование в бумажном виде?"),
            appeals::channel.eq("mini_app"),
            appeals::status.eq(status),
            appeals::deadline_at.eq(deadline),
            appeals::teacher_activity_at.eq(at),
            appeals::created_at.eq(at),
            appeals::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(id)
}

fn insert_answer(
    conn: &mut AnyConnection,
    appeal: &str,
    source: &str,
    at: NaiveDateTime,
) -> QueryResult<String> {
    let id = db::new_id();
    diesel::insert_into(appeal_answers::table)
        .values((
            appeal_answers::id.eq(&id),
            appeal_answers::appeal_id.eq(appeal),
            appeal_answers::source.eq(source),
            appeal_answers::text.eq("Нет, достаточно электронного журнала."),
            appeal_answers::answered_at.eq(at),
        ))
        .execute(conn)?;
    Ok(id)
}

fn emit(conn: &mut AnyConnection, event: AppealEvent, appeal: &str) -> QueryResult<()> {
    let row = api::domain::appeals::reload(conn, appeal)?;
    api::domain::appeals::emit(conn, event, &row)
}

/// The test's own signature check, independent of the server's code.
fn verifies(secret: &str, header: &str, body: &str) -> bool {
    let mut t = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", v)) => t = Some(v.to_owned()),
            Some(("v1", v)) => signatures.push(v.to_owned()),
            _ => {}
        }
    }
    let Some(t) = t else { return false };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    let expected = hex::encode(mac.finalize().into_bytes());
    signatures.contains(&expected)
}

fn count_v1(header: &str) -> usize {
    header.split(',').filter(|p| p.starts_with("v1=")).count()
}

#[tokio::test]
async fn bot_webhook_refuses_a_wrong_or_missing_secret_and_records_nothing() {
    let env = setup(&[("WORKER_ENABLED", "true")]).await;
    let update = json!({ "update_type": "bot_started", "timestamp": 1_764_000_000_000_i64,
                         "chat_id": 42, "user": { "user_id": 555_000, "name": "Мария" } });
    let missing = env.max_update(None, &update).await;
    let problem = integration_tests::problem(missing, 401).await;
    assert_eq!(problem.code, "unauthorized");
    integration_tests::problem(env.max_update(Some("wrong-secret"), &update).await, 401).await;
    integration_tests::problem(env.max_update(Some(""), &update).await, 401).await;
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let remembered: i64 = env
        .write(|conn| max_updates::table.count().get_result(conn))
        .await;
    assert_eq!(remembered, 0, "a refused update is not recorded");
    assert!(env.outbox_rows().await.is_empty(), "nothing queued");
    assert!(env.max.requests().is_empty(), "nothing sent");

    // A server without a configured secret refuses every update.
    let open = spawn_app_with(Overrides::default().with("WORKER_ENABLED", "false")).await;
    let response = open
        .client
        .post(open.url("/api/v1/max/webhook"))
        .header("X-Max-Bot-Api-Secret", "anything")
        .json(&update)
        .send()
        .await
        .unwrap();
    integration_tests::problem(response, 401).await;
}

#[tokio::test]
async fn bot_started_is_greeted_once_even_when_redelivered() {
    let env = setup(&[("WORKER_ENABLED", "true")]).await;
    let update = json!({ "update_type": "bot_started", "timestamp": 1_764_000_000_000_i64,
                         "chat_id": 42, "user": { "user_id": 555_001, "name": "Мария" },
                         "user_locale": "ru" });
    for _ in 0..2 {
        let response = env.max_update(Some(MAX_SECRET), &update).await;
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.json::<Value>().await.unwrap(),
            json!({ "ok": true })
        );
    }
    let sent = env.max.wait_for(1, 10).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let sent_after = env.max.requests();
    assert_eq!(
        sent_after.len(),
        1,
        "one greeting for a redelivered update: {sent_after:?}"
    );
    let greeting = &sent[0];
    assert_eq!(greeting.method, "POST");
    assert_eq!(greeting.uri, "/messages?user_id=555001");
    assert_eq!(greeting.header("authorization"), Some(BOT_TOKEN));
    let body = greeting.json();
    assert!(body["text"].as_str().unwrap().contains("Помощник"));
    let keyboard = &body["attachments"][0];
    assert_eq!(keyboard["type"], "inline_keyboard");
    let button = &keyboard["payload"]["buttons"][0][0];
    assert_eq!(button["type"], "open_app");
    assert_eq!(button["web_app"], MINI_APP);
}

#[tokio::test]
async fn rating_button_and_messages_get_answers_once() {
    let env = setup(&[("WORKER_ENABLED", "true")]).await;
    let teacher_max = 555_002_i64;
    let appeal = env
        .write(move |conn| {
            let teacher = insert_user(conn, Role::Teacher, "77", Some(teacher_max), None)?;
            insert_appeal(conn, &teacher, "77", "answered_by_bot", false, None)
        })
        .await;
    let callback = json!({
        "update_type": "message_callback", "timestamp": 1_764_000_000_500_i64,
        "callback": { "callback_id": "cb-rate-1", "payload": format!("rate:{appeal}:5"),
                      "user": { "user_id": teacher_max, "name": "Мария" } },
        "message": { "body": { "mid": "mid.reminder", "text": "Оцените ответ" } }
    });
    for _ in 0..2 {
        assert_eq!(
            env.max_update(Some(MAX_SECRET), &callback).await.status(),
            200
        );
    }
    // A stranger writes to the bot: verification instructions, once.
    let message = json!({
        "update_type": "message_created", "timestamp": 1_764_000_001_000_i64,
        "message": { "sender": { "user_id": 555_999, "name": "Незнакомец", "is_bot": false },
                     "recipient": { "chat_id": 7, "chat_type": "dialog" },
                     "body": { "mid": "mid.stranger.1", "text": "Как заполнять журнал?" } }
    });
    for _ in 0..2 {
        assert_eq!(
            env.max_update(Some(MAX_SECRET), &message).await.status(),
            200
        );
    }
    let sent = env.max.wait_for(2, 10).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(env.max.requests().len(), 2, "{sent:?}");
    let answer = sent
        .iter()
        .find(|r| r.uri.starts_with("/answers"))
        .expect("callback answered");
    assert_eq!(answer.uri, "/answers?callback_id=cb-rate-1");
    assert_eq!(answer.header("authorization"), Some(BOT_TOKEN));
    assert!(!answer.json()["notification"].as_str().unwrap().is_empty());
    let reply = sent
        .iter()
        .find(|r| r.uri == "/messages?user_id=555999")
        .expect("stranger answered");
    assert!(reply.json()["text"]
        .as_str()
        .unwrap()
        .contains("подтвердите"));
}

#[tokio::test]
async fn webhook_delivery_is_signed_and_verifies_with_an_independent_hmac() {
    let env = setup(&[]).await;
    // Creating is idempotent with a key.
    let body = json!({ "url": format!("{}/hook", env.hooks.base), "events": ["appeal.created"], "regions": ["77"] });
    let mut created = Vec::new();
    for _ in 0..2 {
        let response = env
            .app
            .with_token(reqwest::Method::POST, "/api/v1/webhooks", &env.admin)
            .header("Idempotency-Key", "create-hook-1")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        created.push(response.json::<Value>().await.unwrap());
    }
    assert_eq!(
        created[0], created[1],
        "the same key replays the first answer"
    );
    let secret = created[0]["secret"].as_str().unwrap().to_owned();
    let webhook_id = created[0]["webhook"]["id"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));

    let (inside, outside) = env
        .write(|conn| {
            let teacher = insert_user(conn, Role::Teacher, "77", None, None)?;
            let inside = insert_appeal(
                conn,
                &teacher,
                "77",
                "new",
                true,
                Some(db::now() + Duration::days(5)),
            )?;
            let outside = insert_appeal(conn, &teacher, "50", "new", true, None)?;
            emit(conn, AppealEvent::Created, &inside)?;
            emit(conn, AppealEvent::Created, &outside)?;
            // An event type the subscription does not include.
            emit(conn, AppealEvent::Overdue, &inside)?;
            Ok((inside, outside))
        })
        .await;
    let at = now();
    env.worker().drain(at).await.unwrap();
    let received = env.hooks.requests();
    assert_eq!(
        received.len(),
        1,
        "only the subscribed event of the subscribed region"
    );
    let delivery = &received[0];
    let signature = delivery.header("x-pomoshnik-signature").unwrap();
    assert!(verifies(&secret, signature, &delivery.body), "{signature}");
    assert!(!verifies("whsec_wrong", signature, &delivery.body));
    let t: i64 = signature
        .split(',')
        .next()
        .unwrap()
        .trim_start_matches("t=")
        .parse()
        .unwrap();
    assert!((t - at.and_utc().timestamp()).abs() <= 300);
    let event = delivery.json();
    assert_eq!(
        delivery.header("x-pomoshnik-event-id"),
        event["id"].as_str()
    );
    assert_eq!(event["type"], "appeal.created");
    assert_eq!(event["data"]["appeal"]["id"], inside.as_str());
    assert_ne!(event["data"]["appeal"]["id"], outside.as_str());
    assert_eq!(event["data"]["appeal"]["anonymous"], true);
    assert!(
        event["data"]["appeal"]["author_name"].is_null(),
        "no name for anonymous appeals"
    );
    assert!(!delivery.body.contains("Иванова"));

    let log: Value = env
        .app
        .get_as(
            &format!("/api/v1/webhooks/{webhook_id}/deliveries"),
            &env.admin,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(log["items"][0]["status"], "done");
    assert_eq!(log["items"][0]["response_code"], 200);
    assert_eq!(log["items"][0]["event_type"], "appeal.created");
}

#[tokio::test]
async fn a_rotated_secret_still_verifies_for_24_hours() {
    let env = setup(&[]).await;
    let (id, old) = env.create_webhook(&["appeal.created"], &["77"]).await;
    let rotated: Value = env
        .app
        .post_as(
            &format!("/api/v1/webhooks/{id}/rotate-secret"),
            &env.admin,
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    let new = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert!(rotated["previous_secret_valid_until"].is_string());
    let ping = env
        .app
        .post_as(
            &format!("/api/v1/webhooks/{id}/ping"),
            &env.admin,
            &json!({}),
        )
        .await;
    assert_eq!(ping.status(), 202);
    env.worker().drain(now()).await.unwrap();
    let first = env.hooks.requests()[0].clone();
    let header = first.header("x-pomoshnik-signature").unwrap();
    assert_eq!(
        count_v1(header),
        2,
        "both secrets sign during the overlap: {header}"
    );
    assert!(
        verifies(&old, header, &first.body),
        "receivers on the old secret keep working"
    );
    assert!(verifies(&new, header, &first.body));
    assert_eq!(first.json()["type"], "ping");

    // A day and an hour later only the new secret signs.
    env.app
        .post_as(
            &format!("/api/v1/webhooks/{id}/ping"),
            &env.admin,
            &json!({}),
        )
        .await;
    env.worker()
        .drain(now() + Duration::hours(25))
        .await
        .unwrap();
    let second = env.hooks.requests()[1].clone();
    let header = second.header("x-pomoshnik-signature").unwrap();
    assert_eq!(count_v1(header), 1, "{header}");
    assert!(verifies(&new, header, &second.body));
    assert!(!verifies(&old, header, &second.body));
}

#[tokio::test]
async fn failing_deliveries_back_off_then_die_and_an_admin_retry_delivers() {
    let env = setup(&[("OUTBOX_MAX_ATTEMPTS", "3"), ("OUTBOX_BACKOFF_SECS", "60")]).await;
    env.hook_status.store(500, Ordering::SeqCst);
    let (id, _) = env.create_webhook(&["appeal.created"], &["77"]).await;
    env.app
        .post_as(
            &format!("/api/v1/webhooks/{id}/ping"),
            &env.admin,
            &json!({}),
        )
        .await;
    let worker = env.worker();
    let t0 = now();
    assert_eq!(worker.deliver_due(t0).await.unwrap(), 1);
    let row = env.outbox_rows().await.remove(0);
    assert_eq!(
        (row.status.as_str(), row.attempts, row.response_code),
        ("pending", 1, Some(500))
    );
    let wait = row.next_attempt_at - t0;
    assert!(
        wait >= Duration::seconds(30) && wait <= Duration::seconds(60),
        "{wait}"
    );
    assert_eq!(
        worker
            .deliver_due(t0 + Duration::seconds(10))
            .await
            .unwrap(),
        0,
        "not before the backoff"
    );

    let t1 = t0 + Duration::minutes(2);
    assert_eq!(worker.deliver_due(t1).await.unwrap(), 1);
    let row = env.outbox_rows().await.remove(0);
    let wait = row.next_attempt_at - t1;
    assert!(
        wait >= Duration::seconds(60) && wait <= Duration::seconds(120),
        "doubles: {wait}"
    );

    assert_eq!(
        worker
            .deliver_due(t1 + Duration::minutes(10))
            .await
            .unwrap(),
        1
    );
    let row = env.outbox_rows().await.remove(0);
    assert_eq!((row.status.as_str(), row.attempts), ("dead", 3));
    assert_eq!(
        worker.deliver_due(t1 + Duration::days(1)).await.unwrap(),
        0,
        "dead rows rest"
    );

    let dead: Value = env
        .app
        .get_as("/api/v1/admin/outbox?status=dead", &env.admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(dead["items"][0]["id"], row.id.as_str());
    assert_eq!(dead["items"][0]["response_code"], 500);
    assert!(dead["items"][0]["last_error"]
        .as_str()
        .unwrap()
        .contains("500"));

    env.hook_status.store(200, Ordering::SeqCst);
    let retried = env
        .app
        .post_as(
            &format!("/api/v1/admin/outbox/{}/retry", row.id),
            &env.admin,
            &json!({}),
        )
        .await;
    assert_eq!(retried.status(), 200);
    let retried: Value = retried.json().await.unwrap();
    assert_eq!(
        (retried["status"].as_str(), retried["attempts"].as_i64()),
        (Some("pending"), Some(0))
    );
    assert_eq!(worker.deliver_due(now()).await.unwrap(), 1);
    let row = env.outbox_rows().await.remove(0);
    assert_eq!(
        (row.status.as_str(), row.response_code),
        ("done", Some(200))
    );
    let again = env
        .app
        .post_as(
            &format!("/api/v1/admin/outbox/{}/retry", row.id),
            &env.admin,
            &json!({}),
        )
        .await;
    assert_eq!(
        integration_tests::problem(again, 409).await.code,
        "outbox_not_retryable"
    );

    let received = env.hooks.requests();
    assert_eq!(received.len(), 4);
    let ids: std::collections::HashSet<_> = received
        .iter()
        .map(|r| r.header("x-pomoshnik-event-id").unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 1, "retries carry the same event id");
}

#[tokio::test]
async fn a_delivery_claimed_by_a_worker_that_died_is_delivered_after_its_lease() {
    let env = setup(&[("WORKER_ENABLED", "true")]).await;
    let (webhook_id, secret) = env.create_webhook(&["appeal.created"], &["77"]).await;
    env.write(move |conn| {
        let past = db::now() - Duration::minutes(5);
        for (event, locked_until) in [
            ("evt-crashed", db::now() - Duration::minutes(1)),
            ("evt-held", db::now() + Duration::minutes(10)),
        ] {
            let body = json!({ "id": event, "type": "ping", "created_at": "2026-11-25T10:00:00Z",
                               "data": { "webhook_id": webhook_id } })
            .to_string();
            let payload = json!({ "webhook_id": webhook_id, "event_id": event,
                                  "event_type": "ping", "body": body })
            .to_string();
            diesel::insert_into(outbox::table)
                .values((
                    outbox::id.eq(db::new_id()),
                    outbox::kind.eq("webhook"),
                    outbox::payload.eq(payload),
                    outbox::status.eq("delivering"),
                    outbox::attempts.eq(1),
                    outbox::next_attempt_at.eq(past),
                    outbox::locked_by.eq("worker-that-died"),
                    outbox::locked_until.eq(locked_until),
                    outbox::created_at.eq(past),
                    outbox::webhook_id.eq(&webhook_id),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
    .await;
    let received = env.hooks.wait_for(1, 10).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let received_after = env.hooks.requests();
    assert_eq!(received_after.len(), 1, "{received_after:?}");
    assert_eq!(
        received[0].header("x-pomoshnik-event-id"),
        Some("evt-crashed")
    );
    assert!(verifies(
        &secret,
        received[0].header("x-pomoshnik-signature").unwrap(),
        &received[0].body
    ));
    let rows = env.outbox_rows().await;
    let crashed = rows
        .iter()
        .find(|r| r.payload.contains("evt-crashed"))
        .unwrap();
    let held = rows
        .iter()
        .find(|r| r.payload.contains("evt-held"))
        .unwrap();
    assert_eq!((crashed.status.as_str(), crashed.attempts), ("done", 2));
    assert_eq!(held.status, "delivering", "a live lease is respected");
}

#[tokio::test]
async fn two_workers_on_one_database_deliver_each_row_once() {
    let env = setup(&[("WORKER_BATCH", "4")]).await;
    let (webhook_id, _) = env.create_webhook(&["appeal.created"], &["77"]).await;
    env.write(move |conn| {
        for n in 0..24 {
            let event = format!("evt-{n}");
            let body = json!({ "id": event, "type": "ping" }).to_string();
            api::domain::notifications::outbox::enqueue(
                conn,
                &api::domain::notifications::outbox::Notification::Webhook(
                    api::domain::notifications::outbox::WebhookDelivery {
                        webhook_id: webhook_id.clone(),
                        event_id: event,
                        event_type: "ping".into(),
                        body,
                    },
                ),
                None,
            )?;
        }
        Ok(())
    })
    .await;
    let (a, b) = (env.worker(), env.other_instance());
    let at = now();
    let (done_a, done_b) = tokio::join!(a.drain(at), b.drain(at));
    assert_eq!(
        done_a.unwrap() + done_b.unwrap(),
        24,
        "each row claimed once"
    );
    let received = env.hooks.requests();
    assert_eq!(received.len(), 24);
    let ids: std::collections::HashSet<_> = received
        .iter()
        .map(|r| r.header("x-pomoshnik-event-id").unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 24, "no event delivered twice");
    assert!(env
        .outbox_rows()
        .await
        .iter()
        .all(|r| r.status == "done" && r.attempts == 1));
}

#[tokio::test]
async fn rating_reminder_is_sent_once_after_96_hours_and_not_for_rated_answers() {
    let env = setup(&[]).await;
    let t0 = now();
    let (waiting, rated) = env
        .write(move |conn| {
            let a = insert_user(conn, Role::Teacher, "77", Some(700_001), None)?;
            let b = insert_user(conn, Role::Teacher, "77", Some(700_002), None)?;
            let waiting = insert_appeal(conn, &a, "77", "answered_by_bot", false, None)?;
            insert_answer(conn, &waiting, "bot", t0)?;
            // Rated, but still in an answered state (e.g. the teacher escalated meanwhile).
            let rated = insert_appeal(conn, &b, "77", "answered", false, None)?;
            let answer = insert_answer(conn, &rated, "operator", t0)?;
            diesel::insert_into(ratings::table)
                .values((
                    ratings::answer_id.eq(&answer),
                    ratings::appeal_id.eq(&rated),
                    ratings::score.eq(5),
                    ratings::rated_at.eq(t0 + Duration::hours(1)),
                ))
                .execute(conn)?;
            Ok((waiting, rated))
        })
        .await;
    let (a, b) = (env.worker(), env.other_instance());
    assert_eq!(
        a.run_scheduled(t0 + Duration::hours(95))
            .await
            .unwrap()
            .reminders,
        0
    );
    let at = t0 + Duration::hours(97);
    let (ra, rb) = tokio::join!(a.run_scheduled(at), b.run_scheduled(at));
    assert_eq!(
        ra.unwrap().reminders + rb.unwrap().reminders,
        1,
        "one reminder with two workers"
    );
    assert_eq!(
        a.run_scheduled(t0 + Duration::hours(120))
            .await
            .unwrap()
            .reminders,
        0
    );
    a.drain(at).await.unwrap();
    let sent = env.max.requests();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].uri, "/messages?user_id=700001");
    assert_eq!(sent[0].header("authorization"), Some(BOT_TOKEN));
    let body = sent[0].json();
    let rows = &body["attachments"][0]["payload"]["buttons"];
    let payloads: Vec<&str> = rows[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["payload"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (1..=5).map(|s| format!("rate:{waiting}:{s}")).collect();
    assert_eq!(payloads, expected);
    assert_eq!(rows[1][0]["type"], "open_app");
    assert_eq!(rows[1][0]["payload"], format!("appeal-{waiting}"));
    assert!(!body.to_string().contains(&rated));
}

#[tokio::test]
async fn answered_appeals_close_by_themselves_after_14_days() {
    let env = setup(&[]).await;
    let t0 = now();
    let ids = env
        .write(move |conn| {
            let teacher = insert_user(conn, Role::Teacher, "77", None, None)?;
            let answered = insert_appeal(conn, &teacher, "77", "answered", false, None)?;
            insert_answer(conn, &answered, "operator", t0)?;
            let by_bot = insert_appeal(conn, &teacher, "77", "answered_by_bot", false, None)?;
            insert_answer(conn, &by_bot, "bot", t0)?;
            let followed_up = insert_appeal(conn, &teacher, "77", "in_progress", false, None)?;
            insert_answer(conn, &followed_up, "operator", t0)?;
            let recent = insert_appeal(conn, &teacher, "77", "answered", false, None)?;
            insert_answer(conn, &recent, "operator", t0 + Duration::days(10))?;
            Ok(vec![answered, by_bot, followed_up, recent])
        })
        .await;
    let worker = env.worker();
    assert_eq!(
        worker
            .run_scheduled(t0 + Duration::days(13))
            .await
            .unwrap()
            .closed,
        0
    );
    let at = t0 + Duration::days(14) + Duration::hours(1);
    let other = env.other_instance();
    let (a, b) = tokio::join!(worker.run_scheduled(at), other.run_scheduled(at));
    assert_eq!(a.unwrap().closed + b.unwrap().closed, 2);
    let states = env
        .write(move |conn| {
            let mut out = Vec::new();
            for id in ids {
                out.push(
                    appeals::table
                        .find(&id)
                        .select((appeals::status, appeals::close_reason))
                        .first::<(String, Option<String>)>(conn)?,
                );
            }
            Ok(out)
        })
        .await;
    let expired = (String::from("closed"), Some(String::from("expired")));
    assert_eq!(states[0], expired);
    assert_eq!(states[1], expired);
    assert_eq!(states[2].0, "in_progress");
    assert_eq!(states[3].0, "answered");
    let notes: i64 = env
        .write(|conn| {
            appeal_messages::table
                .filter(appeal_messages::kind.eq("system"))
                .count()
                .get_result(conn)
        })
        .await;
    assert_eq!(notes, 2, "the thread says why it closed");
    assert_eq!(
        worker
            .run_scheduled(at + Duration::hours(1))
            .await
            .unwrap()
            .closed,
        0
    );
}

#[tokio::test]
async fn operators_who_opted_in_get_new_appeal_mail_without_anonymous_names() {
    let env = setup(&[]).await;
    env.write(|conn| {
        let opted = insert_user(
            conn,
            Role::Operator,
            "77",
            None,
            Some("op1@school.example.ru"),
        )?;
        insert_user(
            conn,
            Role::Operator,
            "77",
            None,
            Some("op2@school.example.ru"),
        )?;
        let elsewhere = insert_user(
            conn,
            Role::Operator,
            "50",
            None,
            Some("op3@school.example.ru"),
        )?;
        diesel::update(users::table.filter(users::id.eq_any([opted, elsewhere])))
            .set(users::notify_new_appeal_email.eq(true))
            .execute(conn)?;
        let teacher = insert_user(conn, Role::Teacher, "77", None, None)?;
        let routed = insert_appeal(
            conn,
            &teacher,
            "77",
            "new",
            true,
            Some(db::now() + Duration::days(6)),
        )?;
        emit(conn, AppealEvent::Created, &routed)?;
        // Answered by the knowledge base at once: operators need not hear of it.
        let answered = insert_appeal(conn, &teacher, "77", "answered_by_bot", false, None)?;
        emit(conn, AppealEvent::Created, &answered)?;
        Ok(())
    })
    .await;
    env.worker().drain(now()).await.unwrap();
    let mails = env.smtp.wait_for(1, 5).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0];
    assert_eq!(mail.to, vec!["op1@school.example.ru".to_owned()]);
    assert_eq!(mail.from, "noreply@pomoshnik.example.ru");
    assert!(
        mail.subject().contains("Новое обращение"),
        "{}",
        mail.subject()
    );
    let text = mail.part("text/plain").expect("plain part");
    let html = mail.part("text/html").expect("html part");
    assert!(text.contains("календарно-тематическое"), "{text}");
    assert!(text.contains("анонимно"));
    assert!(text.contains("https://pomoshnik.example.ru/#/appeals/"));
    assert!(html.contains("<a href="));
    assert!(
        !mail.data.contains("Иванова") && !text.contains("Иванова") && !html.contains("Иванова")
    );
}

#[tokio::test]
async fn overdue_is_announced_once_and_the_digest_once_a_day() {
    let env = setup(&[("DIGEST_HOUR", "0")]).await;
    let (_, secret) = env.create_webhook(&["appeal.overdue"], &["77"]).await;
    let t0 = now();
    let appeal = env
        .write(move |conn| {
            let op = insert_user(
                conn,
                Role::Operator,
                "77",
                None,
                Some("digest@school.example.ru"),
            )?;
            diesel::update(users::table.find(&op))
                .set(users::notify_daily_digest_email.eq(true))
                .execute(conn)?;
            let teacher = insert_user(conn, Role::Teacher, "77", None, None)?;
            insert_appeal(
                conn,
                &teacher,
                "77",
                "new",
                false,
                Some(t0 - Duration::hours(1)),
            )
        })
        .await;
    let (a, b) = (env.worker(), env.other_instance());
    let (ra, rb) = tokio::join!(a.run_scheduled(t0), b.run_scheduled(t0));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(ra.overdue + rb.overdue, 1);
    assert_eq!(ra.digests + rb.digests, 1);
    let again = a.run_scheduled(t0 + Duration::minutes(5)).await.unwrap();
    assert_eq!((again.overdue, again.digests), (0, 0));
    a.drain(t0).await.unwrap();
    let hooks = env.hooks.requests();
    assert_eq!(hooks.len(), 1);
    let event = hooks[0].json();
    assert_eq!(event["type"], "appeal.overdue");
    assert_eq!(event["data"]["appeal"]["id"], appeal.as_str());
    assert_eq!(event["data"]["appeal"]["is_overdue"], true);
    assert!(verifies(
        &secret,
        hooks[0].header("x-pomoshnik-signature").unwrap(),
        &hooks[0].body
    ));
    let mails = env.smtp.wait_for(1, 5).await;
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0].subject().contains("просрочено 1"),
        "{}",
        mails[0].subject()
    );
    assert!(!mails[0].part("text/plain").unwrap().contains("Иванова"));
}

#[tokio::test]
async fn webhook_subscriptions_are_validated_and_deleted() {
    let env = setup(&[]).await;
    for (body, field) in [
        (
            json!({ "url": "not a url", "events": ["appeal.created"], "regions": ["77"] }),
            "url",
        ),
        (
            json!({ "url": "ftp://example.org/h", "events": ["appeal.created"], "regions": ["77"] }),
            "url",
        ),
        (
            json!({ "url": "https://example.org/h", "events": ["appeal.deleted"], "regions": ["77"] }),
            "events",
        ),
        (
            json!({ "url": "https://example.org/h", "events": [], "regions": ["77"] }),
            "events",
        ),
        (
            json!({ "url": "https://example.org/h", "events": ["appeal.rated"], "regions": ["98"] }),
            "regions",
        ),
    ] {
        let response = env.app.post_as("/api/v1/webhooks", &env.admin, &body).await;
        let problem = integration_tests::problem(response, 422).await;
        assert_eq!(problem.errors[0].field, field, "{body}");
    }
    let (id, _) = env
        .create_webhook(&["appeal.rated", "appeal.rated"], &["77", "7"])
        .await;
    let list: Value = env
        .app
        .get_as("/api/v1/webhooks", &env.admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"][0]["events"], json!(["appeal.rated"]));
    assert_eq!(list["items"][0]["regions"], json!(["07", "77"]));
    assert!(
        list["items"][0].get("secret").is_none(),
        "the secret is never listed"
    );
    assert_eq!(
        env.app
            .delete_as(&format!("/api/v1/webhooks/{id}"), &env.admin)
            .await
            .status(),
        204
    );
    let list: Value = env
        .app
        .get_as("/api/v1/webhooks", &env.admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"], json!([]));
    let ping = env
        .app
        .post_as(
            &format!("/api/v1/webhooks/{id}/ping"),
            &env.admin,
            &json!({}),
        )
        .await;
    integration_tests::problem(ping, 404).await;
}

#[tokio::test]
async fn a_row_locked_by_another_instance_is_skipped_not_waited_for() {
    let env = setup(&[]).await;
    if Backend::of(&env.app.database_url) != Backend::Postgres {
        return; // SKIP LOCKED is PostgreSQL's; SQLite has a single writer.
    }
    let (id, _) = env.create_webhook(&["appeal.created"], &["77"]).await;
    for _ in 0..2 {
        env.app
            .post_as(
                &format!("/api/v1/webhooks/{id}/ping"),
                &env.admin,
                &json!({}),
            )
            .await;
    }
    let rows = env.outbox_rows().await;
    let locked = rows[0].id.clone();
    // Another instance holds the first row's lock in an open transaction.
    let url = env.app.database_url.clone();
    let (hold_tx, hold_rx) = std::sync::mpsc::channel::<()>();
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel::<()>();
    let row_id = locked.clone();
    let holder = std::thread::spawn(move || {
        use diesel::Connection;
        let mut pg = diesel::PgConnection::establish(&url).unwrap();
        pg.transaction::<_, diesel::result::Error, _>(|pg| {
            let _: Vec<String> = outbox::table
                .filter(outbox::id.eq(&row_id))
                .select(outbox::id)
                .for_update()
                .load(pg)?;
            ready_tx.send(()).unwrap();
            hold_rx.recv().unwrap();
            Ok(())
        })
        .unwrap();
    });
    ready_rx.await.unwrap();
    let claimed = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        env.worker().deliver_due(now()),
    )
    .await
    .expect("the claim does not wait for the lock")
    .unwrap();
    assert_eq!(claimed, 1, "the unlocked row only");
    hold_tx.send(()).unwrap();
    holder.join().unwrap();
    let rows = env.outbox_rows().await;
    let still = rows.iter().find(|r| r.id == locked).unwrap();
    assert_eq!((still.status.as_str(), still.attempts), ("pending", 0));
    assert_eq!(
        env.worker().drain(now()).await.unwrap(),
        1,
        "delivered once released"
    );
}

/// The value of an unlabelled gauge in a Prometheus text exposition.
fn gauge(text: &str, name: &str) -> Option<i64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

#[tokio::test]
async fn metrics_report_the_outbox_backlog_its_dead_rows_and_overdue_appeals() {
    let env = setup(&[("WORKER_ENABLED", "false")]).await;
    let scrape = || async {
        let response = env.app.get("/metrics").await;
        assert_eq!(response.status(), 200);
        response.text().await.unwrap()
    };
    let before = scrape().await;
    assert_eq!(
        gauge(&before, "pomoshnik_appeals_overdue"),
        Some(0),
        "{before}"
    );
    assert_eq!(gauge(&before, "pomoshnik_outbox_dead"), Some(0), "{before}");

    let t0 = now();
    let pending_before = gauge(&before, "pomoshnik_outbox_pending").unwrap();
    env.write(move |conn| {
        let teacher = insert_user(conn, Role::Teacher, "77", None, None)?;
        // Two open appeals past their deadline, one still in time, one answered late.
        for (status, hours) in [
            ("new", -1),
            ("in_progress", -30),
            ("new", 5),
            ("answered", -2),
        ] {
            insert_appeal(
                conn,
                &teacher,
                "77",
                status,
                false,
                Some(t0 + Duration::hours(hours)),
            )?;
        }
        Ok(())
    })
    .await;
    // Three undelivered rows and one that gave up, as the worker would leave them.
    env.write(move |conn| {
        for status in ["pending", "pending", "pending", "dead"] {
            diesel::insert_into(outbox::table)
                .values((
                    outbox::id.eq(db::new_id()),
                    outbox::kind.eq("email"),
                    outbox::payload.eq("{}"),
                    outbox::status.eq(status),
                    outbox::attempts.eq(0),
                    outbox::next_attempt_at.eq(t0),
                    outbox::created_at.eq(t0),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
    .await;
    let after = scrape().await;
    assert_eq!(
        gauge(&after, "pomoshnik_appeals_overdue"),
        Some(2),
        "{after}"
    );
    assert_eq!(gauge(&after, "pomoshnik_outbox_dead"), Some(1), "{after}");
    assert_eq!(
        gauge(&after, "pomoshnik_outbox_pending"),
        Some(pending_before + 3),
        "{after}"
    );
}
