//! The medical history's page (`/patients/{id}/medical-history`) and the questionnaire a
//! receptionist hands the patient on a tablet (`/patients/{id}/questionnaire`).
//!
//! The history page shows the alerts, the history as it stands and every earlier version, and
//! (to those who write it) one form for the whole history: allergies in rows, the conditions
//! as ticks with their details, medications, notes, and "gone through with the patient now".
//! A questionnaire waiting for review fills the form with the patient's answers next to
//! their signature; saving it writes the new version and marks it reviewed. A form sent
//! against an older version is refused (409) and shown again on the latest.
//!
//! The questionnaire is large, Mongolian first, one yes/no per condition, three allergy rows,
//! medications and a signature box (`static/questionnaire.js` draws it into a hidden field);
//! sending it keeps the answers for review and changes no history by itself.

use super::common::alerts::AlertView;
use super::respond::see_other_with_flash;
use super::{Layout, OrPage, PageResult, field, msg};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::medical::{self, History, HistoryInput, Questionnaire, QuestionnaireInput};
use crate::services::{ServiceError, patients};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use dcms_domain::{Allergy, Condition, ConditionEntry, MedicalHistory, Severity};

/// Empty allergy rows offered after the recorded ones.
const BLANK_ALLERGIES: usize = 2;

/// An allergy row of the form.
#[derive(Clone, Default)]
struct AllergyRow {
    substance: String,
    reaction: String,
    severity: String,
}

/// A condition of the form: ticked, with its details.
struct ConditionRow {
    code: &'static str,
    label: String,
    checked: bool,
    text: String,
}

/// The whole history as a form.
struct HistoryForm {
    version: i32,
    allergies: Vec<AllergyRow>,
    conditions: Vec<ConditionRow>,
    medications: String,
    notes: String,
    questionnaire_id: Option<i64>,
}

fn condition_label(layout: &Layout, code: Condition) -> String {
    layout.t(&format!("condition-{}", code.as_str().replace('_', "-")))
}

impl HistoryForm {
    fn of(layout: &Layout, version: i32, h: &MedicalHistory) -> HistoryForm {
        let mut allergies: Vec<AllergyRow> = h
            .allergies
            .iter()
            .map(|a| AllergyRow {
                substance: a.substance.clone(),
                reaction: a.reaction.clone().unwrap_or_default(),
                severity: a.severity.as_str().to_owned(),
            })
            .collect();
        allergies.extend(std::iter::repeat_n(AllergyRow::default(), BLANK_ALLERGIES));
        let conditions = Condition::ALL
            .iter()
            .map(|&code| {
                let entry = h.conditions.iter().find(|c| c.code == code);
                ConditionRow {
                    code: code.as_str(),
                    label: condition_label(layout, code),
                    checked: entry.is_some(),
                    text: entry.and_then(|c| c.text.clone()).unwrap_or_default(),
                }
            })
            .collect();
        HistoryForm {
            version,
            allergies,
            conditions,
            medications: h.medications.clone().unwrap_or_default(),
            notes: h.notes.clone().unwrap_or_default(),
            questionnaire_id: None,
        }
    }
}

/// The history's answers merged with a questionnaire's: its allergies added, its conditions
/// ticked, its medications kept when the history has none.
fn merged(current: &History, q: &Questionnaire) -> MedicalHistory {
    let mut h = MedicalHistory {
        allergies: current.allergies.clone(),
        conditions: current.conditions.clone(),
        medications: current.medications.clone(),
        notes: current.notes.clone(),
    };
    for a in &q.answers.allergies {
        if !h
            .allergies
            .iter()
            .any(|b| b.substance.to_lowercase() == a.substance.to_lowercase())
        {
            h.allergies.push(a.clone());
        }
    }
    for c in &q.answers.conditions {
        if !h.conditions.iter().any(|d| d.code == c.code) {
            h.conditions.push(c.clone());
        }
    }
    if let Some(m) = &q.answers.medications {
        h.medications = Some(match &h.medications {
            Some(old) if old != m => format!("{old}\n{m}"),
            _ => m.clone(),
        });
    }
    h
}

/// A version as the list shows it.
struct VersionLine {
    version: i32,
    when: String,
    summary: String,
}

#[derive(Template)]
#[template(path = "medical.html")]
struct MedicalPage<'a> {
    layout: &'a Layout,
    patient_id: i64,
    patient_name: String,
    alerts: Vec<AlertView>,
    history: History,
    /// `2026-12-07 10:00`, when it was last gone through with the patient.
    reviewed: Option<String>,
    updated: Option<String>,
    conditions: Vec<String>,
    severities: Vec<(&'static str, String)>,
    form: HistoryForm,
    /// The questionnaire the form holds, with its signature and when it was sent.
    questionnaire: Option<(String, Option<String>)>,
    versions: Vec<VersionLine>,
    /// Why the form was refused, field by field or as a whole.
    problem: Option<String>,
}

