//! Integration tests: each drives the real server over HTTP on a fresh database, once on
//! SQLite and once on PostgreSQL (when `SPOT_TEST_POSTGRES_URL` is set).

mod helpers;

mod accounts;
mod admin;
mod backup;
mod bookings;
mod concurrency;
mod conduct;
mod connect;
mod course_journey;
mod courses;
mod demo;
mod digests;
mod directory;
mod enhancements;
mod erasure;
mod evaluation;
mod export;
mod facilitator_scope;
mod forum;
mod forum_moderation;
mod held;
mod lifecycle;
mod mail_delivery;
mod marks;
mod membership;
mod messages;
mod metrics;
mod notifications;
mod pages;
mod passwords;
mod phone;
mod profiles;
mod programme_report;
mod purge;
mod resources;
mod search;
mod security;
mod security_review;
mod sessions;
mod site_pages;
mod store;
