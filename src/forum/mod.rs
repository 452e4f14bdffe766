//! The community-of-practice forum: categories, threads, posts, and facilitators who
//! moderate them.

pub mod categories;
pub mod claims;
pub mod forms;
pub mod mentions;
pub mod moderation;
pub mod pages;
pub mod posts;
pub mod purge;
pub mod routes;
pub mod scope;
pub mod statistics;
pub mod threads;
pub mod values;
