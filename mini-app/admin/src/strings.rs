//! Russian text of the administration module's screens.

pub const TAB_USERS: &str = "Пользователи";
pub const TAB_KEYS: &str = "API-ключи";
pub const TAB_WEBHOOKS: &str = "Вебхуки";
pub const TAB_OUTBOX: &str = "Очередь";
pub const TAB_AUDIT: &str = "Журнал";
pub const TABS: &str = "Разделы";
