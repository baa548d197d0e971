//! Which statistics screen the URL hash names: `#/dashboard` (also an empty or unknown hash,
//! as the supervisor module's tabs read it), `#/regions`, `#/operators`, and the operators'
//! `#/stats`; nothing on the other modules' tabs. One period for every screen, kept in the
//! hash ([`crate::period`]).

use leptos::prelude::*;
use shared::users::Role;
use staff_app::regions::Regions;

use crate::dashboard::Dashboard;
use crate::mine::MyStats;
use crate::period::{from_hash, to_hash, DEFAULT};
use crate::tables::{OperatorsTable, RegionsTable};

/// A statistics screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Dashboard,
    Regions,
    Operators,
    /// The operators' «Моя статистика».
    Mine,
}

/// The tabs of other screens (the supervisor module's and the staff module's).
const OTHERS: [&str; 11] = [
    "board",
    "quick",
    "help",
    "verification",
    "list",
    "appeal",
    "kb",
    "proposals",
    "variants",
    "calendar",
    "synonyms",
];

impl Screen {
    /// `#/regions?period=30` → [`Screen::Regions`]; `None` on another module's tab.
    #[must_use]
    pub fn parse(hash: &str) -> Option<Self> {
        let path = hash
            .trim_start_matches('#')
            .split('?')
            .next()
            .unwrap_or_default();
        let slug = path.split('/').find(|s| !s.is_empty()).unwrap_or_default();
        match slug {
            "regions" => Some(Self::Regions),
            "operators" => Some(Self::Operators),
            "stats" => Some(Self::Mine),
            s if OTHERS.contains(&s) => None,
            _ => Some(Self::Dashboard),
        }
    }
}

fn current() -> Option<Screen> {
    Screen::parse(&window().location().hash().unwrap_or_default())
}

/// The statistics screen of the current hash, following it, with the period of the hash
/// (or the one chosen last, written back into the hash).
#[component]
pub fn Monitor(role: Role, regions: Regions) -> impl IntoView {
    let screen = RwSignal::new(current());
    let period = RwSignal::new(from_hash().unwrap_or(DEFAULT));
    let handle = window_event_listener(leptos::ev::hashchange, move |_| {
        if let Some(p) = from_hash() {
            period.set(p);
        }
        screen.set(current());
    });
    on_cleanup(move || handle.remove());
    Effect::new(move |_| {
        let p = period.get();
        if screen.get().is_some() {
            to_hash(p);
        }
    });
    move || match screen.get() {
        Some(Screen::Mine) | Some(_) if role == Role::Operator => {
            view! { <MyStats period/> }.into_any()
        }
        Some(Screen::Dashboard) => view! { <Dashboard period regions/> }.into_any(),
        Some(Screen::Regions) => view! { <RegionsTable period role/> }.into_any(),
        Some(Screen::Operators) => view! { <OperatorsTable period/> }.into_any(),
        Some(Screen::Mine) | None => ().into_any(),
    }
}

#[cfg(test)]
mod tests {
    use super::Screen;

    #[test]
    fn screens() {
        assert_eq!(Screen::parse(""), Some(Screen::Dashboard));
        assert_eq!(Screen::parse("#/nowhere"), Some(Screen::Dashboard));
        assert_eq!(Screen::parse("#/regions?period=30"), Some(Screen::Regions));
        assert_eq!(Screen::parse("#/operators"), Some(Screen::Operators));
        assert_eq!(Screen::parse("#/kb/kb-001"), None);
        assert_eq!(Screen::parse("#/list?show=overdue"), None);
        assert_eq!(Screen::parse("#/stats?period=7"), Some(Screen::Mine));
        assert_eq!(Screen::parse("#/board"), None);
    }
}
