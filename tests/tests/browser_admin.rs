//! The administrator's screens (in the supervisor module) in a real headless Chromium
//! against the real server: an admin creates an operator, changes the operator's regions,
//! and the operator signs in with the one-time password in a fresh browser, enrols TOTP and
//! lands on the workspace; an admin creates an API key (shown once), sees its last use,
//! revokes it, and filters the audit log; an admin subscribes a webhook, pings it, rotates
//! its secret, retries the failed ping from the outbox and deletes the subscription; an
//! operator invited by e-mail opens the link from the letter, sets a password and reaches
//! the TOTP enrolment. Screenshots at 360×640 go to the screenshots folder.

use std::time::{SystemTime, UNIX_EPOCH};

use actix_web::HttpResponse;
use integration_tests::browser::Browser;
use integration_tests::{spawn_app, spawn_app_with, standins, Overrides, TestApp};
use serde_json::Value;

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The demo sign-in of an administrator, as a person would use it.
async fn admin_sign_in(app: &TestApp, browser: &Browser, hash: &str) {
    browser.goto(&app.url(&format!("/{hash}"))).await;
    browser.select("#demo-role", "admin").await;
    browser.fill("#demo-name", "Админ Главный").await;
    browser.click("#demo-login button[type=submit]").await;
    browser.wait_text("#staff-role", "Администратор").await;
    // The admin's tabs come from the administration module, mounted into the staff frame;
    // the supervisors' module is not fetched.
    browser.find("#supervisor nav.tabs").await;
    let modules = browser
        .js("return [!!document.getElementById('admin-module'), \
                     !!document.getElementById('supervisor-module')];")
        .await;
    assert_eq!(
        modules,
        serde_json::json!([true, false]),
        "admin module only"
    );
}

/// The element's text, trimmed.
async fn text(browser: &Browser, css: &str) -> String {
    browser
        .find(css)
        .await
        .text()
        .await
        .expect("text")
        .trim()
        .to_owned()
}

async fn get(app: &TestApp, path: &str, token: &str) -> Value {
    let response = app.get_as(path, token).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.json().await.expect("json")
}

