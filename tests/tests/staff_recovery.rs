//! Staff sign-in people can recover (issue #22, item 6), end to end against the real server:
//! the enrolment's QR code and one-time recovery codes (each works once, renewed with the
//! password and a code), the code asked as a second step, «Забыли пароль?» through a letter
//! delivered to the SMTP stand-in on loopback (single use, no account enumeration, every
//! session ended), the administrator's «Сбросить второй фактор», and a regional head who
//! may give operators only own regions.

use integration_tests::standins::{self, Mail, SmtpStandIn};
use integration_tests::{problem, spawn_app, spawn_app_with, Overrides, TestApp};
use serde_json::{json, Value};

const PUBLIC_URL: &str = "https://pomoshnik.example.ru";
const PASSWORD: &str = "Пароль-оператора-2026";

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn secret_of(uri: &str) -> String {
    let query = uri.split_once('?').unwrap().1;
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("secret="))
        .unwrap()
        .to_owned()
}

/// A code of the authenticator `steps` time steps from now (a later step signs in even
/// after the current one was used).
fn code(secret: &str, steps: u64) -> String {
    api::auth::secrets::totp_code(secret, now() + 30 * steps).unwrap()
}

async fn login(
    app: &TestApp,
    email: &str,
    password: &str,
    code: Option<&str>,
) -> reqwest::Response {
    app.post_json(
        "/api/v1/auth/login",
        &json!({ "email": email, "password": password, "totp_code": code }),
    )
    .await
}

