//! The words of private conversations, parsed at the edge: a message's text, the people it
//! goes to, who may start a conversation with a member, and a report's state.

use std::fmt;

use crate::accounts::values::text_enum;
use crate::db::MemberId;

/// What a member writes in a conversation: Markdown, at most [`MessageBody::MAX`]
/// characters. The patient-data guard reads it separately (a finding holds it, not refuses).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageBody(String);

impl MessageBody {
    pub const MAX: usize = 10_000;

    pub fn parse(input: &str) -> Result<Self, String> {
        let body = input.replace("\r\n", "\n");
        let body = body.trim_end().trim_start_matches(['\n', '\r']);
        if body.trim().is_empty() {
            return Err("Enter your message".into());
        }
        let length = body.chars().count();
        if length > Self::MAX {
            return Err(format!(
                "Your message must be {} characters or fewer (it has {length})",
                Self::MAX
            ));
        }
        if body
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\t'))
        {
            return Err("Your message must not contain control characters".into());
        }
        Ok(Self(body.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The others a new conversation is with: one to [`Recipients::MAX`] members, none of them
/// the sender, each once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipients(Vec<MemberId>);

impl Recipients {
    /// A conversation holds at most sixteen people: the sender and fifteen others.
    pub const MAX: usize = 15;

    /// Reads the `to` values (member ids) a form or an address carries.
    pub fn parse(raw: &[String], sender: MemberId) -> Result<Self, String> {
        let mut ids: Vec<MemberId> = Vec::new();
        for value in raw.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
            let id: MemberId = value
                .parse()
                .map_err(|_| "Choose the members to write to from the list".to_owned())?;
            if id != sender && !ids.contains(&id) {
                ids.push(id);
            }
        }
        if ids.is_empty() {
            return Err("Choose at least one member to write to".into());
        }
        if ids.len() > Self::MAX {
            return Err(format!(
                "A conversation can have at most {} people: choose {} others or fewer (you chose {})",
                Self::MAX + 1,
                Self::MAX,
                ids.len()
            ));
        }
        Ok(Self(ids))
    }

    pub fn ids(&self) -> &[MemberId] {
        &self.0
    }
}

text_enum!(Accepts, "who may start a conversation with you", {
    Anyone => ("anyone", "Any SPOT member"),
    Cluster => ("cluster", "Members in my cluster of boroughs"),
    Nobody => ("nobody", "Nobody"),
});

text_enum!(ReportStatus, "a report's state", {
    Open => ("open", "Waiting for a facilitator"),
    Dismissed => ("dismissed", "Reviewed: the message stays"),
    Hidden => ("hidden", "Upheld: the message was hidden"),
});

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| (*v).to_owned()).collect()
    }

    #[test]
    fn recipients_are_others_each_once_and_a_small_group() {
        let me = MemberId(1);
        let to = Recipients::parse(&raw(&["2", " 3", "2", "1", ""]), me).unwrap();
        assert_eq!(to.ids(), [MemberId(2), MemberId(3)]);
        assert!(
            Recipients::parse(&raw(&["1"]), me).is_err(),
            "only yourself"
        );
        assert!(Recipients::parse(&raw(&[]), me).is_err());
        assert!(Recipients::parse(&raw(&["x"]), me).is_err());
        let fifteen: Vec<String> = (2..=16).map(|n| n.to_string()).collect();
        assert_eq!(Recipients::parse(&fifteen, me).unwrap().ids().len(), 15);
        let sixteen: Vec<String> = (2..=17).map(|n| n.to_string()).collect();
        assert!(Recipients::parse(&sixteen, me)
            .unwrap_err()
            .contains("at most 16"));
    }

    #[test]
    fn a_message_is_trimmed_text() {
        assert_eq!(
            MessageBody::parse("\r\nHello\r\nthere  \n")
                .unwrap()
                .as_str(),
            "Hello\nthere"
        );
        assert_eq!(
            MessageBody::parse(" \n ").unwrap_err(),
            "Enter your message"
        );
        assert!(MessageBody::parse(&"x".repeat(10_001)).is_err());
        assert!(MessageBody::parse("bell \u{7}").is_err());
    }
}
