//! Treatment plans and estimates (docs/chart-and-plans.md; domain.md "Treatment plans and
//! estimates").
//!
//! Rules:
//! * A plan belongs to a patient and a doctor: a title, a note, phases (1 to 20) of items
//!   (service, scope, teeth, surfaces, the catalog's price copied when the item is added, the
//!   finding it treats), a discount (whole tugrik, at most the plan's subtotal) and a status:
//!   `draft → presented → accepted | rejected`, `presented → draft` (to change it again),
//!   `accepted → completed` (when every item is done or dropped; automatic when the last
//!   planned item is done), any open plan `→ canceled` with a reason. Another move is 422.
//! * Items, phases and the discount change only while the plan is a draft or presented (409
//!   after): an accepted plan's prices do not move. The one change of an accepted plan's
//!   items is dropping a planned one (the patient declined it).
//! * A treatment item recorded from a plan item (`plan_item_id`) takes the plan item's
//!   service, scope, teeth, surfaces, finding and price; the plan must be the same patient's
//!   and accepted, the item planned (422 otherwise). The plan item is then done; removing the
//!   treatment item makes it planned again (and an automatically completed plan accepted).
//! * Doctors, managers and admins write plans; receptionists and HQ read them; a patient
//!   reads their own (another's is 404).
//!
//! Every write is audited in its transaction (`treatment_plan`, `treatment_plan_item`).

use super::audit::AuditTrail;
use super::chart::ToothRef;
use super::chart::items::ValidItem;
use super::{Actor, FieldError, ServiceError};
use dcms_domain::{
    Dentition, Money, PlanItemStatus, PlanStatus, Surface, Surfaces, ToothSystem, TreatmentScope,
};
use dcms_store::Store;
use dcms_store::audit::AuditEntry;
use dcms_store::entity::{treatment_plan, treatment_plan_item};
use dcms_store::plans as repo;
use dcms_store::sea_orm::{ConnectionTrait, DatabaseTransaction};
use dcms_store::time::{from_db, now};
use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use utoipa::ToSchema;

mod estimate;
mod write;
pub use estimate::{
    Estimate, EstimateClinic, EstimateLine, EstimateParty, EstimatePhase, estimate,
};
pub use write::{
    NewPlanInput, PlanChanges, PlanItemChanges, PlanItemInput, add_items, change, change_item,
    create, delete_item, set_status,
};

const TABLE: &str = "treatment_plan";
const ITEM_TABLE: &str = "treatment_plan_item";
/// The highest phase.
pub const PHASE_MAX: i32 = 20;

/// An item of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PlanItem {
    pub plan_item_id: i64,
    pub service_id: i64,
    /// The service's name for doctors.
    pub service_name: String,
    /// The service's name for patients (the estimate, the portal).
    pub patient_service_name: String,
    pub scope: TreatmentScope,
    pub dentition: Option<Dentition>,
    pub teeth: Vec<ToothRef>,
    pub surfaces: Vec<Surface>,
    /// From 1.
    pub phase: i32,
    /// The unit price copied from the catalog when the item was added.
    pub price: Money,
    /// Teeth for single and multi tooth, else 1.
    pub quantity: i64,
    /// `price × quantity`.
    pub charge: Money,
    pub status: PlanItemStatus,
    /// The finding it treats.
    pub finding_id: Option<i64>,
    /// The treatment item that did it.
    pub treatment_item_id: Option<i64>,
    pub note: Option<String>,
}

/// A phase's total before the plan's discount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PhaseTotal {
    pub phase: i32,
    pub total: Money,
}

/// A treatment plan with its items by phase and its totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Plan {
    pub plan_id: i64,
    pub patient_id: i64,
    pub doctor_id: i64,
    pub title: Option<String>,
    pub note: Option<String>,
    pub status: PlanStatus,
    /// Whole tugrik off the subtotal (of a percent: computed from the subtotal).
    pub discount: Money,
    /// The percent the discount was given as, if any.
    pub discount_percent: Option<i32>,
    pub discount_reason: Option<String>,
    pub cancel_reason: Option<String>,
    /// By phase, then in the order added.
    pub items: Vec<PlanItem>,
    /// The charges of the items not dropped.
    pub subtotal: Money,
    /// `subtotal - discount` (never below 0).
    pub total: Money,
    /// Each phase's items not dropped, before the discount.
    pub total_by_phase: Vec<PhaseTotal>,
    /// The charges of the done items.
    pub done: Money,
    /// The charges of the items still planned.
    pub remaining: Money,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub presented_at: Option<Timestamp>,
    pub accepted_at: Option<Timestamp>,
    /// When it was completed, rejected or canceled.
    pub closed_at: Option<Timestamp>,
}

