//! Issue #18: each region's number of teachers imported by a federal user (JSON or CSV,
//! validated, audit-logged, federal only) and the per-region figure «appeals per 1,000
//! teachers»; issue #19: the statistics and reports of one education level (the level
//! recorded on each appeal, none recorded counting as a school's), on both backends.

use api::db::schema::audit_log;
use diesel::prelude::*;
use integration_tests::{spawn_app, TestApp};
use serde_json::{json, Value};

const ROUTED: [&str; 4] = [
    "Как оформить возврат денег родителям за сорванную экскурсию в музей?",
    "Кто должен заполнять журнал инструктажей по технике безопасности на экскурсии?",
    "Можно ли требовать от учителя отчёт о посещаемости кружков каждую неделю?",
    "Обязан ли классный руководитель собирать справки о прививках у родителей?",
];
const ANSWERED: &str = "план воспитательной работы пишет каждый учитель или только кл рук?";

async fn get_json(app: &TestApp, path: &str, token: &str) -> Value {
    let response = app.get_as(path, token).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.json().await.unwrap()
}

async fn post_ok(app: &TestApp, path: &str, token: &str, body: Value) -> Value {
    let response = app.post_as(path, token, &body).await;
    assert!(
        response.status().is_success(),
        "POST {path}: {}",
        response.status()
    );
    response.json().await.unwrap_or(Value::Null)
}

async fn put(app: &TestApp, token: &str, content_type: &str, body: &str) -> reqwest::Response {
    app.client
        .put(app.url("/api/v1/regions/teachers"))
        .bearer_auth(token)
        .header("Content-Type", content_type)
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

fn row<'a>(table: &'a Value, code: &str) -> &'a Value {
    table["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code)
        .unwrap_or_else(|| panic!("no row {code} in {table}"))
}

fn error_codes(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}:{}",
                e["field"].as_str().unwrap(),
                e["code"].as_str().unwrap()
            )
        })
        .collect()
}

