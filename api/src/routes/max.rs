//! The MAX bot's webhook: `POST /api/v1/max/webhook`. MAX proves it is MAX with the
//! `X-Max-Bot-Api-Secret` header (compared in constant time with `MAX_WEBHOOK_SECRET`; a
//! wrong or missing header — or no secret configured — answers 401 and records nothing).
//!
//! Each update is remembered in `max_updates` in the same transaction as the work it causes,
//! so a redelivered update does nothing twice. The handler only writes: replies go through
//! the outbox and the worker is woken, so MAX gets its 200 at once.
//!
//! Handled: `bot_started` (a greeting with the mini-app button), `message_callback` (rating
//! buttons `rate:<appeal>:<score>`, answered through `POST /answers`), `message_created`
//! (a verified teacher's question becomes an appeal; others get instructions), and for
//! campaigns: «Отписаться» (`unsub:<campaign>`), `bot_stopped`, a `promo-<code>` start.
//!
//! Recording a rating and creating an appeal belong to the appeal flow; the handler reaches
//! them through [`BotAppeals`], implemented by [`Wired`] with the domain's functions
//! (`crate::domain::appeals::bot`), the same code paths as the mini-app.

use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use shared::appeals::QuestionText;
use shared::users::Role;
use utoipa::ToSchema;

use crate::config::Config;
use crate::db::{self, AnyConnection};
use crate::domain::appeals::bot::{self as appeal_bot, known_user, remember_update};
use crate::domain::campaigns::{reach as campaign_reach, send as campaign_send};
use crate::domain::notifications::outbox::{self, CallbackAnswer, Notification};
use crate::error::ApiError;
use crate::notify::bot::{self, BotMessage};
use crate::state::AppState;

/// A person the bot talks to, as the service knows them.
pub use crate::domain::appeals::bot::BotUser;

/// The header MAX signs its webhook calls with.
pub const SECRET_HEADER: &str = "X-Max-Bot-Api-Secret";

/// The largest bot update accepted: updates are small JSON documents, so the webhook does
/// not inherit the attachment limit of the raw-body routes.
pub const MAX_UPDATE_BYTES: usize = 64 * 1024;

/// A MAX user as updates describe them.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct MaxUser {
    /// MAX user id.
    pub user_id: i64,
    /// Shown name.
    #[serde(default)]
    pub name: Option<String>,
    /// A bot, not a person.
    #[serde(default)]
    pub is_bot: bool,
}

/// Where a message was sent.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct MaxRecipient {
    /// Chat id.
    #[serde(default)]
    pub chat_id: Option<i64>,
    /// `dialog` (one to one with the bot), `chat` or `channel`.
    #[serde(default)]
    pub chat_type: Option<String>,
}

/// A message's body.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct MaxMessageBody {
    /// Message id.
    #[serde(default)]
    pub mid: Option<String>,
    /// Text.
    #[serde(default)]
    pub text: Option<String>,
}

/// A message in an update.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct MaxMessage {
    /// Who wrote it.
    #[serde(default)]
    pub sender: Option<MaxUser>,
    /// Where.
    #[serde(default)]
    pub recipient: Option<MaxRecipient>,
    /// What.
    #[serde(default)]
    pub body: Option<MaxMessageBody>,
}

/// A button press.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct MaxCallback {
    /// Id to answer with `POST /answers?callback_id=…`.
    pub callback_id: String,
    /// The button's payload.
    #[serde(default)]
    pub payload: Option<String>,
    /// Who pressed it.
    pub user: MaxUser,
}

/// An update from the MAX Bot API (only the fields this service reads; others are ignored).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct MaxUpdate {
    /// `bot_started`, `message_created`, `message_callback`, …
    pub update_type: String,
    /// Unix time in milliseconds.
    #[serde(default)]
    pub timestamp: Option<i64>,
    /// The user (`bot_started`).
    #[serde(default)]
    pub user: Option<MaxUser>,
    /// The chat (`bot_started`).
    #[serde(default)]
    pub chat_id: Option<i64>,
    /// Start payload (`bot_started` through a deep link).
    #[serde(default)]
    pub payload: Option<String>,
    /// The message (`message_created`, `message_callback`).
    #[serde(default)]
    pub message: Option<MaxMessage>,
    /// The button press (`message_callback`).
    #[serde(default)]
    pub callback: Option<MaxCallback>,
}

/// The answer to MAX.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MaxAck {
    /// Always true: the update is accepted (or was already).
    pub ok: bool,
}

/// What the bot needs from the appeal flow. Both run inside the update's transaction, each
/// behind its own savepoint: an error rolls back only its own work.
pub trait BotAppeals {
    /// Records a rating from a reminder button; returns the short notice for the callback
    /// answer (e.g. «Спасибо за оценку!»).
    ///
    /// # Errors
    /// Whatever the rating refuses (not the author, already rated …); its detail is shown.
    fn rate(
        &self,
        state: &AppState,
        conn: &mut AnyConnection,
        teacher: &BotUser,
        appeal_id: &str,
        score: u8,
    ) -> Result<String, ApiError>;

