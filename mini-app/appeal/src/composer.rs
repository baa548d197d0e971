//! The composer at the bottom of the appeal screen: one form with three tabs, «Ответ»,
//! «Уточнение», «Заметка» (the tab decides what is sent), the suggested articles one tap
//! away (their answer goes into the text), the region's templates, the answer's files and
//! the proposal to the knowledge base; the confirmation shows right under it.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::appeals::{AnswerRequest, Appeal, AppealStatus, NoteRequest, PostMessage};
use shared::operator::AnswerTemplate;
use wasm_bindgen::{JsCast, JsValue};

use crate::screen::Act;
use mini_app_client::form::{
    require, CheckField, Done, Errors, FormAlert, FormValues, SelectField, TextArea,
};
use staff_app::api::{self, Action};
use staff_app::ws_strings as s;

const ANSWER_FILES: &str = "Файлы к ответу: PDF, JPEG или PNG, до 3 по 5 МБ";
const TEXT: &str = "composer-text";

/// What the composer sends.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Tab {
    /// The answer to the teacher.
    Answer,
    /// A clarifying question to the teacher.
    Clarify,
    /// An internal note for colleagues.
    Note,
}

impl Tab {
    fn id(self) -> &'static str {
        match self {
            Tab::Answer => "tab-answer",
            Tab::Clarify => "tab-clarify",
            Tab::Note => "tab-note",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Tab::Answer => s::TAB_ANSWER,
            Tab::Clarify => s::TAB_CLARIFY,
            Tab::Note => s::TAB_NOTE,
        }
    }

    fn submit(self) -> &'static str {
        match self {
            Tab::Answer => s::SEND_ANSWER,
            Tab::Clarify => s::SEND,
            Tab::Note => s::ADD_NOTE,
        }
    }

    fn hint(self) -> &'static str {
        match self {
            Tab::Answer => s::ANSWER_HINT,
            Tab::Clarify => s::CLARIFY_HINT,
            Tab::Note => s::NOTE_HINT,
        }
    }
}

/// Sets the `value` of the control `id` (a text area takes no value from the markup).
pub fn set_value(id: &str, text: &str) {
    if let Some(el) = document().get_element_by_id(id) {
        let _ignored =
            js_sys::Reflect::set(&el, &JsValue::from_str("value"), &JsValue::from_str(text));
    }
}

