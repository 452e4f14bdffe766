//! The programme's and partners' marks: an admin uploads them (PNG or WebP, judged by their
//! content; SVG refused), every page's footer shows them with their alternative text, and
//! everyone can fetch the image.

use reqwest::{Response, StatusCode};

use crate::admin::admin;
use crate::forum::member;
use crate::helpers::*;
use crate::on_both_engines;
use crate::resources::post_multipart;

const PNG: &[u8] = include_bytes!("../../assets/icon-32.png");
const SVG: &[u8] =
    br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;

/// Sends the marks form as a browser does, the token first.
async fn upload(
    browser: &Browser,
    name: &str,
    alt: &str,
    role: &str,
    file: (&str, &[u8]),
) -> Response {
    let token = browser.csrf_token().await;
    let parts: [(&str, Option<&str>, &[u8]); 5] = [
        ("csrf_token", None, token.as_bytes()),
        ("name", None, name.as_bytes()),
        ("alt_text", None, alt.as_bytes()),
        ("role", None, role.as_bytes()),
        ("file", Some(file.0), file.1),
    ];
    post_multipart(browser, "/admin/marks", &parts).await
}

on_both_engines! {
    async fn an_svg_is_refused_with_the_reason_and_nothing_reaches_the_footer(app: TestApp) {
        admin(&app).await;
        let response = upload(&app, "University of Salford", "University of Salford logo", "programme", ("logo.png", SVG)).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        let message = field_error(&page, "file").unwrap_or_default();
        assert!(message.contains("SVG"), "{message}");
        assert!(message.contains("PNG or WebP"), "{message}");
        assert_eq!(input_value(&page, "name").as_deref(), Some("University of Salford"), "the form keeps what was typed");
        assert_eq!(count_of(&app.page("/").await, ".footer-marks img"), 0);

        // Anything else that is not PNG or WebP, and a missing alternative text, too.
        let response = upload(&app, "Trust", "", "partner", ("logo.pdf", b"%PDF-1.7\n%\xe2\xe3")).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(field_error(&page, "file").is_some_and(|m| m.contains("not a PNG or WebP")), "{page}");
        assert_eq!(field_error(&page, "alt_text").as_deref(), Some("Error: Enter the image's alternative text"));
    }

    async fn a_png_mark_shows_in_every_footer_with_its_alt_text_until_removed(app: TestApp) {
        admin(&app).await;
        let response = upload(&app, "Elizabeth Casson Trust", "Elizabeth Casson Trust logo", "partner", ("ect.png", PNG)).await;
        assert_redirects_to(&response, "/admin/marks");
        let response = upload(&app, "University of Salford", "University of Salford logo", "programme", ("uos.png", PNG)).await;
        assert_redirects_to(&response, "/admin/marks");

        // A visitor's public page: the programme's mark first, then the partner's.
        let visitor = app.another_browser();
        let home = visitor.page("/").await;
        let alts: Vec<String> = scraper::Html::parse_document(&home)
            .select(&scraper::Selector::parse(".footer-marks img").unwrap())
            .filter_map(|img| img.value().attr("alt").map(str::to_owned))
            .collect();
        assert_eq!(alts, ["University of Salford logo", "Elizabeth Casson Trust logo"]);
        assert_eq!(texts_of(&home, ".footer-marks .mark-name"), ["University of Salford", "Elizabeth Casson Trust"]);
        let src = attr_of(&home, ".footer-marks img", "src").expect("an image address");

        // The image itself: for everyone, as the PNG it is, shown inline and sniffed by nobody.
        let image = visitor.get(&src).await;
        assert_eq!(image.status(), StatusCode::OK);
        assert_eq!(header(&image, "content-type"), "image/png");
        assert!(header(&image, "content-disposition").starts_with("inline"), "{}", header(&image, "content-disposition"));
        assert_eq!(header(&image, "x-content-type-options"), "nosniff");
        assert!(header(&image, "content-security-policy").contains("sandbox"));
        assert_eq!(image.bytes().await.unwrap().as_ref(), PNG);

        // Removed: gone from the footer and from its address.
        let first = attr_of(&app.page("/admin/marks").await, ".mark-admin-list img", "src").expect("a mark");
        assert_eq!(first, src, "the admins' list is in the footer's order");
        let response = app.post(&format!("/admin{first}/remove"), &[]).await;
        assert_redirects_to(&response, "/admin/marks");
        assert_eq!(texts_of(&visitor.page("/").await, ".footer-marks .mark-name"), ["Elizabeth Casson Trust"]);
        assert_eq!(visitor.get(&first).await.status(), StatusCode::NOT_FOUND);
        let audit = app.page("/admin/audit").await;
        assert!(audit.contains("mark added") && audit.contains("mark removed"), "{audit}");
    }

    async fn only_admins_may_change_the_marks(app: TestApp) {
        admin(&app).await;
        upload(&app, "University of Salford", "University of Salford logo", "programme", ("uos.png", PNG)).await;
        let sam = member(&app, "sam@nhs.net", "Sam Jones").await;
        assert_eq!(sam.get("/admin/marks").await.status(), StatusCode::FORBIDDEN);
        let response = upload(&sam, "Sam's Trust", "Sam's logo", "partner", ("x.png", PNG)).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let id = attr_of(&app.page("/admin/marks").await, ".mark-admin-list img", "src").expect("a mark");
        let response = sam.post(&format!("/admin{id}/remove"), &[]).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let home = sam.page("/").await;
        assert_eq!(texts_of(&home, ".footer-marks .mark-name"), ["University of Salford"]);
        let visitor = app.another_browser();
        assert_redirects_to(&visitor.get("/admin/marks").await, "/login?next=%2Fadmin%2Fmarks");
        assert_eq!(visitor.get("/marks/999").await.status(), StatusCode::NOT_FOUND);
        assert_eq!(visitor.get("/marks/nonsense").await.status(), StatusCode::NOT_FOUND);
    }
}
