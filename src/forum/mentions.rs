//! `@Display Name` mentions: linked to the member's profile when the post is saved, and
//! remembered so that the member can be told.

use std::collections::HashMap;
use std::sync::OnceLock;

use diesel::prelude::*;
use regex::Regex;

use crate::accounts::values::sort_key_of;
use crate::db::{DbConn, MemberId};
use crate::schema::members;

const MAX_WORDS: usize = 4;

fn mention_pattern() -> &'static Regex {
    static CELL: OnceLock<Regex> = OnceLock::new();
    CELL.get_or_init(|| {
        // An @ not preceded by a word character (so not an email address), then up to four
        // words of a name.
        Regex::new(
            r"(?:^|[^\w@])@([\p{L}\p{N}][\p{L}\p{N}'’-]*(?: [\p{L}\p{N}][\p{L}\p{N}'’-]*){0,3})",
        )
        .expect("pattern compiles")
    })
}

/// Whether `@name` written in a post would mention exactly this name: the names the
/// writing box offers to complete are only those.
pub fn links(name: &str) -> bool {
    let written = format!("@{name}");
    mention_pattern()
        .captures(&written)
        .and_then(|captures| captures.get(1))
        .is_some_and(|words| words.as_str() == name)
}

/// The words after each @ that stands in prose: not in code, and not in a link the author
/// wrote themselves.
fn in_prose(source: &str) -> Vec<regex::Match<'_>> {
    let prose = crate::markdown::prose_ranges(source);
    mention_pattern()
        .captures_iter(source)
        .filter_map(|captures| captures.get(1))
        .filter(|words| {
            let at = words.start() - 1;
            prose
                .iter()
                .any(|range| range.start <= at && words.end() <= range.end)
        })
        .collect()
}

/// How many different `@Name` mentions the source makes in its prose (by the words after
/// each @, whether or not they name a member).
pub fn count(source: &str) -> usize {
    let mut seen: Vec<String> = Vec::new();
    for words in in_prose(source) {
        let key = words.as_str().to_lowercase();
        if !seen.contains(&key) {
            seen.push(key);
        }
    }
    seen.len()
}

/// The source with each mention of a real member turned into a Markdown link, and who
/// was mentioned. One query, whatever the number of mentions.
pub fn link_mentions(conn: &mut DbConn, source: &str) -> QueryResult<(String, Vec<MemberId>)> {
    // (where the @ is, the words after it)
    let mut found: Vec<(usize, Vec<(usize, &str)>)> = Vec::new();
    for words in in_prose(source) {
        let at = words.start() - 1;
        let mut list = Vec::new();
        let mut offset = words.start();
        for word in words.as_str().split(' ').take(MAX_WORDS) {
            list.push((offset + word.len(), word));
            offset += word.len() + 1;
        }
        found.push((at, list));
    }
    if found.is_empty() {
        return Ok((source.to_owned(), Vec::new()));
    }
    // Names are found by the directory's sort key, so "@Elodie" and "@élodie" find Élodie.
    let key_of = |words: &[(usize, &str)]| {
        sort_key_of(&words.iter().map(|(_, w)| *w).collect::<Vec<_>>().join(" "))
    };
    let mut candidates: Vec<String> = Vec::new();
    for (_, words) in &found {
        for n in 1..=words.len() {
            candidates.push(key_of(&words[..n]));
        }
    }
    candidates.sort();
    candidates.dedup();
    let mut known: HashMap<String, (MemberId, String)> = HashMap::new();
    let rows: Vec<(String, MemberId, String)> = members::table
        .filter(members::sort_name.eq_any(&candidates))
        .filter(members::approved_at.is_not_null())
        .select((members::sort_name, members::id, members::display_name))
        .order(members::id.asc())
        .load(conn)?;
    for (key, id, name) in rows {
        known.entry(key).or_insert((id, name));
    }

    let mut linked = String::with_capacity(source.len() + 64);
    let mut mentioned = Vec::new();
    let mut copied_to = 0;
    for (at, words) in &found {
        // The longest run of words that names a member.
        let best = (1..=words.len())
            .rev()
            .find_map(|n| known.get(&key_of(&words[..n])).map(|m| (words[n - 1].0, m)));
        if let Some((end, (id, name))) = best {
            linked.push_str(&source[copied_to..*at]);
            linked.push_str(&format!("[@{}](/members/{id})", escape_link_text(name)));
            copied_to = end;
            if !mentioned.contains(id) {
                mentioned.push(*id);
            }
        }
    }
    linked.push_str(&source[copied_to..]);
    Ok((linked, mentioned))
}

fn escape_link_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '[' | ']' | '*' | '_' | '`' | '<' | '>' | '(' | ')' | '!' | '#'
        ) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_addresses_are_not_mentions() {
        assert!(mention_pattern().captures("write to sam@nhs.net").is_none());
        let captures = mention_pattern().captures("thanks @Sam Jones!").unwrap();
        assert_eq!(&captures[1], "Sam Jones");
    }

    #[test]
    fn mentions_are_counted_once_and_only_in_prose() {
        assert_eq!(count("Thanks @Sam Jones. Yes, @sam jones. Ask @Kim"), 2);
        assert_eq!(count("`@Sam` in code and sam@nhs.net"), 0);
        assert_eq!(count("[@Lee](/members/3) wrote it"), 0);
    }

    #[test]
    fn only_names_a_mention_can_spell_are_offered() {
        assert!(links("Sam Jones"));
        assert!(links("Élodie O'Neill-Baker"));
        assert!(!links("Dr. Sam Jones"), "a full stop ends the mention");
        assert!(
            !links("Anna Maria de la Cruz"),
            "five words are more than a mention reads"
        );
    }

    #[test]
    fn link_text_is_escaped() {
        assert_eq!(escape_link_text("A [b]"), "A \\[b\\]");
    }
}
