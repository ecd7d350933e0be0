//! Changing a recorded treatment: its note, assistant and follow-up, adding and removing
//! items, and choosing an item's teeth afterwards (a fully paid treatment: managers and admins
//! only).

use super::record::{
    check_assistant, check_treatment_item, discounts_allowed, insert_items, item_audited,
    link_items, patients_appointment,
};
use super::{
    ITEM_TABLE, ItemInput, TABLE, ToothInput, Treatment, TreatmentChanges, assemble, id_of_tooth,
    internal, load, write_audit,
};
use crate::services::audit::{AuditTrail, changes};
use crate::services::chart::items::teeth_for;
use crate::services::fields::{self, optional_choice};
use crate::services::{Actor, ServiceError, settings};
use dcms_domain::{Dentition, ToothSystem};
use dcms_store::Store;
use dcms_store::audit::AuditEntry;
use dcms_store::clinical as repo;
use dcms_store::entity::treatment;
use dcms_store::sea_orm::DatabaseTransaction;
use dcms_store::time::{date_from_db, from_db, now};
use serde_json::json;

/// Changes a treatment's note, assistant or follow-up appointment.
pub async fn update(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    treatment_id: i64,
    asked: TreatmentChanges,
    system: ToothSystem,
) -> Result<Treatment, ServiceError> {
    let mut errors = Vec::new();
    let note = asked
        .note
        .as_ref()
        .map(|value| fields::note(&mut errors, "note", value.as_deref()));
    let txn = store.begin_write().await?;
    let mut row = repo::lock(&txn, treatment_id)
        .await?
        .ok_or(ServiceError::NotFound("treatment"))?;
    if let Some(Some(assistant_id)) = asked.assistant_id {
        check_assistant(&txn, &mut errors, assistant_id).await?;
    }
    if let Some(Some(next)) = asked.next_appointment_id {
        patients_appointment(
            &txn,
            &mut errors,
            "next_appointment_id",
            next,
            row.patient_id,
        )
        .await?;
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let before = json!({
        "note": row.note,
        "assistant_id": row.assistant_id,
        "next_appointment_id": row.next_appointment_id,
    });
    if let Some(Some(note)) = note {
        row.note = note;
    }
    if let Some(assistant_id) = asked.assistant_id {
        row.assistant_id = assistant_id;
    }
    if let Some(next) = asked.next_appointment_id {
        row.next_appointment_id = next;
    }
    let after = json!({
        "note": row.note,
        "assistant_id": row.assistant_id,
        "next_appointment_id": row.next_appointment_id,
    });
    if let Some(diff) = changes(Some(&before), Some(&after), &[]) {
        row.updated_at = now();
        repo::save(&txn, row).await?;
        write_audit(
            audit,
            &txn,
            actor,
            "update",
            TABLE,
            treatment_id,
            Some(diff),
        )
        .await?;
    }
    let treatment = load(&txn, treatment_id, system).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(treatment)
}

/// The treatment, locked, and refused (403) when it is fully paid and the caller may not
/// change a paid treatment.
async fn changeable(
    txn: &DatabaseTransaction,
    treatment_id: i64,
    may_change_paid: bool,
) -> Result<(treatment::Model, Treatment), ServiceError> {
    let row = repo::lock(txn, treatment_id)
        .await?
        .ok_or(ServiceError::NotFound("treatment"))?;
    let current = assemble(txn, vec![row.clone()], ToothSystem::Fdi)
        .await?
        .pop()
        .ok_or(ServiceError::NotFound("treatment"))?;
    if current.fully_paid() && !may_change_paid {
        return Err(ServiceError::Forbidden);
    }
    Ok((row, current))
}

async fn patient_dentition(
    txn: &DatabaseTransaction,
    store: &Store,
    row: &treatment::Model,
) -> Result<(Dentition, ToothSystem), ServiceError> {
    let clinic = settings::get(store).await?;
    let patient = dcms_store::patients::find(txn, row.patient_id)
        .await?
        .ok_or(ServiceError::NotFound("patient"))?;
    let on = from_db(row.treatment_date)
        .to_zoned(clinic.time_zone())
        .date();
    Ok((
        Dentition::on(date_from_db(patient.birthday), on),
        clinic.tooth_notation,
    ))
}

/// Adds an item to a treatment (the price copied now). Answers the treatment.
pub async fn add_item(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    may_change_paid: bool,
    treatment_id: i64,
    item: ItemInput,
    system: ToothSystem,
) -> Result<(Treatment, i64), ServiceError> {
    let txn = store.begin_write().await?;
    let (row, _) = changeable(&txn, treatment_id, may_change_paid).await?;
    let (dentition, clinic_system) = patient_dentition(&txn, store, &row).await?;
    let mut errors = Vec::new();
    let patient = (row.patient_id, dentition);
    let valid = check_treatment_item(&txn, &mut errors, "", &item, clinic_system, patient).await?;
    let Some(valid) = valid.filter(|_| errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };
    discounts_allowed(&txn, actor, std::slice::from_ref(&valid)).await?;
    let position = repo::next_position(&txn, treatment_id).await?;
    let ids = insert_items(&txn, treatment_id, position, std::slice::from_ref(&valid)).await?;
    let item_id = ids.first().copied().ok_or_else(|| internal("no item id"))?;
    link_items(&txn, audit, actor, std::slice::from_ref(&valid), &ids).await?;
    let mut audited = item_audited(&valid);
    audited["treatment_id"] = json!(treatment_id);
    write_audit(
        audit,
        &txn,
        actor,
        "create",
        ITEM_TABLE,
        item_id,
        Some(audited),
    )
    .await?;
    repo::touch(&txn, treatment_id, now()).await?;
    let treatment = load(&txn, treatment_id, system).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok((treatment, item_id))
}

/// Removes an item (and its teeth) from a treatment.
pub async fn delete_item(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    may_change_paid: bool,
    treatment_id: i64,
    treatment_item_id: i64,
) -> Result<(), ServiceError> {
    let txn = store.begin_write().await?;
    let (_, current) = changeable(&txn, treatment_id, may_change_paid).await?;
    let Some(item) = current
        .items
        .iter()
        .find(|i| i.treatment_item_id == treatment_item_id)
    else {
        return Err(ServiceError::NotFound("treatment item"));
    };
    let before = json!({
        "treatment_id": treatment_id,
        "service_id": item.service_id,
        "scope": item.scope,
        "price": item.price.amount(),
        "teeth": item.teeth.iter().map(|t| t.code.clone()).collect::<Vec<_>>(),
    });
    // What the item did is undone with it: its findings open again, its plan items are
    // planned again.
    crate::services::chart::reopen_for_item(&txn, audit, actor, treatment_item_id).await?;
    crate::services::plans::undo_done(&txn, audit, actor, treatment_item_id).await?;
    repo::delete_item(&txn, treatment_item_id).await?;
    let entry = AuditEntry::new("delete", ITEM_TABLE, Some(treatment_item_id))
        .with_changes(Some(json!({"deleted": before})));
    audit.record(&txn, actor.stamp(entry)).await?;
    repo::touch(&txn, treatment_id, now()).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(())
}

/// Sets the teeth of an item after the treatment (replacing any), checked against its
/// scope as when it was recorded. Answers the treatment.
#[allow(clippy::too_many_arguments)]
pub async fn set_teeth(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    may_change_paid: bool,
    treatment_id: i64,
    treatment_item_id: i64,
    teeth: Vec<ToothInput>,
    system: Option<String>,
    answer_system: ToothSystem,
) -> Result<Treatment, ServiceError> {
    let txn = store.begin_write().await?;
    let (row, current) = changeable(&txn, treatment_id, may_change_paid).await?;
    let Some(item) = current
        .items
        .iter()
        .find(|i| i.treatment_item_id == treatment_item_id)
    else {
        return Err(ServiceError::NotFound("treatment item"));
    };
    let (dentition, clinic_system) = patient_dentition(&txn, store, &row).await?;
    let mut errors = Vec::new();
    let given_system = optional_choice::<ToothSystem>(&mut errors, "system", system.as_deref())
        .map(|s| s.unwrap_or(clinic_system));
    let chosen = given_system.and_then(|system| {
        teeth_for(
            &mut errors,
            "teeth",
            item.scope,
            &teeth,
            system,
            dentition,
            item.dentition,
        )
    });
    let Some(chosen) = chosen.filter(|_| errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };
    let before: Vec<String> = item.teeth.iter().map(|t| t.code.clone()).collect();
    let after: Vec<&str> = chosen.iter().map(|(t, _)| t.code()).collect();
    repo::delete_teeth(&txn, treatment_item_id).await?;
    let rows: Vec<(i64, Option<String>)> = chosen
        .iter()
        .map(|(t, note)| (id_of_tooth(*t), note.clone()))
        .collect();
    repo::insert_teeth(&txn, treatment_item_id, &rows).await?;
    // A discount follows the new list price: a percent recomputed, an amount held to it.
    let list = item
        .price
        .amount()
        .saturating_mul(item.scope.quantity(chosen.len()));
    let given = crate::services::discounts::Given {
        off: item.discount.amount(),
        percent: item.discount_percent,
        reason: item.discount_reason.clone(),
    }
    .for_list(list);
    if given.off != item.discount.amount() {
        repo::set_item_discount(&txn, treatment_item_id, given.off).await?;
    }
    write_audit(
        audit,
        &txn,
        actor,
        "update",
        ITEM_TABLE,
        treatment_item_id,
        Some(json!({"teeth": [before, after]})),
    )
    .await?;
    repo::touch(&txn, treatment_id, now()).await?;
    let treatment = load(&txn, treatment_id, answer_system).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(treatment)
}
