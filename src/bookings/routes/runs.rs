//! The admin's pages for runs of the course: the list, a new run, changing, opening, closing
//! and cancelling one, and moving a session.

use std::collections::HashMap;

use actix_session::Session;
use actix_web::{web, HttpResponse};
use chrono::NaiveDateTime;
use serde::Deserialize;

use crate::accounts::Role;
use crate::bookings::catalogue;
use crate::bookings::forms::RunForm;
use crate::bookings::pages::{self, ManageRun};
use crate::bookings::runs::{self, CourseRun};
use crate::bookings::telling;
use crate::bookings::values::{bounded, parse_london_start, session_starts};
use crate::db::{self, CourseRunId, Db, MemberId};
use crate::rules;
use crate::web::context::flash;
use crate::web::forms::{FieldErrors, HtmlForm, OneValue};
use crate::web::{html, invalid_form, see_other, Admin, AppError, PageCtx};
use crate::Site;

pub(super) async fn admin_list(
    ctx: PageCtx,
    _admin: Admin,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let runs = db.run(|conn| Ok(catalogue::all(conn)?)).await?;
    Ok(html(pages::admin_list(&ctx, &runs)))
}

async fn facilitators(db: &Db) -> Result<Vec<(MemberId, String, Role)>, AppError> {
    db.run(|conn| Ok(runs::possible_facilitators(conn)?)).await
}

pub(super) async fn new_run_page(
    ctx: PageCtx,
    _admin: Admin,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    Ok(html(pages::new_run(
        &ctx,
        &RunForm::first(),
        &FieldErrors::new(),
        &facilitators(&db).await?,
    )))
}

/// "One OT and one link worker", as the brief has it: a warning when the choice differs.
fn facilitator_warning(run: &CourseRun, people: &[(MemberId, String, Role)]) -> Option<String> {
    let role_of = |id: Option<MemberId>| {
        let id = id?;
        people
            .iter()
            .find(|(p, _, _)| *p == id)
            .map(|(_, _, role)| *role)
    };
    let ot = role_of(run.ot_facilitator_id);
    let lw = role_of(run.link_worker_facilitator_id);
    if ot == Some(Role::OccupationalTherapist) && lw == Some(Role::LinkWorker) {
        None
    } else {
        Some("Sessions are co-delivered by one occupational therapist and one link worker: this run does not have one of each yet.".into())
    }
}

pub(super) async fn create_run(
    ctx: PageCtx,
    admin: Admin,
    db: web::Data<Db>,
    session: Session,
    form: HtmlForm<RunForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.0;
    let actor = admin.0.clone();
    let created = rules::submit(&db, form.parse_new(db::now()), move |tx, new| {
        runs::create(tx, &actor, &new, db::now())
    })
    .await?;
    match created {
        Ok(id) => {
            // The run's page shows the warning about facilitators, if there is one.
            flash(&session, "The run is created and open for booking.");
            Ok(see_other(&format!("/admin/courses/{id}")))
        }
        Err(errors) => {
            let people = facilitators(&db).await?;
            Ok(invalid_form(pages::new_run(&ctx, &form, &errors, &people)))
        }
    }
}

async fn manage_view(
    ctx: &PageCtx,
    db: &Db,
    id: CourseRunId,
    form: Option<&RunForm>,
    errors: &FieldErrors,
) -> Result<maud::Markup, AppError> {
    let summary = db.run(move |conn| Ok(catalogue::one(conn, id)?)).await?;
    let people = facilitators(db).await?;
    let shown = form.cloned().unwrap_or_else(|| RunForm::of(&summary.run));
    let warning = facilitator_warning(&summary.run, &people);
    Ok(pages::manage_run(
        ctx,
        &ManageRun {
            summary: &summary,
            form: &shown,
            errors,
            people: &people,
            warning: warning.as_deref(),
        },
    ))
}

pub(super) async fn manage_page(
    ctx: PageCtx,
    _admin: Admin,
    db: web::Data<Db>,
    id: web::Path<CourseRunId>,
) -> Result<HttpResponse, AppError> {
    Ok(html(
        manage_view(&ctx, &db, id.into_inner(), None, &FieldErrors::new()).await?,
    ))
}

