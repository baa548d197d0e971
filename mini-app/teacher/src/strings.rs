//! Every Russian string of the interface, in one place.

/// Product name, also in the static header of `index.html`.
pub const APP_NAME: &str = "Помощник";

pub const SAVE: &str = "Сохранить";
pub const SAVED: &str = "Изменения сохранены.";
pub const CANCEL: &str = "Отмена";

// --- sign-in -------------------------------------------------------------------------
pub const SIGNING_IN: &str = "Входим…";
pub const SESSION_ENDED: &str = "Сеанс завершён. Войдите снова.";
pub const SIGNED_OUT: &str = "Вы вышли из приложения.";
pub const SIGN_OUT: &str = "Выйти";
pub const SIGN_IN_AGAIN: &str = "Войти снова";
pub const CLOSE_APP: &str = "Закрыть приложение";
pub const MAX_SIGN_IN_FAILED: &str =
    "Не удалось войти через MAX. Закройте мини-приложение и откройте его снова.";

// --- staff module ----------------------------------------------------------------------
pub const STAFF_LOADING: &str = "Открываем кабинет сотрудника…";
pub const MORE_FAILED: &str =
    "Не удалось загрузить этот раздел. Проверьте интернет и попробуйте ещё раз.";
pub const STAFF_FAILED: &str =
    "Не удалось загрузить кабинет сотрудника. Проверьте интернет и попробуйте ещё раз.";

// --- home ------------------------------------------------------------------------------
pub const HELLO: &str = "Здравствуйте";
pub const SECTIONS: &str = "Разделы";
pub const NAV_ASK: &str = "Спросить";
pub const NAV_ASK_META: &str = "Вопрос о документах, отчётах и проверках";
pub const NAV_ANSWERS: &str = "База ответов";
pub const NAV_ANSWERS_META: &str = "Проверенные ответы на частые вопросы";
pub const NAV_PROFILE: &str = "Профиль";
pub const NAV_PROFILE_META: &str = "ФИО, школа, подтверждение статуса";
pub const NAV_REGIONS: &str = "Справочник регионов";

pub const ASK_TITLE: &str = "Спросить";
pub const ASK_LOCKED: &str = "Задавать вопросы могут учителя с подтверждённым статусом. Отправьте заявку — оператор вашего региона её проверит. Базу ответов можно смотреть уже сейчас.";
pub const ANSWERS_TITLE: &str = "База ответов";
pub const APPEAL_TITLE: &str = "Обращение";
pub const APPEAL_NUMBER: &str = "Номер обращения";
pub const TO_HOME: &str = "На главную";

// --- verification ----------------------------------------------------------------------
pub const VERIFICATION_TITLE: &str = "Подтверждение статуса";
pub const STATUS: &str = "Статус учителя";
pub const ST_UNVERIFIED: &str = "не подтверждён";
pub const ST_PENDING: &str = "на проверке";
pub const ST_VERIFIED: &str = "подтверждён";
pub const ST_REJECTED: &str = "заявка отклонена";
pub const TXT_UNVERIFIED: &str = "Чтобы задавать вопросы, подтвердите, что вы работаете в школе: отправьте заявку, и оператор вашего региона её проверит.";
pub const TXT_PENDING: &str =
    "Заявка отправлена. Оператор вашего региона проверит её, решение появится здесь.";
pub const TXT_VERIFIED: &str = "Статус подтверждён: вы можете задавать вопросы.";
pub const TXT_REJECTED: &str = "Заявку отклонили. Исправьте данные и отправьте её снова.";
pub const REASON: &str = "Причина";
pub const VERIFY_ACTION: &str = "Подтвердить статус";
/// The first screen's one line about a verification decision not seen yet (the decision
/// itself is told on the verification screen, in the second module).
pub const DECISION_NOTICE: &str = "Есть решение по вашему статусу — посмотреть";
pub const VERIFY_FORM_TITLE: &str = "Заявка на подтверждение";
pub const VERIFY_SUBMIT: &str = "Отправить заявку";

