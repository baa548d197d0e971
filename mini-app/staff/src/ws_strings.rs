//! The Russian strings of the operator's workspace (board, list, appeal screen).

pub const TAB_BOARD: &str = "Канбан";
pub const TAB_LIST: &str = "Список";
pub const TAB_VERIFICATION: &str = "Верификация";
pub const TABS: &str = "Разделы кабинета";
pub const REGION: &str = "Регион";
pub const ALL_REGIONS: &str = "Все мои регионы";
pub const STATUS: &str = "Статус";
pub const ALL_STATUSES: &str = "Все";
pub const BOARD_TITLE: &str = "Обращения";
pub const BOARD_EMPTY: &str = "Пусто";
pub const LIST_EMPTY: &str = "Обращений нет.";
pub const BOT_COLUMN: &str = "Ответ бота: оценить";
pub const UNREAD: &str = "НЕ ПРОЧИТАН";
pub const ASSIGNEE: &str = "Ответственный";
pub const NOBODY: &str = "не назначен";
pub const ANONYMOUS: &str = "Анонимно";
pub const TEACHER: &str = "Учитель";
pub const DEADLINE: &str = "Срок";
pub const OVERDUE: &str = "просрочено";
pub const WAITING_TEACHER: &str = "Ждём ответа учителя · срок остановлен";
pub const WAITING: &str = "ждёт";
pub const HOURS: &str = "ч";
pub const DAYS: &str = "дн.";
pub const LESS_HOUR: &str = "меньше часа";
pub const NUMBER: &str = "№ ";
pub const CONTROLLED: &str = "НА КОНТРОЛЕ";
pub const CONTROL_NOTICE: &str = "На контроле у руководства";
pub const CONTROL_TITLE: &str = "Поставить на контроль";
pub const CONTROL_COMMENT: &str = "Комментарий для операторов";
pub const CONTROL_HINT: &str = "Оператор увидит его с отметкой «На контроле» и получит письмо.";
pub const CONTROL_PUT: &str = "Поставить на контроль";
pub const CONTROL_CHANGE: &str = "Изменить комментарий";
pub const CONTROL_DONE: &str = "Обращение на контроле.";
pub const CONTROL_RELEASE: &str = "Снять с контроля";
pub const CONTROL_RELEASED: &str = "Обращение снято с контроля.";
pub const FILL_COMMENT: &str = "Напишите комментарий.";
pub const RATING: &str = "Оценка учителя";
pub const READ_ONLY: &str = "Только просмотр: отвечают операторы региона.";
pub const BACK_LIST: &str = "← К списку";
pub const ALL_OF_RUSSIA: &str = "Все регионы";

