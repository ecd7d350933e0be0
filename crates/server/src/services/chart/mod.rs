//! The dentist's chart: findings on teeth and surfaces, the chart's summary (the latest
//! state of each tooth) and a tooth's history (docs/chart-and-plans.md).
//!
//! Rules:
//! * A finding names a patient, a tooth in any notation (`system`, else the clinic's; stored
//!   as its FDI row), a kind, surfaces where the kind takes them (caries, filling, veneer,
//!   fracture; 422 `surfaces` otherwise) and that the tooth has (`incisal` and `labial` only
//!   on incisors and canines), a note; who recorded it (the caller's employee) and when.
//! * A finding is resolved, never deleted: by the doctor (`resolved: true`) or by a treatment
//!   item that names it (`finding_id`), which must be the same patient's finding on the
//!   item's one tooth and still open. Removing that item opens the finding again.
//! * Treatment items and plan items take surfaces on a single tooth only.
//!
//! Writes are audited in their transaction; reads are audited as reads of the record.

use super::audit::AuditTrail;
use super::{Actor, FieldError, ServiceError, fields, settings};
use dcms_domain::{
    FindingKind, Surface, SurfaceError, Surfaces, ToothCode, ToothSystem, TreatmentScope,
};
use dcms_store::Store;
use dcms_store::audit::AuditEntry;
use dcms_store::entity::finding;
use dcms_store::findings::{self as repo, NewFinding};
use dcms_store::sea_orm::{ConnectionTrait, DatabaseTransaction};
use dcms_store::time::{from_db, now};
use jiff::Timestamp;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

pub(crate) mod items;
mod summary;
pub use summary::{
    ChartSummary, DoneMark, HistoryEntry, PlannedMark, SummaryTooth, ToothHistory, summary,
    tooth_history,
};

const TABLE: &str = "finding";

/// A tooth as an answer names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ToothRef {
    /// The FDI row of `tooth_definition`.
    pub tooth_id: i64,
    /// The code in the answer's notation.
    #[schema(example = "36")]
    pub code: String,
    #[schema(example = "P-LL-6")]
    pub ui_key: String,
}

impl ToothRef {
    pub fn of(tooth: ToothCode, system: ToothSystem) -> ToothRef {
        let shown = tooth.in_system(system);
        ToothRef {
            tooth_id: id_of(tooth),
            code: shown.code().to_owned(),
            ui_key: shown.ui_key().to_owned(),
        }
    }

    /// The tooth of a stored FDI `tooth_id`.
    pub fn from_id(tooth_id: i64, system: ToothSystem) -> Result<ToothRef, ServiceError> {
        Ok(ToothRef::of(tooth_of(tooth_id)?, system))
    }
}

/// The dictionary's tooth of a stored FDI `tooth_id` (`position + 1`).
pub(crate) fn tooth_of(tooth_id: i64) -> Result<ToothCode, ServiceError> {
    usize::try_from(tooth_id - 1)
        .ok()
        .and_then(ToothCode::from_position)
        .ok_or_else(|| ServiceError::Internal(format!("unknown tooth id {tooth_id}")))
}

/// The stored `tooth_id` of a tooth (its FDI row).
pub(crate) fn id_of(tooth: ToothCode) -> i64 {
    tooth.in_system(ToothSystem::Fdi).position() as i64 + 1
}

/// Stored surface bits as the answer lists them.
pub(crate) fn surfaces_of(bits: i32) -> Vec<Surface> {
    Surfaces::from_bits(i16::try_from(bits).unwrap_or(0))
        .iter()
        .collect()
}

/// What a doctor found on a tooth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Finding {
    pub finding_id: i64,
    pub patient_id: i64,
    pub tooth: ToothRef,
    pub kind: FindingKind,
    /// `mesial occlusal distal buccal lingual` (occlusal is the incisal edge and buccal the
    /// labial face of incisors and canines).
    pub surfaces: Vec<Surface>,
    pub note: Option<String>,
    pub recorded_at: Timestamp,
    /// The employee who recorded it.
    pub recorded_by: Option<i64>,
    pub resolved_at: Option<Timestamp>,
    /// The treatment item that fixed it, when one did.
    pub resolved_by_item_id: Option<i64>,
}

