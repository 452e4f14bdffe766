//! Form building blocks: every field has a label, an optional hint, and an error message
//! linked to it; an error summary at the top links to each field at fault. And the reading
//! of forms and addresses whose names repeat (`boroughs=a&boroughs=b`): `HtmlForm` and
//! `HtmlQuery` fill a serde struct through `serde_html_form`, a repeated name into a `Vec`.

use std::fmt;
use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use maud::{html, Markup};
use serde::de::{DeserializeOwned, Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde::Deserialize;

use super::context::PageCtx;
use super::AppError;

/// A urlencoded form body read into `T`, where a repeated name fills a `Vec<String>` field
/// (`web::Form`, through serde_urlencoded, refuses one).
#[derive(Debug)]
pub struct HtmlForm<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for HtmlForm<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let body = body.await?;
            serde_html_form::from_bytes(&body)
                .map(HtmlForm)
                .map_err(|error| {
                    AppError::BadRequest(format!("The form could not be read: {error}")).into()
                })
        })
    }
}

/// An address's query string read into `T`, as `HtmlForm` reads a body.
#[derive(Debug)]
pub struct HtmlQuery<T>(pub T);

impl<T: DeserializeOwned> FromRequest for HtmlQuery<T> {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            serde_html_form::from_str(req.query_string())
                .map(HtmlQuery)
                .map_err(|error| {
                    AppError::BadRequest(format!("The address has a mistake in it: {error}"))
                }),
        )
    }
}

/// For `#[serde(deserialize_with = "first")]` on a field that comes once: a forged form or
/// address that repeats it is read by its first value, as a browser's would be, not refused.
pub fn first<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    deserializer.deserialize_any(FirstValue)
}

/// A field's value under a name known only when the form is read (`session-2`): the first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct OneValue(#[serde(deserialize_with = "first")] pub String);

struct FirstValue;

impl<'de> Visitor<'de> for FirstValue {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a form value")
    }

    fn visit_str<E>(self, value: &str) -> Result<String, E> {
        Ok(value.to_owned())
    }

    fn visit_string<E>(self, value: String) -> Result<String, E> {
        Ok(value)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut values: A) -> Result<String, A::Error> {
        let first = values.next_element::<String>()?.unwrap_or_default();
        while values.next_element::<IgnoredAny>()?.is_some() {}
        Ok(first)
    }
}

