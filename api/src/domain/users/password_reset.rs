//! «Забыли пароль?»: a staff member asks for a letter with a single-use link that sets a new
//! password (the invitation mechanism, [`super::invitations::send_reset`], valid an hour).
//!
//! The answer never says whether the address belongs to anyone: known, unknown, blocked or
//! throttled, the request is accepted the same way and only a real, active staff member
//! gets a letter. Letters are throttled per address and per client (the counts live in
//! `auth_throttle`, as sign-in failures do): past the limit the request is accepted and
//! nothing is sent. Setting the password through the link ends every session of the user
//! ([`super::sign_in::accept_invitation`]); the second factor stays.

use diesel::prelude::*;

use super::invitations;
use crate::auth::throttle;
use crate::db::{self, audit, models::UserRow, schema::users, Db};
use crate::error::ApiError;

/// Letters per address before it is held back (then 1, 2, 4 … minutes, the window an hour).
const PER_ADDRESS: i32 = 3;

/// Requests per client address before it is held back.
const PER_CLIENT: i32 = 20;

/// Records a reset request from `client` for `email` and, when it names an active staff
/// member and neither the address nor the client is held back, queues the letter. Returns
/// whether a letter was queued (for waking the worker; never shown to the caller).
///
/// # Errors
/// A database failure only.
pub async fn request(db: &Db, client: &str, email: &str) -> Result<bool, ApiError> {
    let email = email.trim().to_lowercase();
    if email.is_empty() || email.len() > 254 || !email.contains('@') {
        return Ok(false);
    }
    let per_address = throttle::key("reset", &email);
    let per_client = throttle::key("reset-client", client);
    db.write(move |conn| {
        let now = db::now();
        let held = throttle::check(conn, &per_client, now).is_err()
            || throttle::check(conn, &per_address, now).is_err();
        if held {
            return Ok(false);
        }
        throttle::fail(conn, &per_client, now, PER_CLIENT)?;
        throttle::fail(conn, &per_address, now, PER_ADDRESS)?;
        let user: Option<UserRow> = users::table
            .filter(users::email.eq(&email))
            .select(UserRow::as_select())
            .first(conn)
            .optional()?;
        let Some(user) = user.filter(invitations::may_reset) else {
            return Ok(false);
        };
        invitations::send_reset(conn, &user, now)?;
        audit::record(
            conn,
            &audit::Actor {
                id: Some(user.id.clone()),
                role: Some(user.role.as_str().to_owned()),
            },
            "user.password.reset_request",
            "user",
            Some(&user.id),
            None,
            None,
        )?;
        Ok(true)
    })
    .await
}
