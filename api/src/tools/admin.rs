//! `api admin create --email … [--name …] [--force]`: the first administrator of a real
//! deployment, where the demo sign-in is off. The account gets a one-time password that must
//! be replaced at the first sign-in (as a staff member created by an administrator does); it
//! is printed once and stored only as a hash. The creation is audit-logged. While an active
//! administrator exists the command refuses, so it cannot be used to add a second way in
//! unnoticed; `--force` is the documented way to recover a lost administrator account.
//! When SMTP is configured (`SMTP_HOST` set) the account gets no password at all: an
//! invitation letter goes out instead (sent by the command itself), and its link sets the
//! password, as for staff an administrator invites.

use anyhow::Context;
use diesel::prelude::*;
use shared::users::Role;

use crate::auth::secrets;
use crate::config::Config;
use crate::db::models::NewUser;
use crate::db::schema::users;
use crate::db::{audit, Db};
use crate::domain::users::invitations;
use crate::domain::validate;
use crate::error::ApiError;
use crate::startup;

/// `api admin create …`.
#[derive(Debug, Clone, clap::Args)]
#[command(
    about = "Создать администратора (первый вход на новом сервере): печатает одноразовый \
             пароль, который нужно заменить при первом входе"
)]
pub struct CreateAdminArgs {
    /// The administrator's e-mail (the sign-in name).
    #[arg(
        long,
        value_name = "E-MAIL",
        help = "e-mail администратора (имя для входа)"
    )]
    pub email: String,
    /// The shown name.
    #[arg(long, value_name = "ИМЯ", help = "имя, которое видят коллеги")]
    pub name: Option<String>,
    /// Create even though an active administrator exists.
    #[arg(
        long,
        help = "создать, даже если действующий администратор уже есть (восстановление доступа)"
    )]
    pub force: bool,
}

/// What the command created.
#[derive(Debug, Clone)]
pub struct CreatedAdmin {
    /// The new user's id.
    pub user_id: String,
    /// The one-time password (shown once, never stored in clear).
    pub one_time_password: String,
}

/// Creates the administrator in one transaction with its audit entry.
///
/// # Errors
/// A malformed e-mail or name, an e-mail already in use, an active administrator without
/// `--force`, or a database failure.
pub fn create(db: &Db, args: &CreateAdminArgs) -> anyhow::Result<CreatedAdmin> {
    let password = secrets::random_token("");
    let hash = secrets::hash_password(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
    let user_id = insert(db, args, Some(hash), None)?;
    Ok(CreatedAdmin {
        user_id,
        one_time_password: password,
    })
}

/// Creates the administrator without a password and queues its invitation letter (the link
/// works `valid_hours` from sending), all in one transaction with the audit entry. Returns
/// the new user's id.
///
/// # Errors
/// As [`create`].
pub fn create_invited(db: &Db, args: &CreateAdminArgs, valid_hours: i64) -> anyhow::Result<String> {
    insert(db, args, None, Some(valid_hours))
}

/// The administrator row, its audit entry and (with `invite_hours`) its invitation.
fn insert(
    db: &Db,
    args: &CreateAdminArgs,
    hash: Option<String>,
    invite_hours: Option<i64>,
) -> anyhow::Result<String> {
    let email = validate::email("email", &args.email).map_err(|e| explain(&e))?;
    let name = match &args.name {
        Some(name) => validate::name_part("name", name, false).map_err(|e| explain(&e))?,
        None => None,
    };
    let force = args.force;
    db.write_blocking(move |conn| {
        let active: i64 = users::table
            .filter(users::role.eq(Role::Admin.as_str()))
            .filter(users::is_blocked.eq(false))
            .filter(users::erased_at.is_null())
            .count()
            .get_result(conn)?;
        if active > 0 && !force {
            return Err(ApiError::Conflict {
                code: "admin_exists",
                detail: format!(
                    "действующий администратор уже есть ({active}); новых добавляют в \
                     разделе «Пользователи», а для восстановления доступа есть --force"
                ),
            });
        }
        let taken: i64 = users::table
            .filter(users::email.eq(&email))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            return Err(ApiError::Conflict {
                code: "email_taken",
                detail: "пользователь с таким e-mail уже есть".to_owned(),
            });
        }
        let mut new = NewUser::with_role(Role::Admin);
        new.email = Some(email.clone());
        new.password_hash = hash;
        new.must_change_password = true;
        new.name = name;
        diesel::insert_into(users::table)
            .values(&new)
            .execute(conn)?;
        if let Some(hours) = invite_hours {
            let row = crate::domain::users::load(conn, &new.id)?;
            // Invited by nobody but the command line: the new account stands for itself.
            invitations::invite(conn, &row, Role::Admin, &new.id, hours, crate::db::now())?;
        }
        // No actor: the command line acts as the system; `via` says where it came from.
        audit::record(
            conn,
            &audit::Actor::default(),
            "user.create",
            "user",
            Some(&new.id),
            None,
            Some(&serde_json::json!({
                "role": Role::Admin,
                "email": email,
                "via": "api admin create",
                "force": force,
                "admins_before": active,
                "invited": invite_hours.is_some(),
            })),
        )?;
        Ok(new.id)
    })
    .map_err(|e| explain(&e))
}

