//! Forum handlers: parse, call one rule, render or redirect.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::categories::{self, CategoryChange};
use super::moderation::{self, ReportOutcome};
use super::pages::{self, CategoryValues, Composer, Draft};
use super::patient_data::{self, Concern};
use super::posts;
use super::threads;
use super::values::{CategorySlug, PostBody, Reason, ThreadTitle};
use super::ForumError;
use crate::audit;
use crate::db::{self, CategoryId, Db, MemberId, PostId, ThreadId};
use crate::markdown::{self, SafeHtml};
use crate::members::directory;
use crate::notifications::watches;
use crate::web::context::flash;
use crate::web::forms::FieldErrors;
use crate::web::paging::PageNumber;
use crate::web::{
    html, invalid_form, page_with_status, see_other, Admin, AppError, CurrentMember, Facilitator,
    MaybeMember, PageCtx,
};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/forum", web::get().to(index))
        .route("/forum/{slug}", web::get().to(category))
        .route("/forum/{slug}/new", web::get().to(new_thread_page))
        .route("/forum/{slug}/new", web::post().to(create_thread))
        .route("/threads/{id}", web::get().to(thread))
        .route("/threads/{id}/unread", web::get().to(first_unread))
        .route("/threads/{id}/reply", web::get().to(reply_page))
        .route("/threads/{id}/reply", web::post().to(reply))
        .route("/threads/{id}/pin", web::post().to(pin))
        .route("/threads/{id}/unpin", web::post().to(unpin))
        .route("/threads/{id}/lock", web::post().to(lock))
        .route("/threads/{id}/unlock", web::post().to(unlock))
        .route("/threads/{id}/move", web::post().to(move_thread))
        .route("/threads/{id}/rename", web::post().to(rename_thread))
        .route("/posts/{id}", web::get().to(jump_to_post))
        .route("/posts/{id}/edit", web::get().to(edit_page))
        .route("/posts/{id}/edit", web::post().to(edit))
        .route("/posts/{id}/delete", web::post().to(delete_own))
        .route("/posts/{id}/helpful", web::post().to(helpful))
        .route("/posts/{id}/report", web::post().to(report))
        .route("/posts/{id}/hide", web::post().to(hide))
        .route("/posts/{id}/unhide", web::post().to(unhide))
        .route("/posts/{id}/remove", web::post().to(remove))
        .route("/posts/{id}/history", web::get().to(history))
        .route("/moderation", web::get().to(queue))
        .route("/moderation/log", web::get().to(moderation_log))
        .route("/moderation/posts/{id}/resolve", web::post().to(resolve))
        .route("/moderation/posts/{id}/dismiss", web::post().to(dismiss))
        .route("/members/{id}/suspend", web::get().to(suspend_page))
        .route("/members/{id}/suspend", web::post().to(suspend))
        .route("/admin/categories", web::get().to(admin_categories))
        .route("/admin/categories", web::post().to(create_category))
        .route("/admin/categories/{id}", web::get().to(admin_category))
        .route("/admin/categories/{id}", web::post().to(update_category));
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PageQuery {
    page: Option<String>,
}

async fn index(ctx: PageCtx, db: web::Data<Db>) -> Result<HttpResponse, AppError> {
    let viewer = ctx.viewer.clone();
    let moderator = viewer.as_ref().is_some_and(|v| v.staff.can_moderate());
    let (summaries, open) = db
        .run(move |conn| {
            let summaries = categories::overview(conn, viewer.as_ref())?;
            let open = if moderator {
                Some(moderation::open_report_count(conn)?)
            } else {
                None
            };
            Ok((summaries, open))
        })
        .await?;
    Ok(html(pages::index(&ctx, &summaries, open)))
}

async fn category(
    ctx: PageCtx,
    db: web::Data<Db>,
    slug: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let page = PageNumber::parse(query.page.as_deref());
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

/// The fields of every post-writing form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PostForm {
    title: String,
    body: String,
    reply_to: String,
    action: String,
    confirm_patient_data: Option<String>,
}

