//! The forum: threads and posts in the categories open to everyone and in each cohort's
//! space, over a year and a half, with a long tail of thread lengths (and at full size one
//! thread everyone knows), written in batches with the helpful marks they earned. The words
//! come from `writing.rs`.

use std::collections::HashSet;

use anyhow::Context;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;

use super::bulk::{next_id, Table};
use super::members::Community;
use super::runs::Cohort;
use super::writing::{self, Topic};
use crate::db::dialect::{bulk_insert, BULK_ROWS};
use crate::db::DbConn;
use crate::markdown::{self, SafeHtml};
use crate::schema::{categories, helpful_marks, posts, threads};

/// The forum's categories open to everyone, as the migrations seed them.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Announcements,
    Introductions,
    PostCovid,
    Practice,
    Local,
}

impl Kind {
    pub(super) fn slug(self) -> &'static str {
        match self {
            Kind::Announcements => "announcements",
            Kind::Introductions => "introductions",
            Kind::PostCovid => "post-covid-rehabilitation",
            Kind::Practice => "practice-questions",
            Kind::Local => "local-services",
        }
    }
}

pub(super) struct Categories {
    announcements: i64,
    introductions: i64,
    post_covid: i64,
    practice: i64,
    local: i64,
}

impl Categories {
    pub(super) fn load(conn: &mut DbConn) -> anyhow::Result<Categories> {
        let mut find = |kind: Kind| -> anyhow::Result<i64> {
            let slug = kind.slug();
            categories::table
                .filter(categories::slug.eq(slug))
                .select(categories::id)
                .first(conn)
                .optional()?
                .with_context(|| format!("the seeded forum category {slug:?} is missing"))
        };
        Ok(Categories {
            announcements: find(Kind::Announcements)?,
            introductions: find(Kind::Introductions)?,
            post_covid: find(Kind::PostCovid)?,
            practice: find(Kind::Practice)?,
            local: find(Kind::Local)?,
        })
    }

    fn id(&self, kind: Kind) -> i64 {
        match kind {
            Kind::Announcements => self.announcements,
            Kind::Introductions => self.introductions,
            Kind::PostCovid => self.post_covid,
            Kind::Practice => self.practice,
            Kind::Local => self.local,
        }
    }
}

struct ThreadRow {
    id: i64,
    category_id: i64,
    author_id: i64,
    title: String,
    pinned: bool,
    locked: bool,
    post_count: i32,
    last_post_at: NaiveDateTime,
    last_poster_id: i64,
    created_at: NaiveDateTime,
}

struct PostRow {
    id: i64,
    thread_id: i64,
    author_id: i64,
    position: i32,
    reply_to_id: Option<i64>,
    body_source: String,
    body_html: SafeHtml,
    created_at: NaiveDateTime,
    /// Members who marked it helpful, and when.
    marks: Vec<(i64, NaiveDateTime)>,
}

/// A thread being written: who said what, when.
struct Draft {
    category: i64,
    title: String,
    topic: Topic,
    kind: Kind,
    length: usize,
    starts: NaiveDateTime,
    /// Who starts it.
    author: usize,
    pinned: bool,
    locked: bool,
    /// Who may post (a cohort space); empty: anyone who has joined.
    cast: Vec<usize>,
    /// The first post, when it is written specially.
    opening: Option<String>,
}

pub(super) struct Forum<'a> {
    community: &'a Community,
    anchor: NaiveDateTime,
    next_thread: i64,
    next_post: i64,
    threads: Vec<ThreadRow>,
    posts: Vec<PostRow>,
    pub(super) threads_written: usize,
    pub(super) posts_written: usize,
    pub(super) marks_written: usize,
    introduced: HashSet<usize>,
}

impl<'a> Forum<'a> {
    pub(super) fn new(
        conn: &mut DbConn,
        community: &'a Community,
        anchor: NaiveDateTime,
    ) -> QueryResult<Self> {
        Ok(Self {
            community,
            anchor,
            next_thread: next_id(conn, Table::Threads)?,
            next_post: next_id(conn, Table::Posts)?,
            threads: Vec::new(),
            posts: Vec::new(),
            threads_written: 0,
            posts_written: 0,
            marks_written: 0,
            introduced: HashSet::new(),
        })
    }

