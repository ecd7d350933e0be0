//! `GET /patients/{patient_id}/chart?system=&dentition=`: the patient's dental chart.
//!
//! * The odontogram in chart mode (`drawing/odontogram.rs`): the patient's dentition (`?dentition=`
//!   `permanent`, `primary` or `both`; by default both for a patient under
//!   [`MIXED_DENTITION_UNTIL`] years, else permanent) labelled in `?system=` (`fdi`,
//!   `universal`, `palmer`; by default the clinic's notation), both switchable with the
//!   component's links, which keep the other choice.
//! * Teeth are coloured by their history ([`Mark::Treated`] when any item names them,
//!   [`Mark::Recent`] when the newest of those is within the last [`RECENT_DAYS`] days). A
//!   tooth with history links to its section below (`#chart-tooth-{ui_key}`, a plain
//!   anchor); a tooth without history links to the top of the history (`#chart-history`).
//! * Under the chart, each tooth with history (`services::treatments::chart`) has a section
//!   listing its items newest first: date, service (the doctors' name), doctor, the item's
//!   and the tooth's notes, and a link to the treatment. Treated teeth of a dentition not
//!   drawn are named above the list with a link to show both dentitions.
//!
//! A bad `system` or `dentition` is a 400 page naming the choices; an unknown patient 404.
//! The chart is a read of the patient's record (audited by the use case). Queries: the
//! patient, the settings, the chart's four, and the doctors' names once.

use super::drawing::odontogram::{Mark, Odontogram, dentitions_value, parse_dentitions};
use super::{Layout, OrPage, PageResult, msg};
use crate::http::state::AppState;
use crate::services::auth::Caller;
use crate::services::treatments::{self, ChartTooth};
use crate::services::{ServiceError, patients, staff};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use dcms_domain::{Dentition, ToothCode, ToothSystem};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;

/// Patients younger than this many years are shown both dentitions by default.
pub const MIXED_DENTITION_UNTIL: i16 = 14;
/// An item at most this many days old marks its tooth [`Mark::Recent`].
pub const RECENT_DAYS: i64 = 365;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ChartParams {
    system: Option<String>,
    dentition: Option<String>,
}

/// One item on a tooth, as the history lists it.
struct HistoryEntry {
    treatment_id: i64,
    treatment_item_id: i64,
    date: String,
    service_name: String,
    doctor_name: String,
    item_note: Option<String>,
    tooth_note: Option<String>,
}

/// A tooth with history: its section under the chart.
struct ToothHistory {
    ui_key: String,
    /// The code in the chart's notation.
    code: String,
    /// The tooth's name in the page's language (as in the chart's tooltips).
    name: Option<String>,
    recent: bool,
    entries: Vec<HistoryEntry>,
}

#[derive(Template)]
#[template(path = "chart.html")]
struct ChartPage<'a> {
    layout: &'a Layout,
    patient_id: i64,
    patient_name: String,
    register_number: String,
    chart: Odontogram,
    teeth: Vec<ToothHistory>,
    /// Codes of treated teeth of a dentition the chart does not draw.
    hidden: Vec<String>,
    /// The address of this chart with both dentitions drawn.
    both_href: String,
}

/// The chart's address with a notation and dentitions.
fn chart_href(patient_id: i64, system: ToothSystem, dentitions: &str) -> String {
    format!("/patients/{patient_id}/chart?system={system}&dentition={dentitions}")
}

/// The notation asked for, else the clinic's; a 400 page for an unknown one.
async fn notation(
    state: &AppState,
    layout: &Layout,
    asked: Option<&str>,
) -> Result<ToothSystem, Response> {
    match treatments::notation(&state.store, asked).await {
        Ok(system) => Ok(system),
        Err(ServiceError::Invalid(_)) => {
            Err(layout.error_page(StatusCode::BAD_REQUEST, msg("error-chart-system"), None))
        }
        Err(other) => Err(layout.error(other)),
    }
}

/// Whether the newest item of a tooth (items come newest first) is recent.
fn is_recent(tooth: &ChartTooth, since: Timestamp) -> bool {
    tooth
        .items
        .iter()
        .map(|item| item.treatment_date)
        .max()
        .is_some_and(|newest| newest >= since)
}

