//! The operator's workspace in a real headless Chromium against the real server: a teacher's
//! appeal (through the API) appears on the Kanban board of an operator of its region, who
//! opens it, takes it and answers it; the teacher then reads the answer through the API. An
//! operator of another region does not see it. Also: a conflict on taking, handing over to a
//! colleague, transfer, the bot answer's grade, the proposal to the knowledge base with a
//! suggested article, and closing with a reason; a quick appeal («+ Быстрое») for a teacher
//! found by e-mail, which the teacher then lists (at 360×640 and at 1280×800); an operator's answer with a file (sent
//! through the API), which the teacher's appeal screen lists under the answer. Screenshots
//! of the board and the appeal screen at 360×640 and at a desktop size go to the
//! screenshots folder.

use integration_tests::browser::Browser;
use integration_tests::{spawn_app, TestApp};
use serde_json::{json, Value};

/// Not in the (empty) knowledge base: the engine abstains and routes it to people.
const QUESTION: &str = "Как оформить возврат денег родителям за сорванную экскурсию в музей?";
const OTHER_QUESTION: &str =
    "Нужно ли согласовывать с родителями перенос родительского собрания на субботу?";
const ANSWER: &str = "Оформите заявление родителей на возврат и приказ директора; деньги вернёт бухгалтерия в течение 10 дней.";

async fn ask(app: &TestApp, token: &str, text: &str) -> String {
    let response = app
        .post_as("/api/v1/appeals", token, &json!({ "text": text }))
        .await;
    assert_eq!(response.status(), 201, "appeal created");
    let appeal: Value = response.json().await.expect("appeal");
    assert_eq!(appeal["status"], "new", "routed to the region's operators");
    appeal["id"].as_str().expect("id").to_owned()
}

async fn demo_sign_in(browser: &Browser, region: &str, name: &str) {
    browser.find("#demo-login").await;
    browser.select("#demo-role", "operator").await;
    browser.select("#demo-region", region).await;
    browser.fill("#demo-name", name).await;
    browser.click("#demo-login button[type=submit]").await;
    browser.wait_text("#staff-name", name).await;
}

