//! The list of regions every staff screen shows names from, loaded once per module.

use leptos::prelude::*;
use mini_app_client::Remote;
use shared::Region;

/// The regions, for names next to codes and the demo sign-in.
pub type Regions = RwSignal<Remote<Vec<Region>>>;

/// «Республика Татарстан (16)», or the code alone while the list is not there.
#[must_use]
pub fn region_name(regions: Regions, code: &str) -> String {
    regions.with(|r| match r {
        Remote::Ready(list) => list
            .iter()
            .find(|r| r.code == code)
            .map_or_else(|| code.to_owned(), |r| format!("{} ({code})", r.name)),
        _ => code.to_owned(),
    })
}
