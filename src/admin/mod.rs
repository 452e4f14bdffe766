//! Running the site: members' staff levels, suspensions, the audit log, the site's settings.

pub mod pages;
pub mod routes;
pub mod settings;
pub mod staff;
