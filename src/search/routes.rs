use actix_web::{web, HttpResponse};

use super::filters::SearchParams;
use super::pages::{self, SearchPage};
use super::query::SearchQuery;
use super::results::{self, SearchError, SearchRequest};
use crate::db::{self, Db};
use crate::forum::categories;
use crate::web::forms::HtmlQuery;
use crate::web::{html, invalid_form, AppError, MaybeMember, PageCtx};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/search", web::get().to(search));
}

/// `GET /search?q=…&kind=…&category=…&tag=…&role=…&borough=…&from=…&to=…&page=…`: any
/// address at all gives the page; filters it cannot use are shown as errors (422).
async fn search(
    ctx: PageCtx,
    viewer: MaybeMember,
    db: web::Data<Db>,
    address: HtmlQuery<SearchParams>,
) -> Result<HttpResponse, AppError> {
    let SearchParams { text, form, page } = address.0;
    let parsed = form.parse();
    let query = SearchQuery::parse(&text);
    let viewer = viewer.0;
    let request = parsed.clone().ok().map(|filters| SearchRequest {
        query: query.clone(),
        filters,
        page: Some(page),
    });
    let (categories, outcome) = db
        .run(move |conn| {
            let readable: Vec<(String, String)> = categories::readable(conn, viewer.as_ref())?
                .into_iter()
                .map(|c| (c.slug, c.name))
                .collect();
            let outcome = request
                .as_ref()
                .map(|request| results::search(conn, viewer.as_ref(), request, db::now()));
            Ok((readable, outcome))
        })
        .await?;
    let mut errors = parsed.as_ref().err().cloned().unwrap_or_default();
    let results = match outcome {
        Some(Ok(results)) => Some(results),
        Some(Err(SearchError::Filter(field, message))) => {
            errors.add(field, message);
            None
        }
        Some(Err(SearchError::Database(e))) => return Err(e.into()),
        None => None,
    };
    let page = SearchPage {
        text: &text,
        query: &query,
        form: &form,
        filters: parsed.as_ref().ok(),
        categories: &categories,
        errors: &errors,
        results: results.as_ref(),
    };
    let markup = pages::search(&page, &ctx);
    Ok(if errors.is_empty() {
        html(markup)
    } else {
        invalid_form(markup)
    })
}
