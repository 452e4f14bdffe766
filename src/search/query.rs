//! What a member typed in the search box, parsed into terms: words, "phrases in quotes",
//! and `-words` to leave out. Only letters and digits survive into a term, so nothing a
//! member types reaches an engine as syntax: each engine's query is built from the terms
//! here (`fts5_match`, `PgTerms`) and passed as bound parameters.

/// At most this much of what was typed is read; the rest is ignored.
pub const MAX_INPUT_CHARS: usize = 500;
/// At most this many terms to find, and as many to leave out.
pub const MAX_TERMS: usize = 12;
/// A phrase keeps at most this many words.
const MAX_PHRASE_WORDS: usize = 12;
/// Longer "words" are not words anyone searches for.
const MAX_WORD_CHARS: usize = 60;

/// English words too common to search for: PostgreSQL's `english` stop words, so that both
/// engines ignore the same words (SQLite's FTS5 has none of its own).
const STOP_WORDS: &[&str] = &[
    "i",
    "me",
    "my",
    "myself",
    "we",
    "our",
    "ours",
    "ourselves",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
    "he",
    "him",
    "his",
    "himself",
    "she",
    "her",
    "hers",
    "herself",
    "it",
    "its",
    "itself",
    "they",
    "them",
    "their",
    "theirs",
    "themselves",
    "what",
    "which",
    "who",
    "whom",
    "this",
    "that",
    "these",
    "those",
    "am",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "have",
    "has",
    "had",
    "having",
    "do",
    "does",
    "did",
    "doing",
    "a",
    "an",
    "the",
    "and",
    "but",
    "if",
    "or",
    "because",
    "as",
    "until",
    "while",
    "of",
    "at",
    "by",
    "for",
    "with",
    "about",
    "against",
    "between",
    "into",
    "through",
    "during",
    "before",
    "after",
    "above",
    "below",
    "to",
    "from",
    "up",
    "down",
    "in",
    "out",
    "on",
    "off",
    "over",
    "under",
    "again",
    "further",
    "then",
    "once",
    "here",
    "there",
    "when",
    "where",
    "why",
    "how",
    "all",
    "any",
    "both",
    "each",
    "few",
    "more",
    "most",
    "other",
    "some",
    "such",
    "no",
    "nor",
    "not",
    "only",
    "own",
    "same",
    "so",
    "than",
    "too",
    "very",
    "s",
    "t",
    "can",
    "will",
    "just",
    "don",
    "should",
    "now",
];

fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.contains(&word)
}

/// One thing to look for (or leave out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// A word, lower-cased: matches its variants (pacing, paced).
    Word(String),
    /// Words that must stand together, in order.
    Phrase(Vec<String>),
}

impl Term {
    /// From the words of one quoted phrase or one bare token; `None` when nothing is left
    /// worth searching for.
    fn from_words(mut words: Vec<String>) -> Option<Term> {
        words.retain(|w| w.chars().count() <= MAX_WORD_CHARS);
        words.truncate(MAX_PHRASE_WORDS);
        if words.iter().all(|w| is_stop_word(w)) {
            return None;
        }
        if words.len() == 1 {
            words.pop().map(Term::Word)
        } else {
            Some(Term::Phrase(words))
        }
    }

    pub fn words(&self) -> &[String] {
        match self {
            Term::Word(word) => std::slice::from_ref(word),
            Term::Phrase(words) => words,
        }
    }

    /// The term as FTS5 syntax: one quoted string (a phrase when it holds several words).
    fn fts5(&self) -> String {
        format!("\"{}\"", self.words().join(" ").replace('"', "\"\""))
    }

    /// As the member might type it again.
    fn display(&self) -> String {
        match self {
            Term::Word(word) => word.clone(),
            Term::Phrase(words) => format!("\"{}\"", words.join(" ")),
        }
    }
}

/// A parsed search: terms that must all match, and terms that must not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    wanted: Vec<Term>,
    unwanted: Vec<Term>,
}

/// Text with its accents taken off (é to e, ö to o), as SQLite's tokenizer does and as
/// the PostgreSQL index is written, so that "Zoe" finds "Zoë" on both engines.
pub fn fold(text: &str) -> String {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization;
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .nfc()
        .collect()
}

/// The letters-and-digits runs of a piece of text, lower-cased and without accents: the
/// words an engine's tokenizer would find in it.
fn words_of(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '„')
}

fn is_minus(c: char) -> bool {
    matches!(c, '-' | '−' | '–')
}

