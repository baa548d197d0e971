//! The regional operator's workspace: the queue as a Kanban board or as a list (the choice is
//! remembered), one appeal, and the verification queue — each behind its own URL hash
//! (`#/board`, `#/list`, `#/appeal/<id>`, `#/verification`), so back, forward and reload work.
//! The board refreshes itself every 30 seconds, so new appeals appear without a reload.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::appeals::{Appeal, AppealStatus};
use shared::users::Me;
use wasm_bindgen::JsValue;

use crate::api::{self, ApiError, Remote};
use crate::format::{author, deadline_badge, number};
use crate::hosted::AppealHost;
use crate::queue::Queue;
use crate::quick::QuickPage;
use crate::regions::{region_name, Regions};
use crate::route::{current, queue_href, remember, Route};
use crate::ws_strings as s;
use mini_app_client::form::Done;
use mini_app_client::{ErrorBox, Loading};
use shared::appeals::BoardColumn as Column;

/// How often the board asks for new appeals.
const REFRESH: Duration = Duration::from_secs(30);
/// «ждёт 3 ч» since `iso`.
fn waiting(iso: &str) -> String {
    let since = js_sys::Date::new(&JsValue::from_str(iso)).get_time();
    let hours = ((js_sys::Date::now() - since) / 3_600_000.0).max(0.0) as u64;
    match hours {
        0 => format!("{} {}", s::WAITING, s::LESS_HOUR),
        1..=47 => format!("{} {hours} {}", s::WAITING, s::HOURS),
        _ => format!("{} {} {}", s::WAITING, hours / 24, s::DAYS),
    }
}

/// One appeal as a card of the board or a row of the list.
pub fn card(appeal: &Appeal) -> impl IntoView {
    let assignee = appeal.assignee.as_ref().map_or(s::NOBODY.to_owned(), |a| {
        a.name.clone().unwrap_or_else(|| s::WHO_OPERATOR.to_owned())
    });
    let mut meta = format!(
        "{} · {} · {}: {assignee}",
        appeal.region.name,
        author(appeal),
        s::ASSIGNEE
    );
    if matches!(appeal.status, AppealStatus::New | AppealStatus::InProgress) {
        meta = format!("{meta} · {}", waiting(&appeal.created_at));
    }
    view! {
        <li class="card ws-card" data-appeal=appeal.id.clone()>
            <a class="ws-link" href=format!("#/appeal/{}", appeal.id)>
                <span class="ws-top">
                    <span class="mono">{number(appeal)}</span>
                    <span class="badge">{appeal.status.title()}</span>
                    {appeal.control.is_some().then(|| view! { <span class="badge badge-wait control-badge">{s::CONTROLLED}</span> })}
                    {appeal.unread.then(|| view! { <span class="badge badge-bad">{mini_app_client::words::UNREAD}</span> })}
                </span>
                <span class="clamp ws-text">{appeal.text.clone()}</span>
                <span class="muted small">{meta}</span>
                {deadline_badge(appeal)}
            </a>
        </li>
    }
}

/// The region filter, shown to staff of several regions; `all` names the empty choice.
pub(crate) fn region_filter(
    codes: &[String],
    regions: Regions,
    region: RwSignal<String>,
    all: &'static str,
) -> impl IntoView {
    (codes.len() > 1).then(|| {
        let options = codes
            .iter()
            .map(|c| {
                let (value, code) = (c.clone(), c.clone());
                let selected = move || region.get() == value;
                let name = move || region_name(regions, &code);
                view! { <option value=c.clone() selected=selected>{name}</option> }
            })
            .collect_view();
        view! {
            <div class="field ws-filter">
                <label for="ws-region">{s::REGION}</label>
                <select id="ws-region" on:change=move |ev| region.set(event_target_value(&ev))>
                    <option value="">{all}</option>
                    {options}
                </select>
            </div>
        }
    })
}

