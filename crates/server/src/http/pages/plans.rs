//! A treatment plan's page (`/treatment-plans/{plan_id}`) and its printed estimate
//! (`/treatment-plans/{plan_id}/estimate`).
//!
//! * The plan page: the plan's phases as sections, each with its items and subtotal; the
//!   discount, total, done and still to do; the status moves the state machine allows as
//!   buttons (cancel asks a reason); on a draft or presented plan each planned item moves to
//!   another phase or is removed; on an accepted plan a planned item is "recorded as done"
//!   (the treatment form filled from it) or dropped; "print estimate".
//! * The estimate: A4, the clinic's name and contacts, the patient and the doctor, each
//!   phase's lines and subtotal, the discount, the total, the day the prices hold until and
//!   lines for the patient's and the doctor's signatures.
//!
//! Who: readers of treatments see both; doctors, managers and admins act. Refusals are the
//! error page naming each reason (422, 409).

use super::respond::see_other_with_flash;
use super::{Layout, OrPage, PageResult, field, msg};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::plans::{self, Estimate, Plan, PlanChanges, PlanItemChanges};
use crate::services::{ServiceError, patients, settings, staff};
use askama::Template;
use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use dcms_domain::{PlanItemStatus, PlanStatus, ToothSystem};

/// One item as the page lists it.
struct ItemLine {
    plan_item_id: i64,
    service: String,
    teeth: String,
    surfaces: String,
    quantity: i64,
    price: String,
    charge: String,
    status: PlanItemStatus,
    status_label: String,
    phase: i32,
}

/// A phase and its items.
struct PhaseSection {
    phase: i32,
    subtotal: String,
    items: Vec<ItemLine>,
}

/// A status move the plan may make, as a button.
struct Move {
    to: PlanStatus,
    label: String,
    /// Canceling asks for a reason.
    needs_reason: bool,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage<'a> {
    layout: &'a Layout,
    plan: Plan,
    title: String,
    status_label: String,
    patient_name: String,
    doctor_name: String,
    phases: Vec<PhaseSection>,
    /// The phases an item may move to (every used one and the next).
    phase_choices: Vec<i32>,
    moves: Vec<Move>,
    progress: String,
    editable: bool,
    recordable: bool,
}

#[derive(Template)]
#[template(path = "estimate.html")]
struct EstimatePage<'a> {
    layout: &'a Layout,
    estimate: Estimate,
    title: String,
}

/// The clinic's tooth notation (the plan's and the estimate's teeth are shown in it).
async fn notation(state: &AppState, layout: &Layout) -> Result<ToothSystem, Response> {
    Ok(settings::get(&state.store)
        .await
        .or_page(layout)?
        .tooth_notation)
}

fn status_label(layout: &Layout, status: PlanStatus) -> String {
    layout.t(&format!("plan-status-{status}"))
}

fn item_status_label(layout: &Layout, status: PlanItemStatus) -> String {
    layout.t(&format!("plan-item-{status}"))
}

fn letters(surfaces: &[dcms_domain::Surface]) -> String {
    surfaces.iter().map(|s| s.letter()).collect()
}

