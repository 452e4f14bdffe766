//! Thin handlers for private conversations and the facilitators' queue of reported messages.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::contacts;
use super::conversations::{self, Sent};
use super::pages::{self, MessageForm, SettingsForm};
use super::reports;
use super::values::Accepts;
use crate::db::paging::PageNumber;
use crate::db::{self, ConversationId, CourseRunId, Db, MemberId, MessageId, MessageReportId};
use crate::forum::forms::ReasonForm;
use crate::rules::submit;
use crate::web::context::flash;
use crate::web::forms::{first, FieldErrors, HtmlForm, HtmlQuery};
use crate::web::paging::PageQuery;
use crate::web::{
    html, invalid_form, safe_next, see_other, AppError, CurrentMember, Facilitator, PageCtx,
};

pub fn routes(cfg: &mut web::ServiceConfig) {
    // The named paths first: `/messages/{id}` would take `new` for an id and refuse it.
    cfg.route("/messages", web::get().to(inbox))
        .route("/messages/new", web::get().to(new_page))
        .route("/messages/new", web::post().to(send_new))
        .route("/messages/settings", web::get().to(settings_page))
        .route("/messages/settings", web::post().to(save_settings))
        .route("/messages/blocks", web::post().to(block))
        .route("/messages/at/{id}", web::get().to(at))
        .route("/messages/at/{id}/report", web::post().to(report))
        .route("/messages/{id}", web::get().to(show))
        .route("/messages/{id}/reply", web::post().to(reply))
        .route("/messages/{id}/leave", web::post().to(leave))
        .route("/messages/{id}/mute", web::post().to(mute))
        .route("/moderation/messages", web::get().to(reported))
        .route("/moderation/messages/{id}/dismiss", web::post().to(dismiss))
        .route("/moderation/messages/{id}/hide", web::post().to(hide));
}

async fn inbox(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let page = query.number();
    let rows = db
        .run(move |conn| Ok(conversations::inbox(conn, &me, page)?))
        .await?;
    Ok(html(pages::inbox(&ctx, &rows)))
}

/// `?to=…` (repeated) names the members; `?run=…` the people of a course run.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NewQuery {
    to: Vec<String>,
    #[serde(deserialize_with = "first")]
    run: String,
}

/// The new-message form for these members (and a run's cohort), by name.
async fn new_form_page(
    ctx: &PageCtx,
    db: &Db,
    me: CurrentMember,
    form: MessageForm,
    run: Option<CourseRunId>,
    errors: &FieldErrors,
) -> Result<maud::Markup, AppError> {
    let (form, names) = db
        .run(move |conn| {
            let mut form = form;
            if let Some(run) = run {
                let cohort = conversations::cohort(conn, &me, run)?;
                form.to.extend(cohort.iter().map(MemberId::to_string));
            }
            let names = conversations::named(conn, &form.to_ids())?;
            Ok((form, names))
        })
        .await?;
    Ok(pages::new_message(ctx, &form, &names, errors))
}

async fn new_page(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    query: HtmlQuery<NewQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.0;
    let run = query.run.trim().parse().ok();
    let form = MessageForm {
        to: query.to,
        ..MessageForm::default()
    };
    let page = new_form_page(&ctx, &db, me, form, run, &FieldErrors::new()).await?;
    Ok(html(page))
}

/// Where the author goes once their message is saved, told when the guard holds it.
fn sent(session: &Session, sent: Sent) -> HttpResponse {
    if sent.held {
        flash(session, pages::HELD_NOTICE);
    }
    see_other(&format!("/messages/{}", sent.conversation))
}

async fn send_new(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    session: Session,
    query: HtmlQuery<NewQuery>,
    form: HtmlForm<MessageForm>,
) -> Result<HttpResponse, AppError> {
    let mut form = form.0;
    form.to.extend(query.0.to);
    let viewer = me.0.clone();
    let started = submit(
        &db,
        form.parse_new(me.id),
        move |tx, (to, body, verdict)| {
            conversations::start(tx, &viewer, &to, &body, verdict, db::now())
        },
    )
    .await?;
    match started {
        Ok(done) => Ok(sent(&session, done)),
        Err(errors) => Ok(invalid_form(
            new_form_page(&ctx, &db, me, form, None, &errors).await?,
        )),
    }
}

/// `?page=N`; without one, a conversation opens at its last page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ConversationQuery {
    page: Option<String>,
}

/// The conversation's page with this reply form (and its errors).
async fn conversation_page(
    ctx: &PageCtx,
    db: &Db,
    me: CurrentMember,
    id: ConversationId,
    page: Option<PageNumber>,
    form: &MessageForm,
    errors: &FieldErrors,
) -> Result<maud::Markup, AppError> {
    let conversation = db
        .write(move |tx| conversations::open(tx, &me, id, page, db::now()))
        .await?;
    Ok(pages::conversation(ctx, &conversation, form, errors))
}

async fn show(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    id: web::Path<ConversationId>,
    query: web::Query<ConversationQuery>,
) -> Result<HttpResponse, AppError> {
    let page = query
        .page
        .as_deref()
        .map(|raw| PageNumber::parse(Some(raw)));
    let form = MessageForm::default();
    let page = conversation_page(&ctx, &db, me, *id, page, &form, &FieldErrors::new()).await?;
    Ok(html(page))
}

