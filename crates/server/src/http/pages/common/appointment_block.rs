//! An appointment as the book, the lists and the patient's page show it: its patient,
//! doctor, times and status, and the status moves offered as buttons.

use super::shown_number;
use crate::http::pages::Layout;
use crate::services::appointments::BookEntry;
use dcms_domain::AppointmentStatus;

/// A status move offered as a button.
pub struct StatusButton {
    pub status: &'static str,
    pub label: String,
    /// A question asked before a final move (cancel, no-show), by `app.js`.
    pub confirm: Option<String>,
}

/// An appointment as the book and the lists show it.
pub struct Block {
    pub appointment_id: i64,
    pub patient_id: i64,
    pub patient_name: String,
    pub patient_phone: String,
    pub doctor_id: i64,
    pub doctor_name: String,
    pub service_name: Option<String>,
    pub note: Option<String>,
    /// The local date and times, `2026-11-29`, `10:00`, `10:30`.
    pub date: String,
    pub start: String,
    pub end: String,
    pub status: &'static str,
    pub status_label: String,
    pub is_new_patient: bool,
    /// Not final, and the caller may change appointments: it can be dragged and edited.
    pub movable: bool,
    pub buttons: Vec<StatusButton>,
    /// Rows of the grid it spans.
    pub rowspan: usize,
    /// A balance is still due on its treatments (the book marks it).
    pub unpaid: bool,
    /// The patient confirmed it by replying to the reminder SMS.
    pub confirmed_by_sms: bool,
    /// The reminder SMS went out.
    pub reminded: bool,
    /// Just booked, moved or changed: the book highlights it.
    pub changed: bool,
    /// The patient's medical alerts in one line (empty: none), for the staff who see them.
    pub alerts: String,
    /// One of them is a severe allergy.
    pub severe_alert: bool,
}

impl Block {
    /// The patient's alerts from the book's marks, when the caller sees alerts.
    pub fn set_alerts(
        &mut self,
        layout: &Layout,
        marks: &crate::services::appointments::BookMarks,
    ) {
        if !layout.can.alerts {
            return;
        }
        if let Some(alerts) = marks.alerts.get(&self.patient_id) {
            let views = super::alerts::AlertView::all(layout, alerts);
            self.severe_alert = views.iter().any(|a| a.severe);
            self.alerts = super::alerts::AlertView::line(&views);
        }
    }

    pub fn of(layout: &Layout, entry: &BookEntry, can_write: bool) -> Block {
        let a = &entry.appointment;
        let start = a.start_at.to_zoned(layout.time_zone.clone());
        let end = a.end_at.to_zoned(layout.time_zone.clone());
        let end_text = if end.date() == start.date() {
            end.strftime("%H:%M").to_string()
        } else {
            end.strftime("%Y-%m-%d %H:%M").to_string()
        };
        Block {
            appointment_id: a.appointment_id,
            patient_id: a.patient_id,
            patient_name: entry.patient_name.clone(),
            patient_phone: entry
                .patient_phone
                .as_deref()
                .map(shown_number)
                .unwrap_or_default(),
            doctor_id: a.doctor_id,
            doctor_name: entry.doctor_name.clone(),
            service_name: entry.service_name.clone(),
            note: a.note.clone(),
            date: start.date().to_string(),
            start: start.strftime("%H:%M").to_string(),
            end: end_text,
            status: a.status.as_str(),
            status_label: status_label(layout, a.status),
            is_new_patient: a.is_new_patient,
            movable: can_write && !a.status.is_final(),
            buttons: if can_write {
                status_buttons(layout, a.status, a.start_at)
            } else {
                Vec::new()
            },
            rowspan: 1,
            unpaid: false,
            alerts: String::new(),
            severe_alert: false,
            confirmed_by_sms: false,
            reminded: false,
            changed: false,
        }
    }
}

fn status_label(layout: &Layout, status: AppointmentStatus) -> String {
    layout.t(&format!("appointment-status-{}", status.as_str()))
}

/// The moves allowed now (came, finished and no-show wait for the start: the domain's
/// `allowed_moves_at`, the rule the service enforces).
fn status_buttons(
    layout: &Layout,
    status: AppointmentStatus,
    start_at: jiff::Timestamp,
) -> Vec<StatusButton> {
    status
        .allowed_moves_at(start_at, jiff::Timestamp::now())
        .into_iter()
        .map(|next| StatusButton {
            status: next.as_str(),
            label: layout.t(&format!("appointment-action-{}", next.as_str())),
            confirm: matches!(
                next,
                AppointmentStatus::Canceled | AppointmentStatus::NoShow
            )
            .then(|| layout.t(&format!("appointment-confirm-{}", next.as_str()))),
        })
        .collect()
}
