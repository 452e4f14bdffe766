//! What people write in the forum: thread titles, announcements, hellos, and posts made of
//! the paragraphs people write about each topic, some answering (and quoting) an earlier
//! post. The words are in `corpus/`; the choices here.

use std::sync::LazyLock;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;

use super::corpus::{corpus, fill, ByRole};
use super::forum::Kind;
use super::members::{first_name, MemberRow};
use crate::accounts::{Borough, Role};

/// What a thread's posts talk about: a section of `corpus/paragraphs.txt`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Topic {
    Pacing,
    Graded,
    LongCovid,
    Referrals,
    Groups,
    Carers,
    Announcement,
    Introduction,
    Cohort,
}

impl Topic {
    /// Every topic, in the order of the enum.
    pub(super) const ALL: [Topic; 9] = [
        Topic::Pacing,
        Topic::Graded,
        Topic::LongCovid,
        Topic::Referrals,
        Topic::Groups,
        Topic::Carers,
        Topic::Announcement,
        Topic::Introduction,
        Topic::Cohort,
    ];

    fn name(self) -> &'static str {
        match self {
            Topic::Pacing => "pacing",
            Topic::Graded => "graded",
            Topic::LongCovid => "long-covid",
            Topic::Referrals => "referrals",
            Topic::Groups => "groups",
            Topic::Carers => "carers",
            Topic::Announcement => "announcement",
            Topic::Introduction => "introduction",
            Topic::Cohort => "cohort",
        }
    }

    fn named(name: &str) -> Topic {
        Topic::ALL
            .into_iter()
            .find(|topic| topic.name() == name)
            .unwrap_or_else(|| panic!("no topic is called {name:?} (corpus/thread-titles.txt)"))
    }
}

struct Words {
    /// (category, topic, title; `{b}` is the author's borough).
    titles: Vec<(Kind, Topic, &'static str)>,
    long_thread: String,
    /// (title, first post) in the order they go up.
    announcements: Vec<(&'static str, String)>,
    cohort_title: String,
    cohort_welcome: String,
    signature: String,
    intro_titles: Vec<String>,
    who: ByRole<String>,
    intro_body: String,
    work: ByRole<Vec<String>>,
    hopes: Vec<String>,
    /// By topic, in the order of [`Topic::ALL`].
    paragraphs: [Vec<String>; 9],
    opening: Vec<String>,
    tried_so_far: String,
    tried: Vec<String>,
    questions: Vec<String>,
    openers: Vec<String>,
    quiet_openers: Vec<String>,
    role_opener: ByRole<String>,
    thanks: Vec<String>,
    local_tip: String,
    closers: Vec<String>,
}

static WORDS: LazyLock<Words> = LazyLock::new(|| {
    let titles = corpus!("thread-titles.txt");
    let announcements = corpus!("announcements.txt");
    let cohorts = corpus!("cohorts.txt");
    let introductions = corpus!("introductions.txt");
    let paragraphs = corpus!("paragraphs.txt");
    let posts = corpus!("posts.txt");
    Words {
        titles: [Kind::PostCovid, Kind::Practice, Kind::Local]
            .into_iter()
            .flat_map(|kind| {
                titles
                    .records::<2>(kind.slug())
                    .into_iter()
                    .map(move |[topic, title]| (kind, Topic::named(topic), title))
            })
            .collect(),
        long_thread: titles.text("the long thread"),
        announcements: announcements
            .headings()
            .map(|title| (title, announcements.text(title)))
            .collect(),
        cohort_title: cohorts.text("title"),
        cohort_welcome: cohorts.text("welcome"),
        signature: cohorts.text("signature"),
        intro_titles: introductions.items("titles"),
        who: introductions.role_texts("who"),
        intro_body: introductions.text("body"),
        work: introductions.role_items("work"),
        hopes: introductions.items("hopes"),
        paragraphs: Topic::ALL.map(|topic| paragraphs.items(topic.name())),
        opening: posts.items("opening"),
        tried_so_far: posts.text("tried so far"),
        tried: posts.items("tried"),
        questions: posts.items("questions"),
        openers: posts.items("openers"),
        quiet_openers: posts.items("openers in announcements and introductions"),
        role_opener: posts.role_texts("opener"),
        thanks: posts.items("thanks"),
        local_tip: posts.text("local tip"),
        closers: posts.items("closers"),
    }
});

pub(super) fn pick_title(rng: &mut StdRng, kind: Kind, borough: Borough) -> (Topic, String) {
    let choices: Vec<&(Kind, Topic, &str)> =
        WORDS.titles.iter().filter(|(k, _, _)| *k == kind).collect();
    let (_, topic, title) = **choices.choose(rng).expect("titles for every category");
    (topic, fill(title, &[("b", borough.label())]))
}

/// The title of the one very long thread.
pub(super) fn long_thread_title() -> &'static str {
    &WORDS.long_thread
}

/// (title, first post) in the order they go up; a title starting "Closed:" is locked.
pub(super) fn announcements() -> &'static [(&'static str, String)] {
    &WORDS.announcements
}

