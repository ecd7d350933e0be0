//! Writing plans: creating one with its items, adding, moving, dropping and removing items,
//! changing its title, note, doctor and discount, and moving it through its statuses.

use super::{ITEM_TABLE, PHASE_MAX, Plan, TABLE, internal, load, status_of, write_audit};
use crate::services::audit::AuditTrail;
use crate::services::chart::items::{ItemInput, ValidItem, check_item};
use crate::services::{Actor, FieldError, ServiceError, discounts, fields, settings, staff};
use dcms_domain::{Dentition, PlanItemStatus, PlanStatus, ToothSystem};
use dcms_store::Store;
use dcms_store::entity::treatment_plan;
use dcms_store::plans::{self as repo, NewPlan, NewPlanItem};
use dcms_store::sea_orm::DatabaseTransaction;
use dcms_store::time::{date_from_db, now};
use serde_json::json;

/// Most items added in one request.
pub const ITEMS_MAX: usize = 100;

/// A plan item as the client sent it: an item and its phase (default 1).
#[derive(Debug, Clone, Default)]
pub struct PlanItemInput {
    pub item: ItemInput,
    pub phase: Option<i64>,
}

/// A plan as the client sent it.
#[derive(Debug, Clone, Default)]
pub struct NewPlanInput {
    pub doctor_id: Option<i64>,
    pub title: Option<String>,
    pub note: Option<String>,
    pub items: Vec<PlanItemInput>,
}

/// A change of a plan's own fields: `None` leaves one as it is; `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct PlanChanges {
    pub title: Option<Option<String>>,
    pub note: Option<Option<String>>,
    pub doctor_id: Option<i64>,
    /// Whole tugrik (0 to the subtotal) or a percent; above the clinic's threshold a
    /// manager's or an admin's.
    pub discount: Option<dcms_domain::Discount>,
    pub discount_reason: Option<String>,
}

/// A change of an item: its phase or note (a draft or presented plan), or its status
/// (`dropped` or `planned` again; an accepted plan's planned item may be dropped).
#[derive(Debug, Clone, Default)]
pub struct PlanItemChanges {
    pub phase: Option<i64>,
    pub note: Option<Option<String>>,
    pub status: Option<String>,
}

fn phase(errors: &mut Vec<FieldError>, field: &str, given: Option<i64>) -> Option<i32> {
    match given {
        None => Some(1),
        Some(p) if (1..=i64::from(PHASE_MAX)).contains(&p) => i32::try_from(p).ok(),
        Some(_) => {
            errors.push(
                FieldError::coded(field, "range", format!("must be 1 to {PHASE_MAX}"))
                    .arg("min", 1)
                    .arg("max", PHASE_MAX),
            );
            None
        }
    }
}

fn not_editable(status: PlanStatus) -> ServiceError {
    ServiceError::Conflict(format!(
        "the plan is {status}: its items and prices change only while it is a draft or presented"
    ))
}

/// Checks items to add to a patient's plan; errors named `{prefix}[i].field`.
async fn check_items(
    store: &Store,
    txn: &DatabaseTransaction,
    errors: &mut Vec<FieldError>,
    prefix: &str,
    patient_id: i64,
    items: &[PlanItemInput],
) -> Result<Vec<(ValidItem, i32)>, ServiceError> {
    if items.len() > ITEMS_MAX {
        errors.push(
            FieldError::coded(prefix, "items-max", format!("at most {ITEMS_MAX} items"))
                .arg("max", ITEMS_MAX),
        );
        return Ok(Vec::new());
    }
    let clinic = settings::get(store).await?;
    let Some(patient) = dcms_store::patients::find(txn, patient_id).await? else {
        return Err(ServiceError::NotFound("patient"));
    };
    let today = clinic.now_local().date();
    let dentition = Dentition::on(date_from_db(patient.birthday), today);
    let mut valid = Vec::new();
    for (i, input) in items.iter().enumerate() {
        let item_prefix = format!("{prefix}[{i}].");
        let phase = phase(errors, &format!("{item_prefix}phase"), input.phase);
        let item = check_item(
            txn,
            errors,
            &item_prefix,
            &input.item,
            clinic.tooth_notation,
            (patient_id, dentition),
        )
        .await?;
        if let (Some(item), Some(phase)) = (item, phase) {
            valid.push((item, phase));
        }
    }
    Ok(valid)
}

