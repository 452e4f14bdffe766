//! Reading the upload form off the wire: its text fields into memory (bounded), its file
//! onto disk as it streams in (never whole in memory), then the file judged by its content.
//! This is the HTTP edge of sharing, so what cannot be read is refused as an `AppError`.

use std::collections::HashMap;
use std::path::Path;

use actix_multipart::{Field, Multipart, MultipartError};
use actix_web::error::PayloadError;
use actix_web::web;
use futures_util::StreamExt;
use serde::de::value::{Error as ValueError, MapDeserializer};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::sniff::{self, ALLOWED};
use super::store::{self, Incoming};
use super::values::{Content, FileName, ResourceUrl};
use crate::web::AppError;

/// A file as it arrived.
pub struct Received {
    pub incoming: Incoming,
    name: String,
    size: u64,
    sha256: String,
    head: Vec<u8>,
}

impl Received {
    /// The name the uploader's computer gave it.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Its first bytes (8 KiB, or all of a smaller file), to judge it by.
    pub fn head(&self) -> &[u8] {
        &self.head
    }
}

const TEXT_FIELD_LIMIT: usize = 64 * 1024;
/// All the text fields together: a title, a description of 10,000 characters, tags.
const TEXT_TOTAL_LIMIT: usize = 192 * 1024;
/// The upload form has eight fields; a request with many more is not a browser's.
const MAX_FIELDS: usize = 16;
/// How much of a file is kept in memory to judge its type by.
const HEAD: usize = 8192;

/// Reads an upload form (the library's `ResourceForm`, or another with a `file` field):
/// its text fields as the form, and its file if one was chosen. `max_mb` is the largest
/// file accepted.
pub async fn receive<Form: DeserializeOwned>(
    mut form: Multipart,
    incoming_dir: &Path,
    max_mb: u64,
) -> Result<(Form, Option<Received>), AppError> {
    let mut text = HashMap::new();
    let (mut file, mut fields, mut text_bytes) = (None, 0, 0);
    while let Some(field) = form.next().await {
        let field = field.map_err(|e| read_error(e, "The upload could not be read", max_mb))?;
        fields += 1;
        if fields > MAX_FIELDS {
            return Err(AppError::PayloadTooLarge(format!(
                "That form has more than {MAX_FIELDS} fields, more than the upload form ever sends. Go back to the form and try again."
            )));
        }
        let name = field.name().unwrap_or("").to_owned();
        if name != "file" {
            let value = receive_text(field, &name, &mut text_bytes, max_mb).await?;
            text.insert(name, value);
        } else if file.is_some() {
            return Err(AppError::BadRequest("Upload one file at a time".into()));
        } else {
            file = receive_file(field, incoming_dir, max_mb).await?;
        }
    }
    let form = Form::deserialize(MapDeserializer::<_, ValueError>::new(text.into_iter()))
        .map_err(|e| AppError::BadRequest(format!("The form could not be read ({e})")))?;
    Ok((form, file))
}

/// A part that could not be read: over the body's limit, or `what` went wrong.
fn read_error(error: MultipartError, what: &str, max_mb: u64) -> AppError {
    match error {
        MultipartError::Payload(PayloadError::Overflow) => file_too_large(max_mb),
        other => AppError::BadRequest(format!("{what} ({other})")),
    }
}

fn file_too_large(max_mb: u64) -> AppError {
    AppError::PayloadTooLarge(format!(
        "That file is larger than {max_mb} MB, the most SPOT accepts. Go back and choose a smaller file, or share a link to it instead."
    ))
}

fn not_stored(error: std::io::Error) -> AppError {
    AppError::BadRequest(format!("The upload could not be stored ({error})"))
}

