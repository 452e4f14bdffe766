//! After the course: the feedback form each run's participants answer (its questions set by
//! the admin, answers named or anonymous), its results for the run's facilitators, the
//! invitation sent after the last session, and the certificate of attendance.

pub mod attendance;
pub mod certificate;
pub mod feedback;
pub mod forms;
pub mod invitations;
pub mod letters;
pub mod pages;
pub mod questions;
pub mod routes;
pub mod values;
