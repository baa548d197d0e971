//! Identity in a real headless Chromium against the real server: signing in inside MAX (a
//! stand-in `window.WebApp`), consent and profile, the verification request; the staff
//! module with the demo login and the verification queue; the staff login with the TOTP
//! enrolment. Screenshots of each main screen at 360×640 go to the screenshots folder.

use std::time::{SystemTime, UNIX_EPOCH};

use integration_tests::browser::{max_bridge_stub, Browser};
use integration_tests::{launch_data, spawn_app, TestApp};
use serde_json::{json, Value};

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Signs a teacher in with launch data through the API; returns the access token.
async fn max_sign_in(app: &TestApp, max_id: i64, first: &str, last: &str) -> String {
    let response = app
        .post_json(
            "/api/v1/auth/max",
            &json!({ "init_data": launch_data(max_id, first, last) }),
        )
        .await;
    assert_eq!(response.status(), 200, "MAX sign-in");
    let pair: Value = response.json().await.expect("token pair");
    pair["access_token"].as_str().expect("access").to_owned()
}

/// Was a `staff-<hash>.js` module fetched by the page?
const STAFF_MODULE_LOADED: &str = "performance.getEntriesByType('resource')\
    .some(function (e) { return /\\/assets\\/staff-[0-9a-f]+\\.js$/.test(e.name); })";

#[tokio::test]
async fn inside_max_a_teacher_signs_in_consents_and_requests_verification() {
    let app = spawn_app().await;
    let browser = Browser::start().await;
    let data = launch_data(7_001, "Мария", "Иванова");
    browser.add_init_script(&max_bridge_stub(&data, None)).await;
    browser.goto(&app.url("/")).await;

    // First sign-in: the privacy notice, the consent and the profile form, prefilled from MAX.
    browser.find("#profile-form").await;
    browser.wait_text("#more", "Ваши персональные данные").await;
    let surname = browser
        .js("return document.getElementById('surname').value;")
        .await;
    assert_eq!(surname, "Иванова", "the surname comes from MAX");
    browser.screenshot("identity-consent-profile").await;

    // Submitting without the consent is refused next to the checkbox.
    browser.fill("#patronymic", "Петровна").await;
    browser.select("#region", "16").await;
    browser
        .fill("#school", "МБОУ «Гимназия № 5» г. Казани")
        .await;
    browser.fill("#position", "учитель математики").await;
    browser.click("#profile-form button[type=submit]").await;
    browser.wait_text("#consent-error", "Без согласия").await;

    browser.click("#consent").await;
    browser.click("#profile-form button[type=submit]").await;

    // The home screen greets the teacher by name and patronymic.
    browser.wait_text("#greeting", "Мария Петровна").await;
    browser.wait_text("#app", "не подтверждён").await;
    browser.screenshot("identity-home").await;
    assert_eq!(
        browser.js("return window.__max.back.visible;").await,
        json!(false),
        "no back button on the home screen"
    );

    // Verification: the request form is prefilled from the profile.
    browser.click("a[href='#/verification']").await;
    browser.find("#verification-form").await;
    browser.wait_js("window.__max.back.visible === true").await;
    let school = browser
        .js("return document.getElementById('v-school').value;")
        .await;
    assert_eq!(school, "МБОУ «Гимназия № 5» г. Казани");
    browser
        .fill("#v-position", "учитель математики и информатики")
        .await;
    browser
        .click("#verification-form button[type=submit]")
        .await;
    let status = browser
        .wait_text("#verification-status", "на проверке")
        .await;
    assert!(status.contains("Оператор вашего региона"), "{status}");
    browser.screenshot("identity-verification-pending").await;

    // MAX's back button leads one level up (verification → profile).
    browser
        .js("window.__max.back.handlers.forEach(function (h) { h(); }); return null;")
        .await;
    browser.wait_js("location.hash === '#/profile'").await;

    // The bridge was told the app is ready, and haptics were used on success.
    let calls = browser.js("return window.__max.calls;").await;
    let calls: Vec<&str> = calls
        .as_array()
        .expect("calls")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(calls.contains(&"ready"), "{calls:?}");
    assert!(calls.contains(&"BackButton.onClick"), "{calls:?}");
    assert!(calls.contains(&"notification:success"), "{calls:?}");

    // The server agrees: consent recorded, verification pending.
    let token = max_sign_in(&app, 7_001, "Мария", "Иванова").await;
    let me = app.me(&token).await;
    assert_eq!(me["consent_version"], shared::users::CONSENT_VERSION);
    assert_eq!(me["patronymic"], "Петровна");
    assert_eq!(me["region"], "16");
    assert_eq!(me["verification"]["status"], "pending");
    browser.close().await;
}

