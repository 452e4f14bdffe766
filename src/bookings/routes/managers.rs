//! A participant's manager answers by the link they were emailed: no account, no sign-in.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::bookings::managers::{self, Answer};
use crate::bookings::{catalogue, pages, telling};
use crate::db::{self, Db};
use crate::web::forms::FieldErrors;
use crate::web::{html, invalid_form, AppError, PageCtx};
use crate::Site;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct AnswerForm {
    answer: String,
}

/// The manager's page for their link, with any error on the answer.
async fn page_for(
    ctx: &PageCtx,
    db: &Db,
    token: String,
    errors: &FieldErrors,
) -> Result<maud::Markup, AppError> {
    let (request, summary) = db
        .run(move |conn| {
            let request = managers::request(conn, &token)?;
            let summary = catalogue::one(conn, request.run)?;
            Ok((request, summary))
        })
        .await?;
    Ok(pages::manager_request(
        ctx,
        &request,
        &summary,
        errors,
        db::now(),
    ))
}

pub(super) async fn request_page(
    ctx: PageCtx,
    db: web::Data<Db>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let page = page_for(&ctx, &db, token.into_inner(), &FieldErrors::new()).await?;
    Ok(html(page))
}

pub(super) async fn answer(
    ctx: PageCtx,
    db: web::Data<Db>,
    site: web::Data<Site>,
    token: web::Path<String>,
    form: web::Form<AnswerForm>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let answer = match Answer::parse(&form.answer) {
        Ok(answer) => answer,
        Err(message) => {
            let mut errors = FieldErrors::new();
            errors.add("answer", message);
            return Ok(invalid_form(page_for(&ctx, &db, token, &errors).await?));
        }
    };
    let base_url = site.base_url.clone();
    let answered = db
        .write(move |tx| telling::answer_as_manager(tx, &token, answer, &base_url, db::now()))
        .await?;
    let summary = db
        .run(move |conn| Ok(catalogue::one(conn, answered.request.run)?))
        .await?;
    Ok(html(pages::manager_answered(&ctx, &summary, answer)))
}
