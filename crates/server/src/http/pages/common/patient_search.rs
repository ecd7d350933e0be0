//! Finding patients as a name, a register number or a phone is typed: the patients page's
//! search and the booking form's patient choices.

use super::shown_number;
use crate::http::pages::{Layout, OrPage, encode_component};
use crate::http::state::AppState;
use crate::services::patients::{self, Patient, PatientCursor};
use axum::response::Response;
use serde::Deserialize;

/// One row of the search results.
pub struct ResultRow {
    pub patient_id: i64,
    pub last_name: String,
    pub first_name: String,
    pub register_number: String,
    pub primary_phone: String,
    pub age: Option<i16>,
    pub status_id: String,
}

impl ResultRow {
    pub fn of(p: &Patient) -> ResultRow {
        ResultRow {
            patient_id: p.patient_id,
            last_name: p.last_name.clone(),
            first_name: p.first_name.clone(),
            register_number: p.register_number.clone(),
            primary_phone: p
                .phones
                .iter()
                .find(|ph| ph.is_primary)
                .map(|ph| shown_number(&ph.number))
                .unwrap_or_default(),
            age: Some(p.age),
            status_id: format!("patient-status-{}", p.status.as_str()),
        }
    }
}

#[derive(Deserialize, Default)]
pub struct SearchParams {
    #[serde(default)]
    pub q: String,
    pub cursor: Option<String>,
}

/// One page of patients matching the search (`limit` of them) and the next page's link.
pub async fn find_patients(
    state: &AppState,
    layout: &Layout,
    params: &SearchParams,
    limit: u64,
) -> Result<(Vec<ResultRow>, Option<String>), Response> {
    let q = params.q.trim();
    let cursor = params
        .cursor
        .as_deref()
        .filter(|c| !c.is_empty())
        .and_then(PatientCursor::decode);
    let page = patients::search(
        &state.store,
        (!q.is_empty()).then_some(q),
        cursor.as_ref(),
        limit,
    )
    .await
    .or_page(layout)?;
    let next_url = page
        .next_cursor
        .map(|c| format!("/patients?q={}&cursor={}", encode_component(q), c.encode()));
    Ok((page.items.iter().map(ResultRow::of).collect(), next_url))
}
