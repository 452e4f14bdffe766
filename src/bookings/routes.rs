//! Course handlers: parse, call one rule, tell the people concerned, redirect or render.

use actix_session::Session;
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::calendar;
use super::catalogue::{self, RunSummary};
use super::letters::{self, Recipient};
use super::pages::{self, ManageRun, RunValues, Visitor};
use super::places::{self, ManagerAgreement, Place};
use super::roster;
use super::runs::{self, NewRun, RunChange};
use super::values::{bounded, parse_london_start, session_starts, Capacity, MeetingUrl};
use super::BookingError;
use crate::accounts::{members, Borough, Email, Role};
use crate::db::{self, CourseRunId, Db, MemberId, SessionId};
use crate::mail::Letter;
use crate::notifications::{events, outbox};
use crate::web::context::flash;
use crate::web::forms::FieldErrors;
use crate::web::{
    html, invalid_form, see_other, Admin, AppError, CurrentMember, Facilitator, MaybeMember,
    PageCtx,
};
use crate::Site;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/courses", web::get().to(list))
        .route("/courses/{id}", web::get().to(detail))
        .route("/courses/{id}/book", web::post().to(book))
        .route("/courses/{id}/cancel", web::post().to(cancel))
        .route("/courses/{id}/calendar.ics", web::get().to(run_calendar))
        .route("/courses/{id}/roster", web::get().to(roster_page))
        .route("/courses/{id}/roster.csv", web::get().to(roster_csv))
        .route(
            "/courses/{id}/attendance/{session}",
            web::post().to(attendance),
        )
        .route("/courses/{id}/book-in", web::post().to(book_in))
        .route("/calendar/{feed}", web::get().to(personal_calendar))
        .route("/admin/courses", web::get().to(admin_list))
        .route("/admin/courses/new", web::get().to(new_run_page))
        .route("/admin/courses/new", web::post().to(create_run))
        .route("/admin/courses/{id}", web::get().to(manage_page))
        .route("/admin/courses/{id}", web::post().to(update_run))
        .route("/admin/courses/{id}/open", web::post().to(open_booking))
        .route("/admin/courses/{id}/close", web::post().to(close_booking))
        .route("/admin/courses/{id}/cancel", web::post().to(cancel_run))
        .route(
            "/admin/courses/{id}/sessions/{number}",
            web::post().to(move_session),
        );
}

/// The fields of a form, repeated names kept (`boroughs=a&boroughs=b`).
/// The form's fields in order. A staff form has a few dozen at most; the rest of a
/// forged one is not kept.
fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .into_owned()
        .take(1_000)
        .collect()
}

fn field(pairs: &[(String, String)], name: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// The address booking letters link to, and the database their outbox is in.
struct Postbox {
    db: web::Data<Db>,
    site: web::Data<Site>,
}

impl actix_web::FromRequest for Postbox {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &actix_web::HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let found = match (
            req.app_data::<web::Data<Db>>(),
            req.app_data::<web::Data<Site>>(),
        ) {
            (Some(db), Some(site)) => Ok(Postbox {
                db: db.clone(),
                site: site.clone(),
            }),
            _ => Err(AppError::Unexpected(anyhow::anyhow!(
                "no database or site configured"
            ))),
        };
        std::future::ready(found)
    }
}

/// Puts booking letters in the outbox after the change is saved, with the same news on each
/// member's notifications page. A failure is logged and never undoes the booking.
async fn post_letters(postbox: &Postbox, run: CourseRunId, letters: Vec<(MemberId, Letter)>) {
    if letters.is_empty() {
        return;
    }
    let queued = postbox
        .db
        .run(move |conn| {
            Ok(conn.write_transaction(|conn| {
                let now = db::now();
                for (member, letter) in &letters {
                    outbox::enqueue(conn, Some(*member), letter, now)?;
                    events::booking_news(conn, *member, run, &letter.subject, "", now)?;
                }
                Ok::<_, diesel::result::Error>(())
            })?)
        })
        .await;
    if let Err(error) = queued {
        tracing::error!(%error, %run, "booking letters not queued");
    }
}

fn recipients(conn: &mut db::DbConn, people: &[MemberId]) -> Result<Vec<Recipient>, AppError> {
    let mut found = Vec::new();
    for id in people {
        let member = members::find(conn, *id)?;
        found.push(Recipient {
            member: member.id,
            name: member.display_name,
            address: member.email,
        });
    }
    Ok(found)
}

