//! `/staff`: the staff roll (here), hiring an employee with phones and a first position
//! (`hiring.rs`), and the employee's page: details, phones, positions held, firing
//! (`employee.rs`). The positions themselves are `/positions` (`positions.rs`). Everything
//! goes through `services::staff`, as the API does.

mod employee;
mod hiring;

pub use employee::{
    add_phone, add_position, delete_phone, end_position, fire, make_phone_primary,
    make_position_primary, show, update,
};
pub use hiring::{create, new_form};

use super::common::{Choice, shown_number};
use super::{Layout, OrPage, PageResult};
use crate::http::state::AppState;
use crate::services::positions;
use crate::services::staff::{self, Employee, EmployeePosition};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use dcms_domain::{EmployeeStatus, Gender};
use serde::Deserialize;

const PAGE_SIZE: u64 = 100;
/// The most positions a select offers (a clinic has a handful).
const POSITIONS_MAX: u64 = 500;

pub(super) fn gender_choices(layout: &Layout) -> Vec<Choice> {
    Gender::ALL
        .iter()
        .map(|g| Choice {
            value: g.as_str().to_owned(),
            label: layout.t(&format!("gender-{}", g.as_str())),
        })
        .collect()
}

/// The statuses an edit may give (firing is its own form).
pub(super) fn status_choices(layout: &Layout) -> Vec<Choice> {
    EmployeeStatus::ALL
        .iter()
        .filter(|s| **s != EmployeeStatus::NotWorking)
        .map(|s| Choice {
            value: s.as_str().to_owned(),
            label: layout.t(&status_id(*s)),
        })
        .collect()
}

pub(super) fn status_id(status: EmployeeStatus) -> String {
    format!("employee-status-{}", status.as_str())
}

/// The active positions, as options `Name (CODE)`, leaving out those in `held`.
pub(super) async fn position_choices(
    state: &AppState,
    layout: &Layout,
    held: &[i64],
) -> Result<Vec<Choice>, Response> {
    let active = positions::list(&state.store, Some(true), None, POSITIONS_MAX)
        .await
        .or_page(layout)?;
    Ok(active
        .into_iter()
        .filter(|p| !held.contains(&p.position_id))
        .map(|p| Choice {
            value: p.position_id.to_string(),
            label: format!("{} ({})", p.display_name, p.position_type),
        })
        .collect())
}

/// The position an employee is known by: the open primary one, else the first open one.
pub(super) fn main_position(e: &Employee) -> Option<&EmployeePosition> {
    e.positions
        .iter()
        .find(|p| p.is_open() && p.is_primary)
        .or_else(|| e.positions.iter().find(|p| p.is_open()))
}

/// Where a service error on `field` shows on a form: `phones[1].number` -> `phones`, etc.
pub(super) fn field_of(field: &str) -> &str {
    field.split(['[', '.']).next().unwrap_or(field)
}

// --- the roll ------------------------------------------------------------------------------

/// One row of the staff roll.
pub struct StaffRow {
    employee_id: i64,
    number: i64,
    name: String,
    position: Option<String>,
    phone: String,
    status_id: String,
    working: bool,
}

#[derive(Template)]
#[template(path = "staff.html")]
struct StaffPage<'a> {
    layout: &'a Layout,
    rows: Vec<StaffRow>,
    next_after: Option<i64>,
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    after: Option<i64>,
}

/// `GET /staff`: every employee by display order (fired ones too, marked).
pub async fn list(
    State(state): State<AppState>,
    Query(params): Query<ListParams>,
    layout: Layout,
) -> PageResult {
    let mut found = staff::list(&state.store, None, params.after, PAGE_SIZE + 1)
        .await
        .or_page(&layout)?;
    let next_after = if found.len() as u64 > PAGE_SIZE {
        found.truncate(PAGE_SIZE as usize);
        found.last().map(|e| e.employee_id)
    } else {
        None
    };
    let rows = found
        .iter()
        .map(|e| StaffRow {
            employee_id: e.employee_id,
            number: e.employee_display_number,
            name: e.full_name(),
            position: main_position(e).map(|p| p.display_name.clone()),
            phone: e
                .primary_phone
                .as_deref()
                .map(shown_number)
                .unwrap_or_default(),
            status_id: status_id(e.status),
            working: e.status != EmployeeStatus::NotWorking,
        })
        .collect();
    Ok(layout.render(&StaffPage {
        layout: &layout,
        rows,
        next_after,
    }))
}
