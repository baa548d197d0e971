//! Invitations of new staff by e-mail: a letter with a first-sign-in link
//! `{PUBLIC_URL}/#/invite/{token}`, valid `INVITE_TTL_HOURS` (72) after sending, single use.
//!
//! - [`invite`] (inside the transaction that creates the user, or of a resend) revokes the
//!   user's open invitations, records a new one and writes the letter to the outbox. The
//!   outbox row holds the invitation's id, never a token.
//! - The worker calls [`issue_token`] right before sending: it draws a random token, stores
//!   only its SHA-256 with the expiry, and puts the token into the letter. A retry after a
//!   failed send draws a new one (the earlier was never seen by anyone); a letter whose
//!   invitation was revoked meanwhile (a newer one was sent) is not sent at all.
//! - `POST /api/v1/auth/invite` calls [`accept`]: the token must match an invitation that is
//!   sent, unused, not revoked and not expired, of a staff member who may still be invited.
//!
//! An invitation is for the first sign-in only: staff who enrolled the second factor are not
//! invited (nor may an old link of theirs be used), since the link replaces the password.
//!
//! A password reset («Забыли пароль?», [`send_reset`]) is the same mechanism with
//! `purpose = 'reset'`: a letter with a link to the same page, valid [`RESET_HOURS`], single
//! use, for any active staff member with an e-mail (enrolled or not: the second factor stays
//! and is still asked at sign-in). A new link of either kind revokes the open ones.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use shared::users::Role;

use crate::auth::secrets;
use crate::db::schema::{regions, staff_invitations as si, user_regions, users};
use crate::db::{self, models::UserRow, AnyConnection};
use crate::domain::notifications::outbox::{self, EmailDelivery, Notification};
use crate::error::ApiError;
use crate::notify::email::MailTemplate;

/// `staff_invitations.purpose` of a first-sign-in invitation.
pub const INVITE: &str = "invite";
/// `staff_invitations.purpose` of a password reset.
pub const RESET: &str = "reset";
/// Hours a password-reset link works after its letter is sent.
pub const RESET_HOURS: i64 = 1;

/// Whether the staff member may get a password-reset link: active staff with an e-mail.
#[must_use]
pub fn may_reset(user: &UserRow) -> bool {
    user.role.is_staff() && !user.is_blocked && user.erased_at.is_none() && user.email.is_some()
}

/// Whether a link of `purpose` may still work for `user`.
fn link_usable(user: &UserRow, purpose: &str) -> bool {
    if purpose == RESET {
        may_reset(user)
    } else {
        refusal(user).is_none()
    }
}

/// Why a staff member cannot be invited (409, with a Russian detail), or `None`.
#[must_use]
pub fn refusal(user: &UserRow) -> Option<ApiError> {
    let conflict = |code, detail: &str| {
        Some(ApiError::Conflict {
            code,
            detail: detail.to_owned(),
        })
    };
    if !user.role.is_staff() {
        return conflict(
            "not_staff",
            "Приглашение отправляется только сотрудникам: учителя входят через MAX, интеграторы — по API-ключу.",
        );
    }
    if user.is_blocked {
        return conflict(
            "user_blocked",
            "Сотрудник заблокирован. Сначала разблокируйте его, затем отправьте приглашение.",
        );
    }
    if user.erased_at.is_some() || user.email.is_none() {
        return conflict(
            "no_email",
            "У сотрудника нет e-mail: приглашение некуда отправить.",
        );
    }
    if user.totp_enabled {
        return conflict(
            "already_signed_in",
            "Сотрудник уже вошёл и подключил второй фактор: приглашение ему не нужно.",
        );
    }
    None
}

/// «Республика Татарстан (16)» for each of the user's regions.
fn region_names(conn: &mut AnyConnection, user_id: &str) -> QueryResult<Vec<String>> {
    let rows: Vec<(String, String)> = user_regions::table
        .inner_join(regions::table)
        .filter(user_regions::user_id.eq(user_id))
        .order(regions::code.asc())
        .select((regions::code, regions::name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(code, name)| format!("{name} ({code})"))
        .collect())
}

