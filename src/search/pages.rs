//! The search page: the form with its filters, then the results grouped by kind.

use chrono::Datelike;
use maud::{html, Markup};

use super::filters::{FilterForm, Filters, Kind};
use super::query::SearchQuery;
use super::results::{MemberHit, ResourceHit, Results, ThreadHit};
use crate::accounts::{Borough, Role};
use crate::members::pages::member_badges;
use crate::web::forms::{error_summary, select_field, text_field, FieldErrors, Input};
use crate::web::layout::{layout, time_tag};
use crate::web::paging::{pagination, Paged};
use crate::web::PageCtx;

/// Everything the page shows.
pub struct SearchPage<'a> {
    /// What is in the box, as typed (cut to what was read).
    pub text: &'a str,
    pub query: &'a SearchQuery,
    pub form: &'a FilterForm,
    /// The filters, when they were understood.
    pub filters: Option<&'a Filters>,
    /// (slug, name) of the categories the viewer may read.
    pub categories: &'a [(String, String)],
    pub errors: &'a FieldErrors,
    pub results: Option<&'a Results>,
}

/// The address of a search: the text, the filters, a kind and a page.
pub fn search_href(text: &str, filters: &Filters, kind: Option<Kind>, page: Option<u32>) -> String {
    let mut address = url::form_urlencoded::Serializer::new(String::new());
    address.append_pair("q", text);
    if let Some(kind) = kind {
        address.append_pair("kind", kind.slug());
    }
    for (name, value) in filters.query_pairs() {
        address.append_pair(name, &value);
    }
    if let Some(page) = page.filter(|p| *p > 1) {
        address.append_pair("page", &page.to_string());
    }
    format!("/search?{}", address.finish())
}

fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub fn search(ctx: &SearchPage<'_>, page: &PageCtx) -> Markup {
    let title = if ctx.query.is_empty() {
        "Search".to_owned()
    } else {
        format!("Search: {}", ctx.query.display())
    };
    let title = if ctx.errors.is_empty() {
        title
    } else {
        format!("Error: {title}")
    };
    layout(
        page,
        &title,
        html! {
            h1 { "Search" }
            (error_summary(ctx.errors))
            (form(ctx, page.viewer.is_some()))
            (outcome(ctx, page.viewer.is_some()))
        },
    )
}

fn form(ctx: &SearchPage<'_>, signed_in: bool) -> Markup {
    let errors = ctx.errors;
    let form = ctx.form;
    let open = !form.kind.trim().is_empty()
        || !form.category.trim().is_empty()
        || !form.tag.trim().is_empty()
        || !form.role.trim().is_empty()
        || !form.borough.trim().is_empty()
        || !form.from.trim().is_empty()
        || !form.to.trim().is_empty()
        || !errors.is_empty();
    let kinds: Vec<(&str, &str)> = if signed_in {
        Kind::ALL.iter().map(|k| (k.slug(), k.label())).collect()
    } else {
        vec![(Kind::Posts.slug(), Kind::Posts.label())]
    };
    let categories: Vec<(&str, &str)> = ctx
        .categories
        .iter()
        .map(|(slug, name)| (slug.as_str(), name.as_str()))
        .collect();
    let roles = Role::options();
    let boroughs = Borough::options();
    html! {
        form.search-form method="get" action="/search" {
            (text_field("q", "Search discussions, resources and members", ctx.text, errors,
                Input::of("search").max_length(super::query::MAX_INPUT_CHARS).hint(
                    "Words find their variants (pacing finds paced). Put a phrase in quotes, \
                     like \"energy diary\"; put a minus before a word to leave it out, like -children.")))
            details.search-filters open[open] {
                summary { "Filters" }
                div.filter-bar {
                    (select_field("kind", "Show", form.kind.trim(), &kinds, Some("Everything"), errors))
                    (select_field("category", "Forum category", form.category.trim(), &categories, Some("All categories"), errors))
                    (text_field("tag", "Resource tag", form.tag.trim(), errors, Input::text().max_length(40)))
                    (select_field("role", "Author's role", form.role.trim(), &roles, Some("Both roles"), errors))
                    (select_field("borough", "Borough", form.borough.trim(), &boroughs, Some("All boroughs"), errors))
                    (text_field("from", "From", form.from.trim(), errors, Input::of(date_kind(form.from.trim()))))
                    (text_field("to", "To (included)", form.to.trim(), errors, Input::of(date_kind(form.to.trim()))))
                }
                p.hint {
                    "A category narrows the search to discussions, a tag to resources; members have no "
                    "dates. Type dates as 2026-03-01 where there is no date picker."
                }
            }
            button.button type="submit" { "Search" }
        }
    }
}

/// A date box is `type="date"`, which may only hold a real date (2026-03-01): a browser
/// empties one holding anything else. What is not a date is shown back in a text box, so the
/// member sees what they typed next to the message about it.
fn date_kind(value: &str) -> &'static str {
    let real = value.len() == 10
        && value.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        })
        && chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok_and(|d| d.year() > 0);
    if value.is_empty() || real {
        "date"
    } else {
        "text"
    }
}

