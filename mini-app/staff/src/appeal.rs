//! `#/appeal/<id>`: one appeal as an operator works on it — the question, the thread with the
//! internal notes, taking it («Взять в работу») or returning it, the answer (with the
//! knowledge-base suggestions one click away, files and the proposal to the base), a clarifying
//! question, an internal note, the bot answer's grade, closing with a reason and transfer to
//! another region. Every refusal shows the server's Russian `detail`. Regional heads and
//! federal supervisors (`lead`) read the same screen without the operator's actions, with
//! «На контроль» instead ([`crate::control`]).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::appeals::{
    AnswerRequest, AnswerSource, Appeal, AppealStatus, AssignRequest, BotGrade, BotGradeRequest,
    CloseRequest, NoteRequest, OperatorCloseReason, PostMessage, TransferRequest,
};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::HtmlFormElement;

use crate::api::{self, load_into, Action, Remote};
use crate::appeal_view::facts;
use crate::regions::Regions;
use crate::ws_strings as s;
use mini_app_client::form::{
    region_options, require, CheckField, Done, Errors, FormAlert, FormValues, SelectField,
    TextArea, TextField,
};
use mini_app_client::{ErrorBox, Loading};

const ANSWER_FILES: &str = "Файлы к ответу: PDF, JPEG или PNG, до 3 по 5 МБ";

/// What every action of the screen shares: the appeal shown, the confirmation, the busy
/// flag, and where a transfer leads.
#[derive(Clone, Copy)]
struct Act {
    id: StoredValue<String>,
    appeal: RwSignal<Remote<Appeal>>,
    done: RwSignal<Option<&'static str>>,
    busy: RwSignal<bool>,
    notice: RwSignal<Option<&'static str>>,
    back: &'static str,
}

impl Act {
    /// Sends `action`; shows the appeal as it is afterwards and `ok`, or the server's refusal
    /// in `errors`.
    fn run(self, ev: Option<&SubmitEvent>, action: Action, errors: Errors, ok: &'static str) {
        // The typed text stays in the page (the controls are uncontrolled): cleared on success.
        let form = ev
            .and_then(|ev| ev.target())
            .and_then(|t| t.dyn_into::<HtmlFormElement>().ok());
        self.busy.set(true);
        errors.set(None);
        self.done.set(None);
        let id = self.id.get_value();
        spawn_local(async move {
            match api::act(&id, &action).await {
                // A transferred appeal leaves the operator's queue.
                Ok(_) if matches!(action, Action::Transfer(_)) => {
                    self.notice.set(Some(ok));
                    let _ignored = window().location().set_hash(self.back);
                }
                Ok(appeal) => {
                    if let Some(form) = form {
                        form.reset();
                    }
                    self.done.set(Some(ok));
                    self.appeal.set(Remote::Ready(appeal));
                }
                Err(e) => errors.set(Some(e)),
            }
            self.busy.set(false);
        });
    }
}

#[component]
pub fn AppealPage(
    id: String,
    me_id: String,
    regions: Regions,
    notice: RwSignal<Option<&'static str>>,
    back: &'static str,
    lead: bool,
) -> impl IntoView {
    let act = Act {
        id: StoredValue::new(id),
        appeal: RwSignal::new(Remote::Loading),
        done: RwSignal::new(None),
        busy: RwSignal::new(false),
        notice,
        back,
    };
    let me_id = StoredValue::new(me_id);
    let load = move || load_into(act.appeal, api::appeal(act.id.get_value()));
    load();
    if !lead {
        spawn_local(api::mark_read(act.id.get_value()));
    }
    view! {
        <p><a class="back" href=back>{s::BACK}</a></p>
        <Done message=act.done/>
        {move || match act.appeal.get() {
            Remote::Loading => view! { <Loading/> }.into_any(),
            Remote::Failed(e) => {
                view! { <ErrorBox message=e.message() on_retry=move |()| load()/> }.into_any()
            }
            Remote::Ready(appeal) if lead => read_only(&appeal, act).into_any(),
            Remote::Ready(appeal) => details(&appeal, &me_id.get_value(), regions, act).into_any(),
        }}
    }
}

/// A small form with one text area and a submit button, sending `{ "text": … }`.
struct TextForm {
    form: &'static str,
    field: &'static str,
    title: &'static str,
    label: &'static str,
    hint: &'static str,
    submit: &'static str,
    /// The action sending the text.
    action: fn(String) -> Action,
    ok: &'static str,
}

const CLARIFY: TextForm = TextForm {
    form: "clarify-form",
    field: "clarify-text",
    title: s::CLARIFY_TITLE,
    label: s::CLARIFY,
    hint: s::CLARIFY_HINT,
    submit: s::SEND,
    action: |text| Action::Clarify(PostMessage { text }),
    ok: s::CLARIFIED,
};

