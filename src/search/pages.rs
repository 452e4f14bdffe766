//! The search page: the form with its filters, then the results grouped by kind.

use chrono::Datelike;
use maud::{html, Markup};

use super::filters::{FilterForm, Filters, Kind};
use super::query::SearchQuery;
use super::results::{Count, Found, MemberHit, MessageHit, ResourceHit, Results, ThreadHit};
use crate::accounts::{Borough, Role};
use crate::members::pages::member_badges;
use crate::web::forms::{select_field, text_field, FieldErrors, Input};
use crate::web::layout::{time_tag, FormPage};
use crate::web::paging::pagination;
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
    format!("{} {}", figure(n), if n == 1 { one } else { many })
}

/// A number with its thousands marked: 12,345.
fn figure(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut marked = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            marked.push(',');
        }
        marked.push(digit);
    }
    if n < 0 {
        marked.insert(0, '-');
    }
    marked
}

/// A kind's count as its heading shows it: `23`, `about 7,469`, `878+`.
fn count_label(count: Count) -> String {
    match count {
        Count::Exact(n) => figure(n),
        Count::About(n) => format!("about {}", figure(n)),
        Count::AtLeast(n) => format!("{}+", figure(n)),
    }
}

/// The whole search's count, for the sentence above the results.
fn total_label(count: Count) -> String {
    match count {
        Count::Exact(n) => plural(n, "result", "results"),
        Count::About(n) => format!("About {}", plural(n, "result", "results")),
        Count::AtLeast(n) => format!("At least {}", plural(n, "result", "results")),
    }
}

/// Why a list cut to some of the matches ends where it does: discussions and resources
/// rank their newest matches, the others their best (`search::engine::Cut`).
fn cut_note(kind: Kind, best: i64) -> String {
    match kind {
        Kind::Posts => format!(
            "These are the discussions of the {} most recent matching posts, best first. Add \
             words, or dates, to search further back.",
            figure(best)
        ),
        Kind::Resources => format!(
            "These are the {} most recent matching resources, best first. Add words, or dates, \
             to search further back.",
            figure(best)
        ),
        Kind::Members | Kind::Messages => format!(
            "These are the best {} matching {}. Add words to narrow the search.",
            figure(best),
            kind.label().to_lowercase()
        ),
    }
}

pub fn search(ctx: &SearchPage<'_>, page: &PageCtx) -> Markup {
    let title = if ctx.query.is_empty() {
        "Search".to_owned()
    } else {
        format!("Search: {}", ctx.query.display())
    };
    FormPage::new(page, &title, ctx.errors)
        .top(html! { h1 { "Search" } })
        .render(html! {
            (form(ctx, page.viewer.is_some()))
            (outcome(ctx, page.viewer.is_some()))
        })
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
            (total_label(results.total())) " for " strong { (ctx.query.display()) }
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
        @if let Some(messages) = &results.messages {
            (section(ctx.text, filters, Kind::Messages, kind, messages, message_hit))
        }
    }
}

fn section<T>(
    text: &str,
    filters: &Filters,
    kind: Kind,
    asked: Option<Kind>,
    found: &Found<T>,
    hit: fn(&T) -> Markup,
) -> Markup {
    let heading = format!("results-{}", kind.slug());
    let paged = &found.page;
    let label = kind.label().to_lowercase();
    html! {
        section.search-section aria-labelledby=(heading) {
            h2 id=(heading) { (kind.label()) " " span.count { "(" (count_label(found.count)) ")" } }
            @if paged.items.is_empty() {
                @if paged.total > 0 {
                    p { "No more " (label) " on this page. "
                        a href=(search_href(text, filters, asked, None)) { "Back to the first page" } }
                } @else {
                    p.muted { "No " (label) " match." }
                }
            } @else {
                ol.search-results {
                    @for item in &paged.items { (hit(item)) }
                }
                @if asked.is_none() && (paged.total > paged.items.len() as i64 || found.cut.is_some()) {
                    p { a href=(search_href(text, filters, Some(kind), None)) {
                        @match found.count {
                            Count::Exact(n) => { "All " (figure(n)) " " (label) }
                            _ => { "More " (label) }
                        }
                    } }
                }
                @if asked.is_some() {
                    (pagination(paged, |page| search_href(text, filters, asked, Some(page))))
                }
            }
            @if let (Some(best), Some(_)) = (found.cut, asked) {
                p.muted { (cut_note(kind, best)) }
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

/// A message from one of the searcher's own conversations: only they (and the others in
/// it) ever see it here.
fn message_hit(hit: &MessageHit) -> Markup {
    html! {
        li.search-result.message-hit {
            h3 { a href=(hit.href()) { "Conversation with " (hit.with) } }
            p.meta.muted { (hit.author) " · " (time_tag(hit.sent_at)) }
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
    fn numbers_have_their_thousands_marked() {
        assert_eq!(figure(0), "0");
        assert_eq!(figure(999), "999");
        assert_eq!(figure(1_000), "1,000");
        assert_eq!(figure(54_441), "54,441");
        assert_eq!(figure(1_234_567), "1,234,567");
        assert_eq!(count_label(Count::AtLeast(878)), "878+");
        assert_eq!(count_label(Count::About(7_469)), "about 7,469");
        assert_eq!(total_label(Count::Exact(1)), "1 result");
        assert_eq!(
            total_label(Count::AtLeast(12_820)),
            "At least 12,820 results"
        );
    }

    #[test]
    fn a_search_cut_to_its_best_matches_says_so() {
        use crate::web::paging::Paged;
        let filters = Filters::default();
        let found = Found {
            page: Paged {
                items: vec![1, 2],
                page: 1,
                per_page: 2,
                total: 877,
            },
            count: Count::AtLeast(877),
            cut: Some(2_000),
        };
        let hit: fn(&i32) -> Markup = |n| html! { li { (n) } };
        let preview = section("walk", &filters, Kind::Posts, None, &found, hit).into_string();
        assert!(preview.contains("(877+)"), "{preview}");
        assert!(preview.contains("More discussions"), "{preview}");
        let listed = section(
            "walk",
            &filters,
            Kind::Posts,
            Some(Kind::Posts),
            &found,
            hit,
        );
        let listed = listed.into_string();
        assert!(listed.contains("Page 1 of 439"), "{listed}");
        assert!(
            listed.contains("These are the discussions of the 2,000 most recent matching posts"),
            "{listed}"
        );
        let beyond = Found {
            page: Paged {
                items: vec![],
                page: 500,
                ..found.page.clone()
            },
            ..found.clone()
        };
        let beyond = section(
            "walk",
            &filters,
            Kind::Posts,
            Some(Kind::Posts),
            &beyond,
            hit,
        );
        let beyond = beyond.into_string();
        assert!(
            beyond.contains("No more discussions on this page"),
            "{beyond}"
        );
        assert!(
            beyond.contains("the 2,000 most recent matching posts"),
            "{beyond}"
        );
        let about = Found {
            count: Count::About(7_469),
            ..found
        };
        let resources = section("walk", &filters, Kind::Resources, None, &about, hit).into_string();
        assert!(resources.contains("(about 7,469)"), "{resources}");
        assert!(resources.contains("More resources"), "{resources}");
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