#[component]
pub fn Workspace(me: Me, regions: Regions) -> impl IntoView {
    // An address that is no workspace screen becomes the remembered view's.
    let location = window().location();
    if Route::parse(&location.hash().unwrap_or_default()).is_none() {
        let _ignored = location.replace(queue_href());
    }
    let route = RwSignal::new(current());
    let notice = RwSignal::new(None::<&'static str>);
    let handle = window_event_listener(leptos::ev::hashchange, move |_| {
        let tab = current();
        if matches!(tab, Route::Appeal(_)) {
            notice.set(None);
        }
        // A new screen starts at its top.
        window().scroll_to_with_x_and_y(0.0, 0.0);
        route.set(tab);
    });
    on_cleanup(move || handle.remove());
    // Remember the queue's view for the next visit.
    Effect::new(move |_| {
        route.with(remember);
    });
    let region = RwSignal::new(String::new());
    let codes = StoredValue::new(me.regions.clone());
    let me_id = StoredValue::new(me.id);

    // The count of waiting verification requests beside their tab.
    let waiting = RwSignal::new(None::<String>);
    spawn_local(async move {
        if let Ok(counts) = api::verification_counts().await {
            let n = counts.total;
            waiting.set((n > 0).then(|| format!(" ({n})")));
        }
    });
    let tab = move |tab: Route, href: &'static str, label: &'static str| {
        let counted = tab == Route::Verification;
        let current = move || (route.get() == tab).then_some("page");
        let count = move || counted.then(|| waiting.get()).flatten();
        view! { <a class="tab" href=href aria-current=current>{label}{count}</a> }
    };
    view! {
        <nav class="tabs" aria-label=s::TABS>
            {tab(Route::Board, "#/board", s::TAB_BOARD)}
            {tab(Route::List, "#/list", s::TAB_LIST)}
            {tab(Route::Verification, "#/verification", mini_app_client::words::VERIFICATION)}
            {tab(Route::Stats, "#/stats", crate::hosted::MY_STATS)}
            {tab(Route::Help, "#/help", crate::help::TITLE)}
        </nav>
        <Done message=notice/>
        {move || match route.get() {
            Route::Board => view! {
                <h1>{s::BOARD_TITLE}</h1>
                {crate::quick::button()}
                {codes.with_value(|c| region_filter(c, regions, region, s::ALL_REGIONS))}
                <Board region/>
            }
            .into_any(),
            Route::List => view! {
                <h1>{s::BOARD_TITLE}</h1>
                {crate::quick::button()}
                {codes.with_value(|c| region_filter(c, regions, region, s::ALL_REGIONS))}
                <List region/>
            }
            .into_any(),
            Route::Verification => view! { <Queue regions/> }.into_any(),
            Route::Quick => view! { <QuickPage codes=codes.get_value() regions back=queue_href()/> }.into_any(),
            Route::Appeal(id) => view! {
                <AppealHost id me_id=me_id.get_value() role=shared::users::Role::Operator notice/>
            }
            .into_any(),
            Route::Help => view! { <crate::help::HelpPage/> }.into_any(),
            Route::Stats => view! { <crate::hosted::MonitorHost role=shared::users::Role::Operator/> }.into_any(),
        }}
    }
}

fn column_title(status: AppealStatus) -> &'static str {
    if status == AppealStatus::AnsweredByBot {
        s::BOT_COLUMN
    } else {
        status.title()
    }
}

/// The Kanban board: a column per status with its count and first cards.
#[component]
fn Board(region: RwSignal<String>) -> impl IntoView {
    let board = RwSignal::new(Remote::<Vec<Column>>::Loading);
    // A refresh keeps what is shown when it fails; the first load shows the error.
    let load = move |first: bool| {
        let code = region.get_untracked();
        if first {
            board.set(Remote::Loading);
        }
        spawn_local(async move {
            match api::board(code).await {
                Ok(columns) => board.set(Remote::Ready(columns)),
                Err(e) if first => board.set(Remote::Failed(e)),
                Err(_) => {}
            }
        });
    };
    Effect::new(move |_| {
        region.track();
        load(true);
    });
    if let Ok(timer) = set_interval_with_handle(move || load(false), REFRESH) {
        on_cleanup(move || timer.clear());
    }
    let column = |c: Column| {
        let title = column_title(c.status);
        let empty = c
            .items
            .is_empty()
            .then(|| view! { <p class="muted small">{s::BOARD_EMPTY}</p> });
        view! {
            <section class="column" data-status=c.status.as_str() aria-label=title>
                <h2 class="column-title">{title} " " <span class="count">{c.count}</span></h2>
                <ul class="cards">{c.items.iter().map(card).collect_view()}</ul>
                {empty}
            </section>
        }
    };
    move || match board.get() {
        Remote::Loading => view! { <Loading/> }.into_any(),
        Remote::Failed(e) => {
            view! { <ErrorBox message=e.message() on_retry=move |()| load(true)/> }.into_any()
        }
        Remote::Ready(mut columns) => {
            // The operator's own work first; bot answers to grade after it.
            columns.sort_by_key(|c| c.status == AppealStatus::AnsweredByBot);
            view! {
            <div class="board" id="board">{columns.into_iter().map(column).collect_view()}</div>
            }
            .into_any()
        }
    }
}

/// A loaded page of the list with the next cursor.
type Listing = Option<(Vec<Appeal>, Option<String>)>;

