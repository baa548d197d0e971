//! The MAX bridge: bindings to `window.WebApp`, which MAX's script
//! (`https://st.max.ru/js/max-web-app.js`, loaded async by `index.html`) defines inside the
//! messenger. Every call is a no-op outside MAX, and every call is guarded: a bridge without
//! some method (an older MAX) is not an error.
//!
//! The bridge may arrive after the module started; the back button and `ready()` are applied
//! again when the bridge script's `load` event fires.

use std::cell::RefCell;

use leptos::prelude::{document, window};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

#[wasm_bindgen]
extern "C" {
    /// `window.WebApp`.
    #[derive(Clone)]
    type WebApp;
    #[wasm_bindgen(method, getter, js_name = initData)]
    fn init_data(this: &WebApp) -> JsValue;
    #[wasm_bindgen(method, getter, js_name = initDataUnsafe)]
    fn init_data_unsafe(this: &WebApp) -> JsValue;
    #[wasm_bindgen(method, getter, js_name = BackButton)]
    fn back_button(this: &WebApp) -> JsValue;
    #[wasm_bindgen(method, getter, js_name = HapticFeedback)]
    fn haptic_feedback(this: &WebApp) -> JsValue;
    #[wasm_bindgen(method, catch)]
    fn ready(this: &WebApp) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    fn close(this: &WebApp) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch, js_name = openLink)]
    fn open_link(this: &WebApp, url: &str) -> Result<(), JsValue>;

    /// `WebApp.BackButton`.
    type BackButton;
    #[wasm_bindgen(method, catch)]
    fn show(this: &BackButton) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    fn hide(this: &BackButton) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch, js_name = onClick)]
    fn on_click(this: &BackButton, handler: &js_sys::Function) -> Result<(), JsValue>;

    /// `WebApp.HapticFeedback`.
    type Haptics;
    #[wasm_bindgen(method, catch, js_name = impactOccurred)]
    fn impact_occurred(this: &Haptics, style: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch, js_name = notificationOccurred)]
    fn notification_occurred(this: &Haptics, kind: &str) -> Result<(), JsValue>;
}

/// The bridge object when the page runs inside MAX.
fn web_app() -> Option<WebApp> {
    let value = js_sys::Reflect::get(&window(), &JsValue::from_str("WebApp")).ok()?;
    value.is_object().then(|| value.unchecked_into())
}

fn object<T: JsCast>(value: JsValue) -> Option<T> {
    value.is_object().then(|| value.unchecked_into())
}

/// What the page was launched with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Launch {
    /// The launch-data string to sign in with (`WebApp.initData` or `#WebAppData=`).
    pub init_data: Option<String>,
    /// `start_param` of a deep link, e.g. `appeal-42`.
    pub start_param: Option<String>,
}

impl Launch {
    /// True when the page runs inside MAX (the bridge is there or launch data came).
    #[must_use]
    pub fn in_max(&self) -> bool {
        self.init_data.is_some() || web_app().is_some()
    }
}

/// Reads the launch data once at start: from `window.WebApp` when present, otherwise from the
/// URL fragment (`#WebAppData=<percent-encoded>&…`, as MAX passes it). A fragment carrying
/// launch data is removed from the address, so the router never sees it.
#[must_use]
pub fn launch() -> Launch {
    let from_bridge = web_app().and_then(|app| {
        let init_data = app.init_data().as_string().filter(|s| !s.is_empty())?;
        let start_param = js_sys::Reflect::get(&app.init_data_unsafe(), &"start_param".into())
            .ok()
            .and_then(|v| v.as_string());
        Some((init_data, start_param))
    });
    let fragment = fragment_launch_data();
    if fragment.is_some() {
        let location = window().location();
        let path = location.pathname().unwrap_or_default() + &location.search().unwrap_or_default();
        if let Ok(history) = window().history() {
            // Keeps the launch data out of the address bar and out of the router.
            let _ignored = history.replace_state_with_url(&JsValue::NULL, "", Some(&path));
        }
    }
    let (init_data, start_param) = match from_bridge {
        Some((data, param)) => (Some(data), param),
        None => (fragment, None),
    };
    let start_param = start_param
        .filter(|p| !p.is_empty())
        .or_else(|| init_data.as_deref().and_then(|d| field(d, "start_param")));
    Launch {
        init_data,
        start_param,
    }
}

