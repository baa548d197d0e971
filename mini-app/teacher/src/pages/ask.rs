//! `#/ask`: the question form for verified teachers and what comes right after sending: the
//! instant answer, or the routed message with the deadline and «Возможно, подойдёт».

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::appeals::{
    AcceptSuggestion, Appeal, AppealStatus, CreateAppeal, QuestionText, Suggestion,
};
use shared::users::VerificationStatus;

use crate::api::{self, Action, ApiError, Remote};
use crate::components::{local_error, BackLink, Loading, VerificationCard};
use crate::ctx::{ctx, AskState, Ctx};
use crate::draft;
use crate::max;
use crate::router::Route;
use crate::strings;
use crate::time;
use mini_app_client::ErrorLine;

/// Most files per question and bytes per file (the api checks both again).
const MAX_FILES: usize = 3;
const MAX_FILE_BYTES: f64 = 5.0 * 1024.0 * 1024.0;

thread_local! {
    /// The files chosen for the question being asked (a `File` cannot be kept in storage:
    /// they wait here until the question is accepted, then go one by one).
    static FILES: std::cell::RefCell<Vec<web_sys::File>> = const { std::cell::RefCell::new(Vec::new()) };
    /// The api's words for the files that could not be attached to the last question.
    static NOT_ATTACHED: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
    /// Suggested articles' answers by id, loaded once: coming back to the outcome (also
    /// offline) shows them without asking again.
    static ANSWERS: std::cell::RefCell<Vec<(String, String)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Sends the chosen files of the accepted question; each with a key of its own derived
/// from the question's, so a retry never attaches a file twice.
async fn attach_files(appeal_id: &str, key: &str) {
    let files = FILES.with(|f| std::mem::take(&mut *f.borrow_mut()));
    let mut failed = Vec::new();
    for (i, file) in files.iter().enumerate() {
        if let Err(error) = api::attach(appeal_id, file, &format!("{key}-f{i}")).await {
            failed.push(format!("{}: {}", file.name(), error.message()));
        }
    }
    NOT_ATTACHED.with(|n| *n.borrow_mut() = failed);
}

/// Worth sending again with the same key: no answer, server trouble or the rate limit.
fn retryable(error: &ApiError) -> bool {
    error.status().is_none_or(|s| s >= 500 || s == 429) && *error != ApiError::Decode
}

/// Sends `body` with the draft's key (the same key again for the same body).
pub fn send(ctx: Ctx, body: CreateAppeal) {
    let key = draft::key_for(&body);
    ctx.ask.set(AskState::Sending);
    spawn_local(async move {
        match api::create_appeal(&body, &key).await {
            Ok(appeal) => {
                attach_files(&appeal.id, &key).await;
                draft::clear();
                max::notify(true);
                ctx.ask.set(AskState::Sent(Box::new(appeal)));
            }
            Err(error) if retryable(&error) => ctx.ask.set(AskState::Failed(error)),
            Err(error) => {
                draft::forget_key();
                max::notify(false);
                ctx.ask.set(AskState::Rejected(error));
            }
        }
    });
}

/// At start: a question whose sending was not confirmed goes again, with its key.
pub fn resend_pending(ctx: Ctx) {
    if let Some((body, _)) = draft::pending() {
        send(ctx, body);
    }
}

#[component]
pub fn AskPage() -> impl IntoView {
    let ctx = ctx();
    let verification = ctx
        .me
        .with_untracked(|me| me.as_ref().map(|m| m.verification.clone()));
    let verified = verification
        .as_ref()
        .is_some_and(|v| v.status == VerificationStatus::Verified);
    let body = if verified {
        (move || match ctx.ask.get() {
            AskState::Sent(appeal) => view! { <Outcome appeal=*appeal/> }.into_any(),
            AskState::Done(text) => view! {
                <p class="notice" id="ask-done" role="status">{text}</p>
                <AskAgain/>
            }
            .into_any(),
            _ => view! { <AskForm/> }.into_any(),
        })
        .into_any()
    } else {
        view! {
            <section class="card"><p>{strings::ASK_LOCKED}</p></section>
            {verification.map(|verification| view! { <VerificationCard verification/> })}
            <a class="button wide" href=Route::Verification.href()>{strings::VERIFY_ACTION}</a>
            <a class="button secondary wide" href=Route::Answers.href()>{strings::NAV_ANSWERS}</a>
        }
        .into_any()
    };
    view! {
        <BackLink href="#/"/>
        <h1>{strings::ASK_TITLE}</h1>
        {body}
    }
}

#[component]
fn AskAgain() -> impl IntoView {
    let ctx = ctx();
    view! {
        <button type="button" id="ask-again" class="button secondary wide" on:click=move |_| ctx.ask.set(AskState::Idle)>
            {strings::ASK_AGAIN}
        </button>
    }
}

#[component]
fn AskForm() -> impl IntoView {
    let ctx = ctx();
    let (saved, anonymous) = draft::load();
    let text = RwSignal::new(saved);
    let anonymous = RwSignal::new(anonymous);
    let errors = RwSignal::new(match ctx.ask.get_untracked() {
        AskState::Rejected(error) => Some(error),
        _ => None,
    });
    let count = move || text.with(|t| t.trim().chars().count());
    let counter = move || {
        let n = count();
        let class = if n > QuestionText::MAX || (n > 0 && n < QuestionText::MIN) {
            "counter over"
        } else {
            "counter"
        };
        view! { <span class=class id="question-count" aria-live="polite">{n} " / " {QuestionText::MAX}</span> }
    };
    let error = move || errors.with(|e| e.as_ref().map(ApiError::message));
    let sending = move || ctx.ask.with(|s| *s == AskState::Sending);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let raw = text.get_untracked();
        match QuestionText::parse(&raw) {
            Ok(question) => {
                errors.set(None);
                send(
                    ctx,
                    CreateAppeal {
                        text: question.as_str().to_owned(),
                        anonymous: anonymous.get_untracked(),
                    },
                );
            }
            Err((_, message)) => {
                max::notify(false);
                errors.set(Some(local_error("text", message)));
            }
        }
    };
    let retry = move |_| {
        if let Some((body, _)) = draft::pending() {
            send(ctx, body);
        }
    };
    let file_error = RwSignal::new(None::<&'static str>);
    let chosen = RwSignal::new(FILES.with(|f| {
        f.borrow()
            .iter()
            .map(web_sys::File::name)
            .collect::<Vec<_>>()
    }));
    let pick = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let mut files = Vec::new();
        if let Some(list) = input.files() {
            files.extend((0..list.length()).filter_map(|i| list.get(i)));
        }
        let message = if files.len() > MAX_FILES {
            Some(strings::FILES_TOO_MANY)
        } else if files.iter().any(|f| f.size() > MAX_FILE_BYTES) {
            Some(strings::FILE_TOO_BIG)
        } else {
            None
        };
        if message.is_some() {
            input.set_value("");
            files.clear();
        }
        file_error.set(message);
        chosen.set(files.iter().map(web_sys::File::name).collect());
        FILES.with(|f| *f.borrow_mut() = files);
    };

    view! {
        <form id="ask-form" class="card" novalidate on:submit=submit>
            <div class="field">
                <label for="question">{strings::QUESTION}</label>
                <p class="hint" id="question-hint">{strings::QUESTION_HINT}</p>
                <textarea
                    id="question"
                    name="question"
                    rows="6"
                    maxlength="4100"
                    aria-describedby="question-hint question-count question-error"
                    aria-invalid=move || errors.with(Option::is_some).then_some("true")
                    prop:value=move || text.get()
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        draft::save(&value, anonymous.get_untracked());
                        text.set(value);
                    }
                ></textarea>
                <p class="count-line">{counter}</p>
                <p class="field-error" id="question-error" role="alert">{error}</p>
            </div>
            <div class="field">
                <label for="files">{strings::FILES}</label>
                <p class="hint" id="files-hint">{strings::FILES_HINT}</p>
                <input
                    type="file"
                    id="files"
                    multiple
                    accept="application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"
                    aria-describedby="files-hint files-error"
                    on:change=pick
                />
                <p class="field-error" id="files-error" role="alert">{move || file_error.get()}</p>
                <ul class="files" id="chosen-files">
                    {move || chosen.get().into_iter().map(|name| view! { <li>{name}</li> }).collect_view()}
                </ul>
            </div>
            <div class="check">
                <input
                    type="checkbox"
                    id="anonymous"
                    prop:checked=move || anonymous.get()
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        anonymous.set(on);
                        draft::save(&text.get_untracked(), on);
                    }
                />
                <label for="anonymous">{strings::ANONYMOUS}</label>
            </div>
            {move || match ctx.ask.get() {
                AskState::Failed(error) => Some(view! {
                    <div class="state error" role="alert" id="send-failed">
                        <p>{strings::SEND_FAILED} " " {error.message()}</p>
                        <button type="button" id="send-again" class="button" on:click=retry>
                            {strings::SEND_AGAIN}
                        </button>
                    </div>
                }),
                _ => None,
            }}
            {move || sending().then(|| view! { <Loading text=strings::SENDING/> })}
            <button type="submit" id="ask-send" class="button wide" disabled=sending>
                {strings::SEND}
            </button>
        </form>
        <a class="button secondary wide" href=Route::Appeals.href()>{strings::NAV_APPEALS}</a>
    }
}

