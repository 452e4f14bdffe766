//! "My service" for a third of the demo's members: two things it offers, who it is for, how
//! to refer, and its area (their borough, and for some a neighbour in their cluster).

use chrono::NaiveDateTime;
use diesel::QueryResult;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;

use super::corpus::{corpus, fill};
use super::members::Community;
use crate::connect::services::{self, ServiceArea, ServiceTexts};
use crate::db::{DbConn, MemberId};

/// Writes the services; returns how many. The search index is built afterwards.
pub(super) fn write(
    conn: &mut DbConn,
    rng: &mut StdRng,
    community: &Community,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    let words = corpus!("services.txt");
    let (offers, who_for, referral) = (
        words.role_items("offers"),
        words.role_items("who for"),
        words.role_items("referral"),
    );
    let mut written = 0;
    for member in &community.rows {
        if !rng.gen_bool(0.35) {
            continue;
        }
        let role = member.role;
        let holes = [
            ("b", member.borough.label()),
            ("organisation", member.organisation.as_str()),
        ];
        let mut chosen: Vec<&String> = offers.of(role).choose_multiple(rng, 2).collect();
        chosen.sort_unstable();
        let texts = ServiceTexts {
            offers: chosen.iter().map(|o| format!("- {o}\n")).collect(),
            who_for: fill(who_for.of(role).choose(rng).expect("who for"), &holes),
            referral: fill(referral.of(role).choose(rng).expect("referral"), &holes),
        };
        let mut area = vec![member.borough];
        if rng.gen_bool(0.4) {
            area.extend(member.borough.cluster().choose(rng).copied());
        }
        let id = MemberId(member.id);
        services::store_texts(conn, id, &texts, at)?;
        services::set_area(conn, id, &ServiceArea::of(area))?;
        written += 1;
    }
    Ok(written)
}
