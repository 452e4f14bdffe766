//! The words of notifications: what a notification is about, and how often it is emailed.

use std::fmt;

use crate::accounts::values::text_enum;

text_enum!(Topic, "a kind of notification", {
    Replies => ("replies", "Replies to your threads and posts"),
    Mentions => ("mentions", "When someone @mentions you"),
    Watching => ("watching", "New posts in threads and categories you watch"),
    Tags => ("tags", "New resources with tags you follow"),
    Moderation => ("moderation", "Moderation of your posts, and your reports"),
    Bookings => ("bookings", "Your course bookings"),
    Messages => ("messages", "New private messages"),
    Reminders => ("reminders", "Reminders before your course sessions"),
});

impl Topic {
    /// The topics a member chooses a cadence for; booking messages are always sent.
    pub const CHOSEN: [Topic; 7] = [
        Topic::Replies,
        Topic::Mentions,
        Topic::Messages,
        Topic::Watching,
        Topic::Tags,
        Topic::Moderation,
        Topic::Reminders,
    ];

    /// Whether a digest can carry it: a reminder is for a time, so it comes on time or not
    /// at all.
    pub fn digestible(self) -> bool {
        self != Topic::Reminders
    }
}

text_enum!(Cadence, "how often to email", {
    Immediately => ("immediately", "Straight away"),
    Daily => ("daily", "In a daily digest"),
    Weekly => ("weekly", "In a weekly digest"),
    Never => ("never", "Never by email"),
});

/// What one unsubscribe link stops: one topic, every topic sent in one kind of digest, or
/// the weekly round-up of the community's news.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Topic(Topic),
    Digest(Cadence),
    Roundup,
}

impl Scope {
    pub fn slug(self) -> String {
        match self {
            Scope::Topic(topic) => topic.slug().to_owned(),
            Scope::Digest(cadence) => format!("{}-digest", cadence.slug()),
            Scope::Roundup => "roundup".to_owned(),
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        if slug == "roundup" {
            return Some(Scope::Roundup);
        }
        if let Some(cadence) = slug.strip_suffix("-digest") {
            return match Cadence::from_slug(cadence)? {
                cadence @ (Cadence::Daily | Cadence::Weekly) => Some(Scope::Digest(cadence)),
                _ => None,
            };
        }
        match Topic::from_slug(slug)? {
            Topic::Bookings => None,
            topic => Some(Scope::Topic(topic)),
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Topic(topic) => write!(f, "emails about “{}”", topic.label().to_lowercase()),
            Scope::Digest(cadence) => write!(f, "the {} digest", cadence.slug()),
            Scope::Roundup => f.write_str("the weekly round-up of the community's news"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_survive_their_slugs() {
        for scope in [
            Scope::Topic(Topic::Replies),
            Scope::Topic(Topic::Tags),
            Scope::Digest(Cadence::Daily),
            Scope::Digest(Cadence::Weekly),
            Scope::Roundup,
        ] {
            assert_eq!(Scope::from_slug(&scope.slug()), Some(scope));
        }
    }

    #[test]
    fn booking_messages_and_odd_digests_cannot_be_unsubscribed() {
        assert_eq!(Scope::from_slug("bookings"), None);
        assert_eq!(Scope::from_slug("never-digest"), None);
        assert_eq!(Scope::from_slug("immediately-digest"), None);
        assert_eq!(Scope::from_slug("nonsense"), None);
    }
}
