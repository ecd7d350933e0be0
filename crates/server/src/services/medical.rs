//! A patient's medical history and its alerts (docs/medical-and-files.md).
//!
//! Rules:
//! * The history is versioned: each write adds version `n + 1` with who and when, and names
//!   the version it read (`version`, 0 for a patient without one); another is 409 and writes
//!   nothing. Two writers of the same version: the patient's row lock orders them and the
//!   unique `(patient_id, version)` index stops a second landing, so exactly one wins.
//! * Alerts are derived, never stored (`dcms_domain::MedicalHistory::alerts`).
//! * Clinical staff (doctors, managers, admins) read and write; receptionists see only the
//!   alerts (on the patient and the book); HQ nothing; a patient reads their own.
//! * Reads are audited as reads of the history (`medical_history`, the patient's id); so is a
//!   doctor's acknowledgement of a severe allergy on the treatment form.

use super::audit::{AuditTrail, changes};
use super::{Actor, FieldError, ServiceError, fields};
use dcms_domain::{Alert, Allergy, ConditionEntry, MedicalHistory};
use dcms_store::Store;
use dcms_store::audit::AuditEntry;
use dcms_store::entity::medical_history;
use dcms_store::medical::{self as repo, NewVersion};
use dcms_store::sea_orm::ConnectionTrait;
use dcms_store::time::{from_db, now, to_db};
use jiff::Timestamp;
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

const TABLE: &str = "medical_history";

/// Most versions one answer lists.
const VERSIONS_MAX: u64 = 200;

/// A patient's medical history as it stands (or one of its versions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct History {
    /// 0: nothing recorded yet.
    pub version: i32,
    pub allergies: Vec<Allergy>,
    pub conditions: Vec<ConditionEntry>,
    pub medications: Option<String>,
    pub notes: Option<String>,
    /// When it was last gone through with the patient.
    pub reviewed_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
    /// The user who wrote this version.
    pub updated_by: Option<i64>,
    /// Derived: every allergy, and the conditions that change dental care.
    pub alerts: Vec<Alert>,
}

impl History {
    fn empty() -> History {
        History {
            version: 0,
            allergies: Vec::new(),
            conditions: Vec::new(),
            medications: None,
            notes: None,
            reviewed_at: None,
            updated_at: None,
            updated_by: None,
            alerts: Vec::new(),
        }
    }

    fn from_row(row: medical_history::Model) -> Result<History, ServiceError> {
        let history = contents(&row)?;
        Ok(History {
            version: row.version,
            alerts: history.alerts(),
            allergies: history.allergies,
            conditions: history.conditions,
            medications: history.medications,
            notes: history.notes,
            reviewed_at: row.reviewed_at.map(from_db),
            updated_at: Some(from_db(row.updated_at)),
            updated_by: row.updated_by,
        })
    }

    /// Whether a doctor must acknowledge a severe allergy before treating.
    pub fn has_severe_allergy(&self) -> bool {
        self.alerts.iter().any(|a| a.severe)
    }
}

fn contents(row: &medical_history::Model) -> Result<MedicalHistory, ServiceError> {
    let bad = |e: serde_json::Error| {
        ServiceError::Internal(format!("medical history {}: {e}", row.medical_history_id))
    };
    Ok(MedicalHistory {
        allergies: serde_json::from_str(&row.allergies).map_err(bad)?,
        conditions: serde_json::from_str(&row.conditions).map_err(bad)?,
        medications: row.medications.clone(),
        notes: row.notes.clone(),
    })
}

/// A new version as the client sent it.
#[derive(Debug, Clone, Default)]
pub struct HistoryInput {
    /// The version read (0 for none); required.
    pub version: Option<i64>,
    pub allergies: Vec<Allergy>,
    pub conditions: Vec<ConditionEntry>,
    pub medications: Option<String>,
    pub notes: Option<String>,
    /// When it was gone through with the patient (not in the future); absent: not now.
    pub reviewed_at: Option<String>,
    /// The tablet questionnaire this version reviews (marked reviewed with it; one reviewed
    /// already is 409).
    pub questionnaire_id: Option<i64>,
}

/// A patient's history (version 0 when none is recorded; 404 for an unknown patient).
pub async fn get(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    patient_id: i64,
) -> Result<History, ServiceError> {
    let db = store.connection();
    if dcms_store::patients::find(db, patient_id).await?.is_none() {
        return Err(ServiceError::NotFound("patient"));
    }
    let history = current(db, patient_id).await?;
    audit.record_read(actor.user_id, actor.session_token_id, TABLE, patient_id);
    Ok(history)
}

