//! The generated patients and their history, written in bulk: patients with their phones,
//! then appointments in time order with the treatments, items, teeth, payments, calls and
//! SMS that go with them. Ids are given here (after the largest in each table) so that rows
//! can point at each other without reading anything back.

use super::clinic::{Clinic, DemoService};
use super::people::{self, RegisterNumbers};
use super::{DemoSummary, SamplePatient};
use crate::services::ServiceError;
use crate::services::reminders::{ReminderValues, render_reminder};
use dcms_domain::{
    AppointmentStatus, ContactType, Dentition, Direction, OpeningHours, PatientStatus,
    PaymentMethod, ToothCode, ToothSystem, TreatmentScope, select_teeth, teeth_of,
};
use dcms_store::entity::{
    appointment, call, patient, patient_phone, payment, sms, treatment, treatment_item,
    treatment_item_tooth,
};
use dcms_store::time::{DbTimestamp, to_db};
use dcms_store::{Store, bulk};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use rand::Rng;
use rand::seq::SliceRandom;

/// Every demo appointment takes one slot.
const SLOT_MINUTES: i64 = 30;
/// Patients, or appointments, written per transaction.
const PER_TRANSACTION: usize = 20_000;
/// Share of the coming week's slots that are booked.
const FUTURE_FILL: f64 = 0.6;

/// What the history covers.
pub struct HistoryPlan {
    pub patients: u64,
    pub appointments_per_patient: u32,
    pub chart_visits: u32,
    /// Days of past appointments before today.
    pub history_days: i64,
    /// Days of booked appointments after today.
    pub coming_days: i64,
    /// The portal user linked to the first generated patient.
    pub patient_user_id: Option<i64>,
}

/// The clinic's calendar as the generator needs it.
pub struct Calendar {
    pub zone: TimeZone,
    pub opening_hours: OpeningHours,
    pub today: Date,
    pub now: Timestamp,
    /// The clinic's reminder text, which the history's reminders are written with.
    pub reminder_template: String,
    pub clinic_name: String,
}

impl Calendar {
    /// Unix `seconds` in the clinic's time zone.
    fn local(&self, seconds: i64) -> jiff::Zoned {
        instant(seconds).to_zoned(self.zone.clone())
    }

    /// An instant (Unix seconds) at which the clinic is open, at or before `seconds`:
    /// `seconds` itself when it is open then, else a random moment of the last opening
    /// interval before it (a week back at most), early enough for a call of `length`
    /// seconds to end by closing. None when the clinic is never open in that week.
    fn open_at_or_before(&self, seconds: i64, length: i64, rng: &mut impl Rng) -> Option<i64> {
        let local = self.local(seconds).date();
        for back in 0..8 {
            let day = local.checked_sub(jiff::Span::new().days(back)).ok()?;
            for &(open, close) in self.opening_hours.intervals(day.weekday()).iter().rev() {
                let at = |time| {
                    day.to_datetime(time)
                        .to_zoned(self.zone.clone())
                        .ok()
                        .map(|z| z.timestamp().as_second())
                };
                let (Some(open), Some(close)) = (at(open), at(close)) else {
                    continue;
                };
                if open <= seconds && seconds + length <= close {
                    return Some(seconds);
                }
                let last = close.min(seconds) - length;
                if open <= last {
                    return Some(rng.gen_range(open..=last));
                }
            }
        }
        None
    }

    /// Start instants (Unix seconds) of the slots of each open day in `[from, until]`.
    fn slot_starts(&self, from: Date, until: Date) -> Vec<i64> {
        let mut starts = Vec::new();
        let mut day = from;
        while day <= until {
            for &(open, close) in self.opening_hours.intervals(day.weekday()) {
                let mut time = open;
                while let Ok(end) = time.checked_add(SignedDuration::from_mins(SLOT_MINUTES)) {
                    if end > close || end < time {
                        break;
                    }
                    if let Ok(zoned) = day.to_datetime(time).to_zoned(self.zone.clone()) {
                        starts.push(zoned.timestamp().as_second());
                    }
                    time = end;
                }
            }
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
        starts
    }
}

/// One appointment before it is written.
#[derive(Clone, Copy)]
struct Planned {
    start: i64,
    patient: u32,
    doctor: u16,
    status: AppointmentStatus,
}

/// One generated patient before it is written.
struct PlannedPatient {
    person: people::Person,
    created_at: i64,
    last_seen_at: Option<i64>,
    first_appointment: Option<i64>,
    primary_phone: String,
    opt_out: bool,
}

/// The instant of Unix `seconds` (the generator's times are always in range).
fn instant(seconds: i64) -> Timestamp {
    Timestamp::from_second(seconds).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn ts(seconds: i64) -> DbTimestamp {
    to_db(instant(seconds))
}

fn pick_weighted<'a, R: Rng>(
    rng: &mut R,
    services: &'a [(i64, &'static DemoService)],
) -> Option<&'a (i64, &'static DemoService)> {
    services.choose_weighted(rng, |(_, s)| s.weight).ok()
}

