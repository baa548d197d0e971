//! The version history of an article under its editor: pick two versions and see what
//! changed, field by field, word by word (removed words struck out, added ones marked).

use leptos::prelude::*;
use mini_app_client::{request, Method};
use shared::kb::ArticleVersion;
use shared::Page;

use crate::api::{load_into, ApiError, Remote};
use crate::strings;
use mini_app_client::html::{esc, options, show, Html};

/// One version as the diff needs it: number, date and the fields as text.
#[derive(Debug, Clone, PartialEq)]
pub struct Version {
    pub number: i64,
    pub created_at: String,
    /// `(field title, text)`, in the editor's order.
    pub fields: Vec<(&'static str, String)>,
}

fn version(v: ArticleVersion) -> Version {
    Version {
        number: i64::from(v.version),
        created_at: v.created_at,
        fields: vec![
            (strings::FIELD_TITLE, v.title),
            (strings::FIELD_QUESTION, v.question),
            (strings::FIELD_VARIANTS, v.variants.join("\n")),
            (strings::FIELD_ANSWER, v.answer),
            (strings::FIELD_LEGAL_REFS, v.legal_refs.join("\n")),
            (strings::FIELD_TAGS, v.tags.join("\n")),
            (strings::FIELD_STATUS, v.status.as_str().to_owned()),
        ],
    }
}

/// `GET /api/v1/kb/articles/{id}/versions`, all of them (oldest first).
async fn versions(id: String) -> Result<Vec<Version>, ApiError> {
    let path = format!(
        "/api/v1/kb/articles/{}/versions?limit=100",
        js_sys::encode_uri_component(&id)
    );
    let page: Page<ArticleVersion> = request(Method::Get, &path, None).await?;
    let mut list: Vec<Version> = page.items.into_iter().map(version).collect();
    list.sort_by_key(|v| v.number);
    Ok(list)
}

/// The words of `old` and `new` as HTML: common words plain, removed ones in `<del>`,
/// added ones in `<ins>` (a longest common subsequence over words; line breaks kept).
#[must_use]
pub fn diff_words(old: &str, new: &str) -> String {
    let split = |t: &str| -> Vec<String> {
        t.split('\n')
            .enumerate()
            .flat_map(|(i, line)| {
                let mut words: Vec<String> = if i > 0 {
                    vec!["\n".to_owned()]
                } else {
                    Vec::new()
                };
                words.extend(line.split_whitespace().map(str::to_owned));
                words
            })
            .collect()
    };
    let (a, b) = (split(old), split(new));
    // lengths[i][j]: the common subsequence of a[i..] and b[j..].
    let mut lengths = vec![vec![0_u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lengths[i][j] = if a[i] == b[j] {
                lengths[i + 1][j + 1] + 1
            } else {
                lengths[i + 1][j].max(lengths[i][j + 1])
            };
        }
    }
    let word = |w: &str, tag: &str| match (w, tag) {
        ("\n", _) => "<br>".to_owned(),
        (w, "") => format!("{} ", esc(w)),
        (w, tag) => format!("<{tag}>{}</{tag}> ", esc(w)),
    };
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push_str(&word(&a[i], ""));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lengths[i + 1][j] >= lengths[i][j + 1]) {
            // Removed words first, then the added ones.
            out.push_str(&word(&a[i], "del"));
            i += 1;
        } else {
            out.push_str(&word(&b[j], "ins"));
            j += 1;
        }
    }
    out.trim_end().to_owned()
}

/// The changed fields of `from` → `to` as HTML.
#[must_use]
pub fn compare(from: &Version, to: &Version) -> String {
    let changed: String = from
        .fields
        .iter()
        .zip(&to.fields)
        .filter(|(a, b)| a.1 != b.1)
        .map(|((title, old), (_, new))| {
            format!(
                "<h3>{title}</h3><p class=\"diff\">{}</p>",
                diff_words(old, new)
            )
        })
        .collect();
    if changed.is_empty() {
        format!("<p class=\"state\">{}</p>", strings::VERSIONS_SAME)
    } else {
        changed
    }
}

/// The history section of the editor.
#[component]
pub fn History(id: String) -> impl IntoView {
    let list = RwSignal::new(None::<Vec<Version>>);
    let from = RwSignal::new(0_i64);
    let to = RwSignal::new(0_i64);
    let shown: Html = RwSignal::new(Remote::Loading);
    load_into(shown, async move {
        let all = versions(id).await?;
        let last = all.last().map_or(0, |v| v.number);
        to.set(last);
        from.set(all.iter().rev().nth(1).map_or(last, |v| v.number));
        list.set(Some(all));
        Ok(String::new())
    });
    let pick = |target: RwSignal<i64>| {
        move |ev: leptos::ev::Event| target.set(event_target_value(&ev).parse().unwrap_or(0))
    };
    let choices = move |selected: i64| {
        let pairs: Vec<(String, String)> = list.with(|l| {
            l.iter()
                .flatten()
                .map(|v| {
                    let date = mini_app_client::words::date_time(&v.created_at);
                    (
                        v.number.to_string(),
                        strings::version_option(v.number, &date),
                    )
                })
                .collect()
        });
        options(&pairs, &selected.to_string())
    };
    let diff = move || {
        list.with(|l| {
            let l = l.as_ref()?;
            let a = l.iter().find(|v| v.number == from.get())?;
            let b = l.iter().find(|v| v.number == to.get())?;
            Some(compare(a, b))
        })
        .unwrap_or_default()
    };
    view! {
        <section class="card" id="history">
            <h2 class="card-title">{strings::HISTORY_TITLE}</h2>
            {show(shown)}
            <div class="ws-filters">
                <div class="field">
                    <label for="history-from">{strings::HISTORY_FROM}</label>
                    <select id="history-from" inner_html=move || choices(from.get()) on:change=pick(from)></select>
                </div>
                <div class="field">
                    <label for="history-to">{strings::HISTORY_TO}</label>
                    <select id="history-to" inner_html=move || choices(to.get()) on:change=pick(to)></select>
                </div>
            </div>
            <div id="history-diff" inner_html=diff></div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::diff_words;

    #[test]
    fn words_removed_and_added_are_marked_and_escaped() {
        assert_eq!(
            diff_words("Журнал ведёт классный руководитель", "Журнал ведёт заместитель директора"),
            "Журнал ведёт <del>классный</del> <del>руководитель</del> <ins>заместитель</ins> <ins>директора</ins>"
        );
        assert_eq!(diff_words("a <b>", "a <b>"), "a &lt;b&gt;");
        assert_eq!(diff_words("", "новый"), "<ins>новый</ins>");
        assert_eq!(
            diff_words("строка\nвторая", "строка\nтретья"),
            "строка <br><del>вторая</del> <ins>третья</ins>"
        );
    }
}
