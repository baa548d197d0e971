//! Who is calling: launch-data and password sign-in, tokens, and the [`Caller`] extractor
//! with the one scope mechanism every query of appeals and statistics uses.

pub mod cache;
pub mod hash_gate;
pub mod jwt;
pub mod launch_data;
pub mod policy;
pub mod secrets;
pub mod session;
pub mod throttle;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};
use diesel::prelude::*;
use shared::users::{Role, VerificationStatus};

use self::cache::{CallerCache, Known};
use crate::db::{
    self, count,
    models::{TokenStanding, UserRow},
    schema,
};
use crate::error::ApiError;
use crate::state::AppState;

/// How the caller proved who they are (the `amr` claim).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    /// MAX launch data.
    Max,
    /// Password and a TOTP code.
    PasswordTotp,
    /// Password only: allowed only to finish TOTP enrolment.
    Password,
    /// Demo sign-in (dev only).
    Dev,
    /// Integrator API key.
    ApiKey,
}

impl AuthMethod {
    /// Claim value.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Max => "max",
            Self::PasswordTotp => "pwd+otp",
            Self::Password => "pwd",
            Self::Dev => "dev",
            Self::ApiKey => "key",
        }
    }

    /// Parses the claim value (API keys never appear in tokens).
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Max, Self::PasswordTotp, Self::Password, Self::Dev]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

/// An authenticated caller, loaded from the database or from the [`CallerCache`] of the last
/// few seconds (a change made through this instance applies at once, any other within the
/// cache's life: see [`cache`]).
#[derive(Debug, Clone)]
pub struct Caller {
    /// User id.
    pub user_id: String,
    /// Role.
    pub role: Role,
    /// Regions of operators, heads and integrators.
    pub regions: Vec<String>,
    /// The teacher's own region.
    pub home_region: Option<String>,
    /// Teacher verification.
    pub verification: VerificationStatus,
    /// How they signed in.
    pub method: AuthMethod,
    /// The API key used, if any.
    pub api_key_id: Option<String>,
    /// The permissions of that key (`None` for people).
    pub key_permissions: Option<Vec<shared::integrations::ApiPermission>>,
    /// The sign-in (refresh-token family) of the access token, if it names one.
    pub session: Option<String>,
}

/// Which appeals (and statistics) a caller may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Only appeals written by this teacher.
    Own(String),
    /// Appeals of these regions.
    Regions(Vec<String>),
    /// Every region.
    All,
    /// No appeals at all (administrators).
    Nothing,
}

impl Caller {
    /// Asks the policy table ([`policy::Action::access`]) whether the caller's role may
    /// perform `action`: 403 otherwise. The only role check a handler makes.
    ///
    /// # Errors
    /// `Forbidden` when the table does not allow the caller's role.
    pub fn may(&self, action: policy::Action) -> Result<(), ApiError> {
        let key_allows = self
            .key_permissions
            .as_deref()
            .is_none_or(|permissions| action.key_allows(permissions));
        if action.allows(self.role) && key_allows {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// The appeal scope of the caller's role.
    #[must_use]
    pub fn scope(&self) -> Scope {
        match self.role {
            Role::Teacher => Scope::Own(self.user_id.clone()),
            Role::Operator | Role::RegionalHead | Role::Integrator => {
                Scope::Regions(self.regions.clone())
            }
            Role::Federal => Scope::All,
            Role::Admin => Scope::Nothing,
        }
    }

    /// A `region` filter must lie inside the scope: 403 `region_out_of_scope` otherwise.
    ///
    /// # Errors
    /// `RegionOutOfScope`.
    pub fn check_region_filter(&self, region: &str) -> Result<(), ApiError> {
        match self.scope() {
            Scope::All => Ok(()),
            Scope::Regions(codes) if codes.iter().any(|c| c == region) => Ok(()),
            _ => Err(ApiError::RegionOutOfScope),
        }
    }

    /// True when the caller's regions include `region` (or the caller sees all).
    #[must_use]
    pub fn covers_region(&self, region: &str) -> bool {
        self.check_region_filter(region).is_ok()
    }

    /// The actor for audit entries.
    #[must_use]
    pub fn actor(&self) -> db::audit::Actor {
        db::audit::Actor {
            id: Some(self.user_id.clone()),
            role: Some(self.role.as_str().to_owned()),
        }
    }
}

/// Paths a staff member signed in with a password only may use: replacing a one-time
/// password, then finishing TOTP enrolment.
const ENROLMENT_PATHS: [&str; 4] = [
    "/api/v1/me",
    "/api/v1/me/password",
    "/api/v1/auth/totp/enroll",
    "/api/v1/auth/logout",
];

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let cache = req.app_data::<web::Data<CallerCache>>().cloned();
        let token = bearer(req);
        let path = req.path().to_owned();
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal(anyhow::anyhow!("no app state")))?;
            let token = token.ok_or(ApiError::Unauthorized)?;
            let caller =
                authenticate(&state, cache.as_ref().map(web::Data::get_ref), token).await?;
            if caller.method == AuthMethod::Password && !ENROLMENT_PATHS.contains(&path.as_str()) {
                return Err(ApiError::Denied {
                    code: "totp_required",
                    detail:
                        "Подключите второй фактор (приложение-аутентификатор), чтобы продолжить."
                            .to_owned(),
                });
            }
            Ok(caller)
        })
    }
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// API keys start with this prefix; anything else is a JWT.
pub const API_KEY_PREFIX: &str = "pk_";