/// After sending: the instant answer, or the routed message and the suggestions.
#[component]
fn Outcome(appeal: Appeal) -> impl IntoView {
    let link = Route::Appeal(appeal.id.clone()).href();
    let body = if appeal.status == AppealStatus::AnsweredByBot {
        view! { <InstantAnswer appeal/> }.into_any()
    } else {
        view! { <Routed appeal/> }.into_any()
    };
    let not_attached = NOT_ATTACHED.with(|n| n.borrow().clone());
    let not_attached = (!not_attached.is_empty()).then(|| {
        view! {
            <div class="state error" role="alert" id="not-attached">
                <p>{strings::NOT_ATTACHED}</p>
                <ul>{not_attached.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}</ul>
            </div>
        }
    });
    view! {
        {not_attached}
        {body}
        <a class="button secondary wide" id="open-appeal" href=link>{strings::OPEN_APPEAL}</a>
        <AskAgain/>
    }
}

#[component]
fn InstantAnswer(appeal: Appeal) -> impl IntoView {
    let ctx = ctx();
    let answer = appeal.answers.first().cloned();
    let article_id = answer.as_ref().and_then(|a| a.article_id.clone());
    let title = RwSignal::new(Remote::Loading);
    if let Some(id) = article_id.clone() {
        api::load_into(
            title,
            async move { api::article(id).await.map(|a| a.title) },
        );
    }
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let id = StoredValue::new(appeal.id.clone());
    let run = move |action: Action| {
        busy.set(true);
        spawn_local(async move {
            let id = id.get_value();
            let helped = matches!(action, Action::Helpful);
            let result = match api::act(&id, action).await {
                Ok(()) if helped => {
                    // A click, not a rating: the appeal's page offers the stars (optional).
                    crate::router::go(&Route::Appeal(id));
                    Ok(None)
                }
                Ok(()) => api::appeal(id).await.map(Some),
                Err(e) => Err(e),
            };
            match result {
                Ok(None) => {
                    max::notify(true);
                    ctx.ask.set(AskState::Done(strings::THANKS));
                }
                Ok(Some(appeal)) => ctx.ask.set(AskState::Sent(Box::new(appeal))),
                Err(e) => {
                    max::notify(false);
                    error.set(Some(e.message()));
                    busy.set(false);
                }
            }
        });
    };
    let source = article_id.map(|id| {
        let href = Route::Article(id.clone()).href();
        view! {
            <p class="source">
                {strings::SOURCE} ": "
                <a href=href id="answer-source">
                    {move || match title.get() {
                        Remote::Ready(title) => title,
                        _ => id.clone(),
                    }}
                </a>
            </p>
        }
    });
    view! {
        <section class="card answer" id="answer-card" aria-live="polite">
            <h2 class="card-title">{strings::INSTANT_TITLE}</h2>
            <p class="text">{answer.map(|a| a.text).unwrap_or_default()}</p>
            {source}
            <div class="actions">
                <button type="button" id="helped" class="button" disabled=busy
                    on:click=move |_| run(Action::Helpful)>
                    {strings::HELPED}
                </button>
                <button type="button" id="not-helped" class="button secondary" disabled=busy
                    on:click=move |_| run(Action::Escalate)>
                    {strings::NOT_HELPED}
                </button>
            </div>
            <ErrorLine message=error/>
        </section>
    }
}

