//! Resource handlers. Uploads stream to a temporary file (never whole in memory), are
//! judged by their content, and reach the store only after their row is committed.

use std::collections::HashMap;

use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{web, HttpResponse};
use futures_util::StreamExt;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::library::{self, Change, Content, Filter, NewResource};
use super::pages::{self, ResourceValues};
use super::sniff::{self, ALLOWED};
use super::store::{self, FileStore, Incoming};
use super::values::{
    clean_file_name, parse_description, parse_link, parse_tags, parse_title, Audience,
};
use crate::accounts::Borough;
use crate::db::paging::PageNumber;
use crate::db::{self, Db, ResourceId};
use crate::forum::{categories, threads, values as forum_values};
use crate::rules::RuleError;
use crate::web::context::flash;
use crate::web::forms::{first, FieldErrors, HtmlQuery};
use crate::web::{html, invalid_form, see_other, AppError, CurrentMember, Facilitator, PageCtx};
use crate::Site;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/resources", web::get().to(browse))
        .route("/resources/new", web::get().to(new_page))
        .route("/resources/new", web::post().to(upload))
        .route("/resources/tags", web::get().to(tags_page))
        .route("/resources/tags", web::post().to(rename_tag))
        .route("/resources/{id}", web::get().to(detail))
        .route("/resources/{id}/download", web::get().to(download))
        .route("/resources/{id}/edit", web::get().to(edit_page))
        .route("/resources/{id}/edit", web::post().to(edit))
        .route("/resources/{id}/delete", web::post().to(delete))
        .route("/resources/{id}/hide", web::post().to(hide))
        .route("/resources/{id}/unhide", web::post().to(unhide))
        .route("/resources/{id}/discuss", web::post().to(discuss));
}

/// The library's address: `tag` may repeat, and several tags narrow the list together.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct BrowseQuery {
    tag: Vec<String>,
    #[serde(deserialize_with = "first")]
    audience: String,
    #[serde(deserialize_with = "first")]
    borough: String,
    #[serde(deserialize_with = "first")]
    kind: String,
    #[serde(deserialize_with = "first")]
    page: String,
}

/// A value given and not blank.
fn chosen(raw: &str) -> Option<&str> {
    Some(raw.trim()).filter(|v| !v.is_empty())
}

