//! The course list and page, booking and cancelling a place, and the calendars.

use actix_session::Session;
use actix_web::http::header;
use actix_web::{web, HttpResponse};

use crate::bookings::calendar;
use crate::bookings::catalogue;
use crate::bookings::forms::{BookForm, CancelForm};
use crate::bookings::managers;
use crate::bookings::pages::{self, Visitor};
use crate::bookings::telling;
use crate::bookings::values::parse_cancel_reason;
use crate::db::{self, CourseRunId, Db, MemberId};
use crate::web::context::flash;
use crate::web::forms::FieldErrors;
use crate::web::{html, invalid_form, see_other, AppError, CurrentMember, MaybeMember, PageCtx};
use crate::Site;

pub(super) async fn list(ctx: PageCtx, db: web::Data<Db>) -> Result<HttpResponse, AppError> {
    let viewer = ctx.viewer.clone();
    let home = viewer.as_ref().map(|v| v.borough);
    let (runs, mine) = db
        .run(move |conn| {
            let runs = catalogue::upcoming(conn, home, db::now())?;
            let mine = match &viewer {
                Some(viewer) => catalogue::live_run_of(conn, viewer.id)?,
                None => None,
            };
            Ok((runs, mine))
        })
        .await?;
    Ok(html(pages::list(&ctx, &runs, home, mine)))
}

/// The course page with the viewer's standing, for showing and re-showing.
async fn detail_page(
    ctx: &PageCtx,
    db: &Db,
    site: &Site,
    id: CourseRunId,
    errors: &FieldErrors,
    form: &BookForm,
) -> Result<maud::Markup, AppError> {
    let viewer = ctx.viewer.clone();
    let (summary, standing, elsewhere, facilitator, manager) = db
        .run(move |conn| {
            let summary = catalogue::one(conn, id)?;
            let (standing, elsewhere, facilitator, manager) = match &viewer {
                Some(viewer) => {
                    let standing = catalogue::standing(conn, viewer.id, id)?;
                    let live = catalogue::live_run_of(conn, viewer.id)?;
                    let facilitates = crate::bookings::runs::facilitates(conn, viewer, id)?;
                    let manager = managers::of_booking(conn, viewer.id, id)?;
                    (
                        standing,
                        live.is_some_and(|run| run != id),
                        facilitates,
                        manager,
                    )
                }
                None => (None, false, false, None),
            };
            Ok((summary, standing, elsewhere, facilitator, manager))
        })
        .await?;
    let after_course = crate::evaluation::routes::after_course(db, ctx, id, facilitator).await?;
    let visitor = Visitor {
        may_see_link: facilitator || standing == Some(catalogue::Standing::Booked),
        standing,
        elsewhere,
        facilitator,
        errors,
        form,
        feed: ctx
            .viewer
            .as_ref()
            .map(|v| format!("{}{}", site.base_url, site.calendar_feed_path(v.id))),
        manager,
        after_course,
    };
    Ok(pages::detail(ctx, &summary, &visitor, db::now()))
}

pub(super) async fn detail(
    ctx: PageCtx,
    db: web::Data<Db>,
    site: web::Data<Site>,
    id: web::Path<CourseRunId>,
) -> Result<HttpResponse, AppError> {
    Ok(html(
        detail_page(
            &ctx,
            &db,
            &site,
            id.into_inner(),
            &FieldErrors::new(),
            &BookForm::default(),
        )
        .await?,
    ))
}

pub(super) async fn book(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    site: web::Data<Site>,
    session: Session,
    id: web::Path<CourseRunId>,
    form: web::Form<BookForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let agreement = match form.parse() {
        Ok(agreement) => agreement,
        Err(errors) => {
            let page = detail_page(&ctx, &db, &site, id, &errors, &form).await?;
            return Ok(invalid_form(page));
        }
    };
    let (viewer, base_url) = (me.0.clone(), site.base_url.clone());
    let place = db
        .write(move |tx| {
            let member = viewer.id;
            telling::book(
                tx,
                &viewer,
                member,
                id,
                &agreement,
                None,
                &base_url,
                db::now(),
            )
        })
        .await?;
    flash(&session, place.news());
    Ok(see_other(&format!("/courses/{id}")))
}