impl Finding {
    pub(crate) fn from_row(row: finding::Model, system: ToothSystem) -> Result<Self, ServiceError> {
        let kind = FindingKind::from_code(row.kind).ok_or_else(|| {
            ServiceError::Internal(format!("finding {} has kind {}", row.finding_id, row.kind))
        })?;
        Ok(Finding {
            finding_id: row.finding_id,
            patient_id: row.patient_id,
            tooth: ToothRef::from_id(row.tooth_id, system)?,
            kind,
            surfaces: surfaces_of(row.surfaces),
            note: row.note,
            recorded_at: from_db(row.recorded_at),
            recorded_by: row.recorded_by,
            resolved_at: row.resolved_at.map(from_db),
            resolved_by_item_id: row.resolved_by_item_id,
        })
    }

    pub fn is_open(&self) -> bool {
        self.resolved_at.is_none()
    }
}

/// A finding as the client sent it.
#[derive(Debug, Clone, Default)]
pub struct NewFindingInput {
    pub tooth: Option<String>,
    /// The notation of `tooth`; default the clinic's.
    pub system: Option<String>,
    pub kind: Option<String>,
    pub surfaces: Option<Vec<String>>,
    pub note: Option<String>,
}

/// A change of a finding: `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct FindingChanges {
    /// `Some(None)` clears the note.
    pub note: Option<Option<String>>,
    pub surfaces: Option<Vec<String>>,
    /// true closes an open finding; false opens again one the doctor closed.
    pub resolved: Option<bool>,
}

/// Why surfaces were refused, with a message id.
fn surface_error(field: &str, e: &SurfaceError) -> FieldError {
    let code = match e {
        SurfaceError::Unknown(_) => "surface-unknown",
        SurfaceError::NotOnTooth { .. } => "surface-not-on-tooth",
        SurfaceError::Repeated(_) => "surface-repeated",
        SurfaceError::NotForKind(_) => "surface-not-for-kind",
    };
    FieldError::coded(field, code, e.to_string())
}

/// Parses surfaces named for `tooth`; the reason goes to `errors` under `field`.
pub(crate) fn parse_surfaces(
    errors: &mut Vec<FieldError>,
    field: &str,
    tooth: ToothCode,
    names: &[String],
) -> Option<Surfaces> {
    if names.len() > Surface::ALL.len() {
        errors.push(surface_error(
            field,
            &SurfaceError::Repeated(names.join(",")),
        ));
        return None;
    }
    Surfaces::parse_on(tooth, names)
        .map_err(|e| errors.push(surface_error(field, &e)))
        .ok()
}

/// The surfaces given with a treatment or plan item: only on a single tooth (422 on `field`
/// for another scope), named as that tooth has them.
pub(crate) fn item_surfaces(
    errors: &mut Vec<FieldError>,
    field: &str,
    scope: TreatmentScope,
    teeth: &[ToothCode],
    given: Option<&[String]>,
) -> Option<Surfaces> {
    let given = given.unwrap_or_default();
    if given.is_empty() {
        return Some(Surfaces::NONE);
    }
    match (scope, teeth) {
        (TreatmentScope::SingleTooth, [tooth]) => parse_surfaces(errors, field, *tooth, given),
        _ => {
            errors.push(FieldError::coded(
                field,
                "surfaces-single-tooth",
                "surfaces are given for one tooth only (scope single_tooth)",
            ));
            None
        }
    }
}