impl BrowseQuery {
    /// The filters and the page; a value that names nothing refuses the address (400).
    fn parse(&self) -> Result<(Filter, PageNumber), AppError> {
        let mut tags = Vec::new();
        for raw in &self.tag {
            for tag in parse_tags(raw).map_err(AppError::BadRequest)? {
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
        }
        let filter = Filter {
            tags,
            audience: chosen(&self.audience)
                .map(Audience::parse)
                .transpose()
                .map_err(AppError::BadRequest)?,
            borough: chosen(&self.borough)
                .map(|b| {
                    Borough::parse(b).map_err(|_| {
                        AppError::BadRequest(format!("There is no borough called {b:?}"))
                    })
                })
                .transpose()?,
            kind: match chosen(&self.kind) {
                None => None,
                Some("file") => Some("file"),
                Some("link") => Some("link"),
                Some(other) => {
                    return Err(AppError::BadRequest(format!(
                        "There is no resource type {other:?}"
                    )))
                }
            },
        };
        Ok((filter, PageNumber::parse(chosen(&self.page))))
    }
}

async fn browse(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    query: HtmlQuery<BrowseQuery>,
) -> Result<HttpResponse, AppError> {
    let (filter, page) = query.0.parse()?;
    let shown = filter.clone();
    let (results, cloud, following) = db
        .run(move |conn| {
            let mut following = Vec::new();
            for tag in &shown.tags {
                following.push((
                    tag.clone(),
                    crate::notifications::watches::follows_tag(conn, me.id, tag)?,
                ));
            }
            Ok((
                library::browse(conn, &me, &shown, page)?,
                library::tag_cloud(conn, 60)?,
                following,
            ))
        })
        .await?;
    Ok(html(pages::browse(
        &ctx, &filter, &results, &cloud, &following,
    )))
}

async fn new_page(
    ctx: PageCtx,
    _me: CurrentMember,
    db: web::Data<Db>,
    site: web::Data<Site>,
) -> Result<HttpResponse, AppError> {
    let known = db.run(|conn| Ok(library::all_tags(conn)?)).await?;
    let values = ResourceValues {
        audience: "both".into(),
        ..ResourceValues::default()
    };
    Ok(html(pages::new_resource(
        &ctx,
        &values,
        &FieldErrors::new(),
        &known,
        site.max_upload_mb,
    )))
}

/// A file as it arrived.
struct Received {
    incoming: Incoming,
    name: String,
    size: u64,
    sha256: String,
    head: Vec<u8>,
}

/// What a field of the upload form could not be.
enum Refusal {
    /// Over a limit: the message says which.
    TooLarge(String),
    Broken(String),
}

const TEXT_FIELD_LIMIT: usize = 64 * 1024;
/// All the text fields together: a title, a description of 10,000 characters, tags.
const TEXT_TOTAL_LIMIT: usize = 192 * 1024;
/// The upload form has eight fields; a request with many more is not a browser's.
const MAX_FIELDS: usize = 16;

fn too_many_fields() -> Refusal {
    Refusal::TooLarge(format!(
        "That form has more than {MAX_FIELDS} fields, more than the upload form ever sends. Go back to the form and try again."
    ))
}

fn read_error(error: actix_multipart::MultipartError, what: &str) -> Refusal {
    match error {
        actix_multipart::MultipartError::Payload(actix_web::error::PayloadError::Overflow) => {
            Refusal::TooLarge(String::new())
        }
        other => Refusal::Broken(format!("{what} ({other})")),
    }
}

/// Reads the upload form: text fields into memory (bounded), the file onto disk.
async fn receive(
    mut form: Multipart,
    incoming_dir: &std::path::Path,
    limit: u64,
) -> Result<(HashMap<String, String>, Option<Received>), Refusal> {
    let mut text = HashMap::new();
    let (mut file, mut fields, mut text_bytes) = (None, 0, 0);
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|e| read_error(e, "The upload could not be read"))?;
        fields += 1;
        if fields > MAX_FIELDS {
            return Err(too_many_fields());
        }
        let name = field.name().unwrap_or("").to_owned();
        if name == "file" && file.is_some() {
            return Err(Refusal::Broken("Upload one file at a time".into()));
        }
        if name == "file" {
            let original = field
                .content_disposition()
                .and_then(|cd| cd.get_filename())
                .unwrap_or("")
                .to_owned();
            let incoming = Incoming::new(incoming_dir);
            let mut out = tokio::fs::File::create(incoming.path())
                .await
                .map_err(|e| Refusal::Broken(format!("The upload could not be stored ({e})")))?;
            let (mut size, mut hasher, mut head) = (0u64, Sha256::new(), Vec::new());
            while let Some(chunk) = field.next().await {
                let chunk = chunk.map_err(|e| read_error(e, "The upload was interrupted"))?;
                size += chunk.len() as u64;
                if size > limit {
                    return Err(Refusal::TooLarge(String::new()));
                }
                if head.len() < 8192 {
                    head.extend_from_slice(&chunk[..chunk.len().min(8192 - head.len())]);
                }
                hasher.update(&chunk);
                out.write_all(&chunk).await.map_err(|e| {
                    Refusal::Broken(format!("The upload could not be stored ({e})"))
                })?;
            }
            out.flush()
                .await
                .map_err(|e| Refusal::Broken(format!("The upload could not be stored ({e})")))?;
            // A file input left empty still sends an empty part with no name.
            if !(original.is_empty() && size == 0) {
                file = Some(Received {
                    incoming,
                    name: original,
                    size,
                    sha256: hex::encode(hasher.finalize()),
                    head,
                });
            }
        } else {
            let mut value = Vec::new();
            while let Some(chunk) = field.next().await {
                let chunk = chunk.map_err(|e| read_error(e, "The form could not be read"))?;
                if value.len() + chunk.len() > TEXT_FIELD_LIMIT {
                    return Err(Refusal::Broken(format!("The field {name} is too long")));
                }
                text_bytes += chunk.len();
                if text_bytes > TEXT_TOTAL_LIMIT {
                    return Err(Refusal::TooLarge(
                        "The form's text is longer than SPOT accepts. Shorten the description and try again.".into(),
                    ));
                }
                value.extend_from_slice(&chunk);
            }
            text.insert(name, String::from_utf8_lossy(&value).into_owned());
        }
    }
    Ok((text, file))
}

