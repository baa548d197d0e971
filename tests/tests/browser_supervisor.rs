//! The supervisor screens of the staff module in a real headless Chromium against the real
//! server: the federal dashboard shows exactly the figures of `/api/v1/stats/summary` with
//! its SVG chart, a regional head sees only own region; a federal supervisor edits and
//! publishes an operator's proposal and the engine then answers that question, and confirms
//! a candidate question variant; a calendar year is imported from an xmlcalendar file and
//! shown; a head follows «Просрочено» to the list, reads an appeal read-only and puts it «На
//! контроль», and the operator sees the badge; a federal user picks «январь – май» of last
//! year and sees the API's figures of that range (kept on reload), a map tile opens its
//! region's overdue appeals, an operator opens «Моя статистика» (the control, the map tile
//! and «Моя статистика» at 360×640 and at 1280×800); at 1280×800 the period picker's
//! «январь – май» of last year shows the API's figures and the figures by education level; a
//! federal user imports two regions' numbers of teachers and the map offers and shows
//! appeals per 1,000 teachers. Screenshots at 360×640 and desktop size go to the screenshots
//! folder.

use chrono::{Datelike, Duration, Utc};
use integration_tests::browser::Browser;
use integration_tests::{spawn_app, workspace_root, TestApp};
use serde_json::{json, Value};

/// Answered at once by the demo knowledge base.
const BOT_QUESTION: &str = "план воспитательной работы пишет каждый учитель или только кл рук?";
/// Not in the demo knowledge base: routed to an operator.
const ROUTED: &str = "Как оформить возврат денег родителям за сорванную экскурсию в музей?";

async fn ask(app: &TestApp, token: &str, text: &str) -> Value {
    let response = app
        .post_as("/api/v1/appeals", token, &json!({ "text": text }))
        .await;
    assert_eq!(response.status(), 201, "ask «{text}»");
    response.json().await.expect("appeal")
}

async fn post_ok(app: &TestApp, path: &str, token: &str, body: &Value) -> Value {
    let response = app.post_as(path, token, body).await;
    assert_eq!(response.status(), 200, "POST {path}");
    response.json().await.expect("json")
}

async fn get_ok(app: &TestApp, path: &str, token: &str) -> Value {
    let response = app.get_as(path, token).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.json().await.expect("json")
}

/// The demo sign-in of the staff module, as a person would use it.
async fn demo_sign_in(
    browser: &Browser,
    app: &TestApp,
    role: &str,
    region: Option<&str>,
    name: &str,
) {
    browser.goto(&app.url("/")).await;
    browser.select("#demo-role", role).await;
    if let Some(region) = region {
        browser.select("#demo-region", region).await;
    }
    browser.fill("#demo-name", name).await;
    browser.click("#demo-login button[type=submit]").await;
    browser.wait_text("#staff-name", name).await;
}

/// A figure as the dashboard shows it: shares in whole per cent, the rating and medians
/// with one decimal and a comma, counts whole, «—» for none.
fn shown(key: &str, value: &Value) -> String {
    let Some(v) = value.as_f64() else {
        return "—".to_owned();
    };
    if key.ends_with("share") || key == "bot_accuracy" || key == "escalation_rate" {
        format!("{} %", (v * 100.0).round() as i64)
    } else if key.starts_with("rating") || key.starts_with("median") {
        let n = (v * 10.0).round() as i64;
        format!("{},{}", n / 10, n % 10)
    } else {
        format!("{}", v.round() as i64)
    }
}

/// The last 30 days, Moscow dates, as the dashboard asks for them by default.
fn last_30_days() -> String {
    let to = (Utc::now() + Duration::hours(3)).date_naive();
    let from = to - Duration::days(29);
    format!("?from={from}&to={to}")
}

