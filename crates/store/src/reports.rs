//! Aggregate queries of the reports: every sum and count is computed by the database
//! (`GROUP BY` in SQL), never by loading the rows into Rust, so a report over a million
//! appointments reads a handful of rows. Identifiers are always the entities' columns
//! (quoted by sea-query); values are bound parameters.
//!
//! Time buckets (days, months) are given by the caller as instants: the boundaries of the
//! clinic's local days or months, computed in the clinic's time zone. A row falls in bucket
//! `i` when `boundaries[i] <= at < boundaries[i + 1]`; the bucket is computed in SQL by a
//! `CASE` over the boundaries, so no backend-specific date function or time-zone table is
//! needed and the three backends agree to the microsecond.

use crate::StoreError;
use crate::entity::{
    appointment, patient, payment, treatment, treatment_item, treatment_item_tooth,
};
use crate::time::DbTimestamp;
use sea_orm::sea_query::QueryStatementBuilder;
use sea_orm::sea_query::{Alias, CaseStatement, Expr, ExprTrait, Func, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbBackend, QueryResult};

/// Scope codes charged per tooth (`dcms_domain::TreatmentScope::SingleTooth`, `MultiTooth`).
const PER_TOOTH_SCOPES: [i16; 2] = [1, 2];
/// The no-show status code (`dcms_domain::AppointmentStatus::NoShow`).
const NO_SHOW: i16 = 3;

/// A half-open interval of instants `[from, to)`.
#[derive(Debug, Clone, Copy)]
pub struct Range {
    pub from: DbTimestamp,
    pub to: DbTimestamp,
}

/// What a sum is grouped by.
#[derive(Debug, Clone)]
pub enum GroupBy {
    /// The treatment's doctor (`employee_id`).
    Doctor,
    /// The item's service (charges only).
    Service,
    /// The payment's method code (payments only).
    Method,
    /// The bucket index of the instant among these ascending boundaries.
    Buckets(Vec<DbTimestamp>),
}

/// `CAST(expr AS <64-bit integer>)`: `SUM` answers NUMERIC on PostgreSQL and DECIMAL on
/// MariaDB, which the drivers will not read as an `i64`; a `CASE` of literals may be a
/// 32-bit integer. The type name is a keyword, not an identifier.
fn int64(backend: DbBackend, expr: impl Into<Expr>) -> Expr {
    let name = match backend {
        DbBackend::MySql => "SIGNED",
        DbBackend::Postgres => "BIGINT",
        _ => "INTEGER",
    };
    Func::cast_as(expr.into(), Alias::new(name)).into()
}

/// The bucket index of `at` among ascending `boundaries` (rows outside them are filtered
/// out by the caller's range): `CASE WHEN at < b1 THEN 0 WHEN at < b2 THEN 1 ... END`.
fn bucket(at: Expr, boundaries: &[DbTimestamp]) -> Expr {
    if boundaries.len() < 3 {
        // One bucket (or none): a `CASE` without a `WHEN` is not SQL.
        return Expr::val(0i64);
    }
    let mut case = CaseStatement::new();
    for (i, b) in boundaries.iter().enumerate().skip(1) {
        case = case.case(at.clone().lt(*b), Expr::val((i - 1) as i64));
    }
    case.finally(Expr::val(boundaries.len().saturating_sub(2) as i64))
        .into()
}

/// An item's charge: its list price less its discount.
fn item_charge() -> Expr {
    item_list_price().sub(Expr::col((
        treatment_item::Entity,
        treatment_item::Column::Discount,
    )))
}

