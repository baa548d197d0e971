//! This module's own Russian strings (the shared ones are the first load's `strings`).

pub const ESIA: &str = "Подтвердить через Госуслуги";
pub const ESIA_WAIT: &str = "Войдите на Госуслугах в браузере и вернитесь сюда.";

pub const RECONSENT_TITLE: &str = "Мы обновили уведомление о данных";
pub const RECONSENT_LEAD: &str = "Можно и не соглашаться: сервис работает как прежде, но руководство и системы региона видят ваши вопросы без имени.";

// The decision on the teacher's verification, told once.
pub const DECIDED_OK: &str = "Учительский статус подтверждён. Теперь вы можете задавать вопросы.";
pub const DECIDED_NO: &str = "Не подтверждено";
pub const DECIDED_NO_NEXT: &str =
    "Подтвердите статус через Госуслуги или исправьте заявку и отправьте её снова.";

// Declining the updated notice (the lead above it says what that means).
pub const DECLINE: &str = "Не согласен";