pub const BACK: &str = "← К очереди";
pub const APPEAL: &str = "Обращение";
pub const CREATED: &str = "Поступило";
pub const QUESTION: &str = "Вопрос";
pub const ATTACHMENTS: &str = "Вложения";
pub const THREAD: &str = "Переписка";
pub const NOTE_MARK: &str = "внутренняя заметка, учитель её не видит";
pub const WHO_BOT: &str = "Бот";
pub const WHO_SYSTEM: &str = "Система";
pub const WHO_OPERATOR: &str = "Оператор";
pub const TAKE: &str = "Взять в работу";
pub const RELEASE: &str = "Вернуть в очередь";
pub const TAKEN: &str = "Обращение у вас в работе.";
pub const RELEASED: &str = "Обращение возвращено в очередь.";
pub const HANDOVER_TITLE: &str = "Передать коллеге";
pub const HANDOVER_TO: &str = "Оператор региона";
pub const HANDOVER: &str = "Передать коллеге";
pub const HANDED_OVER: &str = "Обращение передано коллеге.";
pub const FILL_COLLEAGUE: &str = "Выберите коллегу.";
pub const HELD_BY: &str = "В работе у оператора";
pub const ANSWER_TITLE: &str = "Ответ учителю";
pub const ANSWER: &str = "Текст ответа";
pub const ANSWER_HINT: &str = "Не короче 10 символов. Учитель получит уведомление.";
pub const ARTICLE: &str = "Статья базы знаний, на которую опирается ответ";
pub const NO_ARTICLE: &str = "Без статьи";
pub const USE_ARTICLE: &str = "Подставить ответ статьи";
pub const PROPOSE: &str = "Предложить в базу знаний";
pub const SEND_ANSWER: &str = "Отправить ответ";
pub const ANSWERED: &str = "Ответ отправлен учителю.";
pub const PROPOSED: &str = "Ответ отправлен; черновик статьи передан на проверку.";
pub const FILL_ANSWER: &str = "Напишите ответ.";
pub const CLARIFY_TITLE: &str = "Уточняющий вопрос";
pub const CLARIFY: &str = "Вопрос учителю";
pub const CLARIFY_HINT: &str = "Статус не меняется, учитель получит уведомление.";
pub const SEND: &str = "Отправить";
pub const CLARIFIED: &str = "Вопрос отправлен учителю.";
pub const NOTE_TITLE: &str = "Внутренняя заметка";
pub const NOTE: &str = "Заметка для коллег";
pub const NOTE_HINT: &str = "Учитель её не увидит.";
pub const ADD_NOTE: &str = "Добавить заметку";
pub const NOTED: &str = "Заметка добавлена.";
pub const FILL_TEXT: &str = "Напишите текст.";
pub const GRADE_TITLE: &str = "Оценка ответа бота";
pub const GRADE_LEAD: &str = "Верно ли бот ответил из базы знаний?";
pub const GRADE_COMMENT: &str = "Комментарий к оценке";
pub const GRADE_CORRECT: &str = "Верно";
pub const GRADE_PARTLY: &str = "Частично";
pub const GRADE_WRONG: &str = "Неверно";
pub const GRADED: &str = "Оценка записана.";
pub const CLOSE_TITLE: &str = "Закрыть без ответа";
pub const CLOSE_REASON: &str = "Причина";
pub const CHOOSE: &str = "Выберите…";
pub const OFF_TOPIC: &str = "Не по теме";
pub const DUPLICATE: &str = "Повтор другого обращения";
pub const SPAM: &str = "Спам";
pub const DUPLICATE_OF: &str = "Номер исходного обращения, например 16-000123";
pub const DUPLICATE_HINT: &str = "Только для повтора.";
pub const CLOSE_NOTE: &str = "Пояснение для учителя";
pub const CLOSE: &str = "Закрыть обращение";
pub const CLOSED: &str = "Обращение закрыто.";
pub const FILL_REASON: &str = "Выберите причину.";
pub const TRANSFER_TITLE: &str = "Передать в другой регион";
pub const TRANSFER_REGION: &str = "Регион, куда передать";
pub const TRANSFER_NOTE: &str = "Пояснение для учителя";
pub const TRANSFER: &str = "Передать";
pub const TRANSFERRED: &str = "Обращение передано в другой регион.";
pub const FILL_REGION: &str = "Выберите регион.";
pub const SHOW: &str = "Показать";
/// Values of the «Показать» choice: one list filter each (see `api::appeals`).
pub const SHOW_CHOICES: [(&str, &str); 7] = [
    ("", "Все"),
    ("unread", "Непрочитанные"),
    ("due_today", "Срок сегодня"),
    ("overdue", "Просроченные"),
    ("mine", "Мои"),
    ("unassigned", "Без ответственного"),
    ("controlled", "На контроле"),
];
pub const SORT: &str = "Порядок";
pub const SORT_CHOICES: [(&str, &str); 2] = [
    ("", "Сначала новые"),
    ("deadline", "Сначала ближайший срок"),
];
pub const SEARCH: &str = "Поиск по тексту или номеру";

// The appeal screen built around the answer (issue #22, item 4).
pub const TAB_ANSWER: &str = "Ответ";
pub const TAB_CLARIFY: &str = "Уточнение";
pub const TAB_NOTE: &str = "Заметка";
pub const COMPOSER: &str = "Что отправить";
pub const COMPOSER_TEXT: &str = "Текст";
pub const MORE: &str = "Ещё";
pub const OPEN_ALSO: &str = "Сейчас открыто также:";
pub const ABOUT_TEACHER: &str = "Об учителе";
pub const SCHOOL: &str = "Школа";
pub const POSITION: &str = "Должность";
pub const EARLIER: &str = "Прежние обращения";
pub const NO_EARLIER: &str = "Других обращений нет.";
pub const BYTES: &str = "Б";
pub const KILOBYTES: &str = "КБ";
pub const MEGABYTES: &str = "МБ";
pub const TEMPLATES: &str = "Шаблоны ответов региона";
pub const TEMPLATE: &str = "Шаблон ответа";
pub const CHOOSE_TEMPLATE: &str = "Выберите шаблон…";
pub const USE_TEMPLATE: &str = "Вставить шаблон";
pub const TEMPLATE_NEW: &str = "Новый шаблон";
pub const TEMPLATE_EDITING: &str = "Изменить шаблон";
pub const TEMPLATE_TITLE: &str = "Название";
pub const TEMPLATE_TEXT: &str = "Текст шаблона";
pub const TEMPLATE_SAVE: &str = "Сохранить шаблон";
pub const TEMPLATE_CHANGE: &str = "Сохранить изменения";
pub const TEMPLATE_SAVED: &str = "Шаблон сохранён.";
pub const TEMPLATE_CHANGED: &str = "Шаблон изменён.";
pub const TEMPLATE_DELETED: &str = "Шаблон удалён.";
pub const TEMPLATE_EDIT: &str = "Изменить";
pub const TEMPLATE_DELETE: &str = "Удалить";
pub const FILL_TEMPLATE_TITLE: &str = "Напишите название шаблона.";
