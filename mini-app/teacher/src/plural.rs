//! Russian plural forms: «1 регион», «2 региона», «5 регионов», «21 регион», «11 регионов».
//! The one helper lives in the shared glossary (`mini_app_client::words`).

pub use mini_app_client::words::{count, plural};

#[cfg(test)]
mod tests {
    use super::count;
    use crate::strings::REGION_FORMS;

    #[test]
    fn counts_regions() {
        assert_eq!(count(89, REGION_FORMS), "89 регионов");
        assert_eq!(count(1, REGION_FORMS), "1 регион");
        assert_eq!(count(2, REGION_FORMS), "2 региона");
        assert_eq!(count(11, REGION_FORMS), "11 регионов");
        assert_eq!(count(21, REGION_FORMS), "21 регион");
    }
}
