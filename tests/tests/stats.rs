//! Monitoring and reports: every figure against a small data set computed by hand, the
//! live counters (overdue by the calendar, due today by each region's own date, unread),
//! the scope of every role, CSV and XLSX exports read back, and the aggregates following
//! the real lifecycle (the database triggers) on both backends.
//!
//! The data set (period 2025-04-28 … 2025-05-31, Moscow dates). Region 16 (Moscow time):
//!
//! | id  | arrived (MSK)     | what happened                                                      |
//! |-----|-------------------|--------------------------------------------------------------------|
//! | A1  | 30.04 12:00       | routed; operator O1 answers 05.05 12:00 (120 h, 1.0 working day: half of the shortened 30.04, 1–4 May off, half of 05.05); rated 5 |
//! | A2  | 05.05 09:00 anon. | routed; O1 answers 05.05 15:00 (6 h, 0.25 wd); rated 3            |
//! | A3  | 06.05 10:00       | routed; O1 answers late 20.05 10:00 (336 h, 8.0 wd); expired       |
//! | A4  | 07.05 11:00       | bot; rated 4; graded correct                                       |
//! | A5  | 12.05 11:00       | bot; graded partly; escalated; expired                             |
//! | A6  | 13.05 11:00       | bot; graded wrong; expired                                         |
//! | A7  | 14.05 11:00       | routed; self-served                                                |
//! | A8  | 15.05 11:00       | routed; withdrawn                                                  |
//! | A9  | 31.05 23:30       | routed; still new, unopened, deadline 06.06 → overdue, unread      |
//! | A10 | 01.06 00:30       | outside the period (31.05 21:30 UTC: inside by the UTC date)       |
//! | A11 | 27.04 23:00       | outside the period                                                 |
//!
//! Region 02 (UTC+5): B1 arrives 05.05 10:00 local, O2 answers 06.05 10:00 (24 h, 1.0 wd),
//! rated 4; B2 arrives 20.05 10:00, bot, rated 2, graded correct, escalated, O2 answers
//! 21.05, expired. Live appeals (arrived an hour ago, outside the period): L1 (16, new,
//! due today), L2 (16, in progress, due tomorrow), L3 (02, new but opened, due today),
//! L4 (02, in progress held by O2, overdue since yesterday), L5 (02, opened, deadline at the
//! end of *Moscow's* today — due today in 02 only once 02's own date has reached it).

use std::collections::BTreeMap;

use api::db::schema::{
    appeal_answers, appeals, bot_grades, ratings, stats_daily, user_regions, users,
};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use integration_tests::{problem, spawn_app, TestApp};
use serde_json::{json, Value};

fn at(y: i32, m: u32, d: u32, h: u32, min: u32, utc_offset: i64) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, min, 0)
        .unwrap()
        - Duration::hours(utc_offset)
}

/// Moscow wall-clock time as stored UTC.
fn msk(m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    at(2025, m, d, h, min, 3)
}

/// Yekaterinburg (region 02) wall-clock time as stored UTC.
fn ekb(m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    at(2025, m, d, h, min, 5)
}

fn end_of(m: u32, d: u32, utc_offset: i64) -> NaiveDateTime {
    at(2025, m, d, 23, 59, utc_offset) + Duration::seconds(59)
}

fn user(
    conn: &mut api::db::AnyConnection,
    id: &str,
    role: &str,
    region: &str,
    name: (&str, &str, &str),
) {
    let now = Utc::now().naive_utc();
    diesel::insert_into(users::table)
        .values((
            users::id.eq(id),
            users::role.eq(role),
            users::surname.eq(name.0),
            users::name.eq(name.1),
            users::patronymic.eq(name.2),
            users::region_code.eq(region),
            users::verification_status.eq("verified"),
            users::created_at.eq(now),
            users::updated_at.eq(now),
        ))
        .execute(conn)
        .unwrap();
    if role != "teacher" {
        diesel::insert_into(user_regions::table)
            .values((
                user_regions::user_id.eq(id),
                user_regions::region_code.eq(region),
            ))
            .execute(conn)
            .unwrap();
    }
}

/// One appeal as stored; fields not given take the defaults of a fresh routed appeal.
#[derive(Clone, Default)]
struct Appeal {
    id: &'static str,
    region: &'static str,
    teacher: &'static str,
    anonymous: bool,
    created: NaiveDateTime,
    status: &'static str,
    close_reason: Option<&'static str>,
    confident: bool,
    deadline: Option<NaiveDateTime>,
    first_answered: Option<NaiveDateTime>,
    late: bool,
    escalated: Option<NaiveDateTime>,
    opened: Option<NaiveDateTime>,
    assignee: Option<&'static str>,
}

fn insert(conn: &mut api::db::AnyConnection, a: &Appeal) {
    let name = if a.teacher == "t16" {
        "Иванова Анна Петровна"
    } else {
        "Сафина Гульнара Ильдаровна"
    };
    diesel::insert_into(appeals::table)
        .values((
            appeals::id.eq(a.id),
            appeals::teacher_id.eq(a.teacher),
            appeals::region_code.eq(a.region),
            appeals::author_name.eq(name),
            appeals::anonymous.eq(a.anonymous),
            appeals::text.eq("Как оформить документы?"),
            appeals::channel.eq("mini_app"),
            appeals::status.eq(a.status),
            appeals::close_reason.eq(a.close_reason),
            appeals::assignee_id.eq(a.assignee),
            appeals::engine_confident.eq(a.confident),
            appeals::deadline_at.eq(a.deadline),
            appeals::first_answered_at.eq(a.first_answered),
            appeals::answered_late.eq(a.late),
            appeals::escalated_at.eq(a.escalated),
            appeals::opened_by_staff_at.eq(a.opened),
            appeals::teacher_activity_at.eq(a.created),
            appeals::created_at.eq(a.created),
            appeals::updated_at.eq(a.created),
        ))
        .execute(conn)
        .unwrap();
}

fn answer(
    conn: &mut api::db::AnyConnection,
    id: &str,
    appeal: &str,
    source: &str,
    by: Option<&str>,
    when: NaiveDateTime,
    late: bool,
) {
    diesel::insert_into(appeal_answers::table)
        .values((
            appeal_answers::id.eq(id),
            appeal_answers::appeal_id.eq(appeal),
            appeal_answers::source.eq(source),
            appeal_answers::text.eq("Ответ"),
            appeal_answers::answered_by.eq(by),
            appeal_answers::answered_at.eq(when),
            appeal_answers::is_late.eq(late),
            appeal_answers::reminder_sent_at.eq(Some(when)),
        ))
        .execute(conn)
        .unwrap();
}

fn rate(
    conn: &mut api::db::AnyConnection,
    answer: &str,
    appeal: &str,
    score: i32,
    when: NaiveDateTime,
) {
    diesel::insert_into(ratings::table)
        .values((
            ratings::answer_id.eq(answer),
            ratings::appeal_id.eq(appeal),
            ratings::score.eq(score),
            ratings::rated_at.eq(when),
        ))
        .execute(conn)
        .unwrap();
}

