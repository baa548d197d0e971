//! Russian text of the supervisor module's screens.

pub const TAB_DASHBOARD: &str = "Сводка";
pub const TAB_APPEALS: &str = "Обращения";
pub const TAB_REGIONS: &str = "Субъекты РФ";
pub const TAB_OPERATORS: &str = "Операторы";
pub const TAB_KB: &str = "База знаний";
pub const TAB_PROPOSALS: &str = "Предложения";
pub const TAB_VARIANTS: &str = "Варианты вопросов";
pub const TAB_CALENDAR: &str = "Календарь";
pub const TAB_SYNONYMS: &str = "Синонимы";
pub const TABS: &str = "Разделы";
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

// The production calendar.
pub const MONTHS: [&str; 12] = [
    "Январь",
    "Февраль",
    "Март",
    "Апрель",
    "Май",
    "Июнь",
    "Июль",
    "Август",
    "Сентябрь",
    "Октябрь",
    "Ноябрь",
    "Декабрь",
];
pub const WEEKDAYS: [&str; 7] = ["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"];
pub const DAY_OFF: &str = "выходной";
pub const DAY_SHORTENED: &str = "сокращённый рабочий день";
pub const DAY_WORKING_WEEKEND: &str = "рабочий выходной (перенос)";
pub const DAY_WORKING: &str = "рабочий день";
pub const LEGEND_SHORTENED: &str = "сокращённый";
pub const LEGEND_WORKING_WEEKEND: &str = "рабочий выходной";
pub const LEGEND_MOVED: &str = "перенесённый";
pub const CALENDAR_PICK_FILE: &str = "Выберите файл календаря (XML).";
pub const CALENDAR_FILE_UNREADABLE: &str = "Не удалось прочитать файл.";
pub const CALENDAR_FEDERAL: &str = "Федеральный";
pub const CALENDAR_TITLE: &str = "Производственный календарь";
pub const CALENDAR_WHICH: &str = "Календарь";
pub const CALENDAR_IMPORT_HINT: &str = "Файл в формате xmlcalendar. Если выше выбран регион, файл станет его дополнением к федеральному календарю. Загруженный календарь заменяет прежний и сразу влияет на сроки.";
pub const CALENDAR_FILE: &str = "Файл XML";
pub const CALENDAR_IMPORT: &str = "Загрузить";

/// A day's title when it was moved from another date.
#[must_use]
pub fn day_moved_from(title: &str, from: &str) -> String {
    format!("{title}; перенесён с {from}")
}

/// The year's counts above the grids.
#[must_use]
pub fn calendar_summary(working: usize, shortened: usize, off: usize) -> String {
    format!(
        "Рабочих дней: {working}, из них сокращённых: {shortened}; выходных и праздничных: {off}."
    )
}

/// After a successful import.
#[must_use]
pub fn calendar_imported(year: i32) -> String {
    format!("Календарь {year} года загружен.")
}

/// The import form's heading.
#[must_use]
pub fn calendar_import_title(year: i32) -> String {
    format!("Загрузить календарь на {year} год")
}

// The knowledge base: the article list, the editor, the proposals and variants queues.
pub const STATUS_DRAFT: &str = "черновик";
pub const STATUS_PUBLISHED: &str = "опубликована";
pub const STATUS_ARCHIVED: &str = "в архиве";
pub const KB_EMPTY: &str = "Статей нет.";
pub const KB_FILTER_PUBLISHED: &str = "Опубликованные";
pub const KB_FILTER_DRAFTS: &str = "Черновики";
pub const KB_FILTER_ARCHIVE: &str = "Архив";
pub const KB_SEARCH: &str = "Поиск по опубликованным";
pub const KB_FIND: &str = "Найти";
pub const EDITOR_VARIANTS: &str = "Другие формулировки вопроса";
pub const EDITOR_LEGAL_REFS: &str = "Нормативные документы";
/// The hint under a list of feminine items (wordings).
pub const HINT_ONE_PER_LINE_F: &str = "По одной в строке.";
pub const HINT_ONE_PER_LINE: &str = "По одному в строке.";
pub const HINT_PARAGRAPHS: &str = "Абзацы разделяйте пустой строкой.";
pub const EDITOR_SAVE: &str = "Сохранить";
pub const EDITOR_SAVE_PUBLISH: &str = "Сохранить и опубликовать";
pub const EDITOR_ARCHIVE: &str = "В архив";
pub const EDITOR_BACK: &str = "← Все статьи";
pub const EDITOR_TITLE: &str = "Статья";
pub const EDITOR_SAVED: &str = "Изменения сохранены.";
pub const EDITOR_PUBLISHED: &str = "Статья опубликована: бот отвечает ею сразу.";
pub const EDITOR_ARCHIVED: &str = "Статья в архиве.";
pub const PREVIEW: &str = "Предпросмотр";
pub const PREVIEW_LEAD: &str = "Так статью увидит учитель";
pub const SIMILAR_NONE: &str = "Похожих нет.";
pub const SIMILAR_TITLE: &str = "Похожие опубликованные";
pub const PUBLISH: &str = "Опубликовать";
pub const EDIT: &str = "Редактировать";
pub const REJECT: &str = "Отклонить";
pub const CONFIRM: &str = "Подтвердить";
pub const PICK: &str = "Выбрать";
pub const VARIANT_ARTICLE: &str = "Статья:";
pub const CONFIRM_PICKED: &str = "Подтвердить выбранные";
pub const REJECT_PICKED: &str = "Отклонить выбранные";
pub const PROPOSALS_EMPTY: &str = "Новых предложений нет.";
pub const VARIANTS_EMPTY: &str = "Новых вариантов нет.";
pub const BULK_CONFIRMED: &str = "Подтверждено";
pub const BULK_REJECTED: &str = "Отклонено";
pub const VARIANT_CONFIRMED: &str = "Вариант подтверждён.";
pub const VARIANT_REJECTED: &str = "Вариант отклонён.";
pub const PROPOSALS_TITLE: &str = "Предложения операторов";
pub const PROPOSALS_LEAD: &str = "Ответы операторов, предложенные в базу знаний. Сверьте с похожими статьями, чтобы не завести дубль.";
pub const VARIANTS_LEAD: &str = "Так учителя формулировали вопросы, на которые ответила статья. Подтверждённый вариант помогает боту узнавать такие вопросы.";

/// An article's status line: its badge (HTML), version and id (escaped).
#[must_use]
pub fn article_meta(badge: &str, version: i32, id: &str) -> String {
    format!("{badge} · версия {version} · {id}")
}

/// After a bulk decision: `what` is [`BULK_CONFIRMED`] or [`BULK_REJECTED`].
#[must_use]
pub fn variants_decided(what: &str, n: usize) -> String {
    format!("{what} вариантов: {n}.")
}

/// A proposal published.
#[must_use]
pub fn proposal_published(title: &str) -> String {
    format!("Опубликовано: «{title}».")
}

/// A proposal rejected into the archive.
#[must_use]
pub fn proposal_rejected(title: &str) -> String {
    format!("Отклонено и убрано в архив: «{title}».")
}
