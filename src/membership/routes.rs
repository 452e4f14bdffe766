//! Thin handlers for the facilitators' side of membership: the applications queue and
//! invitation links.

use actix_session::Session;
use actix_web::{web, HttpResponse};

use super::applications;
use super::invitations::{self, Label, NewInvitation, Uses, ValidDays};
use super::pages::{self, InvitationForm};
use crate::db::paging::PageNumber;
use crate::db::{self, Db, InvitationId, MemberId};
use crate::forum::forms::ReasonForm;
use crate::web::context::flash;
use crate::web::forms::FieldErrors;
use crate::web::paging::PageQuery;
use crate::web::{html, invalid_form, see_other, AppError, Facilitator, PageCtx};
use crate::Site;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/moderation/applications", web::get().to(queue))
        .route(
            "/moderation/applications/{id}/approve",
            web::post().to(approve),
        )
        .route(
            "/moderation/applications/{id}/decline",
            web::post().to(decline),
        )
        .route("/invitations", web::get().to(invitations_page))
        .route("/invitations", web::post().to(make_invitation))
        .route("/invitations/{id}/revoke", web::post().to(revoke));
}

async fn queue(
    ctx: PageCtx,
    _me: Facilitator,
    db: web::Data<Db>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let page = query.number();
    let waiting = db
        .run(move |conn| Ok(applications::waiting(conn, page)?))
        .await?;
    Ok(html(pages::applications(&ctx, &waiting)))
}

async fn approve(
    me: Facilitator,
    db: web::Data<Db>,
    site: web::Data<Site>,
    session: Session,
    id: web::Path<MemberId>,
) -> Result<HttpResponse, AppError> {
    let (id, base_url) = (id.into_inner(), site.base_url.clone());
    let member = db
        .write(move |tx| applications::approve(tx, &me, id, &base_url, db::now()))
        .await?;
    flash(
        &session,
        format!("{} is approved and has been emailed.", member.display_name),
    );
    Ok(see_other("/moderation/applications"))
}

async fn decline(
    ctx: PageCtx,
    me: Facilitator,
    db: web::Data<Db>,
    site: web::Data<Site>,
    session: Session,
    id: web::Path<MemberId>,
    form: web::Form<ReasonForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let action = format!("/moderation/applications/{id}/decline");
    let reason = match form.reason(&ctx, "Decline an application", &action) {
        Ok(reason) => reason,
        Err(again) => return Ok(invalid_form(again)),
    };
    let base_url = site.base_url.clone();
    let member = db
        .write(move |tx| applications::decline(tx, &me, id, &reason, &base_url, db::now()))
        .await?;
    flash(
        &session,
        format!(
            "{}'s application is declined; they have been emailed the reason.",
            member.display_name
        ),
    );
    Ok(see_other("/moderation/applications"))
}

impl InvitationForm {
    fn parse(&self) -> Result<NewInvitation, FieldErrors> {
        let mut errors = FieldErrors::new();
        let label = errors.check("label", Label::parse(&self.label));
        let uses = errors.check("uses", Uses::parse(&self.uses));
        let valid_days = errors.check("valid_days", ValidDays::parse(&self.valid_days));
        match (label, uses, valid_days) {
            (Some(label), Some(uses), Some(valid_days)) => Ok(NewInvitation {
                label,
                uses,
                valid_days,
            }),
            _ => Err(errors),
        }
    }
}

async fn invitations_page(
    ctx: PageCtx,
    _me: Facilitator,
    db: web::Data<Db>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let page = query.number();
    let listed = db
        .run(move |conn| Ok(invitations::recent(conn, page)?))
        .await?;
    let form = InvitationForm::default();
    Ok(html(pages::invitations(
        &ctx,
        &form,
        &FieldErrors::new(),
        &listed,
        db::now(),
    )))
}

async fn make_invitation(
    ctx: PageCtx,
    me: Facilitator,
    db: web::Data<Db>,
    site: web::Data<Site>,
    session: Session,
    form: web::Form<InvitationForm>,
) -> Result<HttpResponse, AppError> {
    let new = match form.parse() {
        Ok(new) => new,
        Err(errors) => {
            let listed = db
                .run(|conn| Ok(invitations::recent(conn, PageNumber::parse(None))?))
                .await?;
            return Ok(invalid_form(pages::invitations(
                &ctx,
                &form,
                &errors,
                &listed,
                db::now(),
            )));
        }
    };
    let token = db
        .write(move |tx| invitations::make(tx, &me, &new, db::now()))
        .await?;
    // Only the token's hash is kept: this is the one time the link can be shown.
    flash(
        &session,
        format!(
            "Invitation made for {}. Send this link (it is shown only now): {}/register?invite={token}",
            form.label.trim(),
            site.base_url
        ),
    );
    Ok(see_other("/invitations"))
}

async fn revoke(
    me: Facilitator,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<InvitationId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    db.write(move |tx| invitations::revoke(tx, &me, id, db::now()))
        .await?;
    flash(
        &session,
        "The invitation is revoked: its link no longer works.",
    );
    Ok(see_other("/invitations"))
}
