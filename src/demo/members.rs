//! The community: the staff (an admin and four facilitators), then members who joined over
//! a year and a half, link workers and OTs across the ten boroughs, each with a workplace
//! and, for some, a few words about themselves.

use std::collections::HashSet;
use std::sync::LazyLock;

use anyhow::Context;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;

use super::corpus::{corpus, fill, weighted, ByRole};
use crate::accounts::members::Viewer;
use crate::accounts::{Borough, DisplayName, Role, StaffLevel};
use crate::db::dialect::bulk_insert;
use crate::db::{DbConn, MemberId};
use crate::markdown::{self, SafeHtml};
use crate::schema::members;

pub(super) struct MemberRow {
    pub(super) id: i64,
    pub(super) email: String,
    pub(super) display_name: String,
    sort_name: String,
    pub(super) role: Role,
    pub(super) borough: Borough,
    pub(super) organisation: String,
    pub(super) about_source: String,
    about_html: SafeHtml,
    listed: bool,
    pub(super) staff: StaffLevel,
    pub(super) created_at: NaiveDateTime,
}

pub(super) struct Community {
    /// Staff first (admin, two OT and two link-worker facilitators), then members by the
    /// time they joined.
    pub(super) rows: Vec<MemberRow>,
    /// How many of the rows are staff.
    pub(super) staff: usize,
    joined: Vec<NaiveDateTime>,
}

impl Community {
    pub(super) fn viewer(&self, index: usize) -> Viewer {
        let m = &self.rows[index];
        Viewer {
            id: MemberId(m.id),
            display_name: m.display_name.clone(),
            role: m.role,
            borough: m.borough,
            staff: m.staff,
        }
    }

    /// How many members had joined by `at` (the staff always had).
    pub(super) fn joined_by(&self, at: NaiveDateTime) -> usize {
        self.staff + self.joined.partition_point(|joined| *joined <= at)
    }

    /// Someone who had joined by `at`; earlier joiners are the more active.
    pub(super) fn active_member(&self, rng: &mut StdRng, at: NaiveDateTime) -> usize {
        let n = self.joined_by(at);
        let u: f64 = rng.gen();
        ((u * u * n as f64) as usize).min(n - 1)
    }

    pub(super) fn first_name(&self, index: usize) -> &str {
        first_name(&self.rows[index].display_name)
    }
}

pub(super) fn first_name(display_name: &str) -> &str {
    display_name.split_whitespace().next().unwrap_or("")
}

/// Relative share of members per borough, roughly by population.
const BOROUGH_WEIGHTS: [(Borough, u32); 10] = [
    (Borough::Bolton, 10),
    (Borough::Bury, 7),
    (Borough::Manchester, 20),
    (Borough::Oldham, 9),
    (Borough::Rochdale, 8),
    (Borough::Salford, 9),
    (Borough::Stockport, 10),
    (Borough::Tameside, 8),
    (Borough::Trafford, 8),
    (Borough::Wigan, 11),
];

/// One of the staff, as `corpus/staff.txt` lists them.
struct Staff {
    name: &'static str,
    email: &'static str,
    role: Role,
    borough: Borough,
    organisation: &'static str,
    level: StaffLevel,
}

