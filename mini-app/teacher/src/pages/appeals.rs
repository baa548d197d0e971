//! `#/appeals`: «Мои вопросы», newest first, with status chips, unread marks and
//! «Показать ещё».

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::appeals::{Appeal, AppealStatus};

use crate::api::{self, Remote};
use crate::components::{BackLink, ErrorBox, Loading};
use crate::router::Route;
use crate::strings;
use crate::time;
use mini_app_client::ErrorLine;

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
                        items.set(page.items);
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
                <button type="button" id="more" class="button secondary wide" disabled=more_busy
                    on:click=move |_| fetch(Some(cursor.clone()))>
                    {strings::MORE}
                </button>
            })}
            <ErrorLine message=more_error/>
        }
        .into_any(),
    }
    };
    view! {
        <BackLink href="#/"/>
        <div class="title-row">
            <h1>{strings::APPEALS_TITLE}</h1>
            <button type="button" id="refresh" class="button secondary small" on:click=move |_| fetch(None)>
                {strings::REFRESH}
            </button>
        </div>
        {body}
    }
}

#[component]
fn AppealRow(appeal: Appeal) -> impl IntoView {
    let href = Route::Appeal(appeal.id.clone()).href();
    let when = time::date_time(&appeal.created_at);
    view! {
        <li>
            <a class="row" href=href data-appeal=appeal.id>
                <span class="row-title clamp">{appeal.text}</span>
                <span class="row-meta">
                    {chip(appeal.status)}
                    " "
                    {when}
                    {appeal.unread.then(|| view! {
                        <span class="dot" role="img" aria-label=strings::UNREAD title=strings::UNREAD></span>
                    })}
                </span>
            </a>
        </li>
    }
}
