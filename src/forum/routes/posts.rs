//! A member's own posts: reply, edit, delete, mark helpful, report; and a post's history.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::{review, written, Again, Ready, Writing};
use crate::db::{self, Db, PostId, ThreadId};
use crate::forum::forms::PostForm;
use crate::forum::forms::ReasonForm;
use crate::forum::moderation::{self, ReportOutcome};
use crate::forum::pages;
use crate::forum::posts::{self, PostEdit};
use crate::forum::values::PostBody;
use crate::web::context::flash;
use crate::web::json::{json, JsonError, JsonMember};
use crate::web::{html, invalid_form, see_other, AppError, CurrentMember, Facilitator, PageCtx};

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
        .run(move |conn| Ok(posts::reply_target(conn, &viewer, id, to)?))
        .await?;
    let (form, again) = (PostForm::answering(to), Again::default());
    let composer = Writing::Reply(id).composer(&form, &again);
    Ok(html(pages::reply(&ctx, &thread, quote.as_ref(), &composer)))
}

pub(super) async fn reply(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<ThreadId>,
    form: web::Form<PostForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let viewer = me.0.clone();
    let again = match review(&form, false) {
        Ok(Ready {
            body,
            reply_to,
            verdict,
            ..
        }) => {
            let viewer = viewer.clone();
            let posted = db
                .write(move |tx| posts::reply(tx, &viewer, id, reply_to, &body, verdict, db::now()))
                .await;
            match posted {
                Ok(post) => return Ok(written(&session, verdict, &format!("/posts/{post}"))),
                // Locked or archived while the member was writing: keep their words on screen.
                Err(refused) => Again::refused(refused)?,
            }
        }
        Err(again) => again,
    };
    let (thread, _) = db
        .run(move |conn| Ok(posts::readable_thread(conn, Some(&viewer), id)?))
        .await?;
    let composer = Writing::Reply(id).composer(&form, &again);
    Ok(again.show(pages::reply(&ctx, &thread, None, &composer)))
}

pub(super) async fn edit_page(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    id: web::Path<PostId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (post, thread) = db
        .run(move |conn| Ok(posts::edit_target(conn, &me, id)?))
        .await?;
    let writing = Writing::Edit(id, retitles(&post, &thread));
    let form = PostForm::editing(&thread.title, &post.body_source);
    let again = Again::default();
    Ok(html(pages::edit_post(
        &ctx,
        &thread,
        &writing.composer(&form, &again),
    )))
}

/// The first post of a held thread is edited with its title: the title may be what the
/// guard found.
fn retitles(post: &posts::Post, thread: &crate::forum::threads::Thread) -> bool {
    post.position == 1 && thread.is_held()
}

pub(super) async fn edit(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<PostId>,
    form: web::Form<PostForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let viewer = me.0.clone();
    let (post, thread) = db
        .run(move |conn| Ok(posts::edit_target(conn, &viewer, id)?))
        .await?;
    let writing = Writing::Edit(id, retitles(&post, &thread));
    let again = match review(&form, retitles(&post, &thread)) {
        Ok(Ready {
            title,
            body,
            verdict,
            ..
        }) => {
            let change = PostEdit { title, body };
            let viewer = me.0.clone();
            db.write(move |tx| posts::edit(tx, &viewer, id, &change, verdict, db::now()))
                .await?;
            return Ok(written(&session, verdict, &format!("/posts/{id}")));
        }
        Err(again) => again,
    };
    Ok(again.show(pages::edit_post(
        &ctx,
        &thread,
        &writing.composer(&form, &again),
    )))
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
    let action = format!("/posts/{id}/report");
    let reason = match form.reason(&ctx, "Report a post", &action) {
        Ok(reason) => reason,
        Err(again) => return Ok(invalid_form(again)),
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

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct PreviewForm {
    body: String,
}

/// `POST /preview` (`body`): the post as it would read once saved, in JSON; nothing is saved.
pub(super) async fn preview(
    _me: JsonMember,
    db: web::Data<Db>,
    form: web::Form<PreviewForm>,
) -> Result<HttpResponse, JsonError> {
    let body = PostBody::parse(&form.body).map_err(AppError::BadRequest)?;
    let preview = db.run(move |conn| Ok(posts::preview(conn, &body)?)).await?;
    Ok(json(&preview))
}
