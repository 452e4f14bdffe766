//! The shared resource library: tagged files and links that members upload, browse and
//! download.

pub mod files;
pub mod library;
pub mod pages;
pub mod purge;
pub mod routes;
pub mod sniff;
pub mod store;
pub mod upload;
pub mod values;
