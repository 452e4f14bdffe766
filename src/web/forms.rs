//! Form building blocks: every field has a label, an optional hint, and an error message
//! linked to it; an error summary at the top links to each field at fault.

use maud::{html, Markup};

use super::context::PageCtx;

/// Messages for the fields of one form, in the order the form shows them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(Vec<(String, String)>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        let field = field.into();
        if self.get(&field).is_none() {
            self.0.push((field, message.into()));
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(name, _)| *name == field)
            .map(|(_, message)| message.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Records the error of a parse under `field` and keeps the value when it parsed.
    pub fn check<T, E: ToString>(
        &mut self,
        field: impl Into<String>,
        parsed: Result<T, E>,
    ) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(error) => {
                self.add(field, error.to_string());
                None
            }
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .iter()
            .map(|(field, message)| (field.as_str(), message.as_str()))
    }
}

pub fn csrf_field(ctx: &PageCtx) -> Markup {
    html! { input type="hidden" name="csrf_token" value=(ctx.csrf_token); }
}

pub fn error_summary(errors: &FieldErrors) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.error-summary role="alert" aria-labelledby="error-summary-title" tabindex="-1" autofocus {
                h2 #error-summary-title { "There is a problem" }
                ul {
                    @for (field, message) in errors.iter() {
                        li { a href={ "#" (field) } { (message) } }
                    }
                }
            }
        }
    }
}

/// What a text input needs beyond its name, label and value.
#[derive(Default, Clone, Copy)]
pub struct Input<'a> {
    pub kind: &'a str,
    pub hint: Option<&'a str>,
    pub autocomplete: Option<&'a str>,
    pub required: bool,
    pub max_length: Option<usize>,
}

impl<'a> Input<'a> {
    pub fn text() -> Self {
        Self {
            kind: "text",
            ..Self::default()
        }
    }
    pub fn of(kind: &'a str) -> Self {
        Self {
            kind,
            ..Self::default()
        }
    }
    pub fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }
    pub fn autocomplete(mut self, value: &'a str) -> Self {
        self.autocomplete = Some(value);
        self
    }
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub fn max_length(mut self, max: usize) -> Self {
        self.max_length = Some(max);
        self
    }
}

fn described_by(name: &str, hint: bool, error: bool) -> Option<String> {
    let mut ids = Vec::new();
    if hint {
        ids.push(format!("{name}-hint"));
    }
    if error {
        ids.push(format!("{name}-error"));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

fn field_error(name: &str, error: Option<&str>) -> Markup {
    html! {
        @if let Some(message) = error {
            p.error-message id={ (name) "-error" } {
                span.visually-hidden { "Error: " } (message)
            }
        }
    }
}

pub fn text_field(
    name: &str,
    label: &str,
    value: &str,
    errors: &FieldErrors,
    input: Input<'_>,
) -> Markup {
    let error = errors.get(name);
    html! {
        div.form-group.form-group-error[error.is_some()] {
            label.label for=(name) { (label) }
            @if let Some(hint) = input.hint {
                div.hint id={ (name) "-hint" } { (hint) }
            }
            (field_error(name, error))
            input.input.input-error[error.is_some()]
                id=(name) name=(name) type=(input.kind) value=(value)
                autocomplete=[input.autocomplete]
                required[input.required]
                maxlength=[input.max_length]
                aria-invalid=[error.map(|_| "true")]
                aria-describedby=[described_by(name, input.hint.is_some(), error.is_some())];
        }
    }
}

pub fn textarea_field(
    name: &str,
    label: &str,
    value: &str,
    errors: &FieldErrors,
    hint: Option<&str>,
    rows: u32,
) -> Markup {
    let error = errors.get(name);
    html! {
        div.form-group.form-group-error[error.is_some()] {
            label.label for=(name) { (label) }
            @if let Some(hint) = hint {
                div.hint id={ (name) "-hint" } { (hint) }
            }
            (field_error(name, error))
            textarea.textarea.input-error[error.is_some()]
                id=(name) name=(name) rows=(rows)
                aria-invalid=[error.map(|_| "true")]
                aria-describedby=[described_by(name, hint.is_some(), error.is_some())]
            { (value) }
        }
    }
}

/// A `<select>` whose options are (value, label) pairs; `blank` adds a first empty choice.
pub fn select_field(
    name: &str,
    label: &str,
    selected: &str,
    options: &[(&str, &str)],
    blank: Option<&str>,
    errors: &FieldErrors,
) -> Markup {
    let error = errors.get(name);
    html! {
        div.form-group.form-group-error[error.is_some()] {
            label.label for=(name) { (label) }
            (field_error(name, error))
            select.select.input-error[error.is_some()] id=(name) name=(name)
                aria-invalid=[error.map(|_| "true")]
                aria-describedby=[described_by(name, false, error.is_some())]
            {
                @if let Some(blank) = blank {
                    option value="" selected[selected.is_empty()] { (blank) }
                }
                @for (value, text) in options {
                    option value=(value) selected[*value == selected] { (text) }
                }
            }
        }
    }
}

pub fn checkbox_field(name: &str, label: &str, checked: bool, hint: Option<&str>) -> Markup {
    html! {
        div.form-group.checkbox {
            input id=(name) name=(name) type="checkbox" value="yes" checked[checked]
                aria-describedby=[hint.map(|_| format!("{name}-hint"))];
            label for=(name) { (label) }
            @if let Some(hint) = hint {
                div.hint id={ (name) "-hint" } { (hint) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_message_for_a_field_wins() {
        let mut errors = FieldErrors::new();
        errors.add("email", "Enter an email address");
        errors.add("email", "second");
        assert_eq!(errors.get("email"), Some("Enter an email address"));
        assert_eq!(errors.iter().count(), 1);
    }

    #[test]
    fn a_field_with_an_error_is_linked_to_its_message() {
        let mut errors = FieldErrors::new();
        errors.add("email", "Enter an email address");
        let html = text_field("email", "Email", "x", &errors, Input::of("email")).into_string();
        assert!(html.contains(r#"aria-describedby="email-error""#), "{html}");
        assert!(html.contains(r#"id="email-error""#));
        let summary = error_summary(&errors).into_string();
        assert!(summary.contains(r##"href="#email""##));
    }
}
