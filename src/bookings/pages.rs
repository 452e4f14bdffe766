//! Course pages: plain structs in, markup out.

use super::catalogue::{RunSummary, Session, Standing};
use super::forms::{BookForm, BookInForm, CancelForm, RunForm};
use super::managers::{Answer, Request};
use super::roster::{completion_words, AttendanceSummary, Register, RosterRow, Status};
use super::values::{ManagerMode, ManagerStatus, LATE_HOURS_NOTE};
use crate::accounts::{Borough, Role};
use crate::db::MemberId;
use crate::web::forms::{
    checkbox_field, checkboxes_field, csrf_field, select_field, text_field, textarea_field,
    FieldErrors, Input,
};
use crate::web::layout::{breadcrumbs, layout, london_time, FormPage};
use crate::web::PageCtx;
use chrono::NaiveDateTime;
use maud::{html, Markup};

pub(crate) fn boroughs_text(boroughs: &[Borough]) -> String {
    let names: Vec<&str> = boroughs.iter().map(|b| b.label()).collect();
    match names.len() {
        0 => String::new(),
        1 => names[0].to_owned(),
        n => format!("{} and {}", names[..n - 1].join(", "), names[n - 1]),
    }
}

fn session_time(session: &Session) -> String {
    use chrono::TimeZone;
    let end = chrono_tz::Europe::London.from_utc_datetime(&session.ends_at());
    format!(
        "{} to {}",
        london_time(session.starts_at),
        end.format("%-I:%M%P")
    )
}

fn places_text(summary: &RunSummary) -> String {
    if summary.run.cancelled_at.is_some() {
        "Cancelled".into()
    } else if summary.places_left() > 0 {
        format!(
            "{} of {} places left",
            summary.places_left(),
            summary.run.capacity
        )
    } else {
        format!("Full: waiting list {}", summary.waiting)
    }
}

fn facilitators_text(summary: &RunSummary) -> Option<String> {
    let names: Vec<String> = [
        &summary.facilitators.occupational_therapist,
        &summary.facilitators.link_worker,
    ]
    .into_iter()
    .flatten()
    .map(|(_, name)| name.clone())
    .collect();
    (!names.is_empty()).then(|| names.join(" and "))
}

fn run_card(summary: &RunSummary) -> Markup {
    html! {
        li.card {
            h3.card-title { a href={ "/courses/" (summary.run.id) } { (summary.run.title) } }
            p { strong { "For people working in " (boroughs_text(&summary.boroughs)) } }
            ul.plain {
                @for session in &summary.sessions {
                    li { "Session " (session.number) ": " (session_time(session)) }
                }
            }
            @if let Some(names) = facilitators_text(summary) { p.muted { "Facilitated by " (names) } }
            p { strong.tag { (places_text(summary)) } }
        }
    }
}

pub fn list(
    ctx: &PageCtx,
    runs: &[RunSummary],
    home: Option<Borough>,
    mine: Option<crate::db::CourseRunId>,
) -> Markup {
    let (yours, others): (Vec<&RunSummary>, Vec<&RunSummary>) =
        runs.iter().partition(|s| home.is_some_and(|b| s.serves(b)));
    layout(
        ctx,
        "Courses",
        html! {
            h1 { "Courses" }
            p.lede {
                "Three two-hour online sessions on consecutive weeks, for up to 15 people, co-delivered by an "
                "occupational therapist and a link worker. Each run is for a cluster of boroughs: choose the one "
                "that covers where you work. You attend one course only."
            }
            p { "Please agree the time for all the sessions with your manager before you book." }
            @if let Some(run) = mine {
                p.notice { "You have a booking: " a href={ "/courses/" (run) } { "see your course" } "." }
            }
            @if runs.is_empty() {
                p { "No courses are scheduled at the moment. Check back soon." }
            }
            @if !yours.is_empty() {
                h2 { "For your area" }
                ul.card-list { @for summary in &yours { (run_card(summary)) } }
            }
            @if !others.is_empty() {
                h2 { (if yours.is_empty() { "Upcoming runs" } else { "Other areas" }) }
                ul.card-list { @for summary in &others { (run_card(summary)) } }
            }
        },
    )
}

