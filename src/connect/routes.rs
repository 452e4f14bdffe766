//! Thin handlers: the member's service form, their counterparts, and the map.

use actix_session::Session;
use actix_web::{web, HttpResponse};

use super::forms::ServiceForm;
use super::{counterparts, map, pages, services, SERVICE_PAGE};
use crate::db::{self, Db, MemberId};
use crate::web::context::flash;
use crate::web::forms::{FieldErrors, HtmlForm};
use crate::web::{html, invalid_form, see_other, AppError, CurrentMember, PageCtx};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(SERVICE_PAGE, web::get().to(service_page))
        .route(SERVICE_PAGE, web::post().to(save_service))
        .route("/counterparts", web::get().to(counterparts_page))
        .route("/map", web::get().to(map_page));
}

/// The service form as the member left it, or as sent with its errors.
async fn service_form(
    ctx: &PageCtx,
    db: &Db,
    me: MemberId,
    sent: Option<(&ServiceForm, &FieldErrors)>,
) -> Result<maud::Markup, AppError> {
    let (service, hold) = db
        .run(move |conn| Ok(services::with_held(conn, me)?))
        .await?;
    Ok(match sent {
        Some((form, errors)) => pages::service_form(ctx, form, errors, hold.as_ref()),
        None => {
            let form = ServiceForm::of(&service, hold.as_ref());
            pages::service_form(ctx, &form, &FieldErrors::new(), hold.as_ref())
        }
    })
}

async fn service_page(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    Ok(html(service_form(&ctx, &db, me.id, None).await?))
}

const HELD_SERVICE: &str = "Your service has been saved. Your new description waits for a \
     facilitator: it may identify a patient or service user, so others see your earlier \
     description until a facilitator has checked it.";

async fn save_service(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    session: Session,
    form: HtmlForm<ServiceForm>,
) -> Result<HttpResponse, AppError> {
    let (id, form) = (me.id, form.0);
    let change = match form.parse() {
        Ok(change) => change,
        Err(errors) => {
            let page = service_form(&ctx, &db, id, Some((&form, &errors))).await?;
            return Ok(invalid_form(page));
        }
    };
    let held = change.verdict.holds();
    db.write(move |tx| services::save(tx, id, &change, db::now()).map_err(AppError::from))
        .await?;
    flash(
        &session,
        if held {
            HELD_SERVICE
        } else {
            "Your service has been saved."
        },
    );
    Ok(see_other(SERVICE_PAGE))
}

async fn counterparts_page(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let found = db
        .run(move |conn| Ok(counterparts::of(conn, &me, db::now())?))
        .await?;
    Ok(html(pages::counterparts(&ctx, &found)))
}

async fn map_page(
    ctx: PageCtx,
    _me: CurrentMember,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let counts = db.run(|conn| Ok(map::counts(conn, db::now())?)).await?;
    Ok(html(pages::map(&ctx, &counts)))
}