fn grade(conn: &mut api::db::AnyConnection, answer: &str, appeal: &str, grade: &str) {
    diesel::insert_into(bot_grades::table)
        .values((
            bot_grades::answer_id.eq(answer),
            bot_grades::appeal_id.eq(appeal),
            bot_grades::grade.eq(grade),
            bot_grades::graded_by.eq("o16"),
            bot_grades::graded_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)
        .unwrap();
}

/// What the live appeals expect, computed when they are inserted.
struct Live {
    /// L5 is due today in region 02 by 02's own date.
    l5_due_today: bool,
}

async fn seed(app: &TestApp) -> Live {
    let url = app.database_url.clone();
    tokio::task::spawn_blocking(move || {
        let mut pooled = api::db::connect(&url, 1).unwrap().get().unwrap();
        let conn: &mut api::db::AnyConnection = &mut pooled;
        let calendars = api::domain::calendar::Calendars::load(conn).unwrap();
        // The hand-computed deadlines agree with the production calendar: 30.04.2025 is a
        // shortened working day, 1–4 and 8–11 May are days off.
        assert_eq!(
            calendars
                .deadline("16", msk(4, 30, 12, 0).and_utc())
                .naive_utc(),
            end_of(5, 13, 3)
        );
        assert_eq!(
            calendars
                .deadline("16", msk(5, 31, 23, 30).and_utc())
                .naive_utc(),
            end_of(6, 6, 3)
        );
        assert_eq!(
            calendars
                .deadline("16", msk(5, 6, 10, 0).and_utc())
                .naive_utc(),
            end_of(5, 15, 3)
        );

        user(
            conn,
            "t16",
            "teacher",
            "16",
            ("Иванова", "Анна", "Петровна"),
        );
        user(
            conn,
            "t02",
            "teacher",
            "02",
            ("Сафина", "Гульнара", "Ильдаровна"),
        );
        user(
            conn,
            "o16",
            "operator",
            "16",
            ("Орлова", "Ольга", "Олеговна"),
        );
        user(
            conn,
            "o02",
            "operator",
            "02",
            ("Ахметов", "Рустам", "Ринатович"),
        );

        let routed = |id, created| Appeal {
            id,
            region: "16",
            teacher: "t16",
            created,
            status: "closed",
            ..Appeal::default()
        };
        let bot = |id, created: NaiveDateTime| Appeal {
            id,
            region: "16",
            teacher: "t16",
            created,
            status: "closed",
            close_reason: Some("expired"),
            confident: true,
            first_answered: Some(created),
            ..Appeal::default()
        };
        let by_o16 = Some("o16");
        insert(
            conn,
            &Appeal {
                close_reason: Some("rated"),
                deadline: Some(end_of(5, 13, 3)),
                first_answered: Some(msk(5, 5, 12, 0)),
                assignee: by_o16,
                opened: Some(msk(5, 1, 9, 0)),
                ..routed("a1", msk(4, 30, 12, 0))
            },
        );
        answer(
            conn,
            "a1-op",
            "a1",
            "operator",
            by_o16,
            msk(5, 5, 12, 0),
            false,
        );
        rate(conn, "a1-op", "a1", 5, msk(5, 6, 9, 0));
        insert(
            conn,
            &Appeal {
                anonymous: true,
                close_reason: Some("rated"),
                deadline: Some(end_of(5, 14, 3)),
                first_answered: Some(msk(5, 5, 15, 0)),
                assignee: by_o16,
                ..routed("a2", msk(5, 5, 9, 0))
            },
        );
        answer(
            conn,
            "a2-op",
            "a2",
            "operator",
            by_o16,
            msk(5, 5, 15, 0),
            false,
        );
        rate(conn, "a2-op", "a2", 3, msk(5, 6, 9, 0));
        insert(
            conn,
            &Appeal {
                close_reason: Some("expired"),
                deadline: Some(end_of(5, 15, 3)),
                first_answered: Some(msk(5, 20, 10, 0)),
                late: true,
                assignee: by_o16,
                ..routed("a3", msk(5, 6, 10, 0))
            },
        );
        answer(
            conn,
            "a3-op",
            "a3",
            "operator",
            by_o16,
            msk(5, 20, 10, 0),
            true,
        );
        insert(
            conn,
            &Appeal {
                close_reason: Some("rated"),
                ..bot("a4", msk(5, 7, 11, 0))
            },
        );
        answer(conn, "a4-bot", "a4", "bot", None, msk(5, 7, 11, 0), false);
        rate(conn, "a4-bot", "a4", 4, msk(5, 7, 12, 0));
        grade(conn, "a4-bot", "a4", "correct");
        insert(
            conn,
            &Appeal {
                escalated: Some(msk(5, 12, 12, 0)),
                deadline: Some(end_of(5, 19, 3)),
                assignee: by_o16,
                ..bot("a5", msk(5, 12, 11, 0))
            },
        );
        answer(conn, "a5-bot", "a5", "bot", None, msk(5, 12, 11, 0), false);
        answer(
            conn,
            "a5-op",
            "a5",
            "operator",
            by_o16,
            msk(5, 13, 10, 0),
            false,
        );
        grade(conn, "a5-bot", "a5", "partly");
        insert(conn, &bot("a6", msk(5, 13, 11, 0)));
        answer(conn, "a6-bot", "a6", "bot", None, msk(5, 13, 11, 0), false);
        grade(conn, "a6-bot", "a6", "wrong");
        insert(
            conn,
            &Appeal {
                close_reason: Some("self_served"),
                deadline: Some(end_of(5, 21, 3)),
                ..routed("a7", msk(5, 14, 11, 0))
            },
        );
        answer(
            conn,
            "a7-self",
            "a7",
            "self_served",
            None,
            msk(5, 14, 11, 30),
            false,
        );
        insert(
            conn,
            &Appeal {
                close_reason: Some("withdrawn"),
                deadline: Some(end_of(5, 22, 3)),
                ..routed("a8", msk(5, 15, 11, 0))
            },
        );
        insert(
            conn,
            &Appeal {
                status: "new",
                deadline: Some(end_of(6, 6, 3)),
                ..routed("a9", msk(5, 31, 23, 30))
            },
        );
        insert(
            conn,
            &Appeal {
                close_reason: Some("rated"),
                ..bot("a10", at(2025, 6, 1, 0, 30, 3))
            },
        );
        answer(
            conn,
            "a10-bot",
            "a10",
            "bot",
            None,
            at(2025, 6, 1, 0, 30, 3),
            false,
        );
        rate(conn, "a10-bot", "a10", 1, at(2025, 6, 1, 1, 0, 3));
        insert(conn, &bot("a11", msk(4, 27, 23, 0)));

        let by_o02 = Some("o02");
        insert(
            conn,
            &Appeal {
                id: "b1",
                region: "02",
                teacher: "t02",
                created: ekb(5, 5, 10, 0),
                status: "closed",
                close_reason: Some("rated"),
                deadline: Some(end_of(5, 14, 5)),
                first_answered: Some(ekb(5, 6, 10, 0)),
                assignee: by_o02,
                ..Appeal::default()
            },
        );
        answer(
            conn,
            "b1-op",
            "b1",
            "operator",
            by_o02,
            ekb(5, 6, 10, 0),
            false,
        );
        rate(conn, "b1-op", "b1", 4, ekb(5, 7, 10, 0));
        insert(
            conn,
            &Appeal {
                id: "b2",
                region: "02",
                teacher: "t02",
                created: ekb(5, 20, 10, 0),
                status: "closed",
                close_reason: Some("expired"),
                confident: true,
                first_answered: Some(ekb(5, 20, 10, 0)),
                escalated: Some(ekb(5, 20, 12, 0)),
                deadline: Some(end_of(5, 27, 5)),
                assignee: by_o02,
                ..Appeal::default()
            },
        );
        answer(conn, "b2-bot", "b2", "bot", None, ekb(5, 20, 10, 0), false);
        rate(conn, "b2-bot", "b2", 2, ekb(5, 20, 11, 0));
        grade(conn, "b2-bot", "b2", "correct");
        answer(
            conn,
            "b2-op",
            "b2",
            "operator",
            by_o02,
            ekb(5, 21, 10, 0),
            false,
        );

        // Live appeals, arrived an hour ago.
        let now = Utc::now();
        let (tz16, tz02) = (calendars.tz("16"), calendars.tz("02"));
        let day_end = |tz, days: i64| {
            let today = api::calendar::local_date(tz, now);
            api::calendar::end_of_local_day(tz, today + Duration::days(days)).naive_utc()
        };
        let hour_ago = now.naive_utc() - Duration::hours(1);
        let live = |id, region, teacher, status| Appeal {
            id,
            region,
            teacher,
            created: hour_ago,
            status,
            ..Appeal::default()
        };
        insert(
            conn,
            &Appeal {
                deadline: Some(day_end(tz16, 0)),
                ..live("l1", "16", "t16", "new")
            },
        );
        insert(
            conn,
            &Appeal {
                deadline: Some(day_end(tz16, 1)),
                opened: Some(hour_ago),
                assignee: by_o16,
                ..live("l2", "16", "t16", "in_progress")
            },
        );
        insert(
            conn,
            &Appeal {
                deadline: Some(day_end(tz02, 0)),
                opened: Some(hour_ago),
                ..live("l3", "02", "t02", "new")
            },
        );
        insert(
            conn,
            &Appeal {
                deadline: Some(day_end(tz02, -1)),
                opened: Some(hour_ago),
                assignee: by_o02,
                ..live("l4", "02", "t02", "in_progress")
            },
        );
        let moscow_end = day_end(api::domain::stats::PERIOD_TZ, 0);
        insert(
            conn,
            &Appeal {
                deadline: Some(moscow_end),
                opened: Some(hour_ago),
                ..live("l5", "02", "t02", "new")
            },
        );
        Live {
            l5_due_today: api::calendar::local_date(tz02, moscow_end.and_utc())
                == api::calendar::local_date(tz02, now),
        }
    })
    .await
    .unwrap()
}

const MAY: &str = "from=2025-04-28&to=2025-05-31";

async fn get_json(app: &TestApp, path: &str, token: &str) -> Value {
    let response = app.get_as(path, token).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.json().await.unwrap()
}

fn figures_of<'a>(regions: &'a Value, code: &str) -> &'a Value {
    &regions["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code)
        .unwrap()["figures"]
}