/// The history as it stands, unaudited (the service's own reads).
pub(crate) async fn current(
    db: &impl ConnectionTrait,
    patient_id: i64,
) -> Result<History, ServiceError> {
    match repo::latest(db, patient_id).await? {
        Some(row) => History::from_row(row),
        None => Ok(History::empty()),
    }
}

/// The alerts of a patient (no history: none). Not audited: every staff role sees them.
pub async fn alerts(
    db: &impl ConnectionTrait,
    patient_id: i64,
) -> Result<Vec<Alert>, ServiceError> {
    Ok(current(db, patient_id).await?.alerts)
}

/// The alerts of each of these patients that has any (for the book's blocks).
pub async fn alerts_of(
    db: &impl ConnectionTrait,
    patient_ids: &[i64],
) -> Result<HashMap<i64, Vec<Alert>>, ServiceError> {
    let mut out = HashMap::new();
    for row in repo::latest_of(db, patient_ids).await? {
        let alerts = contents(&row)?.alerts();
        if !alerts.is_empty() {
            out.insert(row.patient_id, alerts);
        }
    }
    Ok(out)
}

/// Every version of a patient's history, newest first.
pub async fn versions(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    patient_id: i64,
) -> Result<Vec<History>, ServiceError> {
    let db = store.connection();
    if dcms_store::patients::find(db, patient_id).await?.is_none() {
        return Err(ServiceError::NotFound("patient"));
    }
    let rows = repo::versions(db, patient_id, VERSIONS_MAX).await?;
    audit.record_read(actor.user_id, actor.session_token_id, TABLE, patient_id);
    rows.into_iter().map(History::from_row).collect()
}

/// Writes a new version (see the module's rules): 422 for invalid contents, 409 when
/// `version` is not the latest.
pub async fn put(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    patient_id: i64,
    input: HistoryInput,
) -> Result<History, ServiceError> {
    let mut errors = Vec::new();
    let version = match input.version {
        None => {
            errors.push(fields::required("version"));
            None
        }
        Some(v) if !(0..=i64::from(i32::MAX - 1)).contains(&v) => {
            errors.push(FieldError::coded(
                "version",
                "range",
                "must be the version read",
            ));
            None
        }
        Some(v) => i32::try_from(v).ok(),
    };
    let reviewed_at = match input.reviewed_at.as_deref().map(str::trim) {
        None | Some("") => Some(None),
        Some(value) => fields::instant(&mut errors, "reviewed_at", value).and_then(|ts| {
            if ts > Timestamp::now() {
                errors.push(FieldError::coded(
                    "reviewed_at",
                    "in-future",
                    "must not be in the future",
                ));
                None
            } else {
                Some(Some(ts))
            }
        }),
    };
    let history = checked(
        &mut errors,
        MedicalHistory::new(
            input.allergies,
            input.conditions,
            input.medications,
            input.notes,
        ),
    );
    let txn = store.begin_write().await?;
    if dcms_store::patients::lock(&txn, patient_id)
        .await?
        .is_none()
    {
        return Err(ServiceError::NotFound("patient"));
    }
    let (Some(version), Some(reviewed_at), Some(history), true) =
        (version, reviewed_at, history, errors.is_empty())
    else {
        return Err(ServiceError::Invalid(errors));
    };
    let before = current(&txn, patient_id).await?;
    if before.version != version {
        return Err(ServiceError::Conflict(format!(
            "the medical history changed since it was read: version {} is the latest, not {version}; read it again",
            before.version
        )));
    }
    let row = repo::insert(
        &txn,
        NewVersion {
            patient_id,
            version: version + 1,
            allergies: to_json(&history.allergies)?,
            conditions: to_json(&history.conditions)?,
            medications: history.medications.clone(),
            notes: history.notes.clone(),
            reviewed_at: reviewed_at.map(to_db),
            updated_by: actor.user_id,
            now: now(),
        },
    )
    .await?;
    let after = History::from_row(row)?;
    if let Some(questionnaire_id) = input.questionnaire_id
        && !repo::mark_reviewed(
            &txn,
            questionnaire_id,
            patient_id,
            actor.user_id,
            after.version,
            now(),
        )
        .await?
    {
        return Err(ServiceError::Conflict(
            "that questionnaire is reviewed already".into(),
        ));
    }
    let diff = changes(Some(&audited(&before)), Some(&audited(&after)), &[]);
    let entry = AuditEntry::new("update", TABLE, Some(patient_id)).with_changes(diff);
    audit.record(&txn, actor.stamp(entry)).await?;
    txn.commit().await?;
    Ok(after)
}

