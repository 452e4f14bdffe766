//! After-the-course handlers: the feedback form and its results, the admin's questions, and
//! the certificate. The route table is here.

use actix_session::Session;
use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::certificate;
use super::feedback::{self, Standing};
use super::forms::{FeedbackForm, QuestionForm};
use super::pages::{self, QuestionsPage};
use super::questions::{self, Question};
use crate::bookings::catalogue::{self, RunSummary};
use crate::bookings::runs;
use crate::db::{self, CourseRunId, Db, FeedbackQuestionId};
use crate::rules;
use crate::web::context::flash;
use crate::web::forms::{FieldErrors, HtmlForm};
use crate::web::{html, invalid_form, see_other, Admin, AppError, CurrentMember, PageCtx, Viewer};
use crate::Site;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/courses/{id}/feedback", web::get().to(feedback_page))
        .route("/courses/{id}/feedback", web::post().to(give_feedback))
        .route(
            "/courses/{id}/feedback/results",
            web::get().to(results_page),
        )
        .route(
            "/courses/{id}/feedback/results.csv",
            web::get().to(results_csv),
        )
        .route("/courses/{id}/certificate", web::get().to(certificate_page))
        .route(
            "/admin/courses/{id}/feedback",
            web::get().to(questions_page),
        )
        .route(
            "/admin/courses/{id}/feedback/questions",
            web::post().to(add_question),
        )
        .route(
            "/admin/courses/{id}/feedback/questions/{question}/{change}",
            web::post().to(change_question),
        );
}

/// What the form's pages need: the run, the member's standing, its questions, and whether
/// the member runs the course.
async fn form_context(
    db: &Db,
    viewer: &Viewer,
    id: CourseRunId,
) -> Result<(RunSummary, Standing, Vec<Question>, bool), AppError> {
    let viewer = viewer.clone();
    db.run(move |conn| {
        let summary = catalogue::one(conn, id)?;
        let standing = feedback::standing(conn, &summary, viewer.id, db::now())?;
        let facilitates = runs::facilitates(conn, &viewer, id)?;
        Ok((summary, standing, questions::of_run(conn, id)?, facilitates))
    })
    .await
}

fn not_a_participant() -> AppError {
    AppError::forbidden("Only people who attended this course can give feedback on it.")
}

async fn feedback_page(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    id: web::Path<CourseRunId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (summary, standing, questions, facilitates) = form_context(&db, &me, id).await?;
    Ok(match standing {
        Standing::Open => html(pages::feedback_form(
            &ctx,
            &summary,
            &questions,
            &FeedbackForm::default(),
            &FieldErrors::new(),
        )),
        Standing::NotAttended if facilitates => {
            see_other(&format!("/courses/{id}/feedback/results"))
        }
        Standing::NotAttended => return Err(not_a_participant()),
        other => html(pages::feedback_state(&ctx, &summary, other)),
    })
}

async fn give_feedback(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<CourseRunId>,
    form: HtmlForm<FeedbackForm>,
) -> Result<HttpResponse, AppError> {
    let (id, form) = (id.into_inner(), form.0);
    let (summary, standing, questions, _) = form_context(&db, &me, id).await?;
    if standing == Standing::NotAttended {
        return Err(not_a_participant());
    }
    let viewer = me.0.clone();
    let saved = rules::submit(&db, form.parse(&questions), move |tx, answers| {
        feedback::submit(tx, &viewer, id, &answers, db::now())
    })
    .await?;
    match saved {
        Ok(()) => {
            flash(&session, "Thank you: your feedback is saved.");
            Ok(see_other(&format!("/courses/{id}")))
        }
        Err(errors) => Ok(invalid_form(pages::feedback_form(
            &ctx, &summary, &questions, &form, &errors,
        ))),
    }
}

async fn results_page(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    id: web::Path<CourseRunId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let results = db
        .run(move |conn| Ok(feedback::results(conn, &me, id)?))
        .await?;
    Ok(html(pages::results(&ctx, &results)))
}