impl PostForm {
    fn draft(&self) -> Draft {
        Draft {
            title: self.title.clone(),
            body: self.body.clone(),
            reply_to: self.reply_to.trim().parse().ok(),
        }
    }
}

/// A post ready to save, or what to show the author instead.
enum Review {
    Ready {
        title: Option<ThreadTitle>,
        body: PostBody,
        reply_to: Option<PostId>,
    },
    Again {
        errors: FieldErrors,
        preview: Option<SafeHtml>,
        concerns: Vec<Concern>,
        status: StatusCode,
    },
}

fn review(form: &PostForm, with_title: bool) -> Review {
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
        return Review::Again {
            errors,
            preview: None,
            concerns: Vec::new(),
            status: StatusCode::UNPROCESSABLE_ENTITY,
        };
    }
    let body = body.expect("parsed when there are no errors");
    if form.action == "preview" {
        return Review::Again {
            errors,
            preview: Some(markdown::cook(body.as_str())),
            concerns: Vec::new(),
            status: StatusCode::OK,
        };
    }
    let checked = format!("{}\n{}", form.title, body.as_str());
    let concerns = patient_data::concerns(&checked);
    if !concerns.is_empty() && form.confirm_patient_data.is_none() {
        return Review::Again {
            errors,
            preview: None,
            concerns,
            status: StatusCode::UNPROCESSABLE_ENTITY,
        };
    }
    Review::Ready {
        title,
        body,
        reply_to,
    }
}

async fn new_thread_page(
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
    let draft = Draft::default();
    let errors = FieldErrors::new();
    let form = composer(
        format!("/forum/{}/new", category.slug),
        &draft,
        &errors,
        None,
        &[],
        true,
        "Post thread",
    );
    Ok(html(pages::new_thread(&ctx, &category, &form)))
}

fn composer<'a>(
    action: String,
    draft: &'a Draft,
    errors: &'a FieldErrors,
    preview: Option<&'a SafeHtml>,
    concerns: &'a [Concern],
    with_title: bool,
    submit: &'a str,
) -> Composer<'a> {
    Composer {
        action,
        draft,
        errors,
        preview,
        concerns,
        with_title,
        submit,
    }
}

async fn create_thread(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    slug: web::Path<String>,
    form: web::Form<PostForm>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let category = db
        .run(move |conn| Ok(categories::by_slug(conn, &slug)?))
        .await?;
    category.can_start_thread(&me)?;
    let draft = form.draft();
    let action = format!("/forum/{}/new", category.slug);
    match review(&form, true) {
        Review::Again {
            errors,
            preview,
            concerns,
            status,
        } => {
            let form = composer(
                action,
                &draft,
                &errors,
                preview.as_ref(),
                &concerns,
                true,
                "Post thread",
            );
            Ok(page_with_status(
                status,
                pages::new_thread(&ctx, &category, &form),
            ))
        }
        Review::Ready { title, body, .. } => {
            let title = title.expect("a thread form has a title");
            let viewer = me.0.clone();
            let id = db
                .run(move |conn| {
                    Ok(conn.write_transaction(|conn| {
                        threads::start(conn, &viewer, &category, &title, &body, db::now())
                    })?)
                })
                .await?;
            Ok(see_other(&format!("/threads/{id}")))
        }
    }
}

async fn thread(
    ctx: PageCtx,
    db: web::Data<Db>,
    id: web::Path<ThreadId>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let page = PageNumber::parse(query.page.as_deref()).get() as i32;
    let viewer = ctx.viewer.clone();
    let (page, all_categories, watching) = db
        .run(move |conn| {
            let page = match posts::thread_page(conn, viewer.as_ref(), id, page) {
                Err(ForumError::Forbidden(_)) if viewer.is_none() => {
                    return Err(AppError::SignInRequired {
                        next: format!("/threads/{id}"),
                    })
                }
                other => other?,
            };
            if let (Some(viewer), Some(last)) = (&viewer, page.posts.last()) {
                threads::mark_read(conn, viewer.id, id, last.post.position)?;
            }
            let all = if viewer.as_ref().is_some_and(|v| v.staff.can_moderate()) {
                categories::all(conn)?
            } else {
                Vec::new()
            };
            let watching = match &viewer {
                Some(viewer) => Some(watches::watches_thread(conn, viewer.id, id)?),
                None => None,
            };
            Ok((page, all, watching))
        })
        .await?;
    let draft = Draft::default();
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
    let reply_form = ctx.viewer.as_ref().map(|_| &form);
    Ok(html(pages::thread(
        &ctx,
        &page,
        &all_categories,
        reply_form,
        watching,
    )))
}