async fn page(
    state: &AppState,
    caller: &Caller,
    layout: &Layout,
    patient_id: i64,
    form: Option<HistoryForm>,
    problem: Option<String>,
    status: StatusCode,
) -> PageResult {
    let patient = patients::get(&state.store, &state.audit, caller.actor(), patient_id)
        .await
        .or_page(layout)?;
    let history = medical::get(&state.store, &state.audit, caller.actor(), patient_id)
        .await
        .or_page(layout)?;
    let versions = medical::versions(&state.store, &state.audit, caller.actor(), patient_id)
        .await
        .or_page(layout)?;
    let pending = medical::pending(&state.store, patient_id)
        .await
        .or_page(layout)?;
    let current = MedicalHistory {
        allergies: history.allergies.clone(),
        conditions: history.conditions.clone(),
        medications: history.medications.clone(),
        notes: history.notes.clone(),
    };
    let mut questionnaire = None;
    let form = match (form, pending.first()) {
        (Some(form), _) => form,
        (None, Some(q)) => {
            questionnaire = Some((layout.datetime(&q.submitted_at), q.signature.clone()));
            let mut form = HistoryForm::of(layout, history.version, &merged(&history, q));
            form.questionnaire_id = Some(q.questionnaire_id);
            form
        }
        (None, None) => HistoryForm::of(layout, history.version, &current),
    };
    let conditions = history
        .conditions
        .iter()
        .map(|c| {
            let label = condition_label(layout, c.code);
            match &c.text {
                Some(t) => format!("{label}: {t}"),
                None => label,
            }
        })
        .collect();
    let versions = versions
        .iter()
        .map(|v| VersionLine {
            version: v.version,
            when: v
                .updated_at
                .map(|t| layout.datetime(&t))
                .unwrap_or_default(),
            summary: AlertView::line(&AlertView::all(layout, &v.alerts)),
        })
        .collect();
    Ok(layout.render_status(
        status,
        &MedicalPage {
            layout,
            patient_id,
            patient_name: format!("{} {}", patient.last_name, patient.first_name),
            alerts: AlertView::all(layout, &history.alerts),
            reviewed: history.reviewed_at.map(|t| layout.datetime(&t)),
            updated: history.updated_at.map(|t| layout.datetime(&t)),
            conditions,
            severities: Severity::ALL
                .iter()
                .map(|s| (s.as_str(), layout.t(&format!("severity-{}", s.as_str()))))
                .collect(),
            history,
            form,
            questionnaire,
            versions,
            problem,
        },
    ))
}

/// `GET /patients/{patient_id}/medical-history`.
pub async fn show(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
    layout: Layout,
) -> PageResult {
    page(
        &state,
        &caller,
        &layout,
        patient_id,
        None,
        None,
        StatusCode::OK,
    )
    .await
}

/// The values of every field named `name`, in order.
fn all<'a>(fields: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    fields
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// Allergies from the rows (blank rows left out; an unknown severity is mild).
fn allergies_of(fields: &[(String, String)]) -> Vec<Allergy> {
    let substances = all(fields, "substance");
    let reactions = all(fields, "reaction");
    let severities = all(fields, "severity");
    substances
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.trim().is_empty())
        .map(|(i, s)| Allergy {
            substance: (*s).to_owned(),
            reaction: reactions.get(i).map(|r| (*r).to_owned()),
            severity: severities
                .get(i)
                .and_then(|v| v.parse().ok())
                .unwrap_or(Severity::Mild),
        })
        .collect()
}

/// Conditions ticked (`cond=CODE`, or `cond_CODE=yes` on the questionnaire), with their
/// details (`cond_text_CODE`).
fn conditions_of(fields: &[(String, String)]) -> Vec<ConditionEntry> {
    Condition::ALL
        .iter()
        .filter(|c| {
            all(fields, "cond").contains(&c.as_str())
                || field(fields, &format!("cond_{}", c.as_str())) == "yes"
        })
        .map(|&code| ConditionEntry {
            code,
            text: Some(field(fields, &format!("cond_text_{}", code.as_str())).to_owned()),
        })
        .collect()
}