fn past_status(rng: &mut impl Rng, start: i64, now: i64) -> AppointmentStatus {
    let roll: f64 = rng.r#gen();
    if roll < 0.07 {
        AppointmentStatus::Canceled
    } else if roll < 0.13 {
        AppointmentStatus::NoShow
    } else if now - start < 3 * 86_400 && roll < 0.30 {
        AppointmentStatus::Came
    } else {
        AppointmentStatus::Finished
    }
}

/// Writes the patients and their history; adds what it wrote to `summary`.
pub async fn write(
    store: &Store,
    clinic: &Clinic,
    calendar: &Calendar,
    plan: &HistoryPlan,
    rng: &mut impl Rng,
    register_numbers: &mut RegisterNumbers,
    summary: &mut DemoSummary,
) -> Result<(), ServiceError> {
    if plan.patients == 0 || clinic.doctor_ids.is_empty() {
        return Ok(());
    }
    let now = calendar.now.as_second();
    let n = usize::try_from(plan.patients)
        .map_err(|_| ServiceError::Internal("too many patients".into()))?;
    let doctors = clinic.doctor_ids.len();

    // --- the appointments, planned -----------------------------------------------------
    let first_day = calendar
        .today
        .saturating_sub(jiff::Span::new().days(plan.history_days));
    let last_day = calendar
        .today
        .saturating_add(jiff::Span::new().days(plan.coming_days));
    let starts = calendar.slot_starts(first_day, last_day);
    let (past_starts, future_starts): (Vec<i64>, Vec<i64>) =
        starts.into_iter().partition(|&s| s < now);
    let mut visits: Vec<u32> = (0..n)
        .map(|_| rng.gen_range(1..=plan.appointments_per_patient.max(1) * 2 - 1))
        .collect();
    if plan.chart_visits > 0 {
        visits[0] = plan.chart_visits;
    }
    let demand: usize = visits.iter().map(|&v| v as usize).sum();
    let capacity = past_starts.len() * doctors;
    let mut slots: Vec<(i64, u16)> = Vec::with_capacity(demand);
    if capacity > 0 {
        if demand <= capacity {
            for index in rand::seq::index::sample(rng, capacity, demand) {
                slots.push((past_starts[index / doctors], (index % doctors) as u16));
            }
        } else {
            // More visits than the doctors could see in the window: slots are used
            // several times (only at chain scale; the demo clinic never double-books).
            for k in 0..demand {
                let index = k % capacity;
                slots.push((past_starts[index / doctors], (index % doctors) as u16));
            }
        }
    }
    slots.shuffle(rng);
    let mut planned: Vec<Planned> = Vec::with_capacity(demand + future_starts.len() * doctors);
    let mut next_slot = slots.into_iter();
    for (patient, &count) in visits.iter().enumerate() {
        for _ in 0..count {
            let Some((start, doctor)) = next_slot.next() else {
                break;
            };
            planned.push(Planned {
                start,
                patient: patient as u32,
                doctor,
                status: past_status(rng, start, now),
            });
        }
    }
    for &start in &future_starts {
        for doctor in 0..doctors {
            if rng.gen_bool(FUTURE_FILL) {
                planned.push(Planned {
                    start,
                    patient: rng.gen_range(0..n) as u32,
                    doctor: doctor as u16,
                    status: if rng.gen_bool(0.3) {
                        AppointmentStatus::Confirmed
                    } else {
                        AppointmentStatus::Reserved
                    },
                });
            }
        }
    }
    planned.sort_by_key(|p| (p.start, p.doctor));

    // --- the patients, planned ---------------------------------------------------------
    let born_from = calendar.today.saturating_sub(jiff::Span::new().years(80));
    let born_until = calendar.today.saturating_sub(jiff::Span::new().years(2));
    let window_start = past_starts.first().copied().unwrap_or(now);
    let mut patients: Vec<PlannedPatient> = (0..n)
        .map(|_| PlannedPatient {
            person: register_numbers.person(rng, born_from, born_until),
            created_at: rng.gen_range(window_start.min(now - 86_400)..now),
            last_seen_at: None,
            first_appointment: None,
            primary_phone: people::mobile(rng),
            opt_out: rng.gen_bool(0.05),
        })
        .collect();
    for p in &planned {
        let patient = &mut patients[p.patient as usize];
        if patient.first_appointment.is_none() {
            patient.first_appointment = Some(p.start);
            // Registered when the first appointment was booked, a few days before.
            patient.created_at = (p.start - rng.gen_range(3_600..14 * 86_400)).min(now - 3_600);
        }
        if matches!(
            p.status,
            AppointmentStatus::Came | AppointmentStatus::Finished
        ) {
            patient.last_seen_at = Some(p.start);
        }
    }

    // --- patients and phones ---------------------------------------------------------------
    let patient_base = bulk::max_id(store.connection(), "patient", "patient_id").await? + 1;
    let mut phone_id =
        bulk::max_id(store.connection(), "patient_phone", "phone_number_id").await? + 1;
    let sample_every = (n / 1000).max(1);
    for (chunk_index, chunk) in patients.chunks(PER_TRANSACTION).enumerate() {
        let mut patient_rows = Vec::with_capacity(chunk.len());
        let mut phone_rows = Vec::with_capacity(chunk.len() * 2);
        for (offset, p) in chunk.iter().enumerate() {
            let index = chunk_index * PER_TRANSACTION + offset;
            let patient_id = patient_base + index as i64;
            let created_at = ts(p.created_at);
            let last_visit = p.last_seen_at.unwrap_or(p.created_at);
            let last_visit_date = calendar.local(last_visit).date();
            patient_rows.push(patient::Model {
                patient_id,
                user_id: if index == 0 {
                    plan.patient_user_id
                } else {
                    None
                },
                register_number: p.person.register_number.clone(),
                first_name: p.person.first_name.to_owned(),
                last_name: p.person.last_name.to_owned(),
                first_name_key: dcms_domain::name_key(p.person.first_name),
                last_name_key: dcms_domain::name_key(p.person.last_name),
                first_name_fold: dcms_domain::fold_name_key(&dcms_domain::name_key(
                    p.person.first_name,
                )),
                last_name_fold: dcms_domain::fold_name_key(&dcms_domain::name_key(
                    p.person.last_name,
                )),
                email: people::email(rng, patient_id as u64),
                birthday: dcms_store::time::date_to_db(p.person.birthday),
                gender: p.person.gender.code(),
                status: PatientStatus::from_last_visit(last_visit_date, calendar.today).code(),
                sms_reminder_opt_out: p.opt_out,
                created_at,
                last_seen_at: p.last_seen_at.map(ts),
            });
            // Two numbers (the clinic's rule), a tenth of the patients three.
            let extra = if rng.gen_bool(0.1) { 2 } else { 1 };
            phone_rows.push(patient_phone::Model {
                phone_number_id: phone_id,
                patient_id,
                phone_number_rev: dcms_domain::reversed_digits(&p.primary_phone),
                phone_number_val: p.primary_phone.clone(),
                label: "Өөрийн".to_owned(),
                is_primary: true,
                created_at,
                updated_at: created_at,
            });
            phone_id += 1;
            let mut numbers = vec![p.primary_phone.clone()];
            while numbers.len() <= extra {
                let number = people::mobile(rng);
                if !numbers.contains(&number) {
                    numbers.push(number);
                }
            }
            for number in numbers.into_iter().skip(1) {
                phone_rows.push(patient_phone::Model {
                    phone_number_id: phone_id,
                    patient_id,
                    phone_number_rev: dcms_domain::reversed_digits(&number),
                    phone_number_val: number,
                    label: people::OTHER_PHONE_LABELS
                        .choose(rng)
                        .copied()
                        .unwrap_or("Гэр")
                        .to_owned(),
                    is_primary: false,
                    created_at,
                    updated_at: created_at,
                });
                phone_id += 1;
            }
            if index.is_multiple_of(sample_every) && summary.sample.len() < 1000 {
                summary.sample.push(SamplePatient {
                    patient_id,
                    register_number: p.person.register_number.clone(),
                    phone: p.primary_phone.clone(),
                    last_name: p.person.last_name.to_owned(),
                });
            }
        }
        let txn = store.begin_write().await?;
        summary.patients += bulk::insert::<patient::Entity, _>(&txn, patient_rows).await?;
        summary.phones += bulk::insert::<patient_phone::Entity, _>(&txn, phone_rows).await?;
        txn.commit().await.map_err(ServiceError::from)?;
        tracing::info!(patients = summary.patients, "demo: patients written");
    }
    if plan.chart_visits > 0 {
        summary.chart_patient_id = Some(patient_base);
    }

    // --- appointments and what happened at them ----------------------------------------------
    let mut ids = Ids::after_existing(store).await?;
    let teeth_permanent = teeth_of(ToothSystem::Fdi, Dentition::Permanent, None);
    let teeth_primary = teeth_of(ToothSystem::Fdi, Dentition::Primary, None);
    let services_for = |dentition| -> Vec<(i64, &'static DemoService)> {
        clinic
            .services
            .iter()
            .copied()
            .filter(|(_, line)| line.teeth.fits(dentition))
            .collect()
    };
    let services_permanent = services_for(Dentition::Permanent);
    let services_primary = services_for(Dentition::Primary);
    let methods = [
        (PaymentMethod::Card, 45),
        (PaymentMethod::Qpay, 25),
        (PaymentMethod::Cash, 20),
        (PaymentMethod::Transfer, 10),
    ];
    for chunk in planned.chunks(PER_TRANSACTION) {
        let mut rows = Rows::default();
        for p in chunk {
            let person = &patients[p.patient as usize];
            let patient_id = patient_base + i64::from(p.patient);
            let doctor_id = clinic.doctor_ids[p.doctor as usize];
            let appointment_id = ids.appointment;
            ids.appointment += 1;
            // Services done on teeth the patient has (no wisdom tooth out of milk teeth).
            let dentition = Dentition::on(person.person.birthday, calendar.local(p.start).date());
            let fitting = match dentition {
                Dentition::Primary => &services_primary,
                Dentition::Permanent => &services_permanent,
            };
            let main = pick_weighted(rng, fitting);
            let booked_at = (p.start - rng.gen_range(3_600..14 * 86_400))
                .min(now - 60)
                .max(person.created_at);
            let updated_at = if p.start < now {
                p.start + 45 * 60
            } else {
                booked_at
            };
            rows.appointments.push(appointment::Model {
                appointment_id,
                patient_id,
                doctor_id,
                receptionist_id: clinic.receptionist_ids.choose(rng).copied(),
                start_at: ts(p.start),
                end_at: ts(p.start + SLOT_MINUTES * 60),
                status: p.status.code(),
                is_new_patient: person.first_appointment == Some(p.start),
                planned_service: main.map(|(id, _)| *id),
                note: None,
                created_at: ts(booked_at),
                updated_at: ts(updated_at.min(now)),
                chair_id: None,
                arrived_at: matches!(
                    p.status,
                    AppointmentStatus::Came | AppointmentStatus::Finished
                )
                .then(|| ts(p.start - rng.gen_range(0..20) * 60)),
            });
            if matches!(
                p.status,
                AppointmentStatus::Came | AppointmentStatus::Finished
            ) && let Some(main) = main
            {
                let teeth = match dentition {
                    Dentition::Primary => &teeth_primary,
                    Dentition::Permanent => &teeth_permanent,
                };
                let treatment_id = ids.treatment;
                ids.treatment += 1;
                let treated_at = p.start + 5 * 60;
                rows.treatments.push(treatment::Model {
                    treatment_id,
                    treatment_date: ts(treated_at),
                    patient_id,
                    doctor_id,
                    assistant_id: clinic.assistant_ids.choose(rng).copied(),
                    appointment_id: Some(appointment_id),
                    next_appointment_id: None,
                    note: None,
                    created_at: ts(treated_at + 40 * 60),
                    updated_at: ts(treated_at + 40 * 60),
                });
                let mut lines = vec![*main];
                if rng.gen_bool(0.35)
                    && let Some(second) = pick_weighted(rng, fitting)
                    && second.0 != main.0
                {
                    lines.push(*second);
                }
                let mut total = 0i64;
                for (position, (service_id, line)) in lines.iter().enumerate() {
                    let item_id = ids.item;
                    ids.item += 1;
                    total += line.price;
                    rows.items.push(treatment_item::Model {
                        treatment_item_id: item_id,
                        treatment_id,
                        service_id: *service_id,
                        scope: line.scope.code(),
                        dentition: None,
                        price: line.price,
                        position: position as i32 + 1,
                        note: None,
                        surfaces: 0,
                        discount: 0,
                        discount_percent: None,
                        discount_reason: None,
                    });
                    let teeth: Vec<ToothCode> = teeth
                        .iter()
                        .copied()
                        .filter(|t| line.teeth.allows(*t))
                        .collect();
                    let given: Vec<ToothCode> = match line.scope {
                        TreatmentScope::SingleTooth => {
                            teeth.choose(rng).copied().into_iter().collect()
                        }
                        TreatmentScope::MultiTooth => {
                            let count = rng.gen_range(2..=4).min(teeth.len());
                            teeth.choose_multiple(rng, count).copied().collect()
                        }
                        _ => Vec::new(),
                    };
                    let chosen = select_teeth(line.scope, &given, dentition, None)
                        .map_err(|e| ServiceError::Internal(format!("demo teeth: {e}")))?;
                    for tooth in chosen {
                        rows.teeth.push(treatment_item_tooth::Model {
                            treatment_item_tooth_id: ids.tooth,
                            treatment_item_id: item_id,
                            tooth_id: tooth.in_system(ToothSystem::Fdi).position() as i64 + 1,
                            note: None,
                        });
                        ids.tooth += 1;
                    }
                }
                let paid = match p.status {
                    AppointmentStatus::Finished => total,
                    _ if rng.gen_bool(0.5) => total / 2,
                    _ => 0,
                };
                let parts = if paid > 0 && rng.gen_bool(0.15) {
                    vec![paid / 2, paid - paid / 2]
                } else {
                    vec![paid]
                };
                for (k, amount) in parts.into_iter().filter(|&a| a > 0).enumerate() {
                    let method = methods
                        .choose_weighted(rng, |(_, w)| *w)
                        .map_or(PaymentMethod::Cash, |(m, _)| *m);
                    let paid_at = ts(treated_at + 40 * 60 + k as i64 * 60);
                    rows.payments.push(payment::Model {
                        payment_id: ids.payment,
                        treatment_id,
                        amount,
                        method: method.code(),
                        paid_at,
                        received_by: clinic.cashier_user_id,
                        note: None,
                        customer_tin: None,
                        created_at: paid_at,
                    });
                    ids.payment += 1;
                }
            }
            // The patient's calls and the reminder SMS around the appointment.
            // Calls come while the clinic is open (someone answers them).
            let length = rng.gen_range(40..400);
            if rng.gen_bool(0.25)
                && let Some(begin) =
                    calendar.open_at_or_before(booked_at - rng.gen_range(60..3_600), length, rng)
            {
                rows.calls.push(call::Model {
                    call_id: ids.call,
                    phone_number: person.primary_phone.clone(),
                    direction: Direction::In.code(),
                    begin_call: ts(begin),
                    end_call: Some(ts(begin + length)),
                    contact_type: ContactType::Patient.code(),
                    contacter_id: Some(patient_id),
                    note: Some("Цаг захиалсан".to_owned()),
                });
                ids.call += 1;
            }
            let length = rng.gen_range(30..200);
            if p.start < now
                && rng.gen_bool(0.03)
                && let Some(begin) =
                    calendar.open_at_or_before(p.start - rng.gen_range(3_600..86_400), length, rng)
            {
                rows.calls.push(call::Model {
                    call_id: ids.call,
                    phone_number: people::mobile(rng),
                    direction: Direction::In.code(),
                    begin_call: ts(begin),
                    end_call: Some(ts(begin + length)),
                    contact_type: ContactType::New.code(),
                    contacter_id: None,
                    note: Some("Үнийн мэдээлэл асуусан".to_owned()),
                });
                ids.call += 1;
            }
            let sent = p.start - 20 * 3_600;
            if p.status != AppointmentStatus::Canceled
                && !person.opt_out
                && sent < now
                && rng.gen_bool(0.6)
            {
                let local = calendar.local(p.start);
                rows.sms.push(sms::Model {
                    sms_id: ids.sms,
                    phone_number: person.primary_phone.clone(),
                    direction: Direction::Out.code(),
                    time: ts(sent),
                    subject: Some("Сануулга".to_owned()),
                    sms_text: render_reminder(
                        &calendar.reminder_template,
                        &ReminderValues {
                            patient: person.person.first_name.to_owned(),
                            date: local.date().to_string(),
                            time: local.time().strftime("%H:%M").to_string(),
                            doctor: clinic
                                .doctor_names
                                .get(p.doctor as usize)
                                .cloned()
                                .unwrap_or_default(),
                            clinic: calendar.clinic_name.clone(),
                        },
                    ),
                    contact_type: ContactType::Patient.code(),
                    contacter_id: Some(patient_id),
                    note: None,
                });
                ids.sms += 1;
                if rng.gen_bool(0.2) && sent + 600 < now {
                    rows.sms.push(sms::Model {
                        sms_id: ids.sms,
                        phone_number: person.primary_phone.clone(),
                        direction: Direction::In.code(),
                        time: ts(sent + rng.gen_range(60..600)),
                        subject: None,
                        sms_text: if rng.gen_bool(0.5) {
                            "1"
                        } else {
                            "Тийм, очно"
                        }
                        .to_owned(),
                        contact_type: ContactType::Patient.code(),
                        contacter_id: Some(patient_id),
                        note: None,
                    });
                    ids.sms += 1;
                }
            }
        }
        let txn = store.begin_write().await?;
        summary.appointments +=
            bulk::insert::<appointment::Entity, _>(&txn, rows.appointments).await?;
        summary.treatments += bulk::insert::<treatment::Entity, _>(&txn, rows.treatments).await?;
        bulk::insert::<treatment_item::Entity, _>(&txn, rows.items).await?;
        bulk::insert::<treatment_item_tooth::Entity, _>(&txn, rows.teeth).await?;
        summary.payments += bulk::insert::<payment::Entity, _>(&txn, rows.payments).await?;
        summary.calls += bulk::insert::<call::Entity, _>(&txn, rows.calls).await?;
        summary.sms += bulk::insert::<sms::Entity, _>(&txn, rows.sms).await?;
        txn.commit().await.map_err(ServiceError::from)?;
        tracing::info!(
            appointments = summary.appointments,
            "demo: appointments written"
        );
    }

    let backend = store.backend();
    for (table, column) in ID_COLUMNS {
        bulk::sync_id_sequence(store.connection(), backend, table, column).await?;
    }
    Ok(())
}

