//! Thin handlers for deleting an account: the member's own, and an admin's erasure.

use actix_session::Session;
use actix_web::{web, HttpResponse};

use super::erasure::{self, Erased, TheirPosts};
use super::pages::{self, DeleteForm};
use crate::db::{self, Db, MemberId};
use crate::forum::values::Reason;
use crate::resources::store::FileStore;
use crate::web::context::{end_session, flash};
use crate::web::forms::FieldErrors;
use crate::web::{html, invalid_form, see_other, Admin, AppError, CurrentMember, PageCtx};
use crate::Site;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/account/delete", web::get().to(delete_page))
        .route("/account/delete", web::post().to(delete_account))
        .route("/admin/members/{id}/erase", web::post().to(erase_member));
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
async fn delete_files(store: web::Data<dyn FileStore>, erased: Erased) {
    for key in erased.file_keys {
        let store = store.clone();
        if let Ok(Err(error)) = web::block(move || store.delete(&key)).await {
            tracing::error!(%error, "an erased member's file could not be removed");
        }
    }
}

async fn delete_account(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    site: web::Data<Site>,
    store: web::Data<dyn FileStore>,
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
    store: web::Data<dyn FileStore>,
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
