//! `#/appeal/<id>`: one appeal as an operator works on it, built around the answer. At the
//! top the number, status and deadline with «Взять в работу» / «Вернуть в очередь» and
//! «Сейчас открыто также» when a colleague has it open; then the question, the files and the
//! thread with the teacher's school, position, region and earlier appeals beside it (below
//! on a phone); at the bottom the composer ([`composer`]: «Ответ / Уточнение / Заметка»,
//! the suggested articles and the region's templates one tap away, the confirmation under
//! it). The rare actions (handing over, transfer, closing as a duplicate, spam or off-topic,
//! the bot answer's grade) are folded under «Ещё», and the templates are written and edited
//! in their own folded panel ([`templates`]). Every refusal shows the server's Russian
//! `detail`. Regional heads and federal supervisors (`lead`) read the same screen without
//! the operator's actions, with «На контроль» instead ([`crate::control`]).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::appeals::{
    AnswerSource, Appeal, AppealStatus, AssignRequest, BotGrade, BotGradeRequest, CloseRequest,
    OperatorCloseReason, TransferRequest,
};
use shared::operator::{AnswerTemplate, AppealContext};
use wasm_bindgen::JsCast;
use web_sys::HtmlFormElement;

use crate::view::{facts, header, thread_part};
use crate::{composer, side, templates};
use mini_app_client::form::{
    region_options, require, Done, Errors, FormAlert, FormValues, SelectField, TextArea, TextField,
};
use mini_app_client::{ErrorBox, Loading};
use staff_app::api::{self, load_into, Action, Remote};
use staff_app::regions::Regions;
use staff_app::ws_strings as s;

/// What every action of the screen shares: the appeal shown, the confirmation, the busy
/// flag, and where a transfer leads.
#[derive(Clone, Copy)]
pub(crate) struct Act {
    pub(crate) id: StoredValue<String>,
    pub(crate) appeal: RwSignal<Remote<Appeal>>,
    pub(crate) done: RwSignal<Option<&'static str>>,
    pub(crate) busy: RwSignal<bool>,
    /// Where the «Назад» link and a transfer lead: the queue (operators) or `#/list`.
    pub(crate) back: &'static str,
    /// The composer's tab, kept when the screen redraws after an action.
    pub(crate) tab: RwSignal<composer::Tab>,
    /// The templates of the operator's regions, loaded once per screen.
    pub(crate) templates: RwSignal<Vec<AnswerTemplate>>,
    /// Whether «Ещё» is unfolded, kept when the screen redraws after an action.
    pub(crate) more: RwSignal<bool>,
}

impl Act {
    /// Sends `action`; shows the appeal as it is afterwards and `ok`, or the server's refusal
    /// in `errors`.
    pub(crate) fn run(
        self,
        ev: Option<&SubmitEvent>,
        action: Action,
        errors: Errors,
        ok: &'static str,
    ) {
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
                    staff_app::hosted::appeal_transferred();
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
    back: &'static str,
    lead: bool,
) -> impl IntoView {
    let act = Act {
        id: StoredValue::new(id),
        appeal: RwSignal::new(Remote::Loading),
        done: RwSignal::new(None),
        busy: RwSignal::new(false),
        back,
        tab: RwSignal::new(composer::Tab::Answer),
        templates: RwSignal::new(Vec::new()),
        more: RwSignal::new(false),
    };
    let me_id = StoredValue::new(me_id);
    let load = move || load_into(act.appeal, api::appeal(act.id.get_value()));
    load();
    if !lead {
        spawn_local(api::mark_read(act.id.get_value()));
        templates::load(act.templates);
    }
    let context = if lead {
        RwSignal::new(None)
    } else {
        side::load(act.id.get_value())
    };
    view! {
        <p><a class="back" href=back>{s::BACK}</a></p>
        {side::presence(act.id.get_value())}
        {lead.then(|| view! { <Done message=act.done/> })}
        {move || match act.appeal.get() {
            Remote::Loading => view! { <Loading/> }.into_any(),
            Remote::Failed(e) => {
                view! { <ErrorBox message=e.message() on_retry=move |()| load()/> }.into_any()
            }
            Remote::Ready(appeal) if lead => read_only(&appeal, act).into_any(),
            Remote::Ready(appeal) => {
                details(&appeal, &me_id.get_value(), regions, act, context).into_any()
            }
        }}
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

fn details(
    appeal: &Appeal,
    me_id: &str,
    regions: Regions,
    act: Act,
    context: RwSignal<Option<AppealContext>>,
) -> impl IntoView {
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
        <div class="appeal-head">
            {header(appeal)}
            <div class="actions" id="appeal-actions">{assignment}</div>
            <FormAlert errors=assign_errors fields=&[]/>
        </div>
        <div class="appeal-cols">
            <div class="appeal-thread">{thread_part(appeal)}</div>
            {side::context(context)}
        </div>
        {composer::composer(appeal, act, act.tab, act.templates)}
        <details class="card more-actions" id="more-actions" open=act.more.get_untracked()
            on:toggle=move |ev| act.more.set(is_open(&ev))>
            <summary>{s::MORE}</summary>
            <div class="ws-forms">
                {open.then(|| handover_form(appeal, me_id, act))}
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
        </details>
        {templates::panel(appeal.region.code.clone(), act.templates)}
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

/// Whether the `<details>` an event came from is unfolded.
fn is_open(ev: &leptos::ev::Event) -> bool {
    ev.target()
        .and_then(|t| js_sys::Reflect::get(&t, &wasm_bindgen::JsValue::from_str("open")).ok())
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
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
