//! Recalls (docs/front-desk.md): what brings patients back for their check-ups.
//!
//! Rules:
//! * A catalog service may carry `recall_months` (1 to 60). Recording a treatment item of such
//!   a service sets the patient's recall for that service: due on the treatment's local date
//!   plus the months, state due, the treating doctor (one recall per patient and service: done
//!   again, it moves).
//! * Booking an appointment marks booked every due recall of the patient due on or before the
//!   appointment's date plus [`BOOKING_WINDOW_DAYS`]; canceling it or marking it a no-show
//!   returns them to due (`appointments::set_status`).
//! * A recall is due, overdue (due with its date passed: a state of the list, not stored),
//!   booked or stopped. Staff may move its date or stop it (and start it again: due).
//! * A contact is an SMS (the clinic's recall template, queued in the outbox to the primary
//!   phone: 422 `no-primary-phone` without one; one SMS per request) or a call logged with a
//!   note; either sets `last_contact_at`. Every write is audited.

use super::audit::{AuditTrail, changes};
use super::settings::{self, ClinicSettings};
use super::{Actor, FieldError, ServiceError, fields};
use dcms_domain::{
    ContactChannel, Piece, RECALL_PLACEHOLDERS, RecallState, parse_template, render,
};
use dcms_store::Store;
use dcms_store::audit::AuditEntry;
use dcms_store::entity::recall;
use dcms_store::recalls as repo;
use dcms_store::sea_orm::DatabaseTransaction;
use dcms_store::time::{date_from_db, date_to_db, from_db, now};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use serde::Serialize;
use std::collections::HashMap;

/// A booking marks recalls due up to this many days after its date booked.
pub const BOOKING_WINDOW_DAYS: i64 = 30;
/// Most recalls a list returns.
pub const LIST_MAX: u64 = 500;
/// Most characters of a contact's note.
pub const CONTACT_NOTE_MAX: usize = 1000;

/// A recall with what the list shows beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Recall {
    pub recall_id: i64,
    pub patient_id: i64,
    /// `last_name first_name`.
    pub patient_name: String,
    /// The primary phone, as stored.
    pub primary_phone: Option<String>,
    pub service_id: i64,
    pub service_name: String,
    /// The doctor who last did the service.
    pub doctor_id: Option<i64>,
    #[schema(value_type = String, format = Date)]
    pub due_date: Date,
    pub state: RecallState,
    /// Due with its date passed.
    pub overdue: bool,
    pub appointment_id: Option<i64>,
    pub last_contact_at: Option<Timestamp>,
}

/// What a recall list asks for.
#[derive(Debug, Clone, Default)]
pub struct RecallQuery {
    /// `due`, `overdue`, `booked`, `stopped` (None: every state).
    pub state: Option<String>,
    pub due_from: Option<Date>,
    pub due_to: Option<Date>,
    pub doctor_id: Option<i64>,
    pub patient_id: Option<i64>,
}

/// A change of a recall.
#[derive(Debug, Clone, Default)]
pub struct RecallChanges {
    pub due_date: Option<String>,
    /// `due` or `stopped`.
    pub state: Option<String>,
}

/// A contact to log.
#[derive(Debug, Clone, Default)]
pub struct ContactInput {
    /// `sms` or `call`.
    pub channel: Option<String>,
    pub note: Option<String>,
}

/// A contact logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Contact {
    pub recall_contact_id: i64,
    pub recall_id: i64,
    pub channel: ContactChannel,
    pub note: Option<String>,
    /// The SMS queued (channel sms).
    pub sms_outbox_id: Option<i64>,
    pub created_at: Timestamp,
}

fn today(clinic: &ClinicSettings) -> Date {
    Timestamp::now().to_zoned(clinic.time_zone()).date()
}

// --- set by the treatments and the bookings -------------------------------------------------------

/// Sets the recalls of the services of `service_ids` that carry one, for the treatment
/// `treatment_id` (see the module's rules). One query when none of them does.
pub async fn done(
    txn: &DatabaseTransaction,
    treatment_id: i64,
    service_ids: &[i64],
) -> Result<(), ServiceError> {
    let services = dcms_store::catalog::find_many(txn, service_ids).await?;
    let recalled: Vec<_> = services
        .iter()
        .filter_map(|s| {
            s.recall_months
                .filter(|m| *m > 0)
                .map(|m| (s.service_id, m))
        })
        .collect();
    if recalled.is_empty() {
        return Ok(());
    }
    let treatment = dcms_store::clinical::find(txn, treatment_id)
        .await?
        .ok_or(ServiceError::NotFound("treatment"))?;
    let clinic = ClinicSettings::from_row(&dcms_store::settings::load(txn).await?)?;
    let date = from_db(treatment.treatment_date)
        .to_zoned(clinic.time_zone())
        .date();
    for (service_id, months) in recalled {
        let due = date
            .checked_add(i64::from(months).months())
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        repo::set_due(
            txn,
            treatment.patient_id,
            service_id,
            Some(treatment.doctor_id),
            date_to_db(due),
            now(),
        )
        .await?;
    }
    Ok(())
}