#[tokio::test]
async fn every_figure_matches_the_hand_computed_data_set() {
    let app = spawn_app().await;
    let live = seed(&app).await;
    let federal = app
        .dev_login("federal", None, "Федеральный Куратор", true)
        .await
        .access;

    let summary = get_json(&app, &format!("/api/v1/stats/summary?{MAY}"), &federal).await;
    assert_eq!(summary["from"], "2025-04-28");
    assert_eq!(summary["to"], "2025-05-31");
    assert!(summary["region"].is_null());
    let due_02 = 1 + i64::from(live.l5_due_today);
    assert_eq!(
        summary["figures"],
        json!({
            "received": 11, "answered": 8, "answered_by_bot": 4, "answered_by_operators": 4,
            "answered_within_sla": 3, "answered_within_sla_share": 0.75,
            // hours 6, 24, 120, 336 → (24 + 120) / 2; working days 0.25, 1, 1, 8 → 1.
            "median_first_answer_hours": 72.0, "median_first_answer_working_days": 1.0,
            // ratings 5, 3, 4 (region 16) and 4, 2 (region 02); A10's 1 is outside.
            "rating_avg": 3.6, "ratings_count": 5,
            // By who answered: the bot's A4 4 and B2 2; the operators' 5, 3, 4. No clicks.
            "rating_avg_bot": 3.0, "ratings_count_bot": 2,
            "rating_avg_operators": 4.0, "ratings_count_operators": 3,
            "bot_clicks": 0, "bot_helpful_share": null,
            "bot_share": 0.3636, "self_served": 1, "self_served_share": 0.0909,
            // correct + partly + wrong + correct = (1 + 0.5 + 0 + 1) / 4.
            "bot_grades_count": 4, "bot_accuracy": 0.625,
            "escalated": 2, "escalation_rate": 0.25,
            "open": 6, "overdue": 2, "due_today": 1 + due_02, "unread": 2,
        })
    );

    let tatarstan = get_json(
        &app,
        &format!("/api/v1/stats/summary?{MAY}&region=16"),
        &federal,
    )
    .await;
    assert_eq!(tatarstan["region"], "16");
    assert_eq!(
        tatarstan["figures"],
        json!({
            "received": 9, "answered": 6, "answered_by_bot": 3, "answered_by_operators": 3,
            "answered_within_sla": 2, "answered_within_sla_share": 0.6667,
            "median_first_answer_hours": 120.0, "median_first_answer_working_days": 1.0,
            "rating_avg": 4.0, "ratings_count": 3,
            "rating_avg_bot": 4.0, "ratings_count_bot": 1,
            "rating_avg_operators": 4.0, "ratings_count_operators": 2,
            "bot_clicks": 0, "bot_helpful_share": null,
            "bot_share": 0.3333, "self_served": 1, "self_served_share": 0.1111,
            "bot_grades_count": 3, "bot_accuracy": 0.5,
            "escalated": 1, "escalation_rate": 0.1667,
            // A9 is overdue (deadline 06.06.2025) and unread; L1 due today and unread; L2 neither.
            "open": 3, "overdue": 1, "due_today": 1, "unread": 2,
        })
    );

    let regions = get_json(
        &app,
        &format!("/api/v1/stats/regions?{MAY}&sort=received"),
        &federal,
    )
    .await;
    let items = regions["items"].as_array().unwrap();
    assert_eq!(items.len(), 89, "every region, also the empty ones");
    assert_eq!(regions["sort"], "received");
    assert_eq!(regions["order"], "desc");
    assert_eq!(items[0]["code"], "16");
    assert_eq!(items[1]["code"], "02");
    assert_eq!(items[1]["federal_district"], "Приволжский");
    assert_eq!(figures_of(&regions, "16"), &tatarstan["figures"]);
    assert_eq!(
        figures_of(&regions, "02"),
        &json!({
            "received": 2, "answered": 2, "answered_by_bot": 1, "answered_by_operators": 1,
            "answered_within_sla": 1, "answered_within_sla_share": 1.0,
            "median_first_answer_hours": 24.0, "median_first_answer_working_days": 1.0,
            "rating_avg": 3.0, "ratings_count": 2,
            "rating_avg_bot": 2.0, "ratings_count_bot": 1,
            "rating_avg_operators": 4.0, "ratings_count_operators": 1,
            "bot_clicks": 0, "bot_helpful_share": null,
            "bot_share": 0.5, "self_served": 0, "self_served_share": 0.0,
            "bot_grades_count": 1, "bot_accuracy": 1.0,
            "escalated": 1, "escalation_rate": 0.5,
            // L3 due today by 02's own date; L4 overdue since yesterday; L5 depends on the hour.
            "open": 3, "overdue": 1, "due_today": due_02, "unread": 0,
        })
    );
    let empty = figures_of(&regions, "77");
    assert_eq!(empty["received"], 0);
    assert!(empty["rating_avg"].is_null() && empty["bot_share"].is_null());
    let by_rating = get_json(
        &app,
        &format!("/api/v1/stats/regions?{MAY}&sort=rating_avg&order=asc"),
        &federal,
    )
    .await;
    let codes: Vec<&str> = by_rating["items"]
        .as_array()
        .unwrap()
        .iter()
        .take(3)
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["02", "16", "01"],
        "regions without ratings come last"
    );
    let by_name = get_json(&app, "/api/v1/stats/regions?sort=name", &federal).await;
    assert_eq!(by_name["items"][0]["name"], "Алтайский край");

    let months = get_json(
        &app,
        &format!("/api/v1/stats/timeseries?{MAY}&bucket=month"),
        &federal,
    )
    .await;
    assert_eq!(
        months["items"],
        json!([
            { "start": "2025-04-28", "end": "2025-04-30", "received": 1, "answered": 1, "overdue": 0, "ratings_count": 1, "rating_avg": 5.0 },
            // A3 answered late, A9 still waiting past its deadline.
            { "start": "2025-05-01", "end": "2025-05-31", "received": 10, "answered": 7, "overdue": 2, "ratings_count": 4, "rating_avg": 3.25 },
        ])
    );
    let days = get_json(
        &app,
        &format!("/api/v1/stats/timeseries?{MAY}&region=16"),
        &federal,
    )
    .await;
    let days = days["items"].as_array().unwrap();
    assert_eq!(days.len(), 34);
    let last = days.last().unwrap();
    assert_eq!(
        (
            last["start"].as_str(),
            last["received"].as_i64(),
            last["overdue"].as_i64()
        ),
        (Some("2025-05-31"), Some(1), Some(1))
    );
    let weeks = get_json(
        &app,
        &format!("/api/v1/stats/timeseries?{MAY}&bucket=week&region=02"),
        &federal,
    )
    .await;
    let weeks = weeks["items"].as_array().unwrap();
    assert_eq!(weeks.first().unwrap()["start"], "2025-04-28");
    assert_eq!(weeks[1]["start"], "2025-05-05");
    assert_eq!(weeks[1]["received"], 1);
    assert_eq!(weeks.last().unwrap()["end"], "2025-05-31");

    let operators = get_json(&app, &format!("/api/v1/stats/operators?{MAY}"), &federal).await;
    assert_eq!(
        operators["items"],
        json!([
            { "id": "o02", "name": "Ахметов Рустам Ринатович", "regions": ["02"], "answered": 2, "first_answers": 1,
              "median_first_answer_hours": 24.0, "median_first_answer_working_days": 1.0, "overdue_held": 1,
              "ratings_count": 1, "rating_avg": 4.0 },
            { "id": "o16", "name": "Орлова Ольга Олеговна", "regions": ["16"], "answered": 4, "first_answers": 3,
              "median_first_answer_hours": 120.0, "median_first_answer_working_days": 1.0, "overdue_held": 0,
              "ratings_count": 2, "rating_avg": 4.0 },
        ])
    );

    assert_aggregates_match(&app).await;
}

