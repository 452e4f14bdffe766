//! Thin handlers for the queue of held items.

use actix_session::Session;
use actix_web::{web, HttpResponse};

use super::decisions::{self, HeldItem, Redaction};
use super::pages::{self, RedactForm};
use super::HoldKind;
use crate::accounts::values::About;
use crate::connect::forms::service_texts;
use crate::db::{self, Db, HoldId};
use crate::forum::forms::ReasonForm;
use crate::forum::values::{PostBody, Reason, ThreadTitle};
use crate::messages::values::MessageBody;
use crate::resources::values::{ResourceDescription, ResourceTitle};
use crate::web::context::flash;
use crate::web::forms::FieldErrors;
use crate::web::paging::PageQuery;
use crate::web::{html, invalid_form, see_other, AppError, Facilitator, PageCtx};
use crate::Site;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/moderation/held", web::get().to(queue))
        .route("/moderation/held/{id}/approve", web::post().to(approve))
        .route("/moderation/held/{id}/redact", web::get().to(redact_page))
        .route("/moderation/held/{id}/redact", web::post().to(redact))
        .route(
            "/moderation/held/{id}/return",
            web::post().to(return_to_author),
        );
}

async fn queue(
    ctx: PageCtx,
    me: Facilitator,
    db: web::Data<Db>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let page = query.number();
    let items = db
        .run(move |conn| Ok(decisions::queue(conn, &me, page)?))
        .await?;
    Ok(html(pages::queue(&ctx, &items)))
}

async fn approve(
    me: Facilitator,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<HoldId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    db.write(move |tx| decisions::approve(tx, &me, id, db::now()))
        .await?;
    flash(
        &session,
        "Approved: it is published, and its author has been told.",
    );
    Ok(see_other("/moderation/held"))
}

/// The waiting item with this id, as the queue shows it.
async fn item(db: &Db, me: Facilitator, id: HoldId) -> Result<HeldItem, AppError> {
    db.run(move |conn| Ok(decisions::waiting_item(conn, &me, id)?))
        .await
}

async fn redact_page(
    ctx: PageCtx,
    me: Facilitator,
    db: web::Data<Db>,
    id: web::Path<HoldId>,
) -> Result<HttpResponse, AppError> {
    let item = item(&db, me, id.into_inner()).await?;
    let form = RedactForm::of(&item);
    Ok(html(pages::redact(&ctx, &item, &form, &FieldErrors::new())))
}

async fn redact(
    ctx: PageCtx,
    me: Facilitator,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<HoldId>,
    form: web::Form<RedactForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let item = item(&db, me.clone(), id).await?;
    let (redaction, note) = match form.parse(item.hold.kind) {
        Ok(parsed) => parsed,
        Err(errors) => return Ok(invalid_form(pages::redact(&ctx, &item, &form, &errors))),
    };
    db.write(move |tx| decisions::redact(tx, &me, id, &redaction, &note, db::now()))
        .await?;
    flash(
        &session,
        "Published without the details; its author has been told why.",
    );
    Ok(see_other("/moderation/held"))
}

async fn return_to_author(
    ctx: PageCtx,
    me: Facilitator,
    db: web::Data<Db>,
    site: web::Data<Site>,
    session: Session,
    id: web::Path<HoldId>,
    form: web::Form<ReasonForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let action = format!("/moderation/held/{id}/return");
    let reason = match form.reason(&ctx, "Return a held item to its author", &action) {
        Ok(reason) => reason,
        Err(again) => return Ok(invalid_form(again)),
    };
    let kept_days = site.retention.returned_holds;
    db.write(move |tx| decisions::return_to_author(tx, &me, id, &reason, kept_days, db::now()))
        .await?;
    flash(
        &session,
        "Returned: its author has been told why, and can correct it.",
    );
    Ok(see_other("/moderation/held"))
}

impl RedactForm {
    /// The facilitator's version, parsed for the kind of item, and their note. A version
    /// in which the guard still finds something is refused by its field: approve the item
    /// instead when what it finds is harmless.
    fn parse(&self, kind: HoldKind) -> Result<(Redaction, Reason), FieldErrors> {
        let mut errors = FieldErrors::new();
        let redaction = match kind {
            HoldKind::Thread | HoldKind::Post => {
                let title = match kind {
                    HoldKind::Thread => errors.check("title", ThreadTitle::parse(&self.title)),
                    _ => None,
                };
                let body = errors.check("body", PostBody::parse(&self.body));
                body.map(|body| Redaction::Post { title, body })
            }
            HoldKind::Resource => {
                let title = errors.check("title", ResourceTitle::parse(&self.title));
                let description =
                    errors.check("description", ResourceDescription::parse(&self.description));
                title
                    .zip(description)
                    .map(|(title, description)| Redaction::Resource { title, description })
            }
            HoldKind::Profile => errors
                .check("about", About::parse(&self.about))
                .map(Redaction::Profile),
            HoldKind::Message => errors
                .check("body", MessageBody::parse(&self.body))
                .map(Redaction::Message),
            HoldKind::Service => {
                service_texts(&mut errors, [&self.offers, &self.who_for, &self.referral])
                    .map(Redaction::Service)
            }
        };
        for (field, text) in [
            ("title", &self.title),
            ("body", &self.body),
            ("description", &self.description),
            ("about", &self.about),
            ("offers", &self.offers),
            ("who_for", &self.who_for),
            ("referral", &self.referral),
        ] {
            if let Err(message) = crate::guard::refuse_identifying(text) {
                errors.add(field, message);
            }
        }
        let note = errors.check("note", Reason::parse(&self.note));
        match (redaction, note) {
            (Some(redaction), Some(note)) if errors.is_empty() => Ok((redaction, note)),
            _ => Err(errors),
        }
    }
}
