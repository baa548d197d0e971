//! What every staff reader sees of one appeal: the header (number, status and deadline, «На
//! контроле», the facts), the question, the teacher's files with their sizes, the thread
//! with the internal notes and the ratings. The operator's actions are in [`crate::screen`].

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::appeals::{Appeal, Message};

use staff_app::api;
use staff_app::format::{author, deadline_badge, number, when};
use staff_app::ws_strings as s;

fn who(m: &Message) -> String {
    match m.author_role.as_str() {
        "teacher" => m
            .author_name
            .clone()
            .unwrap_or_else(|| s::ANONYMOUS.to_owned()),
        "bot" => s::WHO_BOT.to_owned(),
        "system" => s::WHO_SYSTEM.to_owned(),
        _ => m
            .author_name
            .clone()
            .unwrap_or_else(|| s::WHO_OPERATOR.to_owned()),
    }
}

fn thread(appeal: &Appeal) -> impl IntoView {
    appeal
        .messages
        .iter()
        .filter(|m| m.kind != "question")
        .map(|m| {
            let note = m.kind == "note";
            let class = match m.author_role.as_str() {
                "teacher" => "msg",
                _ if note => "msg mine note",
                _ => "msg mine",
            };
            view! {
                <li class=class data-kind=m.kind.clone()>
                    <p class="msg-meta">
                        {who(m)} " · " {when(&m.created_at)}
                        {note.then(|| view! { " · " <strong>{s::NOTE_MARK}</strong> })}
                    </p>
                    <p class="text">{m.text.clone()}</p>
                </li>
            }
        })
        .collect_view()
}

/// The header: number, status and deadline, «На контроле», and who asked, where, when and
/// who holds it.
pub fn header(appeal: &Appeal) -> impl IntoView {
    let holder = appeal
        .assignee
        .as_ref()
        .map(|a| a.name.clone().unwrap_or_else(|| s::WHO_OPERATOR.to_owned()));
    view! {
        <h1 id="appeal-number">{s::APPEAL} " " {number(appeal)}</h1>
        <p class="status-line" id="appeal-status">
            <span class="badge">{appeal.status.title()}</span> " " {deadline_badge(appeal)}
        </p>
        {crate::control::notice(appeal)}
        <dl class="facts-inline">
            <dt>{s::REGION}</dt><dd id="appeal-region">{appeal.region.name.clone()} " (" {appeal.region.code.clone()} ")"</dd>
            <dt>{s::TEACHER}</dt><dd id="appeal-author">{author(appeal)}</dd>
            <dt>{s::CREATED}</dt><dd>{when(&appeal.created_at)}</dd>
            <dt>{s::ASSIGNEE}</dt><dd id="appeal-assignee">{holder.unwrap_or_else(|| s::NOBODY.to_owned())}</dd>
        </dl>
    }
}

/// The question, its files, the thread and the ratings.
pub fn thread_part(appeal: &Appeal) -> impl IntoView {
    view! {
        <h2 class="section">{s::QUESTION}</h2>
        <p class="text card" id="appeal-text">{appeal.text.clone()}</p>
        {attachments(appeal)}
        <h2 class="section">{s::THREAD}</h2>
        <ol class="thread" id="thread">{thread(appeal)}</ol>
        {crate::control::ratings(appeal)}
    }
}

/// Everything every staff reader sees: the header, then the question and the thread.
pub fn facts(appeal: &Appeal) -> impl IntoView {
    view! { {header(appeal)} {thread_part(appeal)} }
}

/// A file's size as people read it: bytes under a kilobyte, kilobytes rounded up (never
/// «0 КБ»), megabytes with one decimal.
#[must_use]
pub fn file_size(bytes: i64) -> String {
    const KB: i64 = 1024;
    if bytes < KB {
        format!("{} {}", bytes.max(0), s::BYTES)
    } else if bytes < KB * KB {
        format!("{} {}", (bytes + KB - 1) / KB, s::KILOBYTES)
    } else {
        let tenths = (bytes * 10 + KB * KB / 2) / (KB * KB);
        format!("{},{} {}", tenths / 10, tenths % 10, s::MEGABYTES)
    }
}

/// The teacher's files: fetched with the token and saved (a plain link cannot send it).
fn attachments(appeal: &Appeal) -> Option<impl IntoView> {
    let file_error = RwSignal::new(None::<String>);
    (!appeal.attachments.is_empty()).then(|| {
        let items = appeal
            .attachments
            .iter()
            .map(|f| {
                let path = format!(
                    "/api/v1/appeals/{}/attachments/{}",
                    String::from(js_sys::encode_uri_component(&appeal.id)),
                    String::from(js_sys::encode_uri_component(&f.id))
                );
                let name = f.name.clone();
                let save = move |_| {
                    let (path, name) = (path.clone(), name.clone());
                    file_error.set(None);
                    spawn_local(async move {
                        if let Err(e) = api::download(path, name).await {
                            file_error.set(Some(e.message()));
                        }
                    });
                };
                view! {
                    <li>
                        <button type="button" class="link-button" data-attachment=f.id.clone() on:click=save>
                            {f.name.clone()}
                        </button>
                        " (" {file_size(f.size)} ")"
                    </li>
                }
            })
            .collect_view();
        view! {
            <h2 class="section">{s::ATTACHMENTS}</h2>
            <ul class="refs" id="attachments">{items}</ul>
            <mini_app_client::ErrorLine message=file_error/>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::file_size;

    #[test]
    fn a_small_file_is_never_zero_kilobytes() {
        assert_eq!(file_size(0), "0 Б");
        assert_eq!(file_size(700), "700 Б");
        assert_eq!(file_size(1025), "2 КБ");
        assert_eq!(file_size(1024 * 1024 * 3 / 2), "1,5 МБ");
    }
}
