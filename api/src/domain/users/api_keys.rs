//! Integrator API keys: each key belongs to its own integrator service account bound to
//! regions, with the permissions chosen when it was created (`appeals:read`,
//! `appeals:create`, `stats:read`). The key is shown once, when created; only its hash is
//! stored. Creating one is audit-logged with its regions and permissions, and every key is
//! listed with the administrator who created it: a key reads appeal text, so this is how an
//! administrator could read it, and it is never silent.

use diesel::prelude::*;
use shared::integrations::ApiPermission;
use shared::users::{ApiKeyInfo, CreateApiKeyRequest, CreatedApiKey, Role};
use shared::Page;

use super::{known_regions, regions_required};
use crate::auth::{secrets, Caller, API_KEY_PREFIX};
use crate::db::{self, audit, models::NewUser, schema::api_keys, schema::users, AnyConnection};
use crate::domain::pagination::{self, Cursor};
use crate::domain::validate;
use crate::error::ApiError;

#[derive(Queryable)]
struct KeyRow {
    id: String,
    user_id: String,
    name: String,
    prefix: String,
    created_at: chrono::NaiveDateTime,
    last_used_at: Option<chrono::NaiveDateTime>,
    revoked_at: Option<chrono::NaiveDateTime>,
    permissions: String,
    created_by: Option<String>,
}

/// A user's full name as staff screens show it.
fn name_of(conn: &mut AnyConnection, user_id: &str) -> QueryResult<Option<String>> {
    let found: Option<(Option<String>, Option<String>, Option<String>)> = users::table
        .find(user_id)
        .select((users::surname, users::name, users::patronymic))
        .first(conn)
        .optional()?;
    Ok(found.and_then(|(s, n, p)| {
        let parts: Vec<String> = [s, n, p].into_iter().flatten().collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }))
}

fn key_info(conn: &mut AnyConnection, row: KeyRow) -> Result<ApiKeyInfo, ApiError> {
    let created_by_name = match &row.created_by {
        Some(id) => name_of(conn, id)?,
        None => None,
    };
    Ok(ApiKeyInfo {
        permissions: ApiPermission::from_stored(&row.permissions),
        created_by: row.created_by,
        created_by_name,
        regions: db::user_regions(conn, &row.user_id)?,
        id: row.id,
        name: row.name,
        prefix: row.prefix,
        created_at: db::rfc3339(row.created_at),
        last_used_at: row.last_used_at.map(db::rfc3339),
        revoked_at: row.revoked_at.map(db::rfc3339),
    })
}

const KEY_COLUMNS: (
    api_keys::id,
    api_keys::user_id,
    api_keys::name,
    api_keys::prefix,
    api_keys::created_at,
    api_keys::last_used_at,
    api_keys::revoked_at,
    api_keys::permissions,
    api_keys::created_by,
) = (
    api_keys::id,
    api_keys::user_id,
    api_keys::name,
    api_keys::prefix,
    api_keys::created_at,
    api_keys::last_used_at,
    api_keys::revoked_at,
    api_keys::permissions,
    api_keys::created_by,
);

/// One page of API keys, newest first.
///
/// # Errors
/// A database failure.
pub fn list_api_keys(
    conn: &mut AnyConnection,
    limit: i64,
    cursor: Option<Cursor>,
) -> Result<Page<ApiKeyInfo>, ApiError> {
    let mut query = api_keys::table.select(KEY_COLUMNS).into_boxed();
    query = pagination::before_cursor!(query, cursor, api_keys::created_at, api_keys::id);
    let rows: Vec<KeyRow> = query
        .order((api_keys::created_at.desc(), api_keys::id.desc()))
        .limit(limit + 1)
        .load(conn)?;
    let (rows, next_cursor) = pagination::finish(rows, limit, |r| Cursor {
        at: r.created_at,
        id: r.id.clone(),
    });
    let items = rows
        .into_iter()
        .map(|r| key_info(conn, r))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page { items, next_cursor })
}

