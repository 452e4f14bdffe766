//! Connecting the two professions: "my service" on the profile (through the patient-data
//! guard like the "about" text), "Your counterparts", and the map of the ten boroughs with
//! the same figures in a table — members only, and on the home page when an admin says so.

use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use reqwest::StatusCode;

use crate::courses::{book_ok, north_run};
use crate::forum::{facilitator, textarea_text};
use crate::helpers::*;
use crate::on_both_engines;

const BOROUGHS: [(&str, &str); 10] = [
    ("bolton", "Bolton"),
    ("bury", "Bury"),
    ("manchester", "Manchester"),
    ("oldham", "Oldham"),
    ("rochdale", "Rochdale"),
    ("salford", "Salford"),
    ("stockport", "Stockport"),
    ("tameside", "Tameside"),
    ("trafford", "Trafford"),
    ("wigan", "Wigan"),
];

/// `count` members of one role in one borough, straight into the database.
fn add_members(app: &TestApp, borough: &str, role: &str, count: usize) {
    let people: Vec<(String, String)> = (0..count)
        .map(|i| {
            (
                format!("{borough}-{role}-{i}@nhs.net"),
                format!("{} {role} {i}", capitalised(borough)),
            )
        })
        .collect();
    let rows: Vec<(&str, &str, &str, &str)> = people
        .iter()
        .map(|(email, name)| (email.as_str(), name.as_str(), role, borough))
        .collect();
    app.insert_members(&rows);
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Changes one member's row the way an admin or the member would have.
fn set_member(app: &TestApp, email: &str, listed: bool, suspended: bool) {
    use spot::schema::members;
    let mut conn = app.db.conn().expect("connection");
    let suspended_at = suspended.then(spot::db::now);
    diesel::update(members::table.filter(members::email.eq(email)))
        .set((
            members::listed.eq(listed),
            members::suspended_at.eq(suspended_at),
        ))
        .execute(&mut *conn)
        .expect("member changed");
}

/// The map's borough links: (href, accessible name).
fn map_links(page: &str) -> Vec<(String, String)> {
    let document = scraper::Html::parse_document(page);
    let links = scraper::Selector::parse("figure.gm-map svg a").unwrap();
    document
        .select(&links)
        .map(|a| {
            (
                a.value().attr("href").unwrap_or_default().to_owned(),
                a.value().attr("aria-label").unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The map table's rows: each cell's text.
fn map_table(page: &str) -> Vec<Vec<String>> {
    table_rows(page, ".map-table tbody tr", "th, td")
}

/// Members that search finds for these words.
async fn members_found(browser: &Browser, words: &str) -> usize {
    let query: String = url::form_urlencoded::byte_serialize(words.as_bytes()).collect();
    let page = browser.page(&format!("/search?q={query}")).await;
    count_of(
        &page,
        r#"section[aria-labelledby="results-members"] li.search-result"#,
    )
}

/// Names in one section of the counterparts page.
fn section_names(page: &str, section: &str) -> Vec<String> {
    texts_of(
        page,
        &format!(r#"section[aria-labelledby="{section}"] li.card h3 a"#),
    )
}

on_both_engines! {
    async fn the_map_shows_all_ten_boroughs_with_the_directorys_counts(app: TestApp) {
        app.join("viewer@nhs.net", "Vic Viewer", "occupational_therapist", "salford").await;
        add_members(&app, "salford", "link_worker", 12);
        add_members(&app, "salford", "occupational_therapist", 8);
        add_members(&app, "wigan", "link_worker", 1);
        add_members(&app, "stockport", "occupational_therapist", 3);
        add_members(&app, "bury", "link_worker", 2);
        // Not counted: an unlisted member, a suspended one, an applicant.
        set_member(&app, "bury-link_worker-0@nhs.net", false, false);
        set_member(&app, "stockport-occupational_therapist-0@nhs.net", true, true);
        app.another_browser().register("new@charity.org.uk", "Nia New", "link_worker", "wigan").await;

        let page = app.page("/map").await;
        assert_eq!(text_of(&page, "h1").as_deref(), Some("Members across Greater Manchester"));
        let expected = |slug: &str| -> (i64, i64) {
            match slug {
                "salford" => (12, 9),
                "wigan" => (1, 0),
                "stockport" => (0, 2),
                "bury" => (1, 0),
                _ => (0, 0),
            }
        };
        let links = map_links(&page);
        assert_eq!(links.len(), 10, "{links:?}");
        for ((slug, name), (href, label)) in BOROUGHS.iter().zip(&links) {
            assert_eq!(href, &format!("/members?borough={slug}"));
            assert!(label.starts_with(&format!("{name}: ")), "{label}");
        }
        assert!(links.iter().any(|(_, l)| l == "Salford: 12 link workers, 9 occupational therapists"), "{links:?}");
        assert!(links.iter().any(|(_, l)| l == "Wigan: 1 link worker, no occupational therapists"), "{links:?}");
        assert!(links.iter().any(|(_, l)| l == "Stockport: no link workers, 2 occupational therapists"), "{links:?}");
        // Every borough is drawn, shaded, and labelled with its figures.
        assert_eq!(count_of(&page, "figure.gm-map svg a path.borough[d^='M']"), 10);
        assert_eq!(count_of(&page, "figure.gm-map svg path.shade-4"), 1, "Salford is the busiest");
        assert_eq!(count_of(&page, "figure.gm-map svg path.shade-0"), 6);
        let labels = texts_of(&page, "figure.gm-map text.map-label");
        assert_eq!(count_of(&page, "figure.gm-map text.map-halo"), 10, "each label has its halo");
        assert_eq!(labels.len(), 10);
        assert!(labels.iter().any(|l| l.contains("Salford") && l.contains("12 LW") && l.contains("9 OT")), "{labels:?}");

        // The table beside it says the same, with a caption and the totals.
        assert_eq!(text_of(&page, ".map-table caption").as_deref(), Some("Members by borough"));
        let rows = map_table(&page);
        assert_eq!(rows.len(), 10);
        for (row, (slug, name)) in rows.iter().zip(BOROUGHS) {
            let (lw, ot) = expected(slug);
            assert_eq!(row, &[name.to_owned(), lw.to_string(), ot.to_string(), (lw + ot).to_string()]);
        }
        assert_eq!(count_of(&page, r#".map-table tbody th a[href="/members?borough=salford"]"#), 1);
        assert_eq!(texts_of(&page, ".map-table tfoot td"), ["14", "11", "25"]);

        // The figures are the directory's: its Salford link workers are the map's twelve.
        let listed = app.page("/members?borough=salford&role=link_worker").await;
        assert!(listed.contains("12 link workers in Salford"), "{listed}");
        // And the outlines' licence and attribution are shown with the map.
        let credit = text_of(&page, ".map-credit").expect("the credit");
        assert!(credit.contains("Martin Chorley") && credit.contains("Creative Commons Attribution 4.0"), "{credit}");
        assert!(credit.contains("Contains Ordnance Survey data"), "{credit}");
        // Drawn by SPOT, inline: no script (the page shell's own aside), no image from elsewhere.
        assert_eq!(count_of(&page, OTHER_SCRIPTS), 0);
        assert_eq!(count_of(&page, "img"), 0);
    }

    async fn map_counterparts_and_service_are_for_members_only(app: TestApp) {
        for path in ["/map", "/counterparts", "/account/service"] {
            let response = app.get(path).await;
            let next: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
            assert_redirects_to(&response, &format!("/login?next={next}"));
        }
        let response = app.post("/account/service", &[("offers", "Walks")]).await;
        assert!(!response.status().is_success(), "{}", response.status());
    }

    async fn counterparts_are_the_other_profession_near_you_then_your_course(app: TestApp) {
        crate::courses::admin(&app).await;
        let run = north_run(&app, "15").await;
        // Olu is an OT in Manchester; his cluster is Manchester, Rochdale and Bury.
        let olu = crate::courses::member(&app, "olu@nhs.net", "Olu Adeyemi", "occupational_therapist", "manchester").await;
        app.insert_members(&[
            ("lina@nhs.net", "Lina Hart", "link_worker", "manchester"),
            ("ben@nhs.net", "Ben Cole", "link_worker", "manchester"),
            ("ot@nhs.net", "Oona Tate", "occupational_therapist", "manchester"),
            ("rob@nhs.net", "Rob Dale", "link_worker", "rochdale"),
            ("bea@nhs.net", "Bea Bury", "link_worker", "bury"),
            ("sal@nhs.net", "Sal Ford", "link_worker", "salford"),
            ("hid@nhs.net", "Hidden Person", "link_worker", "manchester"),
        ]);
        set_member(&app, "hid@nhs.net", false, false);
        let page = olu.page("/counterparts").await;
        assert_eq!(text_of(&page, "h1").as_deref(), Some("Your counterparts"));
        assert_eq!(section_names(&page, "in-borough"), ["Ben Cole", "Lina Hart"]);
        assert_eq!(section_names(&page, "in-cluster"), ["Bea Bury", "Rob Dale"]);
        assert!(section_names(&page, "from-course").is_empty());
        assert!(page.contains(r#"href="/courses""#), "how to get course mates: {page}");
        // Each has a button to write to them, named for them.
        let lina = app.member_id("lina@nhs.net");
        assert_eq!(count_of(&page, &format!(r#"a.contact-button[href="/messages/new?to={lina}"]"#)), 1);
        assert!(texts_of(&page, "a.contact-button").iter().any(|t| t == "Send a message to Lina Hart"));
        assert_eq!(count_of(&page, r#"a[href="/members?role=link_worker&borough=manchester"]"#), 1);

        // The people booked on his run, both professions, link workers (the other) first.
        let sam = crate::courses::member(&app, "sam@nhs.net", "Sam Jones", "link_worker", "rochdale").await;
        let zoe = crate::courses::member(&app, "zoe@nhs.net", "Zoe Ash", "occupational_therapist", "bury").await;
        let tom = crate::courses::member(&app, "tom@nhs.net", "Tom Tame", "link_worker", "bury").await;
        book_ok(&olu, run).await;
        book_ok(&sam, run).await;
        book_ok(&zoe, run).await;
        let page = olu.page("/counterparts").await;
        assert_eq!(section_names(&page, "from-course"), ["Sam Jones", "Zoe Ash"]);
        // Tom, not booked, is only a counterpart in the cluster; Sam's page shows Olu and Zoe.
        assert!(section_names(&page, "in-cluster").contains(&"Tom Tame".to_owned()));
        let page = sam.page("/counterparts").await;
        assert_eq!(section_names(&page, "from-course"), ["Olu Adeyemi", "Zoe Ash"]);
        assert!(section_names(&tom.page("/counterparts").await, "from-course").is_empty());

        // The button respects each one's choice: Zoe takes messages from nobody now, so
        // neither her counterparts card nor her directory card offers one (nor says why).
        zoe.post("/messages/settings", &[("accepts", "nobody")]).await;
        let zoe_id = app.member_id("zoe@nhs.net");
        let to_zoe = format!(r#"a[href="/messages/new?to={zoe_id}"]"#);
        let page = sam.page("/counterparts").await;
        assert_eq!(count_of(&page, &to_zoe), 0, "{page}");
        assert!(page.contains("Does not take new messages from you."), "{page}");
        let to_olu = format!(r#"a[href="/messages/new?to={}"]"#, app.member_id("olu@nhs.net"));
        assert_eq!(count_of(&page, &to_olu), 2, "in the cluster and from the course: {page}");
        let directory = sam.page("/members?borough=bury").await;
        assert_eq!(count_of(&directory, &to_zoe), 0, "{directory}");
        assert_eq!(count_of(&directory, &format!(r#"a[href="/messages/new?to={}"]"#, app.member_id("tom@nhs.net"))), 1);
        let profile = sam.page(&format!("/members/{zoe_id}")).await;
        assert_eq!(count_of(&profile, &to_zoe), 0, "nor her profile: {profile}");
        assert!(profile.contains("Does not take new messages from you."), "{profile}");
        let tom_id = app.member_id("tom@nhs.net");
        let profile = sam.page(&format!("/members/{tom_id}")).await;
        assert_eq!(count_of(&profile, &format!(r#"a[href="/messages/new?to={tom_id}"]"#)), 1, "{profile}");
    }

    async fn a_long_list_of_counterparts_is_capped_with_the_directory_for_the_rest(app: TestApp) {
        app.join("olu@nhs.net", "Olu Adeyemi", "occupational_therapist", "wigan").await;
        add_members(&app, "wigan", "link_worker", 14);
        let page = app.page("/counterparts").await;
        assert_eq!(section_names(&page, "in-borough").len(), 12);
        assert!(page.contains("Showing the first 12"), "{page}");
        assert_eq!(count_of(&page, r#"a[href="/members?role=link_worker&borough=wigan"]"#), 1);
    }

    async fn a_service_shows_on_the_profile_and_a_flagged_one_waits_for_a_facilitator(app: TestApp) {
        app.join("lina@nhs.net", "Lina Hart", "link_worker", "salford").await;
        let lina = app.member_id("lina@nhs.net");
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let account = app.page("/account").await;
        assert_eq!(count_of(&account, r#"a[href="/account/service"]"#), 1);

        let form = app.page("/account/service").await;
        assert_eq!(count_of(&form, "fieldset legend"), 1);
        assert_eq!(count_of(&form, r#"fieldset input[type="checkbox"][name="boroughs"]"#), 10);
        assert_eq!(count_of(&form, "label[for=offers]"), 1);
        let response = app.post("/account/service", &[
            ("offers", "Walking groups and **befriending**. <script>alert(1)</script>"),
            ("who_for", "Adults who are lonely."),
            ("referral", "Self-referral by phone."),
            ("boroughs", "salford"),
            ("boroughs", "trafford"),
        ]).await;
        assert_redirects_to(&response, "/account/service");
        let form = app.page("/account/service").await;
        assert!(form.contains("Your service has been saved"), "{form}");
        assert_eq!(count_of(&form, r#"input[name="boroughs"][checked]"#), 2);

        let profile = fay.page(&format!("/members/{lina}")).await;
        let service = text_of(&profile, "section.service").expect("the service section");
        assert!(service.contains("Walking groups") && service.contains("Adults who are lonely"), "{service}");
        assert!(service.contains("Salford and Trafford"), "{service}");
        assert!(profile.contains("<strong>befriending</strong>"), "{profile}");
        assert_eq!(count_of(&profile, "section.service script"), 0);
        // The directory finds her by where her service works; search, by what it offers.
        assert_eq!(fay.directory("?covers=trafford").await, ["Lina Hart"]);
        assert!(fay.directory("?covers=wigan").await.is_empty());
        assert!(fay.page("/members?covers=trafford").await.contains("whose service covers Trafford"));
        assert_eq!(members_found(&fay, "befriending").await, 1);

        // A wrong borough is refused by its field, keeping what was typed.
        let response = app.post("/account/service", &[("offers", "Kept words"), ("boroughs", "atlantis")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(field_error(&page, "boroughs").is_some(), "{page}");
        assert_eq!(textarea_text(&page, "offers").as_deref(), Some("Kept words"));

        // A text the guard flags comes back with what it found and the box to tick.
        let flagged = "Mr Okafor, DOB 01/02/1950, joined our axolotl walk.";
        let fields = |confirm: bool| {
            let mut fields = vec![("offers", "Walking groups."), ("who_for", flagged), ("boroughs", "salford")];
            if confirm {
                fields.push(("confirm_patient_data", "yes"));
            }
            fields
        };
        let response = app.post("/account/service", &fields(false)).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(field_error(&page, "who_for").is_some_and(|e| e.contains("date of birth")), "{page}");
        assert_eq!(count_of(&page, r#"input[name="confirm_patient_data"]"#), 1);
        assert_eq!(textarea_text(&page, "who_for").as_deref(), Some(flagged));
        // Confirmed, it is held: others still see the earlier texts; the area changes at once.
        assert_redirects_to(&app.post("/account/service", &fields(true)).await, "/account/service");
        let profile = fay.page(&format!("/members/{lina}")).await;
        assert!(profile.contains("Adults who are lonely") && !profile.contains("axolotl"), "{profile}");
        assert_eq!(members_found(&fay, "axolotl").await, 0, "held words are not searchable");
        assert!(!text_of(&profile, "section.service").unwrap().contains("Trafford"));
        let own = app.page("/account/service").await;
        assert!(own.contains("waiting for a facilitator"), "{own}");
        assert_eq!(textarea_text(&own, "who_for").as_deref(), Some(flagged));

        // The facilitator sees it in the queue, marked, and approves it.
        let queue = fay.page("/moderation/held").await;
        assert!(queue.contains("my service") && queue.contains("axolotl"), "{queue}");
        let hold = attr_of(&queue, r#"form[action$="/approve"]"#, "action").expect("an approve form");
        let response = fay.post(&hold, &[]).await;
        assert_redirects_to(&response, "/moderation/held");
        let profile = fay.page(&format!("/members/{lina}")).await;
        assert!(profile.contains("axolotl"), "{profile}");
        assert_eq!(members_found(&fay, "axolotl").await, 1);
        assert!(!app.page("/account/service").await.contains("waiting for a facilitator"));
    }

    async fn a_facilitator_takes_details_out_of_a_held_service(app: TestApp) {
        app.join("lina@nhs.net", "Lina Hart", "link_worker", "salford").await;
        let lina = app.member_id("lina@nhs.net");
        let fay = facilitator(&app, "fay@nhs.net", "Fay Green").await;
        let flagged = "Ask Mrs Patel, born 12/03/1954, about the axolotl club.";
        let response = app.post("/account/service", &[
            ("offers", flagged), ("referral", "Phone us."), ("confirm_patient_data", "yes"),
        ]).await;
        assert_redirects_to(&response, "/account/service");
        let queue = fay.page("/moderation/held").await;
        let approve = attr_of(&queue, r#"form[action$="/approve"]"#, "action").unwrap();
        let redact = approve.replace("/approve", "/redact");
        let form = fay.page(&redact).await;
        assert_eq!(textarea_text(&form, "offers").as_deref(), Some(flagged));
        assert_eq!(textarea_text(&form, "referral").as_deref(), Some("Phone us."));
        // Still identifying: refused by its field.
        let response = fay.post(&redact, &[("offers", flagged), ("referral", "Phone us."), ("note", "Took out the name")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let response = fay.post(&redact, &[
            ("offers", "Ask about the axolotl club."), ("referral", "Phone us."), ("note", "Took out a name and a date of birth"),
        ]).await;
        assert_redirects_to(&response, "/moderation/held");
        let profile = fay.page(&format!("/members/{lina}")).await;
        assert!(profile.contains("Ask about the axolotl club.") && !profile.contains("Patel"), "{profile}");
        assert!(profile.contains("Phone us."), "{profile}");
    }

    async fn admins_may_show_the_maps_counts_on_the_home_page(app: TestApp) {
        crate::courses::admin(&app).await;
        add_members(&app, "oldham", "occupational_therapist", 4);
        let visitor = app.another_browser();
        let home = visitor.page("/").await;
        assert_eq!(count_of(&home, "figure.gm-map"), 0, "off until an admin says so");

        // Only an admin may change it.
        let member = crate::courses::member(&app, "sam@nhs.net", "Sam Jones", "link_worker", "wigan").await;
        let response = member.post("/admin/settings", &[("map_on_home", "yes")]).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(count_of(&visitor.page("/").await, "figure.gm-map"), 0);

        let settings = app.page("/admin/settings").await;
        assert_eq!(count_of(&settings, r#"input[name="map_on_home"]:not([checked])"#), 1);
        assert_redirects_to(&app.post("/admin/settings", &[("map_on_home", "yes")]).await, "/admin/settings");
        assert_eq!(count_of(&app.page("/admin/settings").await, r#"input[name="map_on_home"][checked]"#), 1);
        let home = visitor.page("/").await;
        assert_eq!(count_of(&home, "figure.gm-map svg path.borough"), 10);
        assert_eq!(count_of(&home, r#"figure.gm-map svg[role="img"]"#), 1);
        // A visitor gets the figures, not links into the members-only directory.
        assert_eq!(count_of(&home, r#"a[href^="/members?borough="]"#), 0);
        let rows = map_table(&home);
        assert_eq!(rows[3], ["Oldham", "0", "4", "4"]);
        assert!(text_of(&home, ".map-credit").is_some_and(|c| c.contains("Martin Chorley")));
        // Members get the links.
        assert_eq!(count_of(&member.page("/").await, r#"figure.gm-map svg a[href="/members?borough=oldham"]"#), 1);

        // Unticked, the box sends nothing: the map leaves the home page.
        assert_redirects_to(&app.post("/admin/settings", &[]).await, "/admin/settings");
        assert_eq!(count_of(&visitor.page("/").await, "figure.gm-map"), 0);
        assert!(app.page("/admin/audit").await.contains("site setting changed"));
    }
}
