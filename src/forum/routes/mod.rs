//! Forum handlers: parse, call one rule, render or redirect. The route table is here, with
//! the forms and helpers that more than one area shares; the handlers live by feature area.

mod categories;
mod moderation;
mod posts;
mod threads;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::Markup;

use super::forms::PostForm;
use super::pages::Composer;
use super::values::{PostBody, ThreadTitle};
use crate::db::{PostId, ThreadId};
use crate::guard;
use crate::markdown::{self, SafeHtml};
use crate::rules::RuleError;
use crate::web::forms::FieldErrors;
use crate::web::paging::PageQuery;
use crate::web::{page_with_status, AppError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/forum", web::get().to(threads::index))
        .route("/forum/{slug}", web::get().to(threads::category))
        .route("/forum/{slug}/new", web::get().to(threads::new_thread_page))
        .route("/forum/{slug}/new", web::post().to(threads::create_thread))
        .route("/threads/{id}", web::get().to(threads::thread))
        .route("/threads/{id}/unread", web::get().to(threads::first_unread))
        .route("/threads/{id}/newer", web::get().to(threads::newer))
        .route("/preview", web::post().to(posts::preview))
        .route("/threads/{id}/reply", web::get().to(posts::reply_page))
        .route("/threads/{id}/reply", web::post().to(posts::reply))
        // switch::<LOCK, ON>
        .route(
            "/threads/{id}/pin",
            web::post().to(moderation::switch::<false, true>),
        )
        .route(
            "/threads/{id}/unpin",
            web::post().to(moderation::switch::<false, false>),
        )
        .route(
            "/threads/{id}/lock",
            web::post().to(moderation::switch::<true, true>),
        )
        .route(
            "/threads/{id}/unlock",
            web::post().to(moderation::switch::<true, false>),
        )
        .route(
            "/threads/{id}/move",
            web::post().to(moderation::move_thread),
        )
        .route(
            "/threads/{id}/rename",
            web::post().to(moderation::rename_thread),
        )
        .route("/posts/{id}", web::get().to(threads::jump_to_post))
        .route("/posts/{id}/edit", web::get().to(posts::edit_page))
        .route("/posts/{id}/edit", web::post().to(posts::edit))
        .route("/posts/{id}/delete", web::post().to(posts::delete_own))
        .route("/posts/{id}/helpful", web::post().to(posts::helpful))
        .route("/posts/{id}/report", web::post().to(posts::report))
        .route("/posts/{id}/hide", web::post().to(moderation::hide))
        .route("/posts/{id}/unhide", web::post().to(moderation::unhide))
        .route("/posts/{id}/remove", web::post().to(moderation::remove))
        .route("/posts/{id}/purge", web::get().to(moderation::purge_page))
        .route("/posts/{id}/purge", web::post().to(moderation::purge))
        .route("/posts/{id}/history", web::get().to(posts::history))
        .route("/moderation", web::get().to(moderation::queue))
        .route("/moderation/log", web::get().to(moderation::moderation_log))
        .route(
            "/admin/moderation",
            web::get().to(moderation::moderation_statistics),
        )
        .route(
            "/moderation/posts/{id}/resolve",
            web::post().to(moderation::resolve),
        )
        .route(
            "/moderation/posts/{id}/dismiss",
            web::post().to(moderation::dismiss),
        )
        .route(
            "/moderation/posts/{id}/claim",
            web::post().to(moderation::claim::<{ moderation::CLAIM }>),
        )
        .route(
            "/moderation/posts/{id}/unclaim",
            web::post().to(moderation::claim::<{ moderation::UNCLAIM }>),
        )
        .route(
            "/moderation/posts/{id}/escalate",
            web::post().to(moderation::claim::<{ moderation::ESCALATE }>),
        )
        .route(
            "/members/{id}/suspend",
            web::get().to(moderation::suspend_page),
        )
        .route("/members/{id}/suspend", web::post().to(moderation::suspend))
        .route(
            "/admin/categories",
            web::get().to(categories::admin_categories),
        )
        .route(
            "/admin/categories",
            web::post().to(categories::create_category),
        )
        .route(
            "/admin/categories/{id}",
            web::get().to(categories::admin_category),
        )
        .route(
            "/admin/categories/{id}",
            web::post().to(categories::update_category),
        )
        .route(
            "/admin/categories/{id}/facilitators",
            web::post().to(categories::put_in_charge),
        );
}