/// `stats_daily`, kept by triggers, equals a recount from the appeals themselves.
async fn assert_aggregates_match(app: &TestApp) {
    let url = app.database_url.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = api::db::connect(&url, 1).unwrap().get().unwrap();
        type Row = (
            String,
            NaiveDateTime,
            bool,
            Option<NaiveDateTime>,
            bool,
            Option<String>,
            Option<NaiveDateTime>,
        );
        let rows: Vec<Row> = appeals::table
            .select((
                appeals::id,
                appeals::created_at,
                appeals::engine_confident,
                appeals::first_answered_at,
                appeals::answered_late,
                appeals::close_reason,
                appeals::escalated_at,
            ))
            .load(&mut conn)
            .unwrap();
        let regions: BTreeMap<String, String> = appeals::table
            .select((appeals::id, appeals::region_code))
            .load::<(String, String)>(&mut conn)
            .unwrap()
            .into_iter()
            .collect();
        let scores: Vec<(String, i32)> = ratings::table
            .select((ratings::appeal_id, ratings::score))
            .load(&mut conn)
            .unwrap();
        let grades: Vec<(String, String)> = bot_grades::table
            .select((bot_grades::appeal_id, bot_grades::grade))
            .load(&mut conn)
            .unwrap();
        let mut expected: BTreeMap<(NaiveDate, String), [i64; 11]> = BTreeMap::new();
        let mut bucket_of = BTreeMap::new();
        for (id, created, confident, first, late, reason, escalated) in rows {
            let day = api::calendar::local_date(api::domain::stats::PERIOD_TZ, created.and_utc());
            let key = (day, regions[&id].clone());
            bucket_of.insert(id, key.clone());
            let e = expected.entry(key).or_default();
            let by_operator = !confident && first.is_some();
            for (i, yes) in [
                true,
                first.is_some(),
                confident,
                by_operator,
                by_operator && late,
                reason.as_deref() == Some("self_served"),
                escalated.is_some(),
            ]
            .into_iter()
            .enumerate()
            {
                e[i] += i64::from(yes);
            }
        }
        for (appeal, score) in scores {
            let e = expected.get_mut(&bucket_of[&appeal]).unwrap();
            e[7] += 1;
            e[8] += i64::from(score);
        }
        for (appeal, g) in grades {
            let e = expected.get_mut(&bucket_of[&appeal]).unwrap();
            e[9] += 1;
            e[10] += match g.as_str() {
                "correct" => 2,
                "partly" => 1,
                _ => 0,
            };
        }
        type Stored = (
            NaiveDate,
            String,
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
        );
        let stored: Vec<Stored> = stats_daily::table
            .select((
                stats_daily::day,
                stats_daily::region_code,
                stats_daily::received,
                stats_daily::answered,
                stats_daily::answered_by_bot,
                stats_daily::answered_by_operators,
                stats_daily::answered_late,
                stats_daily::self_served,
                stats_daily::escalated,
                stats_daily::ratings_count,
                stats_daily::ratings_sum,
                stats_daily::grades_count,
                stats_daily::grades_points,
            ))
            .load(&mut conn)
            .unwrap();
        let stored: BTreeMap<(NaiveDate, String), [i64; 11]> = stored
            .into_iter()
            .filter(|r| r.2 != 0 || r.9 != 0 || r.11 != 0)
            .map(|r| {
                (
                    (r.0, r.1),
                    [r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10, r.11, r.12],
                )
            })
            .collect();
        assert_eq!(stored, expected);
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn each_role_sees_its_scope() {
    let app = spawn_app().await;
    seed(&app).await;
    let head = app
        .dev_login("regional_head", Some("16"), "Руководитель Татарстана", true)
        .await
        .access;
    let operator = app
        .dev_login("operator", Some("02"), "Оператор Башкирии", true)
        .await
        .access;
    let federal = app
        .dev_login("federal", None, "Федеральный Куратор", true)
        .await
        .access;
    let teacher = app
        .dev_login("teacher", Some("16"), "Учитель Проверка", true)
        .await
        .access;
    let admin = app
        .dev_login("admin", None, "Админ Проверка", true)
        .await
        .access;

    let own = get_json(&app, &format!("/api/v1/stats/summary?{MAY}"), &head).await;
    assert_eq!(
        own["figures"]["received"], 9,
        "a regional head sees only their region"
    );
    assert_eq!(own["figures"]["open"], 3);
    let regions = get_json(&app, &format!("/api/v1/stats/regions?{MAY}"), &head).await;
    let codes: Vec<&str> = regions["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["16"]);
    let operators = get_json(&app, &format!("/api/v1/stats/operators?{MAY}"), &head).await;
    let ids: Vec<&str> = operators["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["o16"]);
    let series = get_json(
        &app,
        &format!("/api/v1/stats/timeseries?{MAY}&bucket=month"),
        &head,
    )
    .await;
    assert_eq!(series["items"][1]["received"], 8);

    let mine = get_json(&app, &format!("/api/v1/stats/summary?{MAY}"), &operator).await;
    assert_eq!(mine["figures"]["received"], 2);
    let all = get_json(&app, &format!("/api/v1/stats/summary?{MAY}"), &federal).await;
    assert_eq!(all["figures"]["received"], 11, "federal sees all regions");

    // An integrator's key for region 16.
    let key_owner = app
        .dev_login("admin", None, "Выдаёт ключи", true)
        .await
        .access;
    let created: Value = app
        .post_as(
            "/api/v1/admin/api-keys",
            &key_owner,
            &json!({ "name": "Дашборд", "regions": ["16"] }),
        )
        .await
        .json()
        .await
        .unwrap();
    let key = created["key"].as_str().unwrap();
    let integrated = get_json(&app, &format!("/api/v1/stats/summary?{MAY}"), key).await;
    assert_eq!(integrated["figures"]["received"], 9);

    for (path, token) in [
        (format!("/api/v1/stats/summary?{MAY}&region=02"), &head),
        (format!("/api/v1/stats/timeseries?{MAY}&region=02"), &head),
        (format!("/api/v1/stats/operators?{MAY}&region=02"), &head),
        (format!("/api/v1/stats/summary?{MAY}&region=16"), &operator),
        (
            format!("/api/v1/reports/appeals.csv?{MAY}&region=02"),
            &head,
        ),
        (
            format!("/api/v1/reports/appeals.xlsx?{MAY}&region=16"),
            &operator,
        ),
        (
            "/api/v1/stats/summary?region=02".to_owned(),
            &key.to_owned(),
        ),
    ] {
        let p = problem(app.get_as(&path, token).await, 403).await;
        assert_eq!(p.code, "region_out_of_scope", "{path}");
    }
    for path in [
        "/api/v1/stats/summary",
        "/api/v1/stats/regions",
        "/api/v1/stats/timeseries",
        "/api/v1/stats/operators",
        "/api/v1/reports/appeals.csv",
        "/api/v1/reports/appeals.xlsx",
    ] {
        for token in [&teacher, &admin] {
            let p = problem(app.get_as(path, token).await, 403).await;
            assert_eq!(p.code, "forbidden", "{path}");
        }
        problem(app.get(path).await, 401).await;
    }
    // Operators' figures are for heads and federal users; reports are for staff only.
    problem(app.get_as("/api/v1/stats/operators", &operator).await, 403).await;
    problem(app.get_as("/api/v1/stats/operators", key).await, 403).await;
    problem(app.get_as("/api/v1/reports/appeals.csv", key).await, 403).await;

    for (query, field, code) in [
        ("from=2025-13-01", "from", "invalid_date"),
        ("from=31.05.2025", "from", "invalid_date"),
        ("from=2025-06-01&to=2025-05-01", "from", "after_to"),
        ("from=2022-01-01&to=2025-01-01", "to", "period_too_long"),
        ("region=7x", "region", "invalid"),
        ("region=99", "region", "unknown"),
    ] {
        let p = problem(
            app.get_as(&format!("/api/v1/stats/summary?{query}"), &federal)
                .await,
            422,
        )
        .await;
        assert_eq!(
            (p.errors[0].field.as_str(), p.errors[0].code.as_str()),
            (field, code),
            "{query}"
        );
    }
    let p = problem(
        app.get_as("/api/v1/stats/timeseries?bucket=year", &federal)
            .await,
        422,
    )
    .await;
    assert_eq!(p.errors[0].field, "bucket");
    let p = problem(
        app.get_as("/api/v1/stats/regions?sort=password", &federal)
            .await,
        422,
    )
    .await;
    assert_eq!(p.errors[0].field, "sort");
    let p = problem(
        app.get_as("/api/v1/stats/regions?order=up", &federal).await,
        422,
    )
    .await;
    assert_eq!(p.errors[0].field, "order");
    let p = problem(
        app.get_as("/api/v1/reports/appeals.csv?status=lost", &federal)
            .await,
        422,
    )
    .await;
    assert_eq!(p.errors[0].field, "status");
    // Exactly three years is allowed; the default period is the last 30 days.
    get_json(
        &app,
        "/api/v1/stats/summary?from=2023-01-01&to=2025-12-31",
        &federal,
    )
    .await;
    let default = get_json(&app, "/api/v1/stats/summary", &federal).await;
    let (from, to) = (
        default["from"].as_str().unwrap(),
        default["to"].as_str().unwrap(),
    );
    let span = NaiveDate::parse_from_str(to, "%Y-%m-%d").unwrap()
        - NaiveDate::parse_from_str(from, "%Y-%m-%d").unwrap();
    assert_eq!(span.num_days(), 29);
    assert_eq!(
        default["figures"]["received"], 5,
        "the live appeals arrived an hour ago"
    );
}

fn csv_rows(body: &str) -> Vec<Vec<String>> {
    body.split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| l.split(';').map(str::to_owned).collect())
        .collect()
}

#[tokio::test]
async fn reports_export_the_appeals_as_csv_and_xlsx() {
    let app = spawn_app().await;
    seed(&app).await;
    let federal = app
        .dev_login("federal", None, "Федеральный Куратор", true)
        .await
        .access;
    let head = app
        .dev_login("regional_head", Some("16"), "Руководитель Татарстана", true)
        .await
        .access;

    let response = app
        .get_as(&format!("/api/v1/reports/appeals.csv?{MAY}"), &federal)
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"appeals_2025-04-28_2025-05-31.csv\""
    );
    let bytes = response.bytes().await.unwrap();
    assert_eq!(
        &bytes[..3],
        b"\xEF\xBB\xBF",
        "UTF-8 byte-order mark for Excel"
    );
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let rows = csv_rows(text);
    assert_eq!(
        rows[0],
        [
            "Идентификатор",
            "Код региона",
            "Регион",
            "Автор",
            "Поступило (МСК)",
            "Срок ответа (МСК)",
            "Статус",
            "Источник ответа",
            "Ответ дан (МСК)",
            "Оценка",
            "Номер обращения"
        ]
    );
    let ids: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        ids,
        ["a1", "b1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "b2", "a9"],
        "the period's appeals by arrival"
    );
    assert_eq!(
        rows[1],
        [
            "a1",
            "16",
            "Республика Татарстан",
            "Иванова Анна Петровна",
            "30.04.2025 12:00",
            "13.05.2025 23:59",
            "Закрыто: оценено",
            "Оператор",
            "05.05.2025 12:00",
            "5",
            "16-000001"
        ]
    );
    assert_eq!(rows[3][3], "Анонимно");
    assert_eq!(
        rows[5][7..10],
        [
            "База знаний (бот)".to_owned(),
            "07.05.2025 11:00".to_owned(),
            "4".to_owned()
        ]
    );
    assert_eq!(
        rows[6][7], "Оператор",
        "the latest answer of an escalated appeal"
    );
    assert_eq!(
        rows[8][6..8],
        [
            "Закрыто: ответ найден в подсказке".to_owned(),
            "Подсказка (сам учитель)".to_owned()
        ]
    );
    assert_eq!(
        rows[11][4..8],
        [
            "31.05.2025 23:30".to_owned(),
            "06.06.2025 23:59".to_owned(),
            "Новое".to_owned(),
            String::new()
        ]
    );

    let tatarstan = app
        .get_as(&format!("/api/v1/reports/appeals.csv?{MAY}"), &head)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        csv_rows(&tatarstan).len(),
        1 + 9,
        "a regional head exports only their region"
    );
    let closed = app
        .get_as(
            &format!("/api/v1/reports/appeals.csv?{MAY}&region=02&status=closed"),
            &federal,
        )
        .await;
    assert_eq!(
        closed.headers()["content-disposition"],
        "attachment; filename=\"appeals_2025-04-28_2025-05-31_02_closed.csv\""
    );
    let closed = closed.text().await.unwrap();
    let ids: Vec<String> = csv_rows(&closed)[1..]
        .iter()
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(ids, ["b1", "b2"]);

    let response = app
        .get_as(&format!("/api/v1/reports/appeals.xlsx?{MAY}"), &federal)
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"appeals_2025-04-28_2025-05-31.xlsx\""
    );
    let bytes = response.bytes().await.unwrap().to_vec();
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), ["Обращения", "Регионы"]);
    let appeals_sheet = book.worksheet_range("Обращения").unwrap();
    let rows: Vec<&[Data]> = appeals_sheet.rows().collect();
    assert_eq!(rows.len(), 12);
    assert_eq!(rows[0][0], Data::String("Идентификатор".into()));
    let ids: Vec<String> = rows[1..].iter().map(|r| r[0].to_string()).collect();
    assert_eq!(
        ids,
        ["a1", "b1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "b2", "a9"]
    );
    let first = rows[1];
    assert_eq!(first[2], Data::String("Республика Татарстан".into()));
    assert_eq!(first[3], Data::String("Иванова Анна Петровна".into()));
    match &first[4] {
        Data::DateTime(d) => {
            assert_eq!(d.as_datetime().unwrap().to_string(), "2025-04-30 12:00:00")
        }
        other => panic!("arrival should be a date: {other:?}"),
    }
    assert_eq!(first[6], Data::String("Закрыто: оценено".into()));
    assert_eq!(first[9], Data::Float(5.0));
    assert_eq!(rows[3][3], Data::String("Анонимно".into()));
    let regions_sheet = book.worksheet_range("Регионы").unwrap();
    let rows: Vec<&[Data]> = regions_sheet.rows().collect();
    assert_eq!(rows.len(), 1 + 89 + 1, "header, every region, total");
    assert_eq!(rows[0][3], Data::String("Поступило".into()));
    let row16 = rows
        .iter()
        .find(|r| r[0] == Data::String("16".into()))
        .unwrap();
    assert_eq!(row16[1], Data::String("Республика Татарстан".into()));
    assert_eq!(row16[3], Data::Float(9.0));
    assert_eq!(row16[15], Data::Float(4.0), "average rating");
    let total = rows.last().unwrap();
    assert_eq!(total[1], Data::String("Итого".into()));
    assert_eq!(total[3], Data::Float(11.0));
    assert_eq!(total[21], Data::Float(0.625), "bot accuracy");

    let head_book = app
        .get_as(&format!("/api/v1/reports/appeals.xlsx?{MAY}"), &head)
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let mut head_book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(head_book)).unwrap();
    assert_eq!(
        head_book
            .worksheet_range("Обращения")
            .unwrap()
            .rows()
            .count(),
        1 + 9
    );
    assert_eq!(
        head_book.worksheet_range("Регионы").unwrap().rows().count(),
        1 + 1 + 1
    );
}