async fn results_csv(
    me: CurrentMember,
    db: web::Data<Db>,
    id: web::Path<CourseRunId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let results = db
        .run(move |conn| Ok(feedback::results(conn, &me, id)?))
        .await?;
    Ok(csv_download(
        feedback::csv(&results)?,
        &format!("spot-feedback-{id}.csv"),
    ))
}

/// A CSV file to download.
pub fn csv_download(body: Vec<u8>, filename: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(body)
}

async fn certificate_page(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    site: web::Data<Site>,
    id: web::Path<CourseRunId>,
) -> Result<HttpResponse, AppError> {
    let (id, key) = (id.into_inner(), site.feed_key.clone());
    let issued = db
        .run(move |conn| Ok(certificate::certificate(conn, &me, id, &key)?))
        .await?;
    Ok(html(pages::certificate(&ctx, &issued)))
}

async fn questions_view(
    ctx: &PageCtx,
    db: &Db,
    id: CourseRunId,
    form: &QuestionForm,
    errors: &FieldErrors,
) -> Result<maud::Markup, AppError> {
    let (summary, questions, answered) = db
        .run(move |conn| {
            Ok((
                catalogue::one(conn, id)?,
                questions::of_run(conn, id)?,
                questions::answered(conn, id)?,
            ))
        })
        .await?;
    Ok(pages::questions(
        ctx,
        &QuestionsPage {
            summary: &summary,
            questions: &questions,
            answered,
            form,
            errors,
        },
    ))
}

async fn questions_page(
    ctx: PageCtx,
    _admin: Admin,
    db: web::Data<Db>,
    id: web::Path<CourseRunId>,
) -> Result<HttpResponse, AppError> {
    let (form, errors) = (QuestionForm::blank(), FieldErrors::new());
    Ok(html(questions_view(&ctx, &db, *id, &form, &errors).await?))
}

async fn add_question(
    ctx: PageCtx,
    admin: Admin,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<CourseRunId>,
    form: web::Form<QuestionForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let actor = admin.0.clone();
    let added = rules::submit(&db, form.parse(), move |tx, new| {
        questions::add(tx, &actor, id, &new, db::now())
    })
    .await?;
    match added {
        Ok(()) => {
            flash(&session, "The question is added.");
            Ok(see_other(&format!("/admin/courses/{id}/feedback")))
        }
        Err(errors) => Ok(invalid_form(
            questions_view(&ctx, &db, id, &form, &errors).await?,
        )),
    }
}

async fn change_question(
    admin: Admin,
    db: web::Data<Db>,
    session: Session,
    path: web::Path<(CourseRunId, FeedbackQuestionId, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, question, change) = path.into_inner();
    let now = db::now();
    let message = match change.as_str() {
        "remove" => "The question is removed.",
        "up" | "down" => "The question has moved.",
        _ => return Err(AppError::NotFound),
    };
    db.write(move |tx| match change.as_str() {
        "remove" => questions::remove(tx, &admin, id, question, now),
        way => questions::reorder(tx, &admin, id, question, way == "up", now),
    })
    .await?;
    flash(&session, message);
    Ok(see_other(&format!("/admin/courses/{id}/feedback")))
}

/// The course page's "After the course" part for its viewer (see [`pages::after_course`]).
pub async fn after_course(
    db: &Db,
    ctx: &PageCtx,
    id: CourseRunId,
    facilitates: bool,
) -> Result<Option<maud::Markup>, AppError> {
    let Some(viewer) = ctx.viewer.clone() else {
        return Ok(None);
    };
    let standing = db
        .run(move |conn| {
            let summary = catalogue::one(conn, id)?;
            Ok(feedback::standing(conn, &summary, viewer.id, db::now())?)
        })
        .await?;
    Ok(Some(pages::after_course(id, Some(standing), facilitates)))
}
