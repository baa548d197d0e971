//! Federal knowledge-base tools: the article list with status and search, the editor with
//! a preview, publish and archive, the operators' proposals with the similar published
//! articles beside each, and the question-variant queue.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::kb::{Article, ArticleStatus, UpdateArticle};
use wasm_bindgen::JsCast;

use crate::api::{self, load_into, query, Remote};
use crate::kb_history::History;
use crate::strings;
use mini_app_client::html::{clicked, esc, hide_item, html, show, Html};
use mini_app_client::ErrorLine;

fn status_text(status: ArticleStatus) -> &'static str {
    match status {
        ArticleStatus::Draft => strings::STATUS_DRAFT,
        ArticleStatus::Published => strings::STATUS_PUBLISHED,
        ArticleStatus::Archived => strings::STATUS_ARCHIVED,
    }
}

fn badge(status: ArticleStatus) -> String {
    let class = match status {
        ArticleStatus::Published => "badge badge-ok",
        ArticleStatus::Draft => "badge badge-wait",
        ArticleStatus::Archived => "badge",
    };
    format!("<span class=\"{class}\">{}</span>", status_text(status))
}

/// The list item of an article: title (a link to the editor), status, version, question.
fn article_item(a: &Article) -> String {
    let id = esc(&a.id);
    format!(
        "<li class=\"card staff-item\" data-article=\"{id}\"><h2 class=\"card-title\"><a href=\"#/kb/{id}\">{}</a></h2>\
         <p class=\"muted\">{}</p><p class=\"clamp\">{}</p></li>",
        esc(&a.title),
        strings::article_meta(&badge(a.status), a.version, &id),
        esc(&a.question)
    )
}