pub(super) async fn update_run(
    ctx: PageCtx,
    admin: Admin,
    db: web::Data<Db>,
    site: web::Data<Site>,
    session: Session,
    id: web::Path<CourseRunId>,
    form: HtmlForm<RunForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let form = form.0;
    let (actor, base_url) = (admin.0.clone(), site.base_url.clone());
    let saved = rules::submit(&db, form.parse_change(), move |tx, change| {
        telling::update_run(tx, &actor, id, &change, &base_url, db::now())
    })
    .await?;
    match saved {
        Ok(()) => {
            flash(&session, "The run is saved.");
            Ok(see_other(&format!("/admin/courses/{id}")))
        }
        Err(errors) => Ok(invalid_form(
            manage_view(&ctx, &db, id, Some(&form), &errors).await?,
        )),
    }
}

async fn set_open(
    admin: Admin,
    db: web::Data<Db>,
    session: Session,
    id: CourseRunId,
    open: bool,
) -> Result<HttpResponse, AppError> {
    db.write(move |tx| runs::set_booking_open(tx, &admin, id, open, db::now()))
        .await?;
    flash(
        &session,
        if open {
            "Booking is open."
        } else {
            "Booking is closed."
        },
    );
    Ok(see_other(&format!("/admin/courses/{id}")))
}

pub(super) async fn open_booking(
    admin: Admin,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<CourseRunId>,
) -> Result<HttpResponse, AppError> {
    set_open(admin, db, session, id.into_inner(), true).await
}

pub(super) async fn close_booking(
    admin: Admin,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<CourseRunId>,
) -> Result<HttpResponse, AppError> {
    set_open(admin, db, session, id.into_inner(), false).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct CancelRunForm {
    reason: String,
}

pub(super) async fn cancel_run(
    ctx: PageCtx,
    admin: Admin,
    db: web::Data<Db>,
    site: web::Data<Site>,
    session: Session,
    id: web::Path<CourseRunId>,
    form: web::Form<CancelRunForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (actor, base_url) = (admin.0.clone(), site.base_url.clone());
    // The rule reads the reason: it must have one, as everyone booked is told it.
    let cancelled = rules::submit(&db, Ok(form.0.reason), move |tx, reason| {
        telling::cancel_run(tx, &actor, id, &reason, &base_url, db::now())
    })
    .await?;
    match cancelled {
        Ok(told) => {
            flash(
                &session,
                format!("The run is cancelled; {told} people have been told."),
            );
            Ok(see_other(&format!("/admin/courses/{id}")))
        }
        Err(errors) => Ok(invalid_form(
            manage_view(&ctx, &db, id, None, &errors).await?,
        )),
    }
}

/// The form that moves one session. Its fields are named for the session (`session-2`,
/// `length-2`), so that each session's form on the run's page has its own ids.
#[derive(Debug, Default, Deserialize)]
pub(super) struct MoveSessionForm {
    #[serde(flatten)]
    fields: HashMap<String, OneValue>,
}

impl MoveSessionForm {
    fn value(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", |value| value.0.as_str())
    }

    /// Session `number`'s new start (UTC) and length in minutes.
    fn parse(&self, number: i32) -> Result<(NaiveDateTime, i32), FieldErrors> {
        let (start_field, length_field) = (format!("session-{number}"), format!("length-{number}"));
        let mut errors = FieldErrors::new();
        let start = errors
            .check(
                start_field.as_str(),
                parse_london_start(self.value(&start_field)),
            )
            .and_then(|local| errors.check(start_field.as_str(), session_starts(local, 1, 1)))
            .and_then(|mut starts| starts.pop());
        let minutes = errors.check(
            length_field.as_str(),
            bounded(self.value(&length_field), 120, 15, 480, "session length"),
        );
        match (start, minutes) {
            (Some(start), Some(minutes)) => Ok((start, minutes as i32)),
            _ => Err(errors),
        }
    }
}

pub(super) async fn move_session(
    ctx: PageCtx,
    admin: Admin,
    db: web::Data<Db>,
    site: web::Data<Site>,
    session: Session,
    path: web::Path<(CourseRunId, i32)>,
    form: HtmlForm<MoveSessionForm>,
) -> Result<HttpResponse, AppError> {
    let (id, number) = path.into_inner();
    let (start, minutes) = match form.0.parse(number) {
        Ok(moved) => moved,
        Err(errors) => {
            return Ok(invalid_form(
                manage_view(&ctx, &db, id, None, &errors).await?,
            ))
        }
    };
    let base_url = site.base_url.clone();
    let told = db
        .write(move |tx| {
            telling::move_session(tx, &admin, id, number, start, minutes, &base_url, db::now())
        })
        .await?;
    flash(
        &session,
        format!(
            "Session {number} has moved; {told} people have been told. Calendars that subscribed update by themselves."
        ),
    );
    Ok(see_other(&format!("/admin/courses/{id}")))
}
