//! `spot demo`: fills an empty database with a realistic demo community, the same for the
//! same seed, at any size from a handful of members to the benchmark sizes (scale 1 ≈ 1,000
//! members and 20,000 posts).
//!
//! Members, threads and posts are written in batches (diesel's multi-engine connection has
//! no batch insert, so each batch runs on the engine's own connection), with their ids
//! chosen here so that a reply can point at an earlier post before either is stored. The
//! course runs and bookings go through the bookings rules, as an admin and members would.
//!
//! Contents are deterministic for a seed; dates are counted back from the start of today
//! (UTC), and the course runs start on the coming Tuesdays.

use std::collections::HashSet;

use anyhow::{bail, Context};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Utc, Weekday};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::accounts::members::Viewer;
use crate::accounts::{passwords, Borough, DisplayName, Password, Role, StaffLevel};
use crate::bookings::places::{self, ManagerAgreement, Place};
use crate::bookings::runs::{self, NewRun};
use crate::bookings::values::{session_starts, Capacity, MeetingUrl};
use crate::db::{CourseRunId, DbConn, MemberId};
use crate::markdown::{self, SafeHtml};
use crate::schema::{
    categories, helpful_marks, members, posts, resource_tags, resources, tags, threads,
};

/// Every demo account's password.
pub const PASSWORD: &str = "demo password please change";
pub const ADMIN_EMAIL: &str = "admin@spot.example";

/// Rows per batch insert. SQLite binds at most 32,766 parameters per statement; members
/// have 15 columns, so 500 rows stay far below that.
const CHUNK: usize = 500;

/// How big, and which community.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// 1 ≈ 1,000 members and 20,000 posts; fractions allowed.
    pub scale: f64,
    pub seed: u64,
}

impl Options {
    /// Refuses a scale that makes no sense, before anything is touched.
    pub fn check(&self) -> anyhow::Result<()> {
        let scale = self.scale;
        if !scale.is_finite() || scale <= 0.0 || scale > 1000.0 {
            bail!("--scale must be a number above 0 and at most 1000, like 0.05 or 1");
        }
        Ok(())
    }
}

impl Default for Options {
    fn default() -> Self {
        Self {
            scale: 0.05,
            seed: 1,
        }
    }
}

/// What was made, for the console.
#[derive(Debug, Clone)]
pub struct Summary {
    pub members: usize,
    pub threads: usize,
    pub posts: usize,
    pub helpful_marks: usize,
    pub resources: usize,
    /// Rows written to the search index.
    pub indexed: usize,
    pub runs: Vec<RunSummary>,
    pub admin_email: String,
    /// (name, email, what they are)
    pub facilitators: Vec<(String, String, String)>,
    /// An ordinary member who can sign in too.
    pub member_email: String,
    pub password: String,
}

#[derive(Debug, Clone)]
pub struct RunSummary {
    pub id: CourseRunId,
    pub title: String,
    pub starts: NaiveDateTime,
    pub booked: usize,
    pub waiting: usize,
}

/// Fills the database behind `conn`, which must have no members yet.
pub fn generate(conn: &mut DbConn, options: &Options) -> anyhow::Result<Summary> {
    options.check()?;
    let existing: i64 = members::table.count().get_result(conn)?;
    if existing > 0 {
        bail!(
            "This database already has {existing} member{}: `spot demo` only fills an empty \
             database. Point DATABASE_URL at a new database (e.g. sqlite://data/demo.db) and \
             run it again.",
            if existing == 1 { "" } else { "s" }
        );
    }

    // SQLite need not wait for the disk after every batch of an empty database's load
    // (a crash part-way leaves a half-made demo to delete either way); the setting is put
    // back afterwards, as this may be a pooled connection.
    let synchronous = sqlite_synchronous(conn, None)?;
    let outcome = fill(conn, options);
    sqlite_synchronous(conn, synchronous)?;
    outcome
}

/// On SQLite, sets `PRAGMA synchronous` to `set` (or OFF) and returns what it was;
/// nothing on PostgreSQL.
fn sqlite_synchronous(conn: &mut DbConn, set: Option<i32>) -> QueryResult<Option<i32>> {
    #[derive(QueryableByName)]
    struct Synchronous {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        synchronous: i32,
    }
    let DbConn::Sqlite(c) = conn else {
        return Ok(None);
    };
    let before = diesel::sql_query("PRAGMA synchronous")
        .get_result::<Synchronous>(c)?
        .synchronous;
    let wanted = set.unwrap_or(0).clamp(0, 3);
    diesel::sql_query(format!("PRAGMA synchronous = {wanted}")).execute(c)?;
    Ok(Some(before))
}

fn fill(conn: &mut DbConn, options: &Options) -> anyhow::Result<Summary> {
    let scale = options.scale;
    let mut rng = StdRng::seed_from_u64(options.seed);
    let today = Utc::now().date_naive();
    let anchor = today.and_hms_opt(0, 0, 0).expect("midnight exists");
    let member_target = ((1000.0 * scale).round() as usize).max(15);
    let post_target = ((20_000.0 * scale).round() as usize).max(40);

    let password = Password::parse(PASSWORD).map_err(|e| anyhow::anyhow!(e))?;
    let password_hash = passwords::hash(&password)?;

    // Members.
    let first_member_id = next_id(conn, Table::Members)?;
    let community = make_members(&mut rng, member_target, first_member_id, anchor);
    insert_members(conn, &community.rows, &password_hash)?;
    reset_sequence(conn, "members")?;

    // Course runs, as the admin creates them, and bookings, as members make them.
    let admin = community.viewer(0);
    let (runs, cohorts) = make_runs(conn, &mut rng, &community, &admin, anchor, today)?;

    // The forum.
    let categories = load_categories(conn)?;
    let mut forum = Forum::new(conn, &community, anchor)?;
    forum.write_all(conn, &mut rng, &categories, &cohorts, post_target, scale)?;
    reset_sequence(conn, "threads")?;
    reset_sequence(conn, "posts")?;
    // Rows went in in bulk: the forum index's counts are taken once at the end.
    crate::forum::categories::recount_all(conn)?;
    // Demo members have made-up addresses: no weekly round-up is written for them.
    diesel::sql_query(
        "INSERT INTO notification_settings (member_id, roundup, updated_at) \
         SELECT id, 'never', CURRENT_TIMESTAMP FROM members \
         WHERE id NOT IN (SELECT member_id FROM notification_settings)",
    )
    .execute(conn)?;

    // The resource library: links, tagged, with their own stream of chances so that the
    // forum stays the same for a seed.
    let resource_target = ((1000.0 * scale).round() as usize).max(10);
    let mut library_rng = StdRng::seed_from_u64(options.seed.wrapping_add(1));
    let resources_written =
        write_library(conn, &mut library_rng, &community, anchor, resource_target)?;
    crate::resources::library::recount_all_tags(conn)?;

    // And the search index, built once over everything.
    let indexed = conn
        .write_transaction(|tx| crate::search::index::rebuild(tx))
        .context("could not build the search index")?;

    // PostgreSQL plans from table statistics, and answers from an index alone only for pages
    // its visibility map marks, both of which bulk-loaded tables lack until autovacuum comes
    // round: do its work now, so that the first requests run as later ones will.
    if let DbConn::Postgresql(c) = conn {
        diesel::sql_query("VACUUM ANALYZE").execute(c)?;
    }

    let member_email = community
        .rows
        .iter()
        .find(|m| m.staff == StaffLevel::Member)
        .map(|m| m.email.clone())
        .unwrap_or_default();
    Ok(Summary {
        members: community.rows.len(),
        threads: forum.threads_written,
        posts: forum.posts_written,
        helpful_marks: forum.marks_written,
        resources: resources_written,
        indexed: indexed.posts + indexed.resources + indexed.members,
        runs,
        admin_email: ADMIN_EMAIL.into(),
        facilitators: community.rows[1..5]
            .iter()
            .map(|m| {
                (
                    m.display_name.clone(),
                    m.email.clone(),
                    format!("{} facilitator, {}", m.role.badge(), m.borough.label()),
                )
            })
            .collect(),
        member_email,
        password: PASSWORD.into(),
    })
}

