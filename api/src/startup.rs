//! Builds the application (routes, middleware, error mapping) and runs the HTTP server.

use std::future::Future;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::{
    from_fn, Compress, Condition, DefaultHeaders, ErrorHandlerResponse, ErrorHandlers, Next,
};
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use utoipa_swagger_ui::SwaggerUi;

use crate::config::Config;
use crate::db::{self, Backend};
use crate::domain::calendar::Calendars;
use crate::domain::kb::KnowledgeBase;
use crate::error::ApiError;
use crate::metrics::{Metrics, RequestLabels};
use crate::state::AppState;
use crate::static_files::StaticFiles;
use crate::{openapi, routes};

/// A server bound to its port, ready to run.
pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
}

impl Application {
    /// Checks the secrets serving needs (production refuses demo or missing ones), connects
    /// to the database, applies migrations and reference data, binds the listener.
    ///
    /// # Errors
    /// A secret production refuses, the database cannot be reached or migrated, or the port
    /// cannot be bound.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        config.check_for_serving()?;
        let state = prepare_state(config).await?;
        let listener = TcpListener::bind((state.config.host, state.config.port))?;
        let port = listener.local_addr()?.port();
        let workers = match state.config.workers {
            0 => std::thread::available_parallelism().map_or(2, std::num::NonZero::get),
            n => n,
        };
        let blocking = match state.config.worker_blocking_threads {
            0 => (2 * state.config.database_pool_size as usize).max(8),
            n => n,
        };
        let app_state = state.clone();
        // One cache for every worker of the process, so a change clears it once.
        let callers = web::Data::new(crate::auth::cache::CallerCache::new(
            std::time::Duration::from_secs(state.config.caller_cache_secs),
        ));
        let server = HttpServer::new(move || {
            let state = app_state.clone();
            App::new()
                .app_data(web::Data::new(state.clone()))
                .app_data(callers.clone())
                .app_data(json_config(state.config.max_body_bytes))
                // Raw bodies (attachments, calendar XML); JSON has its own, smaller limit.
                .app_data(web::PayloadConfig::new(
                    crate::routes::appeals::MAX_ATTACHMENT_BYTES + 64 * 1024,
                ))
                .app_data(
                    web::QueryConfig::default()
                        .error_handler(|e, _| crate::routes::problem::query_error(&e).into()),
                )
                .app_data(
                    web::PathConfig::default()
                        .error_handler(|e, _| crate::routes::problem::path_error(&e).into()),
                )
                .wrap(cors(&state.config.cors_allowed_origins))
                .wrap(ErrorHandlers::new().default_handler(problem_fallback))
                .wrap(Compress::default())
                .wrap(
                    DefaultHeaders::new()
                        .add(("X-Content-Type-Options", "nosniff"))
                        .add(("Referrer-Policy", "strict-origin-when-cross-origin")),
                )
                .wrap(from_fn(observe))
                .wrap(Condition::new(
                    state.config.db_query_count_header,
                    from_fn(count_queries),
                ))
                .configure(routes::configure)
                .service(
                    SwaggerUi::new("/api/docs/{_:.*}")
                        .url("/api/openapi.json", openapi::document()),
                )
                .default_service(web::to(fallback))
        })
        .workers(workers)
        // Database reads run on each worker's blocking pool: past the pool's connections a
        // thread only waits, so the pool is bounded near it instead of actix's 512 ÷ workers.
        .worker_max_blocking_threads(blocking)
        .listen(listener)?
        .run();
        spawn_kb_refresher(&state);
        crate::jobs::spawn(&state);
        tracing::info!(port, database = state.db.backend().name(), "listening");
        Ok(Self {
            port,
            server,
            state,
        })
    }

    /// The bound port (useful with `PORT=0`).
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The state the server runs with (tests reach the pool through it).
    #[must_use]
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until the process is told to stop.
    pub fn run_until_stopped(self) -> impl Future<Output = std::io::Result<()>> {
        self.server
    }
}

/// With `DB_QUERY_COUNT_HEADER`: counts the request's SQL statements and write transactions
/// and answers them in `X-Db-Queries` (the caller's lookup apart, in `X-Db-Caller-Queries`)
/// and `X-Db-Write-Transactions`.
async fn count_queries(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let count = Arc::new(db::count::QueryCount::default());
    let mut response = db::count::counting(Arc::clone(&count), next.call(req)).await?;
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-db-queries", count.queries()),
        ("x-db-caller-queries", count.caller_queries()),
        ("x-db-write-transactions", count.writes()),
    ] {
        headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
    }
    Ok(response)
}

