//! Typed settings read from the environment (and `.env`). Every variable is documented in
//! `.env.example`; the defaults are safe for a local run. Secrets are never printed.

use std::net::IpAddr;
use std::path::PathBuf;

/// Which kind of deployment this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppEnv {
    /// Local runs, demos and tests: demo sign-in and demo secrets allowed.
    Dev,
    /// Production: demo features off, secrets required.
    Prod,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// All settings of the server.
#[derive(Debug, Clone)]
pub struct Config {
    /// `APP_ENV`: `dev` or `prod`.
    pub app_env: AppEnv,
    /// `HOST`: address to listen on.
    pub host: IpAddr,
    /// `PORT`: port to listen on; 0 picks a free one (tests).
    pub port: u16,
    /// `DATABASE_URL`: a SQLite file path (optionally `sqlite://`) or a `postgres://` URL.
    pub database_url: String,
    /// `DATABASE_POOL_SIZE`: connections in the pool.
    pub database_pool_size: u32,
    /// `LOG_FORMAT`: `text` or `json`.
    pub log_format: LogFormat,
    /// `STATIC_DIR`: the built mini-app (`scripts/build-mini-app` writes it).
    pub static_dir: PathBuf,
    /// `MAX_BODY_BYTES`: the largest JSON body accepted.
    pub max_body_bytes: usize,
    /// `FRAME_ANCESTORS`: origins allowed to embed the mini-app (MAX's web clients).
    pub frame_ancestors: String,
    /// `WORKERS`: HTTP worker threads; 0 means one per core.
    pub workers: usize,
    /// `JWT_SECRET`: signs access tokens (at least 32 bytes in production).
    pub jwt_secret: Secret,
    /// `MAX_BOT_TOKEN`: the bot's token; the key of launch-data signatures.
    pub max_bot_token: Secret,
    /// `ACCESS_TOKEN_TTL_SECS`: lifetime of an access token.
    pub access_token_ttl_secs: i64,
    /// `REFRESH_TOKEN_TTL_DAYS`: lifetime of a refresh token.
    pub refresh_token_ttl_days: i64,
    /// `INIT_DATA_MAX_AGE_SECS`: oldest accepted launch data.
    pub init_data_max_age_secs: i64,
    /// `INIT_DATA_MAX_SKEW_SECS`: accepted clock skew of launch data into the future.
    pub init_data_max_skew_secs: i64,
    /// `LOGIN_MAX_FAILURES`: failed staff sign-ins before a lock-out.
    pub login_max_failures: i32,
    /// ESIA (Госуслуги) OAuth settings.
    pub esia: EsiaConfig,
    /// `KB_REFRESH_SECS`: how often to look for knowledge-base changes of other instances.
    pub kb_refresh_secs: u64,
    /// `ANSWER_THRESHOLD`: the engine answers by itself only at or above this confidence.
    pub answer_threshold: f64,
    /// `ANSWER_MARGIN`: … and only this far (relative) ahead of the runner-up.
    pub answer_margin: f64,
}

/// ESIA (Госуслуги) OAuth 2.0 code flow settings. The GOST-signed `client_secret` comes from
/// a signing service (`ESIA_SIGNER_URL`), as real deployments do.
#[derive(Debug, Clone)]
pub struct EsiaConfig {
    /// `ESIA_BASE_URL`: ESIA's base address.
    pub base_url: String,
    /// `ESIA_CLIENT_ID`: the system's mnemonic registered in ESIA.
    pub client_id: String,
    /// `ESIA_REDIRECT_URI`: this service's callback as registered in ESIA.
    pub redirect_uri: String,
    /// `ESIA_SCOPE`: requested scopes.
    pub scope: String,
    /// `ESIA_SIGNER_URL`: the signing service (POST `{"data"}` → `{"signature"}`).
    pub signer_url: String,
    /// `ESIA_CERT_HASH`: `client_certificate_hash` of the signing certificate.
    pub cert_hash: String,
    /// `ESIA_RETURN_URL`: where the browser goes after the callback.
    pub return_url: String,
}