/// Invites `user` (call inside the transaction of the change): earlier open invitations stop
/// working, a new one is recorded and its letter queued. `inviter` is the inviting role.
///
/// # Errors
/// 409 when the user may not be invited ([`refusal`]); a database failure.
pub fn invite(
    conn: &mut AnyConnection,
    user: &UserRow,
    inviter: Role,
    invited_by: &str,
    valid_hours: i64,
    now: NaiveDateTime,
) -> Result<String, ApiError> {
    if let Some(refused) = refusal(user) {
        return Err(refused);
    }
    let role = user.role;
    revoke_open(conn, &user.id, now)?;
    let id = db::new_id();
    diesel::insert_into(si::table)
        .values((
            si::id.eq(&id),
            si::user_id.eq(&user.id),
            si::created_by.eq(invited_by),
            si::created_at.eq(now),
        ))
        .execute(conn)?;
    let mail = MailTemplate::Invitation {
        invitation_id: id.clone(),
        inviter: inviter.title().to_owned(),
        role: role.title().to_owned(),
        regions: if role.has_regions() {
            region_names(conn, &user.id)?
        } else {
            Vec::new()
        },
        valid_hours,
        reset: false,
    };
    let to = user.email.clone().unwrap_or_default();
    outbox::enqueue(conn, &Notification::Email(EmailDelivery { to, mail }), None)?;
    Ok(id)
}

/// Queues a password-reset letter for `user` (call inside the transaction; the caller has
/// checked [`may_reset`]): earlier open links stop working, a new `reset` link is recorded.
///
/// # Errors
/// A database failure.
pub fn send_reset(conn: &mut AnyConnection, user: &UserRow, now: NaiveDateTime) -> QueryResult<()> {
    revoke_open(conn, &user.id, now)?;
    let id = db::new_id();
    diesel::insert_into(si::table)
        .values((
            si::id.eq(&id),
            si::user_id.eq(&user.id),
            si::created_at.eq(now),
            si::purpose.eq(RESET),
        ))
        .execute(conn)?;
    let mail = MailTemplate::Invitation {
        invitation_id: id,
        inviter: String::new(),
        role: user.role.title().to_owned(),
        regions: Vec::new(),
        valid_hours: RESET_HOURS,
        reset: true,
    };
    let to = user.email.clone().unwrap_or_default();
    outbox::enqueue(conn, &Notification::Email(EmailDelivery { to, mail }), None)?;
    Ok(())
}

/// Makes every open (unused, unrevoked) invitation of the user stop working.
///
/// # Errors
/// A database failure.
pub fn revoke_open(
    conn: &mut AnyConnection,
    user_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        si::table
            .filter(si::user_id.eq(user_id))
            .filter(si::used_at.is_null())
            .filter(si::revoked_at.is_null()),
    )
    .set(si::revoked_at.eq(now))
    .execute(conn)
}

/// Draws the token of an invitation about to be sent and stores its hash with the expiry
/// (`now + valid_hours`; [`RESET_HOURS`] for a password reset). `Ok(Err(reason))` when the letter must not go out: the invitation
/// was revoked or used, or its user may no longer be invited.
///
/// # Errors
/// A database failure.
pub fn issue_token(
    conn: &mut AnyConnection,
    invitation_id: &str,
    now: NaiveDateTime,
    valid_hours: i64,
) -> QueryResult<Result<String, &'static str>> {
    type Row = (String, Option<NaiveDateTime>, Option<NaiveDateTime>, String);
    let row: Option<Row> = si::table
        .find(invitation_id)
        .select((si::user_id, si::used_at, si::revoked_at, si::purpose))
        .first(conn)
        .optional()?;
    let (user_id, purpose) = match row {
        None => return Ok(Err("приглашение удалено")),
        Some((_, Some(_), _, _)) => return Ok(Err("приглашение уже принято")),
        Some((_, _, Some(_), _)) => return Ok(Err("приглашение заменено новым или отозвано")),
        Some((user_id, None, None, purpose)) => (user_id, purpose),
    };
    let valid_hours = if purpose == RESET {
        RESET_HOURS
    } else {
        valid_hours
    };
    let user: Option<UserRow> = users::table
        .find(&user_id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?;
    if user.as_ref().is_none_or(|u| !link_usable(u, &purpose)) {
        return Ok(Err(
            "сотрудника больше нельзя пригласить (заблокирован, без e-mail или уже вошёл)",
        ));
    }
    let token = secrets::random_token("");
    diesel::update(si::table.find(invitation_id))
        .set((
            si::token_hash.eq(secrets::token_hash(&token)),
            si::sent_at.eq(now),
            si::expires_at.eq(now + Duration::hours(valid_hours)),
        ))
        .execute(conn)?;
    Ok(Ok(token))
}