// --- profile ---------------------------------------------------------------------------
pub const PROFILE_TITLE: &str = "Профиль";
pub const PERSONAL: &str = "Личные данные";
pub const SURNAME: &str = "Фамилия";
pub const NAME: &str = "Имя";
pub const PATRONYMIC: &str = "Отчество";
pub const REGION: &str = "Регион";
pub const SCHOOL: &str = "Школа";
pub const SCHOOL_HINT: &str = "Полное название, например «МБОУ СОШ № 5 г. Казани».";
pub const POSITION: &str = "Должность";
pub const POSITION_HINT: &str = "Например, учитель математики.";
pub const EMAIL: &str = "Электронная почта";
pub const EMAIL_HINT: &str = "Необязательно: для уведомлений.";
pub const NOTIFY: &str = "Уведомления на e-mail";
pub const NOTIFY_EVENTS: &str = "Письмо о новых событиях по моим обращениям";
pub const NOTIFY_DIGEST: &str = "Ежедневная сводка";
pub const FILL_SURNAME: &str = "Укажите фамилию.";
pub const FILL_NAME: &str = "Укажите имя.";
pub const FILL_REGION: &str = "Выберите регион.";
pub const FILL_SCHOOL: &str = "Укажите школу.";
pub const FILL_POSITION: &str = "Укажите должность.";

pub const WELCOME_TITLE: &str = "Добро пожаловать!";
pub const WELCOME_LEAD: &str =
    "Прочитайте, как мы обращаемся с данными, и заполните профиль — это займёт минуту.";
pub const CONSENT_VERSION: &str = "2026-12";
pub const PRIVACY_TITLE: &str = "Ваши персональные данные";
pub const PRIVACY: [&str; 5] = [
    "«Помощник» хранит ваши фамилию, имя и отчество, регион, школу, должность и — если вы его укажете — адрес электронной почты, а также номер вашей учётной записи в MAX.",
    "Ваши обращения с именем видят операторы и руководство органа образования вашего региона, федеральные кураторы и системы региона, подключённые через API; администраторы управляют учётными записями. Третьим лицам мы данные не передаём.",
    "Бот в MAX присылает ответы и объявления. Вопросы и ответы хранятся, чтобы вы могли к ним вернуться и чтобы считать общую статистику.",
    "Вы в любой момент можете исправить профиль или удалить свои данные: «Профиль» → «Удалить мои данные». После удаления вопросы остаются в статистике без вашего имени.",
    "Данные обрабатываются по Федеральному закону № 152-ФЗ «О персональных данных». Редакция уведомления: 2026-12.",
];
pub const CONSENT: &str =
    "Я прочитал(а) уведомление и согласен(на) на обработку моих персональных данных";
pub const FILL_CONSENT: &str = "Без согласия мы не можем сохранить профиль.";
pub const CONTINUE: &str = "Сохранить и продолжить";

pub const ERASE_TITLE: &str = "Удалить мои данные";
pub const ERASE_TEXT: &str = "Мы удалим ваши ФИО, школу, должность, e-mail и связь с MAX. Вопросы останутся в статистике без имени.";
pub const ERASE_CONFIRM_TEXT: &str =
    "Точно удалить? Отменить это нельзя: при следующем входе профиль будет пустым.";
pub const ERASE_CONFIRM: &str = "Да, удалить";
pub const ERASED: &str = "Ваши данные удалены. Спасибо, что пользовались «Помощником».";

// --- regions ---------------------------------------------------------------------------
pub const REGIONS_TITLE: &str = "Регионы";
/// «1 регион», «2 региона», «5 регионов».
pub const REGION_FORMS: [&str; 3] = ["регион", "региона", "регионов"];
pub const REGION_CODE: &str = "Код региона";
pub const FEDERAL_DISTRICT: &str = "Федеральный округ";
pub const FEDERAL_DISTRICT_SHORT: &str = "ФО";
pub const TIMEZONE: &str = "Часовой пояс";
pub const REGION_NOT_FOUND: &str = "Такого региона нет в списке.";
pub const BACK_TO_REGIONS: &str = "← Все регионы";
pub const BACK: &str = "← Назад";

pub const NOT_FOUND_TITLE: &str = "Страница не найдена";
pub const NOT_FOUND_TEXT: &str = "Такой страницы нет. Вернитесь на главную.";

// --- asking ----------------------------------------------------------------------------
pub const NAV_APPEALS: &str = "Мои вопросы";
pub const NAV_APPEALS_META: &str = "Ответы, уточнения и статусы";
pub const QUESTION: &str = "Ваш вопрос";
pub const QUESTION_HINT: &str =
    "Опишите ситуацию своими словами: от 10 до 4000 символов. Черновик сохраняется сам.";
pub const FILES: &str = "Файлы";
pub const FILES_OF_QUESTION: &str = "Файлы к вопросу";
pub const FILES_HINT: &str = "Необязательно: до трёх файлов PDF, JPEG или PNG, каждый до 5 МБ.";
pub const FILES_TOO_MANY: &str = "Можно прикрепить не больше трёх файлов.";
pub const FILE_TOO_BIG: &str = "Каждый файл — не больше 5 МБ.";
pub const NOT_ATTACHED: &str = "Вопрос отправлен, но эти файлы не прикрепились:";
pub const ANONYMOUS: &str = "Анонимно: оператор не увидит моё имя";
pub const SEND: &str = "Отправить";
pub const SENDING: &str = "Отправляем…";
pub const SEND_AGAIN: &str = "Отправить снова";
pub const SEND_FAILED: &str =
    "Вопрос не отправлен. Он сохранён и уйдёт без повтора, когда появится связь.";