#[tokio::test]
async fn a_deep_link_opens_the_appeal_and_data_can_be_erased() {
    let app = spawn_app().await;
    let browser = Browser::start().await;
    // A teacher who already consented.
    let token = max_sign_in(&app, 7_002, "Ольга", "Орлова").await;
    let response = app
        .patch_as(
            "/api/v1/me",
            &token,
            &json!({ "region": "16", "consent_version": shared::users::CONSENT_VERSION }),
        )
        .await;
    assert_eq!(response.status(), 200);
    let data = launch_data(7_002, "Ольга", "Орлова");
    browser
        .add_init_script(&max_bridge_stub(&data, Some("appeal-42")))
        .await;
    browser.goto(&app.url("/")).await;
    browser.wait_text("#appeal-id", "42").await;
    browser.wait_js("location.hash === '#/appeals/42'").await;

    // Profile → «Удалить мои данные» → confirm → signed out with a message.
    browser.goto(&app.url("/#/profile")).await;
    browser.click("#erase").await;
    browser
        .wait_text("#erase-confirm", "Отменить это нельзя")
        .await;
    browser.click("#erase-yes").await;
    browser.wait_text("#app", "Ваши данные удалены").await;
    let me = app.get_as("/api/v1/me", &token).await;
    assert_eq!(me.status(), 401, "erasure ends every sign-in");
    browser.close().await;
}

#[tokio::test]
async fn outside_max_an_operator_confirms_a_teacher_in_the_staff_module() {
    let app = spawn_app().await;
    // A teacher of region 16 asks to be verified (through the API).
    let teacher = max_sign_in(&app, 7_003, "Анна", "Смирнова").await;
    let response = app
        .patch_as(
            "/api/v1/me",
            &teacher,
            &json!({ "region": "16", "consent_version": shared::users::CONSENT_VERSION }),
        )
        .await;
    assert_eq!(response.status(), 200);
    let response = app
        .post_as(
            "/api/v1/me/verification",
            &teacher,
            &json!({ "school": "Лицей № 2", "position": "учитель химии", "region": "16" }),
        )
        .await;
    assert_eq!(response.status(), 200, "verification request");
    let teacher_id = app.me(&teacher).await["id"]
        .as_str()
        .expect("id")
        .to_owned();

    let browser = Browser::start().await;
    browser.goto(&app.url("/")).await;
    // A plain browser gets the staff login and, on this dev server, the demo login.
    browser.find("#staff-login").await;
    browser.find("#demo-login").await;
    browser.wait_js(STAFF_MODULE_LOADED).await;
    browser.screenshot("identity-login").await;

    browser.select("#demo-role", "operator").await;
    browser.select("#demo-region", "16").await;
    browser.fill("#demo-name", "Оператор Казанский").await;
    browser.click("#demo-login button[type=submit]").await;

    browser.wait_text("#staff-role", "Оператор").await;
    browser.wait_text("#staff-name", "Оператор Казанский").await;
    browser.click("a[href='#/verification']").await;
    let item = format!("li[data-user='{teacher_id}']");
    let text = browser.wait_text(&item, "Смирнова Анна").await;
    assert!(text.contains("Лицей № 2"), "{text}");
    assert!(text.contains("учитель химии"), "{text}");
    assert!(text.contains("Татарстан"), "{text}");
    browser.screenshot("identity-staff-queue").await;

    browser.click(&format!("{item} button.confirm")).await;
    browser.wait_text("#staff", "Статус подтверждён").await;
    let me = app.me(&teacher).await;
    assert_eq!(me["verification"]["status"], "verified");
    assert_eq!(me["verification"]["source"], "organisation");

    // Wider layout on a desktop browser.
    browser.viewport(true).await;
    browser.screenshot("identity-staff-desktop").await;
    browser.close().await;
}

