//! What the bot says: messages as they wait in the outbox ([`BotMessage`]) and the Russian
//! texts of every notice. Buttons that open the mini-app are stored without its address,
//! which is filled in when the message is sent (`MINI_APP_URL` may change meanwhile).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use shared::appeals::{Appeal, AppealStatus, CloseReason};

use super::clip;

/// The Bot API's limit on a message text, in characters.
pub const MAX_TEXT_CHARS: usize = 4000;

/// A button of an inline keyboard, as stored in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ButtonSpec {
    /// Sends `payload` back to the bot as a `message_callback`.
    Callback {
        /// Label.
        text: String,
        /// Callback payload, e.g. `rate:<appeal>:<score>`.
        payload: String,
    },
    /// Opens the mini-app; `start` becomes its `start_param` (e.g. `appeal-<id>`).
    OpenApp {
        /// Label.
        text: String,
        /// Deep link inside the mini-app.
        start: Option<String>,
    },
}

/// A message to one MAX user, as stored in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BotMessage {
    /// The MAX user id (`users.max_user_id`).
    pub user_id: i64,
    /// Plain text (cut to the API's limit when sent).
    pub text: String,
    /// Keyboard rows.
    #[serde(default)]
    pub buttons: Vec<Vec<ButtonSpec>>,
}

impl BotMessage {
    /// The JSON body of `POST /messages`: text and an `inline_keyboard` attachment.
    #[must_use]
    pub fn to_body(&self, mini_app_url: &str) -> Value {
        let mut body = json!({ "text": clip(&self.text, MAX_TEXT_CHARS) });
        let rows: Vec<Vec<Value>> = self
            .buttons
            .iter()
            .filter(|row| !row.is_empty())
            .map(|row| {
                row.iter()
                    .map(|button| match button {
                        ButtonSpec::Callback { text, payload } => {
                            json!({ "type": "callback", "text": text, "payload": payload })
                        }
                        ButtonSpec::OpenApp { text, start } => {
                            let mut b = json!({ "type": "open_app", "text": text, "web_app": mini_app_url });
                            if let Some(start) = start {
                                b["payload"] = json!(start);
                            }
                            b
                        }
                    })
                    .collect()
            })
            .collect();
        if !rows.is_empty() {
            body["attachments"] =
                json!([{ "type": "inline_keyboard", "payload": { "buttons": rows } }]);
        }
        body
    }
}

/// Payload of a rating button: `rate:<appeal>:<score>`.
#[must_use]
pub fn rate_payload(appeal_id: &str, score: u8) -> String {
    format!("rate:{appeal_id}:{score}")
}

/// Parses a rating button's payload into the appeal id and a score 1–5.
#[must_use]
pub fn parse_rate_payload(payload: &str) -> Option<(String, u8)> {
    let rest = payload.strip_prefix("rate:")?;
    let (appeal, score) = rest.rsplit_once(':')?;
    let score: u8 = score.parse().ok()?;
    let id_ok = !appeal.is_empty()
        && appeal.len() <= 64
        && appeal
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    (id_ok && (1..=5).contains(&score)).then(|| (appeal.to_owned(), score))
}

/// The mini-app deep link of an appeal (what the teacher app's router understands).
#[must_use]
pub fn appeal_start(appeal_id: &str) -> String {
    format!("appeal-{appeal_id}")
}

fn open_appeal(appeal_id: &str) -> Vec<ButtonSpec> {
    vec![ButtonSpec::OpenApp {
        text: "Открыть обращение".to_owned(),
        start: Some(appeal_start(appeal_id)),
    }]
}

fn open_app(text: &str, start: Option<&str>) -> Vec<ButtonSpec> {
    vec![ButtonSpec::OpenApp {
        text: text.to_owned(),
        start: start.map(str::to_owned),
    }]
}

fn rating_row(appeal_id: &str) -> Vec<ButtonSpec> {
    (1..=5)
        .map(|score| ButtonSpec::Callback {
            text: score.to_string(),
            payload: rate_payload(appeal_id, score),
        })
        .collect()
}

fn excerpt(text: &str) -> String {
    clip(&text.split_whitespace().collect::<Vec<_>>().join(" "), 120)
}

/// The decision on a teacher's verification (an operator's, an administrator's or
/// ESIA's), with the refusal's reason.
#[must_use]
pub fn verification_notice(user_id: i64, confirmed: bool, reason: Option<&str>) -> BotMessage {
    let text = if confirmed {
        "Статус учителя подтверждён. Теперь вы можете задавать вопросы.".to_owned()
    } else {
        format!(
            "Заявка на подтверждение статуса отклонена.\nПричина: {}\n\nИсправьте данные и \
             отправьте заявку снова или подтвердите статус через Госуслуги.",
            reason.unwrap_or("не указана")
        )
    };
    BotMessage {
        user_id,
        text,
        buttons: vec![open_app(
            if confirmed {
                "Задать вопрос"
            } else {
                "Открыть профиль"
            },
            Some(if confirmed { "ask" } else { "profile" }),
        )],
    }
}