/// A finding a treatment or plan item says it treats: the patient's, open, on the item's one
/// tooth; 422 on `field` otherwise.
pub(crate) async fn item_finding(
    db: &impl ConnectionTrait,
    errors: &mut Vec<FieldError>,
    field: &str,
    finding_id: i64,
    patient_id: i64,
    teeth: &[ToothCode],
) -> Result<Option<i64>, ServiceError> {
    let row = repo::find(db, finding_id)
        .await?
        .filter(|f| f.patient_id == patient_id);
    let Some(row) = row else {
        errors.push(FieldError::coded(
            field,
            "finding-unknown",
            format!("the patient has no finding {finding_id}"),
        ));
        return Ok(None);
    };
    if row.resolved_at.is_some() {
        errors.push(FieldError::coded(
            field,
            "finding-resolved",
            format!("finding {finding_id} is resolved already"),
        ));
        return Ok(None);
    }
    if !matches!(teeth, [tooth] if id_of(*tooth) == row.tooth_id) {
        errors.push(FieldError::coded(
            field,
            "finding-other-tooth",
            format!("finding {finding_id} is on another tooth than the item's one tooth"),
        ));
        return Ok(None);
    }
    Ok(Some(finding_id))
}

async fn audit_write(
    audit: &AuditTrail,
    db: &DatabaseTransaction,
    actor: Actor,
    action: &str,
    finding_id: i64,
    diff: serde_json::Value,
) -> Result<(), ServiceError> {
    let entry = AuditEntry::new(action, TABLE, Some(finding_id)).with_changes(Some(diff));
    audit.record(db, actor.stamp(entry)).await
}

/// Records a finding on a patient's tooth (see the module's rules).
pub async fn record(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    patient_id: i64,
    input: NewFindingInput,
) -> Result<Finding, ServiceError> {
    let clinic = settings::get(store).await?;
    let mut errors = Vec::new();
    let e = &mut errors;
    let system = fields::optional_choice::<ToothSystem>(e, "system", input.system.as_deref())
        .map(|s| s.unwrap_or(clinic.tooth_notation));
    let kind = fields::required_choice::<FindingKind>(e, "kind", input.kind.as_deref());
    let note = fields::note(e, "note", input.note.as_deref());
    let tooth = match (input.tooth.as_deref().map(str::trim), system) {
        (None | Some(""), _) => {
            e.push(fields::required("tooth"));
            None
        }
        (Some(code), Some(system)) => ToothCode::parse(system, code)
            .map_err(|err| {
                e.push(
                    FieldError::coded("tooth", "tooth-unknown", err.to_string()).arg("code", code),
                )
            })
            .ok(),
        _ => None,
    };
    let surfaces = match tooth {
        Some(tooth) => parse_surfaces(
            e,
            "surfaces",
            tooth,
            input.surfaces.as_deref().unwrap_or_default(),
        ),
        None => None,
    };
    if let (Some(kind), Some(surfaces)) = (kind, surfaces)
        && let Err(err) = kind.check_surfaces(surfaces)
    {
        e.push(surface_error("surfaces", &err));
    }
    let txn = store.begin_write().await?;
    if dcms_store::patients::lock(&txn, patient_id)
        .await?
        .is_none()
    {
        return Err(ServiceError::NotFound("patient"));
    }
    let (Some(tooth), Some(kind), Some(surfaces), Some(note), true) =
        (tooth, kind, surfaces, note, errors.is_empty())
    else {
        return Err(ServiceError::Invalid(errors));
    };
    let row = repo::insert(
        &txn,
        NewFinding {
            patient_id,
            tooth_id: id_of(tooth),
            kind: kind.code(),
            surfaces: i32::from(surfaces.bits()),
            note: note.clone(),
            recorded_by: actor.employee_id,
            now: now(),
        },
    )
    .await?;
    audit_write(
        audit,
        &txn,
        actor,
        "create",
        row.finding_id,
        json!({
            "patient_id": patient_id,
            "tooth": tooth.in_system(ToothSystem::Fdi).code(),
            "kind": kind,
            "surfaces": surfaces.names(),
            "note": note,
        }),
    )
    .await?;
    txn.commit().await?;
    Finding::from_row(row, clinic.tooth_notation)
}

