//! The community-of-practice forum: categories, threads, posts, and facilitators who
//! moderate them.

pub mod categories;
pub mod mentions;
pub mod moderation;
pub mod pages;
pub mod patient_data;
pub mod posts;
pub mod routes;
pub mod threads;
pub mod values;

use crate::web::AppError;

/// Why a forum rule refused.
#[derive(Debug, thiserror::Error)]
pub enum ForumError {
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Forbidden(String),
    #[error("{1}")]
    Invalid(&'static str, String),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Database(diesel::result::Error),
}

impl From<diesel::result::Error> for ForumError {
    fn from(error: diesel::result::Error) -> Self {
        match error {
            diesel::result::Error::NotFound => ForumError::NotFound,
            other => ForumError::Database(other),
        }
    }
}

impl ForumError {
    pub fn forbidden(message: impl Into<String>) -> Self {
        ForumError::Forbidden(message.into())
    }
}

impl From<ForumError> for AppError {
    fn from(error: ForumError) -> Self {
        match error {
            ForumError::NotFound => AppError::NotFound,
            ForumError::Forbidden(why) => AppError::Forbidden(why),
            ForumError::Invalid(_, why) => AppError::BadRequest(why),
            ForumError::Conflict(why) => AppError::Conflict(why),
            ForumError::Database(e) => e.into(),
        }
    }
}
