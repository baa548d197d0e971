//! The HTML-text toolkit of the staff, supervisor and administration screens: read-only
//! content (tables, tiles, the chart, the calendar, lists) is built as escaped HTML text as
//! soon as it arrives instead of as views, and only that text is kept. One element and one
//! signal type for all of it keeps the modules small.

use leptos::prelude::*;

use crate::remote::Remote;
use crate::strings;

/// Text made safe to put into HTML.
#[must_use]
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// HTML being fetched: the escaped text of a read-only part of a screen.
pub type Html = RwSignal<Remote<String>>;

/// A new [`Html`], loading.
#[must_use]
pub fn html() -> Html {
    RwSignal::new(Remote::Loading)
}

/// Loading, the server's error, or the loaded HTML.
pub fn show(data: Html) -> impl IntoView {
    view! {
        <div inner_html=move || data.with(|d| match d {
            Remote::Loading => format!("<p class=\"state loading\" role=\"status\">{}</p>", strings::LOADING),
            Remote::Failed(e) => format!("<p class=\"state error\" role=\"alert\">{}</p>", esc(&e.message())),
            Remote::Ready(html) => html.clone(),
        })></div>
    }
}

/// `<option>`s of `(value, text)` pairs as HTML, `selected` marked.
#[must_use]
pub fn options(pairs: &[(String, String)], selected: &str) -> String {
    pairs
        .iter()
        .map(|(v, t)| {
            let mark = if v == selected { " selected" } else { "" };
            format!("<option value=\"{}\"{mark}>{}</option>", esc(v), esc(t))
        })
        .collect()
}

/// The `data-<attr>` of the element clicked (or its closest ancestor having it).
#[must_use]
pub fn clicked(ev: &leptos::ev::MouseEvent, attr: &str) -> Option<String> {
    use wasm_bindgen::JsCast;
    ev.target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest(&format!("[data-{attr}]"))
        .ok()??
        .get_attribute(&format!("data-{attr}"))
}

/// Hides the list item around the clicked element (after its action succeeded).
pub fn hide_item(target: Option<web_sys::EventTarget>) {
    use wasm_bindgen::JsCast;
    if let Some(li) = target
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|e| e.closest("li").ok().flatten())
    {
        let _ignored = li.set_attribute("hidden", "");
    }
}

/// A table of text cells as HTML. With `sort`, the headings are buttons carrying
/// `data-col`: [`sortable`] turns their clicks into the sort signal.
#[must_use]
pub fn table(
    id: &str,
    caption: &str,
    heads: &[&str],
    rows: &[Vec<String>],
    sort: Option<i32>,
) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| row.iter().map(|cell| esc(cell)).collect())
        .collect();
    table_html(id, caption, heads, &rows, sort)
}

/// A link as HTML: `text` escaped, `href` a fragment the caller built (escaped too).
#[must_use]
pub fn link(href: &str, text: &str) -> String {
    format!("<a href=\"{}\">{}</a>", esc(href), esc(text))
}

/// [`table`] of cells that are HTML already (escaped text, [`link`]s).
#[must_use]
pub fn table_html(
    id: &str,
    caption: &str,
    heads: &[&str],
    rows: &[Vec<String>],
    sort: Option<i32>,
) -> String {
    let mut html = format!(
        "<div class=\"table-wrap\" tabindex=\"0\"><table id=\"{id}\" class=\"data\"><caption>{caption}</caption><thead><tr>"
    );
    for (i, head) in heads.iter().enumerate() {
        match sort {
            Some(sort) => {
                let state = match (sort / 2 == i32::try_from(i).unwrap_or(0), sort % 2 == 1) {
                    (true, true) => "descending",
                    (true, false) => "ascending",
                    _ => "none",
                };
                html.push_str(&format!(
                    "<th scope=\"col\" aria-sort=\"{state}\"><button type=\"button\" class=\"sort\" data-col=\"{i}\">{head}</button></th>"
                ));
            }
            None => html.push_str(&format!("<th scope=\"col\">{head}</th>")),
        }
    }
    html.push_str("</tr></thead><tbody>");
    for row in rows {
        html.push_str("<tr>");
        for cell in row {
            html.push_str(&format!("<td>{cell}</td>"));
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table></div>");
    if rows.is_empty() {
        html.push_str(&format!("<p class=\"state\">{}</p>", strings::NO_DATA));
    }
    html
}

/// A click handler for a [`table`] with sort buttons: `sort` is `column * 2 + 1` for a
/// descending order, `column * 2` for an ascending one. A click sorts by that column (largest
/// first), a second click on it reverses the order.
pub fn sortable(sort: RwSignal<i32>) -> impl Fn(leptos::ev::MouseEvent) {
    move |ev| {
        if let Some(i) = clicked(&ev, "col").and_then(|c| c.parse::<i32>().ok()) {
            sort.update(|s| *s = if *s == i * 2 + 1 { i * 2 } else { i * 2 + 1 });
        }
    }
}

/// A figure as text: with one decimal after a comma («4,3») or whole. Integer arithmetic
/// only: float formatting would add kilobytes to every module that called it.
#[must_use]
#[allow(clippy::cast_possible_truncation)] // figures are small and non-negative
pub fn number(v: f64, tenths: bool) -> String {
    if tenths {
        let n = (v * 10.0).round() as i64;
        format!("{},{}", n / 10, n % 10)
    } else {
        (v.round() as i64).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn marks_the_selected_option() {
        let pairs = [
            ("1".to_owned(), "один".to_owned()),
            ("2".to_owned(), "два".to_owned()),
        ];
        assert_eq!(
            options(&pairs, "2"),
            "<option value=\"1\">один</option><option value=\"2\" selected>два</option>"
        );
    }
}
