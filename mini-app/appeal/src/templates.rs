//! «Шаблоны ответов» of the appeal's region: the list with «Изменить» and «Удалить», and the
//! form that writes a new template or changes the one being edited. The composer inserts
//! them ([`crate::composer`]); this panel keeps the list it reads up to date.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::operator::{AnswerTemplate, TemplateInput};

use crate::calls;
use mini_app_client::form::{require, Done, Errors, FormAlert, FormValues, TextArea, TextField};
use staff_app::ws_strings as s;

/// Loads the templates of the operator's regions into `list` (left empty on a failure: the
/// composer then simply offers none).
pub fn load(list: RwSignal<Vec<AnswerTemplate>>) {
    spawn_local(async move {
        if let Ok(items) = calls::templates().await {
            list.set(items);
        }
    });
}

/// The form: a new template, or `editing`'s fields when one is being changed.
fn form(
    region: String,
    editing: RwSignal<Option<AnswerTemplate>>,
    list: RwSignal<Vec<AnswerTemplate>>,
    done: RwSignal<Option<&'static str>>,
) -> impl IntoView {
    let errors: Errors = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let current = editing.get_untracked();
    let (title, text) = current
        .as_ref()
        .map(|t| (t.title.clone(), t.text.clone()))
        .unwrap_or_default();
    let id = current.as_ref().map(|t| t.id.clone());
    let region = current.map_or(region, |t| t.region.code);
    let on_submit = move |ev: SubmitEvent| {
        let values = FormValues::take(&ev);
        let input = TemplateInput {
            region: region.clone(),
            title: values.text("template-title"),
            text: values.text("template-text"),
        };
        if let Some(e) = require(&[
            ("title", !input.title.is_empty(), s::FILL_TEMPLATE_TITLE),
            ("text", !input.text.is_empty(), s::FILL_TEXT),
        ]) {
            errors.set(Some(e));
            return;
        }
        let id = id.clone();
        busy.set(true);
        errors.set(None);
        spawn_local(async move {
            match calls::save_template(id.clone(), &input).await {
                Ok(_) => {
                    done.set(Some(if id.is_some() {
                        s::TEMPLATE_CHANGED
                    } else {
                        s::TEMPLATE_SAVED
                    }));
                    editing.set(None);
                    load(list);
                }
                Err(e) => errors.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let submit = if editing.get_untracked().is_some() {
        s::TEMPLATE_CHANGE
    } else {
        s::TEMPLATE_SAVE
    };
    view! {
        <form id="template-form" on:submit=on_submit novalidate>
            <TextField id="template-title" label=s::TEMPLATE_TITLE errors field="title" value=title required=true/>
            <TextArea id="template-text" label=s::TEMPLATE_TEXT errors field="text" required=true/>
            <FormAlert errors fields=&["title", "text", "region"]/>
            <button type="submit" class="button secondary" disabled=busy>{submit}</button>
        </form>
        {set_text_later(text)}
    }
}

/// A text area takes no initial value as a prop: the edited text is put in once drawn.
fn set_text_later(text: String) -> impl IntoView {
    request_animation_frame(move || crate::composer::set_value("template-text", &text));
}

/// The panel, folded by default.
pub fn panel(region: String, list: RwSignal<Vec<AnswerTemplate>>) -> impl IntoView {
    let editing = RwSignal::new(None::<AnswerTemplate>);
    let done = RwSignal::new(None);
    let error = RwSignal::new(None::<String>);
    let code = region.clone();
    let items = move || {
        list.get()
            .into_iter()
            .filter(|t| t.region.code == code)
            .map(|t| {
                let id = t.id.clone();
                let edit = t.clone();
                view! {
                    <li data-template=t.id.clone()>
                        <strong>{t.title.clone()}</strong>
                        <span class="muted">" · " {t.author_name.clone().unwrap_or_default()}</span>
                        " "
                        <button type="button" class="link-button" on:click=move |_| editing.set(Some(edit.clone()))>
                            {s::TEMPLATE_EDIT}
                        </button>
                        " "
                        <button type="button" class="link-button" on:click=move |_| {
                            let id = id.clone();
                            spawn_local(async move {
                                match calls::delete_template(id).await {
                                    Ok(()) => {
                                        done.set(Some(s::TEMPLATE_DELETED));
                                        load(list);
                                    }
                                    Err(e) => error.set(Some(e.message())),
                                }
                            });
                        }>
                            {s::TEMPLATE_DELETE}
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <details class="card" id="templates-panel">
            <summary>{s::TEMPLATES}</summary>
            <ul class="refs" id="templates-list">{items}</ul>
            <mini_app_client::ErrorLine message=error/>
            <h3 class="section">{move || if editing.get().is_some() { s::TEMPLATE_EDITING } else { s::TEMPLATE_NEW }}</h3>
            {move || {
                editing.track();
                form(region.clone(), editing, list, done)
            }}
            <Done message=done/>
        </details>
    }
}
