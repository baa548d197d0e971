//! The operator's verification queue: teachers of the operator's regions who asked to be
//! verified; confirm, or reject with a reason the teacher will see.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::users::{Decision, UserSummary};

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

#[component]
pub fn Queue(regions: Regions) -> impl IntoView {
    let list = RwSignal::new(None);
    let error = RwSignal::new(None);
    let done = RwSignal::new(None::<String>);
    fetch(list, error, pending(), false);
    let remove = move |id: String, message: String| {
        list.update(|l| {
            if let Some(l) = l {
                l.items.retain(|u| u.id != id);
            }
        });
        done.set(Some(message));
    };
    let item = move |user: UserSummary| view! { <Request user regions on_done=remove/> }.into_any();
    view! {
        <h1>{strings::QUEUE_TITLE}</h1>
        <p class="lead">{strings::QUEUE_LEAD}</p>
        <p class="done" role="status">{move || done.get()}</p>
        {listing_view(
            list,
            error,
            strings::QUEUE_EMPTY,
            move || fetch(list, error, pending(), false),
            move || fetch(list, error, pending(), true),
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
