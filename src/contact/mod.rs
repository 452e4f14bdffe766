//! The contact form: anyone, signed in or not (a member who cannot sign in, a suspended one,
//! someone thinking of joining), can write to the facilitators. A message goes through the
//! patient-data guard, is refused with what to take out when it could identify a patient
//! (only staff read it, so nothing is held), is rate-limited, stored for the facilitators'
//! page, and emailed to every facilitator and admin with a Reply-To of its sender.

pub mod letters;
pub mod messages;
pub mod pages;
pub mod routes;
