//! The programme report, for admins: per run and in total, places, bookings, the waiting
//! list, attendance per session, completion, participants by borough and profession, and
//! feedback with its before/after shift; and the community's activity per month. Charts
//! drawn as accessible SVG beside their tables, and every table as CSV.

pub mod activity;
pub mod charts;
pub mod figures;
pub mod pages;
pub mod routes;
pub mod tables;
