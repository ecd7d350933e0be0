//! Reports for the manager and the head office: the day, revenue over a range, where the
//! patients stand, and the no-show rate. Every figure is summed by the database
//! (`dcms_store::reports`); this module turns the clinic's local dates into instants and
//! names the rows. Definitions: `docs/reports.md`.
//!
//! Dates are the clinic's local calendar dates (`settings.time_zone`): a day is the
//! half-open interval from the first instant of that date in the clinic's zone to the first
//! instant of the next, so a day with a DST change has the hours it really has.

use super::fields::Given;
use super::{FieldError, ServiceError, settings};
use dcms_domain::{AppointmentStatus, PaymentMethod};
use dcms_store::Store;
use dcms_store::reports::{self as repo, GroupBy, Range};
use dcms_store::time::{DbTimestamp, to_db};
use jiff::ToSpan;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use utoipa::ToSchema;

/// The longest range a report covers, in days (`to` - `from` + 1): a year, leap or not.
pub const MAX_DAYS: i32 = 366;

/// Statuses of an appointment that was due to happen: everything but canceled. A
/// canceled appointment was never expected, so it is neither due nor a no-show.
const DUE: [AppointmentStatus; 5] = [
    AppointmentStatus::Reserved,
    AppointmentStatus::Confirmed,
    AppointmentStatus::Came,
    AppointmentStatus::Finished,
    AppointmentStatus::NoShow,
];

/// The first instant of `date` in `zone`.
fn start_of(date: Date, zone: &TimeZone) -> Result<DbTimestamp, ServiceError> {
    date.to_zoned(zone.clone())
        .and_then(|z| z.start_of_day())
        .map(|z| to_db(z.timestamp()))
        .map_err(|e| ServiceError::Internal(format!("the start of {date}: {e}")))
}

/// The day after `date` (422 on `field` past the last representable date).
fn next_day(date: Date, field: &str) -> Result<Date, ServiceError> {
    date.tomorrow()
        .map_err(|e| ServiceError::invalid(field, format!("no day after {date}: {e}")))
}

/// A required date (422 naming it when missing or refused by the transport).
fn date_param(field: &str, value: Given<Date>) -> Result<Date, ServiceError> {
    let mut errors = Vec::new();
    value
        .required(&mut errors, field)
        .ok_or(ServiceError::Invalid(errors))
}

/// `from` and `to` (inclusive) checked: `from` not after `to`, at most [`MAX_DAYS`] days.
fn date_range(from: Given<Date>, to: Given<Date>) -> Result<(Date, Date), ServiceError> {
    let from_date = date_param("from", from);
    let to_date = date_param("to", to);
    let (from, to) = match (from_date, to_date) {
        (Ok(f), Ok(t)) => (f, t),
        (f, t) => {
            let mut errors = Vec::new();
            for e in [f.err(), t.err()].into_iter().flatten() {
                if let ServiceError::Invalid(fields) = e {
                    errors.extend(fields);
                }
            }
            return Err(ServiceError::Invalid(errors));
        }
    };
    if from > to {
        return Err(ServiceError::invalid("to", "must not be before from"));
    }
    let days = from
        .until(to)
        .map(|s| s.get_days())
        .map_err(|e| ServiceError::invalid("to", e))?;
    if days >= MAX_DAYS {
        return Err(ServiceError::Invalid(vec![FieldError::new(
            "to",
            format!("a report covers at most {MAX_DAYS} days"),
        )]));
    }
    Ok((from, to))
}

/// Appointments per status.
#[derive(Debug, Default, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct ByStatus {
    pub reserved: i64,
    pub canceled: i64,
    pub confirmed: i64,
    pub no_show: i64,
    pub came: i64,
    pub finished: i64,
}

impl ByStatus {
    fn merge(&mut self, other: &ByStatus) {
        self.reserved += other.reserved;
        self.canceled += other.canceled;
        self.confirmed += other.confirmed;
        self.no_show += other.no_show;
        self.came += other.came;
        self.finished += other.finished;
    }