/// `GET /patients/{patient_id}/chart?system=&dentition=`.
pub async fn show(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(patient_id): Path<i64>,
    Query(params): Query<ChartParams>,
    layout: Layout,
) -> PageResult {
    let system = notation(&state, &layout, params.system.as_deref()).await?;
    let asked = match params
        .dentition
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        Some(value) => Some(parse_dentitions(value).ok_or_else(|| {
            layout.error_page(StatusCode::BAD_REQUEST, msg("error-chart-dentition"), None)
        })?),
        None => None,
    };
    let patient = patients::get(&state.store, &state.audit, caller.actor(), patient_id)
        .await
        .or_page(&layout)?;
    let dentitions: &[Dentition] = asked.unwrap_or(if patient.age < MIXED_DENTITION_UNTIL {
        &[Dentition::Permanent, Dentition::Primary]
    } else {
        &[Dentition::Permanent]
    });
    let history = treatments::chart(
        &state.store,
        &state.audit,
        caller.actor(),
        patient_id,
        system,
    )
    .await
    .or_page(&layout)?;
    let mut doctor_ids: Vec<i64> = history
        .iter()
        .flat_map(|t| t.items.iter().map(|i| i.doctor_id))
        .collect();
    doctor_ids.sort_unstable();
    doctor_ids.dedup();
    let doctors = staff::names(&state.store, &doctor_ids)
        .await
        .or_page(&layout)?;

    let shown = dentitions_value(dentitions);
    let mut chart = Odontogram::new(system, dentitions)
        .id("patient-odontogram")
        .chart()
        .notation_links(|s| chart_href(patient_id, s, shown))
        .dentition_links(|d| chart_href(patient_id, system, d));
    // Every drawn tooth links somewhere on this page: its section, or the history's top.
    let drawn: Vec<&'static str> = chart.teeth().map(|t| t.ui_key).collect();
    for key in drawn {
        let href = if history.iter().any(|t| t.ui_key == key) {
            format!("#chart-tooth-{key}")
        } else {
            "#chart-history".to_owned()
        };
        chart = chart.link(key, href);
    }
    let since = Timestamp::now()
        .checked_sub(SignedDuration::from_hours(RECENT_DAYS * 24))
        .unwrap_or(Timestamp::MIN);
    let mut hidden = Vec::new();
    let mut teeth = Vec::with_capacity(history.len());
    for tooth in history {
        let recent = is_recent(&tooth, since);
        chart = chart.mark(&tooth.ui_key, Mark::Treated);
        if recent {
            chart = chart.mark(&tooth.ui_key, Mark::Recent);
        }
        if chart.tooth(&tooth.ui_key).is_none() {
            hidden.push(tooth.code.clone());
        }
        let entries = tooth
            .items
            .into_iter()
            .map(|item| HistoryEntry {
                treatment_id: item.treatment_id,
                treatment_item_id: item.treatment_item_id,
                date: layout.datetime(&item.treatment_date),
                service_name: item.service_name,
                doctor_name: doctors
                    .get(&item.doctor_id)
                    .cloned()
                    .unwrap_or_else(|| item.doctor_id.to_string()),
                item_note: item.item_note,
                tooth_note: item.tooth_note,
            })
            .collect();
        teeth.push(ToothHistory {
            name: ToothCode::from_ui_key(system, &tooth.ui_key)
                .ok()
                .map(|code| layout.tooth_name(code.ui_key())),
            ui_key: tooth.ui_key,
            code: tooth.code,
            recent,
            entries,
        });
    }
    Ok(layout.render(&ChartPage {
        layout: &layout,
        patient_id,
        patient_name: format!("{} {}", patient.last_name, patient.first_name),
        register_number: patient.register_number,
        chart,
        teeth,
        hidden,
        both_href: chart_href(patient_id, system, "both"),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::treatments::ChartEntry;
    use dcms_domain::TreatmentScope;

    fn tooth(dates: &[i64]) -> ChartTooth {
        ChartTooth {
            tooth_id: 16,
            code: "16".into(),
            ui_key: "P-UR-6".into(),
            items: dates
                .iter()
                .map(|&seconds| ChartEntry {
                    treatment_id: 1,
                    treatment_item_id: 1,
                    treatment_date: Timestamp::from_second(seconds).unwrap(),
                    doctor_id: 1,
                    service_id: 1,
                    service_name: "Filling".into(),
                    scope: TreatmentScope::SingleTooth,
                    item_note: None,
                    tooth_note: None,
                })
                .collect(),
        }
    }

    #[test]
    fn recent_is_the_newest_item_within_the_window() {
        let since = Timestamp::from_second(1_000).unwrap();
        assert!(is_recent(&tooth(&[2_000, 10]), since));
        assert!(is_recent(&tooth(&[1_000]), since), "the boundary counts");
        assert!(!is_recent(&tooth(&[999, 10]), since));
        assert!(!is_recent(&tooth(&[]), since));
    }

    #[test]
    fn links_keep_the_other_choice() {
        assert_eq!(
            chart_href(7, ToothSystem::Universal, "both"),
            "/patients/7/chart?system=universal&dentition=both"
        );
    }
}
