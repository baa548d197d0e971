//! Russian text of the administration module's screens.

pub const TAB_USERS: &str = "Пользователи";
pub const TAB_KEYS: &str = "API-ключи";
pub const TAB_WEBHOOKS: &str = "Вебхуки";
pub const TAB_OUTBOX: &str = mini_app_client::words::OUTBOX;
pub const TAB_AUDIT: &str = "Журнал";
pub const TABS: &str = "Разделы";

// --- webhooks ------------------------------------------------------------------------------

pub const EVENT_CREATED: &str = "Новое обращение";
pub const EVENT_ANSWERED: &str = "Ответ на обращение";
pub const EVENT_RATED: &str = "Оценка ответа";
pub const EVENT_OVERDUE: &str = "Просрочка";
pub const EVENT_CLARIFICATION: &str = "Уточняющий вопрос оператора";
pub const EVENT_FOLLOW_UP: &str = "Учитель написал снова";
pub const EVENT_ESCALATED: &str = "Передано операторам";
pub const EVENT_TRANSFERRED: &str = "Передано в другой регион";
pub const EVENT_WITHDRAWN: &str = "Отозвано учителем";
pub const EVENT_CLOSED: &str = "Закрыто";
pub const PING: &str = "Проверить";
pub const DELIVERIES: &str = "Доставки";
pub const ROTATE: &str = "Сменить секрет";
pub const DELETE: &str = "Удалить";
pub const NO_WEBHOOKS: &str = "Подписок нет.";
pub const DELIVERIES_CAPTION: &str = "Последние доставки";
pub const DELIVERIES_HEADS: [&str; 6] = [
    "Когда",
    "Событие",
    "Статус",
    "Попыток",
    "Код ответа",
    "Ошибка",
];
pub const URL_REQUIRED: &str = "Укажите адрес получателя.";
pub const EVENTS_REQUIRED: &str = "Отметьте хотя бы одно событие.";
pub const WEBHOOK_CREATED_SECRET: &str = "Подписка создана. Секрет для проверки подписи:";
pub const ROTATED_SECRET: &str = "Новый секрет (прежний действует ещё сутки):";
pub const PING_QUEUED: &str = "Тестовое событие поставлено в очередь.";
pub const NEW_WEBHOOK: &str = "Новая подписка";
pub const WEBHOOK_URL: &str = "Адрес получателя";
pub const EVENTS: &str = "События";
pub const SUBSCRIBE: &str = "Подписать";

/// The line under a subscription's address (the values already escaped).
pub fn webhook_meta(events: &str, regions: &str, created: &str) -> String {
    format!("события: {events} · регионы: {regions} · создана {created}")
}

/// Until when the secret before the last rotation still signs (the time already escaped).
pub fn previous_secret_until(time: &str) -> String {
    format!(" · прежний секрет действует до {time}")
}

/// A table with no rows.
pub fn no_records(caption: &str) -> String {
    format!("{caption}: записей нет.")
}

// --- the outbox ----------------------------------------------------------------------------

pub const RETRY: &str = "Повторить";
pub const RETRY_SENT: &str = "Отправлено на повтор.";
pub const OUTBOX_CAPTION: &str = "Исходящие уведомления";
pub const OUTBOX_HEADS: [&str; 7] = [
    "Создано",
    "Куда",
    "Статус",
    "Попыток",
    "Следующая попытка",
    "Ошибка",
    "",
];
pub const OUTBOX_TITLE: &str = "Отправка уведомлений";
pub const STATUS: &str = "Статус";
pub const STATUS_ANY: &str = "Ожидают, отправляются и отказ";
pub const STATUS_PENDING: &str = "Ожидают";
pub const STATUS_DELIVERING: &str = "Отправляются";
pub const STATUS_DEAD: &str = "Отказ (попытки исчерпаны)";

// --- API keys ------------------------------------------------------------------------------

pub const KEY_NEVER_USED: &str = "не использовался";
pub const KEY_ACTIVE: &str = "действует";
pub const REVOKE: &str = "Отозвать";
pub const NO_KEYS: &str = "Ключей нет.";
pub const KEY_NAME_REQUIRED: &str = "Назовите ключ.";
pub const NEW_KEY: &str = "Новый ключ";
pub const KEY_NAME: &str = "Название (кто и зачем)";
pub const CREATE_KEY: &str = "Создать ключ";
pub const KEY_CREATED: &str = "Ключ создан. Передайте его интегратору:";
pub const KEY_PERMISSIONS: &str = "Разрешения";
pub const PERMISSIONS_REQUIRED: &str = "Отметьте хотя бы одно разрешение.";
/// The permissions a key may be given, with what they mean (the first two are ticked).
pub const PERMISSIONS: [(&str, &str); 3] = [
    ("appeals:read", "читать обращения своих регионов"),
    ("stats:read", "читать статистику своих регионов"),
    ("appeals:create", "создавать обращения от имени учителей"),
];

/// The badge of a revoked key (the time already escaped).
pub fn key_revoked_at(time: &str) -> String {
    format!("отозван {time}")
}

/// The line under a key's name (the values already escaped).
pub fn key_meta(prefix: &str, regions: &str, created: &str, used: &str) -> String {
    format!("{prefix}… · регионы: {regions} · создан {created} · последнее использование: {used}")
}

/// The second line under a key's name: permissions and creator (the values already escaped).
pub fn key_grants(permissions: &str, creator: &str) -> String {
    format!("разрешения: {permissions} · создал: {creator}")
}

// --- the audit log -------------------------------------------------------------------------

pub const SYSTEM: &str = "система";
pub const NO_AUDIT: &str = "Записей нет.";
pub const AUDIT_TITLE: &str = "Журнал действий";
pub const AUDIT_HEADS: [&str; 6] = ["Когда", "Кто", "Действие", "Объект", "Было", "Стало"];
pub const AU_ACTOR: &str = "Сотрудник (номер из раздела «Пользователи»)";
pub const AU_ACTION: &str = "Действие";
pub const AU_ACTION_ANY: &str = "Все действия";
pub const AU_OBJECT: &str = "Тип объекта";
pub const AU_OBJECT_HINT: &str =
    "Например, user (пользователь), api_key (API-ключ), article (статья).";
pub const AU_OBJECT_ID: &str = "Id объекта";
pub const AU_FROM: &str = "С даты";
pub const AU_TO: &str = "По дату";
pub const SHOW: &str = "Показать";
pub const SHOW_MORE: &str = "Показать ещё";
pub const TOTP_RESET: &str = "Сбросить второй фактор";
pub const TOTP_RESET_DONE: &str =
    "Второй фактор сброшен, сеансы завершены: при входе сотрудник подключит его заново.";
