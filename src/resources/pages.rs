//! Resource library pages: plain structs in, markup out.

use maud::{html, Markup};

use super::library::{Filter, Listed};
use super::sniff::{FileType, ALLOWED};
use super::values::{Audience, ResourceForm, Tag, MAX_TAGS};
use crate::accounts::Borough;
use crate::members::pages::member_badges;
use crate::web::forms::{
    confirm_patient_data_field, csrf_field, file_field, select_field, text_field, textarea_field,
    FieldErrors, Input,
};
use crate::web::layout::{breadcrumbs, folding_filters, layout, time_tag, FormPage};
use crate::web::paging::{pagination, Paged};
use crate::web::PageCtx;

/// "1.4 MB", "820 KB".
pub fn size_text(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

fn kind_text(listed: &Listed) -> String {
    match (&listed.resource.content_type, listed.resource.size_bytes) {
        (Some(mime), Some(size)) => format!("{}, {}", FileType::label(mime), size_text(size)),
        _ => "Link".into(),
    }
}

/// The library's address for the filter's choices with these tags, at a page.
fn filter_href(filter: &Filter, tags: &[&str], page: Option<u32>) -> String {
    let mut parts: Vec<String> = tags
        .iter()
        .map(|t| {
            format!(
                "tag={}",
                url::form_urlencoded::byte_serialize(t.as_bytes()).collect::<String>()
            )
        })
        .collect();
    if let Some(audience) = filter.audience {
        parts.push(format!("audience={}", audience.slug()));
    }
    if let Some(borough) = filter.borough {
        parts.push(format!("borough={}", borough.slug()));
    }
    if let Some(kind) = filter.kind {
        parts.push(format!("kind={kind}"));
    }
    if let Some(page) = page {
        parts.push(format!("page={page}"));
    }
    if parts.is_empty() {
        "/resources".into()
    } else {
        format!("/resources?{}", parts.join("&"))
    }
}

fn tags_of(filter: &Filter) -> Vec<&str> {
    filter.tags.iter().map(Tag::as_str).collect()
}

fn with_tag(filter: &Filter, tag: &str) -> String {
    let mut wider = tags_of(filter);
    if !wider.contains(&tag) {
        wider.push(tag);
    }
    filter_href(filter, &wider, None)
}

fn without_tag(filter: &Filter, tag: &str) -> String {
    let mut narrower = tags_of(filter);
    narrower.retain(|t| *t != tag);
    filter_href(filter, &narrower, None)
}

fn card(listed: &Listed, filter: &Filter) -> Markup {
    let resource = &listed.resource;
    html! {
        li.card {
            h3.card-title {
                a href={ "/resources/" (resource.id) } { (resource.title) }
                @if resource.is_held() { " " span.tag.tag-red { "Waiting for a facilitator" } }
                @else if resource.hidden_at.is_some() { " " span.tag.tag-red { "Hidden" } }
            }
            p.muted {
                (kind_text(listed)) " · for " (resource.audience().label())
                @if let Some(borough) = resource.borough() { " · " (borough.label()) }
            }
            p.muted { "Shared by " (listed.sharer.display_name) " " (member_badges(listed.sharer.role, listed.sharer.borough, listed.sharer.staff)) " · " (time_tag(resource.created_at)) }
            @if !listed.tags.is_empty() {
                ul.tag-list aria-label="Tags" {
                    @for tag in &listed.tags { li { a.tag href=(with_tag(filter, tag)) { (tag) } } }
                }
            }
        }
    }
}

pub fn browse(
    ctx: &PageCtx,
    filter: &Filter,
    results: &Paged<Listed>,
    cloud: &[(String, i64)],
    following: &[(Tag, bool)],
) -> Markup {
    let audience = filter.audience.map(Audience::slug).unwrap_or("");
    let borough = filter.borough.map(Borough::slug).unwrap_or("");
    let kind = filter.kind.unwrap_or("");
    let title = if filter.tags.is_empty() {
        "Resource library".to_owned()
    } else {
        format!("Resources tagged {}", filter.tags.join(" and "))
    };
    layout(
        ctx,
        &title,
        html! {
            h1 { (title) }
            p.lede { "Leaflets, assessment templates, service directories, evidence summaries and links, shared by members." }
            div.actions {
                a.button href="/resources/new" { "Share a resource" }
                @for (tag, follows) in following {
                    form.inline-form method="post" action="/resources/follow" {
                        (csrf_field(ctx))
                        input type="hidden" name="tag" value=(tag);
                        input type="hidden" name="follow" value=(if *follows { "no" } else { "yes" });
                        button.button.button-secondary type="submit" {
                            @if *follows { "Stop following “" (tag) "”" } @else { "Follow “" (tag) "”" }
                        }
                    }
                }
            }
            (folding_filters("Filter resources", filter.audience.is_some() || filter.borough.is_some() || filter.kind.is_some(), html! {
            form.filter-bar method="get" action="/resources" {
                @for tag in &filter.tags { input type="hidden" name="tag" value=(tag); }
                div.form-group {
                    label.label for="audience" { "For" }
                    select.select #audience name="audience" {
                        option value="" selected[audience.is_empty()] { "Everyone" }
                        @for (value, text) in Audience::options() { option value=(value) selected[value == audience] { (text) } }
                    }
                }
                div.form-group {
                    label.label for="borough" { "Borough" }
                    select.select #borough name="borough" {
                        option value="" selected[borough.is_empty()] { "All boroughs" }
                        @for (value, text) in Borough::options() { option value=(value) selected[value == borough] { (text) } }
                    }
                }
                div.form-group {
                    label.label for="kind" { "Type" }
                    select.select #kind name="kind" {
                        option value="" selected[kind.is_empty()] { "Files and links" }
                        option value="file" selected[kind == "file"] { "Files" }
                        option value="link" selected[kind == "link"] { "Links" }
                    }
                }
                button.button.button-secondary type="submit" { "Show resources" }
            }
            }))
            @if !filter.tags.is_empty() {
                p { "Tagged: "
                    @for tag in &filter.tags {
                        span.tag { (tag) } " " a href=(without_tag(filter, tag.as_str())) { "Remove tag " (tag) } " "
                    }
                }
            }
            h2 { (results.total) " resource" (if results.total == 1 { "" } else { "s" }) }
            @if results.items.is_empty() {
                @if *filter == Filter::default() {
                    p { "No resources have been shared yet. " a href="/resources/new" { "Share the first one" } "." }
                } @else {
                    p { "Nothing matches. Try fewer tags or another borough." }
                }
            } @else {
                ul.card-list { @for listed in &results.items { (card(listed, filter)) } }
            }
            (pagination(results, |page| filter_href(filter, &tags_of(filter), Some(page))))
            @if !cloud.is_empty() {
                h2 { "Tags" }
                ul.tag-list.cloud {
                    @for (tag, count) in cloud {
                        li { a.tag href=(with_tag(filter, tag)) { (tag) " (" (count) ")" } }
                    }
                }
            }
        },
    )
}

