//! Appeals registered on someone's behalf (`POST /api/v1/appeals/on-behalf`): an operator's
//! quick appeal for a known teacher (who sees it) and for a person without an account
//! (whose name and contact the cleanup job erases after the retention), an integrator's
//! key with and without `appeals:create`, an idempotent retry, other regions refused.
//! Both backends (`TEST_BACKEND`).

use api::db::schema::{appeal_on_behalf as ob, appeals, users};
use api::db::{self, Backend, Db};
use chrono::Duration;
use diesel::prelude::*;
use integration_tests::{problem, spawn_app, TestApp};
use serde_json::{json, Value};

const ROUTED: &str = "Как оформить возврат денег родителям за сорванную экскурсию в музей?";
const PATH: &str = "/api/v1/appeals/on-behalf";

fn consent(basis: &str) -> Value {
    json!({ "basis": basis, "version": "2026-11" })
}

async fn created(response: reqwest::Response) -> Value {
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, 201, "{text}");
    serde_json::from_str(&text).unwrap()
}

async fn user_id(app: &TestApp, token: &str) -> String {
    app.me(token).await["id"].as_str().unwrap().to_owned()
}

async fn list_ids(app: &TestApp, token: &str) -> Vec<String> {
    let list: Value = app
        .get_as("/api/v1/appeals", token)
        .await
        .json()
        .await
        .unwrap();
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn api_key(app: &TestApp, permissions: &[&str]) -> String {
    let admin = app.dev_login("admin", None, "Админ Ключей", true).await;
    let response = app
        .post_as(
            "/api/v1/admin/api-keys",
            &admin.access,
            &json!({ "name": "Портал региона", "regions": ["16"], "permissions": permissions }),
        )
        .await;
    created(response).await["key"].as_str().unwrap().to_owned()
}

async fn post_with_key(
    app: &TestApp,
    token: &str,
    idempotency: Option<&str>,
    body: &Value,
) -> reqwest::Response {
    let mut request = app.client.post(app.url(PATH)).bearer_auth(token).json(body);
    if let Some(k) = idempotency {
        request = request.header("Idempotency-Key", k);
    }
    request.send().await.unwrap()
}

fn database(app: &TestApp) -> Db {
    Db::new(
        db::connect(&app.database_url, 1).unwrap(),
        Backend::of(&app.database_url),
    )
}

#[tokio::test]
async fn an_operator_registers_a_call_from_a_known_teacher_who_then_sees_it() {
    let app = spawn_app().await;
    let teacher = app
        .dev_login("teacher", Some("16"), "Иванова Мария", true)
        .await;
    let teacher_id = user_id(&app, &teacher.access).await;
    let operator = app
        .dev_login("operator", Some("16"), "Оператор Быстрый", true)
        .await;

    let appeal = created(
        app.post_as(
            PATH,
            &operator.access,
            &json!({ "text": ROUTED, "channel": "phone", "teacher_id": teacher_id, "consent": consent("phone") }),
        )
        .await,
    )
    .await;
    assert_eq!(appeal["channel"], "phone");
    assert_eq!(appeal["region"]["code"], "16");
    assert_eq!(appeal["author_name"], "Иванова Мария");
    // The same engine and SLA as the teacher's own question: routed, with a deadline.
    assert_eq!(appeal["status"], "new");
    assert!(appeal["deadline_at"].is_string(), "{appeal}");
    let id = appeal["id"].as_str().unwrap();
    assert!(list_ids(&app, &teacher.access)
        .await
        .iter()
        .any(|a| a == id));
    let own = app
        .get_as(&format!("/api/v1/appeals/{id}"), &teacher.access)
        .await;
    assert_eq!(own.status(), 200);

    // Found by e-mail too (whatever the case the operator typed it in).
    let db = database(&app);
    let tid = teacher_id.clone();
    db.write(move |conn| {
        Ok(diesel::update(users::table.find(&tid))
            .set(users::email.eq("ivanova@school16.ru"))
            .execute(conn)?)
    })
    .await
    .unwrap();
    let by_email = created(
        app.post_as(
            PATH,
            &operator.access,
            &json!({ "text": ROUTED, "channel": "email", "teacher_email": "Ivanova@School16.ru",
                     "consent": consent("letter") }),
        )
        .await,
    )
    .await;
    assert_eq!(by_email["channel"], "email");
    assert_eq!(list_ids(&app, &teacher.access).await.len(), 2);

    // A teacher of another region is not found; a wrong channel or basis is explained.
    let other = app
        .dev_login("teacher", Some("50"), "Петров Пётр", true)
        .await;
    let other_id = user_id(&app, &other.access).await;
    let response = app
        .post_as(
            PATH,
            &operator.access,
            &json!({ "text": ROUTED, "channel": "phone", "teacher_id": other_id, "consent": consent("phone") }),
        )
        .await;
    problem(response, 404).await;
    let response = app
        .post_as(
            PATH,
            &operator.access,
            &json!({ "text": ROUTED, "channel": "api", "teacher_id": teacher_id, "consent": consent("portal") }),
        )
        .await;
    let p = problem(response, 422).await;
    assert!(p.errors.iter().any(|e| e.field == "channel"), "{p:?}");
    // A teacher cannot register for someone else.
    let response = app
        .post_as(
            PATH,
            &teacher.access,
            &json!({ "text": ROUTED, "channel": "phone", "teacher_id": teacher_id, "consent": consent("phone") }),
        )
        .await;
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn an_unregistered_persons_name_and_contact_are_erased_after_the_retention() {
    let app = spawn_app().await;
    let operator = app
        .dev_login("operator", Some("16"), "Оператор Почты", true)
        .await;
    let person =
        json!({ "name": "Сидорова Анна Петровна", "email": "anna@example.ru", "region": "16" });
    let appeal = created(
        app.post_as(
            PATH,
            &operator.access,
            &json!({ "text": ROUTED, "channel": "email", "person": person, "consent": consent("letter") }),
        )
        .await,
    )
    .await;
    assert_eq!(appeal["channel"], "email");
    assert_eq!(appeal["author_name"], "Сидорова Анна Петровна");
    let id = appeal["id"].as_str().unwrap().to_owned();

    // No contact at all, or a region outside the operator's: refused.
    let response = app
        .post_as(
            PATH,
            &operator.access,
            &json!({ "text": ROUTED, "channel": "phone",
                     "person": { "name": "Без Контакта", "region": "16" }, "consent": consent("phone") }),
        )
        .await;
    problem(response, 422).await;
    let response = app
        .post_as(
            PATH,
            &operator.access,
            &json!({ "text": ROUTED, "channel": "phone",
                     "person": { "name": "Чужой Регион", "phone": "+7 495 123-45-67", "region": "50" },
                     "consent": consent("phone") }),
        )
        .await;
    assert_eq!(problem(response, 403).await.code, "region_out_of_scope");

    // Closed now; kept 30 days after closing, erased by the cleanup job after that.
    let db = database(&app);
    let closed = db::now();
    let key = id.clone();
    db.write(move |conn| {
        Ok(diesel::update(appeals::table.find(&key))
            .set((
                appeals::status.eq("closed"),
                appeals::closed_at.eq(Some(closed)),
            ))
            .execute(conn)?)
    })
    .await
    .unwrap();
    for (days, erased) in [(29, false), (31, true)] {
        let at = closed + Duration::days(days);
        db.write(move |conn| Ok(api::jobs::scheduled::cleanup(conn, at)?))
            .await
            .unwrap();
        let seen: Value = app
            .get_as(&format!("/api/v1/appeals/{id}"), &operator.access)
            .await
            .json()
            .await
            .unwrap();
        let key = id.clone();
        let contact: Option<String> = db
            .read(move |conn| Ok(ob::table.find(&key).select(ob::contact_email).first(conn)?))
            .await
            .unwrap();
        if erased {
            assert!(seen["author_name"].is_null(), "{seen}");
            assert_eq!(contact, None);
        } else {
            assert_eq!(seen["author_name"], "Сидорова Анна Петровна");
            assert_eq!(contact.as_deref(), Some("anna@example.ru"));
        }
    }
}

#[tokio::test]
async fn a_key_with_appeals_create_forwards_a_question_once_and_only_in_its_regions() {
    let app = spawn_app().await;
    let teacher = app
        .dev_login("teacher", Some("16"), "Кузнецова Ольга", true)
        .await;
    let teacher_id = user_id(&app, &teacher.access).await;
    let body = json!({ "text": ROUTED, "teacher_id": teacher_id, "consent": consent("portal") });

    let reader = api_key(&app, &["appeals:read"]).await;
    let response = post_with_key(&app, &reader, Some("k-1"), &body).await;
    assert_eq!(response.status(), 403);

    let key = api_key(&app, &["appeals:read", "appeals:create"]).await;
    let response = post_with_key(&app, &key, None, &body).await;
    let p = problem(response, 422).await;
    assert!(
        p.errors.iter().any(|e| e.field == "Idempotency-Key"),
        "{p:?}"
    );

    let first = created(post_with_key(&app, &key, Some("portal-42"), &body).await).await;
    assert_eq!(first["channel"], "api");
    let again = created(post_with_key(&app, &key, Some("portal-42"), &body).await).await;
    assert_eq!(first["id"], again["id"]);
    let id = first["id"].as_str().unwrap();
    let mine = list_ids(&app, &teacher.access).await;
    assert_eq!(mine.iter().filter(|a| *a == id).count(), 1, "{mine:?}");
    assert_eq!(mine.len(), 1);

    // Another region: a teacher there is not found, a person there is out of scope.
    let other = app
        .dev_login("teacher", Some("50"), "Смирнов Иван", true)
        .await;
    let other_id = user_id(&app, &other.access).await;
    let response = post_with_key(
        &app,
        &key,
        Some("portal-43"),
        &json!({ "text": ROUTED, "teacher_id": other_id, "consent": consent("portal") }),
    )
    .await;
    problem(response, 404).await;
    let response = post_with_key(
        &app,
        &key,
        Some("portal-44"),
        &json!({ "text": ROUTED, "consent": consent("portal"),
                 "person": { "name": "Орлова Вера", "phone": "+7 495 000-00-00", "region": "50" } }),
    )
    .await;
    assert_eq!(problem(response, 403).await.code, "region_out_of_scope");
    // An operator's way of naming a teacher is not the key's.
    let response = post_with_key(
        &app,
        &key,
        Some("portal-45"),
        &json!({ "text": ROUTED, "teacher_email": "x@example.ru", "consent": consent("portal") }),
    )
    .await;
    problem(response, 422).await;
}

async fn search(app: &TestApp, token: &str, query: &str) -> reqwest::Response {
    app.get_as(&format!("/api/v1/teachers?{query}"), token)
        .await
}

fn names(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_quick_form_finds_a_teacher_of_own_regions_by_name() {
    let app = spawn_app().await;
    let teacher = app
        .dev_login("teacher", Some("16"), "Иванова Мария Петровна", true)
        .await;
    let teacher_id = user_id(&app, &teacher.access).await;
    app.dev_login("teacher", Some("16"), "Иванов Олег", true)
        .await;
    app.dev_login("teacher", Some("50"), "Иванова Анна", true)
        .await;
    let operator = app
        .dev_login("operator", Some("16"), "Оператор Быстрый", true)
        .await;
    // A person without an account holds a name, not an account: never suggested.
    created(
        app.post_as(
            PATH,
            &operator.access,
            &json!({ "text": ROUTED, "channel": "phone", "consent": consent("phone"),
                     "person": { "name": "Иванов Пётр", "phone": "+7 900 000-00-00", "region": "16" } }),
        )
        .await,
    )
    .await;

    // Any case, any part of the name; other regions' teachers never come back.
    let page: Value = search(&app, &operator.access, "q=%D0%B8%D0%B2%D0%B0%D0%BD")
        .await
        .json()
        .await
        .unwrap();
    let mut found = names(&page);
    found.sort();
    assert_eq!(found, ["Иванов Олег", "Иванова Мария Петровна"]);
    let first = &page["items"].as_array().unwrap()[0];
    let mut keys: Vec<&String> = first.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["id", "name", "region", "school"], "no contacts");
    assert_eq!(first["region"]["code"], "16");
    // Several words narrow the search.
    let page: Value = search(&app, &operator.access, "q=мария%20ИВАНОВА")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"][0]["id"], teacher_id.as_str());
    assert_eq!(names(&page).len(), 1);
    // Pages.
    let page: Value = search(&app, &operator.access, "q=Иван&limit=1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(names(&page).len(), 1);
    let cursor = page["next_cursor"].as_str().unwrap();
    let next: Value = search(
        &app,
        &operator.access,
        &format!("q=Иван&limit=1&cursor={cursor}"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(names(&next).len(), 1);
    assert_ne!(next["items"][0]["id"], page["items"][0]["id"]);
    assert!(next["next_cursor"].is_null());
    // Too short; other regions; other roles.
    let p = problem(search(&app, &operator.access, "q=%20ив%20").await, 422).await;
    assert_eq!(p.errors[0].field, "q");
    let outsider = app
        .dev_login("operator", Some("50"), "Чужой оператор", true)
        .await;
    let theirs: Value = search(&app, &outsider.access, "q=Иван")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(names(&theirs), ["Иванова Анна"]);
    problem(search(&app, &teacher.access, "q=Иван").await, 403).await;
    let head = app
        .dev_login("regional_head", Some("16"), "Руководитель", true)
        .await;
    problem(search(&app, &head.access, "q=Иван").await, 403).await;

    // The id found is the quick appeal's teacher.
    let appeal = created(
        app.post_as(
            PATH,
            &operator.access,
            &json!({ "text": ROUTED, "channel": "phone", "teacher_id": teacher_id, "consent": consent("phone") }),
        )
        .await,
    )
    .await;
    assert_eq!(appeal["author_name"], "Иванова Мария Петровна");
}
