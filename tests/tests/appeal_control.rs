//! The appeal's human number («16-000123»: assigned at creation, searched by the list's
//! `q`) and «На контроль» by the region's leadership: who may, the scope, the badge and
//! comment staff see, the `controlled` filter, the notices in the outbox and the audit log.

use api::db::schema::{audit_log, outbox, users};
use api::db::{self, Backend, Db};
use diesel::prelude::*;
use integration_tests::{problem, spawn_app, Session, TestApp};
use serde_json::{json, Value};

const ROUTED: &str = "Как оформить возврат денег родителям за сорванную экскурсию в музей?";
const OTHER: &str = "Кто утверждает график дежурств учителей по этажам во время перемен?";

async fn ask(app: &TestApp, token: &str, text: &str) -> Value {
    let response = app
        .post_as("/api/v1/appeals", token, &json!({ "text": text }))
        .await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

async fn json_of(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn test_db(app: &TestApp) -> Db {
    Db::new(
        db::connect(&app.database_url, 2).unwrap(),
        Backend::of(&app.database_url),
    )
}

fn ids(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn every_appeal_gets_a_region_number_that_the_search_finds() {
    let app = spawn_app().await;
    let kazan = app
        .dev_login("teacher", Some("16"), "Гарипова Алсу", true)
        .await;
    let ufa = app
        .dev_login("teacher", Some("02"), "Хасанова Лилия", true)
        .await;
    let first = ask(&app, &kazan.access, ROUTED).await;
    let second = ask(&app, &kazan.access, OTHER).await;
    let bashkir = ask(&app, &ufa.access, ROUTED).await;
    assert_eq!(first["number"], "16-000001");
    assert_eq!(second["number"], "16-000002");
    assert_eq!(bashkir["number"], "02-000001");
    let seen = json_of(
        app.get_as(
            &format!("/api/v1/appeals/{}", second["id"].as_str().unwrap()),
            &kazan.access,
        )
        .await,
    )
    .await;
    assert_eq!(seen["number"], "16-000002");
    assert!(seen["control"].is_null());

    let operator = app
        .dev_login("operator", Some("16"), "Оператор Казани", true)
        .await;
    for (q, expected) in [
        ("16-000002", vec![&second]),
        ("16-2", vec![&second]),
        ("%E2%84%96%2016-000001", vec![&first]),
        ("02-000001", vec![]),
    ] {
        let list = json_of(
            app.get_as(&format!("/api/v1/appeals?q={q}"), &operator.access)
                .await,
        )
        .await;
        let want: Vec<String> = expected
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(ids(&list), want, "q={q}");
        assert!(list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["number"].as_str().unwrap().starts_with("16-")));
    }
}

/// A teacher's routed appeal in 16, two operators of 16 with e-mail addresses, the heads
/// of 16 and 02, a federal supervisor.
struct Cast {
    teacher: Session,
    a: Session,
    a_id: String,
    b: Session,
    head: Session,
    other_head: Session,
    federal: Session,
    appeal: Value,
}

async fn cast(app: &TestApp, db: &Db) -> Cast {
    let teacher = app
        .dev_login("teacher", Some("16"), "Гарипова Алсу", true)
        .await;
    let a = app
        .dev_login("operator", Some("16"), "Оператор Первый", true)
        .await;
    let b = app
        .dev_login("operator", Some("16"), "Оператор Второй", true)
        .await;
    let a_id = app.me(&a.access).await["id"].as_str().unwrap().to_owned();
    let b_id = app.me(&b.access).await["id"].as_str().unwrap().to_owned();
    for (id, email) in [
        (a_id.clone(), "first@example.ru"),
        (b_id, "second@example.ru"),
    ] {
        db.write(move |conn| {
            diesel::update(users::table.find(id))
                .set(users::email.eq(email))
                .execute(conn)
                .map_err(Into::into)
        })
        .await
        .unwrap();
    }
    let head = app
        .dev_login("regional_head", Some("16"), "Руководитель Татарстана", true)
        .await;
    let other_head = app
        .dev_login("regional_head", Some("02"), "Руководитель Башкирии", true)
        .await;
    let federal = app
        .dev_login("federal", None, "Федеральный Куратор", true)
        .await;
    let appeal = ask(app, &teacher.access, ROUTED).await;
    Cast {
        teacher,
        a,
        a_id,
        b,
        head,
        other_head,
        federal,
        appeal,
    }
}

/// `(recipient, template)` of the e-mails waiting in the outbox.
async fn letters(db: &Db) -> Vec<(String, String)> {
    let rows: Vec<String> = db
        .read(|conn| {
            outbox::table
                .filter(outbox::kind.eq("email"))
                .order((outbox::created_at.asc(), outbox::id.asc()))
                .select(outbox::payload)
                .load(conn)
                .map_err(Into::into)
        })
        .await
        .unwrap();
    rows.iter()
        .map(|p| {
            let v: Value = serde_json::from_str(p).unwrap();
            (
                v["to"].as_str().unwrap().to_owned(),
                v["mail"]["template"].as_str().unwrap().to_owned(),
            )
        })
        .filter(|(_, template)| template == "control")
        .collect()
}

#[tokio::test]
async fn leadership_puts_appeals_under_control_and_operators_see_it() {
    let app = spawn_app().await;
    let db = test_db(&app);
    let c = cast(&app, &db).await;
    let id = c.appeal["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/appeals/{id}/control");
    let body = json!({ "comment": "Разберитесь до пятницы, родители жалуются" });

    // Who may: the leadership of the region and federal; others 403, another region 404.
    problem(app.post_as(&path, &c.a.access, &body).await, 403).await;
    problem(app.post_as(&path, &c.teacher.access, &body).await, 403).await;
    problem(app.post_as(&path, &c.other_head.access, &body).await, 404).await;
    problem(app.delete_as(&path, &c.other_head.access).await, 404).await;
    problem(app.delete_as(&path, &c.b.access).await, 403).await;
    let p = problem(
        app.post_as(&path, &c.head.access, &json!({ "comment": "  " }))
            .await,
        422,
    )
    .await;
    assert_eq!(p.code, "validation_failed");

    let controlled = json_of(app.post_as(&path, &c.head.access, &body).await).await;
    assert_eq!(
        controlled["control"]["comment"],
        "Разберитесь до пятницы, родители жалуются"
    );
    assert_eq!(controlled["control"]["by_name"], "Руководитель Татарстана");
    // Nobody holds it: both operators of the region are told.
    let mut to: Vec<String> = letters(&db).await.into_iter().map(|(to, _)| to).collect();
    to.sort();
    assert_eq!(to, ["first@example.ru", "second@example.ru"]);

    // The operators see the badge and the comment; the teacher does not.
    let seen = json_of(
        app.get_as(&format!("/api/v1/appeals/{id}"), &c.b.access)
            .await,
    )
    .await;
    assert_eq!(
        seen["control"]["comment"],
        "Разберитесь до пятницы, родители жалуются"
    );
    let own = json_of(
        app.get_as(&format!("/api/v1/appeals/{id}"), &c.teacher.access)
            .await,
    )
    .await;
    assert!(own["control"].is_null());

    // The filter, for the head, federal (with a region) and operators alike.
    for (token, query) in [
        (&c.head.access, "controlled=true"),
        (&c.federal.access, "controlled=true&region=16"),
        (&c.a.access, "controlled=true"),
    ] {
        let list = json_of(app.get_as(&format!("/api/v1/appeals?{query}"), token).await).await;
        assert_eq!(ids(&list), std::slice::from_ref(&id), "{query}");
        assert!(!list["items"][0]["control"].is_null());
    }
    let other = json_of(
        app.get_as("/api/v1/appeals?controlled=true", &c.other_head.access)
            .await,
    )
    .await;
    assert!(ids(&other).is_empty());

    // Once an operator holds it, a new comment goes to that operator only.
    let taken = app
        .post_as(
            &format!("/api/v1/appeals/{id}/assign"),
            &c.a.access,
            &json!({ "operator_id": c.a_id }),
        )
        .await;
    assert_eq!(taken.status(), 200);
    let again = json_of(
        app.post_as(&path, &c.federal.access, &json!({ "comment": "Срочно" }))
            .await,
    )
    .await;
    assert_eq!(again["control"]["comment"], "Срочно");
    assert_eq!(again["control"]["by_name"], "Федеральный Куратор");
    let sent = letters(&db).await;
    assert_eq!(sent.len(), 3);
    assert_eq!(sent[2].0, "first@example.ru");

    // Audit-logged, both ways.
    let released = json_of(app.delete_as(&path, &c.head.access).await).await;
    assert!(released["control"].is_null());
    let actions: Vec<String> = db
        .read(move |conn| {
            audit_log::table
                .filter(audit_log::object_id.eq(id))
                .filter(audit_log::action.like("appeal.control%"))
                .order((audit_log::created_at.asc(), audit_log::id.asc()))
                .select(audit_log::action)
                .load(conn)
                .map_err(Into::into)
        })
        .await
        .unwrap();
    assert_eq!(
        actions,
        [
            "appeal.control",
            "appeal.control",
            "appeal.control_released"
        ]
    );
    let list = json_of(
        app.get_as("/api/v1/appeals?controlled=true", &c.head.access)
            .await,
    )
    .await;
    assert!(ids(&list).is_empty());
}

#[tokio::test]
async fn a_closed_appeal_cannot_be_put_under_control() {
    let app = spawn_app().await;
    let db = test_db(&app);
    let c = cast(&app, &db).await;
    let id = c.appeal["id"].as_str().unwrap();
    let withdrawn = app
        .post_as(
            &format!("/api/v1/appeals/{id}/withdraw"),
            &c.teacher.access,
            &json!({}),
        )
        .await;
    assert_eq!(withdrawn.status(), 200);
    let p = problem(
        app.post_as(
            &format!("/api/v1/appeals/{id}/control"),
            &c.head.access,
            &json!({ "comment": "Проверить" }),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(p.code, "appeal_closed");
    assert!(letters(&db).await.is_empty());
}
