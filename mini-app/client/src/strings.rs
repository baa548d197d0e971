//! Russian texts of the client's own errors (the api's `detail` is shown as it comes).

pub const ERR_NETWORK: &str = "Нет связи с сервером. Проверьте интернет и попробуйте ещё раз.";
pub const ERR_STATUS: &str = "Сервер не смог ответить. Попробуйте ещё раз чуть позже. Код ошибки";
pub const ERR_DECODE: &str = "Сервер прислал непонятный ответ. Попробуйте ещё раз чуть позже.";
pub const ERR_ENCODE: &str = "Не удалось подготовить запрос. Обновите страницу и попробуйте снова.";

pub const LOADING: &str = "Загрузка…";
pub const RETRY: &str = "Повторить";
pub const REQUIRED_MARK: &str = " (обязательно)";
pub const CHECK_FIELDS: &str = "Проверьте поля, отмеченные выше.";
pub const CHOOSE_REGION: &str = "Выберите регион";
pub const STALE: &str =
    "Нет связи: показаны данные, загруженные раньше. Обновятся, когда связь вернётся.";
pub const NO_DATA: &str = "Нет данных за период.";