/// An item's list price: the unit price times the number of its teeth for the per-tooth
/// scopes, the price once otherwise. The teeth are counted by a correlated subquery.
fn item_list_price() -> Expr {
    let teeth = Query::select()
        .expr(
            Expr::col((
                treatment_item_tooth::Entity,
                treatment_item_tooth::Column::TreatmentItemToothId,
            ))
            .count(),
        )
        .from(treatment_item_tooth::Entity)
        .and_where(
            Expr::col((
                treatment_item_tooth::Entity,
                treatment_item_tooth::Column::TreatmentItemId,
            ))
            .equals((
                treatment_item::Entity,
                treatment_item::Column::TreatmentItemId,
            )),
        )
        .to_owned();
    let price = || Expr::col((treatment_item::Entity, treatment_item::Column::Price));
    CaseStatement::new()
        .case(
            Expr::col((treatment_item::Entity, treatment_item::Column::Scope))
                .is_in(PER_TOOTH_SCOPES),
            price().mul(Expr::SubQuery(
                None,
                Box::new(teeth.into_sub_query_statement()),
            )),
        )
        .finally(price())
        .into()
}

/// A result column named in `GROUP BY`. Repeating the expression would not do: its bound
/// parameters get new numbers (`$1` in the select list, `$5` in `GROUP BY`), and PostgreSQL
/// then no longer sees them as the same expression. All three backends group by an alias.
fn by_alias(name: &str) -> Expr {
    Expr::col(Alias::new(name))
}

fn in_range(at: Expr, range: Range) -> sea_orm::sea_query::Condition {
    sea_orm::sea_query::Condition::all()
        .add(at.clone().gte(range.from))
        .add(at.lt(range.to))
}

/// Runs `select` (columns `k` and `v`) and reads `(k, v)` pairs.
async fn pairs(
    db: &impl ConnectionTrait,
    select: &SelectStatement,
) -> Result<Vec<(i64, i64)>, StoreError> {
    let rows: Vec<QueryResult> = db.query_all(select).await?;
    rows.iter()
        .map(|r| Ok((r.try_get::<i64>("", "k")?, r.try_get::<i64>("", "v")?)))
        .collect()
}

/// The items' charges (after their discounts) of the treatments dated in `range`, grouped
/// (`Method` is refused).
pub async fn charges(
    db: &impl ConnectionTrait,
    range: Range,
    by: &GroupBy,
) -> Result<Vec<(i64, i64)>, StoreError> {
    item_sums(db, range, by, item_charge()).await
}

/// The items' discounts of the treatments dated in `range`, grouped as [`charges`].
pub async fn discounts(
    db: &impl ConnectionTrait,
    range: Range,
    by: &GroupBy,
) -> Result<Vec<(i64, i64)>, StoreError> {
    let discount = Expr::col((treatment_item::Entity, treatment_item::Column::Discount));
    item_sums(db, range, by, discount).await
}

async fn item_sums(
    db: &impl ConnectionTrait,
    range: Range,
    by: &GroupBy,
    value: Expr,
) -> Result<Vec<(i64, i64)>, StoreError> {
    let backend = db.get_database_backend();
    let date = Expr::col((treatment::Entity, treatment::Column::TreatmentDate));
    let key = match by {
        GroupBy::Doctor => Expr::col((treatment::Entity, treatment::Column::DoctorId)),
        GroupBy::Service => Expr::col((treatment_item::Entity, treatment_item::Column::ServiceId)),
        GroupBy::Buckets(b) => bucket(date.clone(), b),
        GroupBy::Method => {
            return Err(StoreError::Config("charges have no payment method".into()));
        }
    };
    let key = int64(backend, key);
    let select = Query::select()
        .expr_as(key.clone(), Alias::new("k"))
        .expr_as(int64(backend, value.sum()), Alias::new("v"))
        .from(treatment_item::Entity)
        .inner_join(
            treatment::Entity,
            Expr::col((treatment::Entity, treatment::Column::TreatmentId))
                .equals((treatment_item::Entity, treatment_item::Column::TreatmentId)),
        )
        .cond_where(in_range(date, range))
        .add_group_by([by_alias("k")])
        .to_owned();
    pairs(db, &select).await
}

