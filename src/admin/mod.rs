//! Running the site: members' staff levels, suspensions, the audit log.

pub mod pages;
pub mod routes;
pub mod staff;
