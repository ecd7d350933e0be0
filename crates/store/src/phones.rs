//! Repository of a person's phone numbers, for either owner: `patient_phone` or
//! `employee_phone` (the same columns but the owner's id). The use cases that change phones
//! are written once over [`PhoneOwner`] (`services::phones`); creating a person with their
//! phones stays with that person's repository.
//!
//! A patient's number is written with its search key `phone_number_rev`
//! (`dcms_domain::reversed_digits`), here and in `patients`, on every insert and change.

use crate::StoreError;
use crate::entity::{employee, employee_phone, patient, patient_phone};
use crate::time::DbTimestamp;
use dcms_domain::reversed_digits;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

/// Whose phones: a patient's or an employee's, by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneOwner {
    Patient(i64),
    Employee(i64),
}

impl PhoneOwner {
    /// The owner's id.
    pub fn id(self) -> i64 {
        match self {
            PhoneOwner::Patient(id) | PhoneOwner::Employee(id) => id,
        }
    }

    /// The table of the owner's phones (the audit trail names it).
    pub fn table(self) -> &'static str {
        match self {
            PhoneOwner::Patient(_) => "patient_phone",
            PhoneOwner::Employee(_) => "employee_phone",
        }
    }

    /// The column naming the owner in that table.
    pub fn owner_column(self) -> &'static str {
        match self {
            PhoneOwner::Patient(_) => "patient_id",
            PhoneOwner::Employee(_) => "employee_id",
        }
    }
}

/// One phone number of its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneRow {
    pub phone_number_id: i64,
    /// The normalised number (`dcms_domain::Phone`).
    pub number: String,
    pub label: String,
    pub is_primary: bool,
}

impl From<patient_phone::Model> for PhoneRow {
    fn from(p: patient_phone::Model) -> Self {
        PhoneRow {
            phone_number_id: p.phone_number_id,
            number: p.phone_number_val,
            label: p.label,
            is_primary: p.is_primary,
        }
    }
}

impl From<employee_phone::Model> for PhoneRow {
    fn from(p: employee_phone::Model) -> Self {
        PhoneRow {
            phone_number_id: p.phone_number_id,
            number: p.phone_number_val,
            label: p.label,
            is_primary: p.is_primary,
        }
    }
}

/// Locks the owner's row for the rest of the transaction (`FOR UPDATE`; on SQLite the write
/// transaction holds the lock), so that changes of one person's phones happen one after the
/// other. False when there is no such owner.
pub async fn lock_owner(db: &impl ConnectionTrait, owner: PhoneOwner) -> Result<bool, StoreError> {
    Ok(match owner {
        PhoneOwner::Patient(id) => patient::Entity::find_by_id(id)
            .lock_exclusive()
            .one(db)
            .await?
            .is_some(),
        PhoneOwner::Employee(id) => employee::Entity::find_by_id(id)
            .lock_exclusive()
            .one(db)
            .await?
            .is_some(),
    })
}

/// The owner's phones in creation order, read with a lock: after [`lock_owner`] in the same
/// transaction this sees the newest committed rows on every backend.
pub async fn of_owner(
    db: &impl ConnectionTrait,
    owner: PhoneOwner,
) -> Result<Vec<PhoneRow>, StoreError> {
    Ok(match owner {
        PhoneOwner::Patient(id) => patient_phone::Entity::find()
            .filter(patient_phone::Column::PatientId.eq(id))
            .order_by_asc(patient_phone::Column::PhoneNumberId)
            .lock_exclusive()
            .all(db)
            .await?
            .into_iter()
            .map(PhoneRow::from)
            .collect(),
        PhoneOwner::Employee(id) => employee_phone::Entity::find()
            .filter(employee_phone::Column::EmployeeId.eq(id))
            .order_by_asc(employee_phone::Column::PhoneNumberId)
            .lock_exclusive()
            .all(db)
            .await?
            .into_iter()
            .map(PhoneRow::from)
            .collect(),
    })
}

/// Adds a phone (its number already normalised).
pub async fn insert(
    db: &impl ConnectionTrait,
    owner: PhoneOwner,
    number: String,
    label: String,
    is_primary: bool,
    now: DbTimestamp,
) -> Result<PhoneRow, StoreError> {
    Ok(match owner {
        PhoneOwner::Patient(id) => patient_phone::ActiveModel {
            patient_id: Set(id),
            phone_number_rev: Set(reversed_digits(&number)),
            phone_number_val: Set(number),
            label: Set(label),
            is_primary: Set(is_primary),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?
        .into(),
        PhoneOwner::Employee(id) => employee_phone::ActiveModel {
            employee_id: Set(id),
            phone_number_val: Set(number),
            label: Set(label),
            is_primary: Set(is_primary),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?
        .into(),
    })
}

/// Writes a phone's number, label and primary flag, with `updated_at` = `now`. A phone that
/// is not the owner's is [`StoreError::NotFound`].
pub async fn save(
    db: &impl ConnectionTrait,
    owner: PhoneOwner,
    phone: &PhoneRow,
    now: DbTimestamp,
) -> Result<PhoneRow, StoreError> {
    let changed = match owner {
        PhoneOwner::Patient(id) => {
            patient_phone::Entity::update_many()
                .col_expr(
                    patient_phone::Column::PhoneNumberVal,
                    phone.number.clone().into(),
                )
                .col_expr(
                    patient_phone::Column::PhoneNumberRev,
                    reversed_digits(&phone.number).into(),
                )
                .col_expr(patient_phone::Column::Label, phone.label.clone().into())
                .col_expr(patient_phone::Column::IsPrimary, phone.is_primary.into())
                .col_expr(patient_phone::Column::UpdatedAt, now.into())
                .filter(patient_phone::Column::PhoneNumberId.eq(phone.phone_number_id))
                .filter(patient_phone::Column::PatientId.eq(id))
                .exec(db)
                .await?
                .rows_affected
        }
        PhoneOwner::Employee(id) => {
            employee_phone::Entity::update_many()
                .col_expr(
                    employee_phone::Column::PhoneNumberVal,
                    phone.number.clone().into(),
                )
                .col_expr(employee_phone::Column::Label, phone.label.clone().into())
                .col_expr(employee_phone::Column::IsPrimary, phone.is_primary.into())
                .col_expr(employee_phone::Column::UpdatedAt, now.into())
                .filter(employee_phone::Column::PhoneNumberId.eq(phone.phone_number_id))
                .filter(employee_phone::Column::EmployeeId.eq(id))
                .exec(db)
                .await?
                .rows_affected
        }
    };
    if changed == 0 {
        return Err(StoreError::NotFound("phone"));
    }
    Ok(phone.clone())
}

/// Deletes one phone of the owner; returns whether it existed.
pub async fn delete(
    db: &impl ConnectionTrait,
    owner: PhoneOwner,
    phone_number_id: i64,
) -> Result<bool, StoreError> {
    let deleted = match owner {
        PhoneOwner::Patient(id) => {
            patient_phone::Entity::delete_many()
                .filter(patient_phone::Column::PhoneNumberId.eq(phone_number_id))
                .filter(patient_phone::Column::PatientId.eq(id))
                .exec(db)
                .await?
                .rows_affected
        }
        PhoneOwner::Employee(id) => {
            employee_phone::Entity::delete_many()
                .filter(employee_phone::Column::PhoneNumberId.eq(phone_number_id))
                .filter(employee_phone::Column::EmployeeId.eq(id))
                .exec(db)
                .await?
                .rows_affected
        }
    };
    Ok(deleted > 0)
}
