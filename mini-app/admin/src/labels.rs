//! Human labels for the codes the administration screens receive (outbox statuses, event
//! types, audit actions and object types, roles): nobody reads «pending» or
//! «appeal.created»; an unknown code is shown as it is so nothing disappears.

use shared::users::Role;

use crate::strings as s;

/// `(value, text)` of the event types a subscription can take.
pub const EVENTS: [(&str, &str); 10] = [
    ("appeal.created", s::EVENT_CREATED),
    ("appeal.answered", s::EVENT_ANSWERED),
    ("appeal.clarification_requested", s::EVENT_CLARIFICATION),
    ("appeal.follow_up", s::EVENT_FOLLOW_UP),
    ("appeal.escalated", s::EVENT_ESCALATED),
    ("appeal.transferred", s::EVENT_TRANSFERRED),
    ("appeal.withdrawn", s::EVENT_WITHDRAWN),
    ("appeal.rated", s::EVENT_RATED),
    ("appeal.closed", s::EVENT_CLOSED),
    ("appeal.overdue", s::EVENT_OVERDUE),
];

/// What the audit log's actions mean.
const ACTIONS: [(&str, &str); 47] = [
    ("api_key.create", "Создан API-ключ"),
    ("api_key.revoke", "Отозван API-ключ"),
    ("appeal.answer", "Ответ на обращение"),
    ("appeal.assign", "Обращение взято в работу"),
    ("appeal.bot_grade", "Оценка ответа бота"),
    ("appeal.clarify", "Уточняющий вопрос"),
    ("appeal.close", "Обращение закрыто"),
    ("appeal.control", "Поставлено на контроль"),
    ("appeal.control_released", "Снято с контроля"),
    ("appeal.create_on_behalf", "Обращение от имени учителя"),
    ("appeal.expire", "Обращение закрыто по сроку"),
    ("appeal.note", "Внутренняя заметка"),
    ("appeal.transfer", "Передано в другой регион"),
    ("calendar.import", "Загружен календарь"),
    ("campaign.cancel", "Рассылка отменена"),
    ("campaign.create", "Рассылка создана"),
    ("campaign.update", "Рассылка изменена"),
    ("kb.article.create", "Статья создана"),
    ("kb.article.update", "Статья изменена"),
    ("kb.synonyms.replace", "Синонимы заменены"),
    ("kb.variant.confirm", "Вариант вопроса принят"),
    ("kb.variant.reject", "Вариант вопроса отклонён"),
    ("outbox.retry", "Уведомление отправлено повторно"),
    ("promo.create", "Создан промокод"),
    ("user.consent", "Согласие дано"),
    ("user.consent.decline", "Согласие отозвано"),
    ("user.create", "Пользователь создан"),
    ("user.erase", "Данные пользователя удалены"),
    ("user.invite", "Отправлено приглашение"),
    ("user.invite.accept", "Приглашение принято"),
    ("user.max_link", "Привязан аккаунт MAX"),
    ("user.password.reset", "Пароль восстановлен"),
    (
        "user.password.reset_request",
        "Запрошено восстановление пароля",
    ),
    ("user.password_change", "Пароль изменён"),
    ("user.recovery_codes.renew", "Новые коды восстановления"),
    ("user.totp.enable", "Подключён второй фактор"),
    ("user.totp.reset", "Сброшен второй фактор"),
    ("user.update", "Пользователь изменён"),
    ("user.verification.confirm", "Учитель подтверждён"),
    ("user.verification.esia", "Подтверждение через Госуслуги"),
    ("user.verification.reject", "Подтверждение отклонено"),
    ("user.verification.request", "Запрошено подтверждение"),
    ("user.verification.reset", "Подтверждение сброшено"),
    ("webhook.create", "Вебхук создан"),
    ("webhook.delete", "Вебхук удалён"),
    ("webhook.rotate_secret", "Секрет вебхука сменён"),
    ("user.login", "Вход"),
];

/// What the audit log's object types are.
const OBJECTS: [(&str, &str); 10] = [
    ("user", "пользователь"),
    ("api_key", "API-ключ"),
    ("appeal", "обращение"),
    ("article", "статья"),
    ("webhook", "вебхук"),
    ("campaign", "рассылка"),
    ("calendar", "календарь"),
    ("outbox", "уведомление"),
    ("promo", "промокод"),
    ("variant", "вариант вопроса"),
];

fn find(table: &[(&'static str, &'static str)], code: &str) -> String {
    table
        .iter()
        .find(|(c, _)| *c == code)
        .map_or_else(|| code.to_owned(), |(_, text)| (*text).to_owned())
}

/// An event type in words («Новое обращение»).
#[must_use]
pub fn event(code: &str) -> String {
    if code == "ping" {
        return "Проверка связи".to_owned();
    }
    find(&EVENTS, code)
}

/// An audit action in words («Пользователь создан»).
#[must_use]
pub fn action(code: &str) -> String {
    find(&ACTIONS, code)
}

/// The audit actions as `(code, text)` choices for the filter.
#[must_use]
pub fn action_choices() -> Vec<(String, String)> {
    let mut list: Vec<(String, String)> = ACTIONS
        .iter()
        .map(|(c, t)| ((*c).to_owned(), (*t).to_owned()))
        .collect();
    list.sort_by(|a, b| a.1.cmp(&b.1));
    list
}

/// An audit object type in words («пользователь»).
#[must_use]
pub fn object(code: &str) -> String {
    find(&OBJECTS, code)
}

/// A role in words («Оператор»).
#[must_use]
pub fn role(code: &str) -> String {
    Role::parse(code).map_or_else(|| code.to_owned(), |r| r.title().to_owned())
}

/// An outbox or delivery status in words («Ожидает»).
#[must_use]
pub fn status(code: &str) -> String {
    match code {
        "pending" => "Ожидает",
        "delivering" => "Отправляется",
        "done" => "Доставлено",
        "dead" => "Отказ",
        other => other,
    }
    .to_owned()
}
