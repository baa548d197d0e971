//! A verified teacher writes the question to the MAX bot: it becomes an appeal through the
//! same code path as the mini-app (channel `bot`), the bot replies with the answer, and a
//! rating button press records the rating.

use actix_web::HttpResponse;
use integration_tests::{spawn_app_with, standins, Overrides, TestApp};
use serde_json::{json, Value};

const SECRET: &str = "bot-webhook-secret-for-tests";

async fn update(app: &TestApp, body: &Value) {
    let response = app
        .client
        .post(app.url("/api/v1/max/webhook"))
        .header("X-Max-Bot-Api-Secret", SECRET)
        .json(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_question_to_the_bot_becomes_an_appeal_and_a_button_rates_it() {
    let max = standins::start(|_| HttpResponse::Ok().json(json!({ "success": true })));
    let app = spawn_app_with(
        Overrides::default()
            .with("MAX_WEBHOOK_SECRET", SECRET)
            .with("MAX_API_BASE_URL", &max.base)
            .with("MAX_BOT_TOKEN", "test-bot-token"),
    )
    .await;
    app.import_demo_kb().await;
    // A verified teacher whose MAX account is known (launch data signed with this bot token).
    let token = {
        let user =
            json!({ "id": 777_001, "first_name": "Ирина", "last_name": "Белова" }).to_string();
        let now = chrono::Utc::now().timestamp().to_string();
        let init = api::auth::launch_data::sign(
            &[("auth_date", now.as_str()), ("user", user.as_str())],
            "test-bot-token",
        );
        let pair: Value = app
            .post_json("/api/v1/auth/max", &json!({ "init_data": init }))
            .await
            .json()
            .await
            .unwrap();
        let token = pair["access_token"].as_str().unwrap().to_owned();
        app.patch_as("/api/v1/me", &token, &json!({ "region": "77" }))
            .await;
        app.post_as(
            "/api/v1/me/verification",
            &token,
            &json!({ "school": "Школа № 1", "position": "учитель" }),
        )
        .await;
        let id = app.me(&token).await["id"].as_str().unwrap().to_owned();
        let admin = app.dev_login("admin", None, "Админ", true).await;
        app.post_as(
            &format!("/api/v1/admin/users/{id}/verification"),
            &admin.access,
            &json!({ "decision": "confirm" }),
        )
        .await;
        token
    };

    let message = json!({
        "update_type": "message_created", "timestamp": 1_764_100_000_000_i64,
        "message": { "sender": { "user_id": 777_001, "name": "Ирина", "is_bot": false },
                     "recipient": { "chat_id": 1, "chat_type": "dialog" },
                     "body": { "mid": "mid.q.1", "text": "план воспитательной работы пишет каждый учитель или только кл рук?" } }
    });
    update(&app, &message).await;
    update(&app, &message).await; // redelivered: handled once

    let list: Value = app
        .get_as("/api/v1/appeals", &token)
        .await
        .json()
        .await
        .unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "one appeal for a redelivered update");
    assert_eq!(items[0]["channel"], "bot");
    assert_eq!(items[0]["status"], "answered_by_bot");
    let id = items[0]["id"].as_str().unwrap().to_owned();

    let callback = json!({
        "update_type": "message_callback", "timestamp": 1_764_100_001_000_i64,
        "callback": { "callback_id": "cb-1", "payload": format!("rate:{id}:4"), "user": { "user_id": 777_001, "name": "Ирина" } },
        "message": { "body": { "mid": "mid.answer", "text": "Ответ" } }
    });
    update(&app, &callback).await;
    let appeal: Value = app
        .get_as(&format!("/api/v1/appeals/{id}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(appeal["status"], "closed");
    assert_eq!(appeal["answers"][0]["rating"]["score"], 4);

    // The bot replied to the question with the answer and rating buttons (besides the
    // notice of the verification decision it sends the same user first).
    let answered = |r: &standins::Recorded| {
        r.uri.starts_with("/messages?user_id=777001") && r.body.contains("rate:")
    };
    for _ in 0..50 {
        if max.requests().iter().any(answered) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let sent: Vec<String> = max
        .requests()
        .into_iter()
        .filter(|r| r.uri.starts_with("/messages?user_id=777001"))
        .map(|r| r.body)
        .collect();
    assert!(
        max.requests().iter().any(answered),
        "the bot answered the question with rating buttons: {sent:?}"
    );

    // Thanks alone is not a question: a polite reply, and no second appeal.
    let thanks = json!({
        "update_type": "message_created", "timestamp": 1_764_100_002_000_i64,
        "message": { "sender": { "user_id": 777_001, "name": "Ирина", "is_bot": false },
                     "recipient": { "chat_id": 1, "chat_type": "dialog" },
                     "body": { "mid": "mid.q.2", "text": "Спасибо большое!" } }
    });
    update(&app, &thanks).await;
    let polite = |r: &standins::Recorded| {
        r.uri.starts_with("/messages?user_id=777001") && r.body.contains("Пожалуйста")
    };
    for _ in 0..50 {
        if max.requests().iter().any(polite) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        max.requests().iter().any(polite),
        "the bot answers thanks politely"
    );
    let list: Value = app
        .get_as("/api/v1/appeals", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        1,
        "thanks did not become an appeal"
    );
}