/// Marks the patient's due recalls booked by a new appointment (see the module's rules).
pub async fn booked(
    txn: &DatabaseTransaction,
    clinic: &ClinicSettings,
    appointment: &super::appointments::Appointment,
) -> Result<(), ServiceError> {
    let date = appointment.start_at.to_zoned(clinic.time_zone()).date();
    let up_to = date.checked_add(BOOKING_WINDOW_DAYS.days()).unwrap_or(date);
    repo::mark_booked(
        txn,
        appointment.patient_id,
        date_to_db(up_to),
        appointment.appointment_id,
        now(),
    )
    .await?;
    Ok(())
}

// --- reading ------------------------------------------------------------------------------------

async fn with_names(
    store: &Store,
    clinic: &ClinicSettings,
    rows: Vec<recall::Model>,
) -> Result<Vec<Recall>, ServiceError> {
    let patient_ids: Vec<i64> = rows.iter().map(|r| r.patient_id).collect();
    let mut service_ids: Vec<i64> = rows.iter().map(|r| r.service_id).collect();
    service_ids.sort_unstable();
    service_ids.dedup();
    let people = super::patients::names_and_phones(store, &patient_ids).await?;
    let services: HashMap<i64, String> =
        dcms_store::catalog::find_many(store.connection(), &service_ids)
            .await?
            .into_iter()
            .map(|s| (s.service_id, s.doctor_display_name))
            .collect();
    let today = today(clinic);
    rows.into_iter()
        .map(|row| {
            let state = RecallState::from_code(row.state).ok_or_else(|| {
                ServiceError::Internal(format!(
                    "recall {} has an unknown state {}",
                    row.recall_id, row.state
                ))
            })?;
            let due_date = date_from_db(row.due_date);
            let (patient_name, primary_phone) =
                people.get(&row.patient_id).cloned().unwrap_or_default();
            Ok(Recall {
                recall_id: row.recall_id,
                patient_id: row.patient_id,
                patient_name,
                primary_phone,
                service_id: row.service_id,
                service_name: services.get(&row.service_id).cloned().unwrap_or_default(),
                doctor_id: row.doctor_id,
                due_date,
                state,
                overdue: state == RecallState::Due && due_date < today,
                appointment_id: row.appointment_id,
                last_contact_at: row.last_contact_at.map(from_db),
            })
        })
        .collect()
}

/// Recalls matching `query`, by due date (at most [`LIST_MAX`]). An unknown state is 422.
pub async fn list(store: &Store, query: RecallQuery) -> Result<Vec<Recall>, ServiceError> {
    let clinic = settings::get(store).await?;
    let today = today(&clinic);
    let mut filter = repo::RecallFilter {
        due_from: query.due_from.map(date_to_db),
        due_to: query.due_to.map(date_to_db),
        doctor_id: query.doctor_id,
        patient_id: query.patient_id,
        ..Default::default()
    };
    match query
        .state
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => {}
        Some("overdue") => {
            filter.states = vec![RecallState::Due];
            let yesterday = today.yesterday().unwrap_or(today);
            filter.due_to = Some(date_to_db(match query.due_to {
                Some(to) if to < yesterday => to,
                _ => yesterday,
            }));
        }
        Some(other) => match other.parse::<RecallState>() {
            Ok(state) => filter.states = vec![state],
            Err(_) => {
                return Err(ServiceError::invalid_coded(FieldError::coded(
                    "state",
                    "choose",
                    "must be due, overdue, booked or stopped",
                )));
            }
        },
    }
    let rows = repo::list(store.connection(), &filter, LIST_MAX).await?;
    with_names(store, &clinic, rows).await
}

/// One recall (404 when there is none).
pub async fn get(store: &Store, recall_id: i64) -> Result<Recall, ServiceError> {
    let clinic = settings::get(store).await?;
    let row = repo::find(store.connection(), recall_id)
        .await?
        .ok_or(ServiceError::NotFound("recall"))?;
    let mut one = with_names(store, &clinic, vec![row]).await?;
    one.pop().ok_or(ServiceError::NotFound("recall"))
}

fn audited(row: &recall::Model) -> serde_json::Value {
    serde_json::json!({
        "due_date": date_from_db(row.due_date),
        "state": RecallState::from_code(row.state),
        "appointment_id": row.appointment_id,
    })
}

// --- changing -------------------------------------------------------------------------------------