async fn reply(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<ConversationId>,
    form: HtmlForm<MessageForm>,
) -> Result<HttpResponse, AppError> {
    let (id, form) = (*id, form.0);
    let viewer = me.0.clone();
    let replied = submit(&db, form.parse_reply(), move |tx, (body, verdict)| {
        conversations::reply(tx, &viewer, id, &body, verdict, db::now())
    })
    .await?;
    match replied {
        Ok(done) => Ok(sent(&session, done)),
        Err(errors) => Ok(invalid_form(
            conversation_page(&ctx, &db, me, id, None, &form, &errors).await?,
        )),
    }
}

async fn leave(
    me: CurrentMember,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<ConversationId>,
) -> Result<HttpResponse, AppError> {
    let id = *id;
    db.write(move |tx| conversations::leave(tx, &me, id, db::now()))
        .await?;
    flash(&session, "You left the conversation.");
    Ok(see_other("/messages"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MuteForm {
    #[serde(deserialize_with = "first")]
    muted: String,
}

async fn mute(
    me: CurrentMember,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<ConversationId>,
    form: HtmlForm<MuteForm>,
) -> Result<HttpResponse, AppError> {
    let (id, muted) = (*id, form.0.muted != "no");
    db.write(move |tx| conversations::set_muted(tx, &me, id, muted))
        .await?;
    flash(
        &session,
        if muted {
            "Muted: you will not be notified of new messages here."
        } else {
            "Unmuted: you will be notified of new messages here again."
        },
    );
    Ok(see_other(&format!("/messages/{id}")))
}

/// A link to one message: its conversation's page that holds it.
async fn at(
    me: CurrentMember,
    db: web::Data<Db>,
    id: web::Path<MessageId>,
) -> Result<HttpResponse, AppError> {
    let id = *id;
    let place = db
        .run(move |conn| Ok(conversations::locate(conn, &me, id)?))
        .await?;
    Ok(see_other(&place))
}

async fn report(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<MessageId>,
    form: web::Form<ReasonForm>,
) -> Result<HttpResponse, AppError> {
    let id = *id;
    let action = format!("/messages/at/{id}/report");
    let reason = match form.reason(&ctx, "Report a message", &action) {
        Ok(reason) => reason,
        Err(again) => return Ok(invalid_form(again)),
    };
    db.write(move |tx| reports::report(tx, &me, id, &reason, db::now()))
        .await?;
    flash(
        &session,
        "Thank you: the facilitators will look at this message. They see only the message you reported.",
    );
    Ok(see_other(&format!("/messages/at/{id}")))
}

async fn settings_page(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let id = me.id;
    let (accepts, blocked) = db
        .run(move |conn| {
            Ok((
                contacts::accepts(conn, id)?,
                contacts::blocked_list(conn, id)?,
            ))
        })
        .await?;
    Ok(html(pages::settings(
        &ctx,
        accepts.slug(),
        &blocked,
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
    let id = me.id;
    let accepts = match Accepts::parse(&form.0.accepts) {
        Ok(accepts) => accepts,
        Err(message) => {
            let blocked = db
                .run(move |conn| Ok(contacts::blocked_list(conn, id)?))
                .await?;
            let errors = FieldErrors::one("accepts", message);
            let page = pages::settings(&ctx, &form.0.accepts, &blocked, &errors);
            return Ok(invalid_form(page));
        }
    };
    db.write(move |tx| contacts::set_accepts(tx, id, accepts, db::now()))
        .await?;
    flash(&session, "Saved: who can start a conversation with you.");
    Ok(see_other("/messages/settings"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct BlockForm {
    #[serde(deserialize_with = "first")]
    member: String,
    #[serde(deserialize_with = "first")]
    block: String,
    #[serde(deserialize_with = "first")]
    back: String,
}

async fn block(
    me: CurrentMember,
    db: web::Data<Db>,
    session: Session,
    form: HtmlForm<BlockForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.0;
    let other: MemberId = form.member.trim().parse().map_err(|_| AppError::NotFound)?;
    let block = form.block != "no";
    db.write(move |tx| contacts::set_block(tx, &me, other, block, db::now()))
        .await?;
    flash(
        &session,
        if block {
            "Blocked: they cannot start a conversation with you, and what they write no longer reaches you. They are not told."
        } else {
            "Unblocked."
        },
    );
    let back = match form.back.trim() {
        "" => "/messages/settings".to_owned(),
        back => safe_next(Some(back)),
    };
    Ok(see_other(&back))
}

async fn reported(
    ctx: PageCtx,
    me: Facilitator,
    db: web::Data<Db>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let page = query.number();
    let items = db
        .run(move |conn| Ok(reports::queue(conn, &me, page)?))
        .await?;
    Ok(html(pages::reported(&ctx, &items)))
}

async fn dismiss(
    me: Facilitator,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<MessageReportId>,
) -> Result<HttpResponse, AppError> {
    let id = *id;
    db.write(move |tx| reports::dismiss(tx, &me, id, db::now()))
        .await?;
    flash(&session, "Report dismissed: the message stays.");
    Ok(see_other("/moderation/messages"))
}

async fn hide(
    ctx: PageCtx,
    me: Facilitator,
    db: web::Data<Db>,
    session: Session,
    id: web::Path<MessageReportId>,
    form: web::Form<ReasonForm>,
) -> Result<HttpResponse, AppError> {
    let id = *id;
    let action = format!("/moderation/messages/{id}/hide");
    let reason = match form.reason(&ctx, "Hide a reported message", &action) {
        Ok(reason) => reason,
        Err(again) => return Ok(invalid_form(again)),
    };
    db.write(move |tx| reports::hide(tx, &me, id, &reason, db::now()))
        .await?;
    flash(&session, "Hidden: its author has been told why.");
    Ok(see_other("/moderation/messages"))
}
