//! Closing the day (docs/money.md, "Closing the day"; domain.md "Money"):
//!
//! * A day (the clinic's local date, today or earlier: 422 `date-future` otherwise) is
//!   closed with the amounts counted per method (cash, card, transfer, QPay; each 0 or more,
//!   left out: 0) and a note; the expected amounts are the day's payments per method (refunds
//!   subtracted) at that moment, kept with the close; the difference is counted − expected.
//!   A receptionist, a manager or an admin closes it (the `day_close` capability: a doctor who
//!   takes a payment does not count the drawer, 403). A day closed already is 409.
//! * A closed day takes no payment (409), new or back-dated (`treatments::pay` asks
//!   [`check_open`]). Closes and payments both lock the settings row first (a payment after
//!   its treatment's row), so a payment cannot land in a day while it is being closed.
//! * A manager or an admin reopens a closed day (409 when it is not closed); it takes
//!   payments again until it is closed anew. Closing and reopening are audited (table
//!   `day_close`).

use super::audit::{AuditTrail, changes};
use super::reports::{ByMethod, payments_of_day};
use super::settings::{self, ClinicSettings};
use super::{Actor, FieldError, ServiceError, fields};
use dcms_domain::{Access, Capability};
use dcms_store::Store;
use dcms_store::audit::AuditEntry;
use dcms_store::day_close as repo;
use dcms_store::entity::day_close;
use dcms_store::sea_orm::DatabaseTransaction;
use dcms_store::time::{date_to_db, from_db, now};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

/// Most tugrik counted for one method.
pub const COUNTED_MAX: i64 = 1_000_000_000_000;

/// A day of the till: what the payments say, and once closed, what was counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DayClose {
    #[schema(value_type = String, format = Date)]
    pub date: Date,
    /// Closed and not reopened: no payment may be taken into it.
    pub closed: bool,
    /// The day's payments per method (as kept when closed; live while open).
    pub expected: ByMethod,
    /// What was counted (null while the day is open and was never closed).
    pub counted: Option<ByMethod>,
    /// Counted − expected, per method (null with `counted`).
    pub difference: Option<ByMethod>,
    pub note: Option<String>,
    pub closed_at: Option<Timestamp>,
    /// The user who closed it.
    pub closed_by: Option<i64>,
    pub reopened_at: Option<Timestamp>,
    pub reopened_by: Option<i64>,
}

/// The amounts counted, as the client sent them.
#[derive(Debug, Clone, Default)]
pub struct Counted {
    pub cash: Option<i64>,
    pub card: Option<i64>,
    pub transfer: Option<i64>,
    pub qpay: Option<i64>,
}

fn minus(a: &ByMethod, b: &ByMethod) -> ByMethod {
    ByMethod {
        cash: a.cash - b.cash,
        card: a.card - b.card,
        transfer: a.transfer - b.transfer,
        qpay: a.qpay - b.qpay,
    }
}

fn of_row(row: &day_close::Model) -> DayClose {
    let expected = ByMethod {
        cash: row.expected_cash,
        card: row.expected_card,
        transfer: row.expected_transfer,
        qpay: row.expected_qpay,
    };
    let counted = ByMethod {
        cash: row.counted_cash,
        card: row.counted_card,
        transfer: row.counted_transfer,
        qpay: row.counted_qpay,
    };
    DayClose {
        date: dcms_store::time::date_from_db(row.day),
        closed: row.reopened_at.is_none(),
        difference: Some(minus(&counted, &expected)),
        expected,
        counted: Some(counted),
        note: row.note.clone(),
        closed_at: Some(from_db(row.closed_at)),
        closed_by: row.closed_by,
        reopened_at: row.reopened_at.map(from_db),
        reopened_by: row.reopened_by,
    }
}

fn today(clinic: &ClinicSettings) -> Date {
    clinic.now_local().date()
}

/// A day of the till: closed (what was kept), or open with its payments so far.
pub async fn get(store: &Store, date: Date) -> Result<DayClose, ServiceError> {
    let clinic = settings::get(store).await?;
    let db = store.connection();
    match repo::of_day(db, date_to_db(date)).await? {
        Some(row) if row.reopened_at.is_none() => Ok(of_row(&row)),
        stored => {
            let expected = payments_of_day(db, &clinic.time_zone(), date).await?;
            Ok(DayClose {
                date,
                closed: false,
                expected,
                counted: None,
                difference: None,
                note: None,
                closed_at: None,
                closed_by: None,
                reopened_at: stored.as_ref().and_then(|r| r.reopened_at.map(from_db)),
                reopened_by: stored.and_then(|r| r.reopened_by),
            })
        }
    }
}

/// A payment of the day with its patient.
#[derive(Debug, Clone)]
pub struct DayPayment {
    pub payment: super::treatments::Payment,
    pub patient_id: i64,
    /// `last_name first_name`.
    pub patient_name: String,
}

