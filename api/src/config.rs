//! Typed settings read from the environment (and `.env`). Every variable is documented in
//! `.env.example`. `APP_ENV` unset means production: a copied binary or `.env` never turns a
//! server into a demo. Only `serve` checks the secrets ([`Config::check_for_serving`]), so
//! `migrate` and the import tools run in production without them. Secrets are never printed.

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
    /// `WORKER_BLOCKING_THREADS`: the most threads each HTTP worker runs database and other
    /// blocking work on; 0 means twice `DATABASE_POOL_SIZE` (at least 8). More threads than
    /// the pool has connections only wait for one, and each idle one keeps its stack and
    /// its share of the allocator's caches (actix-web's default is 512 ÷ workers).
    pub worker_blocking_threads: usize,
    /// `CORS_ALLOWED_ORIGINS`: other origins (comma-separated) whose pages may call the API
    /// from a browser; the service's own origin is always allowed.
    pub cors_allowed_origins: Vec<String>,
    /// `TRUSTED_PROXIES`: reverse proxies (addresses or networks, comma-separated) whose
    /// `X-Forwarded-For` names the client for per-client limits; empty: the TCP peer is the
    /// client.
    pub trusted_proxies: Vec<crate::net::IpNet>,
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
    /// `REFRESH_ABSOLUTE_DAYS`: the longest a sign-in (a refresh-token family) lives, however
    /// often it is refreshed.
    pub refresh_absolute_days: i64,
    /// `LOGIN_FAILURE_WINDOW_SECS`: failed sign-ins of an e-mail older than this (counted from
    /// the latest) are forgotten, so rare mistakes never add up to a lock-out.
    pub login_failure_window_secs: i64,
    /// `AUTH_CLIENT_MAX_FAILURES`: refused sign-in steps (`/auth/login`, `/auth/max`,
    /// `/auth/refresh`) one client address may make within an hour before it is refused for
    /// a while; `0` turns the per-client limit off.
    pub auth_client_max_failures: i32,
    /// `LOGIN_HASH_CONCURRENCY`: password checks running at once (default: the cores).
    pub login_hash_concurrency: usize,
    /// `LOGIN_HASH_QUEUE`: password checks that may wait for a turn; past it 429.
    pub login_hash_queue: usize,
    /// `INVITE_TTL_HOURS`: how long the first-sign-in link of an invitation letter works,
    /// counted from when the letter is sent.
    pub invite_ttl_hours: i64,
    /// ESIA (Госуслуги) OAuth settings.
    pub esia: EsiaConfig,
    /// Notifications and background work: the MAX bot, e-mail, the outbox worker.
    pub notify: NotifyConfig,
    /// `KB_REFRESH_SECS`: how often to look for knowledge-base changes of other instances.
    pub kb_refresh_secs: u64,
    /// `ANSWER_THRESHOLD`: the engine answers by itself only at or above this confidence.
    pub answer_threshold: f64,
    /// `ANSWER_MARGIN`: … and only this far (relative) ahead of the runner-up.
    pub answer_margin: f64,
    /// `APPEALS_PER_HOUR`: new questions one teacher may send per hour (0 = no limit).
    pub appeals_per_hour: i64,
    /// `UPLOAD_DIR`: where attachments are stored (random names).
    pub upload_dir: PathBuf,
    /// `WEBHOOK_ALLOW_PRIVATE`: integrator webhooks may reach loopback, private and other
    /// internal addresses (tests and closed networks only; off by default).
    pub webhook_allow_private: bool,
    /// `CALLER_CACHE_SECS`: how long (at most 5 s) a caller's user row, role, regions and
    /// block state are reused without reading the database; `0` reads them every request.
    pub caller_cache_secs: u64,
    /// `DB_QUERY_COUNT_HEADER`: answers carry `X-Db-Queries`, `X-Db-Caller-Queries` and
    /// `X-Db-Write-Transactions` (tests and profiling; off in production).
    pub db_query_count_header: bool,
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

