//! The start of a module the staff module fetches for some roles (`mini-app/supervisor`,
//! `mini-app/admin`, `mini-app/monitor`, `mini-app/appeal`): each links this crate without
//! its entry point and draws into an element its host leaves with the role in `data-role` —
//! `#supervisor` ([`crate::app`]), `#monitor` ([`ModuleHost`], the statistics screens of the
//! leadership's tabs and the operators' «Моя статистика») or `#appeal-screen`
//! ([`AppealHost`], one appeal, with its id in `data-id` and the staff member's in `data-me`).

use std::any::Any;
use std::cell::RefCell;

use leptos::prelude::*;
use mini_app_client::{load_into, session, ErrorBox, Loading, Remote};
use shared::users::Role;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use crate::regions::Regions;
use crate::strings;

thread_local! {
    /// The module's mounted screen: dropped (unmounted, its timers and listeners cleaned up)
    /// when the host asks the module to mount again into a new element.
    static MOUNTED: RefCell<Option<Box<dyn Any>>> = const { RefCell::new(None) };
}

/// Mounts `screen` into `#supervisor` when its role is one of `roles`, and leaves `global`
/// behind on `window` to mount again after a sign-out and another sign-in on the same page.
pub fn start(global: &'static str, roles: &'static [Role], screen: fn(Role, Regions) -> AnyView) {
    start_in("supervisor", global, roles, screen);
}

/// [`start`] into the element with the id `root`.
pub fn start_in(
    root: &'static str,
    global: &'static str,
    roles: &'static [Role],
    screen: fn(Role, Regions) -> AnyView,
) {
    // The «Нет связи» flag is created here, outside every root: created under the first
    // mount's root it would be disposed with it when the module mounts again.
    let _stale = mini_app_client::offline::stale();
    let mount = move || mount(root, roles, screen);
    mount();
    let again = Closure::<dyn Fn()>::new(mount).into_js_value();
    let _ignored = js_sys::Reflect::set(&js_sys::global(), &global.into(), &again);
}

fn mount(root: &str, roles: &'static [Role], screen: fn(Role, Regions) -> AnyView) {
    let Some(root) = document()
        .get_element_by_id(root)
        .and_then(|el| el.dyn_into::<HtmlElement>().ok())
    else {
        return;
    };
    let named = root.get_attribute("data-role");
    let Some(role) = roles
        .iter()
        .copied()
        .find(|r| named.as_deref() == Some(r.as_str()))
    else {
        return;
    };
    // The previous screen (its element left the page) stops before the next one starts.
    MOUNTED.with(|m| drop(m.borrow_mut().take()));
    root.set_inner_html("");
    let handle = leptos::mount::mount_to(root, move || {
        // The staff module owns the session: when it ends here, it starts over.
        session::on_event(|_| {
            let _ignored = window().location().reload();
        });
        let regions = RwSignal::new(Remote::Loading);
        load_into(regions, mini_app_client::endpoints::regions());
        view! {
            <mini_app_client::StaleBanner/>
            {screen(role, regions)}
        }
    });
    MOUNTED.with(|m| *m.borrow_mut() = Some(Box::new(handle)));
}

/// The global function the statistics module leaves behind to mount itself again.
pub const MONITOR_MOUNT: &str = "__pomoshnikMountMonitor";

/// The element a hosted module draws into (`root`, with the role in `data-role`): loads the
/// module named by `<meta name="<module>-module">`, or asks the loaded one (its `global`
/// function) to mount again.
#[component]
pub fn ModuleHost(
    root: &'static str,
    module: &'static str,
    global: &'static str,
    role: Role,
    /// `data-id` for the module (the appeal's id).
    #[prop(optional)]
    id: Option<String>,
    /// `data-me` for the module (the staff member's id).
    #[prop(optional)]
    me: Option<String>,
    /// The notice when the module cannot be fetched (the supervisor's section's by default).
    #[prop(optional)]
    failed_text: Option<&'static str>,
) -> impl IntoView {
    let failed_text = failed_text.unwrap_or(strings::SUPERVISOR_FAILED);
    let failed = RwSignal::new(false);
    request_animation_frame(move || {
        let again = js_sys::Reflect::get(&js_sys::global(), &global.into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        match again {
            Some(mount) => {
                let _ignored = mount.call0(&wasm_bindgen::JsValue::NULL);
            }
            None => mini_app_client::modules::load_module(module, move || failed.set(true)),
        }
    });
    view! {
        <div id=root data-role=role.as_str() data-id=id data-me=me>
            {move || if failed.get() {
                view! { <ErrorBox message=failed_text.to_owned() on_retry=move |()| crate::ctx::reload()/> }.into_any()
            } else {
                view! { <Loading/> }.into_any()
            }}
        </div>
    }
}

/// The operators' tab of their own figures.
pub const MY_STATS: &str = "Моя статистика";

/// The statistics screens (`mini-app/monitor`) for `role`, in `#monitor`.
#[component]
pub fn MonitorHost(role: Role) -> impl IntoView {
    view! { <ModuleHost root="monitor" module="monitor" global=MONITOR_MOUNT role/> }
}

/// The global function the appeal module leaves behind to mount itself again.
pub const APPEAL_MOUNT: &str = "__pomoshnikMountAppeal";

/// The global function the staff module leaves for the appeal module: the appeal left the
/// operator's queue (transferred to another region), the list shows [`crate::ws_strings::TRANSFERRED`].
const APPEAL_TRANSFERRED: &str = "__pomoshnikAppealTransferred";

thread_local! {
    /// The receiver of [`appeal_transferred`] of the screen shown: replaced (the previous one
    /// dropped) by the next [`AppealHost`].
    static TRANSFERRED: RefCell<Option<Closure<dyn Fn()>>> = const { RefCell::new(None) };
}

/// Called by the appeal module (its own copy of this crate) when the appeal it shows was
/// transferred: the staff module's list shows the notice once it is back.
pub fn appeal_transferred() {
    let notify = js_sys::Reflect::get(&js_sys::global(), &APPEAL_TRANSFERRED.into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    if let Some(notify) = notify {
        let _ignored = notify.call0(&wasm_bindgen::JsValue::NULL);
    }
}

/// One appeal (`mini-app/appeal`, fetched the first time an appeal opens) in
/// `#appeal-screen`: read-only with «На контроль» for the leadership, the operator's screen
/// otherwise. `notice` is the list's, shown after a transfer.
#[component]
pub fn AppealHost(
    id: String,
    me_id: String,
    role: Role,
    notice: RwSignal<Option<&'static str>>,
) -> impl IntoView {
    let on_transfer = Closure::<dyn Fn()>::new(move || {
        notice.set(Some(crate::ws_strings::TRANSFERRED));
    });
    let _ignored = js_sys::Reflect::set(
        &js_sys::global(),
        &APPEAL_TRANSFERRED.into(),
        on_transfer.as_ref(),
    );
    TRANSFERRED.with(|t| *t.borrow_mut() = Some(on_transfer));
    view! {
        <ModuleHost root="appeal-screen" module="appeal" global=APPEAL_MOUNT role id
            me=me_id failed_text=strings::APPEAL_FAILED/>
    }
}
