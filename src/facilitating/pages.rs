//! The facilitator's desk page.

use maud::{html, Markup};

use super::{Charge, Desk};
use crate::bookings::pages::boroughs_text;
use crate::web::layout::{layout, london_time, moderation_nav};
use crate::web::PageCtx;

fn charge_words(charge: Charge) -> &'static str {
    match charge {
        Charge::InCharge => "You are in charge",
        Charge::Shared => "Shared by every facilitator (nobody is in charge)",
        Charge::CohortSpace => "Cohort space of your run",
        Charge::AsAdmin => "As an admin",
    }
}

pub fn desk(ctx: &PageCtx, desk: &Desk) -> Markup {
    layout(
        ctx,
        "What you look after",
        html! {
            (moderation_nav(ctx))
            h1 { "What you look after" }
            p {
                a href="/moderation" { (desk.open_reports) (if desk.open_reports == 1 { " reported post" } else { " reported posts" }) }
                " and "
                a href="/moderation/held" { (desk.held) (if desk.held == 1 { " held item" } else { " held items" }) }
                " wait in your categories."
            }
            h2 { "Your course runs" }
            @if desk.admin { p.muted { "As an admin you can open every run's roster from the " a href="/admin/courses" { "course runs" } " page; these are the ones you facilitate." } }
            @if desk.runs.is_empty() {
                p { "You are not facilitating a course run. An admin chooses each run's two facilitators." }
            } @else {
                div.table-scroll tabindex="0" role="region" aria-label="Your course runs" {
                    table.table {
                        caption.visually-hidden { "Course runs you facilitate, newest first" }
                        thead { tr { th scope="col" { "Run" } th scope="col" { "Boroughs" } th scope="col" { "First session" } th scope="col" { "Places" } th scope="col" { "For the run" } } }
                        tbody {
                            @for summary in &desk.runs {
                                tr {
                                    td { a href={ "/courses/" (summary.run.id) } { (summary.run.title) }
                                         @if summary.run.cancelled_at.is_some() { " (cancelled)" } }
                                    td { (boroughs_text(&summary.boroughs)) }
                                    td { @if let Some(first) = summary.first_start() { (london_time(first)) } }
                                    td { (summary.booked) " of " (summary.run.capacity) @if summary.waiting > 0 { ", " (summary.waiting) " waiting" } }
                                    td {
                                        a href={ "/courses/" (summary.run.id) "/roster" } { "Roster and attendance" span.visually-hidden { " for " (summary.run.title) } }
                                        @if let Some((_, slug)) = desk.spaces.iter().find(|(run, _)| *run == summary.run.id) {
                                            " · " a href={ "/forum/" (slug) } { "Cohort space" span.visually-hidden { " of " (summary.run.title) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h2 { "Your categories" }
            p { "You pin, lock, move and hide posts, and handle reports and held posts, in these categories only." }
            @if desk.categories.is_empty() {
                p { "None at the moment: other facilitators are in charge of every category. Ask an admin to add you to one." }
            } @else {
                ul.plain {
                    @for (category, charge) in &desk.categories {
                        li { a href={ "/forum/" (category.slug) } { (category.name) } " – " span.muted { (charge_words(*charge)) } }
                    }
                }
            }
        },
    )
}
