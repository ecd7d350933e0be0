//! Charting from the chart page (doctors, managers, admins):
//!
//! * `POST /patients/{patient_id}/chart/marks`: `what` is `finding:<kind>` or
//!   `service:<id>`; the teeth and surfaces are `mark=<ui_key>:<surface>` (or `<ui_key>`
//!   alone for the whole tooth, as `static/chart.js` posts them), else the typed `teeth`
//!   (codes in the clinic's notation) with the ticked `surfaces` for each. A finding is
//!   recorded per tooth; a service is planned per tooth (single tooth, its surfaces) into
//!   the patient's newest draft or presented plan, or a new draft plan by the caller.
//! * `POST /findings/{finding_id}/plan`: plans a service for an open finding (its tooth, its
//!   surfaces, the finding named), the same way.
//! * `POST /findings/{finding_id}/close`: the doctor closes a finding.
//!
//! Saved: back to the chart with a message. Refused: the error page (422) naming each reason.

use super::respond::see_other_with_flash;
use super::{Layout, OrPage, PageResult, field, msg};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::chart::items::ItemInput;
use crate::services::chart::{self, FindingChanges, NewFindingInput};
use crate::services::plans::{self, NewPlanInput, PlanItemInput};
use crate::services::{ServiceError, settings};
use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use dcms_domain::{PlanStatus, ToothCode, ToothSystem};
use std::collections::BTreeMap;

/// The teeth (FDI codes) and the surfaces chosen on each.
type Chosen = BTreeMap<String, Vec<String>>;

/// The teeth and surfaces of a charting form.
fn chosen(fields: &[(String, String)], system: ToothSystem) -> Result<Chosen, String> {
    let mut teeth: Chosen = BTreeMap::new();
    let fdi = |code: ToothCode| code.in_system(ToothSystem::Fdi).code().to_owned();
    for (name, value) in fields {
        if name != "mark" {
            continue;
        }
        let (key, surface) = match value.split_once(':') {
            Some((key, surface)) => (key, Some(surface)),
            None => (value.as_str(), None),
        };
        let code = ToothCode::from_ui_key(system, key).map_err(|e| e.to_string())?;
        let surfaces = teeth.entry(fdi(code)).or_default();
        if let Some(s) = surface
            && !surfaces.iter().any(|x| x == s)
        {
            surfaces.push(s.to_owned());
        }
    }
    if !teeth.is_empty() {
        return Ok(teeth);
    }
    let surfaces: Vec<String> = fields
        .iter()
        .filter(|(n, _)| n == "surfaces")
        .map(|(_, v)| v.clone())
        .collect();
    let typed = field(fields, "teeth");
    for code in typed
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|c| !c.is_empty())
    {
        let code = ToothCode::parse(system, code).map_err(|e| e.to_string())?;
        teeth.insert(fdi(code), surfaces.clone());
    }
    Ok(teeth)
}

/// A refusal as the error page says it: each field's message.
fn refused(layout: &Layout, err: ServiceError) -> axum::response::Response {
    layout.refused_action(err, msg("error-chart-refused"))
}

fn back(layout: &Layout, patient_id: i64, at: &str) -> axum::response::Response {
    see_other_with_flash(
        &format!("/patients/{patient_id}/chart#{at}"),
        msg("flash-saved"),
        layout.secure,
    )
}

/// Plans items into the patient's newest draft or presented plan, else a new draft plan
/// by the caller (who must be a doctor then).
async fn plan_items(
    state: &AppState,
    caller: &Caller,
    patient_id: i64,
    items: Vec<PlanItemInput>,
) -> Result<i64, ServiceError> {
    let system = settings::get(&state.store).await?.tooth_notation;
    let existing = plans::of_patient(
        &state.store,
        &state.audit,
        caller.actor(),
        patient_id,
        system,
    )
    .await?
    .into_iter()
    .find(|p| matches!(p.status, PlanStatus::Draft | PlanStatus::Presented));
    match existing {
        Some(plan) => {
            plans::add_items(
                &state.store,
                &state.audit,
                caller.actor(),
                plan.plan_id,
                items,
                system,
            )
            .await?;
            Ok(plan.plan_id)
        }
        None => {
            let input = NewPlanInput {
                doctor_id: Some(caller.actor().employee_id.unwrap_or(0)),
                title: None,
                note: None,
                items,
            };
            let plan = plans::create(
                &state.store,
                &state.audit,
                caller.actor(),
                patient_id,
                input,
                system,
            )
            .await?;
            Ok(plan.plan_id)
        }
    }
}

fn service_id(what: &str) -> Option<i64> {
    what.strip_prefix("service:")?.parse().ok()
}

fn planned(
    service_id: i64,
    code: String,
    surfaces: Vec<String>,
    finding_id: Option<i64>,
) -> PlanItemInput {
    PlanItemInput {
        item: ItemInput {
            service_id: Some(service_id),
            scope: Some("single_tooth".into()),
            teeth: Some(vec![crate::services::chart::items::ToothInput {
                code,
                note: None,
            }]),
            system: Some("fdi".into()),
            surfaces: Some(surfaces),
            finding_id,
            ..ItemInput::default()
        },
        phase: None,
    }
}

