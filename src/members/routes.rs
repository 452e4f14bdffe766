use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::directory::{self, DirectoryFilter};
use super::pages;
use super::suggestions::{self, Lookup, NameStart};
use crate::accounts::{Borough, Role};
use crate::connect::services;
use crate::db::paging::PageNumber;
use crate::db::{self, Db, MemberId};
use crate::web::json::{json, JsonError, JsonMember};
use crate::web::{html, AppError, CurrentMember, PageCtx};

pub fn routes(cfg: &mut web::ServiceConfig) {
    // Before `/members/{id}`, which would take `mentions` for an id.
    cfg.route("/members", web::get().to(directory_page))
        .route("/members/mentions", web::get().to(mention_suggestions))
        .route("/members/{id}", web::get().to(profile_page));
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DirectoryQuery {
    role: Option<String>,
    borough: Option<String>,
    covers: Option<String>,
    page: Option<String>,
}

fn chosen(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn borough_named(raw: &Option<String>) -> Result<Option<Borough>, AppError> {
    chosen(raw)
        .map(|raw| {
            Borough::parse(raw)
                .map_err(|_| AppError::BadRequest(format!("There is no borough called {raw:?}")))
        })
        .transpose()
}

impl DirectoryQuery {
    fn filter(&self) -> Result<DirectoryFilter, AppError> {
        Ok(DirectoryFilter {
            role: chosen(&self.role)
                .map(|raw| {
                    Role::parse(raw).map_err(|_| {
                        AppError::BadRequest(format!("There is no role called {raw:?}"))
                    })
                })
                .transpose()?,
            borough: borough_named(&self.borough)?,
            covers: borough_named(&self.covers)?,
        })
    }
}

async fn directory_page(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    query: web::Query<DirectoryQuery>,
) -> Result<HttpResponse, AppError> {
    let filter = query.filter()?;
    let page = PageNumber::parse(query.page.as_deref());
    let (results, contactable) = db
        .run(move |conn| {
            let results = directory::page(conn, filter, page, db::now())?;
            let shown: Vec<_> = results.items.iter().map(|entry| entry.id).collect();
            let contactable = crate::messages::contacts::open_to(conn, &me, &shown)?;
            Ok((results, contactable))
        })
        .await?;
    Ok(html(pages::directory(&ctx, filter, &results, &contactable)))
}

async fn profile_page(
    ctx: PageCtx,
    me: CurrentMember,
    db: web::Data<Db>,
    id: web::Path<MemberId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (profile, service, takes) = db
        .run(move |conn| {
            let takes = crate::messages::contacts::open_to(conn, &me, &[id])?.contains(&id);
            Ok((
                directory::profile(conn, id)?,
                services::of(conn, id)?,
                takes,
            ))
        })
        .await?;
    Ok(html(pages::profile(&ctx, &profile, &service, takes)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MentionQuery {
    q: String,
}

/// `GET /members/mentions?q=ja`: up to eight members to @mention, in JSON.
async fn mention_suggestions(
    me: JsonMember,
    db: web::Data<Db>,
    query: web::Query<MentionQuery>,
) -> Result<HttpResponse, JsonError> {
    let typed = NameStart::parse(&query.q).map_err(AppError::BadRequest)?;
    let lookup = db
        .write(move |tx| suggestions::suggest(tx, &me, &typed, db::now()))
        .await?;
    match lookup {
        Lookup::Found(names) => Ok(json(&names)),
        Lookup::Wait(seconds) => Err(AppError::TooManyRequests {
            retry_after_secs: seconds,
        }
        .into()),
    }
}
