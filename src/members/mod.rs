//! The member directory: link workers and OTs finding their counterparts by role and borough.

pub mod directory;
pub mod pages;
pub mod routes;
pub mod suggestions;
