//! The admin's pages for runs of the course: the list, a new run, changing, opening, closing
//! and cancelling one, and moving a session.

use std::collections::HashMap;

use actix_session::Session;
use actix_web::{web, HttpResponse};
use chrono::NaiveDateTime;
use serde::Deserialize;

use crate::accounts::{Borough, Role};
use crate::bookings::catalogue::{self, RunSummary};
use crate::bookings::pages::{self, ManageRun, RunValues};
use crate::bookings::runs::{self, NewRun, RunChange};
use crate::bookings::telling;
use crate::bookings::values::{bounded, parse_london_start, session_starts, Capacity, MeetingUrl};
use crate::db::{self, CourseRunId, Db, MemberId};
use crate::rules::RuleError;
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
    let values = RunValues {
        capacity: "15".into(),
        session_count: "3".into(),
        weeks_between: "1".into(),
        duration_minutes: "120".into(),
        ..RunValues::default()
    };
    Ok(html(pages::new_run(
        &ctx,
        &values,
        &FieldErrors::new(),
        &facilitators(&db).await?,
    )))
}

fn parse_title(raw: &str) -> Result<String, String> {
    let title = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    match title.chars().count() {
        0 => Err("Enter a title".into()),
        1..=200 => Ok(title),
        _ => Err("Title must be 200 characters or fewer".into()),
    }
}

fn parse_person(raw: &str) -> Result<Option<MemberId>, String> {
    match raw.trim() {
        "" => Ok(None),
        id => id
            .parse()
            .map(Some)
            .map_err(|_| "Choose a facilitator from the list".to_string()),
    }
}

/// "One OT and one link worker", as the brief has it: a warning when the choice differs.
fn facilitator_warning(values: &RunValues, people: &[(MemberId, String, Role)]) -> Option<String> {
    let role_of = |raw: &str| {
        let id: MemberId = raw.trim().parse().ok()?;
        people
            .iter()
            .find(|(p, _, _)| *p == id)
            .map(|(_, _, role)| *role)
    };
    let ot = role_of(&values.ot_facilitator);
    let lw = role_of(&values.link_worker_facilitator);
    if ot == Some(Role::OccupationalTherapist) && lw == Some(Role::LinkWorker) {
        None
    } else {
        Some("Sessions are co-delivered by one occupational therapist and one link worker: this run does not have one of each yet.".into())
    }
}

impl RunValues {
    /// A new run, or a message for each field at fault, in the order the form shows them.
    fn parse_new(&self, now: NaiveDateTime) -> Result<NewRun, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = errors.check("title", parse_title(&self.title));
        let boroughs: Vec<Borough> = self
            .boroughs
            .iter()
            .filter_map(|b| Borough::parse(b).ok())
            .collect();
        if boroughs.is_empty() || boroughs.len() != self.boroughs.len() {
            errors.add("boroughs", "Choose the boroughs this run serves");
        }
        let capacity = errors.check("capacity", Capacity::parse(&self.capacity));
        let first = errors.check("starts_at", parse_london_start(&self.starts_at));
        let count = errors.check(
            "session_count",
            bounded(&self.session_count, 3, 1, 10, "number of sessions"),
        );
        let weeks = errors.check(
            "weeks_between",
            bounded(&self.weeks_between, 1, 1, 8, "weeks between sessions"),
        );
        let minutes = errors.check(
            "duration_minutes",
            bounded(&self.duration_minutes, 120, 15, 480, "session length"),
        );
        let meeting = self.parse_meeting(&mut errors);
        let starts = match (first, count, weeks) {
            (Some(first), Some(count), Some(weeks)) => {
                let starts = errors.check("starts_at", session_starts(first, count, weeks));
                if starts
                    .as_ref()
                    .and_then(|s| s.first())
                    .is_some_and(|s| *s <= now)
                {
                    errors.add("starts_at", "The first session must be in the future");
                }
                starts
            }
            _ => None,
        };
        match (title, capacity, starts, minutes, meeting) {
            (
                Some(title),
                Some(capacity),
                Some(session_starts),
                Some(minutes),
                Some((meeting_url, ot, lw)),
            ) if errors.is_empty() => Ok(NewRun {
                title,
                description: self.description.trim().to_owned(),
                boroughs,
                capacity,
                meeting_url,
                session_starts,
                duration_minutes: minutes as i32,
                ot_facilitator: ot,
                link_worker_facilitator: lw,
            }),
            _ => Err(errors),
        }
    }

    /// The changes to a run's details, or a message for each field at fault.
    fn parse_change(&self) -> Result<RunChange, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = errors.check("title", parse_title(&self.title));
        let capacity = errors.check("capacity", Capacity::parse(&self.capacity));
        let meeting = self.parse_meeting(&mut errors);
        match (title, capacity, meeting) {
            (Some(title), Some(capacity), Some((meeting_url, ot, lw))) if errors.is_empty() => {
                Ok(RunChange {
                    title,
                    description: self.description.trim().to_owned(),
                    capacity,
                    meeting_url,
                    ot_facilitator: ot,
                    link_worker_facilitator: lw,
                })
            }
            _ => Err(errors),
        }
    }

    /// Where the sessions meet, and who facilitates them (each field checked).
    fn parse_meeting(
        &self,
        errors: &mut FieldErrors,
    ) -> Option<(MeetingUrl, Option<MemberId>, Option<MemberId>)> {
        let meeting_url = errors.check("meeting_url", MeetingUrl::parse(&self.meeting_url));
        let ot = errors.check("ot_facilitator", parse_person(&self.ot_facilitator));
        let lw = errors.check(
            "link_worker_facilitator",
            parse_person(&self.link_worker_facilitator),
        );
        Some((meeting_url?, ot?, lw?))
    }
}

