//! A member's rights over their data: erasing an account (their own, or a member's by an
//! admin), leaving nothing that names them behind; and a copy of their data (their own, or
//! a member's by an admin for a subject access request), built in the background.

pub mod archive;
pub mod contents;
pub mod erasure;
pub mod exports;
pub mod letters;
pub mod pages;
pub mod routes;
pub mod worker;