/// Notifications and background work (DESIGN.md, "Notifications and background work").
#[derive(Debug, Clone)]
pub struct NotifyConfig {
    /// `MAX_API_BASE_URL`: the MAX Bot API.
    pub max_api_base_url: String,
    /// `MAX_WEBHOOK_SECRET`: the value MAX sends in `X-Max-Bot-Api-Secret`. Unset: every bot
    /// update is refused (401), so a forgotten secret never opens the webhook.
    pub max_webhook_secret: Option<Secret>,
    /// `MINI_APP_URL`: the mini-app, opened by the bot's buttons and linked from e-mails.
    pub mini_app_url: String,
    /// `PUBLIC_URL`: the service's web address (links to the staff screens in e-mails).
    pub public_url: String,
    /// `MAX_RATE_PER_SEC`: the most Bot API calls per second one instance makes.
    pub max_rate_per_sec: u32,
    /// `SMTP_HOST`: the mail relay.
    pub smtp_host: String,
    /// Whether `SMTP_HOST` is set at all (`api admin create` then sends an invitation).
    pub smtp_configured: bool,
    /// `SMTP_PORT`: its port.
    pub smtp_port: u16,
    /// `SMTP_TLS`: `none` (plain, local relays), `starttls` or `tls` (implicit, port 465).
    pub smtp_tls: SmtpTls,
    /// `SMTP_USER`: sign-in name; empty = no authentication.
    pub smtp_user: Option<String>,
    /// `SMTP_PASSWORD`: its password.
    pub smtp_password: Option<Secret>,
    /// `SMTP_FROM`: the sender, e.g. `Помощник <noreply@example.ru>`.
    pub smtp_from: String,
    /// `WORKER_ENABLED`: whether this instance delivers the outbox and runs scheduled jobs.
    pub worker_enabled: bool,
    /// `WORKER_POLL_MS`: how often an idle worker looks for due deliveries.
    pub worker_poll_ms: u64,
    /// `WORKER_BATCH`: deliveries one worker claims at a time.
    pub worker_batch: i64,
    /// `JOBS_INTERVAL_SECS`: how often reminders, the SLA scan, digests and auto-close run.
    pub jobs_interval_secs: u64,
    /// `OUTBOX_MAX_ATTEMPTS`: failed attempts after which a delivery is parked as dead.
    pub outbox_max_attempts: i32,
    /// `OUTBOX_BACKOFF_SECS`: the first retry delay; it doubles with each attempt (with jitter).
    pub outbox_backoff_secs: u64,
    /// `OUTBOX_BACKOFF_MAX_SECS`: the longest retry delay.
    pub outbox_backoff_max_secs: u64,
    /// `OUTBOX_LEASE_SECS`: how long a claimed delivery stays locked; a worker that died
    /// holding it releases it when the lease runs out.
    pub outbox_lease_secs: i64,
    /// `DIGEST_HOUR`: local hour (region time) from which the daily digest is sent.
    pub digest_hour: u32,
    /// `MAX_CHAT_GAP_MS`: the shortest gap between two messages to one chat.
    pub max_chat_gap_ms: u64,
    /// `CAMPAIGN_RATE_PER_SEC`: campaign messages per second of one instance (they share
    /// `MAX_RATE_PER_SEC` with the bot's replies, so keep it below that).
    pub campaign_rate_per_sec: u32,
    /// `CAMPAIGN_BATCH`: recipients one sender claims at a time.
    pub campaign_batch: i64,
    /// `CAMPAIGN_EXPAND_BATCH`: teachers added to a campaign's recipients per transaction.
    pub campaign_expand_batch: i64,
    /// `PROMO_LINK_BASE`: the bot's link; promo links add `?startapp=promo-<code>`.
    pub promo_link_base: String,
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain SMTP (a relay on the same host or network).
    None,
    /// STARTTLS upgrade (port 587).
    StartTls,
    /// Implicit TLS (port 465).
    Tls,
}

