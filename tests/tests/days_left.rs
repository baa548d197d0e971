//! «осталось N раб. дня» (issue #22, item 5): `working_days_left` of an appeal, counted on
//! the region's production calendar and clock — the same count as the deadline itself, so
//! a deadline three working days ahead reads 3 whatever weekends and holidays lie between;
//! 0 on the deadline's day, negative once overdue, null when no deadline runs. The teacher
//! and the operator read it; the counting itself is checked on fixed dates across a
//! weekend and the 4 November holiday.

use chrono::{FixedOffset, NaiveDate, TimeZone, Utc};
use integration_tests::{spawn_app, TestApp};
use serde_json::{json, Value};

const ROUTED: &str = "Как оформить возврат денег родителям за сорванную экскурсию в музей?";

async fn with_db<T: Send + 'static>(
    app: &TestApp,
    f: impl FnOnce(&mut api::db::AnyConnection) -> T + Send + 'static,
) -> T {
    let url = app.database_url.clone();
    tokio::task::spawn_blocking(move || {
        let mut pooled = api::db::connect(&url, 1).unwrap().get().unwrap();
        f(&mut pooled)
    })
    .await
    .unwrap()
}

async fn read(app: &TestApp, id: &str, token: &str) -> Value {
    let response = app.get_as(&format!("/api/v1/appeals/{id}"), token).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Moves the appeal's deadline to `deadline` (naive UTC).
async fn set_deadline(app: &TestApp, id: &str, deadline: chrono::NaiveDateTime) {
    use diesel::prelude::*;
    let key = id.to_owned();
    with_db(app, move |conn| {
        use api::db::schema::appeals as ap;
        diesel::update(ap::table.find(&key))
            .set(ap::deadline_at.eq(deadline))
            .execute(conn)
            .unwrap();
    })
    .await;
}

#[tokio::test]
async fn the_teacher_and_the_operator_read_the_working_days_left() {
    let app = spawn_app().await;
    let teacher = app
        .dev_login("teacher", Some("16"), "Гарипова Алсу", true)
        .await;
    let operator = app
        .dev_login("operator", Some("16"), "Оператор Первый", true)
        .await;
    let response = app
        .post_as(
            "/api/v1/appeals",
            &teacher.access,
            &json!({ "text": ROUTED }),
        )
        .await;
    assert_eq!(response.status(), 201);
    let asked: Value = response.json().await.unwrap();
    let id = asked["id"].as_str().unwrap().to_owned();
    assert_eq!(asked["status"], "new");
    // A fresh appeal has the whole SLA ahead: five working days.
    assert_eq!(asked["working_days_left"], 5, "{asked}");

    // Three working days ahead on the region's calendar reads 3, for both readers.
    let three = with_db(&app, |conn| {
        api::domain::calendar::Calendars::load(conn)
            .unwrap()
            .deadline_after("16", Utc::now(), 3)
            .naive_utc()
    })
    .await;
    set_deadline(&app, &id, three).await;
    for token in [&teacher.access, &operator.access] {
        let appeal = read(&app, &id, token).await;
        assert_eq!(appeal["working_days_left"], 3, "{appeal}");
        assert_eq!(appeal["is_overdue"], false);
    }
    // In the lists too.
    let page: Value = app
        .get_as("/api/v1/appeals", &operator.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"][0]["working_days_left"], 3, "{page}");

    // Past the deadline: negative, and overdue.
    let past = (Utc::now() - chrono::Duration::days(10)).naive_utc();
    set_deadline(&app, &id, past).await;
    let appeal = read(&app, &id, &operator.access).await;
    assert_eq!(appeal["is_overdue"], true);
    let left = appeal["working_days_left"].as_i64().unwrap();
    assert!(left <= -1, "{appeal}");

    // Answered: no deadline runs for the operator any more.
    let answered = app
        .post_as(
            &format!("/api/v1/appeals/{id}/answer"),
            &operator.access,
            &json!({ "text": "Возврат оформляется по заявлению родителя." }),
        )
        .await;
    assert_eq!(answered.status(), 200);
    let appeal = read(&app, &id, &teacher.access).await;
    assert_eq!(appeal["working_days_left"], Value::Null, "{appeal}");
}

/// Moscow time (Tatarstan's clock, UTC+3 all year since 2014).
fn moscow() -> FixedOffset {
    FixedOffset::east_opt(3 * 3600).unwrap()
}

/// `h`:00 Moscow time on `y-m-d`.
fn msk(y: i32, m: u32, d: u32, h: u32) -> chrono::DateTime<Utc> {
    moscow()
        .from_local_datetime(
            &NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_opt(h, 0, 0)
                .unwrap(),
        )
        .unwrap()
        .with_timezone(&Utc)
}

/// 23:59:59 Moscow time on `y-m-d`: a deadline.
fn due(y: i32, m: u32, d: u32) -> chrono::DateTime<Utc> {
    moscow()
        .from_local_datetime(
            &NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_opt(23, 59, 59)
                .unwrap(),
        )
        .unwrap()
        .with_timezone(&Utc)
}

#[tokio::test]
async fn working_days_are_counted_on_the_production_calendar() {
    use api::domain::appeals::days_left::left;

    let app = spawn_app().await;
    let calendars = with_db(&app, |conn| {
        api::domain::calendar::Calendars::load(conn).unwrap()
    })
    .await;
    // Friday 4 December 2026 → Wednesday 9 December across the weekend: Mon, Tue, Wed.
    let wednesday = due(2026, 12, 9);
    assert_eq!(
        calendars.deadline_after("16", msk(2026, 12, 4, 12), 3),
        wednesday
    );
    assert_eq!(left(&calendars, "16", msk(2026, 12, 4, 12), wednesday), 3);
    // On Saturday the same three days are still ahead.
    assert_eq!(left(&calendars, "16", msk(2026, 12, 5, 12), wednesday), 3);
    // Tuesday 3 November → Monday 9 November across the 4 November holiday and a weekend.
    let monday = due(2026, 11, 9);
    assert_eq!(
        calendars.deadline_after("16", msk(2026, 11, 3, 12), 3),
        monday
    );
    assert_eq!(left(&calendars, "16", msk(2026, 11, 3, 12), monday), 3);
    // The deadline's day: 0 until 23:59:59.
    assert_eq!(left(&calendars, "16", msk(2026, 12, 9, 9), wednesday), 0);
    assert_eq!(left(&calendars, "16", msk(2026, 12, 9, 23), wednesday), 0);
    // Overdue: Thursday −1; Monday after the weekend −3 (Thu, Fri, Mon).
    assert_eq!(left(&calendars, "16", msk(2026, 12, 10, 9), wednesday), -1);
    assert_eq!(left(&calendars, "16", msk(2026, 12, 14, 9), wednesday), -3);
    // Past a Friday deadline on Saturday: overdue by at least one day.
    assert_eq!(
        left(&calendars, "16", msk(2026, 12, 5, 9), due(2026, 12, 4)),
        -1
    );
}