pub fn detail(ctx: &PageCtx, listed: &Listed, may_change: bool) -> Markup {
    let resource = &listed.resource;
    let moderator = ctx.viewer.as_ref().is_some_and(|v| v.staff.can_moderate());
    layout(
        ctx,
        &resource.title,
        html! {
            nav.breadcrumbs aria-label="Breadcrumb" { ol { li { a href="/resources" { "Resources" } } } }
            h1 { (resource.title) }
            @if resource.is_held() {
                div.held-notice {
                    p { strong { "Waiting for a facilitator." } " The patient-data check found something in this resource that could identify a patient or service user, so nobody else sees it until a facilitator has checked it." }
                    @if moderator { p { a href="/moderation/held" { "Review it with the other held items" } } }
                }
            } @else if resource.hidden_at.is_some() { p.notice { "This resource is hidden from members." } }
            p { "Shared by " a href={ "/members/" (listed.sharer.id) } { (listed.sharer.display_name) } " "
                (member_badges(listed.sharer.role, listed.sharer.borough, listed.sharer.staff)) " · " (time_tag(resource.created_at)) }
            @if !resource.description_html.is_empty() { div.prose { (resource.description_html) } }
            dl.summary-list {
                div { dt { "For" } dd { (resource.audience().label()) } }
                @if let Some(borough) = resource.borough() { div { dt { "Borough" } dd { (borough.label()) } } }
                @if resource.is_file() {
                    div { dt { "File" } dd { (resource.original_name.as_deref().unwrap_or("")) } }
                    div { dt { "Type and size" } dd { (kind_text(listed)) } }
                    div { dt { "Downloads" } dd { (resource.download_count) } }
                } @else if let Some(url) = &resource.url {
                    div { dt { "Link" } dd { a href=(url) rel="noopener noreferrer nofollow" { (url) } } }
                }
                @if !listed.tags.is_empty() {
                    div { dt { "Tags" } dd { ul.tag-list { @for tag in &listed.tags { li { a.tag href={ "/resources?tag=" (url::form_urlencoded::byte_serialize(tag.as_bytes()).collect::<String>()) } { (tag) } } } } } }
                }
            }
            @if resource.is_file() {
                p { a.button href={ "/resources/" (resource.id) "/download" } { "Download" span.visually-hidden { " " (resource.title) } " (" (kind_text(listed)) ")" } }
            } @else if let Some(url) = &resource.url {
                p { a.button href=(url) rel="noopener noreferrer nofollow" { "Go to the website" } }
            }
            @if let Some(thread) = resource.thread_id {
                p { a.button.button-secondary href={ "/threads/" (thread) } { "Go to the discussion" } }
            } @else {
                form method="post" action={ "/resources/" (resource.id) "/discuss" } {
                    (csrf_field(ctx))
                    button.button.button-secondary type="submit" { "Discuss this resource" }
                }
            }
            @if may_change {
                h2 { "Manage" }
                p { a href={ "/resources/" (resource.id) "/edit" } { "Edit" } }
                @if moderator && !resource.is_held() {
                    form method="post" action={ "/resources/" (resource.id) (if resource.hidden_at.is_some() { "/unhide" } else { "/hide" }) } {
                        (csrf_field(ctx))
                        button.button.button-secondary type="submit" { (if resource.hidden_at.is_some() { "Show to members again" } else { "Hide from members" }) }
                    }
                }
                @if moderator {
                    p { a.link-action.danger href={ "/resources/" (resource.id) "/purge" } { "Purge: remove this resource everywhere (personal data)" } }
                }
                details {
                    summary { "Delete this resource" }
                    form method="post" action={ "/resources/" (resource.id) "/delete" } {
                        (csrf_field(ctx))
                        p { "Deleting removes the resource" @if resource.is_file() { " and its file" } " for everyone. This cannot be undone." }
                        button.button.button-warning type="submit" { "Yes, delete it" }
                    }
                }
            }
        },
    )
}

