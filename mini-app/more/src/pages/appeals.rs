//! `#/appeals`: «Мои вопросы», newest first — those waiting for the teacher's reply
//! («Нужен ваш ответ») first of all — with status chips, unread marks, «Показать ещё», and
//! refresh by the button or by pulling down from the top. The tab title counts the unread.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::appeals::{Appeal, AppealStatus};

use mini_app_client::words as time;
use mini_app_client::ErrorLine;
use teacher_app::api::{self, Remote};
use teacher_app::components::{BackLink, ErrorBox, Loading};
use teacher_app::router::Route;
use teacher_app::strings;

/// The chip of a status: its title and CSS modifier.
#[must_use]
pub fn chip(status: AppealStatus) -> impl IntoView {
    let class = match status {
        AppealStatus::AnsweredByBot | AppealStatus::Answered => "badge badge-ok",
        AppealStatus::New | AppealStatus::InProgress => "badge badge-wait",
        AppealStatus::Closed => "badge",
    };
    view! { <span class=class data-status=status.as_str()>{status.title()}</span> }
}

#[component]
pub fn AppealsPage() -> impl IntoView {
    let items = RwSignal::new(Vec::<Appeal>::new());
    let next = RwSignal::new(None::<String>);
    let state = RwSignal::new(Remote::<()>::Loading);
    let more_busy = RwSignal::new(false);
    let more_error = RwSignal::new(None::<String>);
    let fetch = move |cursor: Option<String>| {
        let first = cursor.is_none();
        if first {
            state.set(Remote::Loading);
        } else {
            more_busy.set(true);
        }
        more_error.set(None);
        spawn_local(async move {
            match api::appeals(cursor).await {
                Ok(page) => {
                    if first {
                        // Stable: the waiting ones move up, each group stays newest first.
                        let mut page_items = page.items;
                        page_items.sort_by_key(|a| !a.waiting_for_teacher);
                        api::title_count(page_items.iter().filter(|a| a.unread).count());
                        items.set(page_items);
                    } else {
                        items.update(|list| list.extend(page.items));
                    }
                    next.set(page.next_cursor);
                    state.set(Remote::Ready(()));
                }
                Err(error) if first => state.set(Remote::Failed(error)),
                Err(error) => more_error.set(Some(error.message())),
            }
            more_busy.set(false);
        });
    };
    fetch(None);

    let body = move || {
        match state.get() {
        Remote::Loading => view! { <Loading/> }.into_any(),
        Remote::Failed(error) => {
            view! { <ErrorBox message=error.message() on_retry=move |()| fetch(None)/> }.into_any()
        }
        Remote::Ready(()) if items.with(Vec::is_empty) => view! {
            <p class="state" id="appeals-empty">{strings::APPEALS_EMPTY}</p>
            <a class="button wide" href=Route::Ask.href()>{strings::NAV_ASK}</a>
        }
        .into_any(),
        Remote::Ready(()) => view! {
            <ul class="list" id="appeals">
                {move || items.get().into_iter().map(|appeal| view! { <AppealRow appeal/> }).collect_view()}
            </ul>
            {move || next.get().map(|cursor| view! {
                <button type="button" id="appeals-more" class="button secondary wide" disabled=more_busy
                    on:click=move |_| fetch(Some(cursor.clone()))>
                    {strings::MORE}
                </button>
            })}
            <ErrorLine message=more_error/>
        }
        .into_any(),
    }
    };
    // Pull to refresh: a downward swipe of more than PULL_PX that starts at the top.
    let pull_from = StoredValue::new(None::<i32>);
    let touch_y = |ev: &leptos::ev::TouchEvent| ev.changed_touches().get(0).map(|t| t.client_y());
    let on_start = move |ev: leptos::ev::TouchEvent| {
        pull_from.set_value(
            (window().scroll_y().unwrap_or(0.0) <= 0.0)
                .then(|| touch_y(&ev))
                .flatten(),
        );
    };
    let on_end = move |ev: leptos::ev::TouchEvent| {
        if let (Some(from), Some(to)) = (pull_from.get_value(), touch_y(&ev)) {
            if to - from > PULL_PX {
                fetch(None);
            }
        }
        pull_from.set_value(None);
    };
    view! {
        <div class="pull" id="appeals-page" on:touchstart=on_start on:touchend=on_end>
        <BackLink href="#/"/>
        <div class="title-row">
            <h1>{strings::APPEALS_TITLE}</h1>
            <button type="button" id="refresh" class="button secondary small" on:click=move |_| fetch(None)>
                {strings::REFRESH}
            </button>
        </div>
        {body}
        </div>
    }
}

/// How far (CSS px) a swipe from the top must pull down to refresh the list.
const PULL_PX: i32 = 80;

#[component]
fn AppealRow(appeal: Appeal) -> impl IntoView {
    let href = Route::Appeal(appeal.id.clone()).href();
    let when = time::date_time(&appeal.created_at);
    view! {
        <li>
            <a class="row" href=href data-appeal=appeal.id>
                <span class="row-title clamp">{appeal.text}</span>
                <span class="row-meta">
                    {if appeal.waiting_for_teacher {
                        view! { <span class="badge badge-bad need-reply">{strings::NEED_REPLY}</span> }.into_any()
                    } else {
                        chip(appeal.status).into_any()
                    }}
                    " № " {appeal.number} " · "
                    {when}
                    {appeal.unread.then(|| view! {
                        <span class="dot" role="img" aria-label=strings::UNREAD title=strings::UNREAD></span>
                    })}
                </span>
            </a>
        </li>
    }
}
