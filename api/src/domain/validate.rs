//! Small field checks shared by handlers; every failure is a 422 with the field named.

use crate::error::ApiError;

/// Trims, removes control characters, and checks the length in characters.
///
/// # Errors
/// 422 `required` when empty and required, `too_long` over `max`.
pub fn text(
    field: &str,
    value: &str,
    max: usize,
    required: bool,
) -> Result<Option<String>, ApiError> {
    let cleaned: String = value.chars().filter(|c| !c.is_control()).collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() {
        return if required {
            Err(ApiError::field(
                field,
                "required",
                &format!("Заполните поле «{}».", label(field)),
            ))
        } else {
            Ok(None)
        };
    }
    if cleaned.chars().count() > max {
        return Err(ApiError::field(
            field,
            "too_long",
            &format!("Поле «{}» — не длиннее {max} символов.", label(field)),
        ));
    }
    Ok(Some(cleaned.to_owned()))
}

/// The rule of a staff member's own password (replacing the one-time password, or set
/// through an invitation link): 10 to 200 characters.
///
/// # Errors
/// 422 `length` on `field`.
pub fn new_password(field: &str, value: &str) -> Result<(), ApiError> {
    if (10..=200).contains(&value.chars().count()) {
        Ok(())
    } else {
        Err(ApiError::field(
            field,
            "length",
            "Новый пароль — от 10 до 200 символов.",
        ))
    }
}

/// A person's name part: letters, spaces, hyphens and apostrophes.
///
/// # Errors
/// 422 as [`text`], or `invalid` for other characters.
pub fn name_part(field: &str, value: &str, required: bool) -> Result<Option<String>, ApiError> {
    let value = text(field, value, 100, required)?;
    if let Some(v) = &value {
        if !v
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’' | '.'))
        {
            return Err(ApiError::field(
                field,
                "invalid",
                &format!(
                    "Поле «{}» может содержать только буквы, пробел и дефис.",
                    label(field)
                ),
            ));
        }
    }
    Ok(value)
}

/// A plausible e-mail address (the mail server has the final word).
///
/// # Errors
/// 422 `invalid`.
pub fn email(field: &str, value: &str) -> Result<String, ApiError> {
    let v = value.trim().to_lowercase();
    let ok = v.len() <= 254
        && v.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !v.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(v)
    } else {
        Err(ApiError::field(
            field,
            "invalid",
            "Укажите адрес электронной почты, например ivanova@school.ru.",
        ))
    }
}

/// A region code in the shipped list's form (existence is checked against the database).
///
/// # Errors
/// 422 `invalid`.
pub fn region(field: &str, value: &str) -> Result<String, ApiError> {
    shared::RegionCode::parse(value)
        .map(|c| c.to_string())
        .map_err(|m| ApiError::field(field, "invalid", m))
}

fn label(field: &str) -> &str {
    match field {
        "surname" => "Фамилия",
        "name" => "Имя",
        "patronymic" => "Отчество",
        "school" => "Школа",
        "position" => "Должность",
        "email" => "Электронная почта",
        "reason" => "Причина",
        "consent_version" => "Версия согласия",
        _ => field,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks() {
        assert_eq!(
            text("school", "  Школа №1\u{0}  ", 300, true)
                .unwrap()
                .as_deref(),
            Some("Школа №1")
        );
        assert!(text("school", "   ", 300, true).is_err());
        assert_eq!(text("school", "   ", 300, false).unwrap(), None);
        assert!(text("school", &"я".repeat(301), 300, true).is_err());
        assert!(name_part("surname", "Петрова-Водкина", true).is_ok());
        assert!(name_part("surname", "<script>", true).is_err());
        assert_eq!(
            email("email", " Ivanova@School.RU ").unwrap(),
            "ivanova@school.ru"
        );
        assert!(email("email", "no-at-sign").is_err());
        assert!(email("email", "a@b").is_err());
        assert_eq!(region("region", "7").unwrap(), "07");
    }
}
