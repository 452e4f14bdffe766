//! A cap on how much any one request may send, before a handler reads a byte of it.
//!
//! A handler that reads a form field by field can only bound each field; the request as a
//! whole must be bounded here, or one member sending thousands of fields can fill the
//! server's memory. A body whose declared length is over the cap is refused at once; one
//! that streams without a length is cut off as soon as it passes the cap, and the reader
//! sees `PayloadError::Overflow`.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::HttpMessage;
use futures_util::StreamExt;

use super::AppError;
use crate::Site;

/// Everything in an upload besides the file: the text fields and each part's headers.
pub const UPLOAD_ALLOWANCE: u64 = 256 * 1024;

/// The largest urlencoded form; a long post fits many times over.
pub const FORM_LIMIT: u64 = 2 * 1024 * 1024;

/// The most a request of this content type may send, and the words of its refusal.
fn cap(content_type: &str, max_upload_mb: u64) -> (u64, String) {
    if content_type
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        (
            max_upload_mb * 1024 * 1024 + UPLOAD_ALLOWANCE,
            format!(
                "That file is larger than {max_upload_mb} MB, the most SPOT accepts. Go back \
                 and choose a smaller file, or share a link to it instead."
            ),
        )
    } else {
        (
            FORM_LIMIT,
            "That form is larger than SPOT accepts. Shorten the text and try again.".into(),
        )
    }
}

pub async fn guard(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let max_upload_mb = req
        .app_data::<actix_web::web::Data<Site>>()
        .map_or(20, |site| site.max_upload_mb);
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    let (limit, refusal) = cap(content_type, max_upload_mb);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit) {
        return Ok(req.error_response(AppError::PayloadTooLarge(refusal)));
    }
    // A refused body is not kept: actix closes the connection after the answer, or, for a
    // chunked body, reads the rest and throws it away.
    let payload = req.take_payload();
    req.set_payload(capped(payload, limit));
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

/// The payload, ending in `Overflow` once more than `limit` bytes have come.
fn capped(payload: Payload, limit: u64) -> Payload {
    // (bytes seen, overflowed): after the overflow the stream ends.
    let stream = payload.scan((0u64, false), move |(seen, overflowed), chunk| {
        if *overflowed {
            return std::future::ready(None);
        }
        let item = chunk.and_then(|chunk| {
            *seen += chunk.len() as u64;
            if *seen > limit {
                *overflowed = true;
                Err(PayloadError::Overflow)
            } else {
                Ok(chunk)
            }
        });
        std::future::ready(Some(item))
    });
    let boxed: std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<Bytes, PayloadError>>>> =
        Box::pin(stream);
    Payload::Stream { payload: boxed }
}
