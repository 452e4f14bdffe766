//! Course handlers: parse, call one rule, tell the people concerned, redirect or render.
//! The route table is here, with what the areas share: the form reader and the `Postbox`
//! that booking letters go through.

mod booking;
mod roster;
mod runs;

use actix_web::web;

use super::letters::Recipient;
use crate::accounts::members;
use crate::db::{self, CourseRunId, Db, MemberId};
use crate::mail::Letter;
use crate::notifications::{events, outbox};
use crate::web::AppError;
use crate::Site;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/courses", web::get().to(booking::list))
        .route("/courses/{id}", web::get().to(booking::detail))
        .route("/courses/{id}/book", web::post().to(booking::book))
        .route("/courses/{id}/cancel", web::post().to(booking::cancel))
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

/// The fields of a form in order, repeated names kept (`boroughs=a&boroughs=b`). A staff
/// form has a few dozen at most; the rest of a forged one is not kept.
fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .into_owned()
        .take(1_000)
        .collect()
}

fn field(pairs: &[(String, String)], name: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// The address booking letters link to, and the database their outbox is in.
struct Postbox {
    db: web::Data<Db>,
    site: web::Data<Site>,
}

impl actix_web::FromRequest for Postbox {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &actix_web::HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let found = match (
            req.app_data::<web::Data<Db>>(),
            req.app_data::<web::Data<Site>>(),
        ) {
            (Some(db), Some(site)) => Ok(Postbox {
                db: db.clone(),
                site: site.clone(),
            }),
            _ => Err(AppError::Unexpected(anyhow::anyhow!(
                "no database or site configured"
            ))),
        };
        std::future::ready(found)
    }
}

/// Puts booking letters in the outbox after the change is saved, with the same news on each
/// member's notifications page. A failure is logged and never undoes the booking.
async fn post_letters(postbox: &Postbox, run: CourseRunId, letters: Vec<(MemberId, Letter)>) {
    if letters.is_empty() {
        return;
    }
    let queued = postbox
        .db
        .run(move |conn| {
            Ok(conn.write_transaction(|conn| {
                let now = db::now();
                for (member, letter) in &letters {
                    outbox::enqueue(conn, Some(*member), letter, now)?;
                    events::booking_news(conn, *member, run, &letter.subject, "", now)?;
                }
                Ok::<_, diesel::result::Error>(())
            })?)
        })
        .await;
    if let Err(error) = queued {
        tracing::error!(%error, %run, "booking letters not queued");
    }
}

fn recipients(conn: &mut db::DbConn, people: &[MemberId]) -> Result<Vec<Recipient>, AppError> {
    let mut found = Vec::new();
    for id in people {
        let member = members::find(conn, *id)?;
        found.push(Recipient {
            member: member.id,
            name: member.display_name,
            address: member.email,
        });
    }
    Ok(found)
}