/// `#/kb`: articles of a status, or published ones ranked by a search.
#[component]
pub fn KbList() -> impl IntoView {
    let status = RwSignal::new("published".to_owned());
    let q = RwSignal::new(String::new());
    let list = html();
    let load = move || {
        let query = query(&[
            ("status", &status.get_untracked()),
            ("q", q.get_untracked().trim()),
            ("limit", "100"),
        ]);
        load_into(list, async move {
            let page = api::articles(query).await?;
            if page.items.is_empty() {
                return Ok(format!("<p class=\"state\">{}</p>", strings::KB_EMPTY));
            }
            let items: String = page.items.iter().map(article_item).collect();
            Ok(format!("<ul class=\"staff-list kb-list\">{items}</ul>"))
        });
    };
    Effect::new(move |_| {
        status.track();
        load();
    });
    view! {
        <h1>{strings::TAB_KB}</h1>
        <form class="filters kb-filters" role="search" on:submit=move |ev| {
            ev.prevent_default();
            load();
        }>
            <div class="field">
                <label for="kb-status">{strings::FIELD_STATUS}</label>
                <select id="kb-status" on:change=move |ev| status.set(event_target_value(&ev))>
                    <option value="published">{strings::KB_FILTER_PUBLISHED}</option>
                    <option value="draft">{strings::KB_FILTER_DRAFTS}</option>
                    <option value="archived">{strings::KB_FILTER_ARCHIVE}</option>
                </select>
            </div>
            <div class="field">
                <label for="kb-q">{strings::KB_SEARCH}</label>
                <input id="kb-q" type="search" bind:value=q/>
            </div>
            <button type="submit" class="button secondary">{strings::KB_FIND}</button>
        </form>
        {show(list)}
    }
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The editor's fields: `(id, label, hint, rows)`; 0 rows is a one-line input.
const FIELDS: [(&str, &str, &str, u8); 6] = [
    ("a-title", strings::FIELD_TITLE, "", 0),
    ("a-question", strings::FIELD_QUESTION, "", 3),
    (
        "a-variants",
        strings::EDITOR_VARIANTS,
        strings::HINT_ONE_PER_LINE_F,
        4,
    ),
    (
        "a-answer",
        strings::FIELD_ANSWER,
        strings::HINT_PARAGRAPHS,
        10,
    ),
    (
        "a-refs",
        strings::EDITOR_LEGAL_REFS,
        strings::HINT_ONE_PER_LINE,
        3,
    ),
    ("a-tags", strings::FIELD_TAGS, strings::HINT_ONE_PER_LINE, 2),
];

/// The labelled controls of the editor filled with the article, as HTML.
fn fields_html(a: &Article) -> String {
    let values = [
        a.title.clone(),
        a.question.clone(),
        a.variants.join("\n"),
        a.answer.clone(),
        a.legal_refs.join("\n"),
        a.tags.join("\n"),
    ];
    FIELDS
        .iter()
        .zip(values)
        .map(|(&(id, label, hint, rows), value)| {
            let hint = if hint.is_empty() {
                String::new()
            } else {
                format!("<p class=\"hint\">{hint}</p>")
            };
            let value = esc(&value);
            let control = if rows == 0 {
                format!("<input id=\"{id}\" type=\"text\" value=\"{value}\">")
            } else {
                // A newline first: the parser drops one leading newline of a textarea.
                format!("<textarea id=\"{id}\" rows=\"{rows}\">\n{value}</textarea>")
            };
            format!("<div class=\"field\"><label for=\"{id}\">{label}</label>{hint}{control}</div>")
        })
        .collect()
}

/// The current value of the control `id`.
fn value(id: &str) -> String {
    document()
        .get_element_by_id(id)
        .and_then(|e| js_sys::Reflect::get(&e, &"value".into()).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// The article as the teacher will see it, from the editor's controls.
fn preview() -> String {
    let refs: String = lines(&value("a-refs"))
        .iter()
        .map(|r| format!("<li>{}</li>", esc(r)))
        .collect();
    format!(
        "<h2 class=\"card-title\">{}</h2><p><strong>{}</strong></p>{}<ul class=\"refs\">{refs}</ul>",
        esc(&value("a-title")),
        esc(&value("a-question")),
        paragraphs(&value("a-answer"))
    )
}

/// Paragraphs of an answer (split by empty lines), as the teacher will see them.
fn paragraphs(text: &str) -> String {
    text.split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| format!("<p class=\"text\">{}</p>", esc(p.trim())))
        .collect()
}

fn status_line(a: &Article) -> String {
    strings::article_meta(&badge(a.status), a.version, &esc(&a.id))
}

/// The buttons (a literal `inner_html` in the view would become a plain attribute).
fn editor_buttons() -> String {
    format!(
        "<button type=\"submit\" class=\"button secondary\">{}</button><button type=\"button\" id=\"publish\" class=\"button confirm\" data-act=\"/publish\">{}</button><button type=\"button\" id=\"archive\" class=\"button danger-outline\" data-act=\"/archive\">{}</button>",
        strings::EDITOR_SAVE,
        strings::EDITOR_SAVE_PUBLISH,
        strings::EDITOR_ARCHIVE
    )
}

/// `#/kb/<id>`: edit, preview, publish, archive.
#[component]
pub fn ArticleEditor(id: String) -> impl IntoView {
    let meta = html();
    let fields = html();
    let shown = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    {
        let id = id.clone();
        spawn_local(async move {
            match api::article(id).await {
                Ok(a) => {
                    fields.set(Remote::Ready(fields_html(&a)));
                    meta.set(Remote::Ready(status_line(&a)));
                    // After the controls are in the page.
                    request_animation_frame(move || shown.set(preview()));
                }
                Err(e) => meta.set(Remote::Failed(e)),
            }
        });
    }
    let id = StoredValue::new(id);
    let run = move |save: bool, action: &'static str, message: &'static str| {
        let id = id.get_value();
        let change = UpdateArticle {
            title: Some(value("a-title")),
            question: Some(value("a-question")),
            variants: Some(lines(&value("a-variants"))),
            answer: Some(value("a-answer")),
            legal_refs: Some(lines(&value("a-refs"))),
            tags: Some(lines(&value("a-tags"))),
        };
        error.set(None);
        done.set(None);
        spawn_local(async move {
            let mut result = Ok(None);
            if save {
                result = api::save_article(id.clone(), change).await.map(Some);
            }
            if result.is_ok() && !action.is_empty() {
                result = api::set_article_status(id, action).await.map(Some);
            }
            match result {
                Ok(article) => {
                    if let Some(a) = article {
                        meta.set(Remote::Ready(status_line(&a)));
                    }
                    done.set(Some(message.to_owned()));
                }
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    view! {
        <p><a href="#/kb" class="back">{strings::EDITOR_BACK}</a></p>
        <h1>{strings::EDITOR_TITLE}</h1>
        <div class="muted" id="article-status">{show(meta)}</div>
        <div class="editor">
            <form class="editor-form"
                on:input=move |_| shown.set(preview())
                on:submit=move |ev| {
                    ev.prevent_default();
                    run(true, "", strings::EDITOR_SAVED);
                }
                on:click=move |ev| match clicked(&ev, "act").as_deref() {
                    Some("/publish") => run(true, "/publish", strings::EDITOR_PUBLISHED),
                    Some("/archive") => run(false, "/archive", strings::EDITOR_ARCHIVED),
                    _ => {}
                }>
                {show(fields)}
                <div class="actions" inner_html=editor_buttons()></div>
                <p class="done" role="status">{move || done.get()}</p>
                <ErrorLine message=error/>
            </form>
            <section class="card preview" aria-label={strings::PREVIEW}>
                <p class="muted">{strings::PREVIEW_LEAD}</p>
                <div inner_html=move || shown.get()></div>
            </section>
        </div>
        {move || {
            // Drawn again after every save, so the new version is in the list.
            done.track();
            view! { <History id=id.get_value()/> }
        }}
    }
}

/// The drafts proposed by operators, each with the published articles the engine finds
/// closest to its question, as HTML.
async fn proposals() -> Result<String, api::ApiError> {
    let page = api::articles(query(&[("status", "draft"), ("limit", "100")])).await?;
    let mut html = String::new();
    for a in page.items.iter().filter(|a| a.source_appeal_id.is_some()) {
        let similar: String = api::search(a.question.clone())
            .await?
            .items
            .iter()
            .map(|h| {
                format!(
                    "<li><a href=\"#/kb/{}\">{}</a></li>",
                    esc(&h.article_id),
                    esc(&h.title)
                )
            })
            .collect();
        let similar = if similar.is_empty() {
            format!("<p class=\"muted\">{}</p>", strings::SIMILAR_NONE)
        } else {
            format!("<ul>{similar}</ul>")
        };
        let id = esc(&a.id);
        html.push_str(&format!(
            "<li class=\"card staff-item\" data-article=\"{id}\"><h2 class=\"card-title\">{}</h2><p><strong>{}</strong></p>{}\
             <div class=\"similar\"><h3>{}</h3>{similar}</div><div class=\"actions\">\
             <button type=\"button\" class=\"button confirm publish\" data-act=\"/publish\" data-id=\"{id}\">{}</button>\
             <a class=\"button secondary\" href=\"#/kb/{id}\">{}</a>\
             <button type=\"button\" class=\"button danger-outline\" data-act=\"/archive\" data-id=\"{id}\">{}</button></div></li>",
            esc(&a.title),
            esc(&a.question),
            paragraphs(&a.answer),
            strings::SIMILAR_TITLE,
            strings::PUBLISH,
            strings::EDIT,
            strings::REJECT
        ));
    }
    Ok(if html.is_empty() {
        format!("<p class=\"state\">{}</p>", strings::PROPOSALS_EMPTY)
    } else {
        format!("<ul class=\"staff-list proposals\">{html}</ul>")
    })
}

/// The candidate question variants as HTML.
async fn variants() -> Result<String, api::ApiError> {
    let page = api::variants(String::new()).await?;
    if page.items.is_empty() {
        return Ok(format!(
            "<p class=\"state\">{}</p>",
            strings::VARIANTS_EMPTY
        ));
    }
    let items: String = page
        .items
        .iter()
        .map(|v| {
            let id = esc(&v.id);
            format!(
                "<li class=\"card staff-item\" data-variant=\"{id}\"><div class=\"check\">\
                 <input type=\"checkbox\" class=\"pick\" id=\"pick-{id}\" value=\"{id}\">\
                 <label for=\"pick-{id}\">{}</label></div><h2 class=\"card-title\">«{}»</h2>\
                 <p class=\"muted\">{} <a href=\"#/kb/{}\">{}</a></p><div class=\"actions\">\
                 <button type=\"button\" class=\"button confirm\" data-act=\"/confirm\" data-id=\"{id}\">{}</button>\
                 <button type=\"button\" class=\"button secondary\" data-act=\"/reject\" data-id=\"{id}\">{}</button></div></li>",
                strings::PICK,
                esc(&v.text),
                strings::VARIANT_ARTICLE,
                esc(&v.article_id),
                esc(&v.article_title),
                strings::CONFIRM,
                strings::REJECT
            )
        })
        .collect();
    Ok(format!(
        "<div class=\"actions\" id=\"bulk\"><button type=\"button\" class=\"button\" data-bulk=\"/confirm\">{}</button>\
         <button type=\"button\" class=\"button secondary\" data-bulk=\"/reject\">{}</button></div>\
         <ul class=\"staff-list\">{items}</ul>",
        strings::CONFIRM_PICKED,
        strings::REJECT_PICKED
    ))
}

/// Confirms or rejects every checked variant one by one (the api decides each; a refusal
/// stops the run and is shown), hiding each decided item.
fn on_bulk(
    done: RwSignal<Option<String>>,
    error: RwSignal<Option<String>>,
) -> impl Fn(leptos::ev::MouseEvent) {
    move |ev| {
        let Some(action) = clicked(&ev, "bulk") else {
            return;
        };
        let action: &'static str = if action == "/confirm" {
            "/confirm"
        } else {
            "/reject"
        };
        let picked: Vec<web_sys::HtmlInputElement> = document()
            .query_selector_all("input.pick:checked")
            .map(|list| {
                (0..list.length())
                    .filter_map(|i| list.get(i)?.dyn_into().ok())
                    .collect()
            })
            .unwrap_or_default();
        error.set(None);
        done.set(None);
        spawn_local(async move {
            let mut decided = 0;
            for input in picked {
                match api::decide_variant(input.value(), action).await {
                    Ok(()) => {
                        decided += 1;
                        hide_item(Some(input.into()));
                    }
                    Err(e) => {
                        error.set(Some(e.message()));
                        break;
                    }
                }
            }
            let what = if action == "/confirm" {
                strings::BULK_CONFIRMED
            } else {
                strings::BULK_REJECTED
            };
            done.set(Some(strings::variants_decided(what, decided)));
        });
    }
}

/// Runs the action of a clicked `data-act`/`data-id` button; on success hides its item and
/// reports what was done, on failure shows the server's detail.
fn on_action(
    done: RwSignal<Option<String>>,
    error: RwSignal<Option<String>>,
) -> impl Fn(leptos::ev::MouseEvent) {
    move |ev| {
        let (Some(action), Some(id)) = (clicked(&ev, "act"), clicked(&ev, "id")) else {
            return;
        };
        let target = ev.target();
        error.set(None);
        done.set(None);
        spawn_local(async move {
            let result = match action.as_str() {
                "/publish" => api::set_article_status(id, "/publish")
                    .await
                    .map(|a| strings::proposal_published(&a.title)),
                "/archive" => api::set_article_status(id, "/archive")
                    .await
                    .map(|a| strings::proposal_rejected(&a.title)),
                "/confirm" => api::decide_variant(id, "/confirm")
                    .await
                    .map(|()| strings::VARIANT_CONFIRMED.to_owned()),
                _ => api::decide_variant(id, "/reject")
                    .await
                    .map(|()| strings::VARIANT_REJECTED.to_owned()),
            };
            match result {
                Ok(message) => {
                    hide_item(target);
                    done.set(Some(message));
                }
                Err(e) => error.set(Some(e.message())),
            }
        });
    }
}

/// A queue: its title, lead, the status line, and the HTML list with action buttons.
fn queue(title: &'static str, lead: &'static str, list: Html) -> impl IntoView {
    let done = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    view! {
        <h1>{title}</h1>
        <p class="lead">{lead}</p>
        <p class="done" role="status">{move || done.get()}</p>
        <ErrorLine message=error/>
        <div on:click=on_action(done, error)>
            <div on:click=on_bulk(done, error)>{show(list)}</div>
        </div>
    }
}

/// `#/proposals`: drafts operators proposed from their answers, each with the similar
/// published articles, to publish (after an edit if needed) or reject into the archive.
#[component]
pub fn Proposals() -> impl IntoView {
    let list = html();
    load_into(list, proposals());
    queue(strings::PROPOSALS_TITLE, strings::PROPOSALS_LEAD, list)
}

/// `#/variants`: candidate wordings collected from answered appeals; confirm or reject.
#[component]
pub fn Variants() -> impl IntoView {
    let list = html();
    load_into(list, variants());
    queue(strings::TAB_VARIANTS, strings::VARIANTS_LEAD, list)
}
