//! The operator's side: board, taking (with a race), answering, notes, grading the bot,
//! closing with reasons, transfer, the regional scope of every action, and a proposal that
//! becomes a published article the engine answers with next time.

use integration_tests::{problem, spawn_app, Session, TestApp};
use serde_json::{json, Value};

const ROUTED: &str = "Как оформить возврат денег родителям за сорванную экскурсию в музей?";

async fn ask(app: &TestApp, token: &str, text: &str) -> Value {
    let response = app
        .post_as("/api/v1/appeals", token, &json!({ "text": text }))
        .await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

async fn setup(app: &TestApp) -> (Session, Session, Session, String) {
    let teacher = app
        .dev_login("teacher", Some("16"), "Гарипова Алсу", true)
        .await;
    let a = app
        .dev_login("operator", Some("16"), "Оператор Первый", true)
        .await;
    let b = app
        .dev_login("operator", Some("16"), "Оператор Второй", true)
        .await;
    let appeal = ask(app, &teacher.access, ROUTED).await;
    (teacher, a, b, appeal["id"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn operators_of_another_region_can_do_nothing_with_it() {
    let app = spawn_app().await;
    let (_, _, _, id) = setup(&app).await;
    let outsider = app
        .dev_login("operator", Some("02"), "Оператор Башкирии", true)
        .await;
    let me = app.me(&outsider.access).await;
    problem(
        app.get_as(&format!("/api/v1/appeals/{id}"), &outsider.access)
            .await,
        404,
    )
    .await;
    for (action, body) in [
        ("assign", json!({ "operator_id": me["id"] })),
        ("answer", json!({ "text": "Ответ не из своего региона" })),
        ("close", json!({ "reason": "spam" })),
        ("transfer", json!({ "region": "02" })),
        ("notes", json!({ "text": "Заметка" })),
        ("messages", json!({ "text": "Уточнение" })),
        ("read", json!({})),
    ] {
        problem(
            app.post_as(
                &format!("/api/v1/appeals/{id}/{action}"),
                &outsider.access,
                &body,
            )
            .await,
            404,
        )
        .await;
    }
    let list: Value = app
        .get_as("/api/v1/appeals", &outsider.access)
        .await
        .json()
        .await
        .unwrap();
    assert!(list["items"].as_array().unwrap().is_empty());
    let p = problem(
        app.get_as("/api/v1/appeals?region=16", &outsider.access)
            .await,
        403,
    )
    .await;
    assert_eq!(p.code, "region_out_of_scope");
    let board: Value = app
        .get_as("/api/v1/appeals/board", &outsider.access)
        .await
        .json()
        .await
        .unwrap();
    assert!(board["columns"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["count"] == 0));
}

#[tokio::test]
async fn taking_answering_and_the_board() {
    let app = spawn_app().await;
    let (teacher, a, b, id) = setup(&app).await;
    let a_id = app.me(&a.access).await["id"].as_str().unwrap().to_owned();
    let b_id = app.me(&b.access).await["id"].as_str().unwrap().to_owned();

    let board: Value = app
        .get_as("/api/v1/appeals/board", &a.access)
        .await
        .json()
        .await
        .unwrap();
    let column = |board: &Value, status: &str| {
        board["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["status"] == status)
            .cloned()
            .unwrap()
    };
    assert_eq!(column(&board, "new")["count"], 1);
    assert_eq!(column(&board, "new")["items"][0]["id"], id.as_str());
    assert_eq!(
        column(&board, "new")["items"][0]["author_name"],
        "Гарипова Алсу"
    );

    let taken: Value = app
        .post_as(
            &format!("/api/v1/appeals/{id}/assign"),
            &a.access,
            &json!({ "operator_id": a_id }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(taken["status"], "in_progress");
    assert_eq!(taken["assignee"]["id"], a_id.as_str());
    let p = problem(
        app.post_as(
            &format!("/api/v1/appeals/{id}/assign"),
            &b.access,
            &json!({ "operator_id": b_id }),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(p.code, "already_assigned");
    // Handing over to a colleague of the region is allowed.
    let handed: Value = app
        .post_as(
            &format!("/api/v1/appeals/{id}/assign"),
            &a.access,
            &json!({ "operator_id": b_id }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(handed["assignee"]["id"], b_id.as_str());
    let outsider = app.dev_login("operator", Some("02"), "Чужой", true).await;
    let outsider_id = app.me(&outsider.access).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let p = problem(
        app.post_as(
            &format!("/api/v1/appeals/{id}/assign"),
            &b.access,
            &json!({ "operator_id": outsider_id }),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p.errors[0].code, "not_a_colleague");

    app.post_as(
        &format!("/api/v1/appeals/{id}/notes"),
        &b.access,
        &json!({ "text": "Проверить приказ школы" }),
    )
    .await;
    // Answering does not require being the assignee; the one who answers becomes it.
    let answered: Value = app
        .post_as(
            &format!("/api/v1/appeals/{id}/answer"),
            &a.access,
            &json!({ "text": "Возврат оформляется приказом директора по заявлению родителей." }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(answered["appeal"]["status"], "answered");
    assert_eq!(answered["appeal"]["assignee"]["id"], a_id.as_str());
    assert_eq!(answered["appeal"]["answered_late"], false);

    let seen: Value = app
        .get_as(&format!("/api/v1/appeals/{id}"), &teacher.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen["answers"][0]["source"], "operator");
    assert_eq!(seen["unread"], true);
    assert!(
        seen["messages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["kind"] != "note"),
        "notes never reach teachers"
    );
    let staff_view: Value = app
        .get_as(&format!("/api/v1/appeals/{id}"), &a.access)
        .await
        .json()
        .await
        .unwrap();
    assert!(staff_view["messages"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["kind"] == "note"));

    // A follow-up puts it back to work with a new deadline.
    let back: Value = app
        .post_as(
            &format!("/api/v1/appeals/{id}/messages"),
            &teacher.access,
            &json!({ "text": "А если экскурсия перенесена?" }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(back["status"], "in_progress");
    let rated = app
        .post_as(
            &format!("/api/v1/appeals/{id}/rating"),
            &teacher.access,
            &json!({ "score": 5 }),
        )
        .await;
    assert_eq!(rated.status(), 200, "the answer can still be rated");
}

#[tokio::test]
async fn two_operators_taking_at_once_exactly_one_wins() {
    let app = spawn_app().await;
    let (_, a, b, id) = setup(&app).await;
    let a_id = app.me(&a.access).await["id"].as_str().unwrap().to_owned();
    let b_id = app.me(&b.access).await["id"].as_str().unwrap().to_owned();
    for _ in 0..5 {
        let path = format!("/api/v1/appeals/{id}/assign");
        let (body_a, body_b) = (
            json!({ "operator_id": a_id }),
            json!({ "operator_id": b_id }),
        );
        let (ra, rb) = tokio::join!(
            app.post_as(&path, &a.access, &body_a),
            app.post_as(&path, &b.access, &body_b)
        );
        let statuses = [ra.status().as_u16(), rb.status().as_u16()];
        assert!(
            statuses.contains(&200) && statuses.contains(&409),
            "{statuses:?}"
        );
        let holder: Value = app
            .get_as(&format!("/api/v1/appeals/{id}"), &a.access)
            .await
            .json()
            .await
            .unwrap();
        let winner = if statuses[0] == 200 { &a } else { &b };
        // Release for the next round.
        let release = app
            .post_as(&path, &winner.access, &json!({ "operator_id": null }))
            .await;
        assert_eq!(release.status(), 200, "{holder}");
    }
}

#[tokio::test]
async fn close_reasons_and_transfer() {
    let app = spawn_app().await;
    let (teacher, a, _, id) = setup(&app).await;
    let p = problem(
        app.post_as(
            &format!("/api/v1/appeals/{id}/close"),
            &a.access,
            &json!({ "reason": "duplicate" }),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p.errors[0].field, "duplicate_of");
    let second = ask(
        &app,
        &teacher.access,
        "Тот же вопрос про возврат денег за экскурсию",
    )
    .await;
    let second_id = second["id"].as_str().unwrap();
    let closed: Value = app
        .post_as(&format!("/api/v1/appeals/{second_id}/close"), &a.access, &json!({ "reason": "duplicate", "duplicate_of": id, "note": "Ответим в первом обращении" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(closed["close_reason"], "duplicate");
    assert_eq!(closed["duplicate_of"], id.as_str());
    let teacher_view: Value = app
        .get_as(&format!("/api/v1/appeals/{second_id}"), &teacher.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(teacher_view["close_note"], "Ответим в первом обращении");
    problem(
        app.post_as(
            &format!("/api/v1/appeals/{second_id}/close"),
            &a.access,
            &json!({ "reason": "spam" }),
        )
        .await,
        409,
    )
    .await;
    problem(
        app.post_as(
            &format!("/api/v1/appeals/{id}/close"),
            &a.access,
            &json!({ "reason": "rude" }),
        )
        .await,
        400,
    )
    .await;

    let p = problem(
        app.post_as(
            &format!("/api/v1/appeals/{id}/transfer"),
            &a.access,
            &json!({ "region": "16" }),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p.errors[0].code, "same_region");
    let moved: Value = app
        .post_as(
            &format!("/api/v1/appeals/{id}/transfer"),
            &a.access,
            &json!({ "region": "39", "note": "Школа в Калининграде" }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(moved["region"]["code"], "39");
    assert_eq!(moved["status"], "new");
    let deadline =
        chrono::DateTime::parse_from_rfc3339(moved["deadline_at"].as_str().unwrap()).unwrap();
    assert_eq!(
        deadline.format("%H:%M:%S").to_string(),
        "21:59:59",
        "23:59:59 in Kaliningrad (UTC+2)"
    );
    problem(
        app.get_as(&format!("/api/v1/appeals/{id}"), &a.access)
            .await,
        404,
    )
    .await;
    let kaliningrad = app
        .dev_login("operator", Some("39"), "Оператор Калининграда", true)
        .await;
    assert_eq!(
        app.get_as(&format!("/api/v1/appeals/{id}"), &kaliningrad.access)
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn bot_grades_and_the_proposal_that_becomes_an_answer() {
    let app = spawn_app().await;
    app.import_demo_kb().await;
    let teacher = app.dev_login("teacher", Some("16"), "Учитель", true).await;
    let operator = app
        .dev_login("operator", Some("16"), "Оператор", true)
        .await;
    let bot = ask(
        &app,
        &teacher.access,
        "план воспитательной работы пишет каждый учитель или только кл рук?",
    )
    .await;
    assert_eq!(bot["status"], "answered_by_bot");
    let bot_id = bot["id"].as_str().unwrap();
    let board: Value = app
        .get_as("/api/v1/appeals/board", &operator.access)
        .await
        .json()
        .await
        .unwrap();
    let awaiting = board["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["status"] == "answered_by_bot")
        .unwrap();
    assert_eq!(awaiting["count"], 1);
    let graded = app
        .post_as(
            &format!("/api/v1/appeals/{bot_id}/bot-grade"),
            &operator.access,
            &json!({ "grade": "correct" }),
        )
        .await;
    assert_eq!(graded.status(), 200);
    let p = problem(
        app.post_as(
            &format!("/api/v1/appeals/{bot_id}/bot-grade"),
            &operator.access,
            &json!({ "grade": "wrong" }),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(p.code, "already_graded");
    let board: Value = app
        .get_as("/api/v1/appeals/board", &operator.access)
        .await
        .json()
        .await
        .unwrap();
    let awaiting = board["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["status"] == "answered_by_bot")
        .unwrap();
    assert_eq!(awaiting["count"], 0, "graded bot answers leave the column");

    let question =
        "Нужно ли согласовывать с родителями график консультаций перед олимпиадой по биологии?";
    let routed = ask(&app, &teacher.access, question).await;
    assert_eq!(routed["status"], "new");
    let result: Value = app
        .post_as(
            &format!("/api/v1/appeals/{}/answer", routed["id"].as_str().unwrap()),
            &operator.access,
            &json!({ "text": "Согласовывать график консультаций с родителями не требуется: его утверждает школа.", "propose_to_kb": true }),
        )
        .await
        .json()
        .await
        .unwrap();
    let draft = result["proposed_article_id"].as_str().unwrap().to_owned();
    let federal = app.dev_login("federal", None, "Куратор", true).await;
    let article: Value = app
        .get_as(&format!("/api/v1/kb/articles/{draft}"), &federal.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(article["status"], "draft");
    assert_eq!(article["source_appeal_id"], routed["id"]);
    app.post_as(
        &format!("/api/v1/kb/articles/{draft}/publish"),
        &federal.access,
        &json!({}),
    )
    .await;
    let next = ask(&app, &teacher.access, question).await;
    assert_eq!(
        next["status"], "answered_by_bot",
        "the engine answers the same question next time"
    );
    assert_eq!(next["answers"][0]["article_id"], draft.as_str());
}

#[tokio::test]
async fn regional_heads_read_but_do_not_act() {
    let app = spawn_app().await;
    let (_, _, _, id) = setup(&app).await;
    let head = app
        .dev_login("regional_head", Some("16"), "Руководитель", true)
        .await;
    assert_eq!(
        app.get_as(&format!("/api/v1/appeals/{id}"), &head.access)
            .await
            .status(),
        200
    );
    problem(
        app.post_as(
            &format!("/api/v1/appeals/{id}/answer"),
            &head.access,
            &json!({ "text": "Ответ руководителя региона" }),
        )
        .await,
        403,
    )
    .await;
    let federal = app.dev_login("federal", None, "Федеральный", true).await;
    let all: Value = app
        .get_as("/api/v1/appeals", &federal.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["items"].as_array().unwrap().len(), 1);
}

/// The ids of a page of `GET /api/v1/appeals?<query>` and its next cursor.
async fn list(app: &TestApp, token: &str, query: &str) -> (Vec<String>, Option<String>) {
    let response = app.get_as(&format!("/api/v1/appeals?{query}"), token).await;
    assert_eq!(response.status(), 200, "{query}");
    let page: Value = response.json().await.unwrap();
    let ids = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    (ids, page["next_cursor"].as_str().map(str::to_owned))
}

#[tokio::test]
async fn the_staff_list_filters_by_unread_text_and_period_and_sorts_by_deadline() {
    let app = spawn_app().await;
    let teacher = app
        .dev_login("teacher", Some("16"), "Сафина Лилия", true)
        .await;
    let operator = app
        .dev_login("operator", Some("16"), "Оператор Первый", true)
        .await;
    let a = ask(&app, &teacher.access, ROUTED).await;
    let b = ask(
        &app,
        &teacher.access,
        "Журнал инструктажей по технике безопасности: кто его ведёт в начальной школе?",
    )
    .await;
    let c = ask(
        &app,
        &teacher.access,
        "Нужен ли отдельный приказ на замену уроков в период карантина?",
    )
    .await;
    let id = |v: &Value| v["id"].as_str().unwrap().to_owned();
    let (a, b, c) = (id(&a), id(&b), id(&c));
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };

    // Unread is per person: all three for the operator until one is opened.
    let (ids, _) = list(&app, &operator.access, "unread=true").await;
    assert_eq!(sorted(ids), sorted(vec![a.clone(), b.clone(), c.clone()]));
    let response = app
        .post_as(
            &format!("/api/v1/appeals/{a}/read"),
            &operator.access,
            &json!({}),
        )
        .await;
    assert!(response.status().is_success());
    let (ids, _) = list(&app, &operator.access, "unread=true").await;
    assert_eq!(sorted(ids), sorted(vec![b.clone(), c.clone()]));
    // The teacher has nothing unread until staff do something.
    assert_eq!(
        list(&app, &teacher.access, "unread=true").await.0,
        Vec::<String>::new()
    );
    let response = app
        .post_as(
            &format!("/api/v1/appeals/{b}/answer"),
            &operator.access,
            &json!({ "text": "Журнал ведёт ответственный за охрану труда, назначенный приказом." }),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        list(&app, &teacher.access, "unread=true").await.0,
        vec![b.clone()]
    );

    // Text: any case of Russian words, or the appeal's id.
    for q in ["журнал", "ЖУРНАЛ", "Журнал", "начальной школе"] {
        let (ids, _) = list(&app, &operator.access, &format!("q={}", urlencode(q))).await;
        assert_eq!(ids, vec![b.clone()], "{q}");
    }
    assert_eq!(
        list(&app, &operator.access, &format!("q={a}")).await.0,
        vec![a.clone()]
    );
    assert_eq!(
        list(&app, &operator.access, "q=%25").await.0,
        Vec::<String>::new()
    );

    // Soonest deadline first, page by page (the three share a deadline: ties by id).
    let (first, cursor) = list(&app, &operator.access, "sort=deadline&status=new&limit=1").await;
    let cursor = cursor.expect("more pages");
    let (second, _) = list(
        &app,
        &operator.access,
        &format!("sort=deadline&status=new&limit=5&cursor={cursor}"),
    )
    .await;
    let mut all = first.clone();
    all.extend(second);
    assert_eq!(
        all,
        sorted(vec![a.clone(), c.clone()]),
        "no gaps, no repeats"
    );

    // Period of creation, in Moscow days; deadlines are days away, so nothing is due today.
    let today = (chrono::Utc::now() + chrono::Duration::hours(3)).date_naive();
    let yesterday = today - chrono::Duration::days(1);
    let (ids, _) = list(&app, &operator.access, &format!("from={today}&to={today}")).await;
    assert_eq!(ids.len(), 3);
    assert!(list(&app, &operator.access, &format!("to={yesterday}"))
        .await
        .0
        .is_empty());
    assert!(list(&app, &operator.access, "due_today=true")
        .await
        .0
        .is_empty());
    let (ids, _) = list(&app, &operator.access, "overdue=false&due_today=false").await;
    assert_eq!(ids.len(), 3);

    let bad = problem(
        app.get_as("/api/v1/appeals?from=31.01.2026", &operator.access)
            .await,
        422,
    )
    .await;
    assert_eq!(bad.errors[0].field, "from");
    let bad = problem(
        app.get_as("/api/v1/appeals?sort=urgency", &operator.access)
            .await,
        422,
    )
    .await;
    assert_eq!(bad.errors[0].code, "invalid_sort");
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Runs `f` on a connection of the app's database.
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

/// Issue #22, «Нужен ваш ответ»: a clarifying question makes the appeal wait for the
/// teacher with the SLA clock stopped; the reply restarts it with the working days that were
/// left, on the production calendar; the thread shows both deadlines.
#[tokio::test]
async fn a_clarifying_question_waits_for_the_teacher_and_stops_the_clock() {
    use diesel::prelude::*;

    let app = spawn_app().await;
    let (teacher, a, _, id) = setup(&app).await;
    // As if it arrived three working days ago: two working days are left.
    let (key, two_days) = (id.clone(), 2_u32);
    let old_deadline = with_db(&app, move |conn| {
        use api::db::schema::appeals as ap;
        let calendars = api::domain::calendar::Calendars::load(conn).unwrap();
        let deadline = calendars
            .deadline_after("16", chrono::Utc::now(), two_days)
            .naive_utc();
        diesel::update(ap::table.find(&key))
            .set(ap::deadline_at.eq(deadline))
            .execute(conn)
            .unwrap();
        deadline
    })
    .await;
    let path = format!("/api/v1/appeals/{id}/messages");
    let asked: Value = app
        .post_as(
            &path,
            &a.access,
            &json!({ "text": "Уточните, какая школа?" }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(asked["waiting_for_teacher"], true);
    assert_eq!(asked["deadline_at"], Value::Null, "the clock stops");
    assert_eq!(asked["status"], "new");
    let seen: Value = app
        .get_as(&format!("/api/v1/appeals/{id}"), &teacher.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen["waiting_for_teacher"], true);
    assert_eq!(seen["unread"], true);
    let paused = seen["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "system")
        .expect("the pause is in the history")["text"]
        .as_str()
        .unwrap()
        .to_owned();
    let local_old = old_deadline.and_utc() + chrono::Duration::hours(3);
    assert!(
        paused.contains(&shared::ru_day_month(
            chrono::Datelike::day(&local_old),
            chrono::Datelike::month(&local_old)
        )) && paused.contains("Останется рабочих дней: 2"),
        "{paused}"
    );
    let list: Value = app
        .get_as("/api/v1/appeals", &teacher.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"][0]["waiting_for_teacher"], true);
    // A second question while waiting changes nothing.
    app.post_as(&path, &a.access, &json!({ "text": "И какой класс?" }))
        .await;
    let key = id.clone();
    let left: Option<i32> = with_db(&app, move |conn| {
        use api::db::schema::appeals as ap;
        ap::table
            .find(&key)
            .select(ap::waiting_days_left)
            .first(conn)
            .unwrap()
    })
    .await;
    assert_eq!(left, Some(2));

    // The teacher replies: the deadline is the 2nd working day after the reply's day.
    let replied: Value = app
        .post_as(
            &path,
            &teacher.access,
            &json!({ "text": "Школа № 5, 7 класс." }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(replied["waiting_for_teacher"], false);
    let expected = with_db(&app, move |conn| {
        let calendars = api::domain::calendar::Calendars::load(conn).unwrap();
        calendars.deadline_after("16", chrono::Utc::now(), two_days)
    })
    .await;
    assert_eq!(
        replied["deadline_at"],
        expected.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    let standard = with_db(&app, move |conn| {
        let calendars = api::domain::calendar::Calendars::load(conn).unwrap();
        calendars.deadline("16", chrono::Utc::now())
    })
    .await;
    assert!(expected < standard, "the days already used stay used");
    let resumed = replied["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "system")
        .count();
    assert_eq!(resumed, 2, "both deadlines are in the history");

    // An answer while waiting ends the wait too.
    app.post_as(
        &path,
        &a.access,
        &json!({ "text": "А родители писали заявление?" }),
    )
    .await;
    let answered: Value = app
        .post_as(
            &format!("/api/v1/appeals/{id}/answer"),
            &a.access,
            &json!({ "text": "Возврат оформляется приказом директора по заявлению родителей." }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(answered["appeal"]["waiting_for_teacher"], false);
}
