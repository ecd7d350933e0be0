//! An appointment's panel in the book (`/appointments/{id}/panel?back=`): what a click on a
//! block opens beside the grid (`static/book.js` fetches it): the patient with their phone,
//! the time, doctor and service, the marks in words, the status moves, and the links to
//! record the visit's treatment, take its payment, and open the appointment's page (to move
//! or edit it). Without a script the block is a link to that page, which has all of it.

use crate::http::pages::common::appointment_block::Block;
use crate::http::pages::{Layout, OrPage, PageResult, safe_next};
use crate::http::state::AppState;
use crate::services::ServiceError;
use crate::services::appointments;
use askama::Template;
use axum::extract::{Path, Query, State};
use dcms_domain::AppointmentStatus;
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PanelParams {
    /// The book the panel was opened from, where its buttons come back to.
    back: Option<String>,
}

#[derive(Template)]
#[template(path = "_appointment_panel.html")]
struct Panel<'a> {
    layout: &'a Layout,
    b: Block,
    back: String,
    /// The visit has begun (came) or ended: its treatment can be recorded.
    record_treatment: bool,
}

/// `GET /appointments/{appointment_id}/panel`.
pub async fn panel(
    State(state): State<AppState>,
    Path(appointment_id): Path<i64>,
    Query(params): Query<PanelParams>,
    layout: Layout,
) -> PageResult {
    let appointment = appointments::get(&state.store, appointment_id)
        .await
        .or_page(&layout)?;
    let marks = appointments::marks(&state.store, &[appointment_id], &[appointment.patient_id])
        .await
        .or_page(&layout)?;
    let status = appointment.status;
    let entries = appointments::with_names(&state.store, vec![appointment])
        .await
        .or_page(&layout)?;
    let Some(entry) = entries.first() else {
        return Err(layout.error(ServiceError::NotFound("appointment")));
    };
    let mut b = Block::of(&layout, entry, layout.can.appointments_write);
    b.unpaid = marks.unpaid.contains(&appointment_id);
    b.confirmed_by_sms = marks.confirmed_by_sms.contains(&appointment_id);
    b.set_alerts(&layout, &marks);
    let back = match params.back.as_deref() {
        Some(back) => safe_next(Some(back)),
        None => format!("/appointments?date={}", b.date),
    };
    let record_treatment = layout.can.treatments_write
        && matches!(
            status,
            AppointmentStatus::Came | AppointmentStatus::Finished
        );
    Ok(layout.render(&Panel {
        layout: &layout,
        b,
        back,
        record_treatment,
    }))
}