/// The same appeals as a list: filtered by status, by one of «непрочитанные / срок сегодня /
/// просрочено / мои / без ответственного», by words or number; newest first or soonest
/// deadline first; «Показать ещё» by cursor; refreshed in the background like the board.
#[component]
pub(crate) fn List(region: RwSignal<String>) -> impl IntoView {
    // The statistics link here with filters (`#/list?show=overdue`, `?status=…&from=…&to=…`,
    // `?assignee=<id>`); the period and the assignee are kept without a control of their own.
    let status = RwSignal::new(crate::route::query("status"));
    let show = RwSignal::new(crate::route::query("show"));
    let linked = StoredValue::new(["from", "to", "assignee"].map(crate::route::query));
    let sort = RwSignal::new(String::new());
    let q = RwSignal::new(String::new());
    let list = RwSignal::new(None as Listing);
    let error = RwSignal::new(None::<ApiError>);
    let filters = move || {
        [
            ("status", status.get_untracked()),
            ("show", show.get_untracked()),
            ("sort", sort.get_untracked()),
            ("q", q.get_untracked()),
            ("from", linked.with_value(|l| l[0].clone())),
            ("to", linked.with_value(|l| l[1].clone())),
            ("assignee", linked.with_value(|l| l[2].clone())),
        ]
    };
    let fetch = move |more: bool| {
        let cursor = if more {
            list.with_untracked(|l| l.as_ref().and_then(|l| l.1.clone()))
        } else {
            list.set(None);
            None
        };
        error.set(None);
        let (filters, code) = (filters(), region.get_untracked());
        spawn_local(async move {
            match api::appeals(filters, code, cursor).await {
                Ok(page) => list.update(|l| {
                    let current = l.get_or_insert_with(Default::default);
                    current.0.extend(page.items);
                    current.1 = page.next_cursor;
                }),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    // In the background: the first page again, kept when it fails, skipped when more
    // pages were opened (they would be lost).
    let refresh = move || {
        if list.with_untracked(|l| l.as_ref().is_some_and(|l| l.0.len() > 20)) {
            return;
        }
        let (filters, code) = (filters(), region.get_untracked());
        spawn_local(async move {
            if let Ok(page) = api::appeals(filters, code, None).await {
                list.set(Some((page.items, page.next_cursor)));
            }
        });
    };
    if let Ok(timer) = set_interval_with_handle(refresh, REFRESH) {
        on_cleanup(move || timer.clear());
    }
    Effect::new(move |_| {
        status.track();
        show.track();
        sort.track();
        q.track();
        region.track();
        fetch(false);
    });
    let choices = |id: &'static str,
                   label: &'static str,
                   target: RwSignal<String>,
                   options: Vec<(&'static str, &'static str)>| {
        let options = options
            .into_iter()
            .map(|(v, t)| view! { <option value=v selected=v == target.get_untracked()>{t}</option> })
            .collect_view();
        view! {
            <div class="field ws-filter">
                <label for=id>{label}</label>
                <select id=id on:change=move |ev| target.set(event_target_value(&ev))>{options}</select>
            </div>
        }
    };
    let statuses = std::iter::once(("", s::ALL_STATUSES))
        .chain(AppealStatus::ALL.iter().map(|st| (st.as_str(), st.title())))
        .collect();
    view! {
        <div class="ws-filters">
            {choices("ws-status", s::STATUS, status, statuses)}
            {choices("ws-show", s::SHOW, show, s::SHOW_CHOICES.to_vec())}
            {choices("ws-sort", s::SORT, sort, s::SORT_CHOICES.to_vec())}
            <div class="field ws-filter">
                <label for="ws-q">{s::SEARCH}</label>
                <input id="ws-q" type="search" enterkeyhint="search"
                    on:change=move |ev| q.set(event_target_value(&ev).trim().to_owned())/>
            </div>
        </div>
        {move || {
            if let Some(e) = error.get() {
                return view! { <ErrorBox message=e.message() on_retry=move |()| fetch(false)/> }.into_any();
            }
            let Some((items, next)) = list.get() else {
                return view! { <Loading/> }.into_any();
            };
            if items.is_empty() {
                return view! { <p class="state">{s::LIST_EMPTY}</p> }.into_any();
            }
            view! {
                <ul class="ws-list" id="appeal-list">{items.iter().map(card).collect_view()}</ul>
                {next.map(|_| view! {
                    <button type="button" class="button secondary" on:click=move |_| fetch(true)>
                        {crate::strings::MORE}
                    </button>
                })}
            }
            .into_any()
        }}
    }
}
