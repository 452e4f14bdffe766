//! The service form, the counterparts page and the map: plain structs in, markup out.

use std::collections::HashSet;

use maud::{html, Markup};

use super::counterparts::{Counterparts, Section};
use super::forms::ServiceForm;
use super::geo::{self, Outline};
use super::map::{people, BoroughCount, MemberCounts};
use super::services::Service;
use crate::accounts::{Borough, Role};
use crate::db::MemberId;
use crate::holds::pages::held_notice;
use crate::holds::Hold;
use crate::members::directory::DirectoryEntry;
use crate::members::pages::{member_badges, members_nav};
use crate::web::forms::{
    checkboxes_field, confirm_patient_data_field, csrf_field, textarea_field, FieldErrors,
};
use crate::web::layout::{layout, FormPage};
use crate::web::PageCtx;

const MARKDOWN_HINT: &str =
    "Optional. You can use Markdown: *italic*, **bold**, [links](https://www.nhs.uk) and lists.";

/// The member's service form, with its texts that wait for a facilitator.
pub fn service_form(
    ctx: &PageCtx,
    form: &ServiceForm,
    errors: &FieldErrors,
    hold: Option<&Hold>,
) -> Markup {
    FormPage::new(ctx, "Your service", errors)
        .narrow()
        .render(html! {
            h1 { "Your service" }
            @if let Some(hold) = hold {
                (held_notice(hold, "your new service description"))
            }
            p.lede { "Tell the other profession what your service takes: it shows on your profile, so that an OT can learn what a link worker's service offers, and the other way round." }
            p { "Please do not mention patients or service users." }
            form method="post" action=(super::SERVICE_PAGE) novalidate {
                (csrf_field(ctx))
                (textarea_field("offers", "What your service offers", &form.offers, errors,
                    Some(MARKDOWN_HINT), 5))
                (textarea_field("who_for", "Who it is for", &form.who_for, errors,
                    Some("Optional. For example: adults registered with a Salford GP who are lonely or isolated."), 4))
                (textarea_field("referral", "How to refer to it", &form.referral, errors,
                    Some("Optional. For example: a referral form, a phone number, or self-referral."), 4))
                (confirm_patient_data_field(errors))
                (checkboxes_field("boroughs", "The boroughs your service covers", &Borough::options(),
                    &form.boroughs, errors, Some("Tick every borough it takes people from.")))
                button.button type="submit" { "Save your service" }
            }
            p { a href="/account" { "Back to your account" } }
        })
}

/// A member's service on their profile (nothing when they have not described one).
pub fn service_section(name: &str, service: &Service) -> Markup {
    let part = |heading: &str, text: &crate::markdown::SafeHtml| {
        html! {
            @if !text.is_empty() {
                h3 { (heading) }
                div.prose { (text) }
            }
        }
    };
    html! {
        section.service aria-labelledby="service-heading" {
            h2 #service-heading { "Their service" }
            @if service.is_empty() {
                p.muted { (name) " has not described their service yet." }
            } @else {
                (part("What it offers", &service.offers_html))
                (part("Who it is for", &service.who_for_html))
                (part("How to refer", &service.referral_html))
                @if !service.area.is_empty() {
                    h3 { "Where it works" }
                    p { (boroughs_in_words(&service.area)) }
                }
            }
        }
    }
}

/// "Trafford, Wigan and Bolton".
fn boroughs_in_words(boroughs: &[Borough]) -> String {
    let names: Vec<&str> = boroughs.iter().map(|b| b.label()).collect();
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

fn profession(role: Role) -> &'static str {
    match role {
        Role::LinkWorker => "link workers",
        Role::OccupationalTherapist => "occupational therapists",
    }
}

fn directory_link(role: Option<Role>, borough: Borough) -> String {
    match role {
        Some(role) => format!("/members?role={}&borough={}", role.slug(), borough.slug()),
        None => format!("/members?borough={}", borough.slug()),
    }
}

/// A counterpart's card; the message button only for those who take a new conversation
/// from the viewer (the same words either way, so a block is never told).
fn person(entry: &DirectoryEntry, contactable: bool) -> Markup {
    html! {
        li.card.counterpart {
            h3 { a href={ "/members/" (entry.id) } { (entry.display_name) } }
            (member_badges(entry.role, entry.borough, entry.staff))
            p.muted { (entry.organisation) }
            @if contactable {
                a.button.button-secondary.contact-button href=(super::contact_path(entry.id)) {
                    "Send a message" span.visually-hidden { " to " (entry.display_name) }
                }
            } @else {
                p.muted { "Does not take new messages from you." }
            }
        }
    }
}

fn people_list(
    section: &Section,
    contactable: &HashSet<MemberId>,
    empty: Markup,
    more: Markup,
) -> Markup {
    html! {
        @if section.people.is_empty() {
            (empty)
        } @else {
            ul.card-list.directory {
                @for entry in &section.people { (person(entry, contactable.contains(&entry.id))) }
            }
            @if section.more {
                p { "Showing the first " (section.people.len()) ". " (more) }
            } @else {
                p { (more) }
            }
        }
    }
}