#[tokio::test]
async fn a_new_operator_enrols_totp_through_the_ui_and_signs_in_with_the_code() {
    let app = spawn_app().await;
    let admin = app.dev_login("admin", None, "Админ Главный", true).await;
    let response = app
        .post_as(
            "/api/v1/admin/users",
            &admin.access,
            &json!({
                "email": "petrov@edu16.ru", "role": "operator", "regions": ["16"],
                "surname": "Петров", "name": "Пётр"
            }),
        )
        .await;
    assert_eq!(response.status(), 201, "create operator");
    let created: Value = response.json().await.expect("created user");
    let password = created["one_time_password"]
        .as_str()
        .expect("one-time password")
        .to_owned();

    let browser = Browser::start().await;
    browser.goto(&app.url("/")).await;
    browser.fill("#login-email", "petrov@edu16.ru").await;
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

    // Enrolment: the otpauth:// link and the secret, then a first code.
    let uri = browser.wait_text("#totp-uri", "otpauth://").await;
    assert!(uri.contains("secret="), "{uri}");
    let secret: String = browser
        .find("#totp-secret")
        .await
        .text()
        .await
        .expect("secret")
        .split_whitespace()
        .collect();
    assert!(
        uri.contains(&secret),
        "the secret is the link's: {secret} / {uri}"
    );
    browser.screenshot("identity-totp-enrol").await;
    let code = api::auth::secrets::totp_code(&secret, now()).expect("code");
    browser.fill("#totp-code", &code).await;
    browser.click("#totp-form button[type=submit]").await;

    // Then a full sign-in with the code.
    browser.wait_text("#staff", "Второй фактор подключён").await;
    // The recovery codes are shown once; then a sign-in with the code as a second step.
    browser.click("#recovery-done").await;
    browser.fill("#login-email", "petrov@edu16.ru").await;
    browser.fill("#login-password", &password).await;
    browser.click("#staff-login button[type=submit]").await;
    browser.find("#login-code").await;
    let code = api::auth::secrets::totp_code(&secret, now()).expect("code");
    browser.fill("#login-code", &code).await;
    browser.click("#staff-login button[type=submit]").await;
    browser.wait_text("#staff-role", "Оператор").await;
    browser.wait_text("#staff-name", "Петров Пётр").await;
    // The operator's workspace opens on the board; the verification queue is a tab.
    browser.find("#board").await;
    browser.click("a[href='#/verification']").await;
    browser.wait_text("#staff", "Новых заявок нет").await;
    browser.screenshot("identity-staff-operator").await;

    // Sign-out returns to the login.
    browser.click("#staff-sign-out").await;
    browser.wait_text("#staff", "Вы вышли").await;
    browser.find("#staff-login").await;
    browser.close().await;
}

