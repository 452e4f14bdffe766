//! A member's own posts: reply, edit, delete, mark helpful, report; and a post's history.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::{composer, reason_again, review, PostForm, ReasonForm, Review};
use crate::db::{self, Db, PostId, ThreadId};
use crate::forum::moderation::{self, ReportOutcome};
use crate::forum::pages::{self, Draft};
use crate::forum::posts;
use crate::forum::values::Reason;
use crate::markdown::{self, SafeHtml};
use crate::members::directory;
use crate::rules::RuleError;
use crate::web::context::flash;
use crate::web::forms::FieldErrors;
use crate::web::{
    html, page_with_status, see_other, AppError, CurrentMember, Facilitator, PageCtx,
};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ReplyQuery {
    to: Option<String>,
}

pub(super) async fn reply_page(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    id: web::Path<ThreadId>,
    query: web::Query<ReplyQuery>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let to: Option<PostId> = query.to.as_deref().and_then(|raw| raw.parse().ok());
    let viewer = me.0.clone();
    let (thread, quote) = db
        .run(move |conn| {
            let (thread, _) = posts::readable_thread(conn, Some(&viewer), id)?;
            let quote = match to {
                Some(to) => {
                    let post = posts::find(conn, to)?;
                    if post.thread_id != id {
                        return Err(AppError::NotFound);
                    }
                    let author = directory::profile(conn, post.author_id)?.display_name;
                    // Hidden and removed posts are not quoted: that would undo the hiding.
                    let visible = post.is_visible();
                    Some(posts::Quote {
                        id: post.id,
                        author,
                        excerpt: if visible {
                            markdown::excerpt(&post.body_source, 300)
                        } else {
                            String::new()
                        },
                        visible,
                    })
                }
                None => None,
            };
            Ok((thread, quote))
        })
        .await?;
    if thread.locked {
        return Err(AppError::forbidden(
            "This thread is locked: it takes no more replies.",
        ));
    }
    let draft = Draft {
        reply_to: to,
        ..Draft::default()
    };
    let errors = FieldErrors::new();
    let form = composer(
        format!("/threads/{id}/reply"),
        &draft,
        &errors,
        None,
        &[],
        false,
        "Post reply",
    );
    Ok(html(pages::reply(&ctx, &thread, quote.as_ref(), &form)))
}