/// The greeting after «Начать» (`bot_started`).
#[must_use]
pub fn greeting(user_id: i64) -> BotMessage {
    BotMessage {
        user_id,
        text: "Здравствуйте! Я «Помощник»: отвечаю учителям на вопросы о документах и \
               отчётности.\n\nНапишите вопрос прямо сюда или откройте приложение: там ответы \
               из базы знаний, история ваших обращений и оценки ответов."
            .to_owned(),
        buttons: vec![open_app("Открыть «Помощник»", None)],
    }
}

/// The reply to a message from someone who may not ask yet.
#[must_use]
pub fn verification_needed(user_id: i64) -> BotMessage {
    BotMessage {
        user_id,
        text: "Задавать вопросы могут подтверждённые учителя. Откройте приложение, войдите \
               и подтвердите, что вы учитель: через Госуслуги или заявкой с названием школы — \
               её проверит оператор вашего региона. Готовые ответы из базы знаний доступны \
               и без подтверждения."
            .to_owned(),
        buttons: vec![open_app("Подтвердить в приложении", Some("profile"))],
    }
}

/// The reply to thanks or a greeting alone: polite, short, and no appeal.
#[must_use]
pub fn courtesy_reply(user_id: i64) -> BotMessage {
    BotMessage {
        user_id,
        text: "Пожалуйста! Если появится вопрос о документах или отчётности, напишите его \
               сюда — отвечу сразу или передам специалисту вашего региона."
            .to_owned(),
        buttons: Vec::new(),
    }
}

/// The reply to a message from staff (they work in the app, not in the chat).
#[must_use]
pub fn staff_use_app(user_id: i64) -> BotMessage {
    BotMessage {
        user_id,
        text: "Вопросы через бота задают учителя. Обращения вашего региона — в приложении."
            .to_owned(),
        buttons: vec![open_app("Открыть «Помощник»", None)],
    }
}

/// The reply to a question that does not pass the rules (too short, no words…).
#[must_use]
pub fn question_rejected(user_id: i64, reason: &str) -> BotMessage {
    BotMessage {
        user_id,
        text: format!("{reason} Напишите вопрос ещё раз."),
        buttons: Vec::new(),
    }
}

/// Used while questions from the chat are not yet turned into appeals: points to the app.
#[must_use]
pub fn ask_in_app(user_id: i64) -> BotMessage {
    BotMessage {
        user_id,
        text: "Спасибо! Чтобы задать вопрос, откройте приложение: там вы увидите ответ и \
               сможете следить за обращением."
            .to_owned(),
        buttons: vec![open_app("Задать вопрос", None)],
    }
}

/// The reply to a question asked in the chat, once it is an appeal: the knowledge base's
/// answer with rating buttons, or the routing notice with the deadline (local time).
#[must_use]
pub fn submitted_reply(user_id: i64, appeal: &Appeal, deadline_local: Option<&str>) -> BotMessage {
    let answer = appeal.answers.last();
    match (appeal.status, answer) {
        (AppealStatus::AnsweredByBot, Some(answer)) => BotMessage {
            user_id,
            text: format!(
                "{}\n\nОтвет из проверенной базы знаний. Помог ли он? Оцените от 1 до 5.",
                clip(&answer.text, MAX_TEXT_CHARS - 200)
            ),
            buttons: vec![rating_row(&appeal.id), open_appeal(&appeal.id)],
        },
        _ => BotMessage {
            user_id,
            text: match deadline_local {
                Some(deadline) => format!(
                    "Вопрос № {} принят и передан оператору региона «{}». Ответ придёт сюда \
                     не позже {deadline}.",
                    appeal.number, appeal.region.name
                ),
                None => format!(
                    "Вопрос № {} принят и передан оператору региона «{}». Ответ придёт сюда.",
                    appeal.number, appeal.region.name
                ),
            },
            buttons: vec![open_appeal(&appeal.id)],
        },
    }
}

/// An operator answered: the answer, rating buttons and the appeal button.
#[must_use]
pub fn answer_notice(user_id: i64, appeal: &Appeal, answer_text: &str) -> BotMessage {
    BotMessage {
        user_id,
        text: format!(
            "Оператор ответил на ваш вопрос № {} «{}»:\n\n{}\n\nОцените ответ от 1 до 5.",
            appeal.number,
            excerpt(&appeal.text),
            clip(answer_text, MAX_TEXT_CHARS - 400)
        ),
        buttons: vec![rating_row(&appeal.id), open_appeal(&appeal.id)],
    }
}