/// The payments (refunds negative) made in `range`, grouped (`Service` is refused: a
/// payment is for a whole treatment, not for one of its items).
pub async fn payments(
    db: &impl ConnectionTrait,
    range: Range,
    by: &GroupBy,
) -> Result<Vec<(i64, i64)>, StoreError> {
    let backend = db.get_database_backend();
    let at = Expr::col((payment::Entity, payment::Column::PaidAt));
    let key = match by {
        GroupBy::Doctor => Expr::col((treatment::Entity, treatment::Column::DoctorId)),
        GroupBy::Method => Expr::col((payment::Entity, payment::Column::Method)),
        GroupBy::Buckets(b) => bucket(at.clone(), b),
        GroupBy::Service => {
            return Err(StoreError::Config("payments are not per service".into()));
        }
    };
    let key = int64(backend, key);
    let mut select = Query::select()
        .expr_as(key.clone(), Alias::new("k"))
        .expr_as(
            int64(
                backend,
                Expr::col((payment::Entity, payment::Column::Amount)).sum(),
            ),
            Alias::new("v"),
        )
        .from(payment::Entity)
        .cond_where(in_range(at, range))
        .add_group_by([by_alias("k")])
        .to_owned();
    if matches!(by, GroupBy::Doctor) {
        select.inner_join(
            treatment::Entity,
            Expr::col((treatment::Entity, treatment::Column::TreatmentId))
                .equals((payment::Entity, payment::Column::TreatmentId)),
        );
    }
    pairs(db, &select).await
}

/// How many treatments are dated in `range`.
pub async fn treatment_count(db: &impl ConnectionTrait, range: Range) -> Result<i64, StoreError> {
    let backend = db.get_database_backend();
    let date = Expr::col((treatment::Entity, treatment::Column::TreatmentDate));
    let select = Query::select()
        .expr_as(int64(backend, Expr::val(0i64)), Alias::new("k"))
        .expr_as(
            int64(
                backend,
                Expr::col((treatment::Entity, treatment::Column::TreatmentId)).count(),
            ),
            Alias::new("v"),
        )
        .from(treatment::Entity)
        .cond_where(in_range(date, range))
        .to_owned();
    Ok(pairs(db, &select).await?.first().map_or(0, |(_, v)| *v))
}

/// Appointments starting in `range`: `(doctor_id, status, count)`.
pub async fn appointments_by_doctor_and_status(
    db: &impl ConnectionTrait,
    range: Range,
) -> Result<Vec<(i64, i16, i64)>, StoreError> {
    let backend = db.get_database_backend();
    let doctor = Expr::col((appointment::Entity, appointment::Column::DoctorId));
    let status = Expr::col((appointment::Entity, appointment::Column::Status));
    let select = Query::select()
        .expr_as(int64(backend, doctor.clone()), Alias::new("d"))
        .expr_as(int64(backend, status.clone()), Alias::new("s"))
        .expr_as(
            int64(
                backend,
                Expr::col((appointment::Entity, appointment::Column::AppointmentId)).count(),
            ),
            Alias::new("n"),
        )
        .from(appointment::Entity)
        .cond_where(in_range(
            Expr::col((appointment::Entity, appointment::Column::StartAt)),
            range,
        ))
        .add_group_by([by_alias("d"), by_alias("s")])
        .to_owned();
    let rows = db.query_all(&select).await?;
    rows.iter()
        .map(|r| {
            let status: i64 = r.try_get("", "s")?;
            Ok((
                r.try_get::<i64>("", "d")?,
                i16::try_from(status).unwrap_or(i16::MAX),
                r.try_get::<i64>("", "n")?,
            ))
        })
        .collect()
}

