//! Domain values parsed at the edge: after a handler's first line nothing sees a raw
//! string from a form.

use std::fmt;
use std::str::FromStr;

/// Declares a closed set of words stored as text (its slug) on both engines.
macro_rules! text_enum {
    ($name:ident, $what:literal, { $($variant:ident => ($slug:literal, $label:literal)),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 diesel::AsExpression, diesel::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn slug(self) -> &'static str {
                match self { $($name::$variant => $slug),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn from_slug(slug: &str) -> Option<Self> {
                match slug { $($slug => Some($name::$variant),)+ _ => None }
            }

            /// Parses what a form sent: the slug, in any case, around any spaces.
            pub fn parse(input: &str) -> Result<Self, String> {
                let input = input.trim();
                if input.is_empty() {
                    return Err(format!("Select {}", $what));
                }
                Self::from_slug(&input.to_ascii_lowercase())
                    .ok_or_else(|| format!("Select {} from the list", $what))
            }

            /// (slug, label) pairs for a `<select>`.
            pub fn options() -> Vec<(&'static str, &'static str)> {
                Self::ALL.iter().map(|v| (v.slug(), v.label())).collect()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.label())
            }
        }

        impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, DB>,
            ) -> diesel::serialize::Result {
                self.slug().to_sql(out)
            }
        }

        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                let slug = String::from_sql(bytes)?;
                Self::from_slug(&slug)
                    .ok_or_else(|| format!("unknown {} {slug:?} in the database", stringify!($name)).into())
            }
        }
    };
}
pub(crate) use text_enum;

/// For the tests beside each `text_enum!`: its one `ToSql`/`FromSql` pair, on a real
/// connection, keeps the stored words.
#[cfg(test)]
pub(crate) mod stored {
    use std::fmt::Debug;

    use diesel::deserialize::FromSqlRow;
    use diesel::prelude::*;
    use diesel::serialize::ToSql;
    use diesel::sql_types::Text;
    use diesel::sqlite::Sqlite;

    #[derive(QueryableByName)]
    struct Stored {
        #[diesel(sql_type = Text)]
        text: String,
    }

    /// Every value of `all` is stored as its word in `words` and reads back as itself; each
    /// text of `unknown` is refused when read.
    pub fn assert_stored_as<T>(all: &[T], words: &[(T, &str)], unknown: &[&str])
    where
        T: ToSql<Text, Sqlite> + FromSqlRow<Text, Sqlite> + Copy + PartialEq + Debug + 'static,
    {
        let conn = &mut SqliteConnection::establish(":memory:").expect("an in-memory database");
        assert_eq!(all.len(), words.len(), "a word for every value");
        for (value, word) in words {
            assert!(all.contains(value));
            let text = diesel::sql_query("SELECT ? AS text")
                .bind::<Text, _>(*value)
                .get_result::<Stored>(conn)
                .expect("the value is stored")
                .text;
            assert_eq!(&text, word, "{value:?} is stored as {word:?}");
            let read: T = diesel::select(word.into_sql::<Text>())
                .get_result(conn)
                .expect("the word reads back");
            assert_eq!(read, *value);
        }
        for text in unknown {
            let read = diesel::select(text.into_sql::<Text>()).get_result::<T>(conn);
            assert!(read.is_err(), "{text:?} was read as {read:?}");
        }
    }
}

text_enum!(Role, "your role", {
    LinkWorker => ("link_worker", "Link worker"),
    OccupationalTherapist => ("occupational_therapist", "Occupational therapist"),
});

impl Role {
    /// The short badge shown beside a name.
    pub fn badge(self) -> &'static str {
        match self {
            Role::LinkWorker => "Link worker",
            Role::OccupationalTherapist => "OT",
        }
    }
}

text_enum!(Borough, "a borough", {
    Bolton => ("bolton", "Bolton"),
    Bury => ("bury", "Bury"),
    Manchester => ("manchester", "Manchester"),
    Oldham => ("oldham", "Oldham"),
    Rochdale => ("rochdale", "Rochdale"),
    Salford => ("salford", "Salford"),
    Stockport => ("stockport", "Stockport"),
    Tameside => ("tameside", "Tameside"),
    Trafford => ("trafford", "Trafford"),
    Wigan => ("wigan", "Wigan"),
});

