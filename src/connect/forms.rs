//! The "my service" form: as sent, as shown again with its errors, and parsed.

use serde::Deserialize;

use super::services::{Service, ServiceArea, ServiceChange, ServiceText, ServiceTexts};
use crate::holds::Hold;
use crate::web::forms::{first, FieldErrors};

/// Each text's field, and its name in messages.
pub const TEXT_FIELDS: [(&str, &str); 3] = [
    ("offers", "What your service offers"),
    ("who_for", "Who it is for"),
    ("referral", "How to refer to it"),
];

/// The three texts as sent (offers, who it is for, how to refer), parsed; a message by each
/// field at fault. The redaction form of a held service uses it too.
pub fn service_texts(errors: &mut FieldErrors, sent: [&str; 3]) -> Option<ServiceTexts> {
    let [offers, who_for, referral] = [0, 1, 2].map(|i| {
        let (field, what) = TEXT_FIELDS[i];
        errors.check(field, ServiceText::parse(sent[i], what))
    });
    Some(ServiceTexts::new(offers?, who_for?, referral?))
}

/// The form as sent (`boroughs` repeats), and as shown again with its errors.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ServiceForm {
    #[serde(deserialize_with = "first")]
    pub offers: String,
    #[serde(deserialize_with = "first")]
    pub who_for: String,
    #[serde(deserialize_with = "first")]
    pub referral: String,
    pub boroughs: Vec<String>,
    /// Present when the author confirms texts the patient-data guard flagged.
    pub confirm_patient_data: Option<String>,
}

impl ServiceForm {
    /// The form filled in with the member's service as it is, with texts still held in
    /// place of the published ones.
    pub fn of(service: &Service, hold: Option<&Hold>) -> Self {
        let texts = match hold.and_then(|h| h.pending_text.as_deref()) {
            Some(pending) => ServiceTexts::from_pending(Some(pending)),
            None => service.texts.clone(),
        };
        Self {
            offers: texts.offers,
            who_for: texts.who_for,
            referral: texts.referral,
            boroughs: service.area.iter().map(|b| b.slug().to_owned()).collect(),
            confirm_patient_data: None,
        }
    }

    pub fn parse(&self) -> Result<ServiceChange, FieldErrors> {
        let mut errors = FieldErrors::new();
        let texts = service_texts(&mut errors, [&self.offers, &self.who_for, &self.referral]);
        let area = errors.check("boroughs", ServiceArea::parse(&self.boroughs));
        let verdict = errors.screen(
            &[
                ("offers", self.offers.as_str()),
                ("who_for", self.who_for.as_str()),
                ("referral", self.referral.as_str()),
            ],
            self.confirm_patient_data.is_some(),
        );
        match (texts, area) {
            (Some(texts), Some(area)) if errors.is_empty() => Ok(ServiceChange {
                texts,
                area,
                verdict,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flagged_text_asks_for_the_tick_then_is_held() {
        let mut form = ServiceForm {
            offers: "Walking groups.".into(),
            who_for: "Mrs Patel, born 12/03/1954.".into(),
            boroughs: vec!["salford".into()],
            ..ServiceForm::default()
        };
        let errors = form.parse().err().expect("the guard speaks");
        assert!(errors.get("who_for").is_some());
        assert!(errors.get("confirm_patient_data").is_some());
        form.confirm_patient_data = Some("yes".into());
        let change = form.parse().expect("confirmed");
        assert!(change.verdict.holds());
    }

    #[test]
    fn an_unknown_borough_is_refused_by_its_field() {
        let form = ServiceForm {
            boroughs: vec!["atlantis".into()],
            ..ServiceForm::default()
        };
        let errors = form.parse().err().expect("refused");
        assert!(errors.get("boroughs").is_some());
    }
}
