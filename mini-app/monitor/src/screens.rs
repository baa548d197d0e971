//! Which statistics screen the URL hash names: `#/dashboard` (also an empty or unknown hash,
//! as the supervisor module's tabs read it), `#/regions`, `#/operators`; nothing on the
//! supervisor module's other tabs.

use leptos::prelude::*;
use shared::users::Role;
use staff_app::regions::Regions;

use crate::dashboard::{Dashboard, OperatorsTable, RegionsTable};

/// A statistics screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Dashboard,
    Regions,
    Operators,
}

/// The tabs of other screens (the supervisor module's and the staff module's).
const OTHERS: [&str; 7] = [
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
            s if OTHERS.contains(&s) => None,
            _ => Some(Self::Dashboard),
        }
    }
}

fn current() -> Option<Screen> {
    Screen::parse(&window().location().hash().unwrap_or_default())
}

/// The statistics screen of the current hash, following it.
#[component]
pub fn Monitor(role: Role, regions: Regions) -> impl IntoView {
    let _ = role;
    let screen = RwSignal::new(current());
    let handle = window_event_listener(leptos::ev::hashchange, move |_| screen.set(current()));
    on_cleanup(move || handle.remove());
    // One period for every statistics tab.
    let days = RwSignal::new(30);
    move || match screen.get() {
        Some(Screen::Dashboard) => view! { <Dashboard days regions/> }.into_any(),
        Some(Screen::Regions) => view! { <RegionsTable days/> }.into_any(),
        Some(Screen::Operators) => view! { <OperatorsTable days/> }.into_any(),
        None => ().into_any(),
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
    }
}
