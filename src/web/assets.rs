//! The stylesheet and icon, compiled into the binary so one file is all SPOT needs.

use actix_web::{http::header, web, HttpResponse};

const STYLESHEET: &str = include_str!("../../assets/spot.css");
const FAVICON: &str = include_str!("../../assets/favicon.svg");

/// The version in the URL changes whenever the CSS does, so browsers may cache it long.
pub const STYLESHEET_URL: &str = concat!("/assets/spot.css?v=", env!("CARGO_PKG_VERSION"), "-7");

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/assets/spot.css", web::get().to(stylesheet))
        .route("/assets/favicon.svg", web::get().to(favicon));
}

async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(STYLESHEET)
}

async fn favicon() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(FAVICON)
}
