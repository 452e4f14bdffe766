use actix_session::Session;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::settings::{self, SettingsForm};
use super::{inbox, outbox, pages, unsubscribe, watches};
use crate::db::{self, Db, NotificationId, OutboxId, ThreadId};
use crate::resources::values::Tag;
use crate::web::context::flash;
use crate::web::forms::{FieldErrors, HtmlForm};
use crate::web::paging::PageQuery;
use crate::web::{html, invalid_form, see_other, Admin, AppError, CurrentMember, PageCtx};
use crate::Site;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/notifications", web::get().to(inbox_page))
        .route("/notifications/read", web::post().to(read_all))
        .route("/notifications/{id}", web::get().to(open))
        .route("/notifications/{id}/read", web::post().to(read_one))
        .route("/account/notifications", web::get().to(settings_page))
        .route("/account/notifications", web::post().to(save_settings))
        .route("/threads/{id}/watch", web::post().to(watch_thread))
        .route("/forum/{slug}/watch", web::post().to(watch_category))
        .route("/resources/follow", web::post().to(follow_tag))
        .route("/unsubscribe/{token}", web::get().to(unsubscribe_page))
        .route("/unsubscribe/{token}", web::post().to(unsubscribe_now))
        .route("/admin/outbox", web::get().to(outbox_page))
        .route("/admin/outbox/{id}/retry", web::post().to(retry_letter));
}

async fn inbox_page(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let page = query.number();
    let member = me.id;
    let (list, unread) = db
        .run(move |conn| {
            Ok((
                inbox::page(conn, member, page)?,
                inbox::unread_count(conn, member)?,
            ))
        })
        .await?;
    Ok(html(pages::inbox(&ctx, &list, unread)))
}

/// Following a notification marks it read.
async fn open(
    me: CurrentMember,
    db: web::Data<Db>,
    id: web::Path<NotificationId>,
) -> Result<HttpResponse, AppError> {
    let (member, id) = (me.id, id.into_inner());
    let link = db
        .run(move |conn| Ok(inbox::open(conn, member, id, db::now())?))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(see_other(&link))
}

async fn read_one(
    me: CurrentMember,
    db: web::Data<Db>,
    id: web::Path<NotificationId>,
) -> Result<HttpResponse, AppError> {
    let (member, id) = (me.id, id.into_inner());
    db.run(move |conn| Ok(inbox::open(conn, member, id, db::now())?))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(see_other("/notifications"))
}

async fn read_all(
    me: CurrentMember,
    db: web::Data<Db>,
    session: Session,
) -> Result<HttpResponse, AppError> {
    let member = me.id;
    let marked = db
        .run(move |conn| Ok(inbox::mark_all_read(conn, member, db::now())?))
        .await?;
    flash(
        &session,
        match marked {
            1 => "1 notification marked as read.".to_owned(),
            n => format!("{n} notifications marked as read."),
        },
    );
    Ok(see_other("/notifications"))
}

async fn settings_page(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let member = me.id;
    let (chosen, watched) = db
        .run(move |conn| {
            Ok((
                settings::of(conn, member)?,
                watches::watched_by(conn, member)?,
            ))
        })
        .await?;
    Ok(html(pages::settings(
        &ctx,
        &chosen,
        &watched,
        &FieldErrors::new(),
    )))
}

async fn save_settings(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    session: Session,
    form: HtmlForm<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    let member = me.id;
    let chosen = match form.0.parse() {
        Ok(chosen) => chosen,
        Err((shown, errors)) => {
            let watched = db
                .run(move |conn| Ok(watches::watched_by(conn, member)?))
                .await?;
            let page = pages::settings(&ctx, &shown, &watched, &errors);
            return Ok(invalid_form(page));
        }
    };
    db.write(move |tx| settings::save(tx, member, &chosen, db::now()).map_err(AppError::from))
        .await?;
    flash(&session, "Your choices are saved.");
    Ok(see_other("/account/notifications"))
}

/// A yes or a no from a button's hidden field; `question` says what else was wanted.
fn yes_or_no(answer: &str, question: &str) -> Result<bool, AppError> {
    match answer {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err(AppError::BadRequest(question.into())),
    }
}

#[derive(Debug, Deserialize)]
struct WatchForm {
    #[serde(default)]
    watch: String,
}

