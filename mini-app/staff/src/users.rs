//! The administrator's users list (the `#/users` tab of the administration module): filters by role,
//! verification and blocking, «Показать ещё» by cursor, block / unblock, and for staff users
//! the role and regions and a fresh invitation letter. Blocking asks once more before it
//! happens. Also a regional head's own operators ([`Team`]), in the supervisor module, whose
//! forms offer only the head's own regions.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::users::{Role, UserSummary, VerificationStatus};

use crate::api::{self, Filter};
use crate::queue::{fetch, listing_view};
use crate::regions::{region_name, Regions};
use crate::strings;
use crate::user_forms::{EditUser, NewUser, OwnRegions};
use mini_app_client::ErrorLine;

fn status_text(status: VerificationStatus) -> &'static str {
    match status {
        VerificationStatus::Unverified => strings::V_UNVERIFIED,
        VerificationStatus::Pending => strings::V_PENDING,
        VerificationStatus::Verified => strings::V_VERIFIED,
        VerificationStatus::Rejected => strings::V_REJECTED,
    }
}

/// A labelled `<select>` of `(value, text)` pairs bound to `value`.
fn select(
    id: &'static str,
    label: &'static str,
    options: Vec<(&'static str, &'static str)>,
    value: RwSignal<String>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id on:change=move |ev| value.set(event_target_value(&ev))>
                {options
                    .into_iter()
                    .map(|(v, text)| view! { <option value=v>{text}</option> })
                    .collect_view()}
            </select>
        </div>
    }
}

/// The users list. With `operators_only` (a regional head: the server lists only operators
/// of own regions) the role and verification filters and the role choice are left out.
/// A change of `refresh` (e.g. after a user was created) loads the list again; `staff_action`
/// draws one more action under each staff user (the administrator's second-factor reset).
#[component]
pub fn Users(
    regions: Regions,
    #[prop(optional)] operators_only: bool,
    #[prop(optional)] refresh: Option<RwSignal<u32>>,
    #[prop(optional)] staff_action: Option<fn(String) -> AnyView>,
) -> impl IntoView {
    let role = RwSignal::new(String::new());
    let verification = RwSignal::new(String::new());
    let blocked = RwSignal::new(String::new());
    let filter = move || Filter {
        role: role.get_untracked(),
        verification: verification.get_untracked(),
        blocked: blocked.get_untracked(),
        level: String::new(),
    };
    let list = RwSignal::new(None);
    let error = RwSignal::new(None);
    // Reloads whenever a filter changes (and once at the start).
    Effect::new(move |_| {
        role.track();
        verification.track();
        blocked.track();
        if let Some(refresh) = refresh {
            refresh.track();
        }
        fetch(list, error, filter(), false);
    });

    let mut roles = vec![("", strings::ANY)];
    roles.extend(Role::ALL.iter().map(|r| (r.as_str(), r.title())));
    let statuses = vec![
        ("", strings::ANY),
        ("unverified", strings::V_UNVERIFIED),
        ("pending", strings::V_PENDING),
        ("verified", strings::V_VERIFIED),
        ("rejected", strings::V_REJECTED),
    ];
    let blocking = vec![
        ("", strings::ANY),
        ("true", strings::ONLY_BLOCKED),
        ("false", strings::ONLY_ACTIVE),
    ];
    let replace = move |user: UserSummary| {
        list.update(|l| {
            if let Some(slot) = l
                .as_mut()
                .and_then(|l| l.items.iter_mut().find(|u| u.id == user.id))
            {
                *slot = user;
            }
        });
    };
    let item = move |user: UserSummary| {
        let extra = staff_action
            .filter(|_| user.role.is_staff())
            .map(|draw| draw(user.id.clone()));
        view! { <UserRow user regions operators_only on_change=replace extra/> }.into_any()
    };

    view! {
        <h1>{if operators_only { strings::OPERATORS_TITLE } else { strings::USERS_TITLE }}</h1>
        <fieldset class="filters">
            <legend>{strings::FILTERS}</legend>
            {(!operators_only).then(|| view! {
                {select("f-role", strings::F_ROLE, roles, role)}
                {select("f-verification", strings::F_VERIFICATION, statuses, verification)}
            })}
            {select("f-blocked", strings::F_BLOCKED, blocking, blocked)}
        </fieldset>
        <div class="users">
            {listing_view(
                list,
                error,
                strings::USERS_EMPTY,
                move || fetch(list, error, filter(), false),
                move || fetch(list, error, filter(), true),
                item,
            )}
        </div>
    }
}