impl SearchQuery {
    /// Reads anything at all: never fails. Unbalanced quotes run to the end; operators,
    /// punctuation and control characters are dropped; stop words are ignored.
    pub fn parse(input: &str) -> Self {
        let mut input: String = input
            .chars()
            .take(MAX_INPUT_CHARS + 1)
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        if input.chars().count() > MAX_INPUT_CHARS {
            // Cut at the last space within the limit, never through a word.
            let limit = input
                .char_indices()
                .nth(MAX_INPUT_CHARS)
                .map_or(input.len(), |(at, _)| at);
            let cut = input[..limit].rfind(char::is_whitespace).unwrap_or(limit);
            input.truncate(cut);
        }
        let mut query = SearchQuery::default();
        let mut chars = input.chars().peekable();
        loop {
            while chars.next_if(|c| c.is_whitespace()).is_some() {}
            let Some(&first) = chars.peek() else { break };
            let mut negated = false;
            if is_minus(first) {
                chars.next();
                negated = true;
                // A minus on its own, or before a space, leaves nothing out.
                if chars.peek().is_none_or(|c| c.is_whitespace()) {
                    continue;
                }
            }
            let text: String = if chars.next_if(|c| is_quote(*c)).is_some() {
                let phrase: String = chars.by_ref().take_while(|c| !is_quote(*c)).collect();
                format!("\"{phrase}")
            } else {
                let mut token = String::new();
                while let Some(c) = chars.next_if(|c| !c.is_whitespace() && !is_quote(*c)) {
                    token.push(c);
                }
                token
            };
            if let Some(term) = Term::from_words(words_of(&text)) {
                query.add(term, negated);
            }
        }
        query
    }

    fn add(&mut self, term: Term, negated: bool) {
        let list = if negated {
            &mut self.unwanted
        } else {
            &mut self.wanted
        };
        if list.len() < MAX_TERMS && !list.contains(&term) {
            list.push(term);
        }
    }

    /// Nothing to look for (an empty box, only stop words, or only words to leave out).
    pub fn is_empty(&self) -> bool {
        self.wanted.is_empty()
    }

    /// Only words to leave out: there is nothing to look for.
    pub fn only_exclusions(&self) -> bool {
        self.wanted.is_empty() && !self.unwanted.is_empty()
    }

    pub fn wanted(&self) -> &[Term] {
        &self.wanted
    }

    pub fn unwanted(&self) -> &[Term] {
        &self.unwanted
    }

    /// The query as FTS5's MATCH syntax, every term quoted: `("a" AND "b c") NOT "d"`.
    pub fn fts5_match(&self) -> Option<String> {
        if self.wanted.is_empty() {
            return None;
        }
        let wanted: Vec<String> = self.wanted.iter().map(Term::fts5).collect();
        let mut expression = format!("({})", wanted.join(" AND "));
        for term in &self.unwanted {
            expression.push_str(" NOT ");
            expression.push_str(&term.fts5());
        }
        Some(expression)
    }

    /// The query as texts for PostgreSQL's `plainto_tsquery` (the words) and
    /// `phraseto_tsquery` (each phrase, each term left out), which read them as plain text.
    pub fn pg_terms(&self) -> Option<PgTerms> {
        if self.wanted.is_empty() {
            return None;
        }
        let words: Vec<&str> = self
            .wanted
            .iter()
            .filter_map(|t| match t {
                Term::Word(w) => Some(w.as_str()),
                Term::Phrase(_) => None,
            })
            .collect();
        Some(PgTerms {
            words: words.join(" "),
            phrases: self
                .wanted
                .iter()
                .filter(|t| matches!(t, Term::Phrase(_)))
                .map(|t| t.words().join(" "))
                .collect(),
            unwanted: self.unwanted.iter().map(|t| t.words().join(" ")).collect(),
        })
    }