#[tokio::test]
async fn an_admin_filters_users_and_blocks_one() {
    let app = spawn_app().await;
    let teacher = max_sign_in(&app, 7_004, "Борис", "Блохин").await;
    let teacher_id = app.me(&teacher).await["id"]
        .as_str()
        .expect("id")
        .to_owned();

    let browser = Browser::start().await;
    browser.goto(&app.url("/")).await;
    browser.select("#demo-role", "admin").await;
    browser.fill("#demo-name", "Админ Главный").await;
    browser.click("#demo-login button[type=submit]").await;
    browser.wait_text("#staff-role", "Администратор").await;

    // Only teachers: the new teacher is listed, the admin is not.
    browser.select("#f-role", "teacher").await;
    let item = format!("li[data-user='{teacher_id}']");
    browser.wait_text(&item, "Блохин Борис").await;
    browser
        .wait_js(
            "Array.prototype.every.call(document.querySelectorAll('.users li'), \
             function (li) { return li.textContent.indexOf('Администратор') < 0; })",
        )
        .await;
    browser.screenshot("identity-admin-users").await;

    // One tap only asks: «Нет» leaves the user as they were, signing in still works.
    browser.click(&format!("{item} button")).await;
    browser.find(&format!("{item} .block-yes")).await;
    browser.screenshot("identity-admin-block-confirm").await;
    browser.click(&format!("{item} .block-no")).await;
    let response = app
        .post_json(
            "/api/v1/auth/max",
            &json!({ "init_data": launch_data(7_004, "Борис", "Блохин") }),
        )
        .await;
    assert_eq!(response.status(), 200, "a first tap must not block");

    browser.click(&format!("{item} button")).await;
    browser.click(&format!("{item} .block-yes")).await;
    browser.wait_text(&item, "заблокирован").await;
    browser.wait_text(&item, "Разблокировать").await;
    let response = app
        .post_json(
            "/api/v1/auth/max",
            &json!({ "init_data": launch_data(7_004, "Борис", "Блохин") }),
        )
        .await;
    assert_eq!(response.status(), 403, "a blocked teacher cannot sign in");

    // At a desktop width the same confirmation stands between the tap and the block.
    let second = max_sign_in(&app, 7_005, "Вера", "Гусева").await;
    let second_id = app.me(&second).await["id"].as_str().expect("id").to_owned();
    browser.viewport(true).await;
    browser.goto(&app.url("/")).await;
    browser.select("#f-role", "teacher").await;
    let item = format!("li[data-user='{second_id}']");
    browser.wait_text(&item, "Гусева Вера").await;
    browser.click(&format!("{item} button")).await;
    browser.find(&format!("{item} .block-yes")).await;
    browser
        .screenshot("identity-admin-block-confirm-desktop")
        .await;
    assert_eq!(
        app.get_as("/api/v1/me", &second).await.status(),
        200,
        "asked, not yet blocked"
    );
    browser.click(&format!("{item} .block-yes")).await;
    browser.wait_text(&item, "заблокирован").await;
    browser.close().await;
}

#[tokio::test]
async fn a_rejected_access_token_is_refreshed_once_and_a_dead_session_signs_out() {
    let app = spawn_app().await;
    let browser = Browser::start().await;
    browser.goto(&app.url("/")).await;
    // A demo teacher signs in from the staff module's demo login and lands in the teacher app.
    browser.select("#demo-region", "16").await;
    browser.fill("#demo-name", "Учитель Демо").await;
    browser.click("#demo-login button[type=submit]").await;
    browser.find("#profile-form").await;

    // A rejected access token: one refresh, then the same screen.
    browser
        .js("localStorage.setItem('pomoshnik.access', 'broken'); location.reload(); return null;")
        .await;
    browser.find("#profile-form").await;
    let access = browser
        .js("return localStorage.getItem('pomoshnik.access');")
        .await;
    assert_ne!(access, json!("broken"), "the pair was refreshed");
    assert!(access.as_str().is_some_and(|a| a.len() > 20), "{access}");

    // A refused refresh ends the session: the sign-in comes back with a notice.
    browser
        .js("localStorage.setItem('pomoshnik.access', 'broken'); \
             localStorage.setItem('pomoshnik.refresh', 'broken'); location.reload(); return null;")
        .await;
    browser.wait_text("#staff", "Сеанс завершён").await;
    browser.find("#staff-login").await;
    assert_eq!(
        browser
            .js("return localStorage.getItem('pomoshnik.refresh');")
            .await,
        Value::Null
    );
    browser.close().await;
}

