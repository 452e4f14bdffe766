//! Notifications: members hear about what concerns them, in the app and by email.
//!
//! Rules elsewhere call [`events`] inside their transactions; the [`worker`] turns what is
//! stored into letters ([`compose`]) and sends them from the [`outbox`].

pub mod compose;
pub mod events;
pub mod inbox;
pub mod outbox;
pub mod pages;
pub mod routes;
pub mod settings;
pub mod unsubscribe;
pub mod values;
pub mod watches;
pub mod worker;

pub use values::{Cadence, Scope, Topic};
