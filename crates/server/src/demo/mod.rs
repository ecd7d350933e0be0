//! Demo data: a realistic Mongolian dental clinic for `dcms serve --demo`, and the same
//! generator at chain scale for `dcms demo generate --patients N` and the benchmark.
//!
//! The clinic itself (settings, positions, staff with their user accounts, the service list)
//! goes through the ordinary services, so it is validated and audited like any other write.
//! Patients, phones, appointments, treatments, payments, calls and SMS are written in bulk
//! (multi-row INSERTs in large transactions, ids given by the generator) because a million
//! patients one service call at a time would take hours.

mod clinic;
mod history;
mod people;

use crate::config::PasswordCost;
use crate::services::audit::AuditTrail;
use crate::services::{Actor, ServiceError, settings, staff, users};
use dcms_domain::Role;
use dcms_store::patients as patients_repo;
use dcms_store::{Store, bulk};
use people::RegisterNumbers;
use rand::SeedableRng;
use rand::rngs::StdRng;

/// The password every demo login gets (printed with the logins; a demo is not a clinic).
pub const DEMO_PASSWORD: &str = "dcms-demo-2026";

/// How much to generate.
#[derive(Debug, Clone)]
pub struct ScaleOptions {
    /// Patients to add.
    pub patients: u64,
    /// Doctors the clinic has (at least 5); created when missing.
    pub doctors: u32,
    /// Past appointments per patient on average (the coming week is added on top).
    pub appointments_per_patient: u32,
    /// Visits of the one patient whose chart is long (0: none).
    pub chart_visits: u32,
    /// The random generator's seed (the calendar follows the clock, so two runs at different
    /// times differ in dates and counts).
    pub seed: u64,
}

/// A login the demo created.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub username: String,
    pub password: String,
    pub role: dcms_domain::Role,
}

/// A generated patient, for benchmarks that look patients up.
#[derive(Debug, Clone)]
pub struct SamplePatient {
    pub patient_id: i64,
    pub register_number: String,
    /// The primary phone, normalised (8 digits).
    pub phone: String,
    pub last_name: String,
}

/// What a generation did.
#[derive(Debug, Clone, Default)]
pub struct DemoSummary {
    pub logins: Vec<DemoLogin>,
    pub doctor_ids: Vec<i64>,
    pub service_ids: Vec<i64>,
    pub patients: u64,
    pub phones: u64,
    pub appointments: u64,
    pub treatments: u64,
    pub payments: u64,
    pub calls: u64,
    pub sms: u64,
    /// The patient with `chart_visits` visits, if any.
    pub chart_patient_id: Option<i64>,
    /// Up to 1,000 patients spread over the generated ones.
    pub sample: Vec<SamplePatient>,
}

impl ScaleOptions {
    /// The clinic `dcms serve --demo` shows: 5 doctors, 300 patients, a past month and a
    /// coming week.
    pub fn demo_clinic() -> ScaleOptions {
        ScaleOptions {
            patients: 300,
            doctors: 5,
            appointments_per_patient: 2,
            chart_visits: 0,
            seed: 2026,
        }
    }
}

/// Days of history at most: beyond this, deep history reuses slots (see [`history`]).
const MAX_HISTORY_DAYS: i64 = 10 * 365;
/// Days of booked appointments after today.
const COMING_DAYS: i64 = 7;

/// Whether the database has neither patients nor employees (what `serve --demo` fills).
pub async fn is_empty(store: &Store) -> Result<bool, ServiceError> {
    let db = store.connection();
    Ok(bulk::max_id(db, "patient", "patient_id").await? == 0
        && bulk::max_id(db, "employee", "employee_id").await? == 0)
}

/// Fills the database: the clinic if it has no employees yet (settings, positions, staff,
/// logins, services), then `patients` patients with their phones and history: past
/// appointments (as many days back as the doctors need to see them, at least a month, at
/// most ten years), a coming week 60% booked, treatments with teeth, payments, calls and
/// SMS. Random from `options.seed`, with dates around the moment it runs.
pub async fn generate(
    store: &Store,
    audit: &AuditTrail,
    options: &ScaleOptions,
) -> Result<DemoSummary, ServiceError> {
    let mut rng = StdRng::seed_from_u64(options.seed);
    let clinic_settings = settings::get(store).await?;
    let now = clinic_settings.now_local();
    let mut calendar = history::Calendar {
        zone: clinic_settings.time_zone(),
        opening_hours: clinic_settings.opening_hours.clone(),
        today: now.date(),
        now: now.timestamp(),
        reminder_template: clinic_settings.reminder_template.clone(),
        clinic_name: clinic_settings.clinic_name.clone(),
    };
    let taken = patients_repo::register_numbers(store.connection()).await?;
    let mut register_numbers = RegisterNumbers::taken(taken);
    let fresh = staff::list(store, None, None, 1).await?.is_empty();
    let mut patient_user_id = None;
    let clinic = if fresh {
        let clinic = clinic::create(
            store,
            audit,
            &mut rng,
            &mut register_numbers,
            options.doctors,
            calendar.today,
        )
        .await?;
        if options.patients > 0 {
            let user = users::create(
                store,
                audit,
                Actor::SYSTEM,
                PasswordCost::OWASP,
                users::CreateUser {
                    username: "patient".to_owned(),
                    display_name: None,
                    password: DEMO_PASSWORD.to_owned(),
                    role: Role::Patient,
                },
            )
            .await?;
            patient_user_id = Some(user.user_id);
        }
        clinic
    } else {
        clinic::existing(store).await?
    };
    // The reminders of the history say what the clinic's reminder says (its name and text
    // as they are once the clinic exists).
    let clinic_settings = settings::get(store).await?;
    calendar.reminder_template = clinic_settings.reminder_template;
    calendar.clinic_name = clinic_settings.clinic_name;
    let mut summary = DemoSummary {
        logins: clinic.logins.clone(),
        doctor_ids: clinic.doctor_ids.clone(),
        service_ids: clinic.services.iter().map(|(id, _)| *id).collect(),
        ..Default::default()
    };
    if patient_user_id.is_some() {
        summary.logins.push(DemoLogin {
            username: "patient".to_owned(),
            password: DEMO_PASSWORD.to_owned(),
            role: Role::Patient,
        });
    }

    // As many days back as the doctors need to see every visit at 70% of their slots.
    let open_slots_per_week: i64 = jiff::civil::Weekday::Monday
        .cycle_forward()
        .take(7)
        .map(|day| {
            calendar
                .opening_hours
                .intervals(day)
                .iter()
                .map(|(open, close)| (close.duration_since(*open).as_mins() / 30).max(0))
                .sum::<i64>()
        })
        .sum();
    let visits = i64::try_from(options.patients)
        .unwrap_or(i64::MAX)
        .saturating_mul(i64::from(options.appointments_per_patient.max(1)))
        .saturating_add(i64::from(options.chart_visits));
    let per_day = (open_slots_per_week as f64 / 7.0) * clinic.doctor_ids.len() as f64 * 0.7;
    let history_days = if per_day > 0.0 {
        ((visits as f64 / per_day).ceil() as i64).clamp(30, MAX_HISTORY_DAYS)
    } else {
        30
    };
    let plan = history::HistoryPlan {
        patients: options.patients,
        appointments_per_patient: options.appointments_per_patient,
        chart_visits: options.chart_visits,
        history_days,
        coming_days: COMING_DAYS,
        patient_user_id,
    };
    history::write(
        store,
        &clinic,
        &calendar,
        &plan,
        &mut rng,
        &mut register_numbers,
        &mut summary,
    )
    .await?;
    Ok(summary)
}