#[tokio::test]
async fn an_admin_creates_an_operator_who_signs_in_with_the_password_and_totp() {
    let app = spawn_app().await;
    let browser = Browser::start().await;
    admin_sign_in(&app, &browser, "#/users").await;

    browser.fill("#nu-email", "sidorova@edu16.ru").await;
    browser.fill("#nu-surname", "Сидорова").await;
    browser.fill("#nu-name", "Мария").await;
    browser.select("#nu-role", "operator").await;
    browser.select("#nu-regions", "16").await;
    browser.click("#new-user button[type=submit]").await;
    browser.wait_text("#nu-created", "Одноразовый пароль").await;
    browser.find("#nu-password-copy").await;
    let password = text(&browser, "#nu-password").await;
    assert!(password.len() >= 16, "a one-time password: {password}");
    browser.screenshot("admin-user-created").await;

    // The server has the operator as entered.
    let admin = app
        .dev_login("admin", None, "Админ Проверяющий", true)
        .await;
    let operators = get(&app, "/api/v1/admin/users?role=operator", &admin.access).await;
    let operator = operators["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|u| u["email"] == "sidorova@edu16.ru")
        .expect("the new operator is listed")
        .clone();
    assert_eq!(operator["regions"], serde_json::json!(["16"]));
    assert_eq!(operator["full_name"], "Сидорова Мария");
    let id = operator["id"].as_str().expect("id").to_owned();

    // A second one with the same e-mail: the server's Russian problem detail.
    browser.click("#new-user button[type=submit]").await;
    browser
        .wait_text("#new-user", "Пользователь с таким e-mail уже есть")
        .await;

    // Regions: 16 → 77 in the list.
    browser.goto(&app.url("/#/users")).await;
    browser.select("#f-role", "operator").await;
    let item = format!("li[data-user='{id}']");
    browser.wait_text(&item, "Сидорова Мария").await;
    browser.click(&format!("{item} summary")).await;
    // In a multiple list a click toggles an option: 16 off, 77 on.
    browser
        .click(&format!("#regions-{id} option[value='16']"))
        .await;
    browser.select(&format!("#regions-{id}"), "77").await;
    browser
        .click(&format!("{item} .edit-user button[type=submit]"))
        .await;
    browser.wait_text(&item, "Москва").await;
    browser.screenshot("admin-user-regions").await;
    let after = get(&app, "/api/v1/admin/users?role=operator", &admin.access).await;
    let changed = after["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|u| u["id"] == id.as_str())
        .expect("still listed")
        .clone();
    assert_eq!(changed["regions"], serde_json::json!(["77"]));

    // Role: operator → regional head (the row is drawn again with the new role) → operator.
    for (role, title) in [
        ("regional_head", "Руководитель региона"),
        ("operator", "Оператор"),
    ] {
        browser.select("#f-role", "").await;
        browser.wait_text(&item, "Сидорова Мария").await;
        browser
            .js(&format!(
                "var d = document.querySelector(\"{item} details\"); d.open = true; d.scrollIntoView({{block: 'center'}});"
            ))
            .await;
        browser.select(&format!("#role-{id}"), role).await;
        browser
            .click(&format!("{item} .edit-user button[type=submit]"))
            .await;
        browser
            .wait_text(&format!("{item} .user-main"), title)
            .await;
        let user = get(
            &app,
            &format!("/api/v1/admin/users?role={role}"),
            &admin.access,
        )
        .await;
        assert!(
            user["items"]
                .as_array()
                .expect("items")
                .iter()
                .any(|u| u["id"] == id.as_str()),
            "now {role}: {user}"
        );
    }
    browser.close().await;

    // The operator, in a fresh browser: the one-time password, then TOTP enrolment.
    let browser = Browser::start().await;
    browser.goto(&app.url("/")).await;
    browser.fill("#login-email", "sidorova@edu16.ru").await;
    browser.fill("#login-password", &password).await;
    browser.click("#staff-login button[type=submit]").await;
    // The one-time password is replaced first (the api refuses enrolment before that).
    browser.wait_text("#password-form", "Новый пароль").await;
    browser.fill("#pw-current", &password).await;
    browser.fill("#pw-new", "короткий").await;
    browser.fill("#pw-repeat", "короткий").await;
    browser.click("#password-form button[type=submit]").await;
    browser.wait_text("#password-form", "не короче 10").await;
    browser.fill("#pw-new", "Свой-пароль-2026").await;
    browser.fill("#pw-repeat", "Свой-пароль-2026").await;
    browser.click("#password-form button[type=submit]").await;
    let password = "Свой-пароль-2026".to_owned();
    let uri = browser.wait_text("#totp-uri", "otpauth://").await;
    let secret: String = text(&browser, "#totp-secret")
        .await
        .split_whitespace()
        .collect();
    assert!(uri.contains(&secret), "{secret} / {uri}");
    let code = api::auth::secrets::totp_code(&secret, now()).expect("code");
    browser.fill("#totp-code", &code).await;
    browser.click("#totp-form button[type=submit]").await;
    browser.wait_text("#staff", "Второй фактор подключён").await;
    // The recovery codes are shown once; then a sign-in with the code as a second step.
    browser.click("#recovery-done").await;
    browser.fill("#login-email", "sidorova@edu16.ru").await;
    browser.fill("#login-password", &password).await;
    browser.click("#staff-login button[type=submit]").await;
    browser.find("#login-code").await;
    let code = api::auth::secrets::totp_code(&secret, now()).expect("code");
    browser.fill("#login-code", &code).await;
    browser.click("#staff-login button[type=submit]").await;
    browser.wait_text("#staff-role", "Оператор").await;
    browser.wait_text("#staff-name", "Сидорова Мария").await;
    browser.find("#board").await;
    browser.close().await;
}

#[tokio::test]
async fn an_admin_creates_and_revokes_an_api_key_and_filters_the_audit_log() {
    let app = spawn_app().await;
    let browser = Browser::start().await;
    admin_sign_in(&app, &browser, "#/keys").await;

    browser
        .fill("#key-name", "Региональная система Казани")
        .await;
    browser.select("#key-regions", "16").await;
    browser.click("#new-key button[type=submit]").await;
    let key = browser
        .wait_text("#key-secret", "pk_")
        .await
        .trim()
        .to_owned();
    browser.find("#key-secret-copy").await;
    browser
        .wait_text("#keys", "Региональная система Казани")
        .await;
    let listed = text(&browser, "#keys").await;
    assert!(!listed.contains(&key), "the key itself is never listed");
    assert!(listed.contains("не использовался"), "{listed}");
    browser.screenshot("admin-key-created").await;

    // The key works, and the list shows its last use.
    let me = app.me(&key).await;
    assert_eq!(me["role"], "integrator");
    assert_eq!(me["regions"], serde_json::json!(["16"]));
    browser.goto(&app.url("/#/audit")).await;
    browser.goto(&app.url("/#/keys")).await;
    browser.wait_text("#keys", "последнее использование").await;
    let listed = text(&browser, "#keys").await;
    assert!(!listed.contains("не использовался"), "{listed}");

    browser.click("#keys [data-revoke]").await;
    browser.wait_text("#keys", "отозван").await;
    let revoked = app.get_as("/api/v1/me", &key).await;
    assert_eq!(revoked.status(), 401, "a revoked key no longer works");

    // The audit log, only the revocations.
    browser.goto(&app.url("/#/audit")).await;
    // Codes are shown in words: «Создан API-ключ», the role «Администратор».
    browser.wait_text("#audit", "Создан API-ключ").await;
    browser.wait_text("#audit", "Администратор").await;
    browser.select("#au-action", "api_key.revoke").await;
    browser.click("#audit-filters button[type=submit]").await;
    browser
        .wait_js(
            "(function () { var rows = document.querySelectorAll('#audit tbody tr'); \
             return rows.length === 1 && rows[0].cells[2].textContent === 'Отозван API-ключ'; })()",
        )
        .await;
    browser.screenshot("admin-audit").await;
    // A period with nothing in it.
    browser.select("#au-action", "").await;
    browser
        .js("var f = document.getElementById('au-to'); f.value = '2020-01-01';")
        .await;
    browser.click("#audit-filters button[type=submit]").await;
    browser.wait_text("#staff", "Записей нет").await;
    browser.close().await;
}

#[tokio::test]
async fn an_admin_subscribes_a_webhook_pings_rotates_retries_from_the_outbox_and_deletes_it() {
    // A receiver that always fails: the ping stays in the outbox.
    let hooks = standins::start_full(|_| HttpResponse::InternalServerError().body("сбой"));
    let url = format!("{}/hook", hooks.base);
    let app = spawn_app().await;
    let admin = app
        .dev_login("admin", None, "Админ Проверяющий", true)
        .await;
    let browser = Browser::start().await;
    admin_sign_in(&app, &browser, "#/webhooks").await;

    browser.fill("#wh-url", &url).await;
    browser.click("label[for='wh-ev-appeal-created']").await;
    browser.click("label[for='wh-ev-appeal-answered']").await;
    browser.select("#wh-regions", "16").await;
    browser.click("#new-webhook button[type=submit]").await;
    let first = browser
        .wait_text("#wh-secret", "whsec_")
        .await
        .trim()
        .to_owned();
    browser.wait_text("#webhooks", &url).await;
    let listed = get(&app, "/api/v1/webhooks", &admin.access).await;
    let webhook = &listed["items"][0];
    assert_eq!(webhook["url"], url.as_str());
    let mut events: Vec<String> = webhook["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e.as_str().map(str::to_owned))
        .collect();
    events.sort();
    assert_eq!(events, ["appeal.answered", "appeal.created"]);
    assert_eq!(webhook["regions"], serde_json::json!(["16"]));

    // Ping: a test event, tried once against the failing receiver.
    browser.click("#webhooks [data-ping]").await;
    browser
        .wait_text("#wh-notice", "поставлено в очередь")
        .await;
    browser.wait_text("#deliveries", "Проверка связи").await;
    hooks.wait_for(1, 20).await;
    browser.screenshot("admin-webhooks").await;

    // A new secret, shown once; the old one still valid for a day.
    browser.click("#webhooks [data-rotate]").await;
    browser
        .wait_js(&format!(
            "(function () {{ var s = document.getElementById('wh-secret'); \
             return s && s.textContent.indexOf('whsec_') === 0 && s.textContent !== {first:?}; }})()"
        ))
        .await;
    browser
        .wait_text("#webhooks", "прежний секрет действует до")
        .await;

    // The outbox: the failed ping waits for its next attempt; retry it now.
    let mut waited = 0;
    loop {
        let outbox = get(&app, "/api/v1/admin/outbox", &admin.access).await;
        let attempts = outbox["items"][0]["attempts"].as_i64().unwrap_or(0);
        if attempts >= 1 && outbox["items"][0]["status"] == "pending" {
            break;
        }
        waited += 1;
        assert!(waited < 100, "the ping was not tried: {outbox}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    browser.goto(&app.url("/#/outbox")).await;
    browser.wait_text("#outbox", &format!("вебхук {url}")).await;
    browser.select("#ob-status", "pending").await;
    browser.wait_text("#outbox", "Ожидает").await;
    browser.screenshot("admin-outbox").await;
    browser.click("#outbox [data-retry]").await;
    browser.wait_text("#ob-done", "Отправлено на повтор").await;
    hooks.wait_for(2, 20).await;
    let audit = get(
        &app,
        "/api/v1/admin/audit?action=outbox.retry",
        &admin.access,
    )
    .await;
    assert_eq!(audit["items"].as_array().map(Vec::len), Some(1), "{audit}");

    // Delete the subscription.
    browser.goto(&app.url("/#/webhooks")).await;
    browser.click("#webhooks [data-delete]").await;
    browser.wait_text("#staff", "Подписок нет").await;
    let listed = get(&app, "/api/v1/webhooks", &admin.access).await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(0));
    browser.close().await;
}

#[tokio::test]
async fn a_regional_head_adds_an_operator_of_own_region_and_blocks_them() {
    let app = spawn_app().await;
    let admin = app
        .dev_login("admin", None, "Админ Проверяющий", true)
        .await;
    let browser = Browser::start().await;
    browser.goto(&app.url("/#/operators")).await;
    browser.select("#demo-role", "regional_head").await;
    browser.select("#demo-region", "16").await;
    browser.fill("#demo-name", "Руководитель Казанский").await;
    browser.click("#demo-login button[type=submit]").await;
    browser
        .wait_text("#staff-role", "Руководитель региона")
        .await;
    // The figures and, below them, the operators of the region and the invitation form.
    browser.find("#operators-table").await;
    browser.find("#new-user").await;
    assert_eq!(
        browser
            .js("return !document.getElementById('nu-role') && !document.getElementById('f-role');")
            .await,
        Value::Bool(true),
        "a head adds operators only: no role choice"
    );

    // Only the head's own regions are offered (the server refuses others all the same:
    // `staff_recovery.rs`).
    browser.fill("#nu-email", "garipova@edu16.ru").await;
    browser.fill("#nu-surname", "Гарипова").await;
    browser.fill("#nu-name", "Алсу").await;
    browser
        .wait_js("document.querySelectorAll('#nu-regions option').length === 1")
        .await;
    assert_eq!(
        browser
            .js("return !document.querySelector(\"#nu-regions option[value='77']\");")
            .await,
        Value::Bool(true),
        "another region is not offered"
    );
    // Own region: created, the password shown once, the list reloaded with the operator.
    browser.select("#nu-regions", "16").await;
    browser.click("#new-user button[type=submit]").await;
    browser.wait_text("#nu-created", "Оператор создан").await;
    let password = text(&browser, "#nu-password").await;
    assert!(password.len() >= 16, "{password}");
    browser.wait_text(".users", "Гарипова Алсу").await;
    browser.screenshot("head-operators").await;

    let operators = get(&app, "/api/v1/admin/users?role=operator", &admin.access).await;
    let operator = operators["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|u| u["email"] == "garipova@edu16.ru")
        .expect("created")
        .clone();
    assert_eq!(operator["regions"], serde_json::json!(["16"]));
    let id = operator["id"].as_str().expect("id").to_owned();

    // Deactivate: blocked, and the sign-in no longer works.
    let item = format!("li[data-user='{id}']");
    // Out from under the sticky header first.
    browser
        .js(&format!(
            "document.querySelector(\"{item} .actions button\").scrollIntoView({{block: 'center'}});"
        ))
        .await;
    browser.click(&format!("{item} .actions button")).await;
    // Blocking asks once more.
    browser.click(&format!("{item} .block-yes")).await;
    browser.wait_text(&item, "Разблокировать").await;
    let after = get(&app, "/api/v1/admin/users?role=operator", &admin.access).await;
    let blocked = after["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|u| u["id"] == id.as_str())
        .expect("listed")["is_blocked"]
        .clone();
    assert_eq!(blocked, Value::Bool(true));
    browser.close().await;
}

/// Appends `line` to the synonyms text as typing would (an `input` event).
async fn append_synonym(browser: &Browser, line: &str) {
    browser
        .js(&format!(
            "var t = document.getElementById('syn-text'); t.value = t.value.replace(/\\s*$/, '') + '\\n' + {line:?}; \
             t.dispatchEvent(new Event('input', {{ bubbles: true }}));"
        ))
        .await;
}

#[tokio::test]
async fn a_federal_supervisor_edits_the_synonyms() {
    let app = spawn_app().await;
    app.import_demo_kb().await;
    let federal = app
        .dev_login("federal", None, "Куратор Проверяющий", true)
        .await;
    let before = get(&app, "/api/v1/kb/synonyms", &federal.access).await;
    let count = before["items"].as_array().map_or(0, Vec::len);

    let browser = Browser::start().await;
    browser.goto(&app.url("/#/synonyms")).await;
    browser.select("#demo-role", "federal").await;
    browser.fill("#demo-name", "Куратор Федеральный").await;
    browser.click("#demo-login button[type=submit]").await;
    browser.find("#syn-text").await;
    // The dictionary as text, one entry a line.
    let shown = browser
        .js("return document.getElementById('syn-text').value;")
        .await;
    let shown = shown.as_str().expect("text").to_owned();
    assert_eq!(shown.lines().count(), count, "{shown}");
    if let Some(first) = before["items"].get(0) {
        assert!(
            shown.contains(first["term"].as_str().expect("term")),
            "{shown}"
        );
    }

    // A term twice: the server's detail.
    append_synonym(&browser, "КТП = что-то другое").await;
    browser.click("#synonyms button[type=submit]").await;
    browser
        .wait_text("#syn-error", "«ктп» встречается дважды")
        .await;

    // Replaced by a real entry: saved, and the API returns it.
    browser
        .js("var t = document.getElementById('syn-text'); t.value = t.value.replace(/\\n?КТП = что-то другое\\s*$/, ''); \
             t.dispatchEvent(new Event('input', { bubbles: true }));")
        .await;
    append_synonym(&browser, "Зожк = журнал инструктажей; журнал охраны труда").await;
    browser.click("#synonyms button[type=submit]").await;
    browser
        .wait_text("#syn-saved", &format!("Сохранено записей: {}", count + 1))
        .await;
    browser.screenshot("federal-synonyms").await;
    let after = get(&app, "/api/v1/kb/synonyms", &federal.access).await;
    let entry = after["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|e| e["term"] == "зожк")
        .expect("the new entry, lower-cased")
        .clone();
    assert_eq!(
        entry["expansions"],
        serde_json::json!(["журнал инструктажей", "журнал охраны труда"])
    );
    assert_eq!(after["items"].as_array().map(Vec::len), Some(count + 1));
    browser.close().await;
}

/// The first-sign-in link in an invitation letter.
fn invite_link(mail: &standins::Mail, public_url: &str) -> String {
    let text = mail.part("text/plain").expect("plain part");
    let prefix = format!("{public_url}/#/invite/");
    let start = text.find(&prefix).expect("a link in the letter");
    let token: String = text[start + prefix.len()..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    format!("{prefix}{token}")
}

#[tokio::test]
async fn an_invited_operator_opens_the_link_sets_a_password_and_enrols_totp() {
    let smtp = standins::start_smtp().await;
    // The server's own address is the letters' link base, so the link opens as it is.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let public_url = format!("http://127.0.0.1:{port}");
    let app = spawn_app_with(
        Overrides::default()
            .with("PORT", &port.to_string())
            .with("PUBLIC_URL", &public_url)
            .with("SMTP_HOST", "127.0.0.1")
            .with("SMTP_PORT", &smtp.port.to_string())
            .with("WORKER_POLL_MS", "50"),
    )
    .await;
    let browser = Browser::start().await;
    admin_sign_in(&app, &browser, "#/users").await;

    // The invitation is on by default; the panel says it went out.
    assert_eq!(
        browser
            .js("return document.getElementById('nu-invite').checked;")
            .await,
        Value::Bool(true)
    );
    browser.fill("#nu-email", "petrova@edu16.ru").await;
    browser.fill("#nu-surname", "Петрова").await;
    browser.fill("#nu-name", "Ольга").await;
    browser.select("#nu-role", "operator").await;
    browser.select("#nu-regions", "16").await;
    browser.click("#new-user button[type=submit]").await;
    browser
        .wait_text("#nu-note", "Приглашение отправлено на petrova@edu16.ru")
        .await;
    browser.find("#nu-password").await;
    browser.screenshot("admin-user-invited").await;
    let first = smtp.wait_for(1, 20).await;
    assert_eq!(first.len(), 1, "the invitation letter");
    assert_eq!(first[0].to, vec!["petrova@edu16.ru".to_owned()]);
    let old_link = invite_link(&first[0], &public_url);

    // «Отправить приглашение ещё раз» in the list: a new letter, the old link is void.
    let admin = app
        .dev_login("admin", None, "Админ Проверяющий", true)
        .await;
    let operators = get(&app, "/api/v1/admin/users?role=operator", &admin.access).await;
    let id = operators["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|u| u["email"] == "petrova@edu16.ru")
        .expect("listed")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let item = format!("li[data-user='{id}']");
    browser.wait_text(&item, "Петрова Ольга").await;
    browser
        .js(&format!(
            "document.querySelector(\"{item} .invite-again\").scrollIntoView({{block: 'center'}});"
        ))
        .await;
    browser.click(&format!("{item} .invite-again")).await;
    browser
        .wait_text(&item, "Новое приглашение отправлено на petrova@edu16.ru")
        .await;
    let both = smtp.wait_for(2, 20).await;
    assert_eq!(both.len(), 2, "the second letter");
    let link = invite_link(&both[1], &public_url);
    assert_ne!(link, old_link);
    browser.close().await;

    // The old link, in a fresh browser: the server's Russian refusal.
    let browser = Browser::start().await;
    browser.goto(&old_link).await;
    browser
        .wait_text("#staff h1", "Приглашение в Помощник")
        .await;
    browser.fill("#inv-password", "Свой-пароль-2026").await;
    browser.fill("#inv-repeat", "Свой-пароль-2026").await;
    browser.click("#invite-form button[type=submit]").await;
    browser.wait_text("#invite-form", "не действует").await;
    browser.close().await;

    // The new link: a password too short, then two that differ, then a good one.
    let browser = Browser::start().await;
    browser.goto(&link).await;
    browser
        .wait_text("#staff h1", "Приглашение в Помощник")
        .await;
    browser.find("label[for='inv-password']").await;
    browser.fill("#inv-password", "короткий").await;
    browser.fill("#inv-repeat", "короткий").await;
    browser.click("#invite-form button[type=submit]").await;
    browser.wait_text("#invite-form", "не короче 10").await;
    browser.fill("#inv-password", "Свой-пароль-2026").await;
    browser.fill("#inv-repeat", "Другой-пароль-2026").await;
    browser.click("#invite-form button[type=submit]").await;
    browser
        .wait_text("#invite-form", "Пароли не совпадают")
        .await;
    browser.screenshot("invite-page").await;
    browser.fill("#inv-repeat", "Свой-пароль-2026").await;
    browser.click("#invite-form button[type=submit]").await;

    // As after a sign-in with a password: the second factor's enrolment, the link gone
    // from the address bar.
    let uri = browser.wait_text("#totp-uri", "otpauth://").await;
    assert!(uri.contains("petrova"), "{uri}");
    assert_eq!(
        browser.js("return window.location.hash;").await,
        Value::String("#/".to_owned())
    );
    browser.screenshot("invite-totp").await;
    let secret: String = text(&browser, "#totp-secret")
        .await
        .split_whitespace()
        .collect();
    let code = api::auth::secrets::totp_code(&secret, now()).expect("code");
    browser.fill("#totp-code", &code).await;
    browser.click("#totp-form button[type=submit]").await;
    browser.wait_text("#staff", "Второй фактор подключён").await;
    browser.close().await;

    // The password set through the link signs in (with the code from now on).
    let login = app
        .post_json(
            "/api/v1/auth/login",
            &serde_json::json!({
                "email": "petrova@edu16.ru",
                "password": "Свой-пароль-2026",
                "totp_code": api::auth::secrets::totp_code(&secret, now()).expect("code"),
            }),
        )
        .await;
    assert_eq!(login.status(), 200);
}

#[tokio::test]
async fn blocking_asks_for_confirmation_and_a_second_factor_can_be_reset() {
    let app = spawn_app().await;
    let admin = app
        .dev_login("admin", None, "Админ Проверяющий", true)
        .await;
    let operator = app
        .dev_login("operator", Some("16"), "Волкова Анна", true)
        .await;
    let id = app.me(&operator.access).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let browser = Browser::start().await;
    admin_sign_in(&app, &browser, "#/users").await;
    let item = format!("li[data-user='{id}']");
    browser.wait_text(&item, "Волкова Анна").await;
    let blocked = || {
        let (app, token, id) = (&app, admin.access.clone(), id.clone());
        async move {
            let page = get(app, "/api/v1/admin/users?role=operator", &token).await;
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .find(|u| u["id"] == id.as_str())
                .expect("listed")["is_blocked"]
                .clone()
        }
    };
    browser
        .js(&format!(
            "document.querySelector(\"{item} .block\").scrollIntoView({{block: 'center'}});"
        ))
        .await;

    // Dismissed: nothing happens.
    browser.click(&format!("{item} .block")).await;
    browser
        .wait_text(&item, "Все сеансы пользователя завершатся")
        .await;
    browser.screenshot("admin-block-confirm").await;
    browser.click(&format!("{item} .block-no")).await;
    assert_eq!(blocked().await, Value::Bool(false));
    // Accepted: blocked.
    browser.click(&format!("{item} .block")).await;
    browser.click(&format!("{item} .block-yes")).await;
    browser.wait_text(&item, "Разблокировать").await;
    assert_eq!(blocked().await, Value::Bool(true));
    browser.click(&format!("{item} .actions button")).await;
    browser.wait_text(&item, "Заблокировать").await;

    // «Сбросить второй фактор»: the operator's session ends.
    browser.click(&format!("{item} .totp-reset-button")).await;
    browser.wait_text(&item, "Второй фактор сброшен").await;
    let me = app.get_as("/api/v1/me", &operator.access).await;
    assert_eq!(me.status(), 401, "the operator's sessions ended");
    browser.close().await;
}
