//! Notifications: members hear about what concerns them, in the app and by email.
//!
//! Rules elsewhere call [`events`] inside their transactions; the [`worker`] turns what is
//! stored into letters ([`compose`]) and sends them from the [`outbox`]. What each letter
//! carries is kept beside it, so that a purge can [`recall`] the letters not yet sent.

pub mod compose;
pub mod events;
pub mod inbox;
pub mod outbox;
pub mod pages;
pub mod recall;
pub mod routes;
pub mod settings;
pub mod unsubscribe;
pub mod values;
pub mod watches;
pub mod worker;

pub use values::{Cadence, Scope, Topic};