const NOTE: TextForm = TextForm {
    form: "note-form",
    field: "note-text",
    title: s::NOTE_TITLE,
    label: s::NOTE,
    hint: s::NOTE_HINT,
    submit: s::ADD_NOTE,
    action: |text| Action::Note(NoteRequest { text }),
    ok: s::NOTED,
};

fn text_form(f: &'static TextForm, act: Act) -> impl IntoView {
    let errors: Errors = RwSignal::new(None);
    let on_submit = move |ev: SubmitEvent| {
        let values = FormValues::take(&ev);
        let text = values.text(f.field);
        if let Some(e) = require(&[("text", !text.is_empty(), s::FILL_TEXT)]) {
            errors.set(Some(e));
            return;
        }
        act.run(Some(&ev), (f.action)(text), errors, f.ok);
    };
    view! {
        <form id=f.form class="card" on:submit=on_submit novalidate>
            <h2 class="card-title">{f.title}</h2>
            <TextArea id=f.field label=f.label errors field="text" hint=f.hint required=true/>
            <FormAlert errors fields=&["text"]/>
            <button type="submit" class="button secondary" disabled=act.busy>{f.submit}</button>
        </form>
    }
}

/// The leadership's view: everything an operator reads, and «На контроль».
fn read_only(appeal: &Appeal, act: Act) -> impl IntoView {
    let run = move |ev: Option<&SubmitEvent>, action, errors, ok| act.run(ev, action, errors, ok);
    view! {
        {facts(appeal)}
        <p class="muted">{s::READ_ONLY}</p>
        <div class="ws-forms">{crate::control::form(appeal, act.busy, run)}</div>
    }
}

fn details(appeal: &Appeal, me_id: &str, regions: Regions, act: Act) -> impl IntoView {
    let open = appeal.status.is_open();
    let waits = matches!(appeal.status, AppealStatus::New | AppealStatus::InProgress);
    let mine = appeal.assignee.as_ref().is_some_and(|a| a.id == me_id);
    let holder = appeal
        .assignee
        .as_ref()
        .map(|a| a.name.clone().unwrap_or_else(|| s::WHO_OPERATOR.to_owned()));
    let has_bot = appeal.answers.iter().any(|a| a.source == AnswerSource::Bot);

    // Taking, returning; someone else's appeal only shows who holds it.
    let assign_errors: Errors = RwSignal::new(None);
    let me = me_id.to_owned();
    let assign = move |operator_id: Option<String>, ok| {
        let action = Action::Assign(AssignRequest { operator_id });
        act.run(None, action, assign_errors, ok);
    };
    let assignment = open.then(|| match (&appeal.assignee, mine) {
        (None, _) => view! {
            <button type="button" id="take" class="button" disabled=act.busy
                on:click=move |_| assign(Some(me.clone()), s::TAKEN)>
                {s::TAKE}
            </button>
        }
        .into_any(),
        (Some(_), true) => view! {
            <button type="button" id="release" class="button secondary" disabled=act.busy
                on:click=move |_| assign(None, s::RELEASED)>
                {s::RELEASE}
            </button>
        }
        .into_any(),
        (Some(_), false) => view! {
            <p class="notice" id="held-by">{s::HELD_BY} " " {holder.clone()}</p>
        }
        .into_any(),
    });

    view! {
        {facts(appeal)}
        <div class="actions">{assignment}</div>
        <FormAlert errors=assign_errors fields=&[]/>
        <div class="ws-forms">
            {open.then(|| handover_form(appeal, me_id, act))}
            {waits.then(|| answer_form(appeal, act))}
            {open.then(|| text_form(&CLARIFY, act))}
            {text_form(&NOTE, act)}
            {has_bot.then(|| choice_form(&GRADE, options(&[
                ("correct", s::GRADE_CORRECT),
                ("partly", s::GRADE_PARTLY),
                ("wrong", s::GRADE_WRONG),
            ]), act))}
            {open.then(|| choice_form(&CLOSE, options(&[
                ("", s::CHOOSE),
                ("off_topic", s::OFF_TOPIC),
                ("duplicate", s::DUPLICATE),
                ("spam", s::SPAM),
            ]), act))}
            {waits.then(|| choice_form(&TRANSFER, region_options(regions), act))}
        </div>
    }
}

