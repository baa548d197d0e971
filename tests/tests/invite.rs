//! Inviting new staff by e-mail, end to end: the real server and its worker deliver the
//! invitation letter to an SMTP stand-in on loopback; the link from the letter sets the
//! password (`POST /api/v1/auth/invite`) and signs in, with TOTP enrolment next; a link works
//! once, expires, and is replaced by a resend; scope and state rules of resending; failed
//! tokens are throttled per client; and neither the token nor the password reaches the log,
//! the outbox or any other table in plain text.

use api::db::schema::{idempotency_keys, outbox, staff_invitations, users};
use api::db::{self, AnyConnection, Backend, Db};
use diesel::prelude::*;
use integration_tests::logs::{capture, logged};
use integration_tests::standins::{self, Mail, SmtpStandIn};
use integration_tests::{problem, spawn_app_with, Overrides, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const PUBLIC_URL: &str = "https://pomoshnik.example.ru";

/// A server whose worker sends letters to an SMTP stand-in, and a view of its database.
struct Env {
    app: TestApp,
    smtp: SmtpStandIn,
    db: Db,
}

async fn setup(extra: &[(&str, &str)]) -> Env {
    capture();
    let smtp = standins::start_smtp().await;
    let port = smtp.port.to_string();
    let mut overrides = Overrides::default()
        .with("PUBLIC_URL", PUBLIC_URL)
        .with("SMTP_HOST", "127.0.0.1")
        .with("SMTP_PORT", &port)
        .with("SMTP_FROM", "Помощник <noreply@pomoshnik.example.ru>")
        .with("WORKER_POLL_MS", "50")
        .with("OUTBOX_BACKOFF_SECS", "1");
    for (k, v) in extra {
        overrides = overrides.with(k, v);
    }
    let app = spawn_app_with(overrides).await;
    let db = Db::new(
        db::connect(&app.database_url, 2).unwrap(),
        Backend::of(&app.database_url),
    );
    Env { app, smtp, db }
}

impl Env {
    async fn write<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut AnyConnection) -> QueryResult<T> + Send + 'static,
    ) -> T {
        self.db.write(move |conn| Ok(work(conn)?)).await.unwrap()
    }

    /// Waits for the `n`-th letter (1-based) and returns it.
    async fn letter(&self, n: usize) -> Mail {
        let mails = self.smtp.wait_for(n, 20).await;
        assert!(mails.len() >= n, "letter {n} did not arrive: {mails:?}");
        mails[n - 1].clone()
    }

    async fn create(&self, token: &str, body: &Value) -> Value {
        let response = self.app.post_as("/api/v1/admin/users", token, body).await;
        assert_eq!(response.status(), 201, "create {body}");
        response.json().await.unwrap()
    }

    async fn resend(&self, token: &str, id: &str) -> reqwest::Response {
        self.app
            .post_as(
                &format!("/api/v1/admin/users/{id}/invite"),
                token,
                &json!({}),
            )
            .await
    }

    async fn accept(&self, token: &str, password: &str) -> reqwest::Response {
        self.app
            .post_json(
                "/api/v1/auth/invite",
                &json!({ "token": token, "password": password }),
            )
            .await
    }

    async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        self.app
            .post_json(
                "/api/v1/auth/login",
                &json!({ "email": email, "password": password }),
            )
            .await
    }
}

/// The token of the first-sign-in link in a letter (checking both parts carry the link).
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
    assert!(token.len() >= 32, "a long random token: {token}");
    assert!(
        html.contains(&format!("href=\"{prefix}{token}\"")),
        "the HTML part links the same address: {html}"
    );
    token
}

fn sha256_hex(text: &str) -> String {
    api::auth::secrets::token_hash(text)
}

