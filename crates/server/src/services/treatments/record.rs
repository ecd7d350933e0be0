//! Recording a treatment: the rules of its items (scope, teeth in any notation, the price
//! copied from the catalog), the doctor, the assistant and the appointment, and the one
//! transaction that stores it with its audit entries.

use super::{
    ITEMS_MAX, NewTreatmentInput, TABLE, Treatment, id_of_tooth, internal, load, write_audit,
};
use crate::services::audit::AuditTrail;
use crate::services::chart::items::{ItemInput, ValidItem, check_item};
use crate::services::fields;
use crate::services::{Actor, FieldError, ServiceError, chart, plans, settings, staff};
use dcms_domain::{AppointmentStatus, Dentition, ToothSystem};
use dcms_store::Store;
use dcms_store::clinical::{self as repo, NewItem, NewTreatment};
use dcms_store::sea_orm::{ConnectionTrait, DatabaseTransaction};
use dcms_store::time::{date_from_db, now, to_db};
use serde_json::{Value, json};

type Errors = Vec<FieldError>;

/// Checks one item of a treatment: from a plan item when it names one (the plan's service,
/// teeth, surfaces and price), else as any item.
pub(super) async fn check_treatment_item(
    txn: &DatabaseTransaction,
    errors: &mut Errors,
    prefix: &str,
    item: &ItemInput,
    clinic_system: ToothSystem,
    patient: (i64, Dentition),
) -> Result<Option<ValidItem>, ServiceError> {
    match item.plan_item_id {
        Some(plan_item_id) => {
            let field = format!("{prefix}plan_item_id");
            plans::item_to_record(txn, errors, &field, plan_item_id, patient.0).await
        }
        None => check_item(txn, errors, prefix, item, clinic_system, patient).await,
    }
}

/// What recording items does beyond inserting them: the findings they treat are resolved,
/// the plan items they do are done.
pub(super) async fn link_items(
    txn: &DatabaseTransaction,
    audit: &AuditTrail,
    actor: Actor,
    items: &[ValidItem],
    ids: &[i64],
) -> Result<(), ServiceError> {
    for (item, &id) in items.iter().zip(ids) {
        if let Some(finding_id) = item.finding_id {
            chart::resolve_by_item(txn, audit, actor, finding_id, id).await?;
        }
        if let Some(plan_item_id) = item.plan_item_id {
            plans::mark_done(txn, audit, actor, plan_item_id, id).await?;
        }
    }
    Ok(())
}

/// An appointment of the patient, locked; 422 on `field` when unknown or another patient's.
pub(super) async fn patients_appointment(
    txn: &DatabaseTransaction,
    errors: &mut Errors,
    field: &str,
    appointment_id: i64,
    patient_id: i64,
) -> Result<Option<dcms_store::entity::appointment::Model>, ServiceError> {
    match dcms_store::schedule::lock(txn, appointment_id).await? {
        None => {
            errors.push(FieldError::coded(
                field,
                "appointment-unknown",
                format!("there is no appointment {appointment_id}"),
            ));
            Ok(None)
        }
        Some(a) if a.patient_id != patient_id => {
            errors.push(FieldError::coded(
                field,
                "appointment-other-patient",
                format!("appointment {appointment_id} is another patient's"),
            ));
            Ok(None)
        }
        Some(a) => Ok(Some(a)),
    }
}

/// A treatment on a reserved or confirmed appointment marks it came, which waits for the
/// appointment to start (`AppointmentStatus::move_at`): a visit that has not begun is not
/// treated yet (422 `appointment-not-started` on `appointment_id`; move the appointment to
/// now first, or leave it out).
fn check_visit_started(errors: &mut Errors, a: &dcms_store::entity::appointment::Model) {
    let Some(status) = AppointmentStatus::from_code(a.status) else {
        return;
    };
    let start = dcms_store::time::from_db(a.start_at);
    if status.can_move_to(AppointmentStatus::Came)
        && let Err(refused) = status.move_at(AppointmentStatus::Came, start, jiff::Timestamp::now())
    {
        errors.push(FieldError::coded(
            "appointment_id",
            "treatment-appointment-not-started",
            format!("appointment {}: {refused}", a.appointment_id),
        ));
    }
}