// ---------------------------------------------------------------------------------------
// Engines.
// ---------------------------------------------------------------------------------------

/// Runs `$body` with `$c` bound to the engine's own connection (where batch inserts live).
macro_rules! on_engine {
    ($conn:expr, |$c:ident| $body:expr) => {
        match AsMut::<DbConn>::as_mut($conn) {
            DbConn::Sqlite($c) => $body,
            DbConn::Postgresql($c) => $body,
        }
    };
}

#[derive(Clone, Copy)]
enum Table {
    Members,
    Threads,
    Posts,
}

fn next_id(conn: &mut DbConn, table: Table) -> QueryResult<i64> {
    let max: Option<i64> = match table {
        Table::Members => members::table
            .select(diesel::dsl::max(members::id))
            .first(conn)?,
        Table::Threads => threads::table
            .select(diesel::dsl::max(threads::id))
            .first(conn)?,
        Table::Posts => posts::table
            .select(diesel::dsl::max(posts::id))
            .first(conn)?,
    };
    Ok(max.unwrap_or(0) + 1)
}

/// After rows were written with ids chosen here, PostgreSQL's sequence must move past them
/// (SQLite's AUTOINCREMENT keeps up by itself).
fn reset_sequence(conn: &mut DbConn, table: &str) -> QueryResult<()> {
    if let DbConn::Postgresql(c) = conn {
        diesel::sql_query(format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
             (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
        ))
        .execute(c)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The resource library.
// ---------------------------------------------------------------------------------------

/// (title, tags, description): what members share, for any borough.
const LIBRARY: &[(&str, &[&str], &str)] = &[
    ("OT referral form", &["referrals", "forms"], "The form our OT service asks for: what matters to the person, what has been tried, consent, and who else is involved."),
    ("Pacing toolkit", &["pacing", "fatigue", "long covid"], "An energy diary, a traffic-light activity planner and a one-page explainer on post-exertional malaise."),
    ("Energy diary template", &["pacing", "fatigue"], "A week on one page: rate each activity green, amber or red, and see the boom-and-bust pattern."),
    ("Falls prevention leaflet", &["falls", "leaflets"], "Plain-English advice on staying steady at home, with the local falls service's number."),
    ("Social prescribing directory", &["directory", "social prescribing"], "Groups, clubs and services link workers refer to: walking groups, craft groups, befriending, benefits advice."),
    ("Long Covid patient guide", &["long covid", "leaflets"], "What to expect, pacing, breathing and sleep, and where to get help while waiting for the clinic."),
    ("Benefits advice contacts", &["money", "benefits"], "Citizens Advice, welfare rights and debt advice, with opening times and how to refer."),
    ("Carers support pack", &["carers"], "Carers' assessments, respite, and the carers' centre's groups and one-to-one support."),
    ("Phased return to work plan", &["work", "long covid"], "A template agreed by the person, their OT and their employer: hours, duties and review dates."),
    ("Sleep hygiene leaflet", &["sleep", "leaflets"], "A regular wake-up time, light in the morning, and what to do after a bad night."),
    ("Home adaptations checklist", &["equipment", "adaptations"], "Rails, bath boards, perching stools and how the OT assessment for adaptations works."),
    ("Walking groups map", &["physical activity", "groups"], "Free, friendly walks of thirty to sixty minutes, most with a café stop, and who leads them."),
    ("Mental health crisis contacts", &["mental health", "crisis"], "Who to call, day and night, and what each service offers."),
    ("Fatigue management booklet", &["fatigue", "pacing"], "Planning, prioritising and pacing, with worksheets for the person to keep."),
    ("Goal setting worksheet", &["goals", "forms"], "What would you be doing now if you were well? The smallest meaningful step towards it."),
    ("Housing support guide", &["housing"], "Repairs, adaptations, homelessness prevention and the council's housing options team."),
    ("Digital inclusion help sheet", &["digital"], "Free tablets, data and volunteers who help people get online for the first time."),
    ("Weight management programmes", &["healthy eating"], "Local programmes, who can refer, and what each week covers."),
    ("Breathing pattern exercises", &["long covid", "breathing"], "Exercises from the physiotherapy team for breathlessness and dysfunctional breathing."),
    ("Befriending services list", &["loneliness", "groups"], "Telephone and face-to-face befriending, with waiting times and how to refer."),
];

const QUALIFIERS: &[&str] = &[
    "for {b}",
    "({b})",
    "– {b} version",
    "2026 update",
    "for link workers",
    "for OTs",
    "easy read",
    "summary",
];

/// Shares `target` links from the library's list, through members who had joined.
fn write_library(
    conn: &mut DbConn,
    rng: &mut StdRng,
    community: &Community,
    anchor: NaiveDateTime,
    target: usize,
) -> anyhow::Result<usize> {
    let mut names: Vec<&str> = LIBRARY
        .iter()
        .flat_map(|(_, t, _)| t.iter().copied())
        .collect();
    names.sort_unstable();
    names.dedup();
    let first_tag: i64 = tags::table
        .select(diesel::dsl::max(tags::id))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0)
        + 1;
    let tag_id = |name: &str| first_tag + names.iter().position(|n| *n == name).unwrap_or(0) as i64;
    let first: i64 = resources::table
        .select(diesel::dsl::max(resources::id))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0)
        + 1;
    let audiences = ["both", "both", "link_worker", "occupational_therapist"];
    let mut rows = Vec::with_capacity(target);
    let mut links: Vec<(i64, i64)> = Vec::new();
    for n in 0..target {
        let (title, tag_names, description) = LIBRARY[rng.gen_range(0..LIBRARY.len())];
        let borough = *Borough::ALL.choose(rng).expect("boroughs");
        let qualifier =
            QUALIFIERS[rng.gen_range(0..QUALIFIERS.len())].replace("{b}", borough.label());
        let at = anchor - Duration::minutes(rng.gen_range(60..720 * 24 * 60));
        let owner = community.rows[community.active_member(rng, at)].id;
        let id = first + n as i64;
        let source = format!(
            "{description} Shared for colleagues in {}.",
            borough.label()
        );
        rows.push((
            resources::id.eq(id),
            resources::title.eq(format!("{title} {qualifier}")),
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
        links.extend(tag_names.iter().map(|name| (id, tag_id(name))));
    }
    conn.write_transaction(|conn| -> QueryResult<()> {
        let tag_rows: Vec<_> = names
            .iter()
            .map(|name| (tags::id.eq(tag_id(name)), tags::name.eq(*name)))
            .collect();
        on_engine!(conn, |c| diesel::insert_into(tags::table)
            .values(tag_rows)
            .execute(c))?;
        for chunk in rows.chunks(CHUNK) {
            on_engine!(conn, |c| diesel::insert_into(resources::table)
                .values(chunk.to_vec())
                .execute(c))?;
        }
        for chunk in links.chunks(CHUNK) {
            let values: Vec<_> = chunk
                .iter()
                .map(|(resource, tag)| {
                    (
                        resource_tags::resource_id.eq(*resource),
                        resource_tags::tag_id.eq(*tag),
                    )
                })
                .collect();
            on_engine!(conn, |c| diesel::insert_into(resource_tags::table)
                .values(values)
                .execute(c))?;
        }
        Ok(())
    })
    .context("could not store the demo library")?;
    reset_sequence(conn, "resources")?;
    reset_sequence(conn, "tags")?;
    Ok(rows.len())
}

// ---------------------------------------------------------------------------------------
// Members.
// ---------------------------------------------------------------------------------------

struct MemberRow {
    id: i64,
    email: String,
    display_name: String,
    sort_name: String,
    role: Role,
    borough: Borough,
    organisation: String,
    about_source: String,
    about_html: SafeHtml,
    listed: bool,
    staff: StaffLevel,
    created_at: NaiveDateTime,
}

struct Community {
    /// Staff first (admin, two OT and two link-worker facilitators), then members by the
    /// time they joined.
    rows: Vec<MemberRow>,
    joined: Vec<NaiveDateTime>,
}

impl Community {
    fn viewer(&self, index: usize) -> Viewer {
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
    fn joined_by(&self, at: NaiveDateTime) -> usize {
        STAFF.len() + self.joined.partition_point(|joined| *joined <= at)
    }

    /// Someone who had joined by `at`; earlier joiners are the more active.
    fn active_member(&self, rng: &mut StdRng, at: NaiveDateTime) -> usize {
        let n = self.joined_by(at);
        let u: f64 = rng.gen();
        ((u * u * n as f64) as usize).min(n - 1)
    }

    fn first_name(&self, index: usize) -> &str {
        self.rows[index]
            .display_name
            .split_whitespace()
            .next()
            .unwrap_or("")
    }
}

/// The staff: (name, email, role, borough, organisation, level).
const STAFF: [(&str, &str, Role, Borough, &str, StaffLevel); 5] = [
    (
        "Helen Whitworth",
        ADMIN_EMAIL,
        Role::OccupationalTherapist,
        Borough::Manchester,
        "SPOT programme team",
        StaffLevel::Admin,
    ),
    (
        "Priya Shah",
        "priya.shah@spot.example",
        Role::OccupationalTherapist,
        Borough::Salford,
        "Salford Royal Community OT",
        StaffLevel::Facilitator,
    ),
    (
        "Gareth Lloyd",
        "gareth.lloyd@spot.example",
        Role::OccupationalTherapist,
        Borough::Stockport,
        "Stockport Long Covid Rehabilitation Service",
        StaffLevel::Facilitator,
    ),
    (
        "Danny Fitzgerald",
        "danny.fitzgerald@spot.example",
        Role::LinkWorker,
        Borough::Rochdale,
        "Rochdale Social Prescribing Service",
        StaffLevel::Facilitator,
    ),
    (
        "Bernadette Okoro",
        "bernadette.okoro@spot.example",
        Role::LinkWorker,
        Borough::Wigan,
        "Wigan Social Prescribing Service",
        StaffLevel::Facilitator,
    ),
];

const FIRST_NAMES: &[&str] = &[
    "Aisha",
    "Amira",
    "Amy",
    "Andrew",
    "Anna",
    "Asif",
    "Ayesha",
    "Bethany",
    "Bilal",
    "Callum",
    "Caroline",
    "Charlotte",
    "Chidi",
    "Chloe",
    "Chris",
    "Claire",
    "Connor",
    "Daniel",
    "David",
    "Deborah",
    "Declan",
    "Eleanor",
    "Ellie",
    "Emma",
    "Fatima",
    "Funmi",
    "Gemma",
    "Georgia",
    "Graham",
    "Grace",
    "Hannah",
    "Harpreet",
    "Imran",
    "Jack",
    "Jade",
    "James",
    "Jasmine",
    "Joanne",
    "John",
    "Jordan",
    "Karen",
    "Kate",
    "Kelly",
    "Kwame",
    "Laura",
    "Leanne",
    "Lewis",
    "Lisa",
    "Liam",
    "Lucy",
    "Mandeep",
    "Maria",
    "Mark",
    "Megan",
    "Michelle",
    "Mohammed",
    "Nadia",
    "Natalie",
    "Neil",
    "Niamh",
    "Nicola",
    "Olivia",
    "Omar",
    "Paul",
    "Rachel",
    "Rebecca",
    "Renée",
    "Rhys",
    "Richard",
    "Rukhsana",
    "Ryan",
    "Saima",
    "Sam",
    "Samina",
    "Sarah",
    "Seán",
    "Shabana",
    "Siân",
    "Siobhan",
    "Sophie",
    "Stephen",
    "Tariq",
    "Thomas",
    "Tom",
    "Usman",
    "Victoria",
    "Wendy",
    "Yasmin",
    "Zainab",
    "Zoë",
    "Agnieszka",
    "Tomasz",
    "Adebayo",
    "Ruth",
    "Joe",
    "Steph",
    "Gary",
    "Donna",
    "Pauline",
    "Kieran",
];

const SURNAMES: &[&str] = &[
    "Ahmed",
    "Ali",
    "Allen",
    "Anderson",
    "Armstrong",
    "Bailey",
    "Baker",
    "Begum",
    "Bennett",
    "Brown",
    "Butt",
    "Byrne",
    "Campbell",
    "Carter",
    "Chowdhury",
    "Clarke",
    "Collins",
    "Cooper",
    "Davies",
    "Dixon",
    "Doyle",
    "Edwards",
    "Evans",
    "Fletcher",
    "Gallagher",
    "Green",
    "Hall",
    "Harris",
    "Hassan",
    "Hughes",
    "Hussain",
    "Iqbal",
    "Jackson",
    "James",
    "Johnson",
    "Jones",
    "Kaur",
    "Kelly",
    "Khan",
    "Kowalski",
    "Lee",
    "Lewis",
    "Mahmood",
    "Malik",
    "Martin",
    "Mitchell",
    "Moore",
    "Morris",
    "Murphy",
    "Nowak",
    "O'Brien",
    "Okafor",
    "Owen",
    "Parker",
    "Patel",
    "Phillips",
    "Price",
    "Rahman",
    "Roberts",
    "Robinson",
    "Shah",
    "Sharma",
    "Singh",
    "Smith",
    "Taylor",
    "Thomas",
    "Thompson",
    "Turner",
    "Walker",
    "Ward",
    "Watson",
    "White",
    "Williams",
    "Wilson",
    "Wood",
    "Wright",
    "Young",
    "Afolabi",
    "Mensah",
    "Hewitt",
    "Ashworth",
    "Schofield",
    "Ogden",
    "Lord",
    "Kenyon",
    "Heywood",
    "Whittaker",
    "Greenhalgh",
];

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

fn hospital_of(borough: Borough) -> &'static str {
    match borough {
        Borough::Bolton => "Royal Bolton",
        Borough::Bury => "Fairfield General",
        Borough::Manchester => "Manchester Royal",
        Borough::Oldham => "Royal Oldham",
        Borough::Rochdale => "Rochdale Infirmary",
        Borough::Salford => "Salford Royal",
        Borough::Stockport => "Stepping Hill",
        Borough::Tameside => "Tameside and Glossop",
        Borough::Trafford => "Trafford General",
        Borough::Wigan => "Wrightington, Wigan and Leigh",
    }
}

fn organisation(rng: &mut StdRng, role: Role, borough: Borough) -> String {
    let b = borough.label();
    match role {
        Role::LinkWorker => match rng.gen_range(0..8) {
            0..=2 => format!("{b} Social Prescribing Service"),
            3 => format!("Age UK {b}"),
            4 => format!("{b} GP Federation"),
            5 => format!("Citizens Advice {b}"),
            6 => format!("{b} Community and Voluntary Service"),
            _ => format!("{b} Central Primary Care Network"),
        },
        Role::OccupationalTherapist => match rng.gen_range(0..7) {
            0..=1 => format!("{} Community OT", hospital_of(borough)),
            2 => format!("{b} Long Covid Rehabilitation Service"),
            3 => format!("{b} Adult Social Care OT"),
            4 => format!("{b} Reablement Team"),
            5 => format!("{b} Community Mental Health OT"),
            _ => format!("{b} Intermediate Care Team"),
        },
    }
}

/// Lower-case ASCII for an email address: "Siân O'Brien" → "sian", "obrien".
fn ascii_slug(name: &str) -> String {
    use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};
    name.nfkd()
        .filter(|c| !is_combining_mark(*c))
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase()
}

fn about(rng: &mut StdRng, role: Role, borough: Borough, organisation: &str) -> String {
    let b = borough.label();
    let opening = match role {
        Role::LinkWorker => [
            format!("Social prescribing link worker with **{organisation}**, mostly covering GP practices in {b}."),
            format!("I'm a link worker in {b}. Before this I spent six years in housing support, so I know the benefits and housing side well."),
            format!("Link worker at {organisation}. I work with adults with long-term conditions, many of them living with long Covid."),
        ],
        Role::OccupationalTherapist => [
            format!("Occupational therapist with **{organisation}**, working with adults recovering from Covid and other illness in {b}."),
            format!("Band 6 OT in {b}. My background is neuro rehab; these days it's mostly fatigue management and return to work."),
            format!("OT at {organisation}. I run our fatigue management group and see people at home when they can't get to clinic."),
        ],
    };
    let offers = match role {
        Role::LinkWorker => [
            "What's on locally: walking groups, craft clubs, men's sheds, community cafés",
            "Benefits and debt advice routes, and who has the shortest wait",
            "Carers' support and respite options",
            "Volunteering as a route back to work",
            "Warm spaces, food banks and community pantries",
        ],
        Role::OccupationalTherapist => [
            "Fatigue management and pacing",
            "Graded return to activity and to work",
            "Equipment and small adaptations at home",
            "Cognitive strategies for brain fog",
            "Sleep, routine and energy planning",
        ],
    };
    let mut chosen: Vec<&str> = offers.choose_multiple(rng, 3).copied().collect();
    chosen.sort_unstable();
    let opening = opening.choose(rng).expect("openings");
    let mut text = format!("{opening}\n\n**Ask me about:**\n\n");
    for offer in chosen {
        text.push_str("- ");
        text.push_str(offer);
        text.push('\n');
    }
    if rng.gen_bool(0.5) {
        text.push_str(match role {
            Role::LinkWorker => {
                "\nI'd love to hear from OTs about when a referral to you makes sense, and what you need from us."
            }
            Role::OccupationalTherapist => {
                "\nKeen to link up with link workers in my area: so many of the people I see need something in the community once therapy ends."
            }
        });
    }
    text
}

fn make_members(rng: &mut StdRng, total: usize, first_id: i64, anchor: NaiveDateTime) -> Community {
    let start = anchor - Duration::days(560);
    let window = Duration::days(545).num_seconds() as f64;
    let mut emails: HashSet<String> = HashSet::new();
    let mut rows = Vec::with_capacity(total);
    for (name, email, role, borough, organisation, staff) in STAFF {
        emails.insert(email.to_owned());
        rows.push(member_row(
            rows.len(),
            first_id,
            name,
            email.to_owned(),
            role,
            borough,
            organisation.to_owned(),
            String::new(),
            staff,
            start,
        ));
    }
    let weight_total: u32 = BOROUGH_WEIGHTS.iter().map(|(_, w)| w).sum();
    // Joining times first, sorted, so that members are numbered in the order they joined.
    let mut joined: Vec<NaiveDateTime> = (STAFF.len()..total)
        .map(|_| {
            let u: f64 = rng.gen();
            start + Duration::days(1) + Duration::seconds((u * u * window) as i64)
        })
        .collect();
    joined.sort_unstable();
    for created_at in joined {
        let first = *FIRST_NAMES.choose(rng).expect("names");
        let last = *SURNAMES.choose(rng).expect("names");
        let name = format!("{first} {last}");
        let role = if rng.gen_bool(0.55) {
            Role::LinkWorker
        } else {
            Role::OccupationalTherapist
        };
        let mut pick = rng.gen_range(0..weight_total);
        let mut borough = Borough::Manchester;
        for (b, w) in BOROUGH_WEIGHTS {
            if pick < w {
                borough = b;
                break;
            }
            pick -= w;
        }
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
    let joined = rows[STAFF.len()..].iter().map(|m| m.created_at).collect();
    Community { rows, joined }
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

fn insert_members(
    conn: &mut DbConn,
    rows: &[MemberRow],
    password_hash: &str,
) -> anyhow::Result<()> {
    for chunk in rows.chunks(CHUNK) {
        let values: Vec<_> = chunk
            .iter()
            .map(|m| {
                (
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
                )
            })
            .collect();
        conn.write_transaction(|conn| {
            on_engine!(conn, |c| diesel::insert_into(members::table)
                .values(values)
                .execute(c))
        })
        .context("could not store the demo members")?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Course runs and bookings.
// ---------------------------------------------------------------------------------------

/// A run's cohort space and who may post in it.
struct Cohort {
    category: i64,
    title: String,
    /// Member indexes: the two facilitators, then the booked participants.
    people: Vec<usize>,
}

struct RunPlan {
    title: &'static str,
    boroughs: &'static [Borough],
    /// Facilitators: indexes into STAFF.
    ot: usize,
    link_worker: usize,
    /// How many ask for a place beyond the 15 (joining the waiting list); `None`: fewer
    /// than 15 ask.
    over: Option<usize>,
    under: usize,
}

const RUNS: [RunPlan; 3] = [
    RunPlan {
        title: "SPOT course: Manchester, Rochdale and Bury",
        boroughs: &[Borough::Manchester, Borough::Rochdale, Borough::Bury],
        ot: 1,
        link_worker: 3,
        over: Some(4),
        under: 0,
    },
    RunPlan {
        title: "SPOT course: Stockport, Tameside and Oldham",
        boroughs: &[Borough::Stockport, Borough::Tameside, Borough::Oldham],
        ot: 2,
        link_worker: 3,
        over: None,
        under: 4,
    },
    RunPlan {
        title: "SPOT course: Trafford, Salford, Wigan and Bolton",
        boroughs: &[
            Borough::Trafford,
            Borough::Salford,
            Borough::Wigan,
            Borough::Bolton,
        ],
        ot: 1,
        link_worker: 4,
        over: Some(2),
        under: 0,
    },
];

const CAPACITY: usize = 15;

fn next_tuesday(today: NaiveDate) -> NaiveDate {
    let ahead =
        (7 + Weekday::Tue.num_days_from_monday() - today.weekday().num_days_from_monday()) % 7;
    today + Duration::days(if ahead == 0 { 7 } else { i64::from(ahead) })
}

fn make_runs(
    conn: &mut DbConn,
    rng: &mut StdRng,
    community: &Community,
    admin: &Viewer,
    anchor: NaiveDateTime,
    today: NaiveDate,
) -> anyhow::Result<(Vec<RunSummary>, Vec<Cohort>)> {
    // Today as it is in London, where the course runs (never behind the UTC date).
    let today_london = Utc::now()
        .with_timezone(&chrono_tz::Europe::London)
        .date_naive()
        .max(today);
    let first_tuesday = next_tuesday(today_london);
    let created = anchor - Duration::days(14);
    let mut summaries = Vec::new();
    let mut cohorts = Vec::new();
    for (n, plan) in RUNS.iter().enumerate() {
        let first_london = (first_tuesday + Duration::weeks(3 * n as i64))
            .and_hms_opt(14, 0, 0)
            .expect("2 pm exists");
        let starts = session_starts(first_london, 3, 1).map_err(|e| anyhow::anyhow!(e))?;
        let clusters = plan.boroughs.iter().map(|b| b.label()).collect::<Vec<_>>();
        let new = NewRun {
            title: plan.title.into(),
            description: format!(
                "Three two-hour online sessions on consecutive Tuesdays, 2 to 4 pm, for link \
                 workers and occupational therapists working in {}. Co-delivered by an OT and \
                 a link worker. Agree the time for all three sessions with your manager \
                 before you book.",
                join_words(&clusters)
            ),
            boroughs: plan.boroughs.to_vec(),
            capacity: Capacity::parse(&CAPACITY.to_string()).map_err(|e| anyhow::anyhow!(e))?,
            meeting_url: MeetingUrl::parse(&format!("https://meet.example.org/spot-{}", n + 1))
                .map_err(|e| anyhow::anyhow!(e))?,
            session_starts: starts.clone(),
            duration_minutes: 120,
            ot_facilitator: Some(MemberId(community.rows[plan.ot].id)),
            link_worker_facilitator: Some(MemberId(community.rows[plan.link_worker].id)),
        };
        let run_id = conn
            .write_transaction(|conn| {
                runs::create(conn, admin, &new, created + Duration::hours(n as i64))
            })
            .map_err(|e| anyhow::anyhow!("could not create the run {:?}: {e}", plan.title))?;

        // Members of the cluster who had joined by the time bookings opened.
        let booking_opens = created + Duration::days(1);
        let mut candidates: Vec<usize> = (STAFF.len()..community.rows.len())
            .filter(|&i| {
                let m = &community.rows[i];
                plan.boroughs.contains(&m.borough) && m.created_at < booking_opens
            })
            .collect();
        candidates.shuffle(rng);
        let wanted = match plan.over {
            Some(extra) => CAPACITY + extra,
            None => CAPACITY - plan.under,
        };
        let mut booked = Vec::new();
        let mut waiting = 0;
        for (k, &i) in candidates.iter().take(wanted).enumerate() {
            let viewer = community.viewer(i);
            let manager = format!(
                "{} {}",
                FIRST_NAMES.choose(rng).expect("names"),
                SURNAMES.choose(rng).expect("names")
            );
            let agreement = ManagerAgreement {
                agreed: true,
                manager_email: if rng.gen_bool(0.5) {
                    format!(
                        "{}@{}.spot.example",
                        ascii_slug(&manager),
                        viewer.borough.slug()
                    )
                } else {
                    String::new()
                },
                manager_name: manager,
            };
            let at = booking_opens + Duration::minutes(37 * k as i64 + rng.gen_range(0..30));
            let place = conn
                .write_transaction(|conn| {
                    places::book(conn, &viewer, viewer.id, run_id, &agreement, None, at)
                })
                .map_err(|e| anyhow::anyhow!("could not book a demo place: {e}"))?;
            match place {
                Place::Booked => booked.push(i),
                Place::Waiting(_) => waiting += 1,
            }
        }
        let category: i64 = categories::table
            .filter(categories::course_run_id.eq(run_id))
            .select(categories::id)
            .first(conn)
            .context("the run's cohort space is missing")?;
        let mut people = vec![plan.ot, plan.link_worker];
        people.extend(booked.iter().copied());
        cohorts.push(Cohort {
            category,
            title: plan.title.into(),
            people,
        });
        summaries.push(RunSummary {
            id: run_id,
            title: plan.title.into(),
            starts: starts[0],
            booked: booked.len(),
            waiting,
        });
    }
    Ok((summaries, cohorts))
}

fn join_words(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

// ---------------------------------------------------------------------------------------
// The forum.
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Announcements,
    Introductions,
    PostCovid,
    Practice,
    Local,
}

struct Categories {
    announcements: i64,
    introductions: i64,
    post_covid: i64,
    practice: i64,
    local: i64,
}

impl Categories {
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

fn load_categories(conn: &mut DbConn) -> anyhow::Result<Categories> {
    let mut find = |slug: &str| -> anyhow::Result<i64> {
        categories::table
            .filter(categories::slug.eq(slug))
            .select(categories::id)
            .first(conn)
            .optional()?
            .with_context(|| format!("the seeded forum category {slug:?} is missing"))
    };
    Ok(Categories {
        announcements: find("announcements")?,
        introductions: find("introductions")?,
        post_covid: find("post-covid-rehabilitation")?,
        practice: find("practice-questions")?,
        local: find("local-services")?,
    })
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

struct Forum<'a> {
    community: &'a Community,
    anchor: NaiveDateTime,
    next_thread: i64,
    next_post: i64,
    threads: Vec<ThreadRow>,
    posts: Vec<PostRow>,
    threads_written: usize,
    posts_written: usize,
    marks_written: usize,
    introduced: HashSet<usize>,
}

impl<'a> Forum<'a> {
    fn new(
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

    fn write_all(
        &mut self,
        conn: &mut DbConn,
        rng: &mut StdRng,
        categories: &Categories,
        cohorts: &[Cohort],
        post_target: usize,
        scale: f64,
    ) -> anyhow::Result<()> {
        let start = self.anchor - Duration::days(545);
        let mut written = 0usize;
        let mut announcements = ANNOUNCEMENTS.iter();

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
                opening: Some(welcome.1.into()),
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
                    title: "Welcome to your cohort space".into(),
                    topic: Topic::Cohort,
                    kind: Kind::Introductions,
                    length: 1 + replies,
                    starts: self.anchor - Duration::days(12),
                    author: cohort.people[0],
                    pinned: true,
                    locked: false,
                    cast: cohort.people.clone(),
                    opening: Some(cohort_welcome(&cohort.title)),
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
                        title: "Pacing diaries: what's working for the people you support (the long thread)".into(),
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
                        author: rng.gen_range(0..STAFF.len()),
                        pinned: false,
                        locked: title.starts_with("Closed:"),
                        cast: Vec::new(),
                        opening: Some((*body).into()),
                    },
                    None => continue,
                },
                Kind::Introductions => {
                    // Someone who joined shortly before, and has not said hello yet.
                    let joined = self.community.joined_by(starts);
                    let newcomer = (STAFF.len()..joined)
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
                        title: intro_title(rng, m.role, m.borough),
                        topic: Topic::Introduction,
                        kind,
                        length: length.min(25),
                        starts,
                        author,
                        pinned: false,
                        locked: false,
                        cast: Vec::new(),
                        opening: Some(intro_body(rng, m)),
                    }
                }
                _ => {
                    let author = self.community.active_member(rng, starts);
                    let (topic, title) = pick_title(rng, kind, self.community.rows[author].borough);
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
                    None => opening_post(
                        rng,
                        draft.topic,
                        &draft.title,
                        community.rows[author].borough,
                    ),
                }
            } else {
                let answering =
                    reply_to.map(|j| (community.first_name(authors[j]), &rows[j].body_source));
                reply_post(
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

    /// Stores full batches (all when `all`): the threads waiting, then up to [`CHUNK`]
    /// posts and their helpful marks, in one transaction.
    fn flush(&mut self, conn: &mut DbConn, all: bool) -> anyhow::Result<()> {
        while self.posts.len() >= CHUNK
            || (all && (!self.posts.is_empty() || !self.threads.is_empty()))
        {
            let take = self.posts.len().min(CHUNK);
            let batch: Vec<PostRow> = self.posts.drain(..take).collect();
            let threads = std::mem::take(&mut self.threads);
            let marks: Vec<(i64, i64, NaiveDateTime)> = batch
                .iter()
                .flat_map(|p| p.marks.iter().map(|(member, at)| (p.id, *member, *at)))
                .collect();
            conn.write_transaction(|conn| -> QueryResult<()> {
                for chunk in threads.chunks(CHUNK) {
                    let values: Vec<_> = chunk
                        .iter()
                        .map(|t| {
                            (
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
                            )
                        })
                        .collect();
                    on_engine!(conn, |c| diesel::insert_into(threads::table)
                        .values(values)
                        .execute(c))?;
                }
                if !batch.is_empty() {
                    let values: Vec<_> = batch
                        .iter()
                        .map(|p| {
                            (
                                posts::id.eq(p.id),
                                posts::thread_id.eq(p.thread_id),
                                posts::author_id.eq(p.author_id),
                                posts::position.eq(p.position),
                                posts::reply_to_id.eq(p.reply_to_id),
                                posts::body_source.eq(&p.body_source),
                                posts::body_html.eq(&p.body_html),
                                posts::helpful_count.eq(p.marks.len() as i32),
                                posts::created_at.eq(p.created_at),
                            )
                        })
                        .collect();
                    on_engine!(conn, |c| diesel::insert_into(posts::table)
                        .values(values)
                        .execute(c))?;
                }
                for chunk in marks.chunks(CHUNK) {
                    let values: Vec<_> = chunk
                        .iter()
                        .map(|(post, member, at)| {
                            (
                                helpful_marks::post_id.eq(*post),
                                helpful_marks::member_id.eq(*member),
                                helpful_marks::created_at.eq(*at),
                            )
                        })
                        .collect();
                    on_engine!(conn, |c| diesel::insert_into(helpful_marks::table)
                        .values(values)
                        .execute(c))?;
                }
                Ok(())
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

// ---------------------------------------------------------------------------------------
// What people write.
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Topic {
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

/// Thread titles per category: (topic, title; `{b}` is the author's borough).
const TITLES: &[(Kind, Topic, &str)] = &[
    (
        Kind::PostCovid,
        Topic::Pacing,
        "Pacing with a heart rate monitor: worth recommending?",
    ),
    (
        Kind::PostCovid,
        Topic::Pacing,
        "Boom and bust: how do you explain it to people?",
    ),
    (
        Kind::PostCovid,
        Topic::Pacing,
        "Energy diaries: paper, app or spreadsheet?",
    ),
    (
        Kind::PostCovid,
        Topic::Pacing,
        "The three Ps (pace, plan, prioritise) in practice",
    ),
    (
        Kind::PostCovid,
        Topic::Pacing,
        "Activity baselines: how low do you start?",
    ),
    (
        Kind::PostCovid,
        Topic::Graded,
        "Post-exertional malaise: when to stop graded activity",
    ),
    (
        Kind::PostCovid,
        Topic::Graded,
        "Return to work after long Covid: phased plans that worked",
    ),
    (
        Kind::PostCovid,
        Topic::Graded,
        "Graded return to walking: how are you setting the steps?",
    ),
    (
        Kind::PostCovid,
        Topic::LongCovid,
        "Brain fog strategies for people going back to work",
    ),
    (
        Kind::PostCovid,
        Topic::LongCovid,
        "Long Covid clinic waiting times in {b}",
    ),
    (
        Kind::PostCovid,
        Topic::LongCovid,
        "Breathing pattern problems after Covid: who do you refer to?",
    ),
    (
        Kind::PostCovid,
        Topic::LongCovid,
        "Long Covid and sleep: practical tips that help",
    ),
    (
        Kind::PostCovid,
        Topic::LongCovid,
        "Long Covid peer support groups in {b}",
    ),
    (
        Kind::PostCovid,
        Topic::Carers,
        "Carers of people with long Covid: what support helps?",
    ),
    (
        Kind::PostCovid,
        Topic::LongCovid,
        "Supporting someone whose long Covid has cost them their job",
    ),
    (
        Kind::Practice,
        Topic::Referrals,
        "Referring to OT from a social prescribing conversation: what do you need from us?",
    ),
    (
        Kind::Practice,
        Topic::Referrals,
        "What does an OT functional assessment actually involve?",
    ),
    (
        Kind::Practice,
        Topic::Referrals,
        "When should a link worker refer on rather than keep supporting?",
    ),
    (
        Kind::Practice,
        Topic::Referrals,
        "Home adaptations: what's the route in {b}?",
    ),
    (
        Kind::Practice,
        Topic::Referrals,
        "Sharing information between our services, with consent",
    ),
    (
        Kind::Practice,
        Topic::Referrals,
        "Measuring outcomes: ONS4, WEMWBS or something else?",
    ),
    (
        Kind::Practice,
        Topic::Referrals,
        "Joint visits: has anyone done one with the other profession?",
    ),
    (
        Kind::Practice,
        Topic::Groups,
        "Someone doesn't want to join a group: what next?",
    ),
    (
        Kind::Practice,
        Topic::Groups,
        "Goal setting: 'what matters to you' in a first conversation",
    ),
    (
        Kind::Practice,
        Topic::Carers,
        "Working with carers who are close to burning out",
    ),
    (
        Kind::Practice,
        Topic::Graded,
        "Someone is stuck on a waiting list: how do you keep them going?",
    ),
    (
        Kind::Practice,
        Topic::Referrals,
        "Caseload sizes: how many people are you supporting?",
    ),
    (Kind::Local, Topic::Groups, "What's on in {b} this month"),
    (Kind::Local, Topic::Groups, "Walking groups in {b}"),
    (
        Kind::Local,
        Topic::Groups,
        "Chair-based exercise classes: a {b} list",
    ),
    (
        Kind::Local,
        Topic::Carers,
        "Carers' centre in {b}: new drop-in times",
    ),
    (
        Kind::Local,
        Topic::Groups,
        "Community gardens and allotments around {b}",
    ),
    (Kind::Local, Topic::Groups, "Warm spaces in {b} this winter"),
    (
        Kind::Local,
        Topic::Groups,
        "Men's sheds across Greater Manchester",
    ),
    (
        Kind::Local,
        Topic::Referrals,
        "Debt and benefits advice with short waits in {b}",
    ),
    (
        Kind::Local,
        Topic::Groups,
        "Art and craft groups for people with long-term conditions ({b})",
    ),
    (
        Kind::Local,
        Topic::Referrals,
        "Befriending services that take referrals in {b}",
    ),
    (
        Kind::Local,
        Topic::Graded,
        "Gentle swimming sessions for people recovering from illness, {b}",
    ),
    (
        Kind::Local,
        Topic::Groups,
        "Digital inclusion: where can people borrow a tablet in {b}?",
    ),
];

fn pick_title(rng: &mut StdRng, kind: Kind, borough: Borough) -> (Topic, String) {
    let choices: Vec<&(Kind, Topic, &str)> = TITLES.iter().filter(|(k, _, _)| *k == kind).collect();
    let (_, topic, title) = **choices.choose(rng).expect("titles for every category");
    (topic, title.replace("{b}", borough.label()))
}

/// (title, first post) in the order they go up; a title starting "Closed:" is locked.
const ANNOUNCEMENTS: &[(&str, &str)] = &[
    (
        "Welcome to SPOT: start here",
        "Welcome to **SPOT**, the online home of Greater Manchester's community of practice for \
         social prescribing link workers and occupational therapists.\n\n\
         A few things to get you going:\n\n\
         1. Say hello in **Introductions**: who you are, where you work, what you'd like from SPOT.\n\
         2. Ask the other profession anything in **Practice questions**.\n\
         3. Share what's on in your borough in **Local services & boroughs**.\n\
         4. Book your place on the course for your cluster of boroughs under **Courses**.\n\n\
         One rule above all: **never post anything that could identify a person you support**. \
         No names, dates of birth, NHS numbers or addresses, even in passing.\n\n\
         Any problems, reply here or message one of the facilitators.",
    ),
    (
        "Course dates for the three borough clusters are live",
        "The dates for all three runs of the SPOT course are now up under **Courses**.\n\n\
         - Manchester, Rochdale and Bury\n\
         - Stockport, Tameside and Oldham\n\
         - Trafford, Salford, Wigan and Bolton\n\n\
         Each run is three two-hour online sessions on consecutive Tuesday afternoons, for up to \
         15 people, co-delivered by an OT and a link worker. Please agree the time with your \
         manager **before** you book: you attend one course only, so choose the one that \
         covers the area you work in.",
    ),
    (
        "Please don't share anything that identifies a person",
        "A gentle reminder after a couple of posts this week: please describe situations in \
         general terms. \"A man in his sixties with fatigue after Covid\" is fine; his first \
         name, his GP practice and the street he lives on together are not.\n\n\
         If you spot something that shouldn't be here, use **Report** on the post and a \
         facilitator will hide it. Thank you all for looking after each other.",
    ),
    (
        "New in the resource library: pacing toolkit",
        "We've added a pacing toolkit to the resource library: an energy diary template, a \
         traffic-light activity planner and a one-page explainer on post-exertional malaise \
         written with people with lived experience.\n\nAll free to print and share. Tell us \
         what you'd add.",
    ),
    (
        "Community of practice meet-up: share what you've learned",
        "Our next online meet-up is a chance to share one thing that has changed in your \
         practice since joining SPOT. Fifteen minutes of input, then small groups mixing OTs \
         and link workers from different boroughs.\n\nReply if you'd like to present a \
         five-minute case study (anonymised, of course).",
    ),
    (
        "Closed: feedback survey for the first cohort",
        "Thank you to everyone from the first cohort who filled in the feedback survey: 41 \
         responses. The headline: people valued meeting the other profession far more than \
         any single session's content. We're using your comments to reshape session two.\n\n\
         The survey is now closed.",
    ),
    (
        "Facilitator drop-in hours",
        "From this month the facilitators hold an online drop-in on the first Thursday of the \
         month, 12:30 to 1:15. Bring a tricky situation, a referral question or just your \
         lunch. The link is in the resource library.",
    ),
    (
        "Moderation over the holidays",
        "The forum stays open over the holidays but the facilitators will check reports once \
         a day rather than through the day. If something is urgent or about someone's safety, \
         follow your own organisation's safeguarding procedures as always.",
    ),
    (
        "What would make SPOT more useful to you?",
        "We're planning the next six months. What would make SPOT more useful? More local \
         listings, more case discussions, shorter courses, something else? Reply here: \
         everything is read.",
    ),
    (
        "Greater Manchester long Covid services update",
        "A round-up of changes to long Covid services across the ten boroughs: referral routes \
         are the same, but two boroughs now accept self-referral. Details are in **Local \
         services & boroughs**, one thread per borough. Please keep them up to date when you \
         hear of changes.",
    ),
];

fn cohort_welcome(title: &str) -> String {
    format!(
        "Welcome to the private space for **{title}**. Only the people booked on this run and \
         the facilitators can read it.\n\n\
         Before the first session, please:\n\n\
         - [ ] add the three sessions to your calendar (there's a calendar file on the course page)\n\
         - [ ] check the meeting link works on the device you'll use\n\
         - [ ] think of one situation where you weren't sure whether to involve the other profession\n\n\
         Say hello below: your name, your borough, and one thing you'd like from the course."
    )
}

fn intro_title(rng: &mut StdRng, role: Role, borough: Borough) -> String {
    let b = borough.label();
    let who = match role {
        Role::LinkWorker => "link worker",
        Role::OccupationalTherapist => "OT",
    };
    match rng.gen_range(0..5) {
        0 => format!("Hello from a {who} in {b}"),
        1 => format!("New {who} in {b}: hello!"),
        2 => format!("Hi all, {who} from {b}"),
        3 => format!("Just joined: {who}, {b}"),
        _ => format!("Introducing myself: {who} in {b}"),
    }
}

fn intro_body(rng: &mut StdRng, m: &MemberRow) -> String {
    let first = m.display_name.split_whitespace().next().unwrap_or("");
    let b = m.borough.label();
    let work = match m.role {
        Role::LinkWorker => [
            "Most of the people I see come via their GP with low mood, loneliness or money worries, and more and more with long Covid.",
            "I cover four practices and see a lot of people who've been off work for months with fatigue.",
            "I've been a link worker for about a year; before that I ran a community café, so I know the groups side well.",
        ],
        Role::OccupationalTherapist => [
            "I work mostly with people with long Covid: fatigue management, pacing and return to work.",
            "I'm in a community team, so lots of home visits, equipment and getting people back to the things that matter to them.",
            "I moved over from acute wards last year and I'm still getting to know what's out there in the community.",
        ],
    };
    let want = [
        "I'd really like to understand what the other profession does day to day, so my referrals are better.",
        "I'm hoping to find out what's on locally that I don't know about yet.",
        "Mainly I want somewhere to ask the questions that come up between supervision sessions.",
        "Looking forward to the course, and to meeting people from the neighbouring boroughs.",
    ];
    format!(
        "Hi everyone, I'm {first}, working at **{}** in {b}.\n\n{}\n\n{}",
        m.organisation,
        work.choose(rng).expect("lines"),
        want.choose(rng).expect("lines"),
    )
}

/// Paragraphs people write about each topic.
fn paragraphs(topic: Topic) -> &'static [&'static str] {
    match topic {
        Topic::Pacing => &[
            "What's worked best for me is getting people to find a baseline they can manage on a *bad* day, not a good one, and to stay there for a couple of weeks before adding anything. It feels painfully slow to them, but the crashes stop.",
            "I use a simple traffic-light diary: green for restful, amber for moderate, red for the things that take it out of you. After a week people can usually see their own boom-and-bust pattern without me pointing it out.",
            "We've had good results splitting tasks up: shower sitting down, dry off and rest, then get dressed. Small changes like that free up energy for the things people actually care about.",
            "Heart rate monitors help some people and make others anxious. I only suggest one if the person likes data; otherwise a simple rating out of ten after each activity does the job.",
            "The hardest part is usually the good days. People feel better, do everything they've been putting off, and then lose the next three days. Planning *what not to do* on a good day is half of pacing.",
            "| Time | Activity | Energy (1–10) |\n|---|---|---|\n| Morning | Shower, breakfast, rest | 4 |\n| Midday | Short walk to the shop | 6 |\n| Afternoon | Rest, phone call with a friend | 3 |\n\nThis is the kind of layout I give people: nothing fancy, and they can see at a glance where the peaks are.",
            "Rest has to be proper rest. Scrolling on a phone isn't rest for most people with fatigue; lying down with eyes closed for ten minutes, or listening to something calm, is.",
            "I've started asking people to plan the week on a Sunday evening: the three things that matter most, and where the rest breaks go. It gives them some control back.",
            "Worth saying that pacing isn't about doing less forever. It's about stopping the crashes so that, over time, the baseline can creep up.",
        ],
        Topic::Graded => &[
            "We've moved away from fixed graded exercise for anyone with post-exertional symptoms. Any increase is symptom-led: if the person crashes, we go back a step, no questions asked.",
            "For return to work I suggest starting at two or three short days a week with a rest day in between, and building by an hour at a time only when the previous step has been stable for a fortnight.",
            "Occupational health have been really helpful when we've involved them early. A phased return plan written with the person, OT and employer together tends to stick.",
            "A useful question: *what would you be doing now if you were well?* Then we pick the smallest meaningful piece of that to build towards, rather than an abstract step count.",
            "I'd be careful with step targets. Some people are fine; others push through to hit the number and pay for it for days. We use time on feet instead, and it's gone better.",
            "Graded activity works best when the person sets the pace. Our job is mainly to help them notice the early warning signs and to give permission to hold back.",
            "If someone is stuck on a plateau for more than a month, it's worth looking at sleep, mood and what else is going on at home before adding anything.",
        ],
        Topic::LongCovid => &[
            "Brain fog is the thing people tell me worries them most. Written lists, one task at a time, and a notebook by the phone make more difference than anything clever.",
            "Our long Covid clinic wait is around twelve weeks at the moment. In the meantime we're seeing people for a first conversation about pacing so they're not left with nothing.",
            "Sleep is a big one. A regular wake-up time, even after a bad night, seems to help more than anything people try at bedtime.",
            "A lot of the people I see have been told their tests are normal and feel they're not believed. Just listening, and saying that fatigue is real, changes the conversation.",
            "Breathing pattern work has been really helpful for a few people I've referred on: the physios here run a short course and the feedback is good.",
            "The NHS page on long Covid is a good starting point to share: https://www.nhs.uk/conditions/covid-19/long-term-effects-of-covid-19-long-covid/ (plain English, and it doesn't overwhelm people).",
            "Peer support makes a huge difference. People hear from someone a year further on that it does get better, and it lands in a way it never does from a professional.",
            "Employers vary enormously. Some have been brilliant with reasonable adjustments; others have started capability procedures within months. Citizens Advice have been good on the employment side.",
            "I always ask about money. So many people with long Covid have dropped to statutory sick pay, and the worry about bills drains energy they don't have.",
        ],
        Topic::Referrals => &[
            "From the OT side, the most helpful referrals tell us what the person wants to be able to do again, not just the diagnosis. \"Wants to get back to cooking for the family\" tells me far more than \"fatigue\".",
            "As a link worker I'm never quite sure when something is an OT question. Equipment and adaptations, yes, but what about fatigue that's stopping someone getting to a group?",
            "We've started a shared referral checklist between our team and the social prescribing service: consent, what matters to the person, what's been tried, and who else is involved. It's cut the back-and-forth a lot.",
            "An OT functional assessment is really just watching how someone manages the everyday things (washing, dressing, cooking, getting out) and working out what's getting in the way. It's much less formal than people expect.",
            "If in doubt, ring us. Five minutes on the phone saves a referral bouncing back and the person waiting another six weeks.",
            "We use **WEMWBS** at the start and after three months. It's not perfect, but commissioners recognise it and the short version doesn't take long.",
            "Consent is the thing to get right at the start: explain who you'll share with and why, and write it down. Then joint working is much easier later.",
            "Our caseloads are around forty active people each, which is manageable only because we close people properly once they're connected to something that works for them.",
            "A joint visit was the best thing I did last year. I learned more about what OTs actually do in an hour than from any amount of reading.",
        ],
        Topic::Groups => &[
            "The walking group that meets by the canal on Wednesday mornings is lovely: slow pace, a café stop halfway, and the volunteers are great with people who are nervous about joining.",
            "For people who can't face a group yet, I suggest going once just to watch, with me if needed. Knowing what the room looks like takes away a lot of the fear.",
            "Chair-based exercise at the library has been a good first step for a few people I've worked with. Low pressure, and nobody minds if you sit a bit out.",
            "The community garden is always looking for volunteers and they're brilliant at fitting tasks to what people can manage on the day.",
            "Men's sheds have worked for people who'd never go near anything called a \"support group\". Making something together gets them talking.",
            "Warm spaces are running again this winter: the library, two churches and the community centre, with free hot drinks. A good low-key way in for people who are isolated.",
            "The craft group at the community centre has a real mix of ages. A couple of people I referred now help run it, which has done more for their confidence than anything I did.",
            "Worth knowing: several groups will do a taster session one-to-one first if you ring ahead. Just ask for the organiser.",
            "If someone doesn't want a group at all, befriending by phone can be a good start, and some go on to meet up in person later.",
        ],
        Topic::Carers => &[
            "Carers often don't see themselves as carers. I ask \"who helps you at home?\" and then \"and who helps them?\" and that usually opens it up.",
            "The carers' centre can do a carer's assessment and has a small grants fund for breaks. Their drop-in is the quickest way in.",
            "Fatigue is hard on the whole household. Bringing the partner into a pacing conversation helps them understand why their loved one has to stop halfway through things.",
            "Carers' groups that meet in the evening are rare, and most working carers can't do daytimes. If anyone knows of evening or online ones, please share.",
            "Young carers get missed a lot. If there are teenagers at home picking up the slack, the young carers' service is worth a call.",
            "A carer's own wellbeing conversation is often the thing that makes the difference. When they feel supported, things at home settle.",
        ],
        Topic::Announcement => &[
            "Thanks for this, really useful.",
            "Good to know, I'll pass this on to the rest of the team.",
            "Brilliant, thank you for organising.",
            "Is there a recording for those of us who can't make the date?",
            "Thank you. Could we have the slides in the resource library afterwards?",
            "Really helpful reminder, thank you.",
        ],
        Topic::Cohort => &[
            "Hello everyone!",
            "Hi all, calendar sorted and the link works.",
            "Hello! My manager has signed off all three afternoons, so I'm all set.",
            "Hi everyone, a bit nervous about the breakout rooms but looking forward to it.",
            "Hello! I've got a situation in mind already, and I'm curious what the other profession makes of it.",
            "Hi all, I'll be joining from the office so apologies in advance for background noise.",
        ],
        Topic::Introduction => &[
            "Welcome! Lovely to have you here.",
            "Hello and welcome. Shout if you want to know anything about what's on locally.",
            "Welcome aboard. The pacing threads in Post-Covid rehabilitation are a good place to start.",
            "Hi, welcome! We're just down the road from you, so give me a shout if you want to meet up.",
            "Welcome! You'll find people here really generous with their time.",
            "Great to see another person from your borough joining. Welcome!",
        ],
    }
}

fn openers(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Introductions | Kind::Announcements => &[""],
        _ => &[
            "",
            "Great question.",
            "We've had the same problem.",
            "This comes up for us a lot.",
            "Agree with the above.",
            "Just to add to this:",
            "Interesting, we do it slightly differently.",
        ],
    }
}

fn closers() -> &'static [&'static str] {
    &[
        "",
        "",
        "",
        "Hope that helps.",
        "Happy to share our template if useful.",
        "Would be good to hear how others do it.",
        "Anyone else found the same?",
        "Message me if you want more details.",
    ]
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

fn opening_post(rng: &mut StdRng, topic: Topic, title: &str, borough: Borough) -> String {
    let b = borough.label();
    let intro = [
        format!("I'm after some advice on this: {}", lowercase_first(title)),
        format!("Something that keeps coming up in {b}, and I'd value other views."),
        "I've been thinking about this a lot recently and would love to hear how others approach it.".to_string(),
        format!("Quick one for the group, especially anyone else working in {b}."),
    ];
    let questions = [
        "What's worked for you? And what would you avoid?",
        "How do you approach it, and is there anything you'd recommend reading?",
        "Does anyone have a template or a leaflet they'd be willing to share?",
        "Is this the same in other boroughs, or is it just us?",
    ];
    let pool = paragraphs(topic);
    let mut text = intro.choose(rng).cloned().unwrap_or_default();
    text.push_str("\n\n");
    text.push_str(pool.choose(rng).expect("paragraphs"));
    if rng.gen_bool(0.4) {
        text.push_str("\n\nWhat I've tried so far:\n\n");
        for item in [
            "a first conversation about what matters",
            "a simple diary for a week",
            "checking in by phone after a fortnight",
        ]
        .choose_multiple(rng, 2)
        {
            text.push_str("- ");
            text.push_str(item);
            text.push('\n');
        }
    }
    text.push_str("\n\n");
    text.push_str(questions.choose(rng).expect("questions"));
    text
}

fn reply_post(
    rng: &mut StdRng,
    kind: Kind,
    topic: Topic,
    answering: Option<(&str, &String)>,
    author: &MemberRow,
) -> String {
    let mut text = String::new();
    if let Some((name, earlier)) = answering {
        if rng.gen_bool(0.5) {
            if let Some(line) = quotable(earlier) {
                text.push_str("> ");
                text.push_str(&line);
                text.push_str("\n\n");
            }
        }
        text.push_str(&format!(
            "{} {name}. ",
            ["Thanks", "Good point,", "I agree,", "Really interesting,"]
                .choose(rng)
                .expect("words")
        ));
    } else {
        let by_role = match author.role {
            Role::LinkWorker => "From the link worker side:",
            Role::OccupationalTherapist => "Speaking as an OT:",
        };
        let opener = if openers(kind).len() > 1 && rng.gen_bool(0.1) {
            by_role
        } else {
            openers(kind).choose(rng).expect("openers")
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
        .copied()
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
    if topic == Topic::Cohort {
        text.push_str(&format!(
            " I'm {} from {}, looking forward to it.",
            author.display_name.split_whitespace().next().unwrap_or(""),
            author.borough.label()
        ));
    }
    if matches!(kind, Kind::Local) && rng.gen_bool(0.3) {
        text.push_str(&format!(
            "\n\nIn {} it's worth ringing the {} team first: they keep the most up-to-date list.",
            author.borough.label(),
            author.organisation
        ));
    }
    let closer = closers().choose(rng).expect("closers");
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
    fn tuesdays_are_strictly_upcoming() {
        let wednesday = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert_eq!(
            next_tuesday(wednesday),
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
        );
        let tuesday = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(
            next_tuesday(tuesday),
            NaiveDate::from_ymd_opt(2026, 12, 8).unwrap()
        );
        let monday = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(
            next_tuesday(monday),
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
        );
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
        let one = make_members(&mut StdRng::seed_from_u64(7), 60, 1, anchor);
        let two = make_members(&mut StdRng::seed_from_u64(7), 60, 1, anchor);
        let emails = |c: &Community| c.rows.iter().map(|m| m.email.clone()).collect::<Vec<_>>();
        assert_eq!(emails(&one), emails(&two));
        let unique: HashSet<_> = emails(&one).into_iter().collect();
        assert_eq!(unique.len(), 60);
        assert!(one
            .rows
            .iter()
            .all(|m| crate::accounts::Email::parse(&m.email).is_ok()));
    }

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