/// Inserts checked items after the plan's last; answers their ids.
async fn insert_items(
    txn: &DatabaseTransaction,
    audit: &AuditTrail,
    actor: Actor,
    plan_id: i64,
    items: &[(ValidItem, i32)],
) -> Result<Vec<i64>, ServiceError> {
    let mut position = repo::next_position(txn, plan_id).await?;
    let mut ids = Vec::with_capacity(items.len());
    for (item, phase) in items {
        let teeth: Vec<i64> = item
            .teeth
            .iter()
            .map(|(t, _)| crate::services::chart::id_of(*t))
            .collect();
        let row = repo::insert_item(
            txn,
            NewPlanItem {
                plan_id,
                service_id: item.service_id,
                scope: item.scope.code(),
                dentition: item.dentition.map(Dentition::code),
                surfaces: i32::from(item.surfaces.bits()),
                phase: *phase,
                price: item.price,
                status: PlanItemStatus::Planned.code(),
                finding_id: item.finding_id,
                note: item.note.clone(),
                position,
            },
            &teeth,
        )
        .await?;
        write_audit(
            audit,
            txn,
            actor,
            "create",
            ITEM_TABLE,
            row.plan_item_id,
            json!({
                "plan_id": plan_id,
                "service_id": item.service_id,
                "scope": item.scope,
                "teeth": item.teeth.iter().map(|(t, _)| t.code()).collect::<Vec<_>>(),
                "surfaces": item.surfaces.names(),
                "phase": phase,
                "price": item.price,
                "finding_id": item.finding_id,
            }),
        )
        .await?;
        ids.push(row.plan_item_id);
        position += 1;
    }
    Ok(ids)
}

/// Creates a draft plan for a patient with its items (all fields checked together, 422).
pub async fn create(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    patient_id: i64,
    input: NewPlanInput,
    system: ToothSystem,
) -> Result<Plan, ServiceError> {
    let mut errors = Vec::new();
    let e = &mut errors;
    let title = fields::optional_text(e, "title", input.title.as_deref(), 200);
    let note = fields::note(e, "note", input.note.as_deref());
    let txn = store.begin_write().await?;
    if dcms_store::patients::lock(&txn, patient_id)
        .await?
        .is_none()
    {
        return Err(ServiceError::NotFound("patient"));
    }
    match input.doctor_id {
        None => e.push(fields::required("doctor_id")),
        Some(id) => {
            if let Err(ServiceError::Invalid(more)) =
                staff::check_doctor(&txn, id, "doctor_id").await
            {
                e.extend(more);
            }
        }
    }
    let items = check_items(store, &txn, e, "items", patient_id, &input.items).await?;
    let (Some(doctor_id), Some(title), Some(note), true) =
        (input.doctor_id, title, note, errors.is_empty())
    else {
        return Err(ServiceError::Invalid(errors));
    };
    let row = repo::insert(
        &txn,
        NewPlan {
            patient_id,
            doctor_id,
            title: title.clone(),
            note: note.clone(),
            status: PlanStatus::Draft.code(),
            now: now(),
        },
    )
    .await?;
    write_audit(
        audit,
        &txn,
        actor,
        "create",
        TABLE,
        row.plan_id,
        json!({"patient_id": patient_id, "doctor_id": doctor_id, "title": title, "note": note}),
    )
    .await?;
    insert_items(&txn, audit, actor, row.plan_id, &items).await?;
    let plan = load(&txn, row.plan_id, system).await?;
    txn.commit().await?;
    Ok(plan)
}

/// The plan locked, with its status.
async fn locked(
    txn: &DatabaseTransaction,
    plan_id: i64,
) -> Result<(treatment_plan::Model, PlanStatus), ServiceError> {
    let row = repo::lock(txn, plan_id)
        .await?
        .ok_or(ServiceError::NotFound("treatment plan"))?;
    let status = status_of(&row)?;
    Ok((row, status))
}

async fn touch(
    txn: &DatabaseTransaction,
    mut row: treatment_plan::Model,
) -> Result<(), ServiceError> {
    row.updated_at = now();
    repo::save(txn, row).await?;
    Ok(())
}

/// Adds items to a draft or presented plan (409 otherwise). Answers the plan and the new ids.
pub async fn add_items(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    plan_id: i64,
    items: Vec<PlanItemInput>,
    system: ToothSystem,
) -> Result<(Plan, Vec<i64>), ServiceError> {
    let txn = store.begin_write().await?;
    let (row, status) = locked(&txn, plan_id).await?;
    if !status.items_editable() {
        return Err(not_editable(status));
    }
    let mut errors = Vec::new();
    if items.is_empty() {
        errors.push(fields::required("items"));
    }
    let valid = check_items(store, &txn, &mut errors, "items", row.patient_id, &items).await?;
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let ids = insert_items(&txn, audit, actor, plan_id, &valid).await?;
    touch(&txn, row).await?;
    let plan = load(&txn, plan_id, system).await?;
    txn.commit().await?;
    Ok((plan, ids))
}