    fn add(&mut self, status: AppointmentStatus, n: i64) {
        let slot = match status {
            AppointmentStatus::Reserved => &mut self.reserved,
            AppointmentStatus::Canceled => &mut self.canceled,
            AppointmentStatus::Confirmed => &mut self.confirmed,
            AppointmentStatus::NoShow => &mut self.no_show,
            AppointmentStatus::Came => &mut self.came,
            AppointmentStatus::Finished => &mut self.finished,
        };
        *slot += n;
    }
}

/// A doctor's appointments of the day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DoctorDay {
    pub doctor_id: i64,
    /// Last name and first name.
    pub name: String,
    pub by_status: ByStatus,
}

/// Payments (refunds subtracted) per method, whole tugrik.
#[derive(Debug, Default, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct ByMethod {
    pub cash: i64,
    pub card: i64,
    pub transfer: i64,
    pub qpay: i64,
}

/// One day of the clinic.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DayReport {
    /// The clinic's local date, `YYYY-MM-DD`.
    #[schema(value_type = String, example = "2026-11-30")]
    pub date: Date,
    /// Doctors with appointments starting that day, by name.
    pub doctors: Vec<DoctorDay>,
    /// Treatments dated that day.
    pub treatments: i64,
    /// The charges of those treatments' items, whole tugrik.
    pub charges: i64,
    /// Payments made that day (refunds subtracted), whatever the treatment's date.
    pub payments_by_method: ByMethod,
}

/// The report of the clinic's local `date` (`YYYY-MM-DD`).
pub async fn day(store: &Store, date: Given<Date>) -> Result<DayReport, ServiceError> {
    let date = date_param("date", date)?;
    let zone = settings::get(store).await?.time_zone();
    let range = Range {
        from: start_of(date, &zone)?,
        to: start_of(next_day(date, "date")?, &zone)?,
    };
    let db = store.connection();
    let mut doctors: BTreeMap<i64, ByStatus> = BTreeMap::new();
    for (doctor, status, n) in repo::appointments_by_doctor_and_status(db, range).await? {
        let status = AppointmentStatus::from_code(status)
            .ok_or_else(|| ServiceError::Internal(format!("stored appointment status {status}")))?;
        doctors.entry(doctor).or_default().add(status, n);
    }
    let ids: Vec<i64> = doctors.keys().copied().collect();
    let names = super::staff::names(store, &ids).await?;
    let mut doctors: Vec<DoctorDay> = doctors
        .into_iter()
        .map(|(doctor_id, by_status)| DoctorDay {
            doctor_id,
            name: names
                .get(&doctor_id)
                .cloned()
                .unwrap_or_else(|| format!("#{doctor_id}")),
            by_status,
        })
        .collect();
    doctors.sort_by(|a, b| a.name.cmp(&b.name).then(a.doctor_id.cmp(&b.doctor_id)));
    let treatments = repo::treatment_count(db, range).await?;
    let charges = repo::charges(db, range, &GroupBy::Buckets(vec![range.from, range.to]))
        .await?
        .iter()
        .map(|(_, v)| v)
        .sum();
    let payments_by_method = by_method(db, range).await?;
    Ok(DayReport {
        date,
        doctors,
        treatments,
        charges,
        payments_by_method,
    })
}

/// Payments (refunds subtracted) per method made on the clinic's local `date` (the day
/// close's expected amounts).
pub async fn payments_of_day(
    db: &impl dcms_store::sea_orm::ConnectionTrait,
    zone: &TimeZone,
    date: Date,
) -> Result<ByMethod, ServiceError> {
    let range = Range {
        from: start_of(date, zone)?,
        to: start_of(next_day(date, "date")?, zone)?,
    };
    by_method(db, range).await
}

async fn by_method(
    db: &impl dcms_store::sea_orm::ConnectionTrait,
    range: Range,
) -> Result<ByMethod, ServiceError> {
    let mut payments_by_method = ByMethod::default();
    for (method, amount) in repo::payments(db, range, &GroupBy::Method).await? {
        let method = i16::try_from(method)
            .ok()
            .and_then(PaymentMethod::from_code)
            .ok_or_else(|| ServiceError::Internal(format!("stored payment method {method}")))?;
        let slot = match method {
            PaymentMethod::Cash => &mut payments_by_method.cash,
            PaymentMethod::Card => &mut payments_by_method.card,
            PaymentMethod::Transfer => &mut payments_by_method.transfer,
            PaymentMethod::Qpay => &mut payments_by_method.qpay,
        };
        *slot += amount;
    }
    Ok(payments_by_method)
}