    pub(super) fn write_all(
        &mut self,
        conn: &mut DbConn,
        rng: &mut StdRng,
        categories: &Categories,
        cohorts: &[Cohort],
        (post_target, scale): (usize, f64),
        progress: &mut crate::progress::Stage,
    ) -> anyhow::Result<()> {
        let start = self.anchor - Duration::days(545);
        let mut written = 0usize;
        let mut announcements = writing::announcements().iter();

        // The welcome, pinned, from the admin on the first day.
        let welcome = announcements.next().expect("announcements");
        written += self.write(
            conn,
            rng,
            Draft {
                category: categories.announcements,
                title: welcome.0.into(),
                topic: Topic::Announcement,
                kind: Kind::Announcements,
                length: 12.min(post_target / 4).max(2),
                starts: start + Duration::hours(10),
                author: 0,
                pinned: true,
                locked: false,
                cast: Vec::new(),
                opening: Some(welcome.1.clone()),
            },
        )?;

        // The cohort spaces: a welcome from the facilitators, and the participants' hellos.
        for cohort in cohorts {
            let replies = cohort.people.len().saturating_sub(2).min(8);
            written += self.write(
                conn,
                rng,
                Draft {
                    category: cohort.category,
                    title: writing::cohort_title().into(),
                    topic: Topic::Cohort,
                    kind: Kind::Introductions,
                    length: 1 + replies,
                    starts: self.anchor - Duration::days(12),
                    author: cohort.people[0],
                    pinned: true,
                    locked: false,
                    cast: cohort.people.clone(),
                    opening: Some(writing::cohort_welcome(&cohort.title)),
                },
            )?;
        }

        // At full size, the one very long thread everyone knows.
        if scale >= 1.0 {
            let length = rng
                .gen_range(1_000..=1_300)
                .min(post_target.saturating_sub(written));
            if length > 0 {
                written += self.write(
                    conn,
                    rng,
                    Draft {
                        category: categories.post_covid,
                        title: writing::long_thread_title().into(),
                        topic: Topic::Pacing,
                        kind: Kind::PostCovid,
                        length,
                        starts: start + Duration::days(9),
                        author: 1,
                        pinned: false,
                        locked: false,
                        cast: Vec::new(),
                        opening: None,
                    },
                )?;
            }
        }

        let window = Duration::days(540).num_seconds() as f64;
        while written < post_target {
            progress.set(written as u64);
            let u: f64 = rng.gen();
            let starts = start + Duration::days(3) + Duration::seconds((u.sqrt() * window) as i64);
            let length = thread_length(rng).min(post_target - written);
            let roll = rng.gen_range(0..100);
            let kind = match roll {
                0..=2 => Kind::Announcements,
                3..=20 => Kind::Introductions,
                21..=50 => Kind::PostCovid,
                51..=80 => Kind::Practice,
                _ => Kind::Local,
            };
            let draft = match kind {
                Kind::Announcements => match announcements.next() {
                    Some((title, body)) => Draft {
                        category: categories.announcements,
                        title: (*title).into(),
                        topic: Topic::Announcement,
                        kind,
                        length: length.min(15),
                        starts,
                        author: rng.gen_range(0..self.community.staff),
                        pinned: false,
                        locked: title.starts_with("Closed:"),
                        cast: Vec::new(),
                        opening: Some(body.clone()),
                    },
                    None => continue,
                },
                Kind::Introductions => {
                    // Someone who joined shortly before, and has not said hello yet.
                    let joined = self.community.joined_by(starts);
                    let newcomer = (self.community.staff..joined)
                        .rev()
                        .take(6)
                        .filter(|i| !self.introduced.contains(i))
                        .collect::<Vec<_>>();
                    let Some(&author) = newcomer.choose(rng) else {
                        continue;
                    };
                    self.introduced.insert(author);
                    let m = &self.community.rows[author];
                    Draft {
                        category: categories.introductions,
                        title: writing::intro_title(rng, m.role, m.borough),
                        topic: Topic::Introduction,
                        kind,
                        length: length.min(25),
                        starts,
                        author,
                        pinned: false,
                        locked: false,
                        cast: Vec::new(),
                        opening: Some(writing::intro_body(rng, m)),
                    }
                }
                _ => {
                    let author = self.community.active_member(rng, starts);
                    let (topic, title) =
                        writing::pick_title(rng, kind, self.community.rows[author].borough);
                    Draft {
                        category: categories.id(kind),
                        title,
                        topic,
                        kind,
                        length,
                        starts,
                        author,
                        pinned: false,
                        locked: false,
                        cast: Vec::new(),
                        opening: None,
                    }
                }
            };
            written += self.write(conn, rng, draft)?;
        }
        self.flush(conn, true)?;
        Ok(())
    }