async fn access(response: reqwest::Response) -> String {
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

/// An operator of region 16 who replaced the one-time password and enrolled the second
/// factor: (id, TOTP secret, recovery codes, the enrolment's answer before confirming).
async fn enrolled(app: &TestApp, email: &str) -> (String, String, Vec<String>, Value) {
    let admin = app.dev_login("admin", None, "Админ", true).await;
    let created = app
        .post_as(
            "/api/v1/admin/users",
            &admin.access,
            &json!({ "email": email, "role": "operator", "regions": ["16"], "invite": false,
                     "surname": "Галиева", "name": "Дина" }),
        )
        .await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    let id = created["user"]["id"].as_str().unwrap().to_owned();
    let once = created["one_time_password"].as_str().unwrap();
    let limited = access(login(app, email, once, None).await).await;
    let changed = app
        .post_as(
            "/api/v1/me/password",
            &limited,
            &json!({ "current_password": once, "new_password": PASSWORD }),
        )
        .await;
    assert_eq!(changed.status(), 200);
    let limited = access(login(app, email, PASSWORD, None).await).await;
    let started: Value = app
        .post_as("/api/v1/auth/totp/enroll", &limited, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let secret = secret_of(started["otpauth_uri"].as_str().unwrap());
    let done: Value = app
        .post_as(
            "/api/v1/auth/totp/enroll",
            &limited,
            &json!({ "code": code(&secret, 0) }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(done["enabled"], true);
    let codes: Vec<String> = done["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    (id, secret, codes, started)
}

async fn audit_actions(app: &TestApp, object: &str) -> String {
    let admin = app.dev_login("admin", None, "Админ", true).await;
    app.get_as(
        &format!("/api/v1/admin/audit?object_id={object}"),
        &admin.access,
    )
    .await
    .text()
    .await
    .unwrap()
}

#[tokio::test]
async fn enrolment_shows_a_qr_code_and_recovery_codes_sign_in_once_each() {
    let app = spawn_app().await;
    let email = "galieva@edu16.ru";
    let (id, secret, codes, started) = enrolled(&app, email).await;

    // The QR code travels beside the link, as markup ready for the page.
    let svg = started["qr_svg"].as_str().unwrap();
    assert!(
        svg.starts_with("<svg") && svg.ends_with("</svg>"),
        "{svg:.80}"
    );
    assert!(!svg.contains("<script"));
    // Ten distinct codes, shown once.
    assert_eq!(codes.len(), 10);
    let mut distinct = codes.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 10);

    // The code is asked as a second step: a right password alone names the missing field,
    // with the same code and text as any refusal; a wrong one names nothing.
    let second = problem(login(&app, email, PASSWORD, None).await, 401).await;
    let wrong = problem(login(&app, email, "не тот пароль", None).await, 401).await;
    assert_eq!(second.code, "invalid_credentials");
    assert_eq!(second.detail, wrong.detail);
    assert_eq!(second.errors[0].field, "totp_code");
    assert!(wrong.errors.is_empty());

    // A recovery code signs in in place of the authenticator's code, once.
    let token = access(login(&app, email, PASSWORD, Some(&codes[0])).await).await;
    assert_eq!(app.me(&token).await["role"], "operator");
    let again = problem(login(&app, email, PASSWORD, Some(&codes[0])).await, 401).await;
    assert_eq!(again.code, "invalid_credentials");
    // Typed loosely (capitals, a space for the dash) it still works.
    let loose = codes[1].to_uppercase().replace('-', " ");
    access(login(&app, email, PASSWORD, Some(&loose)).await).await;
    assert!(audit_actions(&app, &id)
        .await
        .contains("auth.recovery_code"));

    // New codes need the password and a current code; the old ones stop working.
    let renew = |password: &'static str, code: String| {
        let (app, token) = (&app, token.clone());
        async move {
            app.post_as(
                "/api/v1/auth/recovery-codes",
                &token,
                &json!({ "password": password, "code": code }),
            )
            .await
        }
    };
    problem(renew("не тот пароль", code(&secret, 0)).await, 422).await;
    let renewed = renew(PASSWORD, code(&secret, 0)).await;
    assert_eq!(renewed.status(), 200);
    let renewed: Value = renewed.json().await.unwrap();
    let fresh = renewed["codes"][0].as_str().unwrap().to_owned();
    assert_eq!(renewed["codes"].as_array().unwrap().len(), 10);
    problem(login(&app, email, PASSWORD, Some(&codes[2])).await, 401).await;
    access(login(&app, email, PASSWORD, Some(&fresh)).await).await;
    assert!(audit_actions(&app, &id)
        .await
        .contains("user.recovery_codes.renew"));
}

struct Mailed {
    app: TestApp,
    smtp: SmtpStandIn,
}

async fn with_smtp() -> Mailed {
    let smtp = standins::start_smtp().await;
    let port = smtp.port.to_string();
    let app = spawn_app_with(
        Overrides::default()
            .with("PUBLIC_URL", PUBLIC_URL)
            .with("SMTP_HOST", "127.0.0.1")
            .with("SMTP_PORT", &port)
            .with("SMTP_FROM", "Помощник <noreply@pomoshnik.example.ru>")
            .with("WORKER_POLL_MS", "50")
            .with("OUTBOX_BACKOFF_SECS", "1"),
    )
    .await;
    Mailed { app, smtp }
}

/// The token of the link in a reset letter (both parts carry it).
fn link_token(mail: &Mail) -> String {
    let text = mail.part("text/plain").expect("plain part");
    let html = mail.part("text/html").expect("html part");
    let prefix = format!("{PUBLIC_URL}/#/invite/");
    let start = text
        .find(&prefix)
        .unwrap_or_else(|| panic!("no link in {text}"))
        + prefix.len();
    let token: String = text[start..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    assert!(token.len() >= 32);
    assert!(html.contains(&format!("{prefix}{token}")));
    token
}

#[tokio::test]
async fn a_forgotten_password_is_replaced_through_a_single_use_link() {
    let Mailed { app, smtp } = with_smtp().await;
    let email = "novikova@edu16.ru";
    let (id, secret, _, _) = enrolled(&app, email).await;
    let before = access(login(&app, email, PASSWORD, Some(&code(&secret, 0))).await).await;

    // Unknown, malformed and known addresses get the same answer; one letter goes out.
    for address in ["nobody@edu16.ru", "не адрес", email] {
        let answer = app
            .post_json("/api/v1/auth/password-reset", &json!({ "email": address }))
            .await;
        assert_eq!(answer.status(), 202, "{address}");
    }
    let mails = smtp.wait_for(1, 20).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(smtp.received().len(), 1, "no letter for an unknown address");
    let letter = &mails[0];
    assert_eq!(letter.to, vec![email.to_owned()]);
    assert!(letter.subject().contains("пароля"), "{}", letter.subject());
    let token = link_token(letter);

    // The link sets the new password and ends every session of the user.
    let new_password = "Новый-пароль-после-сброса";
    let set = app
        .post_json(
            "/api/v1/auth/invite",
            &json!({ "token": token, "password": new_password }),
        )
        .await;
    assert_eq!(set.status(), 200);
    problem(app.get_as("/api/v1/me", &before).await, 401).await;
    let reused = app
        .post_json(
            "/api/v1/auth/invite",
            &json!({ "token": token, "password": "Ещё-один-пароль-2026" }),
        )
        .await;
    assert_eq!(problem(reused, 410).await.code, "invite_invalid");

    // The old password no longer works; the new one does, with the second factor still.
    problem(
        login(&app, email, PASSWORD, Some(&code(&secret, 1))).await,
        401,
    )
    .await;
    let second = problem(login(&app, email, new_password, None).await, 401).await;
    assert_eq!(second.errors[0].field, "totp_code");
    let token = access(login(&app, email, new_password, Some(&code(&secret, 1))).await).await;
    assert_eq!(app.me(&token).await["totp_enabled"], true);
    let log = audit_actions(&app, &id).await;
    assert!(log.contains("user.password.reset_request"));
    assert!(log.contains("user.password.reset"));
}

#[tokio::test]
async fn an_administrator_resets_a_second_factor_and_the_user_enrols_again() {
    let app = spawn_app().await;
    let email = "petrova@edu16.ru";
    let (id, secret, codes, _) = enrolled(&app, email).await;
    let session = access(login(&app, email, PASSWORD, Some(&code(&secret, 0))).await).await;
    let admin = app.dev_login("admin", None, "Админ", true).await;
    let path = format!("/api/v1/users/{id}/totp/reset");

    // Only an administrator, and never for oneself.
    let operator = app.dev_login("operator", Some("16"), "Коллега", true).await;
    problem(app.post_as(&path, &operator.access, &json!({})).await, 403).await;
    let me = app.me(&admin.access).await;
    let own = format!("/api/v1/users/{}/totp/reset", me["id"].as_str().unwrap());
    problem(app.post_as(&own, &admin.access, &json!({})).await, 409).await;

    assert_eq!(
        app.post_as(&path, &admin.access, &json!({})).await.status(),
        204
    );
    // Every session ends; the recovery codes are gone; the password leads to enrolment.
    problem(app.get_as("/api/v1/me", &session).await, 401).await;
    let limited = access(login(&app, email, PASSWORD, None).await).await;
    assert_eq!(app.me(&limited).await["totp_enabled"], false);
    let again: Value = app
        .post_as("/api/v1/auth/totp/enroll", &limited, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(secret_of(again["otpauth_uri"].as_str().unwrap()), secret);
    // Enrolled anew, the old recovery codes are void.
    let fresh = secret_of(again["otpauth_uri"].as_str().unwrap());
    let done = app
        .post_as(
            "/api/v1/auth/totp/enroll",
            &limited,
            &json!({ "code": code(&fresh, 0) }),
        )
        .await;
    assert_eq!(done.status(), 200);
    problem(login(&app, email, PASSWORD, Some(&codes[0])).await, 401).await;
    assert!(audit_actions(&app, &id).await.contains("user.totp.reset"));
}

#[tokio::test]
async fn a_regional_head_gives_operators_only_own_regions() {
    let app = spawn_app().await;
    let head = app
        .dev_login("regional_head", Some("16"), "Руководитель Казани", true)
        .await;
    let create = |regions: Value, email: &'static str| {
        let (app, token) = (&app, head.access.clone());
        async move {
            app.post_as(
                "/api/v1/admin/users",
                &token,
                &json!({ "email": email, "role": "operator", "regions": regions, "invite": false }),
            )
            .await
        }
    };
    let other = problem(create(json!(["77"]), "a@edu16.ru").await, 403).await;
    assert_eq!(other.code, "region_out_of_scope");
    problem(create(json!(["16", "77"]), "b@edu16.ru").await, 403).await;
    let created = create(json!(["16"]), "c@edu16.ru").await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    let id = created["user"]["id"].as_str().unwrap();
    let widened = app
        .patch_as(
            &format!("/api/v1/admin/users/{id}"),
            &head.access,
            &json!({ "regions": ["16", "77"] }),
        )
        .await;
    assert_eq!(problem(widened, 403).await.code, "region_out_of_scope");
}