    /// Turns a verified teacher's text into an appeal (channel `bot`) and returns the reply:
    /// `notify::bot::submitted_reply` gives the answer with rating buttons, or the routing
    /// notice with the deadline.
    ///
    /// # Errors
    /// Whatever asking refuses (rate limit, no region …); its detail is sent back.
    fn submit(
        &self,
        state: &AppState,
        conn: &mut AnyConnection,
        teacher: &BotUser,
        text: &QuestionText,
    ) -> Result<BotMessage, ApiError>;
}

/// The bot's entry points into the appeal flow: the same code paths as the mini-app.
#[derive(Debug, Clone, Copy)]
pub struct Wired;

impl BotAppeals for Wired {
    fn rate(
        &self,
        _state: &AppState,
        conn: &mut AnyConnection,
        teacher: &BotUser,
        appeal_id: &str,
        score: u8,
    ) -> Result<String, ApiError> {
        appeal_bot::rate(conn, teacher, appeal_id, score)
    }

    fn submit(
        &self,
        state: &AppState,
        conn: &mut AnyConnection,
        teacher: &BotUser,
        text: &QuestionText,
    ) -> Result<BotMessage, ApiError> {
        let decision = state.kb.engine().decide(text.as_str(), 5);
        appeal_bot::submit(
            conn,
            &state.calendars,
            &decision,
            state.config.appeals_per_hour,
            teacher,
            text,
        )
    }
}

/// The appeal flow the bot uses.
const APPEALS: Wired = Wired;

/// Constant-time check of the secret header. No configured secret refuses everything.
fn check_secret(config: &Config, req: &HttpRequest) -> Result<(), ApiError> {
    use subtle::ConstantTimeEq;
    let Some(expected) = &config.notify.max_webhook_secret else {
        tracing::warn!("MAX_WEBHOOK_SECRET is not set: bot updates are refused");
        return Err(ApiError::Unauthorized);
    };
    let given = req
        .headers()
        .get(SECRET_HEADER)
        .map(actix_web::http::header::HeaderValue::as_bytes)
        .unwrap_or_default();
    if bool::from(given.ct_eq(expected.expose().as_bytes())) {
        Ok(())
    } else {
        Err(ApiError::Unauthorized)
    }
}

/// The key that identifies an update across redeliveries.
#[must_use]
pub fn update_key(update: &MaxUpdate, raw: &[u8]) -> String {
    let by_ids = match update.update_type.as_str() {
        "message_callback" => update
            .callback
            .as_ref()
            .map(|c| format!("callback:{}", c.callback_id)),
        "message_created" => update
            .message
            .as_ref()
            .and_then(|m| m.body.as_ref())
            .and_then(|b| b.mid.as_ref())
            .map(|mid| format!("message:{mid}")),
        "bot_started" => match (&update.user, update.timestamp) {
            (Some(user), Some(t)) => Some(format!("bot_started:{}:{t}", user.user_id)),
            _ => None,
        },
        _ => None,
    };
    by_ids.unwrap_or_else(|| {
        format!(
            "{}:{}",
            crate::notify::clip(&update.update_type, 40),
            hex::encode(Sha256::digest(raw))
        )
    })
}

fn send(conn: &mut AnyConnection, message: BotMessage) -> Result<(), ApiError> {
    outbox::enqueue(conn, &Notification::MaxMessage(message), None)?;
    Ok(())
}

fn on_callback(
    state: &AppState,
    conn: &mut AnyConnection,
    appeals: &impl BotAppeals,
    callback: &MaxCallback,
) -> Result<(), ApiError> {
    // «Отписаться» under a campaign's message: honoured at once, recorded.
    if let Some(campaign) = callback
        .payload
        .as_deref()
        .and_then(|p| p.strip_prefix("unsub:"))
    {
        let campaign = Some(campaign).filter(|c| campaign_send::is_id(c));
        let reason = campaign_reach::UNSUBSCRIBED;
        campaign_reach::opt_out(conn, callback.user.user_id, reason, campaign, db::now())?;
        let notice = "Вы отписались от рассылок «Помощника». Ответы на ваши обращения будут приходить по-прежнему.";
        outbox::enqueue(
            conn,
            &Notification::MaxCallback(CallbackAnswer {
                callback_id: callback.callback_id.clone(),
                notification: notice.to_owned(),
            }),
            None,
        )?;
        return Ok(());
    }
    let notice = match callback
        .payload
        .as_deref()
        .and_then(bot::parse_rate_payload)
    {
        None => "Эта кнопка больше не работает. Откройте приложение.".to_owned(),
        Some((appeal_id, score)) => match known_user(conn, callback.user.user_id)? {
            Some(known) if known.reachable && known.role == Role::Teacher => {
                // Behind a savepoint: a refused rating must not undo remembering the update.
                match appeals.rate(state, conn, &known.user, &appeal_id, score) {
                    Ok(notice) => notice,
                    Err(refused) => refused.detail(),
                }
            }
            _ => "Откройте «Помощник» и войдите, чтобы оценить ответ.".to_owned(),
        },
    };
    outbox::enqueue(
        conn,
        &Notification::MaxCallback(CallbackAnswer {
            callback_id: callback.callback_id.clone(),
            notification: crate::notify::clip(&notice, 200),
        }),
        None,
    )?;
    Ok(())
}