async fn list(ctx: PageCtx, db: web::Data<Db>) -> Result<HttpResponse, AppError> {
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
    manager: (&str, &str),
) -> Result<maud::Markup, AppError> {
    let viewer = ctx.viewer.clone();
    let (summary, standing, elsewhere) = db
        .run(move |conn| {
            let summary = catalogue::one(conn, id)?;
            let (standing, elsewhere) = match &viewer {
                Some(viewer) => {
                    let standing = catalogue::standing(conn, viewer.id, id)?;
                    let live = catalogue::live_run_of(conn, viewer.id)?;
                    (standing, live.is_some_and(|run| run != id))
                }
                None => (None, false),
            };
            Ok((summary, standing, elsewhere))
        })
        .await?;
    let facilitator = ctx.viewer.as_ref().is_some_and(|v| v.staff.can_moderate());
    let visitor = Visitor {
        may_see_link: facilitator || standing == Some(catalogue::Standing::Booked),
        standing,
        elsewhere,
        facilitator,
        errors,
        manager_name: manager.0,
        manager_email: manager.1,
        feed: ctx
            .viewer
            .as_ref()
            .map(|v| format!("{}{}", site.base_url, site.calendar_feed_path(v.id))),
    };
    Ok(pages::detail(ctx, &summary, &visitor, db::now()))
}

async fn detail(
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
            ("", ""),
        )
        .await?,
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct BookForm {
    manager_agreed: Option<String>,
    manager_name: String,
    manager_email: String,
}

async fn book(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    postbox: Postbox,
    session: Session,
    id: web::Path<CourseRunId>,
    form: web::Form<BookForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let mut errors = FieldErrors::new();
    if !form.manager_email.trim().is_empty() {
        errors.check("manager_email", Email::parse(&form.manager_email));
    }
    if form.manager_name.chars().count() > 120 {
        errors.add(
            "manager_name",
            "Manager's name must be 120 characters or fewer",
        );
    }
    let agreement = ManagerAgreement {
        agreed: form.manager_agreed.as_deref() == Some("yes"),
        manager_name: form.manager_name.clone(),
        manager_email: form.manager_email.clone(),
    };
    if !agreement.agreed {
        errors.add(
            "manager_agreed",
            "Confirm you have agreed the time for all the sessions with your manager",
        );
    }
    if !errors.is_empty() {
        let page = detail_page(
            &ctx,
            &db,
            &postbox.site,
            id,
            &errors,
            (&form.manager_name, &form.manager_email),
        )
        .await?;
        return Ok(invalid_form(page));
    }
    let viewer = me.0.clone();
    let (place, summary) = db
        .run(move |conn| {
            let place = conn.write_transaction(|conn| {
                places::book(conn, &viewer, viewer.id, id, &agreement, None, db::now())
            })?;
            Ok((place, catalogue::one(conn, id)?))
        })
        .await?;
    let to = Recipient {
        member: me.id,
        name: me.display_name.clone(),
        address: member_email(&db, me.id).await?,
    };
    let letter = match place {
        Place::Booked => {
            flash(
                &session,
                "You are booked. We have emailed you the details and a calendar file.",
            );
            letters::booked(&to, &summary, &postbox.site.base_url)
        }
        Place::Waiting(position) => {
            flash(
                &session,
                format!("The run is full: you are number {position} on the waiting list."),
            );
            letters::waiting(&to, &summary, position, &postbox.site.base_url)
        }
    };
    post_letters(&postbox, id, vec![(to.member, letter)]).await;
    Ok(see_other(&format!("/courses/{id}")))
}

async fn member_email(db: &Db, id: MemberId) -> Result<String, AppError> {
    db.run(move |conn| Ok(members::find(conn, id)?.email)).await
}

async fn cancel(
    me: CurrentMember,
    db: web::Data<Db>,
    postbox: Postbox,
    session: Session,
    id: web::Path<CourseRunId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let viewer = me.0.clone();
    let (summary, promoted, me_too) = db
        .run(move |conn| {
            let cancelled =
                conn.write_transaction(|conn| places::cancel(conn, &viewer, id, db::now()))?;
            let summary = catalogue::one(conn, id)?;
            let promoted = recipients(conn, cancelled.promoted.as_slice())?;
            let me_too = recipients(conn, &[viewer.id])?;
            Ok((summary, promoted, me_too))
        })
        .await?;
    let mut mail: Vec<(MemberId, Letter)> = me_too
        .iter()
        .map(|to| {
            (
                to.member,
                letters::cancelled_by_member(to, &summary, &postbox.site.base_url),
            )
        })
        .collect();
    mail.extend(promoted.iter().map(|to| {
        (
            to.member,
            letters::promoted(to, &summary, &postbox.site.base_url),
        )
    }));
    post_letters(&postbox, id, mail).await;
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

async fn run_calendar(
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
                    v.staff.can_moderate()
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
async fn personal_calendar(
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

async fn roster_view(
    ctx: &PageCtx,
    db: &Db,
    me: &Facilitator,
    id: CourseRunId,
    book_in: (&str, &str),
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
        },
    ))
}

