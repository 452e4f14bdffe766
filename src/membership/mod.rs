//! Verified membership: who may read and write SPOT's members-only pages. A confirmed work
//! address, an invitation, or a facilitator's approval lets a newcomer in.

pub mod applications;
pub mod domains;
pub mod invitations;
pub mod letters;
pub mod pages;
pub mod routes;
