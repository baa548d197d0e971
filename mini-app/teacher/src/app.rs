//! The root component: signs in (by itself inside MAX), keeps the signed-in user, and shows
//! the page of the current route — or hands the page over to the staff module.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::users::{Me, VerificationStatus};
use shared::Region;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use crate::api::{self, load_into, session, ApiError, Remote};
use crate::components::{ErrorBox, Loading};
use crate::max::{self, Launch};
use crate::more;
use crate::pages::{resend_pending, AskState};
use crate::pages::{AskPage, HomePage, NotFoundPage, RegionPage, RegionsPage, SignedOutMax};
use crate::router::{self, use_route, Route};
use crate::strings;
use mini_app_client::modules::load_module;
use mini_app_client::StaleBanner;

/// Where the app stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Checking the stored session or signing in with MAX launch data.
    Starting,
    /// Signing in failed (no connection, refused launch data): retry.
    Failed(ApiError),
    /// No session, with an optional notice. Inside MAX: «Войти снова»; in a browser the
    /// staff module takes over with the staff (and demo) sign-in.
    SignedOut(Option<&'static str>),
    /// A teacher: the teacher screens.
    Teacher,
    /// A staff member: the staff module is loading or has taken over the page.
    Staff,
    /// The staff module could not be loaded.
    StaffFailed,
}

/// App-wide state, provided as context.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    pub phase: RwSignal<Phase>,
    /// The signed-in user's profile.
    pub me: RwSignal<Option<Me>>,
    /// The regions (forms and the reference pages need them).
    pub regions: RwSignal<Remote<Vec<Region>>>,
    /// The question being asked and its outcome (kept while moving between screens).
    pub ask: RwSignal<AskState>,
    /// True inside MAX.
    pub in_max: bool,
    launch: StoredValue<Launch>,
}

/// The app's context (always provided by [`App`]).
#[must_use]
pub fn ctx() -> Ctx {
    expect_context::<Ctx>()
}

impl Ctx {
    /// Signs in from the start: with MAX launch data (falling back to the stored session when
    /// the launch data is refused), or with the stored session.
    pub fn start(self) {
        self.phase.set(Phase::Starting);
        let init_data = self.launch.with_value(|l| l.init_data.clone());
        spawn_local(async move {
            if let Some(data) = init_data {
                match api::sign_in_max(data).await {
                    Ok(()) => {}
                    // Launch data older than the server's window (the page was reloaded long
                    // after MAX opened it): the session kept from earlier still works.
                    Err(error) if error.status() == Some(401) && session::is_signed_in() => {}
                    Err(error) => {
                        self.phase.set(Phase::Failed(error));
                        return;
                    }
                }
            } else if !session::is_signed_in() {
                self.phase.set(Phase::SignedOut(None));
                return;
            }
            self.load_me().await;
        });
    }

    /// Fetches the profile after a sign-in and opens the matching screens.
    pub async fn load_me(self) {
        match api::me().await {
            Ok(me) => self.enter(me),
            Err(error) if error.status() == Some(401) => {
                session::clear();
                if !matches!(self.phase.get_untracked(), Phase::SignedOut(_)) {
                    self.signed_out(None);
                }
            }
            Err(error) => self.phase.set(Phase::Failed(error)),
        }
    }

    /// Opens the teacher screens, or hands a staff member over to the staff module.
    pub fn enter(self, me: Me) {
        let staff = me.role.is_staff();
        let verified = me.verification.status == VerificationStatus::Verified;
        self.me.set(Some(me));
        // A question whose sending was not confirmed goes again, with the same key.
        if !staff && verified && self.ask.get_untracked() == AskState::Idle {
            resend_pending(self);
        }
        // A staff member: the effect in `App` loads the staff module.
        self.phase
            .set(if staff { Phase::Staff } else { Phase::Teacher });
    }

    /// Drops the user and shows the sign-in with `notice`.
    pub fn signed_out(self, notice: Option<&'static str>) {
        session::clear();
        self.me.set(None);
        self.phase.set(Phase::SignedOut(notice));
    }

    /// Loads the regions (again).
    pub fn reload_regions(self) {
        load_into(self.regions, api::regions());
    }

    /// The context of the second module (`mini-app/more`), which signs in by the stored
    /// session alone and never asks a question itself.
    #[must_use]
    pub fn detached() -> Self {
        Self {
            phase: RwSignal::new(Phase::Starting),
            me: RwSignal::new(None),
            regions: RwSignal::new(Remote::Loading),
            ask: RwSignal::new(AskState::Idle),
            in_max: false,
            launch: StoredValue::new(Launch::default()),
        }
    }
}

/// Appends the staff module's script (its hashed name is in
/// `<meta name="staff-module" content="/assets/staff-<hash>.js">`); the module then mounts
/// itself into `#staff` (created here, carrying `notice` for its sign-in screen in
/// `data-notice`) and hides the teacher app.
fn load_staff_module(ctx: Ctx, notice: Option<&'static str>) {
    let doc = document();
    if doc.get_element_by_id("staff-module").is_some() {
        return;
    }
    if let (Ok(root), Some(body)) = (doc.create_element("div"), doc.body()) {
        root.set_id("staff");
        if let Some(notice) = notice {
            let _ignored = root.set_attribute("data-notice", notice);
        }
        let _ignored = body.append_child(&root);
    }
    load_module("staff", move || ctx.phase.set(Phase::StaffFailed));
}

