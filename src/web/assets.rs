//! The stylesheet, the page script and the icon, compiled into the binary so one file is all
//! SPOT needs.

use actix_web::{http::header, web, HttpResponse};

const STYLESHEET: &str = include_str!("../../assets/spot.css");
const FAVICON: &str = include_str!("../../assets/favicon.svg");
/// The progressive enhancements (drafts, @mention suggestions, preview, new replies): every
/// page works the same without it.
pub const SCRIPT: &str = include_str!("../../assets/spot.js");

/// The version in the URL changes whenever the CSS does, so browsers may cache it long.
pub const STYLESHEET_URL: &str = concat!("/assets/spot.css?v=", env!("CARGO_PKG_VERSION"), "-7");

/// The script's address carries a digest of its content, so a browser may keep it for a
/// year and still never run an old copy after an upgrade.
pub fn script_url() -> &'static str {
    static URL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    URL.get_or_init(|| {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(SCRIPT.as_bytes());
        format!("/assets/spot.js?v={}", hex::encode(&digest[..6]))
    })
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/assets/spot.css", web::get().to(stylesheet))
        .route("/assets/spot.js", web::get().to(script))
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

async fn script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(SCRIPT)
}
