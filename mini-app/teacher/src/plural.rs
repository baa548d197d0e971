//! Russian plural forms: «1 регион», «2 региона», «5 регионов», «21 регион», «11 регионов».

/// Picks the form for `n` from `[one, few, many]`.
#[must_use]
pub fn plural(n: u64, forms: [&'static str; 3]) -> &'static str {
    let [one, few, many] = forms;
    let (last, last_two) = (n % 10, n % 100);
    if last == 1 && last_two != 11 {
        one
    } else if (2..=4).contains(&last) && !(12..=14).contains(&last_two) {
        few
    } else {
        many
    }
}

/// The number followed by the matching form: `count(89, REGION_FORMS)` is «89 регионов».
#[must_use]
pub fn count(n: usize, forms: [&'static str; 3]) -> String {
    let word = plural(u64::try_from(n).unwrap_or(u64::MAX), forms);
    format!("{n} {word}")
}

#[cfg(test)]
mod tests {
    use super::{count, plural};
    use crate::strings::REGION_FORMS;

    const F: [&str; 3] = ["one", "few", "many"];

    #[test]
    fn one() {
        for n in [1, 21, 31, 101, 121, 1001] {
            assert_eq!(plural(n, F), "one", "{n}");
        }
    }

    #[test]
    fn few() {
        for n in [2, 3, 4, 22, 23, 24, 102, 1004] {
            assert_eq!(plural(n, F), "few", "{n}");
        }
    }

    #[test]
    fn many() {
        for n in [
            0, 5, 9, 10, 11, 12, 13, 14, 15, 19, 20, 25, 89, 100, 111, 112, 114, 1000,
        ] {
            assert_eq!(plural(n, F), "many", "{n}");
        }
    }

    #[test]
    fn counts_regions() {
        assert_eq!(count(89, REGION_FORMS), "89 регионов");
        assert_eq!(count(1, REGION_FORMS), "1 регион");
        assert_eq!(count(2, REGION_FORMS), "2 региона");
        assert_eq!(count(11, REGION_FORMS), "11 регионов");
        assert_eq!(count(21, REGION_FORMS), "21 регион");
    }
}
