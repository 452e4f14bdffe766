//! Thin handlers for a member's data rights: deleting an account (the member's own, and an
//! admin's erasure), and a copy of their data (their own, and an admin's for a subject
//! access request).

use actix_session::Session;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};

use super::erasure::{self, Erased, TheirPosts};
use super::exports::{self, Export, Requested, Unavailable, Whose};
use super::pages::{self, DeleteForm};
use crate::accounts::members::Viewer;
use crate::db::{self, Db, MemberId};
use crate::forum::values::Reason;
use crate::resources::store::FileStore;
use crate::rules::RuleError;
use crate::web::context::{end_session, flash};
use crate::web::forms::FieldErrors;
use crate::web::{
    html, invalid_form, page_with_status, see_other, Admin, AppError, CurrentMember, PageCtx,
};
use crate::Site;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/account/delete", web::get().to(delete_page))
        .route("/account/delete", web::post().to(delete_account))
        .route("/admin/members/{id}/erase", web::post().to(erase_member))
        .route("/account/export", web::get().to(own_export))
        .route("/account/export", web::post().to(ask_own_export))
        // Before the emailed link's route, which would take "download" for a token.
        .route("/account/export/download", web::get().to(download_own))
        .route(
            "/account/export/{token}",
            web::get().to(download_own_by_link),
        )
        .route("/admin/members/{id}/export", web::get().to(member_export))
        .route(
            "/admin/members/{id}/export",
            web::post().to(ask_member_export),
        )
        .route(
            "/admin/members/{id}/export/download",
            web::get().to(download_member),
        )
        .route(
            "/admin/members/{id}/export/{token}",
            web::get().to(download_member_by_link),
        );
}

async fn delete_page(ctx: PageCtx, _me: CurrentMember) -> HttpResponse {
    html(pages::delete_account(
        &ctx,
        &DeleteForm::default(),
        &FieldErrors::new(),
    ))
}

impl DeleteForm {
    /// What becomes of the posts, once the deleting button (not a stray POST) sent it.
    fn parse(&self) -> Result<TheirPosts, FieldErrors> {
        let mut errors = FieldErrors::new();
        if self.confirm != "delete" {
            errors.add("confirm", "Use the “Delete” button to confirm");
        }
        let posts = errors.check("posts", TheirPosts::parse(&self.posts));
        match posts {
            Some(posts) if errors.is_empty() => Ok(posts),
            _ => Err(errors),
        }
    }
}

/// The erased member's files leave the store once their rows are gone; a file the store
/// cannot delete is logged (its resource has gone either way).
async fn delete_files(store: web::Data<FileStore>, erased: Erased) {
    for key in erased.file_keys {
        if let Err(error) = store.delete(&key).await {
            tracing::error!(%error, "an erased member's file could not be removed");
        }
    }
}

async fn delete_account(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    site: web::Data<Site>,
    store: web::Data<FileStore>,
    session: Session,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, AppError> {
    let posts = match form.parse() {
        Ok(posts) => posts,
        Err(errors) => return Ok(invalid_form(pages::delete_account(&ctx, &form, &errors))),
    };
    let base_url = site.base_url.clone();
    let erased = db
        .write(move |tx| erasure::erase_own(tx, &me, posts, &base_url, db::now()))
        .await?;
    delete_files(store, erased).await;
    end_session(&session);
    flash(
        &session,
        "Your account has been deleted. Thank you for being part of SPOT.",
    );
    Ok(see_other("/"))
}

// Actix hands each handler what it asks for: the admin, the store and the form are all needed.
#[allow(clippy::too_many_arguments)]
async fn erase_member(
    ctx: PageCtx,
    admin: Admin,
    db: web::Data<Db>,
    site: web::Data<Site>,
    store: web::Data<FileStore>,
    session: Session,
    id: web::Path<MemberId>,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let parsed = form.parse().and_then(|posts| {
        Reason::parse(&form.reason)
            .map(|reason| (posts, reason))
            .map_err(|message| FieldErrors::one("erase_reason", message))
    });
    let (posts, reason) = match parsed {
        Ok(parsed) => parsed,
        Err(errors) => return Ok(invalid_form(pages::erase_page(&ctx, id, &form, &errors))),
    };
    let base_url = site.base_url.clone();
    let erased = db
        .write(move |tx| {
            erasure::erase_member(tx, &admin, id, posts, &reason, &base_url, db::now())
        })
        .await?;
    delete_files(store, erased).await;
    flash(&session, format!("Member {id} has been erased."));
    Ok(see_other("/admin/members"))
}

/// An export page; while the export is being made it asks for itself again every few
/// seconds (the `Refresh` header), so its progress shows without JavaScript.
fn export_page(page: maud::Markup, export: Option<&Export>) -> HttpResponse {
    let mut response = html(page);
    if export.is_some_and(Export::in_progress) {
        response.headers_mut().insert(
            header::HeaderName::from_static("refresh"),
            header::HeaderValue::from(pages::REFRESH_SECONDS),
        );
    }
    response
}

/// What asking for a copy did, in a word for the page it leads back to.
fn asked(requested: &Requested) -> &'static str {
    if requested.fresh {
        "A copy is being made. An email brings the link when it is ready."
    } else {
        "A copy is being made already: this is how far it has got."
    }
}