/// Appointments that were due, per doctor and bucket: starting in `range` (the caller
/// ends it at now at the latest) with one of `due_statuses`. `(doctor_id, bucket, due,
/// no_shows)`.
pub async fn no_shows(
    db: &impl ConnectionTrait,
    range: Range,
    boundaries: &[DbTimestamp],
    due_statuses: &[i16],
) -> Result<Vec<(i64, i64, i64, i64)>, StoreError> {
    let backend = db.get_database_backend();
    let doctor = Expr::col((appointment::Entity, appointment::Column::DoctorId));
    let start = Expr::col((appointment::Entity, appointment::Column::StartAt));
    let status = Expr::col((appointment::Entity, appointment::Column::Status));
    let month = int64(backend, bucket(start.clone(), boundaries));
    let is_no_show: Expr = CaseStatement::new()
        .case(status.clone().eq(NO_SHOW), Expr::val(1i64))
        .finally(Expr::val(0i64))
        .into();
    let select = Query::select()
        .expr_as(int64(backend, doctor.clone()), Alias::new("d"))
        .expr_as(month.clone(), Alias::new("m"))
        .expr_as(
            int64(
                backend,
                Expr::col((appointment::Entity, appointment::Column::AppointmentId)).count(),
            ),
            Alias::new("due"),
        )
        .expr_as(int64(backend, is_no_show.sum()), Alias::new("ns"))
        .from(appointment::Entity)
        .cond_where(in_range(start, range).add(status.is_in(due_statuses.iter().copied())))
        .add_group_by([by_alias("d"), by_alias("m")])
        .to_owned();
    let rows = db.query_all(&select).await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get::<i64>("", "d")?,
                r.try_get::<i64>("", "m")?,
                r.try_get::<i64>("", "due")?,
                r.try_get::<i64>("", "ns")?,
            ))
        })
        .collect()
}

/// Patients per status computed from the last visit (`last_seen_at`, or `created_at`):
/// `since` are the first instants of the active, within-1-year and within-5-years periods
/// (descending); the answer's key is the status code 0..=3.
pub async fn patients_by_status(
    db: &impl ConnectionTrait,
    since: [DbTimestamp; 3],
) -> Result<Vec<(i64, i64)>, StoreError> {
    let backend = db.get_database_backend();
    let last = Expr::expr(Func::coalesce([
        Expr::col((patient::Entity, patient::Column::LastSeenAt)),
        Expr::col((patient::Entity, patient::Column::CreatedAt)),
    ]));
    let mut case = CaseStatement::new();
    for (code, bound) in since.iter().enumerate() {
        case = case.case(last.clone().gte(*bound), Expr::val(code as i64));
    }
    let status = int64(backend, case.finally(Expr::val(3i64)));
    let select = Query::select()
        .expr_as(status.clone(), Alias::new("k"))
        .expr_as(
            int64(
                backend,
                Expr::col((patient::Entity, patient::Column::PatientId)).count(),
            ),
            Alias::new("v"),
        )
        .from(patient::Entity)
        .add_group_by([by_alias("k")])
        .to_owned();
    pairs(db, &select).await
}

/// Patients registered (`created_at`) per bucket of the ascending `boundaries`.
pub async fn new_patients(
    db: &impl ConnectionTrait,
    boundaries: &[DbTimestamp],
) -> Result<Vec<(i64, i64)>, StoreError> {
    let (Some(first), Some(last)) = (boundaries.first(), boundaries.last()) else {
        return Ok(Vec::new());
    };
    let backend = db.get_database_backend();
    let created = Expr::col((patient::Entity, patient::Column::CreatedAt));
    let key = int64(backend, bucket(created.clone(), boundaries));
    let select = Query::select()
        .expr_as(key.clone(), Alias::new("k"))
        .expr_as(
            int64(
                backend,
                Expr::col((patient::Entity, patient::Column::PatientId)).count(),
            ),
            Alias::new("v"),
        )
        .from(patient::Entity)
        .cond_where(in_range(
            created,
            Range {
                from: *first,
                to: *last,
            },
        ))
        .add_group_by([by_alias("k")])
        .to_owned();
    pairs(db, &select).await
}

/// `(service_id, doctor_display_name)` of these services.
pub async fn service_names(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<Vec<(i64, String)>, StoreError> {
    use crate::entity::service_catalog;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(service_catalog::Entity::find()
        .filter(service_catalog::Column::ServiceId.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.service_id, s.doctor_display_name))
        .collect())
}

