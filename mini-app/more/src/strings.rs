//! This module's own Russian strings (the shared ones are the first load's `strings`).

pub const ESIA: &str = "Подтвердить через Госуслуги";
pub const ESIA_WAIT: &str = "Войдите на Госуслугах в браузере и вернитесь сюда.";

pub const RECONSENT_TITLE: &str = "Мы обновили уведомление о данных";
pub const RECONSENT_LEAD: &str =
    "Без согласия руководство и системы региона видят ваши вопросы без имени.";