/// A checked request for a new key, with the key drawn.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    name: String,
    regions: Vec<String>,
    permissions: Vec<ApiPermission>,
    secret: String,
}

impl NewApiKey {
    /// Checks the name and the permissions and draws the key.
    ///
    /// # Errors
    /// 422 on `name`, or `permissions` given but empty.
    pub fn new(body: &CreateApiKeyRequest) -> Result<Self, ApiError> {
        let mut permissions = body
            .permissions
            .clone()
            .unwrap_or_else(|| ApiPermission::DEFAULT.to_vec());
        if permissions.is_empty() {
            return Err(ApiError::field(
                "permissions",
                "permissions_required",
                "Выберите хотя бы одно разрешение ключа.",
            ));
        }
        permissions.sort_by_key(|p| p.as_str());
        permissions.dedup();
        Ok(Self {
            name: validate::text("name", &body.name, 100, true)?.unwrap_or_default(),
            regions: body.regions.clone(),
            permissions,
            secret: secrets::random_token(API_KEY_PREFIX),
        })
    }
}

/// Creates the integrator service account and its key.
///
/// # Errors
/// 422 for regions, or a database failure.
pub fn create_api_key(
    conn: &mut AnyConnection,
    caller: &Caller,
    new_key: &NewApiKey,
) -> Result<CreatedApiKey, ApiError> {
    let NewApiKey {
        name,
        regions,
        permissions,
        secret,
    } = new_key;
    let permission_names: Vec<&str> = permissions.iter().map(|p| p.as_str()).collect();
    let regions = known_regions(conn, regions)?;
    if regions.is_empty() {
        return Err(regions_required());
    }
    let mut account = NewUser::with_role(Role::Integrator);
    account.name = Some(name.clone());
    diesel::insert_into(users::table)
        .values(&account)
        .execute(conn)?;
    db::set_user_regions(conn, &account.id, &regions)?;
    let key_id = db::new_id();
    let now = db::now();
    let prefix: String = secret.chars().take(10).collect();
    diesel::insert_into(api_keys::table)
        .values((
            api_keys::id.eq(&key_id),
            api_keys::user_id.eq(&account.id),
            api_keys::name.eq(name),
            api_keys::prefix.eq(&prefix),
            api_keys::key_hash.eq(secrets::token_hash(secret)),
            api_keys::created_by.eq(&caller.user_id),
            api_keys::created_at.eq(now),
            api_keys::permissions.eq(ApiPermission::to_stored(permissions)),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        &caller.actor(),
        "api_key.create",
        "api_key",
        Some(&key_id),
        None,
        Some(&serde_json::json!({
            "name": name,
            "regions": regions,
            "permissions": permission_names,
            "created_by": caller.user_id,
        })),
    )?;
    let row: KeyRow = api_keys::table
        .find(&key_id)
        .select(KEY_COLUMNS)
        .first(conn)?;
    Ok(CreatedApiKey {
        info: key_info(conn, row)?,
        key: secret.clone(),
    })
}

/// Revokes a key at once (revoking a revoked key changes nothing).
///
/// # Errors
/// 404 for an unknown key, or a database failure.
pub fn revoke_api_key(conn: &mut AnyConnection, caller: &Caller, id: &str) -> Result<(), ApiError> {
    let revoked: Option<Option<chrono::NaiveDateTime>> = api_keys::table
        .find(id)
        .select(api_keys::revoked_at)
        .first(conn)
        .optional()?;
    match revoked {
        None => Err(ApiError::NotFound),
        Some(Some(_)) => Ok(()),
        Some(None) => {
            diesel::update(api_keys::table.find(id))
                .set(api_keys::revoked_at.eq(db::now()))
                .execute(conn)?;
            audit::record(
                conn,
                &caller.actor(),
                "api_key.revoke",
                "api_key",
                Some(id),
                None,
                None,
            )?;
            Ok(())
        }
    }
}