/// `POST /patients/{patient_id}/medical-history`: a new version from the form.
pub async fn save(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
    layout: Layout,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let allergies = allergies_of(&fields);
    let conditions = conditions_of(&fields);
    let version = field(&fields, "version").trim().parse::<i64>().ok();
    let questionnaire_id = field(&fields, "questionnaire_id")
        .trim()
        .parse::<i64>()
        .ok();
    let reviewed_at =
        (field(&fields, "reviewed") == "yes").then(|| jiff::Timestamp::now().to_string());
    let input = HistoryInput {
        version,
        allergies: allergies.clone(),
        conditions: conditions.clone(),
        medications: Some(field(&fields, "medications").to_owned()),
        notes: Some(field(&fields, "notes").to_owned()),
        reviewed_at,
        questionnaire_id,
    };
    match medical::put(
        &state.store,
        &state.audit,
        caller.actor(),
        patient_id,
        input,
    )
    .await
    {
        Ok(_) => Ok(see_other_with_flash(
            &format!("/patients/{patient_id}/medical-history"),
            msg("flash-saved"),
            layout.secure,
        )),
        Err(err @ (ServiceError::Invalid(_) | ServiceError::Conflict(_))) => {
            let status = crate::http::error::status_of(&err);
            let (problem, form) = match err {
                ServiceError::Invalid(errors) => {
                    let text = errors
                        .iter()
                        .map(|e| format!("{}: {}", e.field, e.message))
                        .collect::<Vec<_>>()
                        .join("; ");
                    let h = MedicalHistory {
                        allergies,
                        conditions,
                        medications: Some(field(&fields, "medications").to_owned()),
                        notes: Some(field(&fields, "notes").to_owned()),
                    };
                    let mut form = HistoryForm::of(
                        &layout,
                        version.and_then(|v| i32::try_from(v).ok()).unwrap_or(0),
                        &h,
                    );
                    form.questionnaire_id = questionnaire_id;
                    (format!("{} {text}", layout.t("error-invalid")), Some(form))
                }
                // Someone saved meanwhile: the latest version is shown to change again.
                _ => (layout.t("medical-conflict"), None),
            };
            page(
                &state,
                &caller,
                &layout,
                patient_id,
                form,
                Some(problem),
                status,
            )
            .await
        }
        Err(err) => Err(layout.error(err)),
    }
}

#[derive(Template)]
#[template(path = "questionnaire.html")]
struct QuestionnairePage<'a> {
    layout: &'a Layout,
    patient_id: i64,
    patient_name: String,
    conditions: Vec<(&'static str, String)>,
    severities: Vec<(&'static str, String)>,
    /// Sent: the thank-you that asks to hand the tablet back.
    sent: bool,
}

async fn questionnaire_page(
    state: &AppState,
    caller: &Caller,
    layout: &Layout,
    patient_id: i64,
    sent: bool,
) -> PageResult {
    let patient = patients::get(&state.store, &state.audit, caller.actor(), patient_id)
        .await
        .or_page(layout)?;
    Ok(layout.render(&QuestionnairePage {
        layout,
        patient_id,
        patient_name: format!("{} {}", patient.last_name, patient.first_name),
        conditions: Condition::ALL
            .iter()
            .filter(|c| **c != Condition::Other)
            .map(|&c| (c.as_str(), condition_label(layout, c)))
            .collect(),
        severities: Severity::ALL
            .iter()
            .map(|s| (s.as_str(), layout.t(&format!("severity-{}", s.as_str()))))
            .collect(),
        sent,
    }))
}

/// `GET /patients/{patient_id}/questionnaire`: the tablet's questionnaire.
pub async fn questionnaire(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
    layout: Layout,
) -> PageResult {
    questionnaire_page(&state, &caller, &layout, patient_id, false).await
}

/// `POST /patients/{patient_id}/questionnaire`: keeps the answers for review.
pub async fn submit(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
    layout: Layout,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let mut conditions = conditions_of(&fields);
    let other = field(&fields, "other").trim().to_owned();
    if !other.is_empty() {
        conditions.push(ConditionEntry {
            code: Condition::Other,
            text: Some(other),
        });
    }
    let input = QuestionnaireInput {
        allergies: allergies_of(&fields),
        conditions,
        medications: Some(field(&fields, "medications").to_owned()),
        signature: Some(field(&fields, "signature").to_owned()),
    };
    medical::submit_questionnaire(
        &state.store,
        &state.audit,
        caller.actor(),
        patient_id,
        input,
    )
    .await
    .or_page(&layout)?;
    questionnaire_page(&state, &caller, &layout, patient_id, true).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn rows_and_ticks_are_read_in_order() {
        let f = pairs(&[
            ("substance", "лидокаин"),
            ("reaction", "хавагнах"),
            ("severity", "severe"),
            ("substance", " "),
            ("reaction", ""),
            ("severity", "mild"),
            ("cond", "diabetes"),
            ("cond_anticoagulants", "yes"),
            ("cond_text_anticoagulants", "варфарин"),
            ("cond_asthma", "no"),
        ]);
        let a = allergies_of(&f);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].severity, Severity::Severe);
        let c: Vec<Condition> = conditions_of(&f).iter().map(|c| c.code).collect();
        assert_eq!(c, [Condition::Diabetes, Condition::Anticoagulants]);
    }
}
