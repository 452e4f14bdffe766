//! The demo's words: plain text files under `corpus/`, built into the binary and read once.
//!
//! Every file has the same simple shape:
//! - a line `## name` starts the section `name`; the lines before the first heading are the
//!   section `""` (a file that is one list has no headings);
//! - a line `# …` is a comment;
//! - an *item* is one line: blank lines are skipped, `\n` within a line breaks it, and a
//!   line `(nothing)` is the empty item;
//! - a *record* is an item of fields separated by ` | `;
//! - a *text* is a whole section as written, line breaks and blank lines kept (the blank
//!   lines around it dropped), with `{name}` holes that [`fill`] fills.

use rand::rngs::StdRng;
use rand::Rng;

use crate::accounts::Role;

/// A corpus file, parsed: `corpus!("about.txt")`.
macro_rules! corpus {
    ($file:literal) => {
        $crate::demo::corpus::Corpus::parse($file, include_str!(concat!("corpus/", $file)))
    };
}
pub(super) use corpus;

pub(super) struct Corpus {
    file: &'static str,
    /// Each section's name and its lines, comments left out.
    sections: Vec<(&'static str, Vec<&'static str>)>,
}

impl Corpus {
    pub(super) fn parse(file: &'static str, text: &'static str) -> Self {
        let mut sections = vec![("", Vec::new())];
        for line in text.lines().map(str::trim_end) {
            if let Some(name) = line.strip_prefix("## ") {
                sections.push((name.trim(), Vec::new()));
            } else if line != "#" && !line.starts_with("# ") {
                sections.last_mut().expect("a section").1.push(line);
            }
        }
        Self { file, sections }
    }

    /// The names of the sections with headings, in order.
    pub(super) fn headings(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.sections.iter().skip(1).map(|(name, _)| *name)
    }

    fn lines(&self, section: &str) -> &[&'static str] {
        self.sections
            .iter()
            .find(|(name, _)| *name == section)
            .map(|(_, lines)| lines.as_slice())
            .unwrap_or_else(|| panic!("corpus/{} has no section {section:?}", self.file))
    }

    pub(super) fn items(&self, section: &str) -> Vec<String> {
        self.lines(section)
            .iter()
            .map(|line| line.trim())
            .filter(|line| !line.is_empty())
            .map(|line| match line {
                "(nothing)" => String::new(),
                _ => line.replace("\\n", "\n"),
            })
            .collect()
    }

    pub(super) fn records<const N: usize>(&self, section: &str) -> Vec<[&'static str; N]> {
        self.lines(section)
            .iter()
            .filter(|line| !line.trim().is_empty())
            .map(|line| {
                let fields: Vec<&'static str> = line.split(" | ").map(str::trim).collect();
                <[&'static str; N]>::try_from(fields).unwrap_or_else(|_| {
                    panic!("corpus/{}: {line:?} does not have {N} fields", self.file)
                })
            })
            .collect()
    }

    pub(super) fn text(&self, section: &str) -> String {
        let lines = self.lines(section);
        let first = lines.iter().position(|l| !l.is_empty()).unwrap_or(0);
        let end = lines
            .iter()
            .rposition(|l| !l.is_empty())
            .map_or(0, |i| i + 1);
        lines[first..end.max(first)].join("\n")
    }

    /// `text(name)` for each role: the sections `"link_worker {name}"` and
    /// `"occupational_therapist {name}"`.
    pub(super) fn role_texts(&self, name: &str) -> ByRole<String> {
        ByRole::read(|role| self.text(&format!("{} {name}", role.slug())))
    }

    /// `items(name)` for each role, as [`Corpus::role_texts`].
    pub(super) fn role_items(&self, name: &str) -> ByRole<Vec<String>> {
        ByRole::read(|role| self.items(&format!("{} {name}", role.slug())))
    }
}

/// One of each for link workers and OTs.
pub(super) struct ByRole<T> {
    link_worker: T,
    occupational_therapist: T,
}

impl<T> ByRole<T> {
    pub(super) fn read(mut read: impl FnMut(Role) -> T) -> Self {
        Self {
            link_worker: read(Role::LinkWorker),
            occupational_therapist: read(Role::OccupationalTherapist),
        }
    }

    pub(super) fn of(&self, role: Role) -> &T {
        match role {
            Role::LinkWorker => &self.link_worker,
            Role::OccupationalTherapist => &self.occupational_therapist,
        }
    }
}

/// `template` with each `{name}` replaced by its value in `holes`. A hole with no value
/// is a mistake in the corpus.
pub(super) fn fill(template: &str, holes: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}').unwrap_or(after.len());
        let name = &after[..close];
        let value = holes
            .iter()
            .find(|(hole, _)| *hole == name)
            .map(|(_, value)| *value)
            .unwrap_or_else(|| panic!("nothing fills {{{name}}} in {template:?}"));
        out.push_str(value);
        rest = after.get(close + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// One of `choices`, each as likely as its weight.
pub(super) fn weighted<T: Copy>(rng: &mut StdRng, choices: &[(T, u32)]) -> T {
    let total: u32 = choices.iter().map(|(_, weight)| weight).sum();
    let mut pick = rng.gen_range(0..total);
    for &(choice, weight) in choices {
        if pick < weight {
            return choice;
        }
        pick -= weight;
    }
    choices.last().expect("choices").0
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str =
        "# A comment.\nalpha\n\n## list\n# Another.\none\n(nothing)\ntwo\\nlines\n\n\
                          ## records\na | b | c\n\n## text\n\nFirst {x}.\n\nSecond.\n\n";

    #[test]
    fn sections_hold_items_records_and_texts() {
        let corpus = Corpus::parse("sample", SAMPLE);
        assert_eq!(
            corpus.headings().collect::<Vec<_>>(),
            ["list", "records", "text"]
        );
        assert_eq!(corpus.items(""), ["alpha"]);
        assert_eq!(corpus.items("list"), ["one", "", "two\nlines"]);
        assert_eq!(corpus.records::<3>("records"), [["a", "b", "c"]]);
        assert_eq!(corpus.text("text"), "First {x}.\n\nSecond.");
        assert_eq!(
            fill(&corpus.text("text"), &[("x", "{y}")]),
            "First {y}.\n\nSecond."
        );
    }

    #[test]
    #[should_panic(expected = "nothing fills {y}")]
    fn a_hole_without_a_value_is_a_mistake() {
        fill("{x} and {y}", &[("x", "1")]);
    }

    #[test]
    fn weights_make_some_choices_likelier() {
        let mut rng = rand::SeedableRng::seed_from_u64(3);
        let picks: Vec<char> = (0..4000)
            .map(|_| weighted(&mut rng, &[('a', 3), ('b', 1)]))
            .collect();
        let a = picks.iter().filter(|&&c| c == 'a').count();
        assert!((2800..3200).contains(&a), "{a}");
    }
}
