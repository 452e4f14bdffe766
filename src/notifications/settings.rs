//! Each member's choices: how often each topic is emailed, the weekly round-up, and whether
//! taking part in a thread watches it.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;

use super::values::{Cadence, Scope, Topic};
use crate::db::{DbConn, MemberId, WriteConn};
use crate::schema::notification_settings as settings;
use crate::web::forms::{first, FieldErrors};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    pub replies: Cadence,
    pub mentions: Cadence,
    pub watching: Cadence,
    pub tags: Cadence,
    pub moderation: Cadence,
    /// New private messages.
    pub messages: Cadence,
    /// Reminders before course sessions: `Immediately` (on time) or `Never`.
    pub reminders: Cadence,
    /// `Weekly` or `Never`: the community's news is a weekly letter.
    pub roundup: Cadence,
    /// Starting or replying to a thread watches it.
    pub auto_watch: bool,
}

impl Default for Settings {
    /// Replies, mentions and moderation straight away; what one watches or follows in a
    /// daily digest; the community's news weekly.
    fn default() -> Self {
        Self {
            replies: Cadence::Immediately,
            mentions: Cadence::Immediately,
            watching: Cadence::Daily,
            tags: Cadence::Daily,
            moderation: Cadence::Immediately,
            messages: Cadence::Immediately,
            reminders: Cadence::Immediately,
            roundup: Cadence::Weekly,
            auto_watch: true,
        }
    }
}

impl Settings {
    pub fn cadence(&self, topic: Topic) -> Cadence {
        match topic {
            Topic::Replies => self.replies,
            Topic::Mentions => self.mentions,
            Topic::Watching => self.watching,
            Topic::Tags => self.tags,
            Topic::Moderation => self.moderation,
            Topic::Messages => self.messages,
            Topic::Reminders => self.reminders,
            Topic::Bookings => Cadence::Immediately,
        }
    }

    pub fn set(&mut self, topic: Topic, cadence: Cadence) {
        match topic {
            Topic::Replies => self.replies = cadence,
            Topic::Mentions => self.mentions = cadence,
            Topic::Watching => self.watching = cadence,
            Topic::Tags => self.tags = cadence,
            Topic::Moderation => self.moderation = cadence,
            Topic::Messages => self.messages = cadence,
            Topic::Reminders => self.reminders = cadence,
            Topic::Bookings => {}
        }
    }

    /// What an unsubscribe link turns off.
    pub fn stop(&mut self, scope: Scope) {
        match scope {
            Scope::Topic(topic) => self.set(topic, Cadence::Never),
            Scope::Digest(cadence) => {
                for topic in Topic::CHOSEN {
                    if self.cadence(topic) == cadence {
                        self.set(topic, Cadence::Never);
                    }
                }
                if cadence == Cadence::Weekly {
                    self.roundup = Cadence::Never;
                }
            }
            Scope::Roundup => self.roundup = Cadence::Never,
        }
    }
}

/// The settings form as sent: a cadence for each topic a member chooses for, the round-up's,
/// and the auto-watch box. A repeated field is read by its first value.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    #[serde(deserialize_with = "first")]
    replies: String,
    #[serde(deserialize_with = "first")]
    mentions: String,
    #[serde(deserialize_with = "first")]
    watching: String,
    #[serde(deserialize_with = "first")]
    tags: String,
    #[serde(deserialize_with = "first")]
    moderation: String,
    #[serde(deserialize_with = "first")]
    messages: String,
    #[serde(deserialize_with = "first")]
    reminders: String,
    #[serde(deserialize_with = "first")]
    roundup: String,
    #[serde(deserialize_with = "first")]
    auto_watch: String,
}

impl SettingsForm {
    fn topic(&self, topic: Topic) -> &str {
        match topic {
            Topic::Replies => &self.replies,
            Topic::Mentions => &self.mentions,
            Topic::Watching => &self.watching,
            Topic::Tags => &self.tags,
            Topic::Moderation => &self.moderation,
            Topic::Messages => &self.messages,
            Topic::Reminders => &self.reminders,
            Topic::Bookings => "",
        }
    }

    /// The member's choices; or, with a message for each choice that could not be read,
    /// the choices to show again (those left at their defaults).
    pub fn parse(&self) -> Result<Settings, (Settings, FieldErrors)> {
        let mut chosen = Settings::default();
        let mut errors = FieldErrors::new();
        for topic in Topic::CHOSEN {
            // A form from before private messages or reminders leaves them at their default.
            if matches!(topic, Topic::Messages | Topic::Reminders)
                && self.topic(topic).trim().is_empty()
            {
                continue;
            }
            // Each message names its topic: the error summary lists them side by side.
            match Cadence::parse(self.topic(topic)) {
                Ok(Cadence::Daily | Cadence::Weekly) if !topic.digestible() => errors.add(
                    topic.slug(),
                    "Reminders are emailed before each session or not at all",
                ),
                Ok(cadence) => chosen.set(topic, cadence),
                Err(_) => errors.add(
                    topic.slug(),
                    format!(
                        "Select how often to email you about “{}”",
                        topic.label().to_lowercase()
                    ),
                ),
            }
        }
        match Cadence::parse(&self.roundup) {
            Ok(cadence @ (Cadence::Weekly | Cadence::Never)) => chosen.roundup = cadence,
            Ok(_) => errors.add(
                "roundup",
                "The week's busiest discussions and new resources are emailed every Monday or never",
            ),
            Err(_) => errors.add(
                "roundup",
                "Select when to email you the week's busiest discussions and new resources",
            ),
        }
        chosen.auto_watch = self.auto_watch == "yes";
        if errors.is_empty() {
            Ok(chosen)
        } else {
            Err((chosen, errors))
        }
    }
}

