//! Resource handlers. Uploads are read by `upload` (streamed to a temporary file, judged by
//! their content) and reach the store through `files`, only after their row is committed.

use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::files::{self, PublishError};
use super::library::{self, Filter, Resource};
use super::pages;
use super::purge as purging;
use super::sniff;
use super::store::FileStore;
use super::upload;
use super::values::{Audience, ResourceForm, Tag};
use crate::accounts::Borough;
use crate::db::paging::PageNumber;
use crate::db::{self, Db, ResourceId};
use crate::forum::forms::ReasonForm;
use crate::forum::values::Reason;
use crate::rules::RuleError;
use crate::web::context::flash;
use crate::web::forms::{first, FieldErrors, HtmlQuery};
use crate::web::{
    html, invalid_form, page_with_status, see_other, AppError, CurrentMember, Facilitator, PageCtx,
};
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
        .route("/resources/{id}/purge", web::get().to(purge_page))
        .route("/resources/{id}/purge", web::post().to(purge))
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
            for tag in Tag::parse_list(raw).map_err(AppError::BadRequest)? {
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
                    crate::notifications::watches::follows_tag(conn, me.id, tag.as_str())?,
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
    let form = ResourceForm::blank();
    let errors = FieldErrors::new();
    let page = pages::new_resource(&ctx, &form, &errors, &known, site.max_upload_mb);
    Ok(html(page))
}

/// The upload form again, with what was typed and what is wrong with it.
async fn share_again(
    ctx: &PageCtx,
    db: &Db,
    site: &Site,
    form: &ResourceForm,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    let known = db.run(|conn| Ok(library::all_tags(conn)?)).await?;
    let page = pages::new_resource(ctx, form, errors, &known, site.max_upload_mb);
    Ok(invalid_form(page))
}

async fn upload(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    site: web::Data<Site>,
    store: web::Data<FileStore>,
    session: Session,
    form: Multipart,
) -> Result<HttpResponse, AppError> {
    let (typed, file): (ResourceForm, _) =
        upload::receive(form, store.incoming_dir(), site.max_upload_mb).await?;
    let content = upload::content(&typed.url, file.as_ref()).await;
    let new = match typed.parse_new(content) {
        Ok(new) => new,
        Err(errors) => return share_again(&ctx, &db, &site, &typed, &errors).await,
    };
    let arrived = file.map(|received| received.incoming);
    let held = new.described.verdict.holds();
    match files::publish(&db, &store, me.0, new, arrived).await {
        Ok(id) => {
            flash(
                &session,
                if held {
                    HELD_NOTICE
                } else {
                    "Thank you for sharing. Your resource is in the library."
                },
            );
            Ok(see_other(&format!("/resources/{id}")))
        }
        // The only conflict an upload meets: the same bytes are in the library already.
        Err(PublishError::Refused(RuleError::Conflict(message))) => {
            let mut errors = FieldErrors::new();
            errors.add("file", message);
            share_again(&ctx, &db, &site, &typed, &errors).await
        }
        Err(error) => Err(error.into()),
    }
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
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    store: web::Data<FileStore>,
    id: web::Path<ResourceId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let resource = db
        .run(move |conn| Ok(library::download(conn, &me, id)?))
        .await?;
    let key = resource.file_key.clone().ok_or(AppError::NotFound)?;
    let Some(file) = store.find(&key).await? else {
        let page = pages::file_missing(&ctx, &resource.title);
        return Ok(page_with_status(StatusCode::NOT_FOUND, page));
    };
    let mime = resource
        .content_type
        .clone()
        .unwrap_or_else(|| "application/octet-stream".into());
    let disposition = disposition(&resource, &mime);
    Ok(files::send(file, &mime, disposition, "private, no-store"))
}