impl Plan {
    /// The items of one phase.
    pub fn phase(&self, phase: i32) -> impl Iterator<Item = &PlanItem> {
        self.items.iter().filter(move |i| i.phase == phase)
    }

    /// How many items are done, and how many are not dropped.
    pub fn progress(&self) -> (usize, usize) {
        let counted = self
            .items
            .iter()
            .filter(|i| i.status != PlanItemStatus::Dropped);
        let done = counted
            .clone()
            .filter(|i| i.status == PlanItemStatus::Done)
            .count();
        (done, counted.count())
    }
}

fn internal(what: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(what.to_string())
}

fn status_of(row: &treatment_plan::Model) -> Result<PlanStatus, ServiceError> {
    PlanStatus::from_code(row.status)
        .ok_or_else(|| internal(format!("plan {} has status {}", row.plan_id, row.status)))
}

/// Plans with their items, teeth and service names: three statements whatever their number.
async fn assemble(
    db: &impl ConnectionTrait,
    rows: Vec<treatment_plan::Model>,
    system: ToothSystem,
) -> Result<Vec<Plan>, ServiceError> {
    let ids: Vec<i64> = rows.iter().map(|p| p.plan_id).collect();
    let items = repo::items_of(db, &ids).await?;
    let item_ids: Vec<i64> = items.iter().map(|i| i.plan_item_id).collect();
    let mut teeth: HashMap<i64, Vec<ToothRef>> = HashMap::new();
    for t in repo::teeth_of(db, &item_ids).await? {
        teeth
            .entry(t.plan_item_id)
            .or_default()
            .push(ToothRef::from_id(t.tooth_id, system)?);
    }
    let names = super::catalog::names(db, items.iter().map(|i| i.service_id)).await?;
    let mut by_plan: HashMap<i64, Vec<PlanItem>> = HashMap::new();
    for item in items {
        let view = item_view(item.clone(), teeth.remove(&item.plan_item_id), &names)?;
        by_plan.entry(item.plan_id).or_default().push(view);
    }
    rows.into_iter()
        .map(|row| {
            let items = by_plan.remove(&row.plan_id).unwrap_or_default();
            plan_view(row, items)
        })
        .collect()
}

fn item_view(
    item: treatment_plan_item::Model,
    teeth: Option<Vec<ToothRef>>,
    names: &HashMap<i64, (String, String)>,
) -> Result<PlanItem, ServiceError> {
    let scope = TreatmentScope::from_code(item.scope)
        .ok_or_else(|| internal(format!("plan item {} scope", item.plan_item_id)))?;
    let status = PlanItemStatus::from_code(item.status)
        .ok_or_else(|| internal(format!("plan item {} status", item.plan_item_id)))?;
    let teeth = teeth.unwrap_or_default();
    let quantity = scope.quantity(teeth.len());
    let (service_name, patient_service_name) = names
        .get(&item.service_id)
        .cloned()
        .unwrap_or_else(|| (item.service_id.to_string(), item.service_id.to_string()));
    Ok(PlanItem {
        plan_item_id: item.plan_item_id,
        service_id: item.service_id,
        service_name,
        patient_service_name,
        scope,
        dentition: item.dentition.and_then(Dentition::from_code),
        teeth,
        surfaces: super::chart::surfaces_of(item.surfaces),
        phase: item.phase,
        price: Money::new(item.price),
        quantity,
        charge: Money::new(item.price.saturating_mul(quantity)),
        status,
        finding_id: item.finding_id,
        treatment_item_id: item.treatment_item_id,
        note: item.note,
    })
}