/// Reads the MAX launch data, replaces the placeholder inside `#app` (the static skeleton
/// of `index.html`) with the app, and tells MAX the app is ready. Without `#app` (a broken
/// page) it does nothing.
pub fn mount() {
    let launch = max::launch();
    if let Some(route) = launch
        .start_param
        .as_deref()
        .and_then(Route::from_start_param)
    {
        if let Ok(history) = window().history() {
            let _ignored = history.replace_state_with_url(
                &wasm_bindgen::JsValue::NULL,
                "",
                Some(&route.href()),
            );
        }
    }
    let Some(root) = document().get_element_by_id("app") else {
        return;
    };
    let Ok(root) = root.dyn_into::<HtmlElement>() else {
        return;
    };
    root.set_inner_html("");
    leptos::mount::mount_to(root, move || view! { <App launch/> }).forget();
    max::watch_bridge();
    max::ready();
}

/// Holds the app-wide state and shows the page of the current phase and route.
#[component]
pub fn App(launch: Launch) -> impl IntoView {
    let route = use_route();
    let ctx = Ctx {
        phase: RwSignal::new(Phase::Starting),
        me: RwSignal::new(None),
        regions: RwSignal::new(Remote::Loading),
        ask: RwSignal::new(AskState::Idle),
        in_max: launch.in_max(),
        launch: StoredValue::new(launch),
    };
    provide_context(ctx);
    session::on_event(move |event| match event {
        session::Event::Expired => ctx.signed_out(Some(strings::SESSION_ENDED)),
        // Only staff tokens can lack the second factor: the staff module enrols it.
        session::Event::TotpRequired => ctx.phase.set(Phase::Staff),
    });
    ctx.reload_regions();
    // An invitation link is the staff module's, whoever this browser has signed in.
    if route.get_untracked().for_staff_module() {
        ctx.phase.set(Phase::Staff);
    } else {
        ctx.start();
    }

    max::on_back(move || {
        if let Some(parent) = route.get_untracked().parent() {
            router::go(&parent);
        }
    });
    // Changes only when consent is given, so saving the profile does not rebuild the page.
    let consented = Memo::new(move |_| {
        ctx.me
            .with(|me| me.as_ref().is_some_and(|m| m.consent_version.is_some()))
    });
    more::host(ctx, route, consented);
    // Outside MAX the sign-in screens are the staff module's (staff sign in there; the demo
    // sign-in too), and so is an invitation link anywhere. The reference pages stay
    // readable without it.
    Effect::new(move |_| {
        let phase = ctx.phase.get();
        let route = route.get();
        if route.for_staff_module() {
            load_staff_module(ctx, None);
            return;
        }
        let reference = matches!(route, Route::Regions | Route::Region(_));
        match phase {
            Phase::SignedOut(notice) if !ctx.in_max && !reference => load_staff_module(ctx, notice),
            Phase::Staff => load_staff_module(ctx, None),
            _ => {}
        }
    });
    Effect::new(move |_| {
        max::show_back(
            ctx.phase.get() == Phase::Teacher && consented.get() && route.get() != Route::Home,
        );
    });

    let reload = move || ctx.reload_regions();
    let page = move || {
        let route = route.get();
        // The reference pages need no sign-in.
        match route {
            Route::Regions => {
                return view! { <RegionsPage regions=ctx.regions reload/> }.into_any()
            }
            Route::Region(code) => {
                return view! { <RegionPage regions=ctx.regions reload code/> }.into_any()
            }
            _ => {}
        }
        match ctx.phase.get() {
            Phase::Starting => view! { <Loading text=strings::SIGNING_IN/> }.into_any(),
            Phase::Failed(error) => {
                let message = if ctx.in_max && error.status() == Some(401) {
                    strings::MAX_SIGN_IN_FAILED.to_owned()
                } else {
                    error.message()
                };
                view! { <ErrorBox message on_retry=move |()| ctx.start()/> }.into_any()
            }
            Phase::SignedOut(notice) if ctx.in_max => view! { <SignedOutMax notice/> }.into_any(),
            // The staff module brings the sign-in of a plain browser.
            Phase::SignedOut(_) => view! { <Loading/> }.into_any(),
            Phase::Staff => view! { <Loading text=strings::STAFF_LOADING/> }.into_any(),
            Phase::StaffFailed => view! {
                <ErrorBox
                    message=strings::STAFF_FAILED.to_owned()
                    on_retry=move |()| {
                        let _ignored = window().location().reload();
                    }
                />
            }
            .into_any(),
            Phase::Teacher => teacher_page(consented.get(), &route),
        }
    };
    view! {
        <StaleBanner/>
        {page}
    }
}

fn teacher_page(consented: bool, route: &Route) -> AnyView {
    // The first sign-in's consent and profile are the second module's too: once per
    // teacher, so they do not weigh on every day's first load.
    if !consented {
        return more::placeholder();
    }
    match route {
        Route::Home => view! { <HomePage/> }.into_any(),
        Route::Ask => view! { <AskPage/> }.into_any(),
        Route::Profile
        | Route::Appeals
        | Route::Appeal(_)
        | Route::Answers
        | Route::Article(_)
        | Route::Verification => more::placeholder(),
        Route::Regions | Route::Region(_) | Route::Invite(_) | Route::NotFound => {
            view! { <NotFoundPage/> }.into_any()
        }
    }
}