/// What the course page knows about the person looking at it.
pub struct Visitor<'a> {
    pub standing: Option<Standing>,
    /// Booked somewhere else already.
    pub elsewhere: bool,
    pub may_see_link: bool,
    pub facilitator: bool,
    pub errors: &'a FieldErrors,
    /// The booking form, as typed when it is shown again.
    pub form: &'a BookForm,
    /// The member's own calendar feed, to subscribe to.
    pub feed: Option<String>,
    /// Where their manager's answer stands, and until when the place is held for it.
    pub manager: Option<(ManagerStatus, Option<NaiveDateTime>)>,
    /// "After the course": feedback and certificate (`crate::evaluation::pages`).
    pub after_course: Option<Markup>,
}

pub fn detail(
    ctx: &PageCtx,
    summary: &RunSummary,
    visitor: &Visitor<'_>,
    now: NaiveDateTime,
) -> Markup {
    let run = &summary.run;
    let home = ctx.viewer.as_ref().map(|v| v.borough);
    FormPage::new(ctx, &run.title, visitor.errors)
        .top(breadcrumbs(&[("Courses", "/courses".into())]))
        .render(html! {
            h1 { (run.title) }
            @if run.cancelled_at.is_some() {
                p.notice { strong { "This run has been cancelled." } }
            }
            p.lede { "For people working in " (boroughs_text(&summary.boroughs)) "." }
            @if !run.description.is_empty() { p { (run.description) } }
            @if let Some(names) = facilitators_text(summary) { p { "Co-delivered by " (names) "." } }
            h2 { "Sessions" }
            table.table {
                caption.visually-hidden { "Sessions, London time" }
                thead { tr { th scope="col" { "Session" } th scope="col" { "When (London time)" } } }
                tbody {
                    @for session in &summary.sessions {
                        tr { td { (session.number) } td { (session_time(session)) } }
                    }
                }
            }
            p { strong { (places_text(summary)) } }
            p { a href={ "/courses/" (run.id) "/calendar.ics" } { "Add the sessions to your calendar (.ics)" } }
            @if visitor.may_see_link {
                div.notice {
                    h2 { "Joining the sessions" }
                    p { "Online meeting link: " a href=(run.meeting_url) { (run.meeting_url) } }
                }
            }
            @match visitor.standing {
                Some(Standing::Booked) => {
                    h2 { "Your place" }
                    p { strong { "You are booked on this run." } }
                    p { a href={ "/forum/cohort-" (run.id) } { "Your cohort's discussion space" } ", for the people on this run and its facilitators." }
                    p { a href={ "/messages/new?run=" (run.id) } { "Message the cohort" } " privately: everyone booked on this run and its facilitators." }
                    @if let Some(feed) = &visitor.feed {
                        p { "Subscribe your calendar to your sessions (it updates if a session moves): " a href=(feed) { "your SPOT calendar feed" } }
                    }
                    (manager_standing(visitor.manager))
                    @if summary.first_start().is_some_and(|s| s > now) {
                        (cancel_link(summary, "Cancel my place"))
                    }
                }
                Some(Standing::Waiting(position)) => {
                    h2 { "Your place" }
                    p { strong { "You are number " (position) " on the waiting list." } " If a place comes up it is yours, and we will email you." }
                    (manager_standing(visitor.manager))
                    (cancel_link(summary, "Leave the waiting list"))
                }
                None => {
                    @if ctx.viewer.is_none() {
                        p { a href={ "/login?next=%2Fcourses%2F" (run.id) } { "Sign in" } " to book a place." }
                    } @else if visitor.elsewhere {
                        p { "You already have a booking on another run: participants attend one course only. Cancel that booking first if you want this one." }
                    } @else if !summary.takes_bookings(now) {
                        p { "This run is not taking bookings." }
                    } @else if home.is_some_and(|b| !summary.serves(b)) {
                        p { "This run is for people working in " (boroughs_text(&summary.boroughs)) ". "
                            a href="/courses" { "Find the run for your area" } ", or ask a facilitator if you need to join this one." }
                    } @else {
                        (booking_form(ctx, summary, visitor))
                    }
                }
            }
            @if let Some(after) = &visitor.after_course { (after) }
            @if visitor.facilitator {
                h2 { "For facilitators" }
                p { a href={ "/courses/" (run.id) "/roster" } { "Roster and attendance" } " · " a href={ "/forum/cohort-" (run.id) } { "Cohort discussion space" } " · " a href={ "/messages/new?run=" (run.id) } { "Message the cohort" } }
            }
        })
}

