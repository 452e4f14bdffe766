//! Names offered as a member types `@` and the start of a name: the members the directory
//! lists to them, by name, at most [`MAX_SUGGESTIONS`], each one a mention can spell.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::directory::listed;
use crate::accounts::members::Viewer;
use crate::accounts::throttle::{self, Limit};
use crate::accounts::values::sort_key_of;
use crate::accounts::{Borough, Role};
use crate::db::{MemberId, WriteConn};
use crate::forum::mentions;
use crate::rules::RuleError;
use crate::schema::members;

pub const MAX_SUGGESTIONS: usize = 8;

/// What was typed after the `@`: at least two letters or digits, found whatever its case
/// and accents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameStart(String);

impl NameStart {
    const MAX: usize = 60;

    pub fn parse(input: &str) -> Result<Self, String> {
        let typed = input.trim().trim_start_matches('@').trim_start();
        if typed.chars().filter(|c| c.is_alphanumeric()).count() < 2 {
            return Err("Type at least two letters of a name".into());
        }
        if typed.chars().count() > Self::MAX || typed.chars().any(char::is_control) {
            return Err("That is not the start of a name".into());
        }
        Ok(Self(sort_key_of(typed)))
    }
}

/// One name to offer, as the page script shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub id: MemberId,
    pub name: String,
    pub role: &'static str,
    pub borough: &'static str,
}

/// The suggestions, or how long the member must wait first.
#[derive(Debug)]
pub enum Lookup {
    Found(Vec<Suggestion>),
    Wait(u64),
}

/// Counts a look-up against the member's limit (kept in the database, so it holds across
/// app nodes) and finds the names.
pub fn suggest(
    conn: &mut WriteConn,
    viewer: &Viewer,
    typed: &NameStart,
    now: NaiveDateTime,
) -> Result<Lookup, RuleError> {
    let subject = viewer.id.to_string();
    conn.serialize_on(&format!("mention-member:{subject}"))?;
    if let Some(wait) = throttle::wait_needed(conn, Limit::MentionLookupsPerMember, &subject, now)?
    {
        return Ok(Lookup::Wait(wait));
    }
    throttle::record(conn, Limit::MentionLookupsPerMember, &subject, now)?;
    Ok(Lookup::Found(matching(conn, viewer.id, typed, now)?))
}

/// Listed members other than the viewer whose name, or a word of it, starts with what was
/// typed; sorted by name.
fn matching(
    conn: &mut crate::db::DbConn,
    viewer: MemberId,
    typed: &NameStart,
    now: NaiveDateTime,
) -> QueryResult<Vec<Suggestion>> {
    let start = typed
        .0
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let rows: Vec<(MemberId, String, Role, Borough)> = listed(now)
        .filter(members::id.ne(viewer))
        .filter(
            members::sort_name
                .like(format!("{start}%"))
                .escape('\\')
                .or(members::sort_name.like(format!("% {start}%")).escape('\\')),
        )
        .order((members::sort_name.asc(), members::id.asc()))
        // A few spare for names a mention cannot spell (rare), dropped below.
        .limit(3 * MAX_SUGGESTIONS as i64)
        .select((
            members::id,
            members::display_name,
            members::role,
            members::borough,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(_, name, _, _)| mentions::links(name))
        .take(MAX_SUGGESTIONS)
        .map(|(id, name, role, borough)| Suggestion {
            id,
            name,
            role: role.label(),
            borough: borough.label(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::NameStart;

    #[test]
    fn two_letters_are_needed_and_case_and_accents_do_not_matter() {
        assert!(NameStart::parse("@j").is_err());
        assert!(NameStart::parse("  ").is_err());
        assert!(NameStart::parse("@'-").is_err());
        assert_eq!(NameStart::parse("@Él").unwrap().0, "el");
        assert_eq!(NameStart::parse("Jo Sm").unwrap().0, "jo sm");
        assert!(NameStart::parse(&"a".repeat(61)).is_err());
    }
}