pub(super) fn cohort_title() -> &'static str {
    &WORDS.cohort_title
}

pub(super) fn cohort_welcome(title: &str) -> String {
    fill(&WORDS.cohort_welcome, &[("title", title)])
}

pub(super) fn intro_title(rng: &mut StdRng, role: Role, borough: Borough) -> String {
    let title = WORDS.intro_titles.choose(rng).expect("titles");
    fill(
        title,
        &[("who", WORDS.who.of(role)), ("b", borough.label())],
    )
}

pub(super) fn intro_body(rng: &mut StdRng, m: &MemberRow) -> String {
    let work = WORDS.work.of(m.role).choose(rng).expect("lines");
    let hope = WORDS.hopes.choose(rng).expect("lines");
    fill(
        &WORDS.intro_body,
        &[
            ("first", first_name(&m.display_name)),
            ("organisation", &m.organisation),
            ("b", m.borough.label()),
            ("work", work),
            ("hope", hope),
        ],
    )
}

/// Paragraphs people write about each topic.
fn paragraphs(topic: Topic) -> &'static [String] {
    &WORDS.paragraphs[topic as usize]
}

fn openers(kind: Kind) -> &'static [String] {
    match kind {
        Kind::Introductions | Kind::Announcements => &WORDS.quiet_openers,
        _ => &WORDS.openers,
    }
}

fn other_topics(kind: Kind) -> &'static [Topic] {
    match kind {
        Kind::PostCovid => &[
            Topic::Pacing,
            Topic::Graded,
            Topic::LongCovid,
            Topic::Carers,
        ],
        Kind::Practice => &[
            Topic::Referrals,
            Topic::Carers,
            Topic::Graded,
            Topic::Groups,
        ],
        Kind::Local => &[Topic::Groups, Topic::Carers, Topic::Referrals],
        Kind::Announcements => &[Topic::Announcement],
        Kind::Introductions => &[Topic::Introduction],
    }
}

pub(super) fn opening_post(
    rng: &mut StdRng,
    topic: Topic,
    title: &str,
    borough: Borough,
) -> String {
    let words = &*WORDS;
    let opening = words.opening.choose(rng).expect("openings");
    let mut text = fill(
        opening,
        &[("title", &lowercase_first(title)), ("b", borough.label())],
    );
    text.push_str("\n\n");
    text.push_str(paragraphs(topic).choose(rng).expect("paragraphs"));
    if rng.gen_bool(0.4) {
        text.push_str("\n\n");
        text.push_str(&words.tried_so_far);
        text.push_str("\n\n");
        for item in words.tried.choose_multiple(rng, 2) {
            text.push_str("- ");
            text.push_str(item);
            text.push('\n');
        }
    }
    text.push_str("\n\n");
    text.push_str(words.questions.choose(rng).expect("questions"));
    text
}

