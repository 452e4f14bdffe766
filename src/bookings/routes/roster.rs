//! A run's roster for its facilitators: the page, the CSV, attendance, and booking a member
//! in.

use actix_session::Session;
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::bookings::catalogue;
use crate::bookings::forms::BookInForm;
use crate::bookings::pages;
use crate::bookings::roster;
use crate::bookings::telling;
use crate::db::{self, CourseRunId, Db, MemberId, SessionId};
use crate::rules;
use crate::web::context::flash;
use crate::web::forms::{FieldErrors, HtmlForm};
use crate::web::{html, invalid_form, see_other, AppError, Facilitator, PageCtx};
use crate::Site;

async fn roster_view(
    ctx: &PageCtx,
    db: &Db,
    me: &Facilitator,
    id: CourseRunId,
    book_in: &BookInForm,
    errors: &FieldErrors,
) -> Result<maud::Markup, AppError> {
    let viewer = me.0.clone();
    let (summary, rows, register) = db
        .run(move |conn| {
            let rows = roster::roster(conn, &viewer, id)?;
            Ok((
                catalogue::one(conn, id)?,
                rows,
                roster::attendance_of(conn, id)?,
            ))
        })
        .await?;
    let totals = roster::summary(&rows, &register);
    Ok(pages::roster(
        ctx,
        &pages::RosterPage {
            summary: &summary,
            rows: &rows,
            register: &register,
            totals: &totals,
            book_in,
            errors,
            now: db::now(),
        },
    ))
}

pub(super) async fn roster_page(
    ctx: PageCtx,
    me: Facilitator,
    db: web::Data<Db>,
    id: web::Path<CourseRunId>,
) -> Result<HttpResponse, AppError> {
    Ok(html(
        roster_view(
            &ctx,
            &db,
            &me,
            id.into_inner(),
            &BookInForm::default(),
            &FieldErrors::new(),
        )
        .await?,
    ))
}

pub(super) async fn roster_csv(
    me: Facilitator,
    db: web::Data<Db>,
    id: web::Path<CourseRunId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (rows, summary, register) = db
        .write(move |tx| {
            let rows = roster::export(tx, &me, id, db::now())?;
            Ok::<_, crate::rules::RuleError>((
                rows,
                catalogue::one(tx, id)?,
                roster::attendance_of(tx, id)?,
            ))
        })
        .await?;
    let sessions: Vec<SessionId> = summary.sessions.iter().map(|s| s.id).collect();
    let body = roster::csv(&rows, &sessions, &register)?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"spot-roster-{id}.csv\""),
        ))
        .body(body))
}

/// The register of one session: a `present` box for each member who came.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct AttendanceForm {
    present: Vec<String>,
}

impl AttendanceForm {
    /// The members ticked; a value that is no member's id is passed over.
    fn present(&self) -> Vec<MemberId> {
        self.present.iter().filter_map(|v| v.parse().ok()).collect()
    }
}

pub(super) async fn attendance(
    me: Facilitator,
    db: web::Data<Db>,
    session: Session,
    path: web::Path<(CourseRunId, SessionId)>,
    form: HtmlForm<AttendanceForm>,
) -> Result<HttpResponse, AppError> {
    let (id, register) = path.into_inner();
    let present = form.0.present();
    db.write(move |tx| roster::record_attendance(tx, &me, id, register, &present, db::now()))
        .await?;
    flash(&session, "Attendance saved.");
    Ok(see_other(&format!("/courses/{id}/roster")))
}

pub(super) async fn book_in(
    ctx: PageCtx,
    me: Facilitator,
    db: web::Data<Db>,
    site: web::Data<Site>,
    session: Session,
    id: web::Path<CourseRunId>,
    form: web::Form<BookInForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (viewer, base_url) = (me.0.clone(), site.base_url.clone());
    let booked = rules::submit(&db, form.parse(), move |tx, (email, reason)| {
        telling::book_in(tx, &viewer, &email, id, &reason, &base_url, db::now())
            // Already booked, here or elsewhere: said by the address.
            .map_err(|refused| refused.conflict_on("email"))
    })
    .await?;
    match booked {
        Ok(name) => {
            flash(&session, format!("{name} is booked in."));
            Ok(see_other(&format!("/courses/{id}/roster")))
        }
        Err(errors) => Ok(invalid_form(
            roster_view(&ctx, &db, &me, id, &form, &errors).await?,
        )),
    }
}
