//! MAX Bot API client: `POST {base}/messages?user_id=…` and `POST {base}/answers?callback_id=…`
//! with the bot token in the `Authorization` header. It paces itself (at most
//! `MAX_RATE_PER_SEC` calls per second, at most one message per second to one chat) and
//! reports a 429 with its `Retry-After`, so the outbox retries no earlier than asked.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::DeliveryError;
use crate::config::{Config, Secret};

/// Chats remembered before the pacing forgets those whose gap has passed.
const CHATS_KEPT: usize = 10_000;

/// The last message time of recent chats.
#[derive(Debug, Default)]
struct ChatSlots {
    chats: HashMap<i64, Instant>,
    sweep_at: usize,
}

/// A client of the MAX Bot API. Cheap to clone; clones share the pacing.
#[derive(Clone)]
pub struct MaxClient {
    http: reqwest::Client,
    base: String,
    token: Secret,
    gap: Duration,
    /// The shortest gap between two messages to one chat (`MAX_CHAT_GAP_MS`).
    chat_gap: Duration,
    next_call: Arc<Mutex<Instant>>,
    per_chat: Arc<Mutex<ChatSlots>>,
    /// The demo token aimed at the real platform: nothing is sent (it could only fail, and
    /// local runs and tests must not reach outside).
    offline: bool,
}

impl std::fmt::Debug for MaxClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MaxClient({})", self.base)
    }
}

impl MaxClient {
    /// A client for the configured Bot API.
    #[must_use]
    pub fn new(http: reqwest::Client, config: &Config) -> Self {
        let rate = config.notify.max_rate_per_sec.max(1);
        Self {
            http,
            base: config.notify.max_api_base_url.clone(),
            token: config.max_bot_token.clone(),
            gap: Duration::from_secs(1) / rate,
            chat_gap: Duration::from_millis(config.notify.max_chat_gap_ms),
            next_call: Arc::new(Mutex::new(Instant::now())),
            per_chat: Arc::default(),
            offline: config.max_bot_token.expose() == crate::config::DEMO_MAX_BOT_TOKEN
                && config
                    .notify
                    .max_api_base_url
                    .ends_with("platform-api.max.ru"),
        }
    }

    /// Sends a message (the body of [`super::bot::BotMessage::to_body`]) to a user.
    ///
    /// # Errors
    /// The API refused or could not be reached; see [`DeliveryError`].
    pub async fn send_message(&self, user_id: i64, body: &Value) -> Result<u16, DeliveryError> {
        self.wait_for_chat(user_id).await;
        self.post("/messages", &[("user_id", user_id.to_string())], body)
            .await
    }

    /// Answers a button press (`message_callback`), e.g. `{"notification": "Спасибо!"}`.
    ///
    /// # Errors
    /// As [`MaxClient::send_message`].
    pub async fn answer_callback(
        &self,
        callback_id: &str,
        body: &Value,
    ) -> Result<u16, DeliveryError> {
        self.post("/answers", &[("callback_id", callback_id.to_owned())], body)
            .await
    }

    async fn wait_for_chat(&self, user_id: i64) {
        let wait = {
            let mut guard = self.per_chat.lock().await;
            let slots = &mut *guard;
            let now = Instant::now();
            let gap = self.chat_gap;
            let slot = slots
                .chats
                .get(&user_id)
                .map_or(now, |last| (*last + gap).max(now));
            slots.chats.insert(user_id, slot);
            // Sweep only when the map doubled since the last sweep: a campaign to many chats
            // at thousands per second must not scan the map on every call.
            if slots.chats.len() > slots.sweep_at {
                slots.chats.retain(|_, at| *at + gap > now);
                slots.sweep_at = (slots.chats.len() * 2).max(CHATS_KEPT);
            }
            slot
        };
        tokio::time::sleep_until(wait).await;
    }

    async fn pace(&self) {
        let slot = {
            let mut next = self.next_call.lock().await;
            let now = Instant::now();
            let slot = (*next).max(now);
            *next = slot + self.gap;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }

    async fn post(
        &self,
        path: &str,
        query: &[(&str, String)],
        body: &Value,
    ) -> Result<u16, DeliveryError> {
        if self.offline {
            return Err(DeliveryError::permanent(
                "демо-токен бота: сообщения в MAX не отправляются (задайте MAX_BOT_TOKEN)",
                None,
            ));
        }
        self.pace().await;
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .query(query)
            .header(reqwest::header::AUTHORIZATION, self.token.expose())
            .json(body)
            .send()
            .await
            .map_err(|e| DeliveryError::transient(format!("MAX Bot API недоступен: {e}"), None))?;
        let status = response.status().as_u16();
        if status == 429 {
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .unwrap_or(1);
            return Err(DeliveryError {
                message: "MAX Bot API: слишком много запросов".to_owned(),
                status: Some(429),
                retry_after: Some(Duration::from_secs(retry_after.clamp(1, 3600))),
                permanent: false,
            });
        }
        let text = response.text().await.unwrap_or_default();
        if (200..300).contains(&status) {
            // Some methods answer 200 with {"success": false, "message": …}.
            let refused = serde_json::from_str::<Value>(&text)
                .ok()
                .filter(|v| v.get("success") == Some(&Value::Bool(false)));
            if let Some(v) = refused {
                let reason = v["message"].as_str().unwrap_or("success=false");
                return Err(DeliveryError::transient(
                    format!("MAX Bot API отказал: {}", super::clip(reason, 300)),
                    Some(status),
                ));
            }
            return Ok(status);
        }
        let reason = format!("MAX Bot API ответил {status}: {}", super::clip(&text, 300));
        // 400 (bad request), 403 (the user blocked the bot) and 404 (no such chat) will not
        // change by themselves; 401 (a wrong token) and 5xx may, once someone fixes them.
        if matches!(status, 400 | 403 | 404) {
            Err(DeliveryError::permanent(reason, Some(status)))
        } else {
            Err(DeliveryError::transient(reason, Some(status)))
        }
    }
}