impl WatchForm {
    fn on(&self) -> Result<bool, AppError> {
        yes_or_no(
            &self.watch,
            "Choose whether to watch (yes) or stop watching (no)",
        )
    }
}

async fn watch_thread(
    me: CurrentMember,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<ThreadId>,
    form: web::Form<WatchForm>,
) -> Result<HttpResponse, AppError> {
    let on = form.on()?;
    let (viewer, id) = (me.0, id.into_inner());
    db.write(move |tx| watches::watch_thread(tx, &viewer, id, on))
        .await?;
    flash(
        &session,
        if on {
            "You are watching this thread: you will hear of new replies."
        } else {
            "You have stopped watching this thread."
        },
    );
    Ok(see_other(&format!("/threads/{id}")))
}

async fn watch_category(
    me: CurrentMember,
    db: web::Data<Db>,
    session: Session,
    slug: web::Path<String>,
    form: web::Form<WatchForm>,
) -> Result<HttpResponse, AppError> {
    let on = form.on()?;
    let (viewer, slug) = (me.0, slug.into_inner());
    let back = format!("/forum/{}", urlencode(&slug));
    let name = db
        .write(move |tx| watches::watch_category(tx, &viewer, &slug, on))
        .await?;
    flash(
        &session,
        if on {
            format!("You are watching {name}: you will hear of every new thread in it.")
        } else {
            format!("You have stopped watching {name}.")
        },
    );
    Ok(see_other(&back))
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[derive(Debug, Deserialize)]
struct FollowForm {
    #[serde(default)]
    tag: String,
    #[serde(default)]
    follow: String,
}

impl FollowForm {
    /// The tag, and whether to follow it.
    fn parse(&self) -> Result<(Tag, bool), AppError> {
        let on = yes_or_no(
            &self.follow,
            "Choose whether to follow (yes) or stop following (no)",
        )?;
        // The library's own spelling of a tag: spaces squeezed, lower case.
        let tag = Tag::parse_first(&self.tag)
            .ok()
            .flatten()
            .ok_or_else(|| AppError::BadRequest("Choose a tag to follow".into()))?;
        Ok((tag, on))
    }
}

async fn follow_tag(
    me: CurrentMember,
    db: web::Data<Db>,
    session: Session,
    form: web::Form<FollowForm>,
) -> Result<HttpResponse, AppError> {
    let (tag, on) = form.parse()?;
    let (member, followed) = (me.id, tag.clone());
    db.write(move |tx| watches::follow_tag(tx, member, &followed, on))
        .await?;
    flash(
        &session,
        if on {
            format!("You follow “{tag}”: you will hear of new resources with it.")
        } else {
            format!("You no longer follow “{tag}”.")
        },
    );
    Ok(see_other(&format!(
        "/resources?tag={}",
        urlencode(tag.as_str())
    )))
}

async fn unsubscribe_page(
    ctx: PageCtx,
    site: web::Data<Site>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (_, scope) = unsubscribe::check(&site.feed_key, &token).ok_or(AppError::NotFound)?;
    Ok(html(pages::unsubscribe(
        &ctx,
        &format!("/unsubscribe/{token}"),
        scope,
    )))
}

/// RFC 8058: mail clients POST `List-Unsubscribe=One-Click` here, without cookies; the
/// signed token is the authority.
async fn unsubscribe_now(
    ctx: PageCtx,
    db: web::Data<Db>,
    site: web::Data<Site>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (member, scope) = unsubscribe::check(&site.feed_key, &token).ok_or(AppError::NotFound)?;
    db.write(move |tx| settings::unsubscribe(tx, member, scope, db::now()).map_err(AppError::from))
        .await?;
    tracing::info!(%member, scope = %scope.slug(), "unsubscribed by link");
    Ok(html(pages::unsubscribed(&ctx, scope)))
}

async fn outbox_page(
    ctx: PageCtx,
    _admin: Admin,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let standing = db
        .run(move |conn| Ok(outbox::standing(conn, db::now())?))
        .await?;
    Ok(html(pages::outbox(&ctx, &standing)))
}

async fn retry_letter(
    _admin: Admin,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<OutboxId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let retried = db
        .run(move |conn| Ok(outbox::retry(conn, id, db::now())?))
        .await?;
    flash(
        &session,
        if retried {
            "The email will be sent again within a minute."
        } else {
            "That email is not waiting to be retried."
        },
    );
    Ok(see_other("/admin/outbox"))
}