impl Borough {
    /// The programme's clusters of boroughs (from the brief): courses run for one, and the
    /// weekly round-up shows the news of the member's own.
    pub fn cluster(self) -> &'static [Borough] {
        use Borough::*;
        match self {
            Manchester | Rochdale | Bury => &[Manchester, Rochdale, Bury],
            Stockport | Tameside | Oldham => &[Stockport, Tameside, Oldham],
            Trafford | Salford | Wigan | Bolton => &[Trafford, Salford, Wigan, Bolton],
        }
    }
}

text_enum!(StaffLevel, "a staff level", {
    Member => ("member", "Member"),
    Facilitator => ("facilitator", "Facilitator"),
    Admin => ("admin", "Admin"),
});

impl StaffLevel {
    pub fn is_admin(self) -> bool {
        self == StaffLevel::Admin
    }

    /// Facilitators moderate; admins can do all a facilitator can.
    pub fn can_moderate(self) -> bool {
        matches!(self, StaffLevel::Facilitator | StaffLevel::Admin)
    }
}

/// A sign-in address, stored lower-cased so that addresses are unique whatever the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, String> {
        let input = input.trim();
        if input.is_empty() {
            return Err("Enter your email address".into());
        }
        if input.chars().count() > 254 {
            return Err("Email address must be 254 characters or fewer".into());
        }
        let lowered = input.to_lowercase();
        let address = lettre::Address::from_str(&lowered).map_err(|_| {
            "Enter an email address in the correct format, like name@nhs.net".to_string()
        })?;
        if !address.domain().contains('.') {
            return Err("Enter an email address in the correct format, like name@nhs.net".into());
        }
        Ok(Self(lowered))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after the `@`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Trims, rejects control characters and enforces a length in characters.