/// What the audit keeps of a version (its contents; the alerts follow from them).
fn audited(h: &History) -> serde_json::Value {
    serde_json::json!({
        "version": h.version,
        "allergies": h.allergies,
        "conditions": h.conditions,
        "medications": h.medications,
        "notes": h.notes,
        "reviewed_at": h.reviewed_at,
    })
}

/// Records that a doctor saw the patient's severe allergy before treating (the treatment
/// form asks for it before the first item is saved).
pub async fn acknowledge(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    patient_id: i64,
) -> Result<(), ServiceError> {
    let txn = store.begin_write().await?;
    if dcms_store::patients::find(&txn, patient_id)
        .await?
        .is_none()
    {
        return Err(ServiceError::NotFound("patient"));
    }
    let history = current(&txn, patient_id).await?;
    let severe: Vec<&str> = history
        .alerts
        .iter()
        .filter(|a| a.severe)
        .map(|a| a.text.as_str())
        .collect();
    let entry = AuditEntry::new("acknowledge_alert", TABLE, Some(patient_id)).with_changes(Some(
        serde_json::json!({"version": history.version, "severe_allergies": severe}),
    ));
    audit.record(&txn, actor.stamp(entry)).await?;
    txn.commit().await?;
    Ok(())
}

/// The history, or its problems added to `errors` field by field.
fn checked(
    errors: &mut Vec<FieldError>,
    built: Result<MedicalHistory, Vec<dcms_domain::HistoryError>>,
) -> Option<MedicalHistory> {
    built
        .map_err(|problems| {
            errors.extend(
                problems
                    .into_iter()
                    .map(|p| FieldError::coded(p.field, p.code, p.message)),
            )
        })
        .ok()
}

/// A stored JSON column.
fn to_json<T: Serialize>(value: &T) -> Result<String, ServiceError> {
    serde_json::to_string(value).map_err(|e| ServiceError::Internal(e.to_string()))
}

/// Longest signature kept (a PNG data URL of a signature box).
const SIGNATURE_MAX: usize = 60_000;

/// A questionnaire the patient answered on the tablet, waiting for review.
#[derive(Debug, Clone)]
pub struct Questionnaire {
    pub questionnaire_id: i64,
    pub submitted_at: Timestamp,
    pub answers: MedicalHistory,
    /// A `data:image/png;base64,` URL.
    pub signature: Option<String>,
}

/// What the patient answered.
#[derive(Debug, Clone, Default)]
pub struct QuestionnaireInput {
    pub allergies: Vec<Allergy>,
    pub conditions: Vec<ConditionEntry>,
    pub medications: Option<String>,
    /// The signature drawn, a PNG data URL.
    pub signature: Option<String>,
}

/// Keeps a questionnaire answered on the tablet for clinical staff to review (it changes no
/// history by itself).
pub async fn submit_questionnaire(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    patient_id: i64,
    input: QuestionnaireInput,
) -> Result<i64, ServiceError> {
    let mut errors = Vec::new();
    let answers = checked(
        &mut errors,
        MedicalHistory::new(input.allergies, input.conditions, input.medications, None),
    );
    let signature = input.signature.filter(|s| !s.trim().is_empty());
    if signature
        .as_deref()
        .is_some_and(|s| !s.starts_with("data:image/png;base64,") || s.len() > SIGNATURE_MAX)
    {
        errors.push(FieldError::coded(
            "signature",
            "signature-invalid",
            "the signature must be a PNG drawn in the box",
        ));
    }
    let (Some(answers), true) = (answers, errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };
    let txn = store.begin_write().await?;
    if dcms_store::patients::lock(&txn, patient_id)
        .await?
        .is_none()
    {
        return Err(ServiceError::NotFound("patient"));
    }
    let row = repo::insert_questionnaire(
        &txn,
        patient_id,
        to_json(&answers)?,
        signature,
        actor.user_id,
        now(),
    )
    .await?;
    let entry = AuditEntry::new(
        "create",
        "medical_questionnaire",
        Some(row.questionnaire_id),
    );
    audit.record(&txn, actor.stamp(entry)).await?;
    txn.commit().await?;
    Ok(row.questionnaire_id)
}

/// The patient's questionnaires waiting for review, oldest first.
pub async fn pending(store: &Store, patient_id: i64) -> Result<Vec<Questionnaire>, ServiceError> {
    repo::pending_questionnaires(store.connection(), patient_id)
        .await?
        .into_iter()
        .map(|row| {
            Ok(Questionnaire {
                questionnaire_id: row.questionnaire_id,
                submitted_at: from_db(row.submitted_at),
                answers: serde_json::from_str(&row.answers).map_err(|e| {
                    ServiceError::Internal(format!("questionnaire {}: {e}", row.questionnaire_id))
                })?,
                signature: row.signature,
            })
        })
        .collect()
}
