//! Connecting the two professions (issue 16): "my service" on a member's profile, the
//! "Your counterparts" page (`/counterparts`), and the map of Greater Manchester's ten
//! boroughs with how many link workers and OTs each has (`/map`, and on the home page when
//! an admin allows it).

pub mod counterparts;
pub mod forms;
pub mod geo;
pub mod map;
pub mod pages;
pub mod routes;
pub mod services;

/// Where a member describes their service.
pub const SERVICE_PAGE: &str = "/account/service";

/// The address of the button that starts a private conversation with a member.
pub fn contact_path(member: crate::db::MemberId) -> String {
    format!("/messages/new?to={member}")
}