/// Shown in the browser when it is safe to, else saved; under its name as it was shared.
fn disposition(resource: &Resource, mime: &str) -> ContentDisposition {
    ContentDisposition {
        disposition: if sniff::FileType::shown_inline(mime) {
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
    }
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
    let form = ResourceForm::of(&listed);
    let page = pages::edit_resource(&ctx, &listed, &form, &FieldErrors::new(), &known);
    Ok(html(page))
}

async fn edit(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<ResourceId>,
    form: web::Form<ResourceForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let viewer = me.0.clone();
    let listed = db
        .run(move |conn| Ok(library::one(conn, &viewer, id)?))
        .await?;
    let change = match form.parse_change(listed.resource.is_file()) {
        Ok(change) => change,
        Err(errors) => {
            let known = db.run(|conn| Ok(library::all_tags(conn)?)).await?;
            let page = pages::edit_resource(&ctx, &listed, &form, &errors, &known);
            return Ok(invalid_form(page));
        }
    };
    let held = change.described.verdict.holds();
    db.write(move |tx| library::update(tx, &me, id, &change, db::now()))
        .await?;
    if held {
        flash(&session, HELD_NOTICE);
    }
    Ok(see_other(&format!("/resources/{id}")))
}

/// What the sharer is told when the guard holds their resource.
const HELD_NOTICE: &str = "Your resource is saved and waiting for a facilitator: it may identify \
     a patient or service user, so nobody else sees it until a facilitator has checked it. \
     You will be told when they have.";

async fn delete(
    me: CurrentMember,
    db: web::Data<Db>,
    store: web::Data<FileStore>,
    session: Session,
    id: web::Path<ResourceId>,
) -> Result<HttpResponse, AppError> {
    files::withdraw(&db, &store, me.0, id.into_inner()).await?;
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

async fn purge_page(
    ctx: PageCtx,
    me: Facilitator,
    db: web::Data<Db>,
    id: web::Path<ResourceId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let listed = db
        .run(move |conn| Ok(purging::target(conn, &me, id)?))
        .await?;
    Ok(html(pages::purge_resource(
        &ctx,
        &listed,
        "",
        &FieldErrors::new(),
    )))
}

async fn purge(
    ctx: PageCtx,
    me: Facilitator,
    db: web::Data<Db>,
    store: web::Data<FileStore>,
    session: Session,
    id: web::Path<ResourceId>,
    form: web::Form<ReasonForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let reason = match Reason::parse(&form.reason) {
        Ok(reason) => reason,
        Err(message) => {
            let listed = db
                .run(move |conn| Ok(purging::target(conn, &me, id)?))
                .await?;
            let errors = FieldErrors::one("reason", message);
            let page = pages::purge_resource(&ctx, &listed, &form.reason, &errors);
            return Ok(invalid_form(page));
        }
    };
    files::purge(&db, &store, me.0, id, reason).await?;
    flash(&session, "The resource has been removed everywhere.");
    Ok(see_other("/resources"))
}

/// Opens the resource's discussion thread, starting it the first time.
async fn discuss(
    me: CurrentMember,
    db: web::Data<Db>,
    id: web::Path<ResourceId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let thread = db
        .write(move |tx| library::discuss(tx, &me, id, db::now()))
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

/// The tags page again, with what is wrong with the renaming.
async fn tags_again(
    ctx: &PageCtx,
    db: &Db,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    let cloud = db.run(|conn| Ok(library::tag_cloud(conn, 500)?)).await?;
    Ok(invalid_form(pages::tags_admin(ctx, &cloud, errors)))
}

/// Renaming a tag. The page shows its fields empty again: the cloud above them is the list
/// of names to choose from.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RenameTagForm {
    from: String,
    to: String,
}

impl RenameTagForm {
    /// The tag to rename and its new name (the first tag of each field).
    fn parse(&self) -> Result<(Tag, Tag), FieldErrors> {
        let mut errors = FieldErrors::new();
        let from = errors.check("from", Tag::parse_first(&self.from)).flatten();
        let to = errors.check("to", Tag::parse_first(&self.to)).flatten();
        if let (Some(from), Some(to)) = (from, to) {
            return Ok((from, to));
        }
        if self.from.trim().is_empty() {
            errors.add("from", "Enter the tag to rename");
        }
        if self.to.trim().is_empty() {
            errors.add("to", "Enter its new name");
        }
        Err(errors)
    }
}

async fn rename_tag(
    ctx: PageCtx,
    me: Facilitator,
    db: web::Data<Db>,
    session: Session,
    form: web::Form<RenameTagForm>,
) -> Result<HttpResponse, AppError> {
    let (from, to) = match form.parse() {
        Ok(tags) => tags,
        Err(errors) => return tags_again(&ctx, &db, &errors).await,
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
            let mut errors = FieldErrors::new();
            errors.add("from", "No tag has that name");
            tags_again(&ctx, &db, &errors).await
        }
        Err(error) => Err(error.into()),
    }
}