#[component]
fn UserRow(
    user: UserSummary,
    regions: Regions,
    operators_only: bool,
    on_change: impl Fn(UserSummary) + Copy + Send + Sync + 'static,
    extra: Option<AnyView>,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let name = user
        .full_name
        .clone()
        .unwrap_or_else(|| strings::NO_NAME.to_owned());
    let codes: Vec<String> = if user.regions.is_empty() {
        user.region.iter().cloned().collect()
    } else {
        user.regions.clone()
    };
    // Reactive: the names arrive with the regions list, possibly after the users.
    let where_ = move || {
        let names = codes
            .iter()
            .map(|c| region_name(regions, c))
            .collect::<Vec<_>>()
            .join(", ");
        (!names.is_empty()).then(|| format!(" · {names}"))
    };
    let status = (user.role == Role::Teacher).then(|| status_text(user.verification.status));
    // Staff roles and regions can be changed (the server checks who may).
    let edit = user.role.is_staff().then(|| {
        view! { <EditUser id=user.id.clone() role=user.role codes=user.regions.clone() regions operators_only on_saved=on_change/> }
    });
    let (id, is_blocked) = (user.id.clone(), user.is_blocked);
    let invited = RwSignal::new(None::<String>);
    let invite_id = id.clone();
    let invite = move |_| {
        let id = invite_id.clone();
        busy.set(true);
        error.set(None);
        invited.set(None);
        spawn_local(async move {
            match api::invite(id).await {
                Ok(email) => invited.set(Some(format!("{} {email}.", strings::INVITE_SENT))),
                Err(e) => error.set(Some(e.message())),
            }
            busy.set(false);
        });
    };
    let can_invite = user.role.is_staff() && !is_blocked;
    // Blocking ends the user's sessions: asked once more; unblocking is not.
    let asking = RwSignal::new(false);
    let toggle = move |_| {
        asking.set(false);
        let id = id.clone();
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::set_blocked(id, !is_blocked).await {
                Ok(updated) => on_change(updated),
                Err(e) => error.set(Some(e.message())),
            }
            busy.set(false);
        });
    };
    view! {
        <li class="card staff-item user-row" data-user=user.id.clone()>
            <div class="user-main">
                <h2 class="card-title">
                    {name}
                    {is_blocked.then(|| view! { <span class="badge badge-bad">{strings::BLOCKED}</span> })}
                </h2>
                <p class="muted">
                    {user.role.title()}
                    {status.map(|s| format!(" · {s}"))}
                    {where_}
                </p>
                {user.email.map(|e| view! { <p class="muted">{strings::EMAIL} ": " {e}</p> })}
            </div>
            <div class="actions">
                {if is_blocked {
                    view! {
                        <button type="button" class="button secondary" disabled=busy on:click=toggle>
                            {strings::UNBLOCK}
                        </button>
                    }.into_any()
                } else {
                    view! {
                        <button type="button" class="button danger-outline block" disabled=busy
                            on:click=move |_| asking.set(true)>
                            {strings::BLOCK}
                        </button>
                        <p class="block-ask" role="alert" hidden=move || !asking.get()>
                            {strings::BLOCK_ASK} " "
                            <button type="button" class="button danger-outline block-yes" on:click=toggle>
                                {strings::BLOCK_YES}
                            </button>
                            <button type="button" class="button secondary block-no"
                                on:click=move |_| asking.set(false)>
                                {strings::CANCEL}
                            </button>
                        </p>
                    }.into_any()
                }}
                {can_invite.then(|| view! {
                    <button type="button" class="button secondary invite-again" disabled=busy on:click=invite>
                        {strings::INVITE_AGAIN}
                    </button>
                })}
            </div>
            <p class="done" role="status">{move || invited.get()}</p>
            <ErrorLine message=error/>
            {extra}
            {edit}
        </li>
    }
}

/// A regional head's operators (under the figures of the «Операторы» tab): the list of own
/// operators with blocking and their regions, and the form adding an operator by e-mail.
/// The forms offer only the head's own regions (the api refuses others all the same).
#[component]
pub fn Team(regions: Regions) -> impl IntoView {
    let refresh = RwSignal::new(0);
    let own = RwSignal::new(None);
    provide_context(OwnRegions(own));
    spawn_local(async move {
        if let Ok(me) = api::me().await {
            own.set(Some(me.regions));
        }
    });
    view! {
        <section class="team">
            <Users regions operators_only=true refresh/>
            <NewUser regions operators_only=true refresh/>
        </section>
    }
}
