//! Repository of patients (`patient`) and their phones (`patient_phone`): one aggregate.
//!
//! The rules that span rows (at least two phones, exactly one primary) are kept by the
//! services, which lock the patient's row ([`lock`]) before they read and change its phones.
//!
//! Lists and searches ([`search`], re-exported here) are keyset-paginated and every one of
//! them is answered from an index on all three backends (`docs/search-plans.md`).
//!
//! The search keys stored beside names and numbers (`last_name_fold`, `first_name_fold`,
//! `phone_number_rev`) are derived here, on every write of a name key or a number
//! ([`fold_name_key`], [`reversed_digits`]): callers give the names' keys and the numbers
//! only, and cannot leave the search keys behind.

use crate::StoreError;
use crate::entity::{patient, patient_phone};
use crate::time::DbTimestamp;
use chrono::NaiveDate;
use dcms_domain::{fold_name_key, reversed_digits};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

pub mod search;
pub use search::*;

/// A patient to insert (values already validated and normalised).
#[derive(Debug, Clone)]
pub struct NewPatient {
    pub user_id: Option<i64>,
    pub register_number: String,
    pub first_name: String,
    pub last_name: String,
    pub first_name_key: String,
    pub last_name_key: String,
    pub email: Option<String>,
    pub birthday: NaiveDate,
    pub gender: i16,
    pub status: i16,
    pub created_at: DbTimestamp,
}

/// A phone to insert (the number already normalised).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPhone {
    pub number: String,
    pub label: String,
    pub is_primary: bool,
}

/// Inserts a patient and their phones, in the order given, inside the caller's transaction.
/// A taken register number (or user link) is [`StoreError::Conflict`].
pub async fn create(
    db: &impl ConnectionTrait,
    new: NewPatient,
    phones: Vec<NewPhone>,
) -> Result<(patient::Model, Vec<patient_phone::Model>), StoreError> {
    if find_by_register_number(db, &new.register_number)
        .await?
        .is_some()
    {
        return Err(register_number_taken(&new.register_number));
    }
    let row = new_row(&new).insert(db).await?;
    let mut stored = Vec::with_capacity(phones.len());
    for phone in phones {
        stored.push(
            new_phone_row(row.patient_id, phone, new.created_at)
                .insert(db)
                .await?,
        );
    }
    Ok((row, stored))
}

fn new_row(new: &NewPatient) -> patient::ActiveModel {
    patient::ActiveModel {
        user_id: Set(new.user_id),
        register_number: Set(new.register_number.clone()),
        first_name: Set(new.first_name.clone()),
        last_name: Set(new.last_name.clone()),
        first_name_key: Set(new.first_name_key.clone()),
        last_name_key: Set(new.last_name_key.clone()),
        first_name_fold: Set(fold_name_key(&new.first_name_key)),
        last_name_fold: Set(fold_name_key(&new.last_name_key)),
        email: Set(new.email.clone()),
        birthday: Set(new.birthday),
        gender: Set(new.gender),
        status: Set(new.status),
        sms_reminder_opt_out: Set(false),
        created_at: Set(new.created_at),
        last_seen_at: Set(None),
        ..Default::default()
    }
}

