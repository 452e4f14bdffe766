//! Facilitators at work: hide, show, remove and purge posts; pin, lock, move and rename
//! threads; the queue of reported posts and the moderation log; suspensions.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::PageQuery;
use crate::audit;
use crate::db::{self, CategoryId, Db, MemberId, PostId, ThreadId};
use crate::forum::forms::{PurgeForm, ReasonForm, SuspendForm};
use crate::forum::pages;
use crate::forum::values::ThreadTitle;
use crate::forum::{claims, moderation, purge as purging};
use crate::members::directory;
use crate::rules::{self, RuleError};
use crate::web::context::flash;
use crate::web::forms::FieldErrors;
use crate::web::{html, invalid_form, see_other, AppError, Facilitator, PageCtx};

pub(super) async fn hide(
    ctx: PageCtx,
    me: Facilitator,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<PostId>,
    form: web::Form<ReasonForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let action = format!("/posts/{id}/hide");
    let reason = match form.reason(&ctx, "Hide a post", &action) {
        Ok(reason) => reason,
        Err(again) => return Ok(invalid_form(again)),
    };
    db.write(move |tx| moderation::hide(tx, &me, id, &reason, db::now()))
        .await?;
    flash(&session, "The post is hidden.");
    Ok(see_other(&format!("/posts/{id}")))
}

pub(super) async fn unhide(
    me: Facilitator,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<PostId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    db.write(move |tx| moderation::unhide(tx, &me, id, db::now()))
        .await?;
    flash(&session, "The post is shown again.");
    Ok(see_other(&format!("/posts/{id}")))
}

pub(super) async fn remove(
    me: Facilitator,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<PostId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let thread = db
        .write(move |tx| moderation::remove(tx, &me, id, db::now()))
        .await?;
    match thread {
        Some(thread) => {
            flash(&session, "The post has been deleted.");
            Ok(see_other(&format!("/threads/{thread}")))
        }
        None => {
            flash(&session, "The thread has been deleted.");
            Ok(see_other("/forum"))
        }
    }
}

pub(super) async fn purge_page(
    ctx: PageCtx,
    me: Facilitator,
    db: web::Data<Db>,
    id: web::Path<PostId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (post, thread) = db
        .run(move |conn| Ok(purging::target(conn, &me, id)?))
        .await?;
    let (form, errors) = (PurgeForm::default(), FieldErrors::new());
    Ok(html(pages::purge_post(
        &ctx, &thread, &post, &form, &errors,
    )))
}

pub(super) async fn purge(
    ctx: PageCtx,
    me: Facilitator,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<PostId>,
    form: web::Form<PurgeForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let viewer = me.0.clone();
    let purged = rules::submit(&db, form.parse(), move |tx, (reason, title)| {
        purging::purge(tx, &viewer, id, &reason, title.as_ref(), db::now())
    })
    .await?;
    match purged {
        Ok(_) => {
            flash(&session, "The post's text has been removed everywhere.");
            Ok(see_other(&format!("/posts/{id}")))
        }
        Err(errors) => {
            let (post, thread) = db
                .run(move |conn| Ok(purging::target(conn, &me, id)?))
                .await?;
            let page = pages::purge_post(&ctx, &thread, &post, &form, &errors);
            Ok(invalid_form(page))
        }
    }
}