/// Demo values `./scripts/run` and tests use; production refuses them.
pub const DEMO_JWT_SECRET: &str = "dev-only-jwt-secret-do-not-use-in-production";
/// See [`DEMO_JWT_SECRET`]. Documented so anyone can sign launch data for local testing.
pub const DEMO_MAX_BOT_TOKEN: &str = "demo-bot-token-for-local-runs";

/// A secret setting: never printed by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    #[must_use]
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the code that needs it.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A setting that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("неверное значение переменной {name}: {reason}")]
pub struct ConfigError {
    name: &'static str,
    reason: String,
}

impl Config {
    /// Reads `.env` (when present) and the environment.
    ///
    /// # Errors
    /// A variable that is set but cannot be parsed.
    pub fn from_env() -> Result<Self, ConfigError> {
        // A missing .env is normal (production sets real variables).
        let _ = dotenvy::dotenv();
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds the settings from any lookup function (tests pass a map).
    ///
    /// # Errors
    /// A variable that is set but cannot be parsed.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let app_env = match get("APP_ENV").as_deref().unwrap_or("dev") {
            "dev" => AppEnv::Dev,
            "prod" => AppEnv::Prod,
            other => {
                return Err(bad(
                    "APP_ENV",
                    format!("ожидается dev или prod, получено {other}"),
                ))
            }
        };
        let log_format = match get("LOG_FORMAT").as_deref().unwrap_or("text") {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            other => {
                return Err(bad(
                    "LOG_FORMAT",
                    format!("ожидается text или json, получено {other}"),
                ))
            }
        };
        Self {
            app_env,
            host: parse(&get, "HOST", "127.0.0.1")?,
            port: parse(&get, "PORT", "8080")?,
            database_url: get("DATABASE_URL").unwrap_or_else(|| "data/pomoshnik.db".to_owned()),
            database_pool_size: parse(&get, "DATABASE_POOL_SIZE", "8")?,
            log_format,
            static_dir: PathBuf::from(
                get("STATIC_DIR").unwrap_or_else(|| "mini-app/dist".to_owned()),
            ),
            max_body_bytes: parse(&get, "MAX_BODY_BYTES", "1048576")?,
            frame_ancestors: get("FRAME_ANCESTORS")
                .unwrap_or_else(|| "https://web.max.ru https://*.max.ru".to_owned()),
            workers: parse(&get, "WORKERS", "0")?,
            jwt_secret: Secret(get("JWT_SECRET").unwrap_or_else(|| DEMO_JWT_SECRET.to_owned())),
            max_bot_token: Secret(
                get("MAX_BOT_TOKEN").unwrap_or_else(|| DEMO_MAX_BOT_TOKEN.to_owned()),
            ),
            access_token_ttl_secs: parse(&get, "ACCESS_TOKEN_TTL_SECS", "900")?,
            refresh_token_ttl_days: parse(&get, "REFRESH_TOKEN_TTL_DAYS", "30")?,
            init_data_max_age_secs: parse(&get, "INIT_DATA_MAX_AGE_SECS", "3600")?,
            init_data_max_skew_secs: parse(&get, "INIT_DATA_MAX_SKEW_SECS", "60")?,
            login_max_failures: parse(&get, "LOGIN_MAX_FAILURES", "5")?,
            kb_refresh_secs: parse(&get, "KB_REFRESH_SECS", "5")?,
            answer_threshold: parse(&get, "ANSWER_THRESHOLD", "0.355")?,
            answer_margin: parse(&get, "ANSWER_MARGIN", "0.14")?,
            esia: EsiaConfig {
                base_url: get("ESIA_BASE_URL")
                    .unwrap_or_else(|| "https://esia.gosuslugi.ru".to_owned()),
                client_id: get("ESIA_CLIENT_ID").unwrap_or_else(|| "POMOSHNIK".to_owned()),
                redirect_uri: get("ESIA_REDIRECT_URI").unwrap_or_else(|| {
                    "http://127.0.0.1:8080/api/v1/auth/esia/callback".to_owned()
                }),
                scope: get("ESIA_SCOPE").unwrap_or_else(|| "openid fullname".to_owned()),
                signer_url: get("ESIA_SIGNER_URL")
                    .unwrap_or_else(|| "http://127.0.0.1:8091/sign".to_owned()),
                cert_hash: get("ESIA_CERT_HASH").unwrap_or_default(),
                return_url: get("ESIA_RETURN_URL").unwrap_or_else(|| "/#/profile".to_owned()),
            },
        }
        .checked()
    }

    /// Production refuses missing, short or demo secrets.
    fn checked(self) -> Result<Self, ConfigError> {
        if self.app_env == AppEnv::Prod {
            let jwt = self.jwt_secret.expose();
            if jwt == DEMO_JWT_SECRET || jwt.len() < 32 {
                return Err(bad(
                    "JWT_SECRET",
                    "в production нужен собственный секрет длиной не меньше 32 байт".to_owned(),
                ));
            }
            let bot = self.max_bot_token.expose();
            if bot == DEMO_MAX_BOT_TOKEN || bot.is_empty() {
                return Err(bad(
                    "MAX_BOT_TOKEN",
                    "в production нужен токен бота из MAX".to_owned(),
                ));
            }
        }
        Ok(self)
    }

    /// True in development (demo sign-in allowed).
    #[must_use]
    pub fn is_dev(&self) -> bool {
        self.app_env == AppEnv::Dev
    }
}