/// What members are called, where they work and what they say about themselves.
struct Words {
    staff: Vec<Staff>,
    first_names: Vec<String>,
    surnames: Vec<String>,
    hospitals: Vec<(Borough, &'static str)>,
    organisations: ByRole<Vec<(&'static str, u32)>>,
    openings: ByRole<Vec<String>>,
    ask_me_about: String,
    offers: ByRole<Vec<String>>,
    closing: ByRole<String>,
}

static WORDS: LazyLock<Words> = LazyLock::new(|| {
    let workplaces = corpus!("workplaces.txt");
    let about = corpus!("about.txt");
    Words {
        staff: corpus!("staff.txt")
            .records::<6>("")
            .into_iter()
            .map(|[name, email, role, borough, organisation, level]| Staff {
                name,
                email,
                role: Role::from_slug(role).expect("a role in corpus/staff.txt"),
                borough: Borough::from_slug(borough).expect("a borough in corpus/staff.txt"),
                organisation,
                level: StaffLevel::from_slug(level).expect("a staff level in corpus/staff.txt"),
            })
            .collect(),
        first_names: corpus!("first-names.txt").items(""),
        surnames: corpus!("surnames.txt").items(""),
        hospitals: workplaces
            .records::<2>("hospitals")
            .into_iter()
            .map(|[borough, hospital]| {
                let borough = Borough::from_slug(borough).expect("a borough in workplaces.txt");
                (borough, hospital)
            })
            .collect(),
        organisations: ByRole::read(|role| {
            workplaces
                .records::<2>(&format!("{} organisations", role.slug()))
                .into_iter()
                .map(|[weight, name]| (name, weight.parse().expect("a weight in workplaces.txt")))
                .collect()
        }),
        openings: about.role_items("openings"),
        ask_me_about: about.text("ask me about"),
        offers: about.role_items("offers"),
        closing: about.role_texts("closing"),
    }
});

/// A first name and a surname, at random.
pub(super) fn a_name(rng: &mut StdRng) -> (&'static str, &'static str) {
    let first = WORDS.first_names.choose(rng).expect("names");
    let last = WORDS.surnames.choose(rng).expect("names");
    (first, last)
}

fn hospital_of(borough: Borough) -> &'static str {
    WORDS
        .hospitals
        .iter()
        .find(|(b, _)| *b == borough)
        .map_or("", |(_, hospital)| hospital)
}

fn organisation(rng: &mut StdRng, role: Role, borough: Borough) -> String {
    let template = weighted(rng, WORDS.organisations.of(role));
    fill(
        template,
        &[("b", borough.label()), ("hospital", hospital_of(borough))],
    )
}

/// Lower-case ASCII for an email address: "Siân O'Brien" → "sian", "obrien".
pub(super) fn ascii_slug(name: &str) -> String {
    use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};
    name.nfkd()
        .filter(|c| !is_combining_mark(*c))
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase()
}

fn about(rng: &mut StdRng, role: Role, borough: Borough, organisation: &str) -> String {
    let words = &*WORDS;
    let mut chosen: Vec<&str> = words
        .offers
        .of(role)
        .choose_multiple(rng, 3)
        .map(String::as_str)
        .collect();
    chosen.sort_unstable();
    let opening = words.openings.of(role).choose(rng).expect("openings");
    let opening = fill(
        opening,
        &[("organisation", organisation), ("b", borough.label())],
    );
    let mut text = format!("{opening}\n\n{}\n\n", words.ask_me_about);
    for offer in chosen {
        text.push_str("- ");
        text.push_str(offer);
        text.push('\n');
    }
    if rng.gen_bool(0.5) {
        text.push('\n');
        text.push_str(words.closing.of(role));
    }
    text
}

pub(super) fn make(
    rng: &mut StdRng,
    total: usize,
    first_id: i64,
    anchor: NaiveDateTime,
) -> Community {
    let start = anchor - Duration::days(560);
    let window = Duration::days(545).num_seconds() as f64;
    let staff = WORDS.staff.len();
    let mut emails: HashSet<String> = HashSet::new();
    let mut rows = Vec::with_capacity(total);
    for s in &WORDS.staff {
        emails.insert(s.email.to_owned());
        rows.push(member_row(
            rows.len(),
            first_id,
            s.name,
            s.email.to_owned(),
            s.role,
            s.borough,
            s.organisation.to_owned(),
            String::new(),
            s.level,
            start,
        ));
    }
    // Joining times first, sorted, so that members are numbered in the order they joined.
    let mut joined: Vec<NaiveDateTime> = (staff..total)
        .map(|_| {
            let u: f64 = rng.gen();
            start + Duration::days(1) + Duration::seconds((u * u * window) as i64)
        })
        .collect();
    joined.sort_unstable();
    for created_at in joined {
        let (first, last) = a_name(rng);
        let name = format!("{first} {last}");
        let role = if rng.gen_bool(0.55) {
            Role::LinkWorker
        } else {
            Role::OccupationalTherapist
        };
        let borough = weighted(rng, &BOROUGH_WEIGHTS);
        let organisation = organisation(rng, role, borough);
        let local = format!("{}.{}", ascii_slug(first), ascii_slug(last));
        let domain = format!("{}.spot.example", borough.slug());
        let mut email = format!("{local}@{domain}");
        let mut n = 2;
        while emails.contains(&email) {
            email = format!("{local}{n}@{domain}");
            n += 1;
        }
        emails.insert(email.clone());
        let about_source = if rng.gen_bool(0.4) {
            about(rng, role, borough, &organisation)
        } else {
            String::new()
        };
        let mut row = member_row(
            rows.len(),
            first_id,
            &name,
            email,
            role,
            borough,
            organisation,
            about_source,
            StaffLevel::Member,
            created_at,
        );
        // A few prefer not to be listed in the directory.
        row.listed = !rng.gen_bool(0.04);
        rows.push(row);
    }
    let joined = rows[staff..].iter().map(|m| m.created_at).collect();
    Community {
        rows,
        staff,
        joined,
    }
}

