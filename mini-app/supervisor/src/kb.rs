//! Federal knowledge-base tools: the article list with status and search, the editor with
//! a preview, publish and archive, the operators' proposals with the similar published
//! articles beside each, and the question-variant queue.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::kb::{Article, ArticleStatus, UpdateArticle};
use wasm_bindgen::JsCast;

use crate::api::{self, load_into, query, Remote};
use crate::kb_history::History;
use mini_app_client::html::{clicked, esc, hide_item, html, show, Html};
use mini_app_client::ErrorLine;

fn status_text(status: ArticleStatus) -> &'static str {
    match status {
        ArticleStatus::Draft => "черновик",
        ArticleStatus::Published => "опубликована",
        ArticleStatus::Archived => "в архиве",
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
         <p class=\"muted\">{} · версия {} · {id}</p><p class=\"clamp\">{}</p></li>",
        esc(&a.title),
        badge(a.status),
        a.version,
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
                return Ok("<p class=\"state\">Статей нет.</p>".to_owned());
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
        <h1>"База знаний"</h1>
        <form class="filters kb-filters" role="search" on:submit=move |ev| {
            ev.prevent_default();
            load();
        }>
            <div class="field">
                <label for="kb-status">"Статус"</label>
                <select id="kb-status" on:change=move |ev| status.set(event_target_value(&ev))>
                    <option value="published">"Опубликованные"</option>
                    <option value="draft">"Черновики"</option>
                    <option value="archived">"Архив"</option>
                </select>
            </div>
            <div class="field">
                <label for="kb-q">"Поиск по опубликованным"</label>
                <input id="kb-q" type="search" bind:value=q/>
            </div>
            <button type="submit" class="button secondary">"Найти"</button>
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
    ("a-title", "Заголовок", "", 0),
    ("a-question", "Вопрос", "", 3),
    (
        "a-variants",
        "Другие формулировки вопроса",
        "По одной в строке.",
        4,
    ),
    ("a-answer", "Ответ", "Абзацы разделяйте пустой строкой.", 10),
    ("a-refs", "Нормативные документы", "По одному в строке.", 3),
    ("a-tags", "Теги", "По одному в строке.", 2),
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
    format!(
        "{} · версия {} · {}",
        badge(a.status),
        a.version,
        esc(&a.id)
    )
}

/// The buttons (a literal `inner_html` in the view would become a plain attribute).
const EDITOR_BUTTONS: &str = "<button type=\"submit\" class=\"button secondary\">Сохранить</button><button type=\"button\" id=\"publish\" class=\"button confirm\" data-act=\"/publish\">Сохранить и опубликовать</button><button type=\"button\" id=\"archive\" class=\"button danger-outline\" data-act=\"/archive\">В архив</button>";

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
        <p><a href="#/kb" class="back">"← Все статьи"</a></p>
        <h1>"Статья"</h1>
        <div class="muted" id="article-status">{show(meta)}</div>
        <div class="editor">
            <form class="editor-form"
                on:input=move |_| shown.set(preview())
                on:submit=move |ev| {
                    ev.prevent_default();
                    run(true, "", "Изменения сохранены.");
                }
                on:click=move |ev| match clicked(&ev, "act").as_deref() {
                    Some("/publish") => run(true, "/publish", "Статья опубликована: бот отвечает ею сразу."),
                    Some("/archive") => run(false, "/archive", "Статья в архиве."),
                    _ => {}
                }>
                {show(fields)}
                <div class="actions" inner_html=EDITOR_BUTTONS></div>
                <p class="done" role="status">{move || done.get()}</p>
                <ErrorLine message=error/>
            </form>
            <section class="card preview" aria-label="Предпросмотр">
                <p class="muted">"Так статью увидит учитель"</p>
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
            "<p class=\"muted\">Похожих нет.</p>".to_owned()
        } else {
            format!("<ul>{similar}</ul>")
        };
        let id = esc(&a.id);
        html.push_str(&format!(
            "<li class=\"card staff-item\" data-article=\"{id}\"><h2 class=\"card-title\">{}</h2><p><strong>{}</strong></p>{}\
             <div class=\"similar\"><h3>Похожие опубликованные</h3>{similar}</div><div class=\"actions\">\
             <button type=\"button\" class=\"button confirm publish\" data-act=\"/publish\" data-id=\"{id}\">Опубликовать</button>\
             <a class=\"button secondary\" href=\"#/kb/{id}\">Редактировать</a>\
             <button type=\"button\" class=\"button danger-outline\" data-act=\"/archive\" data-id=\"{id}\">Отклонить</button></div></li>",
            esc(&a.title),
            esc(&a.question),
            paragraphs(&a.answer)
        ));
    }
    Ok(if html.is_empty() {
        "<p class=\"state\">Новых предложений нет.</p>".to_owned()
    } else {
        format!("<ul class=\"staff-list proposals\">{html}</ul>")
    })
}

/// The candidate question variants as HTML.
async fn variants() -> Result<String, api::ApiError> {
    let page = api::variants(String::new()).await?;
    if page.items.is_empty() {
        return Ok("<p class=\"state\">Новых вариантов нет.</p>".to_owned());
    }
    let items: String = page
        .items
        .iter()
        .map(|v| {
            let id = esc(&v.id);
            format!(
                "<li class=\"card staff-item\" data-variant=\"{id}\"><div class=\"check\">\
                 <input type=\"checkbox\" class=\"pick\" id=\"pick-{id}\" value=\"{id}\">\
                 <label for=\"pick-{id}\">Выбрать</label></div><h2 class=\"card-title\">«{}»</h2>\
                 <p class=\"muted\">Статья: <a href=\"#/kb/{}\">{}</a></p><div class=\"actions\">\
                 <button type=\"button\" class=\"button confirm\" data-act=\"/confirm\" data-id=\"{id}\">Подтвердить</button>\
                 <button type=\"button\" class=\"button secondary\" data-act=\"/reject\" data-id=\"{id}\">Отклонить</button></div></li>",
                esc(&v.text),
                esc(&v.article_id),
                esc(&v.article_title)
            )
        })
        .collect();
    Ok(format!(
        "<div class=\"actions\" id=\"bulk\"><button type=\"button\" class=\"button\" data-bulk=\"/confirm\">Подтвердить выбранные</button>\
         <button type=\"button\" class=\"button secondary\" data-bulk=\"/reject\">Отклонить выбранные</button></div>\
         <ul class=\"staff-list\">{items}</ul>"
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
                "Подтверждено"
            } else {
                "Отклонено"
            };
            done.set(Some(format!("{what} вариантов: {decided}.")));
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
                    .map(|a| format!("Опубликовано: «{}».", a.title)),
                "/archive" => api::set_article_status(id, "/archive")
                    .await
                    .map(|a| format!("Отклонено и убрано в архив: «{}».", a.title)),
                "/confirm" => api::decide_variant(id, "/confirm")
                    .await
                    .map(|()| "Вариант подтверждён.".to_owned()),
                _ => api::decide_variant(id, "/reject")
                    .await
                    .map(|()| "Вариант отклонён.".to_owned()),
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
    queue(
        "Предложения операторов",
        "Ответы операторов, предложенные в базу знаний. Сверьте с похожими статьями, чтобы не завести дубль.",
        list,
    )
}

/// `#/variants`: candidate wordings collected from answered appeals; confirm or reject.
#[component]
pub fn Variants() -> impl IntoView {
    let list = html();
    load_into(list, variants());
    queue(
        "Варианты вопросов",
        "Так учителя формулировали вопросы, на которые ответила статья. Подтверждённый вариант помогает боту узнавать такие вопросы.",
        list,
    )
}
