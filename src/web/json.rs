//! The few answers the page script (`assets/spot.js`) asks for in JSON: names to mention, a
//! preview, a count of new replies. Each is `application/json` and carries the same
//! security headers as a page (the middleware adds them). A refusal is `{"error": "…"}` with
//! the status a page would get, except that someone signed out gets 401 rather than a
//! redirect to the sign-in page, which a script cannot follow usefully.

use actix_web::dev::Payload;
use actix_web::http::{header, StatusCode};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError};
use futures_util::future::LocalBoxFuture;
use serde::Serialize;

use super::{AppError, CurrentMember, Viewer};

/// 200 with `value` as JSON.
pub fn json<T: Serialize>(value: &T) -> HttpResponse {
    HttpResponse::Ok().json(value)
}

/// An [`AppError`] told in JSON.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct JsonError(#[from] pub AppError);

impl From<crate::rules::RuleError> for JsonError {
    fn from(error: crate::rules::RuleError) -> Self {
        JsonError(error.into())
    }
}

#[derive(Serialize)]
struct Refusal {
    error: String,
}

impl ResponseError for JsonError {
    fn status_code(&self) -> StatusCode {
        match &self.0 {
            AppError::SignInRequired { .. } => StatusCode::UNAUTHORIZED,
            other => other.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        let error = match &self.0 {
            AppError::BadRequest(why) => why.clone(),
            AppError::TooManyRequests { retry_after_secs } => format!(
                "Too many requests: please wait {} before trying again.",
                super::layout::wait_phrase(*retry_after_secs)
            ),
            other => other.explanation().1,
        };
        let mut response = HttpResponse::build(self.status_code());
        if let AppError::TooManyRequests { retry_after_secs } = &self.0 {
            response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
        }
        response.json(Refusal { error })
    }
}

/// A signed-in, approved member asking for JSON; anyone else gets 401.
#[derive(Debug, Clone)]
pub struct JsonMember(pub Viewer);

impl std::ops::Deref for JsonMember {
    type Target = Viewer;
    fn deref(&self) -> &Viewer {
        &self.0
    }
}

impl FromRequest for JsonMember {
    type Error = JsonError;
    type Future = LocalBoxFuture<'static, Result<Self, JsonError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let member = CurrentMember::from_request(req, payload);
        Box::pin(async move {
            let CurrentMember(viewer) = member.await?;
            Ok(JsonMember(viewer))
        })
    }
}