/// `GET /treatment-plans/{plan_id}`.
pub async fn show(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(plan_id): Path<i64>,
    layout: Layout,
) -> PageResult {
    let system = notation(&state, &layout).await?;
    let plan = plans::get(&state.store, &state.audit, caller.actor(), plan_id, system)
        .await
        .or_page(&layout)?;
    let patient = patients::get(&state.store, &state.audit, caller.actor(), plan.patient_id)
        .await
        .or_page(&layout)?;
    let doctor_name = staff::names(&state.store, &[plan.doctor_id])
        .await
        .or_page(&layout)?
        .remove(&plan.doctor_id)
        .unwrap_or_default();
    let mut phases: Vec<PhaseSection> = Vec::new();
    for total in &plan.total_by_phase {
        phases.push(PhaseSection {
            phase: total.phase,
            subtotal: layout.money(total.total.amount()),
            items: Vec::new(),
        });
    }
    for item in &plan.items {
        let line = ItemLine {
            plan_item_id: item.plan_item_id,
            service: item.service_name.clone(),
            teeth: item
                .teeth
                .iter()
                .map(|t| t.code.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            surfaces: letters(&item.surfaces),
            quantity: item.quantity,
            price: layout.money(item.price.amount()),
            charge: layout.money(item.charge.amount()),
            status: item.status,
            status_label: item_status_label(&layout, item.status),
            phase: item.phase,
        };
        match phases.iter_mut().find(|p| p.phase == item.phase) {
            Some(p) => p.items.push(line),
            None => phases.push(PhaseSection {
                phase: item.phase,
                subtotal: layout.money(0),
                items: vec![line],
            }),
        }
    }
    let last = phases.iter().map(|p| p.phase).max().unwrap_or(0);
    let phase_choices = (1..=(last + 1).min(plans::PHASE_MAX)).collect();
    let moves = PlanStatus::ALL
        .iter()
        .filter(|&&to| plan.status.can_move_to(to))
        .map(|&to| Move {
            to,
            label: layout.t(&format!("plan-move-{to}")),
            needs_reason: to == PlanStatus::Canceled,
        })
        .collect();
    let (done, counted) = plan.progress();
    Ok(layout.render(&PlanPage {
        layout: &layout,
        title: plan
            .title
            .clone()
            .unwrap_or_else(|| layout.t("plan-untitled")),
        status_label: status_label(&layout, plan.status),
        patient_name: format!("{} {}", patient.last_name, patient.first_name),
        doctor_name,
        phases,
        phase_choices,
        moves,
        progress: layout.t2("plan-progress", ("done", done), ("count", counted)),
        editable: plan.status.items_editable(),
        recordable: plan.status.may_record(),
        plan,
    }))
}

/// `GET /treatment-plans/{plan_id}/estimate`: the printable estimate.
pub async fn estimate(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(plan_id): Path<i64>,
    layout: Layout,
) -> PageResult {
    let system = notation(&state, &layout).await?;
    let estimate = plans::estimate(
        &state.store,
        &state.audit,
        caller.actor(),
        plan_id,
        None,
        system,
    )
    .await
    .or_page(&layout)?;
    Ok(layout.render(&EstimatePage {
        layout: &layout,
        title: estimate
            .title
            .clone()
            .unwrap_or_else(|| layout.t("plan-untitled")),
        estimate,
    }))
}

/// Back to the plan with a message, or the error page naming each reason.
fn answered<T>(layout: &Layout, plan_id: i64, result: Result<T, ServiceError>) -> PageResult {
    match result {
        Ok(_) => Ok(see_other_with_flash(
            &format!("/treatment-plans/{plan_id}"),
            msg("flash-saved"),
            layout.secure,
        )),
        Err(err) => Err(layout.refused_action(err, msg("error-plan-refused"))),
    }
}

/// `POST /treatment-plans/{plan_id}/status`: `status`, and `reason` to cancel.
pub async fn set_status(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(plan_id): Path<i64>,
    layout: Layout,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let system = notation(&state, &layout).await?;
    let result = plans::set_status(
        &state.store,
        &state.audit,
        caller.actor(),
        plan_id,
        Some(field(&fields, "status").to_owned()),
        Some(field(&fields, "reason").to_owned()),
        system,
    )
    .await;
    answered(&layout, plan_id, result)
}

/// `POST /treatment-plans/{plan_id}/discount`: `discount` in whole tugrik.
pub async fn set_discount(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(plan_id): Path<i64>,
    layout: Layout,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let Ok(discount) = dcms_domain::Discount::parse_typed(field(&fields, "discount")) else {
        return Err(layout.error_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            msg("error-discount-typed"),
            None,
        ));
    };
    let changes = PlanChanges {
        discount: Some(discount.unwrap_or(dcms_domain::Discount::Amount(0))),
        discount_reason: Some(field(&fields, "discount_reason").to_owned()),
        ..PlanChanges::default()
    };
    let system = notation(&state, &layout).await?;
    let result = plans::change(
        &state.store,
        &state.audit,
        caller.actor(),
        plan_id,
        changes,
        system,
    )
    .await;
    answered(&layout, plan_id, result)
}

/// `POST /treatment-plans/{plan_id}/items/{plan_item_id}`: `phase` (move it), or `status`
/// (`dropped`, `planned`).
pub async fn change_item(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((plan_id, plan_item_id)): Path<(i64, i64)>,
    layout: Layout,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let phase = match field(&fields, "phase") {
        "" => None,
        typed => Some(typed.parse::<i64>().map_err(|_| {
            layout.error_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                msg("error-whole-number"),
                None,
            )
        })?),
    };
    let status = Some(field(&fields, "status").to_owned()).filter(|s| !s.is_empty());
    let changes = PlanItemChanges {
        phase,
        note: None,
        status,
    };
    let system = notation(&state, &layout).await?;
    let result = plans::change_item(
        &state.store,
        &state.audit,
        caller.actor(),
        plan_id,
        plan_item_id,
        changes,
        system,
    )
    .await;
    answered(&layout, plan_id, result)
}

/// `POST /treatment-plans/{plan_id}/items/{plan_item_id}/delete`.
pub async fn delete_item(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((plan_id, plan_item_id)): Path<(i64, i64)>,
    layout: Layout,
) -> PageResult {
    let result = plans::delete_item(
        &state.store,
        &state.audit,
        caller.actor(),
        plan_id,
        plan_item_id,
    )
    .await;
    answered(&layout, plan_id, result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surfaces_are_abbreviated() {
        use dcms_domain::Surface::*;
        assert_eq!(letters(&[Mesial, Occlusal, Distal]), "MOD");
    }
}
