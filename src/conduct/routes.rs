//! Thin handlers for a member's moderation history, notes and warnings.

use actix_session::Session;
use actix_web::{web, HttpResponse};

use super::pages::{self, NoteForm};
use crate::db::{self, Db, MemberId};
use crate::web::context::flash;
use crate::web::forms::FieldErrors;
use crate::web::{html, invalid_form, see_other, AppError, Facilitator, PageCtx};
use crate::Site;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/members/{id}/history", web::get().to(history))
        .route("/members/{id}/notes", web::post().to(add_note))
        .route("/members/{id}/warn", web::post().to(warn));
}

/// The history page, with the form and its errors as sent.
async fn page(
    ctx: &PageCtx,
    db: &Db,
    me: Facilitator,
    id: MemberId,
    form: &NoteForm,
    errors: &FieldErrors,
) -> Result<maud::Markup, AppError> {
    let record = db
        .run(move |conn| Ok(super::history(conn, &me, id)?))
        .await?;
    Ok(pages::history(ctx, &record, form, errors))
}

async fn history(
    ctx: PageCtx,
    me: Facilitator,
    db: web::Data<Db>,
    id: web::Path<MemberId>,
) -> Result<HttpResponse, AppError> {
    let form = NoteForm::default();
    let shown = page(&ctx, &db, me, id.into_inner(), &form, &FieldErrors::new()).await?;
    Ok(html(shown))
}

async fn add_note(
    ctx: PageCtx,
    me: Facilitator,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<MemberId>,
    form: web::Form<NoteForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let note = match form.note() {
        Ok(note) => note,
        Err(errors) => return Ok(invalid_form(page(&ctx, &db, me, id, &form, &errors).await?)),
    };
    db.write(move |tx| super::add_note(tx, &me, id, &note, db::now()))
        .await?;
    flash(&session, "Your note is on the member's record.");
    Ok(see_other(&format!("/members/{id}/history")))
}

async fn warn(
    ctx: PageCtx,
    me: Facilitator,
    db: web::Data<Db>,
    site: web::Data<Site>,
    session: Session,
    id: web::Path<MemberId>,
    form: web::Form<NoteForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let reason = match form.warning() {
        Ok(reason) => reason,
        Err(errors) => return Ok(invalid_form(page(&ctx, &db, me, id, &form, &errors).await?)),
    };
    let base_url = site.base_url.clone();
    db.write(move |tx| super::warn(tx, &me, id, &reason, &base_url, db::now()))
        .await?;
    flash(
        &session,
        "The member has been warned, in SPOT and by email.",
    );
    Ok(see_other(&format!("/members/{id}/history")))
}