    /// Writes one thread into the buffers (flushing full batches); returns its post count.
    fn write(
        &mut self,
        conn: &mut DbConn,
        rng: &mut StdRng,
        draft: Draft,
    ) -> anyhow::Result<usize> {
        let community = self.community;
        let thread_id = self.next_thread;
        self.next_thread += 1;
        let length = draft.length.max(1);

        // When each post is written: gaps of hours to days, squeezed to end before today.
        let mean_gap_hours = if length > 100 { 10.0 } else { 16.0 };
        let mut gaps: Vec<f64> = (1..length)
            .map(|_| {
                let u: f64 = rng.gen_range(1e-6..1.0);
                -u.ln() * mean_gap_hours * 3600.0 + 120.0
            })
            .collect();
        let room = (self.anchor - draft.starts).num_seconds().max(60) as f64 - 60.0;
        let total: f64 = gaps.iter().sum();
        if total > room {
            // Squeezed in before today, ending at some point in the last stretch rather
            // than all at the same minute.
            let room = room * rng.gen_range(0.6..1.0);
            for gap in &mut gaps {
                *gap *= room / total;
            }
        }
        let mut times = Vec::with_capacity(length);
        let mut t = draft.starts;
        times.push(t);
        for gap in gaps {
            t += Duration::seconds(gap as i64);
            times.push(t);
        }

        let first_post = self.next_post;
        let mut authors: Vec<usize> = Vec::with_capacity(length);
        let mut rows: Vec<PostRow> = Vec::with_capacity(length);
        for (k, &at) in times.iter().enumerate() {
            let position = k as i32 + 1;
            let author = if k == 0 {
                draft.author
            } else if !draft.cast.is_empty() {
                if k < draft.cast.len() - 1 {
                    // In a cohort space each participant says hello once.
                    draft.cast[k + 1]
                } else {
                    *draft.cast.choose(rng).expect("a cast")
                }
            } else if k >= 2 && rng.gen_bool(0.4) {
                // The conversation goes back to someone already in it.
                *authors.choose(rng).expect("earlier posters")
            } else {
                community.active_member(rng, at)
            };
            // Some replies answer an earlier post, usually a recent one.
            let reply_to = (k >= 2 && rng.gen_bool(0.25)).then(|| {
                let back = rng.gen_range(1..=k.min(6));
                k - back
            });
            let body = if k == 0 {
                match &draft.opening {
                    Some(text) => text.clone(),
                    None => writing::opening_post(
                        rng,
                        draft.topic,
                        &draft.title,
                        community.rows[author].borough,
                    ),
                }
            } else {
                let answering =
                    reply_to.map(|j| (community.first_name(authors[j]), &rows[j].body_source));
                writing::reply_post(
                    rng,
                    draft.kind,
                    draft.topic,
                    answering,
                    &community.rows[author],
                )
            };
            let id = first_post + k as i64;
            // About one post in eight is marked helpful, by people other than its author.
            let mut marks = Vec::new();
            if k > 0 && rng.gen_bool(0.12) {
                let wanted = rng.gen_range(1..=4);
                let mut markers = HashSet::new();
                for _ in 0..wanted * 3 {
                    if markers.len() == wanted {
                        break;
                    }
                    let marker = community.active_member(rng, at);
                    if marker != author && markers.insert(marker) {
                        let when =
                            (at + Duration::minutes(rng.gen_range(5..3000))).min(self.anchor);
                        marks.push((community.rows[marker].id, when));
                    }
                }
            }
            rows.push(PostRow {
                id,
                thread_id,
                author_id: community.rows[author].id,
                position,
                reply_to_id: reply_to.map(|j| first_post + j as i64),
                body_html: markdown::cook(&body),
                body_source: body,
                created_at: at,
                marks,
            });
            authors.push(author);
        }
        self.next_post += length as i64;
        let last = rows.last().expect("at least one post");
        self.threads.push(ThreadRow {
            id: thread_id,
            category_id: draft.category,
            author_id: community.rows[draft.author].id,
            title: draft.title,
            pinned: draft.pinned,
            locked: draft.locked,
            post_count: length as i32,
            last_post_at: last.created_at,
            last_poster_id: last.author_id,
            created_at: draft.starts,
        });
        self.posts.extend(rows);
        self.flush(conn, false)?;
        Ok(length)
    }