fn bounded_text(input: &str, what: &str, min: usize, max: usize) -> Result<String, String> {
    let trimmed = input.trim();
    let length = trimmed.chars().count();
    if length == 0 && min > 0 {
        return Err(format!("Enter {what}"));
    }
    if length < min {
        return Err(format!(
            "{} must be at least {min} characters",
            capitalise(what)
        ));
    }
    if length > max {
        return Err(format!(
            "{} must be {max} characters or fewer",
            capitalise(what)
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(format!(
            "{} must not contain control characters",
            capitalise(what)
        ));
    }
    Ok(trimmed.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn capitalise(what: &str) -> String {
    let what = what.strip_prefix("your ").unwrap_or(what);
    let mut chars = what.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The name shown on posts and in the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX: usize = 60;

    pub fn parse(input: &str) -> Result<Self, String> {
        let name = bounded_text(input, "your name", 2, Self::MAX)?;
        if !name.chars().any(char::is_alphabetic) {
            return Err("Name must contain letters".into());
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key the directory sorts by, case and accents aside: "Élodie" sorts with "Emma".
    pub fn sort_key(&self) -> String {
        sort_key_of(&self.0)
    }
}

/// A name (or the start of one) as the directory sorts and finds it: lower case, accents
/// dropped, so "Élodie" and "elodie" are one.
pub fn sort_key_of(text: &str) -> String {
    use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};
    text.nfkd()
        .filter(|c| !is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase()
}

/// The member's organisation or service, e.g. "Bolton GP Federation".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation(String);

impl Organisation {
    pub const MAX: usize = 120;

    pub fn parse(input: &str) -> Result<Self, String> {
        bounded_text(input, "your organisation or service", 2, Self::MAX).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password as typed: NCSC's advice is three random words, so length is what counts.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN: usize = 12;
    pub const MAX: usize = 256;

    pub fn parse(input: &str) -> Result<Self, String> {
        let length = input.chars().count();
        if length == 0 {
            return Err("Enter a password".into());
        }
        if length < Self::MIN {
            return Err(format!(
                "Password must be at least {} characters: three random words, like \
                 \"kettle river jigsaw\", make a strong one that is easy to remember",
                Self::MIN
            ));
        }
        if length > Self::MAX {
            return Err(format!(
                "Password must be {} characters or fewer",
                Self::MAX
            ));
        }
        if input.trim().is_empty() {
            return Err("Password must not be only spaces".into());
        }
        Ok(Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

/// "About me / what I can offer", Markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct About(String);

impl About {
    pub const MAX: usize = 4000;

    pub fn parse(input: &str) -> Result<Self, String> {
        let trimmed = input.trim();
        if trimmed.chars().count() > Self::MAX {
            return Err(format!(
                "About you must be {} characters or fewer",
                Self::MAX
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn email_is_lower_cased_and_trimmed() {
        let email = Email::parse("  Sam.Jones@NHS.net ").unwrap();
        assert_eq!(email.as_str(), "sam.jones@nhs.net");
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "sam",
            "sam@",
            "@nhs.net",
            "sam@nhs",
            "sam jones@nhs.net",
            "a@b@c.uk",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn boroughs_parse_from_their_slug_in_any_case() {
        assert_eq!(Borough::parse("Wigan"), Ok(Borough::Wigan));
        assert_eq!(Borough::parse(" tameside "), Ok(Borough::Tameside));
        assert!(Borough::parse("liverpool").is_err());
        assert_eq!(Borough::ALL.len(), 10);
    }

    #[test]
    fn roles_are_the_two_professions() {
        assert_eq!(Role::parse("link_worker"), Ok(Role::LinkWorker));
        assert_eq!(
            Role::parse("occupational_therapist"),
            Ok(Role::OccupationalTherapist)
        );
        assert_eq!(Role::parse(""), Err("Select your role".into()));
        assert!(Role::parse("doctor").is_err());
    }

    #[test]
    fn password_length_is_counted_in_characters() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("kettle river").is_ok()); // 12 characters
        assert!(Password::parse("ééééééééééé").is_err()); // 11 characters, 22 bytes
        assert!(Password::parse(&"x".repeat(257)).is_err());
        assert!(Password::parse(&" ".repeat(12)).is_err());
    }

    #[test]
    fn password_debug_hides_it() {
        let password = Password::parse("kettle river jigsaw").unwrap();
        assert!(!format!("{password:?}").contains("kettle"));
    }

    #[test]
    fn display_names_collapse_spaces_and_need_letters() {
        assert_eq!(
            DisplayName::parse("  Sam   Jones ").unwrap().as_str(),
            "Sam Jones"
        );
        assert!(DisplayName::parse("12345").is_err());
        assert!(DisplayName::parse("a").is_err());
        assert!(DisplayName::parse(&"a".repeat(61)).is_err());
        assert!(DisplayName::parse("Sam\u{0007}").is_err());
    }

    #[test]
    fn sort_keys_ignore_case_and_accents() {
        assert_eq!(
            DisplayName::parse("Élodie Martin").unwrap().sort_key(),
            "elodie martin"
        );
        assert_eq!(
            DisplayName::parse("Öykü Demir").unwrap().sort_key(),
            "oyku demir"
        );
    }

    proptest! {
        #[test]
        fn a_parsed_display_name_is_within_bounds(input in "\\PC{0,80}") {
            if let Ok(name) = DisplayName::parse(&input) {
                let length = name.as_str().chars().count();
                prop_assert!((2..=DisplayName::MAX).contains(&length));
                prop_assert_eq!(name.as_str().trim(), name.as_str());
                prop_assert!(!name.as_str().chars().any(char::is_control));
            }
        }

        #[test]
        fn a_parsed_email_is_lower_case_and_reparses_to_itself(input in "[A-Za-z0-9][A-Za-z0-9_%+-]{0,19}@[A-Za-z0-9]{1,10}\\.[A-Za-z]{2,5}") {
            let email = Email::parse(&input).unwrap();
            prop_assert_eq!(email.as_str(), input.to_lowercase());
            prop_assert_eq!(Email::parse(email.as_str()).unwrap(), email);
        }
    }
}
