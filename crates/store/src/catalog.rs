//! Repository of the service catalog (`service_catalog`) and the tooth dictionary
//! (`tooth_definition`). Services are never deleted, only deactivated (`is_active`);
//! `(service_type, display_number)` is unique.

use crate::StoreError;
use crate::entity::{service_catalog, tooth_definition};
use crate::time::DbTimestamp;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

/// A service to insert (values already validated).
#[derive(Debug, Clone)]
pub struct NewService {
    pub service_type: String,
    pub display_number: i32,
    pub doctor_display_name: String,
    pub patient_display_name: String,
    pub disclaimer: Option<String>,
    pub consent_text: Option<String>,
    pub recall_months: Option<i32>,
    pub tax_type: Option<String>,
    pub classification_code: Option<String>,
    pub price: i64,
    pub default_duration_time: i32,
    pub is_active: bool,
    pub now: DbTimestamp,
}

/// The conflict of a `(service_type, display_number)` already in use.
pub fn taken(service_type: &str, display_number: i32) -> StoreError {
    StoreError::Conflict(format!(
        "service type '{service_type}' already has a service number {display_number}"
    ))
}

/// Inserts a service; a taken `(service_type, display_number)` is [`StoreError::Conflict`].
pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewService,
) -> Result<service_catalog::Model, StoreError> {
    if find_by_number(db, &new.service_type, new.display_number)
        .await?
        .is_some()
    {
        return Err(taken(&new.service_type, new.display_number));
    }
    Ok(service_catalog::ActiveModel {
        service_type: Set(new.service_type),
        default_duration_time: Set(new.default_duration_time),
        display_number: Set(new.display_number),
        doctor_display_name: Set(new.doctor_display_name),
        patient_display_name: Set(new.patient_display_name),
        disclaimer: Set(new.disclaimer),
        consent_text: Set(new.consent_text),
        recall_months: Set(new.recall_months),
        tax_type: Set(new.tax_type),
        classification_code: Set(new.classification_code),
        price: Set(new.price),
        is_active: Set(new.is_active),
        created_at: Set(new.now),
        updated_at: Set(new.now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// A service by id.
pub async fn find(
    db: &impl ConnectionTrait,
    service_id: i64,
) -> Result<Option<service_catalog::Model>, StoreError> {
    Ok(service_catalog::Entity::find_by_id(service_id)
        .one(db)
        .await?)
}

/// Services by id, in id order; ids that name no service are left out.
pub async fn find_many(
    db: &impl ConnectionTrait,
    service_ids: &[i64],
) -> Result<Vec<service_catalog::Model>, StoreError> {
    if service_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(service_catalog::Entity::find()
        .filter(service_catalog::Column::ServiceId.is_in(service_ids.iter().copied()))
        .order_by_asc(service_catalog::Column::ServiceId)
        .all(db)
        .await?)
}

/// A service by id, locked until the end of the transaction (`FOR UPDATE`).
pub async fn find_for_update(
    db: &impl ConnectionTrait,
    service_id: i64,
) -> Result<Option<service_catalog::Model>, StoreError> {
    Ok(service_catalog::Entity::find_by_id(service_id)
        .lock_exclusive()
        .one(db)
        .await?)
}

/// The service numbered `display_number` in `service_type` (compared exactly).
pub async fn find_by_number(
    db: &impl ConnectionTrait,
    service_type: &str,
    display_number: i32,
) -> Result<Option<service_catalog::Model>, StoreError> {
    Ok(service_catalog::Entity::find()
        .filter(service_catalog::Column::ServiceType.eq(service_type))
        .filter(service_catalog::Column::DisplayNumber.eq(display_number))
        .one(db)
        .await?)
}

/// Services ordered by `(service_type, display_number)`, after the key `after`;
/// `service_type` keeps one type, `active` only active (true) or inactive (false) ones.
pub async fn list(
    db: &impl ConnectionTrait,
    service_type: Option<&str>,
    active: Option<bool>,
    after: Option<(String, i32)>,
    limit: u64,
) -> Result<Vec<service_catalog::Model>, StoreError> {
    use service_catalog::Column;
    let mut query = service_catalog::Entity::find()
        .order_by_asc(Column::ServiceType)
        .order_by_asc(Column::DisplayNumber);
    if let Some(t) = service_type {
        query = query.filter(Column::ServiceType.eq(t));
    }
    if let Some(active) = active {
        query = query.filter(Column::IsActive.eq(active));
    }
    if let Some((t, n)) = after {
        query = query.filter(
            Condition::any().add(Column::ServiceType.gt(t.clone())).add(
                Condition::all()
                    .add(Column::ServiceType.eq(t))
                    .add(Column::DisplayNumber.gt(n)),
            ),
        );
    }
    Ok(query.limit(limit).all(db).await?)
}

/// Every service of `service_type` by id, locked until the end of the
/// transaction (`FOR UPDATE`).
pub async fn of_type_for_update(
    db: &impl ConnectionTrait,
    service_type: &str,
) -> Result<Vec<service_catalog::Model>, StoreError> {
    use service_catalog::Column;
    Ok(service_catalog::Entity::find()
        .filter(Column::ServiceType.eq(service_type))
        // Locked in id order, which no reorder changes: two reorders of one type then wait
        // for each other instead of each holding a row the other needs (a deadlock).
        .order_by_asc(Column::ServiceId)
        .lock_exclusive()
        .all(db)
        .await?)
}

/// Writes a changed service (every column but the id and `created_at`); a taken
/// `(service_type, display_number)` is [`StoreError::Conflict`].
pub async fn save(
    db: &impl ConnectionTrait,
    changed: service_catalog::Model,
) -> Result<service_catalog::Model, StoreError> {
    if let Some(other) = find_by_number(db, &changed.service_type, changed.display_number).await?
        && other.service_id != changed.service_id
    {
        return Err(taken(&changed.service_type, changed.display_number));
    }
    let mut row: service_catalog::ActiveModel = changed.clone().into();
    row.service_type = Set(changed.service_type);
    row.default_duration_time = Set(changed.default_duration_time);
    row.display_number = Set(changed.display_number);
    row.doctor_display_name = Set(changed.doctor_display_name);
    row.patient_display_name = Set(changed.patient_display_name);
    row.disclaimer = Set(changed.disclaimer);
    row.consent_text = Set(changed.consent_text);
    row.recall_months = Set(changed.recall_months);
    row.tax_type = Set(changed.tax_type);
    row.classification_code = Set(changed.classification_code);
    row.price = Set(changed.price);
    row.is_active = Set(changed.is_active);
    row.updated_at = Set(changed.updated_at);
    Ok(row.update(db).await?)
}

/// Numbers the services `ordered` 1..n in that order, in two phases so that no statement
/// ever holds a `(service_type, display_number)` another row holds, whatever order the
/// backend checks the unique index in (PostgreSQL and MariaDB check it row by row): first
/// every row gets a distinct negative number, then its final one. `ordered` must be every
/// service of one type, which must all hold numbers of at least 1 (the services check both);
/// run inside a transaction. Rows whose number changes get `updated_at = now`.
pub async fn renumber(
    db: &impl ConnectionTrait,
    ordered: &[i64],
    changed: &[i64],
    now: DbTimestamp,
) -> Result<(), StoreError> {
    use service_catalog::Column;
    for phase in [-1i32, 1] {
        for (i, id) in ordered.iter().enumerate() {
            let number = i32::try_from(i + 1)
                .map_err(|_| StoreError::Conflict("too many services to number".into()))?;
            let mut update = service_catalog::Entity::update_many()
                .col_expr(Column::DisplayNumber, Expr::value(phase * number))
                .filter(Column::ServiceId.eq(*id));
            if phase > 0 && changed.contains(id) {
                update = update.col_expr(Column::UpdatedAt, Expr::value(now));
            }
            update.exec(db).await?;
        }
    }
    Ok(())
}

/// Teeth of the dictionary by id, optionally of one system and one dentition (their stored
/// codes).
pub async fn teeth(
    db: &impl ConnectionTrait,
    system: Option<i16>,
    dentition: Option<i16>,
) -> Result<Vec<tooth_definition::Model>, StoreError> {
    use tooth_definition::Column;
    let mut query = tooth_definition::Entity::find().order_by_asc(Column::ToothId);
    if let Some(system) = system {
        query = query.filter(Column::System.eq(system));
    }
    if let Some(dentition) = dentition {
        query = query.filter(Column::Dentition.eq(dentition));
    }
    Ok(query.all(db).await?)
}