/// The one refusal of a link that does not work, whatever the reason (unknown, used,
/// expired, replaced): 410 `invite_invalid`.
#[must_use]
pub fn invalid() -> ApiError {
    ApiError::Gone {
        code: "invite_invalid",
        detail:
            "Ссылка-приглашение не действует: она уже использована, устарела или заменена новой. \
                 Попросите пригласившего выслать приглашение ещё раз."
                .to_owned(),
    }
}

/// A working link: its id, its user and whether it is a password reset.
#[derive(Debug, Clone)]
pub struct Link {
    /// `staff_invitations.id`.
    pub id: String,
    /// The staff member it is for.
    pub user: UserRow,
    /// A password reset (`purpose = 'reset'`) rather than a first-sign-in invitation.
    pub reset: bool,
}

/// The link a working token is, without using it up.
///
/// # Errors
/// [`invalid`] for a token that does not work now; a database failure.
pub fn find(conn: &mut AnyConnection, token: &str, now: NaiveDateTime) -> Result<Link, ApiError> {
    let token = token.trim();
    if token.is_empty() || token.len() > 200 {
        return Err(invalid());
    }
    type Row = (
        String,
        String,
        Option<NaiveDateTime>,
        Option<NaiveDateTime>,
        Option<NaiveDateTime>,
        String,
    );
    let row: Option<Row> = si::table
        .filter(si::token_hash.eq(secrets::token_hash(token)))
        .select((
            si::id,
            si::user_id,
            si::expires_at,
            si::used_at,
            si::revoked_at,
            si::purpose,
        ))
        .first(conn)
        .optional()?;
    let Some((id, user_id, Some(expires_at), None, None, purpose)) = row else {
        return Err(invalid());
    };
    if expires_at <= now {
        return Err(invalid());
    }
    let user: UserRow = users::table
        .find(&user_id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(invalid)?;
    if !link_usable(&user, &purpose) {
        return Err(invalid());
    }
    Ok(Link {
        id,
        user,
        reset: purpose == RESET,
    })
}

/// Uses up a working token (inside the transaction that sets the password): every open
/// link of the user ends with it. Returns the link.
///
/// # Errors
/// [`invalid`] for a token that does not work now (also when a concurrent request used it
/// first); a database failure.
pub fn accept(conn: &mut AnyConnection, token: &str, now: NaiveDateTime) -> Result<Link, ApiError> {
    let link = find(conn, token, now)?;
    let taken = diesel::update(
        si::table
            .find(&link.id)
            .filter(si::used_at.is_null())
            .filter(si::revoked_at.is_null()),
    )
    .set(si::used_at.eq(now))
    .execute(conn)?;
    if taken != 1 {
        return Err(invalid());
    }
    revoke_open(conn, &link.user.id, now)?;
    Ok(link)
}

/// Forgets invitations that ended more than 30 days ago (the scheduled clean-up).
///
/// # Errors
/// A database failure.
pub fn forget_old(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<usize> {
    let before = now - Duration::days(30);
    diesel::delete(
        si::table.filter(
            si::used_at
                .lt(before)
                .or(si::revoked_at.lt(before))
                .or(si::expires_at.lt(before)),
        ),
    )
    .execute(conn)
}
