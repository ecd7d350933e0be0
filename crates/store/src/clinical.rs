//! Repository of the clinical record: treatments (`treatment`), the services done in them
//! (`treatment_item`, with the unit price copied when recorded), the teeth each was done on
//! (`treatment_item_tooth`, FDI rows of `tooth_definition`) and the payments taken for
//! them (`payment`). Treatments and payments are never deleted; an item and its teeth are
//! (a correction, audited by the service).

use crate::StoreError;
use crate::entity::{payment, treatment, treatment_item, treatment_item_tooth};
use crate::time::DbTimestamp;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

/// A treatment to insert (values already validated).
#[derive(Debug, Clone)]
pub struct NewTreatment {
    pub treatment_date: DbTimestamp,
    pub patient_id: i64,
    pub doctor_id: i64,
    pub assistant_id: Option<i64>,
    pub appointment_id: Option<i64>,
    pub next_appointment_id: Option<i64>,
    pub note: Option<String>,
    pub now: DbTimestamp,
}

/// Inserts a treatment row (its items separately).
pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewTreatment,
) -> Result<treatment::Model, StoreError> {
    Ok(treatment::ActiveModel {
        treatment_date: Set(new.treatment_date),
        patient_id: Set(new.patient_id),
        doctor_id: Set(new.doctor_id),
        assistant_id: Set(new.assistant_id),
        appointment_id: Set(new.appointment_id),
        next_appointment_id: Set(new.next_appointment_id),
        note: Set(new.note),
        created_at: Set(new.now),
        updated_at: Set(new.now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// A treatment by id.
pub async fn find(
    db: &impl ConnectionTrait,
    treatment_id: i64,
) -> Result<Option<treatment::Model>, StoreError> {
    Ok(treatment::Entity::find_by_id(treatment_id).one(db).await?)
}

/// A treatment by id, its row locked until the end of the transaction (`FOR UPDATE`; on
/// SQLite the write transaction already holds the lock). Every change of a treatment's
/// items, teeth or payments takes this lock first, so two payments never both pass the
/// balance check and an item never changes under a payment.
/// The treatments of `ids` (those that exist).
pub async fn find_many(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<Vec<treatment::Model>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(treatment::Entity::find()
        .filter(treatment::Column::TreatmentId.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

pub async fn lock(
    db: &impl ConnectionTrait,
    treatment_id: i64,
) -> Result<Option<treatment::Model>, StoreError> {
    Ok(treatment::Entity::find_by_id(treatment_id)
        .lock_exclusive()
        .one(db)
        .await?)
}

/// Writes a changed treatment row (note, assistant, next appointment, `updated_at`).
pub async fn save(
    db: &impl ConnectionTrait,
    changed: treatment::Model,
) -> Result<treatment::Model, StoreError> {
    let mut row: treatment::ActiveModel = changed.clone().into();
    row.assistant_id = Set(changed.assistant_id);
    row.next_appointment_id = Set(changed.next_appointment_id);
    row.note = Set(changed.note);
    row.updated_at = Set(changed.updated_at);
    Ok(row.update(db).await?)
}

/// A patient's treatments, newest first (`treatment_date`, then id), after a keyset
/// position; `limit` None for all of them (a chart, an account).
pub async fn of_patient(
    db: &impl ConnectionTrait,
    patient_id: i64,
    after: Option<(DbTimestamp, i64)>,
    limit: Option<u64>,
) -> Result<Vec<treatment::Model>, StoreError> {
    use treatment::Column;
    let mut query = treatment::Entity::find()
        .filter(Column::PatientId.eq(patient_id))
        .order_by_desc(Column::TreatmentDate)
        .order_by_desc(Column::TreatmentId);
    if let Some((date, id)) = after {
        query = query.filter(
            Condition::any().add(Column::TreatmentDate.lt(date)).add(
                Condition::all()
                    .add(Column::TreatmentDate.eq(date))
                    .add(Column::TreatmentId.lt(id)),
            ),
        );
    }
    if let Some(limit) = limit {
        query = query.limit(limit);
    }
    Ok(query.all(db).await?)
}

/// The treatments recorded on an appointment, by id.
pub async fn of_appointment(
    db: &impl ConnectionTrait,
    appointment_id: i64,
) -> Result<Vec<treatment::Model>, StoreError> {
    Ok(treatment::Entity::find()
        .filter(treatment::Column::AppointmentId.eq(appointment_id))
        .order_by_asc(treatment::Column::TreatmentId)
        .all(db)
        .await?)
}

/// The treatments recorded on any of `appointment_ids` (the book's day), over the
/// `treatment(appointment_id)` index.
pub async fn of_appointments(
    db: &impl ConnectionTrait,
    appointment_ids: &[i64],
) -> Result<Vec<treatment::Model>, StoreError> {
    let mut rows = Vec::new();
    for chunk in appointment_ids.chunks(500) {
        rows.extend(
            treatment::Entity::find()
                .filter(treatment::Column::AppointmentId.is_in(chunk.iter().copied()))
                .order_by_asc(treatment::Column::TreatmentId)
                .all(db)
                .await?,
        );
    }
    Ok(rows)
}

/// One item on one tooth of a patient's chart.
#[derive(Debug, Clone, PartialEq, Eq, sea_orm::FromQueryResult)]
pub struct ChartRow {
    pub tooth_id: i64,
    pub tooth_note: Option<String>,
    pub treatment_item_id: i64,
    pub service_id: i64,
    /// The service's name for the doctor.
    pub service_name: String,
    pub scope: i16,
    pub item_note: Option<String>,
    pub treatment_id: i64,
    pub treatment_date: DbTimestamp,
    pub doctor_id: i64,
    /// `dcms_domain::Surfaces` bits of the item.
    pub surfaces: i32,
}

/// Every item done on a tooth of the patient, by tooth (FDI id), each tooth's newest first
/// (then in the treatment's item order): one statement over the
/// `treatment(patient_id, treatment_date)`, `treatment_item(treatment_id, position)` and
/// `treatment_item_tooth(treatment_item_id, tooth_id)` indexes.
pub async fn chart_of(
    db: &impl ConnectionTrait,
    patient_id: i64,
) -> Result<Vec<ChartRow>, StoreError> {
    use sea_orm::Order;
    Ok(chart_rows(patient_id)
        .order_by(treatment_item_tooth::Column::ToothId, Order::Asc)
        .order_by(treatment::Column::TreatmentDate, Order::Desc)
        .order_by(treatment::Column::TreatmentId, Order::Desc)
        .order_by(treatment_item::Column::Position, Order::Asc)
        .order_by(treatment_item::Column::TreatmentItemId, Order::Asc)
        .into_model::<ChartRow>()
        .all(db)
        .await?)
}

/// A done item on a tooth as the chart's summary needs it: no names, no notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sea_orm::FromQueryResult)]
pub struct DoneRow {
    pub tooth_id: i64,
    pub treatment_item_id: i64,
    pub treatment_id: i64,
    pub service_id: i64,
    pub surfaces: i32,
    pub treatment_date: DbTimestamp,
    pub doctor_id: i64,
}

/// The single- and multi-tooth items done on the patient's teeth, by tooth, each tooth's
/// newest first: the chart summary's rows, eight integers each (names are read for the
/// few kept, afterwards).
pub async fn done_on_teeth(
    db: &impl ConnectionTrait,
    patient_id: i64,
) -> Result<Vec<DoneRow>, StoreError> {
    use sea_orm::{JoinType, Order};
    Ok(treatment_item_tooth::Entity::find()
        .select_only()
        .column(treatment_item_tooth::Column::ToothId)
        .column(treatment_item::Column::TreatmentItemId)
        .column(treatment_item::Column::TreatmentId)
        .column(treatment_item::Column::ServiceId)
        .column(treatment_item::Column::Surfaces)
        .column(treatment::Column::TreatmentDate)
        .column(treatment::Column::DoctorId)
        .join(
            JoinType::InnerJoin,
            treatment_item_tooth::Entity::belongs_to(treatment_item::Entity)
                .from(treatment_item_tooth::Column::TreatmentItemId)
                .to(treatment_item::Column::TreatmentItemId)
                .into(),
        )
        .join(
            JoinType::InnerJoin,
            treatment_item::Entity::belongs_to(treatment::Entity)
                .from(treatment_item::Column::TreatmentId)
                .to(treatment::Column::TreatmentId)
                .into(),
        )
        .filter(treatment::Column::PatientId.eq(patient_id))
        .filter(treatment_item::Column::Scope.is_in([1i16, 2i16]))
        .order_by(treatment_item_tooth::Column::ToothId, Order::Asc)
        .order_by(treatment::Column::TreatmentDate, Order::Desc)
        .order_by(treatment_item::Column::TreatmentItemId, Order::Desc)
        .into_model::<DoneRow>()
        .all(db)
        .await?)
}

/// The items done on one tooth of the patient, newest first (date, then item id), before a
/// keyset position (`(date, item id)`; an id of 0 or less, a finding's: only older dates),
/// at most `limit`: a tooth's history, a page at a time.
pub async fn tooth_items(
    db: &impl ConnectionTrait,
    patient_id: i64,
    tooth_id: i64,
    before: Option<(DbTimestamp, i64)>,
    limit: u64,
) -> Result<Vec<ChartRow>, StoreError> {
    use sea_orm::Order;
    let mut query =
        chart_rows(patient_id).filter(treatment_item_tooth::Column::ToothId.eq(tooth_id));
    if let Some((at, item)) = before {
        // At the cursor's instant, items come before findings: after a finding, no item of
        // that instant is left.
        let mut older = Condition::any().add(treatment::Column::TreatmentDate.lt(at));
        if item > 0 {
            older = older.add(
                Condition::all()
                    .add(treatment::Column::TreatmentDate.eq(at))
                    .add(treatment_item::Column::TreatmentItemId.lt(item)),
            );
        }
        query = query.filter(older);
    }
    Ok(query
        .order_by(treatment::Column::TreatmentDate, Order::Desc)
        .order_by(treatment_item::Column::TreatmentItemId, Order::Desc)
        .limit(limit)
        .into_model::<ChartRow>()
        .all(db)
        .await?)
}

/// The chart's select: every item tooth of the patient's treatments with the item, its
/// treatment and its service's doctors' name.
fn chart_rows(patient_id: i64) -> sea_orm::Select<treatment_item_tooth::Entity> {
    use crate::entity::service_catalog;
    use sea_orm::JoinType;
    treatment_item_tooth::Entity::find()
        .select_only()
        .column(treatment_item_tooth::Column::ToothId)
        .column_as(treatment_item_tooth::Column::Note, "tooth_note")
        .column(treatment_item::Column::TreatmentItemId)
        .column(treatment_item::Column::ServiceId)
        .column_as(service_catalog::Column::DoctorDisplayName, "service_name")
        .column(treatment_item::Column::Scope)
        .column_as(treatment_item::Column::Note, "item_note")
        .column(treatment_item::Column::Surfaces)
        .column(treatment::Column::TreatmentId)
        .column(treatment::Column::TreatmentDate)
        .column(treatment::Column::DoctorId)
        .join(
            JoinType::InnerJoin,
            treatment_item_tooth::Entity::belongs_to(treatment_item::Entity)
                .from(treatment_item_tooth::Column::TreatmentItemId)
                .to(treatment_item::Column::TreatmentItemId)
                .into(),
        )
        .join(
            JoinType::InnerJoin,
            treatment_item::Entity::belongs_to(treatment::Entity)
                .from(treatment_item::Column::TreatmentId)
                .to(treatment::Column::TreatmentId)
                .into(),
        )
        .join(
            JoinType::InnerJoin,
            treatment_item::Entity::belongs_to(service_catalog::Entity)
                .from(treatment_item::Column::ServiceId)
                .to(service_catalog::Column::ServiceId)
                .into(),
        )
        .filter(treatment::Column::PatientId.eq(patient_id))
}

// --- items and teeth -----------------------------------------------------------------------

/// An item to insert (values already validated, the price copied from the catalog).
#[derive(Debug, Clone)]
pub struct NewItem {
    pub treatment_id: i64,
    pub service_id: i64,
    pub scope: i16,
    pub dentition: Option<i16>,
    pub price: i64,
    pub position: i32,
    pub note: Option<String>,
    /// `dcms_domain::Surfaces` bits.
    pub surfaces: i32,
    /// Whole tugrik off the list price, the percent it was given as, and why.
    pub discount: i64,
    pub discount_percent: Option<i32>,
    pub discount_reason: Option<String>,
}

pub async fn insert_item(
    db: &impl ConnectionTrait,
    new: NewItem,
) -> Result<treatment_item::Model, StoreError> {
    Ok(treatment_item::ActiveModel {
        treatment_id: Set(new.treatment_id),
        service_id: Set(new.service_id),
        scope: Set(new.scope),
        dentition: Set(new.dentition),
        price: Set(new.price),
        position: Set(new.position),
        note: Set(new.note),
        surfaces: Set(new.surfaces),
        discount: Set(new.discount),
        discount_percent: Set(new.discount_percent),
        discount_reason: Set(new.discount_reason),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Sets an item's discount (whole tugrik off): a change of its teeth recomputes it.
pub async fn set_item_discount(
    db: &impl ConnectionTrait,
    treatment_item_id: i64,
    discount: i64,
) -> Result<(), StoreError> {
    treatment_item::Entity::update_many()
        .col_expr(
            treatment_item::Column::Discount,
            sea_orm::sea_query::Expr::value(discount),
        )
        .filter(treatment_item::Column::TreatmentItemId.eq(treatment_item_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The position after the treatment's last item (1 for none).
pub async fn next_position(
    db: &impl ConnectionTrait,
    treatment_id: i64,
) -> Result<i32, StoreError> {
    let last = treatment_item::Entity::find()
        .filter(treatment_item::Column::TreatmentId.eq(treatment_id))
        .order_by_desc(treatment_item::Column::Position)
        .one(db)
        .await?;
    Ok(last.map_or(1, |item| item.position + 1))
}

/// The items of several treatments, each treatment's in its order.
pub async fn items_of(
    db: &impl ConnectionTrait,
    treatment_ids: &[i64],
) -> Result<Vec<treatment_item::Model>, StoreError> {
    if treatment_ids.is_empty() {
        return Ok(Vec::new());
    }
    use treatment_item::Column;
    Ok(treatment_item::Entity::find()
        .filter(Column::TreatmentId.is_in(treatment_ids.iter().copied()))
        .order_by_asc(Column::TreatmentId)
        .order_by_asc(Column::Position)
        .order_by_asc(Column::TreatmentItemId)
        .all(db)
        .await?)
}

/// How a service was recorded lately: with which scope (the code), how many times, and the
/// latest such item's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScopeUse {
    pub service_id: i64,
    pub scope: i16,
    pub count: i64,
    pub latest_item_id: i64,
}

/// The scopes each service was recorded with among the latest `recent` items (by id: a
/// range of the primary key, so the read stays small however long the history grows).
pub async fn scopes_in_use(
    db: &impl ConnectionTrait,
    recent: i64,
) -> Result<Vec<ScopeUse>, StoreError> {
    use treatment_item::Column;
    let latest: Option<Option<i64>> = treatment_item::Entity::find()
        .select_only()
        .column_as(Column::TreatmentItemId.max(), "latest")
        .into_tuple()
        .one(db)
        .await?;
    let Some(latest) = latest.flatten() else {
        return Ok(Vec::new());
    };
    let rows: Vec<(i64, i16, i64, i64)> = treatment_item::Entity::find()
        .select_only()
        .column(Column::ServiceId)
        .column(Column::Scope)
        .column_as(Column::TreatmentItemId.count(), "n")
        .column_as(Column::TreatmentItemId.max(), "latest")
        .filter(Column::TreatmentItemId.gt(latest.saturating_sub(recent)))
        .group_by(Column::ServiceId)
        .group_by(Column::Scope)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(service_id, scope, count, latest_item_id)| ScopeUse {
            service_id,
            scope,
            count,
            latest_item_id,
        })
        .collect())
}

/// Deletes an item and its teeth.
pub async fn delete_item(
    db: &impl ConnectionTrait,
    treatment_item_id: i64,
) -> Result<(), StoreError> {
    delete_teeth(db, treatment_item_id).await?;
    treatment_item::Entity::delete_by_id(treatment_item_id)
        .exec(db)
        .await?;
    Ok(())
}

/// Records the teeth of an item, in the order given: `(tooth_id, note)`.
pub async fn insert_teeth(
    db: &impl ConnectionTrait,
    treatment_item_id: i64,
    teeth: &[(i64, Option<String>)],
) -> Result<(), StoreError> {
    if teeth.is_empty() {
        return Ok(());
    }
    let rows = teeth
        .iter()
        .map(|(tooth_id, note)| treatment_item_tooth::ActiveModel {
            treatment_item_id: Set(treatment_item_id),
            tooth_id: Set(*tooth_id),
            note: Set(note.clone()),
            ..Default::default()
        });
    treatment_item_tooth::Entity::insert_many(rows)
        .exec(db)
        .await?;
    Ok(())
}

/// Removes every tooth of an item.
pub async fn delete_teeth(
    db: &impl ConnectionTrait,
    treatment_item_id: i64,
) -> Result<(), StoreError> {
    treatment_item_tooth::Entity::delete_many()
        .filter(treatment_item_tooth::Column::TreatmentItemId.eq(treatment_item_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The teeth of several items, each item's in the order they were given.
pub async fn teeth_of(
    db: &impl ConnectionTrait,
    treatment_item_ids: &[i64],
) -> Result<Vec<treatment_item_tooth::Model>, StoreError> {
    if treatment_item_ids.is_empty() {
        return Ok(Vec::new());
    }
    use treatment_item_tooth::Column;
    Ok(treatment_item_tooth::Entity::find()
        .filter(Column::TreatmentItemId.is_in(treatment_item_ids.iter().copied()))
        .order_by_asc(Column::TreatmentItemId)
        .order_by_asc(Column::TreatmentItemToothId)
        .all(db)
        .await?)
}

// --- payments ------------------------------------------------------------------------------

/// A payment to insert (validated; negative for a refund).
#[derive(Debug, Clone)]
pub struct NewPayment {
    pub treatment_id: i64,
    pub amount: i64,
    pub method: i16,
    pub paid_at: DbTimestamp,
    pub received_by: Option<i64>,
    pub note: Option<String>,
    pub customer_tin: Option<String>,
    pub now: DbTimestamp,
}

pub async fn insert_payment(
    db: &impl ConnectionTrait,
    new: NewPayment,
) -> Result<payment::Model, StoreError> {
    Ok(payment::ActiveModel {
        treatment_id: Set(new.treatment_id),
        amount: Set(new.amount),
        method: Set(new.method),
        paid_at: Set(new.paid_at),
        received_by: Set(new.received_by),
        note: Set(new.note),
        customer_tin: Set(new.customer_tin),
        created_at: Set(new.now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// The payments of several treatments, each treatment's by `paid_at` then id.
/// The payments made in `[from, to)`, by time (a day of the till).
pub async fn payments_between(
    db: &impl ConnectionTrait,
    from: crate::time::DbTimestamp,
    to: crate::time::DbTimestamp,
) -> Result<Vec<payment::Model>, StoreError> {
    use payment::Column;
    Ok(payment::Entity::find()
        .filter(Column::PaidAt.gte(from))
        .filter(Column::PaidAt.lt(to))
        .order_by_asc(Column::PaidAt)
        .order_by_asc(Column::PaymentId)
        .all(db)
        .await?)
}

pub async fn payments_of(
    db: &impl ConnectionTrait,
    treatment_ids: &[i64],
) -> Result<Vec<payment::Model>, StoreError> {
    if treatment_ids.is_empty() {
        return Ok(Vec::new());
    }
    use payment::Column;
    Ok(payment::Entity::find()
        .filter(Column::TreatmentId.is_in(treatment_ids.iter().copied()))
        .order_by_asc(Column::TreatmentId)
        .order_by_asc(Column::PaidAt)
        .order_by_asc(Column::PaymentId)
        .all(db)
        .await?)
}

/// Sets the treatments' `updated_at` (a change of their items, teeth or payments).
pub async fn touch(
    db: &impl ConnectionTrait,
    treatment_id: i64,
    now: DbTimestamp,
) -> Result<(), StoreError> {
    treatment::Entity::update_many()
        .col_expr(treatment::Column::UpdatedAt, Expr::value(now))
        .filter(treatment::Column::TreatmentId.eq(treatment_id))
        .exec(db)
        .await?;
    Ok(())
}