/// Giving up a place is asked about first, on its own page.
fn cancel_link(summary: &RunSummary, label: &str) -> Markup {
    html! {
        p { a.button.button-warning href={ "/courses/" (summary.run.id) "/cancel" } { (label) } }
    }
}

fn manager_standing(manager: Option<(ManagerStatus, Option<NaiveDateTime>)>) -> Markup {
    html! {
        @match manager {
            Some((ManagerStatus::Awaiting, Some(until))) => {
                p.notice { strong { "Waiting for your manager." } " Your place is held until " (london_time(until))
                    " (London time) while your manager confirms it. Without their answer by then, it goes to the waiting list." }
            }
            Some((ManagerStatus::Awaiting, None)) => {
                p { "We have asked your manager to confirm your booking: if a place comes up, it is held for 7 days for their answer." }
            }
            Some((ManagerStatus::Confirmed, _)) => { p { "Your manager has confirmed your booking." } }
            Some((ManagerStatus::Informed, _)) => { p { "We have emailed your manager the details of your booking." } }
            _ => {}
        }
    }
}

fn manager_hint(summary: &RunSummary) -> &'static str {
    match summary.run.manager_mode {
        ManagerMode::Notify => "We email your manager the booking: the dates, the time it takes and what the programme is. It stands unless they decline it.",
        ManagerMode::Confirm => "We email your manager the booking to confirm. Your place is held for up to 7 days for their answer; without it, the place goes to the waiting list.",
    }
}

fn booking_form(ctx: &PageCtx, summary: &RunSummary, visitor: &Visitor<'_>) -> Markup {
    let full = summary.places_left() == 0;
    html! {
        h2 { (if full { "Join the waiting list" } else { "Book a place" }) }
        form method="post" action={ "/courses/" (summary.run.id) "/book" } novalidate {
            (csrf_field(ctx))
            div.form-group.form-group-error[visitor.errors.get("manager_agreed").is_some()] {
                @if let Some(message) = visitor.errors.get("manager_agreed") {
                    p.error-message id="manager_agreed-error" { span.visually-hidden { "Error: " } (message) }
                }
                div.checkbox {
                    input #manager_agreed name="manager_agreed" type="checkbox" value="yes"
                        aria-describedby=[visitor.errors.get("manager_agreed").map(|_| "manager_agreed-error")];
                    label for="manager_agreed" { "I have agreed the time for all " (summary.sessions.len()) " sessions with my manager" }
                }
            }
            (text_field("manager_name", "Your manager's name", &visitor.form.manager_name, visitor.errors, Input::text().required().autocomplete("off").max_length(120)))
            (text_field("manager_email", "Your manager's work email address", &visitor.form.manager_email, visitor.errors, Input::of("email").required().autocomplete("off").max_length(254)
                .hint(manager_hint(summary))))
            button.button type="submit" { (if full { "Join the waiting list" } else { "Book my place" }) }
        }
    }
}

