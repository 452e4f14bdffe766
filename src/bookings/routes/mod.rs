//! Course handlers: parse, call one rule (which tells the people concerned, in its own
//! transaction: `bookings::telling`), redirect or render. The route table is here.

mod booking;
mod managers;
mod roster;
mod runs;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/courses", web::get().to(booking::list))
        .route("/courses/{id}", web::get().to(booking::detail))
        .route("/courses/{id}/book", web::post().to(booking::book))
        .route("/courses/{id}/cancel", web::get().to(booking::cancel_page))
        .route("/courses/{id}/cancel", web::post().to(booking::cancel))
        .route("/manager/{token}", web::get().to(managers::request_page))
        .route("/manager/{token}", web::post().to(managers::answer))
        .route(
            "/courses/{id}/calendar.ics",
            web::get().to(booking::run_calendar),
        )
        .route("/courses/{id}/roster", web::get().to(roster::roster_page))
        .route(
            "/courses/{id}/roster.csv",
            web::get().to(roster::roster_csv),
        )
        .route(
            "/courses/{id}/attendance/{session}",
            web::post().to(roster::attendance),
        )
        .route("/courses/{id}/book-in", web::post().to(roster::book_in))
        .route(
            "/calendar/{feed}",
            web::get().to(booking::personal_calendar),
        )
        .route("/admin/courses", web::get().to(runs::admin_list))
        .route("/admin/courses/new", web::get().to(runs::new_run_page))
        .route("/admin/courses/new", web::post().to(runs::create_run))
        .route("/admin/courses/{id}", web::get().to(runs::manage_page))
        .route("/admin/courses/{id}", web::post().to(runs::update_run))
        .route(
            "/admin/courses/{id}/open",
            web::post().to(runs::open_booking),
        )
        .route(
            "/admin/courses/{id}/close",
            web::post().to(runs::close_booking),
        )
        .route(
            "/admin/courses/{id}/cancel",
            web::post().to(runs::cancel_run),
        )
        .route(
            "/admin/courses/{id}/sessions/{number}",
            web::post().to(runs::move_session),
        );
}