#[tokio::test]
async fn an_operator_takes_and_answers_an_appeal_on_the_board_and_the_teacher_reads_it() {
    let app = spawn_app().await;
    let teacher = app
        .dev_login("teacher", Some("16"), "Гарипова Алсу", true)
        .await;
    let id = ask(&app, &teacher.access, QUESTION).await;
    let response = app
        .with_token(
            reqwest::Method::POST,
            &format!("/api/v1/appeals/{id}/attachments?name=%D1%87%D0%B5%D0%BA.pdf"),
            &teacher.access,
        )
        .body(&b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"[..])
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status(), 201, "attachment");
    let elsewhere = app
        .dev_login("teacher", Some("02"), "Ахметова Гульнара", true)
        .await;
    let other_id = ask(&app, &elsewhere.access, OTHER_QUESTION).await;

    let browser = Browser::start().await;
    browser.goto(&app.url("/")).await;
    demo_sign_in(&browser, "16", "Оператор Казанский").await;

    // The workspace opens on the board; the card waits in «Новое», unread, with nobody on it.
    browser.wait_js("location.hash === '#/board'").await;
    let card = format!("section[data-status='new'] li[data-appeal='{id}']");
    let text = browser.wait_text(&card, "экскурсию в музей").await;
    assert!(text.contains("Не прочитано"), "{text}");
    assert!(text.contains("Гарипова Алсу"), "{text}");
    assert!(text.contains("Татарстан"), "{text}");
    assert!(text.contains("не назначен"), "{text}");
    // The deadline with the working days left on the region's calendar.
    assert!(text.contains("осталось 5 раб. дней · до "), "{text}");
    let count = browser
        .wait_text("section[data-status='new'] .count", "1")
        .await;
    assert_eq!(count, "1");
    let foreign = browser
        .js(&format!(
            "return document.querySelectorAll(\"[data-appeal='{other_id}']\").length;"
        ))
        .await;
    assert_eq!(
        foreign,
        json!(0),
        "another region's appeal is not on the board"
    );
    browser.screenshot("operator-board").await;
    browser.viewport(true).await;
    browser.screenshot("operator-board-desktop").await;
    browser.viewport(false).await;

    // The list shows the same appeal; the choice of view is remembered.
    browser.click("a[href='#/list']").await;
    browser
        .wait_text(&format!("#appeal-list li[data-appeal='{id}']"), "экскурсию")
        .await;
    browser.goto(&app.url("/")).await;
    browser.wait_js("location.hash === '#/list'").await;
    browser.find("#appeal-list").await;

    // The list's filters: words (any case), «Мои» (nobody holds it yet), back to all.
    let second = ask(
        &app,
        &teacher.access,
        "Кто подписывает акт о несчастном случае с учеником на перемене?",
    )
    .await;
    browser.fill("#ws-q", "ЭКСКУРСИЮ\n").await;
    browser
        .wait_js(&format!(
            "document.querySelectorAll('#appeal-list li').length === 1 && \
             !!document.querySelector(\"#appeal-list li[data-appeal='{id}']\")"
        ))
        .await;
    browser.select("#ws-show", "mine").await;
    browser.wait_text(".staff-page", "Обращений нет.").await;
    browser.select("#ws-show", "unread").await;
    browser.fill("#ws-q", "\n").await;
    browser
        .wait_js(&format!(
            "!!document.querySelector(\"#appeal-list li[data-appeal='{second}']\") && \
             !!document.querySelector(\"#appeal-list li[data-appeal='{id}']\")"
        ))
        .await;
    browser.select("#ws-sort", "deadline").await;
    browser.select("#ws-show", "").await;
    browser
        .find(&format!("#appeal-list li[data-appeal='{id}']"))
        .await;

    // Open it: the question, the teacher, the region; take it.
    browser.click(&format!("li[data-appeal='{id}'] a")).await;
    browser
        .wait_js(&format!("location.hash === '#/appeal/{id}'"))
        .await;
    browser.wait_text("#appeal-text", "экскурсию в музей").await;
    // The teacher's file: listed, and fetched with the token when clicked.
    browser.wait_text("#attachments", "чек.pdf").await;
    browser.click("#attachments button").await;
    browser
        .wait_js(&format!(
            "performance.getEntriesByType('resource').some(function (e) {{ \
             return e.name.indexOf('/api/v1/appeals/{id}/attachments/') >= 0 && e.responseStatus === 200; }})"
        ))
        .await;
    browser.wait_text("#appeal-author", "Гарипова Алсу").await;
    browser.wait_text("#appeal-region", "16").await;
    browser.click("#take").await;
    browser
        .wait_text("#appeal-assignee", "Оператор Казанский")
        .await;
    browser.wait_text("#appeal-status", "В работе").await;
    browser.find("#release").await;

    // An internal note stays in the thread for colleagues.
    browser.click("#tab-note").await;
    browser
        .fill("#composer-text", "Уточнить у бухгалтерии сроки возврата")
        .await;
    browser.click("#composer-send").await;
    browser
        .wait_text("#thread li[data-kind='note']", "бухгалтерии")
        .await;

    browser.js("window.scrollTo(0, 0); return null;").await;
    browser.screenshot("operator-appeal").await;
    browser.viewport(true).await;
    browser.screenshot("operator-appeal-desktop").await;
    browser.viewport(false).await;
    let note = browser
        .js("return document.getElementById('composer-text').value;")
        .await;
    assert_eq!(note, json!(""), "the note form is cleared after sending");

    // A clarifying question stops the clock: the header says the teacher owes the reply.
    browser.click("#tab-clarify").await;
    browser
        .fill("#composer-text", "Уточните, экскурсия была платной?")
        .await;
    browser.click("#composer-send").await;
    browser
        .wait_text("#staff", "Ждём ответа учителя · срок остановлен")
        .await;

    // Too short an answer is refused with the server's words; a proper one is sent.
    browser.click("#tab-answer").await;
    browser.fill("#composer-text", "Коротко").await;
    browser.click("#composer-send").await;
    browser
        .wait_text("#composer-text-error", "10 символов")
        .await;
    browser.fill("#composer-text", ANSWER).await;
    browser.click("#composer-send").await;
    browser.wait_text("#staff", "Ответ отправлен учителю").await;
    browser.wait_text("#appeal-status", "Есть ответ").await;
    browser.wait_text("#thread", "приказ директора").await;

    // Back on the board it sits in «Есть ответ», read.
    browser.js("window.scrollTo(0, 0); return null;").await;
    browser.click("a[href='#/board']").await;
    let card = format!("section[data-status='answered'] li[data-appeal='{id}']");
    let text = browser.wait_text(&card, "Оператор Казанский").await;
    assert!(!text.contains("Не прочитано"), "{text}");

    // The teacher reads the answer; the note never reaches them.
    let appeal: Value = app
        .get_as(&format!("/api/v1/appeals/{id}"), &teacher.access)
        .await
        .json()
        .await
        .expect("appeal");
    assert_eq!(appeal["status"], "answered");
    assert_eq!(appeal["answers"][0]["source"], "operator");
    assert_eq!(appeal["answers"][0]["text"], ANSWER);
    let thread = appeal["messages"].to_string();
    assert!(!thread.contains("бухгалтерии"), "{thread}");

    // An operator of another region sees only that region's appeal.
    browser.click("#staff-sign-out").await;
    // Signed out for good before the page is opened again (see browser_supervisor).
    browser.wait_text("#staff", "Вы вышли").await;
    demo_sign_in(&browser, "02", "Оператор Уфимский").await;
    browser.click("a[href='#/board']").await;
    browser
        .wait_text(
            &format!("section[data-status='new'] li[data-appeal='{other_id}']"),
            "родительского собрания",
        )
        .await;
    let seen = browser
        .js(&format!(
            "return document.querySelectorAll(\"[data-appeal='{id}']\").length;"
        ))
        .await;
    assert_eq!(
        seen,
        json!(0),
        "region 16's appeal is not on region 02's board"
    );
    // Nor does its address open it: the server answers 404 with its own words.
    browser.goto(&app.url(&format!("/#/appeal/{id}"))).await;
    browser.find("#staff .error").await;
    assert_eq!(
        browser
            .js("return document.querySelectorAll('#take').length;")
            .await,
        json!(0)
    );
    browser.close().await;
}

