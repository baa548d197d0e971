//! The production calendar: shipped years, the fallback with its warning, importing a year
//! and a regional overlay, and who may do it.

use integration_tests::{problem, spawn_app, workspace_root};
use serde_json::Value;

fn day<'a>(year: &'a Value, date: &str) -> &'a Value {
    year["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["date"] == date)
        .unwrap()
}

#[tokio::test]
async fn shipped_years_and_the_fallback_for_a_missing_one() {
    let app = spawn_app().await;
    let operator = app
        .dev_login("operator", Some("77"), "Оператор", true)
        .await;
    let y2025: Value = app
        .get_as("/api/v1/calendar/2025", &operator.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(y2025["published"], true);
    assert_eq!(y2025["items"].as_array().unwrap().len(), 365);
    assert_eq!(
        day(&y2025, "2025-11-01")["kind"],
        "shortened",
        "the working Saturday before 4 November"
    );
    assert_eq!(day(&y2025, "2025-11-03")["kind"], "day_off");
    assert_eq!(day(&y2025, "2025-11-03")["transferred_from"], "2025-11-01");

    let y2027: Value = app
        .get_as("/api/v1/calendar/2027", &operator.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(y2027["published"], false);
    assert!(y2027["warning"].as_str().unwrap().contains("2027"));
    assert_eq!(day(&y2027, "2027-01-04")["kind"], "day_off");
    assert_eq!(day(&y2027, "2027-01-11")["kind"], "working");

    let teacher = app.dev_login("teacher", Some("77"), "Учитель", true).await;
    problem(
        app.get_as("/api/v1/calendar/2025", &teacher.access).await,
        403,
    )
    .await;
    problem(
        app.get_as("/api/v1/calendar/1812", &operator.access).await,
        422,
    )
    .await;
}

#[tokio::test]
async fn federal_imports_a_year_and_a_regional_overlay() {
    let app = spawn_app().await;
    let federal = app.dev_login("federal", None, "Куратор", true).await;
    let xml2026 =
        std::fs::read_to_string(workspace_root().join("data/calendar/ru-2026.xml")).unwrap();
    let as_2027 = xml2026.replace("year=\"2026\"", "year=\"2027\"");
    let put = |path: &str, body: String, content_type: &'static str| {
        let request = app
            .with_token(reqwest::Method::PUT, path, &federal.access)
            .header("content-type", content_type)
            .body(body);
        async move { request.send().await.unwrap() }
    };
    let imported = put("/api/v1/calendar/2027", as_2027.clone(), "application/xml").await;
    assert_eq!(imported.status(), 200);
    let imported: Value = imported.json().await.unwrap();
    assert_eq!(imported["published"], true);
    assert!(imported["warning"].is_null());

    let p = problem(
        put("/api/v1/calendar/2028", as_2027.clone(), "application/xml").await,
        422,
    )
    .await;
    assert_eq!(
        p.errors[0].code, "invalid_calendar",
        "the file's year must match"
    );
    problem(
        put(
            "/api/v1/calendar/2027",
            "<calendar".to_owned(),
            "application/xml",
        )
        .await,
        422,
    )
    .await;
    problem(
        put("/api/v1/calendar/2027", as_2027.clone(), "text/plain").await,
        415,
    )
    .await;

    // Tatarstan's Constitution Day (6 November) as a regional day off.
    let overlay = r#"<?xml version="1.0" encoding="UTF-8"?>
<calendar year="2026" lang="ru"><holidays><holiday id="1" title="День Конституции Республики Татарстан"/></holidays>
<days><day d="11.06" t="1" h="1"/></days></calendar>"#;
    assert_eq!(
        put(
            "/api/v1/calendar/2026?region=16",
            overlay.to_owned(),
            "application/xml"
        )
        .await
        .status(),
        200
    );
    let tatarstan: Value = app
        .get_as("/api/v1/calendar/2026?region=16", &federal.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(day(&tatarstan, "2026-11-06")["kind"], "day_off");
    assert_eq!(
        day(&tatarstan, "2026-11-06")["holiday"],
        "День Конституции Республики Татарстан"
    );
    let federal_view: Value = app
        .get_as("/api/v1/calendar/2026", &federal.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        day(&federal_view, "2026-11-06")["kind"],
        "working",
        "the overlay is the region's only"
    );

    let operator = app
        .dev_login("operator", Some("16"), "Оператор", true)
        .await;
    let refused = app
        .with_token(
            reqwest::Method::PUT,
            "/api/v1/calendar/2027",
            &operator.access,
        )
        .header("content-type", "application/xml")
        .body(as_2027)
        .send()
        .await
        .unwrap();
    problem(refused, 403).await;
}
