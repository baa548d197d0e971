//! «Помощь» for staff: the text of `data/help/staff.md` from `GET /api/v1/help/staff`, with a
//! filter field that keeps only the paragraphs containing every typed word (the tab `#/help`
//! of the workspace). The same page as the teacher's in `teacher-more`, which this crate does
//! not link.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mini_app_client::help::{blocks, matching, Block};
use mini_app_client::{json, request_value, ErrorBox, Loading, Method};

/// The page title, also the label of its tab.
pub const TITLE: &str = "Помощь";
const FILTER_LABEL: &str = "Найти в помощи";
const FILTER_HINT: &str = "Останутся абзацы, где есть все слова";
const NOTHING: &str = "В помощи нет абзацев с этими словами.";

/// The staff's help page.
#[component]
pub fn HelpPage() -> impl IntoView {
    let text = RwSignal::new(None::<Result<Vec<Block>, String>>);
    let load = move || {
        text.set(None);
        spawn_local(async move {
            let answer = request_value(Method::Get, "/api/v1/help/staff", None).await;
            text.set(Some(match answer {
                Ok(value) => Ok(blocks(&json::string(&value, "text").unwrap_or_default())),
                Err(error) => Err(error.message()),
            }));
        });
    };
    load();
    let query = RwSignal::new(String::new());
    let body = move || match text.get() {
        None => view! { <Loading/> }.into_any(),
        Some(Err(message)) => view! { <ErrorBox message on_retry=move |()| load()/> }.into_any(),
        Some(Ok(all)) => {
            let shown = matching(&all, &query.get());
            if shown.is_empty() {
                return view! { <p class="state" id="help-empty">{NOTHING}</p> }.into_any();
            }
            let items = shown.into_iter().map(|b| match b {
                Block::Heading(h) => view! { <h2 class="card-title">{h}</h2> }.into_any(),
                Block::Paragraph(p) => view! { <p class="text">{p}</p> }.into_any(),
            });
            view! { <section class="card" id="help-text">{items.collect_view()}</section> }
                .into_any()
        }
    };
    view! {
        <h1>{TITLE}</h1>
        <div class="card" role="search">
            <div class="field">
                <label for="help-q">{FILTER_LABEL}</label>
                <p class="hint" id="help-q-hint">{FILTER_HINT}</p>
                <input id="help-q" type="search" aria-describedby="help-q-hint"
                    on:input=move |ev| query.set(event_target_value(&ev))/>
            </div>
        </div>
        {body}
    }
}