#[tokio::test]
async fn a_conflict_on_taking_shows_the_servers_words_and_transfer_moves_the_appeal() {
    let app = spawn_app().await;
    let teacher = app
        .dev_login("teacher", Some("16"), "Гарипова Алсу", true)
        .await;
    let id = ask(&app, &teacher.access, QUESTION).await;
    let colleague = app
        .dev_login("operator", Some("16"), "Оператор Второй", true)
        .await;

    let browser = Browser::start().await;
    browser.goto(&app.url("/")).await;
    demo_sign_in(&browser, "16", "Оператор Казанский").await;
    browser.goto(&app.url(&format!("/#/appeal/{id}"))).await;
    browser.find("#take").await;

    // A colleague takes it meanwhile: the stale «Взять в работу» gets the server's 409.
    let colleague_id = app.me(&colleague.access).await["id"].clone();
    let response = app
        .post_as(
            &format!("/api/v1/appeals/{id}/assign"),
            &colleague.access,
            &json!({ "operator_id": colleague_id }),
        )
        .await;
    assert_eq!(response.status(), 200);
    browser.click("#take").await;
    browser
        .wait_text("#staff .form-error", "уже взял в работу другой оператор")
        .await;

    // After a reload the screen says who holds it; a transfer to region 02 still works.
    browser.js("location.reload(); return null;").await;
    browser.wait_text("#held-by", "Оператор Второй").await;

    // Handing it over: the list offers the region's other operators — not the holder, not
    // the one looking, not region 02's — and the server records the new holder.
    let third = app
        .dev_login("operator", Some("16"), "Оператор Третий", true)
        .await;
    let third_id = app.me(&third.access).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    app.dev_login("operator", Some("02"), "Оператор Уфимский", true)
        .await;
    browser.js("location.reload(); return null;").await;
    // The rare actions are folded under «Ещё».
    browser.click("#more-actions summary").await;
    browser.select("#handover-to", &third_id).await;
    let offered = browser
        .js("return [...document.querySelectorAll('#handover-to option')].map(o => o.textContent).join('|');")
        .await;
    let offered = offered.as_str().unwrap_or_default();
    assert!(offered.contains("Оператор Третий"), "{offered}");
    assert!(!offered.contains("Оператор Второй"), "{offered}");
    assert!(!offered.contains("Оператор Казанский"), "{offered}");
    assert!(!offered.contains("Оператор Уфимский"), "{offered}");
    browser.click("#handover-form button[type=submit]").await;
    browser.wait_text("#staff", "передано коллеге").await;
    browser
        .wait_text("#appeal-assignee", "Оператор Третий")
        .await;
    let appeal: Value = app
        .get_as(&format!("/api/v1/appeals/{id}"), &third.access)
        .await
        .json()
        .await
        .expect("appeal");
    assert_eq!(appeal["assignee"]["id"], third_id.as_str());
    assert_eq!(appeal["status"], "in_progress");
    browser.select("#transfer-region", "02").await;
    browser
        .fill("#transfer-note", "Школа относится к Башкортостану")
        .await;
    browser.click("#transfer-form button[type=submit]").await;
    browser.wait_js("location.hash === '#/board'").await;
    browser
        .wait_text("#staff", "передано в другой регион")
        .await;
    let appeal: Value = app
        .get_as(&format!("/api/v1/appeals/{id}"), &teacher.access)
        .await
        .json()
        .await
        .expect("appeal");
    assert_eq!(appeal["region"]["code"], "02");
    assert_eq!(appeal["status"], "new");
    let gone = browser
        .js(&format!(
            "return document.querySelectorAll(\"[data-appeal='{id}']\").length;"
        ))
        .await;
    assert_eq!(
        gone,
        json!(0),
        "the transferred appeal left region 16's board"
    );
    browser.close().await;
}