/// A patient's findings, open ones only when asked, by tooth, newest first.
pub async fn of_patient(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    patient_id: i64,
    open_only: bool,
    system: ToothSystem,
) -> Result<Vec<Finding>, ServiceError> {
    let db = store.connection();
    if dcms_store::patients::find(db, patient_id).await?.is_none() {
        return Err(ServiceError::NotFound("patient"));
    }
    let rows = repo::of_patient(db, patient_id, open_only).await?;
    audit.record_read(actor.user_id, actor.session_token_id, "patient", patient_id);
    rows.into_iter()
        .map(|row| Finding::from_row(row, system))
        .collect()
}

/// Changes a finding's note or surfaces, or resolves it (see the module's rules).
pub async fn change(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    finding_id: i64,
    changes: FindingChanges,
    system: ToothSystem,
) -> Result<Finding, ServiceError> {
    let txn = store.begin_write().await?;
    let mut row = repo::lock(&txn, finding_id)
        .await?
        .ok_or(ServiceError::NotFound("finding"))?;
    let before = row.clone();
    let mut errors = Vec::new();
    let e = &mut errors;
    let kind = FindingKind::from_code(row.kind)
        .ok_or_else(|| ServiceError::Internal(format!("finding {finding_id} kind")))?;
    if let Some(note) = changes.note
        && let Some(note) = fields::note(e, "note", note.as_deref())
    {
        row.note = note;
    }
    if let Some(names) = changes.surfaces {
        let tooth = tooth_of(row.tooth_id)?;
        if let Some(surfaces) = parse_surfaces(e, "surfaces", tooth, &names) {
            match kind.check_surfaces(surfaces) {
                Ok(()) => row.surfaces = i32::from(surfaces.bits()),
                Err(err) => e.push(surface_error("surfaces", &err)),
            }
        }
    }
    let at = now();
    match (changes.resolved, row.resolved_at.is_some()) {
        (Some(true), false) => row.resolved_at = Some(at),
        (Some(false), true) if row.resolved_by_item_id.is_some() => e.push(FieldError::coded(
            "resolved",
            "finding-resolved-by-item",
            "a treatment item resolved this finding; remove the item to open it again",
        )),
        (Some(false), true) => row.resolved_at = None,
        _ => {}
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    if row == before {
        txn.commit().await?;
        return Finding::from_row(row, system);
    }
    row.updated_at = at;
    let saved = repo::save(&txn, row).await?;
    audit_write(
        audit,
        &txn,
        actor,
        "update",
        finding_id,
        json!({
            "note": [before.note, saved.note],
            "surfaces": [
                Surfaces::from_bits(before.surfaces as i16).names(),
                Surfaces::from_bits(saved.surfaces as i16).names(),
            ],
            "resolved": [before.resolved_at.is_some(), saved.resolved_at.is_some()],
        }),
    )
    .await?;
    txn.commit().await?;
    Finding::from_row(saved, system)
}

/// Resolves a finding by a treatment item that treats it (in the item's transaction).
pub(crate) async fn resolve_by_item(
    db: &DatabaseTransaction,
    audit: &AuditTrail,
    actor: Actor,
    finding_id: i64,
    treatment_item_id: i64,
) -> Result<(), ServiceError> {
    let changed = repo::resolve_by_item(db, &[finding_id], treatment_item_id, now()).await?;
    if changed > 0 {
        audit_write(
            audit,
            db,
            actor,
            "resolve",
            finding_id,
            json!({"resolved_by_item_id": treatment_item_id}),
        )
        .await?;
    }
    Ok(())
}

/// Opens again the findings a treatment item resolved (the item is being removed).
pub(crate) async fn reopen_for_item(
    db: &DatabaseTransaction,
    audit: &AuditTrail,
    actor: Actor,
    treatment_item_id: i64,
) -> Result<(), ServiceError> {
    for finding_id in repo::reopen_resolved_by(db, treatment_item_id, now()).await? {
        audit_write(
            audit,
            db,
            actor,
            "reopen",
            finding_id,
            json!({"resolved_by_item_id": [treatment_item_id, null]}),
        )
        .await?;
    }
    Ok(())
}
