//! `#/appeals/<id>`: one appeal (the MAX deep link lands here): the thread (an operator's
//! answer with its files), the rating, the follow-up box, «Не помогло» and withdrawal. Opening it marks what is new as read.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::appeals::{AnswerSource, Appeal, AppealStatus, Message, PostMessage, RateAnswer};

use crate::pages::appeals::chip;
use mini_app_client::words as time;
use mini_app_client::ErrorLine;
use teacher_app::api::{self, load_into, Action, Remote};
use teacher_app::components::{BackLink, ErrorBox, Loading};
use teacher_app::ctx::{ctx, Ctx};
use teacher_app::max;
use teacher_app::strings;

#[component]
pub fn AppealPage(id: String) -> impl IntoView {
    let appeal = RwSignal::new(Remote::Loading);
    let key = StoredValue::new(id);
    let load = move || load_into(appeal, api::appeal(key.get_value()));
    load();
    // Mark read once the appeal is there and has something new.
    Effect::new(move |_| {
        if appeal.with(|a| matches!(a, Remote::Ready(a) if a.unread)) {
            spawn_local(async move {
                let _ignored = api::act(&key.get_value(), Action::Read).await;
            });
        }
    });
    let body = move || match appeal.get() {
        Remote::Loading => view! { <Loading/> }.into_any(),
        Remote::Failed(error) if error.status() == Some(404) => {
            view! { <p class="state">{strings::APPEAL_NOT_FOUND}</p> }.into_any()
        }
        Remote::Failed(error) => {
            view! { <ErrorBox message=error.message() on_retry=move |()| load()/> }.into_any()
        }
        Remote::Ready(data) => view! { <Thread appeal=data reload=move || load()/> }.into_any(),
    };
    view! {
        <BackLink href="#/appeals"/>
        <h1>{strings::APPEAL_TITLE}</h1>
        // The human number once the appeal is there («16-000123»), the link's id until then.
        <p class="muted small">{strings::APPEAL_NUMBER} ": " <span id="appeal-id">{move || appeal.with(|a| match a {
            Remote::Ready(a) => a.number.clone(),
            _ => key.get_value(),
        })}</span></p>
        {body}
    }
}

fn who(role: &str) -> &'static str {
    match role {
        "teacher" => strings::WHO_ME,
        "bot" => strings::WHO_BOT,
        "system" => strings::WHO_SYSTEM,
        _ => strings::WHO_OPERATOR,
    }
}

fn kind(kind: &str) -> &'static str {
    match kind {
        "question" => strings::KIND_QUESTION,
        "answer" => strings::KIND_ANSWER,
        "follow_up" => strings::KIND_FOLLOW_UP,
        "clarification" => strings::KIND_CLARIFICATION,
        _ => "",
    }
}

/// The thread as the api gives it; an older appeal without one shows the question and the
/// answers.
fn messages(appeal: &Appeal) -> Vec<Message> {
    if !appeal.messages.is_empty() {
        return appeal.messages.clone();
    }
    let question = Message {
        id: "q".to_owned(),
        author_role: "teacher".to_owned(),
        author_name: None,
        kind: "question".to_owned(),
        text: appeal.text.clone(),
        created_at: appeal.created_at.clone(),
    };
    std::iter::once(question)
        .chain(appeal.answers.iter().map(|a| Message {
            id: a.id.clone(),
            author_role: a.source.as_str().replace("self_served", "bot"),
            author_name: None,
            kind: "answer".to_owned(),
            text: a.text.clone(),
            created_at: a.answered_at.clone(),
        }))
        .collect()
}

/// «Ответ: осталось 2 раб. дня · до 11 дек., 23:59 (МСК)»: the deadline on the region's own
/// clock, its zone named, with the working days the server counted (`mini_app_client::words`;
/// the first load's notice keeps its shorter date to stay small).
fn deadline_text(ctx: Ctx, appeal: &Appeal) -> Option<String> {
    let deadline = appeal.deadline_at.as_deref()?;
    let tz = ctx.regions.with_untracked(|r| match r {
        Remote::Ready(list) => list
            .iter()
            .find(|r| r.code == appeal.region.code)
            .map(|r| r.timezone.clone()),
        _ => None,
    });
    Some(format!(
        "Ответ: {}",
        time::deadline(deadline, tz.as_deref(), appeal.working_days_left)
    ))
}