#[tokio::test]
async fn a_large_export_pages_through_every_row_once() {
    let app = spawn_app().await;
    let url = app.database_url.clone();
    let total = 2_345;
    tokio::task::spawn_blocking(move || {
        let mut pooled = api::db::connect(&url, 1).unwrap().get().unwrap();
        let conn: &mut api::db::AnyConnection = &mut pooled;
        user(
            conn,
            "t16",
            "teacher",
            "16",
            ("Иванова", "Анна", "Петровна"),
        );
        conn.transaction(|conn| {
            for i in 0..total {
                // Many share one arrival second: the keyset must break ties by id.
                let created = msk(3, 1 + (i % 3) as u32, 10, 0);
                let id: &'static str = Box::leak(format!("p{i:05}").into_boxed_str());
                insert(
                    conn,
                    &Appeal {
                        id,
                        region: "16",
                        teacher: "t16",
                        created,
                        status: "new",
                        ..Appeal::default()
                    },
                );
            }
            diesel::QueryResult::Ok(())
        })
        .unwrap();
    })
    .await
    .unwrap();
    let federal = app
        .dev_login("federal", None, "Федеральный Куратор", true)
        .await
        .access;
    let body = app
        .get_as(
            "/api/v1/reports/appeals.csv?from=2025-03-01&to=2025-03-31",
            &federal,
        )
        .await
        .text()
        .await
        .unwrap();
    let rows = csv_rows(body.trim_start_matches('\u{feff}'));
    assert_eq!(rows.len(), 1 + total);
    let mut ids: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    ids.dedup();
    assert_eq!(ids.len(), total, "no row twice");
    let summary = get_json(
        &app,
        "/api/v1/stats/summary?from=2025-03-01&to=2025-03-31",
        &federal,
    )
    .await;
    assert_eq!(summary["figures"]["received"], total);
}

