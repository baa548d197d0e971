//! Working days and deadlines: the production calendar as the service stores and uses it
//! ([`store`]), and the rules of reading and importing a year ([`years`]). The calendar
//! arithmetic and the xmlcalendar parser are in [`crate::calendar`].

pub mod store;
pub mod years;

pub use self::store::{load_calendar, seed_shipped, store_year, Calendars};