type Row = (
    String,
    String,
    String,
    String,
    String,
    String,
    bool,
    String,
    String,
);

fn from_row(row: Row) -> Settings {
    let cadence = |slug: &str, default: Cadence| Cadence::from_slug(slug).unwrap_or(default);
    let defaults = Settings::default();
    Settings {
        replies: cadence(&row.0, defaults.replies),
        mentions: cadence(&row.1, defaults.mentions),
        watching: cadence(&row.2, defaults.watching),
        tags: cadence(&row.3, defaults.tags),
        moderation: cadence(&row.4, defaults.moderation),
        roundup: cadence(&row.5, defaults.roundup),
        auto_watch: row.6,
        messages: cadence(&row.7, defaults.messages),
        reminders: cadence(&row.8, defaults.reminders),
    }
}

const COLUMNS: (
    settings::replies,
    settings::mentions,
    settings::watching,
    settings::tags,
    settings::moderation,
    settings::roundup,
    settings::auto_watch,
    settings::messages,
    settings::reminders,
) = (
    settings::replies,
    settings::mentions,
    settings::watching,
    settings::tags,
    settings::moderation,
    settings::roundup,
    settings::auto_watch,
    settings::messages,
    settings::reminders,
);

pub fn of(conn: &mut DbConn, member: MemberId) -> QueryResult<Settings> {
    Ok(settings::table
        .find(member)
        .select(COLUMNS)
        .first::<Row>(conn)
        .optional()?
        .map(from_row)
        .unwrap_or_default())
}

/// The settings of many members in one query (those without a row have the defaults).
pub fn of_many(
    conn: &mut DbConn,
    members: &[MemberId],
) -> QueryResult<HashMap<MemberId, Settings>> {
    let mut found: HashMap<MemberId, Settings> = HashMap::new();
    for chunk in members.chunks(500) {
        let rows: Vec<(MemberId, Row)> = settings::table
            .filter(settings::member_id.eq_any(chunk))
            .select((settings::member_id, COLUMNS))
            .load(conn)?;
        found.extend(rows.into_iter().map(|(id, row)| (id, from_row(row))));
    }
    Ok(members
        .iter()
        .map(|id| (*id, found.get(id).copied().unwrap_or_default()))
        .collect())
}

pub fn save(
    conn: &mut DbConn,
    member: MemberId,
    chosen: &Settings,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let values = (
        settings::replies.eq(chosen.replies.slug()),
        settings::mentions.eq(chosen.mentions.slug()),
        settings::watching.eq(chosen.watching.slug()),
        settings::tags.eq(chosen.tags.slug()),
        settings::moderation.eq(chosen.moderation.slug()),
        settings::roundup.eq(chosen.roundup.slug()),
        settings::auto_watch.eq(chosen.auto_watch),
        settings::messages.eq(chosen.messages.slug()),
        settings::reminders.eq(chosen.reminders.slug()),
        settings::updated_at.eq(now),
    );
    let updated = diesel::update(settings::table.find(member))
        .set(values)
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(settings::table)
            .values((settings::member_id.eq(member), values))
            .execute(conn)?;
    }
    Ok(())
}

/// What an unsubscribe link asks: `scope` is no longer emailed to the member.
pub fn unsubscribe(
    tx: &mut WriteConn,
    member: MemberId,
    scope: Scope,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let mut chosen = of(tx, member)?;
    chosen.stop(scope);
    save(tx, member, &chosen, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_reads_each_topic_once_and_names_what_it_cannot_read() {
        let form: SettingsForm = serde_html_form::from_str(
            "replies=never&replies=daily&mentions=weekly&watching=never&tags=daily\
             &moderation=immediately&roundup=never&auto_watch=yes",
        )
        .unwrap();
        let chosen = form.parse().unwrap();
        assert_eq!(chosen.replies, Cadence::Never);
        assert_eq!(chosen.mentions, Cadence::Weekly);
        assert!(chosen.auto_watch);
        let form: SettingsForm = serde_html_form::from_str("replies=never&roundup=daily").unwrap();
        let (shown, errors) = form.parse().unwrap_err();
        assert_eq!(shown.replies, Cadence::Never);
        assert_eq!(shown.mentions, Cadence::Immediately);
        assert!(!shown.auto_watch);
        let fields: Vec<&str> = errors.iter().map(|(field, _)| field).collect();
        assert_eq!(
            fields,
            ["mentions", "watching", "tags", "moderation", "roundup"]
        );
    }

    #[test]
    fn a_digest_link_stops_every_topic_in_that_digest_and_nothing_else() {
        let mut chosen = Settings::default();
        chosen.stop(Scope::Digest(Cadence::Daily));
        assert_eq!(chosen.watching, Cadence::Never);
        assert_eq!(chosen.tags, Cadence::Never);
        assert_eq!(chosen.replies, Cadence::Immediately);
        assert_eq!(chosen.roundup, Cadence::Weekly);
    }

    #[test]
    fn booking_messages_are_always_sent_straight_away() {
        let mut chosen = Settings::default();
        chosen.set(Topic::Bookings, Cadence::Never);
        assert_eq!(chosen.cadence(Topic::Bookings), Cadence::Immediately);
    }
}