pub(super) async fn reply(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    id: web::Path<ThreadId>,
    form: web::Form<PostForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let draft = form.draft();
    let again = |errors: FieldErrors,
                 preview: Option<SafeHtml>,
                 concerns: Vec<String>,
                 status: StatusCode| {
        let db = db.clone();
        let viewer = me.0.clone();
        let ctx = ctx.clone();
        let draft = draft.clone();
        async move {
            let (thread, _) = db
                .run(move |conn| Ok(posts::readable_thread(conn, Some(&viewer), id)?))
                .await?;
            let form = composer(
                format!("/threads/{id}/reply"),
                &draft,
                &errors,
                preview.as_ref(),
                &concerns,
                false,
                "Post reply",
            );
            Ok::<_, AppError>(page_with_status(
                status,
                pages::reply(&ctx, &thread, None, &form),
            ))
        }
    };
    let (body, reply_to) = match review(&form, false) {
        Review::Again {
            errors,
            preview,
            concerns,
            status,
        } => return again(errors, preview, concerns, status).await,
        Review::Ready { body, reply_to, .. } => (body, reply_to),
    };
    let viewer = me.0.clone();
    let outcome = db
        .write(move |tx| posts::reply(tx, &viewer, id, reply_to, &body, db::now()))
        .await;
    match outcome {
        Ok(post) => Ok(see_other(&format!("/posts/{post}"))),
        Err(RuleError::Invalid(field, message)) => {
            let mut errors = FieldErrors::new();
            errors.add(field, message);
            again(errors, None, Vec::new(), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        // Locked or archived while the member was writing: keep their words on screen.
        Err(RuleError::Forbidden(message)) => {
            let mut errors = FieldErrors::new();
            errors.add("body", message);
            again(errors, None, Vec::new(), StatusCode::FORBIDDEN).await
        }
        Err(error) => Err(error.into()),
    }
}

pub(super) async fn edit_page(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    id: web::Path<PostId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let viewer = me.0.clone();
    let (post, thread) = db
        .run(move |conn| {
            let post = posts::find(conn, id)?;
            let (thread, _) = posts::readable_thread(conn, Some(&viewer), post.thread_id)?;
            Ok((post, thread))
        })
        .await?;
    if post.author_id != me.id {
        return Err(AppError::forbidden("You can only edit your own posts."));
    }
    let draft = Draft {
        body: post.body_source.clone(),
        ..Draft::default()
    };
    let errors = FieldErrors::new();
    let form = composer(
        format!("/posts/{id}/edit"),
        &draft,
        &errors,
        None,
        &[],
        false,
        "Save changes",
    );
    Ok(html(pages::edit_post(&ctx, &thread, &form)))
}

pub(super) async fn edit(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    id: web::Path<PostId>,
    form: web::Form<PostForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let draft = form.draft();
    match review(&form, false) {
        Review::Again {
            errors,
            preview,
            concerns,
            status,
        } => {
            let viewer = me.0.clone();
            let thread = db
                .run(move |conn| {
                    let post = posts::find(conn, id)?;
                    Ok(posts::readable_thread(conn, Some(&viewer), post.thread_id)?.0)
                })
                .await?;
            let form = composer(
                format!("/posts/{id}/edit"),
                &draft,
                &errors,
                preview.as_ref(),
                &concerns,
                false,
                "Save changes",
            );
            Ok(page_with_status(
                status,
                pages::edit_post(&ctx, &thread, &form),
            ))
        }
        Review::Ready { body, .. } => {
            let viewer = me.0.clone();
            db.write(move |tx| posts::edit(tx, &viewer, id, &body, db::now()))
                .await?;
            Ok(see_other(&format!("/posts/{id}")))
        }
    }
}

pub(super) async fn delete_own(
    me: CurrentMember,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<PostId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    db.write(move |tx| posts::delete_own(tx, &me, id, db::now()))
        .await?;
    flash(&session, "Your post has been removed.");
    Ok(see_other(&format!("/posts/{id}")))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct HelpfulForm {
    helpful: String,
}

pub(super) async fn helpful(
    me: CurrentMember,
    db: web::Data<Db>,
    id: web::Path<PostId>,
    form: web::Form<HelpfulForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let helpful = form.helpful != "no";
    db.write(move |tx| posts::set_helpful(tx, &me, id, helpful, db::now()))
        .await?;
    Ok(see_other(&format!("/posts/{id}")))
}

pub(super) async fn report(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<PostId>,
    form: web::Form<ReasonForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let reason = match Reason::parse(&form.reason) {
        Ok(reason) => reason,
        Err(message) => {
            return Ok(reason_again(
                &ctx,
                "Report a post",
                format!("/posts/{id}/report"),
                &form.reason,
                message,
            ))
        }
    };
    let outcome = db
        .write(move |tx| moderation::report(tx, &me, id, &reason, db::now()))
        .await?;
    flash(
        &session,
        match outcome {
            ReportOutcome::Reported => "Thank you: the facilitators will look at this post.",
            ReportOutcome::Hidden => "Thank you: several members reported this post, so it is hidden until a facilitator reviews it.",
        },
    );
    Ok(see_other(&format!("/posts/{id}")))
}

pub(super) async fn history(
    ctx: PageCtx,
    me: Facilitator,
    db: web::Data<Db>,
    id: web::Path<PostId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (post, earlier) = db
        .run(move |conn| Ok(posts::revisions(conn, &me, id)?))
        .await?;
    Ok(html(pages::history(&ctx, post.thread_id, &post, &earlier)))
}