/// A resource whose file the store no longer has (status 404).
pub fn file_missing(ctx: &PageCtx, title: &str) -> Markup {
    layout(
        ctx,
        "This file is missing",
        html! {
            div.narrow {
                h1 { "This file is missing" }
                p { "SPOT has the details of “" (title) "”, but not its file: it is no longer in SPOT's file store. SPOT has logged this for the site's administrators." }
                p { "If you shared it, you can share the file again. Otherwise, ask a facilitator through the " a href="/contact" { "contact page" } "." }
            }
        },
    )
}

/// The purge of a resource: what will happen, and why (for the audit log).
pub fn purge_resource(
    ctx: &PageCtx,
    listed: &Listed,
    reason: &str,
    errors: &FieldErrors,
) -> Markup {
    let resource = &listed.resource;
    FormPage::new(ctx, "Purge a resource", errors)
        .narrow()
        .top(breadcrumbs(&[("Resources", "/resources".into()), (&resource.title, format!("/resources/{}", resource.id))]))
        .render(html! {
            h1 { "Purge a resource: remove it everywhere" }
            p { "Purge a resource whose title, description or file contains personal details, such as a patient's name, NHS number or date of birth. Hiding it is not enough: hidden resources are kept, and may already be in emails." }
            h2 { "What will happen" }
            ul {
                li { "The resource is deleted: its page" @if resource.is_file() { ", its file" } " and its place under its tags. A tag no other resource carries is deleted too." }
                li { "Search no longer finds it. Notifications about it are deleted, and emails and digests waiting to be sent that name it are taken back and written again without it." }
                @if resource.thread_id.is_some() {
                    li { "Its discussion repeats its title: the thread is renamed “About a resource that was removed” and its opening post's text is removed. Replies stay." }
                }
                li { "The member who shared it is told, with your reason." }
                li { "The audit log records that you purged resource #" (resource.id) ", with your reason, never its title. So do not repeat the personal details in your reason." }
                li { strong { "This cannot be undone." } }
            }
            form method="post" action={ "/resources/" (resource.id) "/purge" } novalidate {
                (csrf_field(ctx))
                (textarea_field("reason", "Reason (kept in the audit log)", reason, errors,
                    Some("For example: the leaflet carried a patient's name and address."), 3))
                button.button.button-warning type="submit" { "Purge the resource" }
            }
            p { a href={ "/resources/" (resource.id) } { "Back to the resource" } }
        })
}

