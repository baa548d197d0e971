//! `#/`: the greeting, the verification state and the sections.

use leptos::prelude::*;
use shared::users::VerificationStatus;

use crate::api;
use crate::components::badge;
use crate::ctx::ctx;
use crate::router::Route;
use crate::strings;

#[component]
pub fn HomePage() -> impl IntoView {
    let ctx = ctx();
    let me = ctx.me.get_untracked();
    let name = me.as_ref().map(greeting).unwrap_or_default();
    let hello = if name.is_empty() {
        format!("{}!", strings::HELLO)
    } else {
        format!("{}, {name}!", strings::HELLO)
    };
    let status_line = me.as_ref().map(|m| {
        let (text, class) = badge(m.verification.status);
        view! { <p class="lead">{strings::STATUS} ": " <span class=class>{text}</span></p> }
    });
    // A decision not seen yet: one line here, the decision on the verification screen.
    let decision = me.as_ref().filter(|m| m.verification_unseen).map(|_| {
        view! {
            <p class="notice" id="decision-notice" role="status">
                <a href=Route::Verification.href()>{strings::DECISION_NOTICE}</a>
            </p>
        }
    });
    let prompt = me
        .filter(|m| m.verification.status != VerificationStatus::Verified)
        .map(|_| {
            view! {
                <a class="button wide" href=Route::Verification.href()>{strings::VERIFY_ACTION}</a>
            }
        });
    // «Мои вопросы» carries the count of appeals with something unread; so does the tab title.
    let unread = RwSignal::new(0_usize);
    leptos::task::spawn_local(async move {
        if let Ok(n) = api::unread_count().await {
            unread.set(n);
            api::title_count(n);
        }
    });
    view! {
        <h1 id="greeting">{hello}</h1>
        {status_line}
        {decision}
        {prompt}
        <nav aria-label=strings::SECTIONS>
            <ul class="list nav">
                {row(&Route::Ask, strings::NAV_ASK, strings::NAV_ASK_META)}
                <li>
                    <a class="row" href=Route::Appeals.href()>
                        <span class="row-title">
                            {strings::NAV_APPEALS}
                            {move || (unread.get() > 0).then(|| view! {
                                " " <span class="badge badge-wait" id="unread-count"
                                    aria-label=format!("{}: {}", strings::UNREAD_COUNT, unread.get())>{unread.get()}</span>
                            })}
                        </span>
                        <span class="row-meta">{strings::NAV_APPEALS_META}</span>
                    </a>
                </li>
                {row(&Route::Answers, strings::NAV_ANSWERS, strings::NAV_ANSWERS_META)}
                {row(&Route::Profile, strings::NAV_PROFILE, strings::NAV_PROFILE_META)}
            </ul>
        </nav>
    }
}

fn row(route: &Route, title: &'static str, meta: &'static str) -> impl IntoView {
    view! {
        <li>
            <a class="row" href=route.href()>
                <span class="row-title">{title}</span>
                <span class="row-meta">{meta}</span>
            </a>
        </li>
    }
}

/// The greeting name: «Мария Ивановна», or the name alone.
#[must_use]
pub fn greeting(me: &shared::users::Me) -> String {
    match (me.name.as_deref(), me.patronymic.as_deref()) {
        (Some(name), Some(patronymic)) if !patronymic.is_empty() => format!("{name} {patronymic}"),
        (Some(name), _) => name.to_owned(),
        _ => me.full_name.clone().unwrap_or_default(),
    }
}