/// What revenue is grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevenueGroup {
    Doctor,
    Service,
    Day,
}

impl RevenueGroup {
    /// `doctor`, `service` or `day` (blank: absent); another word is refused on `group_by`.
    pub fn given(text: Option<&str>) -> Given<RevenueGroup> {
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            None => Given::Absent,
            Some("doctor") => Given::Value(RevenueGroup::Doctor),
            Some("service") => Given::Value(RevenueGroup::Service),
            Some("day") => Given::Value(RevenueGroup::Day),
            Some(other) => Given::Invalid(FieldError::new(
                "group_by",
                format!("'{other}' is not one of doctor, service, day"),
            )),
        }
    }
}

/// A revenue row's key: the employee id, the service id or the date.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq, PartialOrd, Ord)]
#[serde(untagged)]
pub enum RevenueKey {
    Id(i64),
    /// `YYYY-MM-DD`.
    Date(String),
}

/// One row of revenue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RevenueRow {
    pub key: RevenueKey,
    /// The doctor's name, the service's name (as doctors see it) or the date.
    pub label: String,
    /// Items' list prices of the treatments dated in the range (`charges + discounts`).
    pub list: i64,
    /// Items' discounts.
    pub discounts: i64,
    /// Items' charges of the treatments dated in the range (after discounts), whole tugrik.
    pub charges: i64,
    /// Payments made in the range (refunds subtracted). Always 0 by service: a payment is
    /// for a whole treatment, not for one of its items; `total_paid` still counts it.
    pub paid: i64,
}

/// Revenue over a range.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RevenueReport {
    pub rows: Vec<RevenueRow>,
    pub total_list: i64,
    pub total_discounts: i64,
    pub total_charges: i64,
    pub total_paid: i64,
}

/// The first instants of the days `from..=to`, and of the day after: `days + 1` boundaries.
fn day_boundaries(from: Date, to: Date, zone: &TimeZone) -> Result<Vec<DbTimestamp>, ServiceError> {
    let mut out = Vec::new();
    let mut day = from;
    loop {
        out.push(start_of(day, zone)?);
        if day > to {
            return Ok(out);
        }
        day = next_day(day, "to")?;
    }
}

/// Revenue from `from` to `to` (inclusive), grouped by doctor, service or day.
pub async fn revenue(
    store: &Store,
    from: Given<Date>,
    to: Given<Date>,
    group_by: Given<RevenueGroup>,
) -> Result<RevenueReport, ServiceError> {
    let mut errors = Vec::new();
    let group = group_by.take(&mut errors).unwrap_or(RevenueGroup::Doctor);
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let (from, to) = date_range(from, to)?;
    let zone = settings::get(store).await?.time_zone();
    let days = day_boundaries(from, to, &zone)?;
    let range = Range {
        from: start_of(from, &zone)?,
        to: start_of(next_day(to, "to")?, &zone)?,
    };
    let db = store.connection();
    let all = GroupBy::Buckets(vec![range.from, range.to]);
    let total_charges = repo::charges(db, range, &all)
        .await?
        .iter()
        .map(|(_, v)| v)
        .sum();
    let total_discounts: i64 = repo::discounts(db, range, &all)
        .await?
        .iter()
        .map(|(_, v)| v)
        .sum();
    let total_paid = repo::payments(db, range, &all)
        .await?
        .iter()
        .map(|(_, v)| v)
        .sum();
    let by = match group {
        RevenueGroup::Doctor => GroupBy::Doctor,
        RevenueGroup::Service => GroupBy::Service,
        RevenueGroup::Day => GroupBy::Buckets(days.clone()),
    };
    let charges: HashMap<i64, i64> = repo::charges(db, range, &by).await?.into_iter().collect();
    let discounts: HashMap<i64, i64> = repo::discounts(db, range, &by).await?.into_iter().collect();
    let paid: HashMap<i64, i64> = match group {
        RevenueGroup::Service => HashMap::new(),
        _ => repo::payments(db, range, &by).await?.into_iter().collect(),
    };
    let row = |key: RevenueKey, label: String, k: i64| {
        let charges = charges.get(&k).copied().unwrap_or(0);
        let discounts = discounts.get(&k).copied().unwrap_or(0);
        RevenueRow {
            key,
            label,
            list: charges + discounts,
            discounts,
            charges,
            paid: paid.get(&k).copied().unwrap_or(0),
        }
    };
    let rows = match group {
        RevenueGroup::Day => {
            let mut rows = Vec::new();
            let mut date = from;
            for i in 0..days.len().saturating_sub(1) {
                let i = i as i64;
                rows.push(row(RevenueKey::Date(date.to_string()), date.to_string(), i));
                date = next_day(date, "to")?;
            }
            rows
        }
        _ => {
            let keys: BTreeSet<i64> = charges.keys().chain(paid.keys()).copied().collect();
            let ids: Vec<i64> = keys.iter().copied().collect();
            let names: HashMap<i64, String> = if group == RevenueGroup::Doctor {
                super::staff::names(store, &ids).await?
            } else {
                repo::service_names(db, &ids).await?.into_iter().collect()
            };
            keys.into_iter()
                .map(|k| {
                    let label = names.get(&k).cloned().unwrap_or_else(|| format!("#{k}"));
                    row(RevenueKey::Id(k), label, k)
                })
                .collect()
        }
    };
    Ok(RevenueReport {
        rows,
        total_list: total_charges + total_discounts,
        total_discounts,
        total_charges,
        total_paid,
    })
}

