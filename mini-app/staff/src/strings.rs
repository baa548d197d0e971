//! Every Russian string of the staff screens.

pub const BRAND: &str = "Помощник";
pub const CABINET: &str = "Кабинет сотрудника";
pub const SIGN_OUT: &str = "Выйти";
pub const SOON: &str = "Разделы появятся здесь.";
pub const SOON_TEXT: &str =
    "Очередь обращений, статистика и отчёты для вашей роли появятся в следующих обновлениях.";
pub const NO_NAME: &str = "Без имени";
pub const MORE: &str = "Показать ещё";

pub const QUEUE_TITLE: &str = mini_app_client::words::VERIFICATION;
pub const QUEUE_LEAD: &str =
    "Учителя вашего региона, которые просят подтвердить статус. Проверьте школу и должность.";
pub const QUEUE_EMPTY: &str = "Новых заявок нет.";
pub const QUEUE_EMPTY_LEVEL: &str = "Заявок этого уровня нет.";
pub const WAITING: &str = "Ждут решения";
pub const F_LEVEL: &str = "Уровень образования";
pub const L_SCHOOL: &str = "Школа";
pub const L_SPO: &str = "СПО";
pub const L_DOO: &str = "ДОО";
pub const SCHOOL: &str = "Школа";
pub const POSITION: &str = "Должность";
pub const REGION: &str = "Регион";
pub const EMAIL: &str = "E-mail";
pub const CONFIRM: &str = "Подтвердить";
pub const REJECT: &str = "Отклонить";
pub const REJECT_SEND: &str = "Отклонить заявку";
pub const CANCEL: &str = "Отмена";
pub const REASON: &str = "Причина отказа";
pub const REASON_HINT: &str = "Её увидит учитель: объясните, что исправить.";
pub const FILL_REASON: &str = "Укажите причину отказа.";
pub const CONFIRMED: &str = "Статус подтверждён";
pub const REJECTED: &str = "Заявка отклонена";

pub const USERS_TITLE: &str = "Пользователи";
pub const USERS_EMPTY: &str = "Никого не нашлось.";
pub const FILTERS: &str = "Фильтры";
pub const F_ROLE: &str = "Роль";
pub const F_VERIFICATION: &str = "Статус учителя";
pub const F_BLOCKED: &str = "Блокировка";
pub const ANY: &str = "Все";
pub const ONLY_BLOCKED: &str = "Заблокированные";
pub const ONLY_ACTIVE: &str = "Активные";
pub const BLOCKED: &str = "заблокирован";
pub const BLOCK: &str = "Заблокировать";
pub const UNBLOCK: &str = "Разблокировать";
pub const BLOCK_ASK: &str = "Заблокировать? Все сеансы пользователя завершатся.";
pub const BLOCK_YES: &str = "Да, заблокировать";
pub const INVITE_AGAIN: &str = "Отправить приглашение ещё раз";
pub const INVITE_SENT: &str = "Новое приглашение отправлено на";
pub const V_UNVERIFIED: &str = "не подтверждён";
pub const V_PENDING: &str = "на проверке";
pub const V_VERIFIED: &str = "подтверждён";
pub const V_REJECTED: &str = "отклонён";

// --- sign-in (outside MAX) --------------------------------------------------------------
pub const LOGIN_TITLE: &str = "Вход";
pub const STAFF_LOGIN_TITLE: &str = "Вход для сотрудников";
pub const STAFF_LOGIN_LEAD: &str =
    "Операторы, руководители и администраторы входят по e-mail, паролю и коду из приложения-аутентификатора.";
pub const TEACHER_HINT: &str =
    "Учителя входят через мини-приложение «Помощник» в мессенджере MAX — без пароля.";
pub const LOGIN_EMAIL: &str = "Электронная почта";
pub const PASSWORD: &str = "Пароль";
pub const CODE: &str = "Код из приложения-аутентификатора";
pub const CODE_HINT: &str = "Шесть цифр или резервный код, если телефона нет под рукой.";
pub const FILL_CODE: &str = "Введите код.";
pub const FORGOT: &str = "Забыли пароль?";
pub const FORGOT_LEAD: &str = "Пришлём на почту ссылку для нового пароля.";
pub const FORGOT_SEND: &str = "Прислать ссылку";

/// After a reset request: the same words whoever the address is.
pub fn reset_sent(email: &str) -> String {
    format!("Если {email} — адрес сотрудника, письмо со ссылкой уже в пути. Ссылка действует час.")
}
pub const SIGN_IN: &str = "Войти";
pub const FILL_EMAIL: &str = "Укажите электронную почту.";
pub const FILL_PASSWORD: &str = "Введите пароль.";
pub const DEMO_TITLE: &str = "Демо-вход";
pub const DEMO_LEAD: &str =
    "Только на тестовом сервере: войдите под любой ролью, чтобы посмотреть приложение.";