/// The payments made on `date` (the clinic's calendar), by time, with their patients.
pub async fn payments(store: &Store, date: Date) -> Result<Vec<DayPayment>, ServiceError> {
    use jiff::ToSpan;
    let zone = settings::get(store).await?.time_zone();
    let start = date
        .to_zoned(zone)
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let end = start
        .checked_add(1.day())
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let db = store.connection();
    let rows = dcms_store::clinical::payments_between(
        db,
        dcms_store::time::to_db(start.timestamp()),
        dcms_store::time::to_db(end.timestamp()),
    )
    .await?;
    let mut treatment_ids: Vec<i64> = rows.iter().map(|p| p.treatment_id).collect();
    treatment_ids.sort_unstable();
    treatment_ids.dedup();
    let patient_of: std::collections::HashMap<i64, i64> =
        dcms_store::clinical::find_many(db, &treatment_ids)
            .await?
            .into_iter()
            .map(|t| (t.treatment_id, t.patient_id))
            .collect();
    let patient_ids: Vec<i64> = patient_of.values().copied().collect();
    let names = super::patients::names(store, &patient_ids).await?;
    rows.into_iter()
        .map(|row| {
            let patient_id = patient_of
                .get(&row.treatment_id)
                .copied()
                .unwrap_or_default();
            Ok(DayPayment {
                patient_name: names.get(&patient_id).cloned().unwrap_or_default(),
                patient_id,
                payment: super::treatments::Payment::from_row(row)?,
            })
        })
        .collect()
}

/// Refuses (409) a payment dated `paid_at` into a closed day. Run in the payment's
/// transaction: it locks the settings row as [`close`] does.
pub async fn check_open(txn: &DatabaseTransaction, paid_at: Timestamp) -> Result<(), ServiceError> {
    let clinic = ClinicSettings::from_row(&dcms_store::settings::load_for_update(txn).await?)?;
    let date = paid_at.to_zoned(clinic.time_zone()).date();
    match repo::of_day(txn, date_to_db(date)).await? {
        Some(row) if row.reopened_at.is_none() => Err(ServiceError::Conflict(format!(
            "{date} is closed: a manager reopens it before a payment is taken into it"
        ))),
        _ => Ok(()),
    }
}

fn audited(day: &DayClose) -> serde_json::Value {
    serde_json::json!({
        "date": day.date,
        "closed": day.closed,
        "expected": day.expected,
        "counted": day.counted,
        "note": day.note,
    })
}

/// Closes `date` with the amounts counted (see the module's rules).
pub async fn close(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    date: Option<Date>,
    counted: Counted,
    note: Option<&str>,
) -> Result<DayClose, ServiceError> {
    if !actor.may(Capability::DayClose, Access::Write) {
        return Err(ServiceError::Forbidden);
    }
    let clinic = settings::get(store).await?;
    let mut errors = Vec::new();
    let date = fields::present(&mut errors, "date", date);
    if date.is_some_and(|d| d > today(&clinic)) {
        errors.push(FieldError::coded(
            "date",
            "date-future",
            "a day is closed once it has begun",
        ));
    }
    let mut amount = |field: &str, value: Option<i64>| match value.unwrap_or(0) {
        v if (0..=COUNTED_MAX).contains(&v) => Some(v),
        _ => {
            errors.push(
                FieldError::coded(
                    format!("counted.{field}"),
                    "range",
                    format!("must be 0 to {COUNTED_MAX}"),
                )
                .arg("min", 0)
                .arg("max", COUNTED_MAX),
            );
            None
        }
    };
    let cash = amount("cash", counted.cash);
    let card = amount("card", counted.card);
    let transfer = amount("transfer", counted.transfer);
    let qpay = amount("qpay", counted.qpay);
    let note = fields::note(&mut errors, "note", note);
    let (Some(date), Some(cash), Some(card), Some(transfer), Some(qpay), Some(note), true) =
        (date, cash, card, transfer, qpay, note, errors.is_empty())
    else {
        return Err(ServiceError::Invalid(errors));
    };
    let txn = store.begin_write().await?;
    dcms_store::settings::load_for_update(&txn).await?;
    let existing = repo::lock_day(&txn, date_to_db(date)).await?;
    if existing.as_ref().is_some_and(|r| r.reopened_at.is_none()) {
        return Err(ServiceError::Conflict(format!("{date} is closed already")));
    }
    let expected = payments_of_day(&txn, &clinic.time_zone(), date).await?;
    let row = repo::save(
        &txn,
        existing,
        day_close::Model {
            day_close_id: 0,
            day: date_to_db(date),
            expected_cash: expected.cash,
            expected_card: expected.card,
            expected_transfer: expected.transfer,
            expected_qpay: expected.qpay,
            counted_cash: cash,
            counted_card: card,
            counted_transfer: transfer,
            counted_qpay: qpay,
            note,
            closed_at: now(),
            closed_by: actor.user_id,
            reopened_at: None,
            reopened_by: None,
        },
    )
    .await?;
    let closed = of_row(&row);
    let entry = AuditEntry::new("close", "day_close", Some(row.day_close_id))
        .with_changes(changes(None, Some(&audited(&closed)), &[]));
    audit.record(&txn, actor.stamp(entry)).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(closed)
}

/// Reopens a closed day (managers and admins; 409 when it is not closed).
pub async fn reopen(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    date: Date,
) -> Result<DayClose, ServiceError> {
    if !actor.may_override() {
        return Err(ServiceError::Forbidden);
    }
    let txn = store.begin_write().await?;
    dcms_store::settings::load_for_update(&txn).await?;
    let Some(row) = repo::lock_day(&txn, date_to_db(date))
        .await?
        .filter(|r| r.reopened_at.is_none())
    else {
        return Err(ServiceError::Conflict(format!("{date} is not closed")));
    };
    let before = of_row(&row);
    let mut changed = row.clone();
    changed.reopened_at = Some(now());
    changed.reopened_by = actor.user_id;
    let saved = repo::save(&txn, Some(row), changed).await?;
    let after = of_row(&saved);
    let entry = AuditEntry::new("reopen", "day_close", Some(saved.day_close_id)).with_changes(
        changes(Some(&audited(&before)), Some(&audited(&after)), &[]),
    );
    audit.record(&txn, actor.stamp(entry)).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    get(store, date).await
}
