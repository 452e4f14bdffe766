//! Category pages, starting a thread, the thread page, and jumping to an unread post or to
//! one post.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::{review, sign_in_first, written, Again, PageQuery, Ready, Writing};
use crate::db::{self, Db, PostId, ThreadId};
use crate::forum::forms::PostForm;
use crate::forum::pages;
use crate::forum::{categories, moderation, posts, threads};
use crate::notifications::watches;
use crate::web::json::{json, JsonError};
use crate::web::{html, see_other, AppError, CurrentMember, MaybeMember, PageCtx};

pub(super) async fn index(ctx: PageCtx, db: web::Data<Db>) -> Result<HttpResponse, AppError> {
    let viewer = ctx.viewer.clone();
    let (summaries, open) = db
        .run(move |conn| {
            let summaries = categories::overview(conn, viewer.as_ref())?;
            let open = match viewer.as_ref().filter(|v| v.staff.can_moderate()) {
                Some(moderator) => Some(moderation::open_report_count(conn, moderator)?),
                None => None,
            };
            Ok((summaries, open))
        })
        .await?;
    Ok(html(pages::index(&ctx, &summaries, open)))
}

pub(super) async fn category(
    ctx: PageCtx,
    db: web::Data<Db>,
    slug: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let page = query.number();
    let viewer = ctx.viewer.clone();
    let (category, rows, watching) = db
        .run(move |conn| {
            let category = categories::by_slug(conn, &slug)?;
            if !categories::can_read(conn, &category, viewer.as_ref())? {
                return Err(match viewer {
                    None => AppError::SignInRequired {
                        next: format!("/forum/{slug}"),
                    },
                    Some(_) => AppError::forbidden("This is a private space."),
                });
            }
            let rows =
                threads::category_page(conn, category.id, viewer.as_ref().map(|v| v.id), page)?;
            let watching = match &viewer {
                Some(viewer) => Some(watches::watches_category(conn, viewer.id, category.id)?),
                None => None,
            };
            Ok((category, rows, watching))
        })
        .await?;
    let can_start = ctx
        .viewer
        .as_ref()
        .is_some_and(|v| category.can_start_thread(v).is_ok());
    Ok(html(pages::category(
        &ctx, &category, &rows, can_start, watching,
    )))
}

pub(super) async fn new_thread_page(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let viewer = me.0.clone();
    let category = db
        .run(move |conn| {
            let category = categories::by_slug(conn, &slug)?;
            if !categories::can_read(conn, &category, Some(&viewer))? {
                return Err(AppError::forbidden("This is a private space."));
            }
            Ok(category)
        })
        .await?;
    category.can_start_thread(&me)?;
    let (form, again) = (PostForm::default(), Again::default());
    let composer = Writing::NewThread(&category.slug).composer(&form, &again);
    Ok(html(pages::new_thread(&ctx, &category, &composer)))
}

pub(super) async fn create_thread(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    session: actix_session::Session,
    slug: web::Path<String>,
    form: web::Form<PostForm>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let category = db
        .run(move |conn| Ok(categories::by_slug(conn, &slug)?))
        .await?;
    category.can_start_thread(&me)?;
    let again = match review(&form, true) {
        Ok(Ready {
            title,
            body,
            verdict,
            ..
        }) => {
            let title = title.expect("a thread form has a title");
            let viewer = me.0.clone();
            let id = db
                .write(move |tx| {
                    threads::start(tx, &viewer, &category, &title, &body, verdict, db::now())
                })
                .await?;
            return Ok(written(&session, verdict, &format!("/threads/{id}")));
        }
        Err(again) => again,
    };
    let composer = Writing::NewThread(&category.slug).composer(&form, &again);
    Ok(again.show(pages::new_thread(&ctx, &category, &composer)))
}

pub(super) async fn thread(
    ctx: PageCtx,
    db: web::Data<Db>,
    id: web::Path<ThreadId>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let page = query.number().get() as i32;
    let viewer = ctx.viewer.clone();
    let view = db
        .run(move |conn| {
            posts::thread_view(conn, viewer.as_ref(), id, page).map_err(|refused| {
                sign_in_first(refused, viewer.is_some(), format!("/threads/{id}"))
            })
        })
        .await?;
    let (form, again) = (PostForm::default(), Again::default());
    let composer = Writing::Reply(id).composer(&form, &again);
    let reply_form = ctx.viewer.as_ref().map(|_| &composer);
    Ok(html(pages::thread(&ctx, &view, reply_form)))
}

pub(super) async fn first_unread(
    me: CurrentMember,
    db: web::Data<Db>,
    id: web::Path<ThreadId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (post, page) = db
        .run(move |conn| Ok(posts::first_unread(conn, &me, id)?))
        .await?;
    Ok(see_other(&format!("/threads/{id}?page={page}#post-{post}")))
}

pub(super) async fn jump_to_post(
    viewer: MaybeMember,
    db: web::Data<Db>,
    id: web::Path<PostId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (thread, page) = db
        .run(move |conn| {
            posts::locate(conn, viewer.0.as_ref(), id).map_err(|refused| {
                sign_in_first(refused, viewer.0.is_some(), format!("/posts/{id}"))
            })
        })
        .await?;
    Ok(see_other(&format!(
        "/threads/{thread}?page={page}#post-{id}"
    )))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct NewerQuery {
    after: String,
}

/// `GET /threads/{id}/newer?after={post id}`: how many replies others have added since that
/// post, in JSON, for the notice on an open thread page.
pub(super) async fn newer(
    viewer: MaybeMember,
    db: web::Data<Db>,
    id: web::Path<ThreadId>,
    query: web::Query<NewerQuery>,
) -> Result<HttpResponse, JsonError> {
    let id = id.into_inner();
    let after: PostId = query
        .after
        .trim()
        .parse()
        .map_err(|_| AppError::BadRequest("`after` must be the number of a post".into()))?;
    let newer = db
        .run(move |conn| Ok(posts::newer(conn, viewer.0.as_ref(), id, after)?))
        .await?;
    Ok(json(&newer))
}