fn new_phone_row(patient_id: i64, phone: NewPhone, now: DbTimestamp) -> patient_phone::ActiveModel {
    patient_phone::ActiveModel {
        patient_id: Set(patient_id),
        phone_number_rev: Set(reversed_digits(&phone.number)),
        phone_number_val: Set(phone.number),
        label: Set(phone.label),
        is_primary: Set(phone.is_primary),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// Patients one multi-row statement of [`create_many`] inserts (12 values each, below every
/// backend's limit on bound parameters: SQLite's 32 766 is the lowest). Large, because on
/// PostgreSQL each big statement costs some 45 ms more than the server's own work.
pub const CREATE_MANY_CHUNK: usize = 2000;
/// Phones one multi-row statement of [`create_many`] inserts (6 values each).
const PHONE_CHUNK: usize = 4000;

/// Inserts many patients with their phones inside the caller's transaction, a chunk of
/// [`CREATE_MANY_CHUNK`] at a time: one multi-row `INSERT` of the patients, one `SELECT` of
/// them back by register number (for their ids, on every backend alike), one multi-row
/// `INSERT` of their phones (in the order given, so the first is the first created) and one
/// `SELECT` of those. Returns the stored rows in the order given. A register number that is
/// taken (in the database or twice in `patients`) is [`StoreError::Conflict`], and the
/// caller's transaction should be rolled back.
pub async fn create_many(
    db: &impl ConnectionTrait,
    patients: Vec<(NewPatient, Vec<NewPhone>)>,
) -> Result<Vec<(patient::Model, Vec<patient_phone::Model>)>, StoreError> {
    let mut created = Vec::with_capacity(patients.len());
    let mut rest = patients.into_iter().peekable();
    while rest.peek().is_some() {
        let chunk: Vec<(NewPatient, Vec<NewPhone>)> =
            rest.by_ref().take(CREATE_MANY_CHUNK).collect();
        patient::Entity::insert_many(chunk.iter().map(|(p, _)| new_row(p)))
            .exec_without_returning(db)
            .await?;
        let numbers: Vec<String> = chunk
            .iter()
            .map(|(p, _)| p.register_number.clone())
            .collect();
        let mut rows: std::collections::HashMap<String, patient::Model> = patient::Entity::find()
            .filter(patient::Column::RegisterNumber.is_in(numbers))
            .all(db)
            .await?
            .into_iter()
            .map(|row| (row.register_number.clone(), row))
            .collect();
        let mut stored = Vec::with_capacity(chunk.len());
        let mut phone_rows = Vec::new();
        for (new, phones) in chunk {
            let row = rows
                .remove(&new.register_number)
                .ok_or_else(|| StoreError::Database(sea_orm::DbErr::RecordNotInserted))?;
            phone_rows.extend(
                phones
                    .into_iter()
                    .map(|phone| new_phone_row(row.patient_id, phone, new.created_at)),
            );
            stored.push(row);
        }
        let ids: Vec<i64> = stored.iter().map(|p| p.patient_id).collect();
        let mut phone_rows = phone_rows.into_iter().peekable();
        while phone_rows.peek().is_some() {
            patient_phone::Entity::insert_many(phone_rows.by_ref().take(PHONE_CHUNK))
                .exec_without_returning(db)
                .await?;
        }
        let mut phones: std::collections::HashMap<i64, Vec<patient_phone::Model>> =
            std::collections::HashMap::new();
        for phone in phones_of_many(db, &ids).await? {
            phones.entry(phone.patient_id).or_default().push(phone);
        }
        created.extend(stored.into_iter().map(|row| {
            let own = phones.remove(&row.patient_id).unwrap_or_default();
            (row, own)
        }));
    }
    Ok(created)
}

/// Of these (normalised) register numbers, those that belong to a patient, with the
/// patient's id (a few statements of at most [`CREATE_MANY_CHUNK`] numbers each).
pub async fn taken_register_numbers(
    db: &impl ConnectionTrait,
    numbers: &[String],
) -> Result<std::collections::HashMap<String, i64>, StoreError> {
    let mut taken = std::collections::HashMap::new();
    for chunk in numbers.chunks(CREATE_MANY_CHUNK) {
        let rows = patient::Entity::find()
            .filter(patient::Column::RegisterNumber.is_in(chunk.iter().cloned()))
            .all(db)
            .await?;
        taken.extend(rows.into_iter().map(|p| (p.register_number, p.patient_id)));
    }
    Ok(taken)
}

/// Every patient's register number (for generators that must not repeat one).
pub async fn register_numbers(db: &impl ConnectionTrait) -> Result<Vec<String>, StoreError> {
    Ok(patient::Entity::find()
        .select_only()
        .column(patient::Column::RegisterNumber)
        .into_tuple::<String>()
        .all(db)
        .await?)
}

/// Every patient by id, and every phone by (patient, id): what an export writes.
pub async fn all_with_phones(
    db: &impl ConnectionTrait,
) -> Result<(Vec<patient::Model>, Vec<patient_phone::Model>), StoreError> {
    let patients = patient::Entity::find()
        .order_by_asc(patient::Column::PatientId)
        .all(db)
        .await?;
    let phones = patient_phone::Entity::find()
        .order_by_asc(patient_phone::Column::PatientId)
        .order_by_asc(patient_phone::Column::PhoneNumberId)
        .all(db)
        .await?;
    Ok((patients, phones))
}

fn register_number_taken(register_number: &str) -> StoreError {
    StoreError::Conflict(format!(
        "the register number {register_number} belongs to another patient"
    ))
}

/// A patient by id.
pub async fn find(
    db: &impl ConnectionTrait,
    patient_id: i64,
) -> Result<Option<patient::Model>, StoreError> {
    Ok(patient::Entity::find_by_id(patient_id).one(db).await?)
}

/// Patients by id, in id order; ids that name no patient are left out.
pub async fn find_many(
    db: &impl ConnectionTrait,
    patient_ids: &[i64],
) -> Result<Vec<patient::Model>, StoreError> {
    if patient_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(patient::Entity::find()
        .filter(patient::Column::PatientId.is_in(patient_ids.iter().copied()))
        .order_by_asc(patient::Column::PatientId)
        .all(db)
        .await?)
}

/// The patient linked to a portal account, if any.
pub async fn find_by_user(
    db: &impl ConnectionTrait,
    user_id: i64,
) -> Result<Option<patient::Model>, StoreError> {
    Ok(patient::Entity::find()
        .filter(patient::Column::UserId.eq(user_id))
        .one(db)
        .await?)
}

/// The patient with this (normalised) register number, if any.
pub async fn find_by_register_number(
    db: &impl ConnectionTrait,
    register_number: &str,
) -> Result<Option<patient::Model>, StoreError> {
    Ok(patient::Entity::find()
        .filter(patient::Column::RegisterNumber.eq(register_number))
        .one(db)
        .await?)
}

/// A patient's row, locked until the end of the caller's transaction (`SELECT ... FOR
/// UPDATE` on PostgreSQL and MariaDB/MySQL; on SQLite the write transaction of
/// `Store::begin_write` already holds the database's write lock). Everything that changes a
/// patient's phones takes this lock first, so two such changes on one patient never
/// interleave.
pub async fn lock(
    db: &impl ConnectionTrait,
    patient_id: i64,
) -> Result<Option<patient::Model>, StoreError> {
    Ok(patient::Entity::find_by_id(patient_id)
        .lock_exclusive()
        .one(db)
        .await?)
}

/// Writes a changed patient row (every column but the id and `created_at`; the folded keys
/// from the keys, whatever `changed` holds). A register number or user link taken by another
/// patient is [`StoreError::Conflict`].
pub async fn save(
    db: &impl ConnectionTrait,
    changed: patient::Model,
) -> Result<patient::Model, StoreError> {
    if let Some(other) = find_by_register_number(db, &changed.register_number).await?
        && other.patient_id != changed.patient_id
    {
        return Err(register_number_taken(&changed.register_number));
    }
    let mut row: patient::ActiveModel = changed.clone().into();
    row.user_id = Set(changed.user_id);
    row.register_number = Set(changed.register_number);
    row.first_name = Set(changed.first_name);
    row.last_name = Set(changed.last_name);
    row.first_name_fold = Set(fold_name_key(&changed.first_name_key));
    row.last_name_fold = Set(fold_name_key(&changed.last_name_key));
    row.first_name_key = Set(changed.first_name_key);
    row.last_name_key = Set(changed.last_name_key);
    row.email = Set(changed.email);
    row.birthday = Set(changed.birthday);
    row.gender = Set(changed.gender);
    row.status = Set(changed.status);
    row.sms_reminder_opt_out = Set(changed.sms_reminder_opt_out);
    row.last_seen_at = Set(changed.last_seen_at);
    Ok(row.update(db).await?)
}

/// A patient's phones in creation order.
pub async fn phones_of(
    db: &impl ConnectionTrait,
    patient_id: i64,
) -> Result<Vec<patient_phone::Model>, StoreError> {
    Ok(patient_phone::Entity::find()
        .filter(patient_phone::Column::PatientId.eq(patient_id))
        .order_by_asc(patient_phone::Column::PhoneNumberId)
        .all(db)
        .await?)
}

/// The phones of several patients, each patient's in creation order.
pub async fn phones_of_many(
    db: &impl ConnectionTrait,
    patient_ids: &[i64],
) -> Result<Vec<patient_phone::Model>, StoreError> {
    if patient_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(patient_phone::Entity::find()
        .filter(patient_phone::Column::PatientId.is_in(patient_ids.iter().copied()))
        .order_by_asc(patient_phone::Column::PhoneNumberId)
        .all(db)
        .await?)
}

/// The highest patient id, if there is any patient.
pub async fn max_id(db: &impl ConnectionTrait) -> Result<Option<i64>, StoreError> {
    let row = patient::Entity::find()
        .order_by_desc(patient::Column::PatientId)
        .one(db)
        .await?;
    Ok(row.map(|p| p.patient_id))
}

/// Sets `status` to `code` on the patients with `from <= patient_id < to` whose last visit
/// (`last_seen_at`, or `created_at` when there was none) is in `[since, until)` (either end
/// open when None) and whose stored status differs. One statement, so a visit recorded at
/// the same moment is never overwritten with a status computed from an older value.
/// Returns the number of rows changed.
pub async fn set_status_where_last_visit(
    db: &impl ConnectionTrait,
    (from, to): (i64, i64),
    since: Option<DbTimestamp>,
    until: Option<DbTimestamp>,
    code: i16,
) -> Result<u64, StoreError> {
    let last_visit = || {
        Expr::expr(Func::coalesce([
            Expr::col(patient::Column::LastSeenAt),
            Expr::col(patient::Column::CreatedAt),
        ]))
    };
    let mut update = patient::Entity::update_many()
        .col_expr(patient::Column::Status, Expr::value(code))
        .filter(patient::Column::PatientId.gte(from))
        .filter(patient::Column::PatientId.lt(to))
        .filter(patient::Column::Status.ne(code));
    if let Some(since) = since {
        update = update.filter(last_visit().gte(Expr::value(since)));
    }
    if let Some(until) = until {
        update = update.filter(last_visit().lt(Expr::value(until)));
    }
    Ok(update.exec(db).await?.rows_affected)
}

/// Sets a patient's last visit (an arrival or a treatment) unless a later one is recorded.
pub async fn touch_last_seen(
    db: &impl ConnectionTrait,
    patient_id: i64,
    at: DbTimestamp,
) -> Result<(), StoreError> {
    patient::Entity::update_many()
        .col_expr(patient::Column::LastSeenAt, Expr::value(at))
        .filter(patient::Column::PatientId.eq(patient_id))
        .filter(
            Condition::any()
                .add(patient::Column::LastSeenAt.is_null())
                .add(patient::Column::LastSeenAt.lt(at)),
        )
        .exec(db)
        .await?;
    Ok(())
}
