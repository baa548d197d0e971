//! The teacher's question flow in a real headless Chromium against the real server: a
//! verified teacher asks a question the demo knowledge base answers (the instant answer),
//! one it does not (the routed message with the deadline), rates the first answer with the
//! stars and sees both in «Мои вопросы». Screenshots at 360×640 go to the screenshots folder.

use chrono::Datelike;
use integration_tests::browser::{max_bridge_stub, Browser};
use integration_tests::{launch_data, spawn_app};
use serde_json::{json, Value};

const ANSWERED: &str = "план воспитательной работы пишет каждый учитель или только кл рук?";
const ROUTED: &str = "Как оформить возврат денег родителям за сорванную экскурсию в музей?";

/// The access token the app stored after signing in.
async fn access_token(browser: &Browser) -> String {
    let token = browser
        .js("return localStorage.getItem('pomoshnik.access');")
        .await;
    token.as_str().expect("a stored token").to_owned()
}

/// Cuts (or restores) the page's network, as a lost mobile connection would.
async fn set_offline(browser: &Browser, offline: bool) {
    // The emulation applies only with the Network domain on.
    browser.cdp("Network.enable", json!({})).await;
    browser
        .cdp(
            "Network.emulateNetworkConditions",
            json!({ "offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1 }),
        )
        .await;
}

#[tokio::test]
async fn a_verified_teacher_asks_gets_answers_rates_and_sees_the_history() {
    let app = spawn_app().await;
    app.import_demo_kb().await;
    app.verified_max_teacher(7_101, "Елена", "Соколова").await;

    let browser = Browser::start().await;
    let data = launch_data(7_101, "Елена", "Соколова");
    browser.add_init_script(&max_bridge_stub(&data, None)).await;
    browser.goto(&app.url("/#/ask")).await;

    // Too short: refused here, with the same rule as the server.
    browser.find("#ask-form").await;
    browser.fill("#question", "журнал?").await;
    browser.wait_text("#question-count", "7 / 4000").await;
    browser.click("#ask-send").await;
    browser
        .wait_text("#question-error", "слишком короткий")
        .await;

    // A question the knowledge base answers: the instant answer with its source article.
    browser.fill("#question", ANSWERED).await;
    browser.click("#ask-send").await;
    let card = browser.wait_text("#answer-card", "Помогло").await;
    assert!(card.contains("Не помогло"), "{card}");
    browser.find("#answer-source").await;
    browser
        .wait_js("!/^kb-/.test(document.getElementById('answer-source').textContent)")
        .await;
    // The draft is gone once the question was accepted.
    let draft = browser
        .js("return localStorage.getItem('pomoshnik.draft.key');")
        .await;
    assert_eq!(draft, Value::Null, "no pending draft after sending");
    browser.screenshot("teacher-ask-answer").await;

    // A question it does not answer: routed to the region's specialist with a deadline.
    // The question screen is the first load's own: the second module is not drawing.
    let first_load = browser
        .js("return document.body.classList.contains('more-route') || !!document.querySelector('#more #appeals');")
        .await;
    assert_eq!(
        first_load,
        serde_json::json!(false),
        "the ask screen is in #app"
    );
    browser.click("#ask-again").await;
    browser.fill("#question", ROUTED).await;
    browser.click("#anonymous").await;
    // Two files: a real PNG, and a text file named .pdf that the api refuses by its content.
    let files = tempfile::tempdir().expect("temp dir");
    let png = files.path().join("scan.png");
    let fake = files.path().join("fake.pdf");
    std::fs::write(
        &png,
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0",
    )
    .expect("png");
    std::fs::write(&fake, "это не PDF").expect("fake");
    let picker = browser.find("#files").await;
    picker
        .send_keys(&format!("{}\n{}", png.display(), fake.display()))
        .await
        .expect("choose files");
    let chosen = browser.wait_text("#chosen-files", "fake.pdf").await;
    assert!(chosen.contains("scan.png"), "{chosen}");
    browser.click("#ask-send").await;
    let routed = browser
        .wait_text("#routed", "Вопрос передан оператору вашего региона.")
        .await;
    let refused = browser.wait_text("#not-attached", "fake.pdf").await;
    assert!(!refused.contains("scan.png"), "{refused}");
    let href = browser
        .js("return document.getElementById('open-appeal').getAttribute('href');")
        .await;
    let routed_id = href
        .as_str()
        .and_then(|h| h.strip_prefix("#/appeals/"))
        .expect("appeal link");
    let token = access_token(&browser).await;
    let response = app
        .get_as(&format!("/api/v1/appeals/{routed_id}"), &token)
        .await;
    assert_eq!(response.status(), 200);
    let routed_appeal: Value = response.json().await.expect("appeal");
    let attached: Vec<&str> = routed_appeal["attachments"]
        .as_array()
        .expect("attachments")
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert_eq!(attached, ["scan.png"], "only the real image is attached");
    // The deadline in words, on the region's own calendar date (Tatarstan: UTC+3).
    let deadline = routed_appeal["deadline_at"].as_str().expect("deadline");
    let local = chrono::DateTime::parse_from_rfc3339(deadline).expect("rfc3339")
        + chrono::Duration::hours(3);
    let words = shared::ru_day_month(local.day(), local.month());
    assert!(
        routed.contains(&format!("Ответ до {words}")),
        "{routed} / {deadline}"
    );
    browser.screenshot("teacher-ask-routed").await;

    // The routed appeal lists the file it carries; a tap fetches it with the token.
    browser
        .goto(&app.url(&format!("/#/appeals/{routed_id}")))
        .await;
    browser.wait_text("#attachments", "scan.png").await;
    browser.click("#attachments button").await;
    browser
        .wait_js(&format!(
            "performance.getEntriesByType('resource').some(function (e) {{ \
             return e.name.indexOf('/api/v1/appeals/{routed_id}/attachments/') >= 0 && e.responseStatus === 200; }})"
        ))
        .await;

    // «Мои вопросы»: both, newest first, with their status chips.
    browser.goto(&app.url("/#/appeals")).await;
    browser.wait_text("#appeals", "Новое").await;
    let list = browser.wait_text("#appeals", "Ответ из базы").await;
    let routed_at = list
        .find("возврат денег")
        .expect("the routed question is listed");
    let answered_at = list
        .find("план воспитательной работы")
        .expect("the answered question is listed");
    assert!(routed_at < answered_at, "newest first: {list}");
    // The history is drawn by the second module: its script was appended, it shows `#more`
    // and hides the first load's `#app`.
    let split = browser
        .js("return [!!document.getElementById('more-module'), \
                     document.body.classList.contains('more-route'), \
                     !!document.querySelector('#more #appeals'), \
                     document.getElementById('app').offsetParent === null];")
        .await;
    assert_eq!(
        split,
        serde_json::json!([true, true, true, true]),
        "second module"
    );
    browser.screenshot("teacher-appeals").await;

    // The first appeal: the thread, and a rating of four stars with a comment.
    let first = browser
        .js(
            "var rows = document.querySelectorAll('#appeals a[data-appeal]'); \
             return rows[rows.length - 1].getAttribute('data-appeal');",
        )
        .await;
    let first = first.as_str().expect("appeal id").to_owned();
    browser.goto(&app.url(&format!("/#/appeals/{first}"))).await;
    browser
        .wait_text("#thread", "план воспитательной работы")
        .await;
    browser.wait_text("#thread", "Бот").await;
    browser.find("#escalate").await;
    browser.click(".star[data-score='4']").await;
    browser.fill("#rate-comment", "Понятно, спасибо").await;
    // The connection drops as the rating is sent: it waits, and goes once it is back.
    set_offline(&browser, true).await;
    browser.click("#rate-send").await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let early = browser
        .js("return !!document.getElementById('rating-given');")
        .await;
    assert_eq!(early, Value::Bool(false), "no rating while offline");
    set_offline(&browser, false).await;
    browser.wait_text("#rating-given", "4 из 5").await;
    browser.wait_text("#appeal-status", "Закрыто").await;
    browser.screenshot("teacher-appeal").await;
    let token = access_token(&browser).await;
    let response = app
        .get_as(&format!("/api/v1/appeals/{first}"), &token)
        .await;
    let rated: Value = response.json().await.expect("appeal");
    let ratings: Vec<&Value> = rated["answers"]
        .as_array()
        .expect("answers")
        .iter()
        .filter(|a| !a["rating"].is_null())
        .collect();
    assert_eq!(ratings.len(), 1, "rated once: {rated}");
    assert_eq!(ratings[0]["rating"]["score"], 4);

    // Offline, the history is the copy kept from its last load, under the marker.
    set_offline(&browser, true).await;
    browser.goto(&app.url("/#/ask")).await;
    browser.goto(&app.url("/#/appeals")).await;
    browser.wait_text("#stale", "Нет связи").await;
    let kept = browser.wait_text("#appeals", "возврат денег").await;
    assert!(kept.contains("Ответ из базы"), "the kept copy: {kept}");
    browser.screenshot("teacher-appeals-offline").await;

    // Back online: fresh data, no marker; the history shows the new statuses.
    set_offline(&browser, false).await;
    browser.goto(&app.url("/#/ask")).await;
    browser.goto(&app.url("/#/appeals")).await;
    let list = browser.wait_text("#appeals", "Закрыто").await;
    assert!(list.contains("Новое"), "{list}");
    let marker = browser
        .js("return !!document.getElementById('stale');")
        .await;
    assert_eq!(marker, Value::Bool(false), "no marker once online");

    // A question asked elsewhere (the bot) shows up after pulling the list down.
    let token = access_token(&browser).await;
    let response = app
        .post_as(
            "/api/v1/appeals",
            &token,
            &json!({ "text": "Нужно ли вести отдельный журнал инструктажей по технике безопасности?" }),
        )
        .await;
    assert!(response.status().is_success(), "created elsewhere");
    let before = browser.find("#appeals").await.text().await.expect("text");
    assert!(!before.contains("журнал инструктажей"), "{before}");
    for (kind, y) in [("touchStart", 120), ("touchMove", 260), ("touchEnd", 320)] {
        let points = if kind == "touchEnd" {
            json!([])
        } else {
            json!([{ "x": 180, "y": y }])
        };
        browser
            .cdp(
                "Input.dispatchTouchEvent",
                json!({ "type": kind, "touchPoints": points }),
            )
            .await;
    }
    browser.wait_text("#appeals", "журнал инструктажей").await;
    browser.close().await;
}

/// Questions that the demo knowledge base routes to people with suggestions.
const WITH_SUGGESTIONS: [&str; 3] = [
    "нужно ли писать отчёты по воспитательной работе и сколько",
    "какие документы по журналу и программе надо сдавать завучу",
    "что делать с бумагами по классному руководству и отчётам",
];

/// Issue #22, items 1 and 2: a suggestion is opened (its answer read) before it can close
/// the question, and closing asks once more; «Помогло» on a bot answer is a click, after
/// which the stars are offered and optional. At 360×640.
#[tokio::test]
async fn a_suggestion_is_read_before_it_closes_and_helpful_is_a_click_not_stars() {
    suggestion_then_helpful(None).await;
}

/// The same path at 1280×800.
#[tokio::test]
async fn at_a_desktop_width_a_suggestion_is_read_first_and_helpful_is_a_click() {
    suggestion_then_helpful(Some((1280, 800))).await;
}

/// The path of both tests above; `desktop` is the viewport, `None` for the phone's 360×640.
async fn suggestion_then_helpful(desktop: Option<(u32, u32)>) {
    let width = desktop.map_or(360, |(w, _)| w);
    let app = spawn_app().await;
    app.import_demo_kb().await;
    // Which question gets suggestions (the same engine answers the browser).
    let probe = app.dev_login("teacher", Some("16"), "Проба", true).await;
    let mut routed_text = None;
    for text in WITH_SUGGESTIONS {
        let created: Value = app
            .post_as("/api/v1/appeals", &probe.access, &json!({ "text": text }))
            .await
            .json()
            .await
            .expect("appeal");
        if created["status"] == "new"
            && !created["suggestions"].as_array().expect("list").is_empty()
        {
            routed_text = Some(text);
            break;
        }
    }
    let routed_text = routed_text.expect("a question with suggestions");
    app.verified_max_teacher(7_102, "Ирина", "Лебедева").await;

    let browser = Browser::start().await;
    if let Some((w, h)) = desktop {
        browser.resize(w, h, false).await;
    }
    let data = launch_data(7_102, "Ирина", "Лебедева");
    browser.add_init_script(&max_bridge_stub(&data, None)).await;
    browser.goto(&app.url("/#/ask")).await;
    browser.fill("#question", routed_text).await;
    browser.click("#ask-send").await;
    browser.wait_text("#routed", "Вопрос передан").await;
    browser
        .wait_js("document.querySelector('.suggestion .answer-text').textContent.length > 20")
        .await;
    // The card shows the first lines of the answer; nothing on it closes the question.
    let shown = browser
        .js("return Array.prototype.filter.call(document.querySelector('.suggestion').querySelectorAll('button'), \
             function (b) { return b.offsetParent !== null; }).map(function (b) { return b.textContent; });")
        .await;
    assert_eq!(
        shown,
        json!(["Открыть ответ"]),
        "only «Открыть ответ» before the answer is opened"
    );
    browser
        .screenshot(&format!("teacher-suggestions-{width}"))
        .await;

    // Opened: the whole answer and «Это ответ на мой вопрос», which asks once more.
    browser.click(".suggestion .open-answer").await;
    let clamped = browser
        .js("return document.querySelector('.suggestion .answer-text').classList.contains('clamp');")
        .await;
    assert_eq!(clamped, json!(false), "the whole answer");
    browser.click(".suggestion .accept").await;
    browser
        .wait_text(".suggestion .confirm", "Закрыть вопрос?")
        .await;
    browser
        .screenshot(&format!("teacher-suggestion-confirm-{width}"))
        .await;
    browser.click(".suggestion .accept-no").await;
    browser
        .wait_js("document.querySelector('.suggestion .confirm').offsetParent === null")
        .await;
    let token = access_token(&browser).await;
    let list: Value = app
        .get_as("/api/v1/appeals", &token)
        .await
        .json()
        .await
        .expect("list");
    assert_eq!(
        list["items"][0]["status"], "new",
        "«Нет» keeps the question open"
    );
    browser.click(".suggestion .accept").await;
    browser.click(".suggestion .accept-yes").await;
    browser.wait_text("#ask-done", "решённый").await;
    let list: Value = app
        .get_as("/api/v1/appeals", &token)
        .await
        .json()
        .await
        .expect("list");
    assert_eq!(list["items"][0]["close_reason"], "self_served");

    // «Помогло»: a click; the appeal's page then offers the stars, optional.
    browser.click("#ask-again").await;
    browser.fill("#question", ANSWERED).await;
    browser.click("#ask-send").await;
    browser.wait_text("#answer-card", "Помогло").await;
    browser.click("#helped").await;
    browser.wait_text("#rate-optional", "необязательно").await;
    browser.find("#rate-form").await;
    browser
        .screenshot(&format!("teacher-helpful-stars-{width}"))
        .await;
    let list: Value = app
        .get_as("/api/v1/appeals", &token)
        .await
        .json()
        .await
        .expect("list");
    let clicked = &list["items"][0];
    assert_eq!(clicked["status"], "closed");
    assert_eq!(clicked["answers"][0]["helpful"], true);
    assert_eq!(
        clicked["answers"][0]["rating"],
        Value::Null,
        "a click is not a rating"
    );
    browser.click(".star[data-score='5']").await;
    browser.click("#rate-send").await;
    browser.wait_text("#rating-given", "5 из 5").await;
}

/// Issue #22, item 2: an operator's clarifying question puts the appeal first in «Мои
/// вопросы» with «Нужен ваш ответ», counts it unread on the home screen and in the tab
/// title; the reply restarts the deadline.
#[tokio::test]
async fn a_clarifying_question_asks_for_the_teachers_reply_first() {
    let app = spawn_app().await;
    app.import_demo_kb().await;
    app.verified_max_teacher(7_103, "Ольга", "Миронова").await;
    let browser = Browser::start().await;
    let data = launch_data(7_103, "Ольга", "Миронова");
    browser.add_init_script(&max_bridge_stub(&data, None)).await;
    browser.goto(&app.url("/#/ask")).await;
    browser.find("#ask-form").await;
    let token = access_token(&browser).await;
    let routed: Value = app
        .post_as("/api/v1/appeals", &token, &json!({ "text": ROUTED }))
        .await
        .json()
        .await
        .expect("routed");
    let routed_id = routed["id"].as_str().expect("id").to_owned();
    // A newer one, so that only the wait can put the routed one first.
    app.post_as("/api/v1/appeals", &token, &json!({ "text": ANSWERED }))
        .await;
    let operator = app
        .dev_login("operator", Some("16"), "Оператор Первый", true)
        .await;
    let asked = app
        .post_as(
            &format!("/api/v1/appeals/{routed_id}/messages"),
            &operator.access,
            &json!({ "text": "Уточните, пожалуйста, сумму возврата." }),
        )
        .await;
    assert!(asked.status().is_success(), "{}", asked.status());

    browser.goto(&app.url("/#/")).await;
    browser.wait_text("#unread-count", "1").await;
    browser
        .wait_js("document.title.indexOf('(1) ') === 0")
        .await;
    browser.goto(&app.url("/#/appeals")).await;
    let first = browser
        .wait_text("#appeals li:first-child", "Нужен ваш ответ")
        .await;
    assert!(first.contains("возврат денег"), "{first}");
    browser.screenshot("teacher-need-reply-list").await;
    browser
        .goto(&app.url(&format!("/#/appeals/{routed_id}")))
        .await;
    browser.wait_text("#need-reply", "Нужен ваш ответ").await;
    browser.wait_text("#thread", "сумму возврата").await;
    browser.screenshot("teacher-need-reply-360").await;
    browser.viewport(true).await;
    browser.screenshot("teacher-need-reply-1280").await;
    browser.fill("#follow-up", "Сумма — 1500 рублей.").await;
    browser.click("#follow-up-form button[type=submit]").await;
    browser.wait_text("#appeal-status", "Ответ: ").await;
    browser
        .wait_js("!document.getElementById('need-reply')")
        .await;
    browser.wait_text("#thread", "срок ответа снова идёт").await;
}

#[tokio::test]
async fn the_teacher_opens_help_from_the_profile_and_filters_it() {
    let app = spawn_app().await;
    app.verified_max_teacher(7_104, "Анна", "Лебедева").await;
    let browser = Browser::start().await;
    let data = launch_data(7_104, "Анна", "Лебедева");
    browser.add_init_script(&max_bridge_stub(&data, None)).await;
    browser.goto(&app.url("/#/profile")).await;
    browser.click("#open-help").await;
    browser.wait_text("#help-text", "Госуслуги").await;
    browser
        .wait_text("#help-text", "На что сервис не отвечает")
        .await;
    browser.fill("#help-q", "Праздники ВЫХОДНЫЕ").await;
    let shown = browser.wait_text("#help-text", "5 рабочих дней").await;
    assert!(
        !shown.contains("Госуслуги"),
        "only the matching paragraphs: {shown}"
    );
    browser
        .wait_js("document.querySelectorAll('#help-text p').length === 1")
        .await;
    browser.screenshot("teacher-help-360").await;
    browser.fill("#help-q", "нетвпомощи").await;
    browser.find("#help-empty").await;
}

/// A stand-in ESIA for a real browser: the sign-in page sends the browser straight back to
/// the `redirect_uri` with a good code, and the token and person endpoints answer as ESIA.
fn esia_for_browsers() -> integration_tests::standins::StandIn {
    use actix_web::HttpResponse;
    use base64::Engine;
    integration_tests::standins::start(|req| {
        let (path, query) = req.uri.split_once('?').unwrap_or((req.uri.as_str(), ""));
        let param = |name: &str| {
            url::form_urlencoded::parse(query.as_bytes())
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let token = format!("h.{}.s", b64.encode(br#"{"urn:esia:sbj_id":2000321}"#));
        match (req.method.as_str(), path) {
            ("POST", "/sign") => HttpResponse::Ok().json(json!({ "signature": "sig" })),
            ("GET", "/aas/oauth2/v2/ac") => {
                let back = format!(
                    "{}?code=good&state={}",
                    param("redirect_uri"),
                    param("state")
                );
                HttpResponse::Found()
                    .insert_header(("location", back))
                    .finish()
            }
            ("POST", "/aas/oauth2/v3/te") => HttpResponse::Ok()
                .json(json!({ "access_token": token, "id_token": token, "token_type": "Bearer" })),
            ("GET", "/rs/prns/2000321") => HttpResponse::Ok().json(json!({
                "firstName": "Ольга", "lastName": "Миронова", "middleName": "Сергеевна", "trusted": true
            })),
            _ => HttpResponse::NotFound().finish(),
        }
    })
}

#[tokio::test]
async fn a_new_teacher_verifies_through_gosuslugi_from_the_mini_app_and_asks() {
    // The callback must be the server's own address, so the port is chosen first.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let esia = esia_for_browsers();
    let app = integration_tests::spawn_app_with(
        integration_tests::Overrides::default()
            .with("PORT", &port.to_string())
            .with("ESIA_BASE_URL", &esia.base)
            .with("ESIA_SIGNER_URL", &format!("{}/sign", esia.base))
            .with(
                "ESIA_REDIRECT_URI",
                &format!("http://127.0.0.1:{port}/api/v1/auth/esia/callback"),
            ),
    )
    .await;

    // A new teacher inside MAX: consent and profile first.
    let browser = Browser::start().await;
    let data = launch_data(7_201, "Ольга", "Миронова");
    browser.add_init_script(&max_bridge_stub(&data, None)).await;
    browser.goto(&app.url("/")).await;
    browser.find("#profile-form").await;
    browser.select("#region", "16").await;
    browser.click("#consent").await;
    browser.click("#profile-form button[type=submit]").await;
    browser.wait_text("#app", "не подтверждён").await;

    // «Подтвердить через Госуслуги» opens the single-use link through MAX.
    browser.goto(&app.url("/#/verification")).await;
    browser.click("#esia-start").await;
    browser
        .wait_js("window.__max.calls.some(function (c) { return c.indexOf('openLink:') === 0; })")
        .await;
    let link = browser
        .js("return window.__max.calls.filter(function (c) { return c.indexOf('openLink:') === 0; })[0].slice(9);")
        .await;
    let link = link.as_str().expect("the opened link").to_owned();
    browser.wait_text("#esia-wait", "вернитесь сюда").await;

    // The phone's browser (a second context, without the mini-app's token) goes through
    // ESIA and lands on the page that says the result.
    let phone = Browser::start().await;
    phone.goto(&link).await;
    phone
        .wait_text("#result", "Статус учителя подтверждён")
        .await;
    assert!(phone.body_text().await.contains("Вернитесь в MAX"));
    phone.screenshot("teacher-esia-done").await;
    phone.close().await;

    // Back in MAX: the mini-app re-reads the profile and shows the result.
    browser
        .js("document.dispatchEvent(new Event('visibilitychange')); return null;")
        .await;
    // («не подтверждён» also contains the word: wait for the verified explanation.)
    browser
        .wait_text("#verification-status", "вы можете задавать вопросы")
        .await;
    browser.screenshot("teacher-esia-verified").await;

    // And asks.
    browser.goto(&app.url("/#/ask")).await;
    browser.find("#ask-form").await;
    browser.fill("#question", ROUTED).await;
    browser.click("#ask-send").await;
    browser
        .wait_text("#routed", "Вопрос передан оператору вашего региона.")
        .await;
}
