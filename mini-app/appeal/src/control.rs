//! «На контроле» on the appeal screen: the leadership's comment every staff reader sees, the
//! teacher's ratings, and for regional heads and federal supervisors the form that puts the
//! appeal under control (or changes the comment) and the button that takes it off.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::appeals::{Appeal, ControlRequest};

use mini_app_client::form::{require, Errors, FormAlert, FormValues, TextArea};
use staff_app::api::Action;
use staff_app::format::when;
use staff_app::ws_strings as s;

/// The badge and the comment, when the appeal is under control.
pub fn notice(appeal: &Appeal) -> Option<impl IntoView> {
    let c = appeal.control.as_ref()?;
    let by = c.by_name.clone().unwrap_or_default();
    Some(view! {
        <div class="notice" id="control">
            <p><span class="badge badge-wait">{s::CONTROLLED}</span> " " {s::CONTROL_NOTICE}
                " · " {by} " · " {when(&c.at)}</p>
            <p class="text" id="control-comment">{c.comment.clone()}</p>
        </div>
    })
}

/// The teacher's ratings of the answers, with their comments.
pub fn ratings(appeal: &Appeal) -> impl IntoView {
    appeal
        .answers
        .iter()
        .filter_map(|a| a.rating.as_ref())
        .map(|r| {
            view! {
                <p class="rating">{s::RATING} ": " <strong>{r.score} "/5"</strong>
                    {r.comment.clone().map(|c| view! { " — «" {c} "»" })}</p>
            }
        })
        .collect_view()
}

/// The leadership's form: a comment and «Поставить на контроль» (or «Изменить
/// комментарий»), and «Снять с контроля» while it is under control.
pub fn form(
    appeal: &Appeal,
    busy: RwSignal<bool>,
    run: impl Fn(Option<&SubmitEvent>, Action, Errors, &'static str) + Copy + 'static,
) -> impl IntoView {
    let errors: Errors = RwSignal::new(None);
    let controlled = appeal.control.is_some();
    let on_submit = move |ev: SubmitEvent| {
        let values = FormValues::take(&ev);
        let comment = values.text("control-comment-text");
        if let Some(e) = require(&[("comment", !comment.is_empty(), s::FILL_COMMENT)]) {
            errors.set(Some(e));
            return;
        }
        run(
            Some(&ev),
            Action::Control(ControlRequest { comment }),
            errors,
            s::CONTROL_DONE,
        );
    };
    let release = controlled.then(|| {
        view! {
            <button type="button" id="control-release" class="button secondary" disabled=busy
                on:click=move |_| run(None, Action::Uncontrol, errors, s::CONTROL_RELEASED)>
                {s::CONTROL_RELEASE}
            </button>
        }
    });
    let submit = if controlled {
        s::CONTROL_CHANGE
    } else {
        s::CONTROL_PUT
    };
    view! {
        <form id="control-form" class="card" on:submit=on_submit novalidate>
            <h2 class="card-title">{s::CONTROL_TITLE}</h2>
            <TextArea id="control-comment-text" label=s::CONTROL_COMMENT errors field="comment"
                hint=s::CONTROL_HINT required=true/>
            <FormAlert errors fields=&["comment"]/>
            <button type="submit" id="control-put" class="button" disabled=busy>{submit}</button>
            {release}
        </form>
    }
}