async fn own_export(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let (_, export) = db
        .run(move |conn| Ok(exports::latest(conn, &me, Whose::Own)?))
        .await?;
    let page = pages::own_export(&ctx, export.as_ref(), db::now());
    Ok(export_page(page, export.as_ref()))
}

async fn ask_own_export(
    me: CurrentMember,
    db: web::Data<Db>,
    session: Session,
) -> Result<HttpResponse, AppError> {
    let requested = db
        .write(move |tx| exports::request(tx, &me, Whose::Own, db::now()))
        .await?;
    flash(&session, asked(&requested));
    Ok(see_other("/account/export"))
}

async fn member_export(
    ctx: PageCtx,
    admin: Admin,
    db: web::Data<Db>,
    id: web::Path<MemberId>,
) -> Result<HttpResponse, AppError> {
    let whose = Whose::Member(id.into_inner());
    let (member, export) = db
        .run(move |conn| Ok(exports::latest(conn, &admin, whose)?))
        .await?;
    let page = pages::member_export(&ctx, &member, export.as_ref(), db::now());
    Ok(export_page(page, export.as_ref()))
}

async fn ask_member_export(
    admin: Admin,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<MemberId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let requested = db
        .write(move |tx| exports::request(tx, &admin, Whose::Member(id), db::now()))
        .await?;
    flash(&session, asked(&requested));
    Ok(see_other(&format!("/admin/members/{id}/export")))
}

/// Streams the viewer's copy of `whose` data (the newest, or the one an emailed link's
/// `token` names); a copy whose time is over (or a link whose copy is gone) gets a page that
/// says so, one still being made the page that shows how far it has got.
async fn send_export(
    ctx: PageCtx,
    viewer: Viewer,
    db: web::Data<Db>,
    files: web::Data<FileStore>,
    whose: Whose,
    token: Option<String>,
) -> Result<HttpResponse, AppError> {
    let page = match whose {
        Whose::Own => "/account/export".to_owned(),
        Whose::Member(id) => format!("/admin/members/{id}/export"),
    };
    let linked = token.is_some();
    let fetched = db
        .write(move |tx| exports::download(tx, &viewer, whose, token.as_deref(), db::now()))
        .await;
    let dead = |status| page_with_status(status, pages::export_link_dead(&ctx, &page));
    let export = match fetched {
        Ok(Ok(export)) => export,
        Ok(Err(Unavailable::NotReady)) => return Ok(see_other(&page)),
        Ok(Err(Unavailable::Expired)) => return Ok(dead(StatusCode::GONE)),
        // An emailed link whose export has been deleted.
        Err(RuleError::NotFound) if linked => return Ok(dead(StatusCode::NOT_FOUND)),
        Err(refused) => return Err(refused.into()),
    };
    let Some(file) = files.find(&export.file_key).await? else {
        return Ok(dead(StatusCode::NOT_FOUND));
    };
    Ok(HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header(header::ContentDisposition::attachment(export.file_name))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        // A zip is compressed already.
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .no_chunking(file.size)
        .streaming(file.into_stream()))
}

async fn download_own(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    files: web::Data<FileStore>,
) -> Result<HttpResponse, AppError> {
    send_export(ctx, me.0, db, files, Whose::Own, None).await
}

async fn download_own_by_link(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    files: web::Data<FileStore>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = Some(token.into_inner());
    send_export(ctx, me.0, db, files, Whose::Own, token).await
}

async fn download_member(
    ctx: PageCtx,
    admin: Admin,
    db: web::Data<Db>,
    files: web::Data<FileStore>,
    id: web::Path<MemberId>,
) -> Result<HttpResponse, AppError> {
    let whose = Whose::Member(id.into_inner());
    send_export(ctx, admin.0, db, files, whose, None).await
}

async fn download_member_by_link(
    ctx: PageCtx,
    admin: Admin,
    db: web::Data<Db>,
    files: web::Data<FileStore>,
    path: web::Path<(MemberId, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, token) = path.into_inner();
    send_export(ctx, admin.0, db, files, Whose::Member(id), Some(token)).await
}
