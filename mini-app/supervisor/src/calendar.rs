//! Federal: the production calendar of a year as twelve month grids (days off, shortened and
//! moved working days marked), the warning while a year is not imported, and the import of
//! an xmlcalendar file for the year or as a region's overlay.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::calendar::{CalendarDayView, CalendarYear};
use wasm_bindgen::JsCast;

use crate::api::{self, load_into, Remote};
use crate::strings;
use mini_app_client::html::{esc, html, options, show};
use mini_app_client::ErrorLine;
use staff_app::regions::Regions;

/// Day of the week, Monday = 0 (Sakamoto's method).
fn weekday(y: i32, m: usize, d: i32) -> usize {
    const T: [i32; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    let y = if m < 3 { y - 1 } else { y };
    let sunday_first = (y + y / 4 - y / 100 + y / 400 + T[m - 1] + d).rem_euclid(7);
    usize::try_from((sunday_first + 6) % 7).unwrap_or(0)
}

fn kind_text(kind: &str) -> &'static str {
    match kind {
        "day_off" => strings::DAY_OFF,
        "shortened" => strings::DAY_SHORTENED,
        "working_weekend" => strings::DAY_WORKING_WEEKEND,
        _ => strings::DAY_WORKING,
    }
}

fn month(html: &mut String, year: i32, m: usize, days: &[&CalendarDayView]) {
    html.push_str(&format!(
        "<table class=\"cal-month\"><caption>{}</caption><thead><tr>",
        strings::MONTHS[m - 1]
    ));
    for d in strings::WEEKDAYS {
        html.push_str(&format!("<th scope=\"col\">{d}</th>"));
    }
    html.push_str("</tr></thead><tbody><tr>");
    let blank = weekday(year, m, 1);
    html.push_str(&"<td></td>".repeat(blank));
    for (i, d) in days.iter().enumerate() {
        if i > 0 && (blank + i).is_multiple_of(7) {
            html.push_str("</tr><tr>");
        }
        let mut title = kind_text(&d.kind).to_owned();
        if let Some(h) = &d.holiday {
            title = format!("{title}: {h}");
        }
        let moved = match &d.transferred_from {
            Some(from) => {
                title = strings::day_moved_from(&title, from);
                " cal-moved"
            }
            None => "",
        };
        let day = d.date.get(8..).unwrap_or("").trim_start_matches('0');
        let title = esc(&title);
        html.push_str(&format!(
            "<td class=\"cal-{}{moved}\" data-date=\"{}\" title=\"{title}\" aria-label=\"{day} — {title}\">{day}</td>",
            esc(&d.kind),
            esc(&d.date)
        ));
    }
    html.push_str("</tr></tbody></table>");
}

fn year_view(y: &CalendarYear) -> String {
    let count = |kind: &str| y.items.iter().filter(|d| d.kind == kind).count();
    let working = count("working") + count("shortened") + count("working_weekend");
    let mut html = y.warning.as_ref().map_or_else(String::new, |w| {
        format!(
            "<p class=\"notice cal-warning\" id=\"cal-warning\" role=\"alert\">{}</p>",
            esc(w)
        )
    });
    html.push_str(&format!(
        "<p id=\"cal-summary\">{}</p>\
         <p class=\"cal-legend muted\"><span class=\"cal-day_off\">{}</span><span class=\"cal-shortened\">{}</span>\
         <span class=\"cal-working_weekend\">{}</span><span class=\"cal-moved\">{}</span></p>\
         <div class=\"cal-year\" id=\"cal-year\">",
        strings::calendar_summary(working, count("shortened"), count("day_off")),
        strings::DAY_OFF,
        strings::LEGEND_SHORTENED,
        strings::LEGEND_WORKING_WEEKEND,
        strings::LEGEND_MOVED,
    ));
    for m in 1..=12 {
        let prefix = format!("{}-{m:02}-", y.year);
        let days: Vec<&CalendarDayView> = y
            .items
            .iter()
            .filter(|d| d.date.starts_with(&prefix))
            .collect();
        month(&mut html, y.year, m, &days);
    }
    html + "</div>"
}

#[component]
pub fn CalendarAdmin(regions: Regions) -> impl IntoView {
    let this_year = js_sys::Date::new_0().get_full_year() as i32;
    let year = RwSignal::new(this_year);
    let region = RwSignal::new(String::new());
    let data = html();
    Effect::new(move |_| {
        let (y, r) = (year.get(), region.get());
        load_into(data, async move {
            api::calendar(y, r).await.map(|c| year_view(&c))
        });
    });
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let import = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let picked = document()
            .get_element_by_id("cal-file")
            .and_then(|input| input.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0));
        let Some(picked) = picked else {
            error.set(Some(strings::CALENDAR_PICK_FILE.to_owned()));
            return;
        };
        let (y, r) = (year.get_untracked(), region.get_untracked());
        busy.set(true);
        error.set(None);
        done.set(None);
        spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(picked.text()).await;
            let result = match text.ok().and_then(|t| t.as_string()) {
                Some(xml) => api::import_calendar(y, r, xml)
                    .await
                    .map_err(|e| e.message()),
                None => Err(strings::CALENDAR_FILE_UNREADABLE.to_owned()),
            };
            match result {
                Ok(calendar) => {
                    done.set(Some(strings::calendar_imported(y)));
                    data.set(Remote::Ready(year_view(&calendar)));
                }
                Err(message) => error.set(Some(message)),
            }
            busy.set(false);
        });
    };
    let years: Vec<(String, String)> = (this_year - 2..=this_year + 2)
        .map(|y| (y.to_string(), y.to_string()))
        .collect();
    let years = options(&years, &this_year.to_string());
    let region_options = move || {
        let mut html = format!("<option value=\"\">{}</option>", strings::CALENDAR_FEDERAL);
        if let Remote::Ready(list) = regions.get() {
            for r in list {
                html.push_str(&format!(
                    "<option value=\"{0}\">{1} ({0})</option>",
                    esc(&r.code),
                    esc(&r.name)
                ));
            }
        }
        html
    };

    view! {
        <h1>{strings::CALENDAR_TITLE}</h1>
        <div class="filters cal-filters">
            <div class="field">
                <label for="cal-year-select">{strings::YEAR}</label>
                <select id="cal-year-select" inner_html=years
                    on:change=move |ev| year.set(event_target_value(&ev).parse().unwrap_or(this_year))></select>
            </div>
            <div class="field">
                <label for="cal-region">{strings::CALENDAR_WHICH}</label>
                <select id="cal-region" on:change=move |ev| region.set(event_target_value(&ev))
                    inner_html=region_options></select>
            </div>
        </div>
        <form class="card" id="cal-import" on:submit=import>
            <h2 class="card-title">{move || strings::calendar_import_title(year.get())}</h2>
            <p class="hint">{strings::CALENDAR_IMPORT_HINT}</p>
            <div class="field">
                <label for="cal-file">{strings::CALENDAR_FILE}</label>
                <input id="cal-file" type="file" accept=".xml,application/xml,text/xml"/>
            </div>
            <button type="submit" class="button" disabled=busy>{strings::CALENDAR_IMPORT}</button>
            <p class="done" role="status">{move || done.get()}</p>
            <ErrorLine message=error/>
        </form>
        {show(data)}
    }
}