/// An operator of region 16 created through the API with a one-time password (no letter).
async fn operator_with_one_time_password(app: &TestApp, email: &str) -> String {
    let admin = app.dev_login("admin", None, "Админ", true).await;
    let created = app
        .post_as(
            "/api/v1/admin/users",
            &admin.access,
            &json!({ "email": email, "role": "operator", "regions": ["16"], "invite": false,
                     "surname": "Зайцева", "name": "Ольга" }),
        )
        .await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.expect("created");
    created["one_time_password"]
        .as_str()
        .expect("password")
        .to_owned()
}

/// The staff login's two steps: e-mail and password, then the code (`second`).
async fn two_step_sign_in(browser: &Browser, email: &str, password: &str, second: &str) {
    browser.fill("#login-email", email).await;
    browser.fill("#login-password", password).await;
    browser.click("#staff-login button[type=submit]").await;
    browser.find("#login-code").await;
    browser.fill("#login-code", second).await;
    browser.click("#staff-login button[type=submit]").await;
}

#[tokio::test]
async fn enrolment_shows_a_qr_code_and_a_recovery_code_signs_in_once() {
    let app = spawn_app().await;
    let email = "zaitseva@edu16.ru";
    let once = operator_with_one_time_password(&app, email).await;
    let browser = Browser::start().await;
    browser.goto(&app.url("/")).await;
    browser.fill("#login-email", email).await;
    browser.fill("#login-password", &once).await;
    browser.click("#staff-login button[type=submit]").await;
    browser.fill("#pw-current", &once).await;
    browser.fill("#pw-new", "Свой-пароль-2026").await;
    browser.fill("#pw-repeat", "Свой-пароль-2026").await;
    browser.click("#password-form button[type=submit]").await;

    // The QR code is drawn in the page (SVG from the api), the link stays as text.
    browser.find("#totp-qr svg path").await;
    assert_eq!(
        browser
            .js("var q = document.getElementById('totp-qr'); \
                 return [q.getAttribute('role'), !!q.getAttribute('aria-label')];")
            .await,
        json!(["img", true])
    );
    browser.wait_text("#totp-uri", "otpauth://").await;
    browser.screenshot("recovery-totp-qr").await;
    let secret: String = browser
        .find("#totp-secret")
        .await
        .text()
        .await
        .expect("secret")
        .split_whitespace()
        .collect();
    let code = api::auth::secrets::totp_code(&secret, now()).expect("code");
    browser.fill("#totp-code", &code).await;
    browser.click("#totp-form button[type=submit]").await;

    // Ten recovery codes, shown once.
    let shown = browser.wait_text("#recovery-codes", "-").await;
    let codes: Vec<&str> = shown.split_whitespace().collect();
    assert_eq!(codes.len(), 10, "{shown}");
    browser.screenshot("recovery-codes").await;
    browser.click("#recovery-done").await;

    // A recovery code in place of the authenticator's code signs in, once.
    two_step_sign_in(&browser, email, "Свой-пароль-2026", codes[0]).await;
    browser.wait_text("#staff-role", "Оператор").await;
    browser.click("#staff-sign-out").await;
    browser.wait_text("#staff", "Вы вышли").await;
    two_step_sign_in(&browser, email, "Свой-пароль-2026", codes[0]).await;
    browser.wait_text("#staff-login", "Неверный").await;
    browser.viewport(true).await;
    browser.screenshot("recovery-code-refused-desktop").await;
    browser.close().await;
}