#[tokio::test]
async fn a_regional_head_invites_an_operator_who_sets_the_password_through_the_link() {
    let env = setup(&[]).await;
    let head = env
        .app
        .dev_login("regional_head", Some("16"), "Руководитель Казани", true)
        .await;
    let created = env
        .create(
            &head.access,
            &json!({ "email": "novikova@edu16.ru", "role": "operator", "regions": ["16"],
                     "surname": "Новикова", "name": "Алина" }),
        )
        .await;
    assert_eq!(created["invitation_sent"], true);
    let one_time = created["one_time_password"].as_str().unwrap().to_owned();
    let id = created["user"]["id"].as_str().unwrap().to_owned();

    // The letter: to that address, who invited (by role), the role and the region, the link.
    let mail = env.letter(1).await;
    assert_eq!(mail.to, vec!["novikova@edu16.ru".to_owned()]);
    assert_eq!(mail.subject(), "Приглашение в «Помощник»");
    let text = mail.part("text/plain").unwrap();
    assert!(text.contains("Руководитель региона приглашает"), "{text}");
    assert!(text.contains("Ваша роль: Оператор."), "{text}");
    assert!(text.contains("Республика Татарстан (16)"), "{text}");
    assert!(text.contains("72 часа"), "{text}");
    let token = link_token(&mail);

    // No secret rests in the database: the invitation has the token's hash only, the
    // outbox row the invitation's id only.
    let (hash, expires, sent) = env
        .write({
            let id = id.clone();
            move |conn| {
                staff_invitations::table
                    .filter(staff_invitations::user_id.eq(&id))
                    .select((
                        staff_invitations::token_hash,
                        staff_invitations::expires_at,
                        staff_invitations::sent_at,
                    ))
                    .first::<(
                        Option<String>,
                        Option<chrono::NaiveDateTime>,
                        Option<chrono::NaiveDateTime>,
                    )>(conn)
            }
        })
        .await;
    assert_eq!(hash.as_deref(), Some(sha256_hex(&token).as_str()));
    let (expires, sent) = (expires.unwrap(), sent.unwrap());
    assert_eq!((expires - sent).num_hours(), 72);
    let payloads: Vec<String> = env
        .write(|conn| outbox::table.select(outbox::payload).load(conn))
        .await;
    assert!(
        payloads.iter().any(|p| p.contains("invitation")),
        "{payloads:?}"
    );
    assert!(payloads.iter().all(|p| !p.contains(&token)), "{payloads:?}");

    // A password outside the rule: the link still works afterwards.
    let p = problem(env.accept(&token, "короткий").await, 422).await;
    assert_eq!(p.errors[0].field, "password");
    assert_eq!(p.errors[0].code, "length");

    let response = env.accept(&token, "Свой-пароль-Новиковой").await;
    assert_eq!(response.status(), 200);
    let pair: Value = response.json().await.unwrap();
    assert_eq!(pair["token_type"], "Bearer");
    let access = pair["access_token"].as_str().unwrap().to_owned();
    // As after a password sign-in: TOTP enrolment is next, nothing else is open yet.
    let me = env.app.me(&access).await;
    assert_eq!(me["id"], id.as_str());
    assert_eq!(me["must_change_password"], false);
    assert_eq!(me["totp_enabled"], false);
    let p = problem(env.app.get_as("/api/v1/admin/users", &access).await, 403).await;
    assert_eq!(p.code, "totp_required");
    let enrolment = env
        .app
        .post_as("/api/v1/auth/totp/enroll", &access, &json!({}))
        .await;
    assert_eq!(enrolment.status(), 200);
    let enrolment: Value = enrolment.json().await.unwrap();
    assert!(enrolment["otpauth_uri"]
        .as_str()
        .unwrap()
        .starts_with("otpauth://"));

    // The link is used up; the new password signs in, the one-time password no longer.
    let p = problem(env.accept(&token, "Другой-пароль-2026").await, 410).await;
    assert_eq!(p.code, "invite_invalid");
    assert!(p.detail.contains("не действует"), "{}", p.detail);
    assert_eq!(
        env.login("novikova@edu16.ru", "Свой-пароль-Новиковой")
            .await
            .status(),
        200
    );
    problem(env.login("novikova@edu16.ru", &one_time).await, 401).await;

    // Audited, for the head and for the operator.
    let admin = env.app.dev_login("admin", None, "Админ Аудита", true).await;
    let audit: Value = env
        .app
        .get_as(
            &format!("/api/v1/admin/audit?object_id={id}"),
            &admin.access,
        )
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"user.create"), "{actions:?}");
    assert!(actions.contains(&"user.invite.accept"), "{actions:?}");

    // Neither the token nor the password is in the log or any stored answer.
    let bodies: Vec<Option<String>> = env
        .write(|conn| {
            idempotency_keys::table
                .select(idempotency_keys::response_body)
                .load(conn)
        })
        .await;
    assert!(bodies.iter().flatten().all(|b| !b.contains(&token)));
    let log = logged();
    assert!(
        log.contains("auth/invite"),
        "the server logged the requests"
    );
    for secret in [
        token.as_str(),
        "Свой-пароль-Новиковой",
        "Другой-пароль-2026",
    ] {
        assert!(!log.contains(secret), "{secret:?} leaked into the log");
    }
}

