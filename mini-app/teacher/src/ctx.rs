//! The app-wide state as context: where the app stands ([`Phase`]), the signed-in user, the
//! regions and the question being asked, with the sign-in steps. Shared by the first load's
//! pages and the second module (`mini-app/more`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::appeals::Appeal;
use shared::users::{Me, VerificationStatus};
use shared::Region;

use crate::api::{self, load_into, session, ApiError, Remote};
use crate::max::Launch;

/// Where the question stands; kept in the app's context so leaving the screen keeps it.
#[derive(Debug, Clone, PartialEq)]
pub enum AskState {
    /// The form.
    Idle,
    /// On its way.
    Sending,
    /// No answer (network, server trouble): the draft and its key are kept for a retry.
    Failed(ApiError),
    /// Refused for good (the text, not verified): shown next to the form.
    Rejected(ApiError),
    /// Accepted: the appeal as created.
    Sent(Box<Appeal>),
    /// Closed right here («Помогло», a suggestion accepted): a thank-you.
    Done(&'static str),
}

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
    /// Sends again a question whose sending was not confirmed (the ask page's
    /// `resend_pending`, handed in by the app so this module needs no page).
    resend: fn(Self),
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
            (self.resend)(self);
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

    /// The app's context at the start: `launch` is MAX's launch data, `resend` sends a
    /// pending question again after a sign-in.
    #[must_use]
    pub fn new(launch: Launch, resend: fn(Self)) -> Self {
        Self {
            phase: RwSignal::new(Phase::Starting),
            me: RwSignal::new(None),
            regions: RwSignal::new(Remote::Loading),
            ask: RwSignal::new(AskState::Idle),
            in_max: launch.in_max(),
            launch: StoredValue::new(launch),
            resend,
        }
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
            resend: |_| {},
        }
    }
}
