//! Every state-changing request must carry the session's form token: a hidden
//! `csrf_token` field. Checked here, once, for all routes, so no handler can forget.

use actix_session::SessionExt;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use actix_web::HttpMessage;
use futures_util::StreamExt;
use subtle::ConstantTimeEq;

use super::context::expected_csrf_token;
use super::AppError;

/// The largest form body read here; long posts fit easily.
const FORM_LIMIT: usize = 2 * 1024 * 1024;

/// Paths that must accept a POST from outside a SPOT page (RFC 8058 one-click
/// unsubscribe carries its own signed token instead).
fn exempt(path: &str) -> bool {
    path.starts_with("/unsubscribe/")
}

#[derive(serde::Deserialize)]
struct TokenField {
    csrf_token: Option<String>,
}

/// A refusal is answered here, as a response (not an `Err`), so that the outer
/// middleware (security headers, session) still applies to it.
pub async fn guard(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !unsafe_method || exempt(req.path()) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    match check(req).await {
        Ok(req) => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body),
        Err((req, error)) => Ok(req.error_response(error)),
    }
}

async fn check(mut req: ServiceRequest) -> Result<ServiceRequest, (ServiceRequest, AppError)> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Err((req, AppError::CsrfRejected));
    }
    let body = match read_body(&mut req).await {
        Ok(body) => body,
        Err(error) => return Err((req, error)),
    };
    let sent = serde_urlencoded::from_bytes::<TokenField>(&body)
        .ok()
        .and_then(|field| field.csrf_token);
    let expected = expected_csrf_token(&req.get_session());
    let matches = match (sent, expected) {
        (Some(sent), Some(expected)) => bool::from(sent.as_bytes().ct_eq(expected.as_bytes())),
        _ => false,
    };
    if !matches {
        return Err((req, AppError::CsrfRejected));
    }
    req.set_payload(Payload::from(body));
    Ok(req)
}

async fn read_body(req: &mut ServiceRequest) -> Result<Bytes, AppError> {
    let mut payload = req.take_payload();
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| AppError::BadRequest(format!("the form could not be read ({e})")))?;
        if body.len() + chunk.len() > FORM_LIMIT {
            return Err(AppError::PayloadTooLarge(
                "That form is larger than SPOT accepts. Shorten the text and try again.".into(),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}
