//! A patient's medical history, the alerts derived from it, and the files kept with the
//! record (domain.md "Medical history and alerts", "Attachments").
//!
//! * [`MedicalHistory`]: allergies (substance, reaction, [`Severity`]), [`Condition`]s from a
//!   fixed list (`other` with its text), medications and notes, each checked when built.
//! * [`MedicalHistory::alerts`]: what a doctor must see before treating: every allergy, and
//!   the conditions that change dental care ([`Condition::alerts`]).
//! * [`AttachmentKind`]: `xray photo document consent`; receptionists handle only the last two.
//! * [`FileType::sniff`]: a file's type from its first bytes (JPEG, PNG, WebP, PDF, DICOM),
//!   never from its name.

use crate::enums::{code_enum, named_enum};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

named_enum! {
    /// How bad a reaction to an allergen is.
    pub enum Severity("severity") {
        Mild => "mild",
        Moderate => "moderate",
        /// Anaphylaxis or the like: the treatment form asks the doctor to acknowledge it.
        Severe => "severe",
    }
}

named_enum! {
    /// A condition from the questionnaire's fixed list.
    pub enum Condition("condition") {
        Diabetes => "diabetes",
        Hypertension => "hypertension",
        HeartDisease => "heart_disease",
        BleedingDisorder => "bleeding_disorder",
        Anticoagulants => "anticoagulants",
        Pregnancy => "pregnancy",
        Asthma => "asthma",
        Epilepsy => "epilepsy",
        Hepatitis => "hepatitis",
        Hiv => "hiv",
        KidneyDisease => "kidney_disease",
        /// Anything else, named in its text (required).
        Other => "other",
    }
}

impl Condition {
    /// Whether the condition changes dental care, so it is an alert: bleeding disorders,
    /// anticoagulants, pregnancy, heart disease, diabetes, epilepsy.
    pub const fn alerts(self) -> bool {
        matches!(
            self,
            Self::BleedingDisorder
                | Self::Anticoagulants
                | Self::Pregnancy
                | Self::HeartDisease
                | Self::Diabetes
                | Self::Epilepsy
        )
    }
}

/// Longest substance, reaction or condition text.
pub const SHORT_TEXT_MAX: usize = 200;
/// Longest medications or notes text.
pub const LONG_TEXT_MAX: usize = 4000;
/// Most allergies or conditions one history lists.
pub const LIST_MAX: usize = 30;

/// An allergy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Allergy {
    /// What the patient reacts to ("лидокаин", "penicillin").
    #[schema(example = "лидокаин", max_length = 200)]
    pub substance: String,
    /// How they react, if known.
    #[schema(max_length = 200)]
    pub reaction: Option<String>,
    pub severity: Severity,
}

/// A condition the patient has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ConditionEntry {
    pub code: Condition,
    /// Required for `other`; a detail for the others.
    #[schema(max_length = 200)]
    pub text: Option<String>,
}

/// Why a history was refused: the field (`allergies[0].substance`) and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryError {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

/// What the history says (the versioned part).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MedicalHistory {
    pub allergies: Vec<Allergy>,
    pub conditions: Vec<ConditionEntry>,
    pub medications: Option<String>,
    pub notes: Option<String>,
}

/// What a doctor must see before treating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Alert {
    /// `allergy`, or the condition's code.
    #[schema(example = "allergy")]
    pub kind: String,
    /// The substance (with its reaction), or the condition's text when it has one.
    #[schema(example = "лидокаин: anaphylaxis")]
    pub text: String,
    /// A severe allergy: the treatment form asks for an acknowledgement.
    pub severe: bool,
}

