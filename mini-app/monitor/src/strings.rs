//! Russian text of the statistics screens.

pub const TAB_DASHBOARD: &str = "Сводка";
pub const TAB_REGIONS: &str = "Субъекты РФ";
pub const TAB_OPERATORS: &str = "Операторы";
pub const FIELD_STATUS: &str = "Статус";
pub const PERIOD: &str = "Период";
pub const DAYS_7: &str = "7 дней";
pub const DAYS_30: &str = "30 дней";
pub const DAYS_90: &str = "90 дней";
pub const YEAR: &str = "Год";

// The dashboard: tiles, charts, reports, the regions and operators tables.
pub const TILE_RECEIVED: &str = "Обращений за период";
pub const TILE_BY_BOT: &str = "Ответил бот";
pub const TILE_SELF_SERVED: &str = "Нашли ответ сами";
pub const TILE_BY_OPERATORS: &str = "Ответили операторы";
pub const TILE_OPEN: &str = "Ждут ответа сейчас";
pub const TILE_OVERDUE: &str = "Просрочено сейчас";
pub const TILE_DUE_TODAY: &str = "Срок сегодня";
pub const TILE_UNREAD: &str = "Никто не открыл";
pub const TILE_RATING: &str = "Средняя оценка";
pub const TILE_RATING_BOT: &str = "Оценка ответов бота";
pub const TILE_RATING_OPERATORS: &str = "Оценка ответов операторов";
pub const TILE_BOT_HELPFUL: &str = "«Помогло» у бота";
pub const MEDIAN_HOURS: &str = "Медиана ответа, ч";
pub const TILE_WITHIN_SLA: &str = "Ответы в срок";
pub const TILE_BOT_SHARE: &str = "Доля ответов бота";
pub const TILE_BOT_ACCURACY: &str = "Точность бота";
pub const TILE_ESCALATION: &str = "Вернулись к людям";
pub const SOURCE_BOT: &str = "Бот";
pub const SOURCE_SELF: &str = "Сами";
pub const WHO_ANSWERED: &str = "Кто ответил";
pub const NO_RATINGS: &str = "Оценок за период нет.";
pub const RATING_BY_REGION: &str = "Средняя оценка по регионам";
pub const APPEALS_OVER_TIME: &str = "Обращения по времени";
pub const DATA_TABLE: &str = "Таблица данных";
pub const SERIES_COLUMNS: [&str; 5] = ["Период", "Поступило", "Отвечено", "Просрочено", "Оценка"];
pub const DOWNLOAD_XLSX: &str = "Скачать XLSX";
pub const DOWNLOAD_CSV: &str = "Скачать CSV";
pub const WHOLE_SCOPE: &str = "Вся зона";
pub const ALL_STATUSES: &str = "Все";
pub const REPORT_TITLE: &str = "Отчёт за период";
pub const REPORT_LEAD: &str = "Обращения вашей зоны: регион, автор, даты, срок, статус, источник ответа, оценка. В XLSX — ещё лист со сводкой по регионам.";
pub const REGION: &str = "Регион";
pub const COL_DISTRICT: &str = "Округ";
pub const COL_RECEIVED: &str = "Обращений";
pub const COL_OPEN: &str = "Ждут ответа";
pub const COL_OVERDUE: &str = "Просрочено";
pub const COL_ANSWERED: &str = "Отвечено";
pub const COL_WITHIN_SLA: &str = "В срок";
pub const COL_RATING: &str = "Оценка";
pub const REGIONS_TABLE: &str = "Показатели регионов за период";
pub const NO_NAME: &str = "Без имени";
pub const OPERATOR_COLUMNS: [&str; 7] = [
    "Оператор",
    "Регионы",
    "Ответов",
    "Первых ответов",
    MEDIAN_HOURS,
    "Просрочено у него",
    COL_RATING,
];
pub const OPERATORS_TABLE: &str = "Операторы за период";

/// The count of ratings under the tiles.
#[must_use]
pub fn ratings_count(n: i64) -> String {
    format!("Оценок за период: {n}.")
}

/// The busiest bucket, appended to the chart's description.
#[must_use]
pub fn chart_peak(received: i64, start: &str) -> String {
    format!(", больше всего — {received} ({start})")
}

/// The chart's text equivalent.
#[must_use]
pub fn chart_description(first: &str, last: &str, total: i64, answered: i64, peak: &str) -> String {
    format!(
        "С {first} по {last} поступило {total}, отвечено {answered}{peak}. Синяя область — поступившие, зелёная линия — отвеченные, красная — просроченные."
    )
}