#[tokio::test]
async fn the_operator_grades_the_bot_proposes_to_the_base_and_closes_with_a_reason() {
    let app = spawn_app().await;
    app.import_demo_kb().await;
    let teacher = app
        .dev_login("teacher", Some("16"), "Гарипова Алсу", true)
        .await;
    let bot_id = {
        let response = app
            .post_as(
                "/api/v1/appeals",
                &teacher.access,
                &json!({ "text": "план воспитательной работы пишет каждый учитель или только кл рук?" }),
            )
            .await;
        let appeal: Value = response.json().await.expect("appeal");
        assert_eq!(appeal["status"], "answered_by_bot");
        appeal["id"].as_str().expect("id").to_owned()
    };
    let routed: Value = app
        .post_as(
            "/api/v1/appeals",
            &teacher.access,
            &json!({ "text": "Нужно ли согласовывать с родителями график консультаций перед олимпиадой по биологии?" }),
        )
        .await
        .json()
        .await
        .expect("appeal");
    assert_eq!(routed["status"], "new");
    let routed_id = routed["id"].as_str().expect("id").to_owned();
    // The engine was not sure, but offers close articles.
    let suggested = routed["suggestions"][0]["article_id"]
        .as_str()
        .expect("a suggestion")
        .to_owned();
    let spam_id = ask(&app, &teacher.access, QUESTION).await;

    let browser = Browser::start().await;
    browser.goto(&app.url("/")).await;
    demo_sign_in(&browser, "16", "Оператор Казанский").await;

    // The bot's answer waits in its own column; the operator grades it.
    browser
        .click(&format!(
            "section[data-status='answered_by_bot'] li[data-appeal='{bot_id}'] a"
        ))
        .await;
    browser.wait_text("#thread", "Бот").await;
    assert_eq!(
        browser
            .js("return document.querySelectorAll('#take, #tab-answer, #transfer-form').length;")
            .await,
        json!(1),
        "a bot-answered appeal can be taken but not answered or transferred"
    );
    browser.click("#more-actions summary").await;
    browser.select("#grade-value", "partly").await;
    browser
        .fill("#grade-comment", "Не сказано про классных руководителей")
        .await;
    browser.click("#grade-form button[type=submit]").await;
    browser.wait_text("#staff", "Оценка записана").await;
    // A second grade is refused with the server's words.
    browser.select("#grade-value", "wrong").await;
    browser.click("#grade-form button[type=submit]").await;
    browser
        .wait_text("#grade-form .form-error", "уже оценён")
        .await;

    // A routed question: answered with a proposal to the knowledge base.
    browser
        .goto(&app.url(&format!("/#/appeal/{routed_id}")))
        .await;
    browser.wait_text("#appeal-text", "олимпиадой").await;
    // A suggested article's answer is one click away.
    browser
        .click(&format!("button.use-article[data-article='{suggested}']"))
        .await;
    let article: Value = app
        .get_as(&format!("/api/v1/kb/articles/{suggested}"), &teacher.access)
        .await
        .json()
        .await
        .expect("article");
    let expected = article["answer"]
        .as_str()
        .expect("answer")
        .trim()
        .to_owned();
    browser
        .wait_js(&format!(
            "document.getElementById('composer-text').value.trim() === {}",
            json!(expected)
        ))
        .await;
    // The operator writes their own answer, still citing the article.
    browser
        .fill(
            "#composer-text",
            "Согласовывать график консультаций с родителями не требуется: его утверждает школа.",
        )
        .await;
    browser.click("#answer-propose").await;
    browser.click("#composer-send").await;
    browser.wait_text("#staff", "черновик статьи").await;
    let federal = app.dev_login("federal", None, "Куратор", true).await;
    let drafts: Value = app
        .get_as("/api/v1/kb/articles?status=draft", &federal.access)
        .await
        .json()
        .await
        .expect("drafts");
    assert!(
        drafts["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|a| a["source_appeal_id"] == routed_id.as_str()),
        "{drafts}"
    );
    let answered: Value = app
        .get_as(&format!("/api/v1/appeals/{routed_id}"), &teacher.access)
        .await
        .json()
        .await
        .expect("appeal");
    assert_eq!(answered["status"], "answered");
    assert_eq!(answered["answers"][0]["article_id"], suggested.as_str());

    // Closing: a duplicate needs the original (the server says so), spam does not.
    browser
        .goto(&app.url(&format!("/#/appeal/{spam_id}")))
        .await;
    browser.wait_text("#appeal-text", "экскурсию").await;
    browser.click("#more-actions summary").await;
    browser.select("#close-reason", "duplicate").await;
    browser.click("#close-form button[type=submit]").await;
    browser
        .wait_text("#close-duplicate-error", "Укажите обращение")
        .await;
    browser.select("#close-reason", "spam").await;
    browser
        .fill("#close-note", "Вопрос не по теме сервиса")
        .await;
    browser.click("#close-form button[type=submit]").await;
    browser.wait_text("#appeal-status", "Закрыто").await;
    let closed: Value = app
        .get_as(&format!("/api/v1/appeals/{spam_id}"), &teacher.access)
        .await
        .json()
        .await
        .expect("appeal");
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["close_reason"], "spam");
    assert_eq!(closed["close_note"], "Вопрос не по теме сервиса");
    browser.close().await;
}