/// A plan's discount as given: a percent, else its amount (none for 0).
fn discount_of(row: &treatment_plan::Model) -> Option<dcms_domain::Discount> {
    match (row.discount_percent, row.discount) {
        (Some(p), _) => Some(dcms_domain::Discount::Percent(i64::from(p))),
        (None, 0) => None,
        (None, amount) => Some(dcms_domain::Discount::Amount(amount)),
    }
}

/// The share of the plan's discount a treatment item recorded from one of its items gets:
/// the plan's percent of the item's list price, or its amount pro rata of the subtotal
/// (rounded half up), with the plan's reason.
async fn share_of_discount(
    txn: &DatabaseTransaction,
    plan: &treatment_plan::Model,
    list: i64,
) -> Result<super::discounts::Given, ServiceError> {
    let reason = plan
        .discount_reason
        .clone()
        .or_else(|| Some(format!("plan {}", plan.plan_id)));
    let off = match discount_of(plan) {
        None => return Ok(super::discounts::Given::default()),
        Some(dcms_domain::Discount::Percent(p)) => dcms_domain::Discount::Percent(p).off(list),
        Some(dcms_domain::Discount::Amount(_)) => {
            let view = load(txn, plan.plan_id, dcms_domain::ToothSystem::Fdi).await?;
            let subtotal = i128::from(view.subtotal.amount());
            if subtotal <= 0 {
                0
            } else {
                let share = (i128::from(view.discount.amount()) * i128::from(list) * 2 + subtotal)
                    / (2 * subtotal);
                i64::try_from(share).unwrap_or(0).clamp(0, list)
            }
        }
    };
    Ok(super::discounts::Given {
        off,
        percent: plan.discount_percent,
        reason,
    })
}

fn plan_view(row: treatment_plan::Model, items: Vec<PlanItem>) -> Result<Plan, ServiceError> {
    let status = status_of(&row)?;
    let sum = |keep: &dyn Fn(&PlanItem) -> bool| -> i64 {
        items
            .iter()
            .filter(|i| keep(i))
            .map(|i| i.charge.amount())
            .sum()
    };
    let subtotal = sum(&|i| i.status != PlanItemStatus::Dropped);
    let discount = discount_of(&row).map_or(0, |d| d.off(subtotal));
    let done = sum(&|i| i.status == PlanItemStatus::Done);
    let remaining = sum(&|i| i.status == PlanItemStatus::Planned);
    let mut phases: Vec<i32> = items.iter().map(|i| i.phase).collect();
    phases.dedup();
    let total_by_phase = phases
        .into_iter()
        .map(|phase| PhaseTotal {
            phase,
            total: Money::new(sum(&|i| {
                i.phase == phase && i.status != PlanItemStatus::Dropped
            })),
        })
        .collect();
    Ok(Plan {
        plan_id: row.plan_id,
        patient_id: row.patient_id,
        doctor_id: row.doctor_id,
        title: row.title,
        note: row.note,
        status,
        discount: Money::new(discount),
        discount_percent: row.discount_percent,
        discount_reason: row.discount_reason,
        cancel_reason: row.cancel_reason,
        items,
        subtotal: Money::new(subtotal),
        total: Money::new((subtotal - discount).max(0)),
        total_by_phase,
        done: Money::new(done),
        remaining: Money::new(remaining),
        created_at: from_db(row.created_at),
        updated_at: from_db(row.updated_at),
        presented_at: row.presented_at.map(from_db),
        accepted_at: row.accepted_at.map(from_db),
        closed_at: row.closed_at.map(from_db),
    })
}

async fn load(
    db: &impl ConnectionTrait,
    plan_id: i64,
    system: ToothSystem,
) -> Result<Plan, ServiceError> {
    let row = repo::find(db, plan_id)
        .await?
        .ok_or(ServiceError::NotFound("treatment plan"))?;
    assemble(db, vec![row], system)
        .await?
        .pop()
        .ok_or(ServiceError::NotFound("treatment plan"))
}

/// A plan (a read of the patient's record, audited).
pub async fn get(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    plan_id: i64,
    system: ToothSystem,
) -> Result<Plan, ServiceError> {
    let plan = load(store.connection(), plan_id, system).await?;
    audit.record_read(actor.user_id, actor.session_token_id, TABLE, plan_id);
    Ok(plan)
}