fn trimmed(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn too_long(field: String, max: usize) -> HistoryError {
    HistoryError {
        field,
        code: "too-long",
        message: format!("at most {max} characters"),
    }
}

fn check_len(
    errors: &mut Vec<HistoryError>,
    field: impl Fn() -> String,
    value: &Option<String>,
    max: usize,
) {
    if value.as_ref().is_some_and(|v| v.chars().count() > max) {
        errors.push(too_long(field(), max));
    }
}

impl MedicalHistory {
    /// The history with its texts trimmed (blank is none), or every reason it is refused:
    /// a blank substance, `other` without text, a condition listed twice, a text too long,
    /// more than [`LIST_MAX`] entries.
    pub fn new(
        allergies: Vec<Allergy>,
        conditions: Vec<ConditionEntry>,
        medications: Option<String>,
        notes: Option<String>,
    ) -> Result<MedicalHistory, Vec<HistoryError>> {
        let mut errors = Vec::new();
        for (name, len) in [
            ("allergies", allergies.len()),
            ("conditions", conditions.len()),
        ] {
            if len > LIST_MAX {
                errors.push(HistoryError {
                    field: name.to_owned(),
                    code: "too-many",
                    message: format!("at most {LIST_MAX} entries"),
                });
            }
        }
        let allergies: Vec<Allergy> = allergies
            .into_iter()
            .enumerate()
            .map(|(i, a)| {
                let substance = a.substance.trim().to_owned();
                if substance.is_empty() {
                    errors.push(HistoryError {
                        field: format!("allergies[{i}].substance"),
                        code: "required",
                        message: "name the substance".into(),
                    });
                }
                if substance.chars().count() > SHORT_TEXT_MAX {
                    errors.push(too_long(
                        format!("allergies[{i}].substance"),
                        SHORT_TEXT_MAX,
                    ));
                }
                let reaction = trimmed(a.reaction);
                check_len(
                    &mut errors,
                    || format!("allergies[{i}].reaction"),
                    &reaction,
                    SHORT_TEXT_MAX,
                );
                Allergy {
                    substance,
                    reaction,
                    severity: a.severity,
                }
            })
            .collect();
        let mut seen = Vec::new();
        let conditions: Vec<ConditionEntry> = conditions
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                let text = trimmed(c.text);
                if c.code == Condition::Other && text.is_none() {
                    errors.push(HistoryError {
                        field: format!("conditions[{i}].text"),
                        code: "required",
                        message: "say what the other condition is".into(),
                    });
                }
                if c.code != Condition::Other && seen.contains(&c.code) {
                    errors.push(HistoryError {
                        field: format!("conditions[{i}].code"),
                        code: "repeated",
                        message: format!("{} is listed twice", c.code),
                    });
                }
                seen.push(c.code);
                check_len(
                    &mut errors,
                    || format!("conditions[{i}].text"),
                    &text,
                    SHORT_TEXT_MAX,
                );
                ConditionEntry { code: c.code, text }
            })
            .collect();
        let medications = trimmed(medications);
        let notes = trimmed(notes);
        check_len(
            &mut errors,
            || "medications".into(),
            &medications,
            LONG_TEXT_MAX,
        );
        check_len(&mut errors, || "notes".into(), &notes, LONG_TEXT_MAX);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(MedicalHistory {
            allergies,
            conditions,
            medications,
            notes,
        })
    }

    /// Every allergy (severe ones first), then the conditions that change dental care, in
    /// the questionnaire's order.
    pub fn alerts(&self) -> Vec<Alert> {
        let mut allergies: Vec<&Allergy> = self.allergies.iter().collect();
        allergies.sort_by_key(|a| std::cmp::Reverse(a.severity));
        let mut alerts: Vec<Alert> = allergies
            .into_iter()
            .map(|a| Alert {
                kind: "allergy".into(),
                text: match &a.reaction {
                    Some(r) => format!("{}: {r}", a.substance),
                    None => a.substance.clone(),
                },
                severe: a.severity == Severity::Severe,
            })
            .collect();
        let mut conditions: Vec<&ConditionEntry> =
            self.conditions.iter().filter(|c| c.code.alerts()).collect();
        conditions.sort_by_key(|c| c.code);
        alerts.extend(conditions.into_iter().map(|c| Alert {
            kind: c.code.as_str().into(),
            text: c.text.clone().unwrap_or_default(),
            severe: false,
        }));
        alerts
    }

    /// Whether any allergy is severe (the treatment form asks for an acknowledgement).
    pub fn has_severe_allergy(&self) -> bool {
        self.allergies
            .iter()
            .any(|a| a.severity == Severity::Severe)
    }
}

code_enum! {
    /// What a file on the record is.
    pub enum AttachmentKind("attachment kind") {
        Xray = 1 => "xray",
        Photo = 2 => "photo",
        Document = 3 => "document",
        /// A signed consent (scanned), usually tied to a treatment.
        Consent = 4 => "consent",
    }
}

impl AttachmentKind {
    /// Whether a receptionist may see and add files of this kind (documents and consents;
    /// X-rays and photos are clinical).
    pub const fn front_desk(self) -> bool {
        matches!(self, Self::Document | Self::Consent)
    }
}

/// A type of file DCMS keeps, known by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    Jpeg,
    Png,
    Webp,
    Pdf,
    Dicom,
}

impl FileType {
    /// How many leading bytes [`FileType::sniff`] needs (DICOM's `DICM` is at 128).
    pub const SNIFF_LEN: usize = 132;

