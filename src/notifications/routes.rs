use actix_session::Session;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::settings::{self, Settings};
use super::values::{Cadence, Topic};
use super::{inbox, outbox, pages, unsubscribe, watches};
use crate::db::paging::PageNumber;
use crate::db::{self, Db, NotificationId, OutboxId, ThreadId};
use crate::forum::{categories, posts};
use crate::web::context::flash;
use crate::web::forms::FieldErrors;
use crate::web::{html, page_with_status, see_other, Admin, AppError, CurrentMember, PageCtx};
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

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PageQuery {
    page: Option<String>,
}

async fn inbox_page(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let page = PageNumber::parse(query.page.as_deref());
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

/// Reads the settings form: every topic's cadence, the round-up, the auto-watch box.
fn parse_settings(pairs: &[(String, String)]) -> (Settings, FieldErrors) {
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let mut chosen = Settings::default();
    let mut errors = FieldErrors::new();
    for topic in Topic::CHOSEN {
        // Each message names its topic: the error summary lists them side by side.
        match Cadence::parse(field(topic.slug()).unwrap_or_default()) {
            Ok(cadence) => chosen.set(topic, cadence),
            Err(_) => errors.add(
                topic.slug(),
                format!(
                    "Select how often to email you about “{}”",
                    topic.label().to_lowercase()
                ),
            ),
        }
    }
    match Cadence::parse(field("roundup").unwrap_or_default()) {
        Ok(cadence @ (Cadence::Weekly | Cadence::Never)) => chosen.roundup = cadence,
        Ok(_) => errors.add(
            "roundup",
            "The week's busiest discussions and new resources are emailed every Monday or never",
        ),
        Err(_) => errors.add(
            "roundup",
            "Select when to email you the week's busiest discussions and new resources",
        ),
    }
    chosen.auto_watch = field("auto_watch") == Some("yes");
    (chosen, errors)
}

async fn save_settings(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    session: Session,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let (chosen, errors) = parse_settings(&form);
    let member = me.id;
    if !errors.is_empty() {
        let watched = db
            .run(move |conn| Ok(watches::watched_by(conn, member)?))
            .await?;
        return Ok(page_with_status(
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            pages::settings(&ctx, &chosen, &watched, &errors),
        ));
    }
    db.run(move |conn| {
        Ok(conn.write_transaction(|conn| settings::save(conn, member, &chosen, db::now()))?)
    })
    .await?;
    flash(&session, "Your choices are saved.");
    Ok(see_other("/account/notifications"))
}

#[derive(Debug, Deserialize)]
struct WatchForm {
    #[serde(default)]
    watch: String,
}

impl WatchForm {
    fn on(&self) -> Result<bool, AppError> {
        match self.watch.as_str() {
            "yes" => Ok(true),
            "no" => Ok(false),
            _ => Err(AppError::BadRequest(
                "Choose whether to watch (yes) or stop watching (no)".into(),
            )),
        }
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
    let (viewer, id) = (me.0.clone(), id.into_inner());
    db.run(move |conn| {
        conn.write_transaction(|conn| {
            posts::readable_thread(conn, Some(&viewer), id)?;
            Ok::<_, AppError>(watches::set_thread(conn, viewer.id, id, on)?)
        })
    })
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
    let viewer = me.0.clone();
    let slug = slug.into_inner();
    let back = format!("/forum/{}", urlencode(&slug));
    let name = db
        .run(move |conn| {
            conn.write_transaction(|conn| {
                let category = categories::by_slug(conn, &slug)?;
                if !categories::can_read(conn, &category, Some(&viewer))? {
                    return Err(AppError::forbidden("This is a private space."));
                }
                watches::set_category(conn, viewer.id, category.id, on)?;
                Ok(category.name)
            })
        })
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

async fn follow_tag(
    me: CurrentMember,
    db: web::Data<Db>,
    session: Session,
    form: web::Form<FollowForm>,
) -> Result<HttpResponse, AppError> {
    let on = match form.follow.as_str() {
        "yes" => true,
        "no" => false,
        _ => {
            return Err(AppError::BadRequest(
                "Choose whether to follow (yes) or stop following (no)".into(),
            ))
        }
    };
    // The library's own spelling of a tag: spaces squeezed, lower case.
    let tag = crate::resources::values::Tag::parse_first(&form.tag)
        .ok()
        .flatten()
        .ok_or_else(|| AppError::BadRequest("Choose a tag to follow".into()))?;
    let member = me.id;
    let name = tag.to_string();
    let known = db
        .run(move |conn| {
            Ok(conn.write_transaction(|conn| watches::set_tag(conn, member, &name, on))?)
        })
        .await?;
    if !known {
        return Err(AppError::BadRequest(format!(
            "There is no tag called {tag:?} in the library"
        )));
    }
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
    db.run(move |conn| {
        Ok(conn.write_transaction(|conn| {
            let mut chosen = settings::of(conn, member)?;
            chosen.stop(scope);
            settings::save(conn, member, &chosen, db::now())
        })?)
    })
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
