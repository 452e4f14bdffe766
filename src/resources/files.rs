//! What is stored where: a resource's row in the database, its file in the store. A file
//! reaches the store only after its row is committed, and leaves it only after its row is
//! gone, so the library never lists a file it does not have.

use actix_web::http::header::{self, ContentDisposition};
use actix_web::HttpResponse;

use super::library;
use super::purge as purging;
use super::store::{self, FileStore, Incoming};
use super::values::{Content, NewResource};
use crate::accounts::members::Viewer;
use crate::db::{self, Db, ResourceId};
use crate::forum::values::Reason;
use crate::rules::RuleError;
use crate::web::AppError;

/// Why a resource was not shared.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The library refused it (the same file is there already: `Conflict`).
    #[error(transparent)]
    Refused(#[from] RuleError),
    /// The row was written, but the store could not take the file; the row is gone again.
    #[error("the upload could not be moved into the store: {0}")]
    Store(String),
}

impl From<PublishError> for AppError {
    fn from(error: PublishError) -> Self {
        match error {
            PublishError::Refused(error) => error.into(),
            store @ PublishError::Store(_) => AppError::Unexpected(store.into()),
        }
    }
}

/// Adds a resource to the library and then puts its upload (for a file) in the store.
/// Should the store fail, the row is removed again and the upload, dropped, deletes itself.
pub async fn publish(
    db: &Db,
    store: &FileStore,
    owner: Viewer,
    new: NewResource,
    upload: Option<Incoming>,
) -> Result<ResourceId, PublishError> {
    let key = match &new.content {
        Content::File { key, .. } => Some(key.clone()),
        Content::Link(_) => None,
    };
    let adder = owner.clone();
    let id = db
        .write(move |tx| library::add(tx, &adder, &new, db::now()))
        .await?;
    let (Some(key), Some(upload)) = (key, upload) else {
        return Ok(id);
    };
    let Err(error) = store.put(upload, &key).await else {
        return Ok(id);
    };
    db.write(move |tx| library::remove(tx, &owner, id, db::now()))
        .await?;
    Err(PublishError::Store(error.to_string()))
}

/// Deletes a resource, then its file. A file the store cannot delete is logged, not
/// refused: its resource is gone either way.
pub async fn withdraw(
    db: &Db,
    store: &FileStore,
    viewer: Viewer,
    id: ResourceId,
) -> Result<(), RuleError> {
    let key = db
        .write(move |tx| library::remove(tx, &viewer, id, db::now()))
        .await?;
    if let Some(key) = key {
        if let Err(error) = store.delete(&key).await {
            tracing::error!(%error, "a deleted resource's file could not be removed");
        }
    }
    Ok(())
}

/// Purges a resource, then deletes its file. A file the store cannot delete is logged as an
/// error naming its key: it holds what had to go, so an operator must remove it.
pub async fn purge(
    db: &Db,
    store: &FileStore,
    viewer: Viewer,
    id: ResourceId,
    reason: Reason,
) -> Result<(), RuleError> {
    let key = db
        .write(move |tx| purging::purge(tx, &viewer, id, &reason, db::now()))
        .await?;
    if let Some(key) = key {
        if let Err(error) = store.delete(&key).await {
            tracing::error!(
                %error,
                key,
                "a purged resource's file is still in the store: remove it by hand"
            );
        }
    }
    Ok(())
}

/// A stored file as the answer to a request: of type `mime`, opened or saved as
/// `disposition` says, never sniffed for another type, and in a sandbox, so that whatever it
/// holds, a browser opening it runs nothing and loads nothing; read from the store as it is
/// sent.
pub fn send(
    file: store::Download,
    mime: &str,
    disposition: ContentDisposition,
    cache_control: &'static str,
) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(mime)
        .insert_header(disposition)
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
        ))
        .insert_header((header::CACHE_CONTROL, cache_control))
        .streaming(file.into_stream())
}
