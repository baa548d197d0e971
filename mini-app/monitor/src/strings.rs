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
pub const MONTHS_MODE: &str = "Месяцы года";
pub const RANGE_MODE: &str = "Свои даты";
pub const MONTH_FROM: &str = "С месяца";
pub const MONTH_TO: &str = "По месяц";
pub const YEAR_OF: &str = "Год";
pub const DATE_FROM: &str = "С";
pub const DATE_TO: &str = "По";
pub const POINTS: &str = "п. п.";
pub const MONTHS_LOWER: [&str; 12] = [
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
];

/// Under the picker: the chosen period and the one its figures are compared with.
#[must_use]
pub fn period_line(period: &str, previous: &str) -> String {
    format!("{period}; сравнение с предыдущим периодом той же длины: {previous}.")
}

// The dashboard: tiles, charts, reports, the regions and operators tables.
pub const TILE_RECEIVED: &str = "Обращений за период";
/// The received tile's label agrees with its figure: «1 обращение», «2 обращения», «5 обращений».
pub const RECEIVED_FORMS: [&str; 3] = [
    "Обращение за период",
    "Обращения за период",
    "Обращений за период",
];
pub const TILE_BY_BOT: &str = "Ответил бот";
pub const TILE_SELF_SERVED: &str = "Нашли ответ сами";
pub const TILE_BY_OPERATORS: &str = "Ответили операторы";
pub const TILE_OPEN: &str = "Ждут ответа сейчас";
pub const TILE_OVERDUE: &str = "Просрочено сейчас";
pub const TILE_DUE_TODAY: &str = "Срок сегодня";
pub const TILE_UNREAD: &str = mini_app_client::words::UNREAD;
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

// «Онлайн», comparisons, the map, the ranking, «Моя статистика».
pub const ONLINE: &str = "Онлайн";
pub const COMPARED: &str = "Изменение к предыдущему периоду той же длины";
pub const MAP_TITLE: &str = "Карта регионов";
pub const MAP_FIGURE: &str = "Показатель";
pub const MAP_TABLE: &str = "Регионы на карте";
pub const RANK_TITLE: &str = "Сравнение регионов";
pub const RANK_BY: &str = "Рейтинг по";
pub const RANK_OVERDUE_SHARE: &str = "Доля просроченных среди ждущих ответа";
pub const RANK_EMPTY: &str = "Не из чего составить рейтинг за период.";
pub const RANK_DESC: &str = "Регионы от лучшего к худшему; пунктир — медиана по России.";
pub const MY_STATS: &str = "Моя статистика";
pub const MY_REGION: &str = "Мой регион";
pub const MY_OWN: &str = "Мои показатели";
pub const MY_ANSWERED: &str = "Мои ответы";
pub const MY_FIRST: &str = "Первые ответы";
pub const MY_OVERDUE: &str = "Просрочено у меня";

/// When «Онлайн» was asked last.
#[must_use]
pub fn updated_at(hours: u32, minutes: u32) -> String {
    format!("Обновлено в {hours:02}:{minutes:02}, обновляется каждые 30 секунд.")
}

/// Under the map: what the shades mean.
#[must_use]
pub fn map_legend(figure: &str, max: &str, rating: bool) -> String {
    if rating {
        format!("{figure}: чем темнее, тем выше (от 1 до 5). Серые — нет данных или регион вне вашей зоны.")
    } else {
        format!("{figure}: чем темнее, тем больше (до {max}). Серые — нет данных или регион вне вашей зоны.")
    }
}

/// Under the ranking.
#[must_use]
pub fn federal_median(value: &str) -> String {
    format!("Медиана по регионам: {value}.")
}

// Appeals per 1,000 teachers (issue #18) and the education levels (issue #19).
pub const TILE_PER_1000: &str = "Обращений на 1 000 учителей";
pub const COL_PER_1000: &str = "На 1 000 учителей";
pub const TEACHERS_TITLE: &str = "Число учителей регионов";
pub const TEACHERS_LEAD: &str = "Для показателя «Обращений на 1 000 учителей»: по строке на регион — код и число учителей через «;», например «16;45210». Можно вставить столбцы из таблицы. Указанные регионы заменяются, остальные остаются.";
pub const TEACHERS_FIELD: &str = "Код региона;число учителей";
pub const TEACHERS_FILE: &str = "Или файл CSV";
pub const TEACHERS_SEND: &str = "Загрузить";
pub const TEACHERS_EMPTY: &str = "Вставьте строки «код;число учителей» или выберите файл.";
pub const BY_LEVEL: &str = "По уровням образования";
pub const FIELD_LEVEL: &str = "Уровень образования";
pub const ALL_LEVELS: &str = "Все уровни";
/// `(level, name)` of the `level` filter.
pub const LEVELS: [(&str, &str); 3] = [("school", "Школа"), ("spo", "СПО"), ("doo", "ДОО")];
pub const LEVEL_COLUMNS: [&str; 6] = [
    "Уровень",
    COL_RECEIVED,
    COL_OPEN,
    COL_OVERDUE,
    COL_ANSWERED,
    COL_RATING,
];

/// After an import of the numbers of teachers.
#[must_use]
pub fn teachers_saved(imported: i64, total: usize) -> String {
    format!("Сохранено регионов: {imported}. Всего с числом учителей: {total}.")
}
