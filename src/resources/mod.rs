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
    /// The same bytes are in the library already: which resource, when the uploader may
    /// see it.
    #[error("this file is already in the library")]
    Duplicate(Option<(ResourceId, String)>),
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

/// What the uploader is told of a file the library holds already.
pub fn duplicate_message(existing: &Option<(ResourceId, String)>) -> String {
    match existing {
        Some((id, title)) => {
            format!("This file is already in the library as “{title}” (/resources/{id})")
        }
        None => "This file is already in the library".to_owned(),
    }
}

impl From<ResourceError> for AppError {
    fn from(error: ResourceError) -> Self {
        match error {
            ResourceError::NotFound => AppError::NotFound,
            ResourceError::Forbidden(why) => AppError::Forbidden(why),
            ResourceError::Duplicate(existing) => AppError::Conflict(duplicate_message(&existing)),
            ResourceError::Database(e) => e.into(),
        }
    }
}