/// Messages for the fields of one form, in the order the form shows them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(Vec<(String, String)>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// One message, for one field.
    pub fn one(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.add(field, message);
        errors
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

    /// The patient-data guard on a form's fields ([`crate::guard`]): until its author takes
    /// them out or ticks [`CONFIRM_PATIENT_DATA`], each finding is a message by its field.
    /// Once they have ticked it, the form goes through and is held for a facilitator.
    pub fn screen(
        &mut self,
        fields: &[(&'static str, &str)],
        confirmed: bool,
    ) -> crate::guard::Verdict {
        let flagged = crate::guard::screen_fields(fields);
        if flagged.is_empty() {
            return crate::guard::Verdict::Publish;
        }
        if confirmed {
            return crate::guard::Verdict::Hold;
        }
        for flagged in &flagged {
            let found: Vec<String> = flagged
                .screened
                .findings
                .iter()
                .map(|finding| flagged.screened.described(finding))
                .collect();
            self.add(
                flagged.field,
                format!(
                    "This may identify a patient or service user: {}. Take it out, or tick the box at the end of the form",
                    found.join("; ")
                ),
            );
        }
        self.add(
            CONFIRM_PATIENT_DATA,
            "Tick this box only if you are sure nothing here identifies anyone: a facilitator will check it before others see it",
        );
        crate::guard::Verdict::Publish
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

/// The name under which the page script keeps a form's unsent text in this browser
/// (`data-draft`): the signed-in member's own, by where the form is sent, so a draft is
/// never offered to someone else who signs in on the same browser. `None` signed out.
pub fn draft_key(ctx: &PageCtx, action: &str) -> Option<String> {
    ctx.viewer
        .as_ref()
        .map(|viewer| format!("{}:{action}", viewer.id))
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

/// The box an author ticks to send what the guard flagged to a facilitator.
pub const CONFIRM_PATIENT_DATA: &str = "confirm_patient_data";

/// The guard's box, shown only once it has found something (with its message).
pub fn confirm_patient_data_field(errors: &FieldErrors) -> Markup {
    html! {
        @if let Some(message) = errors.get(CONFIRM_PATIENT_DATA) {
            div.form-group.checkbox.form-group-error {
                (field_error(CONFIRM_PATIENT_DATA, Some(message)))
                input id=(CONFIRM_PATIENT_DATA) name=(CONFIRM_PATIENT_DATA) type="checkbox" value="yes"
                    aria-describedby={ (CONFIRM_PATIENT_DATA) "-error" };
                label for=(CONFIRM_PATIENT_DATA) { "I have checked: nothing here identifies a patient or service user. Send it to a facilitator to check." }
            }
        }
    }
}

/// A group of boxes sharing one name (`boroughs=a&boroughs=b`), in a fieldset whose legend
/// labels them; its error and hint sit under the legend. The first box answers to `#name`, so
/// the error summary's link lands on it.
pub fn checkboxes_field(
    name: &str,
    legend: &str,
    options: &[(&str, &str)],
    chosen: &[String],
    errors: &FieldErrors,
    hint: Option<&str>,
) -> Markup {
    let error = errors.get(name);
    html! {
        div.form-group.form-group-error[error.is_some()] {
            fieldset.fieldset aria-describedby=[described_by(name, hint.is_some(), error.is_some())] {
                legend.label { (legend) }
                @if let Some(hint) = hint {
                    div.hint id={ (name) "-hint" } { (hint) }
                }
                (field_error(name, error))
                @for (i, (value, text)) in options.iter().enumerate() {
                    @let id = if i == 0 { name.to_owned() } else { format!("{name}-{value}") };
                    div.checkbox {
                        input id=(id) type="checkbox" name=(name) value=(value)
                            checked[chosen.iter().any(|c| c == value)];
                        label for=(id) { (text) }
                    }
                }
            }
        }
    }
}

/// A file input with its hint and, after a refusal, the reason (the file is never kept for
/// the redisplayed form: it must be chosen again). `accept` suggests types to the picker.
pub fn file_field(
    name: &str,
    label: &str,
    hint: &str,
    accept: Option<&str>,
    errors: &FieldErrors,
) -> Markup {
    let error = errors.get(name);
    html! {
        div.form-group.form-group-error[error.is_some()] {
            label.label for=(name) { (label) }
            div.hint id={ (name) "-hint" } { (hint) }
            (field_error(name, error))
            input.file-input id=(name) type="file" name=(name) accept=[accept]
                aria-invalid=[error.map(|_| "true")]
                aria-describedby=[described_by(name, true, error.is_some())];
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
    use std::collections::BTreeMap;

    use super::*;

    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    struct Sample {
        #[serde(deserialize_with = "first")]
        title: String,
        boroughs: Vec<String>,
    }

    #[test]
    fn repeated_names_fill_a_list_and_a_single_field_keeps_its_first_value() {
        let form: Sample =
            serde_html_form::from_str("boroughs=bolton&title=One+two&boroughs=wigan&title=x")
                .unwrap();
        assert_eq!(form.title, "One two");
        assert_eq!(form.boroughs, ["bolton", "wigan"]);
        let one: Sample = serde_html_form::from_str("boroughs=bolton").unwrap();
        assert_eq!(one.title, "");
        assert_eq!(one.boroughs, ["bolton"]);
    }

    #[test]
    fn names_known_only_when_read_keep_their_first_value() {
        let fields: BTreeMap<String, OneValue> =
            serde_html_form::from_str("session-2=%FF&length-2=90&session-2=y").unwrap();
        assert_eq!(fields["session-2"].0, "\u{FFFD}");
        assert_eq!(fields["length-2"].0, "90");
    }

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
