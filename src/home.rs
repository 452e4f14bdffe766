//! The home page (what SPOT is, in the programme's own terms) and the health check.

use actix_web::{web, HttpResponse};
use diesel::RunQueryDsl;
use maud::{html, Markup};

use crate::admin::settings::{self, Setting};
use crate::bookings::catalogue::{self, RunSummary};
use crate::connect::map::{self, MemberCounts};
use crate::connect::pages::map_figure;
use crate::db::{self, Db};
use crate::forum::categories;
use crate::forum::posts::Author;
use crate::forum::threads::{self, Thread};
use crate::web::layout::{layout, time_tag};
use crate::web::{html, AppError, PageCtx};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home))
        .route("/healthz", web::get().to(health));
}

async fn home(ctx: PageCtx, db: web::Data<Db>) -> Result<HttpResponse, AppError> {
    let viewer = ctx.viewer.clone();
    let home = viewer.as_ref().map(|v| v.borough);
    let (latest, courses, counts) = db
        .run(move |conn| {
            let counts = if settings::enabled(conn, Setting::MapOnHome)? {
                Some(map::counts(conn, db::now())?)
            } else {
                None
            };
            let readable: Vec<_> = categories::readable(conn, viewer.as_ref())?
                .into_iter()
                .map(|category| category.id)
                .collect();
            let latest = threads::latest(conn, &readable, 5)?;
            let mut courses = catalogue::upcoming(conn, home, db::now())?;
            courses.retain(|course| course.run.cancelled_at.is_none());
            courses.truncate(3);
            Ok((latest, courses, counts))
        })
        .await?;
    Ok(html(home_page(&ctx, &latest, &courses, counts.as_ref())))
}

fn upcoming_courses(courses: &[RunSummary]) -> Markup {
    html! {
        section {
            h2 { "Upcoming courses" }
            @if courses.is_empty() {
                p { "No courses are scheduled at the moment." }
            } @else {
                ul.plain-list {
                    @for course in courses {
                        li {
                            a href={ "/courses/" (course.run.id) } { (course.run.title) }
                            @if let Some(first) = course.first_start() {
                                span.muted { " – starts " (time_tag(first)) ", " (course.places_left()) " places left" }
                            }
                        }
                    }
                }
                p { a href="/courses" { "All courses" } }
            }
        }
    }
}

fn latest_threads(latest: &[(Thread, Author)]) -> Markup {
    html! {
        section {
            h2 { "Latest discussions" }
            @if latest.is_empty() {
                p { "No discussions yet. " a href="/forum" { "Start one in the forum" } "." }
            } @else {
                ul.plain-list {
                    @for (thread, author) in latest {
                        li {
                            a href={ "/threads/" (thread.id) } { (thread.title) }
                            span.muted { " – " (author.display_name) ", " (thread.reply_count()) " repl" (if thread.reply_count() == 1 { "y" } else { "ies" }) ", latest " (time_tag(thread.last_post_at)) }
                        }
                    }
                }
                p { a href="/forum" { "All discussions" } }
            }
        }
    }
}

/// The map of members by borough, when an admin has made its counts public.
fn members_map(ctx: &PageCtx, counts: &MemberCounts) -> Markup {
    html! {
        section.home-map aria-labelledby="home-map" {
            h2 #home-map { "Members across Greater Manchester" }
            (map_figure(counts, ctx.viewer.is_some()))
        }
    }
}

fn home_page(
    ctx: &PageCtx,
    latest: &[(Thread, Author)],
    courses: &[RunSummary],
    counts: Option<&MemberCounts>,
) -> Markup {
    layout(
        ctx,
        "Welcome",
        html! {
            section.hero {
                h1 { "SPOT the difference" }
                p.lede {
                    "A place where Greater Manchester's social-prescribing link workers and "
                    "occupational therapists learn from each other, link up their services and "
                    "solve local problems together."
                }
                @if ctx.viewer.is_none() {
                    p {
                        a.button href="/register" { "Join SPOT" }
                        " "
                        a.button.button-secondary href="/login" { "Sign in" }
                    }
                }
            }
            div.columns {
                section {
                    h2 { "Why two professions?" }
                    p {
                        "Link workers connect people to community groups and services; occupational "
                        "therapists help people with long-term conditions get back to the activities "
                        "that matter to them. Both support recovery at home and in the community – "
                        "including people living with the long-term effects of Covid-19 – yet the "
                        "two professions rarely know each other."
                    }
                }
                section {
                    h2 { "How it works" }
                    ul {
                        li { strong { "A short online course: " } "three two-hour sessions on consecutive weeks, for up to 15 people, co-delivered by an OT and a link worker. Each run serves a cluster of boroughs; you attend one." }
                        li { strong { "Then a community of practice: " } "discussions, a shared library of resources, and a directory to find your counterparts in your borough." }
                        li { strong { "Free to take part. " } "Please agree the time with your manager before you book a course." }
                    }
                }
            }
            div.columns {
                (upcoming_courses(courses))
                @if ctx.viewer.is_some() || !latest.is_empty() {
                    (latest_threads(latest))
                }
            }
            @if let Some(counts) = counts {
                (members_map(ctx, counts))
            }
            section {
                h2 { "Who it is for" }
                p {
                    "Link workers and occupational therapists working in Bolton, Bury, Manchester, "
                    "Oldham, Rochdale, Salford, Stockport, Tameside, Trafford and Wigan. The programme "
                    "is delivered by the Salford Social Prescribing Hub at the University of Salford "
                    "and funded by the Elizabeth Casson Trust."
                }
            }
        },
    )
}

#[derive(serde::Serialize)]
struct Health {
    status: &'static str,
    database: DatabaseHealth,
}

#[derive(serde::Serialize)]
struct DatabaseHealth {
    engine: &'static str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// 200 with `"status": "ok"` when the database answers; 503 otherwise.
async fn health(db: web::Data<Db>) -> HttpResponse {
    let probe = db
        .run(|conn| Ok(diesel::sql_query("SELECT 1").execute(conn)?))
        .await;
    let engine = db.engine().name();
    match probe {
        Ok(_) => HttpResponse::Ok().json(Health {
            status: "ok",
            database: DatabaseHealth {
                engine,
                status: "ok",
                error: None,
            },
        }),
        Err(error) => {
            tracing::warn!(%error, "health check: database unavailable");
            HttpResponse::ServiceUnavailable().json(Health {
                status: "unavailable",
                database: DatabaseHealth {
                    engine,
                    status: "unavailable",
                    error: Some("the database did not answer".into()),
                },
            })
        }
    }
}