/// Every treatment's charge, `(treatment_id, charge)` (what is owed: `services::balances`).
pub async fn charge_per_treatment(
    db: &impl ConnectionTrait,
) -> Result<Vec<(i64, i64)>, StoreError> {
    let backend = db.get_database_backend();
    let key = Expr::col((treatment_item::Entity, treatment_item::Column::TreatmentId));
    let select = Query::select()
        .expr_as(int64(backend, key), Alias::new("k"))
        .expr_as(int64(backend, item_charge().sum()), Alias::new("v"))
        .from(treatment_item::Entity)
        .add_group_by([by_alias("k")])
        .to_owned();
    pairs(db, &select).await
}

/// Every treatment's payments (refunds subtracted), `(treatment_id, paid)`.
pub async fn paid_per_treatment(db: &impl ConnectionTrait) -> Result<Vec<(i64, i64)>, StoreError> {
    let backend = db.get_database_backend();
    let key = Expr::col((payment::Entity, payment::Column::TreatmentId));
    let select = Query::select()
        .expr_as(int64(backend, key), Alias::new("k"))
        .expr_as(
            int64(
                backend,
                Expr::col((payment::Entity, payment::Column::Amount)).sum(),
            ),
            Alias::new("v"),
        )
        .from(payment::Entity)
        .add_group_by([by_alias("k")])
        .to_owned();
    pairs(db, &select).await
}

// --- figures by day and doctor (what a head office pulls) -----------------------------------

/// Rows of `n` integer columns named `c0..`.
async fn int_rows(
    db: &impl ConnectionTrait,
    select: &SelectStatement,
    n: usize,
) -> Result<Vec<Vec<i64>>, StoreError> {
    let rows: Vec<QueryResult> = db.query_all(select).await?;
    rows.iter()
        .map(|r| {
            (0..n)
                .map(|i| Ok(r.try_get::<i64>("", &format!("c{i}"))?))
                .collect()
        })
        .collect()
}

/// The items' charges and discounts of the treatments dated in each bucket, per doctor:
/// `(bucket, doctor_id, charges, discounts)`.
pub async fn charges_by_day_and_doctor(
    db: &impl ConnectionTrait,
    boundaries: &[DbTimestamp],
) -> Result<Vec<(i64, i64, i64, i64)>, StoreError> {
    let (Some(&from), Some(&to)) = (boundaries.first(), boundaries.last()) else {
        return Ok(Vec::new());
    };
    let backend = db.get_database_backend();
    let date = Expr::col((treatment::Entity, treatment::Column::TreatmentDate));
    let discount = Expr::col((treatment_item::Entity, treatment_item::Column::Discount));
    let select = Query::select()
        .expr_as(
            int64(backend, bucket(date.clone(), boundaries)),
            Alias::new("c0"),
        )
        .expr_as(
            int64(
                backend,
                Expr::col((treatment::Entity, treatment::Column::DoctorId)),
            ),
            Alias::new("c1"),
        )
        .expr_as(int64(backend, item_charge().sum()), Alias::new("c2"))
        .expr_as(int64(backend, discount.sum()), Alias::new("c3"))
        .from(treatment_item::Entity)
        .inner_join(
            treatment::Entity,
            Expr::col((treatment::Entity, treatment::Column::TreatmentId))
                .equals((treatment_item::Entity, treatment_item::Column::TreatmentId)),
        )
        .cond_where(in_range(date, Range { from, to }))
        .add_group_by([by_alias("c0"), by_alias("c1")])
        .to_owned();
    Ok(int_rows(db, &select, 4)
        .await?
        .into_iter()
        .map(|r| (r[0], r[1], r[2], r[3]))
        .collect())
}