fn value_of(id: &str) -> String {
    document()
        .get_element_by_id(id)
        .and_then(|el| js_sys::Reflect::get(&el, &JsValue::from_str("value")).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// Puts `text` into the composer, on the «Ответ» tab.
fn insert(tab: RwSignal<Tab>, text: &str) {
    tab.set(Tab::Answer);
    set_value(TEXT, text);
}

/// The article's answer into the composer, and the article as the answer's basis.
fn use_article(tab: RwSignal<Tab>, article: String, errors: Errors) {
    spawn_local(async move {
        match api::article_answer(article.clone()).await {
            Ok(answer) => {
                insert(tab, &answer);
                set_value("answer-article", &article);
            }
            Err(e) => errors.set(Some(e)),
        }
    });
}

/// The files chosen in `#answer-files`.
fn chosen_files() -> Vec<web_sys::File> {
    let list = document()
        .get_element_by_id("answer-files")
        .and_then(|el| el.dyn_into::<web_sys::HtmlInputElement>().ok())
        .and_then(|input| input.files());
    list.map(|l| (0..l.length()).filter_map(|i| l.get(i)).collect())
        .unwrap_or_default()
}

/// Sends the answer, its files first: they wait for the answer, which then takes them (a
/// retry sends the same files again and the server keeps one copy of each).
fn send_answer(ev: &SubmitEvent, values: &FormValues, text: String, act: Act, errors: Errors) {
    let propose = values.checked("answer-propose");
    let action = Action::Answer(AnswerRequest {
        text,
        article_id: values.opt("answer-article"),
        propose_to_kb: propose,
    });
    let ok = if propose { s::PROPOSED } else { s::ANSWERED };
    let files = chosen_files();
    if files.is_empty() {
        act.run(Some(ev), action, errors, ok);
        return;
    }
    act.busy.set(true);
    let path = format!("/api/v1/appeals/{}/answer/attachments", act.id.get_value());
    spawn_local(async move {
        for file in &files {
            let name = String::from(js_sys::encode_uri_component(&file.name()));
            let url = format!("{path}?name={name}");
            let sent = mini_app_client::request_keyed(
                mini_app_client::Method::Post,
                &url,
                Some(file.as_ref()),
                None,
            );
            if let Err(e) = sent.await {
                act.busy.set(false);
                errors.set(Some(e));
                return;
            }
        }
        act.run(None, action, errors, ok);
    });
}

/// The tabs this appeal allows: an answer while it waits for one, a clarification while it
/// is open, a note always.
fn tabs_of(appeal: &Appeal) -> Vec<Tab> {
    let waits = matches!(appeal.status, AppealStatus::New | AppealStatus::InProgress);
    let mut tabs = Vec::new();
    if waits {
        tabs.push(Tab::Answer);
    }
    if appeal.status.is_open() {
        tabs.push(Tab::Clarify);
    }
    tabs.push(Tab::Note);
    tabs
}

fn tab_bar(tabs: &[Tab], tab: RwSignal<Tab>) -> impl IntoView {
    let buttons = tabs
        .iter()
        .map(|&t| {
            view! {
                <button type="button" role="tab" class="tab" id=t.id()
                    aria-selected=move || if tab.get() == t { "true" } else { "false" }
                    aria-current=move || (tab.get() == t).then_some("true")
                    on:click=move |_| tab.set(t)>
                    {t.label()}
                </button>
            }
        })
        .collect_view();
    view! { <div class="tabs composer-tabs" role="tablist" aria-label=s::COMPOSER>{buttons}</div> }
}

/// The suggested articles as one-tap buttons, and the article the answer rests on.
fn articles(appeal: &Appeal, tab: RwSignal<Tab>, errors: Errors) -> Option<impl IntoView> {
    if appeal.suggestions.is_empty() {
        return None;
    }
    let chips = appeal
        .suggestions
        .iter()
        .map(|x| {
            let id = x.article_id.clone();
            view! {
                <button type="button" class="button secondary small use-article" data-article=x.article_id.clone()
                    on:click=move |_| use_article(tab, id.clone(), errors)>
                    {s::USE_ARTICLE} ": «" {x.title.clone()} "»"
                </button>
            }
        })
        .collect_view();
    let mut options = vec![(String::new(), s::NO_ARTICLE.to_owned())];
    options.extend(
        appeal
            .suggestions
            .iter()
            .map(|x| (x.article_id.clone(), x.title.clone())),
    );
    Some(view! {
        <div class="composer-suggest" id="suggested-articles">{chips}</div>
        <div hidden=move || tab.get() != Tab::Answer>
            <SelectField id="answer-article" label=s::ARTICLE errors field="article_id"
                options=Signal::stored(options)/>
        </div>
    })
}

/// The region's templates: pick one and insert it.
fn template_picker(
    region: String,
    templates: RwSignal<Vec<AnswerTemplate>>,
    tab: RwSignal<Tab>,
) -> impl IntoView {
    let options = Signal::derive(move || {
        let mut options = vec![(String::new(), s::CHOOSE_TEMPLATE.to_owned())];
        options.extend(
            templates
                .get()
                .into_iter()
                .filter(|t| t.region.code == region)
                .map(|t| (t.id, t.title)),
        );
        options
    });
    let pick = move |_| {
        let chosen = value_of("template-pick");
        let text = templates
            .with_untracked(|list| list.iter().find(|t| t.id == chosen).map(|t| t.text.clone()));
        if let Some(text) = text {
            insert(tab, &text);
        }
    };
    let none: Errors = RwSignal::new(None);
    move || {
        (options.with(Vec::len) > 1).then(|| {
            view! {
                <div class="composer-templates">
                    <SelectField id="template-pick" label=s::TEMPLATE errors=none field="template" options/>
                    <button type="button" class="button secondary small" id="use-template" on:click=pick>
                        {s::USE_TEMPLATE}
                    </button>
                </div>
            }
        })
    }
}

/// The composer of `appeal`; `tab` and `templates` outlive a redraw of the screen.
pub(crate) fn composer(
    appeal: &Appeal,
    act: Act,
    tab: RwSignal<Tab>,
    templates: RwSignal<Vec<AnswerTemplate>>,
) -> impl IntoView {
    let tabs = tabs_of(appeal);
    if !tabs.contains(&tab.get_untracked()) {
        tab.set(tabs[0]);
    }
    let errors: Errors = RwSignal::new(None);
    let on_submit = move |ev: SubmitEvent| {
        let values = FormValues::take(&ev);
        let text = values.text(TEXT);
        let current = tab.get_untracked();
        let fill = if current == Tab::Answer {
            s::FILL_ANSWER
        } else {
            s::FILL_TEXT
        };
        if let Some(e) = require(&[("text", !text.is_empty(), fill)]) {
            errors.set(Some(e));
            return;
        }
        match current {
            Tab::Answer => send_answer(&ev, &values, text, act, errors),
            Tab::Clarify => act.run(
                Some(&ev),
                Action::Clarify(PostMessage { text }),
                errors,
                s::CLARIFIED,
            ),
            Tab::Note => act.run(
                Some(&ev),
                Action::Note(NoteRequest { text }),
                errors,
                s::NOTED,
            ),
        }
    };
    let answer_only = move || tab.get() != Tab::Answer;
    view! {
        <form id="composer" class="card composer" data-tab=move || tab.get().id() on:submit=on_submit novalidate>
            {tab_bar(&tabs, tab)}
            {articles(appeal, tab, errors)}
            {template_picker(appeal.region.code.clone(), templates, tab)}
            <TextArea id=TEXT label=s::COMPOSER_TEXT errors field="text" required=true/>
            <p class="muted small" id="composer-hint">{move || tab.get().hint()}</p>
            <div hidden=answer_only>
                <div class="field">
                    <label for="answer-files">{ANSWER_FILES}</label>
                    <input type="file" id="answer-files" multiple accept=".pdf,.jpg,.jpeg,.png"/>
                </div>
                <CheckField id="answer-propose" label=s::PROPOSE errors/>
            </div>
            <FormAlert errors fields=&["text", "article_id"]/>
            <button type="submit" id="composer-send" class="button" disabled=act.busy>
                {move || tab.get().submit()}
            </button>
            <Done message=act.done/>
        </form>
    }
}
