//! The shared resource library: tagged files and links that members upload, browse and
//! download.

pub mod library;
pub mod pages;
pub mod routes;
pub mod sniff;
pub mod store;
pub mod values;

use crate::db::ResourceId;
use crate::web::AppError;

#[derive(Debug, thiserror::Error)]
pub enum ResourceError {
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Forbidden(String),
    #[error("this file is already in the library as {1}")]
    Duplicate(ResourceId, String),
    #[error(transparent)]
    Database(diesel::result::Error),
}

impl From<diesel::result::Error> for ResourceError {
    fn from(error: diesel::result::Error) -> Self {
        match error {
            diesel::result::Error::NotFound => ResourceError::NotFound,
            other => ResourceError::Database(other),
        }
    }
}

impl From<ResourceError> for AppError {
    fn from(error: ResourceError) -> Self {
        match error {
            ResourceError::NotFound => AppError::NotFound,
            ResourceError::Forbidden(why) => AppError::Forbidden(why),
            ResourceError::Duplicate(_, title) => {
                AppError::Conflict(format!("This file is already in the library as “{title}”."))
            }
            ResourceError::Database(e) => e.into(),
        }
    }
}
