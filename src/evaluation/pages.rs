//! After-the-course pages: the feedback form, its results, the admin's questions, the
//! certificate, and the part of the course page that leads to them.

use maud::{html, Markup};

use super::attendance::hours_phrase;
use super::certificate::Certificate;
use super::feedback::{Results, Standing};
use super::forms::{field_name, FeedbackForm, QuestionForm};
use super::questions::Question;
use super::values::{Measure, QuestionKind, Rating};
use crate::bookings::catalogue::RunSummary;
use crate::bookings::pages::boroughs_text;
use crate::db::CourseRunId;
use crate::report::charts::{bar_chart, one_place, whole, BarChart};
use crate::web::forms::{csrf_field, select_field, text_field, textarea_field, FieldErrors, Input};
use crate::web::layout::{breadcrumbs, layout, london_time, long_date, FormPage};
use crate::web::PageCtx;

fn course_trail(summary: &RunSummary) -> Markup {
    breadcrumbs(&[
        ("Courses", "/courses".into()),
        (&summary.run.title, format!("/courses/{}", summary.run.id)),
    ])
}

/// The course page's "After the course" part: the form (or thanks), the certificate, and
/// for the run's facilitators the results. Nothing for someone with none of these.
pub fn after_course(run: CourseRunId, standing: Option<Standing>, facilitates: bool) -> Markup {
    let attended = standing.is_some_and(|s| s != Standing::NotAttended);
    html! {
        @if attended || facilitates {
            section.after-course aria-labelledby="after-course" {
                h2 #after-course { "After the course" }
                @match standing {
                    Some(Standing::Open) => p { a href={ "/courses/" (run) "/feedback" } { "Give your feedback on the course" } " (a few ratings and a couple of lines; you can answer anonymously)." }
                    Some(Standing::Answered) => p { "Thank you for your feedback." }
                    Some(Standing::NotYet(start)) => p { "The feedback form opens when the last session starts (" (london_time(start)) ")." }
                    _ => {}
                }
                @if attended {
                    p { a href={ "/courses/" (run) "/certificate" } { "Your certificate of attendance" } ", to print or save as a PDF for your CPD record." }
                }
                @if facilitates {
                    p { a href={ "/courses/" (run) "/feedback/results" } { "Feedback results" } }
                }
            }
        }
    }
}

