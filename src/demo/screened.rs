//! Everything `spot demo` can write passes the patient-data guard: a warning on made-up
//! words would teach people who try the demo to tick the box without reading.

use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

use super::corpus::{corpus, fill, Corpus};
use super::forum::Kind;
use super::members::{self, Community};
use super::writing::{self, Topic};
use crate::accounts::Borough;
use crate::guard;

/// Screens each text; any finding is a failure that names the text.
#[derive(Default)]
struct Sweep {
    screened: usize,
    flagged: Vec<String>,
}

impl Sweep {
    fn screen(&mut self, text: &str) {
        self.screened += 1;
        let screened = guard::screen(text);
        for finding in &screened.findings {
            self.flagged
                .push(format!("{}: {text:?}", screened.described(finding)));
        }
    }

    fn assert_clear(&self) {
        assert!(
            self.flagged.is_empty(),
            "{} of {} demo texts flagged:\n{}",
            self.flagged.len(),
            self.screened,
            self.flagged.join("\n")
        );
    }
}

fn every_corpus_file() -> Vec<Corpus> {
    vec![
        corpus!("about.txt"),
        corpus!("announcements.txt"),
        corpus!("cohorts.txt"),
        corpus!("courses.txt"),
        corpus!("first-names.txt"),
        corpus!("introductions.txt"),
        corpus!("library.txt"),
        corpus!("paragraphs.txt"),
        corpus!("posts.txt"),
        corpus!("staff.txt"),
        corpus!("surnames.txt"),
        corpus!("thread-titles.txt"),
        corpus!("workplaces.txt"),
    ]
}

/// Each `{hole}` filled with `value`.
fn filled_with(template: &str, value: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        rest = rest[open..]
            .find('}')
            .map_or("", |close| &rest[open + close + 1..]);
        out.push_str(value);
    }
    out.push_str(rest);
    out
}

#[test]
fn every_part_of_the_corpus_is_clear() {
    let mut sweep = Sweep::default();
    for corpus in every_corpus_file() {
        let sections: Vec<&str> = std::iter::once("").chain(corpus.headings()).collect();
        for section in sections {
            sweep.screen(section);
            // Whole texts and each line, the holes filled with each borough.
            let parts: Vec<String> = std::iter::once(corpus.text(section))
                .chain(corpus.items(section))
                .collect();
            for part in &parts {
                for borough in Borough::ALL {
                    sweep.screen(&filled_with(part, borough.label()));
                }
            }
        }
    }
    // Every name a member or a manager can be given.
    let first_names = corpus!("first-names.txt").items("");
    let surnames = corpus!("surnames.txt").items("");
    for first in &first_names {
        for last in &surnames {
            sweep.screen(&format!("{first} {last}"));
        }
    }
    sweep.assert_clear();
}

#[test]
fn what_the_demo_writes_is_clear() {
    let mut sweep = Sweep::default();
    let anchor = NaiveDate::from_ymd_opt(2026, 11, 25)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let mut rng = StdRng::seed_from_u64(11);
    let community: Community = members::make(&mut rng, 1_500, 1, anchor);
    for m in &community.rows {
        sweep.screen(&m.display_name);
        sweep.screen(&m.organisation);
        sweep.screen(&m.about_source);
    }

    for (title, body) in writing::announcements() {
        sweep.screen(title);
        sweep.screen(body);
    }
    sweep.screen(writing::long_thread_title());
    sweep.screen(writing::cohort_title());
    let clusters = Borough::ALL.iter().map(|b| b.label()).collect::<Vec<_>>();
    let courses = corpus!("courses.txt");
    for cluster in [clusters[..3].join(", "), clusters.join(", ")] {
        let title = filled_with(&courses.text("title"), &cluster);
        sweep.screen(&writing::cohort_welcome(&title));
        sweep.screen(&title);
        sweep.screen(&filled_with(&courses.text("description"), &cluster));
    }

    let library = corpus!("library.txt");
    for [title, tags, description] in library.records::<3>("resources") {
        sweep.screen(tags);
        for borough in Borough::ALL {
            let b = borough.label();
            for qualifier in library.items("qualifiers") {
                sweep.screen(&format!("{title} {}", fill(&qualifier, &[("b", b)])));
            }
            let holes = [("description", description), ("b", b)];
            sweep.screen(&fill(&library.text("description"), &holes));
        }
    }

    let kinds = [
        Kind::Announcements,
        Kind::Introductions,
        Kind::PostCovid,
        Kind::Practice,
        Kind::Local,
    ];
    let members = &community.rows[community.staff..];
    for round in 0..400 {
        let author = members.choose(&mut rng).expect("members");
        let borough = author.borough;
        sweep.screen(&writing::intro_title(&mut rng, author.role, borough));
        sweep.screen(&writing::intro_body(&mut rng, author));
        for kind in [Kind::PostCovid, Kind::Practice, Kind::Local] {
            let (topic, title) = writing::pick_title(&mut rng, kind, borough);
            sweep.screen(&title);
            let opening = writing::opening_post(&mut rng, topic, &title, borough);
            sweep.screen(&opening);
            let answered = members.choose(&mut rng).expect("members");
            let first = members::first_name(&answered.display_name);
            sweep.screen(&writing::reply_post(
                &mut rng,
                kind,
                topic,
                Some((first, &opening)),
                author,
            ));
        }
        let kind = kinds[round % kinds.len()];
        let topic = Topic::ALL[round % Topic::ALL.len()];
        sweep.screen(&writing::reply_post(&mut rng, kind, topic, None, author));
    }
    assert!(sweep.screened > 3_000);
    sweep.assert_clear();
}

#[test]
fn the_sweep_sees_a_finding() {
    let mut sweep = Sweep::default();
    sweep.screen("Pacing helps.");
    sweep.screen("Mrs Jones lives at M14 5RT");
    assert_eq!(sweep.screened, 2);
    assert_eq!(sweep.flagged.len(), 1, "{:?}", sweep.flagged);
}
