//! One region in a list: a link to its page.

use leptos::prelude::*;
use shared::{Region, RegionCode};

use crate::router::Route;
use crate::strings;

/// Name on the first line, code and federal district below; the whole row is the link.
#[component]
pub fn RegionRow(region: Region) -> impl IntoView {
    let Region {
        code,
        name,
        federal_district,
        ..
    } = region;
    let href = RegionCode::parse(&code)
        .map_or_else(|_| Route::Regions.href(), |c| Route::Region(c).href());
    let meta = format!(
        "{code} · {federal_district} {}",
        strings::FEDERAL_DISTRICT_SHORT
    );
    view! {
        <li>
            <a class="row" href=href>
                <span class="row-title">{name}</span>
                <span class="row-meta">{meta}</span>
            </a>
        </li>
    }
}