/// A doctor's figures of one day.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct DoctorFigures {
    pub doctor_id: i64,
    /// Last name and first name.
    pub name: String,
    /// Charges (after discounts) of the doctor's treatments dated that day.
    pub charges: i64,
    pub discounts: i64,
    /// Payments made that day on the doctor's treatments (refunds subtracted).
    pub paid: i64,
    /// The doctor's appointments starting that day, by status.
    pub appointments: ByStatus,
}

/// One day's figures of the clinic: what a head office pulls (`GET /api/v1/reports/days`).
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct DayFigures {
    /// The clinic's local date, `YYYY-MM-DD`.
    #[schema(value_type = String, example = "2026-11-30")]
    pub date: Date,
    /// As the day report's `charges` (after discounts).
    pub charges: i64,
    pub discounts: i64,
    /// As the sum of the day report's `payments_by_method`.
    pub paid: i64,
    /// Appointments starting that day, by status.
    pub appointments: ByStatus,
    /// Patients registered that day.
    pub new_patients: i64,
    /// By doctor (those with a treatment, a payment or an appointment that day), by id.
    pub doctors: Vec<DoctorFigures>,
}

/// The clinic's first local day: of its first appointment or treatment (None: neither yet).
/// Where a head office's first sync starts.
pub async fn first_day(store: &Store) -> Result<Option<Date>, ServiceError> {
    let zone = settings::get(store).await?.time_zone();
    Ok(repo::first_instant(store.connection())
        .await?
        .map(|at| dcms_store::time::from_db(at).to_zoned(zone).date()))
}

/// The figures of `doctor_id` on day index `day`, created empty.
fn entry(
    per_doctor: &mut BTreeMap<(usize, i64), DoctorFigures>,
    day: i64,
    doctor_id: i64,
) -> &mut DoctorFigures {
    let day = usize::try_from(day).unwrap_or(usize::MAX);
    per_doctor
        .entry((day, doctor_id))
        .or_insert_with(|| DoctorFigures {
            doctor_id,
            name: String::new(),
            charges: 0,
            discounts: 0,
            paid: 0,
            appointments: ByStatus::default(),
        })
}

