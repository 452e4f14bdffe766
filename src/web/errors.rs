//! The one error type at the HTTP edge. Queries return `QueryResult`, rules return their
//! domain errors, handlers turn both into `AppError`, which renders a helpful page.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};

use super::context::PageCtx;
use super::layout;

/// What an error page says, carried on the response.
#[derive(Debug, Clone)]
pub struct ErrorPage {
    pub title: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("sign-in required for {next}")]
    SignInRequired { next: String },
    #[error("too many attempts")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("form token missing or wrong")]
    CsrfRejected,
    #[error("payload too large")]
    PayloadTooLarge(String),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<diesel::result::Error> for AppError {
    fn from(error: diesel::result::Error) -> Self {
        match error {
            diesel::result::Error::NotFound => AppError::NotFound,
            other => AppError::Unexpected(anyhow::Error::new(other).context("database query")),
        }
    }
}

impl From<crate::db::DbError> for AppError {
    fn from(error: crate::db::DbError) -> Self {
        AppError::Unexpected(anyhow::Error::new(error))
    }
}

impl crate::db::Db {
    /// Database work for a handler, on the blocking thread pool, its failures as pages.
    /// (Rules with errors of their own go through [`crate::db::Db::write`].)
    pub async fn run<T, F>(&self, work: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut crate::db::DbConn) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        self.blocking(work).await
    }
}

impl AppError {
    pub fn forbidden(message: impl Into<String>) -> Self {
        AppError::Forbidden(message.into())
    }

    /// What the member is told: a title and a plain message (the cause of an unexpected
    /// failure is logged here, never shown).
    pub fn explanation(&self) -> (&'static str, String) {
        match self {
            AppError::SignInRequired { .. } => ("Sign in", "Sign in to do that.".into()),
            AppError::NotFound => (
                "Page not found",
                "If you typed the web address, check it is correct. If you followed a link, \
                 the page may have been moved or removed."
                    .into(),
            ),
            AppError::Forbidden(why) => ("You cannot do that", why.clone()),
            AppError::Conflict(why) => ("That has already changed", why.clone()),
            AppError::BadRequest(why) => (
                "Something in that request was not right",
                format!("{why}. Go back and try again."),
            ),
            AppError::TooManyRequests { retry_after_secs } => (
                "Too many attempts",
                format!(
                    "For your account's safety, please wait {} before trying again.",
                    layout::wait_phrase(*retry_after_secs)
                ),
            ),
            AppError::CsrfRejected => (
                "This form has expired",
                "The form was sent without a valid security token: it may have been open for a \
                 long time, or sent from another site. Go back, reload the page and try again."
                    .into(),
            ),
            AppError::PayloadTooLarge(why) => ("That is too large", why.clone()),
            AppError::Unexpected(cause) => {
                tracing::error!(error = ?cause, "request failed");
                (
                    "Sorry, there is a problem with SPOT",
                    "Something went wrong on our side. Please try again later; what you sent \
                     may not have been saved."
                        .into(),
                )
            }
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden(_) | AppError::CsrfRejected => StatusCode::FORBIDDEN,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::SignInRequired { .. } => StatusCode::SEE_OTHER,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if let AppError::SignInRequired { next } = self {
            let target = format!(
                "/login?next={}",
                url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
            );
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, target))
                .finish();
        }
        let (title, message) = self.explanation();
        let mut response = HttpResponse::build(status);
        if let AppError::TooManyRequests { retry_after_secs } = self {
            response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
        }
        let page = ErrorPage {
            title: title.to_owned(),
            message,
        };
        let mut response = response.content_type("text/html; charset=utf-8").body(
            layout::error_page(&PageCtx::anonymous(), &page.title, &page.message).into_string(),
        );
        // Kept so `redraw_for_viewer` can draw the page again with the member's header.
        response.extensions_mut().insert(page);
        response
    }
}

/// Draws error pages again with the header of the member who met them (an error is built
/// without its request, so at first it shows the signed-out header).
pub async fn redraw_for_viewer(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let response = next.call(req).await?;
    let Some(page) = response.response().extensions().get::<ErrorPage>().cloned() else {
        return Ok(response.map_into_boxed_body());
    };
    let (req, res) = response.into_parts();
    let Ok(ctx) = PageCtx::of(&req).await else {
        return Ok(actix_web::dev::ServiceResponse::new(req, res).map_into_boxed_body());
    };
    let body = layout::error_page(&ctx, &page.title, &page.message).into_string();
    let res = res.set_body(actix_web::body::BoxBody::new(body));
    Ok(actix_web::dev::ServiceResponse::new(req, res))
}
