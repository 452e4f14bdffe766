//! Directory and profile pages.

use maud::{html, Markup};

use super::directory::{DirectoryEntry, DirectoryFilter, Profile};
use crate::accounts::{Borough, Role, StaffLevel};
use crate::connect::pages::service_section;
use crate::connect::services::Service;
use crate::web::layout::{folding_filters, layout, long_date, sub_nav};
use crate::web::paging::{pagination, Paged};
use crate::web::PageCtx;

/// "OT · Wigan": who someone is in this community, shown beside their name everywhere.
pub fn member_badges(role: Role, borough: Borough, staff: StaffLevel) -> Markup {
    html! {
        span.badges {
            @if role == Role::OccupationalTherapist {
                abbr class={ "badge badge-" (role.slug()) } title=(role.label()) { (role.badge()) }
            } @else {
                span class={ "badge badge-" (role.slug()) } { (role.badge()) }
            }
            span.badge.badge-borough { (borough.label()) }
            @if staff.can_moderate() {
                span.badge.badge-staff { (staff.label()) }
            }
        }
    }
}

/// The members' section: the directory, your counterparts and the map.
pub fn members_nav(ctx: &PageCtx) -> Markup {
    sub_nav(
        ctx,
        "Members",
        &[
            ("/members", "Directory"),
            ("/counterparts", "Your counterparts"),
            ("/map", "Map"),
        ],
    )
}

/// One of the directory's filters: a labelled choice whose first option is "any".
fn filter_select(
    name: &str,
    label: &str,
    any: &str,
    options: &[(&str, &str)],
    chosen: &str,
) -> Markup {
    html! {
        div.form-group {
            label.label for=(name) { (label) }
            select.select id=(name) name=(name) {
                option value="" selected[chosen.is_empty()] { (any) }
                @for (value, text) in options {
                    option value=(value) selected[*value == chosen] { (text) }
                }
            }
        }
    }
}

fn filter_query(filter: DirectoryFilter, page: Option<u32>) -> String {
    let mut parts = Vec::new();
    if let Some(role) = filter.role {
        parts.push(format!("role={}", role.slug()));
    }
    if let Some(borough) = filter.borough {
        parts.push(format!("borough={}", borough.slug()));
    }
    if let Some(covers) = filter.covers {
        parts.push(format!("covers={}", covers.slug()));
    }
    if let Some(page) = page {
        parts.push(format!("page={page}"));
    }
    if parts.is_empty() {
        "/members".into()
    } else {
        format!("/members?{}", parts.join("&"))
    }
}

fn summary(filter: DirectoryFilter, total: i64) -> String {
    let who = match filter.role {
        Some(Role::LinkWorker) => {
            if total == 1 {
                "link worker"
            } else {
                "link workers"
            }
        }
        Some(Role::OccupationalTherapist) => {
            if total == 1 {
                "occupational therapist"
            } else {
                "occupational therapists"
            }
        }
        None => {
            if total == 1 {
                "member"
            } else {
                "members"
            }
        }
    };
    let found = match filter.borough {
        Some(borough) => format!("{total} {who} in {}", borough.label()),
        None => format!("{total} {who}"),
    };
    match filter.covers {
        Some(covers) => format!("{found} whose service covers {}", covers.label()),
        None => found,
    }
}

/// `contactable`: those on the page who take a new conversation from the viewer.
pub fn directory(
    ctx: &PageCtx,
    filter: DirectoryFilter,
    results: &Paged<DirectoryEntry>,
    contactable: &std::collections::HashSet<crate::db::MemberId>,
) -> Markup {
    let role = filter.role.map(Role::slug).unwrap_or("");
    let borough = filter.borough.map(Borough::slug).unwrap_or("");
    let covers = filter.covers.map(Borough::slug).unwrap_or("");
    layout(
        ctx,
        "Member directory",
        html! {
            (members_nav(ctx))
            h1 { "Member directory" }
            p.lede { "Find your counterparts: the occupational therapists and link workers in your borough." }
            (folding_filters("Filter members", !(role.is_empty() && borough.is_empty() && covers.is_empty()), html! {
                form.filter-bar method="get" action="/members" {
                    (filter_select("role", "Role", "Both roles", &Role::options(), role))
                    (filter_select("borough", "Borough", "All boroughs", &Borough::options(), borough))
                    (filter_select("covers", "Their service covers", "Any borough", &Borough::options(), covers))
                    button.button.button-secondary type="submit" { "Show members" }
                }
            }))
            h2 { (summary(filter, results.total)) }
            @if results.items.is_empty() {
                p { "No members match. Try another borough, or both roles." }
            } @else {
                ul.card-list.directory {
                    @for entry in &results.items {
                        li.card {
                            h3 { a href={ "/members/" (entry.id) } { (entry.display_name) } }
                            (member_badges(entry.role, entry.borough, entry.staff))
                            p.muted { (entry.organisation) }
                            @if contactable.contains(&entry.id) {
                                p { a href={ "/messages/new?to=" (entry.id) } { "Send a message" span.visually-hidden { " to " (entry.display_name) } } }
                            }
                        }
                    }
                }
            }
            (pagination(results, |page| filter_query(filter, Some(page))))
        },
    )
}

/// `takes_messages`: whether they take a new conversation from the viewer.
pub fn profile(
    ctx: &PageCtx,
    profile: &Profile,
    service: &Service,
    takes_messages: bool,
) -> Markup {
    layout(
        ctx,
        &profile.display_name,
        html! {
            article.profile {
                h1 { (profile.display_name) }
                (member_badges(profile.role, profile.borough, profile.staff))
                dl.summary-list {
                    div { dt { "Role" } dd { (profile.role.label()) } }
                    div { dt { "Borough" } dd { (profile.borough.label()) } }
                    div { dt { "Organisation or service" } dd { (profile.organisation) } }
                    div { dt { "Member since" } dd { (long_date(profile.created_at)) } }
                }
                h2 { "About" }
                @if profile.about_html.is_empty() {
                    p.muted { (profile.display_name) " has not written about themselves yet." }
                } @else {
                    div.prose { (profile.about_html) }
                }
                (service_section(&profile.display_name, service))
            }
            (crate::messages::pages::profile_actions(ctx, profile.id, takes_messages))
            @if ctx.viewer.as_ref().is_some_and(|v| v.staff.can_moderate()) {
                p { a href={ "/members/" (profile.id) "/history" } { "Moderation history, notes and warnings" } }
            }
            @if ctx.viewer.as_ref().is_some_and(|v| v.staff.can_moderate() && v.id != profile.id) && !profile.staff.can_moderate() {
                p { a href={ "/members/" (profile.id) "/suspend" } { "Suspend this member" } }
            }
            p { a href="/members" { "Back to the directory" } }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_names_the_filter() {
        let filter = DirectoryFilter {
            role: Some(Role::OccupationalTherapist),
            borough: Some(Borough::Wigan),
            covers: None,
        };
        assert_eq!(summary(filter, 3), "3 occupational therapists in Wigan");
        assert_eq!(summary(DirectoryFilter::default(), 1), "1 member");
    }

    #[test]
    fn page_links_keep_the_filter() {
        let filter = DirectoryFilter {
            role: Some(Role::LinkWorker),
            borough: None,
            covers: Some(Borough::Bury),
        };
        assert_eq!(
            filter_query(filter, Some(2)),
            "/members?role=link_worker&covers=bury&page=2"
        );
        assert_eq!(filter_query(DirectoryFilter::default(), None), "/members");
    }
}