#[tokio::test]
async fn the_federal_dashboard_shows_the_api_figures_and_a_head_sees_only_own_region() {
    let app = spawn_app().await;
    app.import_demo_kb().await;
    // A small data set through the API: one bot answer rated 4, one operator answer rated
    // 5, and two questions still waiting (regions 16 and 02).
    let anna = app
        .dev_login("teacher", Some("16"), "Гарипова Алсу", true)
        .await;
    let boris = app
        .dev_login("teacher", Some("02"), "Борисов Булат", true)
        .await;
    let operator = app
        .dev_login("operator", Some("16"), "Оператор Первый", true)
        .await;
    let by_bot = ask(&app, &anna.access, BOT_QUESTION).await;
    assert_eq!(by_bot["status"], "answered_by_bot");
    let bot_id = by_bot["id"].as_str().expect("id");
    post_ok(
        &app,
        &format!("/api/v1/appeals/{bot_id}/rating"),
        &anna.access,
        &json!({ "score": 4 }),
    )
    .await;
    let routed = ask(&app, &anna.access, ROUTED).await;
    assert_eq!(routed["status"], "new");
    let routed_id = routed["id"].as_str().expect("id");
    post_ok(
        &app,
        &format!("/api/v1/appeals/{routed_id}/answer"),
        &operator.access,
        &json!({ "text": "Возврат оформляется приказом директора по заявлению родителей." }),
    )
    .await;
    post_ok(
        &app,
        &format!("/api/v1/appeals/{routed_id}/rating"),
        &anna.access,
        &json!({ "score": 5 }),
    )
    .await;
    ask(
        &app,
        &anna.access,
        "Кто утверждает график дежурств учителей в столовой?",
    )
    .await;
    ask(&app, &boris.access, ROUTED).await;

    let federal = app
        .dev_login("federal", None, "Куратор Федеральный", true)
        .await;
    let period = last_30_days();
    let summary = get_ok(
        &app,
        &format!("/api/v1/stats/summary{period}"),
        &federal.access,
    )
    .await;
    let figures = &summary["figures"];
    assert_eq!(figures["received"], 4, "{summary}");
    assert_eq!(figures["ratings_count"], 2, "{summary}");

    let browser = Browser::start().await;
    demo_sign_in(&browser, &app, "federal", None, "Куратор Федеральный").await;
    browser
        .wait_text("#staff-role", "Федеральный куратор")
        .await;
    browser.find("#tiles").await;
    // The supervisor screens come in their own module, mounted into the staff frame.
    let loaded = browser
        .js("return [!!document.getElementById('supervisor-module'), \
                     !!document.querySelector('#supervisor #tiles'), \
                     !!document.getElementById('admin-module')];")
        .await;
    assert_eq!(
        loaded,
        serde_json::json!([true, true, false]),
        "supervisor module, not the administration one"
    );
    let keys = [
        "received",
        "answered_by_bot",
        "self_served",
        "answered_by_operators",
        "open",
        "overdue",
        "due_today",
        "unread",
        "rating_avg",
        "median_first_answer_hours",
        "answered_within_sla_share",
        "bot_share",
        "bot_accuracy",
        "escalation_rate",
    ];
    for key in keys {
        let text = browser
            .js(&format!(
                "return document.querySelector('[data-figure={key}] .tile-value').textContent;"
            ))
            .await;
        assert_eq!(
            text,
            json!(shown(key, &figures[key])),
            "tile {key}: {figures}"
        );
    }
    assert_eq!(shown("rating_avg", &figures["rating_avg"]), "4,5");

    // «Кто ответил»: the same counts as the summary, as a bar with its text.
    let sources = browser.wait_text("#sources-text", "Бот").await;
    for (label, key) in [
        ("Бот", "answered_by_bot"),
        ("Сами", "self_served"),
        ("Операторы", "answered_by_operators"),
    ] {
        let n = figures[key].as_i64().expect("count");
        assert!(
            sources.contains(&format!("{label} — {n} (")),
            "{key}: {sources}"
        );
    }
    // The ratings by region: a bar per region with ratings, its value written beside it.
    let rated = get_ok(
        &app,
        &format!("/api/v1/stats/regions{period}"),
        &federal.access,
    )
    .await;
    let with_ratings = rated["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|r| !r["figures"]["rating_avg"].is_null())
        .count();
    assert!(with_ratings > 0);
    browser.find("#rating-chart rect.bar").await;
    let bars = browser
        .js("return document.querySelectorAll('#rating-chart rect.bar').length;")
        .await;
    assert_eq!(bars, json!(with_ratings));

    // The chart: one point per day, with its text equivalent and table.
    let series = get_ok(
        &app,
        &format!("/api/v1/stats/timeseries{period}&bucket=day"),
        &federal.access,
    )
    .await;
    let days = series["items"].as_array().expect("items").len();
    assert_eq!(days, 30);
    browser.find("#chart polyline.line-received").await;
    let points = browser
        .js("return document.querySelector('#chart polyline.line-received').getAttribute('points').split(' ').length;")
        .await;
    assert_eq!(points, json!(days));
    let title = browser
        .js("return document.querySelector('#chart title').textContent;")
        .await;
    assert_eq!(title, "Обращения по времени");
    let desc = browser
        .js("return document.querySelector('#chart desc').textContent;")
        .await;
    assert!(
        desc.as_str().is_some_and(|d| d.contains("поступило 4")),
        "{desc}"
    );
    let rows = browser
        .js("return document.querySelectorAll('#series-table tbody tr').length;")
        .await;
    assert_eq!(rows, json!(days));
    // The chart narrowed to one education level: these teachers gave none, so they count
    // as a school's — nothing arrived from СПО, all four from schools, as the API says.
    let spo = get_ok(
        &app,
        &format!("/api/v1/stats/timeseries{period}&bucket=day&level=spo"),
        &federal.access,
    )
    .await;
    let spo_received: i64 = spo["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|p| p["received"].as_i64().expect("received"))
        .sum();
    assert_eq!(spo_received, 0);
    for (level, received) in [("spo", 0), ("school", 4)] {
        browser.select("#chart-level", level).await;
        browser
            .wait_js(&format!(
                "performance.getEntriesByType('resource').some(function (e) {{ \
                 return e.name.indexOf('level={level}') >= 0 && e.name.indexOf('/stats/timeseries') >= 0; }}) && \
                 document.querySelector('#chart desc').textContent.indexOf('поступило {received},') >= 0"
            ))
            .await;
    }
    // The CSV report of the same period is fetched with the token (then saved as a file).
    browser.click("#report-csv").await;
    browser
        .wait_js(&format!(
            "performance.getEntriesByType('resource').some(function (e) {{ \
             return e.name.indexOf('/api/v1/reports/appeals.csv{period}') >= 0 && e.responseStatus === 200; }})"
        ))
        .await;
    assert_eq!(
        browser
            .js("return document.querySelectorAll('#reports .form-error').length;")
            .await,
        json!(0)
    );
    // One region and one status: the XLSX asks for exactly those.
    browser.select("#report-region", "16").await;
    browser.select("#report-status", "answered").await;
    browser.click("#report-xlsx").await;
    browser
        .wait_js(&format!(
            "performance.getEntriesByType('resource').some(function (e) {{ \
             return e.name.indexOf('/api/v1/reports/appeals.xlsx{period}&region=16&status=answered') >= 0 \
                 && e.responseStatus === 200; }})"
        ))
        .await;
    browser.screenshot("supervisor-dashboard").await;
    browser.resize(1280, 900, false).await;
    browser.screenshot("supervisor-dashboard-desktop").await;

    // The regions table: every region, sorted by received appeals first; kept on reload.
    // (Back to the top: WebDriver would scroll the tab under the sticky header.)
    browser.js("window.scrollTo(0, 0); return null;").await;
    browser.click("a[href='#/regions']").await;
    browser.find("#regions-table").await;
    let regions = get_ok(
        &app,
        &format!("/api/v1/stats/regions{period}"),
        &federal.access,
    )
    .await;
    let count = regions["items"].as_array().expect("items").len();
    assert!(count > 80, "{count}");
    let rows = browser
        .js("return document.querySelectorAll('#regions-table tbody tr').length;")
        .await;
    assert_eq!(rows, json!(count));
    let first = browser
        .js("return document.querySelector('#regions-table tbody tr').textContent;")
        .await;
    assert!(
        first.as_str().is_some_and(|t| t.contains("(16)")),
        "{first}"
    );
    // A click on a heading sorts by that column (by the server), largest first.
    browser.click("#regions-table button[data-col='4']").await;
    browser
        .wait_js("document.querySelector(\"#regions-table th[aria-sort=descending] button[data-col='4']\")")
        .await;
    browser.js("location.reload(); return null;").await;
    browser.find("#regions-table").await;
    assert_eq!(browser.js("return location.hash;").await, "#/regions");
    browser.screenshot("supervisor-regions-desktop").await;

    // A regional head: own region only, and no federal tabs.
    browser.click("#staff-sign-out").await;
    browser.find("#demo-login").await;
    browser.viewport(false).await;
    demo_sign_in(
        &browser,
        &app,
        "regional_head",
        Some("02"),
        "Руководитель Башкирский",
    )
    .await;
    browser
        .wait_text("#staff-role", "Руководитель региона")
        .await;
    browser.goto(&app.url("/#/regions")).await;
    browser.find("#regions-table").await;
    let rows = browser
        .js("return Array.prototype.map.call(document.querySelectorAll('#regions-table tbody tr'), function (r) { return r.textContent; });")
        .await;
    let rows = rows.as_array().expect("rows");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(
        rows[0].as_str().is_some_and(|r| r.contains("(02)")),
        "{rows:?}"
    );
    assert_eq!(
        browser
            .js("return document.querySelectorAll(\"a[href='#/kb']\").length;")
            .await,
        json!(0)
    );
    browser.click("a[href='#/dashboard']").await;
    browser.find("#tiles").await;
    let received = browser
        .js("return document.querySelector('[data-figure=received] .tile-value').textContent;")
        .await;
    assert_eq!(received, "1", "the head of 02 sees the one appeal of 02");
    browser.screenshot("supervisor-head-dashboard").await;
    browser.close().await;
}

#[tokio::test]
async fn a_federal_supervisor_publishes_a_proposal_and_the_engine_answers_with_it() {
    let app = spawn_app().await;
    app.import_demo_kb().await;
    let teacher = app
        .dev_login("teacher", Some("16"), "Гарипова Алсу", true)
        .await;
    let operator = app
        .dev_login("operator", Some("16"), "Оператор Первый", true)
        .await;
    let question =
        "Нужно ли согласовывать с родителями график консультаций перед олимпиадой по биологии?";
    let routed = ask(&app, &teacher.access, question).await;
    assert_eq!(routed["status"], "new");
    let answered = post_ok(
        &app,
        &format!("/api/v1/appeals/{}/answer", routed["id"].as_str().expect("id")),
        &operator.access,
        &json!({
            "text": "Согласовывать график консультаций с родителями не требуется: его утверждает школа.",
            "propose_to_kb": true
        }),
    )
    .await;
    let draft = answered["proposed_article_id"]
        .as_str()
        .expect("draft")
        .to_owned();

    let browser = Browser::start().await;
    demo_sign_in(&browser, &app, "federal", None, "Куратор Федеральный").await;
    browser.click("a[href='#/proposals']").await;
    let item = format!("li[data-article='{draft}']");
    let text = browser.wait_text(&item, "Похожие опубликованные").await;
    assert!(text.contains(question), "{text}");
    assert!(text.contains("не требуется"), "{text}");
    browser.screenshot("supervisor-proposals").await;

    // Edit the title in the editor (with its preview), then publish from the queue.
    browser
        .click(&format!("{item} a[href='#/kb/{draft}']"))
        .await;
    browser.find("#a-title").await;
    browser
        .wait_js("document.getElementById('a-title').value.length > 0")
        .await;
    browser
        .fill("#a-title", "График консультаций перед олимпиадой")
        .await;
    browser
        .wait_text(".preview", "График консультаций перед олимпиадой")
        .await;
    browser.click(".editor-form button[type=submit]").await;
    browser
        .wait_text(".editor-form", "Изменения сохранены")
        .await;
    let federal = app
        .dev_login("federal", None, "Куратор Федеральный", true)
        .await;
    let saved = get_ok(
        &app,
        &format!("/api/v1/kb/articles/{draft}"),
        &federal.access,
    )
    .await;
    assert_eq!(saved["title"], "График консультаций перед олимпиадой");
    assert_eq!(saved["status"], "draft");
    assert_eq!(saved["version"], 2);
    // The history compares version 1 with version 2: the title's removed and added words.
    browser
        .wait_js(
            "(function () { var d = document.getElementById('history-diff'); \
             return !!d && d.querySelector('h3') && d.querySelector('h3').textContent === 'Заголовок' \
                 && Array.prototype.some.call(d.querySelectorAll('ins'), function (e) { \
                        return e.textContent === 'График'; }) \
                 && Array.prototype.some.call(d.querySelectorAll('del'), function (e) { \
                        return e.textContent === 'согласовывать'; }); })()",
        )
        .await;
    browser.screenshot("supervisor-editor").await;

    browser.js("history.back(); return null;").await;
    browser.wait_js("location.hash === '#/proposals'").await;
    browser.click(&format!("{item} button.publish")).await;
    browser
        .wait_text(
            "#staff",
            "Опубликовано: «График консультаций перед олимпиадой»",
        )
        .await;
    let published = get_ok(
        &app,
        &format!("/api/v1/kb/articles/{draft}"),
        &federal.access,
    )
    .await;
    assert_eq!(published["status"], "published");

    // The engine answers the same question with the new article at once.
    let other = app
        .dev_login("teacher", Some("77"), "Смирнова Ольга", true)
        .await;
    let next = ask(&app, &other.access, question).await;
    assert_eq!(next["status"], "answered_by_bot", "{next}");
    assert_eq!(next["answers"][0]["article_id"], draft.as_str());

    // An operator answers another question relying on the article: its wording becomes a
    // candidate variant, which the supervisor confirms in the variant queue.
    let another = ask(&app, &teacher.access, ROUTED).await;
    assert_eq!(another["status"], "new");
    post_ok(
        &app,
        &format!("/api/v1/appeals/{}/answer", another["id"].as_str().expect("id")),
        &operator.access,
        &json!({ "text": "Порядок возврата утверждает школа, как и график консультаций.", "article_id": draft }),
    )
    .await;
    let queue = get_ok(&app, "/api/v1/kb/variants", &federal.access).await;
    let variant = queue["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|v| v["text"] == ROUTED)
        .map(|v| v["id"].as_str().expect("id").to_owned())
        .expect("a candidate variant");
    browser.click("a[href='#/variants']").await;
    let row = format!("li[data-variant='{variant}']");
    let text = browser.wait_text(&row, ROUTED).await;
    assert!(
        text.contains("График консультаций перед олимпиадой"),
        "{text}"
    );
    browser.screenshot("supervisor-variants").await;
    // Chosen with its checkbox and confirmed in bulk.
    browser.click(&format!("{row} input.pick")).await;
    browser.click("#bulk button[data-bulk='/confirm']").await;
    browser
        .wait_text("#staff", "Подтверждено вариантов: 1")
        .await;
    browser
        .wait_js(&format!("document.querySelector(\"{row}\").hidden"))
        .await;
    let article = get_ok(
        &app,
        &format!("/api/v1/kb/articles/{draft}"),
        &federal.access,
    )
    .await;
    assert!(
        article["variants"]
            .as_array()
            .expect("variants")
            .contains(&json!(ROUTED)),
        "{article}"
    );

    // The published article is in the list with its status.
    browser.click("a[href='#/kb']").await;
    browser.fill("#kb-q", "график консультаций олимпиада").await;
    browser.click(".kb-filters button[type=submit]").await;
    browser
        .wait_text(&format!("li[data-article='{draft}']"), "опубликована")
        .await;
    browser.close().await;
}

#[tokio::test]
async fn a_federal_supervisor_imports_a_calendar_year() {
    let app = spawn_app().await;
    // 2027 is not shipped: the 2026 file relabelled stands in for its publication.
    let xml = std::fs::read_to_string(workspace_root().join("data/calendar/ru-2026.xml"))
        .expect("calendar file")
        .replace("year=\"2026\"", "year=\"2027\"");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("ru-2027.xml");
    std::fs::write(&file, xml).expect("write");

    let browser = Browser::start().await;
    demo_sign_in(&browser, &app, "federal", None, "Куратор Федеральный").await;
    browser.click("a[href='#/calendar']").await;
    browser.find("#cal-year").await;
    browser.select("#cal-year-select", "2027").await;
    browser.wait_text("#cal-warning", "2027").await;
    browser.screenshot("supervisor-calendar-missing").await;

    browser
        .find("#cal-file")
        .await
        .send_keys(&file.to_string_lossy())
        .await
        .expect("choose the file");
    browser.click("#cal-import button[type=submit]").await;
    browser
        .wait_text("#cal-import", "Календарь 2027 года загружен")
        .await;
    browser
        .wait_js("!document.getElementById('cal-warning')")
        .await;
    let federal = app
        .dev_login("federal", None, "Куратор Федеральный", true)
        .await;
    let year = get_ok(&app, "/api/v1/calendar/2027", &federal.access).await;
    assert_eq!(year["published"], true);
    // Every day off of the imported year is marked in the grid, and only those.
    let days_off: Vec<&str> = year["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|d| d["kind"] == "day_off")
        .filter_map(|d| d["date"].as_str())
        .collect();
    let marked = browser
        .js("return Array.prototype.map.call(document.querySelectorAll('#cal-year td.cal-day_off'), function (td) { return td.getAttribute('data-date'); });")
        .await;
    let marked: Vec<&str> = marked
        .as_array()
        .expect("dates")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(marked, days_off);
    let new_year = browser
        .js("return document.querySelector(\"td[data-date='2027-01-01']\").getAttribute('title');")
        .await;
    assert!(
        new_year
            .as_str()
            .is_some_and(|t| t.contains("Новогодние каникулы")),
        "{new_year}"
    );
    browser.screenshot("supervisor-calendar").await;
    browser.close().await;
}

#[tokio::test]
async fn a_head_reads_an_appeal_and_puts_it_under_control_and_the_operator_sees_it() {
    head_control(false).await;
}

/// The same path at 1280×800.
#[tokio::test]
async fn at_desktop_width_a_head_puts_an_appeal_under_control_and_the_operator_sees_it() {
    head_control(true).await;
}

/// A head opens «Просрочено», reads an appeal read-only and puts it under control; the
/// operator of the region sees the badge and the comment. At a desktop width with `wide`.
async fn head_control(wide: bool) {
    let app = spawn_app().await;
    let teacher = app
        .dev_login("teacher", Some("16"), "Гарипова Алсу", true)
        .await;
    let appeal = ask(&app, &teacher.access, ROUTED).await;
    let id = appeal["id"].as_str().expect("id").to_owned();
    let number = appeal["number"].as_str().expect("number").to_owned();
    assert_eq!(number, "16-000001");
    // Past its deadline, so «Просрочено» on «Сводка» counts it.
    let db = api::db::Db::new(
        api::db::connect(&app.database_url, 1).expect("pool"),
        api::db::Backend::of(&app.database_url),
    );
    let late = id.clone();
    db.write(move |conn| {
        use diesel::prelude::*;
        diesel::update(api::db::schema::appeals::table.find(late))
            .set(
                api::db::schema::appeals::deadline_at
                    .eq(Utc::now().naive_utc() - Duration::hours(2)),
            )
            .execute(conn)
            .map_err(Into::into)
    })
    .await
    .expect("deadline moved");

    let browser = Browser::start().await;
    browser.viewport(wide).await;
    demo_sign_in(
        &browser,
        &app,
        "regional_head",
        Some("16"),
        "Руководитель Татарстана",
    )
    .await;
    // «Просрочено» opens the list of those very appeals.
    browser
        .wait_text("[data-figure=overdue] .tile-value", "1")
        .await;
    browser
        .click("a.tile-link[href='#/list?show=overdue']")
        .await;
    browser
        .find(&format!("#appeal-list [data-appeal='{id}']"))
        .await;
    assert_eq!(
        browser
            .js("return document.getElementById('ws-show').value;")
            .await,
        json!("overdue")
    );
    // «Обращения»: the operators' list, drawn under the supervisor tabs.
    browser.click("#supervisor a[href='#/list']").await;
    browser
        .find(&format!("#appeal-list [data-appeal='{id}']"))
        .await;
    browser
        .click(&format!("#appeal-list [data-appeal='{id}'] a"))
        .await;
    browser.wait_text("#appeal-number", &number).await;
    browser.wait_text("#appeal-text", "экскурсию").await;
    // Read-only: none of the operator's actions.
    let actions = browser
        .js(
            "return ['#take', '#answer-form', '#note-form', '#clarify-form'] \
                 .filter(s => document.querySelector(s)).length;",
        )
        .await;
    assert_eq!(actions, json!(0));
    browser
        .fill(
            "#control-comment-text",
            "Родители ждут ответа, проверьте срок",
        )
        .await;
    browser.click("#control-put").await;
    browser
        .wait_text("#control-comment", "Родители ждут ответа")
        .await;
    browser.find("#control-release").await;
    browser
        .screenshot(if wide {
            "supervisor-appeal-control-desktop"
        } else {
            "supervisor-appeal-control"
        })
        .await;
    browser.click("#staff-sign-out").await;
    // The sign-out is done (the session is forgotten) before the page is opened again:
    // otherwise the reload may still find the head's session and never show the form.
    browser.wait_text("#staff", "Вы вышли").await;

    // The operator of the region sees the badge on the board and the comment.
    demo_sign_in(&browser, &app, "operator", Some("16"), "Оператор Первый").await;
    browser.goto(&app.url("/#/board")).await;
    browser
        .wait_text(
            &format!("[data-appeal='{id}'] .control-badge"),
            "НА КОНТРОЛЕ",
        )
        .await;
    browser
        .wait_text(&format!("[data-appeal='{id}'] .mono"), &number)
        .await;
    browser.click(&format!("[data-appeal='{id}'] a")).await;
    browser
        .wait_text("#control-comment", "Родители ждут ответа")
        .await;
    if wide {
        browser
            .screenshot("operator-appeal-controlled-desktop")
            .await;
    }
    browser.close().await;
}

/// The summary of `period` (`?from=&to=`) as the federal user reads it.
async fn summary_of(app: &TestApp, token: &str, period: &str) -> Value {
    get_ok(app, &format!("/api/v1/stats/summary{period}"), token).await["figures"].clone()
}

/// Moves an appeal's deadline two hours into the past, so it counts as overdue now.
async fn make_overdue(app: &TestApp, id: &str) {
    let db = api::db::Db::new(
        api::db::connect(&app.database_url, 1).expect("pool"),
        api::db::Backend::of(&app.database_url),
    );
    let late = id.to_owned();
    db.write(move |conn| {
        use diesel::prelude::*;
        diesel::update(api::db::schema::appeals::table.find(late))
            .set(
                api::db::schema::appeals::deadline_at
                    .eq(Utc::now().naive_utc() - Duration::hours(2)),
            )
            .execute(conn)
            .map_err(Into::into)
    })
    .await
    .expect("deadline moved");
}

/// The figures of a period on «Сводка» (the live ones are in «Онлайн»).
const PERIOD_FIGURES: [&str; 10] = [
    "received",
    "answered_by_bot",
    "self_served",
    "answered_by_operators",
    "rating_avg",
    "median_first_answer_hours",
    "answered_within_sla_share",
    "bot_share",
    "bot_accuracy",
    "escalation_rate",
];

#[tokio::test]
async fn a_federal_user_picks_january_to_may_of_last_year_and_sees_the_api_figures() {
    let app = spawn_app().await;
    app.import_demo_kb().await;
    let teacher = app
        .dev_login("teacher", Some("16"), "Гарипова Алсу", true)
        .await;
    ask(&app, &teacher.access, ROUTED).await;
    ask(&app, &teacher.access, BOT_QUESTION).await;
    let federal = app
        .dev_login("federal", None, "Куратор Федеральный", true)
        .await;

    let browser = Browser::start().await;
    demo_sign_in(&browser, &app, "federal", None, "Куратор Федеральный").await;
    browser.find("#tiles").await;
    // The statistics come in a module of their own, inside the supervisor's frame.
    assert_eq!(
        browser
            .js("return [!!document.getElementById('monitor-module'), \
                         !!document.querySelector('#supervisor #monitor #tiles')];")
            .await,
        json!([true, true])
    );
    // The last 30 days against the 30 before: two appeals now, none then.
    let before = {
        let to = (Utc::now() + Duration::hours(3)).date_naive() - Duration::days(30);
        format!("?from={}&to={to}", to - Duration::days(29))
    };
    assert_eq!(
        summary_of(&app, &federal.access, &before).await["received"],
        0
    );
    browser
        .wait_text("[data-figure=received] .tile-delta", "▲ 2")
        .await;
    // «Онлайн» says when it was asked.
    browser.wait_text("#online-at", "Обновлено в").await;

    // «январь – май» of last year: whole months, kept in the address.
    let year = (Utc::now() + Duration::hours(3)).year() - 1;
    let param = format!("{year}-01-01..{year}-05-31");
    browser.select("#period", "-1").await;
    browser.find("#period-month-to").await;
    browser
        .js(&format!(
            "var y = document.getElementById('period-year'); y.value = '{year}'; \
             y.dispatchEvent(new Event('change', {{ bubbles: true }})); return null;"
        ))
        .await;
    browser.select("#period-month-from", "1").await;
    browser.select("#period-month-to", "5").await;
    browser
        .find(&format!("#tiles[data-period='{param}']"))
        .await;
    let hash = browser.js("return location.hash;").await;
    assert_eq!(hash, json!(format!("#/dashboard?period={param}")));
    browser
        .wait_text("#period-shown", &format!("январь – май {year}"))
        .await;
    let range = format!("?from={year}-01-01&to={year}-05-31");
    let figures = summary_of(&app, &federal.access, &range).await;
    for key in PERIOD_FIGURES {
        let text = browser
            .js(&format!(
                "return document.querySelector('#tiles [data-figure={key}] .tile-value').textContent;"
            ))
            .await;
        assert_eq!(text, json!(shown(key, &figures[key])), "{key}: {figures}");
    }
    // «Обращений за период» links to the list of that period's appeals.
    browser
        .find(&format!(
            "#tiles a.tile-link[href='#/list?from={year}-01-01&to={year}-05-31'] [data-figure=received]"
        ))
        .await;
    browser.screenshot("supervisor-period-months").await;

    // A reload keeps the period.
    browser.js("location.reload(); return null;").await;
    browser
        .find(&format!("#tiles[data-period='{param}']"))
        .await;
    assert_eq!(
        browser
            .js("return document.getElementById('period').value;")
            .await,
        json!("-1")
    );
    // And so does another tab.
    browser.click("a[href='#/regions']").await;
    browser.find("#regions-table").await;
    browser
        .wait_js(&format!("location.hash === '#/regions?period={param}'"))
        .await;
    browser.close().await;
}

#[tokio::test]
async fn a_map_tile_links_to_its_regions_list() {
    map_tile_link(false).await;
}

/// The same path at 1280×800.
#[tokio::test]
async fn at_desktop_width_a_map_tile_links_to_its_regions_list() {
    map_tile_link(true).await;
}

/// The map of 89 squares with its table and ranking; the square of a region opens its
/// overdue appeals. At a desktop width with `wide`.
async fn map_tile_link(wide: bool) {
    let app = spawn_app().await;
    let teacher = app
        .dev_login("teacher", Some("16"), "Гарипова Алсу", true)
        .await;
    let appeal = ask(&app, &teacher.access, ROUTED).await;
    let id = appeal["id"].as_str().expect("id").to_owned();
    make_overdue(&app, &id).await;

    let browser = Browser::start().await;
    browser.viewport(wide).await;
    demo_sign_in(&browser, &app, "federal", None, "Куратор Федеральный").await;
    browser.goto(&app.url("/#/regions")).await;
    // One square per subject, the table saying the same.
    browser.find("#map a[data-region='16']").await;
    assert_eq!(
        browser
            .js("return document.querySelectorAll('#map [data-region]').length;")
            .await,
        json!(89)
    );
    assert_eq!(
        browser
            .js("return document.querySelectorAll('#map-table tbody tr').length;")
            .await,
        json!(89)
    );
    // The ranking by overdue share: Tatarstan's one waiting appeal is late.
    browser.find("#ranking-list li[data-region='16']").await;
    browser.find("#ranking-median").await;
    // The regions table links its figures too.
    browser
        .find("#regions-table a[href='#/list?region=16&show=overdue']")
        .await;
    browser
        .screenshot(if wide {
            "supervisor-map-desktop"
        } else {
            "supervisor-map"
        })
        .await;
    // The only late region gets the darkest square, so its label is painted light (the
    // charts' own text colour must not win over the map's); a square without late appeals
    // keeps a dark label.
    assert_eq!(
        browser
            .js("return [\"16\", \"77\"].map(c => getComputedStyle(document.querySelector(`#map a[data-region='${c}'] text`)).fill);")
            .await,
        json!(["rgb(255, 255, 255)", "rgb(26, 26, 26)"])
    );
    // Coloured by «Просрочено сейчас», the square opens the region's overdue appeals.
    let href = browser
        .js("return document.querySelector(\"#map a[data-region='16']\").getAttribute('href');")
        .await;
    assert_eq!(href, json!("#/list?region=16&show=overdue"));
    browser
        .js("location.hash = document.querySelector(\"#map a[data-region='16']\").getAttribute('href'); return null;")
        .await;
    browser
        .find(&format!("#appeal-list [data-appeal='{id}']"))
        .await;
    assert_eq!(
        browser
            .js("return [document.getElementById('ws-region').value, document.getElementById('ws-show').value];")
            .await,
        json!(["16", "overdue"])
    );
    browser.close().await;
}

#[tokio::test]
async fn an_operator_opens_my_statistics() {
    my_statistics(false).await;
}

/// The same path at 1280×800.
#[tokio::test]
async fn at_desktop_width_an_operator_opens_my_statistics() {
    my_statistics(true).await;
}

/// «Моя статистика»: the region's and the operator's own figures equal the API's. At a
/// desktop width with `wide`.
async fn my_statistics(wide: bool) {
    let app = spawn_app().await;
    let teacher = app
        .dev_login("teacher", Some("16"), "Гарипова Алсу", true)
        .await;
    ask(&app, &teacher.access, ROUTED).await;
    let federal = app
        .dev_login("federal", None, "Куратор Федеральный", true)
        .await;

    let browser = Browser::start().await;
    browser.viewport(wide).await;
    demo_sign_in(&browser, &app, "operator", Some("16"), "Оператор Первый").await;
    browser.click("a[href='#/stats']").await;
    browser.find("#region-tiles").await;
    browser.find("#own-tiles").await;
    let figures = summary_of(
        &app,
        &federal.access,
        &format!("{}&region=16", last_30_days()),
    )
    .await;
    for key in ["received", "overdue", "rating_avg"] {
        let text = browser
            .js(&format!(
                "return document.querySelector('#region-tiles [data-figure={key}] .tile-value').textContent;"
            ))
            .await;
        assert_eq!(text, json!(shown(key, &figures[key])), "{key}: {figures}");
    }
    assert_eq!(figures["received"], 1);
    assert!(browser
        .js("return !!document.getElementById('monitor-module');")
        .await
        .as_bool()
        .unwrap_or(false));
    browser
        .screenshot(if wide {
            "operator-my-stats-desktop"
        } else {
            "operator-my-stats"
        })
        .await;
    // Back to the board: the statistics are gone, the board is there.
    browser.click("a[href='#/board']").await;
    browser.find("#board").await;
    browser.close().await;
}

/// Moves an appeal's arrival to `at` (UTC), as if it had come then.
async fn arrived_at(app: &TestApp, id: &str, at: chrono::NaiveDateTime) {
    let db = api::db::Db::new(
        api::db::connect(&app.database_url, 1).expect("pool"),
        api::db::Backend::of(&app.database_url),
    );
    let moved = id.to_owned();
    db.write(move |conn| {
        use diesel::prelude::*;
        diesel::update(api::db::schema::appeals::table.find(moved))
            .set(api::db::schema::appeals::created_at.eq(at))
            .execute(conn)
            .map_err(Into::into)
    })
    .await
    .expect("arrival moved");
}

#[tokio::test]
async fn at_desktop_width_january_to_may_of_last_year_shows_the_api_figures() {
    let app = spawn_app().await;
    app.import_demo_kb().await;
    let teacher = app
        .dev_login("teacher", Some("16"), "Гарипова Алсу", true)
        .await;
    // Two appeals of last March and one of this period.
    let year = (Utc::now() + Duration::hours(3)).year() - 1;
    let march = chrono::NaiveDate::from_ymd_opt(year, 3, 10)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .expect("a date");
    for text in [ROUTED, BOT_QUESTION] {
        let appeal = ask(&app, &teacher.access, text).await;
        arrived_at(&app, appeal["id"].as_str().expect("id"), march).await;
    }
    ask(
        &app,
        &teacher.access,
        "Кто должен заполнять журнал инструктажей по технике безопасности на экскурсии?",
    )
    .await;
    let federal = app
        .dev_login("federal", None, "Куратор Федеральный", true)
        .await;
    let range = format!("?from={year}-01-01&to={year}-05-31");
    let figures = summary_of(&app, &federal.access, &range).await;
    assert_eq!(figures["received"], 2, "{figures}");

    let browser = Browser::start().await;
    browser.viewport(true).await;
    demo_sign_in(&browser, &app, "federal", None, "Куратор Федеральный").await;
    browser.find("#tiles").await;
    browser.select("#period", "-1").await;
    browser.find("#period-month-to").await;
    browser
        .js(&format!(
            "var y = document.getElementById('period-year'); y.value = '{year}'; \
             y.dispatchEvent(new Event('change', {{ bubbles: true }})); return null;"
        ))
        .await;
    browser.select("#period-month-from", "1").await;
    browser.select("#period-month-to", "5").await;
    let param = format!("{year}-01-01..{year}-05-31");
    browser
        .find(&format!("#tiles[data-period='{param}']"))
        .await;
    browser
        .wait_text("#period-shown", &format!("январь – май {year}"))
        .await;
    let width = browser
        .js("return document.documentElement.scrollWidth;")
        .await;
    assert!(
        width.as_i64().is_some_and(|w| w <= 1280),
        "no horizontal scroll: {width}"
    );
    for key in PERIOD_FIGURES {
        let text = browser
            .js(&format!(
                "return document.querySelector('#tiles [data-figure={key}] .tile-value').textContent;"
            ))
            .await;
        assert_eq!(text, json!(shown(key, &figures[key])), "{key}: {figures}");
    }
    // The figures by education level: all of the teacher's appeals are a school's.
    browser.find("#levels-table").await;
    let school = browser
        .js("return document.querySelector('#levels-table tbody tr').children[1].textContent;")
        .await;
    assert_eq!(school, json!("2"));
    browser.screenshot("supervisor-period-months-desktop").await;
    browser.close().await;
}

#[tokio::test]
async fn a_federal_user_imports_teachers_and_the_map_offers_appeals_per_1000() {
    let app = spawn_app().await;
    let teacher = app
        .dev_login("teacher", Some("16"), "Гарипова Алсу", true)
        .await;
    ask(&app, &teacher.access, ROUTED).await;
    ask(
        &app,
        &teacher.access,
        "Кто должен заполнять журнал инструктажей по технике безопасности на экскурсии?",
    )
    .await;

    let browser = Browser::start().await;
    browser.viewport(true).await;
    demo_sign_in(&browser, &app, "federal", None, "Куратор Федеральный").await;
    browser.goto(&app.url("/#/regions")).await;
    browser.find("#map a[data-region='16']").await;
    // No region has a number of teachers yet: the figure is not offered.
    assert_eq!(
        browser
            .js("return !!document.querySelector(\"#map-figure option[value='appeals_per_1000']\");")
            .await,
        json!(false)
    );
    // Two regions imported through the form: 2 appeals / 4,000 teachers = 0,50 per 1,000.
    browser.fill("#teachers-text", "16;4000\n77;120000").await;
    // (Submitted in place: a click would scroll the form under the sticky header.)
    browser.find("#teachers-send").await;
    browser
        .js("document.getElementById('teachers-form').requestSubmit(); return null;")
        .await;
    browser
        .wait_text("#teachers-done", "Сохранено регионов: 2")
        .await;
    browser
        .find("#map-figure option[value='appeals_per_1000']")
        .await;
    browser.select("#map-figure", "appeals_per_1000").await;
    browser
        .wait_js("(document.querySelector(\"#map a[data-region='16'] title\") || {}).textContent === 'Республика Татарстан: 0,50'")
        .await;
    let moscow = browser
        .js("return document.querySelector(\"#map a[data-region='77'] title\").textContent;")
        .await;
    assert_eq!(moscow, json!("Москва: 0,00"));
    // The text table says the same, and the regions table has the column.
    browser
        .wait_js("Array.from(document.querySelectorAll('#map-table tbody tr')).some(function (r) { return r.textContent.indexOf('(16)') >= 0 && r.textContent.indexOf('0,50') >= 0; })")
        .await;
    browser
        .wait_js("Array.from(document.querySelectorAll('#regions-table tbody tr')).some(function (r) { return r.textContent.indexOf('(16)') >= 0 && r.textContent.indexOf('0,50') >= 0; })")
        .await;
    browser.screenshot("supervisor-map-per-1000").await;
    browser.close().await;
}
