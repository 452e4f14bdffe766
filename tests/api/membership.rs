//! Verified membership: a work address is let in on confirmation, anyone else waits for a
//! facilitator (who approves or declines with a reason), and invitation links let a person
//! or a cohort in without waiting. Until approved, nothing members-only is readable.

use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use reqwest::StatusCode;

use crate::forum::{facilitator, location, start_thread};
use crate::helpers::*;
use crate::on_both_engines;

/// Registers through the form with a line about the applicant's work; `invite` is the
/// token of an invitation link, or "".
async fn register_with(browser: &Browser, email: &str, name: &str, about: &str, invite: &str) {
    let response = browser
        .post(
            "/register",
            &[
                ("email", email),
                ("display_name", name),
                ("password", PASSWORD),
                ("role", "link_worker"),
                ("borough", "bolton"),
                ("organisation", "Bolton Community Voluntary Services"),
                ("about_work", about),
                ("invite", invite),
            ],
        )
        .await;
    assert_redirects_to(&response, "/register/check-email");
}

/// Pages (and one form) only approved members may see.
const MEMBERS_ONLY: &[&str] = &[
    "/members",
    "/members?role=occupational_therapist",
    "/forum/practice-questions/new",
    "/resources/new",
    "/notifications",
    "/account",
    "/account/notifications",
    "/account/service",
    "/counterparts",
    "/map",
];

/// Asserts that nothing members-only is shown to this browser: each page sends it to sign
/// in, and a members-only thread reads as a stranger's would.
async fn reads_nothing_members_only(browser: &Browser, thread: i64, profile: i64, what: &str) {
    for path in MEMBERS_ONLY
        .iter()
        .map(|p| p.to_string())
        .chain([format!("/members/{profile}")])
    {
        let response = browser.get(&path).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{what}: {path}");
        assert!(location(&response).starts_with("/login"), "{what}: {path}");
    }
    let page = browser.get(&format!("/threads/{thread}")).await;
    assert_ne!(
        page.status(),
        StatusCode::OK,
        "{what}: a members-only thread"
    );
    let body = page.text().await.unwrap();
    assert!(
        !body.contains("Keep the kettle on"),
        "{what}: the post is not shown"
    );
    let search = browser.page("/search?q=kettle").await;
    assert!(
        !search.contains("Keep the kettle on"),
        "{what}: search finds nothing members-only"
    );
}

/// The names of the applicants waiting in the queue.
async fn waiting(facilitator: &Browser) -> Vec<String> {
    texts_of(
        &facilitator.page("/moderation/applications").await,
        "article h2",
    )
}