pub(super) async fn create_run(
    ctx: PageCtx,
    admin: Admin,
    db: web::Data<Db>,
    session: Session,
    form: HtmlForm<RunValues>,
) -> Result<HttpResponse, AppError> {
    let values = form.0;
    let parsed = values.parse_new(db::now());
    let people = facilitators(&db).await?;
    let new = match parsed {
        Ok(new) => new,
        Err(errors) => {
            return Ok(invalid_form(pages::new_run(
                &ctx, &values, &errors, &people,
            )))
        }
    };
    let actor = admin.0.clone();
    let outcome = db
        .write(move |tx| runs::create(tx, &actor, &new, db::now()))
        .await;
    let id = match outcome {
        Ok(id) => id,
        Err(RuleError::Invalid(field, message)) => {
            let mut errors = FieldErrors::new();
            errors.add(field, message);
            return Ok(invalid_form(pages::new_run(
                &ctx, &values, &errors, &people,
            )));
        }
        Err(error) => return Err(error.into()),
    };
    // The run's page shows the warning about facilitators, if there is one.
    flash(&session, "The run is created and open for booking.");
    Ok(see_other(&format!("/admin/courses/{id}")))
}

fn values_of(summary: &RunSummary) -> RunValues {
    let run = &summary.run;
    RunValues {
        title: run.title.clone(),
        description: run.description.clone(),
        capacity: run.capacity.to_string(),
        meeting_url: run.meeting_url.clone(),
        ot_facilitator: run
            .ot_facilitator_id
            .map(|id| id.to_string())
            .unwrap_or_default(),
        link_worker_facilitator: run
            .link_worker_facilitator_id
            .map(|id| id.to_string())
            .unwrap_or_default(),
        ..RunValues::default()
    }
}

async fn manage_view(
    ctx: &PageCtx,
    db: &Db,
    id: CourseRunId,
    values: Option<&RunValues>,
    errors: &FieldErrors,
) -> Result<maud::Markup, AppError> {
    let summary = db.run(move |conn| Ok(catalogue::one(conn, id)?)).await?;
    let people = facilitators(db).await?;
    let shown = values.cloned().unwrap_or_else(|| values_of(&summary));
    let warning = facilitator_warning(&values_of(&summary), &people);
    Ok(pages::manage_run(
        ctx,
        &ManageRun {
            summary: &summary,
            values: &shown,
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
    form: HtmlForm<RunValues>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let values = form.0;
    let change = match values.parse_change() {
        Ok(change) => change,
        Err(errors) => {
            return Ok(invalid_form(
                manage_view(&ctx, &db, id, Some(&values), &errors).await?,
            ))
        }
    };
    let (actor, base_url) = (admin.0.clone(), site.base_url.clone());
    let outcome = db
        .write(move |tx| telling::update_run(tx, &actor, id, &change, &base_url, db::now()))
        .await;
    match outcome {
        Ok(()) => {
            flash(&session, "The run is saved.");
            Ok(see_other(&format!("/admin/courses/{id}")))
        }
        Err(RuleError::Invalid(field, message)) => {
            let mut errors = FieldErrors::new();
            errors.add(field, message);
            Ok(invalid_form(
                manage_view(&ctx, &db, id, Some(&values), &errors).await?,
            ))
        }
        Err(error) => Err(error.into()),
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
    let actor = admin.0.clone();
    let (reason, base_url) = (form.reason.clone(), site.base_url.clone());
    let outcome = db
        .write(move |tx| telling::cancel_run(tx, &actor, id, &reason, &base_url, db::now()))
        .await;
    match outcome {
        Ok(told) => {
            flash(
                &session,
                format!("The run is cancelled; {told} people have been told."),
            );
            Ok(see_other(&format!("/admin/courses/{id}")))
        }
        Err(RuleError::Invalid(field, message)) => {
            let mut errors = FieldErrors::new();
            errors.add(field, message);
            Ok(invalid_form(
                manage_view(&ctx, &db, id, None, &errors).await?,
            ))
        }
        Err(error) => Err(error.into()),
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