/// Moves a recall's date, stops it or starts it again (state `stopped` or `due`); audited.
pub async fn update(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    recall_id: i64,
    asked: RecallChanges,
) -> Result<Recall, ServiceError> {
    let mut errors = Vec::new();
    let due_date = asked
        .due_date
        .as_deref()
        .and_then(|d| fields::date(&mut errors, "due_date", d));
    let state = match asked.state.as_deref().map(str::trim) {
        None => None,
        Some("stopped") => Some(RecallState::Stopped),
        Some("due") => Some(RecallState::Due),
        Some(_) => {
            errors.push(FieldError::coded(
                "state",
                "choose",
                "must be stopped or due",
            ));
            None
        }
    };
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let txn = store.begin_write().await?;
    let before = repo::lock(&txn, recall_id)
        .await?
        .ok_or(ServiceError::NotFound("recall"))?;
    let mut row = before.clone();
    if let Some(date) = due_date {
        row.due_date = date_to_db(date);
    }
    if let Some(state) = state {
        row.state = state.code();
        row.appointment_id = None;
    }
    if let Some(diff) = changes(Some(&audited(&before)), Some(&audited(&row)), &[]) {
        row.updated_at = now();
        repo::save(&txn, row).await?;
        let entry = AuditEntry::new("update", "recall", Some(recall_id)).with_changes(Some(diff));
        audit.record(&txn, actor.stamp(entry)).await?;
    }
    txn.commit().await.map_err(ServiceError::from)?;
    get(store, recall_id).await
}

/// The recall SMS of a recall: the clinic's template with its placeholders filled in.
pub fn render_recall(template: &str, values: &RecallValues) -> String {
    let pieces = parse_template(template, RECALL_PLACEHOLDERS)
        .unwrap_or_else(|_| vec![Piece::Text(template.to_owned())]);
    render(
        &pieces,
        |name| match name {
            "patient" => values.patient.clone(),
            "service" => values.service.clone(),
            "date" => values.date.clone(),
            "clinic" => values.clinic.clone(),
            _ => String::new(),
        },
        str::to_owned,
    )
}

/// What a recall SMS says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecallValues {
    /// The patient's first name.
    pub patient: String,
    pub service: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub clinic: String,
}

/// Logs a contact about a recall: an SMS queued (the recall template) or a call; audited.
pub async fn contact(
    store: &Store,
    audit: &AuditTrail,
    actor: Actor,
    recall_id: i64,
    input: ContactInput,
) -> Result<Contact, ServiceError> {
    let mut errors = Vec::new();
    let channel =
        fields::required_choice::<ContactChannel>(&mut errors, "channel", input.channel.as_deref());
    let note = fields::multi_line(&mut errors, "note", input.note.as_deref(), CONTACT_NOTE_MAX);
    let (Some(channel), Some(note), true) = (channel, note, errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };
    let clinic = settings::get(store).await?;
    let at = now();
    let txn = store.begin_write().await?;
    let mut row = repo::lock(&txn, recall_id)
        .await?
        .ok_or(ServiceError::NotFound("recall"))?;
    let sms_outbox_id = match channel {
        ContactChannel::Call => None,
        ContactChannel::Sms => {
            let patient = dcms_store::patients::find(&txn, row.patient_id)
                .await?
                .ok_or(ServiceError::NotFound("patient"))?;
            let service = dcms_store::catalog::find(&txn, row.service_id)
                .await?
                .map(|s| s.doctor_display_name)
                .unwrap_or_default();
            let text = render_recall(
                &clinic.recall_template,
                &RecallValues {
                    patient: patient.first_name,
                    service,
                    date: date_from_db(row.due_date).to_string(),
                    clinic: clinic.clinic_name.clone(),
                },
            );
            let key = format!("recall-{recall_id}-{:032x}", rand::random::<u128>());
            let queued = super::comms::queue_to_patient(&txn, row.patient_id, text, key).await?;
            Some(queued.ok_or_else(|| super::comms::no_primary_phone("channel"))?)
        }
    };
    let contact = repo::insert_contact(
        &txn,
        repo::NewContact {
            recall_id,
            channel: channel.code(),
            note,
            sms_outbox_id,
            created_by: actor.user_id,
            now: at,
        },
    )
    .await?;
    row.last_contact_at = Some(at);
    row.updated_at = at;
    repo::save(&txn, row).await?;
    let contact = Contact {
        recall_contact_id: contact.recall_contact_id,
        recall_id,
        channel,
        note: contact.note,
        sms_outbox_id,
        created_at: from_db(contact.created_at),
    };
    let entry = AuditEntry::new("contact", "recall", Some(recall_id)).with_changes(changes(
        None,
        Some(&contact),
        &["recall_contact_id", "recall_id", "created_at"],
    ));
    audit.record(&txn, actor.stamp(entry)).await?;
    txn.commit().await.map_err(ServiceError::from)?;
    Ok(contact)
}

/// The contacts of a recall, newest first.
pub async fn contacts(store: &Store, recall_id: i64) -> Result<Vec<Contact>, ServiceError> {
    repo::contacts_of(store.connection(), recall_id)
        .await?
        .into_iter()
        .map(|c| {
            Ok(Contact {
                recall_contact_id: c.recall_contact_id,
                recall_id: c.recall_id,
                channel: ContactChannel::from_code(c.channel).ok_or_else(|| {
                    ServiceError::Internal(format!("unknown contact channel {}", c.channel))
                })?,
                note: c.note,
                sms_outbox_id: c.sms_outbox_id,
                created_at: from_db(c.created_at),
            })
        })
        .collect()
}
