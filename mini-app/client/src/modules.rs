//! Loading the mini-app's other WebAssembly modules on demand: each is one JS file (its boot
//! bundled with its glue) named in `index.html` by `<meta name="<name>-module">`.

use leptos::prelude::document;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// Appends the module script named by `<meta name="<name>-module">` once (its element id is
/// `<name>-module`); `failed` runs when it cannot be added or loaded.
pub fn load_module(name: &str, failed: impl FnOnce() + 'static) {
    let doc = document();
    let id = format!("{name}-module");
    if doc.get_element_by_id(&id).is_some() {
        return;
    }
    let src = doc
        .query_selector(&format!("meta[name=\"{id}\"]"))
        .ok()
        .flatten()
        .and_then(|meta| meta.get_attribute("content"));
    let (Some(src), Ok(script), Some(body)) = (src, doc.create_element("script"), doc.body())
    else {
        failed();
        return;
    };
    let on_error = Closure::once_into_js(failed);
    let added = script.set_attribute("type", "module").is_ok()
        && script.set_attribute("id", &id).is_ok()
        && script.set_attribute("src", &src).is_ok()
        && script
            .add_event_listener_with_callback("error", on_error.unchecked_ref())
            .is_ok()
        && body.append_child(&script).is_ok();
    if !added {
        // Nothing was appended: a later call may try again.
        if let Some(script) = doc.get_element_by_id(&id) {
            script.remove();
        }
    }
}
