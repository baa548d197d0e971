//! Russian text of the supervisor module's screens.

pub const TAB_DASHBOARD: &str = "Сводка";
pub const TAB_REGIONS: &str = "Субъекты РФ";
pub const TAB_OPERATORS: &str = "Операторы";
pub const TAB_KB: &str = "База знаний";
pub const TAB_PROPOSALS: &str = "Предложения";
pub const TAB_VARIANTS: &str = "Варианты вопросов";
pub const TAB_CALENDAR: &str = "Календарь";
pub const TAB_SYNONYMS: &str = "Синонимы";
pub const TABS: &str = "Разделы";
pub const PERIOD: &str = "Период";
pub const DAYS_7: &str = "7 дней";
pub const DAYS_30: &str = "30 дней";
pub const DAYS_90: &str = "90 дней";
pub const YEAR: &str = "Год";

// The synonyms editor.
pub const SYNONYMS_TITLE: &str = "Синонимы и сокращения";
pub const SYNONYMS_LEAD: &str = "Словарь поиска ответов: по строке на слово — «слово = значение; ещё значение». Сохраняется целиком, поиск сразу начинает его учитывать.";
pub const SYNONYMS_DICTIONARY: &str = "Словарь";
pub const SYNONYMS_SAVE: &str = "Сохранить словарь";

/// After saving the dictionary: how many entries the server kept.
#[must_use]
pub fn synonyms_saved(n: usize) -> String {
    format!("Сохранено записей: {n}.")
}

// The version history of an article.
pub const FIELD_TITLE: &str = "Заголовок";
pub const FIELD_QUESTION: &str = "Вопрос";
pub const FIELD_VARIANTS: &str = "Варианты";
pub const FIELD_ANSWER: &str = "Ответ";
pub const FIELD_LEGAL_REFS: &str = "Нормативные ссылки";
pub const FIELD_TAGS: &str = "Теги";
pub const FIELD_STATUS: &str = "Статус";
pub const VERSIONS_SAME: &str = "Версии совпадают.";
pub const HISTORY_TITLE: &str = "История версий";
pub const HISTORY_FROM: &str = "Было";
pub const HISTORY_TO: &str = "Стало";

/// One version in the pickers: its number and date.
#[must_use]
pub fn version_option(number: i64, date: &str) -> String {
    format!("Версия {number} — {date}")
}