/// The cancellation page: what giving up the place means, with a box for a reason.
async fn cancel_page_for(
    ctx: &PageCtx,
    db: &Db,
    me: &CurrentMember,
    id: CourseRunId,
    form: &CancelForm,
    errors: &FieldErrors,
) -> Result<maud::Markup, AppError> {
    let member = me.0.id;
    let (summary, standing) = db
        .run(move |conn| {
            let summary = catalogue::one(conn, id)?;
            Ok((summary, catalogue::standing(conn, member, id)?))
        })
        .await?;
    let Some(standing) = standing else {
        return Err(AppError::Conflict(
            "You have no booking on this run.".into(),
        ));
    };
    Ok(pages::cancel(
        ctx,
        &summary,
        standing,
        form,
        errors,
        db::now(),
    ))
}

pub(super) async fn cancel_page(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    id: web::Path<CourseRunId>,
) -> Result<HttpResponse, AppError> {
    let (form, errors) = (CancelForm::default(), FieldErrors::new());
    let page = cancel_page_for(&ctx, &db, &me, id.into_inner(), &form, &errors);
    Ok(html(page.await?))
}

pub(super) async fn cancel(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    site: web::Data<Site>,
    session: Session,
    id: web::Path<CourseRunId>,
    form: web::Form<CancelForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let reason = match parse_cancel_reason(&form.reason) {
        Ok(reason) => reason,
        Err(message) => {
            let mut errors = FieldErrors::new();
            errors.add("reason", message);
            let page = cancel_page_for(&ctx, &db, &me, id, &form, &errors).await?;
            return Ok(invalid_form(page));
        }
    };
    let (viewer, base_url) = (me.0.clone(), site.base_url.clone());
    db.write(move |tx| telling::cancel(tx, &viewer, id, reason.as_deref(), &base_url, db::now()))
        .await?;
    flash(&session, "Your booking is cancelled.");
    Ok(see_other(&format!("/courses/{id}")))
}

fn ics(body: String, filename: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(body)
}

pub(super) async fn run_calendar(
    viewer: MaybeMember,
    db: web::Data<Db>,
    site: web::Data<Site>,
    id: web::Path<CourseRunId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (summary, booked) = db
        .run(move |conn| {
            let summary = catalogue::one(conn, id)?;
            let booked = match &viewer.0 {
                Some(v) => {
                    crate::bookings::runs::facilitates(conn, v, id)?
                        || catalogue::standing(conn, v.id, id)? == Some(catalogue::Standing::Booked)
                }
                None => false,
            };
            Ok((summary, booked))
        })
        .await?;
    Ok(ics(
        calendar::for_run(&summary.run, &summary.sessions, booked, &site.base_url),
        &format!("spot-course-{id}.ics"),
    ))
}

/// `/calendar/{member}-{signature}.ics`: a feed a calendar app can subscribe to without
/// signing in; the signature makes the address unguessable.
pub(super) async fn personal_calendar(
    db: web::Data<Db>,
    site: web::Data<Site>,
    feed: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let feed = feed.into_inner();
    let member = feed
        .strip_suffix(".ics")
        .and_then(|stem| stem.split_once('-'))
        .and_then(|(id, signature)| {
            let id: i64 = id.parse().ok()?;
            bool::from(subtle::ConstantTimeEq::ct_eq(
                site.calendar_signature(MemberId(id)).as_bytes(),
                signature.as_bytes(),
            ))
            .then_some(MemberId(id))
        })
        .ok_or(AppError::NotFound)?;
    let runs = db
        .run(move |conn| Ok(catalogue::sessions_booked_by(conn, member)?))
        .await?;
    Ok(ics(
        calendar::personal(&runs, &site.base_url),
        "my-spot-sessions.ics",
    ))
}