    /// Stores full batches (all when `all`): the threads waiting, then up to [`BULK_ROWS`]
    /// posts and their helpful marks, in one transaction.
    fn flush(&mut self, conn: &mut DbConn, all: bool) -> anyhow::Result<()> {
        while self.posts.len() >= BULK_ROWS
            || (all && (!self.posts.is_empty() || !self.threads.is_empty()))
        {
            let take = self.posts.len().min(BULK_ROWS);
            let batch: Vec<PostRow> = self.posts.drain(..take).collect();
            let threads = std::mem::take(&mut self.threads);
            let marks: Vec<(i64, i64, NaiveDateTime)> = batch
                .iter()
                .flat_map(|p| p.marks.iter().map(|(member, at)| (p.id, *member, *at)))
                .collect();
            conn.write_transaction(|conn| -> QueryResult<()> {
                bulk_insert!(conn, threads::table, threads, |t| (
                    threads::id.eq(t.id),
                    threads::category_id.eq(t.category_id),
                    threads::author_id.eq(t.author_id),
                    threads::title.eq(&t.title),
                    threads::pinned.eq(t.pinned),
                    threads::locked.eq(t.locked),
                    threads::post_count.eq(t.post_count),
                    threads::last_position.eq(t.post_count),
                    threads::last_post_at.eq(t.last_post_at),
                    threads::last_poster_id.eq(t.last_poster_id),
                    threads::created_at.eq(t.created_at),
                ))?;
                bulk_insert!(conn, posts::table, batch, |p| (
                    posts::id.eq(p.id),
                    posts::thread_id.eq(p.thread_id),
                    posts::author_id.eq(p.author_id),
                    posts::position.eq(p.position),
                    posts::reply_to_id.eq(p.reply_to_id),
                    posts::body_source.eq(&p.body_source),
                    posts::body_html.eq(&p.body_html),
                    posts::helpful_count.eq(p.marks.len() as i32),
                    posts::created_at.eq(p.created_at),
                ))?;
                bulk_insert!(conn, helpful_marks::table, marks, |(post, member, at)| (
                    helpful_marks::post_id.eq(*post),
                    helpful_marks::member_id.eq(*member),
                    helpful_marks::created_at.eq(*at),
                ))
            })
            .context("could not store the demo forum")?;
            self.threads_written += threads.len();
            self.posts_written += batch.len();
            self.marks_written += marks.len();
        }
        Ok(())
    }
}

/// Posts in a thread: most 1–10, some tens, a few in the hundreds.
fn thread_length(rng: &mut StdRng) -> usize {
    match rng.gen_range(0..100) {
        0..=69 => rng.gen_range(1..=10),
        70..=89 => rng.gen_range(11..=40),
        90..=97 => rng.gen_range(41..=99),
        _ => rng.gen_range(100..=350),
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn thread_lengths_are_long_tailed() {
        let mut rng = StdRng::seed_from_u64(1);
        let lengths: Vec<usize> = (0..10_000).map(|_| thread_length(&mut rng)).collect();
        let short = lengths.iter().filter(|&&n| n <= 10).count();
        let long = lengths.iter().filter(|&&n| n >= 100).count();
        assert!(short > 6_000, "{short}");
        assert!((100..400).contains(&long), "{long}");
    }
}