fn values_from(text: &HashMap<String, String>) -> ResourceValues {
    let get = |k: &str| text.get(k).cloned().unwrap_or_default();
    ResourceValues {
        title: get("title"),
        description: get("description"),
        tags: get("tags"),
        audience: get("audience"),
        borough: get("borough"),
        url: get("url"),
    }
}

/// The parts every resource form shares.
struct Described {
    title: String,
    description: String,
    tags: Vec<String>,
    audience: Audience,
    borough: Option<Borough>,
}

fn describe(values: &ResourceValues, errors: &mut FieldErrors) -> Option<Described> {
    let title = errors.check("title", parse_title(&values.title));
    let description = errors.check("description", parse_description(&values.description));
    let tags = errors.check("tags", parse_tags(&values.tags));
    let audience = errors.check("audience", Audience::parse(&values.audience));
    let borough = match values.borough.trim() {
        "" => Some(None),
        raw => errors.check("borough", Borough::parse(raw).map(Some)),
    };
    Some(Described {
        title: title?,
        description: description?,
        tags: tags?,
        audience: audience?,
        borough: borough?,
    })
}

async fn upload(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    site: web::Data<Site>,
    files: web::Data<dyn FileStore>,
    session: Session,
    form: Multipart,
) -> Result<HttpResponse, AppError> {
    let limit = site.max_upload_mb * 1024 * 1024;
    let (text, file) = match receive(form, files.incoming_dir(), limit).await {
        Ok(received) => received,
        Err(Refusal::TooLarge(why)) if why.is_empty() => {
            return Err(AppError::PayloadTooLarge(format!(
                "That file is larger than {} MB, the most SPOT accepts. Go back and choose a smaller file, or share a link to it instead.",
                site.max_upload_mb
            )))
        }
        Err(Refusal::TooLarge(why)) => return Err(AppError::PayloadTooLarge(why)),
        Err(Refusal::Broken(why)) => return Err(AppError::BadRequest(why)),
    };
    let values = values_from(&text);
    let mut errors = FieldErrors::new();
    let described = describe(&values, &mut errors);
    let content = match (&file, values.url.trim()) {
        (Some(_), link) if !link.is_empty() => {
            errors.add("file", "Upload a file or give a link, not both");
            None
        }
        (None, "") => {
            errors.add("file", "Choose a file to upload, or give a link");
            None
        }
        (None, link) => errors.check("url", parse_link(link)).map(Content::Link),
        (Some(received), _) => {
            // A long Office document's inner names lie beyond the first bytes.
            let deep = if received.head.starts_with(b"PK\x03\x04") {
                let path = received.incoming.path().to_owned();
                web::block(move || {
                    std::fs::read(path)
                        .ok()
                        .and_then(|bytes| sniff::office_type(&bytes))
                })
                .await
                .ok()
                .flatten()
            } else {
                None
            };
            check_file(received, deep, &mut errors)
        }
    };
    let (Some(described), Some(content)) = (described, content.filter(|_| errors.is_empty()))
    else {
        let known = db.run(|conn| Ok(library::all_tags(conn)?)).await?;
        return Ok(invalid_form(pages::new_resource(
            &ctx,
            &values,
            &errors,
            &known,
            site.max_upload_mb,
        )));
    };
    let key = match &content {
        Content::File { key, .. } => Some(key.clone()),
        Content::Link(_) => None,
    };
    let new = NewResource {
        title: described.title,
        description: described.description,
        tags: described.tags,
        audience: described.audience,
        borough: described.borough,
        content,
    };
    let viewer = me.0.clone();
    let outcome = db
        .write(move |tx| library::add(tx, &viewer, &new, db::now()))
        .await;
    let id = match outcome {
        Ok(id) => id,
        // The only conflict an upload meets: the same bytes are in the library already.
        Err(RuleError::Conflict(message)) => {
            errors.add("file", message);
            let known = db.run(|conn| Ok(library::all_tags(conn)?)).await?;
            return Ok(invalid_form(pages::new_resource(
                &ctx,
                &values,
                &errors,
                &known,
                site.max_upload_mb,
            )));
        }
        Err(error) => return Err(error.into()),
    };
    // The row is committed: now the file takes its place. Should that fail, the row goes.
    if let (Some(key), Some(received)) = (key, file) {
        let store = files.clone();
        let put = web::block(move || store.put(received.incoming, &key)).await;
        if !matches!(put, Ok(Ok(()))) {
            let viewer = me.0.clone();
            db.write(move |tx| library::remove(tx, &viewer, id, db::now()))
                .await?;
            return Err(AppError::Unexpected(anyhow::anyhow!(
                "the upload could not be moved into the store: {put:?}"
            )));
        }
    }
    flash(
        &session,
        "Thank you for sharing. Your resource is in the library.",
    );
    Ok(see_other(&format!("/resources/{id}")))
}