/// An [`ApiError`] as the line an operator reads.
fn explain(error: &ApiError) -> anyhow::Error {
    anyhow::anyhow!("{}", error.detail())
}

/// What `api admin create` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// No SMTP: a one-time password to hand over.
    Password(String),
    /// SMTP configured: the invitation letter was sent (or queued, if the relay refused).
    Invited {
        /// How long the link works.
        valid_hours: i64,
        /// Whether the letter left now (otherwise the service's worker retries it).
        sent: bool,
    },
}

/// `api admin create …` with the given settings: invites when SMTP is configured, else
/// makes a one-time password.
///
/// # Errors
/// As [`create`], or the database cannot be reached.
pub async fn execute(config: Config, args: CreateAdminArgs) -> anyhow::Result<Outcome> {
    let smtp = config.notify.smtp_configured;
    let valid_hours = config.invite_ttl_hours;
    let state = startup::prepare_state(config).await?;
    let db = state.db.clone();
    if !smtp {
        let created = tokio::task::spawn_blocking(move || create(&db, &args))
            .await
            .context("команда прервана")??;
        return Ok(Outcome::Password(created.one_time_password));
    }
    tokio::task::spawn_blocking(move || create_invited(&db, &args, valid_hours))
        .await
        .context("команда прервана")??;
    // Deliver now rather than wait for a server's worker (there may be none yet).
    let sent = crate::jobs::Worker::from_state(&state)
        .drain(crate::db::now())
        .await
        .is_ok_and(|n| n > 0);
    Ok(Outcome::Invited { valid_hours, sent })
}

/// `api admin create …`: prints the one-time password on stdout (only it, so a script can
/// capture it) and the explanation on stderr; with SMTP configured, says the invitation
/// letter went out.
///
/// # Errors
/// As [`create`], or the database cannot be reached.
pub async fn run(args: CreateAdminArgs) -> anyhow::Result<()> {
    let email = args.email.clone();
    match execute(Config::from_env()?, args).await? {
        Outcome::Password(password) => {
            eprintln!(
                "администратор {email} создан; одноразовый пароль ниже — при первом входе его \
                 нужно заменить и подключить второй фактор (TOTP):"
            );
            println!("{password}");
        }
        Outcome::Invited { valid_hours, sent } => {
            let how = if sent {
                "отправлено"
            } else {
                "поставлено в очередь (сервис отправит его, когда почтовый сервер ответит)"
            };
            eprintln!(
                "администратор {email} создан; приглашение со ссылкой для задания пароля {how}; \
                 ссылка действует {valid_hours} ч после отправки"
            );
        }
    }
    Ok(())
}
