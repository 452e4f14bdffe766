//! The weekly round-up: the week's busiest discussions (the member's own cluster of boroughs
//! first) and new resources for their role and boroughs, once a week, to those who want it.

use spot::notifications::compose::period;
use spot::notifications::Cadence;

use crate::forum::{member, reply, start_thread};
use crate::helpers::*;
use crate::on_both_engines;
use crate::resources::Share;

/// The emails to one address among those written so far.
fn emails_to(app: &TestApp, address: &str) -> Vec<String> {
    app.emails()
        .into_iter()
        .filter(|raw| raw.contains(&format!("<{address}>")))
        .map(|raw| email_text(&raw))
        .collect()
}

on_both_engines! {
    async fn the_weekly_round_up_brings_the_busiest_discussions_and_resources_for_the_member(app: TestApp) {
        // Ann works in Bolton: her cluster is Trafford, Salford, Wigan and Bolton.
        let ann = app.another_browser();
        ann.join("ann@nhs.net", "Ann Bolton", "link_worker", "bolton").await;
        // Two replies from Wigan (Ann's cluster), four from Manchester (another cluster).
        let ben = member(&app, "ben@nhs.net", "Ben Wigan").await; // a Wigan link worker
        let walking = start_thread(&ben, "practice-questions", "Wigan walking groups", "Who runs them?").await;
        reply(&ben, walking, "The Tuesday one is good.").await;
        let cara = app.another_browser();
        cara.join("cara@nhs.net", "Cara Manchester", "occupational_therapist", "manchester").await;
        let pantry = start_thread(&cara, "practice-questions", "Manchester food pantry", "Opening times?").await;
        for text in ["Mondays.", "And Thursdays.", "Not in August.", "Thanks!"] {
            reply(&cara, pantry, text).await;
        }
        // One resource for everyone, one for OTs in Stockport only.
        Share::link("Walking group directory", "https://www.nhs.uk/").tags("community").shared_by(&cara).await;
        Share::link("Stockport OT referral form", "https://www.nhs.uk/")
            .tags("community").audience("occupational_therapist").borough("stockport")
            .shared_by(&cara).await;
        let before = emails_to(&app, "ann@nhs.net").len();

        // A week on, the worker's round writes the round-up.
        let later = spot::db::now() + chrono::Duration::days(7);
        let (monday, _) = period(Cadence::Weekly, later);
        assert!(monday > spot::db::now(), "the next Monday morning is ahead");
        app.mail_round_at(later);
        let letters = emails_to(&app, "ann@nhs.net");
        assert_eq!(letters.len(), before + 1, "one round-up for Ann");
        let letter = letters.last().unwrap();
        assert!(letter.contains("This week on SPOT"), "{letter}");
        let wigan = letter.find("Wigan walking groups").expect("her cluster's busy thread");
        let manchester = letter.find("Manchester food pantry").expect("the busiest thread anywhere");
        assert!(wigan < manchester, "her own cluster's discussion comes first");
        assert!(letter.contains("Walking group directory"), "{letter}");
        assert!(!letter.contains("Stockport OT referral form"), "not for a Bolton link worker: {letter}");
        assert!(letter.contains("/unsubscribe/"), "{letter}");

        // The same round again sends nothing more.
        app.mail_round_at(later);
        assert_eq!(emails_to(&app, "ann@nhs.net").len(), before + 1, "no second round-up");

        // Ann turns the round-up off: the next week brings none.
        let response = ann
            .post("/account/notifications", &[("replies", "immediately"), ("mentions", "immediately"),
                ("watching", "daily"), ("tags", "daily"), ("moderation", "immediately"),
                ("roundup", "never"), ("auto_watch", "yes")])
            .await;
        assert_redirects_to(&response, "/account/notifications");
        app.mail_round_at(later + chrono::Duration::days(7));
        assert_eq!(emails_to(&app, "ann@nhs.net").len(), before + 1, "round-up turned off");
    }
}
