//! The working-day calendar as the API shows it.

use serde::{Deserialize, Serialize};

/// One day of the calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct CalendarDayView {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `working`, `shortened` (pre-holiday), `working_weekend` (a moved working Saturday or
    /// Sunday) or `day_off`.
    pub kind: String,
    /// The holiday's name, if any.
    pub holiday: Option<String>,
    /// For a moved day off: the date it was moved from.
    pub transferred_from: Option<String>,
}

/// A calendar year, whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct CalendarYear {
    /// The year.
    pub year: i32,
    /// The region of an overlay view, or null for the federal calendar.
    pub region: Option<String>,
    /// True when the federal production calendar of this year was imported; false means
    /// the fallback (Monday–Friday minus fixed holidays).
    pub published: bool,
    /// A warning to show while the year is not imported.
    pub warning: Option<String>,
    /// Every day of the year.
    pub items: Vec<CalendarDayView>,
}

// Query parameters of the calendar operations.

/// Which calendar.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct RegionQuery {
    /// A region code for its overlay (absent: the federal calendar).
    pub region: Option<String>,
}
