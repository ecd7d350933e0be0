//! DCMS HQ's storage: its own migrations ([`migration::HqMigrator`]), entities and the
//! repository of clinics and their figures by day. An HQ database holds no clinic table.

pub mod entity;
pub mod migration;

use crate::{Backend, Store, StoreError};
use entity::{hq_clinic, hq_day, hq_doctor_day};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use sea_orm_migration::MigratorTrait;

/// Applies HQ's migrations (in one transaction on SQLite, as a clinic's).
pub async fn migrate(store: &Store) -> Result<(), StoreError> {
    match store.backend() {
        Backend::Sqlite => {
            let txn = store.begin_write().await?;
            migration::HqMigrator::up(&txn, None).await?;
            txn.commit().await?;
        }
        _ => migration::HqMigrator::up(store.connection(), None).await?,
    }
    Ok(())
}

/// A clinic to add.
#[derive(Debug, Clone)]
pub struct NewClinic {
    pub name: String,
    pub code: String,
    pub base_url: String,
    pub now: crate::time::DbTimestamp,
}

pub async fn insert_clinic(
    db: &impl ConnectionTrait,
    new: NewClinic,
) -> Result<hq_clinic::Model, StoreError> {
    if hq_clinic::Entity::find()
        .filter(hq_clinic::Column::Code.eq(new.code.as_str()))
        .one(db)
        .await?
        .is_some()
    {
        return Err(StoreError::Conflict(format!(
            "a clinic with the code {} is already listed",
            new.code
        )));
    }
    Ok(hq_clinic::ActiveModel {
        name: Set(new.name),
        code: Set(new.code),
        base_url: Set(new.base_url),
        created_at: Set(new.now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

pub async fn clinics(db: &impl ConnectionTrait) -> Result<Vec<hq_clinic::Model>, StoreError> {
    Ok(hq_clinic::Entity::find()
        .order_by_asc(hq_clinic::Column::Name)
        .order_by_asc(hq_clinic::Column::ClinicId)
        .all(db)
        .await?)
}

pub async fn clinic(
    db: &impl ConnectionTrait,
    clinic_id: i64,
) -> Result<Option<hq_clinic::Model>, StoreError> {
    Ok(hq_clinic::Entity::find_by_id(clinic_id).one(db).await?)
}

/// Writes a clinic's row as given.
pub async fn save_clinic(
    db: &impl ConnectionTrait,
    row: hq_clinic::Model,
) -> Result<hq_clinic::Model, StoreError> {
    let mut active: hq_clinic::ActiveModel = row.clone().into();
    active.name = Set(row.name);
    active.code = Set(row.code);
    active.base_url = Set(row.base_url);
    active.session_token = Set(row.session_token);
    active.session_expires_at = Set(row.session_expires_at);
    active.api_revision = Set(row.api_revision);
    active.synced_through = Set(row.synced_through);
    active.last_success_at = Set(row.last_success_at);
    active.last_error = Set(row.last_error);
    active.last_error_at = Set(row.last_error_at);
    Ok(active.update(db).await?)
}

/// Replaces a clinic's figures of the days `from..=to` wholly with `days` and `doctors`
/// (a re-sync of a day is idempotent); in the caller's transaction.
pub async fn replace_days(
    db: &impl ConnectionTrait,
    clinic_id: i64,
    (from, to): (chrono::NaiveDate, chrono::NaiveDate),
    days: Vec<hq_day::Model>,
    doctors: Vec<hq_doctor_day::Model>,
) -> Result<(), StoreError> {
    hq_doctor_day::Entity::delete_many()
        .filter(hq_doctor_day::Column::ClinicId.eq(clinic_id))
        .filter(hq_doctor_day::Column::Day.between(from, to))
        .exec(db)
        .await?;
    hq_day::Entity::delete_many()
        .filter(hq_day::Column::ClinicId.eq(clinic_id))
        .filter(hq_day::Column::Day.between(from, to))
        .exec(db)
        .await?;
    for chunk in days.chunks(200) {
        let rows = chunk.iter().map(|d| {
            let mut a: hq_day::ActiveModel = d.clone().into();
            a.hq_day_id = sea_orm::NotSet;
            a
        });
        hq_day::Entity::insert_many(rows).exec(db).await?;
    }
    for chunk in doctors.chunks(200) {
        let rows = chunk.iter().map(|d| {
            let mut a: hq_doctor_day::ActiveModel = d.clone().into();
            a.hq_doctor_day_id = sea_orm::NotSet;
            a
        });
        hq_doctor_day::Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}

/// A clinic's figures of the days `from..=to`, by day.
pub async fn days(
    db: &impl ConnectionTrait,
    clinic_id: i64,
    (from, to): (chrono::NaiveDate, chrono::NaiveDate),
) -> Result<Vec<hq_day::Model>, StoreError> {
    Ok(hq_day::Entity::find()
        .filter(hq_day::Column::ClinicId.eq(clinic_id))
        .filter(hq_day::Column::Day.between(from, to))
        .order_by_asc(hq_day::Column::Day)
        .all(db)
        .await?)
}
