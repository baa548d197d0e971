//! `api admin create --email … [--name …] [--force]`: the first administrator of a real
//! deployment, where the demo sign-in is off. The account gets a one-time password that must
//! be replaced at the first sign-in (as a staff member created by an administrator does); it
//! is printed once and stored only as a hash. The creation is audit-logged. While an active
//! administrator exists the command refuses, so it cannot be used to add a second way in
//! unnoticed; `--force` is the documented way to recover a lost administrator account.

use anyhow::Context;
use diesel::prelude::*;
use shared::users::Role;

use crate::auth::secrets;
use crate::config::Config;
use crate::db::models::NewUser;
use crate::db::schema::users;
use crate::db::{audit, Db};
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
    let email = validate::email("email", &args.email).map_err(|e| explain(&e))?;
    let name = match &args.name {
        Some(name) => validate::name_part("name", name, false).map_err(|e| explain(&e))?,
        None => None,
    };
    let password = secrets::random_token("");
    let hash = secrets::hash_password(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
    let force = args.force;
    let user_id = db
        .write_blocking(move |conn| {
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
            new.password_hash = Some(hash);
            new.must_change_password = true;
            new.name = name;
            diesel::insert_into(users::table)
                .values(&new)
                .execute(conn)?;
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
                })),
            )?;
            Ok(new.id)
        })
        .map_err(|e| explain(&e))?;
    Ok(CreatedAdmin {
        user_id,
        one_time_password: password,
    })
}

/// An [`ApiError`] as the line an operator reads.
fn explain(error: &ApiError) -> anyhow::Error {
    anyhow::anyhow!("{}", error.detail())
}

/// `api admin create …`: prints the one-time password on stdout (only it, so a script can
/// capture it) and the explanation on stderr.
///
/// # Errors
/// As [`create`], or the database cannot be reached.
pub async fn run(args: CreateAdminArgs) -> anyhow::Result<()> {
    let state = startup::prepare_state(Config::from_env()?).await?;
    let email = args.email.clone();
    let created = tokio::task::spawn_blocking(move || create(&state.db, &args))
        .await
        .context("команда прервана")??;
    eprintln!(
        "администратор {email} создан; одноразовый пароль ниже — при первом входе его нужно \
         заменить и подключить второй фактор (TOTP):"
    );
    println!("{}", created.one_time_password);
    Ok(())
}
