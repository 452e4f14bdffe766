//! What SPOT counts, and how it is written for Prometheus. One [`Metrics`] per server: the
//! request log adds to it as responses go out, the mail worker as digests run, and the
//! rest (pool, outbox, last digests) is read when a scraper asks.
//!
//! Labels come from a short list of values, never from what a request or a member wrote:
//! the route's *pattern* (`/threads/{id}`), a known method, the status. Paths carry member
//! ids and secret tokens, and would make a series per member.

use std::sync::atomic::AtomicU64;
use std::sync::Mutex;
use std::time::Duration;

use chrono::NaiveDateTime;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::db::{Db, PoolState};
use crate::notifications::compose::{DigestRun, Finished};
use crate::notifications::outbox::Backlog;
use crate::notifications::values::Cadence;

/// The Prometheus text format's media type (version 0.0.4).
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// Response times, from 5 ms to 10 s (Prometheus' own default buckets).
const LATENCY_BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Methods counted under their own name; any other is counted as `other`.
const METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: &'static str,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
    method: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DigestLabels {
    cadence: &'static str,
    /// `ran`: this node finished the period's digests; `found_done`: when this node first
    /// looked at the period, another node (or this one before a restart) had finished it.
    outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CadenceLabels {
    cadence: String,
}

type FloatGauge = Gauge<f64, AtomicU64>;

/// What the database says when a scraper asks.
#[derive(Debug, Clone, Default)]
pub struct Standing {
    pub outbox: Backlog,
    /// When each cadence's digests were last finished, by any node.
    pub last_digests: Vec<(String, NaiveDateTime)>,
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    pool_connections: Gauge,
    pool_idle: Gauge,
    pool_max: Gauge,
    outbox_depth: Gauge,
    outbox_oldest_age: FloatGauge,
    outbox_given_up: Gauge,
    digest_runs: Family<DigestLabels, Counter>,
    last_digest: Family<CadenceLabels, FloatGauge>,
    /// The last period of each cadence counted here, so that a period is counted once.
    digest_periods: Mutex<Vec<(Cadence, String)>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

impl Metrics {
    /// The metrics of a server over `db`, whose waits for connections they include.
    pub fn new(db: &Db) -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "spot_http_requests",
            "HTTP responses by route pattern, method and status",
            requests.clone(),
        );
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        registry.register(
            "spot_http_request_duration_seconds",
            "Time from a request's arrival to its response's head, by route pattern and method",
            latency.clone(),
        );
        registry.register(
            "spot_db_pool_wait_seconds",
            "Time spent waiting for a database connection from the pool",
            db.pool_waits().clone(),
        );
        let gauge = |registry: &mut Registry, name: &str, help: &str| {
            let gauge = Gauge::default();
            registry.register(name, help, gauge.clone());
            gauge
        };
        let pool_connections = gauge(
            &mut registry,
            "spot_db_pool_connections",
            "Database connections open in the pool, busy or idle",
        );
        let pool_idle = gauge(
            &mut registry,
            "spot_db_pool_idle_connections",
            "Database connections open and idle",
        );
        let pool_max = gauge(
            &mut registry,
            "spot_db_pool_max_connections",
            "The most database connections the pool opens",
        );
        let outbox_depth = gauge(
            &mut registry,
            "spot_outbox_depth",
            "Emails waiting in the outbox: neither sent nor given up",
        );
        let outbox_oldest_age = FloatGauge::default();
        registry.register(
            "spot_outbox_oldest_age_seconds",
            "How long the oldest email still waiting has waited (0 when none waits)",
            outbox_oldest_age.clone(),
        );
        let outbox_given_up = gauge(
            &mut registry,
            "spot_outbox_given_up",
            "Emails given up after too many failed attempts (see /admin/outbox)",
        );
        let digest_runs = Family::<DigestLabels, Counter>::default();
        registry.register(
            "spot_digest_runs",
            "Digest periods by cadence: finished by this node (ran) or found finished (found_done)",
            digest_runs.clone(),
        );
        let last_digest = Family::<CadenceLabels, FloatGauge>::default();
        registry.register(
            "spot_digest_last_finished_timestamp_seconds",
            "When each cadence's digests were last finished, by any node (Unix time)",
            last_digest.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            pool_connections,
            pool_idle,
            pool_max,
            outbox_depth,
            outbox_oldest_age,
            outbox_given_up,
            digest_runs,
            last_digest,
            digest_periods: Mutex::new(Vec::new()),
        }
    }

    /// A response: `route` is the matched pattern, never the path.
    pub fn request(&self, route: &str, method: &str, status: u16, took: Duration) {
        let method = METHODS
            .into_iter()
            .find(|known| *known == method)
            .unwrap_or("other");
        let route = route.to_owned();
        self.requests
            .get_or_create(&RequestLabels {
                route: route.clone(),
                method,
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels { route, method })
            .observe(took.as_secs_f64());
    }

    /// Where a period's digests stood after the mail worker's round: counted once a period.
    pub fn digest_run(&self, run: &DigestRun) {
        let mut periods = self
            .digest_periods
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let seen = periods
            .iter()
            .any(|(cadence, period)| *cadence == run.cadence && *period == run.period);
        let outcome = match run.finished {
            Finished::Here => "ran",
            Finished::Elsewhere if seen => return,
            Finished::Elsewhere => "found_done",
        };
        periods.retain(|(cadence, _)| *cadence != run.cadence);
        periods.push((run.cadence, run.period.clone()));
        self.digest_runs
            .get_or_create(&DigestLabels {
                cadence: run.cadence.slug(),
                outcome,
            })
            .inc();
    }

    /// The whole registry in the Prometheus text format, the gauges set from `pool` and
    /// `standing` as they are now (`now`: UTC).
    pub fn render(
        &self,
        pool: PoolState,
        standing: &Standing,
        now: NaiveDateTime,
    ) -> Result<String, std::fmt::Error> {
        self.pool_connections.set(i64::from(pool.connections));
        self.pool_idle.set(i64::from(pool.idle));
        self.pool_max.set(i64::from(pool.max));
        self.outbox_depth.set(standing.outbox.waiting);
        self.outbox_given_up.set(standing.outbox.given_up);
        let oldest_age = standing
            .outbox
            .oldest
            .map_or(0.0, |oldest| (now - oldest).as_seconds_f64().max(0.0));
        self.outbox_oldest_age.set(oldest_age);
        for (cadence, finished_at) in &standing.last_digests {
            self.last_digest
                .get_or_create(&CadenceLabels {
                    cadence: cadence.clone(),
                })
                .set(finished_at.and_utc().timestamp() as f64);
        }
        let mut text = String::new();
        prometheus_client::encoding::prometheus_text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}
