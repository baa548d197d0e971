//! A tiny hash router: the route lives in `location.hash` (`#/regions/77`), so the api only
//! ever serves `/` and the page never reloads. Links are plain `<a href=…>` built with
//! [`Route::href`]; the browser's back button works through `hashchange`.

use leptos::prelude::{signal, window, window_event_listener, ReadSignal, Set};
use shared::RegionCode;

/// Every screen of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `#/` or `#/regions`: the list of regions (the home screen for now).
    Regions,
    /// `#/regions/<code>`: one region.
    Region(RegionCode),
    /// Anything else.
    NotFound,
}

impl Route {
    /// Parses `location.hash` (with or without the leading `#`). Empty segments are ignored,
    /// so `#`, `#/`, `#//regions/` all work; a `?query` part is dropped.
    #[must_use]
    pub fn parse(hash: &str) -> Self {
        let path = hash.strip_prefix('#').unwrap_or(hash);
        let path = path.split_once('?').map_or(path, |(path, _)| path);
        let mut segments = path.split('/').filter(|s| !s.is_empty());
        match (segments.next(), segments.next(), segments.next()) {
            (None, ..) | (Some("regions"), None, _) => Self::Regions,
            (Some("regions"), Some(code), None) => {
                RegionCode::parse(code).map_or(Self::NotFound, Self::Region)
            }
            _ => Self::NotFound,
        }
    }

    /// The `href` of a link to this route.
    #[must_use]
    pub fn href(&self) -> String {
        match self {
            Self::Regions | Self::NotFound => "#/".to_owned(),
            Self::Region(code) => format!("#/regions/{code}"),
        }
    }
}

/// The current route, kept up to date by a `hashchange` listener for the app's lifetime.
#[must_use]
pub fn use_route() -> ReadSignal<Route> {
    let (route, set_route) = signal(current());
    // The listener lives as long as the page: its handle is never removed.
    let _handle = window_event_listener(leptos::ev::hashchange, move |_| set_route.set(current()));
    route
}

fn current() -> Route {
    Route::parse(&window().location().hash().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::Route;
    use shared::RegionCode;

    fn region(code: &str) -> Route {
        RegionCode::parse(code).map_or(Route::NotFound, Route::Region)
    }

    #[test]
    fn home_forms() {
        for hash in [
            "",
            "#",
            "#/",
            "/",
            "#//",
            "#/regions",
            "#/regions/",
            "regions",
            "#/?x=1",
        ] {
            assert_eq!(Route::parse(hash), Route::Regions, "{hash:?}");
        }
    }

    #[test]
    fn region_with_code() {
        assert_eq!(Route::parse("#/regions/77"), region("77"));
        assert_eq!(Route::parse("#/regions/77/"), region("77"));
        assert_eq!(Route::parse("#/regions/7"), region("07"));
        assert_eq!(Route::parse("#/regions/01?from=list"), region("01"));
    }

    #[test]
    fn unknown_paths() {
        for hash in [
            "#/nope",
            "#/regions/abc",
            "#/regions/777",
            "#/regions/77/extra",
            "#/Regions",
        ] {
            assert_eq!(Route::parse(hash), Route::NotFound, "{hash:?}");
        }
    }

    #[test]
    fn href_round_trips() {
        for route in [Route::Regions, region("05"), region("77")] {
            assert_eq!(Route::parse(&route.href()), route);
        }
        assert_eq!(Route::NotFound.href(), "#/");
    }
}