async fn roster_page(
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
            ("", ""),
            &FieldErrors::new(),
        )
        .await?,
    ))
}

async fn roster_csv(
    me: Facilitator,
    db: web::Data<Db>,
    id: web::Path<CourseRunId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let rows = db
        .run(move |conn| {
            Ok(conn.write_transaction(|conn| roster::export(conn, &me, id, db::now()))?)
        })
        .await?;
    let body = roster::csv(&rows)?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"spot-roster-{id}.csv\""),
        ))
        .body(body))
}

async fn attendance(
    me: Facilitator,
    db: web::Data<Db>,
    session: Session,
    path: web::Path<(CourseRunId, SessionId)>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let (id, register) = path.into_inner();
    let present: Vec<MemberId> = form_pairs(&body)
        .into_iter()
        .filter(|(k, _)| k == "present")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    db.run(move |conn| {
        Ok(conn.write_transaction(|conn| {
            roster::record_attendance(conn, &me, id, register, &present, db::now())
        })?)
    })
    .await?;
    flash(&session, "Attendance saved.");
    Ok(see_other(&format!("/courses/{id}/roster")))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct BookInForm {
    email: String,
    reason: String,
    manager_agreed: Option<String>,
}

async fn book_in(
    ctx: PageCtx,
    me: Facilitator,
    db: web::Data<Db>,
    postbox: Postbox,
    session: Session,
    id: web::Path<CourseRunId>,
    form: web::Form<BookInForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let mut errors = FieldErrors::new();
    let email = errors.check("email", Email::parse(&form.email));
    if form.reason.trim().chars().count() < 3 {
        errors.add("reason", "Say why they are booked in");
    }
    if form.manager_agreed.is_none() {
        errors.add(
            "manager_agreed",
            "Their manager must agree the time before they are booked",
        );
    }
    let show_again = |errors: FieldErrors| {
        let (ctx, db, me, form) = (&ctx, &db, &me, &form);
        async move {
            Ok::<_, AppError>(invalid_form(
                roster_view(ctx, db, me, id, (&form.email, &form.reason), &errors).await?,
            ))
        }
    };
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return show_again(errors).await;
    };
    let viewer = me.0.clone();
    let reason = form.reason.clone();
    let outcome = db
        .run(move |conn| {
            let Some(member) = members::find_by_email(conn, &email)? else {
                return Ok(Err(BookingError::Invalid(
                    "email",
                    "No member has that email address".into(),
                )));
            };
            let agreement = ManagerAgreement {
                agreed: true,
                ..ManagerAgreement::default()
            };
            let place = conn.write_transaction(|conn| {
                places::book(
                    conn,
                    &viewer,
                    member.id,
                    id,
                    &agreement,
                    Some(&reason),
                    db::now(),
                )
            });
            Ok(place.map(|place| (place, member)))
        })
        .await?;
    let (place, member) = match outcome {
        Ok(done) => done,
        Err(BookingError::Invalid(field, message)) => {
            errors.add(field, message);
            return show_again(errors).await;
        }
        Err(BookingError::Conflict(message)) => {
            errors.add("email", message);
            return show_again(errors).await;
        }
        Err(error) => return Err(error.into()),
    };
    let summary = db.run(move |conn| Ok(catalogue::one(conn, id)?)).await?;
    let to = Recipient {
        member: member.id,
        name: member.display_name.clone(),
        address: member.email.clone(),
    };
    let letter = match place {
        Place::Booked => letters::booked(&to, &summary, &postbox.site.base_url),
        Place::Waiting(position) => {
            letters::waiting(&to, &summary, position, &postbox.site.base_url)
        }
    };
    post_letters(&postbox, id, vec![(to.member, letter)]).await;
    flash(&session, format!("{} is booked in.", member.display_name));
    Ok(see_other(&format!("/courses/{id}/roster")))
}