/// Handing the appeal to another active operator of its region; shown once the region has
/// one (the server checks the colleague whatever the list says).
fn handover_form(appeal: &Appeal, me_id: &str, act: Act) -> impl IntoView {
    let errors: Errors = RwSignal::new(None);
    let choices = RwSignal::new(Vec::<(String, String)>::new());
    let region = appeal.region.code.clone();
    let skip = [
        Some(me_id.to_owned()),
        appeal.assignee.as_ref().map(|a| a.id.clone()),
    ];
    spawn_local(async move {
        // Without the list there is simply no form: taking and answering still work.
        if let Ok(page) = api::colleagues(&region).await {
            let others = page
                .items
                .into_iter()
                .filter(|u| !skip.contains(&Some(u.id.clone())))
                .map(|u| {
                    let name = u.full_name.or(u.email).unwrap_or_default();
                    (u.id, name)
                });
            let mut list = vec![(String::new(), s::CHOOSE.to_owned())];
            list.extend(others);
            choices.set(list);
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        let values = FormValues::take(&ev);
        let to = values.text("handover-to");
        if let Some(e) = require(&[("operator_id", !to.is_empty(), s::FILL_COLLEAGUE)]) {
            errors.set(Some(e));
            return;
        }
        let action = Action::Assign(AssignRequest {
            operator_id: Some(to),
        });
        act.run(Some(&ev), action, errors, s::HANDED_OVER);
    };
    move || {
        (choices.with(Vec::len) > 1).then(|| {
            view! {
                <form id="handover-form" class="card" on:submit=on_submit novalidate>
                    <h2 class="card-title">{s::HANDOVER_TITLE}</h2>
                    <SelectField id="handover-to" label=s::HANDOVER_TO errors field="operator_id"
                        options=choices.into() required=true/>
                    <FormAlert errors fields=&["operator_id"]/>
                    <button type="submit" class="button secondary" disabled=act.busy>{s::HANDOVER}</button>
                </form>
            }
        })
    }
}

/// Puts the answer of the article chosen in `#answer-article` into `#answer-text`.
fn use_article(errors: Errors) {
    let doc = document();
    let value = |id: &str| {
        doc.get_element_by_id(id)
            .and_then(|el| js_sys::Reflect::get(&el, &JsValue::from_str("value")).ok())
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    };
    let article = value("answer-article");
    if article.is_empty() {
        return;
    }
    spawn_local(async move {
        match api::article_answer(article).await {
            Ok(answer) => {
                if let Some(el) = document().get_element_by_id("answer-text") {
                    let _ignored = js_sys::Reflect::set(
                        &el,
                        &JsValue::from_str("value"),
                        &JsValue::from_str(&answer),
                    );
                }
            }
            Err(e) => errors.set(Some(e)),
        }
    });
}

fn answer_form(appeal: &Appeal, act: Act) -> impl IntoView {
    let errors: Errors = RwSignal::new(None);
    let on_submit = move |ev: SubmitEvent| {
        let values = FormValues::take(&ev);
        let text = values.text("answer-text");
        if let Some(e) = require(&[("text", !text.is_empty(), s::FILL_ANSWER)]) {
            errors.set(Some(e));
            return;
        }
        let propose = values.checked("answer-propose");
        let action = Action::Answer(AnswerRequest {
            text,
            article_id: values.opt("answer-article"),
            propose_to_kb: propose,
        });
        let ok = if propose { s::PROPOSED } else { s::ANSWERED };
        let files = chosen_files();
        if files.is_empty() {
            act.run(Some(&ev), action, errors, ok);
            return;
        }
        // The files go first and wait for the answer, which then takes them (a retry sends
        // the same files again and the server keeps one copy of each).
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
    };
    let suggestions = (!appeal.suggestions.is_empty()).then(|| {
        let mut options = vec![(String::new(), s::NO_ARTICLE.to_owned())];
        options.extend(
            appeal
                .suggestions
                .iter()
                .map(|x| (x.article_id.clone(), x.title.clone())),
        );
        view! {
            <SelectField id="answer-article" label=s::ARTICLE errors field="article_id"
                options=Signal::stored(options)/>
            <button type="button" class="button secondary small" id="use-article"
                on:click=move |_| use_article(errors)>
                {s::USE_ARTICLE}
            </button>
        }
    });
    view! {
        <form id="answer-form" class="card" on:submit=on_submit novalidate>
            <h2 class="card-title">{s::ANSWER_TITLE}</h2>
            {suggestions}
            <TextArea id="answer-text" label=s::ANSWER errors field="text" hint=s::ANSWER_HINT required=true/>
            <div class="field">
                <label for="answer-files">{ANSWER_FILES}</label>
                <input type="file" id="answer-files" multiple accept=".pdf,.jpg,.jpeg,.png"/>
            </div>
            <CheckField id="answer-propose" label=s::PROPOSE errors/>
            <FormAlert errors fields=&["text", "article_id"]/>
            <button type="submit" class="button" disabled=act.busy>{s::SEND_ANSWER}</button>
        </form>
    }
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

fn options(pairs: &[(&str, &str)]) -> Signal<Vec<(String, String)>> {
    Signal::stored(
        pairs
            .iter()
            .map(|(v, t)| ((*v).to_owned(), (*t).to_owned()))
            .collect(),
    )
}

/// A form with a required choice, an optional one-line text and an optional comment:
/// grading the bot, closing, transferring.
struct ChoiceForm {
    form: &'static str,
    title: &'static str,
    /// `(control id, label, body field)` of the choice.
    choice: (&'static str, &'static str, &'static str),
    fill: &'static str,
    /// `(control id, label, body field, hint)` of an optional text line.
    line: Option<(&'static str, &'static str, &'static str, &'static str)>,
    /// `(control id, label, body field)` of the comment.
    comment: (&'static str, &'static str, &'static str),
    submit: &'static str,
    class: &'static str,
    /// The action from the choice, the text line and the comment; `None` for a choice that
    /// is not one of the list's.
    action: fn(String, Option<String>, Option<String>) -> Option<Action>,
    ok: &'static str,
}

const GRADE: ChoiceForm = ChoiceForm {
    form: "grade-form",
    title: s::GRADE_TITLE,
    choice: ("grade-value", s::GRADE_LEAD, "grade"),
    fill: s::FILL_REASON,
    line: None,
    comment: ("grade-comment", s::GRADE_COMMENT, "comment"),
    submit: s::SEND,
    class: "button secondary",
    action: |grade, _, comment| {
        let grade = [BotGrade::Correct, BotGrade::Partly, BotGrade::Wrong]
            .into_iter()
            .find(|g| g.as_str() == grade)?;
        Some(Action::Grade(BotGradeRequest { grade, comment }))
    },
    ok: s::GRADED,
};

const CLOSE: ChoiceForm = ChoiceForm {
    form: "close-form",
    title: s::CLOSE_TITLE,
    choice: ("close-reason", s::CLOSE_REASON, "reason"),
    fill: s::FILL_REASON,
    line: Some((
        "close-duplicate",
        s::DUPLICATE_OF,
        "duplicate_of",
        s::DUPLICATE_HINT,
    )),
    comment: ("close-note", s::CLOSE_NOTE, "note"),
    submit: s::CLOSE,
    class: "button danger",
    action: |reason, duplicate_of, note| {
        let reason = [
            OperatorCloseReason::OffTopic,
            OperatorCloseReason::Duplicate,
            OperatorCloseReason::Spam,
        ]
        .into_iter()
        .find(|r| close_reason_str(*r) == reason)?;
        Some(Action::Close(CloseRequest {
            reason,
            note,
            duplicate_of,
        }))
    },
    ok: s::CLOSED,
};

const TRANSFER: ChoiceForm = ChoiceForm {
    form: "transfer-form",
    title: s::TRANSFER_TITLE,
    choice: ("transfer-region", s::TRANSFER_REGION, "region"),
    fill: s::FILL_REGION,
    line: None,
    comment: ("transfer-note", s::TRANSFER_NOTE, "note"),
    submit: s::TRANSFER,
    class: "button secondary",
    action: |region, _, note| Some(Action::Transfer(TransferRequest { region, note })),
    ok: s::TRANSFERRED,
};

fn choice_form(
    f: &'static ChoiceForm,
    choices: Signal<Vec<(String, String)>>,
    act: Act,
) -> impl IntoView {
    let errors: Errors = RwSignal::new(None);
    let (choice_id, choice_label, choice_field) = f.choice;
    let (comment_id, comment_label, comment_field) = f.comment;
    let on_submit = move |ev: SubmitEvent| {
        let values = FormValues::take(&ev);
        let choice = values.text(choice_id);
        let line = f.line.and_then(|(id, ..)| values.opt(id));
        let action = (!choice.is_empty())
            .then(|| (f.action)(choice, line, values.opt(comment_id)))
            .flatten();
        let Some(action) = action else {
            errors.set(require(&[(choice_field, false, f.fill)]));
            return;
        };
        act.run(Some(&ev), action, errors, f.ok);
    };
    let line = f.line.map(|(id, label, field, hint)| {
        view! { <TextField id label errors field hint/> }
    });
    let fields: &'static [&'static str] = &[
        "grade",
        "reason",
        "region",
        "duplicate_of",
        "note",
        "comment",
    ];
    view! {
        <form id=f.form class="card" on:submit=on_submit novalidate>
            <h2 class="card-title">{f.title}</h2>
            <SelectField id=choice_id label=choice_label errors field=choice_field options=choices required=true/>
            {line}
            <TextArea id=comment_id label=comment_label errors field=comment_field/>
            <FormAlert errors fields/>
            <button type="submit" class=f.class disabled=act.busy>{f.submit}</button>
        </form>
    }
}

/// The wire name of a reason an operator closes with (the value of the form's choice).
fn close_reason_str(reason: OperatorCloseReason) -> &'static str {
    match reason {
        OperatorCloseReason::OffTopic => "off_topic",
        OperatorCloseReason::Duplicate => "duplicate",
        OperatorCloseReason::Spam => "spam",
    }
}