const ANSWERED: &str = "план воспитательной работы пишет каждый учитель или только кл рук?";
const ROUTED: &str = "Как оформить возврат денег родителям за сорванную экскурсию в музей?";

async fn post_ok(app: &TestApp, path: &str, token: &str, body: Value) -> Value {
    let response = app.post_as(path, token, &body).await;
    assert!(
        response.status().is_success(),
        "POST {path}: {}",
        response.status()
    );
    response.json().await.unwrap_or(Value::Null)
}

async fn region16(app: &TestApp, token: &str) -> Value {
    get_json(app, "/api/v1/stats/summary?region=16", token).await["figures"].clone()
}

#[tokio::test]
async fn figures_follow_the_real_lifecycle() {
    let app = spawn_app().await;
    app.import_demo_kb().await;
    let teacher = app
        .dev_login("teacher", Some("16"), "Гарипова Алсу", true)
        .await
        .access;
    let operator = app
        .dev_login("operator", Some("16"), "Оператор Первый", true)
        .await
        .access;
    let federal = app
        .dev_login("federal", None, "Федеральный Куратор", true)
        .await
        .access;
    let operator_id = app.me(&operator).await["id"].as_str().unwrap().to_owned();

    let bot = post_ok(
        &app,
        "/api/v1/appeals",
        &teacher,
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
        &teacher,
        json!({}),
    )
    .await;

    let routed = post_ok(&app, "/api/v1/appeals", &teacher, json!({ "text": ROUTED })).await;
    let routed_id = routed["id"].as_str().unwrap();
    let before = region16(&app, &federal).await;
    assert_eq!(
        (
            before["received"].as_i64(),
            before["unread"].as_i64(),
            before["open"].as_i64()
        ),
        (Some(2), Some(2), Some(2))
    );
    assert_eq!(before["escalated"], 1);

    post_ok(
        &app,
        &format!("/api/v1/appeals/{routed_id}/read"),
        &operator,
        json!({}),
    )
    .await;
    post_ok(
        &app,
        &format!("/api/v1/appeals/{routed_id}/assign"),
        &operator,
        json!({ "operator_id": operator_id }),
    )
    .await;
    post_ok(
        &app,
        &format!("/api/v1/appeals/{routed_id}/answer"),
        &operator,
        json!({ "text": "Возврат оформляется приказом директора по заявлению родителей." }),
    )
    .await;
    post_ok(
        &app,
        &format!("/api/v1/appeals/{routed_id}/rating"),
        &teacher,
        json!({ "score": 4 }),
    )
    .await;
    let after = region16(&app, &federal).await;
    assert_eq!(after["answered"], 2);
    assert_eq!(after["answered_by_bot"], 1);
    assert_eq!(after["answered_by_operators"], 1);
    assert_eq!(after["answered_within_sla_share"], 1.0);
    assert!(after["median_first_answer_hours"].as_f64().unwrap() < 0.1);
    assert_eq!(after["ratings_count"], 1);
    assert_eq!(after["rating_avg"], 4.0);
    assert_eq!(after["bot_accuracy"], 0.5);
    assert_eq!(
        after["unread"], 1,
        "the escalated appeal is new and nobody opened it"
    );
    assert_eq!(after["open"], 1);

    // A transfer moves everything the appeal counts to the other region.
    post_ok(
        &app,
        &format!("/api/v1/appeals/{bot_id}/transfer"),
        &operator,
        json!({ "region": "02" }),
    )
    .await;
    let moved = region16(&app, &federal).await;
    assert_eq!(
        (
            moved["received"].as_i64(),
            moved["escalated"].as_i64(),
            moved["bot_grades_count"].as_i64()
        ),
        (Some(1), Some(0), Some(0))
    );
    let there =
        get_json(&app, "/api/v1/stats/summary?region=02", &federal).await["figures"].clone();
    assert_eq!(
        (
            there["received"].as_i64(),
            there["escalated"].as_i64(),
            there["bot_accuracy"].as_f64()
        ),
        (Some(1), Some(1), Some(0.5))
    );

    let operators = get_json(&app, "/api/v1/stats/operators?region=16", &federal).await;
    let me = operators["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == operator_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (
            me["answered"].as_i64(),
            me["first_answers"].as_i64(),
            me["ratings_count"].as_i64()
        ),
        (Some(1), Some(1), Some(1))
    );
    assert_aggregates_match(&app).await;
}

#[test]
fn the_moscow_boundary_helpers_agree_with_the_data_set() {
    // A10 arrived on 1 June in Moscow but on 31 May by UTC: the period is Moscow dates.
    let a10 = at(2025, 6, 1, 0, 30, 3);
    assert_eq!(a10.date(), NaiveDate::from_ymd_opt(2025, 5, 31).unwrap());
    let moscow: DateTime<Utc> = a10.and_utc();
    assert_eq!(
        api::calendar::local_date(api::domain::stats::PERIOD_TZ, moscow),
        NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()
    );
}

