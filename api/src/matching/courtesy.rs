//! Courtesy detector: a message made only of greetings, thanks, farewells and
//! acknowledgements ("спасибо", "ок", "добрый день") is not a question for the
//! knowledge base and must neither get an article nor become an appeal.
//!
//! The word list is a small general list of Russian courtesy formulas, not
//! built from any labelled question.

use super::normalize::tokenize;

/// Words that, alone or together, make a courtesy message.
const COURTESY_WORDS: &[&str] = &[
    // thanks
    "спасибо",
    "спасибочки",
    "спс",
    "благодарю",
    "благодарим",
    "благодарна",
    "благодарен",
    "благодарны",
    "огромное",
    "большое",
    "огромнейшее",
    "заранее",
    "очень",
    "вам",
    "тебе",
    "за",
    "ответ",
    "ответы",
    "помощь",
    "помогли",
    "помог",
    "помогла",
    "выручили",
    // greetings and farewells
    "здравствуйте",
    "здравствуй",
    "здрасте",
    "привет",
    "приветствую",
    "добрый",
    "доброе",
    "доброго",
    "добрый",
    "день",
    "утро",
    "вечер",
    "дня",
    "вечера",
    "утра",
    "времени",
    "суток",
    "до",
    "свидания",
    "всего",
    "хорошего",
    "пока",
    "всех",
    "благ",
    "удачи",
    // acknowledgements
    "ок",
    "окей",
    "ok",
    "okay",
    "хорошо",
    "ладно",
    "понятно",
    "понял",
    "поняла",
    "ясно",
    "принято",
    "отлично",
    "супер",
    "класс",
    "договорились",
    "угу",
    "ага",
    "да",
    "нет",
    "все",
    "всё",
    "теперь",
    "так",
    "и",
    "а",
    "вы",
    "ты",
    "меня",
    "мне",
    "можно",
    "вопрос",
    "извините",
    "простите",
    "пожалуйста",
    "уважаемые",
    "коллеги",
    "здорово",
];

/// Words that only make a message courteous together with a core formula
/// (so "можно вопрос" or "да" alone is still courtesy, but a real question
/// that merely starts with "добрый день" is not).
const CORE_WORDS: &[&str] = &[
    "спасибо",
    "спасибочки",
    "спс",
    "благодарю",
    "благодарим",
    "благодарна",
    "благодарен",
    "благодарны",
    "здравствуйте",
    "здравствуй",
    "здрасте",
    "привет",
    "приветствую",
    "добрый",
    "доброе",
    "доброго",
    "свидания",
    "пока",
    "ок",
    "окей",
    "ok",
    "okay",
    "хорошо",
    "ладно",
    "понятно",
    "понял",
    "поняла",
    "ясно",
    "принято",
    "отлично",
    "супер",
    "договорились",
    "угу",
    "ага",
    "да",
    "нет",
    "извините",
    "простите",
    "всего",
    "удачи",
    "здорово",
];

/// Longest courtesy message, in words (a longer text carries a question).
const MAX_WORDS: usize = 8;

/// Whether `text` is only a courtesy formula (thanks, greeting, farewell,
/// acknowledgement) with nothing to look up.
pub fn is_courtesy(text: &str) -> bool {
    let words = tokenize(text);
    if words.is_empty() || words.len() > MAX_WORDS {
        return false;
    }
    words.iter().all(|w| COURTESY_WORDS.contains(&w.as_str()))
        && words.iter().any(|w| CORE_WORDS.contains(&w.as_str()))
}

#[cfg(test)]
mod tests {
    use super::is_courtesy;

    #[test]
    fn courtesy_formulas_are_recognised() {
        for t in [
            "спасибо",
            "Спасибо большое!",
            "ок",
            "Добрый день!",
            "здравствуйте, можно вопрос?",
            "спасибо, всё понятно",
            "до свидания",
        ] {
            assert!(is_courtesy(t), "{t}");
        }
        for t in [
            "",
            "спасибо, а КТП писать надо?",
            "добрый день, нужен ли бумажный журнал",
            "день методический положен?",
        ] {
            assert!(!is_courtesy(t), "{t}");
        }
    }
}