/// A patient's own plan: another patient's is 404.
pub async fn get_own(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    patient_id: i64,
    plan_id: i64,
    system: ToothSystem,
) -> Result<Plan, ServiceError> {
    let plan = load(store.connection(), plan_id, system).await?;
    if plan.patient_id != patient_id {
        return Err(ServiceError::NotFound("treatment plan"));
    }
    audit.record_read(actor.user_id, actor.session_token_id, TABLE, plan_id);
    Ok(plan)
}

/// A patient's plans, newest first (404 for an unknown patient).
pub async fn of_patient(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    patient_id: i64,
    system: ToothSystem,
) -> Result<Vec<Plan>, ServiceError> {
    let db = store.connection();
    if dcms_store::patients::find(db, patient_id).await?.is_none() {
        return Err(ServiceError::NotFound("patient"));
    }
    let rows = repo::of_patient(db, patient_id).await?;
    audit.record_read(actor.user_id, actor.session_token_id, "patient", patient_id);
    assemble(db, rows, system).await
}

async fn write_audit(
    audit: &AuditTrail,
    txn: &DatabaseTransaction,
    actor: Actor,
    action: &str,
    table: &str,
    row_id: i64,
    diff: Value,
) -> Result<(), ServiceError> {
    let entry = AuditEntry::new(action, table, Some(row_id)).with_changes(Some(diff));
    audit.record(txn, actor.stamp(entry)).await
}

// --- recording treatment from a plan ---------------------------------------------------------

/// The treatment item a plan item becomes: its service, scope, teeth, surfaces, finding (while
/// open) and the plan's price. The plan is locked; 422 on `field` when the item is unknown or
/// another patient's, its plan not accepted, or the item not planned.
pub(crate) async fn item_to_record(
    txn: &DatabaseTransaction,
    errors: &mut Vec<FieldError>,
    field: &str,
    plan_item_id: i64,
    patient_id: i64,
) -> Result<Option<ValidItem>, ServiceError> {
    let refuse = |errors: &mut Vec<FieldError>, code: &'static str, message: String| {
        errors.push(FieldError::coded(field, code, message));
        Ok(None)
    };
    let Some(item) = repo::find_item(txn, plan_item_id).await? else {
        return refuse(
            errors,
            "plan-item-unknown",
            format!("there is no plan item {plan_item_id}"),
        );
    };
    let plan = repo::lock(txn, item.plan_id)
        .await?
        .ok_or_else(|| internal(format!("plan item {plan_item_id} without its plan")))?;
    // Read again under the plan's lock: another treatment may have done it meanwhile.
    let item = repo::lock_item(txn, plan_item_id)
        .await?
        .ok_or_else(|| internal(format!("plan item {plan_item_id} vanished")))?;
    if plan.patient_id != patient_id {
        return refuse(
            errors,
            "plan-item-unknown",
            format!("the patient has no plan item {plan_item_id}"),
        );
    }
    if !status_of(&plan)?.may_record() {
        return refuse(
            errors,
            "plan-not-accepted",
            format!(
                "plan {} is not accepted: treatment is recorded from accepted plans",
                plan.plan_id
            ),
        );
    }
    if item.status != PlanItemStatus::Planned.code() {
        return refuse(
            errors,
            "plan-item-not-planned",
            format!("plan item {plan_item_id} is done or dropped already"),
        );
    }
    let scope = TreatmentScope::from_code(item.scope)
        .ok_or_else(|| internal(format!("plan item {plan_item_id} scope")))?;
    let teeth = repo::teeth_of(txn, &[plan_item_id])
        .await?
        .into_iter()
        .map(|t| Ok((super::chart::tooth_of(t.tooth_id)?, None)))
        .collect::<Result<Vec<_>, ServiceError>>()?;
    let finding_id = match item.finding_id {
        Some(id) => dcms_store::findings::find(txn, id)
            .await?
            .filter(|f| f.resolved_at.is_none())
            .map(|f| f.finding_id),
        None => None,
    };
    let list = item.price.saturating_mul(scope.quantity(teeth.len()));
    let discount = share_of_discount(txn, &plan, list).await?;
    Ok(Some(ValidItem {
        service_id: item.service_id,
        price: item.price,
        scope,
        dentition: item.dentition.and_then(Dentition::from_code),
        note: item.note,
        teeth,
        surfaces: Surfaces::from_bits(i16::try_from(item.surfaces).unwrap_or(0)),
        finding_id,
        plan_item_id: Some(plan_item_id),
        discount,
    }))
}