fn invitation_token_in(page: &str) -> String {
    let start =
        page.find("/register?invite=").expect("the link is shown") + "/register?invite=".len();
    page[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

async fn make_invitation(browser: &Browser, label: &str, uses: &str) -> String {
    let response = browser
        .post(
            "/invitations",
            &[("label", label), ("uses", uses), ("valid_days", "14")],
        )
        .await;
    assert_redirects_to(&response, "/invitations");
    invitation_token_in(&browser.page("/invitations").await)
}

on_both_engines! {
    async fn a_work_address_takes_part_as_soon_as_it_is_confirmed(app: TestApp) {
        let sam = app.another_browser();
        register_with(&sam, "sam.jones@mft.nhs.uk", "Sam Jones", "", "").await;
        // Before the link is followed the account is refused.
        let refused = sam.login("sam.jones@mft.nhs.uk", PASSWORD).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let response = sam.confirm_email("sam.jones@mft.nhs.uk").await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(sam.get("/members").await.status(), StatusCode::OK);
        let other = app.signed_in_member("kim@nhs.net", "Kim Lee").await;
        assert!(other.directory("").await.contains(&"Sam Jones".to_string()));
    }

    async fn an_applicant_reads_nothing_members_only_until_a_facilitator_approves(app: TestApp) {
        let fran = facilitator(&app, "fran@nhs.net", "Fran Facilitator").await;
        let thread = start_thread(&fran, "practice-questions", "Kettle groups", "Keep the kettle on for the carers' group.").await;
        let fran_id = app.member_id("fran@nhs.net");

        // Jo works for a charity: her address is not a work domain.
        let jo = app.another_browser();
        register_with(&jo, "jo@boltoncvs.org.uk", "Jo Charity", "Link worker at Bolton CVS, two GP practices", "").await;
        reads_nothing_members_only(&jo, thread, fran_id, "unconfirmed").await;
        let link = jo.mailroom.take_confirmation_link("jo@boltoncvs.org.uk").expect("a confirmation link");
        jo.page(&link).await;
        let confirmed = jo.post(&link, &[]).await;
        assert_eq!(confirmed.status(), StatusCode::OK);
        let page = confirmed.text().await.unwrap();
        assert!(page.contains("waiting for a facilitator"), "{page}");
        reads_nothing_members_only(&jo, thread, fran_id, "confirmed, not approved").await;
        let refused = jo.login("jo@boltoncvs.org.uk", PASSWORD).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert!(refused.text().await.unwrap().contains("waiting for a facilitator"));
        reads_nothing_members_only(&jo, thread, fran_id, "after signing in").await;
        // Nor is she in the directory or search for members.
        assert!(!fran.directory("").await.contains(&"Jo Charity".to_string()));
        let jo_id = app.member_id("jo@boltoncvs.org.uk");
        let jo_link = format!("href=\"/members/{jo_id}\"");
        assert!(!fran.page("/search?q=Charity").await.contains(&jo_link));

        // Members cannot see the queue; the facilitator sees what Jo told us.
        let kim = app.signed_in_member("kim@nhs.net", "Kim Lee").await;
        assert_eq!(kim.get("/moderation/applications").await.status(), StatusCode::FORBIDDEN);
        let queue = fran.page("/moderation/applications").await;
        for shown in ["Jo Charity", "jo@boltoncvs.org.uk", "Link worker", "Bolton", "Bolton Community Voluntary Services", "two GP practices"] {
            assert!(queue.contains(shown), "the queue shows {shown}");
        }
        let forbidden = kim.post(&format!("/moderation/applications/{jo_id}/approve"), &[]).await;
        assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);

        let approved = fran.post(&format!("/moderation/applications/{jo_id}/approve"), &[]).await;
        assert_redirects_to(&approved, "/moderation/applications");
        assert!(!waiting(&fran).await.contains(&"Jo Charity".to_string()));
        let letters = crate::courses::emails_to(&app, "jo@boltoncvs.org.uk");
        assert!(letters.iter().any(|l| l.contains("approved")), "{letters:?}");

        assert_redirects_to(&jo.login("jo@boltoncvs.org.uk", PASSWORD).await, "/");
        assert!(jo.page(&format!("/threads/{thread}")).await.contains("Keep the kettle on"));
        assert_eq!(jo.get("/members").await.status(), StatusCode::OK);
        assert!(fran.directory("").await.contains(&"Jo Charity".to_string()));
        assert!(fran.page("/search?q=Charity").await.contains(&jo_link), "found once approved");
        // Approving twice is refused rather than emailing again.
        let again = fran.post(&format!("/moderation/applications/{jo_id}/approve"), &[]).await;
        assert_eq!(again.status(), StatusCode::CONFLICT);
    }

    async fn a_declined_applicant_is_told_why_and_may_apply_again_after_thirty_days(app: TestApp) {
        let fran = facilitator(&app, "fran@nhs.net", "Fran Facilitator").await;
        let lee = app.another_browser();
        register_with(&lee, "lee@gmail.com", "Lee Visitor", "Interested in the topic", "").await;
        let link = lee.mailroom.take_confirmation_link("lee@gmail.com").unwrap();
        assert_eq!(lee.post(&link, &[]).await.status(), StatusCode::OK);
        let lee_id = app.member_id("lee@gmail.com");

        // A reason is needed; the form comes back, and nothing is decided.
        let missing = fran.post(&format!("/moderation/applications/{lee_id}/decline"), &[("reason", "")]).await;
        assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(waiting(&fran).await.contains(&"Lee Visitor".to_string()));

        let reason = "SPOT is for link workers and OTs working in Greater Manchester";
        let declined = fran.post(&format!("/moderation/applications/{lee_id}/decline"), &[("reason", reason)]).await;
        assert_redirects_to(&declined, "/moderation/applications");
        assert!(!waiting(&fran).await.contains(&"Lee Visitor".to_string()));
        let letters = crate::courses::emails_to(&app, "lee@gmail.com");
        assert!(letters.iter().any(|l| l.contains(reason) && l.contains("apply")), "{letters:?}");

        let refused = lee.login("lee@gmail.com", PASSWORD).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let page = refused.text().await.unwrap();
        assert!(page.contains(reason) && page.contains("apply again from"), "{page}");

        // Registering again within 30 days changes nothing, and says when.
        let before = crate::courses::emails_to(&app, "lee@gmail.com").len();
        register_with(&lee, "lee@gmail.com", "Lee Again", "Really a link worker now", "").await;
        let letters = crate::courses::emails_to(&app, "lee@gmail.com");
        assert_eq!(letters.len(), before + 1);
        assert!(letters.last().unwrap().contains("apply again from"), "{letters:?}");
        assert!(lee.mailroom.take_confirmation_link("lee@gmail.com").is_none());
        assert!(!waiting(&fran).await.contains(&"Lee Again".to_string()));

        // Thirty-one days on, the same address applies afresh.
        {
            use spot::schema::applications;
            let mut conn = app.db.conn().unwrap();
            diesel::update(applications::table.find(lee_id))
                .set(applications::decided_at.eq(spot::db::now() - chrono::Duration::days(31)))
                .execute(&mut *conn)
                .unwrap();
        }
        register_with(&lee, "lee@gmail.com", "Lee Again", "Now a link worker at Age UK Wigan", "").await;
        let link = lee.mailroom.take_confirmation_link("lee@gmail.com").expect("a new confirmation link");
        assert_eq!(lee.post(&link, &[]).await.status(), StatusCode::OK);
        let queue = fran.page("/moderation/applications").await;
        assert!(queue.contains("Lee Again") && queue.contains("Age UK Wigan"), "{queue}");
    }

    async fn an_invitation_lets_a_cohort_in_until_its_uses_run_out(app: TestApp) {
        let fran = facilitator(&app, "fran@nhs.net", "Fran Facilitator").await;
        let token = make_invitation(&fran, "Bolton cohort, March", "2").await;
        let page = app.another_browser().page(&format!("/register?invite={token}")).await;
        assert!(page.contains("You have an invitation") && page.contains("Fran Facilitator"), "{page}");

        for (n, email) in ["ann@charity.org", "bob@charity.org"].iter().enumerate() {
            let browser = app.another_browser();
            register_with(&browser, email, &format!("Cohort Member {n}"), "", &token).await;
            let response = browser.confirm_email(email).await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{email} is let in");
            assert_eq!(browser.get("/members").await.status(), StatusCode::OK);
        }
        // The third person finds the link used up, and waits like anyone else.
        let third = app.another_browser();
        assert!(third.page(&format!("/register?invite={token}")).await.contains("no longer"));
        register_with(&third, "cy@charity.org", "Cy Third", "", &token).await;
        let link = third.mailroom.take_confirmation_link("cy@charity.org").unwrap();
        assert_eq!(third.post(&link, &[]).await.status(), StatusCode::OK);
        assert!(waiting(&fran).await.contains(&"Cy Third".to_string()));
        assert!(fran.page("/invitations").await.contains("2 of 2"));
    }

    async fn an_admin_revokes_an_invitation_and_its_link_stops_working(app: TestApp) {
        let fran = facilitator(&app, "fran@nhs.net", "Fran Facilitator").await;
        let gus = facilitator(&app, "gus@nhs.net", "Gus Facilitator").await;
        let token = make_invitation(&fran, "Dee Smith, Age UK", "1").await;
        let admin = app.signed_in_member("ada@nhs.net", "Ada Admin").await;
        app.promote("ada@nhs.net", "admin");
        let id: i64 = {
            use spot::schema::invitations;
            let mut conn = app.db.conn().unwrap();
            invitations::table.select(invitations::id).first(&mut *conn).unwrap()
        };
        // Another facilitator may not revoke Fran's invitation; an admin may.
        assert_eq!(gus.post(&format!("/invitations/{id}/revoke"), &[]).await.status(), StatusCode::FORBIDDEN);
        assert_redirects_to(&admin.post(&format!("/invitations/{id}/revoke"), &[]).await, "/invitations");
        assert!(admin.page("/invitations").await.contains("Revoked"));

        let dee = app.another_browser();
        register_with(&dee, "dee@ageuk.org.uk", "Dee Smith", "", &token).await;
        let link = dee.mailroom.take_confirmation_link("dee@ageuk.org.uk").unwrap();
        let response = dee.post(&link, &[]).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.text().await.unwrap().contains("waiting for a facilitator"));
    }

    async fn a_bad_invitation_form_comes_back_filled_in(app: TestApp) {
        let fran = facilitator(&app, "fran@nhs.net", "Fran Facilitator").await;
        let response = fran
            .post("/invitations", &[("label", "Wigan cohort"), ("uses", "500"), ("valid_days", "14")])
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(page.contains("<title>Error: Invitations"), "{page}");
        assert_eq!(input_value(&page, "label").as_deref(), Some("Wigan cohort"));
        assert!(field_error(&page, "uses").is_some());
    }

    async fn the_console_approves_a_waiting_applicant(app: TestApp) {
        let jo = app.another_browser();
        register_with(&jo, "jo@boltoncvs.org.uk", "Jo Charity", "", "").await;
        let link = jo.mailroom.take_confirmation_link("jo@boltoncvs.org.uk").unwrap();
        jo.post(&link, &[]).await;
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_spot"))
            .args(["user", "approve", "jo@boltoncvs.org.uk"])
            .env("DATABASE_URL", &app.config.database_url)
            .env("SPOT_DATA_DIR", app.data_dir.path())
            .output()
            .expect("spot runs");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        assert!(String::from_utf8_lossy(&output.stdout).contains("is approved"));
        assert_redirects_to(&jo.login("jo@boltoncvs.org.uk", PASSWORD).await, "/");
        assert_eq!(jo.get("/members").await.status(), StatusCode::OK);

        let unknown = std::process::Command::new(env!("CARGO_BIN_EXE_spot"))
            .args(["user", "approve", "nobody@example.com"])
            .env("DATABASE_URL", &app.config.database_url)
            .env("SPOT_DATA_DIR", app.data_dir.path())
            .output()
            .expect("spot runs");
        assert!(!unknown.status.success());
        assert!(String::from_utf8_lossy(&unknown.stderr).contains("No account"));
    }

    async fn an_application_that_could_identify_a_patient_comes_back_to_be_edited(app: TestApp) {
        let about = "Link worker in Wigan; last week I saw Mrs Patel, 943 476 5919";
        let response = app
            .post(
                "/register",
                &[
                    ("email", "jo@charity.org"),
                    ("display_name", "Jo Charity"),
                    ("password", PASSWORD),
                    ("role", "link_worker"),
                    ("borough", "wigan"),
                    ("organisation", "Wigan Charity"),
                    ("about_work", about),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        let message = field_error(&page, "about_work").expect("a message by the field");
        assert!(message.contains("943 476 5919"), "{message}");
        assert_eq!(text_of(&page, "textarea[name=about_work]").as_deref(), Some(about), "the text is kept");
        assert_eq!(input_value(&page, "email").as_deref(), Some("jo@charity.org"));
        assert!(app.mailroom.take_confirmation_link("jo@charity.org").is_none(), "no account was made");
    }

    #[config(|config| config.member_domains = spot::membership::domains::MemberDomains::parse("boltoncvs.org.uk").unwrap())]
    async fn the_allowed_domains_are_a_setting(app: TestApp) {
        let jo = app.another_browser();
        register_with(&jo, "jo@boltoncvs.org.uk", "Jo Charity", "", "").await;
        assert_eq!(jo.confirm_email("jo@boltoncvs.org.uk").await.status(), StatusCode::SEE_OTHER);
        let sam = app.another_browser();
        register_with(&sam, "sam@nhs.net", "Sam Jones", "", "").await;
        let link = sam.mailroom.take_confirmation_link("sam@nhs.net").unwrap();
        assert_eq!(sam.post(&link, &[]).await.status(), StatusCode::OK, "nhs.net is not listed here");
    }
}

/// The newest email to `address` that the SMTP server received, waiting for it to arrive.
pub async fn smtp_letter_to(
    sink: &crate::mail_delivery::SmtpSink,
    address: &str,
    containing: &str,
) -> String {
    let started = std::time::Instant::now();
    loop {
        let found = sink.messages().into_iter().rev().find(|raw| {
            raw.contains(&format!("<{address}>")) && email_text(raw).contains(containing)
        });
        if let Some(raw) = found {
            return email_text(&raw);
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "no email to {address} containing {containing:?}"
        );
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn joins_over_smtp(engine: Engine) {
    let sink = crate::mail_delivery::SmtpSink::start_on(0);
    let url = format!("smtp://127.0.0.1:{}", sink.port);
    let app = TestApp::spawn_with(engine, |config| config.smtp_url = Some(url)).await;
    let fran = app
        .signed_in_member("fran@nhs.net", "Fran Facilitator")
        .await;
    app.promote("fran@nhs.net", "facilitator");

    // A work address: the emailed link lets Sam straight in.
    let sam = app.another_browser();
    register_with(&sam, "sam@salford.gov.uk", "Sam Council", "", "").await;
    let text = smtp_letter_to(&sink, "sam@salford.gov.uk", "/confirm/").await;
    let link = confirmation_link_in(&text).expect("a link");
    assert_eq!(sam.post(&link, &[]).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(sam.get("/members").await.status(), StatusCode::OK);

    // An invitation: the same.
    let token = make_invitation(&fran, "Salford cohort", "1").await;
    let ivy = app.another_browser();
    register_with(&ivy, "ivy@charity.org", "Ivy Invited", "", &token).await;
    let link =
        confirmation_link_in(&smtp_letter_to(&sink, "ivy@charity.org", "/confirm/").await).unwrap();
    assert_eq!(ivy.post(&link, &[]).await.status(), StatusCode::SEE_OTHER);

    // The queue: approved, and declined, each told by email.
    for (email, name) in [
        ("jo@charity.org", "Jo Queue"),
        ("lee@gmail.com", "Lee Queue"),
    ] {
        let browser = app.another_browser();
        register_with(&browser, email, name, "", "").await;
        let link = confirmation_link_in(&smtp_letter_to(&sink, email, "/confirm/").await).unwrap();
        assert_eq!(browser.post(&link, &[]).await.status(), StatusCode::OK);
    }
    let jo = app.member_id("jo@charity.org");
    let lee = app.member_id("lee@gmail.com");
    fran.post(&format!("/moderation/applications/{jo}/approve"), &[])
        .await;
    fran.post(
        &format!("/moderation/applications/{lee}/decline"),
        &[("reason", "Not working in Greater Manchester")],
    )
    .await;
    let approved = smtp_letter_to(&sink, "jo@charity.org", "approved").await;
    assert!(approved.contains("/login"), "{approved}");
    let declined =
        smtp_letter_to(&sink, "lee@gmail.com", "Not working in Greater Manchester").await;
    assert!(declined.contains("apply"), "{declined}");
}

#[actix_web::test]
async fn joining_works_end_to_end_over_smtp_sqlite() {
    joins_over_smtp(Engine::Sqlite).await;
}

#[actix_web::test]
#[cfg_attr(
    not(spot_postgres_tests),
    ignore = "needs PostgreSQL: set SPOT_TEST_POSTGRES_URL"
)]
async fn joining_works_end_to_end_over_smtp_postgres() {
    joins_over_smtp(Engine::Postgres).await;
}

const SQLITE_MIGRATIONS: diesel_migrations::EmbeddedMigrations =
    diesel_migrations::embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: diesel_migrations::EmbeddedMigrations =
    diesel_migrations::embed_migrations!("migrations/postgres");

/// Runs the migrations before membership, adds a member the way the old schema did, then
/// the rest: the member must come out approved, from when they joined.
macro_rules! members_of_before_stay_approved {
    ($conn:expr, $migrations:expr) => {{
        use diesel_migrations::MigrationHarness;
        use spot::schema::members;
        let conn = $conn;
        loop {
            let pending = conn.pending_migrations($migrations).expect("pending migrations");
            let next = pending.first().expect("the membership migration is pending");
            if next.name().to_string().contains("membership") {
                break;
            }
            conn.run_next_migration($migrations).expect("an earlier migration runs");
        }
        diesel::sql_query(
            "INSERT INTO members (email, display_name, sort_name, password_hash, role, borough, \
             organisation, about_source, about_html, listed, staff, session_epoch, created_at, \
             updated_at, email_confirmed_at) VALUES ('old@charity.org', 'Old Member', 'old member', \
             'x', 'link_worker', 'wigan', 'Charity', '', '', TRUE, 'member', 0, \
             '2026-01-05 10:00:00', '2026-01-05 10:00:00', '2026-01-05 10:00:00')",
        )
        .execute(conn)
        .expect("a member as the old schema had them");
        conn.run_pending_migrations($migrations).expect("the membership migration runs");
        let approved: Option<chrono::NaiveDateTime> = members::table
            .filter(members::email.eq("old@charity.org"))
            .select(members::approved_at)
            .first(conn)
            .expect("the member is still there");
        assert_eq!(
            approved.map(|at| at.to_string()).as_deref(),
            Some("2026-01-05 10:00:00"),
            "approved from when they joined"
        );
    }};
}

#[test]
fn members_who_joined_before_verification_stay_approved_sqlite() {
    use diesel::Connection;
    let folder = tempfile::tempdir().unwrap();
    let mut conn =
        diesel::SqliteConnection::establish(folder.path().join("old.db").to_str().unwrap())
            .unwrap();
    members_of_before_stay_approved!(&mut conn, SQLITE_MIGRATIONS);
}

#[test]
#[cfg_attr(
    not(spot_postgres_tests),
    ignore = "needs PostgreSQL: set SPOT_TEST_POSTGRES_URL"
)]
fn members_who_joined_before_verification_stay_approved_postgres() {
    use diesel::Connection;
    let admin_url = without_tls(&std::env::var("SPOT_TEST_POSTGRES_URL").unwrap());
    let name = format!("spot_migration_{}", uuid::Uuid::new_v4().simple());
    let mut admin = diesel::PgConnection::establish(&admin_url).unwrap();
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .unwrap();
    let mut url = url::Url::parse(&admin_url).unwrap();
    url.set_path(&name);
    let outcome = std::panic::catch_unwind(|| {
        let mut conn = diesel::PgConnection::establish(url.as_str()).unwrap();
        members_of_before_stay_approved!(&mut conn, POSTGRES_MIGRATIONS);
    });
    diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .unwrap();
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}
