//! The admin's pages for runs of the course: the list, a new run, changing, opening, closing
//! and cancelling one, and moving a session.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::{field, form_pairs};
use crate::accounts::{Borough, Role};
use crate::bookings::catalogue::{self, RunSummary};
use crate::bookings::pages::{self, ManageRun, RunValues};
use crate::bookings::runs::{self, NewRun, RunChange};
use crate::bookings::telling;
use crate::bookings::values::{bounded, parse_london_start, session_starts, Capacity, MeetingUrl};
use crate::bookings::BookingError;
use crate::db::{self, CourseRunId, Db, MemberId};
use crate::web::context::flash;
use crate::web::forms::FieldErrors;
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

fn run_values(pairs: &[(String, String)]) -> RunValues {
    RunValues {
        title: field(pairs, "title"),
        description: field(pairs, "description"),
        boroughs: pairs
            .iter()
            .filter(|(k, _)| k == "boroughs")
            .map(|(_, v)| v.clone())
            .collect(),
        capacity: field(pairs, "capacity"),
        starts_at: field(pairs, "starts_at"),
        session_count: field(pairs, "session_count"),
        weeks_between: field(pairs, "weeks_between"),
        duration_minutes: field(pairs, "duration_minutes"),
        meeting_url: field(pairs, "meeting_url"),
        ot_facilitator: field(pairs, "ot_facilitator"),
        link_worker_facilitator: field(pairs, "link_worker_facilitator"),
    }
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

pub(super) async fn create_run(
    ctx: PageCtx,
    admin: Admin,
    db: web::Data<Db>,
    session: Session,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let pairs = form_pairs(&body);
    let values = run_values(&pairs);
    let mut errors = FieldErrors::new();
    let title = errors.check("title", parse_title(&values.title));
    let boroughs: Vec<Borough> = values
        .boroughs
        .iter()
        .filter_map(|b| Borough::parse(b).ok())
        .collect();
    if boroughs.is_empty() || boroughs.len() != values.boroughs.len() {
        errors.add("boroughs", "Choose the boroughs this run serves");
    }
    let capacity = errors.check("capacity", Capacity::parse(&values.capacity));
    let first = errors.check("starts_at", parse_london_start(&values.starts_at));
    let count = errors.check(
        "session_count",
        bounded(&values.session_count, 3, 1, 10, "number of sessions"),
    );
    let weeks = errors.check(
        "weeks_between",
        bounded(&values.weeks_between, 1, 1, 8, "weeks between sessions"),
    );
    let minutes = errors.check(
        "duration_minutes",
        bounded(&values.duration_minutes, 120, 15, 480, "session length"),
    );
    let meeting_url = errors.check("meeting_url", MeetingUrl::parse(&values.meeting_url));
    let ot = errors.check("ot_facilitator", parse_person(&values.ot_facilitator));
    let lw = errors.check(
        "link_worker_facilitator",
        parse_person(&values.link_worker_facilitator),
    );
    let starts = match (first, count, weeks) {
        (Some(first), Some(count), Some(weeks)) => {
            let starts = errors.check("starts_at", session_starts(first, count, weeks));
            if starts
                .as_ref()
                .and_then(|s| s.first())
                .is_some_and(|s| *s <= db::now())
            {
                errors.add("starts_at", "The first session must be in the future");
            }
            starts
        }
        _ => None,
    };
    let people = facilitators(&db).await?;
    let new = match (title, capacity, starts, minutes, meeting_url, ot, lw) {
        (
            Some(title),
            Some(capacity),
            Some(session_starts),
            Some(minutes),
            Some(meeting_url),
            Some(ot),
            Some(lw),
        ) if errors.is_empty() => NewRun {
            title,
            description: values.description.trim().to_owned(),
            boroughs,
            capacity,
            meeting_url,
            session_starts,
            duration_minutes: minutes as i32,
            ot_facilitator: ot,
            link_worker_facilitator: lw,
        },
        _ => {
            return Ok(invalid_form(pages::new_run(
                &ctx, &values, &errors, &people,
            )))
        }
    };
    let actor = admin.0.clone();
    let outcome = db
        .run(move |conn| {
            Ok(conn.write_transaction(|conn| runs::create(conn, &actor, &new, db::now())))
        })
        .await?;
    let id = match outcome {
        Ok(id) => id,
        Err(BookingError::Invalid(field, message)) => {
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
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let values = run_values(&form_pairs(&body));
    let mut errors = FieldErrors::new();
    let title = errors.check("title", parse_title(&values.title));
    let capacity = errors.check("capacity", Capacity::parse(&values.capacity));
    let meeting_url = errors.check("meeting_url", MeetingUrl::parse(&values.meeting_url));
    let ot = errors.check("ot_facilitator", parse_person(&values.ot_facilitator));
    let lw = errors.check(
        "link_worker_facilitator",
        parse_person(&values.link_worker_facilitator),
    );
    let change = match (title, capacity, meeting_url, ot, lw) {
        (Some(title), Some(capacity), Some(meeting_url), Some(ot), Some(lw))
            if errors.is_empty() =>
        {
            RunChange {
                title,
                description: values.description.trim().to_owned(),
                capacity,
                meeting_url,
                ot_facilitator: ot,
                link_worker_facilitator: lw,
            }
        }
        _ => {
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
        Err(BookingError::Invalid(field, message)) => {
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
    db.run(move |conn| {
        Ok(conn
            .write_transaction(|conn| runs::set_booking_open(conn, &admin, id, open, db::now()))?)
    })
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
        Err(BookingError::Invalid(field, message)) => {
            let mut errors = FieldErrors::new();
            errors.add(field, message);
            Ok(invalid_form(
                manage_view(&ctx, &db, id, None, &errors).await?,
            ))
        }
        Err(error) => Err(error.into()),
    }
}

pub(super) async fn move_session(
    ctx: PageCtx,
    admin: Admin,
    db: web::Data<Db>,
    site: web::Data<Site>,
    session: Session,
    path: web::Path<(CourseRunId, i32)>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let (id, number) = path.into_inner();
    let pairs = form_pairs(&body);
    let (start_field, length_field) = (format!("session-{number}"), format!("length-{number}"));
    let mut errors = FieldErrors::new();
    let start = errors
        .check(
            start_field.as_str(),
            parse_london_start(&field(&pairs, &start_field)),
        )
        .and_then(|local| errors.check(start_field.as_str(), session_starts(local, 1, 1)))
        .and_then(|mut starts| starts.pop());
    let minutes = errors.check(
        length_field.as_str(),
        bounded(
            &field(&pairs, &length_field),
            120,
            15,
            480,
            "session length",
        ),
    );
    let (Some(start), Some(minutes)) = (start, minutes) else {
        return Ok(invalid_form(
            manage_view(&ctx, &db, id, None, &errors).await?,
        ));
    };
    let base_url = site.base_url.clone();
    let told = db
        .write(move |tx| {
            let minutes = minutes as i32;
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