async fn audit_entries(app: &TestApp) -> Vec<(Option<String>, Option<String>)> {
    let url = app.database_url.clone();
    tokio::task::spawn_blocking(move || {
        let mut pooled = api::db::connect(&url, 1).unwrap().get().unwrap();
        let conn: &mut api::db::AnyConnection = &mut pooled;
        audit_log::table
            .filter(audit_log::action.eq("region_teachers.import"))
            .select((audit_log::before_state, audit_log::after_state))
            .order(audit_log::created_at.asc())
            .load(conn)
            .unwrap()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_federal_user_imports_teachers_and_the_regions_table_divides_by_them() {
    let app = spawn_app().await;
    let federal = app
        .dev_login("federal", None, "Федеральный Куратор", true)
        .await
        .access;
    let head = app
        .dev_login("regional_head", Some("16"), "Руководитель Татарстана", true)
        .await
        .access;
    let operator = app
        .dev_login("operator", Some("16"), "Оператор", true)
        .await
        .access;
    let t16 = app
        .dev_login("teacher", Some("16"), "Гарипова Алсу", true)
        .await
        .access;
    let t02 = app
        .dev_login("teacher", Some("02"), "Сафина Гульнара", true)
        .await
        .access;
    for text in &ROUTED[..3] {
        post_ok(&app, "/api/v1/appeals", &t16, json!({ "text": text })).await;
    }
    post_ok(&app, "/api/v1/appeals", &t02, json!({ "text": ROUTED[3] })).await;

    // Nothing is shipped: no region has the figure.
    let table = get_json(&app, "/api/v1/stats/regions", &federal).await;
    assert!(table["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["teachers"].is_null() && r["appeals_per_1000"].is_null()));

    // Only federal users import.
    for token in [&head, &operator, &t16] {
        let body = r#"{"items":[{"code":"16","teachers":100}]}"#;
        let response = put(&app, token, "application/json", body).await;
        assert_eq!(response.status(), 403);
    }

    // JSON, then CSV (with a header and a BOM) replacing 16 and adding 02.
    let response = put(
        &app,
        &federal,
        "application/json",
        r#"{"items":[{"code":"16","teachers":1500}]}"#,
    )
    .await;
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["imported"], 1);
    assert_eq!(answer["items"][0]["teachers"], 1500);
    let csv = "\u{feff}Код;Учителей\r\n02;4000\r\n16;3 000\r\n";
    let response = put(&app, &federal, "text/csv; charset=utf-8", csv).await;
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["imported"], 2);
    let items = answer["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{answer}");
    assert_eq!(
        (items[0]["code"].as_str(), items[0]["teachers"].as_i64()),
        (Some("02"), Some(4000))
    );
    assert_eq!(
        (items[1]["code"].as_str(), items[1]["teachers"].as_i64()),
        (Some("16"), Some(3000))
    );
    assert_eq!(items[1]["name"], "Республика Татарстан");
    assert!(items[1]["set_by"].is_string());

    // The arithmetic: 3 appeals / 3,000 teachers = 1 per 1,000; 1 / 4,000 = 0.25.
    let table = get_json(&app, "/api/v1/stats/regions", &federal).await;
    let r16 = row(&table, "16");
    assert_eq!(r16["figures"]["received"], 3);
    assert_eq!(r16["teachers"], 3000);
    assert_eq!(r16["appeals_per_1000"], 1.0);
    assert_eq!(row(&table, "02")["appeals_per_1000"], 0.25);
    assert!(row(&table, "77")["appeals_per_1000"].is_null());
    let sorted = get_json(
        &app,
        "/api/v1/stats/regions?sort=appeals_per_1000",
        &federal,
    )
    .await;
    let codes: Vec<&str> = sorted["items"]
        .as_array()
        .unwrap()
        .iter()
        .take(3)
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes[..2],
        ["16", "02"],
        "largest first, regions without a figure last"
    );
    // A regional head sees the figure of their own region.
    let theirs = get_json(&app, "/api/v1/stats/regions", &head).await;
    assert_eq!(row(&theirs, "16")["appeals_per_1000"], 1.0);

    // A list with errors saves nothing and names every bad item, in Russian.
    let bad = r#"{"items":[{"code":"99","teachers":10},{"code":"16","teachers":0},{"code":"02","teachers":5},{"code":"02","teachers":6}]}"#;
    let response = put(&app, &federal, "application/json", bad).await;
    assert_eq!(response.status(), 422);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/problem+json"));
    let problem: Value = response.json().await.unwrap();
    assert_eq!(
        error_codes(&problem),
        [
            "items[0].code:unknown_region",
            "items[1].teachers:out_of_range",
            "items[3].code:duplicate"
        ]
    );
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("ничего не сохранено"),
        "{problem}"
    );
    let response = put(&app, &federal, "text/csv", "16;3000\n77;много\n").await;
    assert_eq!(response.status(), 422);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(error_codes(&problem), ["line 2:invalid_line"]);
    let response = put(&app, &federal, "application/json", r#"{"items":[]}"#).await;
    assert_eq!(
        error_codes(&response.json::<Value>().await.unwrap()),
        ["items:empty"]
    );
    let response = put(&app, &federal, "application/json", "{not json").await;
    assert_eq!(response.status(), 400);
    let response = put(&app, &federal, "text/plain", "16;3000").await;
    assert_eq!(response.status(), 415);
    let table = get_json(&app, "/api/v1/stats/regions", &federal).await;
    assert_eq!(
        row(&table, "16")["teachers"],
        3000,
        "the refused lists changed nothing"
    );
    assert!(row(&table, "77")["teachers"].is_null());

    // Each import is in the audit log with the figures before and after.
    let entries = audit_entries(&app).await;
    assert_eq!(entries.len(), 2);
    let after: Value = serde_json::from_str(entries[1].1.as_deref().unwrap()).unwrap();
    assert_eq!(after, json!({ "02": 4000, "16": 3000 }));
    let before: Value = serde_json::from_str(entries[1].0.as_deref().unwrap()).unwrap();
    assert_eq!(before, json!({ "16": 1500 }));
}

/// The figures of a summary without the moment they were taken.
/// `author` asks a question the base cannot answer (`ROUTED[0]`), `operator` answers it and
/// the author rates the answer 4.
async fn answered_and_rated(app: &TestApp, author: &str, operator: &str) {
    let routed = post_ok(app, "/api/v1/appeals", author, json!({ "text": ROUTED[0] })).await;
    let id = routed["id"].as_str().expect("id");
    post_ok(
        app,
        &format!("/api/v1/appeals/{id}/answer"),
        operator,
        json!({ "text": "Возврат оформляется приказом директора по заявлению родителей." }),
    )
    .await;
    post_ok(
        app,
        &format!("/api/v1/appeals/{id}/rating"),
        author,
        json!({ "score": 4 }),
    )
    .await;
}

async fn figures(app: &TestApp, query: &str, token: &str) -> Value {
    get_json(
        app,
        &format!("/api/v1/stats/summary?region=16{query}"),
        token,
    )
    .await["figures"]
        .clone()
}

#[tokio::test]
async fn figures_of_one_education_level_count_only_its_appeals() {
    let app = spawn_app().await;
    app.import_demo_kb().await;
    let federal = app
        .dev_login("federal", None, "Федеральный Куратор", true)
        .await
        .access;
    let operator = app
        .dev_login("operator", Some("16"), "Оператор Первый", true)
        .await
        .access;
    let college = app
        .dev_login("teacher", Some("16"), "Хасанова Лилия", true)
        .await
        .access;
    let response = app
        .patch_as("/api/v1/me", &college, &json!({ "education_level": "spo" }))
        .await;
    assert_eq!(response.status(), 200, "the college teacher's level");

    // The college teacher's appeals go through a whole lifecycle: a bot answer graded and
    // escalated, a routed appeal answered and rated.
    let bot = post_ok(
        &app,
        "/api/v1/appeals",
        &college,
        json!({ "text": ANSWERED }),
    )
    .await;
    assert_eq!(bot["status"], "answered_by_bot");
    let bot_id = bot["id"].as_str().unwrap();
    post_ok(
        &app,
        &format!("/api/v1/appeals/{bot_id}/bot-grade"),
        &operator,
        json!({ "grade": "partly" }),
    )
    .await;
    post_ok(
        &app,
        &format!("/api/v1/appeals/{bot_id}/escalate"),
        &college,
        json!({}),
    )
    .await;
    answered_and_rated(&app, &college, &operator).await;

    // With only the college's appeals, its level's figures are the whole region's.
    let whole = figures(&app, "", &federal).await;
    assert_eq!(whole["received"], 2);
    assert_eq!(whole["ratings_count"], 1);
    assert_eq!(figures(&app, "&level=spo", &federal).await, whole);
    let none = figures(&app, "&level=doo", &federal).await;
    assert_eq!(
        (none["received"].as_i64(), none["open"].as_i64()),
        (Some(0), Some(0))
    );

    // Two school teachers' appeals: one with no level recorded (counted as a school's).
    let school = app
        .dev_login("teacher", Some("16"), "Гарипова Алсу", true)
        .await
        .access;
    let other = app
        .dev_login("teacher", Some("16"), "Иванова Анна", true)
        .await
        .access;
    let response = app
        .patch_as(
            "/api/v1/me",
            &other,
            &json!({ "education_level": "school" }),
        )
        .await;
    assert_eq!(response.status(), 200);
    let mut routed_school = 0;
    for (token, text) in [(&school, ROUTED[1]), (&other, ROUTED[2])] {
        let created = post_ok(&app, "/api/v1/appeals", token, json!({ "text": text })).await;
        routed_school += i64::from(created["status"] == "new");
    }

    let spo = figures(&app, "&level=spo", &federal).await;
    assert_eq!(
        spo, whole,
        "the school appeals do not move the college's figures"
    );
    let schools = figures(&app, "&level=school", &federal).await;
    assert_eq!(
        (
            schools["received"].as_i64(),
            schools["open"].as_i64(),
            schools["unread"].as_i64(),
            schools["answered"].as_i64(),
            schools["ratings_count"].as_i64(),
        ),
        (
            Some(2),
            Some(routed_school),
            Some(routed_school),
            Some(2 - routed_school),
            Some(0)
        )
    );
    let all = figures(&app, "", &federal).await;
    for key in [
        "received",
        "open",
        "unread",
        "answered",
        "escalated",
        "ratings_count",
        "bot_grades_count",
    ] {
        assert_eq!(
            all[key].as_i64().unwrap(),
            spo[key].as_i64().unwrap() + schools[key].as_i64().unwrap(),
            "{key}"
        );
    }
    let summary = get_json(&app, "/api/v1/stats/summary?level=spo", &federal).await;
    assert_eq!(summary["level"], "spo");

    // The per-region table and the reports filter the same way.
    let table = get_json(&app, "/api/v1/stats/regions?level=school", &federal).await;
    assert_eq!(row(&table, "16")["figures"]["received"], 2);
    let table = get_json(&app, "/api/v1/stats/regions?level=spo", &federal).await;
    assert_eq!(row(&table, "16")["figures"]["received"], 2);
    assert_eq!(row(&table, "16")["figures"]["rating_avg"], 4.0);
    for (level, rows) in [("school", 2), ("spo", 2), ("doo", 0)] {
        let response = app
            .get_as(
                &format!("/api/v1/reports/appeals.csv?region=16&level={level}"),
                &federal,
            )
            .await;
        assert_eq!(response.status(), 200);
        let disposition = response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            disposition.contains(&format!("_{level}.csv")),
            "{disposition}"
        );
        let body = response.text().await.unwrap();
        let lines = body.split("\r\n").filter(|l| !l.is_empty()).count();
        assert_eq!(lines, rows + 1, "{level}: header and {rows} rows");
    }
    let response = app
        .get_as("/api/v1/reports/appeals.xlsx?level=spo", &federal)
        .await;
    assert_eq!(response.status(), 200);

    // An unknown level is a Russian 422 naming the field.
    for path in [
        "/api/v1/stats/summary?level=vuz",
        "/api/v1/stats/regions?level=vuz",
        "/api/v1/reports/appeals.csv?level=vuz",
    ] {
        let response = app.get_as(path, &federal).await;
        assert_eq!(response.status(), 422, "{path}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(error_codes(&problem), ["level:invalid"], "{path}");
    }
}

/// The time series' buckets summed: received, answered, overdue, ratings.
async fn series_totals(app: &TestApp, query: &str, token: &str) -> (Value, [i64; 4]) {
    let series = get_json(app, &format!("/api/v1/stats/timeseries{query}"), token).await;
    let mut totals = [0; 4];
    for point in series["items"].as_array().unwrap() {
        for (total, key) in
            totals
                .iter_mut()
                .zip(["received", "answered", "overdue", "ratings_count"])
        {
            *total += point[key].as_i64().unwrap();
        }
    }
    (series, totals)
}

/// Moves an appeal's deadline into the past, as if it had waited too long.
async fn make_overdue(app: &TestApp, id: &str) {
    use api::db::schema::appeals;
    let (url, id) = (app.database_url.clone(), id.to_owned());
    tokio::task::spawn_blocking(move || {
        let mut pooled = api::db::connect(&url, 1).unwrap().get().unwrap();
        let conn: &mut api::db::AnyConnection = &mut pooled;
        let past = chrono::Utc::now().naive_utc() - chrono::Duration::hours(1);
        diesel::update(appeals::table.find(id))
            .set(appeals::deadline_at.eq(past))
            .execute(conn)
            .unwrap();
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn the_time_series_of_one_education_level_counts_only_its_appeals() {
    // No knowledge base: every question waits for people.
    let app = spawn_app().await;
    let federal = app
        .dev_login("federal", None, "Федеральный Куратор", true)
        .await
        .access;
    let operator = app
        .dev_login("operator", Some("16"), "Оператор Первый", true)
        .await
        .access;
    let college = app
        .dev_login("teacher", Some("16"), "Хасанова Лилия", true)
        .await
        .access;
    let response = app
        .patch_as("/api/v1/me", &college, &json!({ "education_level": "spo" }))
        .await;
    assert_eq!(response.status(), 200, "the college teacher's level");
    // A school teacher with no level recorded (counted as a school's).
    let school = app
        .dev_login("teacher", Some("16"), "Гарипова Алсу", true)
        .await
        .access;

    // The college: an appeal answered and rated, one left past its deadline. The school:
    // one appeal, still in time.
    answered_and_rated(&app, &college, &operator).await;
    let late = post_ok(
        &app,
        "/api/v1/appeals",
        &college,
        json!({ "text": ROUTED[3] }),
    )
    .await;
    assert_eq!(late["status"], "new");
    make_overdue(&app, late["id"].as_str().unwrap()).await;
    let waiting = post_ok(
        &app,
        "/api/v1/appeals",
        &school,
        json!({ "text": ROUTED[1] }),
    )
    .await;
    assert_eq!(waiting["status"], "new");

    let (all, whole) = series_totals(&app, "", &federal).await;
    assert_eq!(all["level"], Value::Null);
    assert_eq!(whole, [3, 1, 1, 1], "received, answered, overdue, ratings");
    let (spo, college_totals) = series_totals(&app, "?level=spo", &federal).await;
    assert_eq!(spo["level"], "spo");
    assert_eq!(college_totals, [2, 1, 1, 1]);
    assert_eq!(
        spo["items"].as_array().unwrap().len(),
        all["items"].as_array().unwrap().len(),
        "every bucket of the period, also empty ones"
    );
    let (_, schools) = series_totals(&app, "?level=school", &federal).await;
    assert_eq!(schools, [1, 0, 0, 0]);
    let (_, none) = series_totals(&app, "?level=doo&bucket=week", &federal).await;
    assert_eq!(none, [0, 0, 0, 0]);
    // The level's series agrees with the level's summary, also by month and in one region.
    let summary = figures(&app, "&level=spo", &federal).await;
    let (_, monthly) = series_totals(&app, "?level=spo&bucket=month&region=16", &federal).await;
    assert_eq!(
        [monthly[0], monthly[1], monthly[3]],
        [
            summary["received"].as_i64().unwrap(),
            summary["answered"].as_i64().unwrap(),
            summary["ratings_count"].as_i64().unwrap()
        ]
    );
    // The region's operator sees the same; a region with no such appeals, nothing.
    let (_, mine) = series_totals(&app, "?level=spo", &operator).await;
    assert_eq!(mine, college_totals);
    let (_, elsewhere) = series_totals(&app, "?level=spo&region=02", &federal).await;
    assert_eq!(elsewhere, [0, 0, 0, 0]);

    let response = app
        .get_as("/api/v1/stats/timeseries?level=vuz", &federal)
        .await;
    assert_eq!(response.status(), 422);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(error_codes(&problem), ["level:invalid"]);
}