#[tokio::test]
async fn an_operator_registers_a_quick_appeal_for_a_teacher_found_by_email() {
    quick_appeal_by_email(false).await;
}

/// The same path at 1280×800.
#[tokio::test]
async fn at_desktop_width_an_operator_registers_a_quick_appeal() {
    quick_appeal_by_email(true).await;
}

/// An operator registers a quick appeal for a teacher found by e-mail and the teacher sees
/// it in «Мои вопросы». At a desktop width with `wide`.
async fn quick_appeal_by_email(wide: bool) {
    use api::db::schema::users;
    use api::db::{self, Backend, Db};
    use diesel::prelude::*;

    let app = spawn_app().await;
    let teacher = app
        .dev_login("teacher", Some("16"), "Иванова Мария", true)
        .await;
    let teacher_id = app.me(&teacher.access).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let db = Db::new(
        db::connect(&app.database_url, 1).expect("database"),
        Backend::of(&app.database_url),
    );
    db.write(move |conn| {
        Ok(diesel::update(users::table.find(&teacher_id))
            .set(users::email.eq("ivanova@school16.ru"))
            .execute(conn)?)
    })
    .await
    .expect("teacher's e-mail");

    let browser = Browser::start().await;
    browser.viewport(wide).await;
    browser.goto(&app.url("/")).await;
    demo_sign_in(&browser, "16", "Оператор Казанский").await;
    browser.wait_js("location.hash === '#/board'").await;

    // «+ Быстрое» in the queue's header opens the form.
    browser.click("#quick-open").await;
    browser.wait_js("location.hash === '#/quick'").await;
    browser.find("#quick-form").await;
    browser
        .fill("#quick-teacher-email", "Ivanova@School16.ru")
        .await;
    browser.select("#quick-channel", "email").await;
    browser.select("#quick-basis", "letter").await;
    // Too short: the server's words appear under the question.
    browser.fill("#quick-text", "Коротко").await;
    browser.click("#quick-form button[type=submit]").await;
    browser
        .wait_js(
            "document.querySelector('#quick-text-error').textContent.length > 0 && \
             document.querySelector('#quick-text').getAttribute('aria-invalid') === 'true'",
        )
        .await;
    browser
        .screenshot(if wide {
            "operator-quick-desktop"
        } else {
            "operator-quick"
        })
        .await;

    browser.fill("#quick-text", QUESTION).await;
    browser.click("#quick-form button[type=submit]").await;
    browser
        .wait_js("location.hash.startsWith('#/appeal/')")
        .await;
    let hash = browser.js("return location.hash;").await;
    let id = hash
        .as_str()
        .expect("hash")
        .trim_start_matches("#/appeal/")
        .to_owned();
    let appeal: Value = app
        .get_as(&format!("/api/v1/appeals/{id}"), &teacher.access)
        .await
        .json()
        .await
        .expect("the teacher reads it");
    assert_eq!(appeal["channel"], "email", "{appeal}");
    let number = appeal["number"].as_str().expect("number").to_owned();
    browser.wait_text("#appeal-number", &number).await;
    browser.wait_text("#staff", "экскурсию в музей").await;

    // The teacher finds it in «Мои вопросы».
    let mine: Value = app
        .get_as("/api/v1/appeals", &teacher.access)
        .await
        .json()
        .await
        .expect("list");
    let ids: Vec<&str> = mine["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|a| a["id"].as_str())
        .collect();
    assert_eq!(ids, vec![id.as_str()], "{mine}");
}

#[tokio::test]
async fn the_teacher_finds_the_operators_file_under_the_answer() {
    use integration_tests::browser::max_bridge_stub;
    use integration_tests::launch_data;

    let app = spawn_app().await;
    app.verified_max_teacher(7_301, "Алсу", "Гарипова").await;
    let launch = launch_data(7_301, "Алсу", "Гарипова");
    let pair: Value = app
        .post_json("/api/v1/auth/max", &json!({ "init_data": launch }))
        .await
        .json()
        .await
        .expect("token pair");
    let token = pair["access_token"].as_str().expect("access").to_owned();
    let id = ask(&app, &token, QUESTION).await;
    // The operator answers on the staff screen with a PDF chosen in the answer's file field.
    let staff = Browser::start().await;
    staff.goto(&app.url("/")).await;
    demo_sign_in(&staff, "16", "Оператор Казанский").await;
    staff.goto(&app.url(&format!("/#/appeal/{id}"))).await;
    staff.find("#answer-files").await;
    staff
        .js("const t = new DataTransfer(); \
             t.items.add(new File(['%PDF-1.4\\n%%EOF\\n'], 'образец.pdf', { type: 'application/pdf' })); \
             document.getElementById('answer-files').files = t.files; return null;")
        .await;
    staff.fill("#composer-text", ANSWER).await;
    staff.click("#composer-send").await;
    staff.wait_text("#staff", "Ответ отправлен учителю").await;
    staff.screenshot("operator-answer-files").await;
    staff.close().await;
    let operator = app
        .dev_login("operator", Some("16"), "Оператор Казанский", true)
        .await;
    let appeal: Value = app
        .get_as(&format!("/api/v1/appeals/{id}"), &operator.access)
        .await
        .json()
        .await
        .expect("appeal");
    let files = appeal["attachments"].to_string();
    assert!(files.contains("образец.pdf"), "the answer's file: {appeal}");

    // The teacher's appeal screen lists it under the answer, and a tap fetches it.
    let teacher = Browser::start().await;
    teacher
        .add_init_script(&max_bridge_stub(&launch, None))
        .await;
    teacher.goto(&app.url(&format!("/#/appeals/{id}"))).await;
    teacher.wait_text("#thread", "образец.pdf").await;
    teacher.click("#thread button[data-attachment]").await;
    teacher
        .wait_js(&format!(
            "performance.getEntriesByType('resource').some(function (e) {{ \
             return e.name.indexOf('/api/v1/appeals/{id}/attachments/') >= 0 && e.responseStatus === 200; }})"
        ))
        .await;
    teacher.screenshot("teacher-answer-files").await;
    teacher.close().await;
}

#[tokio::test]
async fn an_operator_finds_the_teacher_by_name_in_the_quick_form() {
    let app = spawn_app().await;
    let teacher = app
        .dev_login("teacher", Some("16"), "Хабибуллина Гульнара", true)
        .await;
    // A namesake in another region is never offered to region 16's operator.
    app.dev_login("teacher", Some("02"), "Хабибуллина Резеда", true)
        .await;

    let browser = Browser::start().await;
    browser.goto(&app.url("/")).await;
    demo_sign_in(&browser, "16", "Оператор Казанский").await;
    browser.wait_js("location.hash === '#/board'").await;
    browser.click("#quick-open").await;
    browser.find("#quick-form").await;
    browser.fill("#quick-teacher-q", "хабиб").await;
    browser
        .wait_js("document.querySelectorAll('#quick-found option').length > 0")
        .await;
    let offered = browser
        .js("return Array.from(document.querySelectorAll('#quick-found option')).map(function (o) { return o.value; });")
        .await;
    let offered: Vec<String> = serde_json::from_value(offered).expect("options");
    assert_eq!(offered.len(), 1, "only region 16's teacher: {offered:?}");
    assert!(
        offered[0].starts_with("Хабибуллина Гульнара"),
        "{offered:?}"
    );
    browser.fill("#quick-teacher-q", &offered[0]).await;
    browser.select("#quick-channel", "phone").await;
    browser.fill("#quick-text", QUESTION).await;
    browser.click("#quick-form button[type=submit]").await;
    browser
        .wait_js("location.hash.startsWith('#/appeal/')")
        .await;
    browser.screenshot("operator-quick-by-name").await;
    browser.close().await;

    // The appeal is the teacher's: it is in their «Мои вопросы».
    let mine: Value = app
        .get_as("/api/v1/appeals", &teacher.access)
        .await
        .json()
        .await
        .expect("list");
    assert_eq!(mine["items"].as_array().map(Vec::len), Some(1), "{mine}");
    assert_eq!(mine["items"][0]["channel"], "phone", "{mine}");
}

/// The appeal screen built around the answer (issue #22, item 4), at 360×640 and at
/// 1280×800: the header takes the appeal, the teacher's school and earlier appeal stand
/// beside the thread, the composer notes, clarifies and answers without leaving the screen,
/// a template is written in the panel and inserted from the composer, and a second operator
/// opening the same appeal reads «Сейчас открыто также» with the first one's name.
#[tokio::test]
async fn the_composer_notes_clarifies_and_answers_with_a_template_and_shows_a_colleague() {
    let app = spawn_app().await;
    let teacher = app
        .dev_login("teacher", Some("16"), "Гарипова Алсу", true)
        .await;
    let profile = app
        .patch_as(
            "/api/v1/me",
            &teacher.access,
            &json!({ "school": "Гимназия № 7", "position": "учитель истории" }),
        )
        .await;
    assert_eq!(profile.status(), 200);
    let earlier = ask(&app, &teacher.access, OTHER_QUESTION).await;
    let id = ask(&app, &teacher.access, QUESTION).await;

    for wide in [false, true] {
        let browser = Browser::start().await;
        browser.viewport(wide).await;
        browser.goto(&app.url("/")).await;
        let name = if wide {
            "Оператор Широкий"
        } else {
            "Оператор Казанский"
        };
        demo_sign_in(&browser, "16", name).await;
        let appeal = if wide { &earlier } else { &id };
        browser.goto(&app.url(&format!("/#/appeal/{appeal}"))).await;
        browser.wait_text("#appeal-number", "16-").await;
        browser
            .wait_text("#appeal-screen .deadline", "осталось 5 раб. дней")
            .await;
        // The header takes it; the teacher's context stands beside the thread.
        browser.click("#take").await;
        browser.wait_text("#appeal-status", "В работе").await;
        browser.wait_text("#teacher-context", "Гимназия № 7").await;
        browser
            .wait_text("#teacher-context", "учитель истории")
            .await;
        browser.find("#earlier-appeals a").await;

        // A note and a clarification from the same composer, the thread growing above it.
        browser.click("#tab-note").await;
        browser
            .fill("#composer-text", "Проверить приказ о выездах")
            .await;
        browser.click("#composer-send").await;
        browser
            .wait_text("#composer .done", "Заметка добавлена")
            .await;
        browser
            .wait_text("#thread li[data-kind='note']", "приказ о выездах")
            .await;
        browser.click("#tab-clarify").await;
        browser
            .fill("#composer-text", "Уточните, сколько было детей?")
            .await;
        browser.click("#composer-send").await;
        browser
            .wait_text("#composer .done", "Вопрос отправлен")
            .await;
        browser.wait_text("#thread", "сколько было детей").await;

        // A template of the region, written in the panel and inserted from the composer.
        let title = if wide {
            "Экскурсии (шир.)"
        } else {
            "Экскурсии"
        };
        browser.click("#templates-panel summary").await;
        browser.fill("#template-title", title).await;
        browser.fill("#template-text", ANSWER).await;
        browser.click("#template-form button[type=submit]").await;
        browser.wait_text("#templates-list", title).await;
        let operator = app.dev_login("operator", Some("16"), name, true).await;
        let templates: Value = app
            .get_as("/api/v1/templates", &operator.access)
            .await
            .json()
            .await
            .expect("templates");
        let template = templates["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|t| t["title"] == title)
            .expect("the template is stored")["id"]
            .as_str()
            .expect("id")
            .to_owned();
        browser.select("#template-pick", &template).await;
        browser.click("#use-template").await;
        browser
            .wait_js(&format!(
                "document.getElementById('composer-text').value.trim() === {}",
                json!(ANSWER)
            ))
            .await;
        browser.js("window.scrollTo(0, 0); return null;").await;
        let shot = if wide {
            "operator-composer-desktop"
        } else {
            "operator-composer"
        };
        browser.screenshot(shot).await;

        // A colleague opening the same appeal sees who else has it open.
        let colleague = Browser::start().await;
        colleague.viewport(wide).await;
        colleague.goto(&app.url("/")).await;
        let other = if wide {
            "Оператор Второй Ш"
        } else {
            "Оператор Второй"
        };
        demo_sign_in(&colleague, "16", other).await;
        colleague
            .goto(&app.url(&format!("/#/appeal/{appeal}")))
            .await;
        colleague.wait_text("#presence", name).await;
        colleague
            .wait_text("#presence", "Сейчас открыто также")
            .await;
        let shot = if wide {
            "operator-presence-desktop"
        } else {
            "operator-presence"
        };
        colleague.screenshot(shot).await;
        colleague.close().await;

        // The answer goes from the composer; the screen stays.
        browser.click("#tab-answer").await;
        browser.click("#composer-send").await;
        browser
            .wait_text("#composer .done", "Ответ отправлен учителю")
            .await;
        browser.wait_text("#appeal-status", "Есть ответ").await;
        browser
            .wait_js(&format!("location.hash === '#/appeal/{appeal}'"))
            .await;
        browser.close().await;
    }
}