/// The payments (refunds subtracted) made in each bucket, per doctor of their treatment:
/// `(bucket, doctor_id, paid)`.
pub async fn payments_by_day_and_doctor(
    db: &impl ConnectionTrait,
    boundaries: &[DbTimestamp],
) -> Result<Vec<(i64, i64, i64)>, StoreError> {
    let (Some(&from), Some(&to)) = (boundaries.first(), boundaries.last()) else {
        return Ok(Vec::new());
    };
    let backend = db.get_database_backend();
    let at = Expr::col((payment::Entity, payment::Column::PaidAt));
    let select = Query::select()
        .expr_as(
            int64(backend, bucket(at.clone(), boundaries)),
            Alias::new("c0"),
        )
        .expr_as(
            int64(
                backend,
                Expr::col((treatment::Entity, treatment::Column::DoctorId)),
            ),
            Alias::new("c1"),
        )
        .expr_as(
            int64(
                backend,
                Expr::col((payment::Entity, payment::Column::Amount)).sum(),
            ),
            Alias::new("c2"),
        )
        .from(payment::Entity)
        .inner_join(
            treatment::Entity,
            Expr::col((treatment::Entity, treatment::Column::TreatmentId))
                .equals((payment::Entity, payment::Column::TreatmentId)),
        )
        .cond_where(in_range(at, Range { from, to }))
        .add_group_by([by_alias("c0"), by_alias("c1")])
        .to_owned();
    Ok(int_rows(db, &select, 3)
        .await?
        .into_iter()
        .map(|r| (r[0], r[1], r[2]))
        .collect())
}

/// Appointments starting in each bucket, per doctor and status: `(bucket, doctor_id, status,
/// count)`.
pub async fn appointments_by_day_doctor_and_status(
    db: &impl ConnectionTrait,
    boundaries: &[DbTimestamp],
) -> Result<Vec<(i64, i64, i16, i64)>, StoreError> {
    let (Some(&from), Some(&to)) = (boundaries.first(), boundaries.last()) else {
        return Ok(Vec::new());
    };
    let backend = db.get_database_backend();
    let start = Expr::col((appointment::Entity, appointment::Column::StartAt));
    let select = Query::select()
        .expr_as(
            int64(backend, bucket(start.clone(), boundaries)),
            Alias::new("c0"),
        )
        .expr_as(
            int64(
                backend,
                Expr::col((appointment::Entity, appointment::Column::DoctorId)),
            ),
            Alias::new("c1"),
        )
        .expr_as(
            int64(
                backend,
                Expr::col((appointment::Entity, appointment::Column::Status)),
            ),
            Alias::new("c2"),
        )
        .expr_as(
            int64(
                backend,
                Expr::col((appointment::Entity, appointment::Column::AppointmentId)).count(),
            ),
            Alias::new("c3"),
        )
        .from(appointment::Entity)
        .cond_where(in_range(start, Range { from, to }))
        .add_group_by([by_alias("c0"), by_alias("c1"), by_alias("c2")])
        .to_owned();
    Ok(int_rows(db, &select, 4)
        .await?
        .into_iter()
        .map(|r| (r[0], r[1], i16::try_from(r[2]).unwrap_or(i16::MAX), r[3]))
        .collect())
}

/// The earliest instant of the clinic's history: its first appointment or treatment (None
/// for a clinic with neither).
pub async fn first_instant(db: &impl ConnectionTrait) -> Result<Option<DbTimestamp>, StoreError> {
    use sea_orm::{EntityTrait, QueryOrder, QuerySelect};
    let appointment = appointment::Entity::find()
        .order_by_asc(appointment::Column::StartAt)
        .limit(1)
        .one(db)
        .await?
        .map(|a| a.start_at);
    let treatment = treatment::Entity::find()
        .order_by_asc(treatment::Column::TreatmentDate)
        .limit(1)
        .one(db)
        .await?
        .map(|t| t.treatment_date);
    Ok(match (appointment, treatment) {
        (Some(a), Some(t)) => Some(std::cmp::min(a, t)),
        (a, t) => a.or(t),
    })
}
