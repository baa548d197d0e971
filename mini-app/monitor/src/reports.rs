//! The report download buttons of «Сводка»: XLSX or CSV of the chosen period, optionally
//! one region of the caller's, one status and one education level.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mini_app_client::html::{clicked, options};
use mini_app_client::{ErrorLine, Remote};
use shared::appeals::AppealStatus;
use staff_app::regions::Regions;

use crate::api;
use crate::period::Period;
use crate::strings;

/// The buttons (a literal `inner_html` in the view would become a plain attribute).
fn report_buttons() -> String {
    format!(
        "<button type=\"button\" id=\"report-xlsx\" class=\"button\" data-ext=\"xlsx\">{}</button><button type=\"button\" id=\"report-csv\" class=\"button secondary\" data-ext=\"csv\">{}</button>",
        strings::DOWNLOAD_XLSX,
        strings::DOWNLOAD_CSV
    )
}

/// The report download buttons for the chosen period, optionally one region of the
/// caller's and one status.
#[component]
pub fn Reports(period: RwSignal<Period>, regions: Regions) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let region = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let level = RwSignal::new(String::new());
    let get = move |ev: leptos::ev::MouseEvent| {
        let Some(ext) = clicked(&ev, "ext") else {
            return;
        };
        let mut path = format!(
            "/api/v1/reports/appeals.{ext}{}",
            period.get_untracked().query()
        );
        path.push_str(
            &api::query(&[
                ("region", &region.get_untracked()),
                ("status", &status.get_untracked()),
                ("level", &level.get_untracked()),
            ])
            .replacen('?', "&", 1),
        );
        error.set(None);
        spawn_local(async move {
            if let Err(e) = api::download(path, format!("obrashcheniya.{ext}")).await {
                error.set(Some(e.message()));
            }
        });
    };
    let region_options = move || {
        let mut pairs = vec![(String::new(), strings::WHOLE_SCOPE.to_owned())];
        if let Remote::Ready(list) = regions.get() {
            pairs.extend(
                list.into_iter()
                    .map(|r| (r.code.clone(), format!("{} ({})", r.name, r.code))),
            );
        }
        options(&pairs, &region.get_untracked())
    };
    let status_options: Vec<(String, String)> =
        std::iter::once((String::new(), strings::ALL_STATUSES.to_owned()))
            .chain(
                AppealStatus::ALL
                    .iter()
                    .map(|s| (s.as_str().to_owned(), s.title().to_owned())),
            )
            .collect();
    let level_options = level_options();
    view! {
        <section class="card" id="reports">
            <h2 class="card-title">{strings::REPORT_TITLE}</h2>
            <p class="muted">{strings::REPORT_LEAD}</p>
            <div class="ws-filters">
                <div class="field">
                    <label for="report-region">{strings::REGION}</label>
                    <select id="report-region" inner_html=region_options
                        on:change=move |ev| region.set(event_target_value(&ev))></select>
                </div>
                <div class="field">
                    <label for="report-status">{strings::FIELD_STATUS}</label>
                    <select id="report-status" inner_html=options(&status_options, "")
                        on:change=move |ev| status.set(event_target_value(&ev))></select>
                </div>
                <div class="field">
                    <label for="report-level">{strings::FIELD_LEVEL}</label>
                    <select id="report-level" inner_html=options(&level_options, "")
                        on:change=move |ev| level.set(event_target_value(&ev))></select>
                </div>
            </div>
            <div class="actions" on:click=get inner_html=report_buttons()></div>
            <ErrorLine message=error/>
        </section>
    }
}

/// The choices of an education-level filter: «Все уровни» (empty) and each level.
#[must_use]
pub fn level_options() -> Vec<(String, String)> {
    std::iter::once((String::new(), strings::ALL_LEVELS.to_owned()))
        .chain(
            strings::LEVELS
                .iter()
                .map(|(l, n)| ((*l).to_owned(), (*n).to_owned())),
        )
        .collect()
}