/// «Ответ до 3 декабря» in the region's own calendar date.
#[must_use]
pub fn deadline_text(ctx: Ctx, appeal: &Appeal) -> Option<String> {
    let deadline = appeal.deadline_at.as_deref()?;
    let tz = ctx.regions.with_untracked(|r| match r {
        Remote::Ready(list) => list
            .iter()
            .find(|r| r.code == appeal.region.code)
            .map(|r| r.timezone.clone()),
        _ => None,
    });
    Some(format!(
        "{} {}",
        strings::ANSWER_BY,
        time::day_month(deadline, tz.as_deref().filter(|t| !t.is_empty()))
    ))
}

#[component]
fn Routed(appeal: Appeal) -> impl IntoView {
    let ctx = ctx();
    let deadline = deadline_text(ctx, &appeal).map(|d| format!("{d}."));
    let id = StoredValue::new(appeal.id.clone());
    let suggestions = appeal.suggestions;
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let accept = move |article_id: String| {
        busy.set(true);
        spawn_local(async move {
            let action = Action::Accept(AcceptSuggestion { article_id });
            match api::act(&id.get_value(), action).await {
                Ok(()) => {
                    max::notify(true);
                    ctx.ask.set(AskState::Done(strings::SELF_SERVED));
                }
                Err(e) => {
                    max::notify(false);
                    error.set(Some(e.message()));
                    busy.set(false);
                }
            }
        });
    };
    let cards = (!suggestions.is_empty()).then(|| {
        view! {
            <h2 class="section">{strings::MAYBE}</h2>
            {suggestions
                .into_iter()
                .map(|Suggestion { article_id, title, .. }| view! { <SuggestionCard article_id title accept busy/> })
                .collect_view()}
            <ErrorLine message=error/>
        }
    });
    view! {
        <p class="notice routed" id="routed" role="status">
            <strong>{strings::ROUTED}</strong>
            " "
            {deadline}
            " № " {appeal.number}
        </p>
        {cards}
    }
}

