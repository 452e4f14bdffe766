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

use super::context::{expected_csrf_token, unmask};
use super::AppError;

/// The largest form body read here; long posts fit easily.
const FORM_LIMIT: usize = super::body_limit::FORM_LIMIT as usize;

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
    // The media type is compared in lower case; the multipart boundary keeps its case.
    let raw_content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let content_type = raw_content_type.to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        return check_multipart(req, &raw_content_type).await;
    }
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
    if !token_matches(&req, sent.as_deref().map(str::as_bytes)) {
        return Err((req, AppError::CsrfRejected));
    }
    req.set_payload(Payload::from(body));
    Ok(req)
}

/// Pages carry the token masked (see `context::masked`); what is sent unmasks to it.
fn token_matches(req: &ServiceRequest, sent: Option<&[u8]>) -> bool {
    match (
        sent.and_then(unmask),
        expected_csrf_token(&req.get_session()),
    ) {
        (Some(sent), Some(expected)) => bool::from(sent.ct_eq(&expected)),
        _ => false,
    }
}

/// How much of an upload is read before its token must have appeared.
const MULTIPART_PEEK: usize = 16 * 1024;

/// An upload carries the token as its first part (the hidden field comes first in every
/// upload form). Only that much is read here; the rest streams on to the handler
/// untouched, so a large file is never held in memory.
async fn check_multipart(
    mut req: ServiceRequest,
    content_type: &str,
) -> Result<ServiceRequest, (ServiceRequest, AppError)> {
    let Some(boundary) = boundary_of(content_type) else {
        return Err((req, AppError::CsrfRejected));
    };
    let mut payload = req.take_payload();
    let (head, token) = peek_token(&mut payload, &boundary).await;
    if !token_matches(&req, token.as_deref()) {
        return Err((req, AppError::CsrfRejected));
    }
    let replay = futures_util::stream::once(async move {
        Ok::<_, actix_web::error::PayloadError>(head.freeze())
    });
    let rest: std::pin::Pin<
        Box<dyn futures_util::Stream<Item = Result<Bytes, actix_web::error::PayloadError>>>,
    > = Box::pin(replay.chain(payload));
    req.set_payload(Payload::Stream { payload: rest });
    Ok(req)
}

/// The multipart boundary named in the content type (its case kept).
fn boundary_of(content_type: &str) -> Option<String> {
    content_type
        .split(';')
        .filter_map(|part| {
            let part = part.trim();
            part.get(..9)
                .filter(|name| name.eq_ignore_ascii_case("boundary="))
                .map(|_| &part[9..])
        })
        .map(|b| b.trim_matches('"').to_owned())
        .next()
}

/// Reads the upload until its first part is complete (at most `MULTIPART_PEEK` and a
/// chunk): what was read, and the token if the first part is the token field.
async fn peek_token(payload: &mut Payload, boundary: &str) -> (BytesMut, Option<Vec<u8>>) {
    let mut head = BytesMut::new();
    let token = loop {
        if let Some(token) = first_part_token(&head, boundary) {
            break Some(token);
        }
        if head.len() > MULTIPART_PEEK {
            break None;
        }
        match payload.next().await {
            Some(Ok(chunk)) => head.extend_from_slice(&chunk),
            _ => break None,
        }
    };
    (head, token)
}

/// The value of the first part when it is the `csrf_token` field and fully read.
fn first_part_token(head: &[u8], boundary: &str) -> Option<Vec<u8>> {
    let opening = format!("--{boundary}\r\n");
    let rest = head.strip_prefix(opening.as_bytes())?;
    let headers_end = find(rest, b"\r\n\r\n")?;
    let headers = std::str::from_utf8(&rest[..headers_end])
        .ok()?
        .to_ascii_lowercase();
    if !headers.contains("name=\"csrf_token\"") {
        return Some(Vec::new());
    }
    let value = &rest[headers_end + 4..];
    let closing = format!("\r\n--{boundary}");
    let end = find(value, closing.as_bytes())?;
    Some(value[..end].to_vec())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
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

#[cfg(test)]
mod tests {
    use super::first_part_token;

    #[test]
    fn the_token_is_read_from_the_first_part() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc123\r\n--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nHi\r\n--XyZ--\r\n";
        assert_eq!(first_part_token(body, "XyZ"), Some(b"abc123".to_vec()));
        // Not yet fully read: wait for more.
        assert_eq!(first_part_token(&body[..60], "XyZ"), None);
    }

    #[test]
    fn a_mixed_case_boundary_is_kept_as_sent() {
        let body = b"--WebKitFormBoundaryQ3Io\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\ntok\r\n--WebKitFormBoundaryQ3Io--\r\n";
        assert_eq!(
            first_part_token(body, "WebKitFormBoundaryQ3Io"),
            Some(b"tok".to_vec())
        );
        assert_eq!(first_part_token(body, "webkitformboundaryq3io"), None);
    }

    #[test]
    fn a_first_part_that_is_not_the_token_fails() {
        let body =
            b"--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nHi\r\n--XyZ--\r\n";
        assert_eq!(first_part_token(body, "XyZ"), Some(Vec::new()));
    }
}