/// Issue #22: «Помогло» is a click, not a rating. The average counts only stars given; the
/// split by who answered and the bot's «помогло» share come with it.
#[tokio::test]
async fn a_helpful_click_does_not_move_the_average_rating() {
    let app = spawn_app().await;
    app.import_demo_kb().await;
    let teacher = app
        .dev_login("teacher", Some("16"), "Гарипова Алсу", true)
        .await
        .access;
    let operator = app
        .dev_login("operator", Some("16"), "Оператор Первый", true)
        .await
        .access;
    let federal = app
        .dev_login("federal", None, "Федеральный Куратор", true)
        .await
        .access;

    // An operator's answer rated 2: the average is 2.
    let routed = post_ok(&app, "/api/v1/appeals", &teacher, json!({ "text": ROUTED })).await;
    let routed_id = routed["id"].as_str().unwrap();
    post_ok(
        &app,
        &format!("/api/v1/appeals/{routed_id}/answer"),
        &operator,
        json!({ "text": "Возврат оформляется приказом директора по заявлению родителей." }),
    )
    .await;
    post_ok(
        &app,
        &format!("/api/v1/appeals/{routed_id}/rating"),
        &teacher,
        json!({ "score": 2 }),
    )
    .await;
    let before = region16(&app, &federal).await;
    assert_eq!(
        (
            before["rating_avg"].as_f64(),
            before["ratings_count"].as_i64()
        ),
        (Some(2.0), Some(1))
    );

    // «Помогло» on a bot answer: stored as a click, the appeal closes, the average stays.
    let bot = post_ok(
        &app,
        "/api/v1/appeals",
        &teacher,
        json!({ "text": ANSWERED }),
    )
    .await;
    assert_eq!(bot["status"], "answered_by_bot");
    let bot_id = bot["id"].as_str().unwrap();
    let clicked = post_ok(
        &app,
        &format!("/api/v1/appeals/{bot_id}/helpful"),
        &teacher,
        json!({}),
    )
    .await;
    assert_eq!(clicked["status"], "closed");
    assert_eq!(clicked["answers"][0]["helpful"], true);
    assert_eq!(
        clicked["answers"][0]["rating"],
        Value::Null,
        "a click is not a rating"
    );
    let p = problem(
        app.post_as(
            &format!("/api/v1/appeals/{bot_id}/helpful"),
            &teacher,
            &json!({}),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(p.code, "not_helpful_target");
    let after_click = region16(&app, &federal).await;
    assert_eq!(
        after_click["rating_avg"], 2.0,
        "the click does not move the average"
    );
    assert_eq!(after_click["ratings_count"], 1);
    assert_eq!(after_click["bot_clicks"], 1);
    assert_eq!(after_click["bot_helpful_share"], 1.0);
    assert_eq!(after_click["rating_avg_bot"], Value::Null);
    assert_eq!(after_click["rating_avg_operators"], 2.0);

    // The optional stars after the click count, split by who answered.
    post_ok(
        &app,
        &format!("/api/v1/appeals/{bot_id}/rating"),
        &teacher,
        json!({ "score": 4 }),
    )
    .await;
    // «Не помогло» on another bot answer is a click too.
    let other = post_ok(
        &app,
        "/api/v1/appeals",
        &teacher,
        json!({ "text": ANSWERED }),
    )
    .await;
    let other_id = other["id"].as_str().unwrap();
    let escalated = post_ok(
        &app,
        &format!("/api/v1/appeals/{other_id}/escalate"),
        &teacher,
        json!({}),
    )
    .await;
    assert_eq!(escalated["answers"][0]["helpful"], false);
    let p = problem(
        app.post_as(
            &format!("/api/v1/appeals/{other_id}/helpful"),
            &teacher,
            &json!({}),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(p.code, "not_helpful_target");

    let f = region16(&app, &federal).await;
    assert_eq!(
        (f["rating_avg"].as_f64(), f["ratings_count"].as_i64()),
        (Some(3.0), Some(2))
    );
    assert_eq!(
        (
            f["rating_avg_bot"].as_f64(),
            f["ratings_count_bot"].as_i64()
        ),
        (Some(4.0), Some(1))
    );
    assert_eq!(
        (
            f["rating_avg_operators"].as_f64(),
            f["ratings_count_operators"].as_i64()
        ),
        (Some(2.0), Some(1))
    );
    assert_eq!(
        (f["bot_clicks"].as_i64(), f["bot_helpful_share"].as_f64()),
        (Some(2), Some(0.5))
    );

    // A transfer moves the new figures with the appeal.
    post_ok(
        &app,
        &format!("/api/v1/appeals/{other_id}/transfer"),
        &operator,
        json!({ "region": "02" }),
    )
    .await;
    let moved = region16(&app, &federal).await;
    assert_eq!(
        (
            moved["bot_clicks"].as_i64(),
            moved["bot_helpful_share"].as_f64()
        ),
        (Some(1), Some(1.0))
    );
    let there =
        get_json(&app, "/api/v1/stats/summary?region=02", &federal).await["figures"].clone();
    assert_eq!(
        (
            there["bot_clicks"].as_i64(),
            there["bot_helpful_share"].as_f64()
        ),
        (Some(1), Some(0.0))
    );
    assert_aggregates_match(&app).await;
}

#[tokio::test]
async fn an_operator_reads_own_figures_and_no_one_else_may() {
    let app = spawn_app().await;
    let teacher = app
        .dev_login("teacher", Some("16"), "Гарипова Алсу", true)
        .await
        .access;
    let operator = app
        .dev_login("operator", Some("16"), "Оператор Первый", true)
        .await
        .access;
    let colleague = app
        .dev_login("operator", Some("16"), "Оператор Второй", true)
        .await
        .access;
    // Before any answer: the own row, all zero.
    let mine = get_json(&app, "/api/v1/stats/me", &operator).await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1, "{mine}");
    assert_eq!(mine["items"][0]["answered"], 0, "{mine}");
    let routed = post_ok(&app, "/api/v1/appeals", &teacher, json!({ "text": ROUTED })).await;
    assert_eq!(routed["status"], "new");
    let id = routed["id"].as_str().unwrap();
    post_ok(
        &app,
        &format!("/api/v1/appeals/{id}/answer"),
        &operator,
        json!({ "text": "Возврат оформляется приказом директора по заявлению родителей." }),
    )
    .await;
    let me = app.me(&operator).await;
    let mine = get_json(&app, "/api/v1/stats/me", &operator).await;
    let items = mine["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{mine}");
    assert_eq!(items[0]["id"], me["id"]);
    assert_eq!(items[0]["answered"], 1);
    assert_eq!(items[0]["first_answers"], 1);
    assert_eq!(mine["region"], Value::Null);
    // The same row as the leadership's table shows.
    let head = app
        .dev_login("regional_head", Some("16"), "Руководитель Татарстана", true)
        .await
        .access;
    let table = get_json(&app, "/api/v1/stats/operators", &head).await;
    let row = table["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == me["id"])
        .cloned()
        .unwrap();
    assert_eq!(row, items[0]);
    // A colleague sees only their own row; a bad period is refused.
    let theirs = get_json(&app, "/api/v1/stats/me", &colleague).await;
    let theirs = theirs["items"].as_array().unwrap();
    assert_eq!(theirs.len(), 1, "{theirs:?}");
    assert_ne!(theirs[0]["id"], me["id"]);
    assert_eq!(theirs[0]["answered"], 0);
    let bad = app
        .get_as("/api/v1/stats/me?from=2025-05-31&to=2025-05-01", &operator)
        .await;
    assert_eq!(bad.status(), 422);
    // Only operators.
    for token in [&teacher, &head] {
        let response = app.get_as("/api/v1/stats/me", token).await;
        assert_eq!(response.status(), 403);
    }
}

// --- Issue #20, item 3: the statistics triggers append deltas, a job folds them ---------

/// Folds every pending delta, `batch` at a time (small batches: several rounds).
fn fold_all(db: &api::db::Db, batch: i64) -> usize {
    let mut total = 0;
    loop {
        let n = db
            .write_blocking(move |c| Ok(api::domain::stats::fold::fold(c, batch)?))
            .unwrap();
        if n == 0 {
            return total;
        }
        total += n;
    }
}

fn pending(db: &api::db::Db) -> i64 {
    db.write_blocking(|c| Ok(api::domain::stats::fold::pending(c)?))
        .unwrap()
}

fn test_db(app: &TestApp, size: u32) -> api::db::Db {
    let pool = api::db::connect(&app.database_url, size).unwrap();
    api::db::Db::new(pool, api::db::Backend::of(&app.database_url))
}

/// `received` and `escalated` of one region in the folded table and in the exact view.
fn region_totals(db: &api::db::Db, region: &'static str) -> ((i64, i64), (i64, i64)) {
    use api::db::schema::{stats_daily_folded as f, stats_deltas as d};
    db.write_blocking(move |c| {
        let folded: (i64, i64) = f::table
            .filter(f::region_code.eq(region))
            .select((f::received, f::escalated))
            .load::<(i64, i64)>(c)?
            .into_iter()
            .fold((0, 0), |a, r| (a.0 + r.0, a.1 + r.1));
        let tail: (i64, i64) = d::table
            .filter(d::region_code.eq(region))
            .select((d::received, d::escalated))
            .load::<(i64, i64)>(c)?
            .into_iter()
            .fold((0, 0), |a, r| (a.0 + r.0, a.1 + r.1));
        let exact: (i64, i64) = stats_daily::table
            .filter(stats_daily::region_code.eq(region))
            .select((stats_daily::received, stats_daily::escalated))
            .load::<(i64, i64)>(c)?
            .into_iter()
            .fold((0, 0), |a, r| (a.0 + r.0, a.1 + r.1));
        assert_eq!(
            (folded.0 + tail.0, folded.1 + tail.1),
            exact,
            "the view adds the tail"
        );
        Ok((folded, exact))
    })
    .unwrap()
}

/// Inserts `n` appeals of region 77 through `db` (each its own write transaction, as a
/// create is); every second one is then escalated (an update of the appeal).
fn write_appeals(db: &api::db::Db, writer: usize, n: usize) {
    for i in 0..n {
        let id: &'static str = Box::leak(format!("w{writer}-{i}").into_boxed_str());
        let now = Utc::now().naive_utc();
        db.write_blocking(move |c| {
            insert(
                c,
                &Appeal {
                    id,
                    region: "77",
                    teacher: "t77",
                    created: now,
                    status: "new",
                    ..Appeal::default()
                },
            );
            if i % 2 == 0 {
                diesel::update(appeals::table.find(id))
                    .set(appeals::escalated_at.eq(Some(now)))
                    .execute(c)?;
            }
            Ok(())
        })
        .unwrap();
    }
}

async fn stats_pages(app: &TestApp, token: &str) -> Vec<Value> {
    let mut pages = Vec::new();
    for path in [
        format!("/api/v1/stats/summary?{MAY}"),
        format!("/api/v1/stats/regions?{MAY}"),
        format!("/api/v1/stats/timeseries?{MAY}&bucket=week"),
        format!("/api/v1/stats/operators?{MAY}"),
        "/api/v1/stats/summary?region=16".to_owned(),
        "/api/v1/stats/regions".to_owned(),
        "/api/v1/stats/timeseries".to_owned(),
        "/api/v1/stats/operators?region=16".to_owned(),
    ] {
        let mut page = get_json(app, &path, token).await;
        // The moment of the answer is not a figure.
        page.as_object_mut().unwrap().remove("generated_at");
        pages.push(page);
    }
    pages
}

#[tokio::test]
async fn figures_are_the_same_before_and_after_folding() {
    // No background fold: this test decides when deltas are folded.
    let app = integration_tests::spawn_app_with(
        integration_tests::Overrides::default().with("WORKER_ENABLED", "false"),
    )
    .await;
    seed(&app).await;
    app.import_demo_kb().await;
    let teacher = app
        .dev_login("teacher", Some("16"), "Гарипова Алсу", true)
        .await
        .access;
    let operator = app
        .dev_login("operator", Some("16"), "Оператор Первый", true)
        .await
        .access;
    let federal = app
        .dev_login("federal", None, "Федеральный Куратор", true)
        .await
        .access;
    let operator_id = app.me(&operator).await["id"].as_str().unwrap().to_owned();
    // Create, answer, rate through the API (inserts and updates of every trigger).
    let routed = post_ok(&app, "/api/v1/appeals", &teacher, json!({ "text": ROUTED })).await;
    let routed_id = routed["id"].as_str().unwrap();
    post_ok(
        &app,
        &format!("/api/v1/appeals/{routed_id}/assign"),
        &operator,
        json!({ "operator_id": operator_id }),
    )
    .await;
    post_ok(
        &app,
        &format!("/api/v1/appeals/{routed_id}/answer"),
        &operator,
        json!({ "text": "Возврат оформляется приказом директора по заявлению родителей." }),
    )
    .await;
    post_ok(
        &app,
        &format!("/api/v1/appeals/{routed_id}/rating"),
        &teacher,
        json!({ "score": 4 }),
    )
    .await;
    let bot = post_ok(
        &app,
        "/api/v1/appeals",
        &teacher,
        json!({ "text": ANSWERED }),
    )
    .await;
    post_ok(
        &app,
        &format!("/api/v1/appeals/{}/escalate", bot["id"].as_str().unwrap()),
        &teacher,
        json!({}),
    )
    .await;

    let db = test_db(&app, 2);
    let db_ = db.clone();
    let waiting = tokio::task::spawn_blocking(move || pending(&db_))
        .await
        .unwrap();
    assert!(waiting > 0, "the triggers appended deltas");
    let before = stats_pages(&app, &federal).await;
    assert_eq!(before[4]["figures"]["ratings_count"], 1);
    let db_ = db.clone();
    let (folded, left) = tokio::task::spawn_blocking(move || (fold_all(&db_, 3), pending(&db_)))
        .await
        .unwrap();
    assert_eq!(
        (i64::try_from(folded).unwrap(), left),
        (waiting, 0),
        "every delta folded once"
    );
    let after = stats_pages(&app, &federal).await;
    assert_eq!(before, after, "folding changes no figure");
    assert_aggregates_match(&app).await;
    // Nothing left: a second fold is a no-op.
    let db_ = db.clone();
    let again = tokio::task::spawn_blocking(move || fold_all(&db_, 3))
        .await
        .unwrap();
    assert_eq!(again, 0);
    assert_eq!(stats_pages(&app, &federal).await, after);
}

#[tokio::test]
async fn four_writers_in_one_region_and_a_fold_meanwhile_keep_the_totals_exact() {
    let app = integration_tests::spawn_app_with(
        integration_tests::Overrides::default().with("WORKER_ENABLED", "false"),
    )
    .await;
    let db = test_db(&app, 6);
    let db_ = db.clone();
    tokio::task::spawn_blocking(move || {
        db_.write_blocking(|c| {
            user(c, "t77", "teacher", "77", ("Петрова", "Мария", "Ивановна"));
            Ok(())
        })
        .unwrap();
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        std::thread::scope(|s| {
            let writers: Vec<_> = (0..4)
                .map(|w| {
                    let db = db_.clone();
                    s.spawn(move || write_appeals(&db, w, 30))
                })
                .collect();
            let folder = {
                let (db, done) = (db_.clone(), std::sync::Arc::clone(&done));
                s.spawn(move || {
                    let mut folded = 0;
                    while !done.load(std::sync::atomic::Ordering::SeqCst) {
                        folded += fold_all(&db, 7);
                        std::thread::sleep(std::time::Duration::from_millis(2));
                    }
                    folded
                })
            };
            for w in writers {
                w.join().unwrap();
            }
            done.store(true, std::sync::atomic::Ordering::SeqCst);
            folder.join().unwrap();
        });
        let (_, exact) = region_totals(&db_, "77");
        assert_eq!(exact, (120, 60), "every create and escalation counted once");
        fold_all(&db_, 1000);
        assert_eq!(pending(&db_), 0);
        let (folded, exact) = region_totals(&db_, "77");
        assert_eq!((folded, exact), ((120, 60), (120, 60)));
    })
    .await
    .unwrap();
    assert_aggregates_match(&app).await;
}

#[tokio::test]
async fn two_folds_at_once_never_count_a_delta_twice() {
    let app = integration_tests::spawn_app_with(
        integration_tests::Overrides::default().with("WORKER_ENABLED", "false"),
    )
    .await;
    let db = test_db(&app, 4);
    tokio::task::spawn_blocking(move || {
        db.write_blocking(|c| {
            user(c, "t77", "teacher", "77", ("Петрова", "Мария", "Ивановна"));
            Ok(())
        })
        .unwrap();
        write_appeals(&db, 0, 60);
        let waiting = pending(&db);
        assert!(waiting >= 90, "{waiting} deltas");
        for round in 0..3 {
            if round > 0 {
                write_appeals(&db, round, 20);
            }
            let start = std::sync::Barrier::new(2);
            let folded: usize = std::thread::scope(|s| {
                let folds: Vec<_> = (0..2)
                    .map(|_| {
                        let (db, start) = (db.clone(), &start);
                        s.spawn(move || {
                            start.wait();
                            let mut n = 0;
                            // Until nothing is left: a fold that found the other one
                            // folding (PostgreSQL) returned 0 and tries again.
                            while pending(&db) > 0 {
                                n += fold_all(&db, 5);
                            }
                            n
                        })
                    })
                    .collect();
                folds.into_iter().map(|f| f.join().unwrap()).sum()
            });
            assert!(folded > 0);
            assert_eq!(pending(&db), 0);
        }
        let (folded, exact) = region_totals(&db, "77");
        assert_eq!((folded, exact), ((100, 50), (100, 50)));
    })
    .await
    .unwrap();
    assert_aggregates_match(&app).await;
}
