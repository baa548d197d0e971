//! Integrators stay in sync: the `updated_since` change feed under concurrent writers, a
//! webhook event (numbered per appeal) for every transition a teacher can see, and no
//! operator names in what integrators receive. Both backends (`TEST_BACKEND`).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use actix_web::HttpResponse;
use api::config::Config;
use api::db::{self, Backend, Db};
use api::jobs::Worker;
use chrono::Duration;
use integration_tests::standins::{self, FullStandIn};
use integration_tests::{spawn_app_with, Overrides, TestApp};
use serde_json::{json, Value};

const ANSWERED: &str = "план воспитательной работы пишет каждый учитель или только кл рук?";
const ROUTED: &str = "Как оформить возврат денег родителям за сорванную экскурсию в музей?";
const OPERATOR: &str = "Соколова Ирина Павловна";

struct Env {
    app: TestApp,
    hooks: FullStandIn,
    worker: Worker,
    admin: String,
}

async fn setup() -> Env {
    let hooks = standins::start_full(|_| HttpResponse::Ok().body("ok"));
    let vars = [
        ("APP_ENV", "dev"),
        ("WEBHOOK_ALLOW_PRIVATE", "true"),
        ("WORKER_ENABLED", "false"),
        ("PUBLIC_URL", "https://pomoshnik.example.ru"),
    ];
    let mut overrides = Overrides::default();
    for (k, v) in &vars {
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
        db::connect(&app.database_url, 3).unwrap(),
        Backend::of(&app.database_url),
    );
    let worker = Worker::new(db, config, reqwest::Client::new());
    let admin = app
        .dev_login("admin", None, "Админ Интеграций", true)
        .await
        .access;
    Env {
        app,
        hooks,
        worker,
        admin,
    }
}

impl Env {
    async fn api_key(&self, regions: &[&str]) -> String {
        let response = self
            .app
            .post_as(
                "/api/v1/admin/api-keys",
                &self.admin,
                &json!({ "name": "Региональный портал", "regions": regions }),
            )
            .await;
        assert_eq!(response.status(), 201);
        let created: Value = response.json().await.unwrap();
        created["key"].as_str().unwrap().to_owned()
    }