#[tokio::test]
async fn a_resend_replaces_the_link_and_an_expired_link_is_refused() {
    let env = setup(&[]).await;
    let admin = env
        .app
        .dev_login("admin", None, "Админ Главный", true)
        .await;
    let created = env
        .create(
            &admin.access,
            &json!({ "email": "Federal.Kurator@Example.ru", "role": "federal" }),
        )
        .await;
    let id = created["user"]["id"].as_str().unwrap().to_owned();
    let first = link_token(&env.letter(1).await);
    let text = env.letter(1).await.part("text/plain").unwrap();
    assert!(text.contains("Администратор приглашает"), "{text}");
    assert!(text.contains("Федеральный куратор"), "{text}");
    assert!(!text.contains("Регион"), "no regions for this role: {text}");

    // A resend (twice with one Idempotency-Key: one letter) — the first link stops working.
    let send = |key: &'static str| {
        let (app, token, id) = (&env.app, admin.access.clone(), id.clone());
        async move {
            app.with_token(
                Method::POST,
                &format!("/api/v1/admin/users/{id}/invite"),
                &token,
            )
            .header("Idempotency-Key", key)
            .send()
            .await
            .unwrap()
        }
    };
    let again = send("resend-1").await;
    assert_eq!(again.status(), 202);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["email"], "federal.kurator@example.ru");
    assert_eq!(again["valid_hours"], 72);
    let replay: Value = send("resend-1").await.json().await.unwrap();
    assert_eq!(replay, again);
    let second = link_token(&env.letter(2).await);
    assert_ne!(first, second);
    let p = problem(env.accept(&first, "Пароль-куратора-2026").await, 410).await;
    assert_eq!(p.code, "invite_invalid");

    // An expired link (the test moves its expiry into the past) is refused too.
    let hash = sha256_hex(&second);
    env.write(move |conn| {
        diesel::update(staff_invitations::table.filter(staff_invitations::token_hash.eq(hash)))
            .set(staff_invitations::expires_at.eq(db::now() - chrono::Duration::minutes(1)))
            .execute(conn)
    })
    .await;
    problem(env.accept(&second, "Пароль-куратора-2026").await, 410).await;

    // A third letter works; only one letter came from the replayed request.
    assert_eq!(env.resend(&admin.access, &id).await.status(), 202);
    let third = link_token(&env.letter(3).await);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(env.smtp.received().len(), 3);
    let pair = env.accept(&third, "Пароль-куратора-2026").await;
    assert_eq!(pair.status(), 200);
    let log = logged();
    for secret in [first.as_str(), second.as_str(), third.as_str()] {
        assert!(!log.contains(secret), "{secret:?} leaked into the log");
    }
}