/// A post ready to save, or what to show the author instead.
fn review(form: &PostForm, with_title: bool) -> Result<Ready, Again> {
    let mut errors = FieldErrors::new();
    let title = if with_title {
        errors.check("title", ThreadTitle::parse(&form.title))
    } else {
        None
    };
    let body = errors.check("body", PostBody::parse(&form.body));
    let reply_to = match form.reply_to.trim() {
        "" => None,
        raw => errors.check(
            "body",
            raw.parse::<PostId>()
                .map_err(|_| "The post you are answering does not exist"),
        ),
    };
    if !errors.is_empty() {
        return Err(Again {
            errors,
            preview: None,
            concerns: Vec::new(),
            status: StatusCode::UNPROCESSABLE_ENTITY,
        });
    }
    let body = body.expect("parsed when there are no errors");
    if form.action == "preview" {
        return Err(Again {
            errors,
            preview: Some(markdown::cook(body.as_str())),
            concerns: Vec::new(),
            status: StatusCode::OK,
        });
    }
    let fields = [("title", form.title.as_str()), ("post", body.as_str())];
    let verdict =
        guard::verdict(&fields, form.confirm_patient_data.is_some()).map_err(|concerns| Again {
            errors,
            preview: None,
            concerns: concerns.0,
            status: StatusCode::UNPROCESSABLE_ENTITY,
        })?;
    Ok(Ready {
        title,
        body,
        reply_to,
        verdict,
    })
}

/// A post the review passed, and whether the guard holds it.
struct Ready {
    title: Option<ThreadTitle>,
    body: PostBody,
    reply_to: Option<PostId>,
    verdict: guard::Verdict,
}

/// Where the author goes once their post is saved, told when the guard holds it.
fn written(session: &actix_session::Session, verdict: guard::Verdict, to: &str) -> HttpResponse {
    if verdict.holds() {
        crate::web::context::flash(session, HELD_NOTICE);
    }
    crate::web::see_other(to)
}

/// What the author is told when the guard holds what they wrote.
const HELD_NOTICE: &str = "Your post is saved and waiting for a facilitator: it may identify a \
     patient or service user, so nobody else sees it until a facilitator has checked it. \
     You will be told when they have.";

/// What the author sees again with their words: a message by each field at fault, a
/// preview, what might identify a patient, and the status to send it with.
#[derive(Default)]
struct Again {
    errors: FieldErrors,
    preview: Option<SafeHtml>,
    concerns: Vec<String>,
    status: StatusCode,
}

impl Again {
    /// A reply's refusal, shown with the author's words kept: a value at fault by its field
    /// (422), or the thread locked or archived while they wrote (403, by the body).
    fn refused(error: RuleError) -> Result<Self, AppError> {
        let (field, message, status) = match error {
            RuleError::Invalid(field, message) => {
                (field, message, StatusCode::UNPROCESSABLE_ENTITY)
            }
            RuleError::Forbidden(message) => ("body", message, StatusCode::FORBIDDEN),
            other => return Err(other.into()),
        };
        Ok(Self {
            errors: FieldErrors::one(field, message),
            status,
            ..Self::default()
        })
    }

    /// The writing page around the form, with this status.
    fn show(&self, page: Markup) -> HttpResponse {
        page_with_status(self.status, page)
    }
}

/// Which writing form: where it is sent, whether it has a title, and its button.
#[derive(Clone, Copy)]
enum Writing<'a> {
    /// A new thread in the category with this slug.
    NewThread(&'a str),
    Reply(ThreadId),
    /// An edit of a post, with its thread's title when that can change too.
    Edit(PostId, bool),
}

impl Writing<'_> {
    fn composer<'a>(self, form: &'a PostForm, again: &'a Again) -> Composer<'a> {
        let (action, submit) = match self {
            Writing::NewThread(slug) => (format!("/forum/{slug}/new"), "Post thread"),
            Writing::Reply(thread) => (format!("/threads/{thread}/reply"), "Post reply"),
            Writing::Edit(post, _) => (format!("/posts/{post}/edit"), "Save changes"),
        };
        Composer {
            action,
            post: form,
            errors: &again.errors,
            preview: again.preview.as_ref(),
            concerns: &again.concerns,
            with_title: matches!(self, Writing::NewThread(_) | Writing::Edit(_, true)),
            submit,
        }
    }
}

/// A refusal to someone signed out asks them to sign in, and come back to `next`.
fn sign_in_first(refused: RuleError, signed_in: bool, next: String) -> AppError {
    match refused {
        RuleError::Forbidden(_) if !signed_in => AppError::SignInRequired { next },
        other => other.into(),
    }
}