/// `POST /patients/{patient_id}/chart/marks`.
pub async fn marks(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
    layout: Layout,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let system = settings::get(&state.store)
        .await
        .or_page(&layout)?
        .tooth_notation;
    let teeth = chosen(&fields, system).map_err(|detail| {
        layout.error_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            msg("error-chart-refused"),
            Some(detail),
        )
    })?;
    if teeth.is_empty() {
        return Err(layout.error_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            msg("error-chart-no-teeth"),
            None,
        ));
    }
    let what = field(&fields, "what");
    let note = field(&fields, "note").to_owned();
    if let Some(kind) = what.strip_prefix("finding:") {
        for (code, surfaces) in teeth {
            let input = NewFindingInput {
                tooth: Some(code),
                system: Some("fdi".into()),
                kind: Some(kind.to_owned()),
                surfaces: Some(surfaces),
                note: Some(note.clone()),
            };
            chart::record(
                &state.store,
                &state.audit,
                caller.actor(),
                patient_id,
                input,
            )
            .await
            .map_err(|e| refused(&layout, e))?;
        }
        return Ok(back(&layout, patient_id, "patient-chart-page"));
    }
    let Some(service) = service_id(what) else {
        return Err(layout.error_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            msg("error-chart-refused"),
            None,
        ));
    };
    let items = teeth
        .into_iter()
        .map(|(code, surfaces)| planned(service, code, surfaces, None))
        .collect();
    plan_items(&state, &caller, patient_id, items)
        .await
        .map_err(|e| refused(&layout, e))?;
    Ok(back(&layout, patient_id, "chart-plans"))
}

/// The finding's patient as the form names it, checked against the finding.
async fn finding_of(
    state: &AppState,
    caller: &Caller,
    layout: &Layout,
    finding_id: i64,
    fields: &[(String, String)],
) -> Result<chart::Finding, axum::response::Response> {
    let patient_id: i64 = field(fields, "patient_id").parse().unwrap_or(0);
    let findings = chart::of_patient(
        &state.store,
        &state.audit,
        caller.actor(),
        patient_id,
        false,
        ToothSystem::Fdi,
    )
    .await
    .or_page(layout)?;
    findings
        .into_iter()
        .find(|f| f.finding_id == finding_id)
        .ok_or_else(|| layout.error(ServiceError::NotFound("finding")))
}

/// `POST /findings/{finding_id}/plan`: plans a service for the finding.
pub async fn plan_finding(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(finding_id): Path<i64>,
    layout: Layout,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let finding = finding_of(&state, &caller, &layout, finding_id, &fields).await?;
    let Some(service) = service_id(field(&fields, "service_id")) else {
        return Err(layout.error_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            msg("error-chart-refused"),
            None,
        ));
    };
    let surfaces = finding
        .surfaces
        .iter()
        .map(|s| s.as_str().to_owned())
        .collect();
    let item = planned(
        service,
        finding.tooth.code.clone(),
        surfaces,
        Some(finding_id),
    );
    plan_items(&state, &caller, finding.patient_id, vec![item])
        .await
        .map_err(|e| refused(&layout, e))?;
    Ok(back(&layout, finding.patient_id, "chart-plans"))
}

/// `POST /findings/{finding_id}/close`: the doctor closes a finding.
pub async fn close_finding(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(finding_id): Path<i64>,
    layout: Layout,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let finding = finding_of(&state, &caller, &layout, finding_id, &fields).await?;
    let changes = FindingChanges {
        resolved: Some(true),
        ..FindingChanges::default()
    };
    chart::change(
        &state.store,
        &state.audit,
        caller.actor(),
        finding_id,
        changes,
        ToothSystem::Fdi,
    )
    .await
    .map_err(|e| refused(&layout, e))?;
    Ok(back(&layout, finding.patient_id, "chart-findings"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn clicked_marks_win_over_typed_teeth() {
        let fields = pairs(&[
            ("mark", "P-LL-6:mesial"),
            ("mark", "P-LL-6:occlusal"),
            ("mark", "P-LR-6"),
            ("teeth", "11"),
        ]);
        let teeth = chosen(&fields, ToothSystem::Fdi).unwrap();
        assert_eq!(teeth["36"], ["mesial", "occlusal"]);
        assert!(teeth["46"].is_empty());
        assert!(!teeth.contains_key("11"));
    }

    #[test]
    fn typed_teeth_take_the_ticked_surfaces() {
        let fields = pairs(&[("teeth", "36, 37"), ("surfaces", "distal")]);
        let teeth = chosen(&fields, ToothSystem::Fdi).unwrap();
        assert_eq!(teeth["37"], ["distal"]);
        assert!(chosen(&pairs(&[("teeth", "99")]), ToothSystem::Fdi).is_err());
    }
}