pub const ASK_AGAIN: &str = "Задать ещё вопрос";
pub const INSTANT_TITLE: &str = "Ответ из базы проверенных ответов";
pub const SOURCE: &str = "Источник";
pub const HELPED: &str = "Помогло";
pub const NOT_HELPED: &str = "Не помогло";
pub const THANKS: &str = "Спасибо! Рады, что ответ помог. Вопрос закрыт.";
pub const SELF_SERVED: &str = "Отлично! Вопрос закрыт как решённый.";
pub const ROUTED: &str = "Вопрос передан оператору вашего региона.";
pub const ANSWER_BY: &str = "Ответ до";
pub const MAYBE: &str = "Возможно, подойдёт";
pub const THIS_ANSWERS: &str = "Это ответ на мой вопрос";
pub const OPEN_ANSWER: &str = "Открыть ответ";
pub const CLOSE_QUESTION: &str = "Закрыть вопрос? Оператор не будет на него отвечать.";
pub const CLOSE_YES: &str = "Да, закрыть вопрос";
pub const CLOSE_NO: &str = "Нет";
pub const OPEN_APPEAL: &str = "Открыть обращение";

// --- my questions ----------------------------------------------------------------------
pub const APPEALS_TITLE: &str = "Мои вопросы";
pub const APPEALS_EMPTY: &str = "Вы ещё не задавали вопросов.";
pub const MORE: &str = "Показать ещё";
pub const REFRESH: &str = "Обновить";
pub const UNREAD: &str = mini_app_client::words::UNREAD;
pub const UNREAD_COUNT: &str = mini_app_client::words::UNREAD;
pub const NEED_REPLY: &str = "Нужен ваш ответ";
pub const NEED_REPLY_HINT: &str =
    "Оператор задал уточняющий вопрос. Ответьте ниже — пока вы не ответите, срок не идёт.";

// --- one appeal ------------------------------------------------------------------------
pub const APPEAL_NOT_FOUND: &str = "Обращение не найдено.";
pub const WHO_ME: &str = "Вы";
pub const WHO_BOT: &str = mini_app_client::words::WHO_BOT;
pub const WHO_OPERATOR: &str = mini_app_client::words::WHO_OPERATOR;
pub const WHO_SYSTEM: &str = "Сервис";
pub const KIND_QUESTION: &str = "вопрос";
pub const KIND_ANSWER: &str = "ответ";
pub const KIND_FOLLOW_UP: &str = "дополнение";
pub const KIND_CLARIFICATION: &str = "уточняющий вопрос";
pub const RATE_TITLE: &str = "Оцените ответ";
pub const RATE_OPTIONAL: &str =
    "Спасибо! Рады, что ответ помог. Если хотите, оцените его звёздами — это необязательно.";
pub const RATE_STAR: &str = "Оценка";
pub const RATE_OF: &str = "из 5";
pub const RATE_COMMENT: &str = "Комментарий (необязательно)";
pub const RATE_SEND: &str = "Отправить оценку";
pub const RATE_PICK: &str = "Выберите оценку — от одной до пяти звёзд.";
pub const YOUR_RATING: &str = "Ваша оценка";
pub const ESCALATE: &str = "Не помогло — передать оператору";
pub const FOLLOW_UP: &str = "Дополнить вопрос";
pub const FOLLOW_UP_EMPTY: &str = "Напишите сообщение.";
pub const WITHDRAW: &str = "Отозвать вопрос";
pub const WITHDRAW_CONFIRM: &str = "Отозвать вопрос? Оператор не будет на него отвечать.";
pub const WITHDRAW_YES: &str = "Да, отозвать";
pub const CLOSED_NOTE: &str = "Вопрос закрыт.";

// --- base of answers -------------------------------------------------------------------
pub const SEARCH: &str = "Поиск по базе ответов";
pub const SEARCH_HINT: &str = "Например: «рабочая программа», «журнал», «классное руководство».";
pub const FIND: &str = "Найти";
pub const SEARCH_EMPTY: &str = "Ничего не нашлось. Попробуйте другие слова или задайте вопрос.";
pub const LEGAL_REFS: &str = "Нормативные документы";
pub const ASK_OWN: &str = "Задать свой вопрос";

/// After an attachment's size in kilobytes.
pub const KB: &str = " КБ";