pub fn counterparts(ctx: &PageCtx, found: &Counterparts) -> Markup {
    let others = profession(found.other);
    let borough = found.borough.label();
    layout(
        ctx,
        "Your counterparts",
        html! {
            (members_nav(ctx))
            h1 { "Your counterparts" }
            p.lede { "The " (others) " who work near you, and the people from your course." }
            section aria-labelledby="in-borough" {
                h2 #in-borough { "In your borough" span.muted { " (" (borough) ")" } }
                (people_list(&found.in_borough, &found.contactable,
                    html! { p { "No " (others) " in " (borough) " are in the directory yet." } },
                    html! { a href=(directory_link(Some(found.other), found.borough)) { "All " (others) " in " (borough) } }))
            }
            section aria-labelledby="in-cluster" {
                h2 #in-cluster { "In your cluster" span.muted { " (" (boroughs_in_words(&found.cluster)) ")" } }
                (people_list(&found.in_cluster, &found.contactable,
                    html! { p { "No " (others) " in the rest of your cluster are in the directory yet." } },
                    html! {
                        "In the directory: "
                        @for (i, b) in found.cluster.iter().enumerate() {
                            @if i > 0 { ", " }
                            a href=(directory_link(Some(found.other), *b)) { (others) " in " (b.label()) }
                        }
                    }))
            }
            section aria-labelledby="from-course" {
                h2 #from-course { "From your course" }
                (people_list(&found.from_course, &found.contactable,
                    html! { p { "The people booked on the same run of the course as you appear here, both professions. " a href="/courses" { "Find a course" } } },
                    html! { "Both professions, " (others) " first." }))
            }
            p { a href="/map" { "See the map of members in each borough" } }
        },
    )
}

/// The top of each quarter of the busiest borough's members (the shades 1 to 4).
fn quarter_top(most: i64, step: i64) -> i64 {
    (most * step + 3) / 4
}

/// The shading of a borough: 0 for none, then 1 to 4 by quarters of the busiest borough.
fn shade(total: i64, most: i64) -> i64 {
    if total <= 0 {
        return 0;
    }
    (1..=4)
        .find(|&step| total <= quarter_top(most, step))
        .unwrap_or(4)
}

/// The legend's ranges: (shade, "1–5"), for the shades in use.
fn legend(most: i64) -> Vec<(i64, String)> {
    let mut ranges = vec![(0, "None".to_owned())];
    let mut low = 1;
    for step in 1..=4 {
        let high = quarter_top(most, step);
        if high >= low {
            let words = if high == low {
                high.to_string()
            } else {
                format!("{low}\u{2013}{high}")
            };
            ranges.push((step, words));
            low = high + 1;
        }
    }
    ranges
}

fn borough_shape(outline: &Outline, count: &BoroughCount, most: i64, linked: bool) -> Markup {
    let class = format!("borough shade-{}", shade(count.total(), most));
    html! {
        @if linked {
            a href=(directory_link(None, outline.borough)) aria-label=(count.described()) {
                path class=(class) d=(outline.path) {}
            }
        } @else {
            path class=(class) d=(outline.path) {}
        }
    }
}

/// A borough's name and figures; `halo`: the same in white, drawn first, to keep the words
/// readable over any shade and border.
fn borough_label(outline: &Outline, count: &BoroughCount, halo: bool) -> Markup {
    let (x, y) = outline.label;
    html! {
        text class=(if halo { "map-halo" } else { "map-label" }) x=(x) y=(y) text-anchor="middle" {
            tspan.map-name x=(x) { (outline.borough.label()) }
            tspan.map-count x=(x) dy="1.2em" {
                (count.link_workers) " LW \u{b7} " (count.occupational_therapists) " OT"
            }
        }
    }
}