#[tokio::test]
async fn resending_follows_the_scope_and_refuses_who_cannot_be_invited() {
    let env = setup(&[]).await;
    let admin = env.app.dev_login("admin", None, "Админ", true).await;
    let head = env
        .app
        .dev_login("regional_head", Some("16"), "Руководитель", true)
        .await;
    let foreign = env
        .create(
            &admin.access,
            &json!({ "email": "op77@edu.ru", "role": "operator", "regions": ["77"] }),
        )
        .await;
    let foreign_id = foreign["user"]["id"].as_str().unwrap().to_owned();
    // Without an invitation: no letter.
    let quiet = env
        .create(
            &head.access,
            &json!({ "email": "op16@edu.ru", "role": "operator", "regions": ["16"], "invite": false }),
        )
        .await;
    assert_eq!(quiet["invitation_sent"], false);
    let own_id = quiet["user"]["id"].as_str().unwrap().to_owned();
    env.letter(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let mails = env.smtp.received();
    assert_eq!(mails.len(), 1, "only the first operator's letter");
    assert_eq!(mails[0].to, vec!["op77@edu.ru".to_owned()]);

    // A head: own operators only; anyone else is not there (404), not even a teacher.
    let p = problem(env.resend(&head.access, &foreign_id).await, 404).await;
    assert_eq!(p.code, "not_found");
    let teacher = env
        .app
        .dev_login("teacher", Some("16"), "Учительница", true)
        .await;
    let teacher_id = env.app.me(&teacher.access).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    problem(env.resend(&head.access, &teacher_id).await, 404).await;
    problem(env.resend(&head.access, "no-such-user").await, 404).await;
    let operator = env
        .app
        .dev_login("operator", Some("16"), "Оператор", true)
        .await;
    problem(env.resend(&operator.access, &own_id).await, 403).await;
    // The head's own operator gets the letter.
    assert_eq!(env.resend(&head.access, &own_id).await.status(), 202);
    let mail = env.letter(2).await;
    assert_eq!(mail.to, vec!["op16@edu.ru".to_owned()]);
    let token = link_token(&mail);

    // Who cannot be invited: a teacher (409 for an admin), a blocked operator, one who
    // already enrolled the second factor.
    let p = problem(env.resend(&admin.access, &teacher_id).await, 409).await;
    assert_eq!(p.code, "not_staff");
    let blocked = env
        .app
        .patch_as(
            &format!("/api/v1/admin/users/{own_id}"),
            &head.access,
            &json!({ "is_blocked": true }),
        )
        .await;
    assert_eq!(blocked.status(), 200);
    let p = problem(env.resend(&head.access, &own_id).await, 409).await;
    assert_eq!(p.code, "user_blocked");
    // The link sent before the block does not sign a blocked user in, nor after unblocking.
    problem(env.accept(&token, "Пароль-оператора-16").await, 410).await;
    let unblocked = env
        .app
        .patch_as(
            &format!("/api/v1/admin/users/{own_id}"),
            &head.access,
            &json!({ "is_blocked": false }),
        )
        .await;
    assert_eq!(unblocked.status(), 200);
    problem(env.accept(&token, "Пароль-оператора-16").await, 410).await;
    let id = foreign_id.clone();
    env.write(move |conn| {
        diesel::update(users::table.find(&id))
            .set(users::totp_enabled.eq(true))
            .execute(conn)
    })
    .await;
    let p = problem(env.resend(&admin.access, &foreign_id).await, 409).await;
    assert_eq!(p.code, "already_signed_in");
}

#[tokio::test]
async fn replacing_the_one_time_password_ends_the_link() {
    let env = setup(&[]).await;
    let admin = env.app.dev_login("admin", None, "Админ", true).await;
    let created = env
        .create(
            &admin.access,
            &json!({ "email": "op@edu50.ru", "role": "operator", "regions": ["50"] }),
        )
        .await;
    let one_time = created["one_time_password"].as_str().unwrap().to_owned();
    let token = link_token(&env.letter(1).await);
    let first: Value = env
        .login("op@edu50.ru", &one_time)
        .await
        .json()
        .await
        .unwrap();
    let changed = env
        .app
        .post_as(
            "/api/v1/me/password",
            first["access_token"].as_str().unwrap(),
            &json!({ "current_password": one_time, "new_password": "Свой-пароль-2026" }),
        )
        .await;
    assert_eq!(changed.status(), 200);
    problem(env.accept(&token, "Чужой-пароль-2026").await, 410).await;
    assert_eq!(
        env.login("op@edu50.ru", "Свой-пароль-2026").await.status(),
        200
    );
}

#[tokio::test]
async fn failed_links_are_throttled_per_client() {
    let env = setup(&[("LOGIN_MAX_FAILURES", "3")]).await;
    let admin = env.app.dev_login("admin", None, "Админ", true).await;
    env.create(
        &admin.access,
        &json!({ "email": "late@edu.ru", "role": "operator", "regions": ["77"] }),
    )
    .await;
    let token = link_token(&env.letter(1).await);
    for guess in ["a", "b", "c"] {
        let p = problem(env.accept(guess, "Пароль-угадайки-2026").await, 410).await;
        assert_eq!(p.code, "invite_invalid");
    }
    // Locked: even the right link waits (429 with Retry-After), and is not used up.
    let locked = env.accept(&token, "Пароль-оператора-2026").await;
    let retry_after: u64 = locked.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let p = problem(locked, 429).await;
    assert_eq!(p.code, "rate_limited");
    env.write(|conn| {
        diesel::update(api::db::schema::auth_throttle::table)
            .set(api::db::schema::auth_throttle::locked_until.eq(None::<chrono::NaiveDateTime>))
            .execute(conn)
    })
    .await;
    assert_eq!(
        env.accept(&token, "Пароль-оператора-2026").await.status(),
        200
    );
}

/// A guess at an invitation link from `client`, as a reverse proxy would forward it.
async fn guess_from(app: &TestApp, client: &str) -> u16 {
    app.client
        .post(app.url("/api/v1/auth/invite"))
        .header("X-Forwarded-For", client)
        .json(&json!({ "token": "no-such-link", "password": "Пароль-угадайки-2026" }))
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_is_throttled_apart() {
    // The balancer (here the test itself on 127.0.0.1) is trusted: the client it names counts.
    let env = setup(&[
        ("LOGIN_MAX_FAILURES", "2"),
        ("TRUSTED_PROXIES", "127.0.0.1, ::1"),
    ])
    .await;
    assert_eq!(guess_from(&env.app, "203.0.113.7").await, 410);
    assert_eq!(guess_from(&env.app, "203.0.113.7").await, 410);
    assert_eq!(guess_from(&env.app, "203.0.113.7").await, 429, "locked");
    assert_eq!(
        guess_from(&env.app, "203.0.113.8").await,
        410,
        "another client behind the same balancer is not locked out"
    );
    // What a client writes before the balancer's entry does not make it someone else.
    assert_eq!(guess_from(&env.app, "198.51.100.1, 203.0.113.7").await, 429);

    // Without trusted proxies the header is ignored: the peer is the client.
    let env = setup(&[("LOGIN_MAX_FAILURES", "2")]).await;
    assert_eq!(guess_from(&env.app, "203.0.113.7").await, 410);
    assert_eq!(guess_from(&env.app, "203.0.113.7").await, 410);
    assert_eq!(guess_from(&env.app, "203.0.113.8").await, 429);
}

#[tokio::test]
async fn admin_create_with_smtp_sends_the_invitation_instead_of_a_password() {
    let env = setup(&[]).await;
    let port = env.smtp.port.to_string();
    let vars: std::collections::HashMap<&str, &str> = [
        ("DATABASE_URL", env.app.database_url.as_str()),
        ("PUBLIC_URL", PUBLIC_URL),
        ("SMTP_HOST", "127.0.0.1"),
        ("SMTP_PORT", port.as_str()),
        ("WORKER_ENABLED", "false"),
    ]
    .into_iter()
    .collect();
    let config =
        api::config::Config::from_lookup(|k| vars.get(k).map(|v| (*v).to_owned())).unwrap();
    let args = api::tools::admin::CreateAdminArgs {
        email: "root@pomoshnik.example.ru".to_owned(),
        name: Some("Первый".to_owned()),
        force: false,
    };
    let outcome = api::tools::admin::execute(config, args).await.unwrap();
    assert!(
        matches!(
            outcome,
            api::tools::admin::Outcome::Invited {
                valid_hours: 72,
                ..
            }
        ),
        "{outcome:?}"
    );
    let letter = env.letter(1).await;
    assert_eq!(letter.to, vec!["root@pomoshnik.example.ru".to_owned()]);
    // No password exists to guess; the link sets it and signs in.
    problem(env.login("root@pomoshnik.example.ru", "").await, 401).await;
    let token = link_token(&letter);
    let accepted = env.accept(&token, "Пароль-администратора-1").await;
    assert_eq!(accepted.status(), 200);
    assert_eq!(
        env.login("root@pomoshnik.example.ru", "Пароль-администратора-1")
            .await
            .status(),
        200
    );
}