#[component]
fn Thread(appeal: Appeal, #[prop(into)] reload: Callback<()>) -> impl IntoView {
    let ctx = ctx();
    let open = appeal.status.is_open();
    let deadline = matches!(appeal.status, AppealStatus::New | AppealStatus::InProgress)
        .then(|| deadline_text(ctx, &appeal))
        .flatten();
    let last = appeal.answers.last();
    // After «Помогло» (a click) the appeal is closed, and the stars stay offered, optional.
    let clicked = last.is_some_and(|a| a.helpful == Some(true) && a.rating.is_none());
    let unrated = (open || clicked) && last.is_some_and(|a| a.rating.is_none());
    let waiting = appeal.waiting_for_teacher;
    // «Отозвать вопрос» only while no person has answered.
    let withdrawable = matches!(appeal.status, AppealStatus::New | AppealStatus::InProgress)
        && !appeal
            .answers
            .iter()
            .any(|a| a.source == AnswerSource::Operator);
    let given = last.and_then(|a| a.rating.as_ref()).map(|r| r.score);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let id = StoredValue::new(appeal.id.clone());
    let run = move |action: Action| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::act(&id.get_value(), action).await {
                Ok(()) => {
                    max::notify(true);
                    reload.run(());
                }
                Err(e) => {
                    max::notify(false);
                    error.set(Some(e.message()));
                }
            }
            busy.set(false);
        });
    };
    let file_error = RwSignal::new(None::<String>);
    let thread = messages(&appeal)
        .into_iter()
        .map(|m| {
            let meta = match kind(&m.kind) {
                "" => format!(
                    "{} · {}",
                    who(&m.author_role),
                    time::date_time(&m.created_at)
                ),
                k => format!(
                    "{} · {k} · {}",
                    who(&m.author_role),
                    time::date_time(&m.created_at)
                ),
            };
            let class = if m.author_role == "teacher" {
                "msg mine"
            } else {
                "msg"
            };
            view! {
                <li class=class>
                    <p class="msg-meta">{meta}</p>
                    <p class="text">{m.text}</p>
                    {files(&appeal, Some(&m.id), file_error)}
                </li>
            }
        })
        .collect_view();
    view! {
        <p class="status-line" id="appeal-status">
            {chip(appeal.status)}
            {deadline.map(|d| view! { " " <span class="muted">{d}</span> })}
        </p>
        {waiting.then(|| view! {
            <p class="notice need-reply" id="need-reply" role="status">
                <strong>{strings::NEED_REPLY}</strong> " " {strings::NEED_REPLY_HINT}
            </p>
        })}
        <ol class="thread" id="thread">{thread}</ol>
        {files(&appeal, None, file_error).map(|list| view! {
            <h2 class="section">{strings::FILES_OF_QUESTION}</h2>
            {list}
        })}
        <ErrorLine message=file_error/>
        {given.map(|score| view! {
            <p class="muted" id="rating-given">{strings::YOUR_RATING} ": " {"★".repeat(score.into())} " " {score} " " {strings::RATE_OF}</p>
        })}
        {(!open && !clicked).then(|| view! { <p class="notice">{strings::CLOSED_NOTE}</p> })}
        {clicked.then(|| view! { <p class="notice" id="rate-optional">{strings::RATE_OPTIONAL}</p> })}
        {unrated.then(|| view! { <Stars run busy/> })}
        {(appeal.status == AppealStatus::AnsweredByBot).then(|| view! {
            <button type="button" id="escalate" class="button secondary wide" disabled=busy
                on:click=move |_| run(Action::Escalate)>
                {strings::ESCALATE}
            </button>
        })}
        {open.then(|| view! { <FollowUp run busy/> })}
        <ErrorLine message=error/>
        {withdrawable.then(|| view! { <Withdraw run busy/> })}
    }
}