fn bad(name: &'static str, reason: String) -> ConfigError {
    ConfigError { name, reason }
}

fn parse<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: &str,
) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    let raw = get(name).unwrap_or_else(|| default.to_owned());
    raw.trim()
        .parse()
        .map_err(|e: T::Err| bad(name, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::{AppEnv, Config};

    #[test]
    fn defaults_are_local_and_safe() {
        let config = Config::from_lookup(|_| None).unwrap();
        assert_eq!(config.app_env, AppEnv::Dev);
        assert_eq!(config.port, 8080);
        assert_eq!(config.host.to_string(), "127.0.0.1");
        assert_eq!(config.database_url, "data/pomoshnik.db");
    }

    #[test]
    fn production_refuses_demo_secrets_and_debug_hides_them() {
        let prod = |extra: &'static [(&'static str, &'static str)]| {
            Config::from_lookup(move |k| {
                if k == "APP_ENV" {
                    return Some("prod".to_owned());
                }
                extra
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| (*v).to_owned())
            })
        };
        let err = prod(&[]).unwrap_err();
        assert!(err.to_string().contains("JWT_SECRET"), "{err}");
        let err = prod(&[("JWT_SECRET", "0123456789abcdef0123456789abcdef-x")]).unwrap_err();
        assert!(err.to_string().contains("MAX_BOT_TOKEN"), "{err}");
        let config = prod(&[
            ("JWT_SECRET", "0123456789abcdef0123456789abcdef-x"),
            ("MAX_BOT_TOKEN", "real-token"),
        ])
        .unwrap();
        let printed = format!("{config:?}");
        assert!(
            !printed.contains("real-token") && !printed.contains("0123456789abcdef"),
            "{printed}"
        );
    }

    #[test]
    fn bad_values_are_named() {
        let err = Config::from_lookup(|k| (k == "PORT").then(|| "восемь".to_owned())).unwrap_err();
        assert!(err.to_string().contains("PORT"), "{err}");
        let err =
            Config::from_lookup(|k| (k == "APP_ENV").then(|| "stage".to_owned())).unwrap_err();
        assert!(err.to_string().contains("APP_ENV"), "{err}");
    }
}