const ID_COLUMNS: [(&str, &str); 9] = [
    ("patient", "patient_id"),
    ("patient_phone", "phone_number_id"),
    ("appointment", "appointment_id"),
    ("treatment", "treatment_id"),
    ("treatment_item", "treatment_item_id"),
    ("treatment_item_tooth", "treatment_item_tooth_id"),
    ("payment", "payment_id"),
    ("call", "call_id"),
    ("sms", "sms_id"),
];

#[derive(Default)]
struct Rows {
    appointments: Vec<appointment::Model>,
    treatments: Vec<treatment::Model>,
    items: Vec<treatment_item::Model>,
    teeth: Vec<treatment_item_tooth::Model>,
    payments: Vec<payment::Model>,
    calls: Vec<call::Model>,
    sms: Vec<sms::Model>,
}

/// The next id of each table the history writes.
struct Ids {
    appointment: i64,
    treatment: i64,
    item: i64,
    tooth: i64,
    payment: i64,
    call: i64,
    sms: i64,
}

impl Ids {
    async fn after_existing(store: &Store) -> Result<Ids, ServiceError> {
        let db = store.connection();
        Ok(Ids {
            appointment: bulk::max_id(db, "appointment", "appointment_id").await? + 1,
            treatment: bulk::max_id(db, "treatment", "treatment_id").await? + 1,
            item: bulk::max_id(db, "treatment_item", "treatment_item_id").await? + 1,
            tooth: bulk::max_id(db, "treatment_item_tooth", "treatment_item_tooth_id").await? + 1,
            payment: bulk::max_id(db, "payment", "payment_id").await? + 1,
            call: bulk::max_id(db, "call", "call_id").await? + 1,
            sms: bulk::max_id(db, "sms", "sms_id").await? + 1,
        })
    }
}
