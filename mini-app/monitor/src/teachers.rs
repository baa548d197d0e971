//! Appeals per 1,000 teachers (issue #18): a region's value of a figure of the per-region
//! table (the teachers' figures sit beside the others), and the federal form that imports
//! each region's number of teachers (`PUT /api/v1/regions/teachers`, pasted lines or a CSV
//! file). The service ships no number, so the figure appears once one is imported.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mini_app_client::{ApiError, ErrorLine};
use shared::stats::RegionStats;
use wasm_bindgen::JsCast;

use crate::strings;

/// The key of the figure «appeals per 1,000 teachers».
pub const PER_1000: &str = "appeals_per_1000";

/// A region's value of `key`: a figure, or its appeals per 1,000 teachers.
#[must_use]
pub fn value(r: &RegionStats, key: &str) -> Option<f64> {
    if key == PER_1000 {
        r.appeals_per_1000
    } else {
        r.figures.value(key)
    }
}

/// Whether some region of the scope has a number of teachers.
#[must_use]
pub fn any_teachers(items: &[RegionStats]) -> bool {
    items.iter().any(|r| r.appeals_per_1000.is_some())
}

/// `PUT /api/v1/regions/teachers` with CSV lines: the regions it set and how many have a
/// number now (read from the answer's JSON as is: only two numbers are shown).
async fn upload(text: String) -> Result<(i64, usize), ApiError> {
    let body = Some(("text/csv; charset=utf-8", text.as_str()));
    let response = mini_app_client::files::raw("PUT", "/api/v1/regions/teachers", body).await?;
    let value =
        wasm_bindgen_futures::JsFuture::from(response.json().map_err(|_| ApiError::Decode)?)
            .await
            .map_err(|_| ApiError::Decode)?;
    let field = |name: &str| js_sys::Reflect::get(&value, &name.into()).ok();
    let imported = field("imported").and_then(|v| v.as_f64());
    let items = field("items").map(|v| js_sys::Array::from(&v).length());
    match (imported, items) {
        #[allow(clippy::cast_possible_truncation)] // at most 100 regions
        (Some(n), Some(total)) => Ok((n as i64, usize::try_from(total).unwrap_or(0))),
        _ => Err(ApiError::Decode),
    }
}

/// The server's refusal: its summary and, for a list with several errors, each of them.
fn refusal(e: &ApiError) -> String {
    match e {
        ApiError::Problem(p) if p.errors.len() > 1 => {
            let lines: Vec<&str> = p.errors.iter().map(|e| e.message.as_str()).collect();
            format!("{} {}", p.detail, lines.join(" "))
        }
        other => other.message(),
    }
}

/// The text of the chosen file, if any.
async fn file_text() -> Option<String> {
    let input = document()
        .get_element_by_id("teachers-file")?
        .dyn_into::<web_sys::HtmlInputElement>()
        .ok()?;
    let file = input.files()?.get(0)?;
    let text = wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .ok()?;
    text.as_string()
}

/// The federal form: pasted lines or a CSV file; `saved` is bumped after an import so the
/// map and the tables load again.
#[component]
pub fn TeachersImport(saved: RwSignal<u32>) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        done.set(String::new());
        busy.set(true);
        spawn_local(async move {
            let pasted = text.get_untracked();
            let body = if pasted.trim().is_empty() {
                file_text().await.unwrap_or_default()
            } else {
                pasted
            };
            if body.trim().is_empty() {
                error.set(Some(strings::TEACHERS_EMPTY.to_owned()));
            } else {
                match upload(body).await {
                    Ok((imported, total)) => {
                        done.set(strings::teachers_saved(imported, total));
                        saved.update(|n| *n += 1);
                    }
                    Err(e) => error.set(Some(refusal(&e))),
                }
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card" id="teachers-card">
            <h2 class="card-title">{strings::TEACHERS_TITLE}</h2>
            <p class="muted">{strings::TEACHERS_LEAD}</p>
            <form id="teachers-form" on:submit=submit>
                <div class="field">
                    <label for="teachers-text">{strings::TEACHERS_FIELD}</label>
                    <textarea id="teachers-text" rows="4" placeholder="16;45210"
                        prop:value=move || text.get()
                        on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                </div>
                <div class="field">
                    <label for="teachers-file">{strings::TEACHERS_FILE}</label>
                    <input id="teachers-file" type="file" accept=".csv,text/csv"/>
                </div>
                <button type="submit" class="button" id="teachers-send"
                    disabled=move || busy.get()>{strings::TEACHERS_SEND}</button>
            </form>
            <p class="muted" id="teachers-done" role="status">{move || done.get()}</p>
            <ErrorLine message=error/>
        </section>
    }
}
