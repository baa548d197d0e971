//! The staff module's state as context: which screen shows (sign-in, second-factor
//! enrolment, the password change, an invitation, the staff screens) and the regions, with
//! the transitions after a sign-in and a sign-out.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::users::Me;

use crate::api::{self, session, ApiError};
use crate::regions::Regions;

/// What the module shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    Loading,
    Failed(ApiError),
    /// The sign-in, with an optional notice on top.
    Login(Option<String>),
    /// A staff member signed in with a password only: enrol the second factor.
    Enrol,
    /// Signed in with a one-time password: replace it first.
    Password,
    /// The link of an invitation letter (`#/invite/<token>`): set the own password.
    Invite(String),
    /// The staff screens.
    Staff(Box<Me>),
}

/// Module-wide state, provided as context.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    pub screen: RwSignal<Screen>,
    pub regions: Regions,
}

/// The module's context (always provided by [`StaffApp`]).
#[must_use]
pub fn ctx() -> Ctx {
    expect_context::<Ctx>()
}

impl Ctx {
    /// Loads the profile after a sign-in and opens the matching screen; a teacher (the demo
    /// sign-in) goes back to the teacher app.
    pub fn after_sign_in(self) {
        self.screen.set(Screen::Loading);
        spawn_local(async move {
            let screen = match api::me().await {
                Ok(me) if !me.role.is_staff() => {
                    reload();
                    return;
                }
                Ok(me) if me.must_change_password => Screen::Password,
                Ok(me) if !me.totp_enabled && session::method().as_deref() == Some("pwd") => {
                    Screen::Enrol
                }
                Ok(me) => Screen::Staff(Box::new(me)),
                Err(error) if error.status() == Some(401) => Screen::Login(None),
                Err(error) => Screen::Failed(error),
            };
            self.screen.set(screen);
        });
    }

    /// Forgets the session and shows the sign-in with `notice`.
    pub fn signed_out(self, notice: Option<&str>) {
        session::clear();
        self.screen.set(Screen::Login(notice.map(str::to_owned)));
    }
}

/// Reloads the page (the teacher app starts over).
pub fn reload() {
    let _ignored = window().location().reload();
}
