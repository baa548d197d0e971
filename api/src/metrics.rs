//! Prometheus metrics: request counts and latencies by route pattern (never by raw path,
//! so ids do not explode the label set), plus gauges that other modules set.

use std::sync::atomic::AtomicI64;
use std::sync::Arc;

use prometheus_client::encoding::{text::encode, EncodeLabelSet};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// Labels of an HTTP request metric.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// HTTP method.
    pub method: String,
    /// Matched route pattern, e.g. `/api/v1/appeals/{id}`, or `unmatched`.
    pub route: String,
    /// Status code.
    pub status: u16,
}

/// All metrics of one process.
pub struct Metrics {
    registry: Registry,
    /// Requests served.
    pub requests: Family<RequestLabels, Counter>,
    /// Request latency in seconds.
    pub latency: Family<RequestLabels, Histogram>,
    /// 1 while the database answered the last readiness check.
    pub database_up: Gauge<i64, AtomicI64>,
    /// Years needed now without a published production calendar (deadlines use the fallback).
    pub calendar_missing_years: Gauge<i64, AtomicI64>,
    /// Outbox rows waiting for delivery, refreshed on each scrape.
    pub outbox_pending: Gauge<i64, AtomicI64>,
    /// Outbox rows that gave up, refreshed on each scrape.
    pub outbox_dead: Gauge<i64, AtomicI64>,
    /// Open appeals past their deadline, refreshed on each scrape.
    pub appeals_overdue: Gauge<i64, AtomicI64>,
}

impl Metrics {
    /// Registers every metric.
    #[must_use]
    pub fn new() -> Arc<Self> {
        let mut registry = Registry::with_prefix("pomoshnik");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RequestLabels, Histogram>::new_with_constructor(|| {
            Histogram::new([
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ])
        });
        let database_up = Gauge::<i64, AtomicI64>::default();
        let calendar_missing_years = Gauge::<i64, AtomicI64>::default();
        let outbox_pending = Gauge::<i64, AtomicI64>::default();
        let outbox_dead = Gauge::<i64, AtomicI64>::default();
        let appeals_overdue = Gauge::<i64, AtomicI64>::default();
        registry.register("http_requests", "HTTP requests served", requests.clone());
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency",
            latency.clone(),
        );
        registry.register(
            "database_up",
            "Database reachable and migrated",
            database_up.clone(),
        );
        registry.register(
            "calendar_missing_years",
            "Years needed now that have no imported production calendar",
            calendar_missing_years.clone(),
        );
        registry.register(
            "outbox_pending",
            "Outbox rows waiting for delivery",
            outbox_pending.clone(),
        );
        registry.register(
            "outbox_dead",
            "Outbox rows that gave up",
            outbox_dead.clone(),
        );
        registry.register(
            "appeals_overdue",
            "Open appeals past their deadline",
            appeals_overdue.clone(),
        );
        Arc::new(Self {
            registry,
            requests,
            latency,
            database_up,
            calendar_missing_years,
            outbox_pending,
            outbox_dead,
            appeals_overdue,
        })
    }

    /// The Prometheus text exposition.
    #[must_use]
    pub fn render(&self) -> String {
        let mut out = String::new();
        if encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}
