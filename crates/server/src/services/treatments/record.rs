//! Recording a treatment: the rules of its items (scope, teeth in any notation, the price
//! copied from the catalog), the doctor, the assistant and the appointment, and the one
//! transaction that stores it with its audit entries.

use super::{
    ITEMS_MAX, ItemInput, NewTreatmentInput, TABLE, TEETH_MAX, ToothInput, Treatment, id_of_tooth,
    internal, load, write_audit,
};
use crate::services::audit::AuditTrail;
use crate::services::fields::{self, optional_choice, required_choice};
use crate::services::{Actor, FieldError, ServiceError, settings, staff};
use dcms_domain::{
    AppointmentStatus, Dentition, ScopeError, ToothCode, ToothSystem, TreatmentScope, select_teeth,
};
use dcms_store::Store;
use dcms_store::clinical::{self as repo, NewItem, NewTreatment};
use dcms_store::sea_orm::{ConnectionTrait, DatabaseTransaction};
use dcms_store::time::{date_from_db, now, to_db};
use serde_json::{Value, json};

// --- validation ----------------------------------------------------------------------------

type Errors = Vec<FieldError>;

/// An item whose fields parsed and whose teeth fit its scope (FDI, in the order given).
pub(super) struct ValidItem {
    service_id: i64,
    price: i64,
    scope: TreatmentScope,
    dentition: Option<Dentition>,
    note: Option<String>,
    teeth: Vec<(ToothCode, Option<String>)>,
}

/// Why teeth do not fit a scope, with a message id for each reason.
fn scope_error(field: &str, err: &ScopeError) -> FieldError {
    let message = err.to_string();
    match err {
        ScopeError::NoTeethAllowed { got } => {
            FieldError::coded(field, "scope-no-teeth", message).arg("got", got)
        }
        ScopeError::NotOneTooth { got } => {
            FieldError::coded(field, "scope-one-tooth", message).arg("got", got)
        }
        ScopeError::TooFewTeeth { got } => {
            FieldError::coded(field, "scope-two-teeth", message).arg("got", got)
        }
        ScopeError::Repeated { tooth } => {
            FieldError::coded(field, "scope-repeated", message).arg("tooth", tooth.code())
        }
        ScopeError::NotInArch { tooth, arch } => FieldError::coded(field, "scope-arch", message)
            .arg("tooth", tooth.code())
            .arg("arch", arch.as_str()),
        ScopeError::WrongDentition { tooth, dentition } => {
            FieldError::coded(field, "scope-dentition", message)
                .arg("tooth", tooth.code())
                .arg("dentition", dentition.as_str())
        }
    }
}

/// Parses the teeth given in `system` and checks them against `scope`; errors on `field`.
pub(super) fn teeth_for(
    errors: &mut Errors,
    field: &str,
    scope: TreatmentScope,
    given: &[ToothInput],
    system: ToothSystem,
    patient_dentition: Dentition,
    named: Option<Dentition>,
) -> Option<Vec<(ToothCode, Option<String>)>> {
    if given.len() > TEETH_MAX {
        errors.push(
            FieldError::coded(field, "teeth-max", format!("at most {TEETH_MAX} teeth"))
                .arg("max", TEETH_MAX),
        );
        return None;
    }
    let mut codes = Vec::with_capacity(given.len());
    let mut notes = Vec::with_capacity(given.len());
    for tooth in given {
        match ToothCode::parse(system, &tooth.code) {
            Ok(code) => codes.push(code),
            Err(e) => {
                errors.push(
                    FieldError::coded(field, "tooth-unknown", e.to_string())
                        .arg("code", tooth.code.trim()),
                );
                return None;
            }
        }
        let note = fields::note(errors, field, tooth.note.as_deref())?;
        notes.push(note);
    }
    match select_teeth(scope, &codes, patient_dentition, named) {
        Ok(chosen) => {
            // Teeth chosen from the dentition have no note; listed ones keep theirs.
            let notes = notes.into_iter().chain(std::iter::repeat(None));
            Some(chosen.into_iter().zip(notes).collect())
        }
        Err(e) => {
            errors.push(scope_error(field, &e));
            None
        }
    }
}

/// Checks one item: its service (active, priced now), scope, dentition and teeth.
#[allow(clippy::too_many_arguments)]
pub(super) async fn check_item(
    db: &impl ConnectionTrait,
    errors: &mut Errors,
    prefix: &str,
    item: &ItemInput,
    clinic_system: ToothSystem,
    patient_dentition: Dentition,
) -> Result<Option<ValidItem>, ServiceError> {
    let field = |name: &str| format!("{prefix}{name}");
    let service = match item.service_id {
        None => {
            errors.push(FieldError::coded(
                field("service_id"),
                "required",
                "is required",
            ));
            None
        }
        Some(id) => match dcms_store::catalog::find(db, id).await? {
            None => {
                errors.push(FieldError::coded(
                    field("service_id"),
                    "service-unknown",
                    format!("there is no service {id}"),
                ));
                None
            }
            Some(s) if !s.is_active => {
                errors.push(FieldError::coded(
                    field("service_id"),
                    "service-inactive",
                    format!("service {id} is deactivated"),
                ));
                None
            }
            Some(s) => Some(s),
        },
    };
    let scope = required_choice::<TreatmentScope>(errors, &field("scope"), item.scope.as_deref());
    let system = optional_choice::<ToothSystem>(errors, &field("system"), item.system.as_deref())
        .map(|s| s.unwrap_or(clinic_system));
    let dentition =
        optional_choice::<Dentition>(errors, &field("dentition"), item.dentition.as_deref());
    let note = fields::note(errors, &field("note"), item.note.as_deref());
    let (Some(service), Some(scope), Some(system), Some(dentition), Some(note)) =
        (service, scope, system, dentition, note)
    else {
        return Ok(None);
    };
    let given = item.teeth.as_deref().unwrap_or_default();
    let Some(teeth) = teeth_for(
        errors,
        &field("teeth"),
        scope,
        given,
        system,
        patient_dentition,
        dentition,
    ) else {
        return Ok(None);
    };
    Ok(Some(ValidItem {
        service_id: service.service_id,
        price: service.price,
        scope,
        dentition,
        note,
        teeth,
    }))
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
    })
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
            if let Some(valid) =
                check_item(&txn, e, &prefix, item, clinic.tooth_notation, dentition).await?
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
    insert_items(&txn, treatment_id, 1, &items).await?;
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
    dcms_store::patients::touch_last_seen(&txn, patient.patient_id, to_db(date)).await?;
    let treatment = load(&txn, treatment_id, clinic.tooth_notation).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(treatment)
}