pub const DEMO_ROLE: &str = "Роль";
pub const DEMO_REGION: &str = "Регион";
pub const DEMO_NAME: &str = "Имя демо-пользователя";
pub const DEMO_NAME_HINT: &str = "То же имя — тот же пользователь.";
pub const DEMO_VERIFIED: &str = "Учитель уже подтверждён";
pub const DEMO_SIGN_IN: &str = "Войти в демо-режиме";
pub const TOTP_TITLE: &str = "Второй фактор";
pub const TOTP_LEAD: &str = "Для входа сотрудника нужен код из приложения-аутентификатора (Яндекс Ключ, Google Authenticator или другое). Подключите его один раз.";
pub const TOTP_STEP_ADD: &str = "1. Отсканируйте QR-код приложением-аутентификатором, откройте ссылку на телефоне или введите ключ вручную.";
pub const TOTP_QR: &str = "QR-код для приложения";
pub const TOTP_URI: &str = "Ссылка для приложения";
pub const TOTP_OPEN: &str = "Открыть в приложении";
pub const TOTP_COPY: &str = "Скопировать ссылку";
pub const TOTP_COPIED: &str = "Ссылка скопирована.";
pub const TOTP_COPY_FAILED: &str = "Не удалось скопировать: выделите ссылку и скопируйте вручную.";
pub const TOTP_SECRET: &str = "Секретный ключ";
pub const TOTP_STEP_CODE: &str = "2. Введите шестизначный код, который показывает приложение.";
pub const TOTP_CODE: &str = "Код из приложения";
pub const TOTP_CONFIRM: &str = "Подтвердить";
pub const TOTP_FILL_CODE: &str = "Введите шесть цифр из приложения.";
pub const TOTP_DONE: &str =
    "Второй фактор подключён. Войдите снова: e-mail, пароль и код из приложения.";
pub const RECOVERY_CODES: &str = "Второй фактор подключён. Резервные коды — каждый входит один раз, если телефона нет под рукой:";
pub const RECOVERY_DONE: &str = "Коды сохранены, войти";
pub const SESSION_ENDED: &str = "Сеанс завершён. Войдите снова.";
pub const SIGNED_OUT: &str = "Вы вышли из кабинета.";
pub const SIGNIN_FAILED: &str =
    "Не удалось загрузить страницу входа. Проверьте интернет и попробуйте ещё раз.";
pub const SUPERVISOR_FAILED: &str =
    "Не удалось загрузить раздел руководителя. Проверьте интернет и попробуйте ещё раз.";
/// When the appeal screen's module cannot be fetched.
pub const APPEAL_FAILED: &str =
    "Не удалось загрузить обращение. Проверьте интернет и попробуйте ещё раз.";

// --- replacing the one-time password ---------------------------------------------------
pub const PW_TITLE: &str = "Задайте свой пароль";
pub const PW_LEAD: &str =
    "Вы вошли с одноразовым паролем от администратора. Замените его своим: не короче 10 символов. Затем подключите второй фактор.";
pub const PW_CURRENT: &str = "Одноразовый пароль";
pub const PW_NEW: &str = "Новый пароль";
pub const PW_REPEAT: &str = "Новый пароль ещё раз";
pub const PW_SAVE: &str = "Сохранить пароль";
pub const PW_FILL_CURRENT: &str = "Введите одноразовый пароль.";
pub const PW_TOO_SHORT: &str = "Новый пароль — не короче 10 символов.";
pub const PW_MISMATCH: &str = "Пароли не совпадают.";

// --- the first sign-in through an invitation link ---------------------------------------
pub const INV_TITLE: &str = "Приглашение в Помощник";
pub const INV_LEAD: &str =
    "Вас пригласили в кабинет сотрудника «Помощника». Задайте свой пароль: не короче 10 символов. Затем подключите второй фактор — приложение с одноразовыми кодами.";
pub const INV_SAVE: &str = "Задать пароль и продолжить";
pub const INV_TO_LOGIN: &str = "Ко входу по паролю";
pub const RESET_TITLE: &str = "Новый пароль";
pub const RESET_LEAD: &str =
    "Задайте новый пароль: не короче 10 символов. Прежние входы завершатся.";
pub const RESET_DONE: &str = "Пароль изменён. Войдите с ним и кодом из приложения.";

// --- the staff-user forms (`user_forms`) -----------------------------------------------------

/// The title of a regional head's list of operators.
pub const OPERATORS_TITLE: &str = "Операторы региона";
pub const COPIED: &str = "Скопировано.";
pub const COPY_FAILED: &str = "Скопировать не удалось: выделите текст и скопируйте вручную.";
pub const SHOWN_ONCE: &str = "Показывается один раз: сохраните сейчас, потом его не увидеть.";
pub const COPY: &str = "Копировать";
pub const REGIONS: &str = "Регионы";
pub const REGIONS_HINT: &str =
    "Несколько — с Ctrl или долгим нажатием. Администратору и федеральному куратору не нужны.";
pub const EMAIL_REQUIRED: &str = "Укажите e-mail.";
pub const NEW_OPERATOR: &str = "Новый оператор";
pub const NEW_STAFF: &str = "Новый сотрудник";
pub const SURNAME: &str = "Фамилия";
pub const NAME: &str = "Имя";
pub const ROLE: &str = "Роль";
pub const ROLE_AND_REGIONS: &str = "Роль и регионы";
pub const SEND_INVITATION: &str = "Отправить приглашение на e-mail";
pub const CREATE: &str = "Создать";
pub const SAVE: &str = "Сохранить";
pub const OPERATOR_CREATED: &str = "Оператор создан. Одноразовый пароль для первого входа:";
pub const STAFF_CREATED: &str = "Сотрудник создан. Одноразовый пароль для первого входа:";
pub const FIRST_SIGN_IN: &str = " При первом входе сотрудник задаст свой пароль и подключит второй фактор — приложение с одноразовыми кодами.";

/// The note under a new user's password when the invitation letter went out.
pub fn invitation_sent(email: &str) -> String {
    format!(
        "Приглашение отправлено на {email}: в письме — ссылка для первого входа. \
         Если письмо не дойдёт, передайте сотруднику одноразовый пароль."
    )
}

/// The note under a new user's password when no letter was sent.
pub fn pass_password(email: &str) -> String {
    format!("Передайте пароль сотруднику ({email}).")
}

/// After an attachment's size in kilobytes: `(N КБ)`.
pub const KB_CLOSE: &str = " КБ)";