async fn first_unread(
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

async fn jump_to_post(
    viewer: MaybeMember,
    db: web::Data<Db>,
    id: web::Path<PostId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let signed_in = viewer.0.is_some();
    let located = db
        .run(move |conn| Ok(posts::locate(conn, viewer.0.as_ref(), id)))
        .await?;
    match located {
        Ok((thread, page)) => Ok(see_other(&format!(
            "/threads/{thread}?page={page}#post-{id}"
        ))),
        Err(ForumError::Forbidden(_)) if !signed_in => Err(AppError::SignInRequired {
            next: format!("/posts/{id}"),
        }),
        Err(error) => Err(error.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReplyQuery {
    to: Option<String>,
}

async fn reply_page(
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

async fn reply(
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
                 concerns: Vec<Concern>,
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
        .run(move |conn| {
            Ok(conn.write_transaction(|conn| {
                posts::reply(conn, &viewer, id, reply_to, &body, db::now())
            }))
        })
        .await?;
    match outcome {
        Ok(post) => Ok(see_other(&format!("/posts/{post}"))),
        Err(ForumError::Invalid(field, message)) => {
            let mut errors = FieldErrors::new();
            errors.add(field, message);
            again(errors, None, Vec::new(), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        // Locked or archived while the member was writing: keep their words on screen.
        Err(ForumError::Forbidden(message)) => {
            let mut errors = FieldErrors::new();
            errors.add("body", message);
            again(errors, None, Vec::new(), StatusCode::FORBIDDEN).await
        }
        Err(error) => Err(error.into()),
    }
}

async fn edit_page(
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

async fn edit(
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
            db.run(move |conn| {
                Ok(conn
                    .write_transaction(|conn| posts::edit(conn, &viewer, id, &body, db::now()))?)
            })
            .await?;
            Ok(see_other(&format!("/posts/{id}")))
        }
    }
}

async fn delete_own(
    me: CurrentMember,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<PostId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    db.run(move |conn| {
        Ok(conn.write_transaction(|conn| posts::delete_own(conn, &me, id, db::now()))?)
    })
    .await?;
    flash(&session, "Your post has been removed.");
    Ok(see_other(&format!("/posts/{id}")))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct HelpfulForm {
    helpful: String,
}

async fn helpful(
    me: CurrentMember,
    db: web::Data<Db>,
    id: web::Path<PostId>,
    form: web::Form<HelpfulForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let helpful = form.helpful != "no";
    db.run(move |conn| {
        Ok(conn.write_transaction(|conn| posts::set_helpful(conn, &me, id, helpful, db::now()))?)
    })
    .await?;
    Ok(see_other(&format!("/posts/{id}")))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReasonForm {
    reason: String,
}

/// A missing or malformed reason: the small form again, with the text kept.
fn reason_again(
    ctx: &PageCtx,
    heading: &str,
    action: String,
    reason: &str,
    message: String,
) -> HttpResponse {
    let mut errors = FieldErrors::new();
    errors.add("reason", message);
    invalid_form(pages::reason_form(ctx, heading, &action, reason, &errors))
}

async fn report(
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
        .run(move |conn| {
            Ok(conn
                .write_transaction(|conn| moderation::report(conn, &me, id, &reason, db::now()))?)
        })
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

async fn hide(
    ctx: PageCtx,
    me: Facilitator,
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
                "Hide a post",
                format!("/posts/{id}/hide"),
                &form.reason,
                message,
            ))
        }
    };
    db.run(move |conn| {
        Ok(conn.write_transaction(|conn| moderation::hide(conn, &me, id, &reason, db::now()))?)
    })
    .await?;
    flash(&session, "The post is hidden.");
    Ok(see_other(&format!("/posts/{id}")))
}

async fn unhide(
    me: Facilitator,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<PostId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    db.run(move |conn| {
        Ok(conn.write_transaction(|conn| moderation::unhide(conn, &me, id, db::now()))?)
    })
    .await?;
    flash(&session, "The post is shown again.");
    Ok(see_other(&format!("/posts/{id}")))
}

async fn remove(
    me: Facilitator,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<PostId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let thread = db
        .run(move |conn| {
            Ok(conn.write_transaction(|conn| moderation::remove(conn, &me, id, db::now()))?)
        })
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

async fn history(
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

/// The four thread switches share one shape.
async fn thread_switch(
    me: Facilitator,
    db: web::Data<Db>,
    session: Session,
    id: ThreadId,
    change: fn(
        &mut db::DbConn,
        &crate::web::Viewer,
        ThreadId,
        chrono::NaiveDateTime,
    ) -> Result<threads::Thread, ForumError>,
    done: &'static str,
) -> Result<HttpResponse, AppError> {
    db.run(move |conn| Ok(conn.write_transaction(|conn| change(conn, &me, id, db::now()))?))
        .await?;
    flash(&session, done);
    Ok(see_other(&format!("/threads/{id}")))
}

async fn pin(
    me: Facilitator,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<ThreadId>,
) -> Result<HttpResponse, AppError> {
    thread_switch(
        me,
        db,
        session,
        id.into_inner(),
        |c, v, t, n| moderation::set_pinned(c, v, t, true, n),
        "The thread is pinned.",
    )
    .await
}

async fn unpin(
    me: Facilitator,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<ThreadId>,
) -> Result<HttpResponse, AppError> {
    thread_switch(
        me,
        db,
        session,
        id.into_inner(),
        |c, v, t, n| moderation::set_pinned(c, v, t, false, n),
        "The thread is unpinned.",
    )
    .await
}

async fn lock(
    me: Facilitator,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<ThreadId>,
) -> Result<HttpResponse, AppError> {
    thread_switch(
        me,
        db,
        session,
        id.into_inner(),
        |c, v, t, n| moderation::set_locked(c, v, t, true, n),
        "The thread is locked.",
    )
    .await
}

async fn unlock(
    me: Facilitator,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<ThreadId>,
) -> Result<HttpResponse, AppError> {
    thread_switch(
        me,
        db,
        session,
        id.into_inner(),
        |c, v, t, n| moderation::set_locked(c, v, t, false, n),
        "The thread is unlocked.",
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MoveForm {
    category: String,
}

async fn move_thread(
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
        .run(move |conn| {
            Ok(
                conn.write_transaction(|conn| {
                    moderation::move_thread(conn, &me, id, to, db::now())
                }),
            )
        })
        .await?;
    match outcome {
        Ok(_) => {
            flash(&session, "The thread has been moved.");
            Ok(see_other(&format!("/threads/{id}")))
        }
        Err(ForumError::Invalid(_, message)) => Ok(refused(message)),
        Err(error) => Err(error.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RenameForm {
    title: String,
}

async fn rename_thread(
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
    db.run(move |conn| {
        Ok(conn.write_transaction(|conn| {
            moderation::rename_thread(conn, &me, id, &title, db::now())
        })?)
    })
    .await?;
    flash(&session, "The thread has been renamed.");
    Ok(see_other(&format!("/threads/{id}")))
}

async fn queue(ctx: PageCtx, me: Facilitator, db: web::Data<Db>) -> Result<HttpResponse, AppError> {
    let items = db
        .run(move |conn| Ok(moderation::queue(conn, &me)?))
        .await?;
    Ok(html(pages::queue(&ctx, &items)))
}

async fn moderation_log(
    ctx: PageCtx,
    _me: Facilitator,
    db: web::Data<Db>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let page = PageNumber::parse(query.page.as_deref());
    let entries = db.run(move |conn| Ok(audit::recent(conn, page)?)).await?;
    let nav = crate::web::layout::sub_nav(
        &ctx,
        "Moderation",
        &[
            ("/moderation", "Reported posts"),
            ("/moderation/log", "Audit log"),
        ],
    );
    Ok(html(crate::admin::pages::audit_log(
        &ctx,
        &entries,
        nav,
        "/moderation/log",
    )))
}

async fn resolve(
    ctx: PageCtx,
    me: Facilitator,
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
                "Hide a reported post",
                format!("/moderation/posts/{id}/resolve"),
                &form.reason,
                message,
            ))
        }
    };
    db.run(move |conn| {
        Ok(conn.write_transaction(|conn| moderation::resolve(conn, &me, id, &reason, db::now()))?)
    })
    .await?;
    flash(&session, "The post is hidden and its reports are closed.");
    Ok(see_other("/moderation"))
}

async fn dismiss(
    me: Facilitator,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<PostId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    db.run(move |conn| {
        Ok(conn.write_transaction(|conn| moderation::dismiss(conn, &me, id, db::now()))?)
    })
    .await?;
    flash(&session, "The reports are dismissed.");
    Ok(see_other("/moderation"))
}

async fn suspend_page(
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
        "",
        "7",
        &FieldErrors::new(),
    )))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SuspendForm {
    reason: String,
    days: String,
}

async fn suspend(
    ctx: PageCtx,
    me: Facilitator,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<MemberId>,
    form: web::Form<SuspendForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let mut errors = FieldErrors::new();
    let days = errors.check(
        "days",
        form.days
            .trim()
            .parse::<i64>()
            .map_err(|_| "Enter the number of days, like 7"),
    );
    let reason = errors.check("reason", Reason::parse(&form.reason));
    let (Some(days), Some(reason)) = (days, reason) else {
        let member = db
            .run(move |conn| Ok(directory::profile(conn, id)?))
            .await?;
        return Ok(invalid_form(pages::suspend_member(
            &ctx,
            &member,
            &form.reason,
            &form.days,
            &errors,
        )));
    };
    let viewer = me.0.clone();
    let outcome = db
        .run(move |conn| {
            Ok(conn.write_transaction(|conn| {
                moderation::suspend_for(conn, &viewer, id, days, &reason, db::now())
            }))
        })
        .await?;
    match outcome {
        Ok(_) => {
            flash(
                &session,
                format!(
                    "The member is suspended for {days} day{}.",
                    if days == 1 { "" } else { "s" }
                ),
            );
            Ok(see_other(&format!("/members/{id}")))
        }
        Err(ForumError::Invalid(field, message)) => {
            errors.add(field, message);
            let member = db
                .run(move |conn| Ok(directory::profile(conn, id)?))
                .await?;
            Ok(invalid_form(pages::suspend_member(
                &ctx,
                &member,
                &form.reason,
                &form.days,
                &errors,
            )))
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CategoryForm {
    name: String,
    slug: String,
    description: String,
    position: String,
    public_read: Option<String>,
    staff_threads_only: Option<String>,
    archived: Option<String>,
}

impl CategoryForm {
    fn values(&self) -> CategoryValues {
        CategoryValues {
            name: self.name.clone(),
            slug: self.slug.clone(),
            description: self.description.clone(),
            position: self.position.clone(),
            public_read: self.public_read.is_some(),
            staff_threads_only: self.staff_threads_only.is_some(),
            archived: self.archived.is_some(),
        }
    }

    fn parse(&self) -> Result<CategoryChange, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = self.name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.chars().count() < 2 || name.chars().count() > 80 {
            errors.add("name", "Enter a name of 2 to 80 characters");
        }
        let slug = if self.slug.trim().is_empty() {
            errors.check("slug", CategorySlug::from_name(&name))
        } else {
            errors.check("slug", CategorySlug::parse(&self.slug))
        };
        let description = self.description.trim().to_owned();
        if description.chars().count() > 500 {
            errors.add("description", "Description must be 500 characters or fewer");
        }
        let position = match self.position.trim() {
            "" => Some(0),
            raw => errors.check(
                "position",
                raw.parse::<i32>()
                    .map_err(|_| "Order must be a whole number"),
            ),
        };
        match (slug, position) {
            (Some(slug), Some(position)) if errors.is_empty() => Ok(CategoryChange {
                name,
                slug,
                description,
                position,
                public_read: self.public_read.is_some(),
                staff_threads_only: self.staff_threads_only.is_some(),
                archived: self.archived.is_some(),
            }),
            _ => Err(errors),
        }
    }
}

async fn category_list_page(
    ctx: &PageCtx,
    db: &Db,
    values: &CategoryValues,
    errors: &FieldErrors,
) -> Result<maud::Markup, AppError> {
    let all = db.run(|conn| Ok(categories::all(conn)?)).await?;
    Ok(pages::admin_categories(ctx, &all, values, errors))
}

async fn admin_categories(
    ctx: PageCtx,
    _admin: Admin,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    Ok(html(
        category_list_page(&ctx, &db, &CategoryValues::default(), &FieldErrors::new()).await?,
    ))
}

async fn create_category(
    ctx: PageCtx,
    admin: Admin,
    db: web::Data<Db>,
    session: Session,
    form: web::Form<CategoryForm>,
) -> Result<HttpResponse, AppError> {
    let change = match form.parse() {
        Ok(change) => change,
        Err(errors) => {
            return Ok(invalid_form(
                category_list_page(&ctx, &db, &form.values(), &errors).await?,
            ))
        }
    };
    let viewer = admin.0.clone();
    let outcome = db
        .run(move |conn| {
            Ok(
                conn.write_transaction(|conn| {
                    categories::create(conn, &viewer, &change, db::now())
                }),
            )
        })
        .await?;
    match outcome {
        Ok(_) => {
            flash(&session, "The category has been added.");
            Ok(see_other("/admin/categories"))
        }
        Err(ForumError::Invalid(field, message)) => {
            let mut errors = FieldErrors::new();
            errors.add(field, message);
            Ok(invalid_form(
                category_list_page(&ctx, &db, &form.values(), &errors).await?,
            ))
        }
        Err(error) => Err(error.into()),
    }
}

async fn admin_category(
    ctx: PageCtx,
    _admin: Admin,
    db: web::Data<Db>,
    id: web::Path<CategoryId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let category = db.run(move |conn| Ok(categories::find(conn, id)?)).await?;
    let values = CategoryValues {
        name: category.name,
        slug: category.slug,
        description: category.description,
        position: category.position.to_string(),
        public_read: category.public_read,
        staff_threads_only: category.staff_threads_only,
        archived: category.archived,
    };
    Ok(html(pages::admin_category(
        &ctx,
        id,
        &values,
        &FieldErrors::new(),
    )))
}

async fn update_category(
    ctx: PageCtx,
    admin: Admin,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<CategoryId>,
    form: web::Form<CategoryForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let change = match form.parse() {
        Ok(change) => change,
        Err(errors) => {
            return Ok(invalid_form(pages::admin_category(
                &ctx,
                id,
                &form.values(),
                &errors,
            )))
        }
    };
    let viewer = admin.0.clone();
    let outcome = db
        .run(move |conn| {
            Ok(conn.write_transaction(|conn| {
                categories::update(conn, &viewer, id, &change, db::now())
            }))
        })
        .await?;
    match outcome {
        Ok(()) => {
            flash(&session, "The category has been saved.");
            Ok(see_other("/admin/categories"))
        }
        Err(ForumError::Invalid(field, message)) => {
            let mut errors = FieldErrors::new();
            errors.add(field, message);
            Ok(invalid_form(pages::admin_category(
                &ctx,
                id,
                &form.values(),
                &errors,
            )))
        }
        Err(error) => Err(error.into()),
    }
}