fn fragment_launch_data() -> Option<String> {
    let hash = window().location().hash().ok()?;
    let raw = hash
        .trim_start_matches('#')
        .split('&')
        .find_map(|pair| pair.strip_prefix("WebAppData="))?;
    let decoded = js_sys::decode_uri_component(raw)
        .ok()
        .map_or_else(|| raw.to_owned(), String::from);
    Some(decoded).filter(|s| !s.is_empty())
}

/// One field of a `key=value&…` launch-data string, percent-decoded.
fn field(data: &str, key: &str) -> Option<String> {
    data.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| {
            js_sys::decode_uri_component(v)
                .ok()
                .map_or_else(|| v.to_owned(), String::from)
        })
    })
}

struct Back {
    visible: bool,
    handler: Option<js_sys::Function>,
    registered: bool,
    ready: bool,
}

thread_local! {
    static STATE: RefCell<Back> = const {
        RefCell::new(Back { visible: false, handler: None, registered: false, ready: false })
    };
}

/// Tells MAX the app is ready to be shown (now, or when the bridge arrives).
pub fn ready() {
    STATE.with(|s| s.borrow_mut().ready = true);
    apply();
}

/// Calls `on_back` when MAX's back button is pressed.
pub fn on_back(on_back: impl Fn() + 'static) {
    let closure = Closure::<dyn Fn()>::new(on_back);
    let handler: js_sys::Function = closure.into_js_value().unchecked_into();
    STATE.with(|s| {
        let mut state = s.borrow_mut();
        state.handler = Some(handler);
        state.registered = false;
    });
    apply();
}

/// Shows or hides MAX's back button.
pub fn show_back(visible: bool) {
    STATE.with(|s| s.borrow_mut().visible = visible);
    apply();
}

/// Applies the wanted state to the bridge, if it is there yet.
fn apply() {
    let Some(app) = web_app() else {
        return;
    };
    STATE.with(|s| {
        let mut state = s.borrow_mut();
        if state.ready {
            state.ready = false;
            let _ignored = app.ready();
        }
        let Some(button) = object::<BackButton>(app.back_button()) else {
            return;
        };
        if !state.registered {
            if let Some(handler) = &state.handler {
                state.registered = button.on_click(handler).is_ok();
            }
        }
        let _ignored = if state.visible {
            button.show()
        } else {
            button.hide()
        };
    });
}

/// Applies the state again once MAX's async bridge script has loaded.
pub fn watch_bridge() {
    if let Some(script) = document().get_element_by_id("max-bridge") {
        let closure = Closure::<dyn Fn()>::new(apply);
        // Lives as long as the page.
        let _ignored =
            script.add_event_listener_with_callback("load", closure.as_ref().unchecked_ref());
        closure.forget();
    }
}

fn haptics() -> Option<Haptics> {
    object(web_app()?.haptic_feedback())
}

/// A light tap feedback (`impactOccurred("light")`).
pub fn tap() {
    if let Some(h) = haptics() {
        let _ignored = h.impact_occurred("light");
    }
}

/// Success or error feedback (`notificationOccurred("success" | "error")`).
pub fn notify(success: bool) {
    if let Some(h) = haptics() {
        let _ignored = h.notification_occurred(if success { "success" } else { "error" });
    }
}

/// Closes the mini-app inside MAX; does nothing in a browser.
pub fn close() {
    if let Some(app) = web_app() {
        let _ignored = app.close();
    }
}

/// Opens an external link: through MAX inside the messenger, a new tab elsewhere.
pub fn open_link(url: &str) {
    match web_app() {
        Some(app) => {
            let _ignored = app.open_link(url);
        }
        None => {
            let _ignored = window().open_with_url_and_target(url, "_blank");
        }
    }
}