/// One «Возможно, подойдёт» card: the title and the first lines of the answer; «Открыть
/// ответ» (the main action) unfolds the whole answer, and only there «Это ответ на мой
/// вопрос» closes the question, after «Закрыть вопрос?» once more (issue #22: a tired tap
/// must not close a question whose answer was never read).
#[component]
fn SuggestionCard(
    article_id: String,
    title: String,
    accept: impl Fn(String) + Copy + Send + Sync + 'static,
    busy: RwSignal<bool>,
) -> impl IntoView {
    let kept = ANSWERS.with(|a| {
        a.borrow()
            .iter()
            .find(|(id, _)| *id == article_id)
            .map(|(_, text)| text.clone())
    });
    let answer = RwSignal::new(Remote::Loading);
    match kept {
        Some(text) => answer.set(Remote::Ready(text)),
        None => {
            let id = article_id.clone();
            api::load_into(answer, async move {
                let article = api::article(id.clone()).await?;
                ANSWERS.with(|a| a.borrow_mut().push((id, article.answer.clone())));
                Ok(article.answer)
            });
        }
    }
    let open = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let article = StoredValue::new(article_id.clone());
    // One structure with parts hidden (not three views): the first load stays small.
    view! {
        <section class="card suggestion" data-article=article_id>
            <h3 class="card-title">{title}</h3>
            <p class="text answer-text" class:clamp=move || !open.get()>
                {move || match answer.get() {
                    Remote::Ready(text) => text,
                    _ => String::new(),
                }}
            </p>
            <div class="actions" hidden=confirming>
                <button type="button" class="button open-answer" hidden=open
                    on:click=move |_| open.set(true)>
                    {strings::OPEN_ANSWER}
                </button>
                <button type="button" class="button accept" hidden=move || !open.get() disabled=busy
                    on:click=move |_| confirming.set(true)>
                    {strings::THIS_ANSWERS}
                </button>
            </div>
            <div class="confirm" role="alertdialog" aria-label=strings::CLOSE_QUESTION hidden=move || !confirming.get()>
                <p><strong>{strings::CLOSE_QUESTION}</strong></p>
                <div class="actions">
                    <button type="button" class="button accept-yes" disabled=busy
                        on:click=move |_| accept(article.get_value())>
                        {strings::CLOSE_YES}
                    </button>
                    <button type="button" class="button secondary accept-no"
                        on:click=move |_| confirming.set(false)>
                        {strings::CLOSE_NO}
                    </button>
                </div>
            </div>
        </section>
    }
}