pub(super) fn reply_post(
    rng: &mut StdRng,
    kind: Kind,
    topic: Topic,
    answering: Option<(&str, &String)>,
    author: &MemberRow,
) -> String {
    let words = &*WORDS;
    let mut text = String::new();
    if let Some((name, earlier)) = answering {
        if rng.gen_bool(0.5) {
            if let Some(line) = quotable(earlier) {
                text.push_str("> ");
                text.push_str(&line);
                text.push_str("\n\n");
            }
        }
        let thanks = words.thanks.choose(rng).expect("words");
        text.push_str(&format!("{thanks} {name}. "));
    } else {
        let openers = openers(kind);
        let opener = if openers.len() > 1 && rng.gen_bool(0.1) {
            words.role_opener.of(author.role)
        } else {
            openers.choose(rng).expect("openers")
        };
        if !opener.is_empty() {
            text.push_str(opener);
            text.push(' ');
        }
    }
    let topic = if topic == Topic::Cohort || rng.gen_bool(0.75) {
        topic
    } else {
        *other_topics(kind).choose(rng).expect("topics")
    };
    // Not the very paragraph being answered.
    let pool: Vec<&str> = paragraphs(topic)
        .iter()
        .map(String::as_str)
        .filter(|p| answering.is_none_or(|(_, earlier)| !earlier.contains(p)))
        .collect();
    let count = match topic {
        Topic::Announcement | Topic::Introduction | Topic::Cohort => 1,
        _ => rng.gen_range(1..=3),
    };
    for (n, paragraph) in pool.choose_multiple(rng, count).enumerate() {
        if n > 0 {
            text.push_str("\n\n");
        }
        text.push_str(paragraph);
    }
    let b = author.borough.label();
    if topic == Topic::Cohort {
        let first = first_name(&author.display_name);
        text.push(' ');
        text.push_str(&fill(&words.signature, &[("first", first), ("b", b)]));
    }
    if matches!(kind, Kind::Local) && rng.gen_bool(0.3) {
        let organisation = &author.organisation;
        text.push_str("\n\n");
        text.push_str(&fill(
            &words.local_tip,
            &[("b", b), ("organisation", organisation)],
        ));
    }
    let closer = words.closers.choose(rng).expect("closers");
    if !closer.is_empty() && !matches!(kind, Kind::Introductions | Kind::Announcements) {
        text.push_str("\n\n");
        text.push_str(closer);
    }
    text
}

/// The first sentence of an earlier post's first plain paragraph, for a quote.
fn quotable(source: &str) -> Option<String> {
    let paragraph = source
        .split("\n\n")
        .find(|p| !p.starts_with(['>', '|', '-', '#']) && !p.contains('\n') && p.len() > 20)?;
    let sentence = match paragraph.find(". ") {
        Some(end) => &paragraph[..=end],
        None => paragraph,
    };
    Some(sentence.trim().to_owned())
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_topic_and_category_has_words() {
        assert!(Topic::ALL.iter().all(|t| !paragraphs(*t).is_empty()));
        for kind in [Kind::PostCovid, Kind::Practice, Kind::Local] {
            assert!(WORDS.titles.iter().any(|(k, _, _)| *k == kind));
        }
        let (welcome, _) = &announcements()[0];
        assert_eq!(*welcome, "Welcome to SPOT: start here");
        assert!(cohort_welcome("A course").contains("**A course**"));
    }

    #[test]
    fn a_quote_is_the_first_sentence_of_a_plain_paragraph() {
        let post = "> an earlier quote\n\nThanks Sam. Pacing helps a lot. More here.";
        assert_eq!(quotable(post).as_deref(), Some("Thanks Sam."));
        assert_eq!(lowercase_first("Pacing: how?"), "pacing: how?");
    }
}