/// Everything the roster page shows.
pub struct RosterPage<'a> {
    pub summary: &'a RunSummary,
    pub rows: &'a [RosterRow],
    pub register: &'a Register,
    pub totals: &'a AttendanceSummary,
    /// The book-in form, kept when it is shown again.
    pub book_in: &'a BookInForm,
    pub errors: &'a FieldErrors,
    /// Registers open when their session starts.
    pub now: NaiveDateTime,
}

pub fn roster(ctx: &PageCtx, page: &RosterPage<'_>) -> Markup {
    let (summary, rows, totals, book_in, errors) = (
        page.summary,
        page.rows,
        page.totals,
        page.book_in,
        page.errors,
    );
    let (present, taken) = (&page.register.present, &page.register.taken);
    let run = &summary.run;
    let booked: Vec<&RosterRow> = rows.iter().filter(|r| r.status == Status::Booked).collect();
    let session_ids: Vec<crate::db::SessionId> = summary.sessions.iter().map(|s| s.id).collect();
    FormPage::new(ctx, &format!("Roster: {}", run.title), errors)
        .top(breadcrumbs(&[("Courses", "/courses".into()), (&run.title, format!("/courses/{}", run.id))]))
        .render(html! {
            h1 { "Roster" }
            p { (run.title) ": " (summary.booked) " booked of " (run.capacity) ", " (summary.waiting) " waiting." }
            p { a href={ "/courses/" (run.id) "/roster.csv" } { "Download the roster (CSV)" } }
            div.table-scroll tabindex="0" role="region" aria-label="Roster" {
                table.table {
                    caption.visually-hidden { "Participants: booked, then waiting, then cancelled" }
                    thead { tr {
                        th scope="col" { "Name" } th scope="col" { "Role" } th scope="col" { "Borough" }
                        th scope="col" { "Organisation" } th scope="col" { "Status" } th scope="col" { "Manager" }
                        @for session in &summary.sessions { th scope="col" { "Session " (session.number) } }
                        th scope="col" { "Completed" }
                    } }
                    tbody {
                        @for row in rows {
                            tr {
                                td { a href={ "/members/" (row.member) } { (row.name) } br; span.muted { (row.email) } }
                                td { (row.role.label()) }
                                td { (row.borough.label()) }
                                td { (row.organisation) }
                                td { (row.status.label())
                                    @if let Some(reason) = &row.override_reason { br; span.muted { "Booked in: " (reason) } }
                                    @if row.cancelled_late { br; strong.tag.tag-red { "Within 48 hours of the start" } }
                                    @if let Some(reason) = &row.cancel_reason { br; span.muted { "Reason: " (reason) } } }
                                td { (row.manager_words()) }
                                @for session in &summary.sessions {
                                    td { @if row.status == Status::Booked { (page.register.mark(session.id, row.member).label()) } }
                                }
                                td { @if row.status == Status::Booked { (completion_words(page.register.completed(&session_ids, row.member))) } }
                            }
                        }
                    }
                }
            }
            h2 { "Attendance" }
            @if booked.is_empty() {
                p { "Nobody is booked yet." }
            }
            @for session in &summary.sessions {
                @if !booked.is_empty() && session.starts_at > page.now {
                    h3.label { "Session " (session.number) ": " (session_time(session)) }
                    p.muted { "The register opens when the session starts." }
                } @else if !booked.is_empty() {
                    form method="post" action={ "/courses/" (run.id) "/attendance/" (session.id) } {
                        (csrf_field(ctx))
                        fieldset.fieldset {
                            legend { "Session " (session.number) ": " (session_time(session))
                                @if taken.contains(&session.id) { " (register taken)" } }
                            @for row in &booked {
                                div.checkbox {
                                    input id={ "present-" (session.id) "-" (row.member) } type="checkbox" name="present" value=(row.member)
                                        checked[present.contains(&(session.id, row.member))];
                                    label for={ "present-" (session.id) "-" (row.member) } { (row.name) }
                                }
                            }
                        }
                        button.button.button-secondary type="submit" { "Save attendance for session " (session.number) }
                    }
                }
            }
            @if !taken.is_empty() {
                h2 { "Attendance by role and borough" }
                (rates_table("Role", &totals.by_role))
                (rates_table("Borough", &totals.by_borough))
            }
            h2 { "Book someone in" }
            p { "For someone outside this run's boroughs, or who cannot book themselves. Their manager's agreement is still needed." }
            form method="post" action={ "/courses/" (run.id) "/book-in" } novalidate {
                (csrf_field(ctx))
                (text_field("email", "Their SPOT email address", &book_in.email, errors, Input::of("email").required()))
                (textarea_field("reason", "Why they are booked in", &book_in.reason, errors, Some("Kept with the booking and shown on the roster."), 2))
                (checkbox_field("manager_agreed", "They have agreed the time with their manager", false, None))
                button.button type="submit" { "Book them in" }
            }
        })
}