async fn authenticate(
    state: &AppState,
    cache: Option<&CallerCache>,
    token: String,
) -> Result<Caller, ApiError> {
    if token.starts_with(API_KEY_PREFIX) {
        return authenticate_key(state, token).await;
    }
    let claims = state
        .jwt
        .verify(&token)
        .map_err(|_| ApiError::Unauthorized)?;
    let method = claims
        .amr
        .as_deref()
        .and_then(AuthMethod::parse)
        .ok_or(ApiError::Unauthorized)?;
    // A token of the demo sign-in (say, from a database copied from a dev run) is worthless
    // in production, however well signed.
    if method == AuthMethod::Dev && !state.config.is_dev() {
        return Err(ApiError::Unauthorized);
    }
    let session = claims.sid;
    let known = match cache.and_then(|c| c.get(&claims.sub)) {
        Some(known) => known,
        None => {
            let started = Instant::now();
            let user_id = claims.sub;
            let known = state
                .db
                .read(move |conn| count::caller_lookup(|| load_known(conn, &user_id)))
                .await?;
            if let Some(cache) = cache {
                cache.put(started, known.clone());
            }
            Arc::new(known)
        }
    };
    let stands = match known.user.token_standing(claims.iat, session.as_deref()) {
        TokenStanding::Stands => true,
        TokenStanding::Ended => false,
        TokenStanding::SameSecond => {
            let session = session.clone();
            state
                .db
                .read(move |conn| {
                    count::caller_lookup(|| {
                        Ok(crate::auth::session::sign_in_alive(
                            conn,
                            session.as_deref(),
                        )?)
                    })
                })
                .await?
        }
    };
    if !stands {
        return Err(ApiError::Unauthorized);
    }
    let mut caller = caller_of(&known, method, None)?;
    caller.session = session;
    Ok(caller)
}

/// The user row and regions of `user_id`; 401 when there is no such user.
fn load_known(conn: &mut db::AnyConnection, user_id: &str) -> Result<Known, ApiError> {
    let user = schema::users::table
        .find(user_id)
        .select(UserRow::as_select())
        // A primary key finds one row: no `LIMIT ?`, whose rebinding makes SQLite prepare the
        // statement again on every call (see `db::literal_limit`).
        .get_result(conn)
        .optional()?
        .ok_or(ApiError::Unauthorized)?;
    let regions = if user.role.has_regions() {
        db::user_regions(conn, &user.id)?
    } else {
        Vec::new()
    };
    Ok(Known::new(user, regions))
}

/// An API key is looked up with a read: integrators' traffic never takes the writer's turn.
/// Its last use is written at most once a minute, in a short write of its own.
async fn authenticate_key(state: &AppState, token: String) -> Result<Caller, ApiError> {
    use schema::api_keys as k;
    let hash = secrets::token_hash(&token);
    let (caller, stale) = state
        .db
        .read(move |conn| {
            count::caller_lookup(|| {
                type Found = (String, String, Option<chrono::NaiveDateTime>, String);
                let found: Option<Found> = k::table
                    .filter(k::key_hash.eq(&hash))
                    .filter(k::revoked_at.is_null())
                    .select((k::id, k::user_id, k::last_used_at, k::permissions))
                    // `key_hash` is unique: no `LIMIT ?` (see `load_known`).
                    .get_result(conn)
                    .optional()?;
                let (key_id, user_id, last_used, permissions) =
                    found.ok_or(ApiError::Unauthorized)?;
                let stale = last_used.is_none_or(|t| db::now() - t > chrono::Duration::minutes(1));
                let known = load_known(conn, &user_id)?;
                let mut caller = caller_of(&known, AuthMethod::ApiKey, Some(key_id))?;
                caller.key_permissions = Some(shared::integrations::ApiPermission::from_stored(
                    &permissions,
                ));
                Ok((caller, stale))
            })
        })
        .await?;
    if let (true, Some(key_id)) = (stale, caller.api_key_id.clone()) {
        // Recording every use would make each read a write; a minute's precision is enough.
        // The condition repeats the check, so concurrent requests write it once.
        state
            .db
            .write(move |conn| {
                let now = db::now();
                let due = k::last_used_at
                    .is_null()
                    .or(k::last_used_at.lt(now - chrono::Duration::minutes(1)));
                diesel::update(k::table.find(&key_id).filter(due))
                    .set(k::last_used_at.eq(now))
                    .execute(conn)?;
                Ok(())
            })
            .await?;
    }
    Ok(caller)
}

fn caller_of(
    known: &Known,
    method: AuthMethod,
    api_key_id: Option<String>,
) -> Result<Caller, ApiError> {
    let user = &known.user;
    if user.is_blocked || user.erased_at.is_some() {
        return Err(ApiError::Unauthorized);
    }
    Ok(Caller {
        verification: user.verification_status,
        home_region: user.region_code.clone(),
        user_id: user.id.clone(),
        role: user.role,
        regions: known.regions.clone(),
        method,
        api_key_id,
        key_permissions: None,
        session: None,
    })
}