/// A text field, within its own limit and the form's.
async fn receive_text(
    mut field: Field,
    name: &str,
    text_bytes: &mut usize,
    max_mb: u64,
) -> Result<String, AppError> {
    let mut value = Vec::new();
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(|e| read_error(e, "The form could not be read", max_mb))?;
        if value.len() + chunk.len() > TEXT_FIELD_LIMIT {
            return Err(AppError::BadRequest(format!(
                "The field {name} is too long"
            )));
        }
        *text_bytes += chunk.len();
        if *text_bytes > TEXT_TOTAL_LIMIT {
            return Err(AppError::PayloadTooLarge(
                "The form's text is longer than SPOT accepts. Shorten the description and try again.".into(),
            ));
        }
        value.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8_lossy(&value).into_owned())
}

/// The file field onto disk, hashed as it arrives; `None` when no file was chosen.
async fn receive_file(
    mut field: Field,
    incoming_dir: &Path,
    max_mb: u64,
) -> Result<Option<Received>, AppError> {
    let original = field
        .content_disposition()
        .and_then(|cd| cd.get_filename())
        .unwrap_or("")
        .to_owned();
    let incoming = Incoming::new(incoming_dir);
    let mut out = tokio::fs::File::create(incoming.path())
        .await
        .map_err(not_stored)?;
    let (mut size, mut hasher, mut head) = (0u64, Sha256::new(), Vec::new());
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(|e| read_error(e, "The upload was interrupted", max_mb))?;
        size += chunk.len() as u64;
        if size > max_mb * 1024 * 1024 {
            return Err(file_too_large(max_mb));
        }
        if head.len() < HEAD {
            head.extend_from_slice(&chunk[..chunk.len().min(HEAD - head.len())]);
        }
        hasher.update(&chunk);
        out.write_all(&chunk).await.map_err(not_stored)?;
    }
    out.flush().await.map_err(not_stored)?;
    // A file input left empty still sends an empty part with no name.
    if original.is_empty() && size == 0 {
        return Ok(None);
    }
    Ok(Some(Received {
        incoming,
        name: original,
        size,
        sha256: hex::encode(hasher.finalize()),
        head,
    }))
}

/// What the upload brings: a file, judged by its content, or a link, one or the other; or
/// the field at fault and why.
pub async fn content(
    link: &str,
    file: Option<&Received>,
) -> Result<Content, (&'static str, String)> {
    match (file, link.trim()) {
        (Some(_), link) if !link.is_empty() => {
            Err(("file", "Upload a file or give a link, not both".into()))
        }
        (None, "") => Err(("file", "Choose a file to upload, or give a link".into())),
        (None, link) => ResourceUrl::parse(link)
            .map(Content::Link)
            .map_err(|why| ("url", why)),
        (Some(received), _) => judge(received).await.map_err(|why| ("file", why)),
    }
}

/// A file SPOT accepts, by its name and its first bytes (and, for an Office document, the
/// names inside it).
async fn judge(received: &Received) -> Result<Content, String> {
    let name = FileName::parse(&received.name)?;
    if received.size == 0 {
        return Err("The file is empty".into());
    }
    let kind = match sniff::sniff(&received.head, name.as_str()) {
        Some(kind) => Some(kind),
        None => office_type(received).await,
    };
    let kind =
        kind.ok_or_else(|| format!("SPOT cannot accept that kind of file. Upload a {ALLOWED}."))?;
    Ok(Content::File {
        key: store::new_key(),
        original_name: kind.download_name(name.as_str()),
        content_type: sniff::content_type(kind, &received.head),
        size: received.size as i64,
        sha256: received.sha256.clone(),
    })
}

/// A long Office document's inner names lie beyond the first bytes: the whole file is read.
async fn office_type(received: &Received) -> Option<sniff::FileType> {
    if !received.head.starts_with(b"PK\x03\x04") {
        return None;
    }
    let path = received.incoming.path().to_owned();
    web::block(move || {
        std::fs::read(path)
            .ok()
            .and_then(|bytes| sniff::office_type(&bytes))
    })
    .await
    .ok()
    .flatten()
}