fn on_message(
    state: &AppState,
    conn: &mut AnyConnection,
    appeals: &impl BotAppeals,
    message: &MaxMessage,
) -> Result<(), ApiError> {
    let Some(sender) = message.sender.as_ref().filter(|s| !s.is_bot) else {
        return Ok(());
    };
    let in_dialog = message
        .recipient
        .as_ref()
        .and_then(|r| r.chat_type.as_deref())
        .is_none_or(|t| t == "dialog");
    let text = message
        .body
        .as_ref()
        .and_then(|b| b.text.as_deref())
        .unwrap_or_default()
        .trim()
        .to_owned();
    if !in_dialog || text.is_empty() {
        return Ok(());
    }
    if text.starts_with('/') {
        send(conn, bot::greeting(sender.user_id))?;
        return Ok(());
    }
    let reply = match known_user(conn, sender.user_id)? {
        None => bot::verification_needed(sender.user_id),
        Some(known) if !known.reachable => return Ok(()),
        Some(known) if known.role != Role::Teacher => bot::staff_use_app(sender.user_id),
        Some(known) if !known.verified => bot::verification_needed(sender.user_id),
        // Thanks or a greeting alone (often too short for a question) gets a polite reply.
        Some(_) if crate::matching::courtesy::is_courtesy(&text) => {
            bot::courtesy_reply(sender.user_id)
        }
        Some(known) => match QuestionText::parse(&text) {
            Err((_, reason)) => bot::question_rejected(sender.user_id, reason),
            Ok(question) => match appeals.submit(state, conn, &known.user, &question) {
                Ok(reply) => reply,
                Err(refused) => bot::question_rejected(sender.user_id, &refused.detail()),
            },
        },
    };
    send(conn, reply)?;
    Ok(())
}

/// Receives updates from the MAX Bot API (set as the bot's webhook with the secret). Work
/// is queued; the answer is immediate. A redelivered update is accepted and ignored.
#[utoipa::path(post, path = "/api/v1/max/webhook", tag = "max",
    request_body = MaxUpdate,
    params((
        "X-Max-Bot-Api-Secret" = String, Header,
        description = "Секрет, заданный при подписке бота на обновления (MAX_WEBHOOK_SECRET)"
    )),
    responses(
        (status = 200, description = "Обновление принято", body = MaxAck),
        (status = 400, description = "Тело — не обновление MAX", body = shared::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Неверный или отсутствующий секрет", body = shared::Problem, content_type = "application/problem+json"),
    ))]
#[post("/max/webhook")]
pub async fn max_webhook(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    // The secret first: a caller without it makes the server read nothing.
    check_secret(&state.config, &req)?;
    let body = payload
        .to_bytes_limited(MAX_UPDATE_BYTES)
        .await
        .map_err(|_| ApiError::PayloadTooLarge {
            limit: MAX_UPDATE_BYTES,
        })?
        .map_err(|_| ApiError::MalformedBody("Тело запроса не удалось прочитать.".to_owned()))?;
    let update: MaxUpdate = serde_json::from_slice(&body).map_err(|_| {
        ApiError::MalformedBody("Тело запроса — не обновление MAX Bot API.".to_owned())
    })?;
    let key = update_key(&update, &body);
    let app = state.get_ref().clone();
    let handled = state
        .db
        .write(move |conn| {
            if !remember_update(conn, &key)? {
                return Ok(false);
            }
            match update.update_type.as_str() {
                "bot_started" => {
                    if let Some(user) = update.user.as_ref().filter(|u| !u.is_bot) {
                        campaign_reach::bot_started(conn, user.user_id, update.payload.as_deref())?;
                        send(conn, bot::greeting(user.user_id))?;
                    }
                }
                // No announcements to someone who stopped the bot (until they start it again).
                "bot_stopped" => {
                    if let Some(user) = &update.user {
                        let reason = campaign_reach::BOT_STOPPED;
                        campaign_reach::opt_out(conn, user.user_id, reason, None, db::now())?;
                    }
                }
                "message_callback" => {
                    if let Some(callback) = &update.callback {
                        on_callback(&app, conn, &APPEALS, callback)?;
                    }
                }
                "message_created" => {
                    if let Some(message) = &update.message {
                        on_message(&app, conn, &APPEALS, message)?;
                    }
                }
                _ => {}
            }
            Ok(true)
        })
        .await?;
    if handled {
        crate::jobs::wake();
    }
    Ok(HttpResponse::Ok().json(MaxAck { ok: true }))
}
