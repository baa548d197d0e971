//! Beside the thread: «Сейчас открыто также: <имя>» while a colleague has the same appeal
//! open (a heartbeat every few seconds while the screen is shown), and the teacher's
//! school, position, region and earlier appeals as links.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::operator::AppealContext;

use crate::calls;
use staff_app::format::when;
use staff_app::ws_strings as s;

/// The marker of colleagues with the appeal open; the heartbeat stops when the screen goes.
pub fn presence(id: String) -> impl IntoView {
    let names = RwSignal::new(Vec::<String>::new());
    let beat = move |id: String| {
        spawn_local(async move {
            // A failed beat only hides the marker: the screen works without it.
            let list = calls::presence(id)
                .await
                .map(|p| p.viewers)
                .unwrap_or_default();
            let list: Vec<String> = list.into_iter().map(|v| v.name).collect();
            if names.try_get_untracked().is_some_and(|old| old != list) {
                names.set(list);
            }
        });
    };
    beat(id.clone());
    let every = std::time::Duration::from_secs(15);
    if let Ok(timer) = set_interval_with_handle(move || beat(id.clone()), every) {
        on_cleanup(move || timer.clear());
    }
    move || {
        let list = names.get();
        (!list.is_empty()).then(|| {
            view! {
                <p class="notice presence" id="presence" role="status">
                    {s::OPEN_ALSO} " " <strong>{list.join(", ")}</strong>
                </p>
            }
        })
    }
}

fn context_view(c: AppealContext) -> impl IntoView {
    let or_dash = |v: Option<String>| {
        v.filter(|v| !v.is_empty())
            .unwrap_or_else(|| "—".to_owned())
    };
    let region = c.region.map(|r| format!("{} ({})", r.name, r.code));
    let earlier = if c.earlier.is_empty() {
        view! { <p class="muted">{s::NO_EARLIER}</p> }.into_any()
    } else {
        let items = c
            .earlier
            .into_iter()
            .map(|a| {
                let href = format!("#/appeal/{}", a.id);
                view! {
                    <li>
                        <a href=href>{s::NUMBER} {a.number}</a>
                        " · " {a.status.title()} " · " {when(&a.created_at)}
                        <br/><span class="muted">{a.excerpt}</span>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="refs" id="earlier-appeals">{items}</ul> }.into_any()
    };
    view! {
        <dl class="facts-inline">
            <dt>{s::SCHOOL}</dt><dd id="teacher-school">{or_dash(c.school)}</dd>
            <dt>{s::POSITION}</dt><dd id="teacher-position">{or_dash(c.position)}</dd>
            <dt>{s::REGION}</dt><dd id="teacher-region">{or_dash(region)}</dd>
        </dl>
        <h3 class="section">{s::EARLIER}</h3>
        {earlier}
    }
}

/// Fetches the teacher's context once per screen (left empty when it fails: the panel then
/// shows only its title).
pub fn load(id: String) -> RwSignal<Option<AppealContext>> {
    let loaded = RwSignal::new(None::<AppealContext>);
    spawn_local(async move {
        if let Ok(c) = calls::context(id).await {
            loaded.set(Some(c));
        }
    });
    loaded
}

/// The panel beside the thread.
pub fn context(loaded: RwSignal<Option<AppealContext>>) -> impl IntoView {
    view! {
        <aside class="card appeal-side" id="teacher-context" aria-label=s::ABOUT_TEACHER>
            <h2 class="card-title">{s::ABOUT_TEACHER}</h2>
            {move || loaded.get().map(context_view)}
        </aside>
    }
}