/// An assistant: an employee who exists; 422 otherwise.
pub(super) async fn check_assistant(
    db: &impl ConnectionTrait,
    errors: &mut Errors,
    assistant_id: i64,
) -> Result<(), ServiceError> {
    if dcms_store::staff::find(db, assistant_id).await?.is_none() {
        errors.push(FieldError::coded(
            "assistant_id",
            "employee-unknown",
            format!("there is no employee {assistant_id}"),
        ));
    }
    Ok(())
}

pub(super) fn item_audited(item: &ValidItem) -> Value {
    json!({
        "service_id": item.service_id,
        "scope": item.scope,
        "dentition": item.dentition,
        "price": item.price,
        "note": item.note,
        "teeth": item.teeth.iter().map(|(t, _)| t.code()).collect::<Vec<_>>(),
        "surfaces": item.surfaces.names(),
        "finding_id": item.finding_id,
        "plan_item_id": item.plan_item_id,
        "discount": item.discount.off,
        "discount_percent": item.discount.percent,
        "discount_reason": item.discount.reason,
    })
}

/// Refuses (403) items whose discount is above the clinic's threshold unless the actor is a
/// manager or an admin; items done from a plan carry the plan's discount, given already.
pub(super) async fn discounts_allowed(
    txn: &DatabaseTransaction,
    actor: Actor,
    items: &[ValidItem],
) -> Result<(), ServiceError> {
    if items
        .iter()
        .all(|i| i.plan_item_id.is_some() || i.discount.off == 0)
    {
        return Ok(());
    }
    let threshold = dcms_store::settings::load(txn)
        .await?
        .discount_threshold_percent;
    for item in items.iter().filter(|i| i.plan_item_id.is_none()) {
        crate::services::discounts::allowed(actor, threshold, &item.discount, item.list_price())?;
    }
    Ok(())
}

/// Inserts the items at `position` onwards, with their teeth.
pub(super) async fn insert_items(
    txn: &DatabaseTransaction,
    treatment_id: i64,
    mut position: i32,
    items: &[ValidItem],
) -> Result<Vec<i64>, ServiceError> {
    let mut ids = Vec::with_capacity(items.len());
    for item in items {
        let row = repo::insert_item(
            txn,
            NewItem {
                treatment_id,
                service_id: item.service_id,
                scope: item.scope.code(),
                dentition: item.dentition.map(Dentition::code),
                price: item.price,
                position,
                note: item.note.clone(),
                surfaces: i32::from(item.surfaces.bits()),
                discount: item.discount.off,
                discount_percent: item.discount.percent,
                discount_reason: item.discount.reason.clone(),
            },
        )
        .await?;
        let teeth: Vec<(i64, Option<String>)> = item
            .teeth
            .iter()
            .map(|(t, note)| (id_of_tooth(*t), note.clone()))
            .collect();
        repo::insert_teeth(txn, row.treatment_item_id, &teeth).await?;
        ids.push(row.treatment_item_id);
        position += 1;
    }
    let service_ids: Vec<i64> = items.iter().map(|i| i.service_id).collect();
    crate::services::recalls::done(txn, treatment_id, &service_ids).await?;
    Ok(ids)
}

// --- recording a treatment -----------------------------------------------------------------

