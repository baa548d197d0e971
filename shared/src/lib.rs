//! Types that travel between the api and the mini-app: request and response bodies, the
//! problem+json error shape, and domain newtypes that validate the same way on both sides.

pub mod appeals;
pub mod auth;
pub mod calendar;
pub mod campaigns;
pub mod integrations;
pub mod kb;
pub mod operator;
pub mod problem;
pub mod regions;
#[cfg(feature = "diesel")]
pub mod sql;
pub mod staff;
pub mod stats;
pub mod thread;
pub mod users;

pub use problem::{FieldError, Problem};
pub use regions::{Region, RegionCode, RegionRef};

use serde::{Deserialize, Serialize};

/// A small reference list returned whole (regions, a calendar year).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct ItemList<T> {
    /// Every item of the list.
    pub items: Vec<T>,
}

/// One page of a list of user data; pass `next_cursor` back as `cursor` for the next page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct Page<T> {
    /// Items of this page, in the list's order.
    pub items: Vec<T>,
    /// Opaque cursor of the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// «3 декабря»: a day and month in words, as deadlines are shown to teachers.
#[must_use]
pub fn ru_day_month(day: u32, month: u32) -> String {
    const MONTHS: [&str; 12] = [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ];
    let name = MONTHS
        .get(month.saturating_sub(1) as usize)
        .copied()
        .unwrap_or("");
    format!("{day} {name}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn day_month_in_words() {
        assert_eq!(super::ru_day_month(3, 12), "3 декабря");
        assert_eq!(super::ru_day_month(1, 1), "1 января");
    }
}
