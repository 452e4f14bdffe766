use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{NaiveDate, NaiveDateTime};
use serde::Deserialize;

use super::pages::{self, SuspensionValues};
use super::staff::{self, StaffError};
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
        .route("/admin/audit", web::get().to(audit_page));
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
    values: &SuspensionValues,
    errors: &FieldErrors,
) -> Result<maud::Markup, AppError> {
    let record = db
        .run(move |conn| Ok(staff::member_record(conn, id)?))
        .await?;
    Ok(pages::member(ctx, &record, values, errors, db::now()))
}

async fn member_page(
    ctx: PageCtx,
    _admin: Admin,
    db: web::Data<Db>,
    id: web::Path<MemberId>,
) -> Result<HttpResponse, AppError> {
    let page = show_member(
        &ctx,
        &db,
        id.into_inner(),
        &SuspensionValues::default(),
        &FieldErrors::new(),
    )
    .await?;
    Ok(html(page))
}

/// A refused change, re-shown on the member's page with the reason beside the field.
async fn refused(
    ctx: &PageCtx,
    db: &Db,
    id: MemberId,
    values: &SuspensionValues,
    field: &'static str,
    error: StaffError,
) -> Result<HttpResponse, AppError> {
    let status = match error {
        StaffError::NotAllowed => return Err(AppError::forbidden(error.to_string())),
        StaffError::Database(e) => return Err(e.into()),
        StaffError::ReasonMissing => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::CONFLICT,
    };
    let mut errors = FieldErrors::new();
    errors.add(field, error.to_string());
    Ok(page_with_status(
        status,
        show_member(ctx, db, id, values, &errors).await?,
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StaffForm {
    staff: String,
}

async fn set_staff(
    ctx: PageCtx,
    admin: Admin,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<MemberId>,
    form: web::Form<StaffForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let mut errors = FieldErrors::new();
    let Some(level) = errors.check("staff", StaffLevel::parse(&form.staff)) else {
        return Ok(invalid_form(
            show_member(&ctx, &db, id, &SuspensionValues::default(), &errors).await?,
        ));
    };
    let actor = admin.0.clone();
    let outcome = db
        .run(move |conn| {
            Ok(conn.write_transaction(|conn| staff::set_level(conn, &actor, id, level, db::now())))
        })
        .await?;
    match outcome {
        Ok(()) => {
            flash(&session, format!("Staff level set to {}.", level.label()));
            Ok(see_other(&format!("/admin/members/{id}")))
        }
        Err(error) => refused(&ctx, &db, id, &SuspensionValues::default(), "staff", error).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SuspendForm {
    reason: String,
    until: String,
}

/// An optional end date: the suspension ends at the start of that day (UTC).
fn parse_until(raw: &str, now: NaiveDateTime) -> Result<Option<NaiveDateTime>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| "Enter the end date as a real date, for example 2027-01-31".to_string())?;
    let until = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    if until <= now {
        return Err("The end date must be in the future".into());
    }
    Ok(Some(until))
}

async fn suspend(
    ctx: PageCtx,
    admin: Admin,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<MemberId>,
    form: web::Form<SuspendForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let values = SuspensionValues {
        reason: form.reason.clone(),
        until: form.until.clone(),
    };
    let mut errors = FieldErrors::new();
    if form.reason.trim().is_empty() {
        errors.add("reason", StaffError::ReasonMissing.to_string());
    }
    let until = errors.check("until", parse_until(&form.until, db::now()));
    let Some(until) = until.filter(|_| errors.is_empty()) else {
        return Ok(invalid_form(
            show_member(&ctx, &db, id, &values, &errors).await?,
        ));
    };
    let (actor, reason) = (admin.0.clone(), form.reason.clone());
    let outcome = db
        .run(move |conn| {
            Ok(conn.write_transaction(|conn| {
                staff::suspend(conn, &actor, id, until, &reason, db::now())
            }))
        })
        .await?;
    match outcome {
        Ok(()) => {
            flash(&session, "The member is suspended.");
            Ok(see_other(&format!("/admin/members/{id}")))
        }
        Err(error) => refused(&ctx, &db, id, &values, "reason", error).await,
    }
}

async fn unsuspend(
    ctx: PageCtx,
    admin: Admin,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<MemberId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let actor = admin.0.clone();
    let outcome = db
        .run(move |conn| {
            Ok(conn.write_transaction(|conn| staff::lift_suspension(conn, &actor, id, db::now())))
        })
        .await?;
    match outcome {
        Ok(()) => {
            flash(&session, "The suspension has been lifted.");
            Ok(see_other(&format!("/admin/members/{id}")))
        }
        Err(error) => refused(&ctx, &db, id, &SuspensionValues::default(), "reason", error).await,
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
