//! The operator's verification queue: teachers of the operator's regions who asked to be
//! verified; confirm, or reject with a reason the teacher will see. Above the list, how many
//! wait in all and per education level (Школа / СПО / ДОО), and a filter by level.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::users::{Decision, UserSummary, VerificationCounts};

use crate::api::{self, Filter};
use crate::regions::{region_name, Regions};
use crate::strings;
use mini_app_client::{ApiError, ErrorBox, ErrorLine, Loading};

/// A loaded list with its next-page cursor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    pub items: Vec<UserSummary>,
    pub next: Option<String>,
}

/// Loads the first page (`more == false`) or the next one into `list`.
pub fn fetch(
    list: RwSignal<Option<Listing>>,
    error: RwSignal<Option<ApiError>>,
    filter: Filter,
    more: bool,
) {
    let cursor = if more {
        list.with_untracked(|l| l.as_ref().and_then(|l| l.next.clone()))
    } else {
        list.set(None);
        None
    };
    error.set(None);
    spawn_local(async move {
        match api::users(filter, cursor).await {
            Ok(page) => list.update(|l| {
                let current = l.get_or_insert_with(Listing::default);
                current.items.extend(page.items);
                current.next = page.next_cursor;
            }),
            Err(e) => error.set(Some(e)),
        }
    });
}

/// The list body shared by both lists: loading, error, empty, items, «Показать ещё».
pub fn listing_view(
    list: RwSignal<Option<Listing>>,
    error: RwSignal<Option<ApiError>>,
    empty: &'static str,
    on_retry: impl Fn() + Copy + Send + Sync + 'static,
    on_more: impl Fn() + Copy + Send + Sync + 'static,
    item: impl Fn(UserSummary) -> AnyView + Copy + Send + Sync + 'static,
) -> impl IntoView {
    move || {
        if let Some(e) = error.get() {
            return view! { <ErrorBox message=e.message() on_retry=move |()| on_retry()/> }
                .into_any();
        }
        let Some(listing) = list.get() else {
            return view! { <Loading/> }.into_any();
        };
        if listing.items.is_empty() {
            return view! { <p class="state">{empty}</p> }.into_any();
        }
        let more = listing.next.is_some().then(|| {
            view! {
                <button type="button" class="button secondary" on:click=move |_| on_more()>
                    {strings::MORE}
                </button>
            }
        });
        view! {
            <ul class="staff-list">{listing.items.into_iter().map(item).collect_view()}</ul>
            {more}
        }
        .into_any()
    }
}

/// The verification requests waiting for a decision.
pub(crate) fn pending() -> Filter {
    Filter {
        verification: "pending".to_owned(),
        ..Filter::default()
    }
}

/// The waiting requests of one education level (`""`: every level).
fn pending_at(level: String) -> Filter {
    Filter { level, ..pending() }
}

/// Loads the counts of waiting requests by level into `counts` (left as they were on an
/// error: the list below says what went wrong).
fn load_counts(counts: RwSignal<Option<VerificationCounts>>) {
    spawn_local(async move {
        if let Ok(c) = api::verification_counts().await {
            counts.set(Some(c));
        }
    });
}

/// «Ждут решения: N» and the counts per level.
fn counts_view(counts: RwSignal<Option<VerificationCounts>>) -> impl IntoView {
    move || {
        counts.get().map(|c| {
            view! {
                <div class="level-counts" id="level-counts">
                    <p>{strings::WAITING}": "<strong>{c.total}</strong></p>
                    <dl class="facts-inline">
                        <dt>{strings::L_SCHOOL}</dt><dd data-level="school">{c.school}</dd>
                        <dt>{strings::L_SPO}</dt><dd data-level="spo">{c.spo}</dd>
                        <dt>{strings::L_DOO}</dt><dd data-level="doo">{c.doo}</dd>
                    </dl>
                </div>
            }
        })
    }
}

/// The education level filter of the queue.
fn level_select(level: RwSignal<String>) -> impl IntoView {
    let options = [
        ("", strings::ANY),
        ("school", strings::L_SCHOOL),
        ("spo", strings::L_SPO),
        ("doo", strings::L_DOO),
    ];
    view! {
        <div class="field">
            <label for="f-level">{strings::F_LEVEL}</label>
            <select id="f-level" on:change=move |ev| level.set(event_target_value(&ev))>
                {options
                    .into_iter()
                    .map(|(v, text)| view! { <option value=v>{text}</option> })
                    .collect_view()}
            </select>
        </div>
    }
}