async fn admin_list(
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

async fn new_run_page(
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

async fn create_run(
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

async fn manage_page(
    ctx: PageCtx,
    _admin: Admin,
    db: web::Data<Db>,
    id: web::Path<CourseRunId>,
) -> Result<HttpResponse, AppError> {
    Ok(html(
        manage_view(&ctx, &db, id.into_inner(), None, &FieldErrors::new()).await?,
    ))
}

async fn update_run(
    ctx: PageCtx,
    admin: Admin,
    db: web::Data<Db>,
    postbox: Postbox,
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
    let actor = admin.0.clone();
    let outcome = db
        .run(move |conn| {
            let before = catalogue::one(conn, id)?.run;
            let promoted =
                conn.write_transaction(|conn| runs::update(conn, &actor, id, &change, db::now()));
            match promoted {
                Ok(promoted) => {
                    let summary = catalogue::one(conn, id)?;
                    // Those with a place hear of a new title or meeting link (the link is
                    // for them only).
                    let changed = before.title != summary.run.title
                        || before.meeting_url != summary.run.meeting_url;
                    let told: Vec<MemberId> = if changed {
                        places::booked_on(conn, id)?
                            .into_iter()
                            .filter(|member| !promoted.contains(member))
                            .collect()
                    } else {
                        Vec::new()
                    };
                    Ok(Ok((
                        summary,
                        recipients(conn, &promoted)?,
                        recipients(conn, &told)?,
                    )))
                }
                Err(error) => Ok(Err(error)),
            }
        })
        .await?;
    match outcome {
        Ok((summary, promoted, told)) => {
            let base_url = &postbox.site.base_url;
            let mut mail: Vec<(MemberId, Letter)> = promoted
                .iter()
                .map(|to| (to.member, letters::promoted(to, &summary, base_url)))
                .collect();
            mail.extend(
                told.iter()
                    .map(|to| (to.member, letters::details_changed(to, &summary, base_url))),
            );
            post_letters(&postbox, id, mail).await;
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

async fn open_booking(
    admin: Admin,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<CourseRunId>,
) -> Result<HttpResponse, AppError> {
    set_open(admin, db, session, id.into_inner(), true).await
}

async fn close_booking(
    admin: Admin,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<CourseRunId>,
) -> Result<HttpResponse, AppError> {
    set_open(admin, db, session, id.into_inner(), false).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CancelRunForm {
    reason: String,
}

async fn cancel_run(
    ctx: PageCtx,
    admin: Admin,
    db: web::Data<Db>,
    postbox: Postbox,
    session: Session,
    id: web::Path<CourseRunId>,
    form: web::Form<CancelRunForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let actor = admin.0.clone();
    let reason = form.reason.clone();
    let outcome = db
        .run(move |conn| {
            match conn
                .write_transaction(|conn| runs::cancel_run(conn, &actor, id, &reason, db::now()))
            {
                Ok(affected) => Ok(Ok((
                    catalogue::one(conn, id)?,
                    recipients(conn, &affected)?,
                ))),
                Err(error) => Ok(Err(error)),
            }
        })
        .await?;
    match outcome {
        Ok((summary, told)) => {
            let mail = told
                .iter()
                .map(|to| {
                    (
                        to.member,
                        letters::run_cancelled(
                            to,
                            &summary,
                            form.reason.trim(),
                            &postbox.site.base_url,
                        ),
                    )
                })
                .collect();
            post_letters(&postbox, id, mail).await;
            flash(
                &session,
                format!(
                    "The run is cancelled; {} people have been told.",
                    told.len()
                ),
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

async fn move_session(
    ctx: PageCtx,
    admin: Admin,
    db: web::Data<Db>,
    postbox: Postbox,
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
    let (summary, told) = db
        .run(move |conn| {
            conn.write_transaction(|conn| {
                runs::move_session(conn, &admin, id, number, start, minutes as i32, db::now())
            })?;
            let people = places::people_on(conn, id)?;
            Ok((catalogue::one(conn, id)?, recipients(conn, &people)?))
        })
        .await?;
    let mail = told
        .iter()
        .map(|to| {
            (
                to.member,
                letters::session_moved(to, &summary, number, &postbox.site.base_url),
            )
        })
        .collect();
    post_letters(&postbox, id, mail).await;
    flash(
        &session,
        format!(
            "Session {number} has moved; {} people have been told. Calendars that subscribed update by themselves.",
            told.len()
        ),
    );
    Ok(see_other(&format!("/admin/courses/{id}")))
}