    /// What was understood, as the member could type it: `pacing "long covid" -children`.
    pub fn display(&self) -> String {
        self.wanted
            .iter()
            .map(Term::display)
            .chain(self.unwanted.iter().map(|t| format!("-{}", t.display())))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A query in the pieces PostgreSQL's text-search functions take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgTerms {
    /// Every single word, space-separated (may be empty when there are only phrases).
    pub words: String,
    pub phrases: Vec<String>,
    pub unwanted: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(w: &str) -> Term {
        Term::Word(w.into())
    }

    fn phrase(words: &[&str]) -> Term {
        Term::Phrase(words.iter().map(|w| (*w).to_owned()).collect())
    }

    #[test]
    fn words_phrases_and_exclusions() {
        let q = SearchQuery::parse(r#"Pacing "long Covid" -children -"care home""#);
        assert_eq!(q.wanted(), &[word("pacing"), phrase(&["long", "covid"])]);
        assert_eq!(q.unwanted(), &[word("children"), phrase(&["care", "home"])]);
        assert_eq!(
            q.fts5_match().unwrap(),
            r#"("pacing" AND "long covid") NOT "children" NOT "care home""#
        );
        assert_eq!(q.display(), r#"pacing "long covid" -children -"care home""#);
    }

    #[test]
    fn stop_words_are_ignored_except_inside_phrases() {
        let q = SearchQuery::parse(r#"the referral "referral to the OT""#);
        assert_eq!(
            q.wanted(),
            &[word("referral"), phrase(&["referral", "to", "the", "ot"])]
        );
        assert!(SearchQuery::parse("the and of").is_empty());
        assert!(SearchQuery::parse(r#""the of""#).is_empty());
    }

    #[test]
    fn punctuation_inside_a_word_makes_a_phrase_of_its_parts() {
        let q = SearchQuery::parse("covid-19 o'brien");
        assert_eq!(
            q.wanted(),
            &[phrase(&["covid", "19"]), phrase(&["o", "brien"])]
        );
    }

    #[test]
    fn an_unclosed_quote_runs_to_the_end() {
        let q = SearchQuery::parse(r#"fatigue "energy diary"#);
        assert_eq!(q.wanted(), &[word("fatigue"), phrase(&["energy", "diary"])]);
    }

    #[test]
    fn curly_quotes_work_like_straight_ones() {
        let q = SearchQuery::parse("“energy diary”");
        assert_eq!(q.wanted(), &[phrase(&["energy", "diary"])]);
    }

    #[test]
    fn only_exclusions_is_nothing_to_look_for() {
        let q = SearchQuery::parse("-pacing");
        assert!(q.is_empty());
        assert!(q.only_exclusions());
        assert_eq!(q.fts5_match(), None);
        assert_eq!(q.pg_terms(), None);
    }

    #[test]
    fn hostile_input_leaves_only_words() {
        for input in [
            "\"", "\"\"\"", "*", "-", "--", "-\"", "(", ")", "^", ":", "\\", "%", "_", "&", "|",
            "!", "<->", "'", ";", "a:*", "OR", "NOT", "AND", "\0", "",
        ] {
            let q = SearchQuery::parse(input);
            assert!(q.is_empty(), "{input:?} gave {q:?}");
        }
        let q = SearchQuery::parse("'; DROP TABLE posts; --");
        assert_eq!(q.wanted(), &[word("drop"), word("table"), word("posts")]);
        let q = SearchQuery::parse("NEAR(a b) title:x");
        assert_eq!(
            q.wanted(),
            &[phrase(&["near", "a"]), word("b"), phrase(&["title", "x"])]
        );
        assert_eq!(
            q.fts5_match().unwrap(),
            r#"("near a" AND "b" AND "title x")"#
        );
    }

    #[test]
    fn long_input_is_cut_and_terms_are_capped() {
        let input = "pacing ".repeat(1000);
        let q = SearchQuery::parse(&input);
        assert_eq!(q.wanted(), &[word("pacing")]);
        let many: String = (0..100).map(|n| format!("w{n} ")).collect();
        assert_eq!(SearchQuery::parse(&many).wanted().len(), MAX_TERMS);
        let huge = "x".repeat(5000);
        assert!(SearchQuery::parse(&huge).is_empty());
    }

    #[test]
    fn postgres_pieces() {
        let q = SearchQuery::parse(r#"pacing diary "long covid" -children"#);
        assert_eq!(
            q.pg_terms().unwrap(),
            PgTerms {
                words: "pacing diary".into(),
                phrases: vec!["long covid".into()],
                unwanted: vec!["children".into()],
            }
        );
    }

    #[test]
    fn unicode_letters_are_words_and_emoji_are_not() {
        let q = SearchQuery::parse("Café 🙂 naïve Zoë");
        assert_eq!(q.wanted(), &[word("cafe"), word("naive"), word("zoe")]);
    }

    proptest::proptest! {
        #[test]
        fn any_input_gives_quoted_terms_of_letters_and_digits(input in "\\PC{0,200}") {
            let q = SearchQuery::parse(&input);
            for term in q.wanted().iter().chain(q.unwanted()) {
                for w in term.words() {
                    proptest::prop_assert!(!w.is_empty());
                    proptest::prop_assert!(w.chars().all(char::is_alphanumeric));
                }
            }
            if let Some(expression) = q.fts5_match() {
                proptest::prop_assert!(expression.starts_with("(\""));
            }
        }
    }
}
