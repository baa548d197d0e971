//! The federal synonyms and abbreviations editor (`#/synonyms`): the answer engine's
//! dictionary as text, one entry a line — `ктп = календарно-тематическое планирование; ктп
//! план` — saved as a whole with `PUT /api/v1/kb/synonyms` (the engine re-indexes at once).
//! The server checks every entry; its Russian detail is shown as it is.
//! «Проверить вопрос» asks `GET /api/v1/kb/search` and shows why each article matched: the
//! question's words as the engine read them (after the dictionary and typo repair) and the
//! probability that the article is the answer.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mini_app_client::html::esc;
use mini_app_client::{json_body, request, ApiError, ErrorBox, Loading, Method, Remote};
use shared::kb::{SearchResult, SynonymEntry};
use shared::ItemList;

use crate::strings;

const PATH: &str = "/api/v1/kb/synonyms";

// The checker's texts stay here: the module's strings file belongs to its other screens.
const CHECK: &str = "Проверить вопрос";
const MATCHED: &str = "Совпали слова";
const PROBABILITY: &str = "вероятность ответа";
const NO_HITS: &str = "Подходящих статей нет.";

/// The search result of a test question as HTML: per hit its title, the matched words
/// and the probability that it is the answer.
fn hits_html(result: &SearchResult) -> String {
    if result.items.is_empty() {
        return format!("<p class=\"state\">{NO_HITS}</p>");
    }
    let items: String = result
        .items
        .iter()
        .map(|h| {
            let words = if h.matched.is_empty() {
                "—".to_owned()
            } else {
                esc(&h.matched.join(", "))
            };
            let p = h
                .probability
                .map_or_else(|| "—".to_owned(), |p| format!("{:.0} %", p * 100.0));
            format!(
                "<li><b>{}</b><br>{MATCHED}: {words}; {PROBABILITY} {p}</li>",
                esc(&h.title)
            )
        })
        .collect();
    format!("<ol id=\"syn-hits\">{items}</ol>")
}

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
        <Check/>
    }
}

#[component]
fn Check() -> impl IntoView {
    let question = RwSignal::new(String::new());
    let out = RwSignal::new(String::new());
    let run = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let q = question.get_untracked();
        if q.trim().is_empty() {
            return;
        }
        spawn_local(async move {
            out.set(match crate::api::search(q).await {
                Ok(result) => hits_html(&result),
                Err(e) => format!(
                    "<p class=\"form-error\" role=\"alert\">{}</p>",
                    esc(&e.message())
                ),
            });
        });
    };
    view! {
        <form id="syn-check" class="editor-form" on:submit=run>
            <div class="field">
                <label for="syn-q">{CHECK}</label>
                <input id="syn-q" type="search" prop:value=move || question.get()
                    on:input=move |ev| question.set(event_target_value(&ev))/>
            </div>
            <button type="submit" class="button">{CHECK}</button>
        </form>
        <div role="status" inner_html=move || out.get()></div>
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

#[cfg(test)]
mod tests {
    use super::hits_html;
    use shared::kb::{SearchHit, SearchResult};

    #[test]
    fn hits_show_title_matched_words_and_probability_escaped() {
        let hit = SearchHit {
            article_id: "kb-1".into(),
            title: "План <воспитательной> работы".into(),
            question: String::new(),
            score: 1.0,
            matched: vec!["план".into(), "воспитательой → воспитательной".into()],
            probability: Some(0.874),
        };
        let mut result = SearchResult {
            confident: true,
            abstain_reason: None,
            engine: "bm25".into(),
            items: vec![hit],
        };
        assert_eq!(
            hits_html(&result),
            "<ol id=\"syn-hits\"><li><b>План &lt;воспитательной&gt; работы</b><br>Совпали слова: \
             план, воспитательой → воспитательной; вероятность ответа 87 %</li></ol>"
        );
        result.items[0].matched.clear();
        result.items[0].probability = None;
        assert!(hits_html(&result).contains("Совпали слова: —; вероятность ответа —"));
        result.items.clear();
        assert_eq!(
            hits_html(&result),
            "<p class=\"state\">Подходящих статей нет.</p>"
        );
    }
}
