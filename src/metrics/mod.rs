//! `GET /metrics`: how SPOT is doing, in the Prometheus text format, for this machine or a
//! scraper with `SPOT_METRICS_TOKEN` ([`access`]); what is counted and how it is written
//! ([`registry`]). The request log ([`crate::web::access_log`]) counts every response.

pub mod access;
pub mod registry;
pub mod routes;

pub use registry::Metrics;
