//! Accounts: registration, signing in and out, profiles, passwords and their reset.

pub mod access;
pub mod confirmations;
pub mod letters;
pub mod members;
pub mod pages;
pub mod passwords;
pub mod resets;
pub mod routes;
pub mod sessions;
pub mod throttle;
pub mod tokens;
pub mod values;

pub use values::{About, Borough, DisplayName, Email, Organisation, Password, Role, StaffLevel};