/// Days `from..=to` (at most [`MAX_DAYS`]), each with its figures in total and per doctor:
/// five grouped queries whatever the range. Every figure equals what the day report and the
/// revenue report say for the same day.
pub async fn days(
    store: &Store,
    from: Given<Date>,
    to: Given<Date>,
) -> Result<Vec<DayFigures>, ServiceError> {
    let (from, to) = date_range(from, to)?;
    let zone = settings::get(store).await?.time_zone();
    let boundaries = day_boundaries(from, to, &zone)?;
    let db = store.connection();
    let mut days: Vec<DayFigures> = Vec::new();
    let mut date = from;
    for _ in 0..boundaries.len().saturating_sub(1) {
        days.push(DayFigures {
            date,
            charges: 0,
            discounts: 0,
            paid: 0,
            appointments: ByStatus::default(),
            new_patients: 0,
            doctors: Vec::new(),
        });
        date = next_day(date, "to")?;
    }
    let mut per_doctor: BTreeMap<(usize, i64), DoctorFigures> = BTreeMap::new();
    for (day, doctor_id, charges, discounts) in
        repo::charges_by_day_and_doctor(db, &boundaries).await?
    {
        let d = entry(&mut per_doctor, day, doctor_id);
        d.charges += charges;
        d.discounts += discounts;
    }
    for (day, doctor_id, paid) in repo::payments_by_day_and_doctor(db, &boundaries).await? {
        entry(&mut per_doctor, day, doctor_id).paid += paid;
    }
    for (day, doctor_id, status, n) in
        repo::appointments_by_day_doctor_and_status(db, &boundaries).await?
    {
        let status = AppointmentStatus::from_code(status)
            .ok_or_else(|| ServiceError::Internal(format!("stored appointment status {status}")))?;
        entry(&mut per_doctor, day, doctor_id)
            .appointments
            .add(status, n);
    }
    for (day, n) in repo::new_patients(db, &boundaries).await? {
        if let Some(d) = usize::try_from(day).ok().and_then(|i| days.get_mut(i)) {
            d.new_patients += n;
        }
    }
    let ids: BTreeSet<i64> = per_doctor.keys().map(|(_, id)| *id).collect();
    let names = super::staff::names(store, &ids.into_iter().collect::<Vec<_>>()).await?;
    for ((day, doctor_id), mut figures) in per_doctor {
        let Some(d) = days.get_mut(day) else { continue };
        figures.name = names
            .get(&doctor_id)
            .cloned()
            .unwrap_or_else(|| format!("#{doctor_id}"));
        d.charges += figures.charges;
        d.discounts += figures.discounts;
        d.paid += figures.paid;
        d.appointments.merge(&figures.appointments);
        d.doctors.push(figures);
    }
    Ok(days)
}

/// Patients per status, computed from each one's last visit as the API does.
#[derive(Debug, Default, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct PatientsByStatus {
    pub active: i64,
    pub within_1y: i64,
    pub within_5y: i64,
    pub older: i64,
}

/// Patients registered in a month.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MonthCount {
    /// `YYYY-MM`, the clinic's local month.
    pub month: String,
    pub count: i64,
}

/// Where the patients stand.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PatientsReport {
    pub by_status: PatientsByStatus,
    /// The last 12 months, the current one last, every month present.
    pub new_per_month: Vec<MonthCount>,
}

/// How many months `new_per_month` covers.
const NEW_PATIENT_MONTHS: i32 = 12;

/// The patients report for today in the clinic's time zone.
pub async fn patients(store: &Store) -> Result<PatientsReport, ServiceError> {
    let clinic = settings::get(store).await?;
    let zone = clinic.time_zone();
    let today = clinic.now_local().date();
    patients_on(store, today, &zone).await
}