/// Pins, unpins, locks or unlocks a thread: `LOCK` picks the switch (pinned or locked),
/// `ON` which way it goes. One handler for the four routes, so they cannot drift apart.
pub(super) async fn switch<const LOCK: bool, const ON: bool>(
    me: Facilitator,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<ThreadId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    db.write(move |tx| match LOCK {
        true => moderation::set_locked(tx, &me, id, ON, db::now()),
        false => moderation::set_pinned(tx, &me, id, ON, db::now()),
    })
    .await?;
    let done = match (LOCK, ON) {
        (false, true) => "The thread is pinned.",
        (false, false) => "The thread is unpinned.",
        (true, true) => "The thread is locked.",
        (true, false) => "The thread is unlocked.",
    };
    flash(&session, done);
    Ok(see_other(&format!("/threads/{id}")))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct MoveForm {
    category: String,
}

pub(super) async fn move_thread(
    ctx: PageCtx,
    me: Facilitator,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<ThreadId>,
    form: web::Form<MoveForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let refused = |message: String| {
        let mut errors = FieldErrors::new();
        errors.add("category", message);
        let back = format!("/threads/{id}");
        invalid_form(pages::refused(&ctx, "Move a thread", &back, &errors))
    };
    let Ok(to) = form.category.trim().parse::<CategoryId>() else {
        return Ok(refused("Choose a category from the list".into()));
    };
    let outcome = db
        .write(move |tx| moderation::move_thread(tx, &me, id, to, db::now()))
        .await;
    match outcome {
        Ok(_) => {
            flash(&session, "The thread has been moved.");
            Ok(see_other(&format!("/threads/{id}")))
        }
        Err(RuleError::Invalid(_, message)) => Ok(refused(message)),
        Err(error) => Err(error.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct RenameForm {
    title: String,
}

pub(super) async fn rename_thread(
    ctx: PageCtx,
    me: Facilitator,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<ThreadId>,
    form: web::Form<RenameForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let title = match ThreadTitle::parse(&form.title) {
        Ok(title) => title,
        Err(message) => {
            let mut errors = FieldErrors::new();
            errors.add("title", message);
            return Ok(invalid_form(pages::rename_form(
                &ctx,
                id,
                &form.title,
                &errors,
            )));
        }
    };
    db.write(move |tx| moderation::rename_thread(tx, &me, id, &title, db::now()))
        .await?;
    flash(&session, "The thread has been renamed.");
    Ok(see_other(&format!("/threads/{id}")))
}

pub(super) async fn queue(
    ctx: PageCtx,
    me: Facilitator,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let (items, held) = db
        .run(move |conn| {
            let within = crate::forum::scope::ModerationScope::of(conn, &me)?.categories();
            Ok((
                moderation::queue(conn, &me)?,
                crate::holds::waiting_count(conn, within.as_deref())?,
            ))
        })
        .await?;
    Ok(html(pages::queue(&ctx, &items, held)))
}

pub(super) async fn moderation_log(
    ctx: PageCtx,
    _me: Facilitator,
    db: web::Data<Db>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let page = query.number();
    let entries = db.run(move |conn| Ok(audit::recent(conn, page)?)).await?;
    let nav = crate::web::layout::moderation_nav(&ctx);
    Ok(html(crate::admin::pages::audit_log(
        &ctx,
        &entries,
        nav,
        "/moderation/log",
    )))
}

pub(super) async fn resolve(
    ctx: PageCtx,
    me: Facilitator,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<PostId>,
    form: web::Form<ReasonForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let action = format!("/moderation/posts/{id}/resolve");
    let reason = match form.reason(&ctx, "Hide a reported post", &action) {
        Ok(reason) => reason,
        Err(again) => return Ok(invalid_form(again)),
    };
    db.write(move |tx| moderation::resolve(tx, &me, id, &reason, db::now()))
        .await?;
    flash(&session, "The post is hidden and its reports are closed.");
    Ok(see_other("/moderation"))
}

pub(super) async fn dismiss(
    me: Facilitator,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<PostId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    db.write(move |tx| moderation::dismiss(tx, &me, id, db::now()))
        .await?;
    flash(&session, "The reports are dismissed.");
    Ok(see_other("/moderation"))
}

pub(super) async fn suspend_page(
    ctx: PageCtx,
    _me: Facilitator,
    db: web::Data<Db>,
    id: web::Path<MemberId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let member = db
        .run(move |conn| Ok(directory::profile(conn, id)?))
        .await?;
    Ok(html(pages::suspend_member(
        &ctx,
        &member,
        &SuspendForm::first(),
        &FieldErrors::new(),
    )))
}

pub(super) async fn suspend(
    ctx: PageCtx,
    me: Facilitator,
    db: web::Data<Db>,
    site: web::Data<crate::Site>,
    session: Session,
    id: web::Path<MemberId>,
    form: web::Form<SuspendForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (viewer, base_url) = (me.0.clone(), site.base_url.clone());
    let suspended = rules::submit(&db, form.parse(), move |tx, (days, reason)| {
        moderation::suspend_for(tx, &viewer, id, days, &reason, &base_url, db::now()).map(|_| days)
    })
    .await?;
    match suspended {
        Ok(days) => {
            let plural = if days == 1 { "" } else { "s" };
            flash(
                &session,
                format!("The member is suspended for {days} day{plural}."),
            );
            Ok(see_other(&format!("/members/{id}")))
        }
        Err(errors) => {
            let member = db
                .run(move |conn| Ok(directory::profile(conn, id)?))
                .await?;
            let page = pages::suspend_member(&ctx, &member, &form, &errors);
            Ok(invalid_form(page))
        }
    }
}

pub(super) const CLAIM: u8 = 0;
pub(super) const UNCLAIM: u8 = 1;
pub(super) const ESCALATE: u8 = 2;

/// Claims, lets go of, or passes to the admins the reports on a post (`ACT`).
pub(super) async fn claim<const ACT: u8>(
    me: Facilitator,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<PostId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    db.write(move |tx| match ACT {
        CLAIM => claims::claim(tx, &me, id, db::now()),
        UNCLAIM => claims::unclaim(tx, &me, id),
        _ => claims::escalate(tx, &me, id, db::now()),
    })
    .await?;
    flash(
        &session,
        match ACT {
            CLAIM => "The reports are yours: the other facilitators see that you have them.",
            UNCLAIM => "You let the reports go: any facilitator can take them.",
            _ => "The reports are passed to the admins, who have been told.",
        },
    );
    Ok(see_other("/moderation"))
}

pub(super) async fn moderation_statistics(
    ctx: PageCtx,
    me: crate::web::Admin,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let stats = db
        .run(move |conn| Ok(crate::forum::statistics::statistics(conn, &me, db::now())?))
        .await?;
    Ok(html(pages::moderation_statistics(&ctx, &stats)))
}