fn outcome(ctx: &SearchPage<'_>, signed_in: bool) -> Markup {
    let Some(results) = ctx.results else {
        return html! {};
    };
    let Some(filters) = ctx.filters else {
        return html! {};
    };
    if ctx.query.is_empty() {
        return html! {
            @if ctx.query.only_exclusions() {
                p { "Add a word to look for: a minus sign only leaves words out." }
            } @else if !ctx.text.trim().is_empty() {
                p { "Those words are too common to search for. Try more particular words, like "
                    "“pacing” or “referral”." }
            }
        };
    };
    let kind = filters.kind;
    html! {
        p.lede role="status" {
            (plural(results.total(), "result", "results")) " for " strong { (ctx.query.display()) }
        }
        @if !signed_in {
            p { a href={ "/login?next=" (url::form_urlencoded::byte_serialize(search_href(ctx.text, filters, kind, None).as_bytes()).collect::<String>()) } { "Sign in" }
                " to search the resource library and the member directory too." }
        }
        @if let Some(threads) = &results.threads {
            (section(ctx.text, filters, Kind::Posts, kind, threads, thread_hit))
        }
        @if let Some(resources) = &results.resources {
            (section(ctx.text, filters, Kind::Resources, kind, resources, resource_hit))
        }
        @if let Some(members) = &results.members {
            (section(ctx.text, filters, Kind::Members, kind, members, member_hit))
        }
    }
}

fn section<T>(
    text: &str,
    filters: &Filters,
    kind: Kind,
    asked: Option<Kind>,
    paged: &Paged<T>,
    hit: fn(&T) -> Markup,
) -> Markup {
    let heading = format!("results-{}", kind.slug());
    html! {
        section.search-section aria-labelledby=(heading) {
            h2 id=(heading) { (kind.label()) " " span.count { "(" (paged.total) ")" } }
            @if paged.items.is_empty() {
                @if paged.total > 0 {
                    p { "No more " (kind.label().to_lowercase()) " on this page. "
                        a href=(search_href(text, filters, asked, None)) { "Back to the first page" } }
                } @else {
                    p.muted { "No " (kind.label().to_lowercase()) " match." }
                }
            } @else {
                ol.search-results {
                    @for item in &paged.items { (hit(item)) }
                }
                @if asked.is_none() && paged.total > paged.items.len() as i64 {
                    p { a href=(search_href(text, filters, Some(kind), None)) {
                        "All " (paged.total) " " (kind.label().to_lowercase()) } }
                }
                @if asked.is_some() {
                    (pagination(paged, |page| search_href(text, filters, asked, Some(page))))
                }
            }
        }
    }
}

fn thread_hit(hit: &ThreadHit) -> Markup {
    html! {
        li.search-result {
            h3 { a href=(hit.href()) { (hit.title) } }
            p.meta.muted {
                (hit.category_name) " · "
                @if hit.position > 1 { "reply by " } @else { "started by " }
                (hit.author.display_name) " "
                (member_badges(hit.author.role, hit.author.borough, hit.author.staff))
                " · " (time_tag(hit.posted_at))
            }
            @if !hit.snippet.is_empty() {
                p.snippet { (hit.snippet) }
            }
            p.muted.small {
                (plural(i64::from(hit.post_count), "post", "posts")) ", latest " (time_tag(hit.last_post_at))
            }
        }
    }
}

fn resource_hit(hit: &ResourceHit) -> Markup {
    html! {
        li.search-result {
            h3 { a href={ "/resources/" (hit.id) } { (hit.title) } }
            p.meta.muted {
                (hit.label)
                @if let Some(borough) = hit.borough { " · for " (borough.label()) }
                " · shared by " (hit.sharer.display_name) " "
                (member_badges(hit.sharer.role, hit.sharer.borough, hit.sharer.staff))
                " · " (time_tag(hit.created_at))
            }
            @if !hit.snippet.is_empty() {
                p.snippet { (hit.snippet) }
            }
            @if !hit.tags.is_empty() {
                ul.tag-list aria-label="Tags" {
                    @for tag in &hit.tags {
                        li { a.tag href={ "/resources?tag=" (url::form_urlencoded::byte_serialize(tag.as_bytes()).collect::<String>()) } { (tag) } }
                    }
                }
            }
        }
    }
}

fn member_hit(hit: &MemberHit) -> Markup {
    let member = &hit.member;
    html! {
        li.search-result {
            h3 { a href={ "/members/" (member.id) } { (hit.name) } }
            p.meta { (member_badges(member.role, member.borough, member.staff)) " " span.muted { (member.organisation) } }
            @if !hit.snippet.is_empty() {
                p.snippet { (hit.snippet) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_real_dates_go_in_a_date_box() {
        assert_eq!(date_kind(""), "date");
        assert_eq!(date_kind("2026-03-01"), "date");
        assert_eq!(date_kind("2026-02-30"), "text");
        assert_eq!(date_kind("2026-3-1"), "text");
        assert_eq!(date_kind("yesterday"), "text");
    }

    #[test]
    fn addresses_escape_the_text_and_keep_the_filters() {
        let filters = Filters {
            tag: Some("referral form".into()),
            borough: Some(Borough::Bolton),
            ..Filters::default()
        };
        assert_eq!(
            search_href("\"long covid\" & more", &filters, Some(Kind::Resources), Some(2)),
            "/search?q=%22long+covid%22+%26+more&kind=resources&tag=referral+form&borough=bolton&page=2"
        );
    }
}