impl NotifyConfig {
    fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let non_empty = |name: &str| {
            get(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let smtp_tls = match get("SMTP_TLS").as_deref().map(str::trim).unwrap_or("none") {
            "none" => SmtpTls::None,
            "starttls" => SmtpTls::StartTls,
            "tls" => SmtpTls::Tls,
            other => {
                return Err(bad(
                    "SMTP_TLS",
                    format!("ожидается none, starttls или tls, получено {other}"),
                ))
            }
        };
        let worker_enabled = match get("WORKER_ENABLED")
            .as_deref()
            .map(str::trim)
            .unwrap_or("true")
        {
            "true" | "1" | "yes" | "on" => true,
            "false" | "0" | "no" | "off" => false,
            other => {
                return Err(bad(
                    "WORKER_ENABLED",
                    format!("ожидается true или false, получено {other}"),
                ))
            }
        };
        let config = Self {
            max_api_base_url: non_empty("MAX_API_BASE_URL")
                .unwrap_or_else(|| "https://platform-api.max.ru".to_owned())
                .trim_end_matches('/')
                .to_owned(),
            max_webhook_secret: non_empty("MAX_WEBHOOK_SECRET").map(Secret),
            mini_app_url: non_empty("MINI_APP_URL")
                .unwrap_or_else(|| "http://127.0.0.1:8080/".to_owned()),
            public_url: non_empty("PUBLIC_URL")
                .unwrap_or_else(|| "http://127.0.0.1:8080".to_owned()),
            max_rate_per_sec: parse(get, "MAX_RATE_PER_SEC", "25")?,
            smtp_host: non_empty("SMTP_HOST").unwrap_or_else(|| "localhost".to_owned()),
            smtp_configured: non_empty("SMTP_HOST").is_some(),
            smtp_port: parse(get, "SMTP_PORT", "2525")?,
            smtp_tls,
            smtp_user: non_empty("SMTP_USER"),
            smtp_password: non_empty("SMTP_PASSWORD").map(Secret),
            smtp_from: non_empty("SMTP_FROM")
                .unwrap_or_else(|| "Помощник <noreply@localhost>".to_owned()),
            worker_enabled,
            worker_poll_ms: parse(get, "WORKER_POLL_MS", "1000")?,
            worker_batch: parse(get, "WORKER_BATCH", "20")?,
            jobs_interval_secs: parse(get, "JOBS_INTERVAL_SECS", "60")?,
            outbox_max_attempts: parse(get, "OUTBOX_MAX_ATTEMPTS", "10")?,
            outbox_backoff_secs: parse(get, "OUTBOX_BACKOFF_SECS", "30")?,
            outbox_backoff_max_secs: parse(get, "OUTBOX_BACKOFF_MAX_SECS", "21600")?,
            outbox_lease_secs: parse(get, "OUTBOX_LEASE_SECS", "120")?,
            digest_hour: parse(get, "DIGEST_HOUR", "8")?,
            max_chat_gap_ms: parse(get, "MAX_CHAT_GAP_MS", "1000")?,
            campaign_rate_per_sec: parse(get, "CAMPAIGN_RATE_PER_SEC", "20")?,
            campaign_batch: parse(get, "CAMPAIGN_BATCH", "200")?,
            campaign_expand_batch: parse(get, "CAMPAIGN_EXPAND_BATCH", "5000")?,
            promo_link_base: non_empty("PROMO_LINK_BASE")
                .unwrap_or_else(|| "https://max.ru/pomoshnik_bot".to_owned()),
        };
        if config.campaign_rate_per_sec < 1
            || config.campaign_batch < 1
            || config.campaign_expand_batch < 1
        {
            return Err(bad(
                "CAMPAIGN_RATE_PER_SEC",
                "CAMPAIGN_RATE_PER_SEC, CAMPAIGN_BATCH и CAMPAIGN_EXPAND_BATCH — числа не меньше 1"
                    .to_owned(),
            ));
        }
        if config.outbox_max_attempts < 1 {
            return Err(bad(
                "OUTBOX_MAX_ATTEMPTS",
                "нужно число не меньше 1".to_owned(),
            ));
        }
        if config.digest_hour > 23 {
            return Err(bad("DIGEST_HOUR", "нужен час от 0 до 23".to_owned()));
        }
        if config.worker_batch < 1 {
            return Err(bad("WORKER_BATCH", "нужно число не меньше 1".to_owned()));
        }
        if config.max_rate_per_sec < 1 {
            return Err(bad(
                "MAX_RATE_PER_SEC",
                "нужно число не меньше 1".to_owned(),
            ));
        }
        Ok(config)
    }
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
        let app_env = match get("APP_ENV").as_deref().map(str::trim).unwrap_or("prod") {
            "dev" => AppEnv::Dev,
            "prod" => AppEnv::Prod,
            other => {
                return Err(bad(
                    "APP_ENV",
                    format!("ожидается dev или prod, получено {other}"),
                ))
            }
        };
        // Password checks at once: one per core by default.
        let cores = std::thread::available_parallelism()
            .map_or(2, std::num::NonZeroUsize::get)
            .to_string();
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
            worker_blocking_threads: parse(&get, "WORKER_BLOCKING_THREADS", "0")?,
            cors_allowed_origins: get("CORS_ALLOWED_ORIGINS")
                .unwrap_or_default()
                .split(',')
                .map(|o| o.trim().trim_end_matches('/').to_owned())
                .filter(|o| !o.is_empty())
                .collect(),
            trusted_proxies: crate::net::parse_list(&get("TRUSTED_PROXIES").unwrap_or_default())
                .map_err(|reason| bad("TRUSTED_PROXIES", reason))?,
            jwt_secret: Secret(get("JWT_SECRET").unwrap_or_else(|| DEMO_JWT_SECRET.to_owned())),
            max_bot_token: Secret(
                get("MAX_BOT_TOKEN").unwrap_or_else(|| DEMO_MAX_BOT_TOKEN.to_owned()),
            ),
            access_token_ttl_secs: parse(&get, "ACCESS_TOKEN_TTL_SECS", "900")?,
            refresh_token_ttl_days: parse(&get, "REFRESH_TOKEN_TTL_DAYS", "30")?,
            init_data_max_age_secs: parse(&get, "INIT_DATA_MAX_AGE_SECS", "3600")?,
            init_data_max_skew_secs: parse(&get, "INIT_DATA_MAX_SKEW_SECS", "60")?,
            login_max_failures: parse(&get, "LOGIN_MAX_FAILURES", "5")?,
            refresh_absolute_days: parse(&get, "REFRESH_ABSOLUTE_DAYS", "30")?,
            login_failure_window_secs: parse(&get, "LOGIN_FAILURE_WINDOW_SECS", "900")?,
            auth_client_max_failures: parse(&get, "AUTH_CLIENT_MAX_FAILURES", "200")?,
            login_hash_concurrency: parse(&get, "LOGIN_HASH_CONCURRENCY", &cores)?,
            login_hash_queue: parse(&get, "LOGIN_HASH_QUEUE", "32")?,
            invite_ttl_hours: parse(&get, "INVITE_TTL_HOURS", "72")?,
            kb_refresh_secs: parse(&get, "KB_REFRESH_SECS", "5")?,
            answer_threshold: parse(&get, "ANSWER_THRESHOLD", "0.355")?,
            answer_margin: parse(&get, "ANSWER_MARGIN", "0.14")?,
            appeals_per_hour: parse(&get, "APPEALS_PER_HOUR", "20")?,
            upload_dir: PathBuf::from(
                get("UPLOAD_DIR").unwrap_or_else(|| "data/uploads".to_owned()),
            ),
            webhook_allow_private: flag(&get, "WEBHOOK_ALLOW_PRIVATE", false)?,
            caller_cache_secs: parse::<u64>(&get, "CALLER_CACHE_SECS", "5")?.min(5),
            db_query_count_header: flag(&get, "DB_QUERY_COUNT_HEADER", false)?,
            notify: NotifyConfig::from_lookup(&get)?,
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
                return_url: get("ESIA_RETURN_URL")
                    .unwrap_or_else(|| "/api/v1/auth/esia/done".to_owned()),
            },
        }
        .checked()
    }

    /// Refuses unusable values (secrets are checked only for serving).
    fn checked(self) -> Result<Self, ConfigError> {
        if self.invite_ttl_hours < 1 {
            return Err(bad(
                "INVITE_TTL_HOURS",
                "нужно число часов не меньше 1".to_owned(),
            ));
        }
        Ok(self)
    }

    /// What `serve` demands in production: a real `JWT_SECRET` (32 bytes or more, not the
    /// demo one), the bot's real `MAX_BOT_TOKEN` and a `MAX_WEBHOOK_SECRET` for the bot's
    /// webhook. Development accepts the demo values. The tools and `migrate` never call it.
    ///
    /// # Errors
    /// The first missing or demo secret, named in Russian.
    pub fn check_for_serving(&self) -> Result<(), ConfigError> {
        if self.app_env == AppEnv::Dev {
            return Ok(());
        }
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
        if self.notify.max_webhook_secret.is_none() {
            return Err(bad(
                "MAX_WEBHOOK_SECRET",
                "в production бот MAX принимает обновления только с секретом: задайте его \
                 (тот же, что при подписке бота на webhook)"
                    .to_owned(),
            ));
        }
        Ok(())
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

/// A yes/no setting (`true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`).
fn flag(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: bool,
) -> Result<bool, ConfigError> {
    match get(name).as_deref().map(str::trim) {
        None | Some("") => Ok(default),
        Some("true" | "1" | "yes" | "on") => Ok(true),
        Some("false" | "0" | "no" | "off") => Ok(false),
        Some(other) => Err(bad(
            name,
            format!("ожидается true или false, получено {other}"),
        )),
    }
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
        // Unset APP_ENV is production: a forgotten variable never opens the demo sign-in.
        assert_eq!(config.app_env, AppEnv::Prod);
        assert!(!config.is_dev());
        assert!(!config.webhook_allow_private);
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
        // Reading the settings never fails for secrets (migrate and the tools need none)…
        let err = prod(&[]).unwrap().check_for_serving().unwrap_err();
        assert!(err.to_string().contains("JWT_SECRET"), "{err}");
        let err = prod(&[("JWT_SECRET", "short")])
            .unwrap()
            .check_for_serving()
            .unwrap_err();
        assert!(err.to_string().contains("JWT_SECRET"), "{err}");
        let err = prod(&[("JWT_SECRET", "0123456789abcdef0123456789abcdef-x")])
            .unwrap()
            .check_for_serving()
            .unwrap_err();
        assert!(err.to_string().contains("MAX_BOT_TOKEN"), "{err}");
        // … serving refuses a bot without its webhook secret.
        let err = prod(&[
            ("JWT_SECRET", "0123456789abcdef0123456789abcdef-x"),
            ("MAX_BOT_TOKEN", "real-token"),
        ])
        .unwrap()
        .check_for_serving()
        .unwrap_err();
        assert!(err.to_string().contains("MAX_WEBHOOK_SECRET"), "{err}");
        let config = prod(&[
            ("JWT_SECRET", "0123456789abcdef0123456789abcdef-x"),
            ("MAX_BOT_TOKEN", "real-token"),
            ("MAX_WEBHOOK_SECRET", "hook-secret"),
        ])
        .unwrap();
        config.check_for_serving().unwrap();
        let printed = format!("{config:?}");
        assert!(
            !printed.contains("real-token")
                && !printed.contains("0123456789abcdef")
                && !printed.contains("hook-secret"),
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