    /// The type of a file from its first bytes, or None for anything else (an executable
    /// renamed `.jpg` included).
    pub fn sniff(head: &[u8]) -> Option<FileType> {
        if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(FileType::Jpeg)
        } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(FileType::Png)
        } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
            Some(FileType::Webp)
        } else if head.starts_with(b"%PDF-") {
            Some(FileType::Pdf)
        } else if head.len() >= 132 && &head[128..132] == b"DICM" {
            Some(FileType::Dicom)
        } else {
            None
        }
    }

    /// The stored and served media type.
    pub const fn content_type(self) -> &'static str {
        match self {
            FileType::Jpeg => "image/jpeg",
            FileType::Png => "image/png",
            FileType::Webp => "image/webp",
            FileType::Pdf => "application/pdf",
            FileType::Dicom => "application/dicom",
        }
    }

    /// The type of a stored media type.
    pub fn from_content_type(value: &str) -> Option<FileType> {
        [
            FileType::Jpeg,
            FileType::Png,
            FileType::Webp,
            FileType::Pdf,
            FileType::Dicom,
        ]
        .into_iter()
        .find(|t| t.content_type() == value)
    }

    /// Whether a browser shows it as a picture (and DCMS makes a thumbnail of it).
    pub const fn is_image(self) -> bool {
        matches!(self, FileType::Jpeg | FileType::Png | FileType::Webp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allergy(substance: &str, severity: Severity) -> Allergy {
        Allergy {
            substance: substance.into(),
            reaction: None,
            severity,
        }
    }

    fn condition(code: Condition, text: Option<&str>) -> ConditionEntry {
        ConditionEntry {
            code,
            text: text.map(Into::into),
        }
    }

    #[test]
    fn alerts_are_allergies_then_conditions_that_change_care() {
        let h = MedicalHistory::new(
            vec![
                allergy("penicillin", Severity::Mild),
                Allergy {
                    substance: " лидокаин ".into(),
                    reaction: Some("anaphylaxis".into()),
                    severity: Severity::Severe,
                },
            ],
            vec![
                condition(Condition::Asthma, None),
                condition(Condition::Anticoagulants, Some("warfarin")),
                condition(Condition::Diabetes, None),
            ],
            Some("  ".into()),
            None,
        )
        .unwrap();
        let alerts = h.alerts();
        let kinds: Vec<&str> = alerts.iter().map(|a| a.kind.as_str()).collect();
        assert_eq!(kinds, ["allergy", "allergy", "diabetes", "anticoagulants"]);
        assert_eq!(alerts[0].text, "лидокаин: anaphylaxis");
        assert!(alerts[0].severe && !alerts[1].severe);
        assert_eq!(alerts[3].text, "warfarin");
        assert!(h.has_severe_allergy());
        assert_eq!(h.medications, None);
        assert!(MedicalHistory::default().alerts().is_empty());
    }

    #[test]
    fn refuses_blank_substances_other_without_text_and_repeats() {
        let errors = MedicalHistory::new(
            vec![allergy(" ", Severity::Mild)],
            vec![
                condition(Condition::Other, None),
                condition(Condition::Asthma, None),
                condition(Condition::Asthma, None),
            ],
            Some("x".repeat(LONG_TEXT_MAX + 1)),
            None,
        )
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "allergies[0].substance",
                "conditions[0].text",
                "conditions[2].code",
                "medications"
            ]
        );
    }

    #[test]
    fn file_types_come_from_the_first_bytes() {
        assert_eq!(
            FileType::sniff(b"\xFF\xD8\xFF\xE0rest"),
            Some(FileType::Jpeg)
        );
        assert_eq!(
            FileType::sniff(b"\x89PNG\r\n\x1a\nrest"),
            Some(FileType::Png)
        );
        assert_eq!(
            FileType::sniff(b"RIFF\0\0\0\0WEBPVP8 "),
            Some(FileType::Webp)
        );
        assert_eq!(FileType::sniff(b"%PDF-1.7"), Some(FileType::Pdf));
        let mut dicom = vec![0u8; 128];
        dicom.extend_from_slice(b"DICM");
        assert_eq!(FileType::sniff(&dicom), Some(FileType::Dicom));
        assert_eq!(FileType::sniff(b"MZ\x90\0"), None);
        assert_eq!(FileType::sniff(b"\x7fELF"), None);
        assert_eq!(FileType::sniff(b""), None);
        assert_eq!(FileType::sniff(&dicom[..100]), None);
        for t in [FileType::Jpeg, FileType::Pdf, FileType::Dicom] {
            assert_eq!(FileType::from_content_type(t.content_type()), Some(t));
        }
        assert!(AttachmentKind::Consent.front_desk() && !AttachmentKind::Xray.front_desk());
    }
}
