//! A member's rights over their data: erasing an account (their own, or a member's by an
//! admin), leaving nothing that names them behind.

pub mod erasure;
pub mod pages;
pub mod routes;