#[allow(clippy::too_many_arguments)]
fn member_row(
    index: usize,
    first_id: i64,
    name: &str,
    email: String,
    role: Role,
    borough: Borough,
    organisation: String,
    about_source: String,
    staff: StaffLevel,
    created_at: NaiveDateTime,
) -> MemberRow {
    let sort_name = DisplayName::parse(name)
        .map(|n| n.sort_key())
        .unwrap_or_else(|_| name.to_lowercase());
    let about_html = if about_source.is_empty() {
        SafeHtml::default()
    } else {
        markdown::cook(&about_source)
    };
    MemberRow {
        id: first_id + index as i64,
        email,
        display_name: name.to_owned(),
        sort_name,
        role,
        borough,
        organisation,
        about_source,
        about_html,
        listed: true,
        staff,
        created_at,
    }
}

pub(super) fn insert(
    conn: &mut DbConn,
    rows: &[MemberRow],
    password_hash: &str,
) -> anyhow::Result<()> {
    conn.write_transaction(|conn| {
        bulk_insert!(conn, members::table, rows, |m| (
            members::id.eq(m.id),
            members::email.eq(&m.email),
            members::display_name.eq(&m.display_name),
            members::sort_name.eq(&m.sort_name),
            members::password_hash.eq(password_hash),
            members::role.eq(m.role),
            members::borough.eq(m.borough),
            members::organisation.eq(&m.organisation),
            members::about_source.eq(&m.about_source),
            members::about_html.eq(&m.about_html),
            members::listed.eq(m.listed),
            members::staff.eq(m.staff),
            members::session_epoch.eq(0),
            members::created_at.eq(m.created_at),
            members::updated_at.eq(m.created_at),
            members::email_confirmed_at.eq(Some(m.created_at)),
            members::approved_at.eq(Some(m.created_at)),
        ))
    })
    .context("could not store the demo members")
}

/// Demo members have made-up addresses: no weekly round-up is written for them.
pub(super) fn without_roundups(conn: &mut DbConn) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO notification_settings (member_id, roundup, updated_at) \
         SELECT id, 'never', CURRENT_TIMESTAMP FROM members \
         WHERE id NOT IN (SELECT member_id FROM notification_settings)",
    )
    .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn the_staff_are_the_admin_then_the_facilitators() {
        let staff = &WORDS.staff;
        assert_eq!(staff[0].email, super::super::ADMIN_EMAIL);
        assert_eq!(staff[0].level, StaffLevel::Admin);
        assert!(staff[1..]
            .iter()
            .all(|s| s.level == StaffLevel::Facilitator));
        assert!(Borough::ALL.iter().all(|b| !hospital_of(*b).is_empty()));
    }

    #[test]
    fn email_parts_are_plain_ascii() {
        assert_eq!(ascii_slug("Siân"), "sian");
        assert_eq!(ascii_slug("O'Brien"), "obrien");
        assert_eq!(ascii_slug("Zoë"), "zoe");
    }

    #[test]
    fn the_same_seed_gives_the_same_members() {
        let anchor = NaiveDate::from_ymd_opt(2026, 11, 25)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        let one = make(&mut StdRng::seed_from_u64(7), 60, 1, anchor);
        let two = make(&mut StdRng::seed_from_u64(7), 60, 1, anchor);
        let emails = |c: &Community| c.rows.iter().map(|m| m.email.clone()).collect::<Vec<_>>();
        assert_eq!(emails(&one), emails(&two));
        let unique: HashSet<_> = emails(&one).into_iter().collect();
        assert_eq!(unique.len(), 60);
        assert!(one
            .rows
            .iter()
            .all(|m| crate::accounts::Email::parse(&m.email).is_ok()));
    }
}