fn check_file(
    received: &Received,
    deep: Option<sniff::FileType>,
    errors: &mut FieldErrors,
) -> Option<Content> {
    let name = errors.check("file", clean_file_name(&received.name))?;
    if received.size == 0 {
        errors.add("file", "The file is empty");
        return None;
    }
    let Some(kind) = sniff::sniff(&received.head, &name).or(deep) else {
        errors.add(
            "file",
            format!("SPOT cannot accept that kind of file. Upload a {ALLOWED}."),
        );
        return None;
    };
    Some(Content::File {
        key: store::new_key(),
        original_name: kind.download_name(&name),
        content_type: sniff::content_type(kind, &received.head),
        size: received.size as i64,
        sha256: received.sha256.clone(),
    })
}

async fn detail(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    id: web::Path<ResourceId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let viewer = me.0.clone();
    let listed = db
        .run(move |conn| Ok(library::one(conn, &viewer, id)?))
        .await?;
    let may_change = library::may_change(&listed.resource, &me);
    Ok(html(pages::detail(&ctx, &listed, may_change)))
}

async fn download(
    me: CurrentMember,
    db: web::Data<Db>,
    files: web::Data<dyn FileStore>,
    id: web::Path<ResourceId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let resource = db
        .run(move |conn| Ok(library::download(conn, &me, id)?))
        .await?;
    let key = resource.file_key.clone().ok_or(AppError::NotFound)?;
    let store = files.clone();
    let file = web::block(move || store.open(&key))
        .await
        .map_err(|e| anyhow::anyhow!("blocking task failed: {e}"))?
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("stored file missing: {e}")))?;
    let mime = resource
        .content_type
        .clone()
        .unwrap_or_else(|| "application/octet-stream".into());
    let disposition = ContentDisposition {
        disposition: if sniff::FileType::shown_inline(&mime) {
            DispositionType::Inline
        } else {
            DispositionType::Attachment
        },
        parameters: vec![DispositionParam::FilenameExt(header::ExtendedValue {
            charset: header::Charset::Ext("UTF-8".into()),
            language_tag: None,
            value: resource
                .original_name
                .clone()
                .unwrap_or_else(|| "download".into())
                .into_bytes(),
        })],
    };
    let body =
        futures_util::stream::unfold(tokio::fs::File::from_std(file), |mut file| async move {
            use tokio::io::AsyncReadExt;
            let mut buffer = vec![0u8; 64 * 1024];
            match file.read(&mut buffer).await {
                Ok(0) => None,
                Ok(n) => {
                    buffer.truncate(n);
                    Some((Ok::<_, std::io::Error>(web::Bytes::from(buffer)), file))
                }
                Err(error) => Some((Err(error), file)),
            }
        });
    Ok(HttpResponse::Ok()
        .content_type(mime)
        .insert_header(disposition)
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        // Whatever the file holds, a browser opening it runs nothing and loads nothing.
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .streaming(body))
}