    async fn post(&self, token: &str, path: &str, body: Value) -> Value {
        let response = self.app.post_as(path, token, &body).await;
        let status = response.status();
        let text = response.text().await.unwrap();
        assert!(status.is_success(), "{path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }
}

/// One poll of the feed: the page's items and its `next_cursor`.
async fn poll(
    app: &TestApp,
    key: &str,
    since: &str,
    cursor: Option<&str>,
    limit: usize,
) -> (Vec<Value>, Option<String>) {
    let mut url = format!("/api/v1/appeals?updated_since={since}&limit={limit}");
    if let Some(c) = cursor {
        url.push_str(&format!("&cursor={c}"));
    }
    let response = app.get_as(&url, key).await;
    assert_eq!(response.status(), 200, "{url}");
    let page: Value = response.json().await.unwrap();
    let items = page["items"].as_array().unwrap().clone();
    (items, page["next_cursor"].as_str().map(str::to_owned))
}

/// Polls from `cursor` until at least `want` items came: a transaction in flight anywhere
/// in the PostgreSQL cluster (other tests run beside this one) holds the feed back briefly.
async fn poll_until(
    app: &TestApp,
    key: &str,
    since: &str,
    cursor: Option<&str>,
    want: usize,
) -> (Vec<Value>, Option<String>) {
    let mut cursor = cursor.map(str::to_owned);
    let mut items = Vec::new();
    for _ in 0..500 {
        let (page, next) = poll(app, key, since, cursor.as_deref(), 100).await;
        items.extend(page);
        cursor = next.or(cursor);
        if items.len() >= want {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    (items, cursor)
}

/// What identifies one state of an appeal in the feed.
fn state(item: &Value) -> (String, String) {
    (
        item["id"].as_str().unwrap().to_owned(),
        item["updated_at"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn updated_since_pages_every_change_exactly_once_under_concurrent_writers() {
    const WRITERS: usize = 6;
    const APPEALS_EACH: usize = 3;
    const LIMIT: usize = 7;
    let env = Arc::new(setup().await);
    let key = env.api_key(&["77"]).await;
    let since = "2000-01-01T00:00:00Z";
    let operator = env
        .app
        .dev_login("operator", Some("77"), OPERATOR, true)
        .await
        .access;

    let mut writers: Vec<tokio::task::JoinHandle<(String, Vec<String>)>> = Vec::new();
    for w in 0..WRITERS {
        let env = Arc::clone(&env);
        let operator = operator.clone();
        writers.push(tokio::spawn(async move {
            let teacher = env
                .app
                .dev_login("teacher", Some("77"), &format!("Учитель Номер{w}"), true)
                .await
                .access;
            let mut ids = Vec::new();
            for n in 0..APPEALS_EACH {
                let asked = env
                    .post(
                        &teacher,
                        "/api/v1/appeals",
                        json!({ "text": format!("{ROUTED} Вопрос {w}-{n}.") }),
                    )
                    .await;
                let id = asked["id"].as_str().unwrap().to_owned();
                env.post(
                    &teacher,
                    &format!("/api/v1/appeals/{id}/messages"),
                    json!({ "text": "Дополню: экскурсия была в октябре." }),
                )
                .await;
                env.post(
                    &operator,
                    &format!("/api/v1/appeals/{id}/answer"),
                    json!({ "text": "Возврат оформляется приказом директора по заявлению родителей." }),
                )
                .await;
                ids.push(id);
            }
            (teacher, ids)
        }));
    }

    // The integrator polls while the writers work, then until caught up.
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut last: HashMap<String, Value> = HashMap::new();
    let mut cursor: Option<String> = None;
    let mut polls = 0;
    let mut finals: Option<HashMap<String, Value>> = None;
    let mut created = Vec::new();
    let mut first_teacher = None;
    loop {
        let (items, next) = poll(&env.app, &key, since, cursor.as_deref(), LIMIT).await;
        polls += 1;
        for item in &items {
            seen.push(state(item));
            last.insert(item["id"].as_str().unwrap().to_owned(), item.clone());
        }
        if next.is_some() {
            cursor = next;
        }
        if finals.is_none() && writers.iter().all(tokio::task::JoinHandle::is_finished) {
            // The writers are done: from now on the feed must reach each appeal's state.
            for w in writers.drain(..) {
                let (teacher, ids) = w.await.unwrap();
                first_teacher.get_or_insert(teacher);
                created.extend(ids);
            }
            let mut states = HashMap::new();
            for id in &created {
                let path = format!("/api/v1/appeals/{id}");
                let now: Value = env.app.get_as(&path, &key).await.json().await.unwrap();
                states.insert(id.clone(), now);
            }
            finals = Some(states);
        }
        if let Some(finals) = &finals {
            let caught_up = finals.iter().all(|(id, now)| {
                last.get(id)
                    .is_some_and(|seen| seen["updated_at"] == now["updated_at"])
            });
            if caught_up && items.len() < LIMIT {
                break;
            }
        }
        if items.len() < LIMIT {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert!(polls < 2_000, "the feed never caught up");
    }
    assert_eq!(created.len(), WRITERS * APPEALS_EACH);

    // No state twice, and each appeal's states in the order they happened.
    let unique: HashSet<&(String, String)> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "a change was seen twice");
    let mut per_appeal: HashMap<&str, Vec<&str>> = HashMap::new();
    for (id, at) in &seen {
        per_appeal.entry(id).or_default().push(at);
    }
    for (id, times) in &per_appeal {
        assert!(
            times.windows(2).all(|w| w[0] < w[1]),
            "{id} came back with an older state: {times:?}"
        );
    }
    // Nothing missed: the last state seen of every appeal is its state now.
    for id in &created {
        let seen_last = &last[id];
        assert_eq!(seen_last["status"], "answered");
        assert_eq!(seen_last["answers"].as_array().unwrap().len(), 1);
    }
    assert!(polls > 1);

    // A caught-up cursor keeps its place; a later change comes once more.
    let (items, again) = poll(&env.app, &key, since, cursor.as_deref(), LIMIT).await;
    assert!(items.is_empty());
    assert_eq!(again, cursor);
    let teacher = first_teacher.unwrap();
    let id = &created[0];
    env.post(
        &teacher,
        &format!("/api/v1/appeals/{id}/rating"),
        json!({ "score": 5 }),
    )
    .await;
    let (items, _) = poll_until(&env.app, &key, since, cursor.as_deref(), 1).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], id.as_str());
    assert_eq!(items[0]["status"], "closed");
    assert!(items[0]["closed_at"].is_string());

    // A moment after every change selects nothing; a bad moment or cursor is refused.
    let (items, _) = poll(&env.app, &key, "2999-01-01T00:00:00Z", None, LIMIT).await;
    assert!(items.is_empty());
    let bad = env
        .app
        .get_as("/api/v1/appeals?updated_since=вчера", &key)
        .await;
    assert_eq!(bad.status(), 422);
    let bad = env
        .app
        .get_as(
            &format!("/api/v1/appeals?updated_since={since}&cursor=bm9wZQ"),
            &key,
        )
        .await;
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn every_transition_a_teacher_sees_is_a_numbered_webhook_event_without_operator_names() {
    let env = setup().await;
    env.app.import_demo_kb().await;
    let events = [
        "appeal.created",
        "appeal.answered",
        "appeal.clarification_requested",
        "appeal.follow_up",
        "appeal.escalated",
        "appeal.transferred",
        "appeal.withdrawn",
        "appeal.rated",
        "appeal.closed",
        "appeal.overdue",
    ];
    let created = env
        .post(
            &env.admin,
            "/api/v1/webhooks",
            json!({ "url": format!("{}/hook", env.hooks.base), "events": events, "regions": ["77", "50"] }),
        )
        .await;
    assert!(created["secret"].is_string());
    let teacher = env
        .app
        .dev_login("teacher", Some("77"), "Ковалёва Нина Петровна", true)
        .await
        .access;
    let operator = env
        .app
        .dev_login("operator", Some("77"), OPERATOR, true)
        .await
        .access;
    let ask = |text: &str| {
        let body = json!({ "text": text });
        let env = &env;
        let teacher = teacher.clone();
        async move {
            let a = env.post(&teacher, "/api/v1/appeals", body).await;
            a["id"].as_str().unwrap().to_owned()
        }
    };
    let at = |id: &str, action: &str| format!("/api/v1/appeals/{id}/{action}");

    // Asked, clarified, followed up, answered by an operator, rated.
    let worked = ask(ROUTED).await;
    let clarify = json!({ "text": "Уточните, экскурсия была платной?" });
    env.post(&operator, &at(&worked, "messages"), clarify).await;
    let follow = json!({ "text": "Да, платной, по договору." });
    env.post(&teacher, &at(&worked, "messages"), follow).await;
    let answer = json!({ "text": "Возврат оформляется приказом директора." });
    env.post(&operator, &at(&worked, "answer"), answer).await;
    env.post(&teacher, &at(&worked, "rating"), json!({ "score": 4 }))
        .await;
    // Answered by the bot, escalated, transferred.
    let escalated = ask(ANSWERED).await;
    env.post(&teacher, &at(&escalated, "escalate"), json!({}))
        .await;
    let to_50 = json!({ "region": "50" });
    env.post(&operator, &at(&escalated, "transfer"), to_50)
        .await;
    // Withdrawn; closed by an operator; overdue.
    let withdrawn = ask(&format!("{ROUTED} Второй вопрос.")).await;
    env.post(&teacher, &at(&withdrawn, "withdraw"), json!({}))
        .await;
    let closed = ask(&format!("{ROUTED} Третий вопрос.")).await;
    let spam = json!({ "reason": "spam" });
    env.post(&operator, &at(&closed, "close"), spam).await;
    let overdue = ask(&format!("{ROUTED} Четвёртый вопрос.")).await;
    // Answered by the bot, «Помогло»: a click closes it (reason `rated`).
    let helped = ask(ANSWERED).await;
    env.post(&teacher, &at(&helped, "helpful"), json!({})).await;

    let later = db::now() + Duration::days(10);
    env.worker.run_scheduled(later).await.unwrap();
    env.worker.drain(later).await.unwrap();
    let mut by_appeal: HashMap<String, Vec<(i64, String, Value)>> = HashMap::new();
    for delivery in env.hooks.requests() {
        assert!(delivery.header("x-pomoshnik-signature").is_some());
        assert!(
            !delivery.body.contains("Соколова"),
            "no operator name: {}",
            delivery.body
        );
        let event = delivery.json();
        let appeal = event["data"]["appeal"].clone();
        by_appeal
            .entry(appeal["id"].as_str().unwrap().to_owned())
            .or_default()
            .push((
                event["sequence"].as_i64().unwrap(),
                event["type"].as_str().unwrap().to_owned(),
                appeal,
            ));
    }
    let types_of = |id: &str| -> Vec<String> {
        let mut list = by_appeal.get(id).cloned().unwrap_or_default();
        list.sort_by_key(|(seq, _, _)| *seq);
        let seqs: Vec<i64> = list.iter().map(|(s, _, _)| *s).collect();
        let expected: Vec<i64> = (1..=i64::try_from(seqs.len()).unwrap()).collect();
        assert_eq!(seqs, expected, "{id}: numbered 1, 2, …");
        list.into_iter().map(|(_, t, _)| t).collect()
    };
    assert_eq!(
        types_of(&worked),
        [
            "appeal.created",
            "appeal.clarification_requested",
            "appeal.follow_up",
            "appeal.answered",
            "appeal.rated"
        ]
    );
    assert_eq!(
        types_of(&escalated),
        [
            "appeal.created",
            "appeal.answered",
            "appeal.escalated",
            "appeal.transferred",
            "appeal.overdue"
        ]
    );
    assert_eq!(types_of(&withdrawn), ["appeal.created", "appeal.withdrawn"]);
    assert_eq!(types_of(&closed), ["appeal.created", "appeal.closed"]);
    assert_eq!(types_of(&overdue), ["appeal.created", "appeal.overdue"]);
    assert_eq!(
        types_of(&helped),
        ["appeal.created", "appeal.answered", "appeal.closed"]
    );

    let payload = |id: &str, kind: &str| -> Value {
        by_appeal[id]
            .iter()
            .find(|(_, t, _)| t == kind)
            .map(|(_, _, a)| a.clone())
            .unwrap()
    };
    let answered = payload(&worked, "appeal.answered");
    assert!(answered["answers"][0]["answered_by"].is_null());
    assert!(answered["assignee"]["id"].is_string());
    assert!(answered["assignee"]["name"].is_null());
    assert!(answered["updated_at"].is_string());
    let closed_payload = payload(&closed, "appeal.closed");
    assert_eq!(closed_payload["close_reason"], "spam");
    assert!(closed_payload["closed_at"].is_string());
    assert_eq!(
        payload(&withdrawn, "appeal.withdrawn")["close_reason"],
        "withdrawn"
    );
    assert_eq!(
        payload(&escalated, "appeal.transferred")["region"]["code"],
        "50"
    );

    // The integrator's own reads carry no operator name either.
    let key = env.api_key(&["77"]).await;
    let list = env
        .app
        .get_as("/api/v1/appeals?limit=100", &key)
        .await
        .text()
        .await
        .unwrap();
    assert!(list.contains(&overdue));
    assert!(!list.contains("Соколова"), "{list}");
    let one = env
        .app
        .get_as(&format!("/api/v1/appeals/{worked}"), &key)
        .await
        .text()
        .await
        .unwrap();
    assert!(!one.contains("Соколова"), "{one}");
}

/// The case the feed is built for: a change stamped first but committed last (PostgreSQL,
/// another connection holding its transaction open) is still delivered, after the change
/// that committed before it. SQLite has one writer at a time, so it cannot happen there.
#[tokio::test]
async fn a_change_that_commits_late_is_not_skipped() {
    use api::db::schema::appeals;
    use diesel::prelude::*;

    let env = setup().await;
    if Backend::of(&env.app.database_url) != Backend::Postgres {
        return;
    }
    let key = env.api_key(&["77"]).await;
    let since = "2000-01-01T00:00:00Z";
    let teacher = env
        .app
        .dev_login("teacher", Some("77"), "Учитель Поздний", true)
        .await
        .access;
    let mut ids = Vec::new();
    for n in 0..2 {
        let body = json!({ "text": format!("{ROUTED} Номер {n}.") });
        let asked = env.post(&teacher, "/api/v1/appeals", body).await;
        ids.push(asked["id"].as_str().unwrap().to_owned());
    }
    let (early, late) = (ids[0].clone(), ids[1].clone());
    let (items, cursor) = poll_until(&env.app, &key, since, None, 2).await;
    assert_eq!(items.len(), 2);

    // Another connection changes `late` and keeps its transaction open.
    let (started_tx, started_rx) = std::sync::mpsc::channel::<()>();
    let (commit_tx, commit_rx) = std::sync::mpsc::channel::<()>();
    let url = env.app.database_url.clone();
    let late_id = late.clone();
    let writer = std::thread::spawn(move || {
        let pool = db::connect(&url, 1).unwrap();
        let mut conn = pool.get().unwrap();
        conn.transaction::<_, diesel::result::Error, _>(|c| {
            diesel::update(appeals::table.find(&late_id))
                .set(appeals::updated_at.eq(db::now()))
                .execute(c)?;
            started_tx.send(()).unwrap();
            commit_rx.recv().unwrap();
            Ok(())
        })
        .unwrap();
    });
    tokio::task::spawn_blocking(move || started_rx.recv().unwrap())
        .await
        .unwrap();
    // Meanwhile `early` changes and commits: stamped after `late`, visible before it.
    let follow = json!({ "text": "Дополню вопрос: экскурсия была в октябре." });
    env.post(
        &teacher,
        &format!("/api/v1/appeals/{early}/messages"),
        follow,
    )
    .await;
    let (items, held) = poll(&env.app, &key, since, cursor.as_deref(), 100).await;
    assert!(
        items.is_empty(),
        "nothing past a transaction still in flight: {items:?}"
    );
    assert_eq!(held, cursor);

    commit_tx.send(()).unwrap();
    tokio::task::spawn_blocking(move || writer.join().unwrap())
        .await
        .unwrap();
    let (items, _) = poll_until(&env.app, &key, since, cursor.as_deref(), 2).await;
    let order: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(
        order,
        [late.as_str(), early.as_str()],
        "both, in commit-safe order"
    );
}

#[tokio::test]
async fn api_keys_do_what_their_permissions_say_and_list_who_created_them() {
    let env = setup().await;
    let create = |permissions: Value| {
        let env = &env;
        async move {
            let body = json!({ "name": "Портал", "regions": ["77"], "permissions": permissions });
            env.app
                .post_as("/api/v1/admin/api-keys", &env.admin, &body)
                .await
        }
    };
    let key_of = |created: Value| created["key"].as_str().unwrap().to_owned();
    let stats_only: Value = create(json!(["stats:read"])).await.json().await.unwrap();
    assert_eq!(stats_only["info"]["permissions"], json!(["stats:read"]));
    let stats_only = key_of(stats_only);
    let appeals_only = key_of(create(json!(["appeals:read"])).await.json().await.unwrap());
    let status = |key: String, path: &'static str| {
        let app = &env.app;
        async move { app.get_as(path, &key).await.status().as_u16() }
    };
    assert_eq!(status(stats_only.clone(), "/api/v1/appeals").await, 403);
    assert_eq!(
        status(stats_only.clone(), "/api/v1/stats/summary").await,
        200
    );
    assert_eq!(status(appeals_only.clone(), "/api/v1/appeals").await, 200);
    assert_eq!(
        status(appeals_only.clone(), "/api/v1/stats/summary").await,
        403
    );
    assert_eq!(status(appeals_only, "/api/v1/me").await, 200);
    // Without permissions named, a key reads as keys always did; an empty list is refused.
    let default = env.api_key(&["77"]).await;
    assert_eq!(status(default.clone(), "/api/v1/appeals").await, 200);
    assert_eq!(status(default, "/api/v1/stats/summary").await, 200);
    assert_eq!(create(json!([])).await.status(), 422);
    assert_eq!(create(json!(["admin:all"])).await.status(), 400);

    let listed: Value = env
        .app
        .get_as("/api/v1/admin/api-keys", &env.admin)
        .await
        .json()
        .await
        .unwrap();
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    for item in items {
        assert!(item["created_by"].is_string());
        assert_eq!(item["created_by_name"], "Админ Интеграций");
    }
    let audit: Value = env
        .app
        .get_as("/api/v1/admin/audit?action=api_key.create", &env.admin)
        .await
        .json()
        .await
        .unwrap();
    let entries = audit["items"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    let first = entries.last().unwrap();
    assert_eq!(first["after"]["permissions"], json!(["stats:read"]));
    assert_eq!(first["after"]["regions"], json!(["77"]));
    assert_eq!(first["after"]["created_by"], first["actor_id"]);
}
