//! The federal synonyms and abbreviations editor (`#/synonyms`): the answer engine's
//! dictionary as text, one entry a line — `ктп = календарно-тематическое планирование; ктп
//! план` — saved as a whole with `PUT /api/v1/kb/synonyms` (the engine re-indexes at once).
//! The server checks every entry; its Russian detail is shown as it is.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mini_app_client::{json_body, request, ApiError, ErrorBox, Loading, Method, Remote};
use shared::kb::SynonymEntry;
use shared::ItemList;

use crate::strings;

const PATH: &str = "/api/v1/kb/synonyms";

/// The dictionary of an `ItemList<SynonymEntry>` answer as editable text.
fn as_text(list: &ItemList<SynonymEntry>) -> String {
    list.items
        .iter()
        .map(|e| format!("{} = {}\n", e.term, e.expansions.join("; ")))
        .collect()
}

/// The text back as entries: `term = a; b` per non-empty line (a line without `=` is a
/// term with no meanings, which the server refuses with its own message).
fn entries(text: &str) -> ItemList<SynonymEntry> {
    let items = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let (term, rest) = line.split_once('=').unwrap_or((line, ""));
            let expansions: Vec<String> = rest
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            SynonymEntry {
                term: term.trim().to_owned(),
                expansions,
            }
        })
        .collect();
    ItemList { items }
}

#[component]
pub fn Synonyms() -> impl IntoView {
    let loaded = RwSignal::new(Remote::<String>::Loading);
    let load = move || {
        loaded.set(Remote::Loading);
        spawn_local(async move {
            let answer = request::<ItemList<SynonymEntry>>(Method::Get, PATH, None).await;
            loaded.set(match answer {
                Ok(list) => Remote::Ready(as_text(&list)),
                Err(error) => Remote::Failed(error),
            });
        });
    };
    load();
    view! {
        <h1>{strings::SYNONYMS_TITLE}</h1>
        <p class="lead">{strings::SYNONYMS_LEAD}</p>
        {move || match loaded.get() {
            Remote::Loading => view! { <Loading/> }.into_any(),
            Remote::Failed(error) => {
                view! { <ErrorBox message=error.message() on_retry=move |()| load()/> }.into_any()
            }
            Remote::Ready(text) => view! { <Editor text/> }.into_any(),
        }}
    }
}

#[component]
fn Editor(text: String) -> impl IntoView {
    let value = RwSignal::new(text);
    let error = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        saved.set(None);
        busy.set(true);
        spawn_local(async move {
            let body = json_body(&entries(&value.get_untracked()));
            match request::<ItemList<SynonymEntry>>(Method::Put, PATH, Some(&body)).await {
                Ok(list) => {
                    value.set(as_text(&list));
                    saved.set(Some(strings::synonyms_saved(list.items.len())));
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <form id="synonyms" class="editor-form" on:submit=save novalidate>
            <div class="field">
                <label for="syn-text">{strings::SYNONYMS_DICTIONARY}</label>
                <textarea id="syn-text" rows="16" spellcheck="false" aria-describedby="syn-error"
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))></textarea>
            </div>
            <p class="form-error" role="alert" id="syn-error">
                {move || error.with(|e| e.as_ref().map(ApiError::message))}
            </p>
            <p class="done" role="status" id="syn-saved">{move || saved.get()}</p>
            <button type="submit" class="button" disabled=busy>{strings::SYNONYMS_SAVE}</button>
        </form>
    }
}