/// An operator asked a clarifying question.
#[must_use]
pub fn clarification_notice(user_id: i64, appeal: &Appeal, question: Option<&str>) -> BotMessage {
    let text = match question {
        Some(q) => format!(
            "Нужен ваш ответ. Оператор уточняет ваш вопрос № {} «{}»:\n\n{}\n\nОтветьте в приложении — до ответа срок не идёт.",
            appeal.number,
            excerpt(&appeal.text),
            clip(q, MAX_TEXT_CHARS - 400)
        ),
        None => format!(
            "Нужен ваш ответ. Оператор уточняет ваш вопрос № {} «{}». Ответьте в приложении — до ответа срок не идёт.",
            appeal.number,
            excerpt(&appeal.text)
        ),
    };
    BotMessage {
        user_id,
        text,
        buttons: vec![open_appeal(&appeal.id)],
    }
}

/// An operator closed the appeal (off-topic, duplicate, spam).
#[must_use]
pub fn closed_notice(user_id: i64, appeal: &Appeal) -> BotMessage {
    let reason = match appeal.close_reason {
        Some(CloseReason::OffTopic) => "вопрос не относится к документационной нагрузке",
        Some(CloseReason::Duplicate) => "такой вопрос уже задан",
        Some(CloseReason::Spam) => "сообщение признано спамом",
        Some(CloseReason::Withdrawn) => "вы отозвали вопрос",
        Some(CloseReason::Expired) => "14 дней без оценки и новых сообщений",
        Some(CloseReason::Rated | CloseReason::SelfServed) | None => "работа по нему завершена",
    };
    let mut text = format!(
        "Обращение № {} «{}» закрыто: {reason}.",
        appeal.number,
        excerpt(&appeal.text)
    );
    if let Some(note) = appeal
        .close_note
        .as_deref()
        .filter(|n| !n.trim().is_empty())
    {
        text.push_str("\n\nКомментарий оператора: ");
        text.push_str(&clip(note, 2000));
    }
    BotMessage {
        user_id,
        text,
        buttons: vec![open_appeal(&appeal.id)],
    }
}

/// The appeal moved to another region.
#[must_use]
pub fn transferred_notice(
    user_id: i64,
    appeal: &Appeal,
    deadline_local: Option<&str>,
) -> BotMessage {
    let mut text = format!(
        "Ваш вопрос № {} «{}» передан в регион «{}»: там на него ответят.",
        appeal.number,
        excerpt(&appeal.text),
        appeal.region.name
    );
    if let Some(deadline) = deadline_local {
        text.push_str(&format!(" Срок ответа — {deadline}."));
    }
    BotMessage {
        user_id,
        text,
        buttons: vec![open_appeal(&appeal.id)],
    }
}

/// To an operator: the region's leadership put the appeal «На контроль» with `comment`
/// (staff work in the app, so no button opens the teacher's screen).
#[must_use]
pub fn control_notice(user_id: i64, appeal: &Appeal, comment: &str) -> BotMessage {
    BotMessage {
        user_id,
        text: format!(
            "Обращение № {} «{}» поставлено на контроль руководством:\n\n{}",
            appeal.number,
            excerpt(&appeal.text),
            clip(comment, 2000)
        ),
        buttons: Vec::new(),
    }
}

/// The 96-hour rating reminder.
#[must_use]
pub fn rating_reminder(user_id: i64, appeal_id: &str, question: &str) -> BotMessage {
    BotMessage {
        user_id,
        text: format!(
            "Несколько дней назад вы получили ответ на вопрос «{}». Он помог? Оцените ответ \
             от 1 до 5 — это займёт секунду и поможет сделать ответы лучше.",
            excerpt(question)
        ),
        buttons: vec![rating_row(appeal_id), open_appeal(appeal_id)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_payload_round_trip_and_garbage() {
        assert_eq!(
            parse_rate_payload(&rate_payload("abc123", 4)),
            Some(("abc123".to_owned(), 4))
        );
        for bad in [
            "rate:abc:0",
            "rate:abc:6",
            "rate::3",
            "rate:a b:3",
            "vote:abc:3",
            "rate:abc",
        ] {
            assert_eq!(parse_rate_payload(bad), None, "{bad}");
        }
    }

    #[test]
    fn body_has_text_limit_and_keyboard() {
        let message = rating_reminder(7, "ap1", &"вопрос ".repeat(100));
        let body = message.to_body("https://max.ru/pomoshnik_bot");
        let rows = &body["attachments"][0]["payload"]["buttons"];
        assert_eq!(body["attachments"][0]["type"], "inline_keyboard");
        assert_eq!(rows[0].as_array().map(Vec::len), Some(5));
        assert_eq!(rows[0][4]["payload"], "rate:ap1:5");
        assert_eq!(rows[1][0]["type"], "open_app");
        assert_eq!(rows[1][0]["web_app"], "https://max.ru/pomoshnik_bot");
        assert_eq!(rows[1][0]["payload"], "appeal-ap1");
        let long = BotMessage {
            user_id: 1,
            text: "я".repeat(5000),
            buttons: Vec::new(),
        };
        let body = long.to_body("x");
        assert_eq!(body["text"].as_str().map(|t| t.chars().count()), Some(4000));
        assert!(body.get("attachments").is_none());
    }
}
