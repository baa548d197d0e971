//! The staff module's typed route: the operator's screens behind the URL hash (`#/board`,
//! `#/list`, `#/appeal/<id>`, `#/verification`, `#/stats`), so back, forward and reload work, and the
//! remembered view of the queue.

use leptos::prelude::*;

/// `localStorage` key of the remembered view (`board` or `list`).
const VIEW_KEY: &str = "staff-queue-view";

/// A screen of the operator's workspace, as the URL hash names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Board,
    List,
    Verification,
    Appeal(String),
    Quick,
    Help,
    /// «Моя статистика» (`#/stats`), drawn by the statistics module (`mini-app/monitor`).
    Stats,
}

impl Route {
    /// Parses `location.hash`; `None` for anything that is not a workspace screen.
    #[must_use]
    pub fn parse(hash: &str) -> Option<Self> {
        // A list's filters may follow after `?` (`#/list?show=overdue`, see [`query`]).
        let path = hash.trim_start_matches('#');
        let path = path.split('?').next().unwrap_or_default().trim_matches('/');
        match path.split_once('/') {
            Some(("appeal", id)) if is_id(id) => Some(Self::Appeal(id.to_owned())),
            None if path == "board" => Some(Self::Board),
            None if path == "list" => Some(Self::List),
            None if path == "verification" => Some(Self::Verification),
            None if path == "quick" => Some(Self::Quick),
            None if path == "help" => Some(Self::Help),
            None if path == "stats" => Some(Self::Stats),
            _ => None,
        }
    }
}

/// The value of `key` in the query part of the hash (`#/list?show=overdue&region=16`).
#[must_use]
pub fn query(key: &str) -> String {
    let hash = window().location().hash().unwrap_or_default();
    hash.split_once('?')
        .map(|(_, q)| q)
        .unwrap_or_default()
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.to_owned())
        .unwrap_or_default()
}

/// Appeal ids are plain: letters, digits, `-` and `_`, at most 64.
fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The browser's `localStorage`, where there is one.
#[must_use]
pub fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// `#/board` or `#/list`, whichever the operator used last.
pub fn queue_href() -> &'static str {
    match storage().and_then(|s| s.get_item(VIEW_KEY).ok().flatten()) {
        Some(v) if v == "list" => "#/list",
        _ => "#/board",
    }
}

/// The screen of the current hash, or the remembered view of the queue.
#[must_use]
pub fn current() -> Route {
    let hash = window().location().hash().unwrap_or_default();
    Route::parse(&hash)
        .or_else(|| Route::parse(queue_href()))
        .unwrap_or(Route::Board)
}

/// Remembers the queue's view (board or list) of `route` for the next visit.
pub fn remember(route: &Route) {
    let view = match route {
        Route::Board => "board",
        Route::List => "list",
        _ => return,
    };
    if let Some(storage) = storage() {
        let _ignored = storage.set_item(VIEW_KEY, view);
    }
}

#[cfg(test)]
mod tests {
    use super::Route;

    #[test]
    fn routes() {
        assert_eq!(Route::parse("#/board"), Some(Route::Board));
        assert_eq!(Route::parse("#/list/"), Some(Route::List));
        assert_eq!(Route::parse("#/list?show=overdue"), Some(Route::List));
        assert_eq!(Route::parse("#/verification"), Some(Route::Verification));
        assert_eq!(Route::parse("#/quick"), Some(Route::Quick));
        assert_eq!(Route::parse("#/help"), Some(Route::Help));
        assert_eq!(Route::parse("#/stats?period=30"), Some(Route::Stats));
        assert_eq!(
            Route::parse("#/appeal/0193abc_d-1"),
            Some(Route::Appeal("0193abc_d-1".to_owned()))
        );
        for other in [
            "",
            "#/",
            "#/appeal/",
            "#/appeal/a/b",
            "#/appeal/a b",
            "#/profile",
        ] {
            assert_eq!(Route::parse(other), None, "{other:?}");
        }
    }
}
