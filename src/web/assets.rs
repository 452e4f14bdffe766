//! The stylesheet, the page script, the icons and the web app manifest, compiled into the
//! binary so one file is all SPOT needs.

use actix_web::{http::header, web, HttpResponse};

const STYLESHEET: &str = include_str!("../../assets/spot.css");
const FAVICON: &str = include_str!("../../assets/favicon.svg");
/// The progressive enhancements (drafts, @mention suggestions, preview, new replies): every
/// page works the same without it.
pub const SCRIPT: &str = include_str!("../../assets/spot.js");
/// What a phone needs to add SPOT to its home screen.
pub const MANIFEST: &str = include_str!("../../assets/manifest.webmanifest");

/// The version in the URL changes whenever the CSS does, so browsers may cache it long.
pub const STYLESHEET_URL: &str = concat!("/assets/spot.css?v=", env!("CARGO_PKG_VERSION"), "-9");

/// The icons drawn by `tests/browser/make-icons.mjs`: (address, type, bytes).
const ICONS: [(&str, &str, &[u8]); 6] = [
    (
        "/favicon.ico",
        "image/x-icon",
        include_bytes!("../../assets/favicon.ico"),
    ),
    (
        "/assets/icon-32.png",
        "image/png",
        include_bytes!("../../assets/icon-32.png"),
    ),
    (
        "/assets/icon-192.png",
        "image/png",
        include_bytes!("../../assets/icon-192.png"),
    ),
    (
        "/assets/icon-512.png",
        "image/png",
        include_bytes!("../../assets/icon-512.png"),
    ),
    (
        "/assets/icon-maskable-512.png",
        "image/png",
        include_bytes!("../../assets/icon-maskable-512.png"),
    ),
    (
        "/assets/apple-touch-icon.png",
        "image/png",
        include_bytes!("../../assets/apple-touch-icon.png"),
    ),
];

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
        .route("/assets/favicon.svg", web::get().to(favicon))
        .route("/manifest.webmanifest", web::get().to(manifest));
    for (path, content_type, body) in ICONS {
        cfg.route(
            path,
            web::get().to(move || async move { cached(content_type, body) }),
        );
    }
}

/// A static file browsers may keep for a day.
fn cached(content_type: &'static str, body: &'static [u8]) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(body)
}

async fn stylesheet() -> HttpResponse {
    cached("text/css; charset=utf-8", STYLESHEET.as_bytes())
}

async fn favicon() -> HttpResponse {
    cached("image/svg+xml", FAVICON.as_bytes())
}

async fn manifest() -> HttpResponse {
    cached("application/manifest+json", MANIFEST.as_bytes())
}

async fn script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(SCRIPT)
}
