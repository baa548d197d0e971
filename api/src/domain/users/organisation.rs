//! The teacher's organisation beyond its name: the education level (school, СПО, ДОО) and,
//! where given, its INN (10 digits) and OGRN (13 digits), checked for form and check digit
//! so a typo is caught when it is typed, not when an operator looks it up.

use shared::users::EducationLevel;

use crate::error::ApiError;

/// A checked change of the organisation's details: `None` leaves a field; `Some(None)`
/// clears it.
#[derive(Debug, Clone, Default)]
pub struct OrganisationChange {
    /// Education level.
    pub level: Option<EducationLevel>,
    /// INN.
    pub inn: Option<Option<String>>,
    /// OGRN.
    pub ogrn: Option<Option<String>>,
}

impl OrganisationChange {
    /// Checks the numbers given (blank clears one).
    ///
    /// # Errors
    /// 422 `invalid` on `inn` or `ogrn`.
    pub fn new(
        level: Option<EducationLevel>,
        inn: Option<&str>,
        ogrn: Option<&str>,
    ) -> Result<Self, ApiError> {
        Ok(Self {
            level,
            inn: inn.map(|v| number("inn", v)).transpose()?,
            ogrn: ogrn.map(|v| number("ogrn", v)).transpose()?,
        })
    }
}

/// A blank value clears; otherwise the number must pass its check.
fn number(field: &str, raw: &str) -> Result<Option<String>, ApiError> {
    let value: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if value.is_empty() {
        return Ok(None);
    }
    let (fits, message) = if field == "inn" {
        (
            inn_is_valid(&value),
            "ИНН организации — 10 цифр; проверьте, нет ли опечатки.",
        )
    } else {
        (
            ogrn_is_valid(&value),
            "ОГРН — 13 цифр; проверьте, нет ли опечатки.",
        )
    };
    if fits {
        Ok(Some(value))
    } else {
        Err(ApiError::field(field, "invalid", message))
    }
}

fn digits(value: &str, len: usize) -> Option<Vec<u64>> {
    (value.len() == len)
        .then(|| {
            value
                .chars()
                .map(|c| c.to_digit(10).map(u64::from))
                .collect::<Option<Vec<_>>>()
        })
        .flatten()
}

/// An organisation's INN: 10 digits, the last the weighted sum of the others mod 11 mod 10.
#[must_use]
pub fn inn_is_valid(value: &str) -> bool {
    const WEIGHTS: [u64; 9] = [2, 4, 10, 3, 5, 9, 4, 6, 8];
    let Some(d) = digits(value, 10) else {
        return false;
    };
    let sum: u64 = WEIGHTS.iter().zip(&d).map(|(w, x)| w * x).sum();
    sum % 11 % 10 == d[9]
}

/// An OGRN: 13 digits, the last the first twelve (as a number) mod 11 mod 10.
#[must_use]
pub fn ogrn_is_valid(value: &str) -> bool {
    let Some(d) = digits(value, 13) else {
        return false;
    };
    let head = d[..12].iter().fold(0_u64, |n, x| n * 10 + x);
    head % 11 % 10 == d[12]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_numbers_pass_and_typos_fail() {
        // ПАО Сбербанк: ИНН 7707083893, ОГРН 1027700132195.
        assert!(inn_is_valid("7707083893"));
        assert!(!inn_is_valid("7707083894"));
        assert!(!inn_is_valid("770708389"));
        assert!(!inn_is_valid("77070838a3"));
        assert!(ogrn_is_valid("1027700132195"));
        assert!(!ogrn_is_valid("1027700132196"));
        assert!(!ogrn_is_valid("102770013219"));
    }

    #[test]
    fn blank_clears_and_spaces_are_ignored() {
        let c = OrganisationChange::new(None, Some(" "), Some("1027700 132195")).unwrap();
        assert_eq!(c.inn, Some(None));
        assert_eq!(c.ogrn, Some(Some("1027700132195".to_owned())));
        assert!(OrganisationChange::new(None, Some("1234567890"), None).is_err());
    }
}
