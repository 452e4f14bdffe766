//! The resource library: links members shared over two years, each with its tags, for
//! everyone or for one profession, and often for one borough.

use std::sync::LazyLock;

use anyhow::Context;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;

use super::bulk::{next_id, Table};
use super::corpus::{corpus, fill};
use super::members::Community;
use crate::accounts::Borough;
use crate::db::dialect::bulk_insert;
use crate::db::DbConn;
use crate::markdown;
use crate::schema::{resource_tags, resources, tags};

/// A resource members share, for any borough.
struct Resource {
    title: &'static str,
    tags: Vec<&'static str>,
    description: &'static str,
}

struct Words {
    resources: Vec<Resource>,
    /// Put after a title; `{b}` is a borough.
    qualifiers: Vec<String>,
    /// `{description}` and the borough `{b}`.
    description: String,
}

static WORDS: LazyLock<Words> = LazyLock::new(|| {
    let library = corpus!("library.txt");
    Words {
        resources: library
            .records::<3>("resources")
            .into_iter()
            .map(|[title, tags, description]| Resource {
                title,
                tags: tags.split(',').map(str::trim).collect(),
                description,
            })
            .collect(),
        qualifiers: library.items("qualifiers"),
        description: library.text("description"),
    }
});

/// Shares `target` links from the library's list, through members who had joined.
pub(super) fn write(
    conn: &mut DbConn,
    rng: &mut StdRng,
    community: &Community,
    anchor: NaiveDateTime,
    target: usize,
) -> anyhow::Result<usize> {
    let words = &*WORDS;
    let mut names: Vec<&str> = words
        .resources
        .iter()
        .flat_map(|r| r.tags.iter().copied())
        .collect();
    names.sort_unstable();
    names.dedup();
    let first_tag = next_id(conn, Table::Tags)?;
    let tag_id = |name: &str| first_tag + names.iter().position(|n| *n == name).unwrap_or(0) as i64;
    let first = next_id(conn, Table::Resources)?;
    let audiences = ["both", "both", "link_worker", "occupational_therapist"];
    let mut rows = Vec::with_capacity(target);
    let mut links: Vec<(i64, i64)> = Vec::new();
    for n in 0..target {
        let resource = &words.resources[rng.gen_range(0..words.resources.len())];
        let borough = *Borough::ALL.choose(rng).expect("boroughs");
        let qualifier = &words.qualifiers[rng.gen_range(0..words.qualifiers.len())];
        let qualifier = fill(qualifier, &[("b", borough.label())]);
        let at = anchor - Duration::minutes(rng.gen_range(60..720 * 24 * 60));
        let owner = community.rows[community.active_member(rng, at)].id;
        let id = first + n as i64;
        let source = fill(
            &words.description,
            &[
                ("description", resource.description),
                ("b", borough.label()),
            ],
        );
        rows.push((
            resources::id.eq(id),
            resources::title.eq(format!("{} {qualifier}", resource.title)),
            resources::description_html.eq(markdown::cook(&source)),
            resources::description_source.eq(source),
            resources::kind.eq("link"),
            resources::url.eq(Some(format!("https://example.org/library/{id}"))),
            resources::audience.eq(audiences[rng.gen_range(0..audiences.len())]),
            resources::borough.eq(rng.gen_bool(0.7).then(|| borough.slug())),
            resources::owner_id.eq(owner),
            resources::download_count.eq(0i64),
            resources::created_at.eq(at),
            resources::updated_at.eq(at),
        ));
        links.extend(resource.tags.iter().map(|name| (id, tag_id(name))));
    }
    conn.write_transaction(|conn| -> QueryResult<()> {
        bulk_insert!(conn, tags::table, names, |name| (
            tags::id.eq(tag_id(name)),
            tags::name.eq(*name),
        ))?;
        bulk_insert!(conn, resources::table, rows, |row| row.clone())?;
        bulk_insert!(conn, resource_tags::table, links, |(resource, tag)| (
            resource_tags::resource_id.eq(*resource),
            resource_tags::tag_id.eq(*tag),
        ))
    })
    .context("could not store the demo library")?;
    let dialect = conn.dialect();
    dialect.continue_ids(conn, "resources")?;
    dialect.continue_ids(conn, "tags")?;
    Ok(rows.len())
}