fn rating_field(question: &Question, value: &str, errors: &FieldErrors) -> Markup {
    let name = field_name(question);
    let error = errors.get(&name);
    html! {
        div.form-group.form-group-error[error.is_some()] {
            fieldset.fieldset aria-describedby=[error.map(|_| format!("{name}-error"))] {
                legend.label { (question.prompt) }
                div.hint { "1 is “" (question.low_label) "”, 5 is “" (question.high_label) "”." }
                @if let Some(message) = error {
                    p.error-message id={ (name) "-error" } { span.visually-hidden { "Error: " } (message) }
                }
                div.rating-scale {
                    @for n in Rating::SCALE {
                        // The first choice answers to the field's name, for the error summary's link.
                        @let id = if n == 1 { name.clone() } else { format!("{name}-{n}") };
                        div.rating-choice {
                            input id=(id) type="radio" name=(name) value=(n) checked[value == n.to_string()];
                            label for=(id) {
                                (n)
                                @if n == 1 { span.rating-end { " " (question.low_label) } }
                                @if n == 5 { span.rating-end { " " (question.high_label) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The form itself.
pub fn feedback_form(
    ctx: &PageCtx,
    summary: &RunSummary,
    questions: &[Question],
    form: &FeedbackForm,
    errors: &FieldErrors,
) -> Markup {
    let title = format!("Feedback: {}", summary.run.title);
    FormPage::new(ctx, &title, errors)
        .narrow()
        .top(course_trail(summary))
        .render(html! {
            h1 { "How was the course?" }
            p.lede { (summary.run.title) }
            p { "Your answers help the programme's organisers and facilitators improve the course and show what it achieves. Every question is optional." }
            form method="post" action={ "/courses/" (summary.run.id) "/feedback" } novalidate {
                (csrf_field(ctx))
                @for question in questions {
                    @match question.kind {
                        QuestionKind::Rating => (rating_field(question, form.value(&field_name(question)), errors)),
                        QuestionKind::Text => (textarea_field(&field_name(question), &question.prompt, form.value(&field_name(question)), errors, None, 4)),
                    }
                }
                div.form-group {
                    div.checkbox {
                        input #anonymous name="anonymous" type="checkbox" value="yes" checked[form.anonymous()] aria-describedby="anonymous-hint";
                        label for="anonymous" { "Answer anonymously" }
                        div.hint #anonymous-hint { "Your answers are then kept with nothing that links them to you: nobody, not even SPOT's admins, can tell they are yours. SPOT only remembers that you have answered, so that you answer once." }
                    }
                }
                button.button type="submit" { "Send my feedback" }
            }
        })
}

/// What a member sees instead of the form: thanks, or when it opens.
pub fn feedback_state(ctx: &PageCtx, summary: &RunSummary, standing: Standing) -> Markup {
    layout(
        ctx,
        &format!("Feedback: {}", summary.run.title),
        html! {
            (course_trail(summary))
            h1 { "Feedback on the course" }
            @match standing {
                Standing::Answered => p { "Thank you: you have given your feedback on " (summary.run.title) "." }
                Standing::NotYet(start) => p { "The feedback form opens when the last session starts: " (london_time(start)) "." }
                _ => p { "There is no feedback form for you on this course." }
            }
            p { a href={ "/courses/" (summary.run.id) "/certificate" } { "Your certificate of attendance" } }
        },
    )
}

fn shift_text(change: f64) -> String {
    format!("{}{change:.1}", if change > 0.0 { "+" } else { "" })
}

/// A run's results, for its facilitators and admins.
pub fn results(ctx: &PageCtx, results: &Results) -> Markup {
    let summary = &results.summary;
    let run = summary.run.id;
    layout(
        ctx,
        &format!("Feedback results: {}", summary.run.title),
        html! {
            (course_trail(summary))
            h1 { "Feedback results" }
            p.lede { (summary.run.title) }
            p { (results.responses) " responses, " (results.anonymous) " of them anonymous. "
                @if results.named { "Named answers show their author's name to admins only." }
                @else { "Answers are shown without names." } }
            p { a href={ "/courses/" (run) "/feedback/results.csv" } { "Download the results (CSV)" } }
            @if let Some(shift) = results.shift {
                h2 { "Understanding of the other profession" }
                p { "Over the " (shift.paired) " responses that rated both: "
                    (one_place(shift.before)) " before the course, " (one_place(shift.after)) " after, a shift of "
                    strong { (shift_text(shift.change())) } " on the 1 to 5 scale." }
            }
            h2 { "Ratings" }
            @for (n, rating) in results.ratings.iter().enumerate() {
                section.chart-with-table {
                    h3 { (rating.question.prompt) }
                    p { (rating.count()) " answers; average "
                        @match rating.average() { Some(average) => strong { (one_place(average)) }, None => "–" }
                        " (1 is “" (rating.question.low_label) "”, 5 is “" (rating.question.high_label) "”)."
                        @match rating.question.measure { Measure::Neither => {}, measure => { " Measures: " (measure.label().to_lowercase()) "." } } }
                    div.chart-pair {
                        (bar_chart(&BarChart {
                            id: &format!("rating-{n}"),
                            title: &rating.question.prompt,
                            description: "How many people gave each rating from 1 to 5.",
                            series: &["Answers"],
                            groups: (1..=5).zip(rating.distribution).map(|(k, c)| (k.to_string(), vec![Some(c as f64)])).collect(),
                            max: None,
                            format: whole,
                        }))
                        table.table {
                            caption.visually-hidden { "Answers per rating: " (rating.question.prompt) }
                            thead { tr { th scope="col" { "Rating" } th scope="col" { "Answers" } } }
                            tbody { @for (k, c) in (1..=5).zip(rating.distribution) { tr { td { (k) } td { (c) } } } }
                        }
                    }
                }
            }
            @for text in &results.texts {
                h2 { (text.question.prompt) }
                @if text.answers.is_empty() { p { "No answers." } }
                ul.written-answers {
                    @for answer in &text.answers {
                        li { blockquote { p { (answer.text) } }
                             p.muted { @match &answer.name { Some(name) => (name), None => "Unnamed" } } }
                    }
                }
            }
        },
    )
}

/// Everything the admin's questions page shows.
pub struct QuestionsPage<'a> {
    pub summary: &'a RunSummary,
    pub questions: &'a [Question],
    /// Someone has answered: the questions can no longer change.
    pub answered: bool,
    pub form: &'a QuestionForm,
    pub errors: &'a FieldErrors,
}

pub fn questions(ctx: &PageCtx, page: &QuestionsPage<'_>) -> Markup {
    let run = &page.summary.run;
    let base = format!("/admin/courses/{}/feedback", run.id);
    let kinds = QuestionKind::options();
    let measures: Vec<(&str, &str)> = Measure::ALL.iter().map(|m| (m.slug(), m.label())).collect();
    FormPage::new(ctx, &format!("Feedback questions: {}", run.title), page.errors)
        .top(breadcrumbs(&[
            ("Course runs", "/admin/courses".into()),
            (&run.title, format!("/admin/courses/{}", run.id)),
        ]))
        .render(html! {
            h1 { "Feedback questions" }
            p.lede { (run.title) }
            p { "Participants who attended are invited to answer these after the last session. Ratings run from 1 to 5 with a label at each end; the ratings marked “before” and “after” give the course's shift." }
            @if page.answered {
                div.warning-callout { p { "People have answered this form, so its questions can no longer change." } }
            }
            ol.question-list {
                @for (n, question) in page.questions.iter().enumerate() {
                    li {
                        p { strong { (question.prompt) } br;
                            span.muted { (question.kind.label())
                                @if question.kind == QuestionKind::Rating { ": 1 “" (question.low_label) "” to 5 “" (question.high_label) "”" }
                                @if question.measure != Measure::Neither { "; measures " (question.measure.label().to_lowercase()) } } }
                        @if !page.answered {
                            div.button-row {
                                @if n > 0 { (small_post(ctx, &format!("{base}/questions/{}/up", question.id), "Move up", &question.prompt)) }
                                @if n + 1 < page.questions.len() { (small_post(ctx, &format!("{base}/questions/{}/down", question.id), "Move down", &question.prompt)) }
                                (small_post(ctx, &format!("{base}/questions/{}/remove", question.id), "Remove", &question.prompt))
                            }
                        }
                    }
                }
            }
            @if !page.answered {
                h2 { "Add a question" }
                form method="post" action={ (base) "/questions" } novalidate {
                    (csrf_field(ctx))
                    (select_field("kind", "Kind", &page.form.kind, &kinds, None, page.errors))
                    (textarea_field("prompt", "Question", &page.form.prompt, page.errors, None, 2))
                    (text_field("low_label", "Label for 1 (ratings only)", &page.form.low_label, page.errors, Input::text().max_length(40).hint("For example “Not at all”.")))
                    (text_field("high_label", "Label for 5 (ratings only)", &page.form.high_label, page.errors, Input::text().max_length(40).hint("For example “Very well”.")))
                    (select_field("measure", "Before or after the course (ratings only)", &page.form.measure, &measures, None, page.errors))
                    button.button type="submit" { "Add the question" }
                }
            }
        })
}

fn small_post(ctx: &PageCtx, action: &str, label: &str, about: &str) -> Markup {
    html! {
        form.inline-form method="post" action=(action) {
            (csrf_field(ctx))
            button.button.button-secondary.button-small type="submit" aria-label={ (label) ": " (about) } { (label) }
        }
    }
}

/// The printable certificate.
pub fn certificate(ctx: &PageCtx, certificate: &Certificate) -> Markup {
    let summary = &certificate.summary;
    let signers: Vec<String> = certificate
        .signed_by
        .iter()
        .map(|(name, role)| format!("{name}, {}", role.label().to_lowercase()))
        .collect();
    layout(
        ctx,
        &format!("Certificate of attendance: {}", summary.run.title),
        html! {
            div.no-print {
                (course_trail(summary))
                p { "Print this page, or choose “Save as PDF” in your browser's print window, for your CPD record." }
            }
            article.certificate aria-labelledby="certificate-title" {
                p.certificate-programme { "SPOT the difference: link workers and occupational therapists in Greater Manchester" }
                h1 #certificate-title { "Certificate of attendance" }
                p { "This is to certify that" }
                p.certificate-name { (certificate.name) }
                p { (certificate.role.label())
                    @if !certificate.organisation.is_empty() { ", " (certificate.organisation) } }
                p { "attended " strong { (summary.run.title) } ", an online course for link workers and occupational therapists working in "
                    (boroughs_text(&summary.boroughs)) "." }
                table.table.certificate-sessions {
                    caption { "Sessions attended: " (certificate.attended.len()) " of " (summary.sessions.len()) }
                    thead { tr { th scope="col" { "Session" } th scope="col" { "Date" } th scope="col" { "Length" } } }
                    tbody {
                        @for session in &certificate.attended {
                            tr { td { (session.number) } td { (long_date(session.starts_at)) } td { (hours_phrase(i64::from(session.duration_minutes))) } }
                        }
                    }
                    tfoot { tr { th scope="row" colspan="2" { "Total learning time" } td { (hours_phrase(certificate.minutes)) } } }
                }
                @if certificate.completed() { p { "Completed: attended every session of the course." } }
                div.certificate-signatures {
                    @if signers.is_empty() {
                        p { "Signed off by the programme's facilitators." }
                    } @else {
                        p { "Signed off by the course's facilitators:" }
                        ul.plain { @for signer in &signers { li.certificate-signer { (signer) } } }
                    }
                }
                p.muted { "Issued " (long_date(certificate.issued_on)) ". Certificate number " strong { (certificate.number) } "." }
            }
        },
    )
}
