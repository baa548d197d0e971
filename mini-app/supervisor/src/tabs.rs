//! The screens of regional heads and federal supervisors: a tab bar driven by the URL hash
//! (`#/dashboard`, `#/list` «Обращения» — drawn by the staff module, see
//! `staff_app::oversight` —, `#/regions`, `#/operators`, and for `federal` `#/kb`, `#/proposals`,
//! `#/variants`, `#/calendar`, `#/synonyms`), so back/forward and reload keep the screen. The federal-only
//! tabs are hidden for heads; the server refuses their calls anyway. A head's «Операторы»
//! tab also manages the operators of own regions ([`staff_app::users::Team`]). The statistics
//! tabs (`#/dashboard`, `#/regions`, `#/operators`) are drawn by the statistics module
//! (`mini-app/monitor`) in the `#monitor` element left above the other tabs' screens; a tab's
//! hash may carry the period after `?` (`#/regions?period=30`).

use leptos::prelude::*;
use shared::users::Role;

use crate::calendar::CalendarAdmin;
use crate::kb::{ArticleEditor, KbList, Proposals, Variants};
use crate::strings as s;
use crate::synonyms::Synonyms;
use staff_app::hosted::MonitorHost;
use staff_app::regions::Regions;
use staff_app::users::Team;

/// `(slug, title, federal only)` of every tab, in order.
const TABS: [(&str, &str, bool); 10] = [
    ("dashboard", s::TAB_DASHBOARD, false),
    ("list", s::TAB_APPEALS, false),
    ("regions", s::TAB_REGIONS, false),
    ("operators", s::TAB_OPERATORS, false),
    ("kb", s::TAB_KB, true),
    ("proposals", s::TAB_PROPOSALS, true),
    ("variants", s::TAB_VARIANTS, true),
    ("calendar", s::TAB_CALENDAR, true),
    ("synonyms", s::TAB_SYNONYMS, true),
    ("campaigns", "Рассылки", false),
];

/// A tab of the supervisors' screens, as the URL hash names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Dashboard,
    /// «Обращения» (`#/list`, `#/appeal/<id>`): drawn by the staff module under the tabs
    /// (`staff_app::oversight`).
    Appeals,
    Regions,
    Operators,
    /// The list of articles.
    Kb,
    /// One article in the editor (`#/kb/<id>`).
    Article(String),
    Proposals,
    Variants,
    Calendar,
    Synonyms,
    /// «Рассылки» and promo codes ([`crate::campaigns`]).
    Campaigns,
}

impl Route {
    /// `#/kb/kb-001` → [`Route::Article`]; an empty or unknown hash is the dashboard.
    #[must_use]
    pub fn parse(hash: &str) -> Self {
        let path = hash.trim_start_matches('#');
        let mut parts = path
            .split('?')
            .next()
            .unwrap_or_default()
            .split('/')
            .filter(|s| !s.is_empty());
        let slug = parts.next().unwrap_or_default();
        let rest = parts.next().unwrap_or_default();
        match slug {
            "list" | "appeal" => Self::Appeals,
            "regions" => Self::Regions,
            "operators" => Self::Operators,
            "kb" if rest.is_empty() => Self::Kb,
            "kb" => Self::Article(rest.to_owned()),
            "proposals" => Self::Proposals,
            "variants" => Self::Variants,
            "calendar" => Self::Calendar,
            "synonyms" => Self::Synonyms,
            "campaigns" => Self::Campaigns,
            _ => Self::Dashboard,
        }
    }

    /// The slug of the tab this route belongs to (an article belongs to `kb`).
    #[must_use]
    pub fn tab(&self) -> &'static str {
        match self {
            Self::Dashboard => "dashboard",
            Self::Appeals => "list",
            Self::Regions => "regions",
            Self::Operators => "operators",
            Self::Kb | Self::Article(_) => "kb",
            Self::Proposals => "proposals",
            Self::Variants => "variants",
            Self::Calendar => "calendar",
            Self::Synonyms => "synonyms",
            Self::Campaigns => "campaigns",
        }
    }
}

/// The route of the current URL hash.
fn route() -> Route {
    Route::parse(&window().location().hash().unwrap_or_default())
}

#[component]
pub fn Supervisor(role: Role, regions: Regions) -> impl IntoView {
    let federal = role == Role::Federal;
    let current = RwSignal::new(route());
    let handle = window_event_listener(leptos::ev::hashchange, move |_| current.set(route()));
    on_cleanup(move || handle.remove());
    let tabs = TABS
        .iter()
        .filter(|t| federal || !t.2)
        .map(|&(tab, title, _)| {
            view! {
                <a href=format!("#/{tab}") class="tab"
                    aria-current=move || current.with(|c| c.tab() == tab).then_some("page")>{title}</a>
            }
        })
        .collect_view();
    view! {
        <nav class="tabs" aria-label=s::TABS>{tabs}</nav>
        <MonitorHost role/>
        {move || match current.get() {
            Route::Operators if !federal => view! { <Team regions/> }.into_any(),
            Route::Kb => view! { <KbList/> }.into_any(),
            Route::Article(id) => view! { <ArticleEditor id/> }.into_any(),
            Route::Proposals => view! { <Proposals/> }.into_any(),
            Route::Variants => view! { <Variants/> }.into_any(),
            Route::Calendar => view! { <CalendarAdmin regions/> }.into_any(),
            Route::Synonyms => view! { <Synonyms/> }.into_any(),
            Route::Campaigns => view! { <crate::campaigns::Campaigns/> }.into_any(),
            Route::Dashboard | Route::Regions | Route::Operators | Route::Appeals => ().into_any(),
        }}
    }
}

#[cfg(test)]
mod tests {
    use super::Route;

    #[test]
    fn routes() {
        assert_eq!(Route::parse(""), Route::Dashboard);
        assert_eq!(Route::parse("#/nowhere"), Route::Dashboard);
        assert_eq!(Route::parse("#/regions"), Route::Regions);
        assert_eq!(Route::parse("#/regions?period=30"), Route::Regions);
        assert_eq!(Route::parse("#/kb/"), Route::Kb);
        assert_eq!(
            Route::parse("#/kb/kb-001"),
            Route::Article("kb-001".to_owned())
        );
        assert_eq!(Route::parse("#/kb/kb-001").tab(), "kb");
        assert_eq!(Route::parse("#/synonyms").tab(), "synonyms");
        assert_eq!(Route::parse("#/appeal/ab12").tab(), "list");
    }
}