async fn edit_page(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    id: web::Path<ResourceId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let viewer = me.0.clone();
    let (listed, known) = db
        .run(move |conn| Ok((library::one(conn, &viewer, id)?, library::all_tags(conn)?)))
        .await?;
    if !library::may_change(&listed.resource, &me) {
        return Err(AppError::forbidden(
            "Only the person who shared it, or a facilitator, can change this resource.",
        ));
    }
    let r = &listed.resource;
    let values = ResourceValues {
        title: r.title.clone(),
        description: r.description_source.clone(),
        tags: listed.tags.join(", "),
        audience: r.audience.clone(),
        borough: r.borough.clone().unwrap_or_default(),
        url: r.url.clone().unwrap_or_default(),
    };
    Ok(html(pages::edit_resource(
        &ctx,
        &listed,
        &values,
        &FieldErrors::new(),
        &known,
    )))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct EditForm {
    title: String,
    description: String,
    tags: String,
    audience: String,
    borough: String,
    url: String,
}

async fn edit(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    id: web::Path<ResourceId>,
    form: web::Form<EditForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let form = form.into_inner();
    let values = ResourceValues {
        title: form.title,
        description: form.description,
        tags: form.tags,
        audience: form.audience,
        borough: form.borough,
        url: form.url,
    };
    let viewer = me.0.clone();
    let listed = db
        .run(move |conn| Ok(library::one(conn, &viewer, id)?))
        .await?;
    let mut errors = FieldErrors::new();
    let described = describe(&values, &mut errors);
    let url = if listed.resource.is_file() {
        None
    } else {
        errors.check("url", parse_link(&values.url))
    };
    let Some(described) = described.filter(|_| errors.is_empty()) else {
        let known = db.run(|conn| Ok(library::all_tags(conn)?)).await?;
        return Ok(invalid_form(pages::edit_resource(
            &ctx, &listed, &values, &errors, &known,
        )));
    };
    let change = Change {
        title: described.title,
        description: described.description,
        tags: described.tags,
        audience: described.audience,
        borough: described.borough,
        url,
    };
    let viewer = me.0.clone();
    db.write(move |tx| library::update(tx, &viewer, id, &change, db::now()))
        .await?;
    Ok(see_other(&format!("/resources/{id}")))
}

async fn delete(
    me: CurrentMember,
    db: web::Data<Db>,
    files: web::Data<dyn FileStore>,
    session: Session,
    id: web::Path<ResourceId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let key = db
        .write(move |tx| library::remove(tx, &me, id, db::now()))
        .await?;
    if let Some(key) = key {
        let store = files.clone();
        if let Ok(Err(error)) = web::block(move || store.delete(&key)).await {
            tracing::error!(%error, "a deleted resource's file could not be removed");
        }
    }
    flash(&session, "The resource has been deleted.");
    Ok(see_other("/resources"))
}

async fn set_hidden(
    me: Facilitator,
    db: web::Data<Db>,
    session: Session,
    id: ResourceId,
    hidden: bool,
) -> Result<HttpResponse, AppError> {
    db.write(move |tx| library::set_hidden(tx, &me, id, hidden, db::now()))
        .await?;
    flash(
        &session,
        if hidden {
            "The resource is hidden from members."
        } else {
            "The resource is shown again."
        },
    );
    Ok(see_other(&format!("/resources/{id}")))
}

async fn hide(
    me: Facilitator,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<ResourceId>,
) -> Result<HttpResponse, AppError> {
    set_hidden(me, db, session, id.into_inner(), true).await
}

async fn unhide(
    me: Facilitator,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<ResourceId>,
) -> Result<HttpResponse, AppError> {
    set_hidden(me, db, session, id.into_inner(), false).await
}

/// Opens the resource's discussion thread, starting it the first time.
async fn discuss(
    me: CurrentMember,
    db: web::Data<Db>,
    id: web::Path<ResourceId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let thread = db
        .run(move |conn| {
            conn.write_transaction(|conn| {
                let listed = library::one(conn, &me, id)?;
                if let Some(thread) = listed.resource.thread_id {
                    return Ok(thread);
                }
                let category = categories::by_slug(conn, "resource-discussions")?;
                // Resource titles may be as long as thread titles: leave room for "About: ".
                let mut short: String = listed.resource.title.chars().take(190).collect();
                if short.len() < listed.resource.title.len() {
                    short.push('…');
                }
                let title = forum_values::ThreadTitle::parse(&format!("About: {short}"))
                    .map_err(AppError::BadRequest)?;
                let body = forum_values::PostBody::parse(&format!(
                    "A thread to talk about [{}](/resources/{id}): how you use it, what works, what is missing.",
                    listed.resource.title.replace(['[', ']'], "")
                ))
                .map_err(AppError::BadRequest)?;
                let thread = threads::start(conn, &me, &category, &title, &body, db::now())?;
                library::set_thread(conn, id, thread)?;
                Ok(thread)
            })
        })
        .await?;
    Ok(see_other(&format!("/threads/{thread}")))
}

async fn tags_page(
    ctx: PageCtx,
    _me: Facilitator,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let cloud = db.run(|conn| Ok(library::tag_cloud(conn, 500)?)).await?;
    Ok(html(pages::tags_admin(&ctx, &cloud, &FieldErrors::new())))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RenameTagForm {
    from: String,
    to: String,
}

async fn rename_tag(
    ctx: PageCtx,
    me: Facilitator,
    db: web::Data<Db>,
    session: Session,
    form: web::Form<RenameTagForm>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    let from = errors
        .check("from", parse_tags(&form.from))
        .and_then(|t| t.into_iter().next());
    let to = errors
        .check("to", parse_tags(&form.to))
        .and_then(|t| t.into_iter().next());
    let (Some(from), Some(to)) = (from, to) else {
        if form.from.trim().is_empty() {
            errors.add("from", "Enter the tag to rename");
        }
        if form.to.trim().is_empty() {
            errors.add("to", "Enter its new name");
        }
        let cloud = db.run(|conn| Ok(library::tag_cloud(conn, 500)?)).await?;
        return Ok(invalid_form(pages::tags_admin(&ctx, &cloud, &errors)));
    };
    let outcome = db
        .write(move |tx| library::rename_tag(tx, &me, &from, &to, db::now()))
        .await;
    match outcome {
        Ok(()) => {
            flash(&session, "The tag has been renamed.");
            Ok(see_other("/resources/tags"))
        }
        Err(RuleError::NotFound) => {
            errors.add("from", "No tag has that name");
            let cloud = db.run(|conn| Ok(library::tag_cloud(conn, 500)?)).await?;
            Ok(invalid_form(pages::tags_admin(&ctx, &cloud, &errors)))
        }
        Err(error) => Err(error.into()),
    }
}
