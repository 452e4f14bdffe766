//! SPOT on a phone: the menu that folds into one disclosure (without JavaScript), the
//! icons and web app manifest that let a member add SPOT to a home screen, and emails that
//! look like the site.

use reqwest::StatusCode;

use crate::forum::{member, reply, start_thread};
use crate::helpers::*;
use crate::notifications::{all_mail, Mail};
use crate::on_both_engines;

on_both_engines! {
    async fn the_menu_is_one_disclosure_holding_search_sections_and_account(app: TestApp) {
        for browser in [app.another_browser(), member(&app, "sam@nhs.net", "Sam Jones").await] {
            let home = browser.page("/").await;
            // A details element: it opens and closes with no script at all.
            assert_eq!(count_of(&home, "header details.site-menu > summary.menu-toggle"), 1, "{home}");
            for inside in ["form[role=search]", "nav.site-nav a[href='/forum']", ".account-links"] {
                assert_eq!(count_of(&home, &format!("details.site-menu {inside}")), 1, "{inside} in the menu");
            }
            assert_eq!(count_of(&home, OTHER_SCRIPTS), 0, "the menu needs no script");
            // The footer: the site's published pages.
            for path in ["/privacy", "/terms", "/guidelines", "/accessibility", "/contact"] {
                assert_eq!(count_of(&home, &format!("footer a[href='{path}']")), 1, "{path} in the footer");
            }
        }
    }

    async fn a_phone_can_add_spot_to_its_home_screen(app: TestApp) {
        let home = app.page("/").await;
        assert_eq!(attr_of(&home, "link[rel=manifest]", "href").as_deref(), Some("/manifest.webmanifest"));
        assert_eq!(attr_of(&home, "link[rel=apple-touch-icon]", "href").as_deref(), Some("/assets/apple-touch-icon.png"));
        let response = app.get("/manifest.webmanifest").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(header(&response, "content-type"), "application/manifest+json");
        assert!(header(&response, "cache-control").contains("max-age"));
        let manifest: serde_json::Value = response.json().await.expect("the manifest is JSON");
        assert_eq!(manifest["short_name"], "SPOT");
        assert_eq!(manifest["start_url"], "/");
        assert_eq!(manifest["display"], "standalone");
        assert_eq!(manifest["theme_color"], "#005eb8");
        let icons = manifest["icons"].as_array().expect("icons");
        assert!(icons.iter().any(|icon| icon["sizes"] == "512x512" && icon["purpose"] == "maskable"));
        // Every icon it names is served, as the PNG of the size it says.
        for icon in icons {
            let src = icon["src"].as_str().expect("src");
            let response = app.get(src).await;
            assert_eq!(response.status(), StatusCode::OK, "{src}");
            assert_eq!(header(&response, "content-type"), "image/png", "{src}");
            let png = response.bytes().await.unwrap();
            assert_eq!(&png[1..4], b"PNG", "{src}");
            let width = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
            assert_eq!(icon["sizes"], format!("{width}x{width}"), "{src}");
        }
        let ico = app.get("/favicon.ico").await;
        assert_eq!(ico.status(), StatusCode::OK);
        assert_eq!(header(&ico, "content-type"), "image/x-icon");
        assert_eq!(&ico.bytes().await.unwrap()[..4], [0, 0, 1, 0], "an ICO file");
    }

    async fn emails_carry_the_wordmark_in_html_and_keep_their_text_part(app: TestApp) {
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        let kim = member(&app, "kim@nhs.net", "Kim Lee").await;
        let thread = start_thread(&sam, "practice-questions", "Ramps", "Who fits ramps?").await;
        reply(&kim, thread, "The **council** does.").await;
        // A letter written only as text: its HTML part is made from it, in the same frame.
        app.another_browser().request_reset("kim@nhs.net").await;
        let mail: Vec<Mail> = all_mail(&app);
        let reply_letter = mail.iter().find(|m| m.to == "sam@nhs.net").expect("the reply's letter");
        let reset = mail.iter().find(|m| m.to == "kim@nhs.net").expect("the reset letter");
        assert!(reset.text.contains("/password-reset/"), "{}", reset.text);
        for letter in [reply_letter, reset] {
            assert_eq!(&letter.types[..3], ["multipart/alternative", "text/plain", "text/html"], "{:?}", letter.types);
            let wordmark = text_of(&letter.html, ".wordmark");
            assert_eq!(wordmark.as_deref(), Some("SPOT"), "{}", letter.html);
            assert!(letter.html.contains("background: #005eb8"), "SPOT's blue: {}", letter.html);
            assert!(letter.html.contains("max-width: 600px"), "one column a phone's width: {}", letter.html);
            assert!(attr_of(&letter.html, "meta[name=viewport]", "content").is_some());
            assert!(!letter.text.contains('<'), "the text part is plain text: {}", letter.text);
        }
        assert!(reply_letter.text.contains("The **council** does."), "{}", reply_letter.text);
        assert!(reply_letter.html.contains("<strong>council</strong>"), "{}", reply_letter.html);
    }
}