#[tokio::test]
async fn a_forgotten_password_is_replaced_through_the_e_mail_link() {
    let smtp = integration_tests::standins::start_smtp().await;
    // The server's own address is the letters' link base, so the link opens as it is.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let public_url = format!("http://127.0.0.1:{port}");
    let app = integration_tests::spawn_app_with(
        integration_tests::Overrides::default()
            .with("PORT", &port.to_string())
            .with("PUBLIC_URL", &public_url)
            .with("SMTP_HOST", "127.0.0.1")
            .with("SMTP_PORT", &smtp.port.to_string())
            .with("WORKER_POLL_MS", "50"),
    )
    .await;
    let email = "lebedeva@edu16.ru";
    let once = operator_with_one_time_password(&app, email).await;
    // Enrolled through the API: the browser part starts at «Забыли пароль?».
    let login = |password: String| {
        let app = &app;
        async move {
            let answer = app
                .post_json(
                    "/api/v1/auth/login",
                    &json!({ "email": email, "password": password }),
                )
                .await;
            let pair: Value = answer.json().await.expect("pair");
            pair["access_token"].as_str().expect("access").to_owned()
        }
    };
    let limited = login(once.clone()).await;
    let body = json!({ "current_password": once, "new_password": "Старый-пароль-2026" });
    app.post_as("/api/v1/me/password", &limited, &body).await;
    let limited = login("Старый-пароль-2026".to_owned()).await;
    let started: Value = app
        .post_as("/api/v1/auth/totp/enroll", &limited, &json!({}))
        .await
        .json()
        .await
        .expect("enrolment");
    let uri = started["otpauth_uri"].as_str().expect("uri");
    let secret = uri
        .split_once("secret=")
        .map(|(_, rest)| rest.split('&').next().unwrap_or_default().to_owned())
        .expect("secret");
    let code = api::auth::secrets::totp_code(&secret, now()).expect("code");
    let confirm = json!({ "code": code });
    app.post_as("/api/v1/auth/totp/enroll", &limited, &confirm)
        .await;

    let browser = Browser::start().await;
    browser.goto(&app.url("/")).await;
    browser.click("#forgot-open").await;
    browser.fill("#reset-email", email).await;
    browser.click("#reset-form button[type=submit]").await;
    browser.wait_text("#reset-form", "письмо со ссылкой").await;
    browser.screenshot("recovery-forgot").await;
    let mails = smtp.wait_for(1, 20).await;
    let text = mails[0].part("text/plain").expect("plain part");
    let prefix = format!("{public_url}/#/invite/");
    let start = text.find(&prefix).expect("a link in the letter");
    let link: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    browser.close().await;

    // The link, in a fresh browser on a desktop width (the request was made on a phone):
    // a new password, then a sign-in with it and the code.
    let browser = Browser::start().await;
    browser.viewport(true).await;
    browser.goto(&link).await;
    browser.wait_text("#staff h1", "Новый пароль").await;
    browser.fill("#inv-password", "Новый-пароль-2026").await;
    browser.fill("#inv-repeat", "Новый-пароль-2026").await;
    browser.screenshot("recovery-new-password-desktop").await;
    browser.click("#invite-form button[type=submit]").await;
    browser.wait_text("#staff", "Пароль изменён").await;
    let code = api::auth::secrets::totp_code(&secret, now()).expect("code");
    two_step_sign_in(&browser, email, "Новый-пароль-2026", &code).await;
    browser.wait_text("#staff-role", "Оператор").await;
    browser.close().await;

    // Used once: the same link is refused.
    let browser = Browser::start().await;
    browser.goto(&link).await;
    browser.wait_text("#staff h1", "Новый пароль").await;
    browser.fill("#inv-password", "Ещё-пароль-2026").await;
    browser.fill("#inv-repeat", "Ещё-пароль-2026").await;
    browser.click("#invite-form button[type=submit]").await;
    browser.wait_text("#invite-form", "не действует").await;
    browser.close().await;
}
