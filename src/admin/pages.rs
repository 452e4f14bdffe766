use chrono::NaiveDateTime;
use maud::{html, Markup};

use super::settings::Setting;
use super::staff::{MemberRecord, SuspendForm};
use crate::accounts::StaffLevel;
use crate::audit::LoggedAction;
use crate::web::forms::{
    checkbox_field, csrf_field, select_field, text_field, textarea_field, FieldErrors, Input,
};
use crate::web::layout::{layout, long_date, sub_nav, FormPage};
use crate::web::paging::{pagination, Paged};
use crate::web::PageCtx;

fn status(record: &MemberRecord, now: NaiveDateTime) -> Markup {
    html! {
        @if record.is_suspended(now) {
            strong.tag.tag-red { "Suspended" }
        } @else {
            span.tag { "Active" }
        }
    }
}

pub fn admin_nav(ctx: &PageCtx) -> Markup {
    sub_nav(
        ctx,
        "Admin",
        &[
            ("/admin/members", "Members"),
            ("/admin/categories", "Categories"),
            ("/admin/courses", "Courses"),
            ("/admin/report", "Programme report"),
            ("/admin/moderation", "Moderation statistics"),
            ("/admin/audit", "Audit log"),
            ("/admin/outbox", "Outgoing email"),
            ("/admin/pages", "Published pages"),
            ("/admin/settings", "Site settings"),
            ("/admin/marks", "Programme marks"),
        ],
    )
}

pub fn member_list(
    ctx: &PageCtx,
    search: &str,
    records: &Paged<MemberRecord>,
    now: NaiveDateTime,
) -> Markup {
    layout(
        ctx,
        "Members – admin",
        html! {
            (admin_nav(ctx))
            h1 { "Members" }
            form.filter-bar method="get" action="/admin/members" role="search" {
                div.form-group {
                    label.label for="q" { "Name or email" }
                    input.input #q type="search" name="q" value=(search);
                }
                button.button.button-secondary type="submit" { "Search" }
            }
            p { (records.total) " members" }
            div.table-scroll tabindex="0" role="region" aria-label="Members" { table.table {
                caption.visually-hidden { "Members, by name" }
                thead { tr { th scope="col" { "Name" } th scope="col" { "Email" } th scope="col" { "Role and borough" } th scope="col" { "Staff level" } th scope="col" { "Status" } } }
                tbody {
                    @for record in &records.items {
                        tr {
                            td { a href={ "/admin/members/" (record.id) } { (record.display_name) } }
                            td { (record.email) }
                            td { (record.role.label()) ", " (record.borough.label()) }
                            td { (record.staff.label()) }
                            td { (status(record, now)) }
                        }
                    }
                }
            } }
            (pagination(records, |page| {
                let q: String = url::form_urlencoded::byte_serialize(search.as_bytes()).collect();
                format!("/admin/members?q={q}&page={page}")
            }))
        },
    )
}

pub fn member(
    ctx: &PageCtx,
    record: &MemberRecord,
    form: &SuspendForm,
    errors: &FieldErrors,
    now: NaiveDateTime,
) -> Markup {
    let levels: Vec<(&str, &str)> = StaffLevel::options();
    let title = format!("{} – admin", record.display_name);
    FormPage::new(ctx, &title, errors)
        .top(admin_nav(ctx))
        .render(html! {
            h1 { (record.display_name) }
            dl.summary-list {
                div { dt { "Email" } dd { (record.email) } }
                div { dt { "Role and borough" } dd { (record.role.label()) ", " (record.borough.label()) } }
                div { dt { "Joined" } dd { (long_date(record.created_at)) } }
                div { dt { "Staff level" } dd { (record.staff.label()) } }
                div { dt { "Status" } dd {
                    (status(record, now))
                    @if record.is_suspended(now) {
                        @if let Some(reason) = &record.suspension_reason { " – " (reason) }
                        @if let Some(until) = record.suspended_until { " (until " (long_date(until)) ")" }
                    }
                } }
            }
            p { a href={ "/members/" (record.id) } { "Public profile" } }

            h2 { "Staff level" }
            p { "Facilitators co-deliver courses and moderate the forum. Admins run the site." }
            form method="post" action={ "/admin/members/" (record.id) "/staff" } novalidate {
                (csrf_field(ctx))
                (select_field("staff", "Staff level", record.staff.slug(), &levels, None, errors))
                button.button type="submit" { "Save staff level" }
            }

            h2 { "Suspension" }
            @if record.is_suspended(now) {
                form method="post" action={ "/admin/members/" (record.id) "/unsuspend" } {
                    (csrf_field(ctx))
                    button.button type="submit" { "Lift the suspension" }
                }
            } @else {
                p { "A suspended member cannot sign in. Their posts and resources stay." }
                form method="post" action={ "/admin/members/" (record.id) "/suspend" } novalidate {
                    (csrf_field(ctx))
                    (textarea_field("reason", "Reason", &form.reason, errors, Some("Recorded in the audit log."), 3))
                    (text_field("until", "Suspended until (optional)", &form.until, errors,
                        Input::of("date").hint("Leave empty to suspend until the suspension is lifted.")))
                    button.button.button-warning type="submit" { "Suspend member" }
                }
            }
            (crate::data_rights::pages::export_section(ctx, record.id))
            (crate::data_rights::pages::erase_form(ctx, record.id, &Default::default(), &FieldErrors::new()))
        })
}

/// The audit log, under the navigation of the section showing it (admin or moderation).
pub fn audit_log(ctx: &PageCtx, entries: &Paged<LoggedAction>, nav: Markup, base: &str) -> Markup {
    let who = |person: &Option<(crate::db::MemberId, String)>, nobody: &'static str| {
        html! {
            @match person {
                Some((id, name)) => a href={ "/members/" (id) } { (name) },
                None => (nobody),
            }
        }
    };
    layout(
        ctx,
        "Audit log",
        html! {
            (nav)
            h1 { "Audit log" }
            @if entries.items.is_empty() {
                p { "Nothing has been logged yet." }
            } @else {
                div.table-scroll tabindex="0" role="region" aria-label="Audit log" { table.table {
                    caption.visually-hidden { "Staff actions, newest first" }
                    thead { tr { th scope="col" { "When (UTC)" } th scope="col" { "Who" } th scope="col" { "What" } th scope="col" { "Member" } th scope="col" { "Why" } } }
                    tbody {
                        @for entry in &entries.items {
                            tr {
                                td { (entry.at.format("%-d %b %Y %H:%M")) }
                                td { (who(&entry.actor, "SPOT (automatic or console)")) }
                                td { (entry.action) @if !entry.subject.is_empty() { ": " (entry.subject) } }
                                td { (who(&entry.target, "–")) }
                                td { (entry.reason) }
                            }
                        }
                    }
                } }
            }
            (pagination(entries, |page| format!("{base}?page={page}")))
        },
    )
}

/// The site's switches, each a box to tick, saved together.
pub fn settings(ctx: &PageCtx, settings: &[(Setting, bool)]) -> Markup {
    layout(
        ctx,
        "Site settings",
        html! {
            (admin_nav(ctx))
            h1 { "Site settings" }
            form method="post" action="/admin/settings" {
                (csrf_field(ctx))
                @for (setting, on) in settings {
                    (checkbox_field(setting.slug(), setting.label(), *on, Some(setting.hint())))
                }
                button.button type="submit" { "Save settings" }
            }
        },
    )
}