/// The map of the ten boroughs, shaded by members, with the same figures in a table beside
/// it. `linked`: each borough (shape and row) links to the directory filtered to it, for
/// members; a visitor sees the figures only.
pub fn map_figure(counts: &MemberCounts, linked: bool) -> Markup {
    let outlines = geo::outlines();
    let most = counts.most();
    let (link_workers, ots) = counts.all();
    html! {
        div.map-layout {
            figure.gm-map {
                @if linked {
                    svg viewBox={ "0 0 " (outlines.width) " " (outlines.height) } role="group"
                        aria-label="Map of Greater Manchester's ten boroughs: each links to its members in the directory" {
                        (map_shapes(counts, most, true))
                    }
                } @else {
                    svg viewBox={ "0 0 " (outlines.width) " " (outlines.height) } role="img"
                        aria-label="Map of Greater Manchester's ten boroughs, shaded by members: the figures are in the table" {
                        (map_shapes(counts, most, false))
                    }
                }
                figcaption {
                    p.map-key-title { "Members in each borough" }
                    ul.map-key {
                        @for (step, words) in legend(most) {
                            li { span class={ "swatch shade-" (step) } {} (words) }
                        }
                    }
                    p.map-note { "LW: link workers; OT: occupational therapists." }
                }
            }
            div.table-scroll.map-table tabindex="0" role="region" aria-labelledby="map-table-caption" {
                table.table {
                    caption #map-table-caption { "Members by borough" }
                    thead { tr {
                        th scope="col" { "Borough" }
                        th.numeric scope="col" { "Link workers" }
                        th.numeric scope="col" { "Occupational therapists" }
                        th.numeric scope="col" { "All" }
                    } }
                    tbody {
                        @for count in &counts.0 {
                            tr {
                                th scope="row" {
                                    @if linked {
                                        a href=(directory_link(None, count.borough)) { (count.borough.label()) }
                                    } @else {
                                        (count.borough.label())
                                    }
                                }
                                td.numeric { (count.link_workers) }
                                td.numeric { (count.occupational_therapists) }
                                td.numeric { (count.total()) }
                            }
                        }
                    }
                    tfoot { tr {
                        th scope="row" { "Greater Manchester" }
                        td.numeric { (link_workers) }
                        td.numeric { (ots) }
                        td.numeric { (link_workers + ots) }
                    } }
                }
            }
        }
        (map_credit())
    }
}

fn map_shapes(counts: &MemberCounts, most: i64, linked: bool) -> Markup {
    let outlines = geo::outlines();
    html! {
        g.boroughs {
            @for outline in &outlines.boroughs {
                (borough_shape(outline, &counts.get(outline.borough), most, linked))
            }
        }
        g.map-labels aria-hidden="true" {
            @for halo in [true, false] {
                @for outline in &outlines.boroughs {
                    (borough_label(outline, &counts.get(outline.borough), halo))
                }
            }
        }
    }
}

/// The outlines' licence and attribution, wherever the map is drawn.
fn map_credit() -> Markup {
    html! {
        p.map-credit {
            "Borough outlines: "
            a href="https://github.com/martinjc/UK-GeoJSON" { "\u{201c}GeoJSON and TopoJSON UK Boundary Data\u{201d}" }
            " by Martin Chorley, licensed under "
            a href="https://creativecommons.org/licenses/by/4.0/" { "Creative Commons Attribution 4.0 International" }
            " (simplified for this map). Contains Ordnance Survey data \u{a9} Crown copyright and database right 2014, under the "
            a href="https://www.ordnancesurvey.co.uk/business-government/licensing-agreements/os-opendata-licence" { "OS OpenData Licence" }
            "."
        }
    }
}

pub fn map(ctx: &PageCtx, counts: &MemberCounts) -> Markup {
    let (link_workers, ots) = counts.all();
    layout(
        ctx,
        "Map of members",
        html! {
            (members_nav(ctx))
            h1 { "Members across Greater Manchester" }
            p.lede {
                (people(link_workers, "link worker", "link workers")) " and "
                (people(ots, "occupational therapist", "occupational therapists"))
                " in the directory, by the borough they work in. Choose a borough to see its members."
            }
            (map_figure(counts, true))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shading_runs_by_quarters_of_the_busiest_borough() {
        assert_eq!(shade(0, 20), 0);
        assert_eq!(shade(1, 20), 1);
        assert_eq!(shade(5, 20), 1);
        assert_eq!(shade(6, 20), 2);
        assert_eq!(shade(20, 20), 4);
        assert_eq!(shade(0, 0), 0);
        // Every shade in use is in the legend.
        for most in 1..30 {
            let steps: Vec<i64> = legend(most).into_iter().map(|(s, _)| s).collect();
            for total in 0..=most {
                assert!(steps.contains(&shade(total, most)), "{total} of {most}");
            }
        }
    }

    #[test]
    fn the_legend_names_the_ranges_in_use() {
        let words: Vec<String> = legend(20).into_iter().map(|(_, w)| w).collect();
        assert_eq!(
            words,
            [
                "None",
                "1\u{2013}5",
                "6\u{2013}10",
                "11\u{2013}15",
                "16\u{2013}20"
            ]
        );
        let words: Vec<String> = legend(2).into_iter().map(|(_, w)| w).collect();
        assert_eq!(words, ["None", "1", "2"]);
        for (step, _) in legend(2) {
            assert!((0..=4).contains(&step));
        }
    }

    #[test]
    fn boroughs_read_as_a_list() {
        use Borough::*;
        assert_eq!(
            boroughs_in_words(&[Trafford, Wigan, Bolton]),
            "Trafford, Wigan and Bolton"
        );
        assert_eq!(boroughs_in_words(&[Bury]), "Bury");
    }
}
