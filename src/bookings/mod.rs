//! Cohort bookings: runs of the course for clusters of boroughs, their sessions, places and
//! waiting lists, calendars, rosters and attendance.

pub mod calendar;
pub mod catalogue;
pub mod letters;
pub mod pages;
pub mod places;
pub mod roster;
pub mod routes;
pub mod runs;
pub mod telling;
pub mod values;

/// Why a booking rule refused.
#[derive(Debug, thiserror::Error)]
pub enum BookingError {
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{1}")]
    Invalid(&'static str, String),
    #[error(transparent)]
    Database(diesel::result::Error),
    #[error(transparent)]
    Unavailable(#[from] crate::db::DbError),
}

impl From<diesel::result::Error> for BookingError {
    fn from(error: diesel::result::Error) -> Self {
        match error {
            diesel::result::Error::NotFound => BookingError::NotFound,
            other => BookingError::Database(other),
        }
    }
}

impl From<BookingError> for crate::web::AppError {
    fn from(error: BookingError) -> Self {
        use crate::web::AppError;
        match error {
            BookingError::NotFound => AppError::NotFound,
            BookingError::Forbidden(why) => AppError::Forbidden(why),
            BookingError::Conflict(why) => AppError::Conflict(why),
            BookingError::Invalid(_, why) => AppError::BadRequest(why),
            BookingError::Database(e) => e.into(),
            BookingError::Unavailable(e) => e.into(),
        }
    }
}
