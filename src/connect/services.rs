//! "My service" on a member's profile: what their service offers, who it is for, how to refer
//! to it, and the boroughs it covers — so that an OT can learn what a link worker's service
//! takes, and the other way round.
//!
//! The three texts are published by their member like the "about" text and go the same way:
//! the patient-data guard screens them, a confirmed flagged version waits in a hold (kind
//! `service`, the three texts together in its pending text) while the profile keeps the
//! version approved before, and a facilitator's approval publishes it ([`set_texts`]).
//! The area is not text anyone could write a patient into: it is saved at once.

use std::collections::BTreeSet;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::accounts::Borough;
use crate::db::{DbConn, MemberId, WriteConn};
use crate::guard::Verdict;
use crate::holds::{self, Held, Hold, HoldStatus, NewHold};
use crate::markdown::{self, SafeHtml};
use crate::schema::{member_services, service_areas};

/// One of a service's texts: Markdown or plain text, trimmed, at most [`ServiceText::MAX`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceText(String);

impl ServiceText {
    pub const MAX: usize = 2000;

    /// `what` names the text in the message: "What your service offers".
    pub fn parse(input: &str, what: &str) -> Result<Self, String> {
        let trimmed = input.trim();
        if trimmed.chars().count() > Self::MAX {
            return Err(format!("{what} must be {} characters or fewer", Self::MAX));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The three texts of a service, as written (Markdown).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceTexts {
    pub offers: String,
    pub who_for: String,
    pub referral: String,
}

impl ServiceTexts {
    pub fn new(offers: ServiceText, who_for: ServiceText, referral: ServiceText) -> Self {
        Self {
            offers: offers.0,
            who_for: who_for.0,
            referral: referral.0,
        }
    }

    /// As a hold keeps them, in its one pending text.
    pub fn to_pending(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// What a hold kept; an unreadable one reads as empty texts.
    pub fn from_pending(pending: Option<&str>) -> Self {
        pending
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or_default()
    }

    /// (field, text) pairs, in the order the form shows them.
    pub fn fields(&self) -> [(&'static str, &str); 3] {
        [
            ("offers", self.offers.as_str()),
            ("who_for", self.who_for.as_str()),
            ("referral", self.referral.as_str()),
        ]
    }
}

/// The boroughs a service covers: any of the ten, each once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceArea(BTreeSet<Borough>);

impl ServiceArea {
    pub fn of(boroughs: impl IntoIterator<Item = Borough>) -> Self {
        Self(boroughs.into_iter().collect())
    }

    /// What the form's repeated `boroughs` sent; none at all is allowed (not said yet).
    pub fn parse(chosen: &[String]) -> Result<Self, String> {
        chosen
            .iter()
            .map(|slug| {
                Borough::parse(slug).map_err(|_| "Choose boroughs from the list".to_owned())
            })
            .collect::<Result<BTreeSet<_>, _>>()
            .map(Self)
    }

    pub fn boroughs(&self) -> impl Iterator<Item = Borough> + '_ {
        self.0.iter().copied()
    }
}

/// A member's service as their profile shows it: the approved texts, cooked, and the area.
#[derive(Debug, Clone, Default)]
pub struct Service {
    pub texts: ServiceTexts,
    pub offers_html: SafeHtml,
    pub who_for_html: SafeHtml,
    pub referral_html: SafeHtml,
    pub area: Vec<Borough>,
}

impl Service {
    /// Nothing said about the service yet.
    pub fn is_empty(&self) -> bool {
        self.offers_html.is_empty()
            && self.who_for_html.is_empty()
            && self.referral_html.is_empty()
            && self.area.is_empty()
    }
}

type ServiceRow = (String, SafeHtml, String, SafeHtml, String, SafeHtml);

/// A member's service as published (empty when they have not described one).
pub fn of(conn: &mut DbConn, member: MemberId) -> QueryResult<Service> {
    let row: Option<ServiceRow> = member_services::table
        .find(member)
        .select((
            member_services::offers_source,
            member_services::offers_html,
            member_services::who_for_source,
            member_services::who_for_html,
            member_services::referral_source,
            member_services::referral_html,
        ))
        .first(conn)
        .optional()?;
    let area = service_areas::table
        .filter(service_areas::member_id.eq(member))
        .select(service_areas::borough)
        .order(service_areas::borough.asc())
        .load(conn)?;
    let Some((offers, offers_html, who_for, who_for_html, referral, referral_html)) = row else {
        return Ok(Service {
            area,
            ..Service::default()
        });
    };
    Ok(Service {
        texts: ServiceTexts {
            offers,
            who_for,
            referral,
        },
        offers_html,
        who_for_html,
        referral_html,
        area,
    })
}

/// A member's service with the texts of theirs that the guard holds, if any.
pub fn with_held(conn: &mut DbConn, member: MemberId) -> QueryResult<(Service, Option<Hold>)> {
    let service = of(conn, member)?;
    let hold = holds::open_on(conn, Held::Service, member)?;
    Ok((service, hold))
}

/// What a member saves on their service page.
pub struct ServiceChange {
    pub texts: ServiceTexts,
    pub area: ServiceArea,
    /// Whether the patient-data guard holds the texts for a facilitator.
    pub verdict: Verdict,
}

/// Saves a member's service, in one write transaction. Texts the guard holds wait for a
/// facilitator while the profile keeps showing those approved before; clean ones replace any
/// that wait. The area is saved either way.
pub fn save(
    conn: &mut WriteConn,
    member: MemberId,
    change: &ServiceChange,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let conn: &mut DbConn = conn;
    set_area(conn, member, &change.area)?;
    let open = holds::open_on(conn, Held::Service, member)?;
    if change.verdict.holds() {
        let pending = change.texts.to_pending();
        let hold = NewHold {
            held: Held::Service,
            author: member,
            fresh: false,
            hid: false,
            pending_text: Some(&pending),
        };
        holds::hold(conn, &hold, now)?;
        return Ok(());
    }
    if let Some(open) = open {
        holds::close(conn, open.id, HoldStatus::Corrected, Some(member), "", now)?;
    }
    set_texts(conn, member, &change.texts, now)
}

/// The boroughs a member's service covers, in place of those before.
pub fn set_area(conn: &mut DbConn, member: MemberId, area: &ServiceArea) -> QueryResult<()> {
    diesel::delete(service_areas::table.filter(service_areas::member_id.eq(member)))
        .execute(conn)?;
    // One row at a time: a multi-row insert does not cross diesel's multi-backend connection.
    for borough in area.boroughs() {
        diesel::insert_into(service_areas::table)
            .values((
                service_areas::member_id.eq(member),
                service_areas::borough.eq(borough),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Publishes a member's service texts (cooked once, here), as written or as a facilitator
/// approved them; search finds the member by them from now on.
pub fn set_texts(
    conn: &mut DbConn,
    member: MemberId,
    texts: &ServiceTexts,
    now: NaiveDateTime,
) -> QueryResult<()> {
    store_texts(conn, member, texts, now)?;
    crate::search::index::member(conn, member)
}

/// [`set_texts`] without telling the search index: for `spot demo`, which builds the index
/// once at the end.
pub(crate) fn store_texts(
    conn: &mut DbConn,
    member: MemberId,
    texts: &ServiceTexts,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let values = (
        member_services::offers_source.eq(&texts.offers),
        member_services::offers_html.eq(markdown::cook(&texts.offers)),
        member_services::who_for_source.eq(&texts.who_for),
        member_services::who_for_html.eq(markdown::cook(&texts.who_for)),
        member_services::referral_source.eq(&texts.referral),
        member_services::referral_html.eq(markdown::cook(&texts.referral)),
        member_services::updated_at.eq(now),
    );
    let updated = diesel::update(member_services::table.find(member))
        .set(values.clone())
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(member_services::table)
            .values((member_services::member_id.eq(member), values))
            .execute(conn)?;
    }
    Ok(())
}

/// Removes an erased member's service: its texts and its area.
pub fn erase(conn: &mut DbConn, member: MemberId) -> QueryResult<()> {
    diesel::delete(member_services::table.find(member)).execute(conn)?;
    diesel::delete(service_areas::table.filter(service_areas::member_id.eq(member)))
        .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_trimmed_and_bounded() {
        let text = ServiceText::parse("  Walking groups  ", "What it offers").unwrap();
        assert_eq!(text.as_str(), "Walking groups");
        let long = "x".repeat(ServiceText::MAX + 1);
        let error = ServiceText::parse(&long, "What it offers").unwrap_err();
        assert!(error.starts_with("What it offers must be 2000"), "{error}");
    }

    #[test]
    fn an_area_is_a_set_of_known_boroughs() {
        let area = ServiceArea::parse(&["wigan".into(), "Bolton".into(), "wigan".into()]).unwrap();
        assert_eq!(
            area.boroughs().collect::<Vec<_>>(),
            [Borough::Bolton, Borough::Wigan]
        );
        assert!(ServiceArea::parse(&["atlantis".into()]).is_err());
        assert_eq!(ServiceArea::parse(&[]).unwrap(), ServiceArea::default());
    }

    #[test]
    fn held_texts_come_back_as_written() {
        let texts = ServiceTexts {
            offers: "Walking \"groups\"\nand *more*".into(),
            who_for: "Adults".into(),
            referral: String::new(),
        };
        assert_eq!(ServiceTexts::from_pending(Some(&texts.to_pending())), texts);
        assert_eq!(
            ServiceTexts::from_pending(Some("not json")),
            ServiceTexts::default()
        );
    }
}
