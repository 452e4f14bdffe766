//! HTTP plumbing shared by every feature: errors, layout, forms, sessions, form tokens,
//! security headers, static assets.

pub mod access_log;
pub mod assets;
pub mod body_limit;
pub mod context;
pub mod csrf;
mod errors;
pub mod forms;
pub mod json;
pub mod layout;
pub mod paging;

pub use context::{Admin, CurrentMember, Facilitator, MaybeMember, PageCtx, Viewer};
pub use errors::{redraw_for_viewer, AppError};

use actix_web::http::header;
use actix_web::middleware::DefaultHeaders;
use actix_web::HttpResponse;
use maud::Markup;

/// A strict policy: our own scripts, styles and images only (and images from https, for
/// pictures members link in posts); nothing may frame SPOT.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' https: data:; font-src 'self'; object-src 'none'; \
    base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The headers every response carries; `https` (SPOT served over TLS, so cookies are
/// `Secure`) adds HSTS, so a browser never again tries SPOT over plain HTTP.
pub fn security_headers(https: bool) -> DefaultHeaders {
    let headers = if https {
        DefaultHeaders::new().add((header::STRICT_TRANSPORT_SECURITY, "max-age=31536000"))
    } else {
        DefaultHeaders::new()
    };
    headers
        .add((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::REFERRER_POLICY, "same-origin"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=()",
        ))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
}

/// A signed-in member's pages are their own: a shared computer's browser must not keep a
/// copy that the next person could bring back with the Back button.
pub async fn private_pages(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    use actix_session::SessionExt;
    let signed_in = context::signed_in(&req.get_session());
    let mut response = next.call(req).await?;
    if signed_in && !response.headers().contains_key(header::CACHE_CONTROL) {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
    }
    Ok(response)
}

/// After a successful POST: 303 to the page that was created or changed.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

pub fn html(page: Markup) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page.into_string())
}

/// A page with a status other than 200 (422 for a form with errors).
pub fn page_with_status(status: actix_web::http::StatusCode, page: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(page.into_string())
}

/// A form re-shown with its errors.
pub fn invalid_form(page: Markup) -> HttpResponse {
    page_with_status(actix_web::http::StatusCode::UNPROCESSABLE_ENTITY, page)
}

pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// Only same-site paths may be a `next` target after sign-in: never another host.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_never_leaves_the_site() {
        assert_eq!(
            safe_next(Some("/members?role=link_worker")),
            "/members?role=link_worker"
        );
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