/// Marks a plan item done by a treatment item, and completes its accepted plan when nothing
/// is left planned (in the treatment's transaction, the plan locked by [`item_to_record`]).
pub(crate) async fn mark_done(
    txn: &DatabaseTransaction,
    audit: &AuditTrail,
    actor: Actor,
    plan_item_id: i64,
    treatment_item_id: i64,
) -> Result<(), ServiceError> {
    let mut item = repo::find_item(txn, plan_item_id)
        .await?
        .ok_or_else(|| internal(format!("plan item {plan_item_id} vanished")))?;
    item.status = PlanItemStatus::Done.code();
    item.treatment_item_id = Some(treatment_item_id);
    let plan_id = item.plan_id;
    repo::save_item(txn, item).await?;
    write_audit(
        audit,
        txn,
        actor,
        "done",
        ITEM_TABLE,
        plan_item_id,
        json!({"status": [PlanItemStatus::Planned, PlanItemStatus::Done], "treatment_item_id": treatment_item_id}),
    )
    .await?;
    let items = repo::items_of(txn, &[plan_id]).await?;
    if items
        .iter()
        .all(|i| i.status != PlanItemStatus::Planned.code())
        && let Some(mut plan) = repo::find(txn, plan_id).await?
        && plan.status == PlanStatus::Accepted.code()
    {
        let at = now();
        plan.status = PlanStatus::Completed.code();
        plan.closed_at = Some(at);
        plan.updated_at = at;
        repo::save(txn, plan).await?;
        write_audit(
            audit,
            txn,
            actor,
            "status",
            TABLE,
            plan_id,
            json!({"status": [PlanStatus::Accepted, PlanStatus::Completed]}),
        )
        .await?;
    }
    Ok(())
}

/// Makes the plan items a removed treatment item did planned again; a plan completed by them
/// is accepted again.
pub(crate) async fn undo_done(
    txn: &DatabaseTransaction,
    audit: &AuditTrail,
    actor: Actor,
    treatment_item_id: i64,
) -> Result<(), ServiceError> {
    for mut item in repo::items_done_by(txn, treatment_item_id).await? {
        let Some(mut plan) = repo::lock(txn, item.plan_id).await? else {
            continue;
        };
        let plan_item_id = item.plan_item_id;
        item.status = PlanItemStatus::Planned.code();
        item.treatment_item_id = None;
        repo::save_item(txn, item).await?;
        write_audit(
            audit,
            txn,
            actor,
            "undone",
            ITEM_TABLE,
            plan_item_id,
            json!({"status": [PlanItemStatus::Done, PlanItemStatus::Planned], "treatment_item_id": [treatment_item_id, null]}),
        )
        .await?;
        if plan.status == PlanStatus::Completed.code() {
            let plan_id = plan.plan_id;
            plan.status = PlanStatus::Accepted.code();
            plan.closed_at = None;
            plan.updated_at = now();
            repo::save(txn, plan).await?;
            write_audit(
                audit,
                txn,
                actor,
                "status",
                TABLE,
                plan_id,
                json!({"status": [PlanStatus::Completed, PlanStatus::Accepted]}),
            )
            .await?;
        }
    }
    Ok(())
}

/// A plan item with its plan (a read of the record, audited): the treatment form of "record
/// as done".
pub async fn find_item(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    plan_item_id: i64,
    system: ToothSystem,
) -> Result<(Plan, PlanItem), ServiceError> {
    let db = store.connection();
    let row = repo::find_item(db, plan_item_id)
        .await?
        .ok_or(ServiceError::NotFound("treatment plan item"))?;
    let plan = load(db, row.plan_id, system).await?;
    let item = plan
        .items
        .iter()
        .find(|i| i.plan_item_id == plan_item_id)
        .cloned()
        .ok_or(ServiceError::NotFound("treatment plan item"))?;
    audit.record_read(actor.user_id, actor.session_token_id, TABLE, plan.plan_id);
    Ok((plan, item))
}