fn rates_table(group: &str, rates: &std::collections::BTreeMap<String, (i64, i64)>) -> Markup {
    html! {
        table.table {
            caption.visually-hidden { "Attendance by " (group) }
            thead { tr { th scope="col" { (group) } th scope="col" { "Sessions attended" } th scope="col" { "Rate" } } }
            tbody {
                @for (name, (attended, possible)) in rates {
                    tr {
                        td { (name) }
                        td { (attended) " of " (possible) }
                        td { @if *possible > 0 { (attended * 100 / possible) "%" } @else { "–" } }
                    }
                }
            }
        }
    }
}

/// The admin's list of runs.
pub fn admin_list(ctx: &PageCtx, runs: &[RunSummary]) -> Markup {
    layout(
        ctx,
        "Course runs – admin",
        html! {
            (crate::admin::pages::admin_nav(ctx))
            h1 { "Course runs" }
            p { a.button href="/admin/courses/new" { "Create a course run" } }
            @if runs.is_empty() {
                p { "No runs yet." }
            } @else {
                div.table-scroll tabindex="0" role="region" aria-label="Course runs" {
                    table.table {
                        caption.visually-hidden { "Course runs, newest first" }
                        thead { tr { th scope="col" { "Run" } th scope="col" { "Boroughs" } th scope="col" { "First session" } th scope="col" { "Places" } th scope="col" { "Status" } } }
                        tbody {
                            @for summary in runs {
                                tr {
                                    td { a href={ "/admin/courses/" (summary.run.id) } { (summary.run.title) } }
                                    td { (boroughs_text(&summary.boroughs)) }
                                    td { @if let Some(first) = summary.first_start() { (london_time(first)) } }
                                    td { (summary.booked) " of " (summary.run.capacity) @if summary.waiting > 0 { ", " (summary.waiting) " waiting" } }
                                    td { @if summary.run.cancelled_at.is_some() { "Cancelled" }
                                         @else if summary.run.booking_open { "Open" } @else { "Closed" } }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

fn facilitator_options(people: &[(MemberId, String, Role)], role: Role) -> Vec<(String, String)> {
    people
        .iter()
        .map(|(id, name, their_role)| {
            let note = if *their_role == role {
                ""
            } else {
                " (not this role)"
            };
            (id.to_string(), format!("{name}{note}"))
        })
        .collect()
}

fn run_fields(
    form: &RunForm,
    errors: &FieldErrors,
    people: &[(MemberId, String, Role)],
    new: bool,
) -> Markup {
    let ot = facilitator_options(people, Role::OccupationalTherapist);
    let lw = facilitator_options(people, Role::LinkWorker);
    let ot: Vec<(&str, &str)> = ot.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let lw: Vec<(&str, &str)> = lw.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    html! {
        (text_field("title", "Title", &form.title, errors, Input::text().required().max_length(200)))
        (textarea_field("description", "Description (optional)", &form.description, errors, None, 3))
        @if new {
            (checkboxes_field("boroughs", "Boroughs this run serves", &Borough::options(), &form.boroughs, errors, None))
        }
        (text_field("capacity", "Places", &form.capacity, errors, Input::of("number").hint("Usually 15.")))
        @if new {
            (text_field("starts_at", "First session starts (London time)", &form.starts_at, errors, Input::of("datetime-local").required().hint("The day and time in London, for example 23 March 2027 at 2pm.")))
            (text_field("session_count", "Number of sessions", &form.session_count, errors, Input::of("number").hint("Usually 3.")))
            (text_field("weeks_between", "Weeks between sessions", &form.weeks_between, errors, Input::of("number").hint("Usually 1.")))
            (text_field("duration_minutes", "Session length in minutes", &form.duration_minutes, errors, Input::of("number").hint("Usually 120.")))
        }
        (text_field("meeting_url", "Online meeting link", &form.meeting_url, errors, Input::of("url").required().hint("Starts https://. Only booked participants and facilitators see it.")))
        (select_field("ot_facilitator", "Occupational therapist facilitator", &form.ot_facilitator, &ot, Some("Not chosen yet"), errors))
        (select_field("link_worker_facilitator", "Link worker facilitator", &form.link_worker_facilitator, &lw, Some("Not chosen yet"), errors))
        (manager_mode_field(form, errors))
    }
}

/// Whether bookings wait for the manager: two labelled choices in a fieldset.
fn manager_mode_field(form: &RunForm, errors: &FieldErrors) -> Markup {
    let error = errors.get("manager_mode");
    let current = ManagerMode::parse(&form.manager_mode).unwrap_or(ManagerMode::Notify);
    html! {
        div.form-group.form-group-error[error.is_some()] {
            fieldset.fieldset aria-describedby=[error.map(|_| "manager_mode-error")] {
                legend.label { "Participants' managers" }
                @if let Some(message) = error {
                    p.error-message id="manager_mode-error" { span.visually-hidden { "Error: " } (message) }
                }
                @for (i, mode) in ManagerMode::ALL.iter().enumerate() {
                    // The first choice answers to #manager_mode, so the error summary's link lands on it.
                    @let id = if i == 0 { "manager_mode".to_owned() } else { format!("manager_mode-{}", mode.slug()) };
                    div.radio {
                        input id=(id) type="radio" name="manager_mode" value=(mode.slug()) checked[*mode == current];
                        label for=(id) { (mode.label()) }
                    }
                }
            }
        }
    }
}

pub fn new_run(
    ctx: &PageCtx,
    form: &RunForm,
    errors: &FieldErrors,
    people: &[(MemberId, String, Role)],
) -> Markup {
    FormPage::new(ctx, "Create a course run", errors)
        .narrow()
        .top(breadcrumbs(&[("Course runs", "/admin/courses".into())]))
        .render(html! {
            h1 { "Create a course run" }
            form method="post" action="/admin/courses/new" novalidate {
                (csrf_field(ctx))
                (run_fields(form, errors, people, true))
                button.button type="submit" { "Create run" }
            }
        })
}

pub struct ManageRun<'a> {
    pub summary: &'a RunSummary,
    pub form: &'a RunForm,
    pub errors: &'a FieldErrors,
    pub people: &'a [(MemberId, String, Role)],
    pub warning: Option<&'a str>,
}

pub fn manage_run(ctx: &PageCtx, page: &ManageRun<'_>) -> Markup {
    let summary = page.summary;
    let run = &summary.run;
    FormPage::new(ctx, &format!("{} – admin", run.title), page.errors)
        .narrow()
        .top(breadcrumbs(&[("Course runs", "/admin/courses".into())]))
        .render(html! {
            h1 { (run.title) }
            @if let Some(warning) = page.warning { div.warning-callout { p { (warning) } } }
            p { "For " (boroughs_text(&summary.boroughs)) ". " (places_text(summary)) ". "
                a href={ "/courses/" (run.id) } { "Course page" } " · " a href={ "/courses/" (run.id) "/roster" } { "Roster" }
                " · " a href={ "/admin/courses/" (run.id) "/feedback" } { "Feedback questions" } }
            @if run.cancelled_at.is_none() {
                form method="post" action={ "/admin/courses/" (run.id) (if run.booking_open { "/close" } else { "/open" }) } {
                    (csrf_field(ctx))
                    button.button.button-secondary type="submit" { (if run.booking_open { "Close booking" } else { "Open booking" }) }
                }
            }
            h2 { "Details" }
            form method="post" action={ "/admin/courses/" (run.id) } novalidate {
                (csrf_field(ctx))
                (run_fields(page.form, page.errors, page.people, false))
                button.button type="submit" { "Save details" }
            }
            h2 { "Sessions" }
            @for session in &summary.sessions {
                form method="post" action={ "/admin/courses/" (run.id) "/sessions/" (session.number) } novalidate {
                    (csrf_field(ctx))
                    fieldset.fieldset {
                        legend { "Session " (session.number) ": " (session_time(session)) }
                        @let field = format!("session-{}", session.number);
                        (text_field(&field, "Move to (London time)", &london_input(session.starts_at), page.errors, Input::of("datetime-local")))
                        (text_field(&format!("length-{}", session.number), "Length in minutes", &session.duration_minutes.to_string(), page.errors, Input::of("number")))
                    }
                    button.button.button-secondary type="submit" { "Move session " (session.number) }
                }
            }
            @if run.cancelled_at.is_none() {
                h2 { "Cancel the run" }
                p { "Everyone booked or waiting is told by email, and their bookings are released." }
                form method="post" action={ "/admin/courses/" (run.id) "/cancel" } novalidate {
                    (csrf_field(ctx))
                    (textarea_field("reason", "Reason (sent to participants)", "", page.errors, None, 2))
                    button.button.button-warning type="submit" { "Cancel this run" }
                }
            }
        })
}

/// A UTC moment as the London `datetime-local` value a form shows.
pub fn london_input(at: NaiveDateTime) -> String {
    use chrono::TimeZone;
    chrono_tz::Europe::London
        .from_utc_datetime(&at)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// Giving up a place (or a waiting-list spot): what it means, and a box for why.
pub fn cancel(
    ctx: &PageCtx,
    summary: &RunSummary,
    standing: Standing,
    form: &CancelForm,
    errors: &FieldErrors,
    now: NaiveDateTime,
) -> Markup {
    let run = &summary.run;
    let (title, button) = match standing {
        Standing::Waiting(_) => ("Leave the waiting list?", "Leave the waiting list"),
        Standing::Booked => ("Cancel your place?", "Cancel my place"),
    };
    let late = standing == Standing::Booked
        && summary.first_start().is_some_and(|start| {
            start > now
                && start - now < chrono::Duration::hours(super::places::LATE_CANCELLATION_HOURS)
        });
    FormPage::new(ctx, title, errors)
        .narrow()
        .top(breadcrumbs(&[("Courses", "/courses".into()), (&run.title, format!("/courses/{}", run.id))]))
        .render(html! {
            h1 { (title) }
            @match standing {
                Standing::Booked => p { "Your place on " strong { (run.title) } " goes to the first person on the waiting list, and you will not be able to have it back unless a place comes up again." },
                Standing::Waiting(position) => p { "You are number " (position) " on the waiting list for " strong { (run.title) } ". If you leave, you lose your position." },
            }
            @if late {
                p.notice { (LATE_HOURS_NOTE) }
            }
            form method="post" action={ "/courses/" (run.id) "/cancel" } novalidate {
                (csrf_field(ctx))
                (textarea_field("reason", "Why are you cancelling? (optional)", &form.reason, errors,
                    Some("It helps the facilitators plan. Please do not include anything that identifies a patient or service user."), 3))
                div.tool-row {
                    button.button.button-warning type="submit" { (button) }
                    a.button.button-secondary href={ "/courses/" (run.id) } { "Keep my booking" }
                }
            }
        })
}

/// The manager's page: whose booking, what the course asks of them, and two buttons.
pub fn manager_request(
    ctx: &PageCtx,
    request: &Request,
    summary: &RunSummary,
    errors: &FieldErrors,
    now: NaiveDateTime,
) -> Markup {
    let run = &summary.run;
    let minutes: i32 = summary.sessions.iter().map(|s| s.duration_minutes).sum();
    let title = format!("{}'s place on {}", request.participant, run.title);
    FormPage::new(ctx, &title, errors).narrow().render(html! {
        h1 { "Confirm " (request.participant) "'s place" }
        p { strong { (request.participant) } " (" (request.role.label()) ", " (request.borough.label())
            @if !request.organisation.is_empty() { ", " (request.organisation) }
            ") has booked a place on " strong { (run.title) } " and named you, " (request.manager_name) ", as their manager." }
        h2 { "What it takes" }
        p { (summary.sessions.len()) " online sessions, " (hours_words(minutes)) " in all (London time):" }
        ul {
            @for session in &summary.sessions { li { "Session " (session.number) ": " (session_time(session)) } }
        }
        h2 { "What the programme is" }
        p { "SPOT brings Greater Manchester's social-prescribing link workers and occupational therapists together to learn from each other, create links between services and develop professionally. It is free to participants, delivered by the Salford Social Prescribing Hub at the University of Salford and funded by the Elizabeth Casson Trust." }
        @if let Some(why) = request.closed_because(now) {
            p.notice { strong { (why) } " This link no longer takes an answer." }
        } @else {
            @if let Some(until) = request.held_until {
                p.notice { "The place is held until " (london_time(until)) " (London time) for your answer; without it, it goes to the next person on the waiting list." }
            } @else if request.placed == super::values::BookingStatus::Waiting {
                p { (request.participant) " is on the waiting list: if a place comes up, they will have it." }
            }
            form method="post" novalidate {
                (csrf_field(ctx))
                @let error = errors.get("answer");
                div.form-group.form-group-error[error.is_some()] {
                    fieldset.fieldset aria-describedby=[error.map(|_| "answer-error")] {
                        legend.label { "Your answer" }
                        @if let Some(message) = error {
                            p.error-message id="answer-error" { span.visually-hidden { "Error: " } (message) }
                        }
                        div.radio {
                            input #answer type="radio" name="answer" value="confirm";
                            label for="answer" { "I confirm: they can have the time for all the sessions" }
                        }
                        div.radio {
                            input #answer-decline type="radio" name="answer" value="decline";
                            label for="answer-decline" { "I decline: please cancel the booking" }
                        }
                    }
                }
                button.button type="submit" { "Send my answer" }
            }
        }
    })
}

/// "6 hours", "1.5 hours".
pub(crate) fn hours_words(minutes: i32) -> String {
    if minutes % 60 == 0 {
        format!(
            "{} hour{}",
            minutes / 60,
            if minutes == 60 { "" } else { "s" }
        )
    } else {
        format!("{:.1} hours", f64::from(minutes) / 60.0)
    }
}

pub fn manager_answered(ctx: &PageCtx, summary: &RunSummary, answer: Answer) -> Markup {
    layout(
        ctx,
        "Thank you",
        html! {
            h1 { "Thank you" }
            @match answer {
                Answer::Confirm => p { "You have confirmed the place on " strong { (summary.run.title) } ". We have told your colleague." },
                Answer::Decline => p { "You have declined the booking on " strong { (summary.run.title) } ": it is cancelled, and we have told your colleague." },
            }
            p { "You can close this page." }
        },
    )
}
