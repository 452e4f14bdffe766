//! The feedback form and the admin's question form: read as sent, parsed into domain
//! values, shown again with their errors.

use std::collections::HashMap;

use serde::Deserialize;

use super::feedback::{Answer, Answers};
use super::questions::{NewQuestion, Question};
use super::values::{EndLabel, FreeText, Measure, Prompt, QuestionKind, Rating};
use crate::web::forms::{FieldErrors, OneValue};

/// The name of a question's field on the form.
pub fn field_name(question: &Question) -> String {
    format!("q-{}", question.id)
}

/// A filled-in feedback form: one field per question (`q-12`), and `anonymous=yes`.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct FeedbackForm {
    #[serde(flatten)]
    fields: HashMap<String, OneValue>,
}

impl FeedbackForm {
    pub fn value(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", |value| value.0.as_str())
    }

    pub fn anonymous(&self) -> bool {
        self.value("anonymous") == "yes"
    }

    /// The answers given to `questions`; at least one is needed.
    pub fn parse(&self, questions: &[Question]) -> Result<Answers, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut given = Vec::new();
        for question in questions {
            let name = field_name(question);
            let value = self.value(&name);
            let answer = match question.kind {
                QuestionKind::Rating => errors
                    .check(name.as_str(), Rating::parse(value))
                    .flatten()
                    .map(Answer::Rating),
                QuestionKind::Text => errors
                    .check(name.as_str(), FreeText::parse(value))
                    .flatten()
                    .map(Answer::Text),
            };
            if let Some(answer) = answer {
                given.push((question.id, answer));
            }
        }
        if errors.is_empty() && given.is_empty() {
            if let Some(first) = questions.first() {
                errors.add(field_name(first), "Answer at least one question");
            }
        }
        if errors.is_empty() {
            Ok(Answers {
                given,
                anonymous: self.anonymous(),
            })
        } else {
            Err(errors)
        }
    }
}

/// A question as the admin adds it.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct QuestionForm {
    pub kind: String,
    pub prompt: String,
    pub low_label: String,
    pub high_label: String,
    pub measure: String,
}

impl QuestionForm {
    pub fn blank() -> Self {
        Self {
            kind: QuestionKind::Rating.slug().into(),
            ..Self::default()
        }
    }

    pub fn parse(&self) -> Result<NewQuestion, FieldErrors> {
        let mut errors = FieldErrors::new();
        let kind = errors.check("kind", QuestionKind::parse(&self.kind));
        let prompt = errors.check("prompt", Prompt::parse(&self.prompt));
        let ends = if kind == Some(QuestionKind::Rating) {
            let low = errors.check(
                "low_label",
                EndLabel::parse(&self.low_label, "the label for 1"),
            );
            let high = errors.check(
                "high_label",
                EndLabel::parse(&self.high_label, "the label for 5"),
            );
            low.zip(high)
        } else {
            None
        };
        let measure = errors.check("measure", Measure::from_form(&self.measure));
        match (kind, prompt, measure) {
            (Some(kind), Some(prompt), Some(measure)) if errors.is_empty() => Ok(NewQuestion {
                kind,
                prompt,
                ends,
                measure,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{CourseRunId, FeedbackQuestionId};

    fn question(id: i64, kind: QuestionKind) -> Question {
        Question {
            id: FeedbackQuestionId(id),
            run_id: CourseRunId(1),
            position: id as i32,
            kind,
            prompt: "?".into(),
            low_label: String::new(),
            high_label: String::new(),
            measure: Measure::Neither,
        }
    }

    fn form(pairs: &[(&str, &str)]) -> FeedbackForm {
        FeedbackForm {
            fields: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), OneValue(v.to_string())))
                .collect(),
        }
    }

    #[test]
    fn answers_are_read_by_question_and_checked() {
        let questions = [
            question(1, QuestionKind::Rating),
            question(2, QuestionKind::Text),
        ];
        let answers = form(&[("q-1", "4"), ("q-2", " Meet up "), ("anonymous", "yes")])
            .parse(&questions)
            .expect("parsed");
        assert!(answers.anonymous);
        assert_eq!(answers.given.len(), 2);
        let errors = form(&[("q-1", "9")]).parse(&questions).unwrap_err();
        assert!(errors.get("q-1").is_some());
        let errors = form(&[]).parse(&questions).unwrap_err();
        assert_eq!(errors.get("q-1"), Some("Answer at least one question"));
    }

    #[test]
    fn a_rating_question_needs_its_end_labels() {
        let mut form = QuestionForm::blank();
        form.prompt = "How useful?".into();
        let errors = form.parse().unwrap_err();
        assert!(errors.get("low_label").is_some() && errors.get("high_label").is_some());
        form.kind = "text".into();
        assert!(form.parse().is_ok());
    }
}