/// Changes a plan's title, note, doctor (an open plan) or discount (a draft or presented
/// one: 409 after; 422 above the subtotal).
pub async fn change(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    plan_id: i64,
    changes: PlanChanges,
    system: ToothSystem,
) -> Result<Plan, ServiceError> {
    let txn = store.begin_write().await?;
    let (mut row, status) = locked(&txn, plan_id).await?;
    if !status.is_open() {
        return Err(ServiceError::Conflict(format!(
            "the plan is {status}: a closed plan no longer changes"
        )));
    }
    if changes.discount.is_some() && !status.items_editable() {
        return Err(not_editable(status));
    }
    let before = row.clone();
    let mut errors = Vec::new();
    let e = &mut errors;
    if let Some(title) = changes.title
        && let Some(title) = fields::optional_text(e, "title", title.as_deref(), 200)
    {
        row.title = title;
    }
    if let Some(note) = changes.note
        && let Some(note) = fields::note(e, "note", note.as_deref())
    {
        row.note = note;
    }
    if let Some(doctor_id) = changes.doctor_id {
        match staff::check_doctor(&txn, doctor_id, "doctor_id").await {
            Ok(()) => row.doctor_id = doctor_id,
            Err(ServiceError::Invalid(more)) => e.extend(more),
            Err(other) => return Err(other),
        }
    }
    if let Some(discount) = changes.discount {
        let subtotal = load(&txn, plan_id, ToothSystem::Fdi)
            .await?
            .subtotal
            .amount();
        let reason = changes.discount_reason.as_deref();
        if let Some(given) = discounts::check(e, "", Some(discount), reason, subtotal) {
            let threshold = dcms_store::settings::load(&txn)
                .await?
                .discount_threshold_percent;
            discounts::allowed(actor, threshold, &given, subtotal)?;
            row.discount = given.off;
            row.discount_percent = given.percent;
            row.discount_reason = given.reason;
        }
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    if row != before {
        write_audit(
            audit,
            &txn,
            actor,
            "update",
            TABLE,
            plan_id,
            json!({
                "title": [before.title, row.title],
                "note": [before.note, row.note],
                "doctor_id": [before.doctor_id, row.doctor_id],
                "discount": [before.discount, row.discount],
                "discount_percent": [before.discount_percent, row.discount_percent],
                "discount_reason": [before.discount_reason, row.discount_reason],
            }),
        )
        .await?;
        touch(&txn, row).await?;
    }
    let plan = load(&txn, plan_id, system).await?;
    txn.commit().await?;
    Ok(plan)
}

/// Changes an item's phase or note (a draft or presented plan; 409 otherwise) or drops a
/// planned item (or plans a dropped one again) of an open plan.
pub async fn change_item(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    plan_id: i64,
    plan_item_id: i64,
    changes: PlanItemChanges,
    system: ToothSystem,
) -> Result<Plan, ServiceError> {
    let txn = store.begin_write().await?;
    let (row, status) = locked(&txn, plan_id).await?;
    let mut item = repo::find_item(&txn, plan_item_id)
        .await?
        .filter(|i| i.plan_id == plan_id)
        .ok_or(ServiceError::NotFound("treatment plan item"))?;
    let before = item.clone();
    let mut errors = Vec::new();
    let e = &mut errors;
    if (changes.phase.is_some() || changes.note.is_some()) && !status.items_editable() {
        return Err(not_editable(status));
    }
    if let Some(given) = changes.phase
        && let Some(p) = phase(e, "phase", Some(given))
    {
        item.phase = p;
    }
    if let Some(note) = changes.note
        && let Some(note) = fields::note(e, "note", note.as_deref())
    {
        item.note = note;
    }
    if let Some(to) =
        fields::optional_choice::<PlanItemStatus>(e, "status", changes.status.as_deref()).flatten()
    {
        let from = PlanItemStatus::from_code(item.status)
            .ok_or_else(|| internal(format!("plan item {plan_item_id} status")))?;
        if !status.is_open() {
            return Err(ServiceError::Conflict(format!(
                "the plan is {status}: a closed plan no longer changes"
            )));
        }
        match (from, to) {
            (a, b) if a == b => {}
            (PlanItemStatus::Planned, PlanItemStatus::Dropped)
            | (PlanItemStatus::Dropped, PlanItemStatus::Planned) => item.status = to.code(),
            _ => e.push(FieldError::coded(
                "status",
                "plan-item-move",
                format!(
                    "a {from} item cannot become {to}; done comes from recording the treatment"
                ),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    if item != before {
        write_audit(
            audit,
            &txn,
            actor,
            "update",
            ITEM_TABLE,
            plan_item_id,
            json!({
                "phase": [before.phase, item.phase],
                "note": [before.note, item.note],
                "status": [PlanItemStatus::from_code(before.status), PlanItemStatus::from_code(item.status)],
            }),
        )
        .await?;
        repo::save_item(&txn, item).await?;
        touch(&txn, row).await?;
    }
    let plan = load(&txn, plan_id, system).await?;
    txn.commit().await?;
    Ok(plan)
}

/// Removes a planned item of a draft or presented plan (409 for another item or plan).
pub async fn delete_item(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    plan_id: i64,
    plan_item_id: i64,
) -> Result<(), ServiceError> {
    let txn = store.begin_write().await?;
    let (row, status) = locked(&txn, plan_id).await?;
    let item = repo::find_item(&txn, plan_item_id)
        .await?
        .filter(|i| i.plan_id == plan_id)
        .ok_or(ServiceError::NotFound("treatment plan item"))?;
    if !status.items_editable() {
        return Err(not_editable(status));
    }
    if item.status != PlanItemStatus::Planned.code() {
        return Err(ServiceError::Conflict(
            "only a planned item is removed; a done item stays with its treatment".into(),
        ));
    }
    repo::delete_item(&txn, plan_item_id).await?;
    write_audit(
        audit,
        &txn,
        actor,
        "delete",
        ITEM_TABLE,
        plan_item_id,
        json!({"deleted": {"plan_id": plan_id, "service_id": item.service_id, "phase": item.phase, "price": item.price}}),
    )
    .await?;
    touch(&txn, row).await?;
    txn.commit().await?;
    Ok(())
}

/// Moves a plan through its statuses (see the module's rules; 422 for a move outside them).
pub async fn set_status(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    plan_id: i64,
    to: Option<String>,
    reason: Option<String>,
    system: ToothSystem,
) -> Result<Plan, ServiceError> {
    let mut errors = Vec::new();
    let e = &mut errors;
    let to = fields::required_choice::<PlanStatus>(e, "status", to.as_deref());
    let reason = fields::note(e, "reason", reason.as_deref());
    let txn = store.begin_write().await?;
    let (mut row, from) = locked(&txn, plan_id).await?;
    let (Some(to), Some(reason)) = (to, reason) else {
        return Err(ServiceError::Invalid(errors));
    };
    if from == to {
        txn.commit().await?;
        return get_loaded(store, plan_id, system).await;
    }
    if !from.can_move_to(to) {
        e.push(
            FieldError::coded(
                "status",
                "plan-move",
                format!("a {from} plan cannot become {to}"),
            )
            .arg("from", from)
            .arg("to", to),
        );
    }
    let items = repo::items_of(&txn, &[plan_id]).await?;
    let counted = items
        .iter()
        .filter(|i| i.status != PlanItemStatus::Dropped.code());
    if to == PlanStatus::Presented && counted.clone().count() == 0 {
        e.push(FieldError::coded(
            "status",
            "plan-empty",
            "a plan without items is not presented",
        ));
    }
    if to == PlanStatus::Completed
        && items
            .iter()
            .any(|i| i.status == PlanItemStatus::Planned.code())
    {
        e.push(FieldError::coded(
            "status",
            "plan-items-open",
            "a plan is completed when every item is done or dropped",
        ));
    }
    if to == PlanStatus::Canceled && reason.is_none() {
        e.push(fields::required("reason"));
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let at = now();
    match to {
        PlanStatus::Draft => row.presented_at = None,
        PlanStatus::Presented => row.presented_at = Some(at),
        PlanStatus::Accepted => row.accepted_at = Some(at),
        PlanStatus::Rejected | PlanStatus::Completed | PlanStatus::Canceled => {
            row.closed_at = Some(at)
        }
    }
    if to == PlanStatus::Canceled {
        row.cancel_reason = reason.clone();
    }
    row.status = to.code();
    write_audit(
        audit,
        &txn,
        actor,
        "status",
        TABLE,
        plan_id,
        json!({"status": [from, to], "reason": reason}),
    )
    .await?;
    touch(&txn, row).await?;
    let plan = load(&txn, plan_id, system).await?;
    txn.commit().await?;
    Ok(plan)
}

async fn get_loaded(
    store: &Store,
    plan_id: i64,
    system: ToothSystem,
) -> Result<Plan, ServiceError> {
    load(store.connection(), plan_id, system).await
}