fn resource_fields(values: &ResourceForm, errors: &FieldErrors, known_tags: &[String]) -> Markup {
    let boroughs: Vec<(&str, &str)> = Borough::options();
    html! {
        (text_field("title", "Title", &values.title, errors, Input::text().required().max_length(200)))
        (textarea_field("description", "Description (optional)", &values.description, errors,
            Some("What it is and when it helps. Markdown works. Never include anything that identifies a patient or service user."), 5))
        (text_field("tags", "Tags (optional)", &values.tags, errors, Input::text().hint("Separate tags with commas, for example: fatigue, referral form, wigan")))
        @if !known_tags.is_empty() {
            details.tag-suggestions {
                summary { "Tags already in use" }
                p { (known_tags.join(", ")) }
            }
        }
        (select_field("audience", "Who is it for?", &values.audience, &Audience::options(), None, errors))
        (select_field("borough", "Borough (optional, for local resources)", &values.borough, &boroughs, Some("Not about one borough"), errors))
    }
}

pub fn new_resource(
    ctx: &PageCtx,
    values: &ResourceForm,
    errors: &FieldErrors,
    known_tags: &[String],
    max_mb: u64,
) -> Markup {
    FormPage::new(ctx, "Share a resource", errors)
        .narrow()
        .top(breadcrumbs(&[("Resources", "/resources".into())]))
        .render(html! {
            h1 { "Share a resource" }
            // The token comes first: the upload guard reads it before the file.
            form method="post" action="/resources/new" enctype="multipart/form-data" novalidate {
                (csrf_field(ctx))
                (resource_fields(values, errors, known_tags))
                fieldset.fieldset aria-describedby="source-hint" {
                    legend.label { "A file or a link" }
                    p.hint #source-hint { "Upload a file, or give the address of a web page: one or the other." }
                    (file_field("file", "File", &format!("{ALLOWED}, up to {max_mb} MB."), None, errors))
                    (text_field("url", "Or a link", &values.url, errors, Input::of("url").hint("Starting https://")))
                }
                (confirm_patient_data_field(errors))
                button.button type="submit" { "Share" }
            }
        })
}

pub fn edit_resource(
    ctx: &PageCtx,
    listed: &Listed,
    values: &ResourceForm,
    errors: &FieldErrors,
    known_tags: &[String],
) -> Markup {
    FormPage::new(ctx, "Edit a resource", errors)
        .narrow()
        .top(breadcrumbs(&[("Resources", "/resources".into()), (&listed.resource.title, format!("/resources/{}", listed.resource.id))]))
        .render(html! {
            h1 { "Edit a resource" }
            form method="post" action={ "/resources/" (listed.resource.id) "/edit" } novalidate {
                (csrf_field(ctx))
                (resource_fields(values, errors, known_tags))
                @if listed.resource.is_file() {
                    p { "File: " strong { (listed.resource.original_name.as_deref().unwrap_or("")) } ". To replace the file, share it again and delete this one." }
                } @else {
                    (text_field("url", "Link", &values.url, errors, Input::of("url").required().hint("Starting https://")))
                }
                (confirm_patient_data_field(errors))
                button.button type="submit" { "Save changes" }
            }
        })
}

pub fn tags_admin(ctx: &PageCtx, cloud: &[(String, i64)], errors: &FieldErrors) -> Markup {
    FormPage::new(ctx, "Tags", errors)
        .narrow()
        .top(breadcrumbs(&[("Resources", "/resources".into())]))
        .render(html! {
            h1 { "Tags" }
            p { "Rename a tag, or give it the name of another to merge the two." }
            ul { @for (tag, count) in cloud { li { (tag) " (" (count) ")" } } }
            form method="post" action="/resources/tags" novalidate {
                (csrf_field(ctx))
                (text_field("from", "Tag", "", errors, Input::text().required()))
                (text_field("to", "New name", "", errors, Input::text().required()))
                button.button type="submit" { "Rename or merge" }
            }
            p.hint { "A resource has at most " (MAX_TAGS) " tags." }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(size_text(1536 * 1024), "1.5 MB");
        assert_eq!(size_text(2000), "2 KB");
    }

    #[test]
    fn tag_links_add_and_remove_tags() {
        let filter = Filter {
            tags: Tag::parse_list("fatigue").unwrap(),
            ..Filter::default()
        };
        assert_eq!(
            with_tag(&filter, "long covid"),
            "/resources?tag=fatigue&tag=long+covid"
        );
        assert_eq!(without_tag(&filter, "fatigue"), "/resources");
    }
}
