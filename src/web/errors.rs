//! The one error type at the HTTP edge. Queries return `QueryResult`, rules return their
//! domain errors, handlers turn both into `AppError`, which renders a helpful page.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};

use super::layout;

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

impl AppError {
    pub fn forbidden(message: impl Into<String>) -> Self {
        AppError::Forbidden(message.into())
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
        let (title, message): (&str, String) = match self {
            AppError::SignInRequired { next } => {
                let target = format!(
                    "/login?next={}",
                    url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                );
                return HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, target))
                    .finish();
            }
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
        };
        let mut response = HttpResponse::build(status);
        if let AppError::TooManyRequests { retry_after_secs } = self {
            response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
        }
        response
            .content_type("text/html; charset=utf-8")
            .body(layout::error_page(title, &message).into_string())
    }
}
