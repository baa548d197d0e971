//! The screens of regional heads and federal supervisors: a tab bar driven by the URL hash
//! (`#/dashboard`, `#/regions`, `#/operators`, and for `federal` `#/kb`, `#/proposals`,
//! `#/variants`, `#/calendar`, `#/synonyms`), so back/forward and reload keep the screen. The federal-only
//! tabs are hidden for heads; the server refuses their calls anyway. A head's «Операторы»
//! tab also manages the operators of own regions ([`crate::users::Team`]). The pieces the
//! statistics tabs share are in [`crate::period`]; the HTML-text toolkit is
//! `mini_app_client::html`.

use leptos::prelude::*;
use shared::users::Role;

use crate::calendar_admin::CalendarAdmin;
use crate::dashboard::{Dashboard, OperatorsTable, RegionsTable};
use crate::kb_admin::{ArticleEditor, KbList, Proposals, Variants};
use crate::regions::Regions;
use crate::synonyms::Synonyms;
use crate::users::Team;

/// `(slug, title, federal only)` of every tab, in order.
const TABS: [(&str, &str, bool); 8] = [
    ("dashboard", "Сводка", false),
    ("regions", "Субъекты РФ", false),
    ("operators", "Операторы", false),
    ("kb", "База знаний", true),
    ("proposals", "Предложения", true),
    ("variants", "Варианты вопросов", true),
    ("calendar", "Календарь", true),
    ("synonyms", "Синонимы", true),
];

/// `#/kb/kb-001` → `kb/kb-001`; an empty or unknown hash is the dashboard.
fn route() -> String {
    let hash = window().location().hash().unwrap_or_default();
    let mut parts = hash
        .trim_start_matches('#')
        .split('/')
        .filter(|s| !s.is_empty());
    let slug = parts.next().unwrap_or_default();
    let rest = parts.next().unwrap_or_default();
    let slug = TABS
        .iter()
        .find(|t| t.0 == slug)
        .map_or("dashboard", |t| t.0);
    format!("{slug}/{rest}")
}

#[component]
pub fn Supervisor(role: Role, regions: Regions) -> impl IntoView {
    let federal = role == Role::Federal;
    let current = RwSignal::new(route());
    let handle = window_event_listener(leptos::ev::hashchange, move |_| current.set(route()));
    on_cleanup(move || handle.remove());
    // One period for every statistics tab.
    let days = RwSignal::new(30);
    let tabs = TABS
        .iter()
        .filter(|t| federal || !t.2)
        .map(|&(tab, title, _)| {
            view! {
                <a href=format!("#/{tab}") class="tab"
                    aria-current=move || current.with(|c| c.split('/').next() == Some(tab)).then_some("page")>{title}</a>
            }
        })
        .collect_view();
    view! {
        <nav class="tabs" aria-label="Разделы">{tabs}</nav>
        {move || {
            let current = current.get();
            let (slug, rest) = current.split_once('/').unwrap_or_default();
            match slug {
                "regions" => view! { <RegionsTable days/> }.into_any(),
                "operators" if federal => view! { <OperatorsTable days/> }.into_any(),
                "operators" => view! { <OperatorsTable days/> <Team regions/> }.into_any(),
                "kb" if rest.is_empty() => view! { <KbList/> }.into_any(),
                "kb" => view! { <ArticleEditor id=rest.to_owned()/> }.into_any(),
                "proposals" => view! { <Proposals/> }.into_any(),
                "variants" => view! { <Variants/> }.into_any(),
                "calendar" => view! { <CalendarAdmin regions/> }.into_any(),
                "synonyms" => view! { <Synonyms/> }.into_any(),
                _ => view! { <Dashboard days regions/> }.into_any(),
            }
        }}
    }
}