#[component]
pub fn Queue(regions: Regions) -> impl IntoView {
    let list = RwSignal::new(None);
    let error = RwSignal::new(None);
    let done = RwSignal::new(None::<String>);
    let level = RwSignal::new(String::new());
    let counts = RwSignal::new(None::<VerificationCounts>);
    load_counts(counts);
    // Reloads whenever the level changes (and once at the start).
    Effect::new(move |_| fetch(list, error, pending_at(level.get()), false));
    let remove = move |id: String, message: String| {
        list.update(|l| {
            if let Some(l) = l {
                l.items.retain(|u| u.id != id);
            }
        });
        done.set(Some(message));
        load_counts(counts);
    };
    let item = move |user: UserSummary| view! { <Request user regions on_done=remove/> }.into_any();
    let empty = move || {
        if level.with(String::is_empty) {
            strings::QUEUE_EMPTY
        } else {
            strings::QUEUE_EMPTY_LEVEL
        }
    };
    view! {
        <h1>{strings::QUEUE_TITLE}</h1>
        <p class="lead">{strings::QUEUE_LEAD}</p>
        {counts_view(counts)}
        <fieldset class="filters">
            <legend>{strings::FILTERS}</legend>
            {level_select(level)}
        </fieldset>
        <p class="done" role="status">{move || done.get()}</p>
        {move || listing_view(
            list,
            error,
            empty(),
            move || fetch(list, error, pending_at(level.get_untracked()), false),
            move || fetch(list, error, pending_at(level.get_untracked()), true),
            item,
        )}
    }
}

/// One request: who, where, and the decision buttons.
#[component]
fn Request(
    user: UserSummary,
    regions: Regions,
    on_done: impl Fn(String, String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let name = user
        .full_name
        .clone()
        .unwrap_or_else(|| strings::NO_NAME.to_owned());
    let code = user.region.clone().unwrap_or_default();
    // Reactive: the names arrive with the regions list, possibly after the queue.
    let region = move || region_name(regions, &code);
    let rejecting = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let id = user.id.clone();
    let reason_id = format!("reason-{}", user.id);

    let decide = move |decision: Decision| {
        let reason = Some(reason.get_untracked().trim().to_owned()).filter(|r| !r.is_empty());
        if decision == Decision::Reject && reason.is_none() {
            error.set(Some(strings::FILL_REASON.to_owned()));
            return;
        }
        let (id, label) = (id.clone(), name.clone());
        error.set(None);
        busy.set(true);
        spawn_local(async move {
            match api::decide(id.clone(), decision, reason).await {
                Ok(_) => {
                    let what = if decision == Decision::Confirm {
                        strings::CONFIRMED
                    } else {
                        strings::REJECTED
                    };
                    on_done(id, format!("{what}: {label}."));
                }
                Err(e) => {
                    error.set(Some(e.message()));
                    busy.set(false);
                }
            }
        });
    };
    let decide = StoredValue::new(decide);

    view! {
        <li class="card staff-item" data-user=user.id.clone()>
            <h2 class="card-title">{user.full_name.clone().unwrap_or_else(|| strings::NO_NAME.to_owned())}</h2>
            <dl class="facts-inline">
                <dt>{strings::SCHOOL}</dt><dd>{user.school.unwrap_or_default()}{user.education_level.map(|l| match l {
                    shared::users::EducationLevel::School => " · школа",
                    shared::users::EducationLevel::Spo => " · СПО",
                    shared::users::EducationLevel::Doo => " · ДОО",
                })}</dd>
                <dt>{strings::POSITION}</dt><dd>{user.position.unwrap_or_default()}</dd>
                <dt>{strings::REGION}</dt><dd>{region}</dd>
            </dl>
            {move || if rejecting.get() {
                let reason_id = reason_id.clone();
                view! {
                    <div class="field">
                        <label for=reason_id.clone()>{strings::REASON}</label>
                        <p class="hint">{strings::REASON_HINT}</p>
                        <textarea id=reason_id rows="3" aria-required="true" bind:value=reason></textarea>
                    </div>
                    <div class="actions">
                        <button type="button" class="button danger" disabled=busy
                            on:click=move |_| decide.with_value(|d| d(Decision::Reject))>
                            {strings::REJECT_SEND}
                        </button>
                        <button type="button" class="button secondary" on:click=move |_| rejecting.set(false)>
                            {strings::CANCEL}
                        </button>
                    </div>
                }.into_any()
            } else {
                view! {
                    <div class="actions">
                        <button type="button" class="button confirm" disabled=busy
                            on:click=move |_| decide.with_value(|d| d(Decision::Confirm))>
                            {strings::CONFIRM}
                        </button>
                        <button type="button" class="button secondary" on:click=move |_| rejecting.set(true)>
                            {strings::REJECT}
                        </button>
                    </div>
                }.into_any()
            }}
            <ErrorLine message=error/>
        </li>
    }
}