/// Opens the pool, migrates, seeds reference data and loads the mini-app.
///
/// # Errors
/// The database cannot be reached or migrated.
pub async fn prepare_state(config: Config) -> anyhow::Result<AppState> {
    let backend = Backend::of(&config.database_url);
    let pool = db::connect(&config.database_url, config.database_pool_size)?;
    let setup_pool = pool.clone();
    let knowledge = Arc::new(KnowledgeBase::from_config(&config));
    let setup_kb = Arc::clone(&knowledge);
    let calendars = tokio::task::spawn_blocking(move || -> anyhow::Result<Calendars> {
        let mut conn = setup_pool.get()?;
        let applied = db::migrate(&mut conn)?;
        if applied > 0 {
            tracing::info!(applied, "migrations applied");
        }
        db::seed::seed_regions(&mut conn)?;
        crate::domain::kb::store::seed_synonyms(&mut conn)?;
        setup_kb.load(&mut conn)?;
        crate::domain::calendar::seed_shipped(&mut conn)?;
        Ok(Calendars::load(&mut conn)?)
    })
    .await??;
    let static_files = StaticFiles::load(&config.static_dir, &config.frame_ancestors);
    let jwt = crate::auth::jwt::JwtKeys::new(config.jwt_secret.expose());
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .connect_timeout(std::time::Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let calendars = Arc::new(calendars);
    crate::domain::appeals::days_left::register(&calendars);
    Ok(AppState {
        calendars,
        kb: knowledge,
        http,
        issuer: crate::auth::session::Issuer::new(jwt.clone(), &config),
        hash_gate: crate::auth::hash_gate::HashGate::new(
            config.login_hash_concurrency,
            config.login_hash_queue,
        ),
        jwt,
        db: db::Db::new(pool, backend),
        metrics: Metrics::new(),
        static_files: Arc::new(static_files),
        config: Arc::new(config),
    })
}

/// JSON bodies: size limit and problem+json errors instead of actix's plain text.
#[must_use]
pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(move |err, _req| crate::routes::problem::json_error(&err, limit).into())
}

/// Unknown paths: the mini-app's files for GET/HEAD, a problem+json 404 otherwise.
async fn fallback(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let path = req.path();
    let is_read = req.method() == Method::GET || req.method() == Method::HEAD;
    if is_read && !path.starts_with("/api/") {
        if let Some(response) = state.static_files.respond(&req, path) {
            return Ok(response);
        }
    }
    Err(ApiError::RouteNotFound)
}

/// Records a metric and one log line per request: method, route pattern, status, latency.
/// Bodies, query strings and headers are never logged (they may hold tokens or names).
async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let metrics = req
        .app_data::<web::Data<AppState>>()
        .map(|s| Arc::clone(&s.metrics));
    let method = req.method().to_string();
    let response = next.call(req).await?;
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    if let Some(metrics) = metrics {
        let labels = RequestLabels {
            method: method.clone(),
            route: route.clone(),
            status,
        };
        metrics.requests.get_or_create(&labels).inc();
        metrics
            .latency
            .get_or_create(&labels)
            .observe(elapsed.as_secs_f64());
    }
    tracing::info!(%method, %route, status, latency_ms = elapsed.as_secs_f64() * 1000.0, "request");
    Ok(response)
}

/// Keeps this instance's answer engine in step with changes other instances make.
fn spawn_kb_refresher(state: &AppState) {
    let period = std::time::Duration::from_secs(state.config.kb_refresh_secs.max(1));
    let db = state.db.clone();
    let kb = Arc::clone(&state.kb);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        tick.tick().await;
        loop {
            tick.tick().await;
            let (db, kb) = (db.clone(), Arc::clone(&kb));
            let refreshed = db
                .read(move |conn| kb.refresh_if_changed(conn).map_err(ApiError::from))
                .await;
            match refreshed {
                Ok(true) => tracing::info!("knowledge base reloaded"),
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "knowledge base refresh failed"),
            }
        }
    });
}

/// The safety net: any error answer not already a problem document (actix's own plain-text
/// 4xx, e.g. an oversized raw body or a method the route lacks) becomes one.
fn problem_fallback<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = res
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let error = match res.status().as_u16() {
        404 => ApiError::RouteNotFound,
        405 => ApiError::MethodNotAllowed,
        413 => ApiError::PayloadTooLarge {
            limit: crate::routes::appeals::MAX_ATTACHMENT_BYTES,
        },
        415 => ApiError::UnsupportedMediaType,
        400..=499 => ApiError::MalformedBody("Запрос не удалось разобрать.".to_owned()),
        _ => ApiError::internal(anyhow::anyhow!("unhandled {} response", res.status())),
    };
    let (req, _) = res.into_parts();
    let response = actix_web::ResponseError::error_response(&error);
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_into_right_body(),
    ))
}

/// Browsers may call the API from the service's own origin and from the configured
/// allow-list only; credentials travel in the `Authorization` header, never in cookies.
fn cors(allowed: &[String]) -> actix_cors::Cors {
    let allowed = allowed.to_vec();
    actix_cors::Cors::default()
        .allowed_origin_fn(move |origin, req| {
            let Ok(origin) = origin.to_str() else {
                return false;
            };
            if allowed.iter().any(|a| a == origin) {
                return true;
            }
            // Same origin: the Origin's host is the Host the request was sent to.
            let host = req
                .headers
                .get(actix_web::http::header::HOST)
                .and_then(|h| h.to_str().ok());
            host.is_some_and(|h| {
                origin
                    .strip_prefix("http://")
                    .or_else(|| origin.strip_prefix("https://"))
                    == Some(h)
            })
        })
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            actix_web::http::header::AUTHORIZATION,
            actix_web::http::header::CONTENT_TYPE,
            actix_web::http::header::HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([actix_web::http::header::RETRY_AFTER])
        .max_age(3600)
}