/// Records a treatment with its items in one transaction (see the module's rules). Invalid
/// fields are 422, all together, items named `items[i].field`.
pub async fn create(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    input: NewTreatmentInput,
) -> Result<Treatment, ServiceError> {
    let clinic = settings::get(store).await?;
    let mut errors = Vec::new();
    let e = &mut errors;
    let patient_id = input.patient_id;
    if patient_id.is_none() {
        e.push(FieldError::coded("patient_id", "required", "is required"));
    }
    if input.doctor_id.is_none() {
        e.push(FieldError::coded("doctor_id", "required", "is required"));
    }
    let date = crate::services::fields::not_after_now(e, "treatment_date", input.treatment_date);
    let note = fields::note(e, "note", input.note.as_deref());
    if input.items.len() > ITEMS_MAX {
        e.push(
            FieldError::coded("items", "items-max", format!("at most {ITEMS_MAX} items"))
                .arg("max", ITEMS_MAX),
        );
    }
    let txn = store.begin_write().await?;
    // Locks in the one order every writer uses: the appointment, then the patient.
    let appointment = match (input.appointment_id, patient_id) {
        (Some(id), Some(patient)) => {
            patients_appointment(&txn, e, "appointment_id", id, patient).await?
        }
        _ => None,
    };
    if let Some(a) = &appointment {
        check_visit_started(e, a);
    }
    let patient = match patient_id {
        Some(id) => {
            let row = dcms_store::patients::lock(&txn, id).await?;
            if row.is_none() {
                e.push(FieldError::coded(
                    "patient_id",
                    "patient-unknown",
                    format!("there is no patient {id}"),
                ));
            }
            row
        }
        None => None,
    };
    if let Some(doctor_id) = input.doctor_id
        && let Err(ServiceError::Invalid(more)) =
            staff::check_doctor(&txn, doctor_id, "doctor_id").await
    {
        e.extend(more);
    }
    if let Some(assistant_id) = input.assistant_id {
        check_assistant(&txn, e, assistant_id).await?;
    }
    if let (Some(next), Some(patient)) = (input.next_appointment_id, patient_id) {
        patients_appointment(&txn, e, "next_appointment_id", next, patient).await?;
    }
    let local_date = date.map(|d| d.to_zoned(clinic.time_zone()).date());
    let mut items = Vec::new();
    if let (Some(patient), Some(on)) = (&patient, local_date) {
        let dentition = Dentition::on(date_from_db(patient.birthday), on);
        for (i, item) in input.items.iter().take(ITEMS_MAX).enumerate() {
            let prefix = format!("items[{i}].");
            let patient = (patient.patient_id, dentition);
            if let Some(valid) =
                check_treatment_item(&txn, e, &prefix, item, clinic.tooth_notation, patient).await?
            {
                items.push(valid);
            }
        }
    }
    let (Some(patient), Some(doctor_id), Some(date), Some(note), true) =
        (patient, input.doctor_id, date, note, errors.is_empty())
    else {
        return Err(ServiceError::Invalid(errors));
    };
    discounts_allowed(&txn, actor, &items).await?;
    let at = now();
    let row = repo::insert(
        &txn,
        NewTreatment {
            treatment_date: to_db(date),
            patient_id: patient.patient_id,
            doctor_id,
            assistant_id: input.assistant_id,
            appointment_id: input.appointment_id,
            next_appointment_id: input.next_appointment_id,
            note: note.clone(),
            now: at,
        },
    )
    .await?;
    let treatment_id = row.treatment_id;
    let ids = insert_items(&txn, treatment_id, 1, &items).await?;
    write_audit(
        audit,
        &txn,
        actor,
        "create",
        TABLE,
        treatment_id,
        Some(json!({
            "treatment_date": date,
            "patient_id": patient.patient_id,
            "doctor_id": doctor_id,
            "assistant_id": input.assistant_id,
            "appointment_id": input.appointment_id,
            "next_appointment_id": input.next_appointment_id,
            "note": note,
            "items": items.iter().map(item_audited).collect::<Vec<_>>(),
        })),
    )
    .await?;
    // The visit happened: the appointment's patient came.
    if let Some(mut a) = appointment {
        let from = AppointmentStatus::from_code(a.status)
            .ok_or_else(|| internal(format!("appointment {} status", a.appointment_id)))?;
        if matches!(
            from,
            AppointmentStatus::Reserved | AppointmentStatus::Confirmed
        ) {
            a.status = AppointmentStatus::Came.code();
            a.updated_at = at;
            let id = a.appointment_id;
            dcms_store::schedule::save(&txn, a).await?;
            write_audit(
                audit,
                &txn,
                actor,
                "status",
                "appointment",
                id,
                Some(json!({"status": [from, AppointmentStatus::Came]})),
            )
            .await?;
        }
    }
    link_items(&txn, audit, actor, &items, &ids).await?;
    dcms_store::patients::touch_last_seen(&txn, patient.patient_id, to_db(date)).await?;
    let treatment = load(&txn, treatment_id, clinic.tooth_notation).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(treatment)
}
