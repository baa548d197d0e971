//! Every Russian string of the interface, in one place.

/// Product name, also in the static header of `index.html`.
pub const APP_NAME: &str = "Помощник";

pub const LOADING: &str = "Загрузка…";
pub const RETRY: &str = "Повторить";

pub const ERR_NETWORK: &str = "Нет связи с сервером. Проверьте интернет и попробуйте ещё раз.";
pub const ERR_STATUS: &str = "Сервер не смог ответить. Попробуйте ещё раз чуть позже. Код ошибки";
pub const ERR_DECODE: &str = "Сервер прислал непонятный ответ. Попробуйте ещё раз чуть позже.";
pub const ERR_ENCODE: &str = "Не удалось подготовить запрос. Обновите страницу и попробуйте снова.";

pub const REGIONS_TITLE: &str = "Регионы";
/// «1 регион», «2 региона», «5 регионов».
pub const REGION_FORMS: [&str; 3] = ["регион", "региона", "регионов"];
pub const REGION_CODE: &str = "Код региона";
pub const FEDERAL_DISTRICT: &str = "Федеральный округ";
pub const FEDERAL_DISTRICT_SHORT: &str = "ФО";
pub const TIMEZONE: &str = "Часовой пояс";
pub const REGION_NOT_FOUND: &str = "Такого региона нет в списке.";
pub const BACK_TO_REGIONS: &str = "← Все регионы";

pub const NOT_FOUND_TITLE: &str = "Страница не найдена";
pub const NOT_FOUND_TEXT: &str = "Такой страницы нет. Вернитесь на главную.";
pub const TO_HOME: &str = "На главную";
