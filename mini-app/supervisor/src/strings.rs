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