async fn patients_on(
    store: &Store,
    today: Date,
    zone: &TimeZone,
) -> Result<PatientsReport, ServiceError> {
    let db = store.connection();
    // The same bounds as `PatientStatus::from_last_visit` and the daily refresh.
    let since = [
        start_of(today.saturating_sub(6.months()), zone)?,
        start_of(today.saturating_sub(1.year()), zone)?,
        start_of(today.saturating_sub(5.years()), zone)?,
    ];
    let mut by_status = PatientsByStatus::default();
    for (code, n) in repo::patients_by_status(db, since).await? {
        let slot = match code {
            0 => &mut by_status.active,
            1 => &mut by_status.within_1y,
            2 => &mut by_status.within_5y,
            _ => &mut by_status.older,
        };
        *slot += n;
    }
    let first = today.first_of_month();
    let mut months = Vec::new();
    for back in (0..NEW_PATIENT_MONTHS).rev() {
        months.push(first.saturating_sub(back.months()));
    }
    let mut boundaries = Vec::new();
    for m in &months {
        boundaries.push(start_of(*m, zone)?);
    }
    boundaries.push(start_of(first.saturating_add(1.month()), zone)?);
    let counts: HashMap<i64, i64> = repo::new_patients(db, &boundaries)
        .await?
        .into_iter()
        .collect();
    let new_per_month = months
        .iter()
        .enumerate()
        .map(|(i, m)| MonthCount {
            month: m.strftime("%Y-%m").to_string(),
            count: counts.get(&(i as i64)).copied().unwrap_or(0),
        })
        .collect();
    Ok(PatientsReport {
        by_status,
        new_per_month,
    })
}

/// A doctor's no-shows in a month.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoShowRow {
    pub doctor_id: i64,
    pub name: String,
    /// `YYYY-MM`, the clinic's local month.
    pub month: String,
    /// Appointments that were due (see the report's description).
    pub due: i64,
    pub no_shows: i64,
    /// `no_shows / due`, from 0 to 1.
    pub rate: f64,
}

/// The no-show rate by doctor and month.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoShowReport {
    /// Only doctor-months with appointments due; by month, then doctor name.
    pub rows: Vec<NoShowRow>,
    pub due: i64,
    pub no_shows: i64,
    /// `no_shows / due` over the whole range; 0 when nothing was due.
    pub rate: f64,
}

fn rate(no_shows: i64, due: i64) -> f64 {
    if due == 0 {
        0.0
    } else {
        no_shows as f64 / due as f64
    }
}

/// No-shows ÷ appointments that were due, per doctor and local month, for appointments
/// starting from `from` to `to` (inclusive) and before now. Due: starting before now with
/// status reserved, confirmed, came, finished or no-show (canceled ones never were due;
/// a reserved or confirmed one in the past was due even if nobody marked it).
pub async fn no_shows(
    store: &Store,
    from: Given<Date>,
    to: Given<Date>,
) -> Result<NoShowReport, ServiceError> {
    let (from, to) = date_range(from, to)?;
    let zone = settings::get(store).await?.time_zone();
    let mut months = vec![from];
    let mut boundaries = vec![start_of(from, &zone)?];
    let mut next = from.first_of_month().saturating_add(1.month());
    while next <= to {
        months.push(next);
        boundaries.push(start_of(next, &zone)?);
        next = next.saturating_add(1.month());
    }
    let end = start_of(next_day(to, "to")?, &zone)?;
    boundaries.push(end);
    let range = Range {
        from: boundaries[0],
        to: end.min(dcms_store::time::now()),
    };
    let due: Vec<i16> = DUE.iter().map(|s| s.code()).collect();
    let found = if range.from < range.to {
        repo::no_shows(store.connection(), range, &boundaries, &due).await?
    } else {
        Vec::new()
    };
    let ids: Vec<i64> = found
        .iter()
        .map(|r| r.0)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let names = super::staff::names(store, &ids).await?;
    let mut rows: Vec<NoShowRow> = found
        .into_iter()
        .map(|(doctor_id, month, due, no_shows)| NoShowRow {
            doctor_id,
            name: names
                .get(&doctor_id)
                .cloned()
                .unwrap_or_else(|| format!("#{doctor_id}")),
            month: usize::try_from(month)
                .ok()
                .and_then(|i| months.get(i))
                .map_or_else(String::new, |m| m.strftime("%Y-%m").to_string()),
            due,
            no_shows,
            rate: rate(no_shows, due),
        })
        .collect();
    rows.sort_by(|a, b| (&a.month, &a.name, a.doctor_id).cmp(&(&b.month, &b.name, b.doctor_id)));
    let due: i64 = rows.iter().map(|r| r.due).sum();
    let no_shows: i64 = rows.iter().map(|r| r.no_shows).sum();
    Ok(NoShowReport {
        rows,
        due,
        no_shows,
        rate: rate(no_shows, due),
    })
}
