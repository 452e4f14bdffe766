use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use std::collections::HashMap;

use serde::Deserialize;

use super::pages;
use super::settings::{self, Setting};
use super::staff::{self, StaffError, SuspendForm};
use crate::accounts::StaffLevel;
use crate::audit;
use crate::db::paging::PageNumber;
use crate::db::{self, Db, MemberId};
use crate::web::context::flash;
use crate::web::forms::FieldErrors;
use crate::web::{html, invalid_form, page_with_status, see_other, Admin, AppError, PageCtx};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/members", web::get().to(member_list))
        .route("/admin/members/{id}", web::get().to(member_page))
        .route("/admin/members/{id}/staff", web::post().to(set_staff))
        .route("/admin/members/{id}/suspend", web::post().to(suspend))
        .route("/admin/members/{id}/unsuspend", web::post().to(unsuspend))
        .route("/admin/audit", web::get().to(audit_page))
        .route("/admin/settings", web::get().to(settings_page))
        .route("/admin/settings", web::post().to(save_settings));
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    q: String,
    page: Option<String>,
}

async fn member_list(
    ctx: PageCtx,
    _admin: Admin,
    db: web::Data<Db>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let search = query.q.trim().to_owned();
    let page = PageNumber::parse(query.page.as_deref());
    let wanted = search.clone();
    let records = db
        .run(move |conn| {
            Ok(staff::member_records(
                conn,
                Some(wanted.as_str()).filter(|s| !s.is_empty()),
                page,
            )?)
        })
        .await?;
    Ok(html(pages::member_list(&ctx, &search, &records, db::now())))
}

async fn show_member(
    ctx: &PageCtx,
    db: &Db,
    id: MemberId,
    form: &SuspendForm,
    errors: &FieldErrors,
) -> Result<maud::Markup, AppError> {
    let record = db
        .run(move |conn| Ok(staff::member_record(conn, id)?))
        .await?;
    Ok(pages::member(ctx, &record, form, errors, db::now()))
}

async fn member_page(
    ctx: PageCtx,
    _admin: Admin,
    db: web::Data<Db>,
    id: web::Path<MemberId>,
) -> Result<HttpResponse, AppError> {
    let (form, errors) = (SuspendForm::default(), FieldErrors::new());
    let page = show_member(&ctx, &db, id.into_inner(), &form, &errors).await?;
    Ok(html(page))
}

/// A change made: back to the member's page, with a message for the admin.
fn done(
    session: &Session,
    id: MemberId,
    message: impl Into<String>,
) -> Result<HttpResponse, AppError> {
    flash(session, message);
    Ok(see_other(&format!("/admin/members/{id}")))
}

/// A refused change, re-shown on the member's page with the reason beside the field.
async fn refused(
    ctx: &PageCtx,
    db: &Db,
    id: MemberId,
    form: &SuspendForm,
    field: &'static str,
    error: StaffError,
) -> Result<HttpResponse, AppError> {
    let status = match error {
        StaffError::NotAllowed => return Err(AppError::forbidden(error.to_string())),
        StaffError::Database(e) => return Err(e.into()),
        StaffError::Unavailable(e) => return Err(e.into()),
        StaffError::ReasonMissing => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::CONFLICT,
    };
    let mut errors = FieldErrors::new();
    errors.add(field, error.to_string());
    let page = show_member(ctx, db, id, form, &errors).await?;
    Ok(page_with_status(status, page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StaffForm {
    staff: String,
}

impl StaffForm {
    fn parse(&self) -> Result<StaffLevel, FieldErrors> {
        let mut errors = FieldErrors::new();
        errors
            .check("staff", StaffLevel::parse(&self.staff))
            .ok_or(errors)
    }
}

async fn set_staff(
    ctx: PageCtx,
    admin: Admin,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<MemberId>,
    form: web::Form<StaffForm>,
) -> Result<HttpResponse, AppError> {
    let (id, blank) = (id.into_inner(), SuspendForm::default());
    let level = match form.parse() {
        Ok(level) => level,
        Err(errors) => {
            return Ok(invalid_form(
                show_member(&ctx, &db, id, &blank, &errors).await?,
            ))
        }
    };
    let actor = admin.0;
    let outcome = db
        .write(move |tx| staff::set_level(tx, &actor, id, level, db::now()))
        .await;
    match outcome {
        Ok(()) => done(
            &session,
            id,
            format!("Staff level set to {}.", level.label()),
        ),
        Err(error) => refused(&ctx, &db, id, &blank, "staff", error).await,
    }
}

async fn suspend(
    ctx: PageCtx,
    admin: Admin,
    db: web::Data<Db>,
    site: web::Data<crate::Site>,
    session: Session,
    id: web::Path<MemberId>,
    form: web::Form<SuspendForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let until = match form.parse(db::now()) {
        Ok(until) => until,
        Err(errors) => {
            return Ok(invalid_form(
                show_member(&ctx, &db, id, &form, &errors).await?,
            ))
        }
    };
    let (actor, reason, base_url) = (admin.0, form.reason.clone(), site.base_url.clone());
    let outcome = db
        .write(move |tx| staff::suspend(tx, &actor, id, until, &reason, &base_url, db::now()))
        .await;
    match outcome {
        Ok(()) => done(&session, id, "The member is suspended."),
        Err(error) => refused(&ctx, &db, id, &form, "reason", error).await,
    }
}

async fn unsuspend(
    ctx: PageCtx,
    admin: Admin,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<MemberId>,
) -> Result<HttpResponse, AppError> {
    let (id, actor, blank) = (id.into_inner(), admin.0, SuspendForm::default());
    let outcome = db
        .write(move |tx| staff::lift_suspension(tx, &actor, id, db::now()))
        .await;
    match outcome {
        Ok(()) => done(&session, id, "The suspension has been lifted."),
        Err(error) => refused(&ctx, &db, id, &blank, "reason", error).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AuditQuery {
    page: Option<String>,
}

async fn audit_page(
    ctx: PageCtx,
    _admin: Admin,
    db: web::Data<Db>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    let page = PageNumber::parse(query.page.as_deref());
    let entries = db.run(move |conn| Ok(audit::recent(conn, page)?)).await?;
    Ok(html(pages::audit_log(
        &ctx,
        &entries,
        pages::admin_nav(&ctx),
        "/admin/audit",
    )))
}

async fn settings_page(
    ctx: PageCtx,
    _admin: Admin,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let all = db.run(|conn| Ok(settings::all(conn)?)).await?;
    Ok(html(pages::settings(&ctx, &all)))
}

/// Every switch is saved: a box left unticked sends nothing, and is off.
async fn save_settings(
    admin: Admin,
    db: web::Data<Db>,
    session: Session,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let chosen: Vec<(Setting, bool)> = Setting::ALL
        .iter()
        .map(|&setting| (setting, form.contains_key(setting.slug())))
        .collect();
    let actor = admin.0;
    db.write(move |tx| {
        chosen
            .into_iter()
            .try_for_each(|(setting, on)| settings::set(tx, &actor, setting, on, db::now()))
    })
    .await?;
    flash(&session, "The settings are saved.");
    Ok(see_other("/admin/settings"))
}