/// The files of the question (`message` none) or of one answer, each saved on a tap
/// (fetched with the token: a plain link cannot send it).
fn files(
    appeal: &Appeal,
    message: Option<&String>,
    error: RwSignal<Option<String>>,
) -> Option<impl IntoView> {
    let items: Vec<_> = appeal
        .attachments
        .iter()
        .filter(|f| f.message_id.as_ref() == message)
        .map(|f| {
            let (appeal_id, file_id, name) = (appeal.id.clone(), f.id.clone(), f.name.clone());
            let save = move |_| {
                let (appeal_id, file_id, name) = (appeal_id.clone(), file_id.clone(), name.clone());
                error.set(None);
                spawn_local(async move {
                    if let Err(e) = api::save_attachment(&appeal_id, &file_id, name).await {
                        error.set(Some(e.message()));
                    }
                });
            };
            view! {
                <li>
                    <button type="button" class="link-button" data-attachment=f.id.clone() on:click=save>
                        {f.name.clone()}
                    </button>
                    " · " {(f.size + 1023) / 1024} {strings::KB}
                </li>
            }
        })
        .collect();
    (!items.is_empty()).then(
        || view! { <ul class="refs" id=message.is_none().then_some("attachments")>{items}</ul> },
    )
}

fn pressed(on: bool) -> &'static str {
    if on {
        "true"
    } else {
        "false"
    }
}

#[component]
fn Stars(
    run: impl Fn(Action) + Copy + Send + Sync + 'static,
    busy: RwSignal<bool>,
) -> impl IntoView {
    let score = RwSignal::new(0_u8);
    let comment = RwSignal::new(String::new());
    let hint = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let score = score.get_untracked();
        if score == 0 {
            hint.set(Some(strings::RATE_PICK.to_owned()));
            return;
        }
        hint.set(None);
        let text = comment.get_untracked().trim().to_owned();
        run(Action::Rate(RateAnswer {
            score: i64::from(score),
            comment: (!text.is_empty()).then_some(text),
        }));
    };
    view! {
        <form class="card" id="rate-form" novalidate on:submit=submit>
            <h2 class="card-title" id="rate-title">{strings::RATE_TITLE}</h2>
            <div class="stars" role="group" aria-labelledby="rate-title">
                {(1..=5_u8).map(|n| view! {
                    <button type="button" class="star" data-score=n
                        aria-label=format!("{} {n} {}", strings::RATE_STAR, strings::RATE_OF)
                        aria-pressed=move || pressed(score.get() >= n)
                        on:click=move |_| { max::tap(); score.set(n); }>
                        "★"
                    </button>
                }).collect_view()}
            </div>
            <div class="field">
                <label for="rate-comment">{strings::RATE_COMMENT}</label>
                <textarea id="rate-comment" rows="2" maxlength="2000"
                    on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
            </div>
            <ErrorLine message=hint/>
            <button type="submit" id="rate-send" class="button wide" disabled=busy>{strings::RATE_SEND}</button>
        </form>
    }
}

#[component]
fn FollowUp(
    run: impl Fn(Action) + Copy + Send + Sync + 'static,
    busy: RwSignal<bool>,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let hint = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let value = text.get_untracked().trim().to_owned();
        if value.is_empty() {
            hint.set(Some(strings::FOLLOW_UP_EMPTY.to_owned()));
            return;
        }
        hint.set(None);
        run(Action::Message(PostMessage { text: value }));
    };
    view! {
        <form class="card" id="follow-up-form" novalidate on:submit=submit>
            <div class="field">
                <label for="follow-up">{strings::FOLLOW_UP}</label>
                <textarea id="follow-up" rows="3" maxlength="4000"
                    on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            </div>
            <ErrorLine message=hint/>
            <button type="submit" class="button wide" disabled=busy>{strings::SEND}</button>
        </form>
    }
}

#[component]
fn Withdraw(
    run: impl Fn(Action) + Copy + Send + Sync + 'static,
    busy: RwSignal<bool>,
) -> impl IntoView {
    let confirming = RwSignal::new(false);
    move || {
        if confirming.get() {
            view! {
                <div class="confirm" role="alertdialog" aria-labelledby="withdraw-text">
                    <p id="withdraw-text"><strong>{strings::WITHDRAW_CONFIRM}</strong></p>
                    <div class="actions">
                        <button type="button" id="withdraw-yes" class="button danger" disabled=busy
                            on:click=move |_| run(Action::Withdraw)>
                            {strings::WITHDRAW_YES}
                        </button>
                        <button type="button" class="button secondary" on:click=move |_| confirming.set(false)>
                            {strings::CANCEL}
                        </button>
                    </div>
                </div>
            }
            .into_any()
        } else {
            view! {
                <button type="button" id="withdraw" class="button danger-outline wide"
                    on:click=move |_| confirming.set(true)>
                    {strings::WITHDRAW}
                </button>
            }
            .into_any()
        }
    }
}
